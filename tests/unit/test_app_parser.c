/*
 * test_app_parser.c - object-header parser (IEEE 1815-2012 clause 4.3) against
 * golden APDUs from docs/protocol-notes.md §10 and the hostile-input classes of
 * AN2013-004b: every failure must be the precise error at the precise offset.
 */
#include <string.h>

#include "dnp3/app.h"
#include "testutil.h"

typedef struct {
    dnp3_apdu apdu;
    uint8_t buf[4096];
    size_t len;
} frag;

static void load(frag *f, const char *hex)
{
    f->len = tu_hex(hex, f->buf, sizeof f->buf);
    assert_int_equal(dnp3_apdu_parse(f->buf, f->len, &f->apdu), DNP3_OK);
}

/* Validates and expects error `err` at objects-area offset `off`. */
static void expect_error(const char *hex, int err, size_t off)
{
    frag f;
    load(&f, hex);
    dnp3_parse_error e;
    int rc = dnp3_apdu_validate(&f.apdu, &e);
    if (rc != err) fail_msg("%s: got %s, want %s", hex, dnp3_err_name(rc), dnp3_err_name(err));
    assert_int_equal(e.err, err);
    assert_int_equal(e.offset, off);
}

static void test_integrity_poll(void **state)
{
    (void)state;
    frag f;
    load(&f, "C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    assert_int_equal(f.apdu.function, DNP3_FC_READ);
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_OK);
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &f.apdu);
    const uint8_t want_v[] = {2, 3, 4, 1};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
        assert_int_equal(h.group, 60);
        assert_int_equal(h.variation, want_v[i]);
        assert_true(h.all);
        assert_false(h.has_data);
        assert_int_equal(h.offset, (size_t)i * 3);
    }
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 0);
}

static void test_read_index_list(void **state)
{
    (void)state; /* D5: READ g1v0 q17 count 3 indices 0x41 0x43 0x42 */
    frag f;
    load(&f, "C0 01 01 00 17 03 41 43 42");
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    assert_int_equal(h.count, 3);
    assert_int_equal(h.prefix_width, 1);
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_obj_iter_init(&oi, &h);
    const uint32_t want[] = {0x41, 0x43, 0x42};
    for (int i = 0; i < 3; i++) {
        assert_true(dnp3_obj_iter_next(&oi, &o));
        assert_int_equal(o.index, want[i]);
        assert_null(o.data);
    }
    assert_false(dnp3_obj_iter_next(&oi, &o));
}

static void test_multi_header_response(void **state)
{
    (void)state; /* D4 from docs/protocol-notes.md: 4 x g2v1, 2 x g32v2, g1v1 packed, g30v2 range */
    frag f;
    load(&f, "E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 01 00 01 00 01 02 01 28 01 00 02 00 01 "
             "02 01 28 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 02 28 01 00 01 00 01 00 00 "
             "01 01 01 00 00 03 00 00 1E 02 01 00 00 01 00 01 00 00 01 00 00");
    assert_int_equal(f.apdu.iin, 0x0096);
    dnp3_parse_error e;
    assert_int_equal(dnp3_apdu_validate(&f.apdu, &e), 8);

    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_point p;
    dnp3_hdr_iter_init(&it, &f.apdu);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
        dnp3_obj_iter_init(&oi, &h);
        assert_true(dnp3_obj_iter_next(&oi, &o));
        assert_int_equal(o.index, i);
        assert_int_equal(dnp3_point_decode(h.desc, o.data, o.size, o.bits, &p), DNP3_OK);
        assert_int_equal(p.flags, 0x01);
        assert_int_equal(p.point_type, DNP3_POINT_BINARY_INPUT);
    }
    for (uint32_t i = 0; i < 2; i++) {
        assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
        assert_int_equal(h.group, 32);
        dnp3_obj_iter_init(&oi, &h);
        assert_true(dnp3_obj_iter_next(&oi, &o));
        assert_int_equal(o.index, i);
        assert_int_equal(dnp3_point_decode(h.desc, o.data, o.size, o.bits, &p), DNP3_OK);
        assert_true(p.value == 0.0);
    }
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1); /* g1v1 0..3 packed 00 */
    assert_int_equal(h.desc->kind, DNP3_KIND_PACKED_BIT);
    assert_int_equal(h.count, 4);
    assert_int_equal(h.data_len, 1);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1); /* g30v2 0..1 */
    dnp3_obj_iter_init(&oi, &h);
    int n = 0;
    while (dnp3_obj_iter_next(&oi, &o)) {
        assert_int_equal(o.index, (uint32_t)n++);
        assert_int_equal(o.size, 3);
    }
    assert_int_equal(n, 2);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 0);
}

static void test_packed_bits(void **state)
{
    (void)state; /* g1v1 range 1..3 with values 1,0,1 = one octet 05 */
    frag f;
    load(&f, "C0 81 80 00 01 01 01 01 00 03 00 05");
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_obj_iter_init(&oi, &h);
    const uint8_t want[] = {1, 0, 1};
    for (int i = 0; i < 3; i++) {
        assert_true(dnp3_obj_iter_next(&oi, &o));
        assert_int_equal(o.index, (uint32_t)i + 1);
        assert_int_equal(o.bits, want[i]);
    }
    assert_false(dnp3_obj_iter_next(&oi, &o));
    /* double-bit: g3v1 0..4 = states 1,2,3,0,2 -> 0x39 (00 11 10 01), 0x02 */
    load(&f, "C0 81 00 00 03 01 00 00 04 39 02");
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    dnp3_obj_iter_init(&oi, &h);
    const uint8_t want2[] = {1, 2, 3, 0, 2};
    for (int i = 0; i < 5; i++) {
        assert_true(dnp3_obj_iter_next(&oi, &o));
        assert_int_equal(o.bits, want2[i]);
    }
}

static void test_crob_and_time(void **state)
{
    (void)state; /* D7 DIRECT_OPERATE CROB; then WRITE g50v1 */
    frag f;
    load(&f, "C9 05 0C 01 28 01 00 00 00 01 01 01 00 00 00 00 00 00 00 00");
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_point p;
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    dnp3_obj_iter_init(&oi, &h);
    assert_true(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(o.index, 0);
    assert_int_equal(dnp3_point_decode(h.desc, o.data, o.size, 0, &p), DNP3_OK);
    assert_int_equal(p.crob.code, DNP3_OP_PULSE_ON);
    assert_int_equal(p.crob.count, 1);
    assert_int_equal(p.crob.on_ms, 1);
    assert_int_equal(p.crob.off_ms, 0);
    assert_int_equal(p.crob.status, DNP3_CS_SUCCESS);

    load(&f, "C1 02 32 01 07 01 C0 24 0E DA 77 01");
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    dnp3_obj_iter_init(&oi, &h);
    assert_true(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(dnp3_point_decode(h.desc, o.data, o.size, 0, &p), DNP3_OK);
    assert_int_equal(p.time, 1614271096000ULL);
    assert_int_equal(p.time_kind, DNP3_TIME_ABSOLUTE);
}

static void test_free_format_and_attributes(void **state)
{
    (void)state; /* g120v11 with 5B: one 12-octet object */
    frag f;
    load(&f, "C0 20 78 0B 5B 01 0C 00 04 03 00 04 00 6A 69 6D AA AA AA AA");
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    dnp3_obj_iter_init(&oi, &h);
    assert_true(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(o.size, 12);
    assert_int_equal(o.data[0], 0x04);
    assert_false(dnp3_obj_iter_next(&oi, &o));
    /* READ g70v5 5B: file handle 0x12345678, block 0 (file transfer): data even in a READ */
    load(&f, "C2 01 46 05 5B 01 08 00 78 56 34 12 00 00 00 00");
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    assert_true(h.has_data);
    dnp3_obj_iter_init(&oi, &h);
    assert_true(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(o.size, 8);
    assert_int_equal(o.data[3], 0x12);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 0);
    /* other qualifiers in a READ still name objects without data */
    load(&f, "C0 01 46 05 06");
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    assert_false(h.has_data);
    /* g0v252 manufacturer name "ACME" and g0v240 max tx fragment 2048 */
    load(&f, "C0 81 00 00 00 FC 00 00 00 01 04 41 43 4D 45 00 F0 00 00 00 02 02 00 08");
    assert_int_equal(dnp3_apdu_validate(&f.apdu, NULL), 2);
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    assert_int_equal(h.variation, 252);
    dnp3_obj_iter_init(&oi, &h);
    assert_true(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(o.size, 6);
    assert_memory_equal(o.data + 2, "ACME", 4);
}

/* READ g70v5 (file transport): the object names handle 0x12345678 and block 0 (issue 11) */
static void test_read_file_transport(void **state)
{
    (void)state;
    frag f;
    load(&f, "C2 01 46 05 5B 01 08 00 78 56 34 12 00 00 00 00");
    assert_int_equal(dnp3_apdu_validate(&f.apdu, NULL), 1);
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    assert_int_equal(h.group, 70);
    assert_int_equal(h.variation, 5);
    assert_true(h.has_data);
    assert_int_equal(h.count, 1);
    dnp3_obj_iter_init(&oi, &h);
    assert_true(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(o.size, 8);
    assert_memory_equal(o.data, "\x78\x56\x34\x12\x00\x00\x00\x00", 8);
    assert_false(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 0);
    /* the size prefix is checked as in any other function */
    expect_error("C2 01 46 05 5B 01 09 00 78 56 34 12 00 00 00 00", DNP3_ERR_APP_TRUNCATED, 4);
    /* READ keeps refusing data with other objects: a size prefix on g30v1 */
    expect_error("C2 01 1E 01 5B 01 05 00 01 00 00 00 00", DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, 2);
}

/* Objects of IEEE 1815-2012 Annex A added for issue 11: data sets (g85-g88), application
 * identifier (g90), active configuration status (g91), BCD (g101) and UINT8 (g102). */
static void expect_objects(const char *hex, uint8_t g, uint8_t v, uint32_t count, size_t data_len)
{
    frag f;
    load(&f, hex);
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &f.apdu);
    int rc = dnp3_hdr_iter_next(&it, &h, NULL);
    if (rc != 1) fail_msg("%s: rc %d", hex, rc);
    assert_int_equal(h.group, g);
    assert_int_equal(h.variation, v);
    assert_int_equal(h.count, count);
    assert_int_equal(h.data_len, data_len);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 0);
}

static void test_annex_a_objects(void **state)
{
    (void)state;
    /* free-format data-set objects in responses: count 1, a 2-octet size, the object (data_len:
     * the sized objects after the count octet) */
    expect_objects("C0 81 00 00 55 01 5B 01 04 00 03 01 00 00", 85, 1, 1, 6);
    expect_objects("C0 81 00 00 56 01 5B 01 04 00 03 02 00 00", 86, 1, 1, 6);
    expect_objects("C0 81 00 00 56 03 5B 01 05 00 01 01 02 1E 00", 86, 3, 1, 7);
    expect_objects("C0 81 00 00 57 01 5B 02 09 00 01 01 06 00 00 00 00 00 00 02 00 01 02", 87, 1, 2, 15);
    expect_objects("C0 82 00 00 58 01 5B 01 09 00 01 02 06 00 00 00 00 00 00", 88, 1, 1, 11);
    /* g86v2 characteristics: one octet per data set, the identifier as index */
    expect_objects("C0 81 00 00 56 02 00 00 01 13 0B", 86, 2, 2, 2);
    expect_objects("C0 81 00 00 56 02 17 01 05 13", 86, 2, 1, 2);
    /* READ of data set descriptors and present values: headers only */
    expect_objects("C0 01 56 02 06", 86, 2, 0, 0);
    expect_objects("C0 01 57 01 06", 87, 1, 0, 0);
    /* g90v1 application identifier in INITIALIZE_APPL (16): name "PLC" */
    expect_objects("C0 10 5A 01 5B 01 03 00 50 4C 43", 90, 1, 1, 5);
    /* g91v1 in the answer to ACTIVATE_CONFIG (31): delay 0, one element of length 1, status 0 */
    expect_objects("C0 81 00 00 5B 01 5B 01 07 00 00 00 00 00 01 01 00", 91, 1, 1, 9);
    /* g101 BCD small/medium/large and g102 UINT8, static ranges */
    expect_objects("C0 81 00 00 65 01 00 00 01 34 12 78 56", 101, 1, 2, 4);
    expect_objects("C0 81 00 00 65 02 00 03 03 78 56 34 12", 101, 2, 1, 4);
    expect_objects("C0 81 00 00 65 03 01 00 00 00 00 08 07 06 05 04 03 02 01", 101, 3, 1, 8);
    expect_objects("C0 81 00 00 66 01 00 00 02 01 02 FF", 102, 1, 3, 3);
    expect_objects("C0 01 66 01 00 00 02", 102, 1, 3, 0);
    /* sizes are enforced: g101v3 needs 8 octets, g86v2 an index prefix with a count */
    expect_error("C0 81 00 00 65 03 00 00 00 08 07 06", DNP3_ERR_APP_TRUNCATED, 5);
    expect_error("C0 81 00 00 5B 01 07 01 00 00 00 00 01 01 00", DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, 2);
    /* the table: kinds and sizes */
    assert_int_equal(dnp3_obj_lookup(101, 1)->size, 2);
    assert_int_equal(dnp3_obj_lookup(101, 2)->size, 4);
    assert_int_equal(dnp3_obj_lookup(101, 3)->size, 8);
    assert_int_equal(dnp3_obj_lookup(102, 1)->size, 1);
    assert_int_equal(dnp3_obj_lookup(86, 2)->size, 1);
    assert_int_equal(dnp3_obj_lookup(88, 1)->kind, DNP3_KIND_FREE_FORMAT);
    assert_true(dnp3_obj_lookup(88, 1)->event);
    assert_int_equal(dnp3_obj_lookup(90, 1)->kind, DNP3_KIND_FREE_FORMAT);
    assert_int_equal(dnp3_obj_lookup(91, 1)->kind, DNP3_KIND_FREE_FORMAT);
    assert_null(dnp3_obj_lookup(101, 4));
    assert_null(dnp3_obj_lookup(86, 4));
    assert_int_equal(dnp3_obj_lookup(101, 1)->point_type, DNP3_POINT_NONE); /* no new enumerator: ABI */
}

static void test_rejections(void **state)
{
    (void)state;
    /* unknown object g200v0 -> OBJECT_UNKNOWN */
    expect_error("C0 01 C8 00 06", DNP3_ERR_APP_UNKNOWN_OBJECT, 0);
    /* docs/protocol-notes.md §10.3: "C0 01 C8 00" stops before the qualifier; the object is still unknown */
    expect_error("C0 01 C8 00", DNP3_ERR_APP_UNKNOWN_OBJECT, 0);
    /* a known object cut before its qualifier is truncated */
    expect_error("C0 01 1E 01", DNP3_ERR_APP_TRUNCATED, 2);
    assert_int_equal(dnp3_parse_error_iin(DNP3_ERR_APP_UNKNOWN_OBJECT), DNP3_IIN2_OBJECT_UNKNOWN);
    /* stop < start */
    expect_error("C0 01 1E 01 00 05 03", DNP3_ERR_APP_BAD_RANGE, 3);
    /* reserved range code A and prefix 7 and bit 7 */
    expect_error("C0 01 1E 01 0A", DNP3_ERR_APP_BAD_QUALIFIER, 2);
    expect_error("C0 01 1E 01 77 01", DNP3_ERR_APP_BAD_QUALIFIER, 2);
    expect_error("C0 01 1E 01 86", DNP3_ERR_APP_BAD_QUALIFIER, 2);
    /* header cut inside its range field */
    expect_error("C0 01 1E 01 01 00", DNP3_ERR_APP_TRUNCATED, 4);
    /* zero-length octet string in a WRITE */
    expect_error("C0 02 6E 00 00 00 FF", DNP3_ERR_APP_ZERO_LENGTH, 1);
    /* g30v1 count 0xFFFFFFFF: the multiplication must not wrap */
    expect_error("C0 81 00 00 1E 01 09 FF FF FF FF 01 02 03", DNP3_ERR_APP_COUNT_TOO_LARGE, 7);
    /* range 0..65535 of g30v6 (9 octets each) with 3 octets of data */
    expect_error("C0 81 00 00 1E 06 01 00 00 FF FF 01 02 03", DNP3_ERR_APP_COUNT_TOO_LARGE, 7);
    /* truncated object: g30v1 0..1 needs 10 octets, 6 present */
    expect_error("C0 81 00 00 1E 01 00 00 01 01 2A 00 00 00 01", DNP3_ERR_APP_TRUNCATED, 5);
    /* index prefix with a start/stop range */
    expect_error("C0 81 00 00 1E 01 10 00 00 00 01 2A 00 00 00", DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, 2);
    /* packed bits with an index prefix */
    expect_error("C0 81 00 00 01 01 17 01 00 01", DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, 2);
    /* "all" qualifier where data must follow */
    expect_error("C0 81 00 00 1E 01 06", DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, 2);
    /* variation 0 and class objects in a response */
    expect_error("C0 81 00 00 1E 00 01 00 00 00 00", DNP3_ERR_APP_VARIATION_ZERO, 0);
    expect_error("C0 81 00 00 3C 01 06", DNP3_ERR_APP_OBJECT_NOT_ALLOWED, 0);
    /* objects after a function that takes none */
    expect_error("C0 0D 3C 01 06", DNP3_ERR_APP_UNEXPECTED_DATA, 0);
    /* free-format object whose size prefix lies (says 12, 4 present) */
    expect_error("C0 20 78 0B 5B 01 0C 00 04 03 00 04", DNP3_ERR_APP_TRUNCATED, 4);
    /* free-format object of size zero */
    expect_error("C0 20 78 0B 5B 01 00 00", DNP3_ERR_APP_ZERO_LENGTH, 4);
    /* free-format count 255 with 3 octets: bounded before walking */
    expect_error("C0 20 78 0B 5B FF 01 00 AA", DNP3_ERR_APP_TRUNCATED, 4);
    /* free-format without a size prefix */
    expect_error("C0 20 78 0B 07 01 AA", DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, 2);
    /* fixed object with a size prefix that disagrees with its size */
    expect_error("C0 05 0C 01 5B 01 0A 00 01 01 01 00 00 00 00 00 00 00", DNP3_ERR_APP_BAD_VALUE, 4);
    /* attribute whose length runs past the end */
    expect_error("C0 81 00 00 00 FC 00 00 00 01 09 41", DNP3_ERR_APP_TRUNCATED, 5);
    /* READ index list longer than the fragment */
    expect_error("C0 01 01 00 28 FF FF 01 00", DNP3_ERR_APP_COUNT_TOO_LARGE, 5);
}

/* An error is sticky: later calls return it again instead of looking like the end. */
static void test_error_sticky(void **state)
{
    (void)state;
    frag f;
    load(&f, "C0 01 3C 02 06 C8 00 06");
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &f.apdu);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), DNP3_ERR_APP_UNKNOWN_OBJECT);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), DNP3_ERR_APP_UNKNOWN_OBJECT);
}

/* Every truncation of valid fragments is rejected or parses a prefix, never reads past the end. */
static void test_every_truncation(void **state)
{
    (void)state;
    static const char *const GOOD[] = {
        "E3 81 96 00 02 01 28 01 00 00 00 01 20 02 28 01 00 00 00 01 00 00 01 01 01 00 00 03 00 00",
        "C0 20 78 0B 5B 01 0C 00 04 03 00 04 00 6A 69 6D AA AA AA AA",
        "C0 81 00 00 00 FC 00 00 00 01 04 41 43 4D 45",
        "C9 05 0C 01 28 01 00 00 00 01 01 01 00 00 00 00 00 00 00 00",
        "C0 01 01 00 17 03 41 43 42",
    };
    for (size_t g = 0; g < sizeof GOOD / sizeof GOOD[0]; g++) {
        uint8_t buf[256];
        size_t len = tu_hex(GOOD[g], buf, sizeof buf);
        for (size_t cut = 4; cut < len; cut++) {
            uint8_t *copy = test_malloc(cut); /* exact size: ASan catches any over-read */
            memcpy(copy, buf, cut);
            dnp3_apdu a;
            if (dnp3_apdu_parse(copy, cut, &a) == DNP3_OK) {
                dnp3_parse_error e;
                int rc = dnp3_apdu_validate(&a, &e);
                if (rc >= 0) {
                    /* a cut at a header boundary is a valid shorter fragment */
                    dnp3_hdr_iter it;
                    dnp3_obj_header h;
                    dnp3_hdr_iter_init(&it, &a);
                    while (dnp3_hdr_iter_next(&it, &h, NULL) > 0) {
                        dnp3_obj_iter oi;
                        dnp3_obj o;
                        dnp3_obj_iter_init(&oi, &h);
                        while (dnp3_obj_iter_next(&oi, &o))
                            if (o.data) assert_true(o.data + o.size <= copy + cut);
                    }
                } else {
                    assert_true(e.offset <= a.objects_len);
                }
            }
            test_free(copy);
        }
    }
}

static void test_control_rules(void **state)
{
    (void)state;
    frag f;
    load(&f, "80 01"); /* request without FIN */
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_ERR_APP_BAD_HEADER);
    load(&f, "D0 01"); /* request with UNS */
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_ERR_APP_BAD_HEADER);
    load(&f, "D0 00"); /* unsolicited confirm */
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_OK);
    load(&f, "C0 82 00 00"); /* unsolicited response without UNS */
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_ERR_APP_BAD_HEADER);
    load(&f, "F0 82 80 00");
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_OK);
    load(&f, "D0 81 00 00"); /* solicited response with UNS */
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_ERR_APP_BAD_HEADER);
    load(&f, "A0 81 00 00"); /* first fragment of several: FIR, CON, not FIN */
    assert_int_equal(dnp3_apdu_check_control(&f.apdu), DNP3_OK);
    dnp3_apdu a;
    uint8_t three[] = {0xC0, 0x81, 0x00};
    assert_int_equal(dnp3_apdu_parse(three, 3, &a), DNP3_ERR_APP_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integrity_poll),
        cmocka_unit_test(test_read_index_list),
        cmocka_unit_test(test_multi_header_response),
        cmocka_unit_test(test_packed_bits),
        cmocka_unit_test(test_crob_and_time),
        cmocka_unit_test(test_free_format_and_attributes),
        cmocka_unit_test(test_read_file_transport),
        cmocka_unit_test(test_annex_a_objects),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_error_sticky),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_control_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
