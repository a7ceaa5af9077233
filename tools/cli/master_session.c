/*
 * master_session.c - see master_session.h. The runtime (dnp3/io.h) owns the
 * socket and timers; the library master (dnp3/master.h) owns the protocol.
 */
#include "master_session.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/crypto.h"
#include "sa_cli.h"

static const char *const CMD = "dnp3 master";

void master_ip_endpoint(dnp3_io_config *ioc, bool udp, const char *host, uint16_t port, uint32_t timeout_ms,
                        bool reconnect)
{
    if (udp) {
        ioc->host = "0.0.0.0";
        ioc->port = 0; /* an ephemeral local port */
        ioc->udp_peer_host = host;
        ioc->udp_peer_port = port;
    } else {
        ioc->host = host;
        ioc->port = port;
        ioc->connect_timeout_ms = timeout_ms;
        ioc->reconnect = reconnect;
    }
}

int master_parse_target(const char *cmd, const char *target, master_session_config *c)
{
    const char *rest = target;
    c->udp = c->tls = c->serial = false;
    if (serial_cli_is_target(target)) {
        serial_cli_init(&c->serial_opts);
        if (serial_cli_parse_target(cmd, target, &c->serial_opts)) return -1;
        c->serial = true;
        snprintf(c->host, sizeof c->host, "%.*s", (int)sizeof c->host - 1, c->serial_opts.device); /* messages */
        c->port = 0;
        return 0;
    }
    if (!strncmp(target, "tcp://", 6)) {
        rest = target + 6;
    } else if (!strncmp(target, "udp://", 6)) {
        rest = target + 6;
        c->udp = true;
    } else if (!strncmp(target, "tls://", 6)) {
        rest = target + 6;
        c->tls = true;
    } else if (strstr(target, "://")) {
        cli_usage_error(cmd,
                        "unsupported target '%s' (use HOST[:PORT], tcp://, udp://, tls://HOST:PORT or "
                        "serial:PATH?baud=N)",
                        target);
        return -1;
    }
    if (!*rest) {
        cli_usage_error(cmd, "the target '%s' has no host", target);
        return -1;
    }
    return cli_host_port(cmd, "TARGET", rest, "127.0.0.1", c->tls ? TLS_CLI_DEFAULT_PORT : 20000, c->host,
                         sizeof c->host, &c->port);
}

void master_print_task_failure(const char *cmd, const dnp3_task_info *info, uint32_t timeout_ms)
{
    switch (info->result) {
    case DNP3_TASK_TIMEOUT:
        fprintf(stderr, "%s: timeout after %u ms waiting for the outstation's response (%s)\n", cmd, timeout_ms,
                dnp3_fc_name(info->function) ? dnp3_fc_name(info->function) : "request");
        break;
    case DNP3_TASK_REJECTED: {
        fprintf(stderr, "%s: outstation answered with IIN2", cmd);
        for (unsigned b = 8; b < 16; b++)
            if (info->iin & (1u << b)) fprintf(stderr, " %s", dnp3_iin_bit_name(b));
        fprintf(stderr, "\n");
        break;
    }
    case DNP3_TASK_MALFORMED:
        fprintf(stderr, "%s: malformed response: %s at object offset %zu\n", cmd,
                dnp3_strerror(info->parse_error.err), info->parse_error.offset);
        break;
    case DNP3_TASK_DISCONNECTED:
        fprintf(stderr, "%s: the connection closed before the outstation answered\n", cmd);
        break;
    case DNP3_TASK_UNSUPPORTED:
        fprintf(stderr,
                "%s: the outstation demands Secure Authentication for %s (it answered with a challenge); "
                "give --sa-user N --sa-update-key-file FILE\n",
                cmd, dnp3_fc_name(info->function) ? dnp3_fc_name(info->function) : "this request");
        break;
    case DNP3_TASK_AUTH_FAILED:
        fprintf(stderr, "%s: Secure Authentication failed for %s: %s\n", cmd,
                dnp3_fc_name(info->function) ? dnp3_fc_name(info->function) : "the request",
                info->sa_error ? dnp3_sa_error_name(info->sa_error) : "the session keys are no longer valid");
        break;
    default:
        fprintf(stderr, "%s: %s failed: %s\n", cmd, dnp3_task_kind_name(info->kind),
                dnp3_task_result_str(info->result));
    }
}

static void on_closed_handle(uv_handle_t *h)
{
    (void)h;
}

/* Runs on the loop turn after master_session_finish: the runtime has drained the channel by then. */
static void on_finish(uv_timer_t *t)
{
    master_session *s = t->data;
    dnp3_io_master_stop(s->bind); /* sends what is queued (a final CONFIRM) first */
    s->bind = NULL;
    s->m = NULL;
    uv_close((uv_handle_t *)&s->deadline, on_closed_handle);
    uv_close((uv_handle_t *)&s->sigint, on_closed_handle);
    uv_close((uv_handle_t *)&s->sigterm, on_closed_handle);
}

void master_session_assoc_done(master_session *s, int exit_code)
{
    if (exit_code > s->worst_exit) s->worst_exit = exit_code;
    if (++s->n_done >= s->n_as) master_session_finish(s, s->worst_exit);
}

void master_session_finish(master_session *s, int exit_code)
{
    if (s->finished) return;
    s->finished = true;
    s->exit_code = exit_code;
    uv_timer_stop(&s->deadline);
    uv_timer_start(&s->deadline, on_finish, 0, 0);
}

static void up_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    master_session *s = ctx;
    s->ever_connected = true;
    cli_tap_reset(&s->tap);
    if (s->cfg.watch) printf("%s: connected to %s\n", CMD, peer);
    fflush(stdout);
    if (!s->started) {
        s->started = true;
        for (size_t i = 0; i < s->n_as && !s->finished; i++)
            if (s->cfg.on_ready) s->cfg.on_ready(s, s->as[i], now, s->cfg.ctx);
    }
}

static void up_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    master_session *s = ctx;
    (void)now;
    if (s->cfg.watch) {
        printf("%s: %s; reconnecting\n", CMD, reason);
        fflush(stdout);
        return;
    }
    if (s->finished) return;
    if (!strncmp(reason, "TLS ", 4) || s->cfg.serial) { /* a serial reason names the device and the error */
        fprintf(stderr, "%s: %s\n", CMD, reason);
    } else if (!s->ever_connected) {
        const char *why = strstr(reason, "failed: ");
        fprintf(stderr, "%s: cannot connect to %s:%u: %s\n", CMD, s->cfg.host, s->cfg.port,
                why ? why + 8 : reason);
    } else {
        fprintf(stderr, "%s: connection to %s:%u lost: %s\n", CMD, s->cfg.host, s->cfg.port, reason);
    }
    master_session_finish(s, 1);
}

static void up_rx(void *ctx, const uint8_t *p, size_t n)
{
    master_session *s = ctx;
    cli_tap_rx(&s->tap, p, n, s->cfg.udp);
}

static void up_tx(void *ctx, const uint8_t *p, size_t n)
{
    master_session *s = ctx;
    cli_tap_tx(&s->tap, p, n, s->cfg.udp);
}

static void on_deadline(uv_timer_t *t)
{
    master_session *s = t->data;
    fprintf(stderr, "%s: timeout after %u ms (%s)\n", CMD, (s->cfg.timeout_ms * 4 + 1000) * (unsigned)s->n_as,
            s->ever_connected ? "no complete answer from the outstation" : "no connection");
    master_session_finish(s, 1);
}

static void on_signal(uv_signal_t *h, int signum)
{
    master_session *s = h->data;
    if (s->cfg.watch) printf("%s: %s received, stopping\n", CMD, signum == SIGINT ? "SIGINT" : "SIGTERM");
    fflush(stdout);
    master_session_finish(s, s->cfg.watch ? 0 : 1);
}

/* Security events: a failed key exchange ends a one-shot command with a clear message. */
static void sa_event(void *ctx, const dnp3_sa_event *ev)
{
    master_session *s = ctx;
    bool fatal = ev->kind == DNP3_SA_EV_KEY_CHANGE_FAILED ||
                 (ev->kind == DNP3_SA_EV_ERROR_RECEIVED && ev->function == 0 &&
                  dnp3_sa_master_key_status(s->sa, dnp3_io_now(s->loop)) != DNP3_SA_KS_OK);
    if (s->cfg.decode || s->cfg.watch || fatal) {
        FILE *f = fatal ? stderr : stdout;
        if (fatal && ev->kind == DNP3_SA_EV_ERROR_RECEIVED)
            fprintf(f, "%s: Secure Authentication failed: the outstation answered %s for user %u%s\n", CMD,
                    dnp3_sa_error_name(ev->error), ev->user, sa_cli_error_hint(ev->error));
        else if (fatal)
            fprintf(f,
                    "%s: Secure Authentication failed: session key change for user %u not confirmed "
                    "(wrong update key?)\n",
                    CMD, ev->user);
        else
            fprintf(f, "%s: security: %s\n", CMD, sa_cli_event_text(ev));
        fflush(f);
    }
    if (fatal && !s->cfg.watch) master_session_finish(s, 1);
}

static int sa_attach(master_session *s, dnp3_tstamp now)
{
    dnp3_sa_master_config c;
    dnp3_sa_master_config_init(&c);
    c.user = s->cfg.sa_user;
    c.on_event = sa_event;
    c.ctx = s;
    s->sa = sa_cli_master_attach(s->a, &c, now, &s->sa_mem);
    dnp3_zeroize(&s->cfg.sa_user, sizeof s->cfg.sa_user);
    return s->sa ? 0 : DNP3_ERR_CONFIG;
}

static void assoc_config(const master_session_config *c, dnp3_assoc_config *ac)
{
    dnp3_assoc_config_init(ac);
    ac->address = c->link_addr;
    ac->response_timeout_ms = c->timeout_ms;
    if (c->watch) {
        ac->integrity_period_ms = c->integrity_period_ms;
        for (int i = 0; i < 3; i++) ac->class_period_ms[i] = c->event_period_ms;
        ac->time_sync = c->time_sync;
    } else { /* one-shot: only the task the user asked for */
        ac->startup_disable_unsol = ac->startup_integrity = ac->startup_enable_unsol = 0;
        ac->clear_restart = false;
        ac->restart_reruns_startup = false;
        ac->integrity_on_overflow = false;
        ac->event_poll_on_iin = 0;
        ac->time_sync = DNP3_TIMESYNC_NONE;
    }
}

int master_session_run(master_session_config *c)
{
    dnp3_tls *tls = NULL;
    if (c->tls) {
        if (!c->tls_opts.cfg.peer_name) c->tls_opts.cfg.peer_name = c->host; /* the certificate must name it */
        if (!(tls = tls_cli_load(CMD, &c->tls_opts, false))) return 2;
    }
    master_session *s = calloc(1, sizeof *s);
    if (!s) {
        dnp3_tls_free(tls);
        return 1;
    }
    s->cfg = *c;
    s->loop = uv_default_loop();
    char rx_label[64], tx_label[64];
    if (c->n_links == 0) {
        c->link_addrs[0] = c->link_addr;
        c->n_links = 1;
    }
    s->cfg.n_links = c->n_links;
    memcpy(s->cfg.link_addrs, c->link_addrs, sizeof c->link_addrs);
    if (c->n_links > 1) {
        snprintf(rx_label, sizeof rx_label, "outstations -> master %u", c->master_addr);
        snprintf(tx_label, sizeof tx_label, "master %u -> outstations", c->master_addr);
    } else {
        snprintf(rx_label, sizeof rx_label, "outstation %u -> master %u", c->link_addr, c->master_addr);
        snprintf(tx_label, sizeof tx_label, "master %u -> outstation %u", c->master_addr, c->link_addr);
    }
    cli_tap_init(&s->tap, c->decode, rx_label, tx_label);

    uv_timer_init(s->loop, &s->deadline);
    s->deadline.data = s;
    uv_signal_init(s->loop, &s->sigint);
    uv_signal_init(s->loop, &s->sigterm);
    s->sigint.data = s->sigterm.data = s;
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);

    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, c->udp ? DNP3_IO_UDP : DNP3_IO_TCP_CLIENT);
    if (c->serial) {
        serial_cli_apply(&c->serial_opts, &ioc);
        ioc.serial_device = s->cfg.serial_opts.device; /* s->cfg outlives this call */
        ioc.reconnect = c->watch;                      /* one-shot: a port that cannot be opened ends it */
    } else {
        master_ip_endpoint(&ioc, c->udp, c->host, c->port, c->timeout_ms, c->watch);
        if (!c->udp) ioc.tls = tls;
    }
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = c->master_addr;
    cc.remote_addr = c->link_addr;
    cc.mode = c->udp ? DNP3_CHANNEL_DATAGRAM : c->serial ? DNP3_CHANNEL_SERIAL : DNP3_CHANNEL_STREAM;
    cc.keep_alive_ms = c->watch ? 60000 : 0;
    cc.accept_any_remote = c->n_links > 1; /* every outstation of the line answers on this channel */
    cc.framing = (dnp3_framing_policy)c->framing;
    link_cli_apply(&c->link, &cc);
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler = c->handler;
    /* a serial line (and several outstations on any channel) carries one request at a time:
     * the outstations answer in turn, never over each other */
    mc.one_request_per_channel = c->serial || c->n_links > 1;
    mc.max_associations = c->n_links;
    dnp3_assoc_config ac;
    assoc_config(c, &ac);
    dnp3_io_hooks hooks = {s, up_open, up_close, up_rx, up_tx, NULL};
    if (!c->watch) /* connect + SELECT + OPERATE at most, with room to spare */
        uv_timer_start(&s->deadline, on_deadline, ((uint64_t)c->timeout_ms * 4 + 1000) * c->n_links, 0);
    int err = dnp3_io_master_create(s->loop, &cc, &mc, &hooks, &s->bind);
    if (!err) {
        s->m = dnp3_io_master_get(s->bind);
        for (size_t i = 0; i < c->n_links && !err; i++) {
            ac.address = c->link_addrs[i];
            s->as[i] = dnp3_master_add_assoc(s->m, &ac, dnp3_io_now(s->loop));
            if (!s->as[i]) err = DNP3_ERR_CONFIG;
            s->n_as = i + 1;
        }
        s->a = s->as[0];
        if (s->a && c->sa) err = sa_attach(s, dnp3_io_now(s->loop));
        if (!err) err = s->a ? dnp3_io_master_open(s->bind, &ioc) : DNP3_ERR_CONFIG;
    }
    if (err) {
        if (c->serial)
            fprintf(stderr, "%s: cannot use serial port %s: %s\n", CMD, c->serial_opts.device, dnp3_strerror(err));
        else
            fprintf(stderr, "%s: cannot reach %s:%u: %s\n", CMD, c->host, c->port, dnp3_strerror(err));
        master_session_finish(s, 1);
    }
    uv_run(s->loop, UV_RUN_DEFAULT);
    uv_loop_close(s->loop);
    int rc = s->exit_code;
    if (s->sa) dnp3_sa_master_free(s->sa);
    free(s->sa_mem);
    cli_tap_free(&s->tap);
    free(s);
    dnp3_tls_free(tls);
    return rc;
}
