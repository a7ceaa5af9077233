/*
 * response.c - solicited responses (function 0x81) to the association's
 * outstanding request (IEEE 1815-2012 clause 4.2.2.4 application control, rules
 * as in docs/protocol-notes.md §3.5):
 *
 *  - the first fragment carries FIR and the request's SEQ; each further
 *    fragment has FIR = 0 and SEQ = previous + 1 (mod 16); FIN ends the series;
 *  - a fragment with CON is confirmed (CONFIRM, same SEQ, UNS = 0) once its
 *    objects have been validated (pass 1 of the parser); a malformed fragment is
 *    not confirmed and fails the task;
 *  - a fragment repeating the previous one (same SEQ, same octets) is a
 *    duplicate: confirmed again if it asks for it, otherwise ignored;
 *  - a response carrying the SEQ of the previous request is a late answer to
 *    it and is ignored; any other SEQ mismatch fails the task (BAD_SEQUENCE);
 *  - UNS = 1 in a 0x81 response fails the task (BAD_HEADER).
 * Objects of READ responses go to the measurement callback; the IIN of every
 * accepted fragment goes to iin.c; the final fragment to evaluate.c.
 */
#include "master/master_internal.h"

/* The outcome of one fragment of the awaited response series (clause 4.2.2.4 rules). */
static int on_fragment(dnp3_master_assoc *a, const uint8_t *frag, size_t len, const dnp3_apdu *apdu,
                       dnp3_tstamp now)
{
    mst_task *t = &a->t;
    const uint8_t ac = apdu->control;
    const uint8_t seq = dnp3_ac_seq(ac);
    const bool fir = (ac & DNP3_AC_FIR) != 0, fin = (ac & DNP3_AC_FIN) != 0, con = (ac & DNP3_AC_CON) != 0;

    if (dnp3_apdu_check_control(apdu) != DNP3_OK) return DNP3_TASK_BAD_HEADER;
    const uint64_t h = mst_hash(frag, len);
    if (!t->series) {
        if (seq != t->seq) {
            if (a->stale_valid && seq == a->stale_seq) { /* late answer to the previous request */
                a->stats.unexpected_responses++;
                return MST_GOES_ON;
            }
            return DNP3_TASK_BAD_SEQUENCE;
        }
        if (!fir) return DNP3_TASK_BAD_SEQUENCE;
    } else {
        if (seq == t->rx_seq && len == t->rx_len && h == t->rx_hash) {
            a->stats.duplicate_fragments++;
            if (con) dnp3_mst_confirm_duplicate(a, seq, false);
            return MST_GOES_ON;
        }
        if (fir || seq != ((t->rx_seq + 1) & DNP3_AC_SEQ_MASK)) return DNP3_TASK_BAD_SEQUENCE;
    }

    t->have_iin = true;
    t->iin = apdu->iin;
    dnp3_parse_error pe = {0};
    if (dnp3_apdu_validate(apdu, &pe) < 0) {
        t->perr = pe;
        dnp3_mst_process_iin(a, apdu->iin, now);
        return DNP3_TASK_MALFORMED;
    }
    const bool is_read = dnp3_mst_task_is_read(t);
    if (!fin && !is_read) {
        /* only READ responses may span fragments; nothing else is reassembled */
        t->perr.err = DNP3_ERR_APP_BAD_HEADER;
        dnp3_mst_process_iin(a, apdu->iin, now);
        return DNP3_TASK_MALFORMED;
    }
    /* only READ responses reach the application, which releases a deferred confirm */
    uint32_t token = 0;
    if (con && is_read)
        token = dnp3_mst_confirm_or_defer(a, seq, false, now);
    else if (con)
        dnp3_mst_send_confirm(a, seq, false);
    t->series = true;
    t->rx_seq = seq;
    t->rx_hash = h;
    t->rx_len = len;

    if (is_read) {
        dnp3_rx_info info = {a->cfg.address, false, fir, fin, seq, apdu->iin, t->kind, token};
        t->objects_rx += dnp3_mst_deliver(a, apdu, &info);
        if (!a->t.running || a->removing) return MST_GOES_ON; /* ended from a callback */
    }
    dnp3_mst_process_iin(a, apdu->iin, now);
    if (!fin) {
        t->deadline = mst_add(now, a->cfg.response_timeout_ms);
        return MST_GOES_ON;
    }
    t->awaiting = false;
    t->rsp = apdu->objects;
    t->rsp_len = apdu->objects_len;
    int r = dnp3_mst_evaluate(a, apdu, now);
    if (r == MST_GOES_ON) { /* a next phase: the fragment is gone before the task ends */
        a->t.rsp = NULL;
        a->t.rsp_len = 0;
    }
    return r;
}

void dnp3_mst_on_response(dnp3_master_assoc *a, const uint8_t *frag, size_t len, const dnp3_apdu *apdu,
                          dnp3_tstamp now)
{
    if (!a->t.awaiting) {
        a->stats.unexpected_responses++;
        return;
    }
    int r = on_fragment(a, frag, len, apdu, now);
    if (r != MST_GOES_ON) dnp3_mst_finish(a, (dnp3_task_result)r, now);
}
