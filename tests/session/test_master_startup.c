/*
 * test_master_startup.c - the master's start-up sequence (docs/protocol-notes.md §5.4: DISABLE
 * unsolicited 1,2,3 -> integrity READ 1,2,3,0 -> ENABLE unsolicited 1,2,3),
 * each step configurable, SEQ increments, DEVICE_RESTART clearing during and
 * after start-up, retry with back-off after a timeout, reconnects and an
 * outstation restart that re-runs the sequence. Exact request bytes on a
 * virtual clock.
 */
#include "test_master_harness.h"

#define DISABLE_123(seq) seq " 15 3C 02 06 3C 03 06 3C 04 06"
#define ENABLE_123(seq) seq " 14 3C 02 06 3C 03 06 3C 04 06"
#define INTEGRITY(seq) seq " 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06"

static void full_startup(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    mh_setup(&ac);
    mh_expect(DISABLE_123("C0"));
    mh_expect_none();
    assert_false(dnp3_master_assoc_started(mh.a));
    mh_respond("C0 81 00 00");
    mh_expect(INTEGRITY("C1"));
    mh_respond("C1 81 00 00 1E 02 01 00 00 00 00 01 2A 00");
    mh_expect(ENABLE_123("C2"));
    mh_respond("C2 81 00 00");
    mh_expect_none();
    assert_true(dnp3_master_assoc_started(mh.a));
    assert_int_equal(mh.task_count, 3);
    assert_int_equal(mh.tasks[0].kind, DNP3_TASK_DISABLE_UNSOLICITED);
    assert_int_equal(mh.tasks[1].kind, DNP3_TASK_INTEGRITY_POLL);
    assert_int_equal(mh.tasks[2].kind, DNP3_TASK_ENABLE_UNSOLICITED);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mh.tasks[i].result, DNP3_TASK_SUCCESS);
        assert_true(mh.tasks[i].automatic);
    }
    /* the integrity poll's value reached the measurement callback */
    assert_int_equal(mh_meas_after(0, 'M'), 1);
    /* nothing else happens afterwards (no periodic polls configured) */
    mh_advance(3600 * 1000);
    mh_expect_none();
}

static void steps_configurable(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = 0;
    ac.startup_integrity = DNP3_CLASS_0 | DNP3_CLASS_1;
    ac.startup_enable_unsol = DNP3_CLASS_2;
    mh_setup(&ac);
    mh_expect("C0 01 3C 02 06 3C 01 06");
    mh_respond("C0 81 00 00");
    mh_expect("C1 14 3C 03 06");
    mh_respond("C1 81 00 00");
    mh_expect_none();
    assert_true(dnp3_master_assoc_started(mh.a));
}

static void no_startup_steps(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_expect_none();
    assert_true(dnp3_master_assoc_started(mh.a));
}

static void restart_cleared_first(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    mh_setup(&ac);
    mh_expect(DISABLE_123("C0"));
    mh_respond("C0 81 80 00"); /* DEVICE_RESTART */
    mh_expect("C1 02 50 01 00 07 07 00");
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_task()->kind, DNP3_TASK_CLEAR_RESTART);
    assert_int_equal(mh_last_task()->result, DNP3_TASK_SUCCESS);
    mh_expect(INTEGRITY("C2"));
    mh_respond("C2 81 00 00");
    mh_expect(ENABLE_123("C3"));
    mh_respond("C3 81 00 00");
    mh_expect_none();
}

static void restart_not_cleared_backs_off(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = ac.startup_integrity = 0;
    mh_setup(&ac);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("C0 81 80 00");
    mh_expect("C1 02 50 01 00 07 07 00");
    mh_respond("C1 81 80 00"); /* still set */
    assert_int_equal(mh_last_task()->result, DNP3_TASK_IIN_NOT_CLEARED);
    mh_expect_none();
    mh_advance(4999);
    mh_expect_none();
    mh_advance(1);
    mh_expect("C2 02 50 01 00 07 07 00");
    mh_respond("C2 81 00 04"); /* refused: PARAMETER_ERROR, restart cleared anyway */
    assert_int_equal(mh_last_task()->result, DNP3_TASK_REJECTED);
    mh_advance(60000);
    mh_expect_none();
}

static void startup_integrity_rejected_moves_on(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    mh_setup(&ac);
    mh_expect(DISABLE_123("C0"));
    mh_respond("C0 81 00 01"); /* NO_FUNC_CODE_SUPPORT: no unsolicited support */
    assert_int_equal(mh_last_task()->result, DNP3_TASK_REJECTED);
    mh_expect(INTEGRITY("C1"));
    mh_respond("C1 81 00 00");
    mh_expect(ENABLE_123("C2"));
    mh_respond("C2 81 00 01");
    mh_expect_none();
    assert_true(dnp3_master_assoc_started(mh.a));
}

static void timeout_and_backoff(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    mh_setup(&ac);
    mh_expect(DISABLE_123("C0"));
    /* response timeout 5 s, then back-off 5, 10, 20, 40, 60, 60 s */
    static const struct {
        dnp3_tstamp wait;
        const char *seq;
    } steps[] = {{5000, "C1"}, {10000, "C2"}, {20000, "C3"}, {40000, "C4"}, {60000, "C5"}, {60000, "C6"}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        mh_advance(4999);
        mh_expect_none();
        size_t before = mh.task_count;
        mh_advance(1);
        assert_int_equal(mh.task_count, before + 1);
        assert_int_equal(mh_last_task()->result, DNP3_TASK_TIMEOUT);
        mh_advance(steps[i].wait - 1);
        mh_expect_none();
        mh_advance(1);
        char hex[64];
        snprintf(hex, sizeof hex, DISABLE_123("%s"), steps[i].seq);
        mh_expect(hex);
    }
    /* success resets the back-off */
    mh_respond("C6 81 00 00");
    mh_expect(INTEGRITY("C7"));
    mh_advance(5000);
    assert_int_equal(mh_last_task()->result, DNP3_TASK_TIMEOUT);
    mh_advance(4999);
    mh_expect_none();
    mh_advance(1);
    mh_expect(INTEGRITY("C8"));
}

static void disconnect_and_reconnect(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    mh_setup(&ac);
    mh_expect(DISABLE_123("C0"));
    mh_respond("C0 81 00 00");
    mh_expect(INTEGRITY("C1"));
    assert_int_equal(dnp3_master_on_disconnect(mh.m, mh.now), DNP3_OK);
    assert_int_equal(mh_last_task()->result, DNP3_TASK_DISCONNECTED);
    assert_false(dnp3_master_connected(mh.m));
    mh_advance(120000);
    mh_expect_none();
    dnp3_channel_reset(mh.mch, mh.now);
    dnp3_channel_reset(mh.och, mh.now);
    assert_int_equal(dnp3_master_on_connect(mh.m, mh.now), DNP3_OK);
    mh_expect(DISABLE_123("C2")); /* the sequence starts over; SEQ keeps counting */
    /* a late answer to the old integrity poll (SEQ 1) is ignored */
    mh_respond("C1 81 00 00");
    mh_expect_none();
    mh_respond("C2 81 00 00");
    mh_expect(INTEGRITY("C3"));
}

static void outstation_restart_reruns_startup(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    mh_setup(&ac);
    mh_expect(DISABLE_123("C0"));
    mh_respond("C0 81 00 00");
    mh_expect(INTEGRITY("C1"));
    mh_respond("C1 81 00 00");
    mh_expect(ENABLE_123("C2"));
    mh_respond("C2 81 00 00");
    mh_expect_none();
    /* the outstation reboots and announces itself with a null unsolicited response */
    mh_respond("F0 82 80 00");
    mh_expect("D0 00");
    mh_expect("C3 02 50 01 00 07 07 00");
    mh_respond("C3 81 00 00");
    mh_expect(DISABLE_123("C4"));
    mh_respond("C4 81 00 00");
    mh_expect(INTEGRITY("C5"));
    mh_respond("C5 81 00 00");
    mh_expect(ENABLE_123("C6"));
    mh_respond("C6 81 00 00");
    mh_expect_none();
}

static void seq_wraps_mod_16(void **state)
{
    (void)state;
    mh_setup(NULL);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, NULL, NULL, mh.now), DNP3_OK);
        char req[32], rsp[32];
        snprintf(req, sizeof req, "C%X 01 3C 01 06", i % 16);
        snprintf(rsp, sizeof rsp, "C%X 81 00 00", i % 16);
        mh_expect(req);
        mh_respond(rsp);
        assert_int_equal(mh_last_task()->result, DNP3_TASK_SUCCESS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_startup),
        cmocka_unit_test(steps_configurable),
        cmocka_unit_test(no_startup_steps),
        cmocka_unit_test(restart_cleared_first),
        cmocka_unit_test(restart_not_cleared_backs_off),
        cmocka_unit_test(startup_integrity_rejected_moves_on),
        cmocka_unit_test(timeout_and_backoff),
        cmocka_unit_test(disconnect_and_reconnect),
        cmocka_unit_test(outstation_restart_reruns_startup),
        cmocka_unit_test(seq_wraps_mod_16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
