/*
 * timesync.c - time synchronisation on the outstation (IEEE 1815-2012 clause
 * 4.2.2.5 function codes 23 DELAY_MEASURE and 24 RECORD_CURRENT_TIME; WRITE
 * of g50v1 "time and date" and g50v3 "time at last recorded time"; IIN1.4
 * NEED_TIME; the schedules of FREEZE_AT_TIME(_NR), function codes 11 and 12 with g50v2
 * "time and date with interval", one for counters and one for analog inputs).
 *
 *  - non-LAN: DELAY_MEASURE is answered with g52v2 = the outstation's own
 *    processing delay (ms); the master then WRITEs g50v1 = its time + the
 *    propagation delay, which is handed to callbacks.write_time as is;
 *  - LAN: RECORD_CURRENT_TIME stores the monotonic instant of the request;
 *    WRITE g50v3 = the master's time at that instant; the outstation's clock is
 *    set to that time + (now - stored instant). g50v3 without a preceding
 *    RECORD_CURRENT_TIME is a PARAMETER_ERROR;
 *  - a successful write clears NEED_TIME; with need_time_period_ms it is set
 *    again that long afterwards.
 * The core never reads a clock: `now` is the caller's monotonic time and UTC
 * only flows through the write_time / utc_now callbacks.
 */
#include "outstation/os_internal.h"

void dnp3_os_time_init(dnp3_outstation *os, dnp3_tstamp now)
{
    (void)now;
    os->rec_valid = false;
    os->need_time_at = DNP3_TSTAMP_NEVER;
    for (int i = 0; i < OS_FREEZABLE; i++) os->fz[i].at = DNP3_TSTAMP_NEVER;
    if (os->cfg.need_time_at_start) os->iin_app |= DNP3_IIN1_NEED_TIME;
}

uint16_t dnp3_os_time_write(dnp3_outstation *os, uint8_t variation, dnp3_time48 t, bool apply, dnp3_tstamp now)
{
    dnp3_time48 utc = t;
    if (variation == 3) {
        if (!os->rec_valid) return DNP3_IIN2_PARAMETER_ERROR;
        utc = (t + (now - os->rec_at)) & DNP3_TIME48_MAX;
    } else if (variation != 1) {
        return DNP3_IIN2_OBJECT_UNKNOWN;
    }
    if (!apply) return 0;
    if (os->cb.write_time && !os->cb.write_time(os->cb.ctx, utc)) return DNP3_IIN2_PARAMETER_ERROR;
    if (variation == 3) os->rec_valid = false;
    os->iin_app &= (uint16_t)~DNP3_IIN1_NEED_TIME;
    os->need_time_at = os->cfg.need_time_period_ms ? now + os->cfg.need_time_period_ms : DNP3_TSTAMP_NEVER;
    return 0;
}

void dnp3_os_time_record(dnp3_outstation *os, dnp3_tstamp now)
{
    os->rec_valid = true;
    os->rec_at = now;
}

uint16_t dnp3_os_time_delay(const dnp3_outstation *os, dnp3_tstamp now)
{
    uint64_t d = (uint64_t)os->cfg.processing_delay_ms + (now >= os->req_time ? now - os->req_time : 0);
    return d > 0xFFFF ? 0xFFFF : (uint16_t)d;
}

static void freeze_timer(dnp3_outstation *os, dnp3_os_type t, dnp3_tstamp now)
{
    os_freeze_schedule *z = &os->fz[OS_FZ_INDEX(t)];
    if (z->at == DNP3_TSTAMP_NEVER || now < z->at) return;
    dnp3_os_freeze_now(os, t, z->start, z->stop, false);
    if (z->interval == 0) {
        z->at = DNP3_TSTAMP_NEVER;
        return;
    }
    z->at += z->interval; /* the next boundary after now (a late timer skips missed ones) */
    if (z->at <= now) z->at += (now - z->at) / z->interval * z->interval + z->interval;
}

dnp3_tstamp dnp3_os_freeze_expiry(const dnp3_outstation *os)
{
    dnp3_tstamp t = DNP3_TSTAMP_NEVER;
    for (int i = 0; i < OS_FREEZABLE; i++)
        if (os->fz[i].at < t) t = os->fz[i].at;
    return t;
}

static void freeze_timers(dnp3_outstation *os, dnp3_tstamp now)
{
    freeze_timer(os, DNP3_OS_COUNTER, now);
    freeze_timer(os, DNP3_OS_ANALOG_INPUT, now);
}

void dnp3_os_time_timer(dnp3_outstation *os, dnp3_tstamp now)
{
    if (os->need_time_at != DNP3_TSTAMP_NEVER && now >= os->need_time_at) {
        os->iin_app |= DNP3_IIN1_NEED_TIME;
        os->need_time_at = DNP3_TSTAMP_NEVER;
    }
    freeze_timers(os, now);
}

/*
 * FREEZE_AT_TIME: the g50v2 time is UTC; the schedule runs on the monotonic clock from the
 * difference to utc_now. Time 0 = now. Interval 0 = once. A time already past with an
 * interval starts at the first time + k * interval still ahead; past with interval 0 freezes at
 * once. A time other than 0 needs utc_now (without it: PARAMETER_ERROR).
 */
uint16_t dnp3_os_freeze_at(dnp3_outstation *os, dnp3_os_type t, dnp3_time48 at, uint32_t interval, uint32_t start,
                           uint32_t stop, bool apply, dnp3_tstamp now)
{
    dnp3_tstamp first = now;
    if (at != 0) {
        const dnp3_time48 utc = dnp3_os_utc_now(os);
        if (utc == 0) return DNP3_IIN2_PARAMETER_ERROR;
        if (at >= utc)
            first = now + (at - utc);
        else if (interval != 0)
            first = now + (interval - (utc - at) % interval) % interval;
    }
    if (!apply) return 0;
    os_freeze_schedule *z = &os->fz[OS_FZ_INDEX(t)];
    z->at = first;
    z->interval = interval;
    z->start = start;
    z->stop = stop;
    freeze_timer(os, t, now);
    return 0;
}
