/*
 * test_outstation_file.c - file transfer, outstation side (IEEE 1815-2012 group 70), exact octets:
 * OPEN_FILE / READ g70v5 / CLOSE_FILE of a file in 4-octet blocks, a block read again, blocks out
 * of sequence, OPEN for WRITE / WRITE g70v5 / CLOSE_FILE (the file appears only then), ABORT_FILE,
 * DELETE_FILE, GET_FILE_INFO (g70v7), a directory read as g70v7 descriptors, invalid handles, the
 * open-file limit, a lost connection, malformed objects, and without file callbacks IIN2.0 as
 * before. Callbacks: tests/support/memfs.h.
 */
#include "memfs.h"
#include "os_harness.h"

static memfs fs;

static void start(harness *h, bool files)
{
    dnp3_outstation_config c;
    h_config(&c);
    memset(h, 0, sizeof *h);
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    memfs_free(&fs);
    if (files) memfs_install(&fs, &cb);
    h->os = dnp3_outstation_init(h_mem, sizeof h_mem, &c, &cb, h->now);
    assert_non_null(h->os);
    h_clear_restart(h);
    memfs_put(&fs, "a.txt", (const uint8_t *)"hello world", 11);
}

/* OPEN "a.txt" for READ, block size 4, request ID 7 -> handle 1, size 11 */
#define OPEN_A                                                                                                    \
    "C0 19 46 03 5B 01 1F 00 1A 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 04 00 07 00 61 "   \
    "2E 74 78 74"
#define OPEN_A_OK "C0 81 00 00 46 04 5B 01 0D 00 01 00 00 00 0B 00 00 00 04 00 07 00 00"

static void test_read_file(void **state)
{
    (void)state;
    harness h;
    start(&h, true);
    h_exchange(&h, OPEN_A, OPEN_A_OK);
    h_exchange(&h, "C1 01 46 05 5B 01 08 00 01 00 00 00 00 00 00 00",
               "C1 81 00 00 46 05 5B 01 0C 00 01 00 00 00 00 00 00 00 68 65 6C 6C");
    h_exchange(&h, "C2 01 46 05 5B 01 08 00 01 00 00 00 01 00 00 00",
               "C2 81 00 00 46 05 5B 01 0C 00 01 00 00 00 01 00 00 00 6F 20 77 6F");
    /* block 1 again (a lost response): served again */
    h_exchange(&h, "C3 01 46 05 5B 01 08 00 01 00 00 00 01 00 00 00",
               "C3 81 00 00 46 05 5B 01 0C 00 01 00 00 00 01 00 00 00 6F 20 77 6F");
    /* block 3 before block 2: BLOCK_SEQUENCE (20) in a g70v6 */
    h_exchange(&h, "C4 01 46 05 5B 01 08 00 01 00 00 00 03 00 00 00",
               "C4 81 00 00 46 06 5B 01 09 00 01 00 00 00 03 00 00 00 14");
    /* the last block carries bit 31 */
    h_exchange(&h, "C5 01 46 05 5B 01 08 00 01 00 00 00 02 00 00 00",
               "C5 81 00 00 46 05 5B 01 0B 00 01 00 00 00 02 00 00 80 72 6C 64");
    /* CLOSE_FILE handle 1, request ID 7 */
    h_exchange(&h, "C6 1A 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 00",
               "C6 81 00 00 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 00");
    assert_int_equal(fs.kept, 1);
    /* the handle is gone: INVALID_HANDLE (6) */
    h_exchange(&h, "C7 01 46 05 5B 01 08 00 01 00 00 00 03 00 00 00",
               "C7 81 00 00 46 06 5B 01 09 00 01 00 00 00 03 00 00 00 06");
    h_exchange(&h, "C8 1A 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 00",
               "C8 81 00 00 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 06");
    /* a file that does not exist: FILE_NOT_FOUND (3) */
    h_exchange(
        &h,
        "C9 19 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 04 00 09 00 7A",
        "C9 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 09 00 03");
    memfs_free(&fs);
}

static void test_empty_file_and_default_block(void **state)
{
    (void)state;
    harness h;
    start(&h, true);
    memfs_put(&fs, "e", (const uint8_t *)"", 0);
    /* block size 0 asks for the largest: 2048 - 18 = 2030 (0x07EE) */
    h_exchange(
        &h,
        "C0 19 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 01 00 65",
        "C0 81 00 00 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 EE 07 01 00 00");
    h_exchange(&h, "C1 01 46 05 5B 01 08 00 01 00 00 00 00 00 00 00",
               "C1 81 00 00 46 05 5B 01 08 00 01 00 00 00 00 00 00 80");
    memfs_free(&fs);
}

/* OPEN "b" for WRITE, permissions 0644, size 5, block 4, request ID 8 -> handle 1 */
#define OPEN_B_W                                                                                                  \
    "C0 19 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 A4 01 00 00 00 00 05 00 00 00 02 00 04 00 08 00 62"
#define OPEN_B_W_OK "C0 81 00 00 46 04 5B 01 0D 00 01 00 00 00 05 00 00 00 04 00 08 00 00"

static void test_write_file(void **state)
{
    (void)state;
    harness h;
    start(&h, true);
    h_exchange(&h, OPEN_B_W, OPEN_B_W_OK);
    h_exchange(&h, "C1 02 46 05 5B 01 0C 00 01 00 00 00 00 00 00 00 41 42 43 44",
               "C1 81 00 00 46 06 5B 01 09 00 01 00 00 00 00 00 00 00 00");
    /* the same request again: the same answer, not written twice */
    h_exchange(&h, "C1 02 46 05 5B 01 0C 00 01 00 00 00 00 00 00 00 41 42 43 44",
               "C1 81 00 00 46 06 5B 01 09 00 01 00 00 00 00 00 00 00 00");
    assert_int_equal(fs.writes, 1);
    /* block 0 again in a new request (a master retrying after a lost answer): acknowledged, not written */
    h_exchange(&h, "C9 02 46 05 5B 01 0C 00 01 00 00 00 00 00 00 00 41 42 43 44",
               "C9 81 00 00 46 06 5B 01 09 00 01 00 00 00 00 00 00 00 00");
    assert_int_equal(fs.writes, 1);
    /* block 2 before block 1: BLOCK_SEQUENCE */
    h_exchange(&h, "C2 02 46 05 5B 01 09 00 01 00 00 00 02 00 00 80 45",
               "C2 81 00 00 46 06 5B 01 09 00 01 00 00 00 02 00 00 80 14");
    /* more than the block size: WRITE_BLOCK_SIZE (7) */
    h_exchange(&h, "C3 02 46 05 5B 01 0D 00 01 00 00 00 01 00 00 80 45 46 47 48 49",
               "C3 81 00 00 46 06 5B 01 09 00 01 00 00 00 01 00 00 80 07");
    assert_int_equal(memfs_find(&fs, "b", 1), -1);
    h_exchange(&h, "C4 02 46 05 5B 01 09 00 01 00 00 00 01 00 00 80 45",
               "C4 81 00 00 46 06 5B 01 09 00 01 00 00 00 01 00 00 80 00");
    assert_int_equal(memfs_find(&fs, "b", 1), -1); /* not before the close */
    h_exchange(&h, "C5 1A 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 08 00 00",
               "C5 81 00 00 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 08 00 00");
    int i = memfs_find(&fs, "b", 1);
    assert_true(i >= 0);
    assert_int_equal(fs.files[i].len, 5);
    assert_memory_equal(fs.files[i].data, "ABCDE", 5);
    memfs_free(&fs);
}

static void test_abort_and_incomplete_close(void **state)
{
    (void)state;
    harness h;
    start(&h, true);
    h_exchange(&h, OPEN_B_W, OPEN_B_W_OK);
    h_exchange(&h, "C1 02 46 05 5B 01 0C 00 01 00 00 00 00 00 00 00 41 42 43 44",
               "C1 81 00 00 46 06 5B 01 09 00 01 00 00 00 00 00 00 00 00");
    /* ABORT_FILE: discarded */
    h_exchange(&h, "C2 1E 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 08 00 00",
               "C2 81 00 00 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 08 00 00");
    assert_int_equal(fs.dropped, 1);
    assert_int_equal(memfs_find(&fs, "b", 1), -1);
    /* closed before its last block: discarded, reported as BLOCK_SEQUENCE */
    h_exchange(&h, OPEN_B_W, "C0 81 00 00 46 04 5B 01 0D 00 02 00 00 00 05 00 00 00 04 00 08 00 00");
    h_exchange(&h, "C3 1A 46 04 5B 01 0D 00 02 00 00 00 00 00 00 00 00 00 08 00 00",
               "C3 81 00 00 46 04 5B 01 0D 00 02 00 00 00 00 00 00 00 00 00 08 00 14");
    assert_int_equal(fs.dropped, 2);
    assert_int_equal(memfs_find(&fs, "b", 1), -1);
    /* a lost connection closes what is open, keeping nothing */
    h_exchange(&h, OPEN_B_W, "C0 81 00 00 46 04 5B 01 0D 00 03 00 00 00 05 00 00 00 04 00 08 00 00");
    dnp3_outstation_set_online(h.os, false, h.now);
    assert_int_equal(fs.dropped, 3);
    memfs_free(&fs);
}

static void test_delete_info_dir(void **state)
{
    (void)state;
    harness h;
    start(&h, true);
    memfs_put(&fs, "b", (const uint8_t *)"xy", 2);
    /* GET_FILE_INFO "a.txt", request ID 9: g70v7 with type 1, size 11, permissions 0644 */
    h_exchange(
        &h, "C0 1C 46 07 5B 01 19 00 14 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 09 00 61 2E 74 78 74",
        "C0 81 00 00 46 07 5B 01 19 00 14 00 05 00 01 00 0B 00 00 00 00 00 00 00 00 00 A4 01 09 00 61 2E 74 78 "
        "74");
    /* DELETE_FILE "b", request ID 10 */
    h_exchange(
        &h,
        "C1 1B 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0A 00 62",
        "C1 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 0A 00 00");
    assert_int_equal(memfs_find(&fs, "b", 1), -1);
    /* again: FILE_NOT_FOUND; GET_FILE_INFO too */
    h_exchange(
        &h,
        "C2 1B 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0A 00 62",
        "C2 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 0A 00 03");
    h_exchange(&h, "C3 1C 46 07 5B 01 15 00 14 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 09 00 62",
               "C3 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 09 00 03");
    /* OPEN "." for READ: a directory (size = 1 entry); its block is one g70v7 descriptor, LAST */
    h_exchange(
        &h,
        "C4 19 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 01 0B 00 2E",
        "C4 81 00 00 46 04 5B 01 0D 00 01 00 00 00 01 00 00 00 00 01 0B 00 00");
    h_exchange(
        &h, "C5 01 46 05 5B 01 08 00 01 00 00 00 00 00 00 00",
        "C5 81 00 00 46 05 5B 01 21 00 01 00 00 00 00 00 00 80 14 00 05 00 01 00 0B 00 00 00 00 00 00 00 00 00 "
        "A4 01 00 00 61 2E 74 78 74");
    memfs_free(&fs);
}

static void test_directory_across_blocks(void **state)
{
    (void)state;
    harness h;
    start(&h, true);
    memfs_put(&fs, "b", (const uint8_t *)"", 0);
    /* block size 30: one descriptor per block (25 and 21 octets) */
    h_exchange(
        &h,
        "C0 19 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 1E 00 01 00 2E",
        "C0 81 00 00 46 04 5B 01 0D 00 01 00 00 00 02 00 00 00 1E 00 01 00 00");
    h_exchange(
        &h, "C1 01 46 05 5B 01 08 00 01 00 00 00 00 00 00 00",
        "C1 81 00 00 46 05 5B 01 21 00 01 00 00 00 00 00 00 00 14 00 05 00 01 00 0B 00 00 00 00 00 00 00 00 00 "
        "A4 01 00 00 61 2E 74 78 74");
    h_exchange(
        &h, "C2 01 46 05 5B 01 08 00 01 00 00 00 01 00 00 00",
        "C2 81 00 00 46 05 5B 01 1D 00 01 00 00 00 01 00 00 80 14 00 01 00 01 00 00 00 00 00 00 00 00 00 00 00 "
        "A4 01 00 00 62");
    /* block 1 again: the same entries */
    h_exchange(
        &h, "C3 01 46 05 5B 01 08 00 01 00 00 00 01 00 00 00",
        "C3 81 00 00 46 05 5B 01 1D 00 01 00 00 00 01 00 00 80 14 00 01 00 01 00 00 00 00 00 00 00 00 00 00 00 "
        "A4 01 00 00 62");
    memfs_free(&fs);
}

static void test_limits_and_malformed(void **state)
{
    (void)state;
    harness h;
    start(&h, true);
    /* four open at once; the fifth: TOO_MANY_OPEN (5) */
    for (int i = 1; i <= 4; i++) {
        char rsp[128];
        snprintf(rsp, sizeof rsp, "C0 81 00 00 46 04 5B 01 0D 00 %02X 00 00 00 0B 00 00 00 04 00 07 00 00", i);
        h_req(&h, OPEN_A);
        h_expect(&h, rsp);
        h_req(&h, "C0 17"); /* another request in between: the next OPEN is not a duplicate */
        assert_true(dnp3_outstation_take(h.os, (uint8_t[64]){0}, 64, h.now) > 0);
    }
    h_exchange(&h, OPEN_A, "C0 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 07 00 05");
    /* mode 9: INVALID_MODE (2) */
    h_exchange(
        &h,
        "C1 19 46 03 5B 01 1B 00 1A 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 09 00 04 00 07 00 61",
        "C1 81 00 00 46 04 5B 01 0D 00 00 00 00 00 00 00 00 00 00 00 07 00 02");
    /* a name outside the object, a wrong variation, two objects: PARAMETER_ERROR (IIN2.2) */
    h_exchange(
        &h,
        "C2 19 46 03 5B 01 1B 00 1A 00 09 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 04 00 07 00 61",
        "C2 81 00 04");
    h_exchange(&h, "C3 1A 46 05 5B 01 08 00 01 00 00 00 00 00 00 00", "C3 81 00 04");
    h_exchange(&h, "C4 01 46 05 5B 02 08 00 01 00 00 00 00 00 00 00 08 00 01 00 00 00 00 00 00 00", "C4 81 00 04");
    /* a short object: the parser refuses it first */
    h_req(&h, "C5 1A 46 04 5B 01 0D 00 01 00");
    uint8_t out[64];
    int n = dnp3_outstation_take(h.os, out, sizeof out, h.now);
    assert_true(n == 4 && (out[3] & 0x04));
    memfs_free(&fs);
}

static void test_without_callbacks(void **state)
{
    (void)state;
    harness h;
    start(&h, false);
    h_exchange(&h, OPEN_A, "C0 81 00 01");
    h_exchange(&h, "C1 1A 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 00", "C1 81 00 01");
    h_exchange(&h, "C2 1E 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 00 07 00 00", "C2 81 00 01");
    h_exchange(&h, "C3 1D 46 02 5B 01 0C 00 0C 00 00 00 0C 00 00 00 00 00 00 00", "C3 81 00 01");
    memfs_free(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_empty_file_and_default_block),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_abort_and_incomplete_close),
        cmocka_unit_test(test_delete_info_dir),
        cmocka_unit_test(test_directory_across_blocks),
        cmocka_unit_test(test_limits_and_malformed),
        cmocka_unit_test(test_without_callbacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
