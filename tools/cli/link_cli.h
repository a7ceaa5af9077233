/*
 * link_cli.h - the link-layer options shared by `dnp3 outstation` and `dnp3 master`:
 * confirmed user data (IEEE 1815-2012 clause 9.2.6: --link-confirm, --link-retries,
 * --link-timeout) and the serial inter-character timeout (--char-timeout), applied to a
 * dnp3_channel_config (docs/link-transport.md).
 */
#ifndef DNP3_CLI_LINK_CLI_H
#define DNP3_CLI_LINK_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "dnp3/channel.h"

typedef struct {
    bool confirm;             /* --link-confirm */
    bool have_retries;        /* --link-retries given */
    bool have_timeout;        /* --link-timeout given */
    uint32_t retries;         /* --link-retries N */
    uint32_t timeout_ms;      /* --link-timeout MS */
    uint32_t char_timeout_ms; /* --char-timeout MS (0 = off) */
} link_cli_options;

#define LINK_CLI_HELP                                                                                             \
    "  --link-confirm         send data as link-layer CONFIRMED_USER_DATA: RESET_LINK_STATES first,\n"            \
    "                         then every frame acknowledged (serial devices configured for it)\n"                 \
    "  --link-retries N       confirmed mode: resends of an unacknowledged frame (default 3)\n"                   \
    "  --link-timeout MS      confirmed mode: wait this long for each ACK (default 2000)\n"                       \
    "  --char-timeout MS      serial: drop a partial frame after a gap of more than MS between\n"                 \
    "                         octets (default 0 = off)\n"

/* True for the options that take no value (--link-confirm). */
bool link_cli_is_flag(const char *a);

/*
 * Takes option `a` (with value `v` when it needs one): returns 0 when `a` is not a link option,
 * 1 when taken with its value, 3 when taken without one (--link-confirm), 2 on a usage error
 * (message printed).
 */
int link_cli_option(const char *cmd, const char *a, const char *v, link_cli_options *l);

/* Sets the channel fields the options name (the others keep their values). */
void link_cli_apply(const link_cli_options *l, dnp3_channel_config *cc);

#endif
