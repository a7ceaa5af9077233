/*
 * test_loopback_master_faults.c - master and outstation in memory with a
 * faulty wire (lb_master.h): a dropped request or response (timeout, back-off,
 * recovery), duplicated unsolicited responses and requests (delivered and
 * executed once), a response delayed beyond the timeout (ignored when late),
 * a lost unsolicited confirm (the outstation repeats, the master confirms
 * again without delivering twice), a corrupted frame (the connection closes
 * and comes back), and a disconnect in the middle of a task.
 */
#include "lb_master.h"

static int g_count[2][256];
static int g_target_fc;
static int g_target_dir;
static int g_target_nth;
static lb_action g_action;

static lb_action fault_nth(int dir, int fc, const uint8_t *chunk, size_t len)
{
    (void)chunk;
    (void)len;
    if (fc < 0) return LB_PASS;
    int n = ++g_count[dir][fc];
    if (dir == g_target_dir && fc == g_target_fc && n == g_target_nth) return g_action;
    return LB_PASS;
}

static void arm(int dir, int fc, int nth, lb_action act)
{
    memset(g_count, 0, sizeof g_count);
    g_target_dir = dir;
    g_target_fc = fc;
    g_target_nth = nth;
    g_action = act;
    lb.fault = fault_nth;
}

static void setup(bool unsol)
{
    dnp3_outstation_config oc;
    lb_default_outstation(&oc);
    oc.unsolicited = unsol;
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    lb_setup(&oc, &ac, false);
    for (int i = 0; i < 4; i++)
        assert_true(dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, (uint16_t)i, 100 + i, DNP3_FLAG_ONLINE, 0,
                                           DNP3_EVENT_SUPPRESS) >= 0);
}

static void dropped_request_recovers(void **state)
{
    (void)state;
    setup(false);
    arm(0, DNP3_FC_READ, 1, LB_DROP); /* the start-up integrity poll never arrives */
    lb_connect();
    lb_advance(4999);
    assert_false(lb.view[DNP3_POINT_ANALOG_INPUT][0].seen);
    lb_advance(1);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_TIMEOUT), 1);
    lb_advance(4999); /* back-off */
    assert_false(lb.view[DNP3_POINT_ANALOG_INPUT][0].seen);
    lb_advance(1);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 1);
    assert_true(lb.view[DNP3_POINT_ANALOG_INPUT][3].seen);
    assert_true(lb.view[DNP3_POINT_ANALOG_INPUT][3].value == 103);
    assert_true(dnp3_master_assoc_started(lb.a));
}

static void dropped_response_recovers(void **state)
{
    (void)state;
    setup(false);
    lb_connect();
    lb_advance(100);
    arm(1, DNP3_FC_RESPONSE, 1, LB_DROP);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(5000);
    assert_int_equal(lb.last_user.result, DNP3_TASK_TIMEOUT);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
}

static void duplicated_unsolicited_delivered_once(void **state)
{
    (void)state;
    setup(true);
    lb_connect();
    lb_advance(1000);
    assert_true(dnp3_master_assoc_started(lb.a));
    arm(1, DNP3_FC_UNSOLICITED_RESPONSE, 1, LB_DUP);
    assert_int_equal(
        dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, 1, 77, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    lb_advance(100);
    assert_int_equal(lb.n_events, 1);
    assert_true(lb.events[0].value == 77);
    assert_int_equal(dnp3_master_assoc_get_stats(lb.a)->unsolicited_duplicates, 1);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 0);
}

static void lost_unsolicited_confirm(void **state)
{
    (void)state;
    setup(true);
    lb_connect();
    lb_advance(1000);
    /* confirms so far: the null unsolicited response; the next one answers the event report */
    int confirms = (int)dnp3_master_assoc_get_stats(lb.a)->confirms_sent;
    arm(0, DNP3_FC_CONFIRM, 1, LB_DROP);
    (void)confirms;
    assert_int_equal(
        dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, 2, 55, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    lb_advance(100);
    assert_int_equal(lb.n_events, 1);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 1); /* not confirmed yet */
    lb_advance(6000); /* the outstation's confirm timeout: it repeats the same fragment */
    assert_int_equal(dnp3_master_assoc_get_stats(lb.a)->unsolicited_duplicates, 1);
    assert_int_equal(lb.n_events, 1);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 0);
}

static void duplicated_request_executes_once(void **state)
{
    (void)state;
    setup(false);
    lb_connect();
    lb_advance(100);
    arm(0, DNP3_FC_DIRECT_OPERATE, 1, LB_DUP);
    dnp3_command c = dnp3_command_crob(0, DNP3_OP_LATCH_ON, 1, 0, 0);
    assert_int_equal(dnp3_master_operate(lb.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, lb_user_cb, NULL, lb.now),
                     DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 1);
    /* a second, identical response (if the outstation repeats it) finds nothing waiting for it */
    assert_true(dnp3_master_assoc_get_stats(lb.a)->unexpected_responses <= 1);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
}

static void response_delayed_beyond_timeout(void **state)
{
    (void)state;
    setup(false);
    lb_connect();
    lb_advance(100);
    lb.delay_ms = 7000;
    arm(1, DNP3_FC_RESPONSE, 1, LB_DELAY);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(4999);
    assert_int_equal(lb.n_user_done, 0);
    lb_advance(1);
    /* the first timed out; the second was answered at once; the late answer (t = 7.1 s) is ignored */
    assert_int_equal(lb.n_user_done, 2);
    assert_int_equal(lb.user_results[0], DNP3_TASK_TIMEOUT);
    assert_int_equal(lb.user_results[1], DNP3_TASK_SUCCESS);
    lb_advance(5000);
    assert_int_equal(lb.n_user_done, 2);
    assert_int_equal(dnp3_master_assoc_get_stats(lb.a)->unexpected_responses, 1);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
}

static void corrupt_frame_closes_and_recovers(void **state)
{
    (void)state;
    setup(false);
    lb_connect();
    lb_advance(100);
    arm(1, DNP3_FC_RESPONSE, 1, LB_CORRUPT);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(10);
    assert_false(lb.connected); /* CRC error on TCP: the runtime closes the connection */
    assert_int_equal(lb.last_user.result, DNP3_TASK_DISCONNECTED);
    assert_int_equal(dnp3_channel_close_reason_get(lb.mch), DNP3_CHANNEL_CLOSE_FRAMING);
    lb_advance(1000);
    lb_connect(); /* and reconnects */
    lb_advance(100);
    assert_true(dnp3_master_assoc_started(lb.a));
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 2);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
}

static void disconnect_mid_task(void **state)
{
    (void)state;
    setup(true);
    lb_connect();
    lb_advance(1000);
    lb.fault = NULL;
    dnp3_command c = dnp3_command_crob(0, DNP3_OP_LATCH_ON, 1, 0, 0);
    arm(1, DNP3_FC_RESPONSE, 1, LB_DROP); /* the SELECT answer never arrives */
    assert_int_equal(dnp3_master_operate(lb.a, DNP3_CMD_SELECT_OPERATE, 0, &c, 1, lb_user_cb, NULL, lb.now),
                     DNP3_OK);
    lb_advance(10);
    lb_disconnect();
    assert_int_equal(lb.last_user.result, DNP3_TASK_DISCONNECTED);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_OPERATE], 0);
    lb_advance(30000);
    lb_connect();
    lb_advance(1000);
    assert_true(dnp3_master_assoc_started(lb.a));
    assert_int_equal(lb_count_auto(DNP3_TASK_ENABLE_UNSOLICITED, DNP3_TASK_SUCCESS), 2);
    /* events made while disconnected arrive after the reconnect */
    assert_int_equal(
        dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, 0, 9, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    lb_advance(100);
    assert_true(lb.n_events >= 1);
    assert_true(lb.events[lb.n_events - 1].value == 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dropped_request_recovers),
        cmocka_unit_test(dropped_response_recovers),
        cmocka_unit_test(duplicated_unsolicited_delivered_once),
        cmocka_unit_test(lost_unsolicited_confirm),
        cmocka_unit_test(duplicated_request_executes_once),
        cmocka_unit_test(response_delayed_beyond_timeout),
        cmocka_unit_test(corrupt_frame_closes_and_recovers),
        cmocka_unit_test(disconnect_mid_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
