/*
 * fuzz_link.c - libFuzzer target for the link layer (IEEE 1815-2012 clause 9):
 * streaming parser in both error modes, single-frame parse and station rules.
 *
 * Input: octet 0, low 4 bits = N, the number of chunk-size octets that follow;
 * the rest is the byte stream. The stream is fed in chunks of those sizes
 * (cycled; 0 = an empty push), and also whole and one octet at a time.
 * Oracles: the results (frames and errors with offsets) do not depend on the
 * chunking; every frame formats back to exactly the octets it came from;
 * consumed/offset/have accounting; the single-frame parser agrees with the
 * first result of the streaming parser in close mode; nothing is left
 * deliverable once all input is consumed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/link.h"

#define MAX_EVENTS 8192

typedef struct {
    int rc;
    uint64_t offset;
    uint8_t control;
    uint16_t dest, src;
    size_t len;
    uint16_t crc;
} event;

typedef struct {
    event ev[MAX_EVENTS];
    size_t n;
    uint64_t discarded;
    size_t have;
} run_result;

static run_result r_chunks, r_whole, r_octets;

#define CHECK(c)                                                                                                  \
    do {                                                                                                          \
        if (!(c)) abort();                                                                                        \
    } while (0)

static void check_station(const dnp3_link_frame *f)
{
    for (int role = 0; role < 2; role++) {
        dnp3_link_station st;
        dnp3_link_station_init(&st, role == 1, f->dest, (f->control & 1) != 0);
        dnp3_link_rx rx;
        for (int i = 0; i < 3; i++) { /* repeat: exercises FCB state */
            bool ok = dnp3_link_station_receive(&st, f, &rx);
            if (!ok) {
                CHECK(!rx.reply && rx.data == NULL && !rx.secondary_received);
            }
            if (rx.reply) CHECK(!rx.broadcast);
            if (rx.data) CHECK(rx.data == f->data && rx.len == f->len && rx.len > 0);
            if (rx.broadcast) CHECK(dnp3_addr_is_broadcast(f->dest) && !st.is_master);
        }
    }
}

static void run(dnp3_link_error_mode mode, const uint8_t *s, size_t n, const uint8_t *sizes, size_t nsizes,
                run_result *out)
{
    dnp3_link_parser p;
    dnp3_link_parser_init(&p, mode);
    out->n = 0;
    size_t pos = 0, k = 0, zeros = 0;
    bool closed = false;
    while (pos < n && !closed) {
        size_t chunk = nsizes ? sizes[k++ % nsizes] : n;
        if (chunk == 0 && ++zeros >= nsizes) chunk = 1; /* empty pushes, but keep moving */
        if (chunk > 0) zeros = 0;
        if (chunk > n - pos) chunk = n - pos;
        const uint8_t *in = s + pos;
        size_t left = chunk;
        do {
            size_t c = 12345;
            dnp3_link_frame f;
            int rc = dnp3_link_parser_push(&p, in, left, &c, &f);
            CHECK(c <= left);
            in += c;
            left -= c;
            CHECK(p.stream_offset + p.have == (uint64_t)(pos + chunk - left));
            CHECK(p.have <= DNP3_LINK_MAX_FRAME);
            if (rc == 0) {
                CHECK(left == 0);
                continue;
            }
            if (rc == DNP3_ERR_LINK_CLOSED) {
                CHECK(mode == DNP3_LINK_MODE_CLOSE && c == 0);
                closed = true;
                break;
            }
            CHECK(out->n < MAX_EVENTS);
            event *e = &out->ev[out->n++];
            memset(e, 0, sizeof *e);
            e->rc = rc;
            if (rc == 1) {
                CHECK(f.len <= DNP3_LINK_MAX_USER_DATA && f.data == p.user);
                e->offset = p.stream_offset;
                e->control = f.control;
                e->dest = f.dest;
                e->src = f.src;
                e->len = f.len;
                e->crc = dnp3_crc16(f.data, f.len);
                /* the frame formats back to the octets it was parsed from */
                size_t size = dnp3_link_frame_size(f.len);
                CHECK(e->offset >= size);
                uint8_t wire[DNP3_LINK_MAX_FRAME];
                CHECK(dnp3_link_format(wire, sizeof wire, f.control, f.dest, f.src, f.data, f.len) == (int)size);
                CHECK(memcmp(wire, s + (e->offset - size), size) == 0);
                check_station(&f);
            } else {
                CHECK(rc == DNP3_ERR_LINK_BAD_START || rc == DNP3_ERR_LINK_BAD_LENGTH ||
                      rc == DNP3_ERR_LINK_BAD_HEADER_CRC || rc == DNP3_ERR_LINK_BAD_BODY_CRC);
                CHECK(p.last_err == rc && p.last_err_offset < n);
                e->offset = p.last_err_offset;
                if (mode == DNP3_LINK_MODE_CLOSE) CHECK(p.closed);
            }
        } while (left > 0);
        pos += chunk;
    }
    if (!closed) {
        size_t c;
        dnp3_link_frame f;
        CHECK(dnp3_link_parser_push(&p, s + n, 0, &c, &f) == (p.closed ? DNP3_ERR_LINK_CLOSED : 0));
    }
    out->discarded = p.stats.discarded_octets;
    out->have = p.have;
    if (mode == DNP3_LINK_MODE_DISCARD) {
        uint64_t frame_octets = 0;
        for (size_t i = 0; i < out->n; i++)
            if (out->ev[i].rc == 1) frame_octets += dnp3_link_frame_size(out->ev[i].len);
        CHECK(frame_octets + p.stats.discarded_octets + p.have == n);
    }
}

static void same(const run_result *a, const run_result *b, bool compare_tail)
{
    CHECK(a->n == b->n);
    CHECK(memcmp(a->ev, b->ev, a->n * sizeof a->ev[0]) == 0);
    if (compare_tail) CHECK(a->discarded == b->discarded && a->have == b->have);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t nsizes = data[0] & 0x0F;
    if (size < 1 + nsizes) return 0;
    const uint8_t *sizes = data + 1, *s = data + 1 + nsizes;
    size_t n = size - 1 - nsizes;
    const uint8_t one = 1;

    for (int m = 0; m < 2; m++) {
        dnp3_link_error_mode mode = m ? DNP3_LINK_MODE_DISCARD : DNP3_LINK_MODE_CLOSE;
        run(mode, s, n, sizes, nsizes, &r_chunks);
        run(mode, s, n, NULL, 0, &r_whole);
        run(mode, s, n, &one, 1, &r_octets);
        same(&r_whole, &r_chunks, mode == DNP3_LINK_MODE_DISCARD);
        same(&r_whole, &r_octets, mode == DNP3_LINK_MODE_DISCARD);

        if (mode == DNP3_LINK_MODE_CLOSE) {
            /* the datagram parser agrees with the stream's first result */
            uint8_t scratch[DNP3_LINK_MAX_USER_DATA];
            dnp3_link_frame f;
            size_t off = 0;
            int rc = dnp3_link_parse(s, n, scratch, &f, &off);
            if (rc > 0) {
                CHECK(r_whole.n >= 1 && r_whole.ev[0].rc == 1 && r_whole.ev[0].offset == (uint64_t)rc);
                CHECK(f.len == r_whole.ev[0].len && dnp3_crc16(f.data, f.len) == r_whole.ev[0].crc);
            } else if (rc == DNP3_ERR_LINK_TRUNCATED) {
                CHECK(r_whole.n == 0 && off == n);
            } else {
                CHECK(r_whole.n == 1 && r_whole.ev[0].rc == rc && r_whole.ev[0].offset == off);
            }
        }
    }
    return 0;
}
