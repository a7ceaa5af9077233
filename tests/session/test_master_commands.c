/*
 * test_master_commands.c - commands and other user tasks: SELECT/OPERATE
 * (golden B2/B4 frames), DIRECT_OPERATE (docs/protocol-notes.md's "DO g12v1 (master side)"
 * bytes), DIRECT_OPERATE_NR, every CROB operation type, g41v1-v4, several
 * objects per request, per-object statuses (NO_SELECT, NOT_SUPPORTED),
 * echo verification, freeze, cold/warm restart delay, octet string write,
 * device attributes, generic read/write/request, unsolicited on demand,
 * priorities and queue limits.
 */
#include "test_master_harness.h"

static void sbo_golden_frames(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c = dnp3_command_crob(3, DNP3_OP_PULSE_ON, 1, 1, 1);
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_SELECT_OPERATE, DNP3_QUAL_COUNT_8_INDEX_8, &c, 1,
                                         mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00");
    assert_hex(
        mh.chunks[0], mh.chunk_len[0],
        "05 64 18 C4 00 04 01 00 5B 61 C0 C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 4B C0 00 00 00 FF FF");
    mh_respond("C0 81 80 00 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00"); /* B3 */
    mh_expect("C1 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00");
    assert_hex(
        mh.chunks[1], mh.chunk_len[1],
        "05 64 18 C4 00 04 01 00 5B 61 C1 C1 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 0F 5B 00 00 00 FF FF");
    assert_int_equal(mh.user_count, 0);
    mh_respond("C1 81 80 00 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00");
    const mh_task_rec *r = mh_last_user();
    assert_int_equal(r->kind, DNP3_TASK_COMMAND);
    assert_int_equal(r->result, DNP3_TASK_SUCCESS);
    assert_int_equal(r->function, DNP3_FC_OPERATE);
    assert_int_equal(r->n_statuses, 1);
    assert_int_equal(r->statuses[0], DNP3_CS_SUCCESS);
    assert_int_equal(r->iin, 0x0080);
    mh_expect("C2 02 50 01 00 07 07 00"); /* the restart bit is cleared after the command */
}

static void direct_operate_golden(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c = dnp3_command_crob(1, DNP3_OP_PULSE_ON, 1, 100, 100);
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C0 05 0C 01 28 01 00 01 00 01 01 64 00 00 00 64 00 00 00 00");
    mh_respond("C0 81 00 00 0C 01 28 01 00 01 00 01 01 64 00 00 00 64 00 00 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh_last_user()->function, DNP3_FC_DIRECT_OPERATE);
}

static void direct_operate_no_ack(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c = dnp3_command_crob(7, DNP3_OP_LATCH_ON, 1, 0, 0);
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE_NR, 0, &c, 1, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C0 06 0C 01 28 01 00 07 00 03 01 00 00 00 00 00 00 00 00 00");
    assert_int_equal(mh.user_count, 1);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh_last_user()->n_statuses, 0);
    assert_false(mh_last_user()->have_iin);
    /* the association is free at once */
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, NULL, NULL, mh.now), DNP3_OK);
    mh_expect("C1 01 3C 01 06");
}

static void every_crob_operation(void **state)
{
    (void)state;
    mh_setup(NULL);
    static const struct {
        uint8_t code;
        const char *hex;
    } ops[] = {
        {DNP3_OP_NUL, "00"},
        {DNP3_OP_PULSE_ON, "01"},
        {DNP3_OP_PULSE_OFF, "02"},
        {DNP3_OP_LATCH_ON, "03"},
        {DNP3_OP_LATCH_OFF, "04"},
        {DNP3_CROB_TCC_CLOSE | DNP3_OP_PULSE_ON, "41"},
        {DNP3_CROB_TCC_TRIP | DNP3_OP_PULSE_ON, "81"},
        {DNP3_CROB_CLEAR | DNP3_OP_PULSE_ON, "21"},
    };
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        dnp3_command c = dnp3_command_crob(2, ops[i].code, 3, 0x01020304, 0x0A0B0C0D);
        assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, mh_user_cb, NULL, mh.now),
                         DNP3_OK);
        char req[128], rsp[128];
        snprintf(req, sizeof req, "C%X 05 0C 01 28 01 00 02 00 %s 03 04 03 02 01 0D 0C 0B 0A 00", i, ops[i].hex);
        snprintf(rsp, sizeof rsp, "C%X 81 00 00 0C 01 28 01 00 02 00 %s 03 04 03 02 01 0D 0C 0B 0A 00", i,
                 ops[i].hex);
        mh_expect(req);
        mh_respond(rsp);
        assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    }
}

static void analog_outputs_every_variation(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c[4] = {
        dnp3_command_analog(1, 1, -2),
        dnp3_command_analog(2, 2, 300),
        dnp3_command_analog(3, 3, 1.5),
        dnp3_command_analog(4, 4, -0.25),
    };
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_SELECT_OPERATE, DNP3_QUAL_COUNT_8_INDEX_8, c, 4,
                                         mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    const char *objs = "29 01 17 01 01 FE FF FF FF 00"
                       " 29 02 17 01 02 2C 01 00"
                       " 29 03 17 01 03 00 00 C0 3F 00"
                       " 29 04 17 01 04 00 00 00 00 00 00 D0 BF 00";
    char req[256], rsp[256];
    snprintf(req, sizeof req, "C0 03 %s", objs);
    mh_expect(req);
    snprintf(rsp, sizeof rsp, "C0 81 00 00 %s", objs);
    mh_respond(rsp);
    snprintf(req, sizeof req, "C1 04 %s", objs);
    mh_expect(req);
    /* the outstation refuses the third object */
    mh_respond("C1 81 00 00 29 01 17 01 01 FE FF FF FF 00 29 02 17 01 02 2C 01 00"
               " 29 03 17 01 03 00 00 C0 3F 0C 29 04 17 01 04 00 00 00 00 00 00 D0 BF 00");
    const mh_task_rec *r = mh_last_user();
    assert_int_equal(r->result, DNP3_TASK_COMMAND_STATUS);
    assert_int_equal(r->n_statuses, 4);
    assert_int_equal(r->statuses[0], 0);
    assert_int_equal(r->statuses[2], DNP3_CS_OUT_OF_RANGE);
    assert_int_equal(r->statuses[3], 0);
}

static void several_objects_mixed(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c[4] = {
        dnp3_command_crob(3, DNP3_OP_LATCH_ON, 1, 0, 0),
        dnp3_command_crob(300, DNP3_OP_LATCH_OFF, 1, 0, 0),
        dnp3_command_analog(5, 2, 10),
        dnp3_command_crob(4, DNP3_OP_PULSE_ON, 2, 5, 6),
    };
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, c, 4, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    const char *objs =
        "0C 01 28 02 00 03 00 03 01 00 00 00 00 00 00 00 00 00 2C 01 04 01 00 00 00 00 00 00 00 00 00"
        " 29 02 28 01 00 05 00 0A 00 00"
        " 0C 01 28 01 00 04 00 01 02 05 00 00 00 06 00 00 00 00";
    char req[300], rsp[300];
    snprintf(req, sizeof req, "C0 05 %s", objs);
    mh_expect(req);
    snprintf(rsp, sizeof rsp, "C0 81 00 00 %s", objs);
    mh_respond(rsp);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh_last_user()->n_statuses, 4);
    /* 0x17 cannot carry index 300 */
    assert_int_equal(
        dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, DNP3_QUAL_COUNT_8_INDEX_8, c, 4, NULL, NULL, mh.now),
        DNP3_ERR_INVALID_ARG);
}

static void operate_no_select_status(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c = dnp3_command_analog(7, 2, 2);
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_SELECT_OPERATE, DNP3_QUAL_COUNT_8_INDEX_8, &c, 1,
                                         mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C0 03 29 02 17 01 07 02 00 00");
    mh_respond("C0 81 80 00 29 02 17 01 07 02 00 00");
    mh_expect("C1 04 29 02 17 01 07 02 00 00");
    mh_respond("C1 81 80 00 29 02 17 01 07 02 00 02"); /* NO_SELECT */
    assert_int_equal(mh_last_user()->result, DNP3_TASK_COMMAND_STATUS);
    assert_int_equal(mh_last_user()->statuses[0], DNP3_CS_NO_SELECT);
    assert_int_equal(mh_last_user()->function, DNP3_FC_OPERATE);
}

static void select_failure_stops(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c = dnp3_command_crob(3, DNP3_OP_PULSE_ON, 1, 1, 1);
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_SELECT_OPERATE, DNP3_QUAL_COUNT_8_INDEX_8, &c, 1,
                                         mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00");
    mh_respond("C0 81 80 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 04"); /* NOT_SUPPORTED, IIN2.2 */
    assert_int_equal(mh_last_user()->result, DNP3_TASK_COMMAND_STATUS);
    assert_int_equal(mh_last_user()->function, DNP3_FC_SELECT);
    assert_int_equal(mh_last_user()->statuses[0], DNP3_CS_NOT_SUPPORTED);
    mh_expect("C1 02 50 01 00 07 07 00"); /* no OPERATE */
}

static void echo_mismatch(void **state)
{
    (void)state;
    mh_setup(NULL);
    dnp3_command c = dnp3_command_crob(1, DNP3_OP_PULSE_ON, 1, 100, 100);
    const char *bad[] = {
        "C0 81 00 00 0C 01 28 01 00 01 00 01 01 65 00 00 00 64 00 00 00 00", /* on-time differs */
        "C0 81 00 00 0C 01 28 01 00 02 00 01 01 64 00 00 00 64 00 00 00 00", /* index differs */
        "C0 81 00 00 0C 01 17 01 01 01 01 64 00 00 00 64 00 00 00 00",       /* qualifier differs */
        ("C0 81 00 00 0C 01 28 01 00 01 00 01 01 64 00 00 00 64 00 00 00 00"
         " 0C 01 28 01 00 02 00 01 01 64 00 00 00 64 00 00 00 00"),          /* extra object */
        "C0 81 00 00 0C 02 28 01 00 01 00 01 01 64 00 00 00 64 00 00 00 00", /* variation differs */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, mh_user_cb, NULL, mh.now),
                         DNP3_OK);
        mh_drop_requests();
        char rsp[256];
        strcpy(rsp, bad[i]);
        rsp[1] = "0123456789ABCDEF"[i];
        mh_respond(rsp);
        assert_int_equal(mh_last_user()->result, DNP3_TASK_ECHO_MISMATCH);
        assert_int_equal(mh_last_user()->n_statuses, 0);
    }
    /* no echo at all: refused with IIN2, or just missing */
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_drop_requests();
    mh_respond("C5 81 00 01");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_REJECTED);
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_drop_requests();
    mh_respond("C6 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_MISSING_OBJECT);
}

static void freeze_and_restart(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_IMMED_FREEZE, NULL, 0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 07 14 00 06");
    mh_respond("C0 81 00 00");
    assert_int_equal(mh_last_user()->kind, DNP3_TASK_FREEZE);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    const uint8_t range[] = {20, 0, 0x00, 2, 5};
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_FREEZE_CLEAR, range, sizeof range, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C1 09 14 00 00 02 05");
    mh_respond("C1 81 00 02");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_REJECTED);
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_IMMED_FREEZE_NR, NULL, 0, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C2 08 14 00 06");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_FREEZE_CLEAR_NR, NULL, 0, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C3 0A 14 00 06");
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_READ, NULL, 0, NULL, NULL, mh.now), DNP3_ERR_INVALID_ARG);
    /* analog inputs 0..3 (into frozen analog inputs), then FREEZE_AT_TIME(_NR) with g50v2 */
    uint8_t h[32];
    int n = dnp3_master_freeze_headers(h, sizeof h, 30, false, 0, 3, false, 0, 0);
    assert_int_equal(n, 5);
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_IMMED_FREEZE, h, (size_t)n, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C4 07 1E 00 00 00 03");
    mh_respond("C4 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    n = dnp3_master_freeze_headers(h, sizeof h, 20, true, 0, 0, true, 1002000, 1000);
    assert_int_equal(n, 17);
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_FREEZE_AT_TIME, h, (size_t)n, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C5 0B 32 02 07 01 10 4A 0F 00 00 00 E8 03 00 00 14 00 06");
    mh_respond("C5 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    n = dnp3_master_freeze_headers(h, sizeof h, 30, false, 2, 300, true, 0, 0);
    assert_int_equal(n, 21);
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_FREEZE_AT_TIME_NR, h, (size_t)n, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C6 0C 32 02 07 01 00 00 00 00 00 00 00 00 00 00 1E 00 01 02 00 2C 01");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(dnp3_master_freeze(mh.a, DNP3_FC_FREEZE_AT_TIME, NULL, 0, NULL, NULL, mh.now),
                     DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_freeze_headers(h, sizeof h, 1, true, 0, 0, false, 0, 0), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_freeze_headers(h, sizeof h, 20, false, 5, 4, false, 0, 0), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_freeze_headers(h, 4, 20, true, 0, 0, true, 0, 0), DNP3_ERR_BUFFER_TOO_SMALL);

    assert_int_equal(dnp3_master_restart(mh.a, false, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C7 0D");
    mh_respond("C7 81 00 00 34 01 07 01 FE CA");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh_last_user()->restart_delay_ms, 0xCAFE * 1000u);
    assert_int_equal(dnp3_master_restart(mh.a, true, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C8 0E");
    mh_respond("C8 81 00 00 34 02 07 01 FE CA");
    assert_int_equal(mh_last_user()->restart_delay_ms, 0xCAFE);
    assert_int_equal(dnp3_master_restart(mh.a, false, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C9 0D");
    mh_respond("C9 81 80 01"); /* unsupported */
    assert_int_equal(mh_last_user()->result, DNP3_TASK_REJECTED);
    mh_drop_requests();
}

static void write_read_attributes_request(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(
        dnp3_master_write_octet_string(mh.a, 2, (const uint8_t *)"hello", 5, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 02 6E 05 17 01 02 68 65 6C 6C 6F");
    mh_respond("C0 81 00 00");
    assert_int_equal(mh_last_user()->kind, DNP3_TASK_WRITE);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(dnp3_master_write_octet_string(mh.a, 700, (const uint8_t *)"x", 1, NULL, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C1 02 6E 01 28 01 00 BC 02 78");
    mh_respond("C1 81 00 00");
    assert_int_equal(dnp3_master_write_octet_string(mh.a, 2, (const uint8_t *)"x", 0, NULL, NULL, mh.now),
                     DNP3_ERR_INVALID_ARG);

    assert_int_equal(dnp3_master_read_attributes(mh.a, 0, 254, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C2 01 00 FE 00 00 00");
    size_t before = mh.meas_count;
    mh_respond("C2 81 00 00 00 FC 00 00 00 01 04 41 63 6D 65" /* manufacturer VSTR "Acme" */
               " 00 F0 00 00 00 02 02 00 08"                  /* max tx fragment UINT 2048 */
               " 00 CC 00 00 00 03 01 FE"                     /* altitude INT -2 (v204) */
               " 00 CD 00 00 00 04 04 00 00 20 41");          /* longitude FLT 10.0 (v205) */
    assert_int_equal(mh_last_user()->kind, DNP3_TASK_READ_ATTRIBUTES);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    const mh_meas_rec *r = &mh.meas[before];
    assert_int_equal(r[1].m.type, DNP3_POINT_DEVICE_ATTRIBUTE);
    assert_int_equal(r[1].m.variation, 252);
    assert_int_equal(r[1].m.attr_type, DNP3_ATTR_VSTR);
    assert_int_equal(r[1].m.octets_len, 4);
    assert_memory_equal(r[1].m.octets, "Acme", 4);
    assert_true(r[2].m.value == 2048);
    assert_true(r[3].m.value == -2);
    assert_true(r[4].m.value == 10.0);

    const uint8_t hdr[] = {30, 0, 0x01, 0, 0, 9, 0};
    assert_int_equal(dnp3_master_read(mh.a, hdr, sizeof hdr, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C3 01 1E 00 01 00 00 09 00");
    mh_respond("C3 81 00 00");
    const uint8_t bad[] = {30, 0, 0x01, 9, 0};
    assert_int_equal(dnp3_master_read(mh.a, bad, sizeof bad, NULL, NULL, mh.now), DNP3_ERR_INVALID_ARG);

    const uint8_t w[] = {0x50, 0x01, 0x00, 0x07, 0x07, 0x00};
    assert_int_equal(dnp3_master_write(mh.a, w, sizeof w, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C4 02 50 01 00 07 07 00");
    mh_respond("C4 81 00 00");

    assert_int_equal(dnp3_master_request(mh.a, DNP3_FC_INITIALIZE_APPLICATION, NULL, 0, mh_user_cb, NULL, mh.now),
                     DNP3_OK);
    mh_expect("C5 10");
    mh_respond("C5 81 00 01");
    assert_int_equal(mh_last_user()->kind, DNP3_TASK_REQUEST);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_REJECTED);
    assert_int_equal(dnp3_master_request(mh.a, DNP3_FC_CONFIRM, NULL, 0, NULL, NULL, mh.now),
                     DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_request(mh.a, DNP3_FC_SELECT, NULL, 0, NULL, NULL, mh.now), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_request(mh.a, 0x70, NULL, 0, NULL, NULL, mh.now), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_request(mh.a, DNP3_FC_DELAY_MEASURE, w, sizeof w, NULL, NULL, mh.now),
                     DNP3_ERR_INVALID_ARG);
}

static void unsolicited_on_demand(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(
        dnp3_master_set_unsolicited(mh.a, true, DNP3_CLASS_1 | DNP3_CLASS_3, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 14 3C 02 06 3C 04 06");
    mh_respond("C0 81 00 00");
    assert_int_equal(mh_last_user()->kind, DNP3_TASK_ENABLE_UNSOLICITED);
    assert_false(mh_last_user()->automatic);
    assert_int_equal(dnp3_master_set_unsolicited(mh.a, false, DNP3_CLASS_123, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C1 15 3C 02 06 3C 03 06 3C 04 06");
    mh_respond("C1 81 00 00");
    assert_int_equal(dnp3_master_set_unsolicited(mh.a, false, DNP3_CLASS_0, NULL, NULL, mh.now),
                     DNP3_ERR_INVALID_ARG);
}

static void user_tasks_before_polls_and_queue_limit(void **state)
{
    (void)state;
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = ac.startup_integrity = 0;
    ac.integrity_period_ms = 1000;
    mh_setup(&ac);
    mh_advance(1000);
    mh_expect("C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    /* while the poll runs, queue commands and another periodic poll comes due */
    dnp3_command c = dnp3_command_crob(1, DNP3_OP_LATCH_ON, 1, 0, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, mh_user_cb, NULL, mh.now),
                         DNP3_OK);
    assert_int_equal(dnp3_master_operate(mh.a, DNP3_CMD_DIRECT_OPERATE, 0, &c, 1, mh_user_cb, NULL, mh.now),
                     DNP3_ERR_STATE);
    mh_advance(1500);
    mh_expect_none(); /* one request outstanding */
    mh_respond("C0 81 00 00");
    for (int i = 1; i <= 4; i++) {
        char req[64], rsp[64];
        snprintf(req, sizeof req, "C%X 05 0C 01 28 01 00 01 00 03 01 00 00 00 00 00 00 00 00 00", i);
        snprintf(rsp, sizeof rsp, "C%X 81 00 00 0C 01 28 01 00 01 00 03 01 00 00 00 00 00 00 00 00", i);
        mh_expect(req);
        mh_respond(rsp);
    }
    /* the integrity period counts from the end of the last integrity poll (t = 2.5 s) */
    mh_expect_none();
    mh_advance(1000);
    mh_expect("C5 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    assert_int_equal(mh.user_count, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sbo_golden_frames),
        cmocka_unit_test(direct_operate_golden),
        cmocka_unit_test(direct_operate_no_ack),
        cmocka_unit_test(every_crob_operation),
        cmocka_unit_test(analog_outputs_every_variation),
        cmocka_unit_test(several_objects_mixed),
        cmocka_unit_test(operate_no_select_status),
        cmocka_unit_test(select_failure_stops),
        cmocka_unit_test(echo_mismatch),
        cmocka_unit_test(freeze_and_restart),
        cmocka_unit_test(write_read_attributes_request),
        cmocka_unit_test(unsolicited_on_demand),
        cmocka_unit_test(user_tasks_before_polls_and_queue_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
