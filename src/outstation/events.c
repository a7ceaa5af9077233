/*
 * events.c - outstation event buffers (IEEE 1815-2012 clause 4, event
 * reporting: an event stays buffered until the master confirms the fragment
 * that carried it; events of one type keep their order; a full buffer drops
 * its oldest event and sets IIN2.3 EVENT_BUFFER_OVERFLOW).
 *
 * One ring per point type, and one for the security statistic events (g122).
 * Each event has a global sequence number so that a
 * response lists events of all types in the order they were recorded. States:
 *   PENDING -> SELECTED (chosen for a READ response) -> WRITTEN_SOL (in a
 *   solicited fragment) -> removed on its confirm;
 *   PENDING -> WRITTEN_UNSOL (in an unsolicited fragment) -> removed on confirm;
 *   any SELECTED/WRITTEN -> PENDING when the response is abandoned.
 * unwritten[class] counts PENDING + SELECTED events (the IIN1.1-1.3 bits).
 *
 * A ring holds 16-octet records (os_event) and, slot for slot, an array of values of the ring's
 * kind (dnp3_os_types[].ekind: one octet for a state, four for a count, eight for an analog
 * value) and, for octet strings, the payloads; what moves a record moves its value and payload.
 */
#include <string.h>

#include "outstation/os_internal.h"

static os_event *at(os_ring *r, uint32_t off)
{
    return &r->ev[(r->head + off) % r->cap];
}

static size_t slot(const os_ring *r, const os_event *e)
{
    return (size_t)(e - r->ev);
}

static uint8_t *data_of(dnp3_outstation *os, os_ring *r, const os_event *e)
{
    return r->data + slot(r, e) * os->cfg.octet_string_size;
}

static bool counted(uint8_t state)
{
    return state == EV_PENDING || state == EV_SELECTED;
}

static void set_state(os_event *e, uint8_t state)
{
    e->cls_state = (uint8_t)((e->cls_state & OS_CLS_MASK) | ((unsigned)state << 2));
}

static uint8_t ev_var(const os_event *e)
{
    return e->vars & 0x0Fu;
}

static uint8_t ev_rvar(const os_event *e)
{
    return (uint8_t)(e->vars >> 4);
}

static void set_rvar(os_event *e, uint8_t rvar)
{
    e->vars = (uint8_t)((e->vars & 0x0Fu) | ((rvar & 0x0Fu) << 4));
}

/* The 32-bit count the writer puts on the wire for a counter value (point_codec.c store_value,
 * DNP3_VT_U32: rounded to nearest, clamped into 0..UINT32_MAX, NaN 0). The 16-bit variations
 * take the low 16 bits of it for values in 0..UINT32_MAX and clamp the others into 0..65535,
 * which the low 16 bits of this clamped count also give: storing it changes no octet. */
static uint32_t count_of(double v)
{
    if (v != v || v <= 0) return 0;
    if (v >= (double)UINT32_MAX) return UINT32_MAX;
    return (uint32_t)(int64_t)(v + 0.5);
}

void dnp3_os_ev_record(dnp3_outstation *os, dnp3_os_type t, uint16_t index, const os_ev_src *p, const uint8_t *oct,
                       uint8_t len)
{
    os_ring *r = &os->ev[t];
    const uint8_t cls = (uint8_t)(p->cls & OS_CLS_MASK);
    if (r->cap == 0 || cls < 1) return;
    if (r->count == r->cap) { /* drop the oldest */
        os_event *old = at(r, 0);
        if (counted(EV_STATE(old))) os->unwritten[EV_CLS(old)]--;
        r->head = (uint16_t)((r->head + 1) % r->cap);
        r->count--;
        if (r->scan > 0) r->scan--;
        os->overflow = true;
    }
    os_event *e = at(r, r->count);
    r->count++;
    memset(e, 0, sizeof *e);
    dnp3_os_value_put(r->val, r->kind, slot(r, e), r->kind == VK_U32 ? count_of(p->value) : p->value);
    dnp3_store_u48(e->time, p->time);
    e->seq = os->next_event_seq++;
    e->index = index;
    e->flags = p->flags;
    e->cls_state = (uint8_t)(cls | (EV_PENDING << 2));
    e->vars = (uint8_t)(p->evar & 0x0Fu); /* event variations are 1..9 */
    if (t == DNP3_OS_OCTET_STRING && oct) {
        e->len = len;
        memcpy(data_of(os, r, e), oct, len);
    }
    os->unwritten[cls]++;
}

/* Oldest event (by sequence) in `state` among the types of type_mask at or after each ring's scan cursor. */
static os_event *next_in_state(dnp3_outstation *os, uint32_t type_mask, uint8_t class_mask, uint8_t state,
                               int *type)
{
    os_event *best = NULL;
    for (int t = 0; t < OS_EV_TYPES; t++) {
        if (!((type_mask >> t) & 1u)) continue;
        os_ring *r = &os->ev[t];
        while (r->scan < r->count) {
            os_event *e = at(r, r->scan);
            if (EV_STATE(e) == state && ((class_mask >> EV_CLS(e)) & 1u)) break;
            r->scan++;
        }
        if (r->scan >= r->count) continue;
        os_event *e = at(r, r->scan);
        if (!best || (int32_t)(e->seq - best->seq) < 0) {
            best = e;
            *type = t;
        }
    }
    return best;
}

static void rewind_scans(dnp3_outstation *os)
{
    for (int t = 0; t < OS_EV_TYPES; t++) os->ev[t].scan = 0;
}

uint32_t dnp3_os_ev_select(dnp3_outstation *os, uint32_t type_mask, uint8_t class_mask, uint8_t var,
                           uint32_t limit)
{
    uint32_t n = 0;
    int t = 0;
    rewind_scans(os);
    while (n < limit) {
        os_event *e = next_in_state(os, type_mask, class_mask, EV_PENDING, &t);
        if (!e) break;
        set_state(e, EV_SELECTED);
        set_rvar(e, var);
        os->ev[t].scan++;
        n++;
    }
    rewind_scans(os);
    return n;
}

bool dnp3_os_ev_pending(const dnp3_outstation *os, uint8_t class_mask)
{
    for (int c = 1; c <= 3; c++)
        if (((class_mask >> c) & 1u) && os->unwritten[c]) return true;
    return false;
}

static uint8_t report_var(const os_event *e, dnp3_os_type t)
{
    if (t == DNP3_OS_OCTET_STRING) return e->len;
    return ev_rvar(e) ? ev_rvar(e) : ev_var(e);
}

static bool relative_time(dnp3_os_type t, uint8_t var)
{
    return var == 3 && (t == DNP3_OS_BINARY_INPUT || t == DNP3_OS_DOUBLE_BIT_INPUT);
}

/* Adds one event to the open header; relative-time variations store the offset from cto. */
static int add_event(dnp3_outstation *os, dnp3_apdu_writer *w, dnp3_hdr_mark *m, dnp3_os_type t, os_event *e,
                     bool rel, dnp3_time48 cto)
{
    os_ring *r = &os->ev[t];
    if (t == DNP3_OS_OCTET_STRING) return dnp3_apdu_add_raw(w, m, e->index, data_of(os, r, e), e->len);
    dnp3_point p;
    memset(&p, 0, sizeof p);
    if (t == (dnp3_os_type)OS_CMD_BO || t == (dnp3_os_type)OS_CMD_AO) {
        p.has_status = true;
        p.status = e->flags;
    } else {
        p.has_flags = true;
        p.flags = e->flags;
    }
    p.value = dnp3_os_value_get(r->val, r->kind, slot(r, e));
    p.time_kind = rel ? DNP3_TIME_RELATIVE : DNP3_TIME_ABSOLUTE;
    const dnp3_time48 time = dnp3_load_u48(e->time);
    p.time = rel ? time - cto : time;
    return dnp3_apdu_add_point(w, m, e->index, &p);
}

static void mark_written(dnp3_outstation *os, os_event *e, uint8_t state)
{
    if (counted(EV_STATE(e))) os->unwritten[EV_CLS(e)]--;
    set_state(e, state);
}

bool dnp3_os_ev_write(dnp3_outstation *os, dnp3_apdu_writer *w, uint8_t written_state, bool *wrote)
{
    const uint32_t all = OS_EV_ALL;
    const uint8_t any_class = 0x0E;
    bool done = false;
    int t = 0;
    rewind_scans(os);
    for (;;) {
        os_event *e = next_in_state(os, all, any_class, EV_SELECTED, &t);
        if (!e) {
            done = true;
            break;
        }
        uint8_t var = report_var(e, (dnp3_os_type)t);
        bool rel = relative_time((dnp3_os_type)t, var);
        size_t mark_len = w->len;
        dnp3_time48 cto = dnp3_load_u48(e->time);
        if (rel) { /* common time of occurrence first (g51) */
            dnp3_hdr_mark cm;
            dnp3_point cp;
            memset(&cp, 0, sizeof cp);
            cp.time = cto;
            cp.time_kind = DNP3_TIME_ABSOLUTE;
            uint8_t cv = (dnp3_os_iin(os) & DNP3_IIN1_NEED_TIME) ? 2 : 1;
            if (dnp3_apdu_begin_count(w, &cm, 51, cv) != DNP3_OK ||
                dnp3_apdu_add_point(w, &cm, 0, &cp) != DNP3_OK) {
                w->len = mark_len;
                break;
            }
            dnp3_apdu_end(w, &cm);
        }
        dnp3_hdr_mark m;
        int rc = dnp3_apdu_begin_indexed_auto(w, &m, dnp3_os_event_group((dnp3_os_type)t), var, e->index);
        if (rc != DNP3_OK) {
            w->len = mark_len;
            if (rc == DNP3_ERR_FRAGMENT_FULL) break;
            mark_written(os, e, written_state); /* cannot be encoded at all: dropped with the confirm */
            os->ev[t].scan++;
            continue;
        }
        const int type = t;
        bool full = false;
        for (;;) {
            rc = add_event(os, w, &m, (dnp3_os_type)type, e, rel, cto);
            if (rc == DNP3_ERR_FRAGMENT_FULL) {
                full = true;
                break;
            }
            mark_written(os, e, written_state); /* (an event that cannot be encoded is dropped) */
            *wrote = true;
            os->ev[type].scan++;
            e = next_in_state(os, all, any_class, EV_SELECTED, &t);
            if (!e || t != type || report_var(e, (dnp3_os_type)t) != var) break;
            if (m.qualifier == DNP3_QUAL_COUNT_8_INDEX_8 && (e->index > 0xFF || m.count >= 0xFF))
                break; /* next header */
            if (rel) {
                const dnp3_time48 time = dnp3_load_u48(e->time);
                if (time < cto || time - cto > 0xFFFF) break;
            }
        }
        if (dnp3_apdu_end(w, &m) == 0) w->len = mark_len; /* drop a lone CTO too */
        if (full) break;
    }
    rewind_scans(os);
    return done;
}

void dnp3_os_ev_revert(dnp3_outstation *os, uint8_t s1, uint8_t s2)
{
    for (int t = 0; t < OS_EV_TYPES; t++) {
        os_ring *r = &os->ev[t];
        for (uint32_t i = 0; i < r->count; i++) {
            os_event *e = at(r, i);
            const uint8_t st = EV_STATE(e);
            if (st != s1 && st != s2) continue;
            if (!counted(st)) os->unwritten[EV_CLS(e)]++;
            set_state(e, EV_PENDING);
            set_rvar(e, 0);
        }
    }
}

void dnp3_os_ev_remove(dnp3_outstation *os, uint8_t s)
{
    bool removed = false, full = false;
    for (int t = 0; t < OS_EV_TYPES; t++) {
        os_ring *r = &os->ev[t];
        uint32_t k = 0;
        for (uint32_t i = 0; i < r->count; i++) {
            os_event *e = at(r, i);
            if (EV_STATE(e) == s) {
                removed = true;
                continue;
            }
            if (k != i) { /* the record, its value and its payload move down together */
                os_event *d = at(r, k);
                *d = *e;
                if (r->val) {
                    const size_t vs = dnp3_os_value_size(r->kind);
                    memcpy((uint8_t *)r->val + slot(r, d) * vs, (const uint8_t *)r->val + slot(r, e) * vs, vs);
                }
                if (r->data) memmove(data_of(os, r, d), data_of(os, r, e), os->cfg.octet_string_size);
            }
            k++;
        }
        r->count = (uint16_t)k;
        r->scan = 0;
        if (r->cap && r->count == r->cap) full = true;
    }
    if (removed && !full) os->overflow = false;
}

size_t dnp3_outstation_event_count(const dnp3_outstation *os, dnp3_os_type type)
{
    if (!os || (unsigned)type >= DNP3_OS_TYPE_COUNT) return 0;
    return os->ev[type].count;
}
