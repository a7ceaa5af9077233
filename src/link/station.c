/*
 * station.c - receive rules of the DNP3 data link (IEEE 1815-2012 clause 9.2.6,
 * secondary station state; addresses clause 9.2.5.3).
 *
 * Applied to every good frame, in this order:
 *  1. DIR equal to our own role => ignore (echo / loop-back protection);
 *  2. the source must be a normal address (0x0000..0xFFEF);
 *  3. the destination must be our address, 0xFFFC when enabled, or (outstation
 *     only) a broadcast address 0xFFFD..0xFFFF;
 *  4. secondary frames (PRM = 0): ACK, NACK, LINK_STATUS and NOT_SUPPORTED
 *     addressed to us are reported in rx->secondary_received; others ignored;
 *  5. broadcast only with CONFIRMED/UNCONFIRMED_USER_DATA; never answered;
 *  6. FCV must be 0 for RESET_LINK_STATES, UNCONFIRMED_USER_DATA and
 *     REQUEST_LINK_STATUS, and 1 for TEST_LINK_STATES and CONFIRMED_USER_DATA;
 *  7. RESET_LINK_STATES => ACK, state "reset", next expected FCB = 1;
 *  8. CONFIRMED_USER_DATA / TEST_LINK_STATES before a reset => ignored (no NACK);
 *     after: ACK; data delivered (and expected FCB toggled) only when FCB is the
 *     expected one, a repeat with the other FCB is acknowledged again only;
 *  9. REQUEST_LINK_STATUS => LINK_STATUS; UNCONFIRMED_USER_DATA => deliver;
 * 10. any other primary function (incl. obsolete RESET_USER_PROCESS) => NOT_SUPPORTED.
 */
#include <string.h>

#include "dnp3/link.h"

void dnp3_link_station_init(dnp3_link_station *s, bool is_master, uint16_t local_addr, bool self_addr_enabled)
{
    memset(s, 0, sizeof *s);
    s->is_master = is_master;
    s->local_addr = local_addr;
    s->self_addr_enabled = self_addr_enabled;
    s->expected_fcb = true;
}

static bool ignore(dnp3_link_station *s)
{
    s->ignored++;
    return false;
}

static void reply(const dnp3_link_station *s, dnp3_link_rx *rx, uint8_t func)
{
    if (rx->broadcast) return; /* broadcasts are never answered */
    rx->reply = true;
    rx->reply_control = dnp3_link_control(s->is_master, false, func);
}

static void deliver(const dnp3_link_frame *f, dnp3_link_rx *rx)
{
    if (f->len == 0) return;
    rx->data = f->data;
    rx->len = f->len;
}

static bool dest_ok(const dnp3_link_station *s, uint16_t dest, bool *broadcast)
{
    *broadcast = false;
    if (dest == s->local_addr) return true;
    if (dest == DNP3_ADDR_SELF) return s->self_addr_enabled;
    if (dnp3_addr_is_broadcast(dest) && !s->is_master) {
        *broadcast = true;
        return true;
    }
    return false;
}

/* FCB rules shared by CONFIRMED_USER_DATA and TEST_LINK_STATES (secondary state "reset"). */
static bool fcb_frame(dnp3_link_station *s, const dnp3_link_frame *f, dnp3_link_rx *rx, bool data)
{
    if (!s->reset) return ignore(s);
    bool fcb = (f->control & DNP3_LINK_FCB) != 0;
    reply(s, rx, DNP3_LINK_ACK);
    if (fcb == s->expected_fcb) {
        s->expected_fcb = !s->expected_fcb;
        if (data) deliver(f, rx);
    }
    return true;
}

bool dnp3_link_station_receive(dnp3_link_station *s, const dnp3_link_frame *f, dnp3_link_rx *rx)
{
    memset(rx, 0, sizeof *rx);
    rx->src = f->src;
    rx->dest = f->dest;

    bool dir = (f->control & DNP3_LINK_DIR) != 0;
    uint8_t func = f->control & DNP3_LINK_FUNC_MASK;
    bool fcv = (f->control & DNP3_LINK_FCV) != 0;

    if (dir == s->is_master) return ignore(s);
    if (f->src > DNP3_ADDR_MAX_NORMAL) return ignore(s);
    if (!dest_ok(s, f->dest, &rx->broadcast)) return ignore(s);

    if (!(f->control & DNP3_LINK_PRM)) {
        if (rx->broadcast) return ignore(s);
        switch (func) {
        case DNP3_LINK_ACK:
        case DNP3_LINK_NACK:
        case DNP3_LINK_LINK_STATUS:
        case DNP3_LINK_NOT_SUPPORTED:
            rx->secondary_received = true;
            rx->secondary_func = func;
            return true;
        default: return ignore(s);
        }
    }

    if (rx->broadcast && func != DNP3_LINK_CONFIRMED_USER_DATA && func != DNP3_LINK_UNCONFIRMED_USER_DATA)
        return ignore(s);

    switch (func) {
    case DNP3_LINK_RESET_LINK_STATES:
        if (fcv) return ignore(s);
        s->reset = true;
        s->expected_fcb = true;
        reply(s, rx, DNP3_LINK_ACK);
        return true;
    case DNP3_LINK_TEST_LINK_STATES:
        if (!fcv) return ignore(s);
        return fcb_frame(s, f, rx, false);
    case DNP3_LINK_CONFIRMED_USER_DATA:
        if (!fcv) return ignore(s);
        return fcb_frame(s, f, rx, true);
    case DNP3_LINK_UNCONFIRMED_USER_DATA:
        if (fcv) return ignore(s);
        deliver(f, rx);
        return true;
    case DNP3_LINK_REQUEST_LINK_STATUS:
        if (fcv) return ignore(s);
        reply(s, rx, DNP3_LINK_LINK_STATUS);
        return true;
    default: reply(s, rx, DNP3_LINK_NOT_SUPPORTED); return true;
    }
}
