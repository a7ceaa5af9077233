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
 * Relative file names are relative to the configuration file (get_path). Files are only
 * named here; the command reads them (and reports their problems with the
 * FILE:LINE: field of the name).
 */
#include "config_security.h"

#include <stdio.h>
#include <string.h>

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

static int user_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    profile_sa_user *u = ctx;
    uint32_t x = 0;
    if (!strcmp(k, "number")) {
        int rc = get_uint(L, v, 1, 65535, &x);
        u->number = (uint16_t)x;
        return rc;
    }
    if (!strcmp(k, "update_key_file"))
        return get_path(L, v, u->key_file, sizeof u->key_file, u->key_where, sizeof u->key_where);
    if (!strcmp(k, "name")) return get_name(L, v, u->name);
    return fail(L, v, "unknown key (expected number, update_key_file, name)");
}

static int load_user(loader *L, size_t i, const yaml_node_t *n, void *ctx)
{
    (void)i;
    profile_sa *sa = ctx;
    if (sa->n_users >= sizeof sa->users / sizeof sa->users[0]) return fail(L, n, "at most 16 users");
    profile_sa_user *u = &sa->users[sa->n_users];
    memset(u, 0, sizeof *u);
    if (for_each_field(L, n, "{number: N, update_key_file: FILE, name: NAME}", user_field, u)) return -1;
    if (!u->number || !u->key_file[0]) return fail(L, n, "a user needs number and update_key_file");
    for (size_t j = 0; j < sa->n_users; j++)
        if (sa->users[j].number == u->number) return fail(L, n, "user %u is given twice", u->number);
    sa->n_users++;
    return 0;
}

static int sa_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    profile_sa *sa = ctx;
    uint32_t x = 0;
    int rc;
    if (!strcmp(k, "users")) return for_each_item(L, v, "a list of users", load_user, sa);
    if (!strcmp(k, "authority_key_file"))
        return get_path(L, v, sa->authority_key_file, sizeof sa->authority_key_file, sa->authority_where,
                        sizeof sa->authority_where);
    if (!strcmp(k, "outstation_name")) return get_name(L, v, sa->outstation_name);
    if (!strcmp(k, "mac")) return get_mac(L, v, &sa->mal);
    if (!strcmp(k, "key_change_interval_s")) {
        rc = get_uint(L, v, 0, 86400, &x);
        sa->key_change_interval_ms = x * 1000u;
        sa->have_interval = true;
        return rc;
    }
    if (!strcmp(k, "key_change_count")) {
        sa->have_count = true;
        return get_uint(L, v, 0, 100000, &sa->key_change_count);
    }
    if (!strcmp(k, "reply_timeout_ms")) return get_uint(L, v, 1, 600000, &sa->reply_timeout_ms);
    if (!strcmp(k, "max_error_count")) {
        rc = get_uint(L, v, 0, 255, &x);
        sa->max_error_count = (uint8_t)x;
        sa->have_max_errors = true;
        return rc;
    }
    if (!strcmp(k, "challenge_length")) {
        rc = get_uint(L, v, 4, 64, &x);
        sa->challenge_len = (uint8_t)x;
        return rc;
    }
    if (!strcmp(k, "aggressive_mode")) {
        sa->have_aggressive = true;
        return get_bool(L, v, &sa->aggressive_mode);
    }
    return fail(L, v,
                "unknown key (expected users, authority_key_file, outstation_name, mac, "
                "key_change_interval_s, key_change_count, reply_timeout_ms, max_error_count, "
                "challenge_length, aggressive_mode)");
}

static int load_sa(loader *L, const yaml_node_t *n, profile_sa *sa)
{
    sa->enabled = true;
    if (for_each_field(L, n, "a mapping", sa_field, sa)) return -1;
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

static int tls_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    profile_tls *t = ctx;
    if (!strcmp(k, "listen")) return get_string(L, v, t->listen, sizeof t->listen);
    if (!strcmp(k, "certificate")) return get_path(L, v, t->cert, sizeof t->cert, NULL, 0);
    if (!strcmp(k, "private_key")) return get_path(L, v, t->key, sizeof t->key, NULL, 0);
    if (!strcmp(k, "ca")) return get_path(L, v, t->ca, sizeof t->ca, NULL, 0);
    if (!strcmp(k, "peer_certificate")) return get_path(L, v, t->peer_cert, sizeof t->peer_cert, NULL, 0);
    if (!strcmp(k, "crl")) return get_path(L, v, t->crl, sizeof t->crl, NULL, 0);
    if (!strcmp(k, "peer_name")) return get_string(L, v, t->peer_name, sizeof t->peer_name);
    if (!strcmp(k, "ciphers")) return get_string(L, v, t->ciphers, sizeof t->ciphers);
    if (!strcmp(k, "min_version")) return get_version(L, v, &t->min_version);
    if (!strcmp(k, "max_version")) return get_version(L, v, &t->max_version);
    if (!strcmp(k, "handshake_timeout_ms")) return get_uint(L, v, 1, 3600000, &t->handshake_timeout_ms);
    return fail(L, v,
                "unknown key (expected listen, certificate, private_key, ca, peer_certificate, crl, "
                "peer_name, ciphers, min_version, max_version, handshake_timeout_ms)");
}

static int load_tls(loader *L, const yaml_node_t *n, profile_tls *t)
{
    t->enabled = true;
    if (for_each_field(L, n, "a mapping", tls_field, t)) return -1;
    if (!t->cert[0] || !t->key[0]) return fail(L, n, "tls needs certificate and private_key");
    if (!t->ca[0] && !t->peer_cert[0])
        return fail(L, n, "tls needs ca or peer_certificate to authenticate the master");
    return 0;
}

static int security_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    profile *p = ctx;
    if (!strcmp(k, "secure_authentication")) return load_sa(L, v, &p->sa);
    if (!strcmp(k, "tls")) return load_tls(L, v, &p->tls);
    return fail(L, v, "unknown key (expected secure_authentication, tls)");
}

int config_load_security(loader *L, const yaml_node_t *n, profile *p)
{
    return for_each_field(L, n, "a mapping with secure_authentication, tls", security_field, p);
}
