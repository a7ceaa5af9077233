/*
 * tls_cli.h - DNP3 over TLS (IEC 62351-3, port 19999) for the dnp3 command:
 * the --tls-* options shared by `dnp3 outstation` and `dnp3 master`, and
 * loading them into a dnp3_tls with start-up errors that name the file.
 */
#ifndef DNP3_CLI_TLS_CLI_H
#define DNP3_CLI_TLS_CLI_H

#include <stdbool.h>

#include "dnp3/tls.h"

/* The default DNP3-over-TLS port (IANA "dnp-sec"). */
#define TLS_CLI_DEFAULT_PORT 19999

typedef struct {
    dnp3_tls_config cfg;
    bool any; /* a --tls-* option was given */
} tls_cli_options;

void tls_cli_init(tls_cli_options *t);

/*
 * Takes option `a` with value `v` if it is a --tls-* option: returns 1 when
 * taken, 0 when `a` is not a TLS option, 2 on a usage error (message printed).
 */
int tls_cli_option(const char *cmd, const char *a, const char *v, tls_cli_options *t);

/*
 * Loads the configuration for the server (accepting) or client side. The
 * SSLKEYLOGFILE environment variable, when set, names a key-log file (a
 * warning is printed). Returns NULL after printing "<cmd>: TLS: <problem>".
 */
dnp3_tls *tls_cli_load(const char *cmd, tls_cli_options *t, bool server);

/* What a configuration file's tls section gives (certificate, key, ca, peer certificate, crl, peer
 * name; "" = not given): the same as the --tls-* options would. The strings must outlive t. */
void tls_cli_from_files(tls_cli_options *t, const char *cert, const char *key, const char *ca,
                        const char *peer_cert, const char *crl, const char *peer_name);

/* The help lines of the --tls-* options. */
extern const char TLS_CLI_HELP[];

#endif
