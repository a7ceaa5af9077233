/*
 * test_channel_confirmed.c - confirmed user data sent by a channel (primary station, IEEE
 * 1815-2012 clause 9.2.6; docs/link-transport.md "Confirmed user data") and the serial
 * inter-character timeout, hex in -> hex out on a virtual clock.
 *
 * Master 1 -> outstation 10. The golden frames below were built outside the library (a
 * bit-by-bit CRC-16/DNP per docs/protocol-notes.md §1.4); the header octets follow §1.2:
 * C0 = RESET_LINK_STATES from a master, 00 = ACK from an outstation, F3 / D3 =
 * CONFIRMED_USER_DATA with FCV and FCB 1 / 0.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/channel.h"
#include "testutil.h"

#define RESET_M "05 64 05 C0 0A 00 01 00 B1 AC"
#define ACK_O "05 64 05 00 01 00 0A 00 2E DD"
#define NACK_O "05 64 05 01 01 00 0A 00 28 FE"
#define NACK_DFC_O "05 64 05 11 01 00 0A 00 BA 54"
#define NOTSUP_O "05 64 05 0F 01 00 0A 00 75 61"
#define APDU_A "C0 01 3C 01 06"
#define APDU_B "C1 01 3C 02 06"
#define DATA_A_FCB1 "05 64 0B F3 0A 00 01 00 71 8A C0 C0 01 3C 01 06 FF 50"
#define DATA_A_FCB0 "05 64 0B D3 0A 00 01 00 2C 92 C0 C0 01 3C 01 06 FF 50"
#define DATA_B_FCB0 "05 64 0B D3 0A 00 01 00 2C 92 C1 C1 01 3C 02 06 B5 76"
#define DATA_B_FCB1 "05 64 0B F3 0A 00 01 00 71 8A C1 C1 01 3C 02 06 B5 76"
#define BCAST_A "05 64 0B C4 FF FF 01 00 9F 0F C0 C0 01 3C 01 06 FF 50"

typedef struct {
    int count;
    uint8_t apdu[4096];
    size_t len;
} sink;

static void on_frag(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    (void)now;
    sink *s = ctx;
    s->count++;
    memcpy(s->apdu, f->apdu, f->len);
    s->len = f->len;
}

static alignas(max_align_t) uint8_t mem_a[64 * 1024];
static alignas(max_align_t) uint8_t mem_b[64 * 1024];
static sink snk_a, snk_b;

static dnp3_channel *make(uint8_t *mem, sink *s, bool master, bool confirmed, uint32_t retries)
{
    dnp3_channel_config c;
    dnp3_channel_config_init(&c);
    c.is_master = master;
    c.local_addr = master ? 1 : 10;
    c.remote_addr = master ? 10 : 1;
    c.keep_alive_ms = 0;
    c.link_confirmed = confirmed;
    c.link_retries = retries;
    c.on_fragment = on_frag;
    c.ctx = s;
    memset(s, 0, sizeof *s);
    assert_true(dnp3_channel_memory_size(&c) <= sizeof mem_a);
    dnp3_channel *ch = dnp3_channel_init(mem, sizeof mem_a, &c, 0);
    assert_non_null(ch);
    return ch;
}

static dnp3_channel *master(uint32_t retries)
{
    return make(mem_a, &snk_a, true, true, retries);
}

static void feed(dnp3_channel *ch, const char *hex, dnp3_tstamp now)
{
    uint8_t buf[1024];
    size_t n = tu_hex(hex, buf, sizeof buf);
    assert_int_equal(dnp3_channel_read(ch, buf, n, now), DNP3_OK);
}

static void send_hex(dnp3_channel *ch, uint16_t dest, const char *hex)
{
    uint8_t buf[1024];
    size_t n = tu_hex(hex, buf, sizeof buf);
    assert_int_equal(dnp3_channel_send(ch, dest, buf, n), DNP3_OK);
}

/* The next chunk, written at `now`, is exactly `hex`. */
static void expect_out(dnp3_channel *ch, const char *hex, dnp3_tstamp now)
{
    uint8_t out[4096];
    int n = dnp3_channel_write_at(ch, out, sizeof out, now);
    assert_true(n > 0);
    assert_hex(out, (size_t)n, hex);
}

static void expect_nothing(dnp3_channel *ch)
{
    assert_int_equal(dnp3_channel_pending(ch), 0);
}

static void test_golden_frames_match_library_crc(void **state)
{
    (void)state;
    uint8_t f[16];
    assert_int_equal(dnp3_link_format(f, sizeof f, 0xC0, 10, 1, NULL, 0), 10);
    assert_hex(f, 10, RESET_M);
    assert_int_equal(dnp3_link_format(f, sizeof f, 0x00, 1, 10, NULL, 0), 10);
    assert_hex(f, 10, ACK_O);
    assert_int_equal(dnp3_link_format(f, sizeof f, 0x40, 1, 10, NULL, 0), 10);
    assert_hex(f, 10, "05 64 05 40 01 00 0A 00 94 ED"); /* the outstation's RESET_LINK_STATES */
}

static void test_reset_then_fcb_alternates(void **state)
{
    (void)state;
    dnp3_channel *ch = master(3);
    send_hex(ch, 10, APDU_A);
    expect_out(ch, RESET_M, 0);
    assert_int_equal(dnp3_channel_get_expiry(ch), 2000);
    expect_nothing(ch); /* nothing before the ACK */
    feed(ch, ACK_O, 5);
    expect_out(ch, DATA_A_FCB1, 5); /* FCB 1 first after a reset */
    assert_int_equal(dnp3_channel_get_expiry(ch), 2005);
    feed(ch, ACK_O, 9);
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER);
    send_hex(ch, 10, APDU_B);
    expect_out(ch, DATA_B_FCB0, 20); /* no second reset; FCB toggled */
    feed(ch, ACK_O, 21);
    send_hex(ch, 10, APDU_A);
    uint8_t out[64];
    int n = dnp3_channel_write_at(ch, out, sizeof out, 30);
    assert_int_equal(n, 18);
    assert_int_equal(out[3], 0xF3); /* FCB back to 1 */
    const dnp3_channel_stats *st = dnp3_channel_get_stats(ch);
    assert_int_equal(st->link_resets_sent, 1);
    assert_int_equal(st->link_retransmissions, 0);
    assert_int_equal(st->link_confirm_failures, 0);
    assert_int_equal(st->fragments_tx, 3);
}

static void test_lost_ack_identical_resend(void **state)
{
    (void)state;
    dnp3_channel *ch = master(3);
    send_hex(ch, 10, APDU_A);
    expect_out(ch, RESET_M, 0);
    feed(ch, ACK_O, 10);
    expect_out(ch, DATA_A_FCB1, 10);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 2009), DNP3_OK);
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 2010), DNP3_OK);
    expect_out(ch, DATA_A_FCB1, 2010); /* the same frame, the same FCB */
    assert_int_equal(dnp3_channel_get_expiry(ch), 4010);
    feed(ch, ACK_O, 2100);
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_get_stats(ch)->link_retransmissions, 1);
    send_hex(ch, 10, APDU_B);
    expect_out(ch, DATA_B_FCB0, 2200);
}

static void test_retries_exhausted_then_reset_again(void **state)
{
    (void)state;
    dnp3_channel *ch = master(2);
    send_hex(ch, 10, APDU_A);
    send_hex(ch, 10, APDU_B); /* queued behind A */
    expect_out(ch, RESET_M, 0);
    feed(ch, ACK_O, 0);
    expect_out(ch, DATA_A_FCB1, 0);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 2000), DNP3_OK);
    expect_out(ch, DATA_A_FCB1, 2000);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 4000), DNP3_OK);
    expect_out(ch, DATA_A_FCB1, 4000);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 6000), DNP3_OK); /* retries used up: A dropped */
    const dnp3_channel_stats *st = dnp3_channel_get_stats(ch);
    assert_int_equal(st->link_retransmissions, 2);
    assert_int_equal(st->link_confirm_failures, 1);
    expect_out(ch, RESET_M, 6000); /* B starts with a new reset */
    feed(ch, ACK_O, 6001);
    expect_out(ch, DATA_B_FCB1, 6001);
    feed(ch, ACK_O, 6002);
    expect_nothing(ch);
    assert_int_equal(st->link_resets_sent, 2);
}

static void test_reset_unanswered(void **state)
{
    (void)state;
    dnp3_channel *ch = master(1);
    send_hex(ch, 10, APDU_A);
    expect_out(ch, RESET_M, 0);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 2000), DNP3_OK);
    expect_out(ch, RESET_M, 2000);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 4000), DNP3_OK);
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_get_stats(ch)->link_confirm_failures, 1);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER);
    assert_true(dnp3_channel_can_send(ch, 2048));
}

static void test_write_without_time_starts_timer_later(void **state)
{
    (void)state;
    dnp3_channel *ch = master(3);
    send_hex(ch, 10, APDU_A);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER); /* not written yet */
    uint8_t out[64];
    assert_int_equal(dnp3_channel_write(ch, out, sizeof out), 10);
    assert_int_equal(dnp3_channel_get_expiry(ch), 0); /* "now": tell me the time */
    assert_int_equal(dnp3_channel_handle_expiry(ch, 500), DNP3_OK);
    assert_int_equal(dnp3_channel_get_expiry(ch), 2500);
    expect_nothing(ch);
}

static void test_two_frame_fragment_frame_by_frame(void **state)
{
    (void)state;
    dnp3_channel *ch = master(3);
    uint8_t apdu[300];
    for (size_t i = 0; i < sizeof apdu; i++) apdu[i] = (uint8_t)i;
    assert_int_equal(dnp3_channel_send(ch, 10, apdu, sizeof apdu), DNP3_OK);
    expect_out(ch, RESET_M, 0);
    feed(ch, ACK_O, 1);
    uint8_t out[400];
    int n = dnp3_channel_write_at(ch, out, sizeof out, 1);
    assert_int_equal(n, 292); /* ONE full frame: 249 application octets */
    assert_int_equal(out[3], 0xF3);
    assert_int_equal(out[10], 0x40); /* transport FIR, seq 0 */
    assert_memory_equal(out + 11, apdu, 15);
    expect_nothing(ch); /* the second frame waits for the ACK */
    feed(ch, ACK_O, 2);
    n = dnp3_channel_write_at(ch, out, sizeof out, 2);
    assert_int_equal(n, (int)dnp3_link_frame_size(1 + 51));
    assert_int_equal(out[3], 0xD3);  /* FCB toggled */
    assert_int_equal(out[10], 0x81); /* FIN, seq 1 */
    assert_memory_equal(out + 11, apdu + 249, 15);
    /* a lost ACK of the second frame repeats the second frame only */
    assert_int_equal(dnp3_channel_handle_expiry(ch, 2002), DNP3_OK);
    uint8_t again[400];
    assert_int_equal(dnp3_channel_write_at(ch, again, sizeof again, 2002), n);
    assert_memory_equal(again, out, (size_t)n);
    feed(ch, ACK_O, 2003);
    expect_nothing(ch);
    assert_true(dnp3_channel_can_send(ch, 2048));
}

static void test_nack_resets_then_resends(void **state)
{
    (void)state;
    dnp3_channel *ch = master(3);
    send_hex(ch, 10, APDU_A);
    expect_out(ch, RESET_M, 0);
    feed(ch, ACK_O, 0);
    expect_out(ch, DATA_A_FCB1, 0);
    feed(ch, ACK_O, 1);
    send_hex(ch, 10, APDU_B);
    expect_out(ch, DATA_B_FCB0, 2);
    feed(ch, NACK_O, 3); /* the secondary lost its reset state */
    expect_out(ch, RESET_M, 3);
    feed(ch, ACK_O, 4);
    expect_out(ch, DATA_B_FCB1, 4); /* the same frame, FCB 1 after the new reset */
    feed(ch, ACK_O, 5);
    expect_nothing(ch);
    const dnp3_channel_stats *st = dnp3_channel_get_stats(ch);
    assert_int_equal(st->link_nacks, 1);
    assert_int_equal(st->link_resets_sent, 2);
    assert_int_equal(st->link_confirm_failures, 0);
}

static void test_nack_dfc_and_not_supported_fail(void **state)
{
    (void)state;
    dnp3_channel *ch = master(3);
    send_hex(ch, 10, APDU_A);
    expect_out(ch, RESET_M, 0);
    feed(ch, ACK_O, 0);
    expect_out(ch, DATA_A_FCB1, 0);
    feed(ch, NACK_DFC_O, 1); /* receiver buffers full: give up */
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_get_stats(ch)->link_confirm_failures, 1);
    send_hex(ch, 10, APDU_B);
    expect_out(ch, RESET_M, 2);
    feed(ch, NOTSUP_O, 3); /* no confirmed service at the remote */
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_get_stats(ch)->link_confirm_failures, 2);
}

static void test_nacks_bounded(void **state)
{
    (void)state;
    dnp3_channel *ch = master(2);
    send_hex(ch, 10, APDU_A);
    expect_out(ch, RESET_M, 0);
    feed(ch, ACK_O, 0);
    for (int i = 0; i < 2; i++) {
        expect_out(ch, DATA_A_FCB1, 0);
        feed(ch, NACK_O, 0);
        expect_out(ch, RESET_M, 0);
        feed(ch, ACK_O, 0);
    }
    expect_out(ch, DATA_A_FCB1, 0);
    feed(ch, NACK_O, 0); /* third NACK of the same frame with 2 retries */
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_get_stats(ch)->link_confirm_failures, 1);
}

static void test_broadcast_unconfirmed_and_ack_from_other_ignored(void **state)
{
    (void)state;
    dnp3_channel *ch = master(3);
    send_hex(ch, 0xFFFF, APDU_A);
    expect_out(ch, BCAST_A, 0);
    expect_nothing(ch);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER);
    send_hex(ch, 10, APDU_B);
    expect_out(ch, RESET_M, 1);
    assert_int_equal(dnp3_channel_get_stats(ch)->link_resets_sent, 1);
}

static void test_unconfirmed_mode_unchanged(void **state)
{
    (void)state;
    dnp3_channel *ch = make(mem_a, &snk_a, true, false, 3);
    send_hex(ch, 10, APDU_A);
    expect_out(ch, "05 64 0B C4 0A 00 01 00 AC D1 C0 C0 01 3C 01 06 FF 50", 0);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER);
}

/* ---- channel against channel, both confirmed ---- */

/* Moves every chunk between the two until quiet, stepping the clock through the timers;
 * `drop_every` > 0 loses every n-th chunk from a to b. */
static void run(dnp3_channel *a, dnp3_channel *b, dnp3_tstamp *now, int drop_every)
{
    uint8_t buf[4096];
    int moved = 0;
    for (int round = 0; round < 10000; round++) {
        bool any = false;
        int n;
        while ((n = dnp3_channel_write_at(a, buf, sizeof buf, *now)) > 0) {
            any = true;
            if (drop_every && ++moved % drop_every == 0) continue;
            assert_int_equal(dnp3_channel_read(b, buf, (size_t)n, *now), DNP3_OK);
        }
        while ((n = dnp3_channel_write_at(b, buf, sizeof buf, *now)) > 0) {
            any = true;
            assert_int_equal(dnp3_channel_read(a, buf, (size_t)n, *now), DNP3_OK);
        }
        if (any) continue;
        dnp3_tstamp t = dnp3_channel_get_expiry(a), u = dnp3_channel_get_expiry(b);
        if (u < t) t = u;
        if (t == DNP3_TSTAMP_NEVER) return;
        if (t > *now) *now = t;
        assert_int_equal(dnp3_channel_handle_expiry(a, *now), DNP3_OK);
        assert_int_equal(dnp3_channel_handle_expiry(b, *now), DNP3_OK);
    }
    fail_msg("the loopback did not settle");
}

static void loopback(int drop_every)
{
    dnp3_channel *m = make(mem_a, &snk_a, true, true, 3);
    dnp3_channel *o = make(mem_b, &snk_b, false, true, 3);
    dnp3_tstamp now = 0;
    uint8_t big[1000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7 + 3);
    for (int k = 0; k < 5; k++) {
        big[0] = (uint8_t)k;
        assert_int_equal(dnp3_channel_send(m, 10, big, sizeof big), DNP3_OK);
        run(m, o, &now, drop_every);
        assert_int_equal(snk_b.count, k + 1);
        assert_int_equal(snk_b.len, sizeof big);
        assert_memory_equal(snk_b.apdu, big, sizeof big);
        big[0] = (uint8_t)(0x80 + k);
        assert_int_equal(dnp3_channel_send(o, 1, big, 300), DNP3_OK);
        run(m, o, &now, drop_every);
        assert_int_equal(snk_a.count, k + 1);
        assert_int_equal(snk_a.len, 300);
        assert_memory_equal(snk_a.apdu, big, 300);
    }
    assert_int_equal(dnp3_channel_get_stats(m)->link_confirm_failures, 0);
    assert_int_equal(dnp3_channel_get_stats(o)->link_confirm_failures, 0);
    assert_int_equal(dnp3_channel_get_stats(m)->link_resets_sent, 1);
    assert_int_equal(dnp3_channel_get_stats(o)->link_resets_sent, 1);
    if (drop_every)
        assert_true(dnp3_channel_get_stats(m)->link_retransmissions > 0);
    else
        assert_int_equal(dnp3_channel_get_stats(m)->link_retransmissions, 0);
}

static void test_loopback_both_confirmed(void **state)
{
    (void)state;
    loopback(0);
}

static void test_loopback_confirmed_with_losses(void **state)
{
    (void)state;
    loopback(4); /* lost data frames are resent, lost ACKs make duplicates the FCB filters out */
}

/* ---- inter-character timeout ---- */

#define D2 "05 64 14 C4 00 04 01 00 E9 B6 C0 C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 8A 51"
#define D2_HEAD "05 64 14 C4 00 04 01 00 E9 B6 C0 C0 01"
#define D2_TAIL "3C 02 06 3C 03 06 3C 04 06 3C 01 06 8A 51"
#define LONG_HEAD "05 64 FF C4 00 04 01 00 19 F1 00 01 02 03"

static dnp3_channel *serial(dnp3_channel_mode mode, uint32_t char_timeout)
{
    dnp3_channel_config c;
    dnp3_channel_config_init(&c);
    c.local_addr = 1024;
    c.remote_addr = 1;
    c.mode = mode;
    c.keep_alive_ms = 0;
    c.char_timeout_ms = char_timeout;
    c.on_fragment = on_frag;
    c.ctx = &snk_a;
    memset(&snk_a, 0, sizeof snk_a);
    dnp3_channel *ch = dnp3_channel_init(mem_a, sizeof mem_a, &c, 0);
    assert_non_null(ch);
    return ch;
}

static void test_char_gap_drops_partial_frame(void **state)
{
    (void)state;
    dnp3_channel *ch = serial(DNP3_CHANNEL_SERIAL, 50);
    feed(ch, D2_HEAD, 100);
    assert_int_equal(dnp3_channel_get_expiry(ch), 151);
    feed(ch, D2_TAIL, 151); /* 51 ms gap: the head is dropped, the tail is garbage */
    assert_int_equal(snk_a.count, 0);
    assert_int_equal(dnp3_channel_get_stats(ch)->char_timeouts, 1);
    feed(ch, D2, 152);
    assert_int_equal(snk_a.count, 1);
    assert_int_equal(snk_a.len, 14);
}

static void test_char_short_gap_keeps_frame(void **state)
{
    (void)state;
    dnp3_channel *ch = serial(DNP3_CHANNEL_SERIAL, 50);
    feed(ch, D2_HEAD, 100);
    feed(ch, D2_TAIL, 150); /* exactly the timeout: not more */
    assert_int_equal(snk_a.count, 1);
    assert_int_equal(dnp3_channel_get_stats(ch)->char_timeouts, 0);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER); /* nothing partial */
}

static void test_char_timeout_at_deadline_without_octets(void **state)
{
    (void)state;
    dnp3_channel *ch = serial(DNP3_CHANNEL_SERIAL, 50);
    feed(ch, D2_HEAD, 0);
    assert_int_equal(dnp3_channel_get_expiry(ch), 51);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 50), DNP3_OK);
    assert_int_equal(dnp3_channel_get_stats(ch)->char_timeouts, 0);
    assert_int_equal(dnp3_channel_handle_expiry(ch, 51), DNP3_OK);
    assert_int_equal(dnp3_channel_get_stats(ch)->char_timeouts, 1);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER);
    /* a whole frame much later is not glued to the dropped head */
    feed(ch, D2, 5000);
    assert_int_equal(snk_a.count, 1);
    static const uint8_t first[] = {0xC0, 0x01, 0x3C, 0x02, 0x06};
    assert_memory_equal(snk_a.apdu, first, sizeof first);
}

static void test_char_timeout_without_it_glues(void **state)
{
    (void)state;
    /* the control: with the timeout off, the stale head of a long frame (LENGTH 255) swallows
     * the next whole frame, which waits for 265 more octets */
    dnp3_channel *ch = serial(DNP3_CHANNEL_SERIAL, 0);
    feed(ch, LONG_HEAD, 0);
    feed(ch, D2, 5000);
    assert_int_equal(snk_a.count, 0);
    /* with it, the frame is delivered at once */
    ch = serial(DNP3_CHANNEL_SERIAL, 50);
    feed(ch, LONG_HEAD, 0);
    feed(ch, D2, 5000);
    assert_int_equal(snk_a.count, 1);
    /* and a stream (TCP) channel ignores char_timeout_ms */
    ch = serial(DNP3_CHANNEL_STREAM, 50);
    feed(ch, D2_HEAD, 0);
    assert_int_equal(dnp3_channel_get_expiry(ch), DNP3_TSTAMP_NEVER);
    feed(ch, D2_TAIL, 5000);
    assert_int_equal(snk_a.count, 1);
}

static void test_config(void **state)
{
    (void)state;
    dnp3_channel_config c;
    dnp3_channel_config_init(&c);
    assert_false(c.link_confirmed);
    assert_int_equal(c.link_confirm_timeout_ms, 2000);
    assert_int_equal(c.link_retries, 3);
    assert_int_equal(c.char_timeout_ms, 0);
    const char *field = NULL;
    c.link_confirmed = true;
    c.link_confirm_timeout_ms = 0;
    assert_int_equal(dnp3_channel_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "link_confirm_timeout_ms");
    c.link_confirm_timeout_ms = 1;
    c.link_retries = 256;
    assert_int_equal(dnp3_channel_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "link_retries");
    /* confirmed mode costs memory only when on */
    dnp3_channel_config u;
    dnp3_channel_config_init(&u);
    c.link_retries = 3;
    assert_true(dnp3_channel_memory_size(&c) > dnp3_channel_memory_size(&u));
    /* an older caller without the new fields gets the defaults */
    dnp3_channel_config old;
    memset(&old, 0xAB, sizeof old);
    dnp3_channel_config_init_size(&old, offsetof(dnp3_channel_config, link_confirmed));
    old.on_fragment = NULL;
    old.ctx = NULL;
    assert_int_equal(dnp3_channel_config_check(&old, &field), DNP3_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_frames_match_library_crc),
        cmocka_unit_test(test_reset_then_fcb_alternates),
        cmocka_unit_test(test_lost_ack_identical_resend),
        cmocka_unit_test(test_retries_exhausted_then_reset_again),
        cmocka_unit_test(test_reset_unanswered),
        cmocka_unit_test(test_write_without_time_starts_timer_later),
        cmocka_unit_test(test_two_frame_fragment_frame_by_frame),
        cmocka_unit_test(test_nack_resets_then_resends),
        cmocka_unit_test(test_nack_dfc_and_not_supported_fail),
        cmocka_unit_test(test_nacks_bounded),
        cmocka_unit_test(test_broadcast_unconfirmed_and_ack_from_other_ignored),
        cmocka_unit_test(test_unconfirmed_mode_unchanged),
        cmocka_unit_test(test_loopback_both_confirmed),
        cmocka_unit_test(test_loopback_confirmed_with_losses),
        cmocka_unit_test(test_char_gap_drops_partial_frame),
        cmocka_unit_test(test_char_short_gap_keeps_frame),
        cmocka_unit_test(test_char_timeout_at_deadline_without_octets),
        cmocka_unit_test(test_char_timeout_without_it_glues),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
