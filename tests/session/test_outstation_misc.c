/*
 * test_outstation_misc.c - the remaining outstation functions on a virtual
 * clock (docs/protocol-notes.md §5.5-5.9 and the golden pairs of 10.3): LAN and non-LAN time
 * synchronisation and NEED_TIME, DEVICE_RESTART and its clearing by WRITE
 * g80v1, cold / warm restart, freeze and freeze-and-clear, ASSIGN_CLASS,
 * WRITE of deadbands, duplicate requests, broadcasts (IIN1.0, mandatory
 * confirm), and "validate the whole request before acting".
 */
#include "os_harness.h"

/* docs/protocol-notes.md §10.3 "delay measure" */
static void test_golden_delay_measure(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.processing_delay_ms = 0xCAFE;
    h_start(&h, &c);
    h_exchange(&h, "C0 17", "C0 81 80 00 34 02 07 01 FE CA");
}

/* docs/protocol-notes.md §10.3 "non-LAN sync": DELAY_MEASURE, then WRITE g50v1 */
static void test_golden_non_lan_sync(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.processing_delay_ms = 0xCAFE;
    c.need_time_at_start = true;
    h_start(&h, &c);
    h_exchange(&h, "C0 17", "C0 81 90 00 34 02 07 01 FE CA");
    h_exchange(&h, "C1 02 32 01 07 01 C0 24 0E DA 77 01", "C1 81 80 00");
    assert_int_equal(h.time_writes, 1);
    assert_true(h.time_written == 1614271096000ULL);
    /* docs/protocol-notes.md §10.2 D3 */
    h_exchange(&h, "C5 02 32 01 07 01 F8 B8 6C AA F0 00", "C5 81 80 00");
    assert_true(h.time_written == 0x00F0AA6CB8F8ULL);
}

/* docs/protocol-notes.md §10.3 "LAN sync": RECORD_CURRENT_TIME, then WRITE g50v3 */
static void test_golden_lan_sync(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 18", "C0 81 80 00");
    h.now += 250;
    h_exchange(&h, "C1 02 32 03 07 01 FE CA 00 00 00 00", "C1 81 80 00");
    assert_true(h.time_written == 0xCAFE + 250);
    /* without a new RECORD_CURRENT_TIME: PARAMETER_ERROR */
    h_exchange(&h, "C2 02 32 03 07 01 FE CA 00 00 00 00", "C2 81 80 04");
    assert_int_equal(h.time_writes, 1);
}

static void test_need_time_period_and_refusal(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.need_time_at_start = true;
    c.need_time_period_ms = 60000;
    h_start(&h, &c);
    h_clear_restart(&h);
    h.time_accept = false;
    h_exchange(&h, "C0 02 32 01 07 01 01 00 00 00 00 00", "C0 81 10 04");
    h.time_accept = true;
    h_exchange(&h, "C1 02 32 01 07 01 01 00 00 00 00 00", "C1 81 00 00");
    assert_int_equal(dnp3_outstation_get_expiry(h.os), 60000);
    h_advance(&h, 60000);
    h_exchange(&h, "C2 01", "C2 81 10 00");
    /* two time objects, or a count of 2: PARAMETER_ERROR */
    h_exchange(&h, "C3 02 32 01 07 02 01 00 00 00 00 00 01 00 00 00 00 00", "C3 81 10 04");
    /* the application may set or clear it too */
    dnp3_outstation_set_iin(h.os, DNP3_IIN1_NEED_TIME, false);
    dnp3_outstation_set_iin(h.os, DNP3_IIN1_DEVICE_TROUBLE | DNP3_IIN2_CONFIG_CORRUPT | DNP3_IIN1_CLASS1_EVENTS,
                            true);
    h_exchange(&h, "C4 01", "C4 81 40 20");
}

/* docs/protocol-notes.md §10.3 "clear restart"; writing 1 or another index: PARAMETER_ERROR */
static void test_golden_clear_restart(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 02 50 01 00 07 07 01", "C0 81 80 04");
    h_exchange(&h, "C1 02 50 01 00 04 04 00", "C1 81 80 04");
    h_exchange(&h, "C2 02 50 01 00 00 07 00", "C2 81 80 04");
    h_exchange(&h, "C3 02 50 01 00 07 07 00", "C3 81 00 00");
    assert_int_equal(dnp3_outstation_iin(h.os) & DNP3_IIN1_DEVICE_RESTART, 0);
}

/* docs/protocol-notes.md §10.3 "cold restart" */
static void test_golden_restarts(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 0D", "C0 81 80 01"); /* the application does not support it */
    assert_int_equal(h.restarts, 1);
    h.restart_delay = (dnp3_restart_delay){true, false, 0xCAFE};
    h_exchange(&h, "C1 0D", "C1 81 80 00 34 01 07 01 FE CA");
    assert_true(h.restart_cold);
    h.restart_delay = (dnp3_restart_delay){true, true, 500};
    h_exchange(&h, "C2 0E", "C2 81 80 00 34 02 07 01 F4 01");
    assert_false(h.restart_cold);
    /* objects with a function that takes none: nothing executed */
    h_exchange(&h, "C3 0D 3C 01 06", "C3 81 80 04");
    assert_int_equal(h.restarts, 3);
}

static void test_freeze_and_clear(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h.utc = 0x2000;
    for (uint16_t i = 0; i < 3; i++)
        assert_int_equal(
            dnp3_outstation_update(h.os, DNP3_OS_COUNTER, i, 10 + i, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS), 0);
    h_exchange(&h, "C0 09 14 00 00 01 02", "C0 81 02 00"); /* freeze and clear 1..2 */
    assert_int_equal(h.freezes, 1);
    assert_int_equal(h.freeze_kind, DNP3_FREEZE_AND_CLEAR);
    assert_int_equal(h.freeze_start, 1);
    assert_int_equal(h.freeze_stop, 2);
    h_exchange(&h, "C1 01 14 01 00 00 02",
               "C1 81 02 00 14 01 00 00 02 01 0A 00 00 00 01 00 00 00 00 01 00 00 00 00");
    h_exchange(&h, "C2 01 15 01 00 00 02",
               "C2 81 02 00 15 01 00 00 02 02 00 00 00 00 01 0B 00 00 00 01 0C 00 00 00");
    /* no-ack freeze of all counters: no response */
    h_req(&h, "C3 08 14 00 06");
    h_none(&h);
    assert_int_equal(h.freezes, 2);
    assert_int_equal(h.freeze_kind, DNP3_FREEZE);
    double v;
    assert_int_equal(dnp3_outstation_get(h.os, DNP3_OS_FROZEN_COUNTER, 0, &v, NULL, NULL), DNP3_OK);
    assert_true(v == 10);
    /* out of range: nothing frozen */
    h_exchange(&h, "C4 07 14 00 00 00 0A", "C4 81 02 04");
    h_exchange(&h, "C5 07 01 00 06", "C5 81 02 02"); /* binary inputs cannot be frozen */
    assert_int_equal(h.freezes, 2);
}

/* Frozen analog inputs (g31 static, g33 events): IMMED_FREEZE of g30 copies analog inputs into
 * them with the UTC time of the freeze; FREEZE_AT_TIME keeps a schedule for analogs beside the
 * counters' one; FREEZE_CLEAR of g30 is refused; an outstation without frozen analog inputs
 * answers a g30 freeze OBJECT_UNKNOWN. */
static void test_freeze_analogs(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h.utc = 0x2000;
    assert_int_equal(
        dnp3_outstation_update(h.os, DNP3_OS_ANALOG_INPUT, 0, 7, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS), 0);
    assert_int_equal(
        dnp3_outstation_update(h.os, DNP3_OS_ANALOG_INPUT, 1, -2, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS), 0);
    h_exchange(&h, "C0 07 1E 00 00 00 01", "C0 81 02 00"); /* freeze 0..1: two g33 events */
    assert_int_equal(h.analog_freezes, 1);
    assert_int_equal(h.freezes, 0);
    assert_int_equal(h.freeze_kind, DNP3_FREEZE);
    assert_int_equal(h.freeze_stop, 1);
    double v = 0;
    dnp3_time48 t = 0;
    assert_int_equal(dnp3_outstation_get(h.os, DNP3_OS_FROZEN_ANALOG_INPUT, 1, &v, NULL, &t), DNP3_OK);
    assert_true(v == -2 && t == 0x2000);
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_FROZEN_ANALOG_INPUT), 2);
    /* g31v3: 32-bit with the time of freeze; g31v7: single precision; index 2 was not frozen */
    h_exchange(&h, "C1 01 1F 03 00 00 02",
               "C1 81 02 00 1F 03 00 00 02 01 07 00 00 00 00 20 00 00 00 00 01 FE FF FF FF 00 20 00 00 00 00 "
               "02 00 00 00 00 00 00 00 00 00 00");
    h_exchange(&h, "C2 01 1F 07 00 00 00", "C2 81 02 00 1F 07 00 00 00 01 00 00 E0 40");
    /* the events: g33v1 (32-bit without time), then g33v3 asked for */
    h_exchange(&h, "C3 01 21 01 06", "E3 81 00 00 21 01 17 02 00 01 07 00 00 00 01 01 FE FF FF FF");
    h_req(&h, "C3 00");
    h_exchange(&h, "C4 01 21 03 06", "C4 81 00 00");
    /* FREEZE_CLEAR of analogs: NO_FUNC_CODE_SUPPORT, nothing frozen */
    h_exchange(&h, "C5 09 1E 00 06", "C5 81 00 01");
    assert_int_equal(h.analog_freezes, 1);
    /* FREEZE_AT_TIME: an analog schedule every 1000 ms beside a counter schedule every 5000 ms */
    h.utc = 1000000;
    h_exchange(&h, "C6 0B 32 02 07 01 10 4A 0F 00 00 00 E8 03 00 00 1E 00 06", "C6 81 00 00");
    h_exchange(&h, "C7 0B 32 02 07 01 10 4A 0F 00 00 00 88 13 00 00 14 00 06", "C7 81 00 00");
    assert_true(dnp3_outstation_get_expiry(h.os) == h.now + 2000);
    h_advance(&h, 2000);
    assert_int_equal(h.analog_freezes, 2);
    assert_int_equal(h.freezes, 1);
    assert_int_equal(h.freeze_stop, 9);
    assert_true(dnp3_outstation_get_expiry(h.os) == h.now + 1000); /* the analogs' next one */
    h_advance(&h, 1000);
    assert_int_equal(h.analog_freezes, 3);
    assert_int_equal(h.freezes, 1);

    /* no frozen analog inputs configured: a g30 freeze is an unknown object */
    dnp3_outstation_config c;
    h_config(&c);
    c.types[DNP3_OS_FROZEN_ANALOG_INPUT].count = 0;
    h_start(&h, &c);
    h_clear_restart(&h);
    h_exchange(&h, "C0 07 1E 00 06", "C0 81 00 02");
    h_exchange(&h, "C1 01 1F 00 06", "C1 81 00 00");
}

/* FREEZE_AT_TIME(_NR) with g50v2 (issue 11 item 2): the freeze at the UTC time given (run on the
 * monotonic clock from the difference to utc_now), repeated every interval; time 0 = now,
 * interval 0 = once; a time already past with an interval starts at the next time + k * interval. */
#define FAT_T1 "32 02 07 01 10 4A 0F 00 00 00 E8 03 00 00 "  /* at 1002000 ms UTC, every 1000 ms */
#define FAT_NOW "32 02 07 01 00 00 00 00 00 00 00 00 00 00 " /* time 0, interval 0: once, now */
static void test_freeze_at_time(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.types[DNP3_OS_FROZEN_COUNTER].event_class = 0; /* keep the IIN of these answers at 00 00 */
    h_start(&h, &c);
    h_clear_restart(&h);
    h.utc = 1000000;
    double v = 0;
    assert_int_equal(dnp3_outstation_update(h.os, DNP3_OS_COUNTER, 0, 5, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS),
                     0);
    h_exchange(&h, "C1 0B " FAT_T1 "14 00 06", "C1 81 00 00");
    assert_true(dnp3_outstation_get_expiry(h.os) == 2000);
    h_advance(&h, 1999);
    assert_int_equal(h.freezes, 0);
    h_advance(&h, 1);
    assert_int_equal(h.freezes, 1);
    assert_int_equal(h.freeze_kind, DNP3_FREEZE);
    assert_int_equal(h.freeze_stop, 9);
    assert_int_equal(dnp3_outstation_get(h.os, DNP3_OS_FROZEN_COUNTER, 0, &v, NULL, NULL), DNP3_OK);
    assert_true(v == 5);
    assert_int_equal(dnp3_outstation_update(h.os, DNP3_OS_COUNTER, 0, 9, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS),
                     0);
    assert_true(dnp3_outstation_get_expiry(h.os) == 3000);
    h_advance(&h, 999);
    assert_int_equal(h.freezes, 1);
    h_advance(&h, 1); /* the interval repeats it */
    assert_int_equal(h.freezes, 2);
    assert_int_equal(dnp3_outstation_get(h.os, DNP3_OS_FROZEN_COUNTER, 0, &v, NULL, NULL), DNP3_OK);
    assert_true(v == 9);
    /* a frozen counter read shows the value and the UTC time of the freeze */
    h_exchange(&h, "C2 01 15 05 00 00 00", "C2 81 00 00 15 05 00 00 00 01 09 00 00 00 40 42 0F 00 00 00");

    /* time 0, interval 0: once, at once; it replaces the schedule */
    assert_int_equal(
        dnp3_outstation_update(h.os, DNP3_OS_COUNTER, 1, 11, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS), 0);
    h_exchange(&h, "C3 0B " FAT_NOW "14 00 00 01 01", "C3 81 00 00");
    assert_int_equal(h.freezes, 3);
    assert_int_equal(h.freeze_start, 1);
    assert_int_equal(h.freeze_stop, 1);
    assert_int_equal(dnp3_outstation_get(h.os, DNP3_OS_FROZEN_COUNTER, 1, &v, NULL, NULL), DNP3_OK);
    assert_true(v == 11);
    assert_true(dnp3_outstation_get_expiry(h.os) == DNP3_TSTAMP_NEVER);
    /* the NR form: no answer */
    h_req(&h, "C4 0C " FAT_NOW "14 00 06");
    h_none(&h);
    assert_int_equal(h.freezes, 4);
    /* a time already past, every 1000 ms: at 999500 + 1000 = 500 ms from now */
    h_exchange(&h, "C5 0B 32 02 07 01 4C 40 0F 00 00 00 E8 03 00 00 14 00 06", "C5 81 00 00");
    assert_true(dnp3_outstation_get_expiry(h.os) == h.now + 500);
    /* errors (nothing scheduled): no counter header, two counter headers, no UTC for a time,
     * the time object missing */
    h_exchange(&h, "C6 0B " FAT_T1, "C6 81 00 04");
    h_exchange(&h, "C7 0B " FAT_T1 "14 00 06 14 00 06", "C7 81 00 04");
    h.utc = 0;
    h_exchange(&h, "C8 0B " FAT_T1 "14 00 06", "C8 81 00 04");
    h_exchange(&h, "C9 0B 14 00 06", "C9 81 00 04");
    assert_true(dnp3_outstation_get_expiry(h.os) == h.now + 500); /* the last schedule stands */
    /* by broadcast: executed, not answered */
    h_req_bcast(&h, "CA 0C " FAT_NOW "14 00 06", DNP3_BCAST_NO_CONFIRM);
    h_none(&h);
    assert_int_equal(h.freezes, 5);
}

static void test_assign_class(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_exchange(&h, "C0 16 3C 03 06 01 00 00 00 03 3C 04 06 1E 00 17 01 05", "C0 81 00 00");
    h_update(&h, DNP3_OS_BINARY_INPUT, 2, 1, DNP3_FLAG_ONLINE, 0);
    h_update(&h, DNP3_OS_ANALOG_INPUT, 5, 1, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C1 01", "C1 81 0C 00");
    /* class 0: no events any more */
    h_exchange(&h, "C2 16 3C 01 06 01 00 06", "C2 81 0C 00");
    assert_int_equal(
        dnp3_outstation_update(h.os, DNP3_OS_BINARY_INPUT, 7, 1, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 0);
    /* a bad header later in the request: nothing assigned */
    h_exchange(&h, "C3 16 3C 02 06 01 00 06 1E 00 00 00 0A", "C3 81 0C 04");
    assert_int_equal(
        dnp3_outstation_update(h.os, DNP3_OS_BINARY_INPUT, 8, 1, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 0);
    /* a point header before any class header */
    h_exchange(&h, "C4 16 01 00 06", "C4 81 0C 04");
    h_exchange(&h, "C5 16 3C 02 06 02 00 06", "C5 81 0C 02");
}

static void test_write_deadbands(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 02 22 01 17 01 03 0A 00", "C0 81 80 00");
    h_exchange(&h, "C1 01 22 01 00 03 03", "C1 81 80 00 22 01 00 03 03 0A 00");
    h_exchange(&h, "C2 02 22 01 17 01 0A 0A 00", "C2 81 80 04");
    h_exchange(&h, "C3 02 01 02 00 00 00 81", "C3 81 80 02");
}

/* docs/protocol-notes.md §3.5: a repeated non-READ request gets the stored response, not a new execution */
static void test_duplicates(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C4 02 50 01 00 07 07 00", "C4 81 00 00");
    dnp3_outstation_set_iin(h.os, DNP3_IIN1_DEVICE_RESTART, true);
    h_exchange(&h, "C4 02 50 01 00 07 07 00", "C4 81 00 00");
    assert_true(dnp3_outstation_iin(h.os) & DNP3_IIN1_DEVICE_RESTART);
    /* a different SEQ is a new request */
    h_exchange(&h, "C5 02 50 01 00 07 07 00", "C5 81 00 00");
    /* a repeated READ is answered afresh */
    h_exchange(&h, "C6 01 1E 02 00 00 00", "C6 81 00 00 1E 02 00 00 00 02 00 00");
    assert_true(dnp3_outstation_update(h.os, DNP3_OS_ANALOG_INPUT, 0, 9, 1, 0, DNP3_EVENT_SUPPRESS) == 0);
    h_exchange(&h, "C6 01 1E 02 00 00 00", "C6 81 00 00 1E 02 00 00 00 01 09 00");
    /* DIRECT_OPERATE_NR repeated: executed once, never answered */
    h_req(&h, "C7 06 29 02 17 01 07 01 02 00");
    h_req(&h, "C7 06 29 02 17 01 07 01 02 00");
    h_none(&h);
    assert_int_equal(h.ao_calls, 1);
}

/* docs/protocol-notes.md §5.9: broadcasts are executed, never answered; IIN1.0 in the next response */
static void test_broadcast(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_req_bcast(&h, "C0 02 50 01 00 07 07 00", DNP3_BCAST_OPT_CONFIRM);
    h_none(&h);
    h_exchange(&h, "C1 01", "C1 81 01 00");
    h_exchange(&h, "C2 01", "C2 81 00 00");
    /* functions that are not allowed by broadcast: not executed, still flagged */
    h_req_bcast(&h, "C3 05 29 02 17 01 07 01 02 00", DNP3_BCAST_NO_CONFIRM);
    h_none(&h);
    assert_int_equal(h.ao_calls, 0);
    h_req_bcast(&h, "C3 06 29 02 17 01 07 01 02 00", DNP3_BCAST_NO_CONFIRM);
    h_none(&h);
    assert_int_equal(h.ao_calls, 1);
    assert_int_equal(h.ao_mode, DNP3_CTRL_DIRECT_OPERATE_NR);
    h_exchange(&h, "C4 01", "C4 81 01 00");
    /* mandatory confirm: CON and IIN1.0 until that response is confirmed */
    h_req_bcast(&h, "C0 18", DNP3_BCAST_CONFIRM);
    h_none(&h);
    h_exchange(&h, "C5 01", "E5 81 01 00");
    h_exchange(&h, "C6 01", "E6 81 01 00");
    h_req(&h, "C6 00");
    h_exchange(&h, "C7 01", "C7 81 00 00");
    /* the broadcast RECORD_CURRENT_TIME counts for a following g50v3 */
    h.now += 10;
    h_exchange(&h, "C8 02 32 03 07 01 00 01 00 00 00 00", "C8 81 00 00");
    assert_true(h.time_written == 0x100 + 10);
    /* a broadcast confirm is ignored */
    h_req_bcast(&h, "C0 00", DNP3_BCAST_OPT_CONFIRM);
    h_none(&h);
}

/* pass 1 before acting: a WRITE whose later header is bad changes nothing */
static void test_validate_before_acting(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 02 50 01 00 07 07 00 C8 01 06", "C0 81 80 02");
    h_exchange(&h, "C1 02 50 01 00 07 07 00 32 03 07 01 00 00 00 00 00 00", "C1 81 80 04");
    h_exchange(&h, "C2 02 50 01 00 07 07 00 32 01 07 01 00 00", "C2 81 80 04");
    assert_true(dnp3_outstation_iin(h.os) & DNP3_IIN1_DEVICE_RESTART);
    assert_int_equal(h.time_writes, 0);
    /* an unknown object in the middle of a CROB request */
    h_exchange(&h, "C3 05 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00 C8 01 06", "C3 81 80 02");
    assert_int_equal(h.crob_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_delay_measure),
        cmocka_unit_test(test_golden_non_lan_sync),
        cmocka_unit_test(test_golden_lan_sync),
        cmocka_unit_test(test_need_time_period_and_refusal),
        cmocka_unit_test(test_golden_clear_restart),
        cmocka_unit_test(test_golden_restarts),
        cmocka_unit_test(test_freeze_and_clear),
        cmocka_unit_test(test_freeze_analogs),
        cmocka_unit_test(test_freeze_at_time),
        cmocka_unit_test(test_assign_class),
        cmocka_unit_test(test_write_deadbands),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_broadcast),
        cmocka_unit_test(test_validate_before_acting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
