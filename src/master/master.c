/*
 * master.c - the master object (IEEE 1815-2012 clause 4, master station
 * application layer): configuration, memory layout, associations (one per
 * outstation link address, several per channel on a multi-drop line),
 * connect/disconnect, routing of received fragments by link source address,
 * and the release of held confirms. What runs when a call ends and on timers
 * is service.c's.
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
        dnp3_mst_heap_insert(m, a);
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
    dnp3_mst_clear_waiting(m);
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
    dnp3_mst_clear_waiting(m);
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
