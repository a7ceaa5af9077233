/*
 * unsolicited.c - unsolicited responses (function 0x82) at the master
 * (IEEE 1815-2012 clause 4.2.2.4 and the unsolicited rules of docs/protocol-notes.md §3.5/5.4):
 *
 *  - must be FIR = FIN = 1 with UNS = 1: otherwise the fragment is dropped and,
 *    if a request is outstanding, its task fails with BAD_HEADER (the
 *    outstation is not following the protocol);
 *  - objects are validated first; a malformed fragment is neither delivered
 *    nor confirmed (counted in unsolicited_malformed);
 *  - CON = 1 is answered with CONFIRM, UNS = 1, the fragment's SEQ;
 *  - the same SEQ with byte-identical content as the last unsolicited
 *    fragment is a repetition (the outstation did not see our confirm): it is
 *    confirmed again but not delivered twice.
 * Unsolicited responses are independent of the running task.
 */
#include "master/master_internal.h"

void dnp3_mst_on_unsolicited(dnp3_master_assoc *a, const uint8_t *frag, size_t len, const dnp3_apdu *apdu,
                             dnp3_tstamp now)
{
    const uint8_t seq = dnp3_ac_seq(apdu->control);
    const bool con = (apdu->control & DNP3_AC_CON) != 0;
    a->stats.unsolicited_rx++;
    if (dnp3_apdu_check_control(apdu) != DNP3_OK) {
        a->stats.unsolicited_malformed++;
        if (a->t.awaiting) dnp3_mst_finish(a, DNP3_TASK_BAD_HEADER, now);
        return;
    }
    if (dnp3_apdu_validate(apdu, NULL) < 0) {
        a->stats.unsolicited_malformed++;
        return;
    }
    const uint64_t h = mst_hash(frag, len);
    if (a->uns_have && a->uns_seq == seq && a->uns_len == len && a->uns_hash == h) {
        a->stats.unsolicited_duplicates++;
        if (con) dnp3_mst_confirm_duplicate(a, seq, true);
        return;
    }
    const uint32_t token = con ? dnp3_mst_confirm_or_defer(a, seq, true, now) : 0;
    a->uns_have = true;
    a->uns_seq = seq;
    a->uns_len = len;
    a->uns_hash = h;
    dnp3_rx_info info = {a->cfg.address, true, true, true, seq, apdu->iin, DNP3_TASK_NONE, token};
    (void)dnp3_mst_deliver(a, apdu, &info);
    if (a->removing || !a->in_use) return;
    dnp3_mst_process_iin(a, apdu->iin, now);
}
