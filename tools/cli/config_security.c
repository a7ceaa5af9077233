/*
 * config_security.c - the `security:` section of the `dnp3 outstation`
 * configuration (docs/outstation-cli.md): Secure Authentication v5 (IEEE
 * 1815-2012 clause 7; docs/sa.md) and DNP3 over TLS (IEC 62351-3;
 * docs/tls.md), the same settings as the --sa-* and --tls-* options.
 *
 *   security:
 *     secure_authentication:
 *       users:
 *         - {number: 1, update_key_file: keys/user1.key, name: jim}
 *       authority_key_file: keys/authority.key
 *       outstation_name: rtu7
 *       mac: hmac-sha256-16
 *       key_change_interval_s: 900
 *       key_change_count: 1000
 *       reply_timeout_ms: 2000
 *       max_error_count: 2
 *       challenge_length: 4
 *       aggressive_mode: true
 *     tls:
 *       listen: 0.0.0.0:19999
 *       certificate: certs/rtu7.pem
 *       private_key: certs/rtu7.key
 *       ca: certs/scada-ca.pem
 *
 * Relative file names are relative to the configuration file. Files are only
 * named here; the command reads them (and reports their problems with the
 * FILE:LINE: field of the name).
 */
#include "config_security.h"

#include <stdio.h>
#include <string.h>

/* Reads a file name into out, relative to the directory of the configuration file. */
static int get_path(loader *L, const yaml_node_t *n, char *out, size_t cap, char *where, size_t where_cap)
{
    char value[PROFILE_PATH_MAX];
    if (get_string(L, n, value, sizeof value)) return -1;
    if (!value[0]) return fail(L, n, "expected a file name");
    const char *slash = strrchr(L->file, '/');
    int len = value[0] == '/' || !slash ? snprintf(out, cap, "%s", value)
                                        : snprintf(out, cap, "%.*s/%s", (int)(slash - L->file), L->file, value);
    if (len < 0 || (size_t)len >= cap) return fail(L, n, "the file name is too long");
    if (where)
        snprintf(where, where_cap, "%s:%lu: %s", L->file, (unsigned long)n->start_mark.line + 1, L->path);
    return 0;
}

static int get_name(loader *L, const yaml_node_t *n, char out[33])
{
    if (get_string(L, n, out, 33)) return -1;
    return 0;
}

static const struct {
    const char *name;
    uint8_t mal;
} MACS[] = {
    {"hmac-sha1-4", 1}, {"hmac-sha1-10", 2}, {"hmac-sha256-8", 3}, {"hmac-sha256-16", 4}, {"hmac-sha1-8", 5},
};

static int get_mac(loader *L, const yaml_node_t *n, uint8_t *mal)
{
    const char *s = scalar(n);
    for (size_t i = 0; s && i < sizeof MACS / sizeof MACS[0]; i++)
        if (!strcmp(s, MACS[i].name)) {
            *mal = MACS[i].mal;
            return 0;
        }
    return fail(L, n, "expected hmac-sha256-16, hmac-sha256-8, hmac-sha1-10, hmac-sha1-8 or hmac-sha1-4");
}

static int load_user(loader *L, const yaml_node_t *n, profile_sa *sa)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected {number: N, update_key_file: FILE, name: NAME}");
    if (sa->n_users >= sizeof sa->users / sizeof sa->users[0]) return fail(L, n, "at most 16 users");
    profile_sa_user *u = &sa->users[sa->n_users];
    memset(u, 0, sizeof *u);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        uint32_t x = 0;
        int rc;
        if (!k)
            rc = fail(L, v, "bad key");
        else if (!strcmp(k, "number")) {
            rc = get_uint(L, v, 1, 65535, &x);
            u->number = (uint16_t)x;
        } else if (!strcmp(k, "update_key_file"))
            rc = get_path(L, v, u->key_file, sizeof u->key_file, u->key_where, sizeof u->key_where);
        else if (!strcmp(k, "name"))
            rc = get_name(L, v, u->name);
        else
            rc = fail(L, v, "unknown key (expected number, update_key_file, name)");
        pop(L, mark);
        if (rc) return -1;
    }
    if (!u->number || !u->key_file[0]) return fail(L, n, "a user needs number and update_key_file");
    for (size_t i = 0; i < sa->n_users; i++)
        if (sa->users[i].number == u->number) return fail(L, n, "user %u is given twice", u->number);
    sa->n_users++;
    return 0;
}

static int load_sa(loader *L, const yaml_node_t *n, profile_sa *sa)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping");
    sa->enabled = true;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        uint32_t x = 0;
        int rc = 0;
        if (!k) {
            rc = fail(L, v, "bad key");
        } else if (!strcmp(k, "users")) {
            if (v->type != YAML_SEQUENCE_NODE) {
                rc = fail(L, v, "expected a list of users");
            } else {
                int i = 0;
                for (yaml_node_item_t *it = v->data.sequence.items.start; !rc && it < v->data.sequence.items.top; it++) {
                    size_t m2 = push(L, NULL, i++);
                    rc = load_user(L, node(L, *it), sa);
                    pop(L, m2);
                }
            }
        } else if (!strcmp(k, "authority_key_file")) {
            rc = get_path(L, v, sa->authority_key_file, sizeof sa->authority_key_file, sa->authority_where,
                          sizeof sa->authority_where);
        } else if (!strcmp(k, "outstation_name")) {
            rc = get_name(L, v, sa->outstation_name);
        } else if (!strcmp(k, "mac")) {
            rc = get_mac(L, v, &sa->mal);
        } else if (!strcmp(k, "key_change_interval_s")) {
            rc = get_uint(L, v, 0, 86400, &x);
            sa->key_change_interval_ms = x * 1000u;
            sa->have_interval = true;
        } else if (!strcmp(k, "key_change_count")) {
            rc = get_uint(L, v, 0, 100000, &sa->key_change_count);
            sa->have_count = true;
        } else if (!strcmp(k, "reply_timeout_ms")) {
            rc = get_uint(L, v, 1, 600000, &sa->reply_timeout_ms);
        } else if (!strcmp(k, "max_error_count")) {
            rc = get_uint(L, v, 0, 255, &x);
            sa->max_error_count = (uint8_t)x;
            sa->have_max_errors = true;
        } else if (!strcmp(k, "challenge_length")) {
            rc = get_uint(L, v, 4, 64, &x);
            sa->challenge_len = (uint8_t)x;
        } else if (!strcmp(k, "aggressive_mode")) {
            rc = get_bool(L, v, &sa->aggressive_mode);
            sa->have_aggressive = true;
        } else {
            rc = fail(L, v, "unknown key (expected users, authority_key_file, outstation_name, mac, "
                            "key_change_interval_s, key_change_count, reply_timeout_ms, max_error_count, "
                            "challenge_length, aggressive_mode)");
        }
        pop(L, mark);
        if (rc) return -1;
    }
    if (!sa->n_users) return fail(L, n, "secure_authentication needs at least one user");
    return 0;
}

static int get_version(loader *L, const yaml_node_t *n, uint8_t *out)
{
    const char *s = scalar(n);
    if (s && !strcmp(s, "1.2"))
        *out = 12;
    else if (s && !strcmp(s, "1.3"))
        *out = 13;
    else
        return fail(L, n, "expected \"1.2\" or \"1.3\"");
    return 0;
}

static int load_tls(loader *L, const yaml_node_t *n, profile_tls *t)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping");
    t->enabled = true;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        int rc;
        if (!k)
            rc = fail(L, v, "bad key");
        else if (!strcmp(k, "listen"))
            rc = get_string(L, v, t->listen, sizeof t->listen);
        else if (!strcmp(k, "certificate"))
            rc = get_path(L, v, t->cert, sizeof t->cert, NULL, 0);
        else if (!strcmp(k, "private_key"))
            rc = get_path(L, v, t->key, sizeof t->key, NULL, 0);
        else if (!strcmp(k, "ca"))
            rc = get_path(L, v, t->ca, sizeof t->ca, NULL, 0);
        else if (!strcmp(k, "peer_certificate"))
            rc = get_path(L, v, t->peer_cert, sizeof t->peer_cert, NULL, 0);
        else if (!strcmp(k, "crl"))
            rc = get_path(L, v, t->crl, sizeof t->crl, NULL, 0);
        else if (!strcmp(k, "peer_name"))
            rc = get_string(L, v, t->peer_name, sizeof t->peer_name);
        else if (!strcmp(k, "ciphers"))
            rc = get_string(L, v, t->ciphers, sizeof t->ciphers);
        else if (!strcmp(k, "min_version"))
            rc = get_version(L, v, &t->min_version);
        else if (!strcmp(k, "max_version"))
            rc = get_version(L, v, &t->max_version);
        else if (!strcmp(k, "handshake_timeout_ms"))
            rc = get_uint(L, v, 1, 3600000, &t->handshake_timeout_ms);
        else
            rc = fail(L, v, "unknown key (expected listen, certificate, private_key, ca, peer_certificate, crl, "
                            "peer_name, ciphers, min_version, max_version, handshake_timeout_ms)");
        pop(L, mark);
        if (rc) return -1;
    }
    if (!t->cert[0] || !t->key[0]) return fail(L, n, "tls needs certificate and private_key");
    if (!t->ca[0] && !t->peer_cert[0]) return fail(L, n, "tls needs ca or peer_certificate to authenticate the master");
    return 0;
}

int config_load_security(loader *L, const yaml_node_t *n, profile *p)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping with secure_authentication, tls");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        int rc;
        if (!k)
            rc = fail(L, v, "bad key");
        else if (!strcmp(k, "secure_authentication"))
            rc = load_sa(L, v, &p->sa);
        else if (!strcmp(k, "tls"))
            rc = load_tls(L, v, &p->tls);
        else
            rc = fail(L, v, "unknown key (expected secure_authentication, tls)");
        pop(L, mark);
        if (rc) return -1;
    }
    return 0;
}
