/*
 * unsolicited.c - unsolicited responses (IEEE 1815-2012 clause 4, function
 * code 0x82; ENABLE_UNSOLICITED 20 / DISABLE_UNSOLICITED 21 with g60v2-v4;
 * clause 4.6.6 rule 16 for READs that arrive while a confirm is awaited).
 *
 * State machine (when config.unsolicited):
 *   NULL_DUE   -> send the null response (no objects, FIR FIN CON UNS)   -> AWAIT
 *   IDLE       -> events pending in an enabled class and no solicited
 *                 response in progress: send them (what fits)           -> AWAIT
 *   AWAIT      -> confirm with the same SEQ: events removed             -> IDLE
 *              -> timeout, retries left: the same octets again          -> AWAIT
 *              -> timeout, retries used: events back to pending         -> RETRY_DELAY
 *              -> timeout with a deferred READ: series ends, READ runs  -> IDLE / NULL_DUE
 *   RETRY_DELAY -> after unsol_retry_delay_ms                           -> IDLE / NULL_DUE
 * Each new series takes the next SEQ (mod 16); retries keep theirs.
 */
#include <string.h>

#include "outstation/os_internal.h"

void dnp3_os_unsol_init(dnp3_outstation *os)
{
    os->uns_classes = os->cfg.unsol_classes & 0x07;
    os->uns_state = os->cfg.unsolicited ? UNS_NULL_DUE : UNS_OFF;
    os->null_done = false;
    os->uns_next_seq = 0;
    os->uns_ready = false;
}

static uint8_t class_mask(const dnp3_outstation *os)
{
    return (uint8_t)(os->uns_classes << 1);
}

static bool solicited_busy(const dnp3_outstation *os)
{
    return os->sol_ready || os->sol_await || os->sol_more || os->deferred_read;
}

/* Ends the series in flight: its events are reported again later. */
static void end_series(dnp3_outstation *os)
{
    dnp3_os_ev_revert(os, EV_WRITTEN_UNSOL, EV_WRITTEN_UNSOL);
    os->uns_ready = false;
    os->uns_bcast_con = false;
    os->uns_state = os->null_done ? UNS_IDLE : UNS_NULL_DUE;
}

bool dnp3_os_unsol_due(const dnp3_outstation *os)
{
    if (!os->online || os->uns_ready) return false;
    if (os->uns_state != UNS_NULL_DUE && os->uns_state != UNS_IDLE) return false;
    if (solicited_busy(os)) return false;
    return os->uns_state == UNS_NULL_DUE || dnp3_os_ev_pending(os, class_mask(os));
}

void dnp3_os_unsol_poll(dnp3_outstation *os, dnp3_tstamp now)
{
    if (!dnp3_os_unsol_due(os)) return;
    const bool null = os->uns_state == UNS_NULL_DUE;

    dnp3_apdu_writer w;
    dnp3_apdu_writer_init_response(&w, os->uns, os->cfg.max_tx_fragment, 0, DNP3_FC_UNSOLICITED_RESPONSE, 0);
    if (!null) {
        bool wrote = false;
        dnp3_os_ev_select(os, OS_EV_ALL, class_mask(os), 0, UINT32_MAX);
        dnp3_os_ev_write(os, &w, EV_WRITTEN_UNSOL, &wrote);
        dnp3_os_ev_revert(os, EV_SELECTED, EV_SELECTED); /* what did not fit waits for the next one */
        if (!wrote) {
            dnp3_os_ev_remove(os, EV_WRITTEN_UNSOL); /* only events that could not be encoded */
            return;
        }
    }
    dnp3_apdu_writer_set_iin(&w, dnp3_os_iin(os));
    os->uns_bcast_con = dnp3_os_bcast_after_build(os);
    os->uns_seq = os->uns_next_seq;
    os->uns_next_seq = (uint8_t)((os->uns_next_seq + 1) & DNP3_AC_SEQ_MASK);
    dnp3_apdu_writer_set_control(&w, dnp3_ac_make(true, true, true, true, os->uns_seq));
    os->uns_len = w.len;
    os->uns_ready = true;
    os->uns_null = null;
    os->uns_state = UNS_AWAIT;
    os->uns_deadline = now + os->cfg.confirm_timeout_ms;
    os->uns_retries_left = os->cfg.unsol_retries;
}

bool dnp3_os_unsol_confirm(dnp3_outstation *os, uint8_t seq)
{
    if (os->uns_state != UNS_AWAIT || seq != os->uns_seq) return false;
    if (os->uns_null) os->null_done = true;
    dnp3_os_ev_remove(os, EV_WRITTEN_UNSOL);
    if (os->uns_bcast_con) os->bcast = BC_NONE;
    os->uns_bcast_con = false;
    os->uns_ready = false;
    os->uns_state = UNS_IDLE;
    return os->deferred_read;
}

bool dnp3_os_unsol_timer(dnp3_outstation *os, dnp3_tstamp now)
{
    if (os->uns_state == UNS_RETRY_DELAY && now >= os->uns_deadline) {
        os->uns_state = os->null_done ? UNS_IDLE : UNS_NULL_DUE;
        return false;
    }
    /* not taken yet: the confirm timer starts when take/write hands the fragment over */
    if (os->uns_state != UNS_AWAIT || os->uns_ready || now < os->uns_deadline) return false;
    if (os->deferred_read) {
        end_series(os); /* a READ waits: answer it instead of repeating the response */
        return true;
    }
    if (os->uns_retries_left > 0) {
        if (os->uns_retries_left != DNP3_OS_RETRY_FOREVER) os->uns_retries_left--;
        os->uns_ready = true; /* the same octets, the same SEQ */
        os->uns_deadline = now + os->cfg.confirm_timeout_ms;
        return false;
    }
    end_series(os);
    os->uns_state = UNS_RETRY_DELAY;
    os->uns_deadline = now + os->cfg.unsol_retry_delay_ms;
    return false;
}

void dnp3_os_unsol_offline(dnp3_outstation *os)
{
    if (os->uns_state == UNS_AWAIT || os->uns_state == UNS_RETRY_DELAY) end_series(os);
    os->uns_ready = false;
}

dnp3_tstamp dnp3_os_unsol_expiry(const dnp3_outstation *os)
{
    if (os->uns_state == UNS_RETRY_DELAY || (os->uns_state == UNS_AWAIT && !os->uns_ready))
        return os->uns_deadline;
    return DNP3_TSTAMP_NEVER;
}

bool dnp3_os_unsol_awaiting(const dnp3_outstation *os)
{
    return os->uns_state == UNS_AWAIT;
}

uint16_t dnp3_os_unsol_enable(dnp3_outstation *os, const dnp3_apdu *req, bool enable)
{
    if (os->uns_state == UNS_OFF) return DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
    dnp3_hdr_iter hi;
    dnp3_obj_header h;
    uint8_t mask = 0;
    dnp3_hdr_iter_init(&hi, req);
    while (dnp3_hdr_iter_next(&hi, &h, NULL) > 0) {
        if (h.group != 60 || h.variation < 2 || h.variation > 4 || !h.all) return DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
        mask |= (uint8_t)(1u << (h.variation - 2));
    }
    if (enable) {
        os->uns_classes |= mask;
    } else {
        os->uns_classes &= (uint8_t)~mask;
        if (os->uns_state == UNS_AWAIT && !os->uns_null) end_series(os);
    }
    return 0;
}

uint8_t dnp3_outstation_unsol_classes(const dnp3_outstation *os)
{
    return os ? os->uns_classes : 0;
}
