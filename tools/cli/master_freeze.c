/*
 * master_freeze.c - `dnp3 master freeze TARGET [--type counter|analog] [--range A-B] [--clear]
 * [--no-ack] [--at UTC_MS|now] [--every MS]`: builds the request's headers with
 * dnp3_master_freeze_headers and queues it with dnp3_master_freeze (IEEE 1815-2012 function
 * codes 7..12 on counters and analog inputs; FREEZE_AT_TIME's g50v2 carries the UTC time of the
 * first freeze and the interval).
 */
#include "master_freeze.h"

#include <stdio.h>
#include <string.h>

#include "cli_args.h"

bool master_freeze_is_flag(const char *a)
{
    return !strcmp(a, "--clear") || !strcmp(a, "--no-ack");
}

static int parse_range(const char *cmd, const char *val, master_freeze_opts *o)
{
    unsigned long a = 0, b = 0;
    if (!cli_decimal_range(val, true, &a, &b) || a > 65535 || b > 65535 || a > b)
        return cli_usage_error(cmd, "--range: '%s' is not START-STOP (0..65535, START <= STOP)", val);
    o->ranged = true;
    o->start = (uint16_t)a;
    o->stop = (uint16_t)b;
    return 1;
}

int master_freeze_option(const char *cmd, const char *a, const char *val, master_freeze_opts *o)
{
    uint64_t v = 0;
    if (!strcmp(a, "--type")) {
        if (!strcmp(val, "counter") || !strcmp(val, "analog")) {
            o->analog = !strcmp(val, "analog");
            return 1;
        }
        return cli_usage_error(cmd, "--type: '%s' is not counter or analog", val);
    }
    if (!strcmp(a, "--range")) return parse_range(cmd, val, o);
    if (!strcmp(a, "--clear")) {
        o->clear = true;
        return 1;
    }
    if (!strcmp(a, "--no-ack")) {
        o->no_ack = true;
        return 1;
    }
    if (!strcmp(a, "--at")) {
        o->at_time = true;
        if (!strcmp(val, "now")) {
            o->at = 0;
            return 1;
        }
        if (cli_uint(cmd, a, val, 1, DNP3_TIME48_MAX, &v)) return 2;
        o->at = v;
        return 1;
    }
    if (!strcmp(a, "--every")) {
        if (cli_uint(cmd, a, val, 0, UINT32_MAX, &v)) return 2;
        o->every_ms = (uint32_t)v;
        o->have_every = true;
        return 1;
    }
    return 0;
}

int master_freeze_check(const char *cmd, const master_freeze_opts *o)
{
    if (o->clear && o->analog)
        return cli_usage_error(cmd, "--clear: analog inputs cannot be cleared, only counters");
    if (o->clear && o->at_time) return cli_usage_error(cmd, "--clear and --at: FREEZE_AT_TIME does not clear");
    if (o->have_every && !o->at_time) return cli_usage_error(cmd, "--every needs --at UTC_MS|now");
    return 0;
}

int master_freeze_submit(dnp3_master_assoc *a, const master_freeze_opts *o, dnp3_task_cb cb, void *ctx,
                         dnp3_tstamp now)
{
    uint8_t h[32];
    int n = dnp3_master_freeze_headers(h, sizeof h, o->analog ? 30 : 20, !o->ranged, o->start, o->stop, o->at_time,
                                       o->at, o->every_ms);
    if (n < 0) return n;
    uint8_t fc = o->at_time ? (o->no_ack ? DNP3_FC_FREEZE_AT_TIME_NR : DNP3_FC_FREEZE_AT_TIME)
                 : o->clear ? (o->no_ack ? DNP3_FC_FREEZE_CLEAR_NR : DNP3_FC_FREEZE_CLEAR)
                            : (o->no_ack ? DNP3_FC_IMMED_FREEZE_NR : DNP3_FC_IMMED_FREEZE);
    return dnp3_master_freeze(a, fc, h, (size_t)n, cb, ctx, now);
}

void master_freeze_describe(const master_freeze_opts *o, char *buf, size_t cap)
{
    const char *what = o->analog ? "analog inputs" : "counters";
    if (o->ranged)
        snprintf(buf, cap, "%s %u..%u", what, o->start, o->stop);
    else
        snprintf(buf, cap, "%s (all)", what);
}
