/*
 * test_outstation_file_auth.c - file transfer rules around the open handles, outstation side
 * (IEEE 1815-2012 group 70), exact octets on a virtual clock: AUTHENTICATE_FILE (function 29,
 * g70v2) trading a user name and password for the key that OPEN_FILE and DELETE_FILE must then
 * carry, and the open-file timeout (config.file_timeout_ms) answering HANDLE_EXPIRED (17).
 * Callbacks: tests/support/memfs.h.
 */
#include "memfs.h"
#include "os_harness.h"

static memfs fs;

static bool authenticate(void *ctx, const char *user, size_t ulen, const char *pass, size_t plen, uint32_t *key)
{
    (void)ctx;
    if (ulen == 2 && !memcmp(user, "op", 2) && plen == 6 && !memcmp(pass, "secret", 6)) {
        *key = 0x12345678;
        return true;
    }
    return false;
}

static void start(harness *h, uint32_t timeout_ms, bool auth)
{
    dnp3_outstation_config c;
    h_config(&c);
    c.file_timeout_ms = timeout_ms;
    memset(h, 0, sizeof *h);
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    memfs_free(&fs);
    memfs_install(&fs, &cb);
    if (auth) cb.file_authenticate = authenticate;
    h->os = dnp3_outstation_init(h_mem, sizeof h_mem, &c, &cb, h->now);
    assert_non_null(h->os);
    h_clear_restart(h);
    memfs_put(&fs, "a.txt", (const uint8_t *)"hello world", 11);
}

/* OPEN "a.txt" for READ, block 4, request ID 7, authentication key KEY (4 octets) */
#define OPEN_A(seq, key)                                                                                          \
    seq " 19 46 03 5B 01 1F 00 1A 00 05 00 00 00 00 00 00 00 00 00 " key                                          \
        " 00 00 00 00 01 00 04 00 07 00 61 2E 74 78 74"
#define OPEN_A_OK(seq) seq " 81 00 00 46 04 5B 01 0D 00 01 00 00 00 0B 00 00 00 04 00 07 00 00"
#define OPEN_A_DENIED(seq) seq " 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 07 00 01"
/* AUTHENTICATE_FILE user "op", password PASS (6 octets) */
#define AUTH(seq, pass) seq " 1D 46 02 5B 01 14 00 0C 00 02 00 0E 00 06 00 00 00 00 00 6F 70 " pass
#define AUTH_ANSWER(seq, key) seq " 81 00 00 46 02 5B 01 0C 00 00 00 00 00 00 00 00 00 " key
#define SECRET "73 65 63 72 65 74"
#define KEY "78 56 34 12"
#define NO_KEY "00 00 00 00"
/* DELETE "a.txt" with key KEY, request ID 9 */
#define DELETE_A(seq, key)                                                                                        \
    seq " 1B 46 03 5B 01 1F 00 1A 00 05 00 00 00 00 00 00 00 00 00 " key                                          \
        " 00 00 00 00 00 00 00 00 09 00 61 2E 74 78 74"

static void test_authenticate_then_open(void **state)
{
    (void)state;
    harness h;
    start(&h, 0, true);
    /* no key: PERMISSION_DENIED (1), the application is not asked */
    h_exchange(&h, OPEN_A("C0", NO_KEY), OPEN_A_DENIED("C0"));
    /* a wrong password: key 0 */
    h_exchange(&h, AUTH("C1", "73 65 63 72 65 75"), AUTH_ANSWER("C1", NO_KEY));
    h_exchange(&h, AUTH("C2", SECRET), AUTH_ANSWER("C2", KEY));
    h_exchange(&h, OPEN_A("C3", "78 56 34 13"), OPEN_A_DENIED("C3")); /* a key never issued */
    h_exchange(&h, OPEN_A("C4", KEY), OPEN_A_OK("C4"));
    h_exchange(&h, "C5 01 46 05 5B 01 08 00 01 00 00 00 00 00 00 00",
               "C5 81 00 00 46 05 5B 01 0C 00 01 00 00 00 00 00 00 00 68 65 6C 6C");
    /* DELETE needs the key too */
    h_exchange(&h, DELETE_A("C6", NO_KEY), "C6 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 09 00 01");
    assert_true(memfs_find(&fs, "a.txt", 5) >= 0);
    /* the key is forgotten with the connection */
    dnp3_outstation_set_online(h.os, false, h.now);
    dnp3_outstation_set_online(h.os, true, h.now);
    h_exchange(&h, OPEN_A("C7", KEY), OPEN_A_DENIED("C7"));
    /* a name running past the object: PARAMETER_ERROR */
    h_exchange(&h, "C8 1D 46 02 5B 01 0E 00 0C 00 09 00 00 00 00 00 00 00 00 00 6F 70", "C8 81 00 04");
    memfs_free(&fs);
}

static void test_without_authenticate_callback(void **state)
{
    (void)state;
    harness h;
    start(&h, 0, false);
    h_exchange(&h, AUTH("C0", SECRET), "C0 81 00 01");     /* NO_FUNC_CODE_SUPPORT */
    h_exchange(&h, OPEN_A("C1", NO_KEY), OPEN_A_OK("C1")); /* no key asked for */
    memfs_free(&fs);
}

static void test_open_file_timeout(void **state)
{
    (void)state;
    harness h;
    start(&h, 10000, false);
    h_exchange(&h, OPEN_A("C0", NO_KEY), OPEN_A_OK("C0"));
    assert_int_equal(dnp3_outstation_get_expiry(h.os), h.now + 10000);
    h_advance(&h, 6000);
    h_exchange(&h, "C1 01 46 05 5B 01 08 00 01 00 00 00 00 00 00 00",
               "C1 81 00 00 46 05 5B 01 0C 00 01 00 00 00 00 00 00 00 68 65 6C 6C");
    assert_int_equal(dnp3_outstation_get_expiry(h.os), h.now + 10000); /* restarted by the read */
    h_advance(&h, 9999);
    assert_int_equal(fs.dropped, 0);
    h_advance(&h, 1);
    assert_int_equal(fs.dropped, 1); /* closed without keeping anything */
    assert_int_equal(dnp3_outstation_get_expiry(h.os), DNP3_TSTAMP_NEVER);
    /* READ and CLOSE on it now: HANDLE_EXPIRED (0x11) */
    h_exchange(&h, "C2 01 46 05 5B 01 08 00 01 00 00 00 01 00 00 00",
               "C2 81 00 00 46 06 5B 01 09 00 01 00 00 00 01 00 00 00 11");
    h_exchange(&h, "C3 1A 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 00",
               "C3 81 00 00 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 11");
    /* a handle never given out is still INVALID_HANDLE (6) */
    h_exchange(&h, "C4 01 46 05 5B 01 08 00 05 00 00 00 00 00 00 00",
               "C4 81 00 00 46 06 5B 01 09 00 05 00 00 00 00 00 00 00 06");
    memfs_free(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authenticate_then_open),
        cmocka_unit_test(test_without_authenticate_callback),
        cmocka_unit_test(test_open_file_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
