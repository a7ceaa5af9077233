/*
 * master.c - the master object (IEEE 1815-2012 clause 4, master station
 * application layer): memory layout, associations (one per outstation link
 * address, several per channel on a multi-drop line), routing of received
 * fragments by link source address, connect/disconnect, timers, and the API
 * nesting that lets callbacks call back in (deferred scheduling and removal).
 */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "channel/channel_internal.h"
#include "core/config.h"
#include "master/master_internal.h"

#define MIN_TASK_BUFFER 32
#define REQUEST_OVERHEAD 32 /* AC, FC and the largest built-in request's objects */

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

/* a * b, or 0 on overflow (every product here is non-zero when valid). */
static size_t mul(size_t a, size_t b)
{
    if (a != 0 && b > (size_t)-1 / a) return 0;
    return a * b;
}

static void master_config_defaults(dnp3_master_config *c)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->max_associations = 1;
    c->user_queue_len = 4;
    c->task_buffer_size = 512;
    c->max_command_objects = 32;
    c->one_request_per_channel = false;
}

void dnp3_master_config_init_size(dnp3_master_config *c, size_t size)
{
    dnp3_master_config full;
    master_config_defaults(&full);
    dnp3_config_fill(c, size, &full, sizeof full);
}

static void assoc_config_defaults(dnp3_assoc_config *c)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->address = 10;
    c->response_timeout_ms = 5000;
    c->task_start_timeout_ms = 10000;
    c->retry_min_ms = 5000;
    c->retry_max_ms = 60000;
    c->startup_disable_unsol = DNP3_CLASS_123;
    c->startup_integrity = DNP3_CLASS_ALL;
    c->startup_enable_unsol = DNP3_CLASS_123;
    c->clear_restart = true;
    c->restart_reruns_startup = true;
    c->integrity_on_overflow = true;
    c->event_poll_on_iin = DNP3_CLASS_123;
    c->time_sync = DNP3_TIMESYNC_NON_LAN;
}

void dnp3_assoc_config_init_size(dnp3_assoc_config *c, size_t size)
{
    dnp3_assoc_config full;
    assoc_config_defaults(&full);
    dnp3_config_fill(c, size, &full, sizeof full);
}

/* Copies and checks a master configuration: NULL when valid, else the name of the first bad field. */
static const char *load_master_config(const dnp3_master_config *in, dnp3_master_config *out)
{
    dnp3_master_config_init(out);
    if (!in) return "config";
    if (!dnp3_config_overlay(out, sizeof *out, in, offsetof(dnp3_master_config, handler) + sizeof in->handler))
        return "size";
    if (out->max_associations == 0 || out->max_associations > 0xFFFFFF) return "max_associations";
    if (out->user_queue_len == 0 || out->user_queue_len > 1024) return "user_queue_len";
    if (out->task_buffer_size < MIN_TASK_BUFFER || out->task_buffer_size > 65535) return "task_buffer_size";
    if (out->max_command_objects == 0 || out->max_command_objects > 65535) return "max_command_objects";
    return NULL;
}

/* Copies and checks an association configuration: NULL when valid, else the first bad field. */
static const char *load_assoc_config(const dnp3_assoc_config *in, dnp3_assoc_config *out)
{
    dnp3_assoc_config_init(out);
    if (!in) return "config";
    if (!dnp3_config_overlay(out, sizeof *out, in, offsetof(dnp3_assoc_config, time_sync) + sizeof in->time_sync))
        return "size";
    if (out->address > DNP3_ADDR_MAX_NORMAL) return "address";
    if (out->response_timeout_ms == 0) return "response_timeout_ms";
    if (out->retry_min_ms == 0) return "retry_min_ms";
    if (out->retry_max_ms < out->retry_min_ms) return "retry_max_ms";
    if (out->time_sync > DNP3_TIMESYNC_NON_LAN) return "time_sync";
    out->startup_disable_unsol &= DNP3_CLASS_123;
    out->startup_enable_unsol &= DNP3_CLASS_123;
    out->startup_integrity &= DNP3_CLASS_ALL;
    out->event_poll_on_iin &= DNP3_CLASS_123;
    return NULL;
}

int dnp3_master_config_check(const dnp3_master_config *c, const char **field)
{
    dnp3_master_config cfg;
    return dnp3_config_verdict(load_master_config(c, &cfg), field);
}

int dnp3_assoc_config_check(const dnp3_assoc_config *c, const char **field)
{
    dnp3_assoc_config cfg;
    return dnp3_config_verdict(load_assoc_config(c, &cfg), field);
}

/* Sizes of the parts of the memory block; false on overflow. */
typedef struct {
    size_t master, assocs, tasks, buffers, statuses, tx, index, total;
} layout;

static bool compute_layout(const dnp3_master_config *c, layout *l)
{
    size_t n = c->max_associations;
    size_t slots = mul(n, c->user_queue_len);
    l->master = align_up(sizeof(struct dnp3_master));
    l->assocs = mul(n, sizeof(struct dnp3_master_assoc));
    l->tasks = mul(slots, sizeof(mst_user_task));
    l->buffers = mul(slots, c->task_buffer_size);
    l->statuses = mul(n, c->max_command_objects);
    l->tx = c->task_buffer_size + REQUEST_OVERHEAD;
    l->index = mul(n, 4 * sizeof(uint32_t)); /* heap, heap positions, dirty list, wait list */
    if (!slots || !l->assocs || !l->tasks || !l->buffers || !l->statuses || !l->index) return false;
    size_t parts[] = {l->assocs, l->tasks, l->buffers, l->statuses, l->tx, l->index};
    size_t total = l->master;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t p = align_up(parts[i]);
        if (p < parts[i] || total > (size_t)-1 - p) return false;
        total += p;
    }
    l->assocs = align_up(l->assocs);
    l->tasks = align_up(l->tasks);
    l->buffers = align_up(l->buffers);
    l->statuses = align_up(l->statuses);
    l->tx = align_up(l->tx);
    l->index = align_up(l->index);
    l->total = total;
    return true;
}

size_t dnp3_master_memory_size(const dnp3_master_config *c)
{
    dnp3_master_config cfg;
    layout l;
    if (load_master_config(c, &cfg) || !compute_layout(&cfg, &l)) return 0;
    return l.total;
}

dnp3_master *dnp3_master_init(void *mem, size_t size, const dnp3_master_config *c, dnp3_channel *ch,
                              dnp3_tstamp now)
{
    dnp3_master_config cfg;
    layout l;
    if (!mem || !ch || load_master_config(c, &cfg) || !compute_layout(&cfg, &l)) return NULL;
    if ((uintptr_t)mem % alignof(max_align_t) != 0 || size < l.total) return NULL;
    memset(mem, 0, l.total);
    dnp3_master *m = mem;
    uint8_t *p = (uint8_t *)mem + l.master;
    m->cfg = cfg;
    m->ch = ch;
    m->assocs = (dnp3_master_assoc *)(void *)p;
    p += l.assocs;
    mst_user_task *tasks = (mst_user_task *)(void *)p;
    p += l.tasks;
    uint8_t *buffers = p;
    p += l.buffers;
    uint8_t *statuses = p;
    p += l.statuses;
    m->txbuf = p;
    m->txcap = cfg.task_buffer_size + REQUEST_OVERHEAD;
    p += l.tx;
    m->heap = (uint32_t *)(void *)p;
    m->hpos = m->heap + cfg.max_associations;
    m->dirty = m->hpos + cfg.max_associations;
    m->wait = m->dirty + cfg.max_associations;
    for (size_t i = 0; i < cfg.max_associations; i++) {
        dnp3_master_assoc *a = &m->assocs[i];
        a->m = m;
        a->idx = (uint32_t)i;
        a->due = DNP3_TSTAMP_NEVER;
        m->hpos[i] = UINT32_MAX;
        a->q = tasks + i * cfg.user_queue_len;
        for (size_t j = 0; j < cfg.user_queue_len; j++)
            a->q[j].buf = buffers + (i * cfg.user_queue_len + j) * cfg.task_buffer_size;
        a->statuses = statuses + i * cfg.max_command_objects;
    }
    m->last_service = now;
    return m;
}

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

static void heap_insert(dnp3_master *m, dnp3_master_assoc *a)
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

void dnp3_mst_touch(dnp3_master_assoc *a)
{
    dnp3_master *m = a->m;
    if (a->dirty) return;
    a->dirty = true;
    m->dirty[m->n_dirty++] = a->idx;
}

void dnp3_mst_wait(dnp3_master_assoc *a)
{
    dnp3_master *m = a->m;
    if (a->waiting) return;
    a->waiting = true;
    m->wait[(m->wait_head + m->wait_n) % m->cfg.max_associations] = a->idx;
    m->wait_n++;
}

/* Forgets the wait list (new connection or none: the channel's queue was emptied). */
static void clear_waiting(dnp3_master *m)
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

/* ---- user queue ---- */

mst_user_task *dnp3_mst_queue_at(dnp3_master_assoc *a, size_t i)
{
    return &a->q[(a->q_head + i) % a->m->cfg.user_queue_len];
}

mst_user_task *dnp3_mst_queue_head(dnp3_master_assoc *a)
{
    return a->q_count ? dnp3_mst_queue_at(a, 0) : NULL;
}

void dnp3_mst_queue_remove(dnp3_master_assoc *a, size_t i)
{
    size_t n = a->m->cfg.user_queue_len;
    if (i >= a->q_count) return;
    if (i == 0) {
        a->q_head = (a->q_head + 1) % n;
    } else {
        /* shift the later entries down, swapping slots so every buffer stays owned */
        for (size_t k = i; k + 1 < a->q_count; k++) {
            mst_user_task tmp = *dnp3_mst_queue_at(a, k);
            *dnp3_mst_queue_at(a, k) = *dnp3_mst_queue_at(a, k + 1);
            *dnp3_mst_queue_at(a, k + 1) = tmp;
        }
    }
    a->q_count--;
}

/* ---- associations ---- */

void dnp3_mst_session_reset(dnp3_master_assoc *a, dnp3_tstamp now)
{
    const dnp3_assoc_config *c = &a->cfg;
    a->t = (mst_task){0};
    a->startup = c->startup_disable_unsol  ? MST_STARTUP_DISABLE
                 : c->startup_integrity    ? MST_STARTUP_INTEGRITY
                 : c->startup_enable_unsol ? MST_STARTUP_ENABLE
                                           : MST_STARTUP_DONE;
    a->need_clear_restart = false;
    a->need_time_sync = false;
    a->need_integrity = false;
    a->need_events = 0;
    a->restart_seen = false;
    a->overflow_seen = false;
    dnp3_mst_retry_reset(a, &a->r_startup, now);
    dnp3_mst_retry_reset(a, &a->r_restart, now);
    dnp3_mst_retry_reset(a, &a->r_time, now);
    dnp3_mst_retry_reset(a, &a->r_integrity, now);
    dnp3_mst_retry_reset(a, &a->r_events, now);
    a->next_integrity = c->integrity_period_ms ? mst_add(now, c->integrity_period_ms) : DNP3_TSTAMP_NEVER;
    for (int i = 0; i < 3; i++)
        a->next_class[i] = c->class_period_ms[i] ? mst_add(now, c->class_period_ms[i]) : DNP3_TSTAMP_NEVER;
    a->uns_have = false;
    a->confirm_pending = false;
    dnp3_mst_deferred_drop(a, 0); /* a new session: held confirms are void */
    dnp3_mst_deferred_drop(a, 1);
    if (a->sa) dnp3_sa_master_reset(a->sa); /* a new session: new session keys */
    dnp3_mst_retry_reset(a, &a->r_sa, now);
}

dnp3_master_assoc *dnp3_master_find_assoc(dnp3_master *m, uint16_t address)
{
    if (!m) return NULL;
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        dnp3_master_assoc *a = &m->assocs[i];
        if (a->in_use && !a->removing && a->cfg.address == address) return a;
    }
    return NULL;
}

dnp3_master_assoc *dnp3_master_add_assoc(dnp3_master *m, const dnp3_assoc_config *c, dnp3_tstamp now)
{
    dnp3_assoc_config cfg;
    if (!m || load_assoc_config(c, &cfg)) return NULL;
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        const dnp3_master_assoc *b = &m->assocs[i];
        if (b->in_use && b->cfg.address == cfg.address) return NULL; /* also while being removed */
    }
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        dnp3_master_assoc *a = &m->assocs[i];
        if (a->in_use) continue;
        dnp3_mst_enter(m);
        a->in_use = true;
        a->removing = false;
        a->cfg = cfg;
        a->next_seq = 0;
        a->q_head = a->q_count = 0;
        a->have_iin = false;
        a->last_iin = 0;
        memset(&a->stats, 0, sizeof a->stats);
        dnp3_mst_session_reset(a, now);
        a->due = DNP3_TSTAMP_NEVER;
        heap_insert(m, a);
        dnp3_mst_touch(a);
        dnp3_mst_leave(m, now);
        return a;
    }
    return NULL;
}

int dnp3_master_remove_assoc(dnp3_master_assoc *a, dnp3_tstamp now)
{
    if (!a || !a->in_use) return DNP3_ERR_INVALID_ARG;
    dnp3_master *m = a->m;
    dnp3_mst_enter(m);
    a->removing = true;
    m->pending_removal = true;
    dnp3_mst_touch(a);
    dnp3_mst_leave(m, now);
    return DNP3_OK;
}

uint16_t dnp3_master_assoc_address(const dnp3_master_assoc *a)
{
    return a ? a->cfg.address : 0;
}
void *dnp3_master_assoc_user(const dnp3_master_assoc *a)
{
    return a ? a->cfg.user : NULL;
}
dnp3_master *dnp3_master_assoc_master(const dnp3_master_assoc *a)
{
    return a ? a->m : NULL;
}
uint16_t dnp3_master_assoc_iin(const dnp3_master_assoc *a)
{
    return a && a->have_iin ? a->last_iin : 0;
}
bool dnp3_master_assoc_busy(const dnp3_master_assoc *a)
{
    return a && a->t.awaiting;
}
size_t dnp3_master_assoc_queued(const dnp3_master_assoc *a)
{
    return a ? a->q_count : 0;
}
bool dnp3_master_assoc_started(const dnp3_master_assoc *a)
{
    return a && a->in_use && a->m->connected && a->startup == MST_STARTUP_DONE;
}
const dnp3_master_assoc_stats *dnp3_master_assoc_get_stats(const dnp3_master_assoc *a)
{
    return a ? &a->stats : NULL;
}
const dnp3_master_stats *dnp3_master_get_stats(const dnp3_master *m)
{
    return m ? &m->stats : NULL;
}
bool dnp3_master_connected(const dnp3_master *m)
{
    return m && m->connected;
}

/* ---- connection ---- */

int dnp3_master_on_connect(dnp3_master *m, dnp3_tstamp now)
{
    if (!m) return DNP3_ERR_INVALID_ARG;
    if (m->depth) return DNP3_ERR_STATE;
    dnp3_mst_enter(m);
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        dnp3_master_assoc *a = &m->assocs[i];
        if (a->in_use && a->t.running) dnp3_mst_finish(a, DNP3_TASK_DISCONNECTED, now);
    }
    m->connected = true;
    clear_waiting(m);
    m->full = true;
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        dnp3_master_assoc *a = &m->assocs[i];
        if (a->in_use) dnp3_mst_session_reset(a, now);
    }
    dnp3_mst_leave(m, now);
    return DNP3_OK;
}

int dnp3_master_on_disconnect(dnp3_master *m, dnp3_tstamp now)
{
    if (!m) return DNP3_ERR_INVALID_ARG;
    if (m->depth) return DNP3_ERR_STATE;
    dnp3_mst_enter(m);
    m->connected = false;
    clear_waiting(m);
    m->full = true;
    for (size_t i = 0; i < m->cfg.max_associations; i++) {
        dnp3_master_assoc *a = &m->assocs[i];
        if (!a->in_use) continue;
        if (a->t.running) dnp3_mst_finish(a, DNP3_TASK_DISCONNECTED, now);
        a->confirm_pending = false;
        a->uns_have = false;
    }
    dnp3_mst_leave(m, now);
    return DNP3_OK;
}

/* ---- received fragments ---- */

static void route(dnp3_master *m, uint16_t src, const uint8_t *frag, size_t len, dnp3_tstamp now)
{
    dnp3_master_assoc *a = dnp3_master_find_assoc(m, src);
    if (!a) {
        m->stats.fragments_unknown_source++;
        if (m->cfg.handler.unknown_source) m->cfg.handler.unknown_source(m->cfg.handler.ctx, m, src);
        a = dnp3_master_find_assoc(m, src); /* the callback may have added it */
        if (!a) return;
    }
    a->stats.fragments_rx++;
    dnp3_mst_touch(a);
    dnp3_apdu apdu;
    if (len < 2 || dnp3_apdu_parse(frag, len, &apdu) != DNP3_OK) {
        /* not even a header: it can only be a broken response */
        if (a->t.awaiting)
            dnp3_mst_finish(a, DNP3_TASK_BAD_HEADER, now);
        else
            a->stats.unexpected_responses++;
        return;
    }
    switch (apdu.function) {
    case DNP3_FC_RESPONSE: dnp3_mst_on_response(a, frag, len, &apdu, now); break;
    case DNP3_FC_UNSOLICITED_RESPONSE: dnp3_mst_on_unsolicited(a, frag, len, &apdu, now); break;
    case DNP3_FC_AUTH_RESPONSE:
        if (a->sa)
            dnp3_mst_on_auth_response(a, frag, len, &apdu, now);
        else if (a->t.awaiting)
            dnp3_mst_finish(a, DNP3_TASK_UNSUPPORTED, now);
        else
            a->stats.unexpected_responses++;
        break;
    default:
        if (a->t.awaiting)
            dnp3_mst_finish(a, DNP3_TASK_UNEXPECTED_FUNCTION, now);
        else
            a->stats.unexpected_responses++;
        break;
    }
}

int dnp3_master_handle_apdu(dnp3_master *m, uint16_t src, const uint8_t *apdu, size_t len, dnp3_tstamp now)
{
    if (!m || (!apdu && len)) return DNP3_ERR_INVALID_ARG;
    if (m->depth) return DNP3_ERR_STATE; /* not from a callback */
    dnp3_mst_enter(m);
    if (m->connected) route(m, src, apdu, len, now);
    dnp3_mst_leave(m, now);
    return DNP3_OK;
}

void dnp3_master_on_fragment(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    dnp3_master *m = ctx;
    if (!m || !f) return;
    if (f->broadcast != DNP3_BCAST_NONE) return; /* masters ignore broadcasts (docs/protocol-notes.md §1.2) */
    (void)dnp3_master_handle_apdu(m, f->src, f->apdu, f->len, now);
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
