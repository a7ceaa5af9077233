/*
 * test_outstation_controls.c - SELECT / OPERATE / DIRECT_OPERATE(_NR) on the
 * outstation (docs/protocol-notes.md §5.3, 4.3, 4.4 and the golden pairs of 10.2 / 10.3): the
 * select-before-operate rules (SEQ + 1, no request in between, identical
 * objects, timeout), repeated selects, direct operate, no-ack, too many
 * objects, the QU bit, NOT_SUPPORTED with IIN2.2, unsupported objects, and
 * duplicate requests answered without executing again.
 */
#include "os_harness.h"

#define SEL_AO "29 02 17 01 07 01 02 00"

/* docs/protocol-notes.md §10.3 "select/operate g41v2 idx 7" */
static void test_golden_select_operate_analog(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 03 " SEL_AO, "C0 81 80 00 " SEL_AO);
    assert_int_equal(h.ao_calls, 1);
    assert_int_equal(h.ao_mode, DNP3_CTRL_SELECT);
    h_exchange(&h, "C1 04 " SEL_AO, "C1 81 80 00 " SEL_AO);
    assert_int_equal(h.ao_calls, 2);
    assert_int_equal(h.ao_mode, DNP3_CTRL_OPERATE);
    assert_int_equal(h.ao_index, 7);
    assert_true(h.ao_value == 0x0201);
    assert_int_equal(h.ao_variation, 2);
    /* the selection is used up */
    h_exchange(&h, "C2 04 " SEL_AO, "C2 81 80 00 29 02 17 01 07 01 02 02");
    assert_int_equal(h.ao_calls, 2);
}

/* docs/protocol-notes.md §10.3 "operate wrong seq" */
static void test_golden_operate_wrong_seq(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 03 " SEL_AO, "C0 81 80 00 " SEL_AO);
    h_exchange(&h, "C2 04 " SEL_AO, "C2 81 80 00 29 02 17 01 07 01 02 02");
    assert_int_equal(h.ao_calls, 1);
}

/* docs/protocol-notes.md §10.3 "operate late": TIMEOUT */
static void test_operate_after_select_timeout(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 03 " SEL_AO, "C0 81 80 00 " SEL_AO);
    h.now += 4999;
    h_exchange(&h, "C1 04 " SEL_AO, "C1 81 80 00 " SEL_AO);
    h_exchange(&h, "C2 03 " SEL_AO, "C2 81 80 00 " SEL_AO);
    h.now += 5000;
    h_exchange(&h, "C3 04 " SEL_AO, "C3 81 80 00 29 02 17 01 07 01 02 01");
    assert_int_equal(h.ao_calls, 3);
}

static void test_operate_must_match_select(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    /* different value */
    h_exchange(&h, "C0 03 " SEL_AO, "C0 81 80 00 " SEL_AO);
    h_exchange(&h, "C1 04 29 02 17 01 07 02 02 00", "C1 81 80 00 29 02 17 01 07 02 02 02");
    /* another request in between */
    h_exchange(&h, "C2 03 " SEL_AO, "C2 81 80 00 " SEL_AO);
    h_exchange(&h, "C3 01", "C3 81 80 00");
    h_exchange(&h, "C3 04 " SEL_AO, "C3 81 80 00 29 02 17 01 07 01 02 02");
    /* operate without any select */
    h_exchange(&h, "C5 04 " SEL_AO, "C5 81 80 00 29 02 17 01 07 01 02 02");
    /* a failed select is not a selection */
    h.ao_status = DNP3_CS_LOCAL;
    h_exchange(&h, "C6 03 " SEL_AO, "C6 81 80 00 29 02 17 01 07 01 02 07");
    h.ao_status = DNP3_CS_SUCCESS;
    h_exchange(&h, "C7 04 " SEL_AO, "C7 81 80 00 29 02 17 01 07 01 02 02");
    assert_int_equal(h.ao_calls, 3);
}

/* a repeated SELECT (same SEQ and octets) gets the same answer and keeps the selection */
static void test_repeated_select(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 03 " SEL_AO, "C0 81 80 00 " SEL_AO);
    h_exchange(&h, "C0 03 " SEL_AO, "C0 81 80 00 " SEL_AO);
    assert_int_equal(h.ao_calls, 1);
    h_exchange(&h, "C1 04 " SEL_AO, "C1 81 80 00 " SEL_AO);
    assert_int_equal(h.ao_calls, 2);
    /* a repeated OPERATE is not executed twice */
    h_exchange(&h, "C1 04 " SEL_AO, "C1 81 80 00 " SEL_AO);
    assert_int_equal(h.ao_calls, 2);
}

/* docs/protocol-notes.md §10.2 B2/B3: SELECT CROB idx 3 PULSE_ON, then OPERATE */
static void test_golden_select_operate_crob(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00",
               "C0 81 80 00 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00");
    h_exchange(&h, "C1 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00",
               "C1 81 80 00 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00");
    assert_int_equal(h.crob_calls, 2);
    assert_int_equal(h.crob_mode, DNP3_CTRL_OPERATE);
    assert_int_equal(h.crob_index, 3);
    assert_int_equal(h.crob.code, DNP3_OP_PULSE_ON);
    assert_int_equal(h.crob.count, 1);
    assert_int_equal(h.crob.on_ms, 1);
    assert_int_equal(h.crob.off_ms, 1);
}

/* docs/protocol-notes.md §10.2 D7: DIRECT_OPERATE CROB idx 0, response IIN 00 00 */
static void test_golden_direct_operate(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_exchange(&h, "C9 05 0C 01 28 01 00 00 00 01 01 01 00 00 00 00 00 00 00 00",
               "C9 81 00 00 0C 01 28 01 00 00 00 01 01 01 00 00 00 00 00 00 00 00");
    assert_int_equal(h.crob_mode, DNP3_CTRL_DIRECT_OPERATE);
    /* docs/protocol-notes.md §10.3 master-side DO g12v1 idx 1 PULSE_ON 100 ms */
    h_exchange(&h, "C0 05 0C 01 28 01 00 01 00 01 01 64 00 00 00 64 00 00 00 00",
               "C0 81 00 00 0C 01 28 01 00 01 00 01 01 64 00 00 00 64 00 00 00 00");
    assert_int_equal(h.crob.on_ms, 100);
    assert_int_equal(h.crob_calls, 2);
    /* every operation type reaches the application */
    const char *codes[] = {"00", "02", "03", "04", "41", "81"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char rq[128], rs[128];
        snprintf(rq, sizeof rq, "C%zX 05 0C 01 17 01 02 %s 01 00 00 00 00 00 00 00 00 00", i, codes[i]);
        snprintf(rs, sizeof rs, "C%zX 81 00 00 0C 01 17 01 02 %s 01 00 00 00 00 00 00 00 00 00", i, codes[i]);
        h_exchange(&h, rq, rs);
    }
    assert_int_equal(h.crob_calls, 8);
    assert_int_equal(h.crob.code, 0x81);
}

static void test_direct_operate_no_ack(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_req(&h, "C0 06 29 01 17 01 02 E8 03 00 00 00");
    h_none(&h);
    assert_int_equal(h.ao_calls, 1);
    assert_int_equal(h.ao_mode, DNP3_CTRL_DIRECT_OPERATE_NR);
    assert_true(h.ao_value == 1000);
    /* g41v3 float and g41v4 double */
    h_exchange(&h, "C1 05 29 03 17 01 01 00 00 C0 3F 00", "C1 81 80 00 29 03 17 01 01 00 00 C0 3F 00");
    assert_true(h.ao_value == 1.5);
    h_exchange(&h, "C2 05 29 04 28 01 00 09 00 00 00 00 00 00 00 F8 BF 00",
               "C2 81 80 00 29 04 28 01 00 09 00 00 00 00 00 00 00 F8 BF 00");
    assert_true(h.ao_value == -1.5);
    assert_int_equal(h.ao_index, 9);
}

/* docs/protocol-notes.md §10.3 "too many CROBs (max 1)" */
static void test_too_many_objects(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.max_controls = 1;
    h_start(&h, &c);
    h_exchange(&h, "C0 05 0C 01 17 02 03 01 01 01 00 00 00 01 00 00 00 00 04 01 01 01 00 00 00 01 00 00 00 00",
               "C0 81 80 00 0C 01 17 02 03 01 01 01 00 00 00 01 00 00 00 00 04 01 01 01 00 00 00 01 00 00 00 08");
    assert_int_equal(h.crob_calls, 1);
    assert_int_equal(h.crob_index, 3);
}

/* docs/protocol-notes.md §10.3 "CROB NOT_SUPPORTED" and "CROB with QU" */
static void test_not_supported_and_queue_bit(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h.crob_status = DNP3_CS_NOT_SUPPORTED;
    h_exchange(&h, "C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00",
               "C0 81 80 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 04");
    h.crob_status = DNP3_CS_SUCCESS;
    h_exchange(&h, "C1 05 0C 01 17 01 03 51 01 01 00 00 00 01 00 00 00 00",
               "C1 81 80 04 0C 01 17 01 03 51 01 01 00 00 00 01 00 00 00 04");
    assert_int_equal(h.crob_calls, 1);
    /* unknown operation type / reserved trip-close code: FORMAT_ERROR */
    h_exchange(&h, "C2 05 0C 01 17 01 03 05 01 01 00 00 00 01 00 00 00 00",
               "C2 81 80 00 0C 01 17 01 03 05 01 01 00 00 00 01 00 00 00 03");
    h_exchange(&h, "C3 05 0C 01 17 01 03 C1 01 01 00 00 00 01 00 00 00 00",
               "C3 81 80 00 0C 01 17 01 03 C1 01 01 00 00 00 01 00 00 00 03");
    assert_int_equal(h.crob_calls, 1);
}

static void test_no_callbacks_not_supported(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    memset(&h, 0, sizeof h);
    h.os = dnp3_outstation_init(h_mem, sizeof h_mem, &c, NULL, 0);
    assert_non_null(h.os);
    h_exchange(&h, "C0 05 " SEL_AO, "C0 81 80 04 29 02 17 01 07 01 02 04");
}

static void test_unsupported_objects(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    /* g12v2 pattern control block */
    h_exchange(&h, "C0 05 0C 02 07 01 01 01 01 00 00 00 01 00 00 00 00", "C0 81 80 02");
    /* a CROB followed by a binary input object: nothing executed */
    h_exchange(&h, "C1 05 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00 01 02 00 00 00 81", "C1 81 80 02");
    assert_int_equal(h.crob_calls, 0);
    /* truncated CROB: parse error */
    h_exchange(&h, "C2 05 0C 01 17 01 03 01 01 01 00 00 00", "C2 81 80 04");
    assert_int_equal(h.crob_calls, 0);
}

/* Binary / analog output command events g13, g43 (issue 11 item 3): one per control passed to the
 * application by OPERATE, DIRECT_OPERATE(_NR), none for SELECT; the commanded state or value and
 * the status the application returned, in the configured class. */
static void test_command_events(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.command_event_buffer = 10;
    c.command_event_class = 2;
    h_start(&h, &c);
    h_clear_restart(&h);
    h.utc = 0x0102030405;
    /* SELECT: no event; OPERATE LATCH_ON index 3: state 1, SUCCESS */
    h_exchange(&h, "C0 03 0C 01 17 01 03 03 01 00 00 00 00 00 00 00 00 00",
               "C0 81 00 00 0C 01 17 01 03 03 01 00 00 00 00 00 00 00 00 00");
    h_exchange(&h, "C1 04 0C 01 17 01 03 03 01 00 00 00 00 00 00 00 00 00",
               "C1 81 04 00 0C 01 17 01 03 03 01 00 00 00 00 00 00 00 00 00");
    /* DIRECT_OPERATE LATCH_OFF index 4, refused LOCAL: state 0, status 7 */
    h.crob_status = DNP3_CS_LOCAL;
    h_exchange(&h, "C2 05 0C 01 17 01 04 04 01 00 00 00 00 00 00 00 00 00",
               "C2 81 04 00 0C 01 17 01 04 04 01 00 00 00 00 00 00 00 00 07");
    h.crob_status = DNP3_CS_SUCCESS;
    /* DIRECT_OPERATE g41v2 index 1 = 1234 */
    h_exchange(&h, "C3 05 29 02 17 01 01 D2 04 00", "C3 81 04 00 29 02 17 01 01 D2 04 00");
    assert_int_equal(h.ao_calls, 1);
    /* class 2: g13v1 (state bit 7 | status) then g43v1 (status, 32-bit value) */
    h_exchange(&h, "C4 01 3C 03 06", "E4 81 00 00 0D 01 17 02 03 80 04 07 2B 01 17 01 01 00 D2 04 00 00");
    h_req(&h, "C4 00");
    h_exchange(&h, "C5 01 3C 03 06", "C5 81 00 00");
    /* DIRECT_OPERATE_NR, CLOSE + PULSE_ON index 0: state 1; read as g13v2 (with time) */
    h_req(&h, "C6 06 0C 01 17 01 00 41 01 64 00 00 00 64 00 00 00 00");
    h_none(&h);
    h_exchange(&h, "C7 01 0D 02 06", "E7 81 00 00 0D 02 17 01 00 80 05 04 03 02 01 00");
    h_req(&h, "C7 00");
    /* g43 by group, variation 0 = the configured one; and v3 (32-bit with time) */
    h_exchange(&h, "C8 05 29 02 17 01 02 FF FF 00", "C8 81 04 00 29 02 17 01 02 FF FF 00");
    h_exchange(&h, "C9 01 2B 03 06", "E9 81 00 00 2B 03 17 01 02 00 FF FF FF FF 05 04 03 02 01 00");
    h_req(&h, "C9 00");
    h_exchange(&h, "CA 01 2B 00 06", "CA 81 00 00");
}

/* Without command_event_buffer there are no command events, and g13 / g43 are unknown to a READ. */
static void test_command_events_off(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_exchange(&h, "C0 05 0C 01 17 01 03 03 01 00 00 00 00 00 00 00 00 00",
               "C0 81 00 00 0C 01 17 01 03 03 01 00 00 00 00 00 00 00 00 00");
    h_exchange(&h, "C1 01 3C 02 06 3C 03 06 3C 04 06", "C1 81 00 00");
    h_exchange(&h, "C2 01 0D 00 06", "C2 81 00 02");
    h_exchange(&h, "C3 01 2B 01 06", "C3 81 00 02");
    dnp3_outstation_config c;
    h_config(&c);
    const char *field = NULL;
    c.command_event_buffer = 1;
    c.command_event_class = 0;
    assert_int_equal(dnp3_outstation_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "command_event_class");
    c.command_event_class = 3;
    c.bo_command_event_variation = 3;
    assert_int_equal(dnp3_outstation_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "bo_command_event_variation");
    c.bo_command_event_variation = 2;
    c.ao_command_event_variation = 9;
    assert_int_equal(dnp3_outstation_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "ao_command_event_variation");
    c.ao_command_event_variation = 8;
    assert_int_equal(dnp3_outstation_config_check(&c, &field), DNP3_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_events),
        cmocka_unit_test(test_command_events_off),
        cmocka_unit_test(test_golden_select_operate_analog),
        cmocka_unit_test(test_golden_operate_wrong_seq),
        cmocka_unit_test(test_operate_after_select_timeout),
        cmocka_unit_test(test_operate_must_match_select),
        cmocka_unit_test(test_repeated_select),
        cmocka_unit_test(test_golden_select_operate_crob),
        cmocka_unit_test(test_golden_direct_operate),
        cmocka_unit_test(test_direct_operate_no_ack),
        cmocka_unit_test(test_too_many_objects),
        cmocka_unit_test(test_not_supported_and_queue_bit),
        cmocka_unit_test(test_no_callbacks_not_supported),
        cmocka_unit_test(test_unsupported_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
