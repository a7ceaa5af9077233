/*
 * cli_common.h - small pieces shared by the dnp3 subcommands: the option
 * parsing of cli_args.h, the open-file limit, and the --decode tap that prints
 * what goes over the wire in each direction with the decode printers.
 */
#ifndef DNP3_CLI_COMMON_H
#define DNP3_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_args.h"
#include "decode_stream.h"

/* Raises the soft open-file limit towards `needed` (up to the hard limit), for a process that holds
 * a socket per outstation or master. 0 when the limit is now at least `needed`, -1 when not. */
int cli_raise_fd_limit(size_t needed);

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
