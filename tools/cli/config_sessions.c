/*
 * config_sessions.c - the `sessions:` section of the `dnp3 outstation` configuration
 * (docs/outstation-cli.md "Several masters"): the masters one outstation serves at once,
 * each a session on the one point database (dnp3_outstation_init_session) with its own
 * event buffers and rules.
 *
 *   sessions:
 *     - name: scada                  # for the log
 *       allow: [10.1.1.5, 10.1.1.6]  # master IP addresses (default: any)
 *       transports: [tcp, tls]       # served over (default: every endpoint)
 *       classes: [1, 2, 3]           # event classes it gets (default: all)
 *       read_only: false             # true: controls answered NOT_AUTHORIZED
 *       tls_names: [scada-a]         # TLS masters by certificate common name (default: any; TLS only)
 *       sa_users: [1]                # Secure Authentication users accepted (default: every user)
 *     - {name: historian, allow: [10.1.2.9], transports: [udp], read_only: true}
 *
 * A connection (or a UDP master's first datagram) takes the first free session whose
 * allow and transports accept it; when none does it is refused with a log line. Masters may
 * use any link address: a session answers the address its requests come from.
 */
#include "config_sessions.h"

#include <stdio.h>
#include <string.h>

#include "dnp3/outstation.h"

/* A list of up to PROFILE_SESSION_ALLOW non-empty strings (allow, tls_names). */
typedef struct {
    char (*items)[64];
    size_t *n;
    const char *plural, *one; /* "addresses", "an IP address" */
} string_list;

static int string_item(loader *L, size_t i, const yaml_node_t *item, void *ctx)
{
    const string_list *l = ctx;
    if (i >= PROFILE_SESSION_ALLOW) return fail(L, item, "at most %d %s", PROFILE_SESSION_ALLOW, l->plural);
    if (get_string(L, item, l->items[i], sizeof l->items[i])) return -1;
    if (!l->items[i][0]) return fail(L, item, "expected %s", l->one);
    *l->n = i + 1;
    return 0;
}

static int transport_item(loader *L, size_t i, const yaml_node_t *item, void *ctx)
{
    (void)i;
    profile_session *s = ctx;
    const char *v = scalar(item);
    if (v && !strcmp(v, "tcp"))
        s->transports |= PROFILE_TR_TCP;
    else if (v && !strcmp(v, "udp"))
        s->transports |= PROFILE_TR_UDP;
    else if (v && !strcmp(v, "tls"))
        s->transports |= PROFILE_TR_TLS;
    else
        return fail(L, item, "expected tcp, udp or tls");
    return 0;
}

static int class_item(loader *L, size_t i, const yaml_node_t *item, void *ctx)
{
    (void)i;
    profile_session *s = ctx;
    uint32_t c;
    if (get_uint(L, item, 1, 3, &c)) return -1;
    s->event_classes |= (uint8_t)(1u << (c - 1));
    return 0;
}

static int sa_user_item(loader *L, size_t i, const yaml_node_t *item, void *ctx)
{
    profile_session *s = ctx;
    uint32_t u;
    if (i >= sizeof s->sa_users / sizeof s->sa_users[0]) return fail(L, item, "at most 16 users");
    if (get_uint(L, item, 1, 65535, &u)) return -1;
    s->sa_users[i] = (uint16_t)u;
    s->n_sa_users = i + 1;
    return 0;
}

static int session_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    profile_session *s = ctx;
    if (!strcmp(k, "name")) return get_string(L, v, s->name, sizeof s->name);
    if (!strcmp(k, "allow")) {
        string_list l = {s->allow, &s->n_allow, "addresses", "an IP address"};
        return for_each_item(L, v, "a list of IP addresses", string_item, &l);
    }
    if (!strcmp(k, "transports")) {
        s->transports = 0;
        if (for_each_item(L, v, "a list of tcp, udp, tls", transport_item, s)) return -1;
        return s->transports ? 0 : fail(L, v, "name at least one transport");
    }
    if (!strcmp(k, "classes")) {
        s->event_classes = 0;
        return for_each_item(L, v, "a list of event classes (1, 2, 3)", class_item, s);
    }
    if (!strcmp(k, "read_only")) return get_bool(L, v, &s->read_only);
    if (!strcmp(k, "tls_names")) {
        string_list l = {s->tls_names, &s->n_tls_names, "names", "a certificate common name"};
        return for_each_item(L, v, "a list of certificate names", string_item, &l);
    }
    if (!strcmp(k, "sa_users")) return for_each_item(L, v, "a list of user numbers", sa_user_item, s);
    return fail(L, v, "unknown key (expected name, allow, transports, classes, read_only, tls_names, sa_users)");
}

static int load_session(loader *L, size_t i, const yaml_node_t *n, void *ctx)
{
    profile *p = ctx;
    if (i >= PROFILE_MAX_SESSIONS) return fail(L, n, "at most %d sessions", PROFILE_MAX_SESSIONS);
    profile_session *s = &p->sessions[i];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "session %zu", i + 1);
    s->event_classes = DNP3_OS_CLASS1 | DNP3_OS_CLASS2 | DNP3_OS_CLASS3;
    if (for_each_field(L, n, "a mapping", session_field, s)) return -1;
    p->n_sessions = i + 1;
    return 0;
}

int config_load_sessions(loader *L, const yaml_node_t *n, profile *p)
{
    if (for_each_item(L, n, "a list of sessions", load_session, p)) return -1;
    if (p->n_sessions == 0) return fail(L, n, "the list of sessions is empty");
    return 0;
}
