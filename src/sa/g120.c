/*
 * g120.c - the Secure Authentication objects, group 120 variations 1..15
 * (IEEE 1815-2012 clause 7, authentication objects; layouts as in docs/protocol-notes.md §7.2).
 *
 * Fields "with length" carry all their 16-bit lengths first, then the data in
 * the same order; a trailing remainder field fills the rest of the object.
 * Decoding is strict: every length must add up to the object size exactly,
 * so a lying length, a truncation or trailing octets are rejected; challenge
 * data and MACs must have at least 4 octets.
 */
#include "sa/sa_internal.h"

#define MIN_FIELD 4

static int take_rest(dnp3_reader *r, const uint8_t **p, size_t *n)
{
    *n = dnp3_rd_remaining(r);
    *p = dnp3_rd_bytes(r, *n);
    return r->err;
}

int dnp3_g120_decode(uint8_t variation, const uint8_t *obj, size_t len, dnp3_g120 *o)
{
    if (!o || (!obj && len)) return DNP3_ERR_INVALID_ARG;
    memset(o, 0, sizeof *o);
    o->variation = variation;
    dnp3_reader r;
    dnp3_rd_init(&r, obj, len);
    size_t l1 = 0, l2 = 0, l3 = 0;
    switch (variation) {
    case 1:
        o->seq = dnp3_rd_u32(&r);
        o->user = dnp3_rd_u16(&r);
        o->mal = dnp3_rd_u8(&r);
        o->reason = dnp3_rd_u8(&r);
        if (take_rest(&r, &o->data, &o->data_len)) return r.err;
        if (o->data_len < MIN_FIELD || o->data_len > DNP3_SA_MAX_CHALLENGE) return DNP3_ERR_APP_BAD_VALUE;
        return DNP3_OK;
    case 2:
        o->seq = dnp3_rd_u32(&r);
        o->user = dnp3_rd_u16(&r);
        if (take_rest(&r, &o->data, &o->data_len)) return r.err;
        return o->data_len < MIN_FIELD || o->data_len > 32 ? DNP3_ERR_APP_BAD_VALUE : DNP3_OK;
    case 3:
        o->seq = dnp3_rd_u32(&r);
        o->user = dnp3_rd_u16(&r);
        if (r.err) return r.err;
        return dnp3_rd_remaining(&r) ? DNP3_ERR_APP_BAD_VALUE : DNP3_OK;
    case 4:
        o->user = dnp3_rd_u16(&r);
        if (r.err) return r.err;
        return dnp3_rd_remaining(&r) ? DNP3_ERR_APP_BAD_VALUE : DNP3_OK;
    case 5:
        o->seq = dnp3_rd_u32(&r);
        o->user = dnp3_rd_u16(&r);
        o->kwa = dnp3_rd_u8(&r);
        o->ks = dnp3_rd_u8(&r);
        o->mal = dnp3_rd_u8(&r);
        l1 = dnp3_rd_u16(&r);
        o->data = dnp3_rd_bytes(&r, l1);
        o->data_len = l1;
        if (take_rest(&r, &o->data2, &o->data2_len)) return r.err;
        if (l1 < MIN_FIELD || l1 > DNP3_SA_MAX_CHALLENGE || o->data2_len > 32) return DNP3_ERR_APP_BAD_VALUE;
        return DNP3_OK;
    case 6:
        o->seq = dnp3_rd_u32(&r);
        o->user = dnp3_rd_u16(&r);
        if (take_rest(&r, &o->data, &o->data_len)) return r.err;
        return o->data_len < 24 ? DNP3_ERR_APP_BAD_VALUE : DNP3_OK;
    case 7:
        o->seq = dnp3_rd_u32(&r);
        o->user = dnp3_rd_u16(&r);
        o->assoc = dnp3_rd_u16(&r);
        o->error = dnp3_rd_u8(&r);
        o->time = dnp3_rd_u48(&r);
        return take_rest(&r, &o->data, &o->data_len);
    case 8:
        o->kcm = dnp3_rd_u8(&r);
        o->cert_type = dnp3_rd_u8(&r);
        if (take_rest(&r, &o->data, &o->data_len)) return r.err;
        return o->data_len ? DNP3_OK : DNP3_ERR_APP_BAD_VALUE;
    case 9:
    case 14:
    case 15:
        if (take_rest(&r, &o->data, &o->data_len)) return r.err;
        return o->data_len < MIN_FIELD ? DNP3_ERR_APP_BAD_VALUE : DNP3_OK;
    case 10:
        o->kcm = dnp3_rd_u8(&r);
        o->op = dnp3_rd_u8(&r);
        o->seq = dnp3_rd_u32(&r);
        o->role = dnp3_rd_u16(&r);
        o->role_expiry = dnp3_rd_u16(&r);
        l1 = dnp3_rd_u16(&r);
        l2 = dnp3_rd_u16(&r);
        l3 = dnp3_rd_u16(&r);
        if (r.err) return r.err;
        if (l1 + l2 + l3 != dnp3_rd_remaining(&r) || l1 == 0) return DNP3_ERR_APP_BAD_VALUE;
        o->data = dnp3_rd_bytes(&r, l1);
        o->data2 = dnp3_rd_bytes(&r, l2);
        o->data3 = dnp3_rd_bytes(&r, l3);
        o->data_len = l1;
        o->data2_len = l2;
        o->data3_len = l3;
        return r.err;
    case 11:
        o->kcm = dnp3_rd_u8(&r);
        l1 = dnp3_rd_u16(&r);
        l2 = dnp3_rd_u16(&r);
        if (r.err) return r.err;
        if (l1 + l2 != dnp3_rd_remaining(&r) || l1 == 0 || l2 < MIN_FIELD) return DNP3_ERR_APP_BAD_VALUE;
        o->data = dnp3_rd_bytes(&r, l1);
        o->data2 = dnp3_rd_bytes(&r, l2);
        o->data_len = l1;
        o->data2_len = l2;
        return r.err;
    case 12:
    case 13:
        o->seq = dnp3_rd_u32(&r);
        o->user = dnp3_rd_u16(&r);
        l1 = dnp3_rd_u16(&r);
        if (r.err) return r.err;
        if (l1 != dnp3_rd_remaining(&r) || l1 < MIN_FIELD) return DNP3_ERR_APP_BAD_VALUE;
        o->data = dnp3_rd_bytes(&r, l1);
        o->data_len = l1;
        return r.err;
    default: return DNP3_ERR_APP_UNKNOWN_OBJECT;
    }
}

static bool fits16(size_t n)
{
    return n <= 0xFFFF;
}

int dnp3_g120_encode(const dnp3_g120 *o, uint8_t *buf, size_t cap)
{
    if (!o || (!buf && cap)) return DNP3_ERR_INVALID_ARG;
    if (!fits16(o->data_len) || !fits16(o->data2_len) || !fits16(o->data3_len)) return DNP3_ERR_INVALID_ARG;
    dnp3_writer w;
    dnp3_wr_init(&w, buf, cap);
    switch (o->variation) {
    case 1:
        dnp3_wr_u32(&w, o->seq);
        dnp3_wr_u16(&w, o->user);
        dnp3_wr_u8(&w, o->mal);
        dnp3_wr_u8(&w, o->reason);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        break;
    case 2:
    case 6:
        dnp3_wr_u32(&w, o->seq);
        dnp3_wr_u16(&w, o->user);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        break;
    case 3:
        dnp3_wr_u32(&w, o->seq);
        dnp3_wr_u16(&w, o->user);
        break;
    case 4: dnp3_wr_u16(&w, o->user); break;
    case 5:
        dnp3_wr_u32(&w, o->seq);
        dnp3_wr_u16(&w, o->user);
        dnp3_wr_u8(&w, o->kwa);
        dnp3_wr_u8(&w, o->ks);
        dnp3_wr_u8(&w, o->mal);
        dnp3_wr_u16(&w, (uint16_t)o->data_len);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        dnp3_wr_bytes(&w, o->data2, o->data2_len);
        break;
    case 7:
        dnp3_wr_u32(&w, o->seq);
        dnp3_wr_u16(&w, o->user);
        dnp3_wr_u16(&w, o->assoc);
        dnp3_wr_u8(&w, o->error);
        dnp3_wr_u48(&w, o->time);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        break;
    case 8:
        dnp3_wr_u8(&w, o->kcm);
        dnp3_wr_u8(&w, o->cert_type);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        break;
    case 9:
    case 14:
    case 15: dnp3_wr_bytes(&w, o->data, o->data_len); break;
    case 10:
        dnp3_wr_u8(&w, o->kcm);
        dnp3_wr_u8(&w, o->op);
        dnp3_wr_u32(&w, o->seq);
        dnp3_wr_u16(&w, o->role);
        dnp3_wr_u16(&w, o->role_expiry);
        dnp3_wr_u16(&w, (uint16_t)o->data_len);
        dnp3_wr_u16(&w, (uint16_t)o->data2_len);
        dnp3_wr_u16(&w, (uint16_t)o->data3_len);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        dnp3_wr_bytes(&w, o->data2, o->data2_len);
        dnp3_wr_bytes(&w, o->data3, o->data3_len);
        break;
    case 11:
        dnp3_wr_u8(&w, o->kcm);
        dnp3_wr_u16(&w, (uint16_t)o->data_len);
        dnp3_wr_u16(&w, (uint16_t)o->data2_len);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        dnp3_wr_bytes(&w, o->data2, o->data2_len);
        break;
    case 12:
    case 13:
        dnp3_wr_u32(&w, o->seq);
        dnp3_wr_u16(&w, o->user);
        dnp3_wr_u16(&w, (uint16_t)o->data_len);
        dnp3_wr_bytes(&w, o->data, o->data_len);
        break;
    default: return DNP3_ERR_INVALID_ARG;
    }
    if (w.err) return DNP3_ERR_BUFFER_TOO_SMALL;
    return (int)w.pos;
}

int dnp3_g120_first(const uint8_t *apdu, size_t len, dnp3_g120 *out, size_t *obj_end)
{
    dnp3_apdu a;
    if (!apdu || !out || dnp3_apdu_parse(apdu, len, &a) != DNP3_OK) return DNP3_ERR_APP_TRUNCATED;
    if (a.objects_len < 2 || a.objects[0] != 120) return 0;
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &a);
    int rc = dnp3_hdr_iter_next(&it, &h, NULL);
    if (rc <= 0) return rc < 0 ? rc : 0;
    if (h.group != 120 || !h.has_data || h.count != 1) return DNP3_ERR_APP_BAD_VALUE;
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_obj_iter_init(&oi, &h);
    if (!dnp3_obj_iter_next(&oi, &o)) return DNP3_ERR_APP_BAD_VALUE;
    rc = dnp3_g120_decode(h.variation, o.data, o.size, out);
    if (rc) return rc;
    if (obj_end) *obj_end = (size_t)(h.data + h.data_len - apdu);
    return 1;
}
