/*
 * scheduler.c - the task scheduler of each association (IEEE 1815-2012
 * clause 4.2.2.4 "one request outstanding", master procedures of clause 5 as
 * summarised in docs/protocol-notes.md §5.4-5.6): which task runs next and sending its
 * request. Ending a task is finish.c's, confirms are confirm.c's, the back-off retry.c's.
 *
 * Priority, highest first (docs/master.md):
 *   1. clear DEVICE_RESTART (WRITE g80v1 index 7)
 *   2. user tasks, in the order queued
 *   3. time synchronisation on NEED_TIME
 *   4. the start-up sequence: DISABLE_UNSOLICITED -> integrity -> ENABLE_UNSOLICITED
 *      (nothing below runs before it has completed)
 *   5. integrity poll (EVENT_BUFFER_OVERFLOW, periodic)
 *   6. event poll (CLASS_n_EVENTS, periodic class polls, failed event polls)
 * A failed automatic task is retried after retry_min_ms, doubling up to
 * retry_max_ms; success resets the delay. User tasks are never retried.
 */
#include "master/master_internal.h"

bool dnp3_mst_send_current(dnp3_master_assoc *a, dnp3_tstamp now)
{
    dnp3_master *m = a->m;
    size_t len = 0;
    int rc = dnp3_mst_build_request(a, m->txbuf, m->txcap, &len);
    if (rc != 0) {
        dnp3_mst_finish(a, (dnp3_task_result)rc, now);
        return true;
    }
    if (a->sa) len = dnp3_mst_sa_outgoing(a, m->txbuf, m->txcap, len, now);
    rc = dnp3_channel_send(m->ch, a->cfg.address, m->txbuf, len);
    if (rc == DNP3_ERR_BUFFER_TOO_SMALL) {
        m->blocked = true;
        m->blocked_at = now;
        m->stats.send_blocked++;
        return false;
    }
    if (rc != DNP3_OK) {
        dnp3_mst_finish(a, DNP3_TASK_TOO_LARGE, now);
        return true;
    }
    mst_task *t = &a->t;
    a->stats.requests_sent++;
    if (a->have_sent) {
        a->stale_valid = true;
        a->stale_seq = a->last_sent_seq;
    }
    a->have_sent = true;
    a->last_sent_seq = a->next_seq;
    t->seq = a->next_seq;
    a->next_seq = (uint8_t)((a->next_seq + 1) & DNP3_AC_SEQ_MASK);
    t->function = m->txbuf[1];
    t->send_pending = false;
    t->series = false;
    t->sent_at = now;
    t->deadline = mst_add(now, a->cfg.response_timeout_ms);
    if (dnp3_mst_function_is_nr(t->function)) {
        dnp3_mst_finish(a, DNP3_TASK_SUCCESS, now);
        return true;
    }
    t->awaiting = true;
    return true;
}

/* Periodic polls that have come due become "needed". */
static void update_periodic(dnp3_master_assoc *a, dnp3_tstamp now)
{
    if (a->startup != MST_STARTUP_DONE) return;
    if (a->cfg.integrity_period_ms && now >= a->next_integrity) {
        a->need_integrity = true;
        a->next_integrity = mst_add(now, a->cfg.integrity_period_ms);
    }
    for (int i = 0; i < 3; i++) {
        if (a->cfg.class_period_ms[i] && now >= a->next_class[i]) {
            a->need_events |= (uint8_t)(DNP3_CLASS_1 << i);
            a->next_class[i] = mst_add(now, a->cfg.class_period_ms[i]);
        }
    }
}

/* Chooses the next task; fills a->t and returns true, or returns false. */
static bool pick(dnp3_master_assoc *a, dnp3_tstamp now)
{
    const dnp3_assoc_config *c = &a->cfg;
    mst_task t = {0};
    const mst_user_task *u = dnp3_mst_queue_head(a);
    if (a->sa && dnp3_mst_sa_needs_keys(a, now)) {
        /* Secure Authentication: nothing else runs before the session keys are valid */
        if (!dnp3_mst_retry_ready(&a->r_sa, now)) return false;
        t.kind = DNP3_TASK_AUTH_KEYS;
    } else if (a->need_clear_restart && c->clear_restart && dnp3_mst_retry_ready(&a->r_restart, now)) {
        t.kind = DNP3_TASK_CLEAR_RESTART;
    } else if (u) {
        t.user = true;
        t.kind = u->kind;
        t.function = u->function;
        t.mode = u->mode;
        t.classes = u->classes;
    } else if (a->need_time_sync && c->time_sync != DNP3_TIMESYNC_NONE && dnp3_mst_retry_ready(&a->r_time, now)) {
        t.kind = DNP3_TASK_TIME_SYNC;
        t.mode = (uint8_t)c->time_sync;
    } else if (a->startup != MST_STARTUP_DONE) {
        if (!dnp3_mst_retry_ready(&a->r_startup, now)) return false;
        t.mode = MST_MODE_STARTUP;
        switch (a->startup) {
        case MST_STARTUP_DISABLE:
            t.kind = DNP3_TASK_DISABLE_UNSOLICITED;
            t.classes = c->startup_disable_unsol;
            break;
        case MST_STARTUP_INTEGRITY:
            t.kind = DNP3_TASK_INTEGRITY_POLL;
            t.classes = c->startup_integrity;
            break;
        default:
            t.kind = DNP3_TASK_ENABLE_UNSOLICITED;
            t.classes = c->startup_enable_unsol;
            break;
        }
    } else if (a->need_integrity && dnp3_mst_retry_ready(&a->r_integrity, now)) {
        t.kind = DNP3_TASK_INTEGRITY_POLL;
        t.classes = DNP3_CLASS_ALL;
    } else if (a->need_events && dnp3_mst_retry_ready(&a->r_events, now)) {
        t.kind = DNP3_TASK_EVENT_POLL;
        t.classes = a->need_events;
        a->need_events = 0;
    } else {
        return false;
    }
    if (t.kind == DNP3_TASK_INTEGRITY_POLL && !t.user)
        a->need_events &= (uint8_t)~t.classes; /* the integrity poll reads those events too */
    t.running = true;
    t.send_pending = true;
    t.deadline = mst_add(now, c->response_timeout_ms);
    a->t = t;
    return true;
}

dnp3_tstamp dnp3_mst_ready_at(const dnp3_master_assoc *a)
{
    const dnp3_assoc_config *c = &a->cfg;
    dnp3_tstamp t = DNP3_TSTAMP_NEVER;
    if (a->confirm_pending) t = 0;
    if (a->dc[0].active || a->dc[1].active) { /* held confirm: nothing new before its release */
        for (int i = 0; i < 2; i++)
            if (a->dc[i].active) t = mst_min_ts(t, a->dc[i].deadline);
        return t;
    }
    if (a->q_count > 0) t = 0;
    if (a->sa) {
        dnp3_tstamp k = dnp3_sa_master_rekey_at(a->sa);
        t = mst_min_ts(t, k > a->r_sa.at ? k : a->r_sa.at);
    }
    if (a->need_clear_restart && c->clear_restart) t = mst_min_ts(t, a->r_restart.at);
    if (a->need_time_sync && c->time_sync != DNP3_TIMESYNC_NONE) t = mst_min_ts(t, a->r_time.at);
    if (a->startup != MST_STARTUP_DONE) return mst_min_ts(t, a->r_startup.at);
    t = mst_min_ts(t, a->need_integrity ? a->r_integrity.at : a->next_integrity);
    if (a->need_events) t = mst_min_ts(t, a->r_events.at);
    for (int i = 0; i < 3; i++) t = mst_min_ts(t, a->next_class[i]);
    return t;
}

/* One request per channel (serial multi-drop): is another association's request outstanding? */
static bool line_busy(const dnp3_master *m, const dnp3_master_assoc *self)
{
    if (!m->cfg.one_request_per_channel) return false;
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        const dnp3_master_assoc *b = &m->assocs[i];
        if (b != self && b->in_use && b->t.awaiting) return true;
    }
    return false;
}

/*
 * Runs one association's scheduler until it waits for something. Returns
 * false if it has something to send and the channel is full (the caller puts
 * it on the wait list); while blocked a task may still be chosen: it waits
 * with its request unsent.
 */
bool dnp3_mst_service_assoc(dnp3_master_assoc *a, dnp3_tstamp now)
{
    dnp3_master *m = a->m;
    if (!m->connected || !a->in_use || a->removing) return true;
    for (int round = 0; round < 32; round++) {
        if (a->confirm_pending) {
            if (m->blocked || !dnp3_mst_flush_confirm(a)) {
                m->blocked = true;
                m->blocked_at = now;
                return false;
            }
        }
        if (a->t.running) {
            if (!a->t.send_pending || line_busy(m, a)) return true;
            if (m->blocked || !dnp3_mst_send_current(a, now)) return false;
            continue; /* a no-response request ends at once: look for the next task */
        }
        if (dnp3_mst_deferred_hold(a, now)) return true;
        update_periodic(a, now);
        if (line_busy(m, a) || !pick(a, now)) return true;
        if (m->blocked || !dnp3_mst_send_current(a, now)) return false;
    }
    m->again = true; /* callbacks keep adding work: continue at the next call */
    return true;
}

void dnp3_mst_service_all(dnp3_master *m, dnp3_tstamp now)
{
    m->again = false;
    size_t n = m->cfg.max_associations;
    m->rr = (m->rr + 1) % n;
    for (size_t k = 0; k < n; k++) {
        dnp3_master_assoc *a = &m->assocs[(m->rr + k) % n];
        if (a->in_use && !dnp3_mst_service_assoc(a, now)) dnp3_mst_wait(a);
    }
}
