/*
 * test_outstation_write_octets.c - WRITE of g110 octet-string points (IEEE
 * 1815-2012 clause A.35): the value is stored, a change becomes a g111 event,
 * and a bad index or an over-long string is refused with IIN2.2 and changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "dnp3/outstation.h"
#include "testutil.h"

static dnp3_outstation *make(void **mem)
{
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    c.link_layer = false;
    c.types[DNP3_OS_OCTET_STRING].count = 2;
    c.types[DNP3_OS_OCTET_STRING].event_buffer = 4;
    c.octet_string_size = 8;
    size_t size = dnp3_outstation_memory_size(&c);
    *mem = aligned_alloc(64, (size + 63) / 64 * 64);
    dnp3_outstation *os = dnp3_outstation_init(*mem, size, &c, NULL, 0);
    assert_non_null(os);
    return os;
}

/* Sends a request and expects exactly one response fragment equal to `want`. */
static void exchange(dnp3_outstation *os, const char *req, const char *want)
{
    uint8_t in[256], out[4096];
    size_t n = tu_hex(req, in, sizeof in);
    assert_int_equal(dnp3_outstation_receive(os, in, n, DNP3_BCAST_NONE, 0), DNP3_OK);
    int got = dnp3_outstation_take(os, out, sizeof out, 0);
    assert_true(got > 0);
    assert_hex(out, (size_t)got, want);
}

static void test_write_octet_string(void **state)
{
    (void)state;
    void *mem;
    dnp3_outstation *os = make(&mem);
    /* clear DEVICE_RESTART so the IIN below is only what the writes cause */
    exchange(os, "C0 02 50 01 00 07 07 00", "C0 81 00 00");
    /* g110v5 q17 index 1 "HELLO" */
    exchange(os, "C1 02 6E 05 17 01 01 48 45 4C 4C 4F", "C1 81 02 00");
    exchange(os, "C2 01 6E 00 00 01 01", "C2 81 02 00 6E 05 00 01 01 48 45 4C 4C 4F");
    assert_int_equal(dnp3_outstation_event_count(os, DNP3_OS_OCTET_STRING), 1);
    /* an index that does not exist, and a string longer than 8: IIN2.2, nothing stored */
    exchange(os, "C3 02 6E 02 17 01 05 41 42", "C3 81 02 04");
    exchange(os, "C4 02 6E 09 17 01 00 41 41 41 41 41 41 41 41 41", "C4 81 02 04");
    assert_int_equal(dnp3_outstation_event_count(os, DNP3_OS_OCTET_STRING), 1);
    /* the same value again is no new event */
    exchange(os, "C5 02 6E 05 17 01 01 48 45 4C 4C 4F", "C5 81 02 00");
    assert_int_equal(dnp3_outstation_event_count(os, DNP3_OS_OCTET_STRING), 1);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_write_octet_string)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
