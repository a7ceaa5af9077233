/*
 * test_master_defer.c - defer_confirm (dnp3_assoc_config): the application
 * confirm of a READ response or an unsolicited response is held until
 * dnp3_master_release_confirm(token) - e.g. after the measurements were
 * stored - and then sent with the fragment's SEQ and UNS bit; nothing new is
 * requested while a confirm is held; a release after the series moved on
 * (newer fragment, failed task, hold expired, disconnect) sends nothing.
 * Exact octets on the virtual clock.
 */
#include "test_master_harness.h"

static void setup_defer(void)
{
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = 0;
    ac.startup_integrity = 0;
    ac.startup_enable_unsol = 0;
    ac.defer_confirm = true;
    mh_setup(&ac);
}

/* The token of the last fragment_end mark. */
static uint32_t last_token(void)
{
    for (size_t i = mh.meas_count; i-- > 0;)
        if (mh.meas[i].mark == 'E') return mh.meas[i].info.confirm_token;
    fail();
    return 0;
}

static void default_confirms_at_once_token_zero(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_respond("FA 82 00 00 02 02 17 01 01 81 A7 75 D8 32 4C 01");
    mh_expect("DA 00");
    assert_int_equal(mh.meas[0].info.confirm_token, 0);
    assert_int_equal(last_token(), 0);
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->confirms_deferred, 0);
}

static void unsolicited_held_until_release(void **state)
{
    (void)state;
    setup_defer();
    mh_respond("FA 82 00 00 02 02 17 01 01 81 A7 75 D8 32 4C 01"); /* CON, UNS, SEQ 10 */
    mh_expect_none();
    uint32_t tok = last_token();
    assert_int_not_equal(tok, 0);
    assert_int_equal(mh.meas[0].info.confirm_token, tok); /* begin and end carry it */
    assert_int_equal(mh_meas_after(0, 'M'), 1);
    mh_advance(2000);
    mh_expect_none();
    /* the outstation repeats (its confirm timeout): not delivered, not confirmed while held */
    mh_respond("FA 82 00 00 02 02 17 01 01 81 A7 75 D8 32 4C 01");
    mh_expect_none();
    assert_int_equal(mh_meas_after(0, 'M'), 1);
    assert_int_equal(dnp3_master_release_confirm(mh.a, tok, mh.now), DNP3_OK);
    mh_expect("DA 00"); /* FIR FIN UNS, SEQ 10 */
    assert_int_equal(dnp3_master_release_confirm(mh.a, tok, mh.now), DNP3_ERR_STATE);
    mh_expect_none();
    /* a repetition after the release is confirmed again at once (our confirm was lost) */
    mh_respond("FA 82 00 00 02 02 17 01 01 81 A7 75 D8 32 4C 01");
    mh_expect("DA 00");
    assert_int_equal(dnp3_master_release_confirm(NULL, tok, mh.now), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_release_confirm(mh.a, 0, mh.now), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->confirms_deferred, 1);
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->confirms_dropped, 0);
}

static void unsolicited_without_con_has_no_token(void **state)
{
    (void)state;
    setup_defer();
    mh_respond("D3 82 00 00 02 01 17 01 04 81");
    mh_expect_none();
    assert_int_equal(last_token(), 0);
}

static void release_right_after_delivery(void **state)
{
    (void)state;
    setup_defer();
    /* released as soon as the fragment was handled */
    mh_respond("F4 82 00 00 02 01 17 01 04 81");
    assert_int_equal(dnp3_master_release_confirm(mh.a, last_token(), mh.now), DNP3_OK);
    mh_expect("D4 00");
}

static void solicited_held_and_no_new_request(void **state)
{
    (void)state;
    setup_defer();
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06");
    mh_respond("E0 81 00 00 02 01 17 01 04 81"); /* FIR FIN CON, SEQ 0 */
    mh_expect_none();
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS); /* the task ended with the data */
    uint32_t tok = last_token();
    assert_int_not_equal(tok, 0);
    /* a queued request waits for the held confirm */
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect_none();
    mh_advance(1000);
    mh_expect_none();
    assert_int_equal(dnp3_master_release_confirm(mh.a, tok, mh.now), DNP3_OK);
    mh_expect("C0 00"); /* UNS = 0, SEQ 0 */
    mh_expect("C1 01 3C 01 06");
}

static void solicited_multi_fragment(void **state)
{
    (void)state;
    setup_defer();
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_ALL, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00"); /* FIR CON SEQ 0 */
    mh_expect_none();
    uint32_t t1 = last_token();
    mh_advance(3000);
    assert_int_equal(dnp3_master_release_confirm(mh.a, t1, mh.now), DNP3_OK);
    mh_expect("C0 00");
    mh_respond("61 81 00 00 1E 02 01 01 00 01 00 01 02 00"); /* FIN CON SEQ 1 */
    mh_expect_none();
    uint32_t t2 = last_token();
    assert_int_not_equal(t2, t1);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(dnp3_master_release_confirm(mh.a, t1, mh.now), DNP3_ERR_STATE);
    mh_expect_none();
    assert_int_equal(dnp3_master_release_confirm(mh.a, t2, mh.now), DNP3_OK);
    mh_expect("C1 00");
}

static void release_after_task_failed_ignored(void **state)
{
    (void)state;
    setup_defer();
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00"); /* FIR CON, more to come */
    uint32_t tok = last_token();
    mh_advance(5000); /* response timeout: the series is over */
    assert_int_equal(mh_last_user()->result, DNP3_TASK_TIMEOUT);
    assert_int_equal(dnp3_master_release_confirm(mh.a, tok, mh.now), DNP3_ERR_STATE);
    mh_expect_none();
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->confirms_dropped, 1);
}

static void newer_unsolicited_replaces_held(void **state)
{
    (void)state;
    setup_defer();
    mh_respond("FA 82 00 00 02 01 17 01 04 81");
    uint32_t t1 = last_token();
    mh_respond("FB 82 00 00 02 01 17 01 04 01"); /* the outstation moved on: SEQ 11 */
    uint32_t t2 = last_token();
    assert_int_not_equal(t1, t2);
    assert_int_equal(dnp3_master_release_confirm(mh.a, t1, mh.now), DNP3_ERR_STATE);
    mh_expect_none();
    assert_int_equal(dnp3_master_release_confirm(mh.a, t2, mh.now), DNP3_OK);
    mh_expect("DB 00");
}

static void hold_expires_after_response_timeout(void **state)
{
    (void)state;
    setup_defer();
    mh_respond("F2 82 00 00 02 01 17 01 04 81");
    uint32_t tok = last_token();
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_advance(4999);
    mh_expect_none();
    mh_advance(1); /* not released within response_timeout_ms: dropped, the queue moves */
    mh_expect("C0 01 3C 01 06");
    assert_int_equal(dnp3_master_release_confirm(mh.a, tok, mh.now), DNP3_ERR_STATE);
    mh_expect_none();
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->confirms_dropped, 1);
}

static void repetition_after_drop_delivered_again(void **state)
{
    (void)state;
    setup_defer();
    const char *u = "F2 82 00 00 02 01 17 01 04 81";
    mh_respond(u);
    uint32_t t1 = last_token();
    mh_advance(5000); /* not released (the store was down): dropped */
    mh_respond(u);    /* the outstation repeats: delivered again, held again, not confirmed unseen */
    mh_expect_none();
    uint32_t t2 = last_token();
    assert_int_not_equal(t2, 0);
    assert_int_not_equal(t1, t2);
    assert_int_equal(mh_meas_after(0, 'M'), 2);
    assert_int_equal(dnp3_master_release_confirm(mh.a, t2, mh.now), DNP3_OK);
    mh_expect("D2 00");
}

static void disconnect_voids_held(void **state)
{
    (void)state;
    setup_defer();
    mh_respond("F2 82 00 00 02 01 17 01 04 81");
    uint32_t tok = last_token();
    assert_int_equal(dnp3_master_on_disconnect(mh.m, mh.now), DNP3_OK);
    assert_int_equal(dnp3_master_on_connect(mh.m, mh.now), DNP3_OK);
    assert_int_equal(dnp3_master_release_confirm(mh.a, tok, mh.now), DNP3_ERR_STATE);
    mh_expect_none();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_confirms_at_once_token_zero),
        cmocka_unit_test(unsolicited_held_until_release),
        cmocka_unit_test(unsolicited_without_con_has_no_token),
        cmocka_unit_test(release_right_after_delivery),
        cmocka_unit_test(solicited_held_and_no_new_request),
        cmocka_unit_test(solicited_multi_fragment),
        cmocka_unit_test(release_after_task_failed_ignored),
        cmocka_unit_test(newer_unsolicited_replaces_held),
        cmocka_unit_test(hold_expires_after_response_timeout),
        cmocka_unit_test(repetition_after_drop_delivered_again),
        cmocka_unit_test(disconnect_voids_held),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
