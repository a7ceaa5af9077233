/*
 * test_loopback_file.c - file transfer end to end: our master (dnp3_master_file_start) against
 * our outstation serving an in-memory store (tests/support/memfs.h) over the loopback wire.
 * GET and PUT of 0, 1, block-size, block-size + 1 and 1 MiB files compared byte for byte, LIST,
 * INFO, DELETE, failures (no such file, read-only refusals), and transfers under a lossy wire
 * (dropped and duplicated chunks: link and application retries must still give identical files).
 */
#include <stdlib.h>

#include "lb_master.h"
#include "memfs.h"

static memfs fs;

static void install(dnp3_outstation_callbacks *cb)
{
    memfs_install(&fs, cb);
}

typedef struct {
    bool done;
    dnp3_file_result r;
    dnp3_file_info info;
    bool have_info;
    uint8_t *got;
    size_t got_len;
    const uint8_t *src;
    size_t src_len, src_pos;
    uint32_t next_block;
    bool order_ok;
    unsigned entries;
    char names[8][64];
    unsigned progress_calls;
} xfer;

static bool x_data(void *ctx, uint32_t block, const uint8_t *d, size_t n)
{
    xfer *x = ctx;
    if (block != x->next_block++) x->order_ok = false;
    x->got = realloc(x->got, x->got_len + n + 1);
    memcpy(x->got + x->got_len, d, n);
    x->got_len += n;
    return true;
}

static long x_fill(void *ctx, uint32_t block, uint8_t *buf, size_t cap, bool *last)
{
    xfer *x = ctx;
    if (block > x->next_block) x->order_ok = false; /* the same block again after a lost answer is fine */
    x->next_block = block + 1;
    size_t off = (size_t)block * cap;
    if (off > x->src_len) return -1;
    size_t n = x->src_len - off;
    if (n > cap) n = cap;
    memcpy(buf, x->src + off, n);
    *last = off + n == x->src_len;
    return (long)n;
}

static void x_entry(void *ctx, const dnp3_file_info *fi)
{
    xfer *x = ctx;
    if (x->entries < 8) snprintf(x->names[x->entries], 64, "%.*s", (int)fi->name_len, fi->name);
    x->entries++;
}

static void x_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    ((xfer *)ctx)->progress_calls++;
}

static void x_done(void *ctx, const dnp3_file_result *r)
{
    xfer *x = ctx;
    x->done = true;
    x->r = *r;
    if (r->info) {
        x->info = *r->info;
        x->have_info = true;
    }
}

static void run(xfer *x, dnp3_file_op op, const char *name, uint16_t block, const uint8_t *src, size_t src_len)
{
    static dnp3_file_transfer ft;
    memset(x, 0, sizeof *x);
    x->order_ok = true;
    x->src = src;
    x->src_len = src_len;
    dnp3_file_handler h = {x_data, x_fill, x_entry, x_progress, x_done, x};
    assert_int_equal(
        dnp3_master_file_start(lb.a, &ft, op, name, strlen(name), block, (uint32_t)src_len, 0644, &h, lb.now),
        DNP3_OK);
    for (int guard = 0; guard < 200000 && !x->done; guard++) lb_advance(50);
    assert_true(x->done);
    assert_false(ft.active);
}

static void start(void)
{
    memfs_free(&fs);
    lb_os_hook = install;
    dnp3_outstation_config oc;
    dnp3_assoc_config ac;
    lb_default_outstation(&oc);
    lb_default_assoc(&ac);
    lb_setup(&oc, &ac, true);
    lb_advance(5000); /* start-up tasks */
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n ? n : 1);
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (uint8_t)(s >> 16);
    }
    return p;
}

static void get_put_sizes(void)
{
    /* GET: the outstation grants 2048 - 18 = 2030-octet blocks when asked for 0 */
    const size_t sizes[] = {0, 1, 2030, 2031, 1u << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        uint8_t *data = pattern(n, (unsigned)i + 1);
        memfs_put(&fs, "f.bin", data, n);
        xfer x;
        run(&x, DNP3_FILE_OP_GET, "f.bin", 0, NULL, 0);
        assert_true(x.r.ok);
        assert_true(x.order_ok);
        assert_int_equal(x.got_len, n);
        if (n) assert_memory_equal(x.got, data, n);
        assert_int_equal(x.r.blocks, n / 2030 + 1 - (n && n % 2030 == 0 ? 1 : 0));
        free(x.got);

        /* PUT with the master's largest block: task_buffer_size 512 - 14 = 498 */
        const size_t psizes[] = {0, 1, 498, 499, 1u << 20};
        size_t pn = psizes[i];
        uint8_t *pdata = pattern(pn, (unsigned)i + 7);
        run(&x, DNP3_FILE_OP_PUT, "up.bin", 0, pdata, pn);
        assert_true(x.r.ok);
        assert_true(x.order_ok);
        assert_int_equal(x.r.octets, pn);
        int k = memfs_find(&fs, "up.bin", 6);
        assert_true(k >= 0);
        assert_int_equal(fs.files[k].len, pn);
        if (pn) assert_memory_equal(fs.files[k].data, pdata, pn);
        free(data);
        free(pdata);
    }
}

static void test_sizes(void **state)
{
    (void)state;
    start();
    get_put_sizes();
    memfs_free(&fs);
}

static void test_small_blocks_list_info_delete(void **state)
{
    (void)state;
    start();
    memfs_put(&fs, "a.txt", (const uint8_t *)"hello world", 11);
    memfs_put(&fs, "b", (const uint8_t *)"", 0);
    xfer x;
    run(&x, DNP3_FILE_OP_GET, "a.txt", 4, NULL, 0);
    assert_true(x.r.ok);
    assert_int_equal(x.r.blocks, 3);
    assert_int_equal(x.progress_calls, 3);
    assert_memory_equal(x.got, "hello world", 11);
    free(x.got);

    run(&x, DNP3_FILE_OP_LIST, ".", 30, NULL, 0);
    assert_true(x.r.ok);
    assert_int_equal(x.entries, 2);
    assert_string_equal(x.names[0], "a.txt");
    assert_string_equal(x.names[1], "b");

    run(&x, DNP3_FILE_OP_INFO, "a.txt", 0, NULL, 0);
    assert_true(x.r.ok);
    assert_true(x.have_info);
    assert_int_equal(x.info.size, 11);
    assert_int_equal(x.info.type, 1);

    run(&x, DNP3_FILE_OP_DELETE, "a.txt", 0, NULL, 0);
    assert_true(x.r.ok);
    assert_int_equal(memfs_find(&fs, "a.txt", 5), -1);

    /* failures carry the outstation's status */
    run(&x, DNP3_FILE_OP_DELETE, "a.txt", 0, NULL, 0);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_NOT_FOUND);
    run(&x, DNP3_FILE_OP_GET, "a.txt", 0, NULL, 0);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_NOT_FOUND);
    run(&x, DNP3_FILE_OP_INFO, "nope", 0, NULL, 0);
    assert_false(x.r.ok);
    assert_int_equal(x.r.status, DNP3_FILE_NOT_FOUND);
    assert_int_equal(fs.kept + fs.dropped, 2); /* the GET and the LIST closed what they opened */
    memfs_free(&fs);
}

/* Every 13th chunk dropped, every 11th duplicated, both ways. */
static unsigned fault_n;
static lb_action lossy(int dir, int fc, const uint8_t *chunk, size_t len)
{
    (void)dir;
    (void)fc;
    (void)chunk;
    (void)len;
    fault_n++;
    return fault_n % 13 == 0 ? LB_DROP : fault_n % 11 == 0 ? LB_DUP : LB_PASS;
}

static void test_lossy_wire(void **state)
{
    (void)state;
    start();
    lb.fault = lossy;
    fault_n = 0;
    const size_t n = 50000;
    uint8_t *data = pattern(n, 99);
    memfs_put(&fs, "f.bin", data, n);
    xfer x;
    int ok = 0;
    for (int attempt = 0; attempt < 5 && !ok; attempt++) { /* a task may time out: the caller retries */
        run(&x, DNP3_FILE_OP_GET, "f.bin", 0, NULL, 0);
        if (x.r.ok) {
            assert_int_equal(x.got_len, n);
            assert_memory_equal(x.got, data, n);
            ok = 1;
        }
        free(x.got);
    }
    assert_true(ok);
    ok = 0;
    for (int attempt = 0; attempt < 5 && !ok; attempt++) {
        run(&x, DNP3_FILE_OP_PUT, "up.bin", 0, data, n);
        ok = x.r.ok;
        /* never a partial file under the final name */
        int k = memfs_find(&fs, "up.bin", 6);
        if (k >= 0) {
            assert_int_equal(fs.files[k].len, n);
            assert_memory_equal(fs.files[k].data, data, n);
        }
    }
    assert_true(ok);
    free(data);
    memfs_free(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_small_blocks_list_info_delete),
        cmocka_unit_test(test_lossy_wire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
