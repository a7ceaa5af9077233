/*
 * cli_common.h - small pieces shared by the dnp3 subcommands: strict number and
 * address parsing with clear messages, and the --decode tap that prints what
 * goes over the wire in each direction with the decode printers.
 */
#ifndef DNP3_CLI_COMMON_H
#define DNP3_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode_stream.h"

/* Parses a whole decimal (or 0x hex) number in [lo, hi]. Returns 0 or -1 (message on stderr). */
int cli_uint(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* Parses a number (double). Returns 0 or -1 (message on stderr). */
int cli_double(const char *cmd, const char *opt, const char *s, double *out);

/*
 * Splits "HOST", "HOST:PORT", "[V6]:PORT" or ":PORT" into host and port
 * (default_port when absent; default_host when the host is empty).
 * Returns 0 or -1 (message on stderr).
 */
int cli_host_port(const char *cmd, const char *opt, const char *s, const char *default_host, uint16_t default_port,
                  char *host, size_t host_cap, uint16_t *port);

/* Prints "<cmd>: <message>" on stderr for a usage error and returns 2 (the usage exit status). */
/* --framing-error close|resync -> DNP3_FRAMING_CLOSE / DNP3_FRAMING_RESYNC. Returns 0 or 2 (usage error). */
int cli_framing(const char *cmd, const char *opt, const char *s, int *out);

/* Raises the soft open-file limit towards `needed` (up to the hard limit), for a process that holds
 * a socket per outstation or master. 0 when the limit is now at least `needed`, -1 when not. */
int cli_raise_fd_limit(size_t needed);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What goes over the wire, printed per direction (--decode LEVEL). */
typedef struct {
    bool on;
    decoder dec;
    decode_stream rx, tx;
} cli_tap;

/* Parses --decode's argument (none|link|transport|app|objects). Returns 0 or -1. */
int cli_tap_parse_level(const char *cmd, const char *s, unsigned *levels);

/* Starts a tap (levels 0 = off). rx_label/tx_label name the directions. */
void cli_tap_init(cli_tap *t, unsigned levels, const char *rx_label, const char *tx_label);
void cli_tap_rx(cli_tap *t, const uint8_t *p, size_t n, bool datagram);
void cli_tap_tx(cli_tap *t, const uint8_t *p, size_t n, bool datagram);
/* A new connection: forget partial frames. */
void cli_tap_reset(cli_tap *t);
void cli_tap_free(cli_tap *t);

#endif
