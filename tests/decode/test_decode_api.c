/*
 * test_decode_api.c - the decoder library's public API (dnp3/decode.h): octets and captures
 * decoded into text and JSON exactly as `dnp3 decode` prints them, problems counted, arguments
 * and options checked (an older, smaller options size gets defaults).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/decode.h"
#include "dnp3/types.h"
#include "testutil.h"

/* Runs fn into a memory stream and returns what it wrote (caller frees). */
static char *capture(long (*fn)(void *), void *arg, long *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *(FILE **)arg = f;
    *rc = fn(arg);
    fclose(f);
    return buf;
}

typedef struct {
    FILE *out;
    const uint8_t *data;
    size_t len;
    const dnp3_decode_options *o;
    const char *path;
} job;

static long octets(void *p)
{
    job *j = p;
    return dnp3_decode_octets(j->data, j->len, j->o, j->out);
}

static void test_link_frame_json(void **state)
{
    (void)state;
    uint8_t b[16];
    size_t n = tu_hex("05 64 05 C0 01 00 00 04 E9 21", b, sizeof b);
    dnp3_decode_options o;
    dnp3_decode_options_init(&o);
    o.json = true;
    job j = {NULL, b, n, &o, NULL};
    long rc;
    char *s = capture(octets, &j, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "{\"offset\":0,\"direction\":\"master->outstation\",\"src\":1024,\"dest\":1,\"link\":"
                           "{\"control\":192,\"function\":\"RESET_LINK_STATES\",\"prm\":true,\"fcb\":false,"
                           "\"fcv\":false}}\n");
    free(s);
}

static void test_apdu_text_and_problems(void **state)
{
    (void)state;
    uint8_t b[16];
    size_t n = tu_hex("C0 01 3C 02 06", b, sizeof b);
    dnp3_decode_options o;
    dnp3_decode_options_init(&o);
    o.apdu = true;
    job j = {NULL, b, n, &o, NULL};
    long rc;
    char *s = capture(octets, &j, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(s, "READ"));
    assert_non_null(strstr(s, "g60v2"));
    free(s);

    n = tu_hex("05 64 05 C0 01 00 00 04 E9 22", b, sizeof b); /* header CRC off by one */
    o.apdu = false;
    j.len = n;
    s = capture(octets, &j, &rc);
    assert_true(rc >= 1);
    assert_non_null(strstr(s, "CRC"));
    free(s);
}

static void test_arguments_and_sizes(void **state)
{
    (void)state;
    uint8_t b[4] = {0};
    dnp3_decode_options o;
    dnp3_decode_options_init(&o);
    assert_int_equal(o.size, sizeof o);
    assert_int_equal(o.levels, DNP3_DECODE_ALL);
    assert_int_equal(o.port, 20000);
    assert_int_equal(dnp3_decode_octets(b, sizeof b, &o, NULL), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_decode_octets(NULL, 3, &o, stdout), DNP3_ERR_INVALID_ARG);
    o.size = sizeof o + 4;
    assert_int_equal(dnp3_decode_octets(b, sizeof b, &o, stdout), DNP3_ERR_INVALID_ARG);
    o.size = 2;
    assert_int_equal(dnp3_decode_octets(b, sizeof b, &o, stdout), DNP3_ERR_INVALID_ARG);

    /* an older header that ended at `levels`: json, apdu and port take their defaults */
    uint8_t frame[16];
    size_t n = tu_hex("05 64 05 C0 01 00 00 04 E9 21", frame, sizeof frame);
    dnp3_decode_options_init(&o);
    o.json = true;
    o.size = offsetof(dnp3_decode_options, levels) + sizeof o.levels;
    job j = {NULL, frame, n, &o, NULL};
    long rc;
    char *s = capture(octets, &j, &rc);
    assert_int_equal(rc, 0);
    assert_true(s[0] != '{'); /* text, not JSON */
    free(s);

    unsigned lv = 0;
    assert_int_equal(dnp3_decode_levels_parse("link,app", &lv), DNP3_OK);
    assert_int_equal(lv, DNP3_DECODE_LINK | DNP3_DECODE_APP);
    assert_int_equal(dnp3_decode_levels_parse("frames", &lv), DNP3_ERR_INVALID_ARG);
}

static long capture_file(void *p)
{
    job *j = p;
    char err[256];
    long rc = dnp3_decode_capture(j->path, j->o, j->out, err, sizeof err);
    if (rc == DNP3_ERR_IO) assert_true(err[0] != 0);
    return rc;
}

static void test_capture(void **state)
{
    (void)state;
    dnp3_decode_options o;
    dnp3_decode_options_init(&o);
    o.json = true;
    job j = {NULL, NULL, 0, &o, DNP3_SOURCE_DIR "/tests/data/sample.pcap"};
    assert_true(dnp3_decode_is_capture(j.path));
    long rc;
    char *s = capture(capture_file, &j, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(s, "\"packet\":"));
    free(s);

    j.path = DNP3_SOURCE_DIR "/tests/data/no-such.pcap";
    assert_false(dnp3_decode_is_capture(j.path));
    s = capture(capture_file, &j, &rc);
    assert_int_equal(rc, DNP3_ERR_IO);
    free(s);
    j.path = DNP3_SOURCE_DIR "/README.md"; /* a file, not a capture */
    assert_false(dnp3_decode_is_capture(j.path));
    s = capture(capture_file, &j, &rc);
    assert_int_equal(rc, DNP3_ERR_IO);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_frame_json),
        cmocka_unit_test(test_apdu_text_and_problems),
        cmocka_unit_test(test_arguments_and_sizes),
        cmocka_unit_test(test_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
