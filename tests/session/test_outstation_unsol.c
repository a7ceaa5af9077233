/*
 * test_outstation_unsol.c - unsolicited responses (docs/protocol-notes.md §5.4 and the golden
 * pairs of 10.2 B11/B12 and 10.3): the start-up null response repeated until
 * confirmed, ENABLE/DISABLE_UNSOLICITED per class, event reports with their
 * confirms and identical retries, retry exhaustion and the retry delay, READs
 * deferred while a confirm is awaited, solicited responses first, and the
 * connection going down and up.
 */
#include "os_harness.h"

#define ENABLE_123 "14 3C 02 06 3C 03 06 3C 04 06"

static void unsol_config(dnp3_outstation_config *c)
{
    h_config(c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c->types[t].count = 0;
    c->types[DNP3_OS_BINARY_INPUT].count = 2;
    c->types[DNP3_OS_ANALOG_INPUT].count = 1;
    c->types[DNP3_OS_ANALOG_INPUT].event_class = 2;
    c->unsolicited = true;
}

/* null response confirmed, classes 1-3 enabled */
static void start_enabled(harness *h, const dnp3_outstation_config *c)
{
    h_start(h, c);
    h_expect(h, "F0 82 80 00");
    h_req(h, "D0 00");
    h_exchange(h, "C0 " ENABLE_123, "C0 81 80 00");
}

/* docs/protocol-notes.md §5.4 / 10.2 B11-B12 */
static void test_null_response_until_confirmed(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    h_start(&h, &c);
    h_expect(&h, "F0 82 80 00");
    h_none(&h);
    assert_int_equal(dnp3_outstation_get_expiry(h.os), 5000);
    h_advance(&h, 4999);
    h_none(&h);
    h_advance(&h, 1);
    h_expect(&h, "F0 82 80 00"); /* identical retry */
    h_req(&h, "D1 00");          /* wrong SEQ */
    h_req(&h, "C0 00");          /* solicited confirm */
    h_advance(&h, 5000);
    h_expect(&h, "F0 82 80 00");
    h_req(&h, "D0 00");
    h_none(&h);
    assert_int_equal(dnp3_outstation_get_expiry(h.os), DNP3_TSTAMP_NEVER);
    h_advance(&h, 60000);
    h_none(&h);
}

/* docs/protocol-notes.md §10.3 "enable unsol" and "unsol g2v1" */
static void test_golden_enable_and_report(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    assert_int_equal(dnp3_outstation_unsol_classes(h.os), 7);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F1 82 80 00 02 01 17 01 00 81");
    h_none(&h);
    h_req(&h, "D1 00");
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 0);
    h_none(&h);
    /* the next report takes the next SEQ */
    h_update(&h, DNP3_OS_ANALOG_INPUT, 0, 3, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F2 82 80 00 20 01 17 01 00 01 03 00 00 00");
    h_req(&h, "D2 00");
}

static void test_events_wait_for_null_confirm(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    c.unsol_classes = DNP3_OS_CLASS1;
    h_start(&h, &c);
    h_update(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F0 82 82 00");
    h_none(&h);
    h_req(&h, "D0 00");
    h_expect(&h, "F1 82 80 00 02 01 17 01 01 81");
}

static void test_disable_and_per_class(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    h_exchange(&h, "C1 15 3C 02 06", "C1 81 80 00");
    assert_int_equal(dnp3_outstation_unsol_classes(h.os), DNP3_OS_CLASS2 | DNP3_OS_CLASS3);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0); /* class 1: not reported */
    h_none(&h);
    h_update(&h, DNP3_OS_ANALOG_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0); /* class 2 */
    h_expect(&h, "F1 82 82 00 20 01 17 01 00 01 01 00 00 00");
    h_req(&h, "D1 00");
    h_exchange(&h, "C2 15 3C 03 06 3C 04 06", "C2 81 82 00");
    h_update(&h, DNP3_OS_ANALOG_INPUT, 0, 2, DNP3_FLAG_ONLINE, 0);
    h_none(&h);
    /* the events are still there for a poll */
    h_exchange(&h, "C3 01 3C 02 06 3C 03 06", "E3 81 80 00 02 01 17 01 00 81 20 01 17 01 00 01 02 00 00 00");
}

static void test_disable_ends_series(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F1 82 80 00 02 01 17 01 00 81");
    h_exchange(&h, "C1 15 3C 02 06 3C 03 06 3C 04 06", "C1 81 82 00");
    h_req(&h, "D1 00"); /* too late: ignored */
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 1);
    assert_int_equal(dnp3_outstation_get_expiry(h.os), DNP3_TSTAMP_NEVER);
}

static void test_retry_identical_then_delay(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    c.unsol_retries = 1;
    c.unsol_retry_delay_ms = 20000;
    start_enabled(&h, &c);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F1 82 80 00 02 01 17 01 00 81");
    h_advance(&h, 5000);
    h_expect(&h, "F1 82 80 00 02 01 17 01 00 81");
    h_advance(&h, 5000); /* retries used up: wait */
    h_none(&h);
    assert_int_equal(dnp3_outstation_get_expiry(h.os), h.now + 20000);
    h_update(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0);
    h_none(&h);
    h_advance(&h, 20000); /* a new series: new SEQ, fresh content */
    h_expect(&h, "F2 82 80 00 02 01 17 02 00 81 01 81");
    h_req(&h, "D2 00");
    h_none(&h);
}

/* clause 4.6.6 rule 16: READ deferred while an unsolicited confirm is awaited */
static void test_read_deferred_until_confirm(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F1 82 80 00 02 01 17 01 00 81");
    h_req(&h, "C1 01 01 02 00 00 01");
    h_none(&h);
    /* non-READ requests are answered at once */
    h_exchange(&h, "C2 02 50 01 00 07 07 00", "C2 81 00 00");
    h_req(&h, "C3 01 01 02 00 00 01");
    h_none(&h);
    h_req(&h, "D1 00");
    h_expect(&h, "C3 81 00 00 01 02 00 00 01 81 02");
    h_none(&h);
}

/* Item 6 of issue 11: a request that runs ahead of the deferred READ does not drop it; the READ is
 * answered after the confirm (or its timeout), once the other answer has gone out. */
static void test_deferred_read_survives_other_requests(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F1 82 80 00 02 01 17 01 00 81");
    h_req(&h, "C1 01 01 02 00 00 01"); /* READ g1v2 0..1: deferred */
    h_none(&h);
    h_exchange(&h, "C2 17", "C2 81 80 00 34 02 07 01 00 00"); /* DELAY_MEASURE: answered at once */
    h_exchange(&h, "C3 02 50 01 00 07 07 00", "C3 81 00 00"); /* WRITE IIN1.7: answered at once */
    h_req(&h, "D1 00");                                       /* unsolicited confirm */
    h_expect(&h, "C1 81 00 00 01 02 00 00 01 81 02");         /* the deferred READ, SEQ 1 */
    h_none(&h);

    /* the confirm arrives before the answer to the request that ran ahead was taken */
    h_update(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F2 82 00 00 02 01 17 01 01 81");
    h_req(&h, "C4 01 01 02 00 00 01");
    h_req(&h, "C5 17");
    h_req(&h, "D2 00");
    h_expect(&h, "C5 81 00 00 34 02 07 01 00 00");
    h_expect(&h, "C4 81 00 00 01 02 00 00 01 81 81");
    h_none(&h);

    /* the timeout ends the series: the READ that waited behind a WRITE is answered then */
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 0, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F3 82 00 00 02 01 17 01 00 01");
    h_req(&h, "C6 01 01 02 00 00 01");
    h_exchange(&h, "C7 02 50 01 00 07 07 00", "C7 81 00 00");
    h_advance(&h, 5000);
    h_expect(&h, "C6 81 02 00 01 02 00 00 01 01 81");
    h_expect(&h, "F4 82 00 00 02 01 17 01 00 01"); /* the event again, in a new series */
    h_req(&h, "D4 00");
    h_none(&h);
}

static void test_read_deferred_until_timeout(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_expect(&h, "F1 82 00 00 02 01 17 01 00 81");
    h_req(&h, "C1 01 3C 01 06");
    h_none(&h);
    h_advance(&h, 5000); /* the series ends without a retry; the READ is answered */
    h_expect(&h, "C1 81 02 00 01 01 00 00 01 01 1E 01 00 00 00 02 00 00 00 00");
    /* then the event goes out again in a new series */
    h_expect(&h, "F2 82 00 00 02 01 17 01 00 81");
    h_req(&h, "D2 00");
    h_none(&h);
}

static void test_solicited_first(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_req(&h, "C1 01 3C 02 06"); /* poll before the unsolicited report went out */
    h_expect(&h, "E1 81 00 00 02 01 17 01 00 81");
    h_update(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0);
    h_none(&h); /* waits for the solicited confirm */
    h_req(&h, "C1 00");
    h_expect(&h, "F1 82 00 00 02 01 17 01 01 81");
}

static void test_offline_pauses(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    unsol_config(&c);
    h_start(&h, &c);
    dnp3_outstation_set_online(h.os, false, 0);
    h_none(&h);
    dnp3_outstation_set_online(h.os, true, 0);
    h_expect(&h, "F0 82 80 00");
    dnp3_outstation_set_online(h.os, false, 0); /* lost before the confirm */
    dnp3_outstation_set_online(h.os, true, 0);
    h_expect(&h, "F1 82 80 00");
    h_req(&h, "D1 00");
    h_none(&h);
}

static void test_not_configured_or_bad_objects(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 " ENABLE_123, "C0 81 80 01");
    h_none(&h);
    dnp3_outstation_config c;
    unsol_config(&c);
    start_enabled(&h, &c);
    h_exchange(&h, "C1 14 01 00 06", "C1 81 80 01");
    h_exchange(&h, "C2 14 3C 02 07 01", "C2 81 80 01");
    h_exchange(&h, "C3 15 3C 01 06", "C3 81 80 01");
    assert_int_equal(dnp3_outstation_unsol_classes(h.os), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_response_until_confirmed),
        cmocka_unit_test(test_golden_enable_and_report),
        cmocka_unit_test(test_events_wait_for_null_confirm),
        cmocka_unit_test(test_disable_and_per_class),
        cmocka_unit_test(test_disable_ends_series),
        cmocka_unit_test(test_retry_identical_then_delay),
        cmocka_unit_test(test_read_deferred_until_confirm),
        cmocka_unit_test(test_read_deferred_until_timeout),
        cmocka_unit_test(test_deferred_read_survives_other_requests),
        cmocka_unit_test(test_solicited_first),
        cmocka_unit_test(test_offline_pauses),
        cmocka_unit_test(test_not_configured_or_bad_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
