/*
 * test_alloc_failures.c - every allocation of the libuv runtime (src/io) fails
 * once, in turn (issue 6). The executable is linked with
 * -Wl,--wrap=malloc,calloc,realloc,aligned_alloc, so the Nth allocation made
 * by our code returns NULL (libuv's and OpenSSL's own allocations are not
 * affected). For N = 1, 2, ... the same scenario runs: an outstation endpoint
 * (TCP server on 127.0.0.1), a master that connects to it and polls, then both
 * stopped and the loop closed. Each run must end without a crash, with either
 * the poll done or a clean error (a failed start returns an error code; a lost
 * write makes the poll time out and be retried), and - checked by
 * LeakSanitizer in the ASan build - without a leak. The walk ends at the first
 * N beyond the scenario's allocations. The protocol core itself allocates
 * nothing (tests/scripts/test_sans_io.sh checks its undefined symbols).
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/io_roles.h"
#include "testutil.h"

/* ---- the allocation wrappers ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);

static unsigned long g_count, g_fail_at; /* 0 = never fail */
static bool g_failed;

static bool fail_now(void)
{
    if (!g_fail_at) return false;
    if (++g_count != g_fail_at) return false;
    g_failed = true;
    return true;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t k, size_t n)
{
    return fail_now() ? NULL : __real_calloc(k, n);
}
void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}
void *__wrap_aligned_alloc(size_t a, size_t n)
{
    return fail_now() ? NULL : __real_aligned_alloc(a, n);
}

/* ---- the scenario ---- */

typedef struct {
    uv_loop_t loop;
    uv_timer_t deadline;
    dnp3_io_outstation *osb;
    dnp3_io_master *mb;
    dnp3_master_assoc *a;
    bool polled, submitted, done;
} scenario;

static alignas(max_align_t) uint8_t os_mem[256 * 1024];

static void on_poll(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    (void)a;
    scenario *s = ctx;
    if (info->result == DNP3_TASK_SUCCESS) {
        s->polled = true;
        uv_stop(&s->loop);
    }
}

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)peer;
    scenario *s = ctx;
    if (s->submitted) return;
    s->submitted = dnp3_master_read_class(s->a, DNP3_CLASS_ALL, on_poll, s, now) == DNP3_OK;
}

static void on_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Runs once; returns 1 if the poll succeeded, 0 if it ended cleanly without it. */
static int run_once(void)
{
    scenario s;
    memset(&s, 0, sizeof s);
    assert_int_equal(uv_loop_init(&s.loop), 0);
    uv_timer_init(&s.loop, &s.deadline);
    uv_timer_start(&s.deadline, on_deadline, 400, 0);

    dnp3_outstation_config oc;
    dnp3_outstation_config_init(&oc);
    oc.link_layer = false;
    oc.types[DNP3_OS_ANALOG_INPUT].count = 50;
    size_t need = dnp3_outstation_memory_size(&oc);
    assert_true(need > 0 && need <= sizeof os_mem);
    dnp3_outstation *os = dnp3_outstation_init(os_mem, sizeof os_mem, &oc, NULL, dnp3_io_now(&s.loop));
    assert_non_null(os);

    dnp3_io_config sc;
    dnp3_io_config_init(&sc, DNP3_IO_TCP_SERVER);
    sc.host = "127.0.0.1";
    sc.port = 0;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    int rc = dnp3_io_outstation_start(&s.loop, &sc, &cc, os, NULL, &s.osb);
    if (rc == 0) {
        dnp3_channel_config mcc;
        dnp3_channel_config_init(&mcc);
        mcc.local_addr = 1;
        mcc.remote_addr = 10;
        dnp3_master_config mc;
        dnp3_master_config_init(&mc);
        dnp3_io_hooks hooks = {&s, on_open, NULL, NULL, NULL, NULL};
        rc = dnp3_io_master_create(&s.loop, &mcc, &mc, &hooks, &s.mb);
        if (rc == 0) {
            dnp3_assoc_config ac;
            dnp3_assoc_config_init(&ac);
            ac.response_timeout_ms = 100;
            ac.startup_disable_unsol = ac.startup_integrity = ac.startup_enable_unsol = 0;
            s.a = dnp3_master_add_assoc(dnp3_io_master_get(s.mb), &ac, dnp3_io_now(&s.loop));
            assert_non_null(s.a);
            dnp3_io_config mio;
            dnp3_io_config_init(&mio, DNP3_IO_TCP_CLIENT);
            mio.host = "127.0.0.1";
            mio.port = dnp3_io_local_port(dnp3_io_outstation_io(s.osb));
            mio.reconnect_min_ms = 20;
            rc = dnp3_io_master_open(s.mb, &mio);
            assert_true(rc == 0 || rc == DNP3_ERR_NOMEM);
            if (rc == 0) uv_run(&s.loop, UV_RUN_DEFAULT);
        } else {
            assert_int_equal(rc, DNP3_ERR_NOMEM); /* a clean error */
        }
    } else {
        assert_int_equal(rc, DNP3_ERR_NOMEM);
    }
    /* stop whatever started, let libuv close every handle, close the loop */
    g_fail_at = 0; /* the teardown itself is not the subject */
    if (s.mb) dnp3_io_master_stop(s.mb);
    if (s.osb) dnp3_io_outstation_stop(s.osb);
    uv_close((uv_handle_t *)&s.deadline, NULL);
    uv_run(&s.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&s.loop), 0);
    return s.polled;
}

static void test_every_allocation_fails_once(void **state)
{
    (void)state;
    /* the reference run: how many allocations the scenario makes */
    g_fail_at = 0;
    assert_int_equal(run_once(), 1);
    unsigned long polled = 0, degraded = 0, n;
    for (n = 1; n < 10000; n++) {
        g_count = 0;
        g_failed = false;
        g_fail_at = n;
        int ok = run_once();
        if (!g_failed) break; /* past the last allocation */
        if (ok)
            polled++;
        else
            degraded++;
    }
    print_message("%lu allocations of the runtime failed in turn: %lu runs still polled, %lu ended cleanly "
                  "without the poll; no crash\n",
                  n - 1, polled, degraded);
    assert_true(n > 5);
    assert_true(n < 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
