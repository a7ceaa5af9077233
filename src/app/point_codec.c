/*
 * point_codec.c - decode and encode one fixed-size or packed object to and from
 * a dnp3_point, following the descriptor's layout (IEEE 1815-2012 Annex A:
 * flags octet, little-endian values, 48-bit absolute time, 16-bit relative
 * time, command status; binary state in flag bit 7, double-bit state in bits 7..6).
 */
#include <string.h>

#include "core/cursor.h"
#include "dnp3/objects.h"

static double load_value(uint8_t vt, const uint8_t *p)
{
    switch (vt) {
    case DNP3_VT_U8: return p[0];
    case DNP3_VT_U16: return dnp3_load_u16(p);
    case DNP3_VT_U32: return dnp3_load_u32(p);
    case DNP3_VT_I16: return (int16_t)dnp3_load_u16(p);
    case DNP3_VT_I32: return (int32_t)dnp3_load_u32(p);
    case DNP3_VT_F32: {
        uint32_t u = dnp3_load_u32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    case DNP3_VT_F64: {
        uint64_t u = dnp3_load_u64(p);
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    default: return 0;
    }
}

static unsigned vt_size(uint8_t vt)
{
    switch (vt) {
    case DNP3_VT_U8: return 1;
    case DNP3_VT_U16:
    case DNP3_VT_I16: return 2;
    case DNP3_VT_U32:
    case DNP3_VT_I32:
    case DNP3_VT_F32: return 4;
    case DNP3_VT_F64: return 8;
    default: return 0;
    }
}

/* State carried in the flags octet of binary (bit 7) and double-bit (bits 7..6) objects. */
static double state_from_flags(uint8_t point_type, uint8_t flags)
{
    if (point_type == DNP3_POINT_DOUBLE_BIT_INPUT) return flags >> 6;
    return (flags & DNP3_FLAG_STATE) ? 1 : 0;
}

static bool is_stateful(uint8_t point_type)
{
    return point_type == DNP3_POINT_BINARY_INPUT || point_type == DNP3_POINT_DOUBLE_BIT_INPUT ||
           point_type == DNP3_POINT_BINARY_OUTPUT_STATUS;
}

int dnp3_point_decode(const dnp3_obj_desc *d, const uint8_t *data, size_t size, uint8_t bits, dnp3_point *p)
{
    memset(p, 0, sizeof *p);
    if (!d) return DNP3_ERR_INVALID_ARG;
    p->point_type = d->point_type;
    p->vtype = d->vtype;
    if (d->kind == DNP3_KIND_PACKED_BIT || d->kind == DNP3_KIND_PACKED_DBIT) {
        p->value = bits;
        return DNP3_OK;
    }
    if (d->kind != DNP3_KIND_FIXED || d->layout == DNP3_LAYOUT_OPAQUE || !data || size != d->size)
        return DNP3_ERR_INVALID_ARG;

    const uint8_t *q = data;
    unsigned vs = vt_size(d->vtype);
    switch (d->layout) {
    case DNP3_LAYOUT_F:
    case DNP3_LAYOUT_F_T48:
    case DNP3_LAYOUT_F_T16:
        p->has_flags = true;
        p->flags = q[0];
        p->value = state_from_flags(d->point_type, q[0]);
        if (d->layout == DNP3_LAYOUT_F_T48) {
            p->time_kind = DNP3_TIME_ABSOLUTE;
            p->time = dnp3_load_u48(q + 1);
        } else if (d->layout == DNP3_LAYOUT_F_T16) {
            p->time_kind = DNP3_TIME_RELATIVE;
            p->time = dnp3_load_u16(q + 1);
        }
        break;
    case DNP3_LAYOUT_F_V:
    case DNP3_LAYOUT_F_V_T48:
        p->has_flags = true;
        p->flags = q[0];
        p->value = load_value(d->vtype, q + 1);
        if (d->layout == DNP3_LAYOUT_F_V_T48) {
            p->time_kind = DNP3_TIME_ABSOLUTE;
            p->time = dnp3_load_u48(q + 1 + vs);
        }
        break;
    case DNP3_LAYOUT_V: p->value = load_value(d->vtype, q); break;
    case DNP3_LAYOUT_V_S:
        p->value = load_value(d->vtype, q);
        p->has_status = true;
        p->status = q[vs];
        break;
    case DNP3_LAYOUT_S_V:
    case DNP3_LAYOUT_S_V_T48:
        p->has_status = true;
        p->status = q[0] & 0x7F;
        p->value = load_value(d->vtype, q + 1);
        if (d->layout == DNP3_LAYOUT_S_V_T48) {
            p->time_kind = DNP3_TIME_ABSOLUTE;
            p->time = dnp3_load_u48(q + 1 + vs);
        }
        break;
    case DNP3_LAYOUT_CS:
    case DNP3_LAYOUT_CS_T48:
        p->value = (q[0] & 0x80) ? 1 : 0;
        p->has_status = true;
        p->status = q[0] & 0x7F;
        if (d->layout == DNP3_LAYOUT_CS_T48) {
            p->time_kind = DNP3_TIME_ABSOLUTE;
            p->time = dnp3_load_u48(q + 1);
        }
        break;
    case DNP3_LAYOUT_CROB:
        p->crob.code = q[0];
        p->crob.count = q[1];
        p->crob.on_ms = dnp3_load_u32(q + 2);
        p->crob.off_ms = dnp3_load_u32(q + 6);
        p->crob.status = q[10] & 0x7F;
        p->has_status = true;
        p->status = p->crob.status;
        break;
    case DNP3_LAYOUT_T48:
    case DNP3_LAYOUT_T48_U32:
    case DNP3_LAYOUT_T48_U32_U8:
        p->time_kind = DNP3_TIME_ABSOLUTE;
        p->time = dnp3_load_u48(q);
        p->value = (double)p->time;
        if (d->layout != DNP3_LAYOUT_T48) p->interval = dnp3_load_u32(q + 6);
        if (d->layout == DNP3_LAYOUT_T48_U32_U8) p->units = q[10];
        break;
    case DNP3_LAYOUT_SEC_STAT:
    case DNP3_LAYOUT_SEC_STAT_T48:
        p->has_flags = true;
        p->flags = q[0];
        p->assoc = dnp3_load_u16(q + 1);
        p->value = dnp3_load_u32(q + 3);
        if (d->layout == DNP3_LAYOUT_SEC_STAT_T48) {
            p->time_kind = DNP3_TIME_ABSOLUTE;
            p->time = dnp3_load_u48(q + 7);
        }
        break;
    default: return DNP3_ERR_INVALID_ARG;
    }
    return DNP3_OK;
}

/* Rounds to nearest and clamps into [lo, hi]; reports whether the value was out of range. */
static int64_t clamp_round(double v, int64_t lo, int64_t hi, bool *over)
{
    if (v != v) { /* NaN */
        *over = true;
        return 0;
    }
    if (v <= (double)lo) {
        *over = v < (double)lo;
        return lo;
    }
    if (v >= (double)hi) {
        *over = v > (double)hi;
        return hi;
    }
    double r = v >= 0 ? v + 0.5 : v - 0.5;
    return (int64_t)r;
}

static bool is_analog(uint8_t point_type)
{
    return point_type == DNP3_POINT_ANALOG_INPUT || point_type == DNP3_POINT_FROZEN_ANALOG_INPUT ||
           point_type == DNP3_POINT_ANALOG_OUTPUT_STATUS;
}

/* Stores the value field; returns true if it had to be clamped. */
static bool store_value(uint8_t vt, double v, uint8_t *out)
{
    bool over = false;
    switch (vt) {
    case DNP3_VT_U8: out[0] = (uint8_t)clamp_round(v, 0, UINT8_MAX, &over); break;
    case DNP3_VT_U16:
        /* 16-bit counters keep the low 16 bits (they roll over); others clamp */
        if (v >= 0 && v <= (double)UINT32_MAX)
            dnp3_store_u16(out, (uint16_t)(uint32_t)clamp_round(v, 0, UINT32_MAX, &over));
        else
            dnp3_store_u16(out, (uint16_t)clamp_round(v, 0, UINT16_MAX, &over));
        break;
    case DNP3_VT_U32: dnp3_store_u32(out, (uint32_t)clamp_round(v, 0, UINT32_MAX, &over)); break;
    case DNP3_VT_I16: dnp3_store_u16(out, (uint16_t)(int16_t)clamp_round(v, INT16_MIN, INT16_MAX, &over)); break;
    case DNP3_VT_I32: dnp3_store_u32(out, (uint32_t)(int32_t)clamp_round(v, INT32_MIN, INT32_MAX, &over)); break;
    case DNP3_VT_F32: {
        float f = (float)v;
        uint32_t u;
        memcpy(&u, &f, sizeof u);
        dnp3_store_u32(out, u);
        break;
    }
    case DNP3_VT_F64: {
        uint64_t u;
        memcpy(&u, &v, sizeof u);
        dnp3_store_u64(out, u);
        break;
    }
    default: break;
    }
    return over;
}

static uint8_t flags_with_state(const dnp3_obj_desc *d, const dnp3_point *p)
{
    uint8_t f = p->flags;
    if (d->point_type == DNP3_POINT_DOUBLE_BIT_INPUT)
        return (uint8_t)((f & 0x3F) | (((unsigned)p->value & 3u) << 6));
    if (is_stateful(d->point_type)) return (uint8_t)((f & 0x7F) | (p->value != 0 ? 0x80 : 0));
    return f;
}

int dnp3_point_encode(const dnp3_obj_desc *d, const dnp3_point *p, uint8_t *out)
{
    if (!d || d->kind != DNP3_KIND_FIXED || d->layout == DNP3_LAYOUT_OPAQUE) return DNP3_ERR_INVALID_ARG;
    unsigned vs = vt_size(d->vtype);
    uint8_t *q = out;
    switch (d->layout) {
    case DNP3_LAYOUT_F:
    case DNP3_LAYOUT_F_T48:
    case DNP3_LAYOUT_F_T16:
        q[0] = flags_with_state(d, p);
        if (d->layout == DNP3_LAYOUT_F_T48) dnp3_store_u48(q + 1, p->time);
        if (d->layout == DNP3_LAYOUT_F_T16) dnp3_store_u16(q + 1, (uint16_t)p->time);
        break;
    case DNP3_LAYOUT_F_V:
    case DNP3_LAYOUT_F_V_T48: {
        bool over = store_value(d->vtype, p->value, q + 1);
        q[0] = (uint8_t)(p->flags | ((over && is_analog(d->point_type)) ? DNP3_FLAG_OVER_RANGE : 0));
        if (d->layout == DNP3_LAYOUT_F_V_T48) dnp3_store_u48(q + 1 + vs, p->time);
        break;
    }
    case DNP3_LAYOUT_V: store_value(d->vtype, p->value, q); break;
    case DNP3_LAYOUT_V_S:
        store_value(d->vtype, p->value, q);
        q[vs] = p->status;
        break;
    case DNP3_LAYOUT_S_V:
    case DNP3_LAYOUT_S_V_T48:
        q[0] = p->status & 0x7F;
        store_value(d->vtype, p->value, q + 1);
        if (d->layout == DNP3_LAYOUT_S_V_T48) dnp3_store_u48(q + 1 + vs, p->time);
        break;
    case DNP3_LAYOUT_CS:
    case DNP3_LAYOUT_CS_T48:
        q[0] = (uint8_t)((p->value != 0 ? 0x80 : 0) | (p->status & 0x7F));
        if (d->layout == DNP3_LAYOUT_CS_T48) dnp3_store_u48(q + 1, p->time);
        break;
    case DNP3_LAYOUT_CROB:
        q[0] = p->crob.code;
        q[1] = p->crob.count;
        dnp3_store_u32(q + 2, p->crob.on_ms);
        dnp3_store_u32(q + 6, p->crob.off_ms);
        q[10] = p->crob.status;
        break;
    case DNP3_LAYOUT_T48:
    case DNP3_LAYOUT_T48_U32:
    case DNP3_LAYOUT_T48_U32_U8:
        dnp3_store_u48(q, p->time);
        if (d->layout != DNP3_LAYOUT_T48) dnp3_store_u32(q + 6, p->interval);
        if (d->layout == DNP3_LAYOUT_T48_U32_U8) q[10] = p->units;
        break;
    case DNP3_LAYOUT_SEC_STAT:
    case DNP3_LAYOUT_SEC_STAT_T48:
        q[0] = p->flags;
        dnp3_store_u16(q + 1, p->assoc);
        store_value(DNP3_VT_U32, p->value, q + 3);
        if (d->layout == DNP3_LAYOUT_SEC_STAT_T48) dnp3_store_u48(q + 7, p->time);
        break;
    default: return DNP3_ERR_INVALID_ARG;
    }
    return d->size;
}
