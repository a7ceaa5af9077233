/*
 * test_outstation_sessions.c - several masters' sessions on one point database
 * (dnp3_outstation_init_session, src/outstation/session.c): exact fragments on a
 * virtual clock. Each session reports and confirms its own copy of every event
 * (IEEE 1815-2012 clause 4.4, 4.6.6), keeps its own select-before-operate state
 * (4.4.5), and follows its own rules (event classes, read-only).
 */
#include "os_harness.h"
#include "outstation/os_internal.h"

#define READ_CLASS_123 "3C 02 06 3C 03 06 3C 04 06"
#define BI0_EVENT "02 01 17 01 00 81"
#define CROB_TRIP "0C 01 28 01 00 00 00 81 01 00 00 00 00 00 00 00 00 00"

static alignas(max_align_t) uint8_t s_mem[2][1u << 20];

/* Starts hb as a session on ha's database (config c, which must match ha's point counts). */
static void start_session(harness *hb, harness *ha, const dnp3_outstation_config *c, int slot)
{
    memset(hb, 0, sizeof *hb);
    hb->time_accept = true;
    hb->now = ha->now;
    dnp3_outstation_callbacks cb = h_callbacks(hb);
    size_t need = dnp3_outstation_session_memory_size(c);
    assert_true(need > 0 && need <= sizeof s_mem[slot]);
    hb->os = dnp3_outstation_init_session(s_mem[slot], need, c, &cb, ha->os, hb->now);
    assert_non_null(hb->os);
}

static void two_sessions(harness *a, harness *b)
{
    dnp3_outstation_config c;
    h_config(&c);
    h_start(a, &c);
    start_session(b, a, &c, 0);
}

/* one update, an event in each session; each confirms its own copy */
static void test_each_session_reports_and_confirms_its_copy(void **state)
{
    (void)state;
    harness a, b;
    two_sessions(&a, &b);
    assert_int_equal(dnp3_outstation_session_count(a.os), 2);
    assert_int_equal(dnp3_outstation_session_count(b.os), 2);
    assert_int_equal(
        dnp3_outstation_update(b.os, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_outstation_event_count(a.os, DNP3_OS_BINARY_INPUT), 1);
    assert_int_equal(dnp3_outstation_event_count(b.os, DNP3_OS_BINARY_INPUT), 1);

    h_exchange(&a, "C0 01 " READ_CLASS_123, "E0 81 80 00 " BI0_EVENT);
    h_req(&a, "C0 00");
    h_none(&a);
    assert_int_equal(dnp3_outstation_event_count(a.os, DNP3_OS_BINARY_INPUT), 0);
    assert_int_equal(dnp3_outstation_event_count(b.os, DNP3_OS_BINARY_INPUT), 1);
    /* b's IIN still shows a class 1 event; a's does not */
    h_exchange(&a, "C1 01 " READ_CLASS_123, "C1 81 80 00");
    h_exchange(&b, "C4 01 " READ_CLASS_123, "E4 81 80 00 " BI0_EVENT);
    h_req(&b, "C4 00");
    h_none(&b);
    assert_int_equal(dnp3_outstation_event_count(b.os, DNP3_OS_BINARY_INPUT), 0);
}

/* the static value is shared: written through one session, read through the other */
static void test_static_values_are_shared(void **state)
{
    (void)state;
    harness a, b;
    two_sessions(&a, &b);
    h_clear_restart(&b);
    assert_true(dnp3_outstation_update(a.os, DNP3_OS_ANALOG_INPUT, 2, 1234, DNP3_FLAG_ONLINE, 0,
                                       DNP3_EVENT_SUPPRESS) == 0);
    /* READ g30v2 index 2: 32-bit with flag */
    h_exchange(&b, "C0 01 1E 02 00 02 02", "C0 81 00 00 1E 02 00 02 02 01 D2 04");
    double v = 0;
    assert_int_equal(dnp3_outstation_get(b.os, DNP3_OS_ANALOG_INPUT, 2, &v, NULL, NULL), DNP3_OK);
    assert_true(v == 1234);
}

/* a session's event_classes choose which events it buffers */
static void test_event_classes_per_session(void **state)
{
    (void)state;
    harness a, b;
    dnp3_outstation_config c;
    h_config(&c);
    h_start(&a, &c);
    c.event_classes = DNP3_OS_CLASS2;
    start_session(&b, &a, &c, 0);
    dnp3_os_point_config pc = {2, 0, 0, 0};
    assert_int_equal(dnp3_outstation_configure_point(b.os, DNP3_OS_BINARY_INPUT, 1, &pc), DNP3_OK);
    h_update(&a, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0); /* class 1 */
    h_update(&a, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0); /* class 2 (set through b) */
    assert_int_equal(dnp3_outstation_event_count(a.os, DNP3_OS_BINARY_INPUT), 2);
    assert_int_equal(dnp3_outstation_event_count(b.os, DNP3_OS_BINARY_INPUT), 1);
    h_exchange(&b, "C0 01 " READ_CLASS_123, "E0 81 80 00 02 01 17 01 01 81");

    /* event_classes beyond the three classes are refused */
    c.event_classes = 0x08;
    const char *field = NULL;
    assert_int_equal(dnp3_outstation_config_check(&c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "event_classes");
}

/* a read-only session is refused a control; the other session operates, and both hear of it */
static void test_read_only_session_refused_while_other_operates(void **state)
{
    (void)state;
    harness a, b;
    dnp3_outstation_config c;
    h_config(&c);
    c.command_event_buffer = 10;
    h_start(&a, &c);
    c.read_only = true;
    start_session(&b, &a, &c, 0);
    h_clear_restart(&a);
    h_clear_restart(&b);
    a.crob_status = b.crob_status = DNP3_CS_SUCCESS;

    h_exchange(&b, "C0 05 " CROB_TRIP, "C0 81 00 00 0C 01 28 01 00 00 00 81 01 00 00 00 00 00 00 00 00 09");
    assert_int_equal(b.crob_calls, 0);
    assert_int_equal(a.crob_calls, 0);
    h_exchange(&b, "C1 03 " CROB_TRIP, "C1 81 00 00 0C 01 28 01 00 00 00 81 01 00 00 00 00 00 00 00 00 09");
    assert_int_equal(b.crob_calls, 0);

    /* IIN1.1: the command event of the control is already buffered */
    h_exchange(&a, "C0 05 " CROB_TRIP, "C0 81 02 00 " CROB_TRIP);
    assert_int_equal(a.crob_calls, 1);
    /* the g13 command event reaches both sessions' buffers */
    h_exchange(&b, "C2 01 3C 02 06", "E2 81 00 00 0D 01 17 01 00 00");
    h_exchange(&a, "C1 01 3C 02 06", "E1 81 00 00 0D 01 17 01 00 00");
}

/* a read-only session cannot change what every session sees: class assignments, freezes, restarts,
 * time, deadbands; it may clear its own DEVICE_RESTART */
static void test_read_only_session_changes_nothing_shared(void **state)
{
    (void)state;
    harness a, b;
    dnp3_outstation_config c;
    h_config(&c);
    h_start(&a, &c);
    c.read_only = true;
    start_session(&b, &a, &c, 0);
    h_clear_restart(&a);
    /* ASSIGN_CLASS g60v1 (class 0) g1v0 all: refused, binary inputs keep class 1 */
    h_exchange(&b, "C0 16 3C 01 06 01 00 06", "C0 81 80 01");
    h_exchange(&b, "C1 07 14 00 06", "C1 81 80 01");                      /* IMMED_FREEZE g20v0 */
    h_exchange(&b, "C2 0D", "C2 81 80 01");                               /* COLD_RESTART */
    h_exchange(&b, "C3 02 22 01 17 01 00 05 00", "C3 81 80 01");          /* WRITE g34v1 deadband */
    h_exchange(&b, "C4 02 32 01 07 01 00 00 00 00 00 00", "C4 81 80 01"); /* WRITE g50v1 time */
    assert_int_equal(a.restarts, 0);
    assert_int_equal(a.freezes + b.freezes, 0);
    assert_int_equal(a.time_writes + b.time_writes, 0);
    h_exchange(&b, "C5 02 50 01 00 07 07 00", "C5 81 00 00"); /* its own DEVICE_RESTART: cleared */
    assert_int_equal(dnp3_outstation_iin(b.os) & DNP3_IIN1_DEVICE_RESTART, 0);
    /* events still recorded in both: the class assignment did not happen */
    h_update(&a, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    assert_int_equal(dnp3_outstation_event_count(a.os, DNP3_OS_BINARY_INPUT), 1);
    assert_int_equal(dnp3_outstation_event_count(b.os, DNP3_OS_BINARY_INPUT), 1);
    /* the same requests from the other session are carried out */
    h_exchange(&a, "C0 16 3C 01 06 01 00 06", "C0 81 02 00");
    h_update(&a, DNP3_OS_BINARY_INPUT, 0, 0, DNP3_FLAG_ONLINE, 0);
    assert_int_equal(dnp3_outstation_event_count(b.os, DNP3_OS_BINARY_INPUT), 1); /* class 0 now: no event */
}

/* select-before-operate state is per session: b's OPERATE does not use a's SELECT */
static void test_selection_is_per_session(void **state)
{
    (void)state;
    harness a, b;
    two_sessions(&a, &b);
    h_clear_restart(&a);
    h_clear_restart(&b);
    h_exchange(&a, "C0 03 " CROB_TRIP, "C0 81 00 00 " CROB_TRIP);
    /* b never selected: NO_SELECT (2) */
    h_exchange(&b, "C1 04 " CROB_TRIP, "C1 81 00 00 0C 01 28 01 00 00 00 81 01 00 00 00 00 00 00 00 00 02");
    h_exchange(&a, "C1 04 " CROB_TRIP, "C1 81 00 00 " CROB_TRIP);
    assert_int_equal(a.crob_calls, 2); /* SELECT + OPERATE */
    assert_int_equal(b.crob_calls, 0);
}

/* sizes, mismatches, detach */
static void test_session_memory_mismatch_and_detach(void **state)
{
    (void)state;
    harness a, b, d;
    dnp3_outstation_config c;
    h_config(&c);
    h_start(&a, &c);
    size_t full = dnp3_outstation_memory_size(&c), sess = dnp3_outstation_session_memory_size(&c);
    /* the 80 points (10 of each type, the octet-string values among them) are left out of a session */
    size_t points = 0;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) points += 10 * dnp3_os_point_octets(&c, t);
    assert_true(sess > 0 && sess + points <= full);

    dnp3_outstation_config wrong = c;
    wrong.types[DNP3_OS_COUNTER].count = 11;
    dnp3_outstation_callbacks cb = h_callbacks(&b);
    assert_null(dnp3_outstation_init_session(s_mem[0], sizeof s_mem[0], &wrong, &cb, a.os, 0));
    wrong = c;
    wrong.octet_string_size = 8;
    assert_null(dnp3_outstation_init_session(s_mem[0], sizeof s_mem[0], &wrong, &cb, a.os, 0));
    assert_null(dnp3_outstation_init_session(s_mem[0], sess - 1, &c, &cb, a.os, 0));
    assert_null(dnp3_outstation_init_session(s_mem[0], sess, &c, &cb, NULL, 0));

    start_session(&b, &a, &c, 0);
    start_session(&d, &a, &c, 1);
    assert_null(dnp3_outstation_init_session(s_mem[0], sizeof s_mem[0], &c, &cb, b.os, 0)); /* not on a session */
    assert_int_equal(dnp3_outstation_session_count(a.os), 3);
    assert_int_equal(dnp3_outstation_detach(a.os), DNP3_ERR_STATE);
    assert_int_equal(dnp3_outstation_detach(b.os), DNP3_OK);
    assert_int_equal(dnp3_outstation_detach(b.os), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_detach(NULL), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_session_count(a.os), 2);
    h_update(&a, DNP3_OS_COUNTER, 3, 7, DNP3_FLAG_ONLINE, 0);
    assert_int_equal(dnp3_outstation_event_count(b.os, DNP3_OS_COUNTER), 0);
    assert_int_equal(dnp3_outstation_event_count(d.os, DNP3_OS_COUNTER), 1);
    assert_int_equal(dnp3_outstation_detach(d.os), DNP3_OK);
    assert_int_equal(dnp3_outstation_detach(a.os), DNP3_ERR_INVALID_ARG); /* no sessions: not one itself */
}

/* a session offline (its master gone) keeps buffering; the others are not disturbed */
static void test_offline_session_keeps_buffering(void **state)
{
    (void)state;
    harness a, b;
    two_sessions(&a, &b);
    dnp3_outstation_set_online(b.os, false, b.now);
    h_update(&a, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_exchange(&a, "C0 01 " READ_CLASS_123, "E0 81 80 00 " BI0_EVENT);
    h_req(&a, "C0 00");
    h_none(&a);
    dnp3_outstation_set_online(b.os, true, b.now);
    h_exchange(&b, "C0 01 " READ_CLASS_123, "E0 81 80 00 " BI0_EVENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_session_reports_and_confirms_its_copy),
        cmocka_unit_test(test_static_values_are_shared),
        cmocka_unit_test(test_event_classes_per_session),
        cmocka_unit_test(test_read_only_session_refused_while_other_operates),
        cmocka_unit_test(test_read_only_session_changes_nothing_shared),
        cmocka_unit_test(test_selection_is_per_session),
        cmocka_unit_test(test_session_memory_mismatch_and_detach),
        cmocka_unit_test(test_offline_session_keeps_buffering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
