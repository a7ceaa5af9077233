/*
 * cursor.h - bounds-checked little-endian reader and writer with a sticky error.
 *
 * Every octet the protocol code reads or writes goes through these cursors
 * (docs/architecture.md, "Layers and files"; IEEE 1815-2012 4.3.1: little-endian). A read past the end sets the
 * error, returns zero and leaves the position at the end, so a run of reads needs one check at its end:
 *
 *     uint8_t g = dnp3_rd_u8(&rd), v = dnp3_rd_u8(&rd);
 *     if (rd.err) return rd.err;
 *
 * All DNP3 multi-octet integers are little-endian (IEEE 1815-2012 clause 4.3.1).
 */
#ifndef DNP3_CORE_CURSOR_H
#define DNP3_CORE_CURSOR_H

#include <string.h>

#include "dnp3/types.h"

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int err; /* 0 or the first error (DNP3_ERR_APP_TRUNCATED unless set otherwise) */
} dnp3_reader;

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    int err; /* 0 or DNP3_ERR_FRAGMENT_FULL after the first write that did not fit */
} dnp3_writer;

static inline void dnp3_rd_init(dnp3_reader *r, const uint8_t *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->err = 0;
}

static inline size_t dnp3_rd_remaining(const dnp3_reader *r)
{
    return r->len - r->pos;
}

/* Returns true (and consumes nothing) if n octets are available; else sets the error. */
static inline bool dnp3_rd_need(dnp3_reader *r, size_t n)
{
    if (r->err) return false;
    if (n > r->len - r->pos) {
        r->err = DNP3_ERR_APP_TRUNCATED;
        r->pos = r->len;
        return false;
    }
    return true;
}

/* Returns a pointer to the next n octets and consumes them, or NULL on error. */
static inline const uint8_t *dnp3_rd_bytes(dnp3_reader *r, size_t n)
{
    if (!dnp3_rd_need(r, n)) return NULL;
    const uint8_t *p = r->buf + r->pos;
    r->pos += n;
    return p;
}

static inline uint8_t dnp3_rd_u8(dnp3_reader *r)
{
    const uint8_t *p = dnp3_rd_bytes(r, 1);
    return p ? p[0] : 0;
}

static inline uint16_t dnp3_rd_u16(dnp3_reader *r)
{
    const uint8_t *p = dnp3_rd_bytes(r, 2);
    return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

static inline uint32_t dnp3_rd_u32(dnp3_reader *r)
{
    const uint8_t *p = dnp3_rd_bytes(r, 4);
    return p ? ((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24)) : 0;
}

static inline uint64_t dnp3_rd_u48(dnp3_reader *r)
{
    const uint8_t *p = dnp3_rd_bytes(r, 6);
    if (!p) return 0;
    uint64_t v = 0;
    for (int i = 5; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Reads an unsigned little-endian integer of width 1, 2 or 4 octets. */
static inline uint32_t dnp3_rd_uint(dnp3_reader *r, unsigned width)
{
    switch (width) {
    case 1: return dnp3_rd_u8(r);
    case 2: return dnp3_rd_u16(r);
    default: return dnp3_rd_u32(r);
    }
}

/* Pure loads from a pointer already known to hold enough octets. */
static inline uint16_t dnp3_load_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t dnp3_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t dnp3_load_u48(const uint8_t *p)
{
    return (uint64_t)dnp3_load_u32(p) | ((uint64_t)dnp3_load_u16(p + 4) << 32);
}
static inline uint64_t dnp3_load_u64(const uint8_t *p)
{
    return (uint64_t)dnp3_load_u32(p) | ((uint64_t)dnp3_load_u32(p + 4) << 32);
}
static inline void dnp3_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void dnp3_store_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void dnp3_store_u48(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 6; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void dnp3_store_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline void dnp3_wr_init(dnp3_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->pos = 0;
    w->err = 0;
}

static inline size_t dnp3_wr_remaining(const dnp3_writer *w)
{
    return w->cap - w->pos;
}

/* Reserves n octets and returns a pointer to them, or NULL (sticky error) if they do not fit. */
static inline uint8_t *dnp3_wr_reserve(dnp3_writer *w, size_t n)
{
    if (w->err) return NULL;
    if (n > w->cap - w->pos) {
        w->err = DNP3_ERR_FRAGMENT_FULL;
        return NULL;
    }
    uint8_t *p = w->buf + w->pos;
    w->pos += n;
    return p;
}

static inline void dnp3_wr_bytes(dnp3_writer *w, const void *src, size_t n)
{
    uint8_t *p = dnp3_wr_reserve(w, n);
    if (p && n) memcpy(p, src, n);
}

static inline void dnp3_wr_u8(dnp3_writer *w, uint8_t v)
{
    uint8_t *p = dnp3_wr_reserve(w, 1);
    if (p) p[0] = v;
}

static inline void dnp3_wr_u16(dnp3_writer *w, uint16_t v)
{
    uint8_t *p = dnp3_wr_reserve(w, 2);
    if (p) dnp3_store_u16(p, v);
}

static inline void dnp3_wr_u32(dnp3_writer *w, uint32_t v)
{
    uint8_t *p = dnp3_wr_reserve(w, 4);
    if (p) dnp3_store_u32(p, v);
}

static inline void dnp3_wr_u48(dnp3_writer *w, uint64_t v)
{
    uint8_t *p = dnp3_wr_reserve(w, 6);
    if (p) dnp3_store_u48(p, v);
}

/* Writes an unsigned little-endian integer of width 1, 2 or 4 octets. */
static inline void dnp3_wr_uint(dnp3_writer *w, unsigned width, uint32_t v)
{
    switch (width) {
    case 1: dnp3_wr_u8(w, (uint8_t)v); break;
    case 2: dnp3_wr_u16(w, (uint16_t)v); break;
    default: dnp3_wr_u32(w, v); break;
    }
}

#endif
