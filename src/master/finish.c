/*
 * finish.c - the end of a task, reached once per task whatever ends it (the final
 * response, a timeout, a disconnect, a refusal, cancellation): the task's callback and
 * the master's task_done handler hear the result, a user task leaves the queue, and an
 * automatic task moves the start-up sequence on (DISABLE_UNSOLICITED -> integrity ->
 * ENABLE_UNSOLICITED, docs/protocol-notes.md §5.4-5.6 and docs/master.md), re-arms
 * its periodic poll or backs off.
 */
#include "master/master_internal.h"

static mst_startup next_stage(const dnp3_assoc_config *c, mst_startup s)
{
    for (int k = (int)s + 1; k < (int)MST_STARTUP_DONE; k++) {
        if (k == MST_STARTUP_INTEGRITY && c->startup_integrity) return MST_STARTUP_INTEGRITY;
        if (k == MST_STARTUP_ENABLE && c->startup_enable_unsol) return MST_STARTUP_ENABLE;
    }
    return MST_STARTUP_DONE;
}

static void rearm_periodic(dnp3_master_assoc *a, uint8_t classes, dnp3_tstamp now)
{
    if ((classes & DNP3_CLASS_0) && a->cfg.integrity_period_ms)
        a->next_integrity = mst_add(now, a->cfg.integrity_period_ms);
    for (int i = 0; i < 3; i++)
        if ((classes & (DNP3_CLASS_1 << i)) && a->cfg.class_period_ms[i])
            a->next_class[i] = mst_add(now, a->cfg.class_period_ms[i]);
}

/* Bookkeeping of the automatic tasks when one ends. */
static void automatic_done(dnp3_master_assoc *a, const mst_task *t, dnp3_task_result r, dnp3_tstamp now)
{
    if (r == DNP3_TASK_DISCONNECTED || r == DNP3_TASK_CANCELLED) return;
    bool done = r == DNP3_TASK_SUCCESS || r == DNP3_TASK_REJECTED; /* refused = not supported: move on */
    if (t->mode == MST_MODE_STARTUP) {
        mst_startup step = t->kind == DNP3_TASK_DISABLE_UNSOLICITED ? MST_STARTUP_DISABLE
                           : t->kind == DNP3_TASK_INTEGRITY_POLL    ? MST_STARTUP_INTEGRITY
                                                                    : MST_STARTUP_ENABLE;
        if (!done) {
            dnp3_mst_retry_fail(a, &a->r_startup, now);
            return;
        }
        dnp3_mst_retry_reset(a, &a->r_startup, now);
        if (step == MST_STARTUP_INTEGRITY) {
            a->need_integrity = false;
            rearm_periodic(a, t->classes, now);
        }
        if (a->startup == step) a->startup = next_stage(&a->cfg, step);
        return;
    }
    switch (t->kind) {
    case DNP3_TASK_INTEGRITY_POLL:
        if (done) {
            a->need_integrity = false;
            dnp3_mst_retry_reset(a, &a->r_integrity, now);
            rearm_periodic(a, DNP3_CLASS_ALL, now);
        } else {
            dnp3_mst_retry_fail(a, &a->r_integrity, now);
        }
        break;
    case DNP3_TASK_EVENT_POLL:
        if (!done) {
            a->need_events |= t->classes;
            dnp3_mst_retry_fail(a, &a->r_events, now);
        } else if (t->objects_rx == 0 && (a->need_events & t->classes)) {
            /* the outstation keeps announcing events it does not send: slow down */
            dnp3_mst_retry_fail(a, &a->r_events, now);
        } else {
            dnp3_mst_retry_reset(a, &a->r_events, now);
        }
        break;
    case DNP3_TASK_CLEAR_RESTART:
        if (r == DNP3_TASK_SUCCESS) {
            a->need_clear_restart = false;
            dnp3_mst_retry_reset(a, &a->r_restart, now);
        } else {
            dnp3_mst_retry_fail(a, &a->r_restart, now);
        }
        break;
    case DNP3_TASK_TIME_SYNC:
        if (r == DNP3_TASK_SUCCESS) {
            a->need_time_sync = false;
            dnp3_mst_retry_reset(a, &a->r_time, now);
        } else {
            dnp3_mst_retry_fail(a, &a->r_time, now);
        }
        break;
    case DNP3_TASK_AUTH_KEYS:
        if (r == DNP3_TASK_SUCCESS)
            dnp3_mst_retry_reset(a, &a->r_sa, now);
        else
            dnp3_mst_retry_fail(a, &a->r_sa, now);
        break;
    default: break;
    }
}

void dnp3_mst_finish(dnp3_master_assoc *a, dnp3_task_result r, dnp3_tstamp now)
{
    dnp3_master *m = a->m;
    mst_task t = a->t;
    if (!t.running) return;
    if (r != DNP3_TASK_SUCCESS) dnp3_mst_deferred_drop(a, 0); /* the series moved on */
    dnp3_task_info info = {0};
    info.kind = t.kind;
    info.automatic = !t.user;
    info.result = r;
    info.address = a->cfg.address;
    info.function = t.function;
    info.have_iin = t.have_iin;
    info.iin = t.iin;
    info.statuses = t.n_statuses ? a->statuses : NULL;
    info.n_statuses = t.n_statuses;
    info.restart_delay_ms = t.restart_delay_ms;
    info.propagation_ms = t.propagation_ms;
    info.time_written = t.time_written;
    info.parse_error = t.perr;
    info.sa_error = t.sa_error;
    info.objects = t.rsp;
    info.objects_len = t.rsp_len;
    info.now = now;

    dnp3_task_cb cb = NULL;
    void *ctx = NULL;
    if (t.user) {
        mst_user_task *u = dnp3_mst_queue_head(a);
        if (u) {
            cb = u->cb;
            ctx = u->ctx;
            dnp3_mst_queue_remove(a, 0);
        }
    }
    a->t = (mst_task){0};
    dnp3_mst_touch(a);
    if (m->cfg.one_request_per_channel) m->full = true; /* the line is free for the others */
    if (!t.user) automatic_done(a, &t, r, now);
    if (r == DNP3_TASK_SUCCESS)
        a->stats.tasks_succeeded++;
    else
        a->stats.tasks_failed++;
    if (cb) cb(ctx, a, &info);
    if (m->cfg.handler.task_done) m->cfg.handler.task_done(m->cfg.handler.ctx, a, &info);
}
