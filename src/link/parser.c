/*
 * parser.c - streaming FT3 frame parser (IEEE 1815-2012 clause 9.2.4; the
 * receive-side framing checks of clause 9.2.6, and the resynchronisation on
 * 05 64 used on serial links).
 *
 * Two paths:
 *  - fast path (nothing buffered): frames wholly inside the caller's input are
 *    validated in place and only their user data is copied (de-blocked) into
 *    p->user; the tail of the input that starts a frame is stashed in p->buf;
 *  - buffered path: p->buf holds the start of a frame (or, after an error in
 *    discard mode, octets still to be rescanned); octets are taken from the
 *    input only as far as the frame in progress needs.
 *
 * Invariant: p->stream_offset + p->have == octets consumed since init/reset.
 * Discard mode: on an error the first octet of the bad frame is dropped and
 * the parser skips silently (p->resyncing) up to the next 05 64, counting
 * every dropped octet in stats.discarded_octets. If the error is found while
 * buffering, the octets taken from the current input are handed back (not
 * counted in *consumed) so that the caller keeps calling and any frame hidden
 * in the rescanned octets is delivered without waiting for more input.
 */
#include <string.h>

#include "link/link_internal.h"

#define LINK_START1 0x05
#define LINK_START2 0x64

typedef struct {
    const uint8_t *in;
    size_t len;
    size_t pos;   /* octets of in consumed so far */
    size_t taken; /* octets moved from in to p->buf during this call and still there */
} feed;

void dnp3_link_parser_init(dnp3_link_parser *p, dnp3_link_error_mode mode)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
}

void dnp3_link_parser_reset(dnp3_link_parser *p)
{
    p->closed = false;
    p->resyncing = false;
    p->have = 0;
    p->need = 0;
    p->stream_offset = 0;
    p->last_err = 0;
    p->last_err_offset = 0;
}

size_t dnp3_link_parser_discard(dnp3_link_parser *p)
{
    size_t n = p->have;
    if (n == 0) return 0;
    p->stats.discarded_octets += n;
    p->stream_offset += n;
    p->have = 0;
    p->need = 0;
    p->resyncing = true;
    return n;
}

/* Records an error; in close mode the parser stops. */
static int record_error(dnp3_link_parser *p, int err, uint64_t offset)
{
    p->last_err = err;
    p->last_err_offset = offset;
    if (err == DNP3_ERR_LINK_BAD_HEADER_CRC)
        p->stats.bad_header_crc++;
    else if (err == DNP3_ERR_LINK_BAD_BODY_CRC)
        p->stats.bad_body_crc++;
    else if (err == DNP3_ERR_LINK_BAD_LENGTH)
        p->stats.bad_length++;
    if (p->mode == DNP3_LINK_MODE_CLOSE) p->closed = true;
    return err;
}

/* ---- buffered path ---- */

static size_t take(dnp3_link_parser *p, feed *f, size_t n)
{
    size_t avail = f->len - f->pos;
    if (n > avail) n = avail;
    if (n > sizeof p->buf - p->have) n = sizeof p->buf - p->have; /* cannot happen */
    if (n) memcpy(p->buf + p->have, f->in + f->pos, n);
    p->have += n;
    f->pos += n;
    f->taken += n;
    return n;
}

static void drop_front(dnp3_link_parser *p, feed *f, size_t n)
{
    memmove(p->buf, p->buf + n, p->have - n);
    p->have -= n;
    p->stream_offset += n;
    if (f->taken > p->have) f->taken = p->have;
}

/* Discard mode: drops buf[0] and every following octet up to the next 05. */
static void resync_buffer(dnp3_link_parser *p, feed *f)
{
    size_t skip = 1;
    if (p->have > 1) {
        const uint8_t *q = memchr(p->buf + 1, LINK_START1, p->have - 1);
        skip = q ? (size_t)(q - p->buf) : p->have;
    }
    p->stats.discarded_octets += skip;
    drop_front(p, f, skip);
    p->need = 0;
    p->resyncing = true;
}

static int buffer_error(dnp3_link_parser *p, feed *f, int err, size_t off)
{
    record_error(p, err, p->stream_offset + off);
    if (p->mode == DNP3_LINK_MODE_CLOSE) return err;
    /* hand this call's octets back (buf[0] stays: it is the one dropped) */
    size_t back = f->taken < p->have - 1 ? f->taken : p->have - 1;
    p->have -= back;
    f->pos -= back;
    f->taken -= back;
    resync_buffer(p, f);
    return err;
}

/* Returns 1 (frame), <0 (error) or 0 (input exhausted, or buffer emptied by a resync). */
static int drain_buffer(dnp3_link_parser *p, feed *f, dnp3_link_frame *frame)
{
    size_t eoff;
    while (p->have > 0) {
        if (p->need == 0) { /* header not validated yet */
            int e = dnp3_link_check_prefix(p->buf, p->have < 3 ? p->have : 3, &eoff);
            if (e == DNP3_ERR_LINK_BAD_START && p->resyncing) {
                resync_buffer(p, f);
                continue;
            }
            if (p->have >= 2) p->resyncing = false; /* 05 64 found */
            if (e < 0) return buffer_error(p, f, e, eoff);
            if (p->have < 3) {
                if (!take(p, f, 1)) return 0;
                continue;
            }
            if (p->have < DNP3_LINK_HEADER_SIZE) take(p, f, DNP3_LINK_HEADER_SIZE - p->have);
            if (p->have < DNP3_LINK_HEADER_SIZE) return 0;
            int n = dnp3_link_check_header(p->buf, &eoff);
            if (n < 0) return buffer_error(p, f, n, eoff);
            p->need = dnp3_link_frame_size((size_t)n);
        }
        if (p->have < p->need) take(p, f, p->need - p->have);
        if (p->have < p->need) return 0;
        size_t n = (size_t)p->buf[2] - 5;
        int rc = dnp3_link_check_body(p->buf + DNP3_LINK_HEADER_SIZE, n, p->user, &eoff);
        if (rc < 0) return buffer_error(p, f, rc, DNP3_LINK_HEADER_SIZE + eoff);
        dnp3_link_fill_frame(frame, p->buf, p->user, n);
        p->stats.frames++;
        size_t size = p->need;
        p->need = 0;
        drop_front(p, f, size);
        return 1;
    }
    return 0;
}

/* ---- fast path (nothing buffered: stream_offset names in[f->pos]) ---- */

static void advance(dnp3_link_parser *p, feed *f, size_t n)
{
    f->pos += n;
    p->stream_offset += n;
}

static int scan_error(dnp3_link_parser *p, feed *f, int err, size_t off)
{
    record_error(p, err, p->stream_offset + off);
    if (p->mode == DNP3_LINK_MODE_CLOSE) return err;
    p->stats.discarded_octets++;
    advance(p, f, 1);
    p->resyncing = true;
    return err;
}

static int scan_input(dnp3_link_parser *p, feed *f, dnp3_link_frame *frame)
{
    size_t eoff;
    while (f->pos < f->len) {
        const uint8_t *s = f->in + f->pos;
        size_t avail = f->len - f->pos;
        if (p->resyncing) {
            const uint8_t *q = s[0] == LINK_START1 ? s : memchr(s, LINK_START1, avail);
            size_t skip = q ? (size_t)(q - s) : avail;
            if (skip == 0 && avail >= 2 && s[1] != LINK_START2) skip = 1;
            if (skip) {
                p->stats.discarded_octets += skip;
                advance(p, f, skip);
                continue;
            }
            if (avail < 2) break; /* a lone 05 at the end: keep it */
            p->resyncing = false;
        }
        int e = dnp3_link_check_prefix(s, avail < 3 ? avail : 3, &eoff);
        if (e < 0) return scan_error(p, f, e, eoff);
        if (avail < DNP3_LINK_HEADER_SIZE) break;
        int n = dnp3_link_check_header(s, &eoff);
        if (n < 0) return scan_error(p, f, n, eoff);
        size_t size = dnp3_link_frame_size((size_t)n);
        if (avail < size) {
            p->need = size;
            break;
        }
        int rc = dnp3_link_check_body(s + DNP3_LINK_HEADER_SIZE, (size_t)n, p->user, &eoff);
        if (rc < 0) return scan_error(p, f, rc, DNP3_LINK_HEADER_SIZE + eoff);
        dnp3_link_fill_frame(frame, s, p->user, (size_t)n);
        p->stats.frames++;
        advance(p, f, size);
        return 1;
    }
    /* stash the start of the next frame (< 292 octets) */
    size_t rest = f->len - f->pos;
    if (rest) memcpy(p->buf, f->in + f->pos, rest);
    p->have = rest;
    f->pos = f->len;
    return 0;
}

int dnp3_link_parser_push(dnp3_link_parser *p, const uint8_t *in, size_t len, size_t *consumed,
                          dnp3_link_frame *frame)
{
    feed f = {in, len, 0, 0};
    int rc = 0;

    *consumed = 0;
    if (p->closed) return DNP3_ERR_LINK_CLOSED;
    if (in == NULL && len > 0) return DNP3_ERR_INVALID_ARG;
    if (p->have > 0) {
        rc = drain_buffer(p, &f, frame);
        if (rc == 0 && p->have == 0 && f.pos < f.len) rc = scan_input(p, &f, frame);
    } else if (len > 0) {
        rc = scan_input(p, &f, frame);
    }
    *consumed = f.pos;
    return rc;
}
