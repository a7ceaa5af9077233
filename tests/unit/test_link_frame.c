/*
 * test_link_frame.c - FT3 frame format and single-frame parse (IEEE 1815-2012
 * clause 9.2.4): every golden frame of docs/protocol-notes.md §10.1/10.2 parses to the expected
 * fields and formats back byte for byte; L10/L11 and body-CRC errors with their
 * offsets; truncation; argument checks; function names.
 */
#include <string.h>

#include "dnp3/link.h"
#include "link_vectors.h"
#include "testutil.h"

static void test_frame_size(void **state)
{
    (void)state;
    assert_int_equal(dnp3_link_frame_size(0), 10);
    assert_int_equal(dnp3_link_frame_size(1), 13);
    assert_int_equal(dnp3_link_frame_size(15), 27);
    assert_int_equal(dnp3_link_frame_size(16), 28);
    assert_int_equal(dnp3_link_frame_size(17), 31);
    assert_int_equal(dnp3_link_frame_size(78), 10 + 78 + 10);
    assert_int_equal(dnp3_link_frame_size(250), 292);
    assert_int_equal(dnp3_link_frame_size(251), 0);
}

static void test_golden_parse_and_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < LINK_VECTOR_COUNT; i++) {
        const link_vector *v = &LINK_VECTORS[i];
        uint8_t wire[300], user[300], scratch[DNP3_LINK_MAX_USER_DATA], out[300];
        size_t n = tu_hex(v->hex, wire, sizeof wire);
        size_t un = tu_hex(v->user, user, sizeof user);
        dnp3_link_frame f;
        size_t off = 99;
        int rc = dnp3_link_parse(wire, n, scratch, &f, &off);
        if (rc != (int)n) fail_msg("%s: parse returned %d (%s)", v->name, rc, dnp3_err_name(rc));
        assert_int_equal(off, 99); /* untouched on success */
        assert_int_equal(f.control, v->control);
        assert_int_equal(f.dest, v->dest);
        assert_int_equal(f.src, v->src);
        assert_int_equal(f.len, un);
        assert_ptr_equal(f.data, scratch);
        if (un) assert_memory_equal(f.data, user, un);
        assert_int_equal(dnp3_link_frame_size(un), n);

        rc = dnp3_link_format(out, sizeof out, v->control, v->dest, v->src, user, un);
        assert_int_equal(rc, (int)n);
        if (memcmp(out, wire, n) != 0) fail_msg("%s: format differs: %s", v->name, tu_tohex(out, n));
    }
}

static void test_format_d4_multi_block(void **state)
{
    (void)state;
    uint8_t apdu[100], out[DNP3_LINK_MAX_FRAME];
    size_t n = tu_hex("C1 E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 01 00 01 00 01 02 01 28 01 00 02 00"
                      " 01 02 01 28 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 02 28 01 00 01 00 01"
                      " 00 00 01 01 01 00 00 03 00 00 1E 02 01 00 00 01 00 01 00 00 01 00 00",
                      apdu, sizeof apdu);
    assert_int_equal(n, 78);
    int rc = dnp3_link_format(out, sizeof out, 0x73, 1024, 1, apdu, n);
    assert_int_equal(rc, 98);
    assert_hex(out, (size_t)rc,
               "05 64 53 73 00 04 01 00 03 FC"
               " C1 E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 05 24"
               " 01 00 01 00 01 02 01 28 01 00 02 00 01 02 01 28 B4 77"
               " 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 A5 25"
               " 02 28 01 00 01 00 01 00 00 01 01 01 00 00 03 00 2F AC"
               " 00 1E 02 01 00 00 01 00 01 00 00 01 00 00 16 ED");
}

static void test_format_header_only(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_int_equal(dnp3_link_format(out, sizeof out, 0xC0, 1, 1024, NULL, 0), 10);
    assert_hex(out, 10, "05 64 05 C0 01 00 00 04 E9 21");
    assert_int_equal(dnp3_link_format(out, sizeof out, 0x0B, 1, 1024, NULL, 0), 10);
    assert_hex(out, 10, "05 64 05 0B 01 00 00 04 64 40");
}

static void test_format_max_frame(void **state)
{
    (void)state;
    uint8_t data[DNP3_LINK_MAX_USER_DATA], out[DNP3_LINK_MAX_FRAME], scratch[DNP3_LINK_MAX_USER_DATA];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7);
    assert_int_equal(dnp3_link_format(out, sizeof out, 0x44, 1, 1024, data, sizeof data), 292);
    assert_int_equal(out[2], 0xFF);
    /* last block: 250 - 15 * 16 = 10 octets at 10 + 15 * 18 = 280, CRC at 290 */
    assert_memory_equal(out + 280, data + 240, 10);
    uint16_t crc = dnp3_crc16(data + 240, 10);
    assert_int_equal(out[290], crc & 0xFF);
    assert_int_equal(out[291], crc >> 8);
    dnp3_link_frame f;
    assert_int_equal(dnp3_link_parse(out, sizeof out, scratch, &f, NULL), 292);
    assert_int_equal(f.len, 250);
    assert_memory_equal(f.data, data, 250);
}

static void test_format_errors(void **state)
{
    (void)state;
    uint8_t data[260] = {0}, out[300];
    memset(out, 0xAA, sizeof out);
    assert_int_equal(dnp3_link_format(out, sizeof out, 0x44, 1, 2, data, 251), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_link_format(out, sizeof out, 0x44, 1, 2, NULL, 3), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_link_format(out, 9, 0x44, 1, 2, NULL, 0), DNP3_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(dnp3_link_format(out, 12, 0x44, 1, 2, data, 1), DNP3_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(dnp3_link_format(out, 291, 0x44, 1, 2, data, 250), DNP3_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(out[0], 0xAA); /* nothing written */
    assert_int_equal(dnp3_link_format(out, 13, 0x44, 1, 2, data, 1), 13);
}

static void expect_parse_error(const char *hex, int err, size_t want_off)
{
    uint8_t wire[300], scratch[DNP3_LINK_MAX_USER_DATA];
    size_t n = tu_hex(hex, wire, sizeof wire), off = 12345;
    dnp3_link_frame f;
    int rc = dnp3_link_parse(wire, n, scratch, &f, &off);
    if (rc != err) fail_msg("%s: got %s, want %s", hex, dnp3_err_name(rc), dnp3_err_name(err));
    assert_int_equal(off, want_off);
    /* the offset pointer is optional */
    assert_int_equal(dnp3_link_parse(wire, n, scratch, &f, NULL), err);
}

static void test_parse_errors(void **state)
{
    (void)state;
    /* L10: bad header CRC, named at the start of the header block */
    expect_parse_error("05 64 05 C0 01 00 00 04 E9 20", DNP3_ERR_LINK_BAD_HEADER_CRC, 0);
    /* L11: LENGTH 4 */
    expect_parse_error("05 64 04 C0 01 00 00 04 E9 21", DNP3_ERR_LINK_BAD_LENGTH, 2);
    expect_parse_error("05 64 00 C0 01 00 00 04 E9 21", DNP3_ERR_LINK_BAD_LENGTH, 2);
    /* start octets */
    expect_parse_error("06 64 05 C0 01 00 00 04 E9 21", DNP3_ERR_LINK_BAD_START, 0);
    expect_parse_error("05 65 05 C0 01 00 00 04 E9 21", DNP3_ERR_LINK_BAD_START, 1);
    expect_parse_error("64 05", DNP3_ERR_LINK_BAD_START, 0);
    expect_parse_error("05 00", DNP3_ERR_LINK_BAD_START, 1);
    expect_parse_error("05 64 04", DNP3_ERR_LINK_BAD_LENGTH, 2);
    /* D1 with a bad body CRC (9A FF): the only block starts at 10 */
    expect_parse_error("05 64 14 F3 01 00 00 04 0A 3B C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 9A FF",
                       DNP3_ERR_LINK_BAD_BODY_CRC, 10);
    /* D4 with one octet of the third block flipped: block 3 starts at 10 + 2 * 18 */
    expect_parse_error("05 64 53 73 00 04 01 00 03 FC"
                       " C1 E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 05 24"
                       " 01 00 01 00 01 02 01 28 01 00 02 00 01 02 01 28 B4 77"
                       " 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 21 A5 25"
                       " 02 28 01 00 01 00 01 00 00 01 01 01 00 00 03 00 2F AC"
                       " 00 1E 02 01 00 00 01 00 01 00 00 01 00 00 16 ED",
                       DNP3_ERR_LINK_BAD_BODY_CRC, 46);
    /* D4 with a bad CRC on the last (short) block at 10 + 4 * 18 = 82 */
    expect_parse_error("05 64 53 73 00 04 01 00 03 FC"
                       " C1 E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 05 24"
                       " 01 00 01 00 01 02 01 28 01 00 02 00 01 02 01 28 B4 77"
                       " 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 A5 25"
                       " 02 28 01 00 01 00 01 00 00 01 01 01 00 00 03 00 2F AC"
                       " 00 1E 02 01 00 00 01 00 01 00 00 01 00 00 16 EE",
                       DNP3_ERR_LINK_BAD_BODY_CRC, 82);
    /* truncation: the offset is the first missing octet */
    expect_parse_error("", DNP3_ERR_LINK_TRUNCATED, 0);
    expect_parse_error("05 64 05 C0 01 00 00 04 E9", DNP3_ERR_LINK_TRUNCATED, 9);
    expect_parse_error("05 64 08 C4 00 04 01 00 9A 19 C0 C0 18 D1", DNP3_ERR_LINK_TRUNCATED, 14);
}

static void test_parse_longer_buffer(void **state)
{
    (void)state;
    /* a buffer holding more than one frame: the first frame's size is returned */
    uint8_t wire[64], scratch[DNP3_LINK_MAX_USER_DATA];
    size_t n =
        tu_hex("05 64 08 C4 00 04 01 00 9A 19 C0 C0 18 D1 DB 05 64 05 C0 01 00 00 04 E9 21", wire, sizeof wire);
    dnp3_link_frame f;
    assert_int_equal(dnp3_link_parse(wire, n, scratch, &f, NULL), 15);
    assert_int_equal(f.len, 3);
    assert_hex(f.data, f.len, "C0 C0 18");
    assert_int_equal(dnp3_link_parse(wire + 15, n - 15, scratch, &f, NULL), 10);
    assert_int_equal(f.control, 0xC0);
    assert_int_equal(f.len, 0);
}

static void test_func_names(void **state)
{
    (void)state;
    assert_string_equal(dnp3_link_func_name(0xC0), "RESET_LINK_STATES");
    assert_string_equal(dnp3_link_func_name(0xE1), "RESET_USER_PROCESS");
    assert_string_equal(dnp3_link_func_name(0xD2), "TEST_LINK_STATES");
    assert_string_equal(dnp3_link_func_name(0xF3), "CONFIRMED_USER_DATA");
    assert_string_equal(dnp3_link_func_name(0x44), "UNCONFIRMED_USER_DATA");
    assert_string_equal(dnp3_link_func_name(0xC9), "REQUEST_LINK_STATUS");
    assert_string_equal(dnp3_link_func_name(0x45), "UNKNOWN");
    assert_string_equal(dnp3_link_func_name(0x00), "ACK");
    assert_string_equal(dnp3_link_func_name(0x10), "ACK");
    assert_string_equal(dnp3_link_func_name(0x81), "NACK");
    assert_string_equal(dnp3_link_func_name(0x0B), "LINK_STATUS");
    assert_string_equal(dnp3_link_func_name(0x0E), "NOT_FUNCTIONING");
    assert_string_equal(dnp3_link_func_name(0x0F), "NOT_SUPPORTED");
    assert_string_equal(dnp3_link_func_name(0x02), "UNKNOWN");
}

static void test_control_octet(void **state)
{
    (void)state;
    assert_int_equal(dnp3_link_control(true, true, DNP3_LINK_UNCONFIRMED_USER_DATA), 0xC4);
    assert_int_equal(dnp3_link_control(false, true, DNP3_LINK_UNCONFIRMED_USER_DATA), 0x44);
    assert_int_equal(dnp3_link_control(false, false, DNP3_LINK_LINK_STATUS), 0x0B);
    assert_int_equal(dnp3_link_control(true, false, DNP3_LINK_ACK), 0x80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_size),
        cmocka_unit_test(test_golden_parse_and_format),
        cmocka_unit_test(test_format_d4_multi_block),
        cmocka_unit_test(test_format_header_only),
        cmocka_unit_test(test_format_max_frame),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_longer_buffer),
        cmocka_unit_test(test_func_names),
        cmocka_unit_test(test_control_octet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
