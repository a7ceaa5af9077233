/*
 * test_loopback_confirmed.c - our master and our outstation (lb_master.h) with link-layer
 * confirmed user data on both sides (IEEE 1815-2012 clause 9.2.6; docs/link-transport.md):
 * start-up, an integrity poll whose response spans several frames (each one acknowledged
 * before the next is sent), events, unsolicited responses, and a lost request frame that the
 * link layer resends before the application layer would have timed out.
 */
#include "lb_master.h"

static void confirmed_channel(dnp3_channel_config *cc)
{
    cc->link_confirmed = true;
}

static int g_drops;

static lb_action drop_first_read(int dir, int fc, const uint8_t *chunk, size_t len)
{
    (void)chunk;
    (void)len;
    if (dir == 0 && fc == DNP3_FC_READ && g_drops == 0) {
        g_drops++;
        return LB_DROP;
    }
    return LB_PASS;
}

static void setup(bool unsol, uint16_t analogs)
{
    dnp3_outstation_config oc;
    lb_default_outstation(&oc);
    oc.link_confirmed = true;
    oc.unsolicited = unsol;
    oc.unsol_classes = unsol ? DNP3_OS_CLASS1 : 0;
    oc.types[DNP3_OS_ANALOG_INPUT].count = analogs;
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    lb_channel_hook = confirmed_channel;
    lb_setup(&oc, &ac, false);
    for (uint16_t i = 0; i < analogs; i++)
        assert_true(dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, i, 1000 + i, DNP3_FLAG_ONLINE, 0,
                                           DNP3_EVENT_SUPPRESS) >= 0);
}

static const dnp3_channel_stats *os_stats(void)
{
    return dnp3_channel_get_stats(dnp3_outstation_channel(lb.os));
}

static void integrity_poll_over_confirmed_frames(void **state)
{
    (void)state;
    setup(false, 300); /* ~1.5 kB of g30 values: seven frames */
    lb_connect();
    lb_advance(1000);
    assert_true(dnp3_master_assoc_started(lb.a));
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 1);
    for (int i = 0; i < 300; i++) {
        assert_true(lb.view[DNP3_POINT_ANALOG_INPUT][i].seen);
        assert_true(lb.view[DNP3_POINT_ANALOG_INPUT][i].value == 1000 + i);
    }
    const dnp3_channel_stats *m = dnp3_channel_get_stats(lb.mch), *o = os_stats();
    assert_int_equal(m->link_resets_sent, 1);
    assert_int_equal(o->link_resets_sent, 1);
    assert_int_equal(m->link_confirm_failures + o->link_confirm_failures, 0);
    assert_int_equal(m->link_retransmissions + o->link_retransmissions, 0);
    assert_true(o->fragments_tx >= 2);

    /* events by a poll */
    assert_int_equal(
        dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, 7, 77, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_1, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(500);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    assert_true(lb.view[DNP3_POINT_ANALOG_INPUT][7].value == 77);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 0);
    assert_int_equal(m->link_confirm_failures + o->link_confirm_failures, 0);
}

static void unsolicited_over_confirmed_frames(void **state)
{
    (void)state;
    setup(true, 4);
    lb_connect();
    lb_advance(2000);
    assert_true(dnp3_master_assoc_started(lb.a));
    size_t before = lb.n_events;
    assert_int_equal(
        dnp3_outstation_update(lb.os, DNP3_OS_ANALOG_INPUT, 2, 55, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    lb_advance(1000);
    assert_int_equal(lb.n_events, before + 1);
    assert_true(lb.events[before].unsolicited);
    assert_true(lb.events[before].value == 55);
    assert_int_equal(dnp3_outstation_event_count(lb.os, DNP3_OS_ANALOG_INPUT), 0); /* confirmed */
    assert_int_equal(dnp3_channel_get_stats(lb.mch)->link_confirm_failures, 0);
    assert_int_equal(os_stats()->link_confirm_failures, 0);
}

static void lost_request_frame_resent_by_link(void **state)
{
    (void)state;
    setup(false, 4);
    g_drops = 0;
    lb.fault = drop_first_read;
    lb_connect();
    lb_advance(1999);
    assert_int_equal(g_drops, 1);
    assert_false(lb.view[DNP3_POINT_ANALOG_INPUT][0].seen);
    lb_advance(1000); /* the link ACK timeout (2 s) comes before the response timeout (5 s) */
    assert_true(lb.view[DNP3_POINT_ANALOG_INPUT][3].seen);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_TIMEOUT), 0);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(dnp3_channel_get_stats(lb.mch)->link_retransmissions, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integrity_poll_over_confirmed_frames),
        cmocka_unit_test(unsolicited_over_confirmed_frames),
        cmocka_unit_test(lost_request_frame_resent_by_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
