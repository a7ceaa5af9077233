/*
 * test_master_polls.c - polls and the data they deliver: integrity poll
 * values in order with begin/end marks, periodic integrity and class polls,
 * event poll with application confirm, CLASS_n_EVENTS -> event poll,
 * EVENT_BUFFER_OVERFLOW -> one integrity poll, multi-fragment responses with
 * confirms, CTO (g51) resolution of relative-time events, and every object
 * variation of the core's table reaching the measurement callback.
 */
#include <math.h>
#include <stdlib.h>

#include "dnp3/writer.h"
#include "test_master_harness.h"

static void integrity_values_in_order(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_ALL, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    /* the D4 objects of docs/protocol-notes.md §10.2: 4 x g2v1, 2 x g32v2, g1v1 0..3, g30v2 0..1 */
    mh_respond("C0 81 96 00 02 01 28 01 00 00 00 01 02 01 28 01 00 01 00 01 02 01 28 01 00 02 00 01 02 01 28"
               " 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 02 28 01 00 01 00 01 00 00 01 01 01 00 00 03 00"
               " 00 1E 02 01 00 00 01 00 01 00 00 01 00 00");
    assert_int_equal(mh.meas_count, 2 + 4 + 2 + 4 + 2);
    assert_int_equal(mh.meas[0].mark, 'B');
    assert_int_equal(mh.meas[0].info.iin, 0x0096);
    assert_false(mh.meas[0].info.unsolicited);
    assert_true(mh.meas[0].info.fir && mh.meas[0].info.fin);
    for (int i = 0; i < 4; i++) {
        const dnp3_measurement *m = &mh.meas[1 + i].m;
        assert_int_equal(m->type, DNP3_POINT_BINARY_INPUT);
        assert_true(m->event);
        assert_int_equal(m->index, (uint32_t)i);
        assert_int_equal(m->flags, 0x01);
        assert_true(m->value == 0);
    }
    assert_int_equal(mh.meas[5].m.type, DNP3_POINT_ANALOG_INPUT);
    assert_int_equal(mh.meas[5].m.group, 32);
    assert_int_equal(mh.meas[6].m.index, 1);
    assert_int_equal(mh.meas[7].m.group, 1);
    assert_int_equal(mh.meas[7].m.variation, 1);
    assert_false(mh.meas[7].m.has_flags);
    assert_int_equal(mh.meas[10].m.index, 3);
    assert_int_equal(mh.meas[11].m.group, 30);
    assert_int_equal(mh.meas[12].m.index, 1);
    assert_int_equal(mh.meas[13].mark, 'E');
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh_last_user()->iin, 0x0096);
    /* NEED_TIME and RESTART in that response: the master reacts next */
    mh_expect("C1 02 50 01 00 07 07 00");
}

static void periodic_polls(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = 0;
    ac.startup_integrity = DNP3_CLASS_ALL;
    ac.integrity_period_ms = 60000;
    ac.class_period_ms[0] = 10000;
    ac.class_period_ms[2] = 30000;
    mh_setup(&ac);
    mh_expect("C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    mh_advance(1000);
    mh_respond("C0 81 00 00");
    /* periods restart when the start-up integrity poll completes (t = 1 s) */
    mh_advance(9999);
    mh_expect_none();
    mh_advance(1);
    mh_expect("C1 01 3C 02 06");
    mh_respond("C1 81 00 00");
    mh_advance(10000); /* t = 21 s */
    mh_expect("C2 01 3C 02 06");
    mh_respond("C2 81 00 00");
    mh_advance(10000); /* t = 31 s: class 1 and class 3 both due -> one poll */
    mh_expect("C3 01 3C 02 06 3C 04 06");
    mh_respond("C3 81 00 00");
    mh_advance(10000); /* t = 41 s */
    mh_expect("C4 01 3C 02 06");
    mh_respond("C4 81 00 00");
    mh_advance(10000); /* t = 51 s */
    mh_expect("C5 01 3C 02 06");
    mh_respond("C5 81 00 00");
    mh_advance(10000); /* t = 61 s: integrity, which also covers the class 1 and 3 polls due now */
    mh_expect("C6 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    mh_respond("C6 81 00 00");
    mh_expect_none();
    mh_advance(10000); /* t = 71 s */
    mh_expect("C7 01 3C 02 06");
}

static void event_poll_with_confirm(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = ac.startup_integrity = 0;
    ac.class_period_ms[0] = ac.class_period_ms[1] = ac.class_period_ms[2] = 5000;
    mh_setup(&ac);
    mh_advance(5000);
    mh_expect("C0 01 3C 02 06 3C 03 06 3C 04 06");
    mh_respond("E0 81 80 00 02 01 28 01 00 00 00 81"); /* docs/protocol-notes.md §10.3: CON set */
    mh_expect("C0 00");
    assert_int_equal(mh.meas[1].mark, 'M');
    assert_int_equal(mh.meas[1].m.type, DNP3_POINT_BINARY_INPUT);
    assert_true(mh.meas[1].m.value == 1);
    assert_int_equal(mh.meas[1].m.flags, 0x81);
    assert_int_equal(mh_last_task()->kind, DNP3_TASK_EVENT_POLL);
    assert_int_equal(mh_last_task()->result, DNP3_TASK_SUCCESS);
    mh_expect("C1 02 50 01 00 07 07 00"); /* IIN1.7 in that response */
}

/* Issue 11: the objects the outstation now sends reach the measurement callback typed - frozen
 * analog inputs g31 / events g33 (frozen_analog_input), binary / analog output command events g13 /
 * g43 with the commanded state or value and the command status (the response is the outstation's
 * own, tests/session/test_outstation_controls.c test_command_events). */
static void frozen_analog_and_command_events(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = ac.startup_integrity = 0;
    ac.class_period_ms[1] = 5000;
    mh_setup(&ac);
    mh_advance(5000);
    mh_expect("C0 01 3C 03 06");
    mh_respond("E0 81 00 00 0D 01 17 02 03 80 04 07 2B 01 17 01 01 00 D2 04 00 00 "
               "21 03 17 01 02 01 2C 01 00 00 05 04 03 02 01 00 " /* g33v3 index 2: 300 at a freeze time */
               "1F 01 00 00 00 01 F6 FF FF FF");                  /* g31v1 index 0: -10 */
    mh_expect("C0 00");
    assert_int_equal(mh.meas_count, 7);
    const mh_meas_rec *r = &mh.meas[1];
    assert_int_equal(r->m.type, DNP3_POINT_BINARY_OUTPUT_COMMAND);
    assert_true(r->m.event && r->m.index == 3 && r->m.value == 1 && r->pt.has_status && r->pt.status == 0);
    r = &mh.meas[2];
    assert_true(r->m.index == 4 && r->m.value == 0 && r->pt.status == DNP3_CS_LOCAL);
    r = &mh.meas[3];
    assert_int_equal(r->m.type, DNP3_POINT_ANALOG_OUTPUT_COMMAND);
    assert_true(r->m.event && r->m.index == 1 && r->m.value == 1234 && r->pt.status == 0);
    r = &mh.meas[4];
    assert_int_equal(r->m.type, DNP3_POINT_FROZEN_ANALOG_INPUT);
    assert_true(r->m.event && r->m.index == 2 && r->m.value == 300 && r->m.flags == 0x01);
    assert_true(r->m.time_kind == DNP3_TIME_ABSOLUTE && r->m.time == 0x0102030405);
    r = &mh.meas[5];
    assert_int_equal(r->m.type, DNP3_POINT_FROZEN_ANALOG_INPUT);
    assert_true(!r->m.event && r->m.index == 0 && r->m.value == -10);
    assert_string_equal(dnp3_point_type_name(DNP3_POINT_FROZEN_ANALOG_INPUT), "frozen_analog_input");
    assert_string_equal(dnp3_point_type_name(DNP3_POINT_BINARY_OUTPUT_COMMAND), "binary_output_command");
    assert_string_equal(dnp3_point_type_name(DNP3_POINT_ANALOG_OUTPUT_COMMAND), "analog_output_command");
}

static void class_iin_triggers_event_poll(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = ac.startup_integrity = 0;
    ac.event_poll_on_iin = DNP3_CLASS_1 | DNP3_CLASS_3;
    mh_setup(&ac);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("C0 81 0E 00"); /* classes 1, 2, 3 have events; 2 is not configured */
    mh_expect("C1 01 3C 02 06 3C 04 06");
    mh_respond("E1 81 00 00 02 01 28 01 00 05 00 81");
    mh_expect("C1 00");
    mh_expect_none();
    /* an outstation that keeps announcing events it never sends is polled at the back-off rate */
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C2 01 3C 01 06");
    mh_respond("C2 81 02 00");
    mh_expect("C3 01 3C 02 06");
    mh_respond("C3 81 02 00");
    mh_expect_none();
    mh_advance(4999);
    mh_expect_none();
    mh_advance(1);
    mh_expect("C4 01 3C 02 06");
    mh_respond("C4 81 00 00");
    mh_expect_none();
}

static void overflow_triggers_one_integrity(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06");
    mh_respond("C0 81 00 08"); /* IIN2.3 */
    mh_expect("C1 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    mh_respond("C1 81 00 08"); /* still overflowed: same episode, no second poll */
    mh_expect_none();
    assert_int_equal(mh_last_task()->kind, DNP3_TASK_INTEGRITY_POLL);
    assert_true(mh_last_task()->automatic);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C2 01 3C 02 06");
    mh_respond("C2 81 00 00"); /* cleared */
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C3 01 3C 02 06");
    mh_respond("C3 81 00 08"); /* a new episode */
    mh_expect("C4 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
}

static void multi_fragment_with_confirms(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_ALL, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00"); /* FIR CON seq 0 */
    mh_expect("C0 00");
    assert_int_equal(mh.user_count, 0);
    mh_advance(4000);
    mh_respond("21 81 00 00 1E 02 01 01 00 01 00 01 02 00"); /* middle, CON, seq 1 */
    mh_expect("C1 00");
    mh_advance(4000); /* the response timeout restarts with every fragment */
    assert_int_equal(mh.user_count, 0);
    mh_respond("42 81 00 00 1E 02 01 02 00 02 00 01 03 00"); /* FIN, seq 2, no CON */
    mh_expect_none();
    assert_int_equal(mh.user_count, 1);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    const char marks[] = "BMEBMEBME";
    assert_int_equal(mh.meas_count, strlen(marks));
    for (size_t i = 0; i < mh.meas_count; i++) assert_int_equal(mh.meas[i].mark, marks[i]);
    assert_true(mh.meas[0].info.fir && !mh.meas[0].info.fin);
    assert_true(!mh.meas[3].info.fir && !mh.meas[3].info.fin);
    assert_true(!mh.meas[6].info.fir && mh.meas[6].info.fin);
    assert_true(mh.meas[1].m.value == 1 && mh.meas[4].m.value == 2 && mh.meas[7].m.value == 3);
    assert_int_equal(mh.meas[7].m.index, 2);
}

static void multi_fragment_timeout_mid_series(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00");
    mh_expect("C0 00");
    mh_advance(5000);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_TIMEOUT);
}

static void cto_resolution(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06");
    /* g2v3 before any CTO; g51v1 = 1000000; g2v3 +5, g4v3 +7; g51v2 = 2000000; g2v3 +1 */
    mh_respond("C0 81 00 00 02 03 17 01 00 81 09 00"
               " 33 01 07 01 40 42 0F 00 00 00"
               " 02 03 17 01 01 81 05 00"
               " 04 03 17 01 02 41 07 00"
               " 33 02 07 01 80 84 1E 00 00 00"
               " 02 03 17 01 03 01 01 00");
    const mh_meas_rec *r = mh.meas;
    assert_int_equal(r[1].m.time_kind, DNP3_TIME_RELATIVE);
    assert_int_equal(r[1].m.time, 9);
    assert_false(r[1].m.from_cto);
    assert_int_equal(r[2].m.group, 51);
    assert_int_equal(r[2].m.time, 1000000);
    assert_int_equal(r[3].m.time_kind, DNP3_TIME_ABSOLUTE);
    assert_int_equal(r[3].m.time, 1000005);
    assert_true(r[3].m.from_cto);
    assert_false(r[3].m.cto_unsynchronized);
    assert_int_equal(r[4].m.type, DNP3_POINT_DOUBLE_BIT_INPUT);
    assert_int_equal(r[4].m.time, 1000007);
    assert_true(r[4].m.value == DNP3_DBIT_DETERMINED_OFF);
    assert_int_equal(r[6].m.time, 2000001);
    assert_true(r[6].m.cto_unsynchronized);
    /* the CTO does not carry into the next fragment */
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C1 01 3C 02 06");
    size_t before = mh.meas_count;
    mh_respond("C1 81 00 00 02 03 17 01 00 81 09 00");
    assert_int_equal(mh.meas[before + 1].m.time_kind, DNP3_TIME_RELATIVE);
}

/* Builds a response with one object of every fixed-size/packed variation that a response can carry. */
static void every_variation(void **state)
{
    (void)state;
    mh_setup(NULL);
    size_t count = 0;
    const dnp3_obj_desc *table = dnp3_obj_table(&count);
    static uint8_t buf[4096];
    dnp3_apdu_writer w;
    assert_int_equal(dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0), DNP3_OK);
    size_t expected = 0;
    uint8_t groups[256], vars[256];
    double values[256];
    for (size_t i = 0; i < count; i++) {
        const dnp3_obj_desc *d = &table[i];
        if (d->variation == 0) continue;
        bool fixed = d->kind == DNP3_KIND_FIXED && d->layout != DNP3_LAYOUT_OPAQUE;
        bool packed = d->kind == DNP3_KIND_PACKED_BIT || d->kind == DNP3_KIND_PACKED_DBIT;
        if (!fixed && !packed) continue;
        dnp3_point p = {0};
        p.value = packed ? 1 : (d->vtype == DNP3_VT_NONE ? 0 : 7);
        p.flags = 0x01;
        p.time = 123456;
        dnp3_hdr_mark mk;
        if (d->group == 51 || d->group == 52 || d->group == 50) {
            assert_int_equal(dnp3_apdu_begin_count(&w, &mk, d->group, d->variation), DNP3_OK);
        } else {
            assert_int_equal(dnp3_apdu_begin_range(&w, &mk, d->group, d->variation, 5), DNP3_OK);
        }
        assert_int_equal(dnp3_apdu_add_point(&w, &mk, 5, &p), DNP3_OK);
        assert_int_equal(dnp3_apdu_end(&w, &mk), 1);
        groups[expected] = d->group;
        vars[expected] = d->variation;
        values[expected] = p.value;
        expected++;
    }
    /* an octet string and a device attribute (g0v240 UINT 2048) */
    static const uint8_t extra[] = {0x6E, 0x03, 0x00, 0x02, 0x02, 'a',  'b',  'c', 0x00,
                                    0xF0, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x08};
    assert_int_equal(dnp3_apdu_append(&w, extra, sizeof extra), DNP3_OK);
    assert_true(expected > 100);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    char *hex = malloc(dnp3_apdu_writer_len(&w) * 3 + 1);
    assert_non_null(hex);
    for (size_t i = 0; i < dnp3_apdu_writer_len(&w); i++) snprintf(hex + 3 * i, 4, "%02X ", buf[i]);
    mh_respond(hex);
    free(hex);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh.meas_count, expected + 2 + 2);
    for (size_t i = 0; i < expected; i++) {
        const dnp3_measurement *m = &mh.meas[1 + i].m;
        const dnp3_obj_desc *d = dnp3_obj_lookup(groups[i], vars[i]);
        assert_int_equal(m->group, groups[i]);
        assert_int_equal(m->variation, vars[i]);
        assert_int_equal(m->type, d->point_type);
        assert_int_equal(m->event, d->event);
        if (d->group != 50 && d->group != 51 && d->group != 52) assert_int_equal(m->index, 5);
        if (d->layout == DNP3_LAYOUT_F_V || d->layout == DNP3_LAYOUT_V || d->layout == DNP3_LAYOUT_F_V_T48)
            assert_true(fabs(m->value - values[i]) < 1e-9);
        if (d->layout == DNP3_LAYOUT_F_V_T48 || d->layout == DNP3_LAYOUT_F_T48) {
            assert_int_equal(m->time_kind, DNP3_TIME_ABSOLUTE);
            assert_int_equal(m->time, 123456);
        }
    }
    const dnp3_measurement *os = &mh.meas[1 + expected].m;
    assert_int_equal(os->type, DNP3_POINT_OCTET_STRING);
    assert_int_equal(os->index, 2);
    assert_int_equal(os->octets_len, 3);
    assert_memory_equal(os->octets, "abc", 3);
    const dnp3_measurement *at = &mh.meas[2 + expected].m;
    assert_int_equal(at->type, DNP3_POINT_DEVICE_ATTRIBUTE);
    assert_int_equal(at->variation, 240);
    assert_int_equal(at->attr_type, DNP3_ATTR_UINT);
    assert_true(at->value == 2048);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integrity_values_in_order),
        cmocka_unit_test(periodic_polls),
        cmocka_unit_test(event_poll_with_confirm),
        cmocka_unit_test(class_iin_triggers_event_poll),
        cmocka_unit_test(overflow_triggers_one_integrity),
        cmocka_unit_test(multi_fragment_with_confirms),
        cmocka_unit_test(multi_fragment_timeout_mid_series),
        cmocka_unit_test(cto_resolution),
        cmocka_unit_test(every_variation),
        cmocka_unit_test(frozen_analog_and_command_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
