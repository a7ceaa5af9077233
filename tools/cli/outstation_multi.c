/*
 * outstation_multi.c - `dnp3 outstation --max-masters N` or a `sessions:` section: several
 * masters at once (a SCADA master, a second control centre, a historian) over any mix of TCP,
 * UDP and TLS endpoints (IEEE 1815-2012 Annex on IP networking; IEC 62351-3). Each endpoint is
 * a library listener (dnp3_io_outstation_listen: a channel per TCP connection or per UDP source
 * address); each master gets a session on the one point database (dnp3_outstation_init_session)
 * with its own event buffers, unsolicited and select state and Secure Authentication.
 *
 * A master takes the first free session whose rule accepts it (allow list, transports); its
 * session stays its own until the connection ends (for UDP: until its link keep-alive goes
 * unanswered), and events keep buffering for a session while no master holds it. When no
 * session is free the connection is refused with a log line.
 */
#include "outstation_multi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    outstation_multi *m;
    uint8_t transport;
    dnp3_io_outstation_listener *l;
} endpoint;

struct outstation_multi {
    outstation_app *app;
    endpoint ep[8];
    size_t n_ep;
    bool busy[PROFILE_MAX_SESSIONS];
    dnp3_io_hooks hooks;
    uv_timer_t kick; /* a control through one session: the others report its events at once */
    bool kick_open;
};

const char *os_transport_name(uint8_t t)
{
    return t == PROFILE_TR_UDP ? "udp" : t == PROFILE_TR_TLS ? "tls" : "tcp";
}

static void say(outstation_multi *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(outstation_multi *m, const char *fmt, ...)
{
    if (!m->hooks.log) return;
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    m->hooks.log(m->hooks.ctx, line);
}

/* The IP address of "ip:port" / "[ip6]:port" into out. */
static void peer_ip(const char *peer, char *out, size_t cap)
{
    snprintf(out, cap, "%s", peer[0] == '[' ? peer + 1 : peer);
    char *end = strrchr(out, peer[0] == '[' ? ']' : ':');
    if (end) *end = 0;
}

static bool listed(const char *ip, const char (*list)[64], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], ip)) return true;
    return false;
}

/* Whether a session's rule takes this master (the runtime has already applied --allow). */
static bool accepts(const profile_session *r, uint8_t transport, const char *ip, const char *tls_name)
{
    if (r->transports && !(r->transports & transport)) return false;
    if (r->n_tls_names && (!tls_name || !listed(tls_name, r->tls_names, r->n_tls_names))) return false;
    return !r->n_allow || listed(ip, r->allow, r->n_allow);
}

static dnp3_outstation *take_session(void *ctx, const char *peer)
{
    endpoint *e = ctx;
    outstation_multi *m = e->m;
    char ip[64], who[320];
    peer_ip(peer, ip, sizeof ip);
    const char *tls_name = dnp3_io_accepting_tls_name(dnp3_io_outstation_listener_io(e->l));
    snprintf(who, sizeof who, "%s over %s%s%s%s", peer, os_transport_name(e->transport), tls_name ? " (CN=" : "",
             tls_name ? tls_name : "", tls_name ? ")" : "");
    bool any_rule = false;
    for (size_t i = 0; i < m->app->n_sess; i++) {
        const profile_session *r = m->app->sess[i].rule;
        if (!accepts(r, e->transport, ip, tls_name)) continue;
        any_rule = true;
        if (m->busy[i]) continue;
        m->busy[i] = true;
        say(m, "master %s takes session %zu (%s)", who, i + 1, r->name);
        return m->app->sess[i].os;
    }
    if (any_rule)
        say(m, "master %s refused: every session it may take is in use (%zu sessions)", who, m->app->n_sess);
    else
        say(m, "master %s refused: no session accepts it", who);
    return NULL;
}

static void release_session(void *ctx, dnp3_outstation *os)
{
    outstation_multi *m = ((endpoint *)ctx)->m;
    for (size_t i = 0; i < m->app->n_sess; i++)
        if (m->app->sess[i].os == os && m->busy[i]) {
            m->busy[i] = false;
            say(m, "session %zu (%s) is free again", i + 1, m->app->sess[i].rule->name);
        }
}

static void on_kick(uv_timer_t *t)
{
    outstation_multi_kick(t->data);
}

static void changed(void *ctx)
{
    outstation_multi *m = ctx;
    uv_timer_start(&m->kick, on_kick, 0, 0); /* after the request in progress has been answered */
}

outstation_multi *outstation_multi_start(uv_loop_t *loop, outstation_app *app, const os_endpoint *eps, size_t n,
                                         const dnp3_channel_config *cc, dnp3_tls *tls,
                                         const char *const *global_allow, size_t global_allow_count,
                                         const dnp3_io_hooks *hooks)
{
    outstation_multi *m = calloc(1, sizeof *m);
    if (!m || n > sizeof m->ep / sizeof m->ep[0]) {
        fprintf(stderr, "dnp3 outstation: %s\n", m ? "at most 8 endpoints" : "out of memory");
        free(m);
        return NULL;
    }
    m->app = app;
    m->hooks = *hooks;
    uv_timer_init(loop, &m->kick);
    m->kick.data = m;
    m->kick_open = true;
    app->on_change = changed;
    app->on_change_ctx = m;
    dnp3_channel_config c = *cc;
    c.accept_any_remote = true; /* each master may have its own link address */
    for (size_t i = 0; i < n; i++) {
        endpoint *e = &m->ep[i];
        e->m = m;
        e->transport = eps[i].transport;
        dnp3_io_config ioc;
        dnp3_io_config_init(&ioc, eps[i].transport == PROFILE_TR_UDP ? DNP3_IO_UDP : DNP3_IO_TCP_LISTEN);
        ioc.host = eps[i].host;
        ioc.port = eps[i].port;
        ioc.allow = global_allow;
        ioc.allow_count = global_allow_count;
        if (eps[i].transport == PROFILE_TR_TLS) ioc.tls = tls;
        c.mode = eps[i].transport == PROFILE_TR_UDP ? DNP3_CHANNEL_DATAGRAM : cc->mode;
        int rc = dnp3_io_outstation_listen(loop, &ioc, &c, take_session, release_session, e, hooks, &e->l);
        if (rc) {
            fprintf(stderr, "dnp3 outstation: cannot %s %s:%u: %s\n",
                    eps[i].transport == PROFILE_TR_UDP ? "bind UDP" : "listen on TCP", eps[i].host, eps[i].port,
                    dnp3_strerror(rc));
            outstation_multi_stop(m);
            return NULL;
        }
        m->n_ep = i + 1;
    }
    return m;
}

uint16_t outstation_multi_port(const outstation_multi *m, size_t i)
{
    return i < m->n_ep ? dnp3_io_local_port(dnp3_io_outstation_listener_io(m->ep[i].l)) : 0;
}

void outstation_multi_kick(outstation_multi *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_ep; i++) dnp3_io_kick(dnp3_io_outstation_listener_io(m->ep[i].l));
}

static void on_closed(uv_handle_t *h)
{
    free(h->data);
}

void outstation_multi_stop(outstation_multi *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_ep; i++) dnp3_io_outstation_listener_stop(m->ep[i].l);
    m->n_ep = 0;
    m->app->on_change = NULL;
    if (m->kick_open) {
        uv_timer_stop(&m->kick);
        uv_close((uv_handle_t *)&m->kick, on_closed); /* m is freed when libuv lets go of the timer */
    } else {
        free(m);
    }
}
