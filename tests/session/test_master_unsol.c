/*
 * test_master_unsol.c - unsolicited responses at the master (docs/protocol-notes.md §3.5,
 * 5.4, golden D8/B11/B12): confirm with UNS = 1 and the response's SEQ,
 * duplicate detection (same SEQ and content: confirm again, deliver once),
 * delivery marks, unsolicited data while a request is outstanding, and
 * malformed unsolicited fragments (no confirm, no delivery; UNS missing fails
 * the running task).
 */
#include "test_master_harness.h"

static void null_unsolicited_confirmed(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_respond("F0 82 80 00"); /* B11 */
    mh_expect("D0 00");        /* B12 */
    assert_hex(mh.chunks[0], mh.chunk_len[0], "05 64 08 C4 00 04 01 00 9A 19 C0 D0 00 1B 49");
    mh_expect("C0 02 50 01 00 07 07 00");
}

static void unsolicited_event_confirm_and_duplicate(void **state)
{
    (void)state;
    mh_setup(NULL);
    /* D8: g2v2 index 1 flags 81 at 0x014C32D875A7 */
    const char *d8 = "FA 82 00 00 02 02 17 01 01 81 A7 75 D8 32 4C 01";
    mh_respond(d8);
    mh_expect("DA 00");
    assert_int_equal(mh.meas_count, 3);
    assert_int_equal(mh.meas[0].mark, 'B');
    assert_true(mh.meas[0].info.unsolicited);
    assert_int_equal(mh.meas[0].info.seq, 10);
    assert_int_equal(mh.meas[1].m.index, 1);
    assert_int_equal(mh.meas[1].m.time, 0x014C32D875A7ULL);
    assert_int_equal(mh.meas[1].m.time_kind, DNP3_TIME_ABSOLUTE);
    /* the outstation did not get our confirm and repeats: confirm again, do not deliver */
    mh_respond(d8);
    mh_expect("DA 00");
    assert_int_equal(mh.meas_count, 3);
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->unsolicited_duplicates, 1);
    /* same SEQ but new content is new data */
    mh_respond("FA 82 00 00 02 02 17 01 01 01 A8 75 D8 32 4C 01");
    mh_expect("DA 00");
    assert_int_equal(mh.meas_count, 6);
    /* next SEQ */
    mh_respond("FB 82 00 00 02 01 17 01 04 81");
    mh_expect("DB 00");
    assert_int_equal(mh.meas_count, 9);
    assert_int_equal(mh.meas[7].m.index, 4);
    mh_expect_none();
}

static void unsolicited_without_con_not_confirmed(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_respond("D3 82 00 00 02 01 17 01 04 81");
    mh_expect_none();
    assert_int_equal(mh_meas_after(0, 'M'), 1);
}

static void unsolicited_during_task(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("F5 82 00 00 02 01 17 01 04 81");
    mh_expect("D5 00");
    assert_int_equal(mh.user_count, 0);
    mh_respond("C0 81 00 00 01 02 00 00 00 81");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_true(mh.meas[0].info.unsolicited);
    assert_false(mh.meas[3].info.unsolicited);
    assert_int_equal(mh.meas[3].info.task, DNP3_TASK_READ);
}

static void unsolicited_without_uns_fails_task(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("E0 82 00 00 02 01 17 01 04 81"); /* 0x82 with UNS = 0 */
    mh_expect("C1 01 3C 02 06");                 /* no confirm; the next task runs */
    assert_int_equal(mh_last_user()->result, DNP3_TASK_BAD_HEADER);
    assert_int_equal(mh_meas_after(0, 'M'), 0);
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    /* without a task waiting it is only dropped */
    mh_respond("E0 82 00 00 02 01 17 01 04 81");
    mh_expect_none();
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->unsolicited_malformed, 2);
}

static void malformed_unsolicited_dropped(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_respond("F1 82 00 00 02 01 17 05 04 81"); /* count 5, one object */
    mh_respond("F2 82 00 00 C8 01 17 01 04 81"); /* unknown group 200 */
    mh_respond("F3 82 00 00 6E 00 17 01 04");    /* zero-length octet string */
    mh_respond("B4 82 00 00");                   /* FIN missing */
    mh_respond("F5 82 00");                      /* truncated header */
    mh_expect_none();
    assert_int_equal(mh_meas_after(0, 'M'), 0);
    assert_int_equal(mh_meas_after(0, 'B'), 0);
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->unsolicited_malformed, 4);
}

static void unsolicited_classes_trigger_no_poll_before_startup(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    mh_setup(&ac);
    mh_expect("C0 15 3C 02 06 3C 03 06 3C 04 06");
    mh_respond("F0 82 02 00 02 01 17 01 04 81"); /* class 1 events announced during start-up */
    mh_expect("D0 00");
    mh_respond("C0 81 02 00");
    mh_expect("C1 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06"); /* not an event poll */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(null_unsolicited_confirmed),
        cmocka_unit_test(unsolicited_event_confirm_and_duplicate),
        cmocka_unit_test(unsolicited_without_con_not_confirmed),
        cmocka_unit_test(unsolicited_during_task),
        cmocka_unit_test(unsolicited_without_uns_fails_task),
        cmocka_unit_test(malformed_unsolicited_dropped),
        cmocka_unit_test(unsolicited_classes_trigger_no_poll_before_startup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
