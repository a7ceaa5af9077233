/*
 * evaluate.c - what the final fragment of a response means for each task
 * kind (IEEE 1815-2012 clause 4.2.2.7.2: IIN2 request errors; clause 5
 * procedures as in docs/protocol-notes.md §5.5-5.8):
 *
 *  READ kinds          SUCCESS, or REJECTED when IIN2 reports a request error
 *                      and no object at all came back
 *  WRITE, FREEZE, unsolicited enable/disable, other requests
 *                      REJECTED on IIN2 request errors, else SUCCESS
 *  clear restart       REJECTED, IIN_NOT_CLEARED (DEVICE_RESTART still set) or SUCCESS
 *  cold/warm restart   REJECTED, MISSING_OBJECT (no g52 delay) or SUCCESS with the delay
 *  time sync, commands timesync.c, commands.c (multi-phase)
 */
#include "master/master_internal.h"

/* Tasks that READ: their responses may span fragments and carry measurements. */
bool dnp3_mst_task_is_read(const mst_task *t)
{
    switch (t->kind) {
    case DNP3_TASK_INTEGRITY_POLL:
    case DNP3_TASK_EVENT_POLL:
    case DNP3_TASK_READ:
    case DNP3_TASK_READ_ATTRIBUTES: return true;
    case DNP3_TASK_REQUEST: return t->function == DNP3_FC_READ;
    default: return false;
    }
}

/* The next phase of a multi-phase task: queue its request, the task goes on. */
static int next_phase(dnp3_master_assoc *a, dnp3_tstamp now)
{
    a->t.phase = 1;
    a->t.send_pending = true;
    (void)dnp3_mst_send_current(a, now);
    return MST_GOES_ON;
}

int dnp3_mst_evaluate(dnp3_master_assoc *a, const dnp3_apdu *apdu, dnp3_tstamp now)
{
    mst_task *t = &a->t;
    const bool refused = (apdu->iin & MST_IIN_REQUEST_ERRORS) != 0;
    if (dnp3_mst_task_is_read(t)) return refused && t->objects_rx == 0 ? DNP3_TASK_REJECTED : DNP3_TASK_SUCCESS;
    switch (t->kind) {
    case DNP3_TASK_COMMAND: {
        dnp3_task_result r = dnp3_mst_command_check(a, apdu);
        if (r == DNP3_TASK_MISSING_OBJECT && refused) r = DNP3_TASK_REJECTED;
        if (r == DNP3_TASK_SUCCESS && t->mode == DNP3_CMD_SELECT_OPERATE && t->phase == 0)
            return next_phase(a, now);
        return (int)r;
    }
    case DNP3_TASK_TIME_SYNC: {
        int r = dnp3_mst_timesync_evaluate(a, apdu, now);
        return r == MST_GOES_ON ? next_phase(a, now) : r;
    }
    case DNP3_TASK_CLEAR_RESTART:
        return refused                                       ? DNP3_TASK_REJECTED
               : (apdu->iin & DNP3_IIN1_DEVICE_RESTART) != 0 ? DNP3_TASK_IIN_NOT_CLEARED
                                                             : DNP3_TASK_SUCCESS;
    case DNP3_TASK_RESTART: {
        uint32_t ms = 0;
        if (refused) return DNP3_TASK_REJECTED;
        if (!dnp3_mst_time_delay(apdu, &ms)) return DNP3_TASK_MISSING_OBJECT;
        t->restart_delay_ms = ms;
        return DNP3_TASK_SUCCESS;
    }
    default: return refused ? DNP3_TASK_REJECTED : DNP3_TASK_SUCCESS;
    }
}
