/*
 * tls_cli.c - see tls_cli.h. The options map one to one onto dnp3_tls_config
 * (dnp3/tls.h); every file check happens in dnp3_tls_load.
 */
#include "tls_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"

const char TLS_CLI_HELP[] =
    "  --tls-cert FILE        own certificate (chain), PEM\n"
    "  --tls-key FILE         own private key, PEM (unencrypted)\n"
    "  --tls-ca FILE          CA certificates that sign the peer's certificate, PEM\n"
    "  --tls-peer-cert FILE   the peer's certificate, pinned (instead of or besides --tls-ca)\n"
    "  --tls-peer-name NAME   name (DNS or IP) the peer's certificate must carry\n"
    "  --tls-crl FILE         certificate revocation list, PEM\n"
    "  --tls-min-version V    1.2 (default) or 1.3; --tls-max-version V likewise (default 1.3)\n"
    "  --tls-ciphers LIST     OpenSSL cipher list for TLS 1.2 (default: ECDHE with AES-GCM/ChaCha20)\n"
    "  --tls-handshake-timeout MS  (default 10000)\n";

void tls_cli_init(tls_cli_options *t)
{
    memset(t, 0, sizeof *t);
    dnp3_tls_config_init(&t->cfg);
}

void tls_cli_from_files(tls_cli_options *t, const char *cert, const char *key, const char *ca,
                        const char *peer_cert, const char *crl, const char *peer_name)
{
    dnp3_tls_config *c = &t->cfg;
    c->cert_file = cert;
    c->key_file = key;
    c->ca_file = ca[0] ? ca : NULL;
    c->peer_cert_file = peer_cert[0] ? peer_cert : NULL;
    c->crl_file = crl[0] ? crl : NULL;
    c->peer_name = peer_name[0] ? peer_name : NULL;
    t->any = true;
}

static int version(const char *cmd, const char *opt, const char *v, dnp3_tls_version *out)
{
    if (!strcmp(v, "1.2"))
        *out = DNP3_TLS_1_2;
    else if (!strcmp(v, "1.3"))
        *out = DNP3_TLS_1_3;
    else
        return cli_usage_error(cmd, "%s: '%s' is not 1.2 or 1.3", opt, v);
    return 0;
}

int tls_cli_option(const char *cmd, const char *a, const char *v, tls_cli_options *t)
{
    if (strncmp(a, "--tls-", 6) != 0 || !strcmp(a, "--tls-listen")) return 0;
    if (!v) return cli_usage_error(cmd, "%s needs a value", a);
    dnp3_tls_config *c = &t->cfg;
    t->any = true;
    if (!strcmp(a, "--tls-cert"))
        c->cert_file = v;
    else if (!strcmp(a, "--tls-key"))
        c->key_file = v;
    else if (!strcmp(a, "--tls-ca"))
        c->ca_file = v;
    else if (!strcmp(a, "--tls-peer-cert"))
        c->peer_cert_file = v;
    else if (!strcmp(a, "--tls-peer-name"))
        c->peer_name = v;
    else if (!strcmp(a, "--tls-crl"))
        c->crl_file = v;
    else if (!strcmp(a, "--tls-ciphers"))
        c->ciphers_tls12 = v;
    else if (!strcmp(a, "--tls-min-version"))
        return version(cmd, a, v, &c->min_version) ? 2 : 1;
    else if (!strcmp(a, "--tls-max-version"))
        return version(cmd, a, v, &c->max_version) ? 2 : 1;
    else if (!strcmp(a, "--tls-handshake-timeout")) {
        uint64_t ms;
        if (cli_uint(cmd, a, v, 1, 3600000, &ms)) return 2;
        c->handshake_timeout_ms = (uint32_t)ms;
    } else
        return cli_usage_error(cmd, "unknown option '%s'", a);
    return 1;
}

dnp3_tls *tls_cli_load(const char *cmd, tls_cli_options *t, bool server)
{
    const char *keylog = getenv("SSLKEYLOGFILE");
    if (keylog && keylog[0]) {
        t->cfg.keylog_file = keylog;
        fprintf(stderr, "%s: warning: SSLKEYLOGFILE is set: TLS secrets are written to %s\n", cmd, keylog);
    }
    char err[600];
    dnp3_tls *tls = dnp3_tls_load(&t->cfg, server, err, sizeof err);
    if (!tls) fprintf(stderr, "%s: TLS: %s\n", cmd, err);
    return tls;
}
