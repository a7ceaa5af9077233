/*
 * test_outstation_deadband.c - analog event detection against the deadband
 * (IEEE 1815-2012 clause A.30 "analog input deadband"): the reference is the
 * last reported value, and a value set without an event (DNP3_EVENT_SUPPRESS,
 * e.g. the initial value) becomes the new reference.
 */
#include <stdlib.h>

#include "dnp3/outstation.h"
#include "testutil.h"

static dnp3_outstation *make(void **mem)
{
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    c.link_layer = false;
    c.types[DNP3_OS_ANALOG_INPUT].count = 2;
    c.types[DNP3_OS_ANALOG_INPUT].event_buffer = 10;
    c.types[DNP3_OS_ANALOG_INPUT].deadband = 1.0;
    size_t size = dnp3_outstation_memory_size(&c);
    *mem = aligned_alloc(64, (size + 63) / 64 * 64);
    dnp3_outstation *os = dnp3_outstation_init(*mem, size, &c, NULL, 0);
    assert_non_null(os);
    return os;
}

static void test_suppressed_value_is_the_reference(void **state)
{
    (void)state;
    void *mem;
    dnp3_outstation *os = make(&mem);
    /* initial value, no event */
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_ANALOG_INPUT, 0, 138.2, 1, 0, DNP3_EVENT_SUPPRESS), 0);
    /* within the deadband of the initial value: no event (it was measured against 0 before) */
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_ANALOG_INPUT, 0, 138.9, 1, 0, DNP3_EVENT_DETECT), 0);
    assert_int_equal(dnp3_outstation_event_count(os, DNP3_OS_ANALOG_INPUT), 0);
    /* beyond it: an event, and the reported value becomes the reference */
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_ANALOG_INPUT, 0, 139.3, 1, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_ANALOG_INPUT, 0, 140.2, 1, 0, DNP3_EVENT_DETECT), 0);
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_ANALOG_INPUT, 0, 140.4, 1, 0, DNP3_EVENT_DETECT), 1);
    /* a flags change is an event whatever the value */
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_ANALOG_INPUT, 0, 140.4, 3, 0, DNP3_EVENT_DETECT), 1);
    assert_int_equal(dnp3_outstation_event_count(os, DNP3_OS_ANALOG_INPUT), 3);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_suppressed_value_is_the_reference)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
