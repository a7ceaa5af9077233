/*
 * test_transport.c - transport function (IEEE 1815-2012 clause 8): reassembly
 * cases of docs/protocol-notes.md §10.4 (fragment, dup, invalid, fin), overflow, other source,
 * broadcast, empty segments; segmentation of golden single-frame fragments
 * byte for byte, of a 2048-octet fragment (9 frames) with a round trip through
 * the link parser, the station rules and reassembly; SEQ wraparound 63 -> 0.
 */
#include <string.h>

#include "dnp3/link.h"
#include "dnp3/transport.h"
#include "testutil.h"

typedef struct {
    dnp3_transport_rx rx;
    uint8_t buf[2048];
    const uint8_t *apdu;
    size_t apdu_len;
} asm_ctx;

static void asm_init(asm_ctx *a, size_t cap)
{
    assert_true(cap <= sizeof a->buf);
    dnp3_transport_rx_init(&a->rx, a->buf, cap);
}

/* Pushes one segment given as hex; returns rx_push's result. */
static int seg(asm_ctx *a, uint16_t src, bool broadcast, const char *hex)
{
    uint8_t s[300];
    size_t n = tu_hex(hex, s, sizeof s);
    return dnp3_transport_rx_push(&a->rx, src, broadcast, s, n, &a->apdu, &a->apdu_len);
}

/* PE fragment.hex: FIR seq 0 + FIN seq 1 */
static void test_fragment(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    assert_int_equal(seg(&a, 0, false, "40 C0 01 01 00 17 03"), 0);
    assert_null(a.apdu);
    assert_true(a.rx.in_progress);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_OK);
    assert_int_equal(seg(&a, 0, false, "81 41 43 42"), 1);
    assert_hex(a.apdu, a.apdu_len, "C0 01 01 00 17 03 41 43 42");
    assert_ptr_equal(a.apdu, a.buf);
    assert_false(a.rx.in_progress);
    assert_int_equal(a.rx.stats.segments, 2);
    assert_int_equal(a.rx.stats.fragments, 1);
    assert_int_equal(a.rx.stats.discarded_segments, 0);
    assert_int_equal(a.rx.stats.discarded_series, 0);
}

/* PE dup.hex: the repeated FIR restarts the series */
static void test_dup(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    assert_int_equal(seg(&a, 0, false, "40 C0 01 01 00 17 03"), 0);
    assert_int_equal(seg(&a, 0, false, "40 C0 01 01 00 17 03"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_FIR_RESTART);
    assert_int_equal(a.rx.stats.discarded_series, 1);
    assert_int_equal(seg(&a, 0, false, "81 41 43 42"), 1);
    assert_hex(a.apdu, a.apdu_len, "C0 01 01 00 17 03 41 43 42");
    assert_int_equal(a.rx.stats.fragments, 1);
}

/* PE invalid.hex: a sequence gap discards the series; a new FIR starts over */
static void test_invalid(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    assert_int_equal(seg(&a, 0, false, "40 C0 01 01 00 17 03"), 0);
    assert_int_equal(seg(&a, 0, false, "82 41 43 42"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_BAD_SEQUENCE);
    assert_false(a.rx.in_progress);
    assert_int_equal(a.rx.stats.discarded_series, 1);
    assert_int_equal(a.rx.stats.discarded_segments, 1);
    assert_int_equal(seg(&a, 0, false, "43 C1 01 01 00 17 03"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_OK);
    assert_int_equal(seg(&a, 0, false, "84 41 43 42"), 1);
    assert_hex(a.apdu, a.apdu_len, "C1 01 01 00 17 03 41 43 42");
}

/* PE fin.hex: FIN-only segments without a series are discarded */
static void test_fin(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    assert_int_equal(seg(&a, 0, false, "41 C0 01 01 00 17 03"), 0);
    assert_int_equal(seg(&a, 0, false, "82 41 43 42"), 1);
    assert_hex(a.apdu, a.apdu_len, "C0 01 01 00 17 03 41 43 42");
    assert_int_equal(seg(&a, 0, false, "83 41 43 42"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_NO_FIR);
    assert_int_equal(a.apdu_len, 0);
    assert_int_equal(seg(&a, 0, false, "84 41 43 42"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_NO_FIR);
    assert_int_equal(a.rx.stats.fragments, 1);
    assert_int_equal(a.rx.stats.discarded_segments, 2);
    assert_int_equal(a.rx.stats.discarded_series, 0);
    /* a middle segment without FIR is discarded too */
    assert_int_equal(seg(&a, 0, false, "05 41"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_NO_FIR);
}

static void test_single_segment_and_empty(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    assert_int_equal(seg(&a, 7, false, "C0 C0 01 3C 02 06"), 1);
    assert_hex(a.apdu, a.apdu_len, "C0 01 3C 02 06");
    assert_int_equal(seg(&a, 7, false, ""), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_EMPTY_SEGMENT);
    /* an empty segment does not disturb a series in progress */
    assert_int_equal(seg(&a, 7, false, "45 AA"), 0);
    assert_int_equal(seg(&a, 7, false, ""), 0);
    assert_int_equal(seg(&a, 7, false, "86 BB"), 1);
    assert_hex(a.apdu, a.apdu_len, "AA BB");
    /* FIR with any SEQ (rule 4), 63 -> 0 wraparound on reception */
    assert_int_equal(seg(&a, 7, false, "7F 01"), 0);
    assert_int_equal(seg(&a, 7, false, "00 02"), 0);
    assert_int_equal(seg(&a, 7, false, "81 03"), 1);
    assert_hex(a.apdu, a.apdu_len, "01 02 03");
    assert_int_equal(dnp3_transport_rx_push(&a.rx, 7, false, NULL, 0, &a.apdu, &a.apdu_len), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_EMPTY_SEGMENT);
}

static void test_other_source(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    assert_int_equal(seg(&a, 1, false, "40 C0 01"), 0);
    assert_int_equal(seg(&a, 2, false, "81 3C 02 06"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_OTHER_SOURCE);
    assert_false(a.rx.in_progress);
    assert_int_equal(a.rx.stats.discarded_series, 1);
    /* the original source's continuation now has no series */
    assert_int_equal(seg(&a, 1, false, "81 3C 02 06"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_NO_FIR);
    /* a FIR from another source simply restarts */
    assert_int_equal(seg(&a, 1, false, "40 C0 01"), 0);
    assert_int_equal(seg(&a, 2, false, "C9 C5 01"), 1);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_FIR_RESTART);
    assert_hex(a.apdu, a.apdu_len, "C5 01");
    assert_int_equal(a.rx.src, 2);
}

static void test_overflow(void **state)
{
    (void)state;
    asm_ctx a;
    uint8_t s[250];
    memset(s, 0x11, sizeof s);
    asm_init(&a, 300);
    s[0] = 0x40; /* FIR seq 0, 249 octets */
    assert_int_equal(dnp3_transport_rx_push(&a.rx, 1, false, s, 250, &a.apdu, &a.apdu_len), 0);
    s[0] = 0x81; /* FIN seq 1: 498 > 300 */
    assert_int_equal(dnp3_transport_rx_push(&a.rx, 1, false, s, 250, &a.apdu, &a.apdu_len), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_OVERFLOW);
    assert_false(a.rx.in_progress);
    assert_int_equal(a.rx.stats.discarded_series, 1);
    assert_int_equal(a.rx.stats.discarded_segments, 1);
    /* exactly at the limit: 249 + 51 = 300 fits */
    s[0] = 0x40;
    assert_int_equal(dnp3_transport_rx_push(&a.rx, 1, false, s, 250, &a.apdu, &a.apdu_len), 0);
    s[0] = 0x81;
    assert_int_equal(dnp3_transport_rx_push(&a.rx, 1, false, s, 52, &a.apdu, &a.apdu_len), 1);
    assert_int_equal(a.apdu_len, 300);
    /* one more octet does not */
    s[0] = 0x42;
    assert_int_equal(dnp3_transport_rx_push(&a.rx, 1, false, s, 250, &a.apdu, &a.apdu_len), 0);
    s[0] = 0x83;
    assert_int_equal(dnp3_transport_rx_push(&a.rx, 1, false, s, 53, &a.apdu, &a.apdu_len), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_OVERFLOW);

    /* a FIR segment larger than a (small) buffer */
    dnp3_transport_rx small;
    uint8_t sbuf[10];
    dnp3_transport_rx_init(&small, sbuf, sizeof sbuf);
    s[0] = 0xC0;
    assert_int_equal(dnp3_transport_rx_push(&small, 1, false, s, 12, &a.apdu, &a.apdu_len), 0);
    assert_int_equal(small.last_discard, DNP3_TRANSPORT_OVERFLOW);
    assert_false(small.in_progress);
    assert_int_equal(dnp3_transport_rx_push(&small, 1, false, s, 11, &a.apdu, &a.apdu_len), 1);
    assert_int_equal(a.apdu_len, 10);
}

static void test_broadcast(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    /* single FIR+FIN: accepted */
    assert_int_equal(seg(&a, 1, true, "C3 C3 02 32 01"), 1);
    assert_hex(a.apdu, a.apdu_len, "C3 02 32 01");
    /* a broadcast series is refused from its first segment on */
    assert_int_equal(seg(&a, 1, true, "44 C4 01"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_BROADCAST_MULTI);
    assert_false(a.rx.in_progress);
    assert_int_equal(seg(&a, 1, true, "85 02"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_BROADCAST_MULTI);
    assert_int_equal(seg(&a, 1, false, "85 02"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_NO_FIR);
    /* a broadcast non-FIR segment in the middle of a unicast series drops it */
    assert_int_equal(seg(&a, 1, false, "46 C6 01"), 0);
    assert_int_equal(seg(&a, 1, true, "87 02"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_BROADCAST_MULTI);
    assert_false(a.rx.in_progress);
    assert_int_equal(a.rx.stats.discarded_series, 1);
    assert_int_equal(a.rx.stats.fragments, 1);
}

static void test_reset_and_names(void **state)
{
    (void)state;
    asm_ctx a;
    asm_init(&a, 2048);
    assert_int_equal(seg(&a, 1, false, "40 C0"), 0);
    dnp3_transport_rx_reset(&a.rx);
    assert_false(a.rx.in_progress);
    assert_int_equal(seg(&a, 1, false, "81 01"), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_NO_FIR);
    assert_string_equal(dnp3_transport_discard_name(DNP3_TRANSPORT_OK), "OK");
    assert_string_equal(dnp3_transport_discard_name(DNP3_TRANSPORT_BAD_SEQUENCE), "BAD_SEQUENCE");
    assert_string_equal(dnp3_transport_discard_name(DNP3_TRANSPORT_BROADCAST_MULTI), "BROADCAST_MULTI");
    assert_string_equal(dnp3_transport_discard_name((dnp3_transport_discard)99), "UNKNOWN");
}

/* ---- transmit ---- */

static void test_segment_count_and_size(void **state)
{
    (void)state;
    assert_int_equal(dnp3_transport_segment_count(0), 1);
    assert_int_equal(dnp3_transport_segment_count(1), 1);
    assert_int_equal(dnp3_transport_segment_count(249), 1);
    assert_int_equal(dnp3_transport_segment_count(250), 2);
    assert_int_equal(dnp3_transport_segment_count(498), 2);
    assert_int_equal(dnp3_transport_segment_count(499), 3);
    assert_int_equal(dnp3_transport_segment_count(2048), 9);
    assert_int_equal(dnp3_transport_wire_size(1), 14);
    assert_int_equal(dnp3_transport_wire_size(15), 28);
    assert_int_equal(dnp3_transport_wire_size(249), 292);
    assert_int_equal(dnp3_transport_wire_size(250), 292 + 14);
    assert_int_equal(dnp3_transport_wire_size(2048), 8 * 292 + 75);
    assert_true(dnp3_transport_wire_size(2048) <= dnp3_transport_segment_count(2048) * 292);
}

static void expect_tx(uint8_t seq, uint8_t control, uint16_t dest, uint16_t src, const char *apdu_hex,
                      const char *want)
{
    uint8_t apdu[300], out[600];
    size_t n = tu_hex(apdu_hex, apdu, sizeof apdu);
    dnp3_transport_tx tx;
    dnp3_transport_tx_init(&tx);
    tx.seq = seq;
    int rc = dnp3_transport_write_fragment(&tx, out, sizeof out, control, dest, src, apdu, n);
    assert_true(rc > 0);
    assert_int_equal((size_t)rc, dnp3_transport_wire_size(n));
    assert_hex(out, (size_t)rc, want);
    assert_int_equal(tx.seq, (seq + 1) & 63);
}

static void test_golden_single_frames(void **state)
{
    (void)state;
    /* D2, B1, B2, B4 (transport seq 1), B11, B12, D4 (confirmed data, seq 1) */
    expect_tx(0, 0xC4, 1024, 1, "C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06",
              "05 64 14 C4 00 04 01 00 E9 B6 C0 C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 8A 51");
    expect_tx(0, 0x44, 1, 1024, "C0 81 80 00 1E 01 01 00 00 00 00 01 2A 00 00 00",
              "05 64 16 44 01 00 00 04 14 27 C0 C0 81 80 00 1E 01 01 00 00 00 00 01 2A 00 00 12 83 00 FF FF");
    expect_tx(
        0, 0xC4, 1024, 1, "C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00",
        "05 64 18 C4 00 04 01 00 5B 61 C0 C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 4B C0 00 00 00 FF FF");
    expect_tx(
        1, 0xC4, 1024, 1, "C1 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00",
        "05 64 18 C4 00 04 01 00 5B 61 C1 C1 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 0F 5B 00 00 00 FF FF");
    expect_tx(0, 0x44, 1, 1024, "F0 82 80 00", "05 64 0A 44 01 00 00 04 67 88 C0 F0 82 80 00 6B 7D");
    expect_tx(0, 0xC4, 1024, 1, "D0 00", "05 64 08 C4 00 04 01 00 9A 19 C0 D0 00 1B 49");
    expect_tx(63, 0xC4, 2, 1, "C9 05 0C 01 28 01 00 00 00 01 01 01 00 00 00 00 00 00 00 00",
              "05 64 1A C4 02 00 01 00 A5 E9 FF C9 05 0C 01 28 01 00 00 00 01 01 01 00 00 00 72 EF 00 00 00 00 00 "
              "FF FF");
    expect_tx(1, 0x73, 1024, 1,
              "E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 01 00 01 00 01 02 01 28 01 00 02 00 01 02 01 28"
              " 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 02 28 01 00 01 00 01 00 00 01 01 01 00 00 03 00"
              " 00 1E 02 01 00 00 01 00 01 00 00 01 00 00",
              "05 64 53 73 00 04 01 00 03 FC"
              " C1 E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 05 24"
              " 01 00 01 00 01 02 01 28 01 00 02 00 01 02 01 28 B4 77"
              " 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 A5 25"
              " 02 28 01 00 01 00 01 00 00 01 01 01 00 00 03 00 2F AC"
              " 00 1E 02 01 00 00 01 00 01 00 00 01 00 00 16 ED");
}

static void test_tx_errors(void **state)
{
    (void)state;
    uint8_t apdu[600] = {0}, out[1000];
    dnp3_transport_tx tx;
    dnp3_transport_tx_init(&tx);
    tx.seq = 5;
    memset(out, 0xEE, sizeof out);
    assert_int_equal(dnp3_transport_write_fragment(&tx, out, sizeof out, 0xC4, 1, 2, apdu, 0),
                     DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_transport_write_fragment(&tx, out, sizeof out, 0xC4, 1, 2, NULL, 3),
                     DNP3_ERR_INVALID_ARG);
    size_t need = dnp3_transport_wire_size(600);
    assert_int_equal(need, 2 * 292 + dnp3_link_frame_size(600 - 498 + 1));
    assert_int_equal(dnp3_transport_write_fragment(&tx, out, need - 1, 0xC4, 1, 2, apdu, 600),
                     DNP3_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(tx.seq, 5);    /* nothing sent, sequence unchanged */
    assert_int_equal(out[0], 0xEE); /* nothing written */
    assert_int_equal(dnp3_transport_write_fragment(&tx, out, need, 0xC4, 1, 2, apdu, 600), (int)need);
    assert_int_equal(tx.seq, 8);
}

/* Parses dst[0..n) (in chunks of `chunk`) through link parser + station + reassembly. */
static size_t receive_all(const uint8_t *wire, size_t n, size_t chunk, asm_ctx *a, size_t *frames)
{
    dnp3_link_parser p;
    dnp3_link_station st;
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    dnp3_link_station_init(&st, false, 1024, false);
    size_t got = 0, pos = 0;
    *frames = 0;
    while (pos < n) {
        size_t len = n - pos < chunk ? n - pos : chunk;
        const uint8_t *in = wire + pos;
        pos += len;
        while (len > 0) {
            size_t c;
            dnp3_link_frame f;
            int rc = dnp3_link_parser_push(&p, in, len, &c, &f);
            assert_true(rc >= 0);
            in += c;
            len -= c;
            if (rc != 1) continue;
            (*frames)++;
            dnp3_link_rx rx;
            assert_true(dnp3_link_station_receive(&st, &f, &rx));
            assert_false(rx.reply);
            if (dnp3_transport_rx_push(&a->rx, rx.src, rx.broadcast, rx.data, rx.len, &a->apdu, &a->apdu_len) == 1)
                got++;
        }
    }
    return got;
}

static void test_segment_2048(void **state)
{
    (void)state;
    static uint8_t apdu[2048], out[9 * 292];
    for (size_t i = 0; i < sizeof apdu; i++) apdu[i] = (uint8_t)(i * 31 + (i >> 8));
    dnp3_transport_tx tx;
    dnp3_transport_tx_init(&tx);
    tx.seq = 60;
    int rc = dnp3_transport_write_fragment(&tx, out, sizeof out, 0xC4, 1024, 1, apdu, sizeof apdu);
    assert_int_equal(rc, 8 * 292 + 75);
    assert_int_equal(tx.seq, (60 + 9) & 63);

    /* walk the 9 frames: sizes, headers, FIR/FIN, SEQ 60..63,0..4, payload */
    size_t off = 0, apos = 0;
    uint8_t scratch[DNP3_LINK_MAX_USER_DATA];
    for (int i = 0; i < 9; i++) {
        dnp3_link_frame f;
        int n = dnp3_link_parse(out + off, (size_t)rc - off, scratch, &f, NULL);
        assert_int_equal(n, i < 8 ? 292 : 75);
        assert_int_equal(f.control, 0xC4);
        assert_int_equal(f.dest, 1024);
        assert_int_equal(f.src, 1);
        assert_int_equal(f.len, i < 8 ? 250 : 57);
        uint8_t want = (uint8_t)((60 + i) & 63);
        if (i == 0) want |= 0x40;
        if (i == 8) want |= 0x80;
        assert_int_equal(f.data[0], want);
        assert_memory_equal(f.data + 1, apdu + apos, f.len - 1);
        apos += f.len - 1;
        off += (size_t)n;
    }
    assert_int_equal(apos, 2048);
    assert_int_equal(off, (size_t)rc);
    assert_int_equal(out[0], 0x05);
    assert_int_equal(out[3 * 292 + 10], 63); /* 4th frame: SEQ 63 */
    assert_int_equal(out[4 * 292 + 10], 0);  /* 5th frame: SEQ wraps to 0 */

    /* round trip in several chunk sizes */
    const size_t chunks[] = {1, 7, 292, 1000, (size_t)rc};
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        asm_ctx a;
        asm_init(&a, 2048);
        size_t frames;
        assert_int_equal(receive_all(out, (size_t)rc, chunks[k], &a, &frames), 1);
        assert_int_equal(frames, 9);
        assert_int_equal(a.apdu_len, 2048);
        assert_memory_equal(a.apdu, apdu, 2048);
        assert_int_equal(a.rx.stats.segments, 9);
        assert_int_equal(a.rx.stats.discarded_segments, 0);
    }

    /* a receiver with a 2047-octet buffer drops it */
    asm_ctx a;
    asm_init(&a, 2047);
    size_t frames;
    assert_int_equal(receive_all(out, (size_t)rc, 100, &a, &frames), 0);
    assert_int_equal(a.rx.last_discard, DNP3_TRANSPORT_OVERFLOW);
}

/* SEQ increments for every segment across fragments and wraps 63 -> 0 */
static void test_seq_wraparound(void **state)
{
    (void)state;
    dnp3_transport_tx tx;
    dnp3_transport_tx_init(&tx);
    assert_int_equal(tx.seq, 0);
    uint8_t out[3 * 292], apdu[600];
    memset(apdu, 0x5A, sizeof apdu);
    for (int i = 0; i < 63; i++)
        assert_int_equal(dnp3_transport_write_fragment(&tx, out, sizeof out, 0x44, 1, 1024, apdu, 2), 15);
    assert_int_equal(tx.seq, 63);
    assert_int_equal(dnp3_transport_write_fragment(&tx, out, sizeof out, 0x44, 1, 1024, apdu, 2), 15);
    assert_int_equal(out[10], 0xC0 | 63);
    assert_int_equal(tx.seq, 0);
    tx.seq = 62;
    int rc = dnp3_transport_write_fragment(&tx, out, sizeof out, 0x44, 1, 1024, apdu, 600);
    assert_int_equal(rc, 2 * 292 + dnp3_link_frame_size(600 - 498 + 1));
    assert_int_equal(out[10], 0x40 | 62);
    assert_int_equal(out[292 + 10], 63);
    assert_int_equal(out[2 * 292 + 10], 0x80 | 0);
    assert_int_equal(tx.seq, 1);

    /* and reassembly follows the wrap */
    asm_ctx a;
    asm_init(&a, 2048);
    uint8_t scratch[DNP3_LINK_MAX_USER_DATA];
    size_t off = 0;
    int done = 0;
    for (int i = 0; i < 3; i++) {
        dnp3_link_frame f;
        int n = dnp3_link_parse(out + off, (size_t)rc - off, scratch, &f, NULL);
        assert_true(n > 0);
        off += (size_t)n;
        done = dnp3_transport_rx_push(&a.rx, f.src, false, f.data, f.len, &a.apdu, &a.apdu_len);
    }
    assert_int_equal(done, 1);
    assert_int_equal(a.apdu_len, 600);
    assert_memory_equal(a.apdu, apdu, 600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fragment),
        cmocka_unit_test(test_dup),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_fin),
        cmocka_unit_test(test_single_segment_and_empty),
        cmocka_unit_test(test_other_source),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_broadcast),
        cmocka_unit_test(test_reset_and_names),
        cmocka_unit_test(test_segment_count_and_size),
        cmocka_unit_test(test_golden_single_frames),
        cmocka_unit_test(test_tx_errors),
        cmocka_unit_test(test_segment_2048),
        cmocka_unit_test(test_seq_wraparound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
