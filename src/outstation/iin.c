/*
 * iin.c - the outstation's internal indications (IEEE 1815-2012 clause 4.2.2.7: IIN1/IIN2
 * from the application's bits, the event classes still to report, a broadcast received and an
 * event buffer overflow), the broadcast bookkeeping of each response, and the UTC time the
 * application's clock gives. State only: it calls no other outstation file.
 */
#include "outstation/os_internal.h"

uint16_t dnp3_os_iin(const dnp3_outstation *os)
{
    uint16_t iin = os->iin_app;
    if (os->bcast != BC_NONE) iin |= DNP3_IIN1_BROADCAST;
    if (os->unwritten[1]) iin |= DNP3_IIN1_CLASS1_EVENTS;
    if (os->unwritten[2]) iin |= DNP3_IIN1_CLASS2_EVENTS;
    if (os->unwritten[3]) iin |= DNP3_IIN1_CLASS3_EVENTS;
    if (os->overflow) iin |= DNP3_IIN2_EVENT_BUFFER_OVERFLOW;
    return iin;
}

bool dnp3_os_bcast_after_build(dnp3_outstation *os)
{
    if (os->bcast == BC_ONCE) os->bcast = BC_NONE;
    return os->bcast == BC_CONFIRM;
}

dnp3_time48 dnp3_os_utc_now(const dnp3_outstation *os)
{
    return os->cb.utc_now ? os->cb.utc_now(os->cb.ctx) & DNP3_TIME48_MAX : 0;
}

void dnp3_outstation_set_iin(dnp3_outstation *os, uint16_t bits, bool on)
{
    if (!os) return;
    const uint16_t allowed = DNP3_IIN1_NEED_TIME | DNP3_IIN1_LOCAL_CONTROL | DNP3_IIN1_DEVICE_TROUBLE |
                             DNP3_IIN1_DEVICE_RESTART | DNP3_IIN2_CONFIG_CORRUPT;
    bits &= allowed;
    if (on)
        os->iin_app |= bits;
    else
        os->iin_app &= (uint16_t)~bits;
}
