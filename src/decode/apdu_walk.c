/*
 * apdu_walk.c - walks an application fragment for the decoders (see
 * apdu_walk.h): header checks (clause 4.2.2.4 control rules), object headers
 * via the core's validating iterator, objects via the point codec, and a
 * precise message for every problem found.
 */
#include "apdu_walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "decode_fmt.h"

bool dnp3_walk_fc_from_outstation(uint8_t fc)
{
    return dnp3_fc_is_response(fc);
}

const char *dnp3_walk_ac_str(uint8_t ac, char *buf, size_t cap)
{
    snprintf(buf, cap, "FIR=%d FIN=%d CON=%d UNS=%d SEQ=%u", !!(ac & DNP3_AC_FIR), !!(ac & DNP3_AC_FIN),
             !!(ac & DNP3_AC_CON), !!(ac & DNP3_AC_UNS), (unsigned)dnp3_ac_seq(ac));
    return buf;
}

typedef struct {
    const walk_sink *s;
    void *ctx;
    int errors;
} walker;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
report(walker *w, size_t offset, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->errors++;
    if (w->s->error) w->s->error(w->ctx, offset, msg);
}

/* Why dnp3_apdu_check_control refused the header (docs/protocol-notes.md §3.1). */
static const char *control_problem(const dnp3_apdu *a)
{
    bool fir = a->control & DNP3_AC_FIR, fin = a->control & DNP3_AC_FIN;
    bool uns = a->control & DNP3_AC_UNS;
    switch (a->function) {
    case DNP3_FC_RESPONSE:
        if (uns) return "a solicited response must have UNS=0";
        break;
    case DNP3_FC_UNSOLICITED_RESPONSE:
        if (!uns) return "an unsolicited response must have UNS=1";
        if (!fir || !fin) return "an unsolicited response must have FIR=1 and FIN=1";
        break;
    case DNP3_FC_AUTH_RESPONSE: break;
    default:
        if (!fir || !fin) return "a request must have FIR=1 and FIN=1";
        if (uns && a->function != DNP3_FC_CONFIRM) return "UNS=1 is only allowed on CONFIRM";
        break;
    }
    return NULL;
}

/* Octets of the range field for a range code. */
static size_t range_field_size(unsigned range)
{
    static const uint8_t SZ[16] = {2, 4, 8, 1, 2, 4, 0, 1, 2, 4, 0, 1, 0, 0, 0, 0};
    return SZ[range & 15];
}

/*
 * For a header of fixed-size objects (no size prefix): how many objects its
 * range/count names and how many octets they need. False for other shapes.
 */
static bool need_octets(const dnp3_apdu *a, size_t hstart, const dnp3_obj_desc *d, uint64_t *need, uint64_t *count)
{
    dnp3_reader r;
    if (!d || hstart + 3 > a->objects_len) return false;
    dnp3_rd_init(&r, a->objects + hstart, a->objects_len - hstart);
    (void)dnp3_rd_u8(&r);
    uint8_t v = dnp3_rd_u8(&r), q = dnp3_rd_u8(&r);
    unsigned prefix = (q >> 4) & 7u, range = q & 15u;
    size_t size = d->kind == DNP3_KIND_FIXED ? d->size : d->kind == DNP3_KIND_OCTET_STRING ? v : 0;
    if (size == 0 || prefix > 3) return false;
    size_t pw = prefix == 0 ? 0 : prefix == 1 ? 1 : prefix == 2 ? 2 : 4;
    uint64_t n;
    if (range <= 2) {
        unsigned w = range == 0 ? 1 : range == 1 ? 2 : 4;
        uint32_t st = dnp3_rd_uint(&r, w), sp = dnp3_rd_uint(&r, w);
        n = (uint64_t)sp - st + 1;
    } else if (range <= 5) {
        n = 1;
    } else if (range >= 7 && range <= 9) {
        n = dnp3_rd_uint(&r, range == 7 ? 1 : range == 8 ? 2 : 4);
    } else {
        return false;
    }
    if (r.err) return false;
    *count = n;
    *need = n * (pw + size);
    return true;
}

static void header_error(walker *w, const dnp3_apdu *a, size_t objoff, size_t hstart, const dnp3_parse_error *e)
{
    const uint8_t g = e->group, v = e->variation, q = e->qualifier;
    const unsigned prefix = (q >> 4) & 7u, range = q & 15u;
    const size_t off = objoff + e->offset;
    const char *ename = dnp3_err_name(e->err);
    const dnp3_obj_desc *d = dnp3_obj_lookup(g, v);
    const size_t left = a->objects_len - hstart;
    uint64_t need = 0, count = 0;

    switch (e->err) {
    case DNP3_ERR_APP_UNEXPECTED_DATA:
        report(w, objoff, "function %s takes no objects, but %zu octets follow [%s]", dnp3_fc_name(a->function),
               a->objects_len, ename);
        return;
    case DNP3_ERR_APP_UNKNOWN_OBJECT:
        report(w, off, "object header g%uv%u: unknown group/variation [%s]", g, v, ename);
        return;
    case DNP3_ERR_APP_BAD_QUALIFIER:
        report(w, off, "object header g%uv%u: qualifier 0x%02X: %s [%s]", g, v, q,
               (q & 0x80)    ? "reserved bit 7 is set"
               : prefix == 7 ? "reserved prefix code 7"
                             : "reserved range code",
               ename);
        return;
    case DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED:
        report(w, off, "object header g%uv%u: qualifier 0x%02X (%s, %s) is not allowed for %s [%s]", g, v, q,
               dnp3_fmt_prefix_name(prefix), dnp3_fmt_range_name(range), d ? d->name : "this object", ename);
        return;
    case DNP3_ERR_APP_BAD_RANGE: {
        dnp3_reader r;
        dnp3_rd_init(&r, a->objects, a->objects_len);
        r.pos = hstart + 3;
        unsigned width = range == 0 ? 1 : range == 1 ? 2 : 4;
        uint32_t start = dnp3_rd_uint(&r, width), stop = dnp3_rd_uint(&r, width);
        report(w, off, "object header g%uv%u: qualifier 0x%02X range %u..%u (stop < start) [%s]", g, v, q,
               (unsigned)start, (unsigned)stop, ename);
        return;
    }
    case DNP3_ERR_APP_TRUNCATED:
        if (left < 3)
            report(w, off, "object header: fragment ends inside the header (%zu octet%s left) [%s]", left,
                   left == 1 ? "" : "s", ename);
        else if (left < 3 + range_field_size(range))
            report(w, off, "object header g%uv%u: qualifier 0x%02X: fragment ends inside the range field [%s]", g,
                   v, q, ename);
        else if (need_octets(a, hstart, d, &need, &count))
            report(w, off, "object header g%uv%u: qualifier 0x%02X: %llu object%s need %llu octets, %zu left [%s]",
                   g, v, q, (unsigned long long)count, count == 1 ? "" : "s", (unsigned long long)need,
                   a->objects_len - e->offset, ename);
        else
            report(
                w, off,
                "object header g%uv%u: qualifier 0x%02X: fragment ends inside the objects (%zu octets left) [%s]",
                g, v, q, a->objects_len - e->offset, ename);
        return;
    case DNP3_ERR_APP_COUNT_TOO_LARGE:
        report(w, off, "object header g%uv%u: qualifier 0x%02X: count does not fit the %zu octets left [%s]", g, v,
               q, a->objects_len - e->offset, ename);
        return;
    case DNP3_ERR_APP_ZERO_LENGTH:
        report(w, off, "object header g%uv%u: %s [%s]", g, v,
               (d && d->kind == DNP3_KIND_OCTET_STRING) ? "zero-length octet string" : "object of size 0", ename);
        return;
    case DNP3_ERR_APP_VARIATION_ZERO:
        report(w, off, "object header g%uv%u: variation 0 (any variation) where object data is required [%s]", g,
               v, ename);
        return;
    case DNP3_ERR_APP_OBJECT_NOT_ALLOWED:
        report(w, off, "object header g%uv%u: %s is not allowed in a %s [%s]", g, v, d ? d->name : "object",
               dnp3_fc_name(a->function), ename);
        return;
    case DNP3_ERR_APP_BAD_VALUE:
        report(w, off,
               "object header g%uv%u: qualifier 0x%02X: object size prefix does not match the object size [%s]", g,
               v, q, ename);
        return;
    default:
        report(w, off, "object header g%uv%u: qualifier 0x%02X: %s [%s]", g, v, q, dnp3_strerror(e->err), ename);
        return;
    }
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i > 0; i--) v = (v << 8) | p[i - 1];
    return v;
}

/* Interprets a device attribute's value by its data type (docs/protocol-notes.md §4.5). */
static void decode_attr(walk_obj *o, uint8_t type, const uint8_t *val, size_t n)
{
    walk_attr *at = &o->attr;
    at->type = type;
    at->form = WALK_ATTR_BYTES;
    o->bytes = val;
    o->nbytes = n;
    switch (type) {
    case DNP3_ATTR_VSTR: at->form = WALK_ATTR_STRING; break;
    case DNP3_ATTR_UINT:
        if (n >= 1 && n <= 8) {
            at->form = WALK_ATTR_UINT;
            at->u = load_le(val, n);
        }
        break;
    case DNP3_ATTR_INT:
        if (n >= 1 && n <= 8) {
            uint64_t u = load_le(val, n);
            if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~0ULL << (8 * n);
            at->form = WALK_ATTR_INT;
            at->i = (int64_t)u;
        }
        break;
    case DNP3_ATTR_FLT:
        if (n == 4) {
            uint32_t u = (uint32_t)load_le(val, 4);
            float f;
            memcpy(&f, &u, sizeof f);
            at->form = WALK_ATTR_FLOAT;
            at->f = f;
        } else if (n == 8) {
            uint64_t u = load_le(val, 8);
            double f;
            memcpy(&f, &u, sizeof f);
            at->form = WALK_ATTR_FLOAT;
            at->f = f;
        }
        break;
    case DNP3_ATTR_TIME:
        if (n == 6) {
            at->form = WALK_ATTR_TIME;
            at->time = load_le(val, 6);
        }
        break;
    case DNP3_ATTR_U8BS8LIST:
        if (n % 2 == 0) at->form = WALK_ATTR_LIST;
        break;
    default: break;
    }
}

typedef struct {
    bool valid;
    dnp3_time48 time;
} cto_state;

static void walk_objects(walker *w, const uint8_t *frag, size_t objoff, const dnp3_obj_header *h, cto_state *cto)
{
    const dnp3_obj_desc *d = h->desc;
    const bool index_prefix = h->prefix_code >= 1 && h->prefix_code <= 3;
    dnp3_obj_iter it;
    dnp3_obj ob;
    dnp3_obj_iter_init(&it, h);
    while (dnp3_obj_iter_next(&it, &ob)) {
        walk_obj o;
        memset(&o, 0, sizeof o);
        o.h = h;
        o.index = ob.index;
        o.has_index = h->has_range || index_prefix;
        o.offset = ob.data ? (size_t)(ob.data - frag) : objoff + h->offset;
        if (!h->has_data) {
            o.kind = WALK_OBJ_INDEX;
        } else {
            switch (d->kind) {
            case DNP3_KIND_OCTET_STRING:
                o.kind = WALK_OBJ_OCTETS;
                o.bytes = ob.data;
                o.nbytes = ob.size;
                break;
            case DNP3_KIND_ATTRIBUTE:
                o.kind = WALK_OBJ_ATTRIBUTE;
                if (ob.size >= 2) decode_attr(&o, ob.data[0], ob.data + 2, ob.size - 2);
                break;
            case DNP3_KIND_FREE_FORMAT:
                o.kind = WALK_OBJ_RAW;
                o.bytes = ob.data;
                o.nbytes = ob.size;
                break;
            default:
                if (dnp3_point_decode(d, ob.data, ob.size, ob.bits, &o.point) == DNP3_OK) {
                    o.kind = WALK_OBJ_POINT;
                } else {
                    o.kind = WALK_OBJ_RAW;
                    o.bytes = ob.data;
                    o.nbytes = ob.data ? ob.size : 0;
                }
                break;
            }
        }
        if (o.kind == WALK_OBJ_RAW && o.bytes &&
            dnp3_obj_fields_decode(h->group, h->variation, o.bytes, o.nbytes, &o.fields) && !o.fields.problem)
            o.kind = WALK_OBJ_FIELDS;
        if (o.kind == WALK_OBJ_POINT) {
            if (o.point.time_kind == DNP3_TIME_ABSOLUTE) {
                o.time_known = true;
                o.time = o.point.time;
            } else if (o.point.time_kind == DNP3_TIME_RELATIVE) {
                o.relative = true;
                o.rel_ms = (uint16_t)o.point.time;
                if (cto->valid) {
                    o.time_known = true;
                    o.time = (cto->time + o.rel_ms) & DNP3_TIME48_MAX;
                }
            }
        }
        if (w->s->object) w->s->object(w->ctx, &o);
        if (o.kind == WALK_OBJ_RAW && o.fields.problem)
            report(w, o.offset, "g%uv%u object %u (%zu octets): %s", h->group, h->variation, it.i, o.nbytes,
                   o.fields.problem);
        if (o.kind == WALK_OBJ_POINT && o.relative && !cto->valid)
            report(w, o.offset, "g%uv%u index %u: relative time without a preceding CTO (g51) in this fragment",
                   h->group, h->variation, (unsigned)o.index);
        if (o.kind == WALK_OBJ_POINT && h->group == 51) {
            cto->valid = true;
            cto->time = o.point.time;
        }
    }
}

int dnp3_apdu_walk(const uint8_t *frag, size_t len, const walk_sink *s, void *ctx)
{
    walker w = {s, ctx, 0};
    dnp3_apdu a;
    if (dnp3_apdu_parse(frag, len, &a) != DNP3_OK) {
        bool resp = len >= 2 && dnp3_fc_is_response(frag[1]);
        report(&w, 0, "application header: fragment of %zu octet%s is shorter than a %s header (%u octets) [%s]",
               len, len == 1 ? "" : "s", resp ? "response" : "request", resp ? 4u : 2u,
               dnp3_err_name(DNP3_ERR_APP_TRUNCATED));
        return w.errors;
    }
    if (s->begin) s->begin(ctx, &a);
    const size_t objoff = (size_t)(a.objects - frag);
    if (!dnp3_fc_name(a.function)) {
        if (a.objects_len)
            report(&w, 1, "function code 0x%02X is not defined; %zu octet%s after it not decoded", a.function,
                   a.objects_len, a.objects_len == 1 ? "" : "s");
        else
            report(&w, 1, "function code 0x%02X is not defined", a.function);
        return w.errors;
    }
    if (dnp3_apdu_check_control(&a) != DNP3_OK) {
        const char *why = control_problem(&a);
        report(&w, 0, "application control 0x%02X: %s [%s]", a.control,
               why ? why : dnp3_strerror(DNP3_ERR_APP_BAD_HEADER), dnp3_err_name(DNP3_ERR_APP_BAD_HEADER));
    }

    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_parse_error e;
    cto_state cto = {false, 0};
    dnp3_hdr_iter_init(&it, &a);
    for (;;) {
        size_t hstart = it.pos;
        memset(&e, 0, sizeof e);
        int rc = dnp3_hdr_iter_next(&it, &h, &e);
        if (rc == 0) break;
        if (rc < 0) {
            if (e.err == 0) e.err = rc;
            header_error(&w, &a, objoff, hstart, &e);
            break;
        }
        if (s->header) s->header(ctx, &h, objoff + h.offset);
        walk_objects(&w, frag, objoff, &h, &cto);
    }
    return w.errors;
}
