/*
 * master_freeze.h - `dnp3 master freeze`: its options and the request they make (IEEE 1815-2012
 * function codes 7..12: IMMED_FREEZE(_NR), FREEZE_CLEAR(_NR), FREEZE_AT_TIME(_NR) with g50v2) on
 * counters (g20 into frozen counters g21) or analog inputs (g30 into frozen analog inputs g31).
 */
#ifndef DNP3_CLI_MASTER_FREEZE_H
#define DNP3_CLI_MASTER_FREEZE_H

#include <stdbool.h>
#include <stdint.h>

#include "dnp3/master.h"

typedef struct {
    bool analog;          /* --type analog */
    bool ranged;          /* --range given */
    uint16_t start, stop; /* --range START-STOP */
    bool clear, no_ack;   /* --clear, --no-ack */
    bool at_time;         /* --at given */
    dnp3_time48 at;       /* UTC ms, 0 = now */
    uint32_t every_ms;    /* --every MS (0 = once) */
    bool have_every;
} master_freeze_opts;

/* Options that take no value. */
bool master_freeze_is_flag(const char *a);
/* One option: 1 taken, 0 not a freeze option, 2 a usage error (printed). */
int master_freeze_option(const char *cmd, const char *a, const char *val, master_freeze_opts *o);
/* The combination: 0 or 2 (a usage error, printed). */
int master_freeze_check(const char *cmd, const master_freeze_opts *o);
/* Queues the freeze on a. Returns the library's code. */
int master_freeze_submit(dnp3_master_assoc *a, const master_freeze_opts *o, dnp3_task_cb cb, void *ctx,
                         dnp3_tstamp now);
/* "counters 0..9", "analog inputs (all)", ... into buf. */
void master_freeze_describe(const master_freeze_opts *o, char *buf, size_t cap);

#endif
