/*
 * parser.c - object headers and objects of an application fragment (IEEE
 * 1815-2012 clause 4.3 "object headers": qualifier = object prefix code +
 * range specifier code), checked per DNP Users Group AN2013-004b.
 *
 * Pass 1 (dnp3_hdr_iter_next / dnp3_apdu_validate) walks every header and
 * proves that all of its objects lie inside the fragment: counts are checked
 * against the remaining length before any multiplication can overflow, ranges
 * with stop < start, reserved codes, qualifiers that make no sense for the
 * object kind, zero-length octet strings and free-format objects are rejected.
 * Pass 2 (dnp3_obj_iter_next) then walks the objects of a validated header and
 * cannot fail. Everything points into the caller's buffer; nothing allocates.
 */
#include "core/cursor.h"
#include "dnp3/app.h"

/* Largest count of a header that still "could fit" somewhere; beyond it the count is absurd. */
#define PLAUSIBLE_MAX 65535u

static unsigned width_of_code(unsigned code)
{
    /* 0 -> 1, 1 -> 2, 2 -> 4 (range codes 0-2, 3-5 and 7-9 share this pattern) */
    return code == 0 ? 1u : code == 1 ? 2u : 4u;
}

static int fail(dnp3_hdr_iter *it, dnp3_parse_error *e, int err, size_t offset, uint8_t g, uint8_t v, uint8_t q)
{
    it->err = err;
    it->last_error.err = err;
    it->last_error.offset = offset;
    it->last_error.group = g;
    it->last_error.variation = v;
    it->last_error.qualifier = q;
    it->pos = it->len;
    if (e) *e = it->last_error;
    return err;
}

void dnp3_hdr_iter_init(dnp3_hdr_iter *it, const dnp3_apdu *apdu)
{
    it->buf = apdu->objects;
    it->len = apdu->objects_len;
    it->pos = 0;
    it->function = apdu->function;
    it->is_response = dnp3_fc_is_response(apdu->function);
    it->err = 0;
    it->last_error = (dnp3_parse_error){0, 0, 0, 0, 0};
}

/* The error for `need` octets when only `have` remain. */
static int shortfall_error(uint64_t count, uint64_t need)
{
    return (count > PLAUSIBLE_MAX || need > PLAUSIBLE_MAX) ? DNP3_ERR_APP_COUNT_TOO_LARGE : DNP3_ERR_APP_TRUNCATED;
}

/*
 * Walks `count` objects that each carry their own length (size prefixes,
 * device attributes) and returns the octets they occupy, or a negative error
 * with *bad_off set to the offset (relative to data) of the offending object.
 */
static int64_t walk_variable(const uint8_t *data, size_t avail, uint64_t count, unsigned size_width,
                             size_t fixed_size, bool attribute, size_t *bad_off)
{
    size_t min_each = attribute ? 2 : size_width; /* every object consumes at least this */
    if (count > avail / min_each) {
        *bad_off = 0;
        return shortfall_error(count, count * min_each);
    }
    dnp3_reader r;
    dnp3_rd_init(&r, data, avail);
    for (uint64_t i = 0; i < count; i++) {
        size_t obj_start = r.pos;
        size_t size;
        if (attribute) {
            (void)dnp3_rd_u8(&r); /* data type */
            size = dnp3_rd_u8(&r);
        } else {
            size = dnp3_rd_uint(&r, size_width);
            if (!r.err && size == 0) {
                *bad_off = obj_start;
                return DNP3_ERR_APP_ZERO_LENGTH;
            }
            if (!r.err && fixed_size && size != fixed_size) {
                *bad_off = obj_start;
                return DNP3_ERR_APP_BAD_VALUE;
            }
        }
        if (!r.err) (void)dnp3_rd_bytes(&r, size);
        if (r.err) {
            *bad_off = obj_start;
            return DNP3_ERR_APP_TRUNCATED;
        }
    }
    return (int64_t)r.pos;
}

int dnp3_hdr_iter_next(dnp3_hdr_iter *it, dnp3_obj_header *h, dnp3_parse_error *e)
{
    if (it->err) {
        if (e) *e = it->last_error;
        return it->err;
    }
    if (it->pos >= it->len) return 0;
    if (it->pos == 0 && dnp3_fc_no_objects(it->function))
        return fail(it, e, DNP3_ERR_APP_UNEXPECTED_DATA, 0, 0, 0, 0);

    const size_t start_pos = it->pos;
    dnp3_reader r;
    dnp3_rd_init(&r, it->buf + start_pos, it->len - start_pos);
    uint8_t g = dnp3_rd_u8(&r), v = dnp3_rd_u8(&r);
    /* an unknown object is named as such even when the fragment stops before its qualifier */
    const dnp3_obj_desc *d = r.err ? NULL : dnp3_obj_lookup(g, v);
    if (!r.err && !d) return fail(it, e, DNP3_ERR_APP_UNKNOWN_OBJECT, start_pos, g, v, 0);
    uint8_t q = dnp3_rd_u8(&r);
    if (r.err) return fail(it, e, DNP3_ERR_APP_TRUNCATED, it->len, g, v, q);

    const unsigned prefix = (q >> 4) & 7u, range = q & 0x0Fu;
    if ((q & 0x80) || prefix == 7 || range == 0xA || range > 0xB)
        return fail(it, e, DNP3_ERR_APP_BAD_QUALIFIER, start_pos + 2, g, v, q);

    const bool headers_only = dnp3_fc_headers_only(it->function);
    const bool no_data_kind = d->kind == DNP3_KIND_NO_DATA;
    /* responses carry data for every object; "any variation" and class objects have none */
    if (it->is_response && no_data_kind)
        return fail(it, e,
                    d->point_type == DNP3_POINT_CLASS ? DNP3_ERR_APP_OBJECT_NOT_ALLOWED
                                                      : DNP3_ERR_APP_VARIATION_ZERO,
                    start_pos, g, v, q);
    /* a size-prefixed free-format object carries data even in a READ: READ g70v5 qualifier 0x5B
     * names the file handle and block to read (IEEE 1815-2012 file transfer, Annex A g70v5) */
    const bool size_prefixed_free = d->kind == DNP3_KIND_FREE_FORMAT && prefix >= 4;
    const bool has_data = (!headers_only || size_prefixed_free) && !no_data_kind;

    *h = (dnp3_obj_header){0};
    h->group = g;
    h->variation = v;
    h->qualifier = q;
    h->desc = d;
    h->prefix_code = (uint8_t)prefix;
    h->range_code = (uint8_t)range;
    h->offset = start_pos;
    h->has_data = has_data;

    uint64_t count = 0;
    if (range <= 2) {
        unsigned w = width_of_code(range);
        uint32_t a = dnp3_rd_uint(&r, w), b = dnp3_rd_uint(&r, w);
        if (r.err) return fail(it, e, DNP3_ERR_APP_TRUNCATED, it->len, g, v, q);
        if (b < a) return fail(it, e, DNP3_ERR_APP_BAD_RANGE, start_pos + 3, g, v, q);
        h->has_range = true;
        h->start = a;
        h->stop = b;
        count = (uint64_t)b - a + 1;
    } else if (range <= 5) {
        uint32_t a = dnp3_rd_uint(&r, width_of_code(range - 3));
        if (r.err) return fail(it, e, DNP3_ERR_APP_TRUNCATED, it->len, g, v, q);
        h->has_range = true;
        h->start = h->stop = a;
        count = 1;
    } else if (range == 6) {
        h->all = true;
    } else if (range <= 9) {
        count = dnp3_rd_uint(&r, width_of_code(range - 7));
    } else { /* 0xB: free format, 1-octet count */
        count = dnp3_rd_u8(&r);
    }
    if (r.err) return fail(it, e, DNP3_ERR_APP_TRUNCATED, it->len, g, v, q);
    h->count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;

    const bool index_prefix = prefix >= 1 && prefix <= 3;
    const bool size_prefix = prefix >= 4;
    const bool count_range = range >= 7 && range <= 9;
    h->prefix_width = prefix == 0 ? 0 : (uint8_t)width_of_code((prefix - 1) % 3);

    /* qualifier shapes that make sense at all */
    if (index_prefix && !count_range)
        return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);
    if (size_prefix && !(count_range || range == 0xB))
        return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);
    if (range == 0xB && !size_prefix)
        return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);

    const size_t data_off = start_pos + r.pos;
    const size_t avail = it->len - data_off;
    const uint8_t *data = it->buf + data_off;
    uint64_t need = 0;

    if (!has_data) {
        if (size_prefix) return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);
        if (index_prefix) need = count * h->prefix_width; /* READ by index list */
    } else {
        if (range == 6) return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);
        switch (d->kind) {
        case DNP3_KIND_FIXED:
        case DNP3_KIND_OCTET_STRING: {
            size_t osize = d->kind == DNP3_KIND_FIXED ? d->size : v;
            if (osize == 0) return fail(it, e, DNP3_ERR_APP_ZERO_LENGTH, start_pos + 1, g, v, q);
            if (size_prefix) {
                size_t bad = 0;
                int64_t n = walk_variable(data, avail, count, h->prefix_width, osize, false, &bad);
                if (n < 0) return fail(it, e, (int)n, data_off + bad, g, v, q);
                need = (uint64_t)n;
            } else {
                need = count * (h->prefix_width + osize);
            }
            break;
        }
        case DNP3_KIND_PACKED_BIT:
        case DNP3_KIND_PACKED_DBIT:
            if (prefix != 0) return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);
            need = (count * (d->kind == DNP3_KIND_PACKED_BIT ? 1u : 2u) + 7) / 8;
            break;
        case DNP3_KIND_ATTRIBUTE: {
            if (prefix != 0) return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);
            size_t bad = 0;
            int64_t n = walk_variable(data, avail, count, 0, 0, true, &bad);
            if (n < 0) return fail(it, e, (int)n, data_off + bad, g, v, q);
            need = (uint64_t)n;
            break;
        }
        case DNP3_KIND_FREE_FORMAT: {
            if (!size_prefix) return fail(it, e, DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, start_pos + 2, g, v, q);
            size_t bad = 0;
            int64_t n = walk_variable(data, avail, count, h->prefix_width, 0, false, &bad);
            if (n < 0) return fail(it, e, (int)n, data_off + bad, g, v, q);
            need = (uint64_t)n;
            break;
        }
        default: break;
        }
    }
    if (need > avail) return fail(it, e, shortfall_error(count, need), data_off, g, v, q);

    h->data = need ? data : NULL;
    h->data_len = (size_t)need;
    it->pos = data_off + (size_t)need;
    return 1;
}

int dnp3_apdu_validate(const dnp3_apdu *apdu, dnp3_parse_error *e)
{
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    int n = 0, rc;
    dnp3_hdr_iter_init(&it, apdu);
    while ((rc = dnp3_hdr_iter_next(&it, &h, e)) > 0) n++;
    return rc < 0 ? rc : n;
}

void dnp3_obj_iter_init(dnp3_obj_iter *it, const dnp3_obj_header *h)
{
    it->h = h;
    it->pos = 0;
    it->i = 0;
}

static uint32_t load_uint(const uint8_t *p, unsigned width)
{
    return width == 1 ? p[0] : width == 2 ? dnp3_load_u16(p) : dnp3_load_u32(p);
}

bool dnp3_obj_iter_next(dnp3_obj_iter *it, dnp3_obj *o)
{
    const dnp3_obj_header *h = it->h;
    const dnp3_obj_desc *d = h->desc;
    const bool index_prefix = h->prefix_code >= 1 && h->prefix_code <= 3;
    const bool size_prefix = h->prefix_code >= 4;
    if (it->i >= h->count) return false;
    if (!h->has_data && !(index_prefix && h->data_len)) return false;

    *o = (dnp3_obj){0};
    o->index = h->has_range ? h->start + it->i : it->i;
    if (!h->has_data) { /* index list of a READ */
        o->index = load_uint(h->data + it->pos, h->prefix_width);
        it->pos += h->prefix_width;
        it->i++;
        return true;
    }
    switch (d->kind) {
    case DNP3_KIND_PACKED_BIT:
    case DNP3_KIND_PACKED_DBIT: {
        unsigned bits = d->kind == DNP3_KIND_PACKED_BIT ? 1 : 2;
        size_t bitpos = (size_t)it->i * bits;
        o->bits = (uint8_t)((h->data[bitpos / 8] >> (bitpos % 8)) & ((1u << bits) - 1));
        break;
    }
    case DNP3_KIND_ATTRIBUTE:
        o->data = h->data + it->pos;
        o->size = 2u + h->data[it->pos + 1];
        it->pos += o->size;
        break;
    default: {
        if (index_prefix) {
            o->index = load_uint(h->data + it->pos, h->prefix_width);
            it->pos += h->prefix_width;
        }
        size_t size = d->kind == DNP3_KIND_FIXED ? d->size : h->variation;
        if (size_prefix) {
            size = load_uint(h->data + it->pos, h->prefix_width);
            it->pos += h->prefix_width;
        }
        o->data = h->data + it->pos;
        o->size = size;
        it->pos += size;
        break;
    }
    }
    it->i++;
    return true;
}

uint16_t dnp3_parse_error_iin(int err)
{
    switch (err) {
    case DNP3_ERR_APP_UNKNOWN_OBJECT: return DNP3_IIN2_OBJECT_UNKNOWN;
    case DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED:
    case DNP3_ERR_APP_OBJECT_NOT_ALLOWED: return DNP3_IIN2_NO_FUNC_CODE_SUPPORT;
    default: return DNP3_IIN2_PARAMETER_ERROR;
    }
}
