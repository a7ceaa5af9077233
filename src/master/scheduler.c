/*
 * scheduler.c - the task scheduler of each association (IEEE 1815-2012
 * clause 4.2.2.4 "one request outstanding", master procedures of clause 5 as
 * summarised in docs/protocol-notes.md §5.4-5.6): which task runs next, sending its request,
 * ending it, and the back-off of automatic tasks.
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
#include <string.h>

#include "master/master_internal.h"

/* kinds of automatic tasks started by the start-up sequence carry this mode */
#define MODE_STARTUP 1

bool dnp3_mst_retry_ready(const mst_retry *r, dnp3_tstamp now)
{
    return now >= r->at;
}

void dnp3_mst_retry_fail(const dnp3_master_assoc *a, mst_retry *r, dnp3_tstamp now)
{
    r->at = mst_add(now, r->delay);
    uint32_t next = r->delay > UINT32_MAX / 2 ? UINT32_MAX : r->delay * 2;
    r->delay = mst_min_u32(next, a->cfg.retry_max_ms);
}

void dnp3_mst_retry_reset(const dnp3_master_assoc *a, mst_retry *r, dnp3_tstamp now)
{
    r->at = now;
    r->delay = a->cfg.retry_min_ms;
}

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
    if (t->mode == MODE_STARTUP) {
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

void dnp3_mst_send_confirm(dnp3_master_assoc *a, uint8_t seq, bool uns)
{
    uint8_t apdu[2] = {dnp3_ac_make(true, true, false, uns, seq), DNP3_FC_CONFIRM};
    if (dnp3_channel_send(a->m->ch, a->cfg.address, apdu, sizeof apdu) == DNP3_OK) {
        a->stats.confirms_sent++;
        a->confirm_pending = false;
        return;
    }
    a->confirm_pending = true; /* sent before anything else once the channel has room */
    a->confirm_ac = apdu[0];
    a->m->blocked = true;
    a->m->blocked_at = a->m->last_service;
    a->m->stats.send_blocked++;
    dnp3_mst_wait(a);
}

/* A fragment asks for a confirm: send it now, or hold it for the application
 * (defer_confirm). Returns the token of the held confirm, 0 when it was sent. */
uint32_t dnp3_mst_confirm_or_defer(dnp3_master_assoc *a, uint8_t seq, bool uns, dnp3_tstamp now)
{
    if (!a->cfg.defer_confirm) {
        dnp3_mst_send_confirm(a, seq, uns);
        return 0;
    }
    mst_deferred *d = &a->dc[uns ? 1 : 0];
    if (d->active) a->stats.confirms_dropped++; /* replaced: that series moved on */
    if (++a->next_token == 0) a->next_token = 1;
    d->active = true;
    d->ac = dnp3_ac_make(true, true, false, uns, seq);
    d->token = a->next_token;
    d->deadline = mst_add(now, a->cfg.response_timeout_ms);
    a->stats.confirms_deferred++;
    dnp3_mst_touch(a);
    return d->token;
}

/* A repeated fragment asks for a confirm again: none while the first one's is still held. */
void dnp3_mst_confirm_duplicate(dnp3_master_assoc *a, uint8_t seq, bool uns)
{
    const mst_deferred *d = &a->dc[uns ? 1 : 0];
    if (d->active && dnp3_ac_seq(d->ac) == seq) return;
    dnp3_mst_send_confirm(a, seq, uns);
}

void dnp3_mst_deferred_drop(dnp3_master_assoc *a, int slot)
{
    if (!a->dc[slot].active) return;
    a->dc[slot].active = false;
    a->stats.confirms_dropped++;
    /* never stored: the outstation's repetition of that unsolicited response is new data again,
     * not a duplicate to confirm unseen */
    if (slot == 1) a->uns_have = false;
}

/* Drops held confirms past their deadline; true while one is still held (no new request). */
bool dnp3_mst_deferred_hold(dnp3_master_assoc *a, dnp3_tstamp now)
{
    bool hold = false;
    for (int i = 0; i < 2; i++) {
        if (a->dc[i].active && now >= a->dc[i].deadline) dnp3_mst_deferred_drop(a, i);
        if (a->dc[i].active) hold = true;
    }
    return hold;
}

int dnp3_master_release_confirm(dnp3_master_assoc *a, uint32_t token, dnp3_tstamp now)
{
    if (!a || !a->in_use || token == 0) return DNP3_ERR_INVALID_ARG;
    for (int i = 0; i < 2; i++) {
        mst_deferred *d = &a->dc[i];
        if (!d->active || d->token != token) continue;
        d->active = false;
        dnp3_master *m = a->m;
        dnp3_mst_enter(m);
        if (m->connected) dnp3_mst_send_confirm(a, dnp3_ac_seq(d->ac), i == 1);
        dnp3_mst_touch(a);
        dnp3_mst_leave(m, now);
        return DNP3_OK;
    }
    return DNP3_ERR_STATE;
}

static bool flush_confirm(dnp3_master_assoc *a)
{
    uint8_t apdu[2] = {a->confirm_ac, DNP3_FC_CONFIRM};
    if (dnp3_channel_send(a->m->ch, a->cfg.address, apdu, sizeof apdu) != DNP3_OK) return false;
    a->stats.confirms_sent++;
    a->confirm_pending = false;
    return true;
}

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
        t.mode = MODE_STARTUP;
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
            if (m->blocked || !flush_confirm(a)) {
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
