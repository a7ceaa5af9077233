/*
 * test_link_station.c - link receive rules (IEEE 1815-2012 clause 9.2.6;
 * docs/protocol-notes.md §1.2): one test per rule, on golden frames where one exists. Replies
 * are formatted and compared byte for byte with the golden answers (L2, L9).
 */
#include <string.h>

#include "dnp3/link.h"
#include "testutil.h"

#define MASTER 1
#define OUTSTATION 1024

static uint8_t user_buf[DNP3_LINK_MAX_USER_DATA];

static dnp3_link_frame parse(const char *hex)
{
    static uint8_t wire[DNP3_LINK_MAX_FRAME];
    size_t n = tu_hex(hex, wire, sizeof wire);
    dnp3_link_frame f;
    int rc = dnp3_link_parse(wire, n, user_buf, &f, NULL);
    if (rc != (int)n) fail_msg("bad test frame %s: %s", hex, dnp3_err_name(rc));
    return f;
}

static dnp3_link_frame mk(uint8_t control, uint16_t dest, uint16_t src, const char *user_hex)
{
    dnp3_link_frame f;
    f.control = control;
    f.dest = dest;
    f.src = src;
    f.len = tu_hex(user_hex, user_buf, sizeof user_buf);
    f.data = user_buf;
    return f;
}

static void expect_ignored(dnp3_link_station *s, dnp3_link_frame f)
{
    dnp3_link_rx rx;
    uint64_t before = s->ignored;
    bool reset = s->reset, fcb = s->expected_fcb;
    assert_false(dnp3_link_station_receive(s, &f, &rx));
    assert_int_equal(s->ignored, before + 1);
    assert_false(rx.reply);
    assert_null(rx.data);
    assert_int_equal(rx.len, 0);
    assert_false(rx.secondary_received);
    assert_int_equal(s->reset, reset);
    assert_int_equal(s->expected_fcb, fcb);
}

static void outstation(dnp3_link_station *s)
{
    dnp3_link_station_init(s, false, OUTSTATION, false);
}
static void master(dnp3_link_station *s)
{
    dnp3_link_station_init(s, true, MASTER, false);
}

static void reset_link(dnp3_link_station *s)
{
    dnp3_link_rx rx;
    dnp3_link_frame f = mk(0xC0, OUTSTATION, MASTER, "");
    assert_true(dnp3_link_station_receive(s, &f, &rx));
    assert_true(s->reset);
}

static void test_init(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_station_init(&s, false, 10, true);
    assert_false(s.is_master);
    assert_int_equal(s.local_addr, 10);
    assert_true(s.self_addr_enabled);
    assert_false(s.reset);
    assert_int_equal(s.ignored, 0);
}

/* rule 1: frames with our own DIR are echoes */
static void test_dir_filter(void **state)
{
    (void)state;
    dnp3_link_station s;
    outstation(&s);
    expect_ignored(&s, mk(0x44, OUTSTATION, MASTER, "C0 C0 81 80 00")); /* DIR=0 to an outstation */
    expect_ignored(&s, mk(0x0B, OUTSTATION, MASTER, ""));
    master(&s);
    expect_ignored(&s, mk(0xC4, MASTER, OUTSTATION, "C0 C0 01")); /* DIR=1 to a master */
    expect_ignored(&s, parse("05 64 05 C0 01 00 00 04 E9 21"));   /* L1, to address 1 */
    assert_int_equal(s.ignored, 2);
}

/* rule 2: the source must be a normal address */
static void test_source_must_be_normal(void **state)
{
    (void)state;
    dnp3_link_station s;
    outstation(&s);
    expect_ignored(&s, mk(0xC4, OUTSTATION, 0xFFF0, "C0 C0 01"));
    expect_ignored(&s, mk(0xC4, OUTSTATION, 0xFFFC, "C0 C0 01"));
    expect_ignored(&s, mk(0xC4, OUTSTATION, 0xFFFD, "C0 C0 01"));
    expect_ignored(&s, mk(0xC4, OUTSTATION, 0xFFFF, "C0 C0 01"));
    dnp3_link_rx rx;
    dnp3_link_frame f = mk(0xC4, OUTSTATION, 0xFFEF, "C0 C0 01");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_int_equal(rx.src, 0xFFEF);
    assert_int_equal(rx.len, 3);
}

/* rule 3: destination own / 0xFFFC when enabled / broadcast for outstations only */
static void test_destination(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    outstation(&s);
    expect_ignored(&s, mk(0xC4, OUTSTATION + 1, MASTER, "C0 C0 01"));
    expect_ignored(&s, mk(0xC4, 0xFFF0, MASTER, "C0 C0 01"));
    expect_ignored(&s, mk(0xC4, 0xFFFB, MASTER, "C0 C0 01"));
    expect_ignored(&s, mk(0xC4, DNP3_ADDR_SELF, MASTER, "C0 C0 01")); /* self address disabled */

    dnp3_link_station_init(&s, false, OUTSTATION, true);
    dnp3_link_frame f = mk(0xC4, DNP3_ADDR_SELF, MASTER, "C0 C0 01");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_int_equal(rx.dest, DNP3_ADDR_SELF);
    assert_false(rx.broadcast);
    assert_int_equal(rx.len, 3);
    f = mk(0xC9, DNP3_ADDR_SELF, MASTER, ""); /* answered like our own address */
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.reply);
    assert_int_equal(rx.reply_control, 0x0B);

    /* broadcast to an outstation: delivered, flagged, never answered */
    outstation(&s);
    for (uint32_t d = 0xFFFD; d <= 0xFFFF; d++) {
        f = mk(0xC4, (uint16_t)d, MASTER, "C0 C0 01");
        assert_true(dnp3_link_station_receive(&s, &f, &rx));
        assert_true(rx.broadcast);
        assert_int_equal(rx.dest, d);
        assert_false(rx.reply);
        assert_int_equal(rx.len, 3);
    }
    /* masters ignore broadcasts */
    master(&s);
    expect_ignored(&s, mk(0x44, 0xFFFF, OUTSTATION, "C0 C0 81 80 00"));
    expect_ignored(&s, mk(0x44, 0xFFFD, OUTSTATION, "C0 C0 81 80 00"));
}

/* rule 5: broadcast only with user-data functions */
static void test_broadcast_only_user_data(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    outstation(&s);
    expect_ignored(&s, mk(0xC0, 0xFFFF, MASTER, "")); /* RESET_LINK_STATES */
    expect_ignored(&s, mk(0xC9, 0xFFFE, MASTER, "")); /* REQUEST_LINK_STATUS */
    expect_ignored(&s, mk(0xF2, 0xFFFD, MASTER, "")); /* TEST_LINK_STATES */
    expect_ignored(&s, mk(0xC5, 0xFFFF, MASTER, "")); /* unknown: no NOT_SUPPORTED */
    expect_ignored(&s, mk(0x80, 0xFFFF, MASTER, "")); /* secondary ACK */
    assert_false(s.reset);
    /* confirmed user data to a broadcast address (after a reset): delivered, no ACK */
    reset_link(&s);
    dnp3_link_frame f = mk(0xF3, 0xFFFF, MASTER, "C0 C0 01");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.broadcast);
    assert_false(rx.reply);
    assert_int_equal(rx.len, 3);
    assert_false(s.expected_fcb);
}

/* rule 6: FCV must be 0 for reset, unconfirmed data and link status */
static void test_fcv_rules(void **state)
{
    (void)state;
    dnp3_link_station s;
    outstation(&s);
    /* D4-style control D4: UNCONFIRMED_USER_DATA with FCV=1 (PE invlink) */
    expect_ignored(&s, mk(0xD4, OUTSTATION, MASTER, "C0 C0 01 01 00 17 03 41 43 42"));
    expect_ignored(&s, mk(0xD0, OUTSTATION, MASTER, "")); /* RESET with FCV */
    expect_ignored(&s, mk(0xD9, OUTSTATION, MASTER, "")); /* REQUEST_LINK_STATUS with FCV */
    reset_link(&s);
    expect_ignored(&s, mk(0xC3, OUTSTATION, MASTER, "C0")); /* CONFIRMED without FCV */
    expect_ignored(&s, mk(0xE3, OUTSTATION, MASTER, "C0")); /* ... even with FCB */
    expect_ignored(&s, mk(0xE2, OUTSTATION, MASTER, ""));   /* TEST_LINK_STATES without FCV */
    assert_true(s.expected_fcb);
}

/* rule 7: RESET_LINK_STATES => ACK, reset, expect FCB = 1 (L1 -> L2) */
static void test_reset_link_states(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    dnp3_link_station_init(&s, false, 1, false);
    s.expected_fcb = false;
    dnp3_link_frame f = parse("05 64 05 C0 01 00 00 04 E9 21"); /* L1: master 1024 -> outstation 1 */
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(s.reset);
    assert_true(s.expected_fcb);
    assert_true(rx.reply);
    assert_int_equal(rx.reply_control, 0x00);
    assert_null(rx.data);
    assert_int_equal(rx.src, 1024);
    uint8_t out[16];
    assert_int_equal(dnp3_link_format(out, sizeof out, rx.reply_control, rx.src, s.local_addr, NULL, 0), 10);
    assert_hex(out, 10, "05 64 05 00 00 04 01 00 19 A6"); /* L2 */

    /* a master answers an outstation's reset (L6) with a DIR=1 ACK (L4) */
    dnp3_link_station_init(&s, true, 1024, false);
    f = parse("05 64 05 40 00 04 01 00 A3 96");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_int_equal(rx.reply_control, 0x80);
    assert_int_equal(dnp3_link_format(out, sizeof out, rx.reply_control, rx.src, s.local_addr, NULL, 0), 10);
    assert_hex(out, 10, "05 64 05 80 01 00 00 04 53 11");
}

/* rule 8a: confirmed user data before a reset is ignored (no NACK) */
static void test_confirmed_before_reset_ignored(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_station_init(&s, false, 1, false);
    /* D1: integrity poll as CONFIRMED_USER_DATA FCB=1 from 1024 to 1 */
    expect_ignored(&s, parse("05 64 14 F3 01 00 00 04 0A 3B C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 9A 12"));
    expect_ignored(&s, mk(0xD3, 1, 1024, "C0"));
}

/* rule 8b: FCB tracking after a reset */
static void test_confirmed_fcb_tracking(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    dnp3_link_station_init(&s, false, 1, false);
    dnp3_link_frame r = mk(0xC0, 1, 1024, "");
    assert_true(dnp3_link_station_receive(&s, &r, &rx));

    dnp3_link_frame d1 = parse("05 64 14 F3 01 00 00 04 0A 3B C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 9A 12");
    assert_true(dnp3_link_station_receive(&s, &d1, &rx));
    assert_true(rx.reply);
    assert_int_equal(rx.reply_control, 0x00);
    assert_int_equal(rx.len, 15);
    assert_hex(rx.data, rx.len, "C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    assert_false(s.expected_fcb);

    /* a retry with the same FCB (our ACK was lost): ACK again, no second delivery */
    assert_true(dnp3_link_station_receive(&s, &d1, &rx));
    assert_true(rx.reply);
    assert_int_equal(rx.reply_control, 0x00);
    assert_null(rx.data);
    assert_int_equal(rx.len, 0);
    assert_false(s.expected_fcb);

    /* next frame, FCB = 0 */
    dnp3_link_frame f = mk(0xD3, 1, 1024, "C1 C4 01");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.reply);
    assert_int_equal(rx.len, 3);
    assert_true(s.expected_fcb);

    /* a new reset restarts at FCB = 1 even if FCB = 0 was expected next */
    f = mk(0xF3, 1, 1024, "C2");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_false(s.expected_fcb);
    assert_true(dnp3_link_station_receive(&s, &r, &rx));
    assert_true(s.expected_fcb);
    f = mk(0xF3, 1, 1024, "C3");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_int_equal(rx.len, 1);
}

/* TEST_LINK_STATES: ignored before reset; after: ACK, FCB handled like confirmed data */
static void test_test_link_states(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    outstation(&s);
    expect_ignored(&s, mk(0xF2, OUTSTATION, MASTER, ""));
    reset_link(&s);
    dnp3_link_frame f = mk(0xF2, OUTSTATION, MASTER, "");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.reply);
    assert_int_equal(rx.reply_control, 0x00);
    assert_false(s.expected_fcb);
    assert_true(dnp3_link_station_receive(&s, &f, &rx)); /* repeat: ACK, no toggle */
    assert_true(rx.reply);
    assert_false(s.expected_fcb);
    f = mk(0xD2, OUTSTATION, MASTER, "");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(s.expected_fcb);
    assert_null(rx.data);
}

/* rule 9: REQUEST_LINK_STATUS => LINK_STATUS (L8 -> L9); unconfirmed data delivered */
static void test_request_link_status(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    outstation(&s);
    dnp3_link_frame f = parse("05 64 05 C9 00 04 01 00 98 81"); /* L8 */
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.reply);
    assert_int_equal(rx.reply_control, 0x0B);
    assert_false(s.reset); /* no state change */
    uint8_t out[16];
    assert_int_equal(dnp3_link_format(out, sizeof out, rx.reply_control, rx.src, OUTSTATION, NULL, 0), 10);
    assert_hex(out, 10, "05 64 05 0B 01 00 00 04 64 40"); /* L9 */

    /* a master answers an outstation's keep-alive (L7) */
    dnp3_link_station_init(&s, true, 1, false);
    f = parse("05 64 05 49 01 00 00 04 D2 36");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_int_equal(rx.reply_control, 0x8B);
}

static void test_unconfirmed_user_data(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    outstation(&s);
    /* D2, no reset needed, no reply */
    dnp3_link_frame f = parse("05 64 14 C4 00 04 01 00 E9 B6 C0 C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 8A 51");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_false(rx.reply);
    assert_false(rx.broadcast);
    assert_int_equal(rx.src, MASTER);
    assert_int_equal(rx.dest, OUTSTATION);
    assert_hex(rx.data, rx.len, "C0 C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");

    /* the master side receives B1 (response 1024 -> 1) */
    master(&s);
    f = parse("05 64 16 44 01 00 00 04 14 27 C0 C0 81 80 00 1E 01 01 00 00 00 00 01 2A 00 00 12 83 00 FF FF");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_false(rx.reply);
    assert_int_equal(rx.len, 17);
    assert_int_equal(rx.src, OUTSTATION);

    /* no user data: accepted, nothing delivered */
    outstation(&s);
    f = mk(0xC4, OUTSTATION, MASTER, "");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_null(rx.data);
    assert_false(rx.reply);
}

/* rule 10: unknown or obsolete primary functions => NOT_SUPPORTED */
static void test_not_supported(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    dnp3_link_station_init(&s, false, 1, false);
    dnp3_link_frame f = parse("05 64 05 E1 01 00 EF FF 27 7A"); /* L12: RESET_USER_PROCESS */
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.reply);
    assert_int_equal(rx.reply_control, 0x0F);
    assert_int_equal(rx.src, 0xFFEF);
    for (uint8_t fn = 5; fn < 16; fn++) {
        if (fn == DNP3_LINK_REQUEST_LINK_STATUS) continue;
        f = mk((uint8_t)(0xC0 | fn), 1, MASTER, "");
        assert_true(dnp3_link_station_receive(&s, &f, &rx));
        assert_true(rx.reply);
        assert_int_equal(rx.reply_control, DNP3_LINK_NOT_SUPPORTED);
    }
    assert_false(s.reset);
}

/* rule 4: secondary frames addressed to us are reported */
static void test_secondary_received(void **state)
{
    (void)state;
    dnp3_link_station s;
    dnp3_link_rx rx;
    dnp3_link_station_init(&s, true, 1024, false);
    const char *acks[] = {"05 64 05 00 00 04 01 00 19 A6", "05 64 05 10 00 04 01 00 8B 0C"}; /* L2, L3 */
    for (int i = 0; i < 2; i++) {
        dnp3_link_frame f = parse(acks[i]);
        assert_true(dnp3_link_station_receive(&s, &f, &rx));
        assert_true(rx.secondary_received);
        assert_int_equal(rx.secondary_func, DNP3_LINK_ACK);
        assert_false(rx.reply);
        assert_int_equal(rx.src, 1);
    }
    dnp3_link_station_init(&s, true, 1, false);
    dnp3_link_frame f = parse("05 64 05 0B 01 00 00 04 64 40"); /* L9 */
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.secondary_received);
    assert_int_equal(rx.secondary_func, DNP3_LINK_LINK_STATUS);
    f = mk(0x01, 1, OUTSTATION, "");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_int_equal(rx.secondary_func, DNP3_LINK_NACK);
    f = mk(0x0F, 1, OUTSTATION, "");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_int_equal(rx.secondary_func, DNP3_LINK_NOT_SUPPORTED);
    expect_ignored(&s, mk(0x0E, 1, OUTSTATION, "")); /* obsolete NOT_FUNCTIONING */
    expect_ignored(&s, mk(0x05, 1, OUTSTATION, "")); /* undefined secondary code */
    expect_ignored(&s, mk(0x00, 2, OUTSTATION, "")); /* not for us */

    /* an outstation receives a master's ACK (L4, L5 with DFC) */
    dnp3_link_station_init(&s, false, 1, false);
    f = parse("05 64 05 90 01 00 00 04 C1 BB");
    assert_true(dnp3_link_station_receive(&s, &f, &rx));
    assert_true(rx.secondary_received);
    assert_int_equal(rx.secondary_func, DNP3_LINK_ACK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_dir_filter),
        cmocka_unit_test(test_source_must_be_normal),
        cmocka_unit_test(test_destination),
        cmocka_unit_test(test_broadcast_only_user_data),
        cmocka_unit_test(test_fcv_rules),
        cmocka_unit_test(test_reset_link_states),
        cmocka_unit_test(test_confirmed_before_reset_ignored),
        cmocka_unit_test(test_confirmed_fcb_tracking),
        cmocka_unit_test(test_test_link_states),
        cmocka_unit_test(test_request_link_status),
        cmocka_unit_test(test_unconfirmed_user_data),
        cmocka_unit_test(test_not_supported),
        cmocka_unit_test(test_secondary_received),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
