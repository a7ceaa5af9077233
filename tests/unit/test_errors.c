/*
 * test_errors.c - the library's error space (dnp3/types.h): every code has a name and a
 * text, lies in [DNP3_ERR_MIN, DNP3_ERR_MAX] away from errno and libuv codes, the fatal
 * threshold sorts the codes, and foreign codes are never described as ours.
 */
#include <string.h>

#include "dnp3/types.h"
#include "testutil.h"

static const int CODES[] = {
    DNP3_ERR_INVALID_ARG,
    DNP3_ERR_BUFFER_TOO_SMALL,
    DNP3_ERR_FRAGMENT_FULL,
    DNP3_ERR_STATE,
    DNP3_ERR_CONFIG,
    DNP3_ERR_LINK_BAD_START,
    DNP3_ERR_LINK_BAD_LENGTH,
    DNP3_ERR_LINK_BAD_HEADER_CRC,
    DNP3_ERR_LINK_BAD_BODY_CRC,
    DNP3_ERR_LINK_TRUNCATED,
    DNP3_ERR_APP_TRUNCATED,
    DNP3_ERR_APP_UNKNOWN_OBJECT,
    DNP3_ERR_APP_BAD_QUALIFIER,
    DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED,
    DNP3_ERR_APP_BAD_RANGE,
    DNP3_ERR_APP_COUNT_TOO_LARGE,
    DNP3_ERR_APP_ZERO_LENGTH,
    DNP3_ERR_APP_BAD_HEADER,
    DNP3_ERR_APP_VARIATION_ZERO,
    DNP3_ERR_APP_UNEXPECTED_DATA,
    DNP3_ERR_APP_BAD_VALUE,
    DNP3_ERR_APP_OBJECT_NOT_ALLOWED,
    DNP3_ERR_CRYPTO,
    DNP3_ERR_IO,
    DNP3_ERR_IO_ADDRESS,
    DNP3_ERR_IO_ADDR_IN_USE,
    DNP3_ERR_IO_ADDR_NOT_AVAILABLE,
    DNP3_ERR_IO_CONNECTION_REFUSED,
    DNP3_ERR_IO_NOT_CONNECTED,
    DNP3_ERR_IO_TIMED_OUT,
    DNP3_ERR_IO_PERMISSION,
    DNP3_ERR_IO_TLS,
    DNP3_ERR_NOMEM,
    DNP3_ERR_LINK_CLOSED,
};
#define NCODES (sizeof CODES / sizeof CODES[0])

static void test_every_code_named_and_in_range(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCODES; i++) {
        int c = CODES[i];
        assert_true(c >= DNP3_ERR_MIN && c <= DNP3_ERR_MAX);
        const char *name = dnp3_err_name(c);
        assert_true(strncmp(name, "DNP3_ERR_", 9) == 0);
        assert_string_not_equal(name, "DNP3_ERR_UNKNOWN");
        assert_string_not_equal(dnp3_strerror(c), "unknown error");
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(CODES[j], c);
            assert_string_not_equal(dnp3_err_name(CODES[j]), name);
        }
    }
    assert_string_equal(dnp3_err_name(DNP3_OK), "DNP3_OK");
}

/* errno values and libuv's codes (-errno, UV_EOF = -4095, UV_EAI_* around -3000) are not ours */
static void test_foreign_codes_unknown(void **state)
{
    (void)state;
    for (int c = -4096; c < 0; c++) {
        assert_string_equal(dnp3_err_name(c), "DNP3_ERR_UNKNOWN");
        assert_string_equal(dnp3_strerror(c), "unknown error");
        assert_false(dnp3_err_is_fatal(c));
    }
    assert_false(dnp3_err_is_fatal(DNP3_ERR_MIN - 1));
}

static void test_fatal_threshold(void **state)
{
    (void)state;
    assert_true(dnp3_err_is_fatal(DNP3_ERR_NOMEM));
    assert_true(dnp3_err_is_fatal(DNP3_ERR_LINK_CLOSED));
    size_t fatal = 0;
    for (size_t i = 0; i < NCODES; i++) fatal += dnp3_err_is_fatal(CODES[i]);
    assert_int_equal(fatal, 2);
    assert_false(dnp3_err_is_fatal(DNP3_OK));
    assert_false(dnp3_err_is_fatal(DNP3_ERR_INVALID_ARG));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_named_and_in_range),
        cmocka_unit_test(test_foreign_codes_unknown),
        cmocka_unit_test(test_fatal_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
