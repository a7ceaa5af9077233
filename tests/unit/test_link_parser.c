/*
 * test_link_parser.c - streaming FT3 parser (IEEE 1815-2012 clause 9.2.4):
 * golden frames whole, one octet at a time and in random chunks; close mode;
 * discard mode resynchronisation after garbage, bad header CRC (L10), LENGTH 4
 * (L11) and bad body CRC, with the error reported once and at the right stream
 * offset; a frame hidden inside a corrupt frame; and a randomized stream whose
 * results must not depend on how it is chunked.
 */
#include <stdlib.h>
#include <string.h>

#include "dnp3/link.h"
#include "link_vectors.h"
#include "testutil.h"

#define MAX_EVENTS 4096
#define MAX_STREAM 200000

typedef struct {
    int rc;          /* 1 = frame, < 0 = error */
    uint64_t offset; /* frame: stream offset just after it; error: last_err_offset */
    uint8_t control;
    uint16_t dest, src;
    size_t len;
    uint8_t data[DNP3_LINK_MAX_USER_DATA];
} event;

typedef struct {
    event ev[MAX_EVENTS];
    size_t n;
} events;

static uint32_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* chunk policies: 0 = whole, 1 = one octet, 2 = random 0..40, 3 = random 0..700 */
static size_t next_chunk(int policy, size_t left)
{
    size_t n;
    switch (policy) {
    case 0: n = left; break;
    case 1: n = 1; break;
    case 2: n = rnd() % 41; break;
    default: n = rnd() % 701; break;
    }
    return n < left ? n : left;
}

/* Feeds the stream in chunks; records every result. Stops at DNP3_ERR_LINK_CLOSED. */
static void run(dnp3_link_parser *p, const uint8_t *s, size_t n, int policy, events *out)
{
    size_t pos = 0;
    out->n = 0;
    while (pos < n) {
        size_t chunk = next_chunk(policy, n - pos);
        const uint8_t *in = s + pos;
        size_t left = chunk;
        do {
            size_t c = 7777;
            dnp3_link_frame f;
            int rc = dnp3_link_parser_push(p, in, left, &c, &f);
            assert_true(c <= left);
            assert_int_equal(p->stream_offset + p->have, (uint64_t)(pos + chunk - left + c));
            in += c;
            left -= c;
            if (rc == 0) {
                /* "no frame yet" always means everything was consumed */
                assert_int_equal(left, 0);
                continue;
            }
            if (rc == DNP3_ERR_LINK_CLOSED) return;
            assert_true(out->n < MAX_EVENTS);
            event *e = &out->ev[out->n++];
            memset(e, 0, sizeof *e);
            e->rc = rc;
            if (rc == 1) {
                e->offset = p->stream_offset;
                e->control = f.control;
                e->dest = f.dest;
                e->src = f.src;
                e->len = f.len;
                assert_true(f.len <= DNP3_LINK_MAX_USER_DATA);
                if (f.len) memcpy(e->data, f.data, f.len);
            } else {
                assert_int_equal(p->last_err, rc);
                e->offset = p->last_err_offset;
            }
        } while (left > 0);
        pos += chunk;
    }
    /* nothing deliverable may be left behind once all input is consumed */
    size_t c;
    dnp3_link_frame f;
    assert_int_equal(dnp3_link_parser_push(p, s + n, 0, &c, &f), 0);
}

static void assert_same_events(const events *a, const events *b, const char *what)
{
    if (a->n != b->n) fail_msg("%s: %zu events vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const event *x = &a->ev[i], *y = &b->ev[i];
        if (x->rc != y->rc || x->offset != y->offset || x->control != y->control || x->dest != y->dest ||
            x->src != y->src || x->len != y->len || memcmp(x->data, y->data, x->len) != 0)
            fail_msg("%s: event %zu differs (rc %d/%d offset %llu/%llu)", what, i, x->rc, y->rc,
                     (unsigned long long)x->offset, (unsigned long long)y->offset);
    }
}

static size_t hex_append(uint8_t *s, size_t n, const char *hex)
{
    return n + tu_hex(hex, s + n, MAX_STREAM - n);
}

static events ev_a, ev_b;
static uint8_t stream[MAX_STREAM];

static void test_golden_stream_all_chunkings(void **state)
{
    (void)state;
    size_t n = 0, ends[LINK_VECTOR_COUNT];
    for (size_t i = 0; i < LINK_VECTOR_COUNT; i++) {
        n = hex_append(stream, n, LINK_VECTORS[i].hex);
        ends[i] = n;
    }
    for (int mode = 0; mode < 2; mode++) {
        for (int policy = 0; policy < 4; policy++) {
            dnp3_link_parser p;
            dnp3_link_parser_init(&p, mode ? DNP3_LINK_MODE_DISCARD : DNP3_LINK_MODE_CLOSE);
            rng_state = 42;
            run(&p, stream, n, policy, &ev_a);
            assert_int_equal(ev_a.n, LINK_VECTOR_COUNT);
            for (size_t i = 0; i < LINK_VECTOR_COUNT; i++) {
                const link_vector *v = &LINK_VECTORS[i];
                uint8_t user[300];
                size_t un = tu_hex(v->user, user, sizeof user);
                assert_int_equal(ev_a.ev[i].rc, 1);
                assert_int_equal(ev_a.ev[i].offset, ends[i]);
                assert_int_equal(ev_a.ev[i].control, v->control);
                assert_int_equal(ev_a.ev[i].dest, v->dest);
                assert_int_equal(ev_a.ev[i].src, v->src);
                assert_int_equal(ev_a.ev[i].len, un);
                assert_memory_equal(ev_a.ev[i].data, user, un);
            }
            assert_int_equal(p.stats.frames, LINK_VECTOR_COUNT);
            assert_int_equal(p.stats.discarded_octets, 0);
            assert_int_equal(p.have, 0);
            assert_int_equal(p.stream_offset, n);
        }
    }
}

static void test_partial_frame_is_buffered(void **state)
{
    (void)state;
    dnp3_link_parser p;
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    uint8_t b[64];
    size_t n = tu_hex("05 64 08 C4 00 04 01 00 9A 19 C0 C0 18 D1 DB", b, sizeof b), c;
    dnp3_link_frame f;
    assert_int_equal(dnp3_link_parser_push(&p, b, 12, &c, &f), 0);
    assert_int_equal(c, 12);
    assert_int_equal(p.have, 12);
    assert_int_equal(p.need, 15);
    assert_int_equal(dnp3_link_parser_push(&p, b + 12, 0, &c, &f), 0);
    assert_int_equal(c, 0);
    assert_int_equal(dnp3_link_parser_push(&p, b + 12, n - 12, &c, &f), 1);
    assert_int_equal(c, 3);
    assert_int_equal(f.control, 0xC4);
    assert_hex(f.data, f.len, "C0 C0 18");
    assert_int_equal(p.have, 0);
    assert_int_equal(p.need, 0);
}

static void test_close_mode(void **state)
{
    (void)state;
    dnp3_link_parser p;
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    size_t n = 0, c;
    n = hex_append(stream, n, "05 64 05 C0 01 00 00 04 E9 21");
    n = hex_append(stream, n, "05 64 05 C0 01 00 00 04 E9 20"); /* L10 */
    n = hex_append(stream, n, "05 64 05 00 00 04 01 00 19 A6");
    dnp3_link_frame f;
    assert_int_equal(dnp3_link_parser_push(&p, stream, n, &c, &f), 1);
    assert_int_equal(c, 10);
    assert_int_equal(dnp3_link_parser_push(&p, stream + 10, n - 10, &c, &f), DNP3_ERR_LINK_BAD_HEADER_CRC);
    assert_true(p.closed);
    assert_int_equal(p.last_err, DNP3_ERR_LINK_BAD_HEADER_CRC);
    assert_int_equal(p.last_err_offset, 10);
    assert_int_equal(p.stats.bad_header_crc, 1);
    assert_int_equal(dnp3_link_parser_push(&p, stream + 20, n - 20, &c, &f), DNP3_ERR_LINK_CLOSED);
    assert_int_equal(c, 0);
    assert_int_equal(dnp3_link_parser_push(&p, stream + 20, n - 20, &c, &f), DNP3_ERR_LINK_CLOSED);

    dnp3_link_parser_reset(&p);
    assert_false(p.closed);
    assert_int_equal(dnp3_link_parser_push(&p, stream + 20, n - 20, &c, &f), 1);
    assert_int_equal(f.control, 0x00);
    assert_int_equal(p.stream_offset, 10); /* offsets restart after reset */
    assert_int_equal(p.stats.frames, 2);

    /* errors found while buffering close the parser too, at the right offset */
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    for (size_t i = 0; i < 10; i++) {
        int rc = dnp3_link_parser_push(&p, stream + i, 1, &c, &f);
        assert_int_equal(rc, i == 9 ? 1 : 0);
        assert_int_equal(c, 1);
    }
    int rc = 0;
    for (size_t i = 10; i < 20 && rc == 0; i++) rc = dnp3_link_parser_push(&p, stream + i, 1, &c, &f);
    assert_int_equal(rc, DNP3_ERR_LINK_BAD_HEADER_CRC);
    assert_int_equal(p.last_err_offset, 10);
    assert_int_equal(dnp3_link_parser_push(&p, stream + 20, 1, &c, &f), DNP3_ERR_LINK_CLOSED);

    /* L11 (LENGTH 4) and a bad start close it as well */
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    n = tu_hex("05 64 04 C0 01 00 00 04 E9 21", stream, MAX_STREAM);
    assert_int_equal(dnp3_link_parser_push(&p, stream, n, &c, &f), DNP3_ERR_LINK_BAD_LENGTH);
    assert_int_equal(p.last_err_offset, 2);
    assert_int_equal(p.stats.bad_length, 1);
    assert_true(p.closed);
    /* LENGTH is checked as soon as it arrives, not when the header is complete */
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    n = tu_hex("05 64 04", stream, MAX_STREAM);
    assert_int_equal(dnp3_link_parser_push(&p, stream, 2, &c, &f), 0);
    assert_int_equal(dnp3_link_parser_push(&p, stream + 2, 1, &c, &f), DNP3_ERR_LINK_BAD_LENGTH);
    assert_int_equal(p.last_err_offset, 2);
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    n = tu_hex("05 63", stream, MAX_STREAM);
    assert_int_equal(dnp3_link_parser_push(&p, stream, n, &c, &f), DNP3_ERR_LINK_BAD_START);
    assert_int_equal(p.last_err_offset, 1);
    assert_true(p.closed);
}

/* Feeds hex in discard mode (whole, one at a time, random chunks) and checks
 * the events; returns the discard count of the one-at-a-time run. */
static void expect_discard(const char *hex, const int *rcs, const uint64_t *offs, size_t nev, uint64_t discarded)
{
    size_t n = tu_hex(hex, stream, MAX_STREAM);
    for (int policy = 0; policy < 4; policy++) {
        for (int rep = 0; rep < (policy >= 2 ? 20 : 1); rep++) {
            dnp3_link_parser p;
            dnp3_link_parser_init(&p, DNP3_LINK_MODE_DISCARD);
            rng_state = (uint32_t)(1000 + rep);
            run(&p, stream, n, policy, &ev_a);
            if (ev_a.n != nev) fail_msg("policy %d: %zu events, want %zu", policy, ev_a.n, nev);
            for (size_t i = 0; i < nev; i++) {
                if (ev_a.ev[i].rc != rcs[i] || ev_a.ev[i].offset != offs[i])
                    fail_msg("policy %d event %zu: rc %d offset %llu, want %d %llu", policy, i, ev_a.ev[i].rc,
                             (unsigned long long)ev_a.ev[i].offset, rcs[i], (unsigned long long)offs[i]);
            }
            assert_int_equal(p.stats.discarded_octets, discarded);
            assert_false(p.closed);
        }
    }
}

static void test_discard_garbage_then_frame(void **state)
{
    (void)state;
    /* one BAD_START for the whole garbage run, then L1 */
    const int rcs[] = {DNP3_ERR_LINK_BAD_START, 1};
    const uint64_t offs[] = {0, 19};
    expect_discard("00 11 22 05 33 64 05 05 FF | 05 64 05 C0 01 00 00 04 E9 21", rcs, offs, 2, 9);

    /* 05 05 64: the second octet is the offending one; resync at offset 1 */
    const uint64_t offs2[] = {1, 11};
    expect_discard("05 05 64 05 C0 01 00 00 04 E9 21", rcs, offs2, 2, 1);

    /* garbage between two frames and at the end */
    const int rcs3[] = {1, DNP3_ERR_LINK_BAD_START, 1, DNP3_ERR_LINK_BAD_START};
    const uint64_t offs3[] = {10, 10, 23, 23};
    expect_discard("05 64 05 C0 01 00 00 04 E9 21 | AA BB 64 | 05 64 05 00 00 04 01 00 19 A6 | 01 02 05", rcs3,
                   offs3, 4, 5); /* the final 05 stays buffered */
}

static void test_discard_l10_l11(void **state)
{
    (void)state;
    const int rcs[] = {DNP3_ERR_LINK_BAD_HEADER_CRC, 1};
    const uint64_t offs[] = {0, 20};
    expect_discard("05 64 05 C0 01 00 00 04 E9 20 | 05 64 05 00 00 04 01 00 19 A6", rcs, offs, 2, 10);

    const int rcs2[] = {1, DNP3_ERR_LINK_BAD_LENGTH, 1};
    const uint64_t offs2[] = {10, 12, 30};
    expect_discard("05 64 05 00 00 04 01 00 19 A6 | 05 64 04 C0 01 00 00 04 E9 21 | 05 64 05 00 00 04 01 00 19 A6",
                   rcs2, offs2, 3, 10);
}

static void test_discard_bad_body_crc(void **state)
{
    (void)state;
    /* D1 with a bad body CRC (27 octets), then L2 */
    const int rcs[] = {DNP3_ERR_LINK_BAD_BODY_CRC, 1};
    const uint64_t offs[] = {10, 37};
    expect_discard("05 64 14 F3 01 00 00 04 0A 3B C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 9A FF"
                   " 05 64 05 00 00 04 01 00 19 A6",
                   rcs, offs, 2, 27);

    /* after a body error the whole bad frame is rescanned: a good frame carried
     * inside its body (here: L1 as the first 10 user-data octets, block CRC wrong)
     * is found, also when the bad frame was buffered before it was checked */
    const int rcs2[] = {DNP3_ERR_LINK_BAD_BODY_CRC, 1, DNP3_ERR_LINK_BAD_START};
    const uint64_t offs2[] = {10, 20, 20};
    char hex[200];
    uint8_t h[10];
    int len = dnp3_link_format(h, sizeof h, 0xC4, 1, 2, NULL, 0);
    assert_int_equal(len, 10);
    h[2] = 15; /* LENGTH for 10 user-data octets; fix the header CRC */
    uint16_t crc = dnp3_crc16(h, 8);
    h[8] = (uint8_t)crc;
    h[9] = (uint8_t)(crc >> 8);
    strcpy(hex, tu_tohex(h, 10));
    strcat(hex, " 05 64 05 C0 01 00 00 04 E9 21 00 00");
    expect_discard(hex, rcs2, offs2, 3, 1 + 9 + 2);
}

static void test_discard_gives_back_octets(void **state)
{
    (void)state;
    dnp3_link_parser p;
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_DISCARD);
    size_t n = tu_hex("05 64 05 C0 01 | 00 00 04 E9 20 05 64 05 00 00 04 01 00 19 A6", stream, MAX_STREAM);
    size_t c;
    dnp3_link_frame f;
    assert_int_equal(dnp3_link_parser_push(&p, stream, 5, &c, &f), 0);
    assert_int_equal(c, 5);
    /* the error is found in buffered octets: this call's octets are handed back */
    assert_int_equal(dnp3_link_parser_push(&p, stream + 5, n - 5, &c, &f), DNP3_ERR_LINK_BAD_HEADER_CRC);
    assert_int_equal(c, 0);
    assert_int_equal(p.last_err_offset, 0);
    assert_true(p.resyncing);
    assert_int_equal(p.stream_offset + p.have, 5);
    assert_int_equal(dnp3_link_parser_push(&p, stream + 5, n - 5, &c, &f), 1);
    assert_int_equal(c, n - 5);
    assert_int_equal(f.control, 0x00);
    assert_int_equal(p.stats.discarded_octets, 10);
    assert_int_equal(p.stats.bad_header_crc, 1);
    assert_false(p.resyncing);
}

static void test_err_offset_after_frames(void **state)
{
    (void)state;
    const int rcs[] = {1, 1, DNP3_ERR_LINK_BAD_HEADER_CRC, 1};
    const uint64_t offs[] = {10, 25, 25, 45};
    expect_discard("05 64 05 C0 01 00 00 04 E9 21 | 05 64 08 C4 00 04 01 00 9A 19 C0 C0 18 D1 DB"
                   " 05 64 05 C0 01 00 00 04 E9 20 | 05 64 05 C0 01 00 00 04 E9 21",
                   rcs, offs, 4, 10);
}

/* ---- randomized stream: results must not depend on the chunking ---- */

static size_t gen_stream(uint8_t *s, size_t cap, int *good_frames)
{
    size_t n = 0;
    *good_frames = 0;
    while (n + 400 < cap) {
        uint32_t kind = rnd() % 10;
        if (kind < 6 || kind == 9) {
            uint8_t data[DNP3_LINK_MAX_USER_DATA];
            size_t len = (rnd() % 3 == 0) ? 0 : rnd() % 251;
            if (rnd() % 4 == 0) len = 250;
            for (size_t i = 0; i < len; i++) data[i] = (uint8_t)(rnd() % 5 == 0 ? 0x05 : rnd());
            int w = dnp3_link_format(s + n, cap - n, (uint8_t)rnd(), (uint16_t)rnd(), (uint16_t)rnd(), data, len);
            assert_true(w > 0);
            if (kind == 9) {
                s[n + rnd() % (size_t)w] ^= (uint8_t)(1u << (rnd() % 8)); /* corrupt one bit */
            } else {
                (*good_frames)++;
            }
            n += (size_t)w;
        } else if (kind < 8) {
            size_t len = 1 + rnd() % 30;
            for (size_t i = 0; i < len; i++) {
                uint32_t r = rnd() % 4;
                s[n++] = r == 0 ? 0x05 : r == 1 ? 0x64 : (uint8_t)rnd();
            }
        } else {
            /* a truncated frame */
            uint8_t data[DNP3_LINK_MAX_USER_DATA] = {0};
            size_t len = rnd() % 251;
            int w = dnp3_link_format(s + n, cap - n, 0x44, 1, 2, data, len);
            n += 1 + rnd() % (size_t)w;
        }
    }
    return n;
}

static void test_random_stream_chunk_invariance(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 6; seed++) {
        rng_state = seed;
        int good;
        size_t n = gen_stream(stream, 60000, &good);
        for (int mode = 0; mode < 2; mode++) {
            dnp3_link_error_mode m = mode ? DNP3_LINK_MODE_DISCARD : DNP3_LINK_MODE_CLOSE;
            dnp3_link_parser p;
            dnp3_link_parser_init(&p, m);
            run(&p, stream, n, 0, &ev_a);
            if (m == DNP3_LINK_MODE_DISCARD) {
                size_t frames = 0, frame_octets = 0;
                uint64_t prev_end = 0;
                for (size_t i = 0; i < ev_a.n; i++) {
                    if (ev_a.ev[i].rc != 1) continue;
                    frames++;
                    frame_octets += dnp3_link_frame_size(ev_a.ev[i].len);
                    assert_true(ev_a.ev[i].offset > prev_end);
                    prev_end = ev_a.ev[i].offset;
                }
                /* every good frame is found (random garbage may add a few more) */
                assert_true(frames >= (size_t)good);
                assert_int_equal(p.stats.frames, frames);
                /* every octet is in a frame, discarded or still buffered */
                assert_int_equal(frame_octets + p.stats.discarded_octets + p.have, n);
                assert_true(p.stats.bad_header_crc + p.stats.bad_body_crc + p.stats.bad_length > 0);
            } else {
                assert_true(p.closed);
            }
            for (int policy = 1; policy < 4; policy++) {
                dnp3_link_parser q;
                dnp3_link_parser_init(&q, m);
                rng_state = seed * 77;
                run(&q, stream, n, policy, &ev_b);
                assert_same_events(&ev_a, &ev_b, policy == 1 ? "one octet" : "random chunks");
                assert_int_equal(q.stats.discarded_octets, p.stats.discarded_octets);
                if (m == DNP3_LINK_MODE_DISCARD) assert_int_equal(q.have, p.have);
            }
        }
    }
}

static void test_invalid_args(void **state)
{
    (void)state;
    dnp3_link_parser p;
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    size_t c = 5;
    dnp3_link_frame f;
    assert_int_equal(dnp3_link_parser_push(&p, NULL, 3, &c, &f), DNP3_ERR_INVALID_ARG);
    assert_int_equal(c, 0);
    assert_int_equal(dnp3_link_parser_push(&p, NULL, 0, &c, &f), 0);
    assert_false(p.closed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_stream_all_chunkings),
        cmocka_unit_test(test_partial_frame_is_buffered),
        cmocka_unit_test(test_close_mode),
        cmocka_unit_test(test_discard_garbage_then_frame),
        cmocka_unit_test(test_discard_l10_l11),
        cmocka_unit_test(test_discard_bad_body_crc),
        cmocka_unit_test(test_discard_gives_back_octets),
        cmocka_unit_test(test_err_offset_after_frames),
        cmocka_unit_test(test_random_stream_chunk_invariance),
        cmocka_unit_test(test_invalid_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
