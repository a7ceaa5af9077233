/*
 * measurements.c - every object of an accepted response to the measurement
 * callback, in the order received, between fragment begin/end marks
 * (IEEE 1815-2012 Annex A object library; g51 common time-of-occurrence for
 * relative-time events g2v3/g4v3; g0 device attributes: type, length, value).
 *
 * The fragment has passed validation (pass 1), so the iteration (pass 2)
 * cannot fail. A CTO applies to the relative-time objects that follow it in
 * the same fragment; without one, such objects keep their raw 16-bit offset
 * with time_kind DNP3_TIME_RELATIVE.
 */
#include <string.h>

#include "master/master_internal.h"

/* Value of a UINT / INT / FLT device attribute (little-endian, 1..8 octets). */
static double attribute_number(uint8_t type, const uint8_t *v, size_t n)
{
    if (n == 0 || n > 8) return 0;
    uint64_t u = 0;
    for (size_t i = 0; i < n; i++) u |= (uint64_t)v[i] << (8 * i);
    switch (type) {
    case DNP3_ATTR_UINT: return (double)u;
    case DNP3_ATTR_INT: {
        if (n < 8 && (u >> (8 * n - 1)) & 1u) u |= ~0ULL << (8 * n); /* sign-extend */
        int64_t s;
        memcpy(&s, &u, sizeof s);
        return (double)s;
    }
    case DNP3_ATTR_FLT:
        if (n == 4) {
            uint32_t w = (uint32_t)u;
            float f;
            memcpy(&f, &w, sizeof f);
            return f;
        }
        if (n == 8) {
            double d;
            memcpy(&d, &u, sizeof d);
            return d;
        }
        return 0;
    default: return 0;
    }
}

typedef struct {
    bool have;
    bool unsync;
    dnp3_time48 time;
} cto_state;

static void fill_point(dnp3_measurement *mm, const dnp3_point *p, cto_state *cto, const dnp3_obj_header *h)
{
    mm->point = p;
    mm->value = p->value;
    mm->has_flags = p->has_flags;
    mm->flags = p->flags;
    mm->time_kind = (dnp3_time_kind)p->time_kind;
    mm->time = p->time;
    if (h->group == 51) {
        cto->have = true;
        cto->unsync = h->variation == 2;
        cto->time = p->time;
    }
    if (p->time_kind == DNP3_TIME_RELATIVE && cto->have) {
        mm->time = (cto->time + p->time) & DNP3_TIME48_MAX;
        mm->time_kind = DNP3_TIME_ABSOLUTE;
        mm->from_cto = true;
        mm->cto_unsynchronized = cto->unsync;
    }
}

uint32_t dnp3_mst_deliver(dnp3_master_assoc *a, const dnp3_apdu *apdu, const dnp3_rx_info *info)
{
    const dnp3_master_handler *hd = &a->m->cfg.handler;
    uint32_t count = 0;
    cto_state cto = {false, false, 0};
    if (hd->fragment_begin) hd->fragment_begin(hd->ctx, a, info);

    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, apdu);
    while (dnp3_hdr_iter_next(&it, &h, NULL) > 0) {
        const dnp3_obj_desc *d = h.desc;
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        while (dnp3_obj_iter_next(&oi, &o)) {
            dnp3_measurement mm = {0};
            dnp3_point p;
            mm.type = (dnp3_point_type)d->point_type;
            mm.group = h.group;
            mm.variation = h.variation;
            mm.event = d->event;
            mm.index = o.index;
            switch (d->kind) {
            case DNP3_KIND_FIXED:
            case DNP3_KIND_PACKED_BIT:
            case DNP3_KIND_PACKED_DBIT:
                if (dnp3_point_decode(d, o.data, o.size, o.bits, &p) == DNP3_OK) {
                    fill_point(&mm, &p, &cto, &h);
                } else {
                    mm.octets = o.data;
                    mm.octets_len = o.size;
                }
                break;
            case DNP3_KIND_ATTRIBUTE:
                if (o.data && o.size >= 2) {
                    mm.attr_type = o.data[0];
                    mm.octets = o.data + 2;
                    mm.octets_len = o.size - 2;
                    mm.value = attribute_number(mm.attr_type, mm.octets, mm.octets_len);
                }
                break;
            default:
                mm.octets = o.data;
                mm.octets_len = o.size;
                break;
            }
            count++;
            if (hd->measurement) hd->measurement(hd->ctx, a, &mm);
        }
    }
    if (hd->fragment_end) hd->fragment_end(hd->ctx, a, info);
    return count;
}
