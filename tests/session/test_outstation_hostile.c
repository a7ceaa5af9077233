/*
 * test_outstation_hostile.c - the input classes of the 2013-14 DNP3 fuzzing
 * advisories and DNP Users Group AN2013-004b, sent to the outstation at the
 * application layer: each is refused with the IIN2 bit docs/protocol-notes.md
 * §3.1 prescribes, nothing executes, and the very next valid request is answered
 * exactly as it would have been.
 */
#include "os_harness.h"

/* A valid READ g30v1 0..0 (points start with value 0, flags RESTART) and its exact answer. */
static void still_serves(harness *h, unsigned seq)
{
    char req[64], rsp[96];
    snprintf(req, sizeof req, "%02X 01 1E 01 00 00 00", 0xC0 | (seq & 15));
    snprintf(rsp, sizeof rsp, "%02X 81 00 00 1E 01 00 00 00 02 00 00 00 00", 0xC0 | (seq & 15));
    h_exchange(h, req, rsp);
}

static harness *start(void)
{
    static harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    return &h;
}

static void test_zero_length_octet_strings_with_huge_range(void **state)
{
    (void)state;
    harness *h = start();
    /* WRITE g110v0 (zero length) over 0..65535: PARAMETER_ERROR, nothing allocated or looped */
    h_exchange(h, "C1 02 6E 00 01 00 00 FF FF", "C1 81 00 04");
    still_serves(h, 2);
    /* READ of g110v0 over 0..65535 is a legal request for more points than exist */
    h_req(h, "C3 01 6E 00 01 00 00 FF FF");
    uint8_t out[70000];
    assert_true(h_take(h, out, sizeof out) >= 4);
    assert_int_equal(out[3] & 0x04, 0x04); /* IIN2.2: the range goes past the last point */
    still_serves(h, 4);
}

static void test_counts_that_overflow(void **state)
{
    (void)state;
    harness *h = start();
    /* 0xFFFFFFFF CROBs of 11 octets: the multiplication must not wrap */
    h_exchange(h, "C1 05 0C 01 39 FF FF FF FF 00 00 00 00 01 01 01 00 00 00 00 00 00 00 00", "C1 81 00 04");
    /* 0xFFFF objects of a count qualifier with 3 octets behind it */
    h_exchange(h, "C2 05 29 01 28 FF FF 00 00 01", "C2 81 00 04");
    /* start/stop ranges that overflow a 32-bit count */
    h_exchange(h, "C3 02 22 01 02 00 00 00 00 FF FF FF FF 00", "C3 81 00 04");
    assert_int_equal(h->crob_calls, 0);
    assert_int_equal(h->ao_calls, 0);
    still_serves(h, 4);
}

static void test_qualifiers_illegal_for_the_object(void **state)
{
    (void)state;
    harness *h = start();
    /* a CROB with "all objects": no data can follow -> NO_FUNC_CODE_SUPPORT (docs/protocol-notes.md §3.1) */
    h_exchange(h, "C1 05 0C 01 06", "C1 81 00 01");
    /* packed binary inputs with an index prefix */
    h_exchange(h, "C2 02 01 01 17 01 00 01", "C2 81 00 01");
    /* reserved range code and reserved prefix code */
    h_exchange(h, "C3 01 1E 01 0A", "C3 81 00 04");
    h_exchange(h, "C4 01 1E 01 70", "C4 81 00 04");
    /* stop < start */
    h_exchange(h, "C5 01 1E 01 00 05 03", "C5 81 00 04");
    still_serves(h, 6);
}

static void test_every_truncation_of_an_operate(void **state)
{
    (void)state;
    harness *h = start();
    static const char *const DO_CROB = "C0 05 0C 01 17 01 03 41 01 64 00 00 00 64 00 00 00 00";
    uint8_t full[64];
    size_t n = tu_hex(DO_CROB, full, sizeof full);
    unsigned seq = 1;
    for (size_t cut = 2; cut < n; cut++, seq++) {
        uint8_t req[64];
        memcpy(req, full, cut);
        req[0] = (uint8_t)(0xC0 | (seq & 15));
        assert_int_equal(dnp3_outstation_receive(h->os, req, cut, DNP3_BCAST_NONE, h->now), DNP3_OK);
        uint8_t out[512];
        size_t got = h_take(h, out, sizeof out);
        if (cut == 2) {
            assert_int_equal(got, 4); /* DIRECT_OPERATE without objects: nothing to do, no error */
            continue;
        }
        assert_int_equal(got, 4);                /* only a header: no echo of a half-parsed control */
        assert_int_equal(out[3] & 0x05, out[3]); /* only PARAMETER_ERROR or NO_FUNC_CODE_SUPPORT */
        assert_true(out[3] != 0);
    }
    assert_int_equal(h->crob_calls, 0); /* no truncation ever reached the control callback */
    /* the whole request executes once */
    char req[80];
    snprintf(req, sizeof req, "%02X%s", 0xC0 | (seq & 15), DO_CROB + 2);
    h_req(h, req);
    uint8_t out[512];
    assert_int_equal(h_take(h, out, sizeof out), 20); /* header + echo of the 16 object octets */
    assert_int_equal(out[19], DNP3_CS_SUCCESS);
    assert_int_equal(h->crob_calls, 1);
}

static void test_free_format_objects_with_lying_lengths(void **state)
{
    (void)state;
    harness *h = start();
    /* authentication requests are not supported here: the function is refused before parsing */
    h_exchange(h, "C1 20 78 01 5B 01 FF FF 01 02", "C1 81 00 01");
    h_exchange(h, "C2 20 78 0B 5B FF 00 00", "C2 81 00 01");
    /* the same lying g120 object inside a WRITE: parsed, refused */
    h_exchange(h, "C3 02 78 01 5B 01 FF FF 01 02", "C3 81 00 04");
    still_serves(h, 4);
}

static void test_thousands_of_headers(void **state)
{
    (void)state;
    harness *h = start();
    /* 682 "READ all binary inputs" headers fill a 2048-octet request */
    uint8_t req[2048];
    size_t n = 2;
    req[0] = 0xC1;
    req[1] = DNP3_FC_READ;
    while (n + 3 <= sizeof req) {
        req[n++] = 1;
        req[n++] = 0;
        req[n++] = 6;
    }
    assert_int_equal(dnp3_outstation_receive(h->os, req, n, DNP3_BCAST_NONE, h->now), DNP3_OK);
    uint8_t out[70000];
    size_t fragments = 0;
    int got;
    while ((got = dnp3_outstation_take(h->os, out, sizeof out, h->now)) > 0) {
        fragments++;
        assert_true(fragments < 1000); /* bounded */
        if (out[0] & DNP3_AC_CON) {    /* confirm each non-final fragment */
            uint8_t c[2] = {(uint8_t)(0xC0 | (out[0] & 15)), 0};
            dnp3_outstation_receive(h->os, c, 2, DNP3_BCAST_NONE, h->now);
        }
        if (out[0] & DNP3_AC_FIN) break;
    }
    assert_true(fragments >= 1);
    /* a 65,534-octet request of 21,844 headers, far beyond the configured 2048: refused, bounded */
    static uint8_t big[65534];
    big[0] = 0xC7;
    big[1] = DNP3_FC_READ;
    for (size_t i = 2; i + 3 <= sizeof big; i += 3) memcpy(big + i, req + 2, 3);
    assert_int_equal(dnp3_outstation_receive(h->os, big, sizeof big, DNP3_BCAST_NONE, h->now), DNP3_OK);
    assert_int_equal(dnp3_outstation_take(h->os, out, sizeof out, h->now), 0); /* dropped, not half-served */
    still_serves(h, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_length_octet_strings_with_huge_range),
        cmocka_unit_test(test_counts_that_overflow),
        cmocka_unit_test(test_qualifiers_illegal_for_the_object),
        cmocka_unit_test(test_every_truncation_of_an_operate),
        cmocka_unit_test(test_free_format_objects_with_lying_lengths),
        cmocka_unit_test(test_thousands_of_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
