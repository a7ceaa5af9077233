/*
 * test_outstation_counter_events.c - counter and frozen counter events (g22, g23) carry on the
 * wire exactly the octets the writer makes of the value the application gave, whatever double
 * dnp3_outstation_update accepted: the event buffer keeps only the 32-bit count (events.c), so
 * negative, fractional, NaN, infinite and beyond-32-bit values must still encode as the codec
 * encodes the double itself (rounded, clamped; 16-bit variations keep the low 16 bits). The
 * point keeps the double: dnp3_outstation_get returns it unchanged.
 */
#include <math.h>

#include "os_harness.h"

static const double VALUES[] = {
    0,           -0.0,         0.4,          0.5,          1.5,          2.5,          -0.4,
    -0.5,        -1,           -1e20,        65535,        65535.5,      65536,        65536.49,
    123456789.6, 4294967294.5, 4294967295.0, 4294967295.4, 4294967295.5, 4294967296.0, 4294967296.7,
    1e20,        NAN,          INFINITY,     -INFINITY,    1.0 / 3.0,    2147483648.5, 9007199254740993.0,
};

/* The object of the first header of the response to a READ of gG vV (all events). */
static void event_octets(harness *h, uint8_t group, uint8_t var, uint8_t *obj, size_t *size)
{
    char rq[64];
    snprintf(rq, sizeof rq, "C0 01 %02X %02X 06", group, var);
    h_req(h, rq);
    uint8_t out[4096];
    size_t n = h_take(h, out, sizeof out);
    dnp3_apdu a;
    assert_int_equal(dnp3_apdu_parse(out, n, &a), DNP3_OK);
    dnp3_hdr_iter hi;
    dnp3_obj_header hd;
    dnp3_hdr_iter_init(&hi, &a);
    assert_true(dnp3_hdr_iter_next(&hi, &hd, NULL) > 0);
    assert_int_equal(hd.group, group);
    assert_int_equal(hd.variation, var);
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_obj_iter_init(&oi, &hd);
    assert_true(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(o.index, 0);
    memcpy(obj, o.data, o.size);
    *size = o.size;
}

static void check_type(dnp3_os_type type, uint8_t group)
{
    static const uint8_t VARS[] = {1, 2, 5, 6};
    for (size_t i = 0; i < sizeof VALUES / sizeof VALUES[0]; i++) {
        for (size_t k = 0; k < sizeof VARS; k++) {
            harness h;
            dnp3_outstation_config c;
            h_config(&c);
            h_start(&h, &c);
            const dnp3_time48 t = 0x0123456789ABull;
            assert_int_equal(
                dnp3_outstation_update(h.os, type, 0, VALUES[i], DNP3_FLAG_ONLINE, t, DNP3_EVENT_FORCE), 1);
            double back = 0;
            assert_int_equal(dnp3_outstation_get(h.os, type, 0, &back, NULL, NULL), DNP3_OK);
            assert_memory_equal(&back, &VALUES[i], sizeof back); /* the point keeps the double, bit for bit */

            uint8_t got[32], want[32];
            size_t n = 0;
            event_octets(&h, group, VARS[k], got, &n);
            const dnp3_obj_desc *d = dnp3_obj_lookup(group, VARS[k]);
            assert_non_null(d);
            dnp3_point p;
            memset(&p, 0, sizeof p);
            p.has_flags = true;
            p.flags = DNP3_FLAG_ONLINE;
            p.value = VALUES[i];
            p.time = t;
            p.time_kind = DNP3_TIME_ABSOLUTE;
            assert_int_equal(dnp3_point_encode(d, &p, want), d->size);
            if (n != d->size || memcmp(got, want, n) != 0) {
                print_error("g%uv%u value %.17g: got %s", group, VARS[k], VALUES[i], tu_tohex(got, n));
                print_error(", the codec makes %s\n", tu_tohex(want, d->size));
                fail();
            }
        }
    }
}

static void test_counter_events_encode_the_given_double(void **state)
{
    (void)state;
    check_type(DNP3_OS_COUNTER, 22);
}

static void test_frozen_counter_events_encode_the_given_double(void **state)
{
    (void)state;
    check_type(DNP3_OS_FROZEN_COUNTER, 23);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_events_encode_the_given_double),
        cmocka_unit_test(test_frozen_counter_events_encode_the_given_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
