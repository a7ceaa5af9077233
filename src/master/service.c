/*
 * service.c - what runs when an API call of the master ends and when its timers expire.
 * Calls nest (a callback may call back in), and only the outermost one, on leaving,
 * removes associations marked for removal, serves the associations waiting for room in
 * the channel, runs the scheduler of the associations the call touched (of all of them
 * after a connect, a blocked channel or on a one-request line) and re-times them in a
 * min-heap keyed by the next time each needs handle_expiry, so the cost of a fragment or
 * a submission does not grow with the number of associations. handle_expiry ends the
 * tasks whose response timed out and the queued user tasks that did not start in time.
 */
#include <string.h>

#include "channel/channel_internal.h"
#include "master/master_internal.h"

/* ---- timer heap (min-heap of association indices by `due`) ---- */

static dnp3_tstamp due_of(const dnp3_master *m, uint32_t pos)
{
    return m->assocs[m->heap[pos]].due;
}

static void heap_swap(dnp3_master *m, size_t i, size_t j)
{
    uint32_t t = m->heap[i];
    m->heap[i] = m->heap[j];
    m->heap[j] = t;
    m->hpos[m->heap[i]] = (uint32_t)i;
    m->hpos[m->heap[j]] = (uint32_t)j;
}

static void heap_down(dnp3_master *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < m->heap_n && due_of(m, (uint32_t)l) < due_of(m, (uint32_t)s)) s = l;
        if (r < m->heap_n && due_of(m, (uint32_t)r) < due_of(m, (uint32_t)s)) s = r;
        if (s == i) return;
        heap_swap(m, i, s);
        i = s;
    }
}

/* Restores the heap after the key at position i changed. */
static void heap_fix(dnp3_master *m, size_t i)
{
    while (i > 0 && due_of(m, (uint32_t)i) < due_of(m, (uint32_t)((i - 1) / 2))) {
        heap_swap(m, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    heap_down(m, i);
}

void dnp3_mst_heap_insert(dnp3_master *m, dnp3_master_assoc *a)
{
    m->heap[m->heap_n] = a->idx;
    m->hpos[a->idx] = (uint32_t)m->heap_n;
    m->heap_n++;
    heap_fix(m, m->heap_n - 1);
}

static void heap_remove(dnp3_master *m, dnp3_master_assoc *a)
{
    uint32_t pos = m->hpos[a->idx];
    if (pos == UINT32_MAX) return;
    heap_swap(m, pos, m->heap_n - 1);
    m->heap_n--;
    m->hpos[a->idx] = UINT32_MAX;
    if (pos < m->heap_n) heap_fix(m, pos);
}

/* The next time the association needs handle_expiry (`now` = the scheduler run just done). */
static dnp3_tstamp compute_due(const dnp3_master_assoc *a, dnp3_tstamp now)
{
    const dnp3_master *m = a->m;
    dnp3_tstamp t = DNP3_TSTAMP_NEVER;
    if (!a->in_use) return t;
    if (a->removing) return now;
    if (a->t.running) t = a->t.deadline;
    /* queued user tasks that have not started yet may time out */
    for (size_t k = a->t.user ? 1 : 0; k < a->q_count; k++) {
        const mst_user_task *u = &a->q[(a->q_head + k) % m->cfg.user_queue_len];
        t = mst_min_ts(t, u->start_deadline);
    }
    if (m->connected && !a->t.running) {
        /* what was ready now and did not start waits for another event
         * (the channel drained, the line freed by another association) */
        dnp3_tstamp r = dnp3_mst_ready_at(a);
        if (r > now) t = mst_min_ts(t, r);
    }
    return t;
}

static void update_due(dnp3_master_assoc *a, dnp3_tstamp now)
{
    a->due = compute_due(a, now);
    dnp3_master *m = a->m;
    if (m->hpos[a->idx] != UINT32_MAX) heap_fix(m, m->hpos[a->idx]);
}

/* ---- API nesting ---- */

void dnp3_mst_enter(dnp3_master *m)
{
    m->depth++;
}

/* Forgets the wait list (new connection or none: the channel's queue was emptied). */
void dnp3_mst_clear_waiting(dnp3_master *m)
{
    for (size_t i = 0; i < m->cfg.max_associations; i++) m->assocs[i].waiting = false;
    m->wait_head = m->wait_n = 0;
    m->blocked = false;
}

/* The channel may have room again: serve the waiting associations in order. */
static void serve_waiting(dnp3_master *m, dnp3_tstamp now)
{
    m->blocked = false;
    while (m->wait_n > 0) {
        dnp3_master_assoc *a = &m->assocs[m->wait[m->wait_head]];
        if (!dnp3_mst_service_assoc(a, now)) return; /* still full: keep it first in line */
        a->waiting = false;
        m->wait_head = (m->wait_head + 1) % m->cfg.max_associations;
        m->wait_n--;
        dnp3_mst_touch(a);
    }
}

/* Ends every task of a removed association and frees its slot. */
static void purge_removed(dnp3_master *m, dnp3_tstamp now)
{
    m->pending_removal = false;
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        dnp3_master_assoc *a = &m->assocs[i];
        if (!a->in_use || !a->removing) continue;
        if (a->t.running) dnp3_mst_finish(a, DNP3_TASK_CANCELLED, now);
        while (a->q_count > 0) {
            mst_user_task *u = dnp3_mst_queue_head(a);
            a->t = (mst_task){0};
            a->t.running = true;
            a->t.user = true;
            a->t.kind = u->kind;
            dnp3_mst_finish(a, DNP3_TASK_CANCELLED, now);
        }
        heap_remove(m, a);
        /* keep the queue, status memory and index wired to this slot */
        mst_user_task *q = a->q;
        uint8_t *st = a->statuses;
        bool dirty = a->dirty, waiting = a->waiting;
        memset(a, 0, sizeof *a);
        a->m = m;
        a->idx = (uint32_t)i;
        a->q = q;
        a->statuses = st;
        a->dirty = dirty; /* still listed; the list entries are skipped */
        a->waiting = waiting;
        a->due = DNP3_TSTAMP_NEVER;
    }
}

/*
 * End of the outermost API call: remove associations, run the scheduler of
 * the associations this call touched (or of all of them after a connect, a
 * blocked channel or on a one-request line) and recompute their timers.
 */
void dnp3_mst_leave(dnp3_master *m, dnp3_tstamp now)
{
    if (m->depth == 1) {
        for (int round = 0; round < 16; round++) {
            if (m->pending_removal) purge_removed(m, now);
            bool full = m->full || m->again;
            m->full = false;
            m->last_service = now;
            if (m->blocked) serve_waiting(m, now);
            if (full) {
                dnp3_mst_service_all(m, now);
            } else {
                for (size_t i = 0; i < m->n_dirty; i++) {
                    dnp3_master_assoc *a = &m->assocs[m->dirty[i]];
                    if (a->waiting && m->blocked) continue; /* served in order once there is room */
                    if (!dnp3_mst_service_assoc(a, now)) dnp3_mst_wait(a);
                }
            }
            if (m->pending_removal) continue;
            if (full) {
                for (size_t i = 0; i < m->cfg.max_associations; i++) {
                    dnp3_master_assoc *a = &m->assocs[i];
                    a->due = compute_due(a, now);
                    a->dirty = false;
                }
                for (size_t i = m->heap_n / 2 + 1; i-- > 0;) heap_down(m, i);
            } else {
                for (size_t i = 0; i < m->n_dirty; i++) {
                    dnp3_master_assoc *a = &m->assocs[m->dirty[i]];
                    a->dirty = false;
                    update_due(a, now);
                }
            }
            m->n_dirty = 0;
            if (!m->full && !m->pending_removal) break;
        }
        if (m->n_dirty || m->pending_removal) m->again = true; /* finish at the next call */
    }
    m->depth--;
}

/* ---- timers ---- */

dnp3_tstamp dnp3_master_get_expiry(const dnp3_master *m)
{
    if (!m) return DNP3_TSTAMP_NEVER;
    dnp3_tstamp t = m->heap_n ? due_of(m, 0) : DNP3_TSTAMP_NEVER;
    /* blocked on a full channel: try again once it has room or output to write (in confirmed
     * mode the room comes back with an ACK, a read the runtime follows with get_expiry) */
    if (m->blocked && dnp3_ch_has_room(m->ch)) t = mst_min_ts(t, m->blocked_at);
    if (m->again || m->full) t = mst_min_ts(t, m->last_service);
    return t;
}

static void expire_user_tasks(dnp3_master_assoc *a, dnp3_tstamp now)
{
    size_t k = a->t.user ? 1 : 0;
    while (k < a->q_count) {
        mst_user_task *u = dnp3_mst_queue_at(a, k);
        if (now < u->start_deadline) {
            k++;
            continue;
        }
        mst_user_task copy = *u;
        dnp3_mst_queue_remove(a, k);
        dnp3_task_info info = {0};
        info.kind = copy.kind;
        info.result = DNP3_TASK_START_TIMEOUT;
        info.address = a->cfg.address;
        a->stats.tasks_failed++;
        if (copy.cb) copy.cb(copy.ctx, a, &info);
        if (a->m->cfg.handler.task_done) a->m->cfg.handler.task_done(a->m->cfg.handler.ctx, a, &info);
    }
}

int dnp3_master_handle_expiry(dnp3_master *m, dnp3_tstamp now)
{
    if (!m) return DNP3_ERR_INVALID_ARG;
    if (m->depth) return DNP3_ERR_STATE; /* not from a callback */
    dnp3_mst_enter(m);
    /* every association whose time has come: take it off the front of the heap */
    while (m->heap_n > 0 && due_of(m, 0) <= now) {
        dnp3_master_assoc *a = &m->assocs[m->heap[0]];
        a->due = DNP3_TSTAMP_NEVER;
        heap_fix(m, 0);
        dnp3_mst_touch(a);
        if (!a->in_use || a->removing) continue;
        if (a->t.running && now >= a->t.deadline) dnp3_mst_finish(a, DNP3_TASK_TIMEOUT, now);
        if (a->in_use && !a->removing) expire_user_tasks(a, now);
    }
    dnp3_mst_leave(m, now);
    return DNP3_OK;
}
