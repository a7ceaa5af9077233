/*
 * writer.c - bounded application fragment writer (IEEE 1815-2012 clause 4.2
 * fragment header, clause 4.3 object headers and qualifiers). Every append
 * checks the remaining room first and writes nothing when the item does not
 * fit (DNP3_ERR_FRAGMENT_FULL), so a response can continue in the next fragment.
 */
#include <string.h>

#include "core/cursor.h"
#include "dnp3/writer.h"

static int init(dnp3_apdu_writer *w, uint8_t *buf, size_t cap, size_t hdr)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    if (!buf || cap < hdr) return DNP3_ERR_BUFFER_TOO_SMALL;
    w->len = hdr;
    return DNP3_OK;
}

int dnp3_apdu_writer_init_request(dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t control, uint8_t function)
{
    int rc = init(w, buf, cap, 2);
    if (rc) return rc;
    buf[0] = control;
    buf[1] = function;
    return DNP3_OK;
}

int dnp3_apdu_writer_init_response(dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t control,
                                   uint8_t function, uint16_t iin)
{
    int rc = init(w, buf, cap, 4);
    if (rc) return rc;
    buf[0] = control;
    buf[1] = function;
    dnp3_store_u16(buf + 2, iin);
    return DNP3_OK;
}

void dnp3_apdu_writer_set_control(dnp3_apdu_writer *w, uint8_t control)
{
    if (w->len >= 1) w->buf[0] = control;
}

void dnp3_apdu_writer_set_iin(dnp3_apdu_writer *w, uint16_t iin)
{
    if (w->len >= 4) dnp3_store_u16(w->buf + 2, iin);
}

/* Reserves n octets at the end, or NULL (nothing changes) if they do not fit. */
static uint8_t *reserve(dnp3_apdu_writer *w, size_t n)
{
    if (n > w->cap - w->len) return NULL;
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

int dnp3_apdu_append(dnp3_apdu_writer *w, const uint8_t *data, size_t n)
{
    uint8_t *p = reserve(w, n);
    if (!p) return DNP3_ERR_FRAGMENT_FULL;
    if (n) memcpy(p, data, n);
    return DNP3_OK;
}

static unsigned width_for(uint32_t max)
{
    return max <= 0xFF ? 1u : max <= 0xFFFF ? 2u : 4u;
}

static unsigned code_for_width(unsigned width)
{
    return width == 1 ? 0u : width == 2 ? 1u : 2u;
}

/* Writes g, v, qualifier and up to two integers of `width` octets. */
static int put_header(dnp3_apdu_writer *w, uint8_t g, uint8_t v, uint8_t q, unsigned width, unsigned nvals,
                      uint32_t a, uint32_t b)
{
    uint8_t *p = reserve(w, 3 + (size_t)width * nvals);
    if (!p) return DNP3_ERR_FRAGMENT_FULL;
    dnp3_writer c;
    dnp3_wr_init(&c, p, 3 + (size_t)width * nvals);
    dnp3_wr_u8(&c, g);
    dnp3_wr_u8(&c, v);
    dnp3_wr_u8(&c, q);
    if (nvals > 0) dnp3_wr_uint(&c, width, a);
    if (nvals > 1) dnp3_wr_uint(&c, width, b);
    return DNP3_OK;
}

int dnp3_apdu_header_all(dnp3_apdu_writer *w, uint8_t group, uint8_t variation)
{
    return put_header(w, group, variation, DNP3_QUAL_ALL, 0, 0, 0, 0);
}

int dnp3_apdu_header_range(dnp3_apdu_writer *w, uint8_t group, uint8_t variation, uint32_t start, uint32_t stop)
{
    if (stop < start) return DNP3_ERR_INVALID_ARG;
    unsigned width = width_for(stop);
    return put_header(w, group, variation, (uint8_t)code_for_width(width), width, 2, start, stop);
}

int dnp3_apdu_header_count(dnp3_apdu_writer *w, uint8_t group, uint8_t variation, uint32_t count)
{
    unsigned width = width_for(count);
    return put_header(w, group, variation, (uint8_t)(7 + code_for_width(width)), width, 1, count, 0);
}

int dnp3_apdu_header_indices(dnp3_apdu_writer *w, uint8_t group, uint8_t variation, const uint32_t *indices,
                             size_t n)
{
    if (n == 0 || n > UINT32_MAX || !indices) return DNP3_ERR_INVALID_ARG;
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (indices[i] > max) max = indices[i];
    /* one width for both count and index: 0x17, 0x28 or 0x39 */
    unsigned width = width_for(max > n ? max : (uint32_t)n);
    unsigned code = code_for_width(width);
    size_t before = w->len;
    int rc = put_header(w, group, variation, (uint8_t)(((code + 1) << 4) | (7 + code)), width, 1, (uint32_t)n, 0);
    if (rc) return rc;
    uint8_t *p = reserve(w, n * width);
    if (!p) {
        w->len = before;
        return DNP3_ERR_FRAGMENT_FULL;
    }
    dnp3_writer c;
    dnp3_wr_init(&c, p, n * width);
    for (size_t i = 0; i < n; i++) dnp3_wr_uint(&c, width, indices[i]);
    return DNP3_OK;
}

static int begin(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t g, uint8_t v, uint8_t q, unsigned width,
                 unsigned nvals, uint32_t start)
{
    const dnp3_obj_desc *d = dnp3_obj_lookup(g, v);
    if (!d || d->kind == DNP3_KIND_NO_DATA) return DNP3_ERR_INVALID_ARG;
    if (d->kind == DNP3_KIND_OCTET_STRING && v == 0) return DNP3_ERR_INVALID_ARG;
    *m = (dnp3_hdr_mark){0};
    m->desc = d;
    m->header_pos = w->len;
    m->qualifier = q;
    m->start = start;
    int rc = put_header(w, g, v, q, width, nvals, start, start);
    if (rc) return rc;
    m->data_pos = w->len;
    return DNP3_OK;
}

int dnp3_apdu_begin_range(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation, uint32_t start)
{
    const dnp3_obj_desc *d = dnp3_obj_lookup(group, variation);
    if (!d || d->kind == DNP3_KIND_FREE_FORMAT || d->kind == DNP3_KIND_ATTRIBUTE) return DNP3_ERR_INVALID_ARG;
    return start <= 0xFFFF ? begin(w, m, group, variation, DNP3_QUAL_START_STOP_16, 2, 2, start)
                           : begin(w, m, group, variation, 0x02, 4, 2, start);
}

int dnp3_apdu_begin_range_auto(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                               uint32_t start, uint32_t last)
{
    if (start > last || last > 0xFF) return dnp3_apdu_begin_range(w, m, group, variation, start);
    const dnp3_obj_desc *d = dnp3_obj_lookup(group, variation);
    if (!d || d->kind == DNP3_KIND_FREE_FORMAT || d->kind == DNP3_KIND_ATTRIBUTE) return DNP3_ERR_INVALID_ARG;
    return begin(w, m, group, variation, DNP3_QUAL_START_STOP_8, 1, 2, start);
}

int dnp3_apdu_begin_indexed_auto(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                                 uint32_t first_index)
{
    return dnp3_apdu_begin_indexed(w, m, group, variation,
                                   first_index <= 0xFF ? DNP3_QUAL_COUNT_8_INDEX_8 : DNP3_QUAL_COUNT_16_INDEX_16);
}

int dnp3_apdu_begin_indexed(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                            uint8_t qualifier)
{
    unsigned prefix = (qualifier >> 4) & 7u, range = qualifier & 0xFu;
    if (prefix < 1 || prefix > 3 || range < 7 || range > 9) return DNP3_ERR_INVALID_ARG;
    const dnp3_obj_desc *d = dnp3_obj_lookup(group, variation);
    if (!d || (d->kind != DNP3_KIND_FIXED && d->kind != DNP3_KIND_OCTET_STRING)) return DNP3_ERR_INVALID_ARG;
    unsigned cw = range == 7 ? 1u : range == 8 ? 2u : 4u;
    return begin(w, m, group, variation, qualifier, cw, 1, 0);
}

int dnp3_apdu_begin_count(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation)
{
    const dnp3_obj_desc *d = dnp3_obj_lookup(group, variation);
    if (!d || d->kind != DNP3_KIND_FIXED) return DNP3_ERR_INVALID_ARG;
    return begin(w, m, group, variation, DNP3_QUAL_COUNT_8, 1, 1, 0);
}

int dnp3_apdu_begin_free(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation)
{
    const dnp3_obj_desc *d = dnp3_obj_lookup(group, variation);
    if (!d || (d->kind != DNP3_KIND_FREE_FORMAT && d->kind != DNP3_KIND_FIXED)) return DNP3_ERR_INVALID_ARG;
    return begin(w, m, group, variation, DNP3_QUAL_FREE_FORMAT_16, 1, 1, 0);
}

/* Octets of the count field of a count-qualified header (0 for range headers). */
static unsigned count_width(uint8_t q)
{
    unsigned range = q & 0xFu;
    return range == 7 || range == 0xB ? 1u : range == 8 ? 2u : range == 9 ? 4u : 0u;
}

static unsigned prefix_width(uint8_t q)
{
    unsigned prefix = (q >> 4) & 7u;
    return prefix == 0 ? 0u : prefix == 1 || prefix == 4 ? 1u : prefix == 2 || prefix == 5 ? 2u : 4u;
}

static uint32_t max_count(uint8_t q)
{
    unsigned cw = count_width(q);
    return cw == 1 ? 0xFFu : cw == 2 ? 0xFFFFu : cw == 4 ? UINT32_MAX : ((q & 0xF) == 1 ? 0xFFFFu : UINT32_MAX);
}

/*
 * Checks that one more object with this index may join the header: the count
 * field must not overflow and range headers need consecutive indices that
 * fit the range field. DNP3_ERR_STATE means "close this header, open another".
 */
static int check_next(const dnp3_hdr_mark *m, uint32_t index)
{
    if (m->count >= max_count(m->qualifier)) return DNP3_ERR_STATE;
    if (count_width(m->qualifier) == 0) {
        if (index != m->start + m->count) return DNP3_ERR_INVALID_ARG;
        if ((m->qualifier & 0xF) == 0 && index > 0xFF) return DNP3_ERR_INVALID_ARG;
        if ((m->qualifier & 0xF) == 1 && index > 0xFFFF) return DNP3_ERR_INVALID_ARG;
    } else {
        unsigned pw = prefix_width(m->qualifier);
        if (((m->qualifier >> 4) & 7u) <= 3 && pw && pw < 4 && index >= (1u << (8 * pw)))
            return DNP3_ERR_INVALID_ARG;
    }
    return DNP3_OK;
}

/* Reserves room for one object of `size` octets plus its prefix and writes the prefix. */
static uint8_t *reserve_object(dnp3_apdu_writer *w, const dnp3_hdr_mark *m, uint32_t index, size_t size)
{
    unsigned pw = prefix_width(m->qualifier);
    bool size_prefix = ((m->qualifier >> 4) & 7u) >= 4;
    uint8_t *p = reserve(w, pw + size);
    if (!p) return NULL;
    dnp3_writer c;
    dnp3_wr_init(&c, p, pw);
    if (pw) dnp3_wr_uint(&c, pw, size_prefix ? (uint32_t)size : index);
    return p + pw;
}

static int add_packed(dnp3_apdu_writer *w, dnp3_hdr_mark *m, unsigned value)
{
    unsigned bits = m->desc->kind == DNP3_KIND_PACKED_BIT ? 1u : 2u;
    if (m->bit_pos == 0) {
        uint8_t *p = reserve(w, 1);
        if (!p) return DNP3_ERR_FRAGMENT_FULL;
        *p = 0;
    }
    w->buf[w->len - 1] |= (uint8_t)((value & ((1u << bits) - 1)) << m->bit_pos);
    m->bit_pos = (uint8_t)((m->bit_pos + bits) % 8);
    m->count++;
    return DNP3_OK;
}

int dnp3_apdu_add_point(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const dnp3_point *p)
{
    int rc = check_next(m, index);
    if (rc) return rc;
    const dnp3_obj_desc *d = m->desc;
    if (d->kind == DNP3_KIND_PACKED_BIT || d->kind == DNP3_KIND_PACKED_DBIT)
        return add_packed(w, m, (unsigned)p->value);
    if (d->kind != DNP3_KIND_FIXED || d->layout == DNP3_LAYOUT_OPAQUE) return DNP3_ERR_INVALID_ARG;
    size_t before = w->len;
    uint8_t *o = reserve_object(w, m, index, d->size);
    if (!o) return DNP3_ERR_FRAGMENT_FULL;
    if (dnp3_point_encode(d, p, o) < 0) {
        w->len = before;
        return DNP3_ERR_INVALID_ARG;
    }
    m->count++;
    return DNP3_OK;
}

int dnp3_apdu_add_raw(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const uint8_t *obj, size_t size)
{
    int rc = check_next(m, index);
    if (rc) return rc;
    const dnp3_obj_desc *d = m->desc;
    bool size_prefix = ((m->qualifier >> 4) & 7u) >= 4;
    if (size == 0 || (size_prefix && size > (prefix_width(m->qualifier) == 1 ? 0xFFu : 0xFFFFu)))
        return DNP3_ERR_INVALID_ARG;
    if (d->kind == DNP3_KIND_FIXED && size != d->size) return DNP3_ERR_INVALID_ARG;
    if (d->kind == DNP3_KIND_OCTET_STRING && size != w->buf[m->header_pos + 1]) return DNP3_ERR_INVALID_ARG;
    if (d->kind == DNP3_KIND_PACKED_BIT || d->kind == DNP3_KIND_PACKED_DBIT) return DNP3_ERR_INVALID_ARG;
    if (d->kind == DNP3_KIND_ATTRIBUTE && (size < 2 || (size_t)obj[1] + 2 != size)) return DNP3_ERR_INVALID_ARG;
    uint8_t *o = reserve_object(w, m, index, size);
    if (!o) return DNP3_ERR_FRAGMENT_FULL;
    memcpy(o, obj, size);
    m->count++;
    return DNP3_OK;
}

int dnp3_apdu_add_crob(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const dnp3_crob *c)
{
    dnp3_point p = {0};
    p.crob = *c;
    return dnp3_apdu_add_point(w, m, index, &p);
}

uint32_t dnp3_apdu_end(dnp3_apdu_writer *w, dnp3_hdr_mark *m)
{
    if (m->count == 0) {
        w->len = m->header_pos;
        return 0;
    }
    uint8_t *range = w->buf + m->header_pos + 3;
    unsigned cw = count_width(m->qualifier);
    dnp3_writer c;
    if (cw) {
        dnp3_wr_init(&c, range, cw);
        dnp3_wr_uint(&c, cw, m->count);
    } else {
        unsigned width = (m->qualifier & 0xF) == 0 ? 1u : (m->qualifier & 0xF) == 1 ? 2u : 4u;
        dnp3_wr_init(&c, range + width, width);
        dnp3_wr_uint(&c, width, m->start + m->count - 1);
    }
    return m->count;
}
