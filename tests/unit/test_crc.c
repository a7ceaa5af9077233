/*
 * test_crc.c - CRC-16/DNP (IEEE 1815-2012 clause 9.2.4.3): known answers of
 * docs/protocol-notes.md §10.5, every slicing-table entry, and the fast implementation against
 * the bit-wise reference over every length and alignment.
 */
#include <string.h>

#include "dnp3/link.h"
#include "testutil.h"

static void test_known_answers(void **state)
{
    (void)state;
    uint8_t b[64];
    assert_int_equal(dnp3_crc16("123456789", 9), 0xEA82);
    assert_int_equal(dnp3_crc16_reference("123456789", 9), 0xEA82);

    size_t n = tu_hex("05 64 05 C0 01 00 00 04", b, sizeof b);
    assert_int_equal(dnp3_crc16(b, n), 0x21E9);
    assert_int_equal(dnp3_crc16_reference(b, n), 0x21E9);

    memset(b, 0, 5);
    assert_int_equal(dnp3_crc16(b, 5), 0xFFFF);
    assert_int_equal(dnp3_crc16_reference(b, 5), 0xFFFF);

    n = tu_hex("FF C9 05 0C 01 28 01 00 00 00 01 01 01 00 00 00", b, sizeof b);
    assert_int_equal(dnp3_crc16(b, n), 0xEF72);
    assert_int_equal(dnp3_crc16_reference(b, n), 0xEF72);

    /* empty input: register 0, complemented */
    assert_int_equal(dnp3_crc16(b, 0), 0xFFFF);
    assert_int_equal(dnp3_crc16_reference(b, 0), 0xFFFF);

    /* header CRCs of the golden link frames L2 and L8 (sent low octet first) */
    n = tu_hex("05 64 05 00 00 04 01 00", b, sizeof b);
    assert_int_equal(dnp3_crc16(b, n), 0xA619);
    n = tu_hex("05 64 05 C9 00 04 01 00", b, sizeof b);
    assert_int_equal(dnp3_crc16(b, n), 0x8198);
}

/* An 8-octet input with octet v at position j and zeros elsewhere selects exactly
 * one entry of each slicing table: this checks all 8 x 256 of them. */
static void test_every_table_entry(void **state)
{
    (void)state;
    for (int j = 0; j < 8; j++) {
        for (int v = 0; v < 256; v++) {
            uint8_t b[8] = {0};
            b[j] = (uint8_t)v;
            uint16_t want = dnp3_crc16_reference(b, 8);
            if (dnp3_crc16(b, 8) != want) fail_msg("position %d value %d", j, v);
            if (dnp3_crc16(b + j, 1) != dnp3_crc16_reference(b + j, 1)) fail_msg("single octet %d", v);
        }
    }
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void test_fast_matches_reference(void **state)
{
    (void)state;
    static uint8_t buf[1100];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)lcg(&seed);
    for (size_t align = 0; align < 8; align++)
        for (size_t n = 0; n <= 1024; n++)
            if (dnp3_crc16(buf + align, n) != dnp3_crc16_reference(buf + align, n))
                fail_msg("mismatch at align %zu length %zu", align, n);
}

/* Appending the CRC (low octet first) of the data gives a fixed residue, a
 * property of any CRC: one flipped bit anywhere must change the CRC. */
static void test_detects_single_bit_errors(void **state)
{
    (void)state;
    uint8_t b[16];
    for (int i = 0; i < 16; i++) b[i] = (uint8_t)(i * 37 + 1);
    uint16_t good = dnp3_crc16(b, sizeof b);
    for (int bit = 0; bit < 16 * 8; bit++) {
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(dnp3_crc16(b, sizeof b), good);
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_int_equal(dnp3_crc16(b, sizeof b), good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_every_table_entry),
        cmocka_unit_test(test_fast_matches_reference),
        cmocka_unit_test(test_detects_single_bit_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
