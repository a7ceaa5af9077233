/*
 * test_loopback_master.c - our master against our outstation, in memory on a
 * virtual clock (lb_master.h): the start-up sequence against a real
 * outstation, an integrity poll of a populated database gives exactly its
 * values, events reach the master by unsolicited responses and by polls (and
 * are confirmed away), SELECT/OPERATE reaches the control callback once,
 * time synchronisation and restart, and a multi-fragment integrity poll.
 */
#include "lb_master.h"

static const dnp3_point_type POINT_OF[DNP3_OS_TYPE_COUNT] = {
    [DNP3_OS_BINARY_INPUT] = DNP3_POINT_BINARY_INPUT,
    [DNP3_OS_DOUBLE_BIT_INPUT] = DNP3_POINT_DOUBLE_BIT_INPUT,
    [DNP3_OS_BINARY_OUTPUT_STATUS] = DNP3_POINT_BINARY_OUTPUT_STATUS,
    [DNP3_OS_COUNTER] = DNP3_POINT_COUNTER,
    [DNP3_OS_FROZEN_COUNTER] = DNP3_POINT_FROZEN_COUNTER,
    [DNP3_OS_ANALOG_INPUT] = DNP3_POINT_ANALOG_INPUT,
    [DNP3_OS_ANALOG_OUTPUT_STATUS] = DNP3_POINT_ANALOG_OUTPUT_STATUS,
    [DNP3_OS_OCTET_STRING] = DNP3_POINT_OCTET_STRING,
    [DNP3_OS_FROZEN_ANALOG_INPUT] = DNP3_POINT_FROZEN_ANALOG_INPUT,
};

static double sample_value(int t, int i)
{
    switch (t) {
    case DNP3_OS_BINARY_INPUT:
    case DNP3_OS_BINARY_OUTPUT_STATUS: return i % 2;
    case DNP3_OS_DOUBLE_BIT_INPUT: return i % 4;
    case DNP3_OS_COUNTER: return 100 + i;
    case DNP3_OS_FROZEN_COUNTER: return 200 + i;
    case DNP3_OS_ANALOG_INPUT: return 10 * i - 5;
    default: return 7 * i;
    }
}

static void populate(void)
{
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        for (int i = 0; i < 4; i++) {
            if (t == DNP3_OS_OCTET_STRING) {
                char s[8];
                int n = snprintf(s, sizeof s, "pt%d", i);
                assert_true(dnp3_outstation_update_octets(lb.os, (uint16_t)i, (const uint8_t *)s, (size_t)n, 0,
                                                          DNP3_EVENT_SUPPRESS) >= 0);
                continue;
            }
            assert_true(dnp3_outstation_update(lb.os, (dnp3_os_type)t, (uint16_t)i, sample_value(t, i),
                                               DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS) >= 0);
        }
    }
}

static void base_config(dnp3_outstation_config *oc)
{
    lb_default_outstation(oc);
    oc->types[DNP3_OS_BINARY_INPUT].static_variation = 2; /* with flags */
}

static void integrity_of_populated_database(void **state)
{
    (void)state;
    dnp3_outstation_config oc;
    base_config(&oc);
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    lb_setup(&oc, &ac, false);
    populate();
    lb_connect();
    lb_advance(100);
    assert_true(dnp3_master_assoc_started(lb.a));
    /* the outstation has no unsolicited support: enable/disable are refused, polling goes on */
    assert_int_equal(lb_count_auto(DNP3_TASK_DISABLE_UNSOLICITED, DNP3_TASK_REJECTED), 1);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(lb_count_auto(DNP3_TASK_ENABLE_UNSOLICITED, DNP3_TASK_REJECTED), 1);
    assert_int_equal(lb_count_auto(DNP3_TASK_CLEAR_RESTART, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(dnp3_outstation_iin(lb.os) & DNP3_IIN1_DEVICE_RESTART, 0);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        for (int i = 0; i < 4; i++) {
            const lb_point *p = &lb.view[POINT_OF[t]][i];
            assert_true(p->seen);
            assert_int_equal(p->updates, 1);
            if (t == DNP3_OS_OCTET_STRING) {
                char s[8];
                int n = snprintf(s, sizeof s, "pt%d", i);
                assert_int_equal(p->octets_len, (size_t)n);
                assert_memory_equal(p->octets, s, (size_t)n);
                continue;
            }
            double v;
            uint8_t flags;
            assert_int_equal(dnp3_outstation_get(lb.os, (dnp3_os_type)t, (uint16_t)i, &v, &flags, NULL), DNP3_OK);
            assert_true(p->value == v);
            assert_true(p->value == sample_value(t, i));
            /* the state of binary points travels in the flags octet (bit 7, or bits 7..6) */
            uint8_t state_mask = t == DNP3_OS_DOUBLE_BIT_INPUT                                      ? 0xC0
                                 : (t == DNP3_OS_BINARY_INPUT || t == DNP3_OS_BINARY_OUTPUT_STATUS) ? 0x80
                                                                                                    : 0x00;
            assert_int_equal(p->flags & (uint8_t)~state_mask, flags & (uint8_t)~state_mask);
        }
    }
    assert_int_equal(lb.n_events, 0);
    /* and nothing more happens */
    size_t before = lb.n_auto;
    lb_advance(600000);
    assert_int_equal(lb.n_auto, before);
}

static void events_by_unsolicited(void **state)
{
    (void)state;
    dnp3_outstation_config oc;
    base_config(&oc);
    oc.unsolicited = true;
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    lb_setup(&oc, &ac, false);
    populate();
    lb_connect();
    lb_advance(1000);
    assert_int_equal(lb_count_auto(DNP3_TASK_ENABLE_UNSOLICITED, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(dnp3_outstation_unsol_classes(lb.os), DNP3_OS_CLASS1 | DNP3_OS_CLASS2 | DNP3_OS_CLASS3);
    size_t frags = lb.n_unsol_fragments;
    assert_int_equal(dnp3_outstation_update(lb.os, DNP3_OS_BINARY_INPUT, 2, 1, DNP3_FLAG_ONLINE, LB_UTC_BASE + 5,
                                            DNP3_EVENT_DETECT),
                     1);
    assert_int_equal(dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, 3, 1234, DNP3_FLAG_ONLINE,
                                            LB_UTC_BASE + 6, DNP3_EVENT_DETECT),
                     1);
    lb_advance(100);
    assert_true(lb.n_unsol_fragments > frags);
    assert_int_equal(lb.n_events, 2);
    assert_true(lb.events[0].unsolicited && lb.events[1].unsolicited);
    assert_int_equal(lb.events[0].type, DNP3_POINT_BINARY_INPUT);
    assert_int_equal(lb.events[0].index, 2);
    assert_true(lb.events[0].value == 1);
    assert_int_equal(lb.events[1].type, DNP3_POINT_ANALOG_INPUT);
    assert_true(lb.events[1].value == 1234);
    /* confirmed: the outstation has forgotten them */
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_BINARY_INPUT), 0);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 0);
    lb_advance(60000);
    assert_int_equal(lb.n_events, 2);
}

static void events_by_polls(void **state)
{
    (void)state;
    dnp3_outstation_config oc;
    base_config(&oc);
    oc.types[DNP3_OS_COUNTER].event_class = 2;
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    ac.class_period_ms[0] = 2000;
    ac.event_poll_on_iin = 0;
    lb_setup(&oc, &ac, true);
    lb_advance(100);
    assert_true(dnp3_master_assoc_started(lb.a));
    assert_int_equal(
        dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, 1, 42, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_outstation_update(lb.os, DNP3_OS_COUNTER, 0, 9, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT),
                     1);
    lb_advance(2000); /* class 1 periodic poll */
    assert_int_equal(lb.n_events, 1);
    assert_false(lb.events[0].unsolicited);
    assert_int_equal(lb.events[0].type, DNP3_POINT_ANALOG_INPUT);
    assert_true(lb.events[0].value == 42);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 0);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_COUNTER), 1); /* class 2 not polled */

    /* CLASS_2_EVENTS in a response triggers an event poll when configured */
    dnp3_assoc_config ac2;
    lb_default_assoc(&ac2);
    ac2.startup_disable_unsol = ac2.startup_enable_unsol = ac2.startup_integrity = 0;
    ac2.address = LB_OUT_ADDR;
    assert_int_equal(dnp3_master_remove_assoc(lb.a, lb.now), DNP3_OK);
    lb.a = dnp3_master_add_assoc(lb.m, &ac2, lb.now);
    assert_non_null(lb.a);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_0, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    assert_int_equal(lb.n_events, 2);
    assert_int_equal(lb.events[1].type, DNP3_POINT_COUNTER);
    assert_true(lb.events[1].value == 9);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_COUNTER), 0);
}

static void sbo_reaches_control_once(void **state)
{
    (void)state;
    dnp3_outstation_config oc;
    base_config(&oc);
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    lb_setup(&oc, &ac, true);
    lb_advance(100);
    dnp3_command c = dnp3_command_crob(1, DNP3_CROB_TCC_TRIP | DNP3_OP_PULSE_ON, 1, 250, 0);
    assert_int_equal(dnp3_master_operate(lb.a, DNP3_CMD_SELECT_OPERATE, 0, &c, 1, lb_user_cb, NULL, lb.now),
                     DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.n_user_done, 1);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    assert_int_equal(lb.last_user.n_statuses, 1);
    assert_int_equal(lb.last_statuses[0], DNP3_CS_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_SELECT], 1);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_OPERATE], 1);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 0);
    assert_int_equal(lb.crob_index, 1);
    assert_int_equal(lb.crob_last.code, DNP3_CROB_TCC_TRIP | DNP3_OP_PULSE_ON);
    assert_int_equal(lb.crob_last.on_ms, 250);

    dnp3_command an = dnp3_command_analog(2, 3, 12.5);
    assert_int_equal(dnp3_master_operate(lb.a, DNP3_CMD_DIRECT_OPERATE, 0, &an, 1, lb_user_cb, NULL, lb.now),
                     DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    assert_int_equal(lb.analog_calls[DNP3_CTRL_DIRECT_OPERATE], 1);
    assert_true(lb.analog_value == 12.5);
    assert_int_equal(dnp3_master_operate(lb.a, DNP3_CMD_DIRECT_OPERATE_NR, 0, &an, 1, lb_user_cb, NULL, lb.now),
                     DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.analog_calls[DNP3_CTRL_DIRECT_OPERATE_NR], 1);
    /* a point the outstation's application refuses: a status, not a failure of the protocol */
    dnp3_command bad = dnp3_command_crob(99, DNP3_OP_LATCH_ON, 1, 0, 0);
    assert_int_equal(dnp3_master_operate(lb.a, DNP3_CMD_SELECT_OPERATE, 0, &bad, 1, lb_user_cb, NULL, lb.now),
                     DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_COMMAND_STATUS);
    assert_int_equal(lb.last_statuses[0], DNP3_CS_NOT_SUPPORTED);
    assert_int_equal(lb.last_user.function, DNP3_FC_SELECT);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_OPERATE], 1); /* no OPERATE after a failed SELECT */
}

static void time_sync_and_restart(void **state)
{
    (void)state;
    dnp3_outstation_config oc;
    base_config(&oc);
    oc.need_time_at_start = true;
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    lb_setup(&oc, &ac, true);
    lb_advance(500);
    assert_int_equal(lb_count_auto(DNP3_TASK_TIME_SYNC, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(lb.time_writes, 1);
    assert_true(lb.time_written >= LB_UTC_BASE && lb.time_written <= LB_UTC_BASE + 500);
    assert_int_equal(dnp3_outstation_iin(lb.os) & DNP3_IIN1_NEED_TIME, 0);

    assert_int_equal(dnp3_master_time_sync(lb.a, DNP3_TIMESYNC_LAN, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    assert_int_equal(lb.time_writes, 2);

    assert_int_equal(dnp3_master_restart(lb.a, false, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.restarts, 1);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    assert_int_equal(lb.last_user.restart_delay_ms, 30000);
    assert_int_equal(dnp3_master_restart(lb.a, true, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(100);
    assert_int_equal(lb.last_user.restart_delay_ms, 1500);
}

static void multi_fragment_integrity(void **state)
{
    (void)state;
    dnp3_outstation_config oc;
    base_config(&oc);
    oc.types[DNP3_OS_ANALOG_INPUT].count = 600;
    oc.types[DNP3_OS_ANALOG_INPUT].event_buffer = 700;
    oc.max_tx_fragment = 249;
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    lb_setup(&oc, &ac, false);
    for (int i = 0; i < 600; i++)
        assert_true(dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, (uint16_t)i, i * 3, DNP3_FLAG_ONLINE, 0,
                                           DNP3_EVENT_DETECT) >= 0);
    lb_connect();
    lb_advance(1000);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 1);
    for (int i = 0; i < 600; i++) {
        const lb_point *p = &lb.view[DNP3_POINT_ANALOG_INPUT][i];
        assert_true(p->seen);
        assert_true(p->value == i * 3);
    }
    /* the events of those updates came with the integrity poll and were confirmed away */
    assert_true(lb.n_events >= 500);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 0);
    assert_true(dnp3_master_assoc_get_stats(lb.a)->confirms_sent >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integrity_of_populated_database),
        cmocka_unit_test(events_by_unsolicited),
        cmocka_unit_test(events_by_polls),
        cmocka_unit_test(sbo_reaches_control_once),
        cmocka_unit_test(time_sync_and_restart),
        cmocka_unit_test(multi_fragment_integrity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
