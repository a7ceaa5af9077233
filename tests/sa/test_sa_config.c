/*
 * test_sa_config.c - the configurations of the Secure Authentication objects (dnp3/sa.h):
 * dnp3_sa_*_config_check names the first bad field, and a configuration from an older,
 * smaller header (a smaller `size`) is accepted with the defaults of the fields it lacks,
 * while a size below the required fields or above sizeof is refused.
 */
#include <stddef.h>
#include <string.h>

#include "dnp3/crypto.h"
#include "dnp3/sa.h"
#include "testutil.h"

static void os_config(dnp3_sa_outstation_config *c)
{
    dnp3_sa_outstation_config_init(c);
    c->crypto = dnp3_crypto_openssl();
    c->n_users = 1;
    c->users[0].number = 1;
    c->users[0].key_len = 16;
}

static void expect_os_field(const dnp3_sa_outstation_config *c, const char *want)
{
    const char *field = "unset";
    assert_int_equal(dnp3_sa_outstation_config_check(c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, want);
    assert_int_equal(dnp3_sa_outstation_memory_size(c), 0);
}

static void test_outstation_check_names_the_field(void **state)
{
    (void)state;
    dnp3_sa_outstation_config c;
    const char *field = "unset";
    os_config(&c);
    assert_int_equal(dnp3_sa_outstation_config_check(&c, &field), DNP3_OK);
    assert_null(field);
    assert_true(dnp3_sa_outstation_memory_size(&c) > 0);
    assert_int_equal(dnp3_sa_outstation_config_check(NULL, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "config");

    os_config(&c), c.crypto = NULL, expect_os_field(&c, "crypto");
    dnp3_crypto small = *dnp3_crypto_openssl();
    small.size = 0; /* not set: a provider must say its size */
    os_config(&c), c.crypto = &small, expect_os_field(&c, "crypto.size");
    small.size = offsetof(dnp3_crypto, random); /* ends before random */
    os_config(&c), c.crypto = &small, expect_os_field(&c, "crypto.size");
    dnp3_crypto newer[2] = {*dnp3_crypto_openssl()}; /* a newer, larger provider is accepted */
    newer[0].size = sizeof newer;
    os_config(&c), c.crypto = &newer[0];
    assert_int_equal(dnp3_sa_outstation_config_check(&c, NULL), DNP3_OK);
    os_config(&c), c.n_users = 0, expect_os_field(&c, "n_users");
    os_config(&c), c.mal = 99, expect_os_field(&c, "mal");
    os_config(&c), c.challenge_len = 2, expect_os_field(&c, "challenge_len");
    os_config(&c), c.max_apdu = 100, expect_os_field(&c, "max_apdu");
    os_config(&c), c.authority_key_len = 20, expect_os_field(&c, "authority_key_len");
    os_config(&c), c.users[0].key_len = 24, expect_os_field(&c, "users[].key_len");
    os_config(&c), c.users[0].number = 0, expect_os_field(&c, "users[].number");
    os_config(&c);
    c.n_users = 2;
    c.users[1] = c.users[0]; /* the same number twice */
    expect_os_field(&c, "users[].number");
    os_config(&c), c.size = sizeof c + 1, expect_os_field(&c, "size");
    os_config(&c), c.size = offsetof(dnp3_sa_outstation_config, max_apdu), expect_os_field(&c, "size");
}

static int os_events;
static void on_event(void *ctx, const dnp3_sa_event *ev)
{
    (void)ctx, (void)ev;
    os_events++;
}

/* An older header ended after max_apdu: the update-key fields and the callback take defaults,
 * whatever the caller's memory holds beyond its size. */
static void test_outstation_older_size(void **state)
{
    (void)state;
    dnp3_sa_outstation_config c;
    os_config(&c);
    memset(&c.authority_key_len, 0x5A, sizeof c - offsetof(dnp3_sa_outstation_config, authority_key_len));
    c.size = offsetof(dnp3_sa_outstation_config, max_apdu) + sizeof c.max_apdu;
    assert_int_equal(dnp3_sa_outstation_config_check(&c, NULL), DNP3_OK);
    size_t n = dnp3_sa_outstation_memory_size(&c);
    assert_true(n > 0);
    static _Alignas(max_align_t) uint8_t mem[1 << 16];
    assert_true(n <= sizeof mem);
    dnp3_sa_outstation *sa = dnp3_sa_outstation_init(mem, n, &c, 0);
    assert_non_null(sa); /* 0x5A... as authority_key_len (90) would have been refused */
    dnp3_sa_outstation_free(sa);
}

static void master_config(dnp3_sa_master_config *c)
{
    dnp3_sa_master_config_init(c);
    c->crypto = dnp3_crypto_openssl();
    c->user.number = 1;
    c->user.key_len = 16;
}

static void expect_master_field(const dnp3_sa_master_config *c, const char *want)
{
    const char *field = "unset";
    assert_int_equal(dnp3_sa_master_config_check(c, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, want);
    assert_int_equal(dnp3_sa_master_memory_size(c), 0);
}

static void test_master_check_and_older_size(void **state)
{
    (void)state;
    dnp3_sa_master_config c;
    master_config(&c);
    assert_int_equal(dnp3_sa_master_config_check(&c, NULL), DNP3_OK);
    master_config(&c), c.crypto = NULL, expect_master_field(&c, "crypto");
    dnp3_crypto small = *dnp3_crypto_openssl();
    small.size = 0;
    master_config(&c), c.crypto = &small, expect_master_field(&c, "crypto.size");
    master_config(&c), c.user.number = 0, expect_master_field(&c, "user.number");
    master_config(&c), c.user.key_len = 8, expect_master_field(&c, "user.key_len");
    master_config(&c), c.session_key_len = 8, expect_master_field(&c, "session_key_len");
    master_config(&c), c.max_apdu = 65536, expect_master_field(&c, "max_apdu");
    master_config(&c), c.size = sizeof c + 8, expect_master_field(&c, "size");

    master_config(&c);
    c.on_event = on_event; /* beyond the older size: must not be taken */
    c.size = offsetof(dnp3_sa_master_config, max_apdu) + sizeof c.max_apdu;
    assert_int_equal(dnp3_sa_master_config_check(&c, NULL), DNP3_OK);
    static _Alignas(max_align_t) uint8_t mem[1 << 16];
    size_t n = dnp3_sa_master_memory_size(&c);
    assert_true(n > 0 && n <= sizeof mem);
    dnp3_sa_master *sa = dnp3_sa_master_init(mem, n, &c, 0);
    assert_non_null(sa);
    dnp3_sa_master_free(sa);
    assert_int_equal(os_events, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outstation_check_names_the_field),
        cmocka_unit_test(test_outstation_older_size),
        cmocka_unit_test(test_master_check_and_older_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
