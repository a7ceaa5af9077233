/*
 * test_master_units.c - pieces of src/master tested directly through the
 * internal header: the command encoder (header grouping, a 0x17 header split
 * at 255 objects, argument checks) and the request builder's class headers.
 */
#include <string.h>

#include "master/master_internal.h"
#include "testutil.h"

static void encode_groups_and_splits(void **state)
{
    (void)state;
    static uint8_t buf[8192];
    static dnp3_command cmds[300];
    for (int i = 0; i < 300; i++) cmds[i] = dnp3_command_crob((uint32_t)(i % 256), DNP3_OP_PULSE_ON, 1, 10, 20);
    size_t len = 0;
    assert_int_equal(dnp3_mst_command_encode(cmds, 300, DNP3_QUAL_COUNT_8_INDEX_8, buf, sizeof buf, &len),
                     DNP3_OK);
    /* AC FC, then g12v1 q17 count 255 (255 x 12 octets), then g12v1 q17 count 45 */
    assert_int_equal(len, 2 + 4 + 255 * 12 + 4 + 45 * 12);
    assert_hex(buf + 2, 4, "0C 01 17 FF");
    assert_hex(buf + 2 + 4 + 255 * 12, 4, "0C 01 17 2D");
    dnp3_apdu a = {0};
    a.function = DNP3_FC_SELECT;
    a.objects = buf + 2;
    a.objects_len = len - 2;
    assert_int_equal(dnp3_apdu_validate(&a, NULL), 2);

    /* the same with 0x28 fits one header */
    assert_int_equal(dnp3_mst_command_encode(cmds, 300, 0, buf, sizeof buf, &len), DNP3_OK);
    assert_int_equal(len, 2 + 5 + 300 * 13);
    assert_hex(buf + 2, 5, "0C 01 28 2C 01");

    /* too small a buffer, bad objects */
    assert_int_equal(dnp3_mst_command_encode(cmds, 300, 0, buf, 100, &len), DNP3_ERR_BUFFER_TOO_SMALL);
    dnp3_command bad = dnp3_command_crob(1, 1, 1, 0, 0);
    bad.variation = 2;
    assert_int_equal(dnp3_mst_command_encode(&bad, 1, 0, buf, sizeof buf, &len), DNP3_ERR_INVALID_ARG);
    bad = dnp3_command_analog(1, 5, 0);
    assert_int_equal(dnp3_mst_command_encode(&bad, 1, 0, buf, sizeof buf, &len), DNP3_ERR_INVALID_ARG);
    bad = dnp3_command_analog(70000, 1, 0);
    assert_int_equal(dnp3_mst_command_encode(&bad, 1, 0, buf, sizeof buf, &len), DNP3_ERR_INVALID_ARG);
    bad = dnp3_command_analog(1, 1, 0);
    assert_int_equal(dnp3_mst_command_encode(&bad, 1, 0x39, buf, sizeof buf, &len), DNP3_ERR_INVALID_ARG);
}

static void class_headers(void **state)
{
    (void)state;
    uint8_t buf[32];
    dnp3_apdu_writer w;
    assert_int_equal(dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC0, DNP3_FC_READ), DNP3_OK);
    assert_int_equal(dnp3_mst_write_class_headers(&w, DNP3_CLASS_ALL, true), DNP3_OK);
    assert_hex(buf, dnp3_apdu_writer_len(&w), "C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    assert_int_equal(dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC3, DNP3_FC_ENABLE_UNSOLICITED),
                     DNP3_OK);
    assert_int_equal(dnp3_mst_write_class_headers(&w, DNP3_CLASS_ALL, false), DNP3_OK);
    assert_hex(buf, dnp3_apdu_writer_len(&w), "C3 14 3C 02 06 3C 03 06 3C 04 06");
    assert_true(dnp3_mst_function_is_nr(DNP3_FC_DIRECT_OPERATE_NR));
    assert_true(dnp3_mst_function_is_nr(DNP3_FC_FREEZE_AT_TIME_NR));
    assert_false(dnp3_mst_function_is_nr(DNP3_FC_DIRECT_OPERATE));
}

static void hash_differs(void **state)
{
    (void)state;
    const uint8_t a[] = {0xF0, 0x82, 0x00, 0x00, 0x01};
    const uint8_t b[] = {0xF0, 0x82, 0x00, 0x00, 0x02};
    assert_true(mst_hash(a, sizeof a) != mst_hash(b, sizeof b));
    assert_true(mst_hash(a, sizeof a) == mst_hash(a, sizeof a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_groups_and_splits),
        cmocka_unit_test(class_headers),
        cmocka_unit_test(hash_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
