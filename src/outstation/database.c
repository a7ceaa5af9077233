/*
 * database.c - the outstation's point database (IEEE 1815-2012 Annex A point
 * types: binary input g1, double-bit input g3, binary output status g10,
 * counter g20, frozen counter g21, analog input g30, analog output status
 * g40, octet string g110, frozen analog input g31) and event detection on
 * update (clause 4, "event data": a change of state or flags, or a change
 * beyond the deadband for counters and analogs), plus the database side of
 * freezes (clause 4.2.2.5 IMMED_FREEZE / FREEZE_CLEAR: counters into frozen
 * counters, analog inputs into frozen analog inputs).
 *
 * dnp3_os_types (types.c) has one row per type: its groups and variations and what a point and an event
 * of it store (value kind, deadband, per-point time). A point is a 4-octet record (flags, class,
 * variations) plus, in the type's parallel arrays, only those: a binary input is 11 octets
 * (record, state, time), an analog input 30 (record, value, deadband reference, deadband, time).
 */
#include <string.h>

#include "outstation/os_internal.h"

/* binary, double-bit and binary output status: a state, changed or not (no deadband) */
static bool is_binary(dnp3_os_type t)
{
    return dnp3_os_types[t].pkind == VK_U8;
}

static double value_of(const os_table *tb, dnp3_os_type t, uint32_t i)
{
    return dnp3_os_value_get(tb->val, dnp3_os_types[t].pkind, i);
}

static dnp3_time48 time_of(const os_table *tb, uint32_t i)
{
    return tb->time ? dnp3_load_u48(&tb->time[6 * (size_t)i]) : 0;
}

static void set_time(os_table *tb, uint32_t i, dnp3_time48 t)
{
    if (tb->time) dnp3_store_u48(&tb->time[6 * (size_t)i], t);
}

/* The flag bits that carry state for a type (kept in value, not in flags). */
static uint8_t state_bits(dnp3_os_type t)
{
    if (t == DNP3_OS_DOUBLE_BIT_INPUT) return 0xC0;
    if (t == DNP3_OS_BINARY_INPUT || t == DNP3_OS_BINARY_OUTPUT_STATUS) return DNP3_FLAG_STATE;
    return 0;
}

void dnp3_os_point_of(const dnp3_outstation *os, dnp3_os_type t, uint16_t index, dnp3_point *p)
{
    const os_table *tb = &os->db[t];
    memset(p, 0, sizeof *p);
    p->has_flags = true;
    p->flags = tb->pts[index].flags;
    p->value = value_of(tb, t, index);
    p->time = time_of(tb, index);
    p->time_kind = DNP3_TIME_ABSOLUTE;
}

static bool exceeds(double v, double ref, double deadband)
{
    if (v != v || ref != ref) return (v != v) != (ref != ref);
    double d = v - ref;
    if (d < 0) d = -d;
    return d > deadband;
}

/* Stores a new value of point i and reports whether it makes an event under DNP3_EVENT_DETECT. */
static bool store(os_table *tb, dnp3_os_type t, uint32_t i, double v, uint8_t flags, dnp3_time48 time)
{
    os_point *p = &tb->pts[i];
    bool ev;
    if (flags != p->flags)
        ev = true;
    else if (is_binary(t))
        ev = v != value_of(tb, t, i);
    else
        ev = exceeds(v, tb->ref[i], tb->deadband[i]);
    dnp3_os_value_put(tb->val, dnp3_os_types[t].pkind, i, v); /* binary types: a state, 0..3 */
    p->flags = flags;
    set_time(tb, i, time);
    return ev;
}

/* Does any session on this database buffer events of type t? */
static bool any_ring(const dnp3_outstation *os, dnp3_os_type t)
{
    for (const dnp3_outstation *s = os->db_owner; s; s = s->next_session)
        if (s->ev[t].cap) return true;
    return false;
}

static int finish(dnp3_outstation *os, dnp3_os_type t, uint16_t index, bool detected, dnp3_event_mode mode,
                  const uint8_t *oct, uint8_t len)
{
    os_table *tb = &os->db[t];
    const os_point *p = &tb->pts[index];
    const double v = value_of(tb, t, index);
    bool ev = mode == DNP3_EVENT_FORCE || (mode == DNP3_EVENT_DETECT && detected);
    /* a value set without an event (initial values, corrections) is the new deadband reference */
    if (mode == DNP3_EVENT_SUPPRESS && tb->ref) tb->ref[index] = v;
    if (!ev || p->cls == 0 || !any_ring(os, t)) return 0;
    if (tb->ref) tb->ref[index] = v;
    os_ev_src src = {.value = v, .time = time_of(tb, index), .flags = p->flags, .cls = p->cls, .evar = p->evar};
    dnp3_os_ev_record_shared(os, t, index, &src, oct, len); /* every session sharing the points */
    return 1;
}

int dnp3_outstation_update(dnp3_outstation *os, dnp3_os_type type, uint16_t index, double value, uint8_t flags,
                           dnp3_time48 time, dnp3_event_mode mode)
{
    if (!os || (unsigned)type >= DNP3_OS_TYPE_COUNT || type == DNP3_OS_OCTET_STRING || index >= os->db[type].count)
        return DNP3_ERR_INVALID_ARG;
    if ((unsigned)mode > DNP3_EVENT_SUPPRESS) return DNP3_ERR_INVALID_ARG;
    if (is_binary(type)) {
        if (type == DNP3_OS_DOUBLE_BIT_INPUT) {
            if (!(value >= 0 && value <= 3)) return DNP3_ERR_INVALID_ARG;
            value = (double)(unsigned)value;
        } else {
            value = value != 0 ? 1 : 0;
        }
    }
    flags &= (uint8_t)~state_bits(type);
    bool detected = store(&os->db[type], type, index, value, flags, time & DNP3_TIME48_MAX);
    return finish(os, type, index, detected, mode, NULL, 0);
}

int dnp3_outstation_update_octets(dnp3_outstation *os, uint16_t index, const uint8_t *data, size_t len,
                                  dnp3_time48 time, dnp3_event_mode mode)
{
    if (!os || index >= os->db[DNP3_OS_OCTET_STRING].count || !data || len == 0 ||
        len > os->cfg.octet_string_size || (unsigned)mode > DNP3_EVENT_SUPPRESS)
        return DNP3_ERR_INVALID_ARG;
    os_table *tb = &os->db[DNP3_OS_OCTET_STRING];
    uint8_t *cur = tb->oct + (size_t)index * os->cfg.octet_string_size;
    bool detected = tb->oct_len[index] != len || memcmp(cur, data, len) != 0;
    memcpy(cur, data, len);
    tb->oct_len[index] = (uint8_t)len;
    set_time(tb, index, time & DNP3_TIME48_MAX);
    return finish(os, DNP3_OS_OCTET_STRING, index, detected, mode, cur, (uint8_t)len);
}

int dnp3_outstation_get(const dnp3_outstation *os, dnp3_os_type type, uint16_t index, double *value,
                        uint8_t *flags, dnp3_time48 *time)
{
    if (!os || (unsigned)type >= DNP3_OS_TYPE_COUNT || index >= os->db[type].count) return DNP3_ERR_INVALID_ARG;
    const os_table *tb = &os->db[type];
    if (value) value[0] = value_of(tb, type, index);
    if (flags) flags[0] = tb->pts[index].flags;
    if (time) time[0] = time_of(tb, index);
    return DNP3_OK;
}

int dnp3_outstation_configure_point(dnp3_outstation *os, dnp3_os_type type, uint16_t index,
                                    const dnp3_os_point_config *pc)
{
    if (!os || !pc || (unsigned)type >= DNP3_OS_TYPE_COUNT || index >= os->db[type].count)
        return DNP3_ERR_INVALID_ARG;
    if (pc->event_class > 3 || !(pc->deadband >= 0)) return DNP3_ERR_INVALID_ARG;
    if (pc->static_variation && !dnp3_os_static_var_ok(type, pc->static_variation)) return DNP3_ERR_INVALID_ARG;
    if (pc->event_variation && !dnp3_os_event_var_ok(type, pc->event_variation)) return DNP3_ERR_INVALID_ARG;
    os_table *tb = &os->db[type];
    os_point *p = &tb->pts[index];
    p->cls = (uint8_t)((p->cls & OS_NOT_CLASS0) | pc->event_class);
    if (pc->static_variation) p->svar = pc->static_variation;
    if (pc->event_variation) p->evar = pc->event_variation;
    if (tb->deadband) tb->deadband[index] = (float)pc->deadband; /* (types without one never read it) */
    return DNP3_OK;
}

int dnp3_outstation_set_class0(dnp3_outstation *os, dnp3_os_type type, uint16_t start, uint16_t stop,
                               bool in_class0)
{
    if (!os || (unsigned)type >= DNP3_OS_TYPE_COUNT || start > stop || stop >= os->db[type].count)
        return DNP3_ERR_INVALID_ARG;
    for (uint32_t i = start; i <= stop; i++) {
        os_point *p = &os->db[type].pts[i];
        p->cls = (uint8_t)(in_class0 ? p->cls & OS_CLS_MASK : p->cls | OS_NOT_CLASS0);
    }
    return DNP3_OK;
}

/* The frozen type of a freezable one: counter -> frozen counter, analog input -> frozen analog input. */
static dnp3_os_type frozen_of(dnp3_os_type t)
{
    return t == DNP3_OS_ANALOG_INPUT ? DNP3_OS_FROZEN_ANALOG_INPUT : DNP3_OS_FROZEN_COUNTER;
}

static void db_freeze(dnp3_outstation *os, dnp3_os_type t, uint32_t start, uint32_t stop, bool clear)
{
    const dnp3_os_type ft = frozen_of(t);
    os_table *c = &os->db[t], *f = &os->db[ft];
    uint32_t n = c->count < f->count ? c->count : f->count;
    if (n == 0 || start >= n) return;
    if (stop >= n) stop = n - 1;
    dnp3_time48 now = dnp3_os_utc_now(os);
    for (uint32_t i = start; i <= stop; i++) {
        const uint8_t flags = c->pts[i].flags;
        bool detected = store(f, ft, i, value_of(c, t, i), flags, now);
        finish(os, ft, (uint16_t)i, detected, DNP3_EVENT_DETECT, NULL, 0);
        if (clear) {
            detected = store(c, t, i, 0, flags, now);
            finish(os, t, (uint16_t)i, detected, DNP3_EVENT_DETECT, NULL, 0);
        }
    }
}

void dnp3_os_freeze_now(dnp3_outstation *os, dnp3_os_type t, uint32_t start, uint32_t stop, bool clear)
{
    db_freeze(os, t, start, stop, clear);
    const dnp3_freeze_kind kind = clear ? DNP3_FREEZE_AND_CLEAR : DNP3_FREEZE;
    void (*cb)(void *, dnp3_freeze_kind, uint16_t, uint16_t) =
        t == DNP3_OS_ANALOG_INPUT ? os->cb.freeze_analog : os->cb.freeze;
    if (cb) cb(os->cb.ctx, kind, (uint16_t)start, (uint16_t)stop);
}
