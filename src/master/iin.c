/*
 * iin.c - the master's reactions to the internal indications of every
 * accepted response, solicited or unsolicited (IEEE 1815-2012 clause 4.2.2.7;
 * docs/protocol-notes.md §3.3, 5.2, 5.5, 5.6):
 *
 *  IIN1.7 DEVICE_RESTART  -> clear it (WRITE g80v1 index 7 = 0) while it is set;
 *                            when it appears after the start-up sequence has
 *                            completed, run the start-up sequence again (the
 *                            outstation forgot its unsolicited settings)
 *  IIN1.4 NEED_TIME       -> time synchronisation (configured procedure) while set
 *  IIN2.3 EVENT_BUFFER_OVERFLOW -> one integrity poll per overflow episode
 *  IIN1.1-1.3 CLASS_n_EVENTS -> event poll of those classes (configured mask),
 *                            once the start-up sequence has completed
 * The scheduler turns these "needs" into tasks, gated by each task's back-off.
 */
#include "master/master_internal.h"

void dnp3_mst_process_iin(dnp3_master_assoc *a, uint16_t iin, dnp3_tstamp now)
{
    const dnp3_assoc_config *c = &a->cfg;
    a->have_iin = true;
    a->last_iin = iin;

    const bool restart = (iin & DNP3_IIN1_DEVICE_RESTART) != 0;
    a->need_clear_restart = c->clear_restart && restart;
    if (restart && !a->restart_seen && a->startup == MST_STARTUP_DONE && c->restart_reruns_startup) {
        a->startup = c->startup_disable_unsol  ? MST_STARTUP_DISABLE
                     : c->startup_integrity    ? MST_STARTUP_INTEGRITY
                     : c->startup_enable_unsol ? MST_STARTUP_ENABLE
                                               : MST_STARTUP_DONE;
        dnp3_mst_retry_reset(a, &a->r_startup, now);
    }
    a->restart_seen = restart;

    a->need_time_sync = c->time_sync != DNP3_TIMESYNC_NONE && (iin & DNP3_IIN1_NEED_TIME);

    const bool overflow = (iin & DNP3_IIN2_EVENT_BUFFER_OVERFLOW) != 0;
    if (overflow && !a->overflow_seen && c->integrity_on_overflow) a->need_integrity = true;
    a->overflow_seen = overflow;

    uint8_t classes = (uint8_t)(iin & c->event_poll_on_iin & DNP3_CLASS_123);
    if (classes && a->startup == MST_STARTUP_DONE) a->need_events |= classes;
}
