/*
 * test_master_timesync.c - time synchronisation (docs/protocol-notes.md §5.6): the non-LAN
 * procedure with docs/protocol-notes.md's example (A = 100, D = 200, outstation delay 10 ->
 * write 245 ms), golden frames B5/B7/B8/B9, the LAN procedure, NEED_TIME as
 * the trigger, NEED_TIME still set afterwards (back-off), no UTC source,
 * missing g52, coarse delay, negative propagation clamped to zero.
 */
#include "test_master_harness.h"

static void non_lan_notes_example(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_advance(100);
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_NON_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 17");
    assert_hex(mh.chunks[0], mh.chunk_len[0], "05 64 08 C4 00 04 01 00 9A 19 C0 C0 17 C2 A7"); /* B5 */
    mh_advance(100);
    mh_respond("C0 81 00 00 34 02 07 01 0A 00");
    mh_expect("C1 02 32 01 07 01 F5 00 00 00 00 00"); /* (200 - 100 - 10) / 2 = 45; 200 + 45 */
    mh_respond("C1 81 00 00");
    const mh_task_rec *r = mh_last_user();
    assert_int_equal(r->kind, DNP3_TASK_TIME_SYNC);
    assert_int_equal(r->result, DNP3_TASK_SUCCESS);
    assert_int_equal(r->propagation_ms, 45);
    assert_int_equal(r->time_written, 245);
}

static void non_lan_golden_b7(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh.utc_offset = 1614271096000LL;
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_NON_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 17");
    mh_respond("C0 81 80 00 34 02 07 01 FE CA"); /* B6: delay 0xCAFE > round trip -> propagation 0 */
    mh_expect("C1 02 32 01 07 01 C0 24 0E DA 77 01");
    assert_hex(mh.chunks[1], mh.chunk_len[1],
               "05 64 12 C4 00 04 01 00 30 DD C1 C1 02 32 01 07 01 C0 24 0E DA 77 01 61 7F");
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_user()->propagation_ms, 0);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
}

static void lan_golden_b8_b9(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_advance(1000);
    mh.utc_offset = 0xCAFE - 1000;
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 18");
    assert_hex(mh.chunks[0], mh.chunk_len[0], "05 64 08 C4 00 04 01 00 9A 19 C0 C0 18 D1 DB");
    mh_advance(250); /* the written value is the time noted when RECORD_CURRENT_TIME went out */
    mh_respond("C0 81 00 00");
    mh_expect("C1 02 32 03 07 01 FE CA 00 00 00 00");
    assert_hex(mh.chunks[1], mh.chunk_len[1],
               "05 64 12 C4 00 04 01 00 30 DD C1 C1 02 32 03 07 01 FE CA 00 00 00 00 2B 07");
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh_last_user()->time_written, 0xCAFE);
}

static void need_time_triggers_sync(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = 0;
    ac.time_sync = DNP3_TIMESYNC_LAN;
    mh_setup(&ac);
    mh_expect("C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    mh_respond("C0 81 10 00"); /* NEED_TIME */
    mh_expect("C1 18");
    mh_respond("C1 81 10 00");
    mh_expect("C2 02 32 03 07 01 00 00 00 00 00 00");
    mh_respond("C2 81 00 00");
    assert_int_equal(mh_last_task()->kind, DNP3_TASK_TIME_SYNC);
    assert_true(mh_last_task()->automatic);
    assert_int_equal(mh_last_task()->result, DNP3_TASK_SUCCESS);
    mh_expect_none();
}

static void need_time_not_cleared_backs_off(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("C0 81 10 00");
    mh_expect("C1 17");
    mh_respond("C1 81 10 00 34 02 07 01 00 00");
    mh_expect("C2 02 32 01 07 01 00 00 00 00 00 00");
    mh_respond("C2 81 10 00");
    assert_int_equal(mh_last_task()->result, DNP3_TASK_IIN_NOT_CLEARED);
    mh_advance(4999);
    mh_expect_none();
    mh_advance(1);
    mh_expect("C3 17");
    mh_respond("C3 81 10 00 34 02 07 01 00 00");
    mh_expect("C4 02 32 01 07 01 88 13 00 00 00 00");
    mh_respond("C4 81 10 00");
    mh_advance(9999); /* doubled */
    mh_expect_none();
    mh_advance(1);
    mh_expect("C5 17");
}

static void no_time_source(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh.utc_ok = false;
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect_none();
    assert_int_equal(mh_last_user()->result, DNP3_TASK_NO_TIME_SOURCE);
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_NON_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 17");
    mh_respond("C0 81 00 00 34 02 07 01 00 00");
    mh_expect_none();
    assert_int_equal(mh_last_user()->result, DNP3_TASK_NO_TIME_SOURCE);
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_NONE, NULL, NULL, mh.now), DNP3_ERR_INVALID_ARG);
}

static void missing_delay_and_coarse_delay(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_NON_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 17");
    mh_respond("C0 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_MISSING_OBJECT);
    mh_expect_none();
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_NON_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C1 17");
    mh_advance(5000);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_TIMEOUT);
    assert_int_equal(dnp3_master_time_sync(mh.a, DNP3_TIMESYNC_NON_LAN, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C2 17");
    mh_advance(4000);
    mh_respond("C2 81 00 00 34 01 07 01 01 00");      /* 1 s coarse: (4000 - 1000) / 2 = 1500 */
    mh_expect("C3 02 32 01 07 01 04 29 00 00 00 00"); /* 9000 + 1500 */
    mh_respond("C3 81 00 04");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_REJECTED);
    assert_int_equal(mh_last_user()->propagation_ms, 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(non_lan_notes_example),
        cmocka_unit_test(non_lan_golden_b7),
        cmocka_unit_test(lan_golden_b8_b9),
        cmocka_unit_test(need_time_triggers_sync),
        cmocka_unit_test(need_time_not_cleared_backs_off),
        cmocka_unit_test(no_time_source),
        cmocka_unit_test(missing_delay_and_coarse_delay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
