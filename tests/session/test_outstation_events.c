/*
 * test_outstation_events.c - event reporting of the outstation on a virtual
 * clock: the golden event read + confirm and buffer-overflow exchanges of
 * docs/protocol-notes.md §10.3 (SF iin test), events kept until confirmed and reported again
 * after a confirm timeout / new request / reconnect, order within and across
 * types, class IIN bits, deadbands, forced and suppressed events, count
 * limits, requested variations, relative time with a CTO, octet strings and
 * multi-fragment event responses.
 */
#include "os_harness.h"

#define READ_CLASS_123 "3C 02 06 3C 03 06 3C 04 06"

/* docs/protocol-notes.md §10.3 "event read + confirm" */
static void test_golden_event_read_confirm(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C0 01 " READ_CLASS_123, "E0 81 80 00 02 01 17 01 00 81");
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 1);
    h_req(&h, "C0 00");
    h_none(&h);
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 0);
    h_exchange(&h, "C1 01 " READ_CLASS_123, "C1 81 80 00");
}

#define RESPONSE_WITH_OVERFLOW "E0 81 80 08 02 01 17 05 00 81 00 01 00 81 00 01 00 81"

/* docs/protocol-notes.md §10.3 "overflow": a 5-event buffer and 6 changes */
static void test_golden_overflow(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.types[DNP3_OS_BINARY_INPUT].event_buffer = 5;
    h_start(&h, &c);
    for (int i = 0; i < 6; i++) h_update(&h, DNP3_OS_BINARY_INPUT, 0, i % 2 != 0, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C0 01 " READ_CLASS_123, RESPONSE_WITH_OVERFLOW);
    /* no confirm: the next READ reports the same events, overflow still set */
    h_exchange(&h, "C0 01 3C 02 06", RESPONSE_WITH_OVERFLOW);
    h_req(&h, "C0 00");
    h_none(&h);
    h_exchange(&h, "C0 01 " READ_CLASS_123, "C0 81 80 00");
}

/* IIN2.3 stays while any buffer is still full, and clears once confirms made room */
static void test_overflow_clears_only_when_room(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.types[DNP3_OS_BINARY_INPUT].event_buffer = 2;
    c.types[DNP3_OS_ANALOG_INPUT].event_buffer = 2;
    h_start(&h, &c);
    h_clear_restart(&h);
    for (int i = 0; i < 3; i++) h_update(&h, DNP3_OS_BINARY_INPUT, 1, i % 2, DNP3_FLAG_ONLINE, 0);
    for (int i = 1; i <= 3; i++) h_update(&h, DNP3_OS_ANALOG_INPUT, 0, i, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C0 01 02 00 06", "E0 81 02 08 02 01 17 02 01 81 01 01");
    h_req(&h, "C0 00");
    assert_int_equal(dnp3_outstation_iin(h.os), DNP3_IIN1_CLASS1_EVENTS | DNP3_IIN2_EVENT_BUFFER_OVERFLOW);
    h_exchange(&h, "C1 01 20 00 06", "E1 81 00 08 20 01 17 02 00 01 02 00 00 00 00 01 03 00 00 00");
    h_req(&h, "C1 00");
    assert_int_equal(dnp3_outstation_iin(h.os), 0);
}

static void test_rereport_after_timeout_and_reconnect(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_COUNTER, 2, 7, DNP3_FLAG_ONLINE, 0);
    /* class 1 bit while unreported */
    h_exchange(&h, "C0 01", "C0 81 02 00");
    h_exchange(&h, "C1 01 3C 02 06", "E1 81 00 00 16 01 17 01 02 01 07 00 00 00");
    h_advance(&h, 4999);
    assert_int_equal(dnp3_outstation_iin(h.os), 0);
    h_advance(&h, 1); /* confirm timeout: back to pending */
    assert_int_equal(dnp3_outstation_iin(h.os), DNP3_IIN1_CLASS1_EVENTS);
    h_exchange(&h, "C2 01 3C 02 06", "E2 81 00 00 16 01 17 01 02 01 07 00 00 00");
    /* the connection drops before the confirm */
    dnp3_outstation_set_online(h.os, false, h.now);
    dnp3_outstation_set_online(h.os, true, h.now);
    h_req(&h, "C2 00");
    h_exchange(&h, "C3 01 3C 02 06", "E3 81 00 00 16 01 17 01 02 01 07 00 00 00");
    h_req(&h, "C3 00");
    h_exchange(&h, "C4 01 3C 02 06", "C4 81 00 00");
}

/* a new request abandons the series; a stale confirm does not clear anything */
static void test_new_request_abandons(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 4, 1, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C5 01 3C 02 06", "E5 81 00 00 02 01 17 01 04 81");
    h_exchange(&h, "C6 01 32 01 07 01", "C6 81 02 00 32 01 07 01 00 00 00 00 00 00");
    h_req(&h, "C5 00");
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 1);
}

static void test_order_within_and_across_types(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_BINARY_INPUT, 3, 1, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_ANALOG_INPUT, 1, 100, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 0, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C0 01 3C 02 06",
               "E0 81 00 00 "
               "02 01 17 02 00 81 03 81 "
               "20 01 17 01 01 01 64 00 00 00 "
               "02 01 17 01 00 01");
}

static void test_class_bits_and_assigned_classes(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    dnp3_os_point_config pc2 = {2, 0, 0, 0}, pc3 = {3, 0, 0, 0}, pc0 = {0, 0, 0, 0};
    assert_int_equal(dnp3_outstation_configure_point(h.os, DNP3_OS_BINARY_INPUT, 1, &pc2), DNP3_OK);
    assert_int_equal(dnp3_outstation_configure_point(h.os, DNP3_OS_BINARY_INPUT, 2, &pc3), DNP3_OK);
    assert_int_equal(dnp3_outstation_configure_point(h.os, DNP3_OS_BINARY_INPUT, 3, &pc0), DNP3_OK);
    h_update(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_BINARY_INPUT, 2, 1, DNP3_FLAG_ONLINE, 0);
    assert_int_equal(
        dnp3_outstation_update(h.os, DNP3_OS_BINARY_INPUT, 3, 1, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT),
        0); /* class 0: static only */
    h_exchange(&h, "C0 01", "C0 81 0C 00");
    h_exchange(&h, "C1 01 3C 04 06", "E1 81 04 00 02 01 17 01 02 81");
    h_req(&h, "C1 00");
    h_exchange(&h, "C2 01 3C 03 06", "E2 81 00 00 02 01 17 01 01 81");
}

static void test_deadband_force_suppress(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    dnp3_os_point_config pc = {1, 0, 0, 10};
    assert_int_equal(dnp3_outstation_configure_point(h.os, DNP3_OS_ANALOG_INPUT, 0, &pc), DNP3_OK);
    dnp3_outstation *os = h.os;
    dnp3_os_type ai = DNP3_OS_ANALOG_INPUT;
    assert_int_equal(dnp3_outstation_update(os, ai, 0, 5, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);  /* flags */
    assert_int_equal(dnp3_outstation_update(os, ai, 0, 15, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 0); /* 10 */
    assert_int_equal(dnp3_outstation_update(os, ai, 0, 16, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1); /* 11 */
    assert_int_equal(dnp3_outstation_update(os, ai, 0, 6.5, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 0);
    assert_int_equal(dnp3_outstation_update(os, ai, 0, 5.9, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_outstation_update(os, ai, 0, 5.9, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_FORCE), 1);
    assert_int_equal(dnp3_outstation_update(os, ai, 0, 99, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS), 0);
    assert_int_equal(dnp3_outstation_event_count(os, ai), 4);
    /* binary: same state and flags => no event */
    dnp3_os_type bi = DNP3_OS_BINARY_INPUT;
    assert_int_equal(dnp3_outstation_update(os, bi, 0, 1, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_outstation_update(os, bi, 0, 1, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 0);
    assert_int_equal(
        dnp3_outstation_update(os, bi, 0, 1, DNP3_FLAG_ONLINE | DNP3_FLAG_COMM_LOST, 0, DNP3_EVENT_DETECT), 1);
    /* the state bit of the flags argument is ignored: value decides */
    assert_int_equal(
        dnp3_outstation_update(os, bi, 0, 1, DNP3_FLAG_ONLINE | DNP3_FLAG_COMM_LOST | 0x80, 0, DNP3_EVENT_DETECT),
        0);
    /* bad arguments */
    assert_int_equal(dnp3_outstation_update(os, bi, 10, 1, 0, 0, DNP3_EVENT_DETECT), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_DOUBLE_BIT_INPUT, 0, 4, 0, 0, DNP3_EVENT_DETECT),
                     DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_OCTET_STRING, 0, 4, 0, 0, DNP3_EVENT_DETECT),
                     DNP3_ERR_INVALID_ARG);
}

static void test_count_limit_and_type_reads(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    for (uint16_t i = 0; i < 3; i++) h_update(&h, DNP3_OS_BINARY_INPUT, i, 1, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_DOUBLE_BIT_INPUT, 0, DNP3_DBIT_DETERMINED_OFF, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C0 01 3C 02 07 02", "E0 81 02 00 02 01 17 02 00 81 01 81");
    h_req(&h, "C0 00");
    /* by group: g4 any variation, then g2 with a count */
    h_exchange(&h, "C1 01 04 00 06", "E1 81 02 00 04 01 17 01 00 41");
    h_req(&h, "C1 00");
    h_exchange(&h, "C2 01 02 00 08 05 00", "E2 81 00 00 02 01 17 01 02 81");
    h_req(&h, "C2 00");
    /* static qualifiers are not event qualifiers */
    h_exchange(&h, "C3 01 02 00 00 00 01", "C3 81 00 01");
}

static void test_variations_with_time(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0x010000000000ULL);
    h_update(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0x010000000010ULL);
    h_update(&h, DNP3_OS_ANALOG_INPUT, 2, -2, DNP3_FLAG_ONLINE, 0x0000CAFE);
    /* g2v2: absolute time */
    h_exchange(&h, "C0 01 02 02 06", "E0 81 02 00 02 02 17 02 00 81 00 00 00 00 00 01 01 81 10 00 00 00 00 01");
    /* not confirmed: g2v3 relative to a CTO (g51v1) */
    h_exchange(&h, "C1 01 02 03 06",
               "E1 81 02 00 33 01 07 01 00 00 00 00 00 01 02 03 17 02 00 81 00 00 01 81 10 00");
    h_req(&h, "C1 00");
    /* g32v3 for analog inputs */
    h_exchange(&h, "C2 01 20 03 06", "E2 81 00 00 20 03 17 01 02 01 FE FF FF FF FE CA 00 00 00 00");
    h_req(&h, "C2 00");
    /* default event variation from the configuration */
    dnp3_outstation_config c;
    h_config(&c);
    c.types[DNP3_OS_COUNTER].event_variation = 5;
    h_start(&h, &c);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_COUNTER, 1, 9, DNP3_FLAG_ONLINE, 0x0102);
    h_exchange(&h, "C3 01 3C 02 06", "E3 81 00 00 16 05 17 01 01 01 09 00 00 00 02 01 00 00 00 00");
}

static void test_octet_string_events(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    uint8_t hi[] = {0x48, 0x49}, abc[] = {0x41, 0x42, 0x43};
    assert_int_equal(dnp3_outstation_update_octets(h.os, 0, hi, 2, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_outstation_update_octets(h.os, 0, hi, 2, 0, DNP3_EVENT_DETECT), 0);
    assert_int_equal(dnp3_outstation_update_octets(h.os, 1, abc, 3, 0, DNP3_EVENT_DETECT), 1);
    h_exchange(&h, "C0 01 3C 02 06", "E0 81 00 00 6F 02 17 01 00 48 49 6F 03 17 01 01 41 42 43");
    h_req(&h, "C0 00");
    h_exchange(&h, "C1 01 6E 00 00 00 01", "C1 81 00 00 6E 02 00 00 00 48 49 6E 03 00 01 01 41 42 43");
    uint8_t big[33] = {0};
    assert_int_equal(dnp3_outstation_update_octets(h.os, 0, big, 33, 0, DNP3_EVENT_DETECT), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_update_octets(h.os, 0, big, 0, 0, DNP3_EVENT_DETECT), DNP3_ERR_INVALID_ARG);
}

/* Event index prefixes: 17 while count and indices fit 8 bits, 28 from the first index > 255 (issue 11) */
static void test_event_qualifier_width(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.types[DNP3_OS_BINARY_INPUT].count = 400;
    c.types[DNP3_OS_BINARY_INPUT].event_buffer = 400;
    h_start(&h, &c);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 5, 1, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_BINARY_INPUT, 300, 1, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_BINARY_INPUT, 6, 1, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C0 01 02 01 06", "E0 81 00 00 02 01 17 01 05 81 02 01 28 02 00 2C 01 81 06 00 81");
    h_req(&h, "C0 00");
    /* 300 events below index 256 and more: 255 per 17 header */
    for (uint16_t i = 0; i < 256; i++) h_update(&h, DNP3_OS_BINARY_INPUT, i, 0, DNP3_FLAG_ONLINE, 0);
    h_req(&h, "C1 01 02 01 06");
    uint8_t out[4096];
    size_t n = h_take(&h, out, sizeof out);
    assert_int_equal(n, 4 + 4 + 255 * 2 + 4 + 2);
    assert_hex(out, 8, "E1 81 00 00 02 01 17 FF");
    assert_hex(out + 8 + 510, 6, "02 01 17 01 FF 01");
}

/* 200 events over 249-octet fragments: each fragment with events asks for a confirm */
static void test_multi_fragment_events(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.max_tx_fragment = 249;
    c.types[DNP3_OS_BINARY_INPUT].count = 200;
    c.types[DNP3_OS_BINARY_INPUT].event_buffer = 200;
    h_start(&h, &c);
    h_clear_restart(&h);
    for (uint16_t i = 0; i < 200; i++) h_update(&h, DNP3_OS_BINARY_INPUT, i, 1, DNP3_FLAG_ONLINE, 0);
    uint8_t out[300];
    h_req(&h, "C0 01 3C 02 06");
    size_t n = h_take(&h, out, sizeof out);
    assert_int_equal(n, 4 + 4 + 120 * 2);          /* qualifier 17: 8-bit count and indices */
    assert_hex(out, 8, "A0 81 02 00 02 01 17 78"); /* FIR CON, class 1 bit: 80 left */
    h_none(&h);
    h_req(&h, "C0 00");
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 80);
    n = h_take(&h, out, sizeof out);
    assert_int_equal(n, 4 + 4 + 80 * 2);
    assert_hex(out, 10, "61 81 00 00 02 01 17 50 78 81"); /* FIN CON SEQ 1, from index 120 */
    h_req(&h, "C1 00");
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 0);
    h_none(&h);
}

static void test_freeze_makes_frozen_counter_events(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h.utc = 0x1000;
    assert_int_equal(
        dnp3_outstation_update(h.os, DNP3_OS_COUNTER, 0, 42, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS), 0);
    h_exchange(&h, "C0 07 14 00 00 00 00", "C0 81 02 00"); /* a frozen-counter event is pending */
    h_exchange(&h, "C1 01 17 00 06", "E1 81 00 00 17 01 17 01 00 01 2A 00 00 00");
    h_req(&h, "C1 00");
    h_exchange(&h, "C2 01 15 05 00 00 00", "C2 81 00 00 15 05 00 00 00 01 2A 00 00 00 00 10 00 00 00 00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_event_read_confirm),
        cmocka_unit_test(test_golden_overflow),
        cmocka_unit_test(test_overflow_clears_only_when_room),
        cmocka_unit_test(test_rereport_after_timeout_and_reconnect),
        cmocka_unit_test(test_new_request_abandons),
        cmocka_unit_test(test_order_within_and_across_types),
        cmocka_unit_test(test_class_bits_and_assigned_classes),
        cmocka_unit_test(test_deadband_force_suppress),
        cmocka_unit_test(test_count_limit_and_type_reads),
        cmocka_unit_test(test_variations_with_time),
        cmocka_unit_test(test_octet_string_events),
        cmocka_unit_test(test_event_qualifier_width),
        cmocka_unit_test(test_multi_fragment_events),
        cmocka_unit_test(test_freeze_makes_frozen_counter_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
