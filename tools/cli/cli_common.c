/*
 * cli_common.c - the open-file limit and the --decode tap (see cli_common.h).
 */
#include "cli_common.h"

#include "dnp3/channel.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "apdu_print.h"

int cli_tap_parse_level(const char *cmd, const char *s, unsigned *levels)
{
    if (dnp3_decode_levels_parse(s, levels) != 0) {
        cli_usage_error(cmd, "--decode: '%s' is not one of none, link, transport, app, objects", s);
        return -1;
    }
    return 0;
}

void cli_tap_init(cli_tap *t, unsigned levels, const char *rx_label, const char *tx_label)
{
    memset(t, 0, sizeof *t);
    t->on = levels != 0;
    if (!t->on) return;
    dnp3_decoder_init(&t->dec, stdout, levels, false);
    dnp3_decode_stream_init(&t->rx, &t->dec, rx_label, NULL);
    dnp3_decode_stream_init(&t->tx, &t->dec, tx_label, NULL);
}

void cli_tap_rx(cli_tap *t, const uint8_t *p, size_t n, bool datagram)
{
    if (!t->on) return;
    if (datagram)
        dnp3_decode_stream_datagram(&t->rx, p, n);
    else
        dnp3_decode_stream_push(&t->rx, p, n);
    fflush(stdout);
}

void cli_tap_tx(cli_tap *t, const uint8_t *p, size_t n, bool datagram)
{
    if (!t->on) return;
    if (datagram)
        dnp3_decode_stream_datagram(&t->tx, p, n);
    else
        dnp3_decode_stream_push(&t->tx, p, n);
    fflush(stdout);
}

void cli_tap_reset(cli_tap *t)
{
    if (!t->on) return;
    char rx[128], tx[128];
    snprintf(rx, sizeof rx, "%s", t->rx.label);
    snprintf(tx, sizeof tx, "%s", t->tx.label);
    dnp3_decode_stream_free(&t->rx);
    dnp3_decode_stream_free(&t->tx);
    dnp3_decode_stream_init(&t->rx, &t->dec, rx, NULL);
    dnp3_decode_stream_init(&t->tx, &t->dec, tx, NULL);
}

void cli_tap_free(cli_tap *t)
{
    if (!t->on) return;
    dnp3_decode_stream_free(&t->rx);
    dnp3_decode_stream_free(&t->tx);
    t->on = false;
}

int cli_raise_fd_limit(size_t needed)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return -1;
    if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < needed) {
        rlim_t want = needed;
        if (r.rlim_max != RLIM_INFINITY && want > r.rlim_max) want = r.rlim_max;
        r.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &r) != 0) return -1;
    }
    return r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= needed ? 0 : -1;
}
