/*
 * decode_stream.c - link frames -> transport segments -> application
 * fragments, printed as text or JSON (see decode_stream.h).
 *
 * The core's link parser (discard mode) finds the frames. To print a frame's
 * CRCs and to explain a broken one precisely, the last DECODE_WINDOW input
 * octets are kept: a good frame is located there by its re-encoded bytes, a
 * broken one by the nearest preceding 05 64 that fits the error the parser
 * reported. Reassembly uses the core's transport receiver, one per
 * (source, destination) pair, and remembers where each segment came from so
 * that a fragment offset can be turned back into an input offset.
 */
#include "decode_stream.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apdu_json.h"
#include "apdu_print.h"
#include "apdu_walk.h"
#include "decode_fmt.h"
#include "link_print.h"

void dnp3_decoder_init(decoder *d, FILE *out, unsigned levels, bool json)
{
    memset(d, 0, sizeof *d);
    d->out = out;
    d->levels = levels;
    d->json = json;
}

/* Members that say where a JSON line comes from. */
static void json_context(decoder *d, const decode_stream *s, json_w *w)
{
    char tb[40];
    if (d->packet) dnp3_json_uint(w, "packet", d->packet);
    if (d->has_time) dnp3_json_str(w, "timestamp", dnp3_fmt_time48(d->time_us / 1000, tb, sizeof tb));
    if (s && s->transport_name) dnp3_json_str(w, "transport", s->transport_name);
    if (s && s->label[0]) dnp3_json_str(w, "flow", s->label);
}

/* "packet 5, 10.0.0.1:20000 -> 10.0.0.2:50000, " or "" */
static void where_prefix(const decoder *d, const decode_stream *s, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    if (d->packet) n += (size_t)snprintf(buf, cap, "packet %" PRIu64 ", ", d->packet);
    if (s && s->label[0] && n < cap) snprintf(buf + n, cap - n, "%s, ", s->label);
}

static void emit_error(decoder *d, const decode_stream *s, uint64_t offset, bool has_offset, const char *msg)
{
    d->errors++;
    if (d->json) {
        apdu_json j;
        dnp3_apdu_json_open(&j, d->out);
        json_context(d, s, &j.w);
        dnp3_apdu_json_error(&j, has_offset ? offset : APDU_JSON_NO_OFFSET, msg);
        dnp3_apdu_json_close(&j);
    } else {
        char where[200];
        where_prefix(d, s, where, sizeof where);
        if (has_offset)
            fprintf(d->out, "error: %soffset %" PRIu64 ": %s\n", where, offset, msg);
        else
            fprintf(d->out, "error: %s%s\n", where, msg);
    }
}

void dnp3_decoder_error(decoder *d, const char *where, const char *fmt, ...)
{
    char msg[400], full[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (where && where[0])
        snprintf(full, sizeof full, "%s: %s", where, msg);
    else
        snprintf(full, sizeof full, "%s", msg);
    emit_error(d, NULL, 0, false, full);
}

void dnp3_decode_stream_error(decode_stream *s, uint64_t offset, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emit_error(s->d, s, offset, true, msg);
}

void dnp3_decode_stream_init(decode_stream *s, decoder *d, const char *label, const char *transport)
{
    memset(s, 0, sizeof *s);
    s->d = d;
    snprintf(s->label, sizeof s->label, "%s", label ? label : "");
    s->transport_name = transport;
    dnp3_link_parser_init(&s->parser, DNP3_LINK_MODE_DISCARD);
}

void dnp3_decode_stream_free(decode_stream *s)
{
    for (size_t i = 0; i < DECODE_REASM_PER_STREAM; i++) {
        free(s->r[i].buf);
        s->r[i].buf = NULL;
        s->r[i].used = false;
    }
}

/* ---- the window of recent octets ---- */

static void win_append(decode_stream *s, const uint8_t *p, size_t n)
{
    if (n > DECODE_WINDOW) { /* never happens: callers feed <= DNP3_LINK_MAX_FRAME at a time */
        p += n - DECODE_WINDOW;
        s->win_start += s->win_len + (n - DECODE_WINDOW);
        s->win_len = 0;
        n = DECODE_WINDOW;
    }
    if (s->win_len + n > DECODE_WINDOW) {
        size_t drop = s->win_len + n - DECODE_WINDOW;
        memmove(s->win, s->win + drop, s->win_len - drop);
        s->win_len -= drop;
        s->win_start += drop;
    }
    memcpy(s->win + s->win_len, p, n);
    s->win_len += n;
}

/* Octets from input offset `off` on (NULL if not in the window); *avail up to `limit`. */
static const uint8_t *win_at(const decode_stream *s, uint64_t off, uint64_t limit, size_t *avail)
{
    uint64_t end = s->win_start + s->win_len;
    if (limit < end) end = limit;
    if (off < s->win_start || off >= end) return NULL;
    *avail = (size_t)(end - off);
    return s->win + (off - s->win_start);
}

static void win_reset(decode_stream *s)
{
    s->win_start = s->offset;
    s->win_len = 0;
}

/* ---- reassembly ---- */

static decode_reasm *reasm_for(decode_stream *s, uint16_t src, uint16_t dest, uint64_t frame_off)
{
    decode_reasm *pick = NULL;
    for (size_t i = 0; i < DECODE_REASM_PER_STREAM; i++) {
        decode_reasm *r = &s->r[i];
        if (r->used && r->src == src && r->dest == dest) {
            r->last_use = ++s->clock;
            return r;
        }
        if (!pick || (!r->used && pick->used) || (r->used == pick->used && r->last_use < pick->last_use)) pick = r;
    }
    if (pick->used && pick->rx.in_progress)
        dnp3_decode_stream_error(
            s, frame_off,
            "transport: more than %d address pairs; the unfinished fragment from %u to %u (%zu octets) is dropped",
            DECODE_REASM_PER_STREAM, pick->src, pick->dest, pick->rx.len);
    if (!pick->buf) {
        pick->buf = malloc(DECODE_MAX_FRAGMENT);
        if (!pick->buf) {
            dnp3_decode_stream_error(s, frame_off, "out of memory for transport reassembly");
            return NULL;
        }
    }
    dnp3_transport_rx_init(&pick->rx, pick->buf, DECODE_MAX_FRAGMENT);
    pick->used = true;
    pick->src = src;
    pick->dest = dest;
    pick->nseg = 0;
    pick->seg_overflow = false;
    pick->last_use = ++s->clock;
    return pick;
}

static void seg_add(decode_reasm *r, bool first, uint64_t frame_off, size_t len)
{
    if (first) {
        r->nseg = 0;
        r->seg_overflow = false;
    }
    if (r->nseg >= DECODE_SEG_MAX) {
        r->seg_overflow = true;
        return;
    }
    r->segs[r->nseg].frame_off = frame_off;
    r->segs[r->nseg].len = len;
    r->nseg++;
}

/* Fragment offset -> input offset, through the segments' link frames (16-octet blocks + CRC). */
static uint64_t map_fragment_offset(void *ctx, size_t a)
{
    const decode_reasm *r = ctx;
    for (size_t i = 0; i < r->nseg; i++) {
        size_t payload = r->segs[i].len - 1;
        if (a < payload || i + 1 == r->nseg) {
            size_t j = a + 1; /* user-data index: the transport header is octet 0 */
            return r->segs[i].frame_off + DNP3_LINK_HEADER_SIZE + (j / 16) * 18 + j % 16;
        }
        a -= payload;
    }
    return 0;
}

static bool map_valid(const decode_reasm *r, size_t len)
{
    size_t sum = 0;
    if (r->seg_overflow || r->nseg == 0) return false;
    for (size_t i = 0; i < r->nseg; i++) sum += r->segs[i].len - 1;
    return sum == len;
}

static const char *dir_name(bool from_master)
{
    return from_master ? "master->outstation" : "outstation->master";
}

static void emit_fragment(decode_stream *s, decode_reasm *r, const uint8_t *apdu, size_t len, bool from_master)
{
    decoder *d = s->d;
    bool mapped = map_valid(r, len);
    uint64_t (*map)(void *, size_t) = mapped ? map_fragment_offset : NULL;
    uint64_t first = r->nseg ? r->segs[0].frame_off : 0;
    d->fragments++;
    if (d->json) {
        apdu_json j;
        dnp3_apdu_json_open(&j, d->out);
        json_context(d, s, &j.w);
        dnp3_json_uint(&j.w, "offset", first);
        dnp3_json_str(&j.w, "direction", dir_name(from_master));
        dnp3_json_uint(&j.w, "src", r->src);
        dnp3_json_uint(&j.w, "dest", r->dest);
        dnp3_json_uint(&j.w, "length", len);
        d->errors += (uint64_t)dnp3_apdu_json_fragment(&j, apdu, len, map, r);
        dnp3_apdu_json_close(&j);
        return;
    }
    if (d->levels & (DNP3_DECODE_APP | DNP3_DECODE_OBJECTS))
        fprintf(d->out, "application fragment: %s, src %u, dest %u, %zu octet%s\n", dir_name(from_master), r->src,
                r->dest, len, len == 1 ? "" : "s");
    dnp3_apdu_print_opts o = {d->levels, "  ", map, r};
    d->errors += (uint64_t)dnp3_print_apdu_ex(d->out, apdu, len, &o);
}

static void transport_problem(decode_stream *s, const decode_reasm *r, uint64_t off, uint8_t th,
                              uint8_t expected_seq, size_t had)
{
    dnp3_transport_discard why = r->rx.last_discard;
    const char *name = dnp3_transport_discard_name(why);
    char detail[160];
    switch (why) {
    case DNP3_TRANSPORT_NO_FIR:
        snprintf(detail, sizeof detail, "no fragment in progress for a segment without FIR");
        break;
    case DNP3_TRANSPORT_BAD_SEQUENCE:
        snprintf(detail, sizeof detail, "SEQ %u, expected %u; the unfinished fragment (%zu octets) is dropped",
                 th & DNP3_TRANSPORT_SEQ_MASK, expected_seq, had);
        break;
    case DNP3_TRANSPORT_FIR_RESTART:
        snprintf(detail, sizeof detail, "FIR while a fragment was in progress; its %zu octets are dropped", had);
        break;
    case DNP3_TRANSPORT_OVERFLOW:
        snprintf(detail, sizeof detail, "fragment larger than %d octets; dropped", DECODE_MAX_FRAGMENT);
        break;
    default: snprintf(detail, sizeof detail, "segment discarded"); break;
    }
    dnp3_decode_stream_error(s, off, "transport segment 0x%02X (FIR=%d FIN=%d SEQ=%u) from %u to %u: %s [%s]", th,
                             !!(th & DNP3_TRANSPORT_FIR), !!(th & DNP3_TRANSPORT_FIN),
                             th & DNP3_TRANSPORT_SEQ_MASK, r->src, r->dest, detail, name ? name : "?");
}

static void json_link_line(decode_stream *s, const dnp3_link_frame *f, uint64_t off)
{
    apdu_json j;
    dnp3_apdu_json_open(&j, s->d->out);
    json_context(s->d, s, &j.w);
    dnp3_json_uint(&j.w, "offset", off);
    dnp3_json_str(&j.w, "direction", dir_name(f->control & DNP3_LINK_DIR));
    dnp3_json_uint(&j.w, "src", f->src);
    dnp3_json_uint(&j.w, "dest", f->dest);
    dnp3_json_obj_begin(&j.w, "link");
    dnp3_json_uint(&j.w, "control", f->control);
    dnp3_json_str(&j.w, "function", dnp3_link_func_str(f->control));
    dnp3_json_bool(&j.w, "prm", f->control & DNP3_LINK_PRM);
    if (f->control & DNP3_LINK_PRM) {
        dnp3_json_bool(&j.w, "fcb", f->control & DNP3_LINK_FCB);
        dnp3_json_bool(&j.w, "fcv", f->control & DNP3_LINK_FCV);
    } else {
        dnp3_json_bool(&j.w, "dfc", f->control & DNP3_LINK_DFC);
    }
    dnp3_json_obj_end(&j.w);
    dnp3_apdu_json_close(&j);
}

static void skipped(decode_stream *s, uint64_t upto)
{
    if (upto > s->accounted)
        dnp3_decode_stream_error(s, s->accounted, "%" PRIu64 " octet%s skipped (not part of a link frame)",
                                 upto - s->accounted, upto - s->accounted == 1 ? "" : "s");
    if (upto > s->accounted) s->accounted = upto;
}

static void on_frame(decode_stream *s, const dnp3_link_frame *f)
{
    decoder *d = s->d;
    uint8_t enc[DNP3_LINK_MAX_FRAME];
    int k = dnp3_link_format(enc, sizeof enc, f->control, f->dest, f->src, f->data, f->len);
    if (k <= 0) return;
    /* locate the frame in the window: normally it ends at the current offset */
    uint64_t start = s->offset >= (uint64_t)k ? s->offset - (uint64_t)k : 0;
    const uint8_t *raw = enc;
    for (uint64_t e = s->offset; e >= s->win_start + (uint64_t)k; e--) {
        size_t avail;
        const uint8_t *p = win_at(s, e - (uint64_t)k, UINT64_MAX, &avail);
        if (p && avail >= (size_t)k && memcmp(p, enc, (size_t)k) == 0) {
            start = e - (uint64_t)k;
            raw = p;
            break;
        }
        if (s->offset - e > 2 * (uint64_t)DNP3_LINK_MAX_FRAME) break;
    }
    d->frames++;
    skipped(s, start);
    if (start + (uint64_t)k > s->accounted) s->accounted = start + (uint64_t)k;

    if (!d->json && (d->levels & DNP3_DECODE_LINK)) dnp3_print_link_frame(d->out, raw, (size_t)k, start, "");
    if (f->len == 0) {
        if (d->json && (d->levels & DNP3_DECODE_LINK)) json_link_line(s, f, start);
        return;
    }
    uint8_t func = f->control & DNP3_LINK_FUNC_MASK;
    if (!(f->control & DNP3_LINK_PRM) ||
        (func != DNP3_LINK_CONFIRMED_USER_DATA && func != DNP3_LINK_UNCONFIRMED_USER_DATA)) {
        dnp3_decode_stream_error(s, start + 3,
                                 "link function %s carries %zu octets of user data; not passed to transport",
                                 dnp3_link_func_str(f->control), f->len);
        return;
    }
    uint8_t th = f->data[0];
    if (!d->json && (d->levels & DNP3_DECODE_TRANSPORT)) dnp3_print_transport_header(d->out, th, "  ");

    decode_reasm *r = reasm_for(s, f->src, f->dest, start);
    if (!r) return;
    dnp3_transport_stats before = r->rx.stats;
    uint8_t expected_seq = r->rx.expected_seq;
    size_t had = r->rx.in_progress ? r->rx.len : 0;
    const uint8_t *apdu = NULL;
    size_t alen = 0;
    int rc =
        dnp3_transport_rx_push(&r->rx, f->src, dnp3_addr_is_broadcast(f->dest), f->data, f->len, &apdu, &alen);
    if (r->rx.stats.discarded_segments != before.discarded_segments ||
        r->rx.stats.discarded_series != before.discarded_series)
        transport_problem(s, r, start + DNP3_LINK_HEADER_SIZE, th, expected_seq, had);
    bool fir = th & DNP3_TRANSPORT_FIR;
    if (rc == 1 && apdu) {
        seg_add(r, fir, start, f->len);
        emit_fragment(s, r, apdu, alen, f->control & DNP3_LINK_DIR);
        r->nseg = 0;
    } else if (r->rx.in_progress) {
        seg_add(r, fir, start, f->len);
    } else {
        r->nseg = 0;
    }
}

/* Finds the start of the broken frame the parser complained about and explains it. */
static void on_link_error(decode_stream *s, int err)
{
    uint64_t e = s->parser_base + s->parser.last_err_offset;
    const char *ename = dnp3_err_name(err);
    /* octets before a frame start are reported as one "skipped" run by skipped() */
    if (err == DNP3_ERR_LINK_BAD_START) return;
    if (e > s->offset) e = s->offset;
    uint64_t lo = e > DNP3_LINK_MAX_FRAME ? e - DNP3_LINK_MAX_FRAME : 0;
    for (uint64_t st = e + 1; st-- > lo;) {
        size_t avail;
        const uint8_t *p = win_at(s, st, UINT64_MAX, &avail);
        if (!p || avail < 2 || p[0] != 0x05 || p[1] != 0x64) continue;
        link_info li;
        dnp3_link_inspect(p, avail, &li);
        if (err == DNP3_ERR_LINK_BAD_LENGTH && avail >= 3 && li.length < 5) {
            skipped(s, st);
            dnp3_decode_stream_error(s, st + 2, "link LENGTH %u is below 5 (frame at offset %" PRIu64 ") [%s]",
                                     li.length, st, ename);
            s->accounted = st + DNP3_LINK_HEADER_SIZE;
            return;
        }
        if (err == DNP3_ERR_LINK_BAD_HEADER_CRC && li.header_complete && li.hcrc != li.hcrc_expected) {
            skipped(s, st);
            dnp3_decode_stream_error(s, st + 8,
                                     "link header CRC 0x%04X, expected 0x%04X (frame at offset %" PRIu64 ") [%s]",
                                     li.hcrc, li.hcrc_expected, st, ename);
            s->accounted = st + DNP3_LINK_HEADER_SIZE;
            return;
        }
        if (err == DNP3_ERR_LINK_BAD_BODY_CRC && li.header_complete && li.hcrc == li.hcrc_expected &&
            li.length >= 5 && st + li.frame_size > e) {
            for (size_t b = 0; b < li.nblocks; b++) {
                const link_block_info *bi = &li.blocks[b];
                if (!bi->complete || bi->crc == bi->expected) continue;
                skipped(s, st);
                dnp3_decode_stream_error(s, st + bi->off + bi->len,
                                         "data block %zu CRC 0x%04X, expected 0x%04X (frame at offset %" PRIu64
                                         ": %s, dest %u, src %u, block of %zu octets at offset %" PRIu64 ") [%s]",
                                         b + 1, bi->crc, bi->expected, st, dnp3_link_func_str(li.control), li.dest,
                                         li.src, bi->len, st + bi->off, ename);
                s->accounted = st + li.frame_size;
                return;
            }
        }
    }
    dnp3_decode_stream_error(s, e, "%s [%s]", dnp3_strerror(err), ename);
    if (e + 1 > s->accounted) s->accounted = e + 1;
}

static void push_slice(decode_stream *s, const uint8_t *p, size_t n)
{
    win_append(s, p, n);
    size_t pos = 0;
    int stuck = 0;
    for (;;) {
        size_t consumed = 0;
        dnp3_link_frame f;
        int rc = dnp3_link_parser_push(&s->parser, p + pos, n - pos, &consumed, &f);
        if (consumed > n - pos) consumed = n - pos; /* defensive */
        pos += consumed;
        s->offset += consumed;
        if (rc == 1) {
            on_frame(s, &f);
        } else if (rc == DNP3_ERR_LINK_CLOSED) { /* not expected in discard mode */
            dnp3_link_parser_reset(&s->parser);
            s->parser_base = s->offset;
        } else if (rc < 0) {
            on_link_error(s, rc);
        } else if (pos >= n || consumed == 0) {
            break; /* rc == 0: everything consumed */
        }
        /* after a frame or an error, octets the parser buffered are rescanned with consumed == 0 */
        if (consumed == 0) {
            if (++stuck > 2 * DNP3_LINK_MAX_FRAME) break;
        } else {
            stuck = 0;
        }
    }
}

void dnp3_decode_stream_push(decode_stream *s, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = n < DNP3_LINK_MAX_FRAME ? n : DNP3_LINK_MAX_FRAME;
        push_slice(s, p, k);
        p += k;
        n -= k;
    }
}

/* Reports a frame the input (stream or datagram) ended inside. */
static void partial_frame(decode_stream *s, const char *what)
{
    size_t have = s->parser.have;
    if (have > s->offset) have = (size_t)s->offset;
    uint64_t st = s->offset - have;
    if (have > 0) {
        size_t avail;
        const uint8_t *p = win_at(s, st, s->offset, &avail);
        skipped(s, st);
        if (p && avail >= DNP3_LINK_HEADER_SIZE) {
            link_info li;
            dnp3_link_inspect(p, avail, &li);
            dnp3_decode_stream_error(s, st,
                                     "%s ends inside a link frame: the frame needs %zu octets, %zu present [%s]",
                                     what, li.frame_size, have, dnp3_err_name(DNP3_ERR_LINK_TRUNCATED));
        } else {
            dnp3_decode_stream_error(s, st, "%s ends inside a link header (%zu of 10 octets) [%s]", what, have,
                                     dnp3_err_name(DNP3_ERR_LINK_TRUNCATED));
        }
        s->accounted = s->offset;
    }
    skipped(s, s->offset);
    dnp3_link_parser_reset(&s->parser);
    s->parser_base = s->offset;
}

void dnp3_decode_stream_gap(decode_stream *s, uint64_t missing)
{
    /* octets before the frame in progress that belong to no frame: reported as with hex input */
    skipped(s, s->offset - (s->parser.have < s->offset ? s->parser.have : s->offset));
    if (s->parser.have > 0)
        dnp3_decode_stream_error(s, s->offset - s->parser.have,
                                 "the link frame in progress (%zu octets) is lost in the gap below",
                                 s->parser.have);
    dnp3_decode_stream_error(s, s->offset, "%" PRIu64 " octets missing from the capture (stream gap)", missing);
    dnp3_link_parser_reset(&s->parser);
    s->offset += missing;
    s->parser_base = s->offset;
    s->accounted = s->offset;
    win_reset(s);
}

void dnp3_decode_stream_end(decode_stream *s)
{
    partial_frame(s, "input");
    for (size_t i = 0; i < DECODE_REASM_PER_STREAM; i++) {
        decode_reasm *r = &s->r[i];
        if (r->used && r->rx.in_progress && r->nseg > 0)
            dnp3_decode_stream_error(
                s, r->segs[0].frame_off,
                "input ends inside a transport series from %u to %u (%zu octets in %zu segments, no FIN)", r->src,
                r->dest, r->rx.len, r->nseg);
        if (r->used) dnp3_transport_rx_reset(&r->rx);
        r->nseg = 0;
    }
}

void dnp3_decode_stream_datagram(decode_stream *s, const uint8_t *p, size_t n)
{
    s->offset = 0;
    s->accounted = 0;
    s->parser_base = 0;
    dnp3_link_parser_reset(&s->parser);
    win_reset(s);
    dnp3_decode_stream_push(s, p, n);
    partial_frame(s, "datagram");
}

void dnp3_decode_apdu(decoder *d, const uint8_t *apdu, size_t len)
{
    bool from_master = !(len >= 2 && dnp3_walk_fc_from_outstation(apdu[1]));
    d->fragments++;
    if (d->json) {
        apdu_json j;
        dnp3_apdu_json_open(&j, d->out);
        dnp3_json_uint(&j.w, "offset", 0);
        dnp3_json_str(&j.w, "direction", dir_name(from_master));
        dnp3_json_uint(&j.w, "length", len);
        d->errors += (uint64_t)dnp3_apdu_json_fragment(&j, apdu, len, NULL, NULL);
        dnp3_apdu_json_close(&j);
        return;
    }
    if (d->levels & (DNP3_DECODE_APP | DNP3_DECODE_OBJECTS))
        fprintf(d->out, "application fragment: %s, %zu octet%s\n", dir_name(from_master), len,
                len == 1 ? "" : "s");
    dnp3_apdu_print_opts o = {d->levels, "  ", NULL, NULL};
    d->errors += (uint64_t)dnp3_print_apdu_ex(d->out, apdu, len, &o);
}
