/*
 * test_outstation_read.c - READ on the outstation, hex in / hex out on a
 * virtual clock: golden pairs of docs/protocol-notes.md §10.3, default variations, class 0 /
 * integrity polls, ranges, index lists, out-of-range, multi-fragment
 * responses with confirms, device attributes, time and IIN objects, and the
 * IIN2 bits for bad functions, unknown objects and malformed requests.
 */
#include "os_harness.h"

static void set(harness *h, dnp3_os_type t, uint16_t i, double v, uint8_t flags)
{
    assert_true(dnp3_outstation_update(h->os, t, i, v, flags, 0, DNP3_EVENT_SUPPRESS) == 0);
}

/* docs/protocol-notes.md §10.3: read g30v1 0..0 and g30v0 0..0 (default variation g30v1) */
static void test_golden_analog(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    set(&h, DNP3_OS_ANALOG_INPUT, 0, 42, DNP3_FLAG_ONLINE);
    h_exchange(&h, "C0 01 1E 01 00 00 00", "C0 81 80 00 1E 01 00 00 00 01 2A 00 00 00");
    h_exchange(&h, "C0 01 1E 00 00 00 00", "C0 81 80 00 1E 01 00 00 00 01 2A 00 00 00");
}

/* docs/protocol-notes.md §10.3: read g1v2 1..3 and g1v0 1..3 (packed g1v1) */
static void test_golden_binary(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    set(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE);
    set(&h, DNP3_OS_BINARY_INPUT, 2, 0, DNP3_FLAG_ONLINE);
    set(&h, DNP3_OS_BINARY_INPUT, 3, 1, DNP3_FLAG_ONLINE);
    h_exchange(&h, "C0 01 01 02 01 01 00 03 00", "C0 81 80 00 01 02 00 01 03 81 01 81");
    h_exchange(&h, "C0 01 01 00 01 01 00 03 00", "C0 81 80 00 01 01 00 01 03 05");
}

static void small_db(dnp3_outstation_config *c)
{
    h_config(c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c->types[t].count = 1;
    c->types[DNP3_OS_BINARY_INPUT].count = 2;
}

static void fill_small_db(harness *h)
{
    set(h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE);
    set(h, DNP3_OS_BINARY_INPUT, 1, 0, DNP3_FLAG_ONLINE);
    set(h, DNP3_OS_DOUBLE_BIT_INPUT, 0, DNP3_DBIT_DETERMINED_ON, DNP3_FLAG_ONLINE);
    set(h, DNP3_OS_BINARY_OUTPUT_STATUS, 0, 1, DNP3_FLAG_ONLINE);
    set(h, DNP3_OS_COUNTER, 0, 5, DNP3_FLAG_ONLINE);
    set(h, DNP3_OS_ANALOG_INPUT, 0, -3, DNP3_FLAG_ONLINE);
    set(h, DNP3_OS_ANALOG_OUTPUT_STATUS, 0, 7, DNP3_FLAG_ONLINE);
    uint8_t ab[] = {0x41, 0x42};
    assert_int_equal(dnp3_outstation_update_octets(h->os, 0, ab, 2, 0, DNP3_EVENT_SUPPRESS), 0);
}

#define SMALL_DB_STATIC                                                                                           \
    "01 01 00 00 01 01 "             /* g1v1 0..1: 1, 0 */                                                        \
    "03 02 00 00 00 81 "             /* g3v2 0: ONLINE, DETERMINED_ON */                                          \
    "0A 02 00 00 00 81 "             /* g10v2 0: ONLINE, on */                                                    \
    "14 01 00 00 00 01 05 00 00 00 " /* g20v1 0: 5 */                                                             \
    "15 01 00 00 00 02 00 00 00 00 " /* g21v1 0: never frozen, RESTART */                                         \
    "1E 01 00 00 00 01 FD FF FF FF " /* g30v1 0: -3 */                                                            \
    "28 01 00 00 00 01 07 00 00 00 " /* g40v1 0: 7 */                                                             \
    "6E 02 00 00 00 41 42 "          /* g110v2 0: "AB" */                                                         \
    "1F 01 00 00 00 02 00 00 00 00"  /* g31v1 0: never frozen, RESTART */

/* integrity poll (docs/protocol-notes.md §5.1): classes 1, 2, 3 then class 0, every type */
static void test_integrity_poll(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    small_db(&c);
    h_start(&h, &c);
    fill_small_db(&h);
    h_exchange(&h, "C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06", "C0 81 80 00 " SMALL_DB_STATIC);
    h_exchange(&h, "C1 01 3C 01 06", "C1 81 80 00 " SMALL_DB_STATIC);
}

static void test_class0_excludes_types(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    small_db(&c);
    for (int t = DNP3_OS_DOUBLE_BIT_INPUT; t < DNP3_OS_TYPE_COUNT; t++) c.types[t].in_class0 = false;
    h_start(&h, &c);
    fill_small_db(&h);
    h_exchange(&h, "C0 01 3C 01 06", "C0 81 80 00 01 01 00 00 01 01");
    /* still readable by group */
    h_exchange(&h, "C1 01 14 00 06", "C1 81 80 00 14 01 00 00 00 01 05 00 00 00");
}

/* Per-point class 0 membership (dnp3_outstation_set_class0): a run of points ends before a point
 * left out, which is still read by its group and still reports events. */
static void test_class0_per_point(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c.types[t].count = 0;
    c.types[DNP3_OS_BINARY_INPUT].count = 3;
    c.types[DNP3_OS_BINARY_INPUT].in_class0 = false; /* the type left out, one point put back */
    c.types[DNP3_OS_ANALOG_INPUT].count = 5;
    h_start(&h, &c);
    h_clear_restart(&h);
    for (uint16_t i = 0; i < 3; i++)
        assert_int_equal(
            dnp3_outstation_update(h.os, DNP3_OS_BINARY_INPUT, i, 1, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS), 0);
    for (uint16_t i = 0; i < 5; i++)
        assert_int_equal(dnp3_outstation_update(h.os, DNP3_OS_ANALOG_INPUT, i, i * 10, DNP3_FLAG_ONLINE, 0,
                                                DNP3_EVENT_SUPPRESS),
                         0);
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_BINARY_INPUT, 2, 2, true), DNP3_OK);
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_ANALOG_INPUT, 1, 1, false), DNP3_OK);
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_ANALOG_INPUT, 3, 3, false), DNP3_OK);
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_ANALOG_INPUT, 3, 5, false), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_ANALOG_INPUT, 3, 2, false), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_TYPE_COUNT, 0, 0, false), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_set_class0(NULL, DNP3_OS_ANALOG_INPUT, 0, 0, false), DNP3_ERR_INVALID_ARG);
    h_exchange(&h, "C0 01 3C 01 06",
               "C0 81 00 00 "
               "01 01 00 02 02 01 "              /* g1v1 2 only */
               "1E 01 00 00 00 01 00 00 00 00 "  /* g30v1 0 */
               "1E 01 00 02 02 01 14 00 00 00 "  /* g30v1 2 (1 left out) */
               "1E 01 00 04 04 01 28 00 00 00"); /* g30v1 4 (3 left out) */
    /* a READ of the group reports every point */
    h_exchange(
        &h, "C1 01 1E 01 00 00 04",
        "C1 81 00 00 1E 01 00 00 04 01 00 00 00 00 01 0A 00 00 00 01 14 00 00 00 01 1E 00 00 00 01 28 00 00 "
        "00");
    /* and a point out of class 0 still makes events */
    h_update(&h, DNP3_OS_ANALOG_INPUT, 1, 11, DNP3_FLAG_ONLINE, 0);
    h_exchange(&h, "C2 01 3C 02 06", "E2 81 00 00 20 01 17 01 01 01 0B 00 00 00");
    h_req(&h, "C2 00");
    /* ASSIGN_CLASS changes the event class only, not class 0 membership */
    h_exchange(&h, "C3 16 3C 03 06 1E 00 06", "C3 81 00 00");
    h_exchange(&h, "C4 01 3C 01 06",
               "C4 81 00 00 01 01 00 02 02 01 1E 01 00 00 00 01 00 00 00 00 1E 01 00 02 02 01 14 00 00 00 "
               "1E 01 00 04 04 01 28 00 00 00");
    /* put back: one run again */
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_ANALOG_INPUT, 0, 4, true), DNP3_OK);
    assert_int_equal(dnp3_outstation_set_class0(h.os, DNP3_OS_BINARY_INPUT, 0, 2, false), DNP3_OK);
    h_exchange(
        &h, "C3 01 3C 01 06",
        "C3 81 00 00 1E 01 00 00 04 01 00 00 00 00 01 0B 00 00 00 01 14 00 00 00 01 1E 00 00 00 01 28 00 00 "
        "00");
}

static void test_static_variations(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    small_db(&c);
    h_start(&h, &c);
    fill_small_db(&h);
    h_exchange(&h, "C0 01 14 06 06", "C0 81 80 00 14 06 00 00 00 05 00");          /* g20v6 */
    h_exchange(&h, "C1 01 1E 02 06", "C1 81 80 00 1E 02 00 00 00 01 FD FF");       /* g30v2 */
    h_exchange(&h, "C2 01 1E 05 06", "C2 81 80 00 1E 05 00 00 00 01 00 00 40 C0"); /* g30v5 -3.0f */
    h_exchange(&h, "C3 01 03 01 06", "C3 81 80 00 03 01 00 00 00 02");             /* g3v1 packed */
    h_exchange(&h, "C4 01 0A 01 06", "C4 81 80 00 0A 01 00 00 00 01");             /* g10v1 packed */
    h_exchange(&h, "C5 01 28 02 06", "C5 81 80 00 28 02 00 00 00 01 07 00");       /* g40v2 */
    /* a per-point default */
    dnp3_os_point_config pc = {1, 4, 0, 0};
    assert_int_equal(dnp3_outstation_configure_point(h.os, DNP3_OS_ANALOG_INPUT, 0, &pc), DNP3_OK);
    h_exchange(&h, "C6 01 1E 00 06", "C6 81 80 00 1E 04 00 00 00 FD FF"); /* g30v4 */
    /* a variation the type does not have */
    h_exchange(&h, "C7 01 14 03 06", "C7 81 80 02");
}

static void test_index_lists(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    set(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE);
    set(&h, DNP3_OS_BINARY_INPUT, 3, 1, DNP3_FLAG_ONLINE);
    set(&h, DNP3_OS_ANALOG_INPUT, 5, 300, DNP3_FLAG_ONLINE);
    h_exchange(&h, "C0 01 01 02 17 02 03 01", "C0 81 80 00 01 02 17 02 03 81 01 81");
    h_exchange(&h, "C1 01 1E 02 28 02 00 05 00 00 00", "C1 81 80 00 1E 02 28 02 00 05 00 01 2C 01 00 00 02 00 00");
    /* docs/protocol-notes.md §10.2 D5: READ g1v0 by index 0x41, 0x43, 0x42 - none exists here */
    h_exchange(&h, "C0 01 01 00 17 03 41 43 42", "C0 81 80 04");
    /* packed variations by index list: answered with flags */
    h_exchange(&h, "C3 01 01 00 17 01 03", "C3 81 80 00 01 02 17 01 03 81");
    h_exchange(&h, "C4 01 01 01 28 01 00 01 00", "C4 81 80 00 01 02 28 01 00 01 00 81");
    h_exchange(&h, "C5 01 0A 00 17 01 00", "C5 81 80 00 0A 02 17 01 00 02");
    /* one missing among existing ones: answered partly, IIN2.2 */
    h_exchange(&h, "C2 01 01 02 17 02 03 41", "C2 81 80 04 01 02 17 01 03 81");
}

static void test_ranges_out_of_bounds(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 01 1E 01 00 08 0C", "C0 81 80 04 1E 01 00 08 09 02 00 00 00 00 02 00 00 00 00");
    h_exchange(&h, "C1 01 1E 01 00 0A 0C", "C1 81 80 04");
    /* stop < start: a parse error */
    h_exchange(&h, "C2 01 1E 01 00 05 02", "C2 81 80 04");
    /* count qualifier on static data is not supported */
    h_exchange(&h, "C3 01 1E 01 07 02", "C3 81 80 01");
}

static void test_empty_read_and_no_points(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    c.link_layer = false;
    h_start(&h, &c);
    h_exchange(&h, "C0 01", "C0 81 80 00");
    h_exchange(&h, "C1 01 3C 01 06 3C 02 06", "C1 81 80 00");
    h_exchange(&h, "C2 01 1E 00 06", "C2 81 80 00");
}

/* 100 analog inputs, 249-octet fragments: FIR/FIN/CON/SEQ across three fragments */
static void test_multi_fragment(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.max_tx_fragment = 249;
    c.types[DNP3_OS_ANALOG_INPUT].count = 100;
    h_start(&h, &c);
    for (uint16_t i = 0; i < 100; i++) set(&h, DNP3_OS_ANALOG_INPUT, i, i, DNP3_FLAG_ONLINE);
    h_req(&h, "C3 01 1E 00 06");
    uint8_t out[300];
    size_t n = h_take(&h, out, sizeof out);
    assert_int_equal(n, 4 + 5 + 48 * 5);
    assert_hex(out, 9, "A3 81 80 00 1E 01 00 00 2F"); /* FIR, CON, SEQ 3, points 0..47 (qualifier 00) */
    h_none(&h);
    h_req(&h, "C2 00"); /* wrong SEQ: ignored */
    h_none(&h);
    h_req(&h, "C3 00");
    n = h_take(&h, out, sizeof out);
    assert_hex(out, 9, "24 81 80 00 1E 01 00 30 5F"); /* CON, SEQ 4, 48..95 */
    h_req(&h, "C4 00");
    n = h_take(&h, out, sizeof out);
    assert_int_equal(n, 4 + 5 + 4 * 5);
    assert_hex(out, 9, "45 81 80 00 1E 01 00 60 63"); /* FIN, no CON, SEQ 5, 96..99 */
    assert_hex(out + n - 5, 5, "01 63 00 00 00");
    h_none(&h);
    /* a confirm timeout abandons the series */
    h_req(&h, "C6 01 1E 00 06");
    n = h_take(&h, out, sizeof out);
    assert_int_equal(out[0], 0xA6);
    assert_int_equal(dnp3_outstation_get_expiry(h.os), h.now + 5000);
    h_advance(&h, 5000);
    h_req(&h, "C6 00");
    h_none(&h);
    assert_int_equal(dnp3_outstation_get_expiry(h.os), DNP3_TSTAMP_NEVER);
    /* a new request abandons it too and is answered from its start */
    h_req(&h, "C7 01 1E 00 06");
    n = h_take(&h, out, sizeof out);
    h_req(&h, "C8 01 1E 02 00 00 01");
    h_expect(&h, "C8 81 80 00 1E 02 00 00 01 01 00 00 01 01 00");
    h_req(&h, "C7 00");
    h_none(&h);
    /* a confirm for a fragment not sent yet is ignored */
    h_req(&h, "C9 01 1E 00 06");
    h_req(&h, "C9 00");
    n = h_take(&h, out, sizeof out);
    assert_int_equal(out[0], 0xA9);
    h_none(&h);
}

static void test_device_attributes(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    h_config(&c);
    c.attr.vendor = "ACME";
    c.attr.model = "RTU-1";
    c.attr.sw_version = "0.1";
    h_start(&h, &c);
    h_exchange(&h, "C0 01 00 FC 00 00 00", "C0 81 80 00 00 FC 00 00 00 01 04 41 43 4D 45");
    h_exchange(&h, "C1 01 00 FA 00 00 00", "C1 81 80 00 00 FA 00 00 00 01 05 52 54 55 2D 31");
    h_exchange(&h, "C2 01 00 F2 00 00 00", "C2 81 80 00 00 F2 00 00 00 01 03 30 2E 31");
    h_exchange(&h, "C3 01 00 F0 00 00 00", "C3 81 80 00 00 F0 00 00 00 02 02 00 08");
    h_exchange(&h, "C4 01 00 EF 00 00 00", "C4 81 80 00 00 EF 00 00 00 02 01 0A"); /* 10 BI */
    h_exchange(&h, "C5 01 00 EE 00 00 00", "C5 81 80 00 00 EE 00 00 00 02 01 09"); /* max index 9 */
    h_exchange(&h, "C6 01 00 ED 00 00 00", "C6 81 80 00 00 ED 00 00 00 03 01 01"); /* BI events */
    h_exchange(&h, "C7 01 00 F7 00 00 00", "C7 81 80 02");                         /* no device name */
    h_exchange(&h, "C8 01 00 FC 00 01 01", "C8 81 80 02");                         /* set 1 */
    /* v255: the list; v254: everything, one header each */
    uint8_t out[4096];
    h_req(&h, "C9 01 00 FF 00 00 00");
    size_t n = h_take(&h, out, sizeof out);
    assert_hex(out, 11, "C9 81 80 00 00 FF 00 00 00 FE 36"); /* 27 attributes */
    assert_int_equal(n, 11 + 0x36);
    h_req(&h, "CA 01 00 FE 00 00 00");
    n = h_take(&h, out, sizeof out);
    dnp3_apdu a;
    assert_int_equal(dnp3_apdu_parse(out, n, &a), DNP3_OK);
    assert_int_equal(dnp3_apdu_validate(&a, NULL), 27);
    assert_hex(out + n - 11, 11, "00 FC 00 00 00 01 04 41 43 4D 45");
}

static void test_time_and_iin_objects(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h.utc = 0x0102030405ULL;
    h_exchange(&h, "C0 01 32 01 07 01", "C0 81 80 00 32 01 07 01 05 04 03 02 01 00");
    h_exchange(&h, "C1 01 50 01 00 00 0F", "C1 81 80 00 50 01 00 00 0F 80 00");
    h_exchange(&h, "C2 01 50 01 00 07 07", "C2 81 80 00 50 01 00 07 07 01");
    /* deadbands g34 of analog inputs */
    dnp3_os_point_config pc = {1, 0, 0, 2.5};
    assert_int_equal(dnp3_outstation_configure_point(h.os, DNP3_OS_ANALOG_INPUT, 1, &pc), DNP3_OK);
    h_exchange(&h, "C3 01 22 03 00 01 01", "C3 81 80 00 22 03 00 01 01 00 00 20 40");
}

/* docs/protocol-notes.md §10.3 "bad function", "unknown object"; docs/protocol-notes.md §3.1 SAVE_CONFIG */
static void test_iin2_bits(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_exchange(&h, "C0 70", "C0 81 80 01");
    h_exchange(&h, "C0 13", "C0 81 80 01");
    h_exchange(&h, "C0 01 C8 00", "C0 81 80 02");
    h_exchange(&h, "C1 01 C8 00 06", "C1 81 80 02");
    /* reserved qualifier, truncated header, objects after a function without objects */
    h_exchange(&h, "C2 01 01 02 0A", "C2 81 80 04");
    h_exchange(&h, "C3 01 1E 01 00 00", "C3 81 80 04");
    h_exchange(&h, "C4 17 01 00 06", "C4 81 80 04");
    /* responses and malformed requests are not answered */
    h_req(&h, "C0 81 00 00");
    h_req(&h, "80 01 3C 01 06"); /* FIR without FIN */
    h_req(&h, "D0 01 3C 01 06"); /* UNS on a READ */
    h_req(&h, "C0");
    h_none(&h);
}

/* READ g70v5 (file transport, handle 0x12345678, block 0): parsed, answered as an unsupported
 * object (IIN2.1), not as a parse error; the rest of the READ is answered (issue 11) */
static void test_read_file_transport_unsupported(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_exchange(&h, "C2 01 46 05 5B 01 08 00 78 56 34 12 00 00 00 00", "C2 81 00 02");
    set(&h, DNP3_OS_ANALOG_INPUT, 0, 42, DNP3_FLAG_ONLINE);
    h_exchange(&h, "C3 01 46 05 5B 01 08 00 78 56 34 12 00 00 00 00 1E 01 00 00 00",
               "C3 81 00 02 1E 01 00 00 00 01 2A 00 00 00");
    /* the other objects of Annex A the parser knows but the outstation does not serve */
    h_exchange(&h, "C4 01 66 01 06", "C4 81 00 02");          /* g102v1 UINT8 */
    h_exchange(&h, "C5 01 65 00 06", "C5 81 00 02");          /* g101v0: not a variation */
    h_exchange(&h, "C6 01 65 03 00 00 05", "C6 81 00 02");    /* g101v3 BCD large */
    h_exchange(&h, "C7 01 56 02 06 57 01 06", "C7 81 00 02"); /* data set characteristics, values */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_file_transport_unsupported),
        cmocka_unit_test(test_golden_analog),
        cmocka_unit_test(test_golden_binary),
        cmocka_unit_test(test_integrity_poll),
        cmocka_unit_test(test_class0_excludes_types),
        cmocka_unit_test(test_class0_per_point),
        cmocka_unit_test(test_static_variations),
        cmocka_unit_test(test_index_lists),
        cmocka_unit_test(test_ranges_out_of_bounds),
        cmocka_unit_test(test_empty_read_and_no_points),
        cmocka_unit_test(test_multi_fragment),
        cmocka_unit_test(test_device_attributes),
        cmocka_unit_test(test_time_and_iin_objects),
        cmocka_unit_test(test_iin2_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
