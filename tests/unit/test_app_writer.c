/*
 * test_app_writer.c - fragment writer and point codec: golden APDUs of
 * docs/protocol-notes.md §10 built byte-for-byte, and a write -> parse -> decode round
 * trip for every fixed-size and packed variation of the object table.
 */
#include <math.h>
#include <string.h>

#include "dnp3/writer.h"
#include "testutil.h"

static void test_golden_select_crob(void **state)
{
    (void)state; /* B2: SELECT g12v1 q17 idx 3 PULSE_ON count 1 on 1 off 1 */
    uint8_t buf[64];
    dnp3_apdu_writer w;
    dnp3_hdr_mark m;
    assert_int_equal(dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC0, DNP3_FC_SELECT), DNP3_OK);
    assert_int_equal(dnp3_apdu_begin_indexed(&w, &m, 12, 1, DNP3_QUAL_COUNT_8_INDEX_8), DNP3_OK);
    dnp3_crob c = {DNP3_OP_PULSE_ON, 1, 1, 1, 0};
    assert_int_equal(dnp3_apdu_add_crob(&w, &m, 3, &c), DNP3_OK);
    assert_int_equal(dnp3_apdu_end(&w, &m), 1);
    assert_hex(buf, w.len, "C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00");
}

static void test_golden_static_response(void **state)
{
    (void)state; /* read g30v1 0..0 -> flags 01 value 42, qualifier 01 */
    uint8_t buf[64];
    dnp3_apdu_writer w;
    dnp3_hdr_mark m;
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, DNP3_IIN1_DEVICE_RESTART);
    assert_int_equal(dnp3_apdu_begin_range(&w, &m, 30, 1, 0), DNP3_OK);
    dnp3_point p = {.flags = DNP3_FLAG_ONLINE, .value = 42};
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 0, &p), DNP3_OK);
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C0 81 80 00 1E 01 01 00 00 00 00 01 2A 00 00 00");

    /* g1v2 1..3 with states 1,0,1 online -> 81 01 81 */
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, DNP3_IIN1_DEVICE_RESTART);
    dnp3_apdu_begin_range(&w, &m, 1, 2, 1);
    for (uint32_t i = 1; i <= 3; i++) {
        dnp3_point b = {.flags = DNP3_FLAG_ONLINE, .value = (i != 2)};
        assert_int_equal(dnp3_apdu_add_point(&w, &m, i, &b), DNP3_OK);
    }
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C0 81 80 00 01 02 01 01 00 03 00 81 01 81");

    /* g1v1 1..3 packed -> 05 */
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, DNP3_IIN1_DEVICE_RESTART);
    dnp3_apdu_begin_range(&w, &m, 1, 1, 1);
    for (uint32_t i = 1; i <= 3; i++) {
        dnp3_point b = {.value = (i != 2)};
        assert_int_equal(dnp3_apdu_add_point(&w, &m, i, &b), DNP3_OK);
    }
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C0 81 80 00 01 01 01 01 00 03 00 05");
}

static void test_golden_event_overflow(void **state)
{
    (void)state; /* SF iin.rs RESPONSE_WITH_OVERFLOW: g2v1 q28 x5 */
    uint8_t buf[64];
    dnp3_apdu_writer w;
    dnp3_hdr_mark m;
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xE0, DNP3_FC_RESPONSE,
                                   DNP3_IIN1_DEVICE_RESTART | DNP3_IIN2_EVENT_BUFFER_OVERFLOW);
    dnp3_apdu_begin_indexed(&w, &m, 2, 1, DNP3_QUAL_COUNT_16_INDEX_16);
    for (int i = 0; i < 5; i++) {
        dnp3_point p = {.flags = DNP3_FLAG_ONLINE, .value = (i % 2 == 0)};
        assert_int_equal(dnp3_apdu_add_point(&w, &m, 0, &p), DNP3_OK);
    }
    assert_int_equal(dnp3_apdu_end(&w, &m), 5);
    assert_hex(buf, w.len, "E0 81 80 08 02 01 28 05 00 00 00 81 00 00 01 00 00 81 00 00 01 00 00 81");
}

static void test_golden_headers(void **state)
{
    (void)state;
    uint8_t buf[64];
    dnp3_apdu_writer w;
    dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC3, DNP3_FC_READ);
    dnp3_apdu_header_all(&w, 60, 2);
    dnp3_apdu_header_all(&w, 60, 3);
    dnp3_apdu_header_all(&w, 60, 4);
    dnp3_apdu_header_all(&w, 60, 1);
    assert_hex(buf, w.len, "C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");

    dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC0, DNP3_FC_WRITE);
    dnp3_hdr_mark m;
    dnp3_apdu_begin_range(&w, &m, 80, 1, 7);
    dnp3_point z = {.value = 0};
    dnp3_apdu_add_point(&w, &m, 7, &z);
    dnp3_apdu_end(&w, &m);
    /* our writer uses qualifier 01; the parse must still give 7..7 */
    assert_hex(buf, w.len, "C0 02 50 01 01 07 00 07 00 00");

    dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC1, DNP3_FC_WRITE);
    dnp3_apdu_begin_count(&w, &m, 50, 1);
    dnp3_point t = {.time = 1614271096000ULL};
    dnp3_apdu_add_point(&w, &m, 0, &t);
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C1 02 32 01 07 01 C0 24 0E DA 77 01");

    uint32_t idx[] = {0x41, 0x43, 0x42};
    dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC0, DNP3_FC_READ);
    dnp3_apdu_header_indices(&w, 1, 0, idx, 3);
    assert_hex(buf, w.len, "C0 01 01 00 17 03 41 43 42");
    uint32_t big[] = {300};
    dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC0, DNP3_FC_READ);
    dnp3_apdu_header_indices(&w, 30, 0, big, 1);
    assert_hex(buf, w.len, "C0 01 1E 00 28 01 00 2C 01");
    dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0xC0, DNP3_FC_READ);
    dnp3_apdu_header_range(&w, 30, 0, 0, 9);
    dnp3_apdu_header_range(&w, 30, 0, 0, 300);
    dnp3_apdu_header_count(&w, 60, 2, 5);
    assert_hex(buf, w.len, "C0 01 1E 00 00 00 09 1E 00 01 00 00 2C 01 3C 02 07 05");
}

static void test_fragment_full(void **state)
{
    (void)state;
    uint8_t buf[4 + 7 + 5 * 3]; /* header, range header, room for 3 g30v1 objects */
    dnp3_apdu_writer w;
    dnp3_hdr_mark m;
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0);
    assert_int_equal(dnp3_apdu_begin_range(&w, &m, 30, 1, 10), DNP3_OK);
    uint32_t i = 10;
    dnp3_point p = {.flags = 1, .value = -5};
    while (dnp3_apdu_add_point(&w, &m, i, &p) == DNP3_OK) i++;
    assert_int_equal(i, 13);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, i, &p), DNP3_ERR_FRAGMENT_FULL);
    assert_int_equal(dnp3_apdu_end(&w, &m), 3);
    assert_int_equal(w.len, sizeof buf);
    dnp3_apdu a;
    assert_int_equal(dnp3_apdu_parse(buf, w.len, &a), DNP3_OK);
    assert_int_equal(dnp3_apdu_validate(&a, NULL), 1);
    /* no room for even a header: nothing is written */
    size_t before = w.len;
    assert_int_equal(dnp3_apdu_begin_range(&w, &m, 30, 1, 13), DNP3_ERR_FRAGMENT_FULL);
    assert_int_equal(w.len, before);
    /* an empty header is removed by end */
    uint8_t big[64];
    dnp3_apdu_writer_init_response(&w, big, sizeof big, 0xC0, DNP3_FC_RESPONSE, 0);
    dnp3_apdu_begin_range(&w, &m, 30, 1, 0);
    assert_int_equal(dnp3_apdu_end(&w, &m), 0);
    assert_int_equal(w.len, 4);
    /* non-consecutive index in a range header is refused */
    dnp3_apdu_begin_range(&w, &m, 30, 1, 0);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 5, &p), DNP3_ERR_INVALID_ARG);
    /* 255 objects fill a q17 header: the 256th asks for a new header */
    uint8_t huge[4096];
    dnp3_apdu_writer_init_response(&w, huge, sizeof huge, 0xC0, DNP3_FC_RESPONSE, 0);
    dnp3_apdu_begin_indexed(&w, &m, 2, 1, DNP3_QUAL_COUNT_8_INDEX_8);
    for (int k = 0; k < 255; k++) assert_int_equal(dnp3_apdu_add_point(&w, &m, 1, &p), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 1, &p), DNP3_ERR_STATE);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 1, &p), DNP3_ERR_STATE);
    /* ...and an index that does not fit an 8-bit prefix is refused */
    dnp3_apdu_writer_init_response(&w, huge, sizeof huge, 0xC0, DNP3_FC_RESPONSE, 0);
    dnp3_apdu_begin_indexed(&w, &m, 2, 1, DNP3_QUAL_COUNT_8_INDEX_8);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 256, &p), DNP3_ERR_INVALID_ARG);
}

/* A value that exercises the variation's field: integral, in range, and a time. */
static dnp3_point sample_point(const dnp3_obj_desc *d, uint32_t i)
{
    dnp3_point p = {0};
    p.flags = DNP3_FLAG_ONLINE;
    p.time = 1614271096000ULL + i;
    p.status = (uint8_t)(i % 19);
    switch (d->vtype) {
    case DNP3_VT_U16: p.value = 1000 + i; break;
    case DNP3_VT_U32: p.value = 4000000000.0 + i; break;
    case DNP3_VT_I16: p.value = -1000.0 - i; break;
    case DNP3_VT_I32: p.value = -2000000000.0 + i; break;
    case DNP3_VT_F32: p.value = 138.25 + i; break;
    case DNP3_VT_F64: p.value = 138000.125 + i; break;
    default: p.value = (d->point_type == DNP3_POINT_DOUBLE_BIT_INPUT) ? (i % 4) : (i % 2);
    }
    if (d->layout == DNP3_LAYOUT_F_T16) p.time = 500 + i;
    if (d->layout == DNP3_LAYOUT_CROB) p.crob = (dnp3_crob){0x41, 2, 100 + i, 200, 0};
    p.interval = 60000;
    p.units = 3;
    p.assoc = 7;
    if (d->layout == DNP3_LAYOUT_SEC_STAT || d->layout == DNP3_LAYOUT_SEC_STAT_T48) p.value = 123 + i;
    return p;
}

static void check_same(const dnp3_obj_desc *d, const dnp3_point *want, const dnp3_point *got)
{
    if (d->kind != DNP3_KIND_FIXED) {
        assert_true(got->value == want->value);
        return;
    }
    if (got->value != want->value && d->layout != DNP3_LAYOUT_CROB && d->layout != DNP3_LAYOUT_T48 &&
        d->layout != DNP3_LAYOUT_T48_U32 && d->layout != DNP3_LAYOUT_T48_U32_U8)
        fail_msg("g%uv%u: value %f, want %f", d->group, d->variation, got->value, want->value);
    if (got->has_flags) assert_int_equal(got->flags & 0x3F, want->flags & 0x3F);
    if (got->time_kind != DNP3_TIME_NONE) assert_int_equal(got->time, want->time);
    if (d->layout == DNP3_LAYOUT_CROB) {
        assert_int_equal(got->crob.code, want->crob.code);
        assert_int_equal(got->crob.count, want->crob.count);
        assert_int_equal(got->crob.on_ms, want->crob.on_ms);
        assert_int_equal(got->crob.off_ms, want->crob.off_ms);
        assert_int_equal(got->crob.status, want->crob.status);
    }
    if (d->layout == DNP3_LAYOUT_V_S || d->layout == DNP3_LAYOUT_S_V || d->layout == DNP3_LAYOUT_S_V_T48)
        assert_int_equal(got->status, want->status);
}

static void roundtrip(const dnp3_obj_desc *d, uint8_t qualifier)
{
    uint8_t buf[2048];
    dnp3_apdu_writer w;
    dnp3_hdr_mark m;
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0);
    int rc = qualifier == DNP3_QUAL_START_STOP_16
                 ? dnp3_apdu_begin_range(&w, &m, d->group, d->variation, 5)
                 : dnp3_apdu_begin_indexed(&w, &m, d->group, d->variation, qualifier);
    assert_int_equal(rc, DNP3_OK);
    dnp3_point in[9];
    for (uint32_t i = 0; i < 9; i++) {
        in[i] = sample_point(d, i);
        assert_int_equal(dnp3_apdu_add_point(&w, &m, 5 + i, &in[i]), DNP3_OK);
    }
    assert_int_equal(dnp3_apdu_end(&w, &m), 9);

    dnp3_apdu a;
    assert_int_equal(dnp3_apdu_parse(buf, w.len, &a), DNP3_OK);
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &a);
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 1);
    assert_int_equal(h.qualifier, qualifier);
    dnp3_obj_iter oi;
    dnp3_obj o;
    dnp3_obj_iter_init(&oi, &h);
    for (uint32_t i = 0; i < 9; i++) {
        assert_true(dnp3_obj_iter_next(&oi, &o));
        assert_int_equal(o.index, 5 + i);
        dnp3_point out;
        assert_int_equal(dnp3_point_decode(h.desc, o.data, o.size, o.bits, &out), DNP3_OK);
        check_same(d, &in[i], &out);
    }
    assert_false(dnp3_obj_iter_next(&oi, &o));
    assert_int_equal(dnp3_hdr_iter_next(&it, &h, NULL), 0);
}

static void test_roundtrip_every_variation(void **state)
{
    (void)state;
    size_t n;
    const dnp3_obj_desc *t = dnp3_obj_table(&n);
    int fixed = 0;
    for (size_t i = 0; i < n; i++) {
        const dnp3_obj_desc *d = &t[i];
        if (d->kind == DNP3_KIND_FIXED && d->layout != DNP3_LAYOUT_OPAQUE) {
            roundtrip(d, DNP3_QUAL_START_STOP_16);
            roundtrip(d, DNP3_QUAL_COUNT_16_INDEX_16);
            fixed++;
        } else if (d->kind == DNP3_KIND_PACKED_BIT || d->kind == DNP3_KIND_PACKED_DBIT) {
            roundtrip(d, DNP3_QUAL_START_STOP_16);
        }
    }
    assert_true(fixed > 100);
}

static void test_table(void **state)
{
    (void)state;
    size_t n;
    const dnp3_obj_desc *t = dnp3_obj_table(&n);
    for (size_t i = 1; i < n; i++) /* sorted, unique: lookup is a binary search */
        assert_true((t[i - 1].group << 8 | t[i - 1].variation) < (t[i].group << 8 | t[i].variation));
    for (size_t i = 0; i < n; i++) assert_ptr_equal(dnp3_obj_lookup(t[i].group, t[i].variation), &t[i]);
    /* sizes from docs/protocol-notes.md, section 4.1 */
    static const struct {
        uint8_t g, v, size;
    } SIZES[] = {
        {2, 2, 7},   {12, 1, 11}, {20, 1, 5},  {21, 5, 11},  {21, 6, 9},  {22, 6, 9},  {30, 6, 9},
        {31, 3, 11}, {32, 8, 15}, {34, 3, 4},  {40, 4, 9},   {41, 2, 3},  {43, 8, 15}, {50, 2, 10},
        {50, 4, 11}, {52, 2, 2},  {121, 1, 7}, {122, 2, 13}, {120, 3, 6}, {120, 4, 2},
    };
    for (size_t i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++) {
        const dnp3_obj_desc *d = dnp3_obj_lookup(SIZES[i].g, SIZES[i].v);
        assert_non_null(d);
        assert_int_equal(d->size, SIZES[i].size);
    }
    assert_non_null(dnp3_obj_lookup(110, 200));
    assert_int_equal(dnp3_obj_lookup(110, 200)->kind, DNP3_KIND_OCTET_STRING);
    assert_non_null(dnp3_obj_lookup(0, 252));
    assert_null(dnp3_obj_lookup(200, 0));
    assert_null(dnp3_obj_lookup(30, 7));
    assert_null(dnp3_obj_lookup(60, 0));
}

static void test_encode_limits(void **state)
{
    (void)state;
    uint8_t out[16];
    dnp3_point p = {.flags = DNP3_FLAG_ONLINE, .value = 70000};
    const dnp3_obj_desc *g30v2 = dnp3_obj_lookup(30, 2);
    dnp3_point_encode(g30v2, &p, out);
    assert_hex(out, 3, "21 FF 7F"); /* clamped to 32767, OVER_RANGE set */
    p.value = -1e12;
    dnp3_point_encode(dnp3_obj_lookup(30, 1), &p, out);
    assert_hex(out, 5, "21 00 00 00 80");
    p.value = NAN;
    dnp3_point_encode(dnp3_obj_lookup(30, 1), &p, out);
    assert_hex(out, 5, "21 00 00 00 00");
    p.value = 70000; /* 16-bit counters roll over */
    dnp3_point_encode(dnp3_obj_lookup(20, 2), &p, out);
    assert_hex(out, 3, "01 70 11");
    p.value = 2; /* double-bit DETERMINED_ON in bits 7..6 */
    p.flags = DNP3_FLAG_ONLINE;
    dnp3_point_encode(dnp3_obj_lookup(3, 2), &p, out);
    assert_hex(out, 1, "81");
    p.value = 1.5;
    dnp3_point_encode(dnp3_obj_lookup(30, 5), &p, out);
    assert_hex(out, 5, "01 00 00 C0 3F");
    char names[128];
    assert_string_equal(dnp3_flags_str(DNP3_POINT_ANALOG_INPUT, 0x23, names, sizeof names),
                        "ONLINE|RESTART|OVER_RANGE");
    assert_string_equal(dnp3_flags_str(DNP3_POINT_BINARY_INPUT, 0x81, names, sizeof names), "ONLINE|STATE");
    assert_string_equal(dnp3_flags_str(DNP3_POINT_BINARY_INPUT, 0x81, names, 8), "ONLINE");
    assert_string_equal(dnp3_command_status_name(8), "TOO_MANY_OPS");
    assert_string_equal(dnp3_fc_name(0x18), "RECORD_CURRENT_TIME");
    assert_null(dnp3_fc_name(0x70));
}

/* The smallest qualifier that fits (issue 11): 00 / 01 for ranges, 17 / 28 for index prefixes. */
static void test_auto_qualifiers(void **state)
{
    (void)state;
    uint8_t buf[4096];
    dnp3_apdu_writer w;
    dnp3_hdr_mark m;
    dnp3_point p = {.flags = DNP3_FLAG_ONLINE, .value = 1};
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0);
    assert_int_equal(dnp3_apdu_begin_range_auto(&w, &m, 30, 1, 3, 255), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 3, &p), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 4, &p), DNP3_OK);
    assert_int_equal(dnp3_apdu_end(&w, &m), 2);
    assert_hex(buf, w.len, "C0 81 00 00 1E 01 00 03 04 01 01 00 00 00 01 01 00 00 00");
    /* a range that may go past 255 keeps 16 bits */
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0);
    assert_int_equal(dnp3_apdu_begin_range_auto(&w, &m, 1, 2, 255, 256), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 255, &p), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 256, &p), DNP3_OK);
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C0 81 00 00 01 02 01 FF 00 00 01 81 81");
    /* an 8-bit range refuses index 256 */
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0);
    assert_int_equal(dnp3_apdu_begin_range_auto(&w, &m, 1, 2, 255, 255), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 255, &p), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 256, &p), DNP3_ERR_INVALID_ARG);
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C0 81 00 00 01 02 00 FF FF 81");
    /* packed bits with an 8-bit range */
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0);
    assert_int_equal(dnp3_apdu_begin_range_auto(&w, &m, 1, 1, 0, 9), DNP3_OK);
    for (uint32_t i = 0; i < 10; i++) assert_int_equal(dnp3_apdu_add_point(&w, &m, i, &p), DNP3_OK);
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C0 81 00 00 01 01 00 00 09 FF 03");
    /* events: 17 from a first index < 256, 28 beyond */
    dnp3_apdu_writer_init_response(&w, buf, sizeof buf, 0xC0, DNP3_FC_RESPONSE, 0);
    assert_int_equal(dnp3_apdu_begin_indexed_auto(&w, &m, 2, 1, 7), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 7, &p), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 300, &p), DNP3_ERR_INVALID_ARG);
    dnp3_apdu_end(&w, &m);
    assert_int_equal(dnp3_apdu_begin_indexed_auto(&w, &m, 2, 1, 300), DNP3_OK);
    assert_int_equal(dnp3_apdu_add_point(&w, &m, 300, &p), DNP3_OK);
    dnp3_apdu_end(&w, &m);
    assert_hex(buf, w.len, "C0 81 00 00 02 01 17 01 07 81 02 01 28 01 00 2C 01 81");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_select_crob),
        cmocka_unit_test(test_golden_static_response),
        cmocka_unit_test(test_golden_event_overflow),
        cmocka_unit_test(test_golden_headers),
        cmocka_unit_test(test_fragment_full),
        cmocka_unit_test(test_roundtrip_every_variation),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_encode_limits),
        cmocka_unit_test(test_auto_qualifiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
