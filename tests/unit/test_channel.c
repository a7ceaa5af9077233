/*
 * test_channel.c - the link + transport endpoint (src/channel): frames in ->
 * fragments delivered, link replies, keep-alive and its timeout, framing
 * errors per mode, datagrams, segmentation of sent fragments, broadcast,
 * source filtering and the memory contract. Golden frames: docs/protocol-notes.md §10.1/10.2.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/channel.h"
#include "testutil.h"

typedef struct {
    int count;
    uint8_t apdu[4096];
    size_t len;
    uint16_t src, dest;
    dnp3_broadcast_kind bcast;
    dnp3_tstamp now;
} sink;

static void on_frag(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    sink *s = ctx;
    s->count++;
    memcpy(s->apdu, f->apdu, f->len);
    s->len = f->len;
    s->src = f->src;
    s->dest = f->dest;
    s->bcast = f->broadcast;
    s->now = now;
}

static alignas(max_align_t) uint8_t mem[64 * 1024];
static sink snk;

/* An outstation-side channel: local 1024, remote 1 (the addresses of docs/protocol-notes.md §10.2). */
static dnp3_channel *make_framing(dnp3_channel_mode mode, uint32_t keep_alive, dnp3_framing_policy framing)
{
    dnp3_channel_config c;
    dnp3_channel_config_init(&c);
    c.framing = framing;
    c.local_addr = 1024;
    c.remote_addr = 1;
    c.mode = mode;
    c.keep_alive_ms = keep_alive;
    c.on_fragment = on_frag;
    c.ctx = &snk;
    memset(&snk, 0, sizeof snk);
    size_t need = dnp3_channel_memory_size(&c);
    assert_true(need > 0 && need <= sizeof mem);
    dnp3_channel *ch = dnp3_channel_init(mem, sizeof mem, &c, 0);
    assert_non_null(ch);
    return ch;
}

static dnp3_channel *make(dnp3_channel_mode mode, uint32_t keep_alive)
{
    return make_framing(mode, keep_alive, DNP3_FRAMING_BY_MODE);
}

static void feed(dnp3_channel *ch, const char *hex, dnp3_tstamp now, int expect_rc)
{
    uint8_t buf[1024];
    size_t n = tu_hex(hex, buf, sizeof buf);
    assert_int_equal(dnp3_channel_read(ch, buf, n, now), expect_rc);
}

static void expect_out(dnp3_channel *ch, const char *hex)
{
    uint8_t out[4096];
    int n = dnp3_channel_write(ch, out, sizeof out);
    assert_true(n > 0);
    assert_hex(out, (size_t)n, hex);
}

static void expect_nothing(dnp3_channel *ch)
{
    uint8_t out[64];
    assert_int_equal(dnp3_channel_write(ch, out, sizeof out), 0);
}

#define D2 "05 64 14 C4 00 04 01 00 E9 B6 C0 C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 8A 51"
#define D2_APDU "C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06"

static void test_frame_delivers_fragment(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    feed(ch, D2, 5, DNP3_OK);
    assert_int_equal(snk.count, 1);
    assert_hex(snk.apdu, snk.len, D2_APDU);
    assert_int_equal(snk.src, 1);
    assert_int_equal(snk.dest, 1024);
    assert_int_equal(snk.bcast, DNP3_BCAST_NONE);
    assert_int_equal(snk.now, 5);
    expect_nothing(ch); /* unconfirmed user data: no link reply */
}

static void test_one_octet_at_a_time(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    uint8_t buf[64];
    size_t n = tu_hex(D2 D2, buf, sizeof buf);
    for (size_t i = 0; i < n; i++) assert_int_equal(dnp3_channel_read(ch, buf + i, 1, i), DNP3_OK);
    assert_int_equal(snk.count, 2);
    assert_hex(snk.apdu, snk.len, D2_APDU);
}

static void test_request_link_status(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    feed(ch, "05 64 05 C9 00 04 01 00 98 81", 0, DNP3_OK); /* L8 */
    expect_out(ch, "05 64 05 0B 01 00 00 04 64 40");       /* L9 */
    expect_nothing(ch);
    assert_int_equal(snk.count, 0);
}

static void test_reset_link_and_confirmed_data(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    /* RESET_LINK_STATES from master 1 to 1024 -> ACK (L2 with addresses swapped) */
    uint8_t fr[64];
    int n = dnp3_link_format(fr, sizeof fr, 0xC0, 1024, 1, NULL, 0);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    uint8_t ack[16];
    int an = dnp3_link_format(ack, sizeof ack, 0x00, 1, 1024, NULL, 0);
    expect_out(ch, tu_tohex(ack, (size_t)an));
    /* D1-like confirmed user data with FCB=1 -> ACK + delivered; repeat -> ACK only */
    uint8_t ud[] = {0xC0, 0xC3, 0x01, 0x3C, 0x02, 0x06};
    n = dnp3_link_format(fr, sizeof fr, 0xF3, 1024, 1, ud, sizeof ud);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 1), DNP3_OK);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 2), DNP3_OK);
    assert_int_equal(snk.count, 1);
    assert_hex(snk.apdu, snk.len, "C3 01 3C 02 06");
    expect_out(ch, tu_tohex(ack, (size_t)an));
    expect_out(ch, tu_tohex(ack, (size_t)an));
    expect_nothing(ch);
}

static void test_keep_alive_timeout_closes(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 60000);
    assert_int_equal(dnp3_channel_get_expiry(ch), 60000);
    feed(ch, D2, 1000, DNP3_OK); /* traffic restarts the period */
    assert_int_equal(dnp3_channel_get_expiry(ch), 61000);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 60999), DNP3_OK);
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 61000), DNP3_OK);
    expect_out(ch, "05 64 05 49 01 00 00 04 D2 36"); /* L7 */
    assert_int_equal(dnp3_channel_get_expiry(ch), 62000);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 61999), DNP3_OK);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_OPEN);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 62000), DNP3_ERR_LINK_CLOSED);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_CLOSE_KEEPALIVE);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER);
    feed(ch, D2, 62001, DNP3_ERR_LINK_CLOSED);
    /* a new connection starts over */
    dnp3_channel_reset(ch, 70000);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_OPEN);
    assert_int_equal(dnp3_channel_get_expiry(ch), 130000);
}

static void test_keep_alive_answered(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 60000);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 60000), DNP3_OK);
    expect_out(ch, "05 64 05 49 01 00 00 04 D2 36");
    /* LINK_STATUS from the master (DIR=1, PRM=0, func 11) */
    uint8_t fr[16];
    int n = dnp3_link_format(fr, sizeof fr, 0x8B, 1024, 1, NULL, 0);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 60500), DNP3_OK);
    assert_int_equal(dnp3_channel_get_expiry(ch), 120500);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 61000), DNP3_OK);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_OPEN);
    assert_int_equal(dnp3_channel_get_stats(ch)->keep_alives_sent, 1);
}

static void test_framing_error_stream_closes(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    feed(ch, "05 64 05 C0 01 00 00 04 E9 20", 0, DNP3_ERR_LINK_CLOSED); /* L10 bad CRC */
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_CLOSE_FRAMING);
    feed(ch, D2, 1, DNP3_ERR_LINK_CLOSED);
    assert_int_equal(snk.count, 0);
}

static void test_framing_error_serial_resyncs(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_SERIAL, 0);
    feed(ch, "FF 05 64 04 C0 01 00 00 04 E9 21 00 " D2 " 05 64 05 C0 01 00 00 04 E9 20 " D2, 0, DNP3_OK);
    assert_int_equal(snk.count, 2);
    assert_hex(snk.apdu, snk.len, D2_APDU);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_OPEN);
}

/* The framing policy overrides the mode: TCP that resyncs, serial that closes (issue 11). */
static void test_framing_policy(void **state)
{
    (void)state;
    /* bad start octets, a bad header CRC, junk after a frame: all skipped, the frames delivered */
    dnp3_channel *ch = make_framing(DNP3_CHANNEL_STREAM, 0, DNP3_FRAMING_RESYNC);
    feed(ch, "FF 00 05 64 05 C0 01 00 00 04 E9 20 " D2 " 12 34 56 " D2, 0, DNP3_OK);
    assert_int_equal(snk.count, 2);
    assert_hex(snk.apdu, snk.len, D2_APDU);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_OPEN);
    /* junk after a frame in close mode: the frame is delivered, then the channel closes */
    ch = make_framing(DNP3_CHANNEL_STREAM, 0, DNP3_FRAMING_CLOSE);
    feed(ch, D2 " 12 34 56", 0, DNP3_ERR_LINK_CLOSED);
    assert_int_equal(snk.count, 1);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_CLOSE_FRAMING);
    ch = make_framing(DNP3_CHANNEL_SERIAL, 0, DNP3_FRAMING_CLOSE);
    feed(ch, "FF " D2, 0, DNP3_ERR_LINK_CLOSED);
    assert_int_equal(snk.count, 0);
    /* an out-of-range policy is refused */
    dnp3_channel_config c;
    dnp3_channel_config_init(&c);
    c.framing = (dnp3_framing_policy)3;
    assert_int_equal(dnp3_channel_memory_size(&c), 0);
    const char *field = NULL;
    assert_int_equal(dnp3_channel_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "framing");
}

static void test_datagram_whole_frames(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_DATAGRAM, 0);
    feed(ch, D2 " 05 64 05 C9 00 04 01 00 98 81", 0, DNP3_OK);
    assert_int_equal(snk.count, 1);
    expect_out(ch, "05 64 05 0B 01 00 00 04 64 40");
    /* a datagram cut inside a frame is dropped, the channel stays open */
    feed(ch, "05 64 14 C4 00 04 01 00 E9 B6 C0 C0 01", 1, DNP3_OK);
    assert_int_equal(snk.count, 1);
    feed(ch, "05 64 05 C0 01 00 00 04 E9 20", 2, DNP3_OK);
    assert_int_equal(dnp3_channel_close_reason_get(ch), DNP3_CHANNEL_OPEN);
    feed(ch, D2, 3, DNP3_OK);
    assert_int_equal(snk.count, 2);
}

static void test_send_segments_in_one_chunk(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    uint8_t apdu[300];
    for (size_t i = 0; i < sizeof apdu; i++) apdu[i] = (uint8_t)i;
    assert_true(dnp3_channel_can_send(ch, sizeof apdu));
    assert_int_equal(dnp3_channel_send(ch, 1, apdu, sizeof apdu), DNP3_OK);
    size_t want = dnp3_transport_wire_size(sizeof apdu);
    assert_int_equal(dnp3_channel_pending(ch), want);
    uint8_t small[100];
    assert_int_equal(dnp3_channel_write(ch, small, sizeof small), DNP3_ERR_BUFFER_TOO_SMALL);
    uint8_t out[1024];
    assert_int_equal(dnp3_channel_write(ch, out, sizeof out), (int)want);
    /* parse the two frames back */
    uint8_t scratch[250];
    dnp3_link_frame f;
    int n1 = dnp3_link_parse(out, want, scratch, &f, NULL);
    assert_true(n1 > 0);
    assert_int_equal(f.control, 0x44);
    assert_int_equal(f.dest, 1);
    assert_int_equal(f.src, 1024);
    assert_int_equal(f.data[0], 0x40); /* FIR, seq 0 */
    assert_memory_equal(f.data + 1, apdu, 249);
    int n2 = dnp3_link_parse(out + n1, want - (size_t)n1, scratch, &f, NULL);
    assert_int_equal((size_t)n1 + (size_t)n2, want);
    assert_int_equal(f.data[0], 0x81); /* FIN, seq 1 */
    assert_memory_equal(f.data + 1, apdu + 249, 51);
    expect_nothing(ch);
    /* the queue holds one max fragment: a second one must wait */
    uint8_t big[2048] = {0};
    assert_int_equal(dnp3_channel_send(ch, 1, big, sizeof big), DNP3_OK);
    assert_false(dnp3_channel_can_send(ch, sizeof big));
    assert_int_equal(dnp3_channel_send(ch, 1, big, sizeof big), DNP3_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(dnp3_channel_send(ch, 1, big, 2049), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_channel_send(ch, 1, big, 0), DNP3_ERR_INVALID_ARG);
}

static void test_broadcast_and_other_source(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    uint8_t ud[] = {0xC0, 0xC0, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00};
    uint8_t fr[64];
    int n = dnp3_link_format(fr, sizeof fr, 0xC4, 0xFFFE, 1, ud, sizeof ud);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    assert_int_equal(snk.count, 1);
    assert_int_equal(snk.bcast, DNP3_BCAST_CONFIRM);
    assert_int_equal(snk.dest, 0xFFFE);
    n = dnp3_link_format(fr, sizeof fr, 0xC4, 0xFFFD, 1, ud, sizeof ud);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    assert_int_equal(snk.bcast, DNP3_BCAST_NO_CONFIRM);
    n = dnp3_link_format(fr, sizeof fr, 0xC4, 0xFFFF, 1, ud, sizeof ud);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    assert_int_equal(snk.bcast, DNP3_BCAST_OPT_CONFIRM);
    assert_int_equal(snk.count, 3);
    /* from master 2: filtered */
    n = dnp3_link_format(fr, sizeof fr, 0xC4, 1024, 2, ud, sizeof ud);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    assert_int_equal(snk.count, 3);
    assert_int_equal(dnp3_channel_get_stats(ch)->frames_other_source, 1);
    /* for another outstation: ignored */
    n = dnp3_link_format(fr, sizeof fr, 0xC4, 1025, 1, ud, sizeof ud);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    assert_int_equal(snk.count, 3);
    expect_nothing(ch);
}

static void test_multi_frame_fragment(void **state)
{
    (void)state;
    dnp3_channel *ch = make(DNP3_CHANNEL_STREAM, 0);
    /* docs/protocol-notes.md §10.4 fragment.hex, addressed 1 -> 1024 */
    uint8_t a[] = {0x40, 0xC0, 0x01, 0x01, 0x00, 0x17, 0x03}, b[] = {0x81, 0x41, 0x43, 0x42};
    uint8_t fr[64];
    int n = dnp3_link_format(fr, sizeof fr, 0xC4, 1024, 1, a, sizeof a);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    assert_int_equal(snk.count, 0);
    n = dnp3_link_format(fr, sizeof fr, 0xC4, 1024, 1, b, sizeof b);
    assert_int_equal(dnp3_channel_read(ch, fr, (size_t)n, 0), DNP3_OK);
    assert_int_equal(snk.count, 1);
    assert_hex(snk.apdu, snk.len, "C0 01 01 00 17 03 41 43 42");
}

static void test_memory_contract(void **state)
{
    (void)state;
    dnp3_channel_config c;
    dnp3_channel_config_init(&c);
    size_t need = dnp3_channel_memory_size(&c);
    assert_true(need > 2048);
    assert_null(dnp3_channel_init(mem, need - 1, &c, 0));
    assert_null(dnp3_channel_init(mem + 1, sizeof mem - 1, &c, 0));
    assert_non_null(dnp3_channel_init(mem, need, &c, 0));
    const char *field = "unset";
    assert_int_equal(dnp3_channel_config_check(&c, &field), DNP3_OK);
    assert_null(field);
    c.max_rx_fragment = 100;
    assert_int_equal(dnp3_channel_memory_size(&c), 0);
    assert_int_equal(dnp3_channel_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "max_rx_fragment");
    dnp3_channel_config_init(&c);
    c.size = 3;
    assert_int_equal(dnp3_channel_memory_size(&c), 0);
    assert_int_equal(dnp3_channel_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "size");
    assert_int_equal(dnp3_broadcast_kind_of(1), DNP3_BCAST_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_delivers_fragment),
        cmocka_unit_test(test_one_octet_at_a_time),
        cmocka_unit_test(test_request_link_status),
        cmocka_unit_test(test_reset_link_and_confirmed_data),
        cmocka_unit_test(test_keep_alive_timeout_closes),
        cmocka_unit_test(test_keep_alive_answered),
        cmocka_unit_test(test_framing_error_stream_closes),
        cmocka_unit_test(test_framing_error_serial_resyncs),
        cmocka_unit_test(test_framing_policy),
        cmocka_unit_test(test_datagram_whole_frames),
        cmocka_unit_test(test_send_segments_in_one_chunk),
        cmocka_unit_test(test_broadcast_and_other_source),
        cmocka_unit_test(test_multi_frame_fragment),
        cmocka_unit_test(test_memory_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
