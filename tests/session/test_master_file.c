/*
 * test_master_file.c - file transfer, master side (dnp3_master_file_start), exact octets against a
 * scripted outstation: GET in 4-octet blocks (OPEN_FILE, READ g70v5 per block until bit 31,
 * CLOSE_FILE), a READ retried after a timeout, PUT (WRITE g70v5 blocks, the last with bit 31),
 * ABORT_FILE after a refused block, DELETE_FILE, GET_FILE_INFO, a listing, a GET whose blocks
 * fall short of the announced size (not ok), and AUTHENTICATE_FILE before OPEN_FILE and
 * DELETE_FILE (the key carried in g70v3; key 0: PERMISSION_DENIED, nothing more sent).
 */
#include <stdlib.h>

#include "test_master_harness.h"

typedef struct {
    bool done;
    dnp3_file_result r;
    dnp3_file_info info;
    uint8_t got[256];
    size_t got_len;
    unsigned entries;
    char first[32];
} fx;

static bool fx_data(void *ctx, uint32_t block, const uint8_t *d, size_t n)
{
    fx *x = ctx;
    (void)block;
    memcpy(x->got + x->got_len, d, n);
    x->got_len += n;
    return true;
}

static const char *put_src = "ABCDE";
static long fx_fill(void *ctx, uint32_t block, uint8_t *buf, size_t cap, bool *last)
{
    (void)ctx;
    size_t off = (size_t)block * cap, len = strlen(put_src);
    size_t n = len - off < cap ? len - off : cap;
    memcpy(buf, put_src + off, n);
    *last = off + n == len;
    return (long)n;
}

static void fx_entry(void *ctx, const dnp3_file_info *fi)
{
    fx *x = ctx;
    if (x->entries++ == 0) snprintf(x->first, sizeof x->first, "%.*s", (int)fi->name_len, fi->name);
}

static void fx_done(void *ctx, const dnp3_file_result *r)
{
    fx *x = ctx;
    x->done = true;
    x->r = *r;
    if (r->info) x->info = *r->info;
}

static dnp3_file_transfer ft;

static void start(fx *x, dnp3_file_op op, const char *name, uint16_t block, uint32_t size)
{
    memset(x, 0, sizeof *x);
    dnp3_file_handler h = {fx_data, fx_fill, fx_entry, NULL, fx_done, x};
    assert_int_equal(dnp3_master_file_start(mh.a, &ft, op, name, strlen(name), block, size, 0644, &h, mh.now),
                     DNP3_OK);
}

/* request ID: the association's token counter (0 on a fresh association) */
static void test_get(void **state)
{
    (void)state;
    mh_setup(NULL);
    fx x;
    start(&x, DNP3_FILE_OP_GET, "a.txt", 4, 0);
    mh_expect("C0 19 46 03 5B 01 1F 00 1A 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 04 00 00 "
              "00 61 2E 74 78 74");
    mh_respond("C0 81 00 00 46 04 5B 01 0D 00 07 00 00 00 0B 00 00 00 04 00 00 00 00");
    mh_expect("C1 01 46 05 5B 01 08 00 07 00 00 00 00 00 00 00");
    mh_respond("C1 81 00 00 46 05 5B 01 0C 00 07 00 00 00 00 00 00 00 68 65 6C 6C");
    mh_expect("C2 01 46 05 5B 01 08 00 07 00 00 00 01 00 00 00");
    /* no answer: the same block is asked for again */
    mh_advance(5001);
    mh_expect("C3 01 46 05 5B 01 08 00 07 00 00 00 01 00 00 00");
    mh_respond("C3 81 00 00 46 05 5B 01 0C 00 07 00 00 00 01 00 00 00 6F 20 77 6F");
    mh_expect("C4 01 46 05 5B 01 08 00 07 00 00 00 02 00 00 00");
    mh_respond("C4 81 00 00 46 05 5B 01 0B 00 07 00 00 00 02 00 00 80 72 6C 64");
    mh_expect("C5 1A 46 04 5B 01 0D 00 07 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_false(x.done);
    mh_respond("C5 81 00 00 46 04 5B 01 0D 00 07 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done);
    assert_true(x.r.ok);
    assert_int_equal(x.r.octets, 11);
    assert_int_equal(x.r.blocks, 3);
    assert_int_equal(x.got_len, 11);
    assert_memory_equal(x.got, "hello world", 11);
    mh_expect_none();
}

static void test_get_short_and_refused(void **state)
{
    (void)state;
    mh_setup(NULL);
    fx x;
    /* announced 11 octets, the last block comes after 4: closed, not ok */
    start(&x, DNP3_FILE_OP_GET, "a", 4, 0);
    mh_drop_requests();
    mh_respond("C0 81 00 00 46 04 5B 01 0D 00 07 00 00 00 0B 00 00 00 04 00 00 00 00");
    mh_drop_requests();
    mh_respond("C1 81 00 00 46 05 5B 01 0C 00 07 00 00 00 00 00 00 80 68 65 6C 6C");
    mh_expect("C2 1A 46 04 5B 01 0D 00 07 00 00 00 00 00 00 00 00 00 00 00 00");
    mh_respond("C2 81 00 00 46 04 5B 01 0D 00 07 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_SUCCESS);
    /* OPEN refused: the status, nothing else sent */
    start(&x, DNP3_FILE_OP_GET, "../x", 0, 0);
    mh_drop_requests();
    mh_respond("C3 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 00 00 01");
    assert_true(x.done);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_PERMISSION_DENIED);
    mh_expect_none();
}

static void test_put_and_abort(void **state)
{
    (void)state;
    mh_setup(NULL);
    fx x;
    start(&x, DNP3_FILE_OP_PUT, "b", 4, 5);
    mh_expect(
        "C0 19 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 A4 01 00 00 00 00 05 00 00 00 02 00 04 00 00 00 "
        "62");
    mh_respond("C0 81 00 00 46 04 5B 01 0D 00 02 00 00 00 05 00 00 00 04 00 00 00 00");
    mh_expect("C1 02 46 05 5B 01 0C 00 02 00 00 00 00 00 00 00 41 42 43 44");
    mh_respond("C1 81 00 00 46 06 5B 01 09 00 02 00 00 00 00 00 00 00 00");
    mh_expect("C2 02 46 05 5B 01 09 00 02 00 00 00 01 00 00 80 45");
    mh_respond("C2 81 00 00 46 06 5B 01 09 00 02 00 00 00 01 00 00 80 00");
    mh_expect("C3 1A 46 04 5B 01 0D 00 02 00 00 00 00 00 00 00 00 00 00 00 00");
    mh_respond("C3 81 00 00 46 04 5B 01 0D 00 02 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done);
    assert_true(x.r.ok);
    assert_int_equal(x.r.octets, 5);

    /* a block refused (BUFFER_OVERRUN): ABORT_FILE, the status reported */
    start(&x, DNP3_FILE_OP_PUT, "b", 4, 5);
    mh_drop_requests();
    mh_respond("C4 81 00 00 46 04 5B 01 0D 00 03 00 00 00 05 00 00 00 04 00 00 00 00");
    mh_expect("C5 02 46 05 5B 01 0C 00 03 00 00 00 00 00 00 00 41 42 43 44");
    mh_respond("C5 81 00 00 46 06 5B 01 09 00 03 00 00 00 00 00 00 00 12");
    mh_expect("C6 1E 46 04 5B 01 0D 00 03 00 00 00 00 00 00 00 00 00 00 00 00");
    mh_respond("C6 81 00 00 46 04 5B 01 0D 00 03 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_BUFFER_OVERRUN);
    mh_expect_none();
}

static void start_auth(fx *x, dnp3_file_op op, const char *name, uint16_t block, const char *user,
                       const char *password)
{
    memset(x, 0, sizeof *x);
    dnp3_file_handler h = {fx_data, fx_fill, fx_entry, NULL, fx_done, x};
    assert_int_equal(dnp3_master_file_start_auth(mh.a, &ft, op, name, strlen(name), block, 0, 0644, user,
                                                 strlen(user), password, strlen(password), &h, mh.now),
                     DNP3_OK);
}

static void test_authenticated(void **state)
{
    (void)state;
    mh_setup(NULL);
    fx x;
    /* AUTHENTICATE_FILE g70v2: name at 12 (2 octets), password at 14 (2 octets), key 0 */
    start_auth(&x, DNP3_FILE_OP_GET, "a.txt", 4, "op", "pw");
    mh_expect("C0 1D 46 02 5B 01 10 00 0C 00 02 00 0E 00 02 00 00 00 00 00 6F 70 70 77");
    mh_respond("C0 81 00 00 46 02 5B 01 0C 00 00 00 00 00 00 00 00 00 78 56 34 12");
    /* the key in the OPEN_FILE's g70v3 (offset 12), the rest as without authentication */
    mh_expect("C1 19 46 03 5B 01 1F 00 1A 00 05 00 00 00 00 00 00 00 00 00 78 56 34 12 00 00 00 00 01 00 04 00 00 "
              "00 61 2E 74 78 74");
    mh_respond("C1 81 00 00 46 04 5B 01 0D 00 07 00 00 00 04 00 00 00 04 00 00 00 00");
    mh_expect("C2 01 46 05 5B 01 08 00 07 00 00 00 00 00 00 00");
    mh_respond("C2 81 00 00 46 05 5B 01 0C 00 07 00 00 00 00 00 00 80 68 65 6C 6C");
    mh_expect("C3 1A 46 04 5B 01 0D 00 07 00 00 00 00 00 00 00 00 00 00 00 00");
    mh_respond("C3 81 00 00 46 04 5B 01 0D 00 07 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done && x.r.ok);
    assert_memory_equal(x.got, "hell", 4);

    /* DELETE_FILE with the key */
    start_auth(&x, DNP3_FILE_OP_DELETE, "b", 0, "op", "");
    mh_expect("C4 1D 46 02 5B 01 0E 00 0C 00 02 00 0E 00 00 00 00 00 00 00 6F 70");
    mh_respond("C4 81 00 00 46 02 5B 01 0C 00 00 00 00 00 00 00 00 00 01 00 00 00");
    mh_expect("C5 1B 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 "
              "00 62");
    mh_respond("C5 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done && x.r.ok);

    /* refused (key 0): PERMISSION_DENIED, no OPEN_FILE */
    start_auth(&x, DNP3_FILE_OP_GET, "a.txt", 0, "op", "wrong");
    mh_drop_requests();
    mh_respond("C6 81 00 00 46 02 5B 01 0C 00 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_PERMISSION_DENIED);
    mh_expect_none();

    /* no user, or one too long: refused before anything is sent */
    dnp3_file_handler h = {fx_data, fx_fill, fx_entry, NULL, fx_done, &x};
    char longer[DNP3_FILE_NAME_MAX + 2];
    memset(longer, 'u', sizeof longer);
    assert_int_equal(
        dnp3_master_file_start_auth(mh.a, &ft, DNP3_FILE_OP_GET, "a", 1, 0, 0, 0, "", 0, "p", 1, &h, mh.now),
        DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_master_file_start_auth(mh.a, &ft, DNP3_FILE_OP_GET, "a", 1, 0, 0, 0, longer,
                                                 sizeof longer, "p", 1, &h, mh.now),
                     DNP3_ERR_INVALID_ARG);
    mh_expect_none();
}

static void test_delete_info_list(void **state)
{
    (void)state;
    mh_setup(NULL);
    fx x;
    start(&x, DNP3_FILE_OP_DELETE, "b", 0, 0);
    mh_expect(
        "C0 1B 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
        "62");
    mh_respond("C0 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done && x.r.ok);

    start(&x, DNP3_FILE_OP_INFO, "a.txt", 0, 0);
    mh_expect(
        "C1 1C 46 07 5B 01 19 00 14 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 61 2E 74 78 74");
    mh_respond(
        "C1 81 00 00 46 07 5B 01 19 00 14 00 05 00 01 00 0B 00 00 00 00 00 00 00 00 00 A4 01 00 00 61 2E 74 "
        "78 74");
    assert_true(x.done && x.r.ok);
    assert_int_equal(x.info.size, 11);
    assert_int_equal(x.info.permissions, 0644);
    assert_int_equal(x.info.name_len, 5);

    start(&x, DNP3_FILE_OP_INFO, "zz", 0, 0);
    mh_drop_requests();
    mh_respond("C2 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 00 00 03");
    assert_true(x.done);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_NOT_FOUND);

    start(&x, DNP3_FILE_OP_LIST, ".", 0, 0);
    mh_drop_requests();
    mh_respond("C3 81 00 00 46 04 5B 01 0D 00 05 00 00 00 01 00 00 00 00 01 00 00 00");
    mh_expect("C4 01 46 05 5B 01 08 00 05 00 00 00 00 00 00 00");
    mh_respond(
        "C4 81 00 00 46 05 5B 01 21 00 05 00 00 00 00 00 00 80 14 00 05 00 01 00 0B 00 00 00 00 00 00 00 00 00 "
        "A4 01 00 00 61 2E 74 78 74");
    mh_drop_requests();
    mh_respond("C5 81 00 00 46 04 5B 01 0D 00 05 00 00 00 00 00 00 00 00 00 00 00 00");
    assert_true(x.done && x.r.ok);
    assert_int_equal(x.entries, 1);
    assert_string_equal(x.first, "a.txt");
    mh_expect_none();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),           cmocka_unit_test(test_get_short_and_refused),
        cmocka_unit_test(test_put_and_abort), cmocka_unit_test(test_delete_info_list),
        cmocka_unit_test(test_authenticated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
