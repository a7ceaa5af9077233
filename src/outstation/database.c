/*
 * database.c - the outstation's point database (IEEE 1815-2012 Annex A point
 * types: binary input g1, double-bit input g3, binary output status g10,
 * counter g20, frozen counter g21, analog input g30, analog output status
 * g40, octet string g110, frozen analog input g31) and event detection on
 * update (clause 4, "event data": a change of state or flags, or a change
 * beyond the deadband for counters and analogs), plus the database side of
 * freezes (clause 4.2.2.5 IMMED_FREEZE / FREEZE_CLEAR: counters into frozen
 * counters, analog inputs into frozen analog inputs).
 */
#include <string.h>

#include "outstation/os_internal.h"

typedef struct {
    uint8_t sgroup, egroup;
    uint8_t sdef, edef;
    uint16_t smask, emask; /* bit v set: variation v allowed */
} type_info;

static const type_info TYPES[OS_EV_TYPES] = {
    [DNP3_OS_BINARY_INPUT] = {1, 2, 1, 1, 0x0006, 0x000E},
    [DNP3_OS_DOUBLE_BIT_INPUT] = {3, 4, 2, 1, 0x0006, 0x000E},
    [DNP3_OS_BINARY_OUTPUT_STATUS] = {10, 11, 2, 1, 0x0006, 0x0006},
    [DNP3_OS_COUNTER] = {20, 22, 1, 1, 0x0066, 0x0066},
    [DNP3_OS_FROZEN_COUNTER] = {21, 23, 1, 1, 0x0666, 0x0066},
    [DNP3_OS_ANALOG_INPUT] = {30, 32, 1, 1, 0x007E, 0x01FE},
    [DNP3_OS_ANALOG_OUTPUT_STATUS] = {40, 42, 1, 1, 0x001E, 0x01FE},
    [DNP3_OS_OCTET_STRING] = {110, 111, 0, 0, 0x0000, 0x0000},
    [DNP3_OS_FROZEN_ANALOG_INPUT] = {31, 33, 1, 1, 0x01FE, 0x01FE},
    [OS_SEC_STAT] = {121, 122, 1, 2, 0x0002, 0x0006},
    [OS_CMD_BO] = {12, 13, 0, 1, 0x0000, 0x0006},
    [OS_CMD_AO] = {41, 43, 0, 1, 0x0000, 0x01FE},
};

uint8_t dnp3_os_static_group(dnp3_os_type t)
{
    return TYPES[t].sgroup;
}
uint8_t dnp3_os_event_group(dnp3_os_type t)
{
    return TYPES[t].egroup;
}
uint8_t dnp3_os_default_static_var(dnp3_os_type t)
{
    return TYPES[t].sdef;
}
uint8_t dnp3_os_default_event_var(dnp3_os_type t)
{
    return TYPES[t].edef;
}

bool dnp3_os_static_var_ok(dnp3_os_type t, uint8_t v)
{
    return v < 16 && (TYPES[t].smask >> v) & 1u;
}
bool dnp3_os_event_var_ok(dnp3_os_type t, uint8_t v)
{
    return v < 16 && (TYPES[t].emask >> v) & 1u;
}

int dnp3_os_type_of_group(uint8_t group, bool *is_event)
{
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        if (TYPES[t].sgroup == group || TYPES[t].egroup == group) {
            *is_event = TYPES[t].egroup == group;
            return t;
        }
    }
    return -1;
}

static bool is_binary(dnp3_os_type t)
{
    return t == DNP3_OS_BINARY_INPUT || t == DNP3_OS_DOUBLE_BIT_INPUT || t == DNP3_OS_BINARY_OUTPUT_STATUS;
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
    const os_point *q = &os->db[t].pts[index];
    memset(p, 0, sizeof *p);
    p->has_flags = true;
    p->flags = q->flags;
    p->value = q->value;
    p->time = q->time;
    p->time_kind = DNP3_TIME_ABSOLUTE;
}

static bool exceeds(double v, double ref, double deadband)
{
    if (v != v || ref != ref) return (v != v) != (ref != ref);
    double d = v - ref;
    if (d < 0) d = -d;
    return d > deadband;
}

/* Stores a new value and reports whether it makes an event under DNP3_EVENT_DETECT. */
static bool store(dnp3_os_type t, os_point *p, double v, uint8_t flags, dnp3_time48 time)
{
    bool ev;
    if (flags != p->flags)
        ev = true;
    else if (is_binary(t))
        ev = v != p->value;
    else
        ev = exceeds(v, p->ref, p->deadband);
    p->value = v;
    p->flags = flags;
    p->time = time;
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
    os_point *p = &os->db[t].pts[index];
    bool ev = mode == DNP3_EVENT_FORCE || (mode == DNP3_EVENT_DETECT && detected);
    /* a value set without an event (initial values, corrections) is the new deadband reference */
    if (mode == DNP3_EVENT_SUPPRESS) p->ref = p->value;
    if (!ev || p->cls == 0 || !any_ring(os, t)) return 0;
    p->ref = p->value;
    dnp3_os_ev_record_shared(os, t, index, p, oct, len); /* every session sharing the points */
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
    bool detected = store(type, &os->db[type].pts[index], value, flags, time & DNP3_TIME48_MAX);
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
    tb->pts[index].time = time & DNP3_TIME48_MAX;
    return finish(os, DNP3_OS_OCTET_STRING, index, detected, mode, cur, (uint8_t)len);
}

int dnp3_outstation_get(const dnp3_outstation *os, dnp3_os_type type, uint16_t index, double *value,
                        uint8_t *flags, dnp3_time48 *time)
{
    if (!os || (unsigned)type >= DNP3_OS_TYPE_COUNT || index >= os->db[type].count) return DNP3_ERR_INVALID_ARG;
    const os_point *p = &os->db[type].pts[index];
    if (value) value[0] = p->value;
    if (flags) flags[0] = p->flags;
    if (time) time[0] = p->time;
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
    os_point *p = &os->db[type].pts[index];
    p->cls = (uint8_t)((p->cls & OS_NOT_CLASS0) | pc->event_class);
    if (pc->static_variation) p->svar = pc->static_variation;
    if (pc->event_variation) p->evar = pc->event_variation;
    p->deadband = (float)pc->deadband;
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

dnp3_os_type dnp3_os_frozen_of(dnp3_os_type t)
{
    return t == DNP3_OS_ANALOG_INPUT ? DNP3_OS_FROZEN_ANALOG_INPUT : DNP3_OS_FROZEN_COUNTER;
}

void dnp3_os_db_freeze(dnp3_outstation *os, dnp3_os_type t, uint32_t start, uint32_t stop, bool clear)
{
    const dnp3_os_type ft = dnp3_os_frozen_of(t);
    os_table *c = &os->db[t], *f = &os->db[ft];
    uint32_t n = c->count < f->count ? c->count : f->count;
    if (n == 0 || start >= n) return;
    if (stop >= n) stop = n - 1;
    dnp3_time48 now = dnp3_os_utc_now(os);
    for (uint32_t i = start; i <= stop; i++) {
        os_point *src = &c->pts[i];
        bool detected = store(ft, &f->pts[i], src->value, src->flags, now);
        finish(os, ft, (uint16_t)i, detected, DNP3_EVENT_DETECT, NULL, 0);
        if (clear) {
            detected = store(t, src, 0, src->flags, now);
            finish(os, t, (uint16_t)i, detected, DNP3_EVENT_DETECT, NULL, 0);
        }
    }
}

void dnp3_os_freeze_now(dnp3_outstation *os, dnp3_os_type t, uint32_t start, uint32_t stop, bool clear)
{
    dnp3_os_db_freeze(os, t, start, stop, clear);
    const dnp3_freeze_kind kind = clear ? DNP3_FREEZE_AND_CLEAR : DNP3_FREEZE;
    void (*cb)(void *, dnp3_freeze_kind, uint16_t, uint16_t) =
        t == DNP3_OS_ANALOG_INPUT ? os->cb.freeze_analog : os->cb.freeze;
    if (cb) cb(os->cb.ctx, kind, (uint16_t)start, (uint16_t)stop);
}
