/*
 * timesync.c - time synchronisation of an outstation by the master
 * (IEEE 1815-2012 clause 5 time synchronisation procedures, as in docs/protocol-notes.md §5.6):
 *
 *  non-LAN: DELAY_MEASURE (23) sent at A, answered at D with g52v2 (ms) or
 *           g52v1 (s) = the outstation's processing delay; propagation delay
 *           = (D - A - delay) / 2 (clamped at 0); then WRITE g50v1 (q 07,
 *           count 1) = UTC now + propagation delay.
 *  LAN:     RECORD_CURRENT_TIME (24) with UTC T noted when it is queued; then
 *           WRITE g50v3 (q 07, count 1) = T.
 * The final response must not still report NEED_TIME.
 * UTC comes from handler.utc_now; the monotonic `now` measures the delay.
 */
#include "master/master_internal.h"

bool dnp3_mst_utc_now(const dnp3_master *m, dnp3_time48 *out)
{
    if (!m->cfg.handler.utc_now || !m->cfg.handler.utc_now(m->cfg.handler.ctx, out)) return false;
    *out &= DNP3_TIME48_MAX;
    return true;
}

int dnp3_mst_timesync_build(dnp3_master_assoc *a, dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t ac)
{
    mst_task *t = &a->t;
    const bool lan = t->mode == DNP3_TIMESYNC_LAN;
    if (t->phase == 0) {
        if (lan && !dnp3_mst_utc_now(a->m, &t->utc_at_send)) return DNP3_TASK_NO_TIME_SOURCE;
        return dnp3_apdu_writer_init_request(w, buf, cap, ac,
                                             lan ? DNP3_FC_RECORD_CURRENT_TIME : DNP3_FC_DELAY_MEASURE);
    }
    dnp3_time48 value;
    if (lan) {
        value = t->utc_at_send;
    } else {
        dnp3_time48 utc;
        if (!dnp3_mst_utc_now(a->m, &utc)) return DNP3_TASK_NO_TIME_SOURCE;
        value = (utc + (uint64_t)t->propagation_ms) & DNP3_TIME48_MAX;
    }
    t->time_written = value;
    int rc = dnp3_apdu_writer_init_request(w, buf, cap, ac, DNP3_FC_WRITE);
    if (rc) return rc;
    dnp3_hdr_mark mk;
    dnp3_point p = {0};
    p.time = value;
    rc = dnp3_apdu_begin_count(w, &mk, 50, lan ? 3 : 1);
    if (!rc) rc = dnp3_apdu_add_point(w, &mk, 0, &p);
    if (!rc) (void)dnp3_apdu_end(w, &mk);
    return rc;
}

bool dnp3_mst_time_delay(const dnp3_apdu *apdu, uint32_t *ms)
{
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, apdu);
    while (dnp3_hdr_iter_next(&it, &h, NULL) > 0) {
        if (h.group != 52 || (h.variation != 1 && h.variation != 2)) continue;
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        if (!dnp3_obj_iter_next(&oi, &o) || !o.data || o.size != 2) continue;
        uint32_t v = (uint32_t)o.data[0] | ((uint32_t)o.data[1] << 8);
        *ms = h.variation == 1 ? v * 1000u : v;
        return true;
    }
    return false;
}

/* The outcome of a time-sync response: a result, or MST_GOES_ON after the first phase (the
 * caller queues the WRITE of the time). */
int dnp3_mst_timesync_evaluate(dnp3_master_assoc *a, const dnp3_apdu *apdu, dnp3_tstamp now)
{
    mst_task *t = &a->t;
    if (apdu->iin & MST_IIN_REQUEST_ERRORS) return DNP3_TASK_REJECTED;
    if (t->phase == 0) {
        if (t->mode != DNP3_TIMESYNC_LAN) {
            uint32_t delay;
            if (!dnp3_mst_time_delay(apdu, &delay)) return DNP3_TASK_MISSING_OBJECT;
            int64_t rtt = (int64_t)(now - t->sent_at) - (int64_t)delay;
            t->propagation_ms = rtt > 0 ? rtt / 2 : 0;
        }
        return MST_GOES_ON;
    }
    return (apdu->iin & DNP3_IIN1_NEED_TIME) ? DNP3_TASK_IIN_NOT_CLEARED : DNP3_TASK_SUCCESS;
}
