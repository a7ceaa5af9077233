/*
 * test_master_scale.c - many associations on one master (multi-drop
 * routing, the timer heap and the dirty list of src/master/master.c):
 * 10,000 outstations with staggered class-1 poll periods are each polled
 * exactly on time for several periods, answers are routed by link source
 * address, and the channel's full output queue only delays requests.
 * 200 associations with mixed periods and random removal/re-adding check
 * that every timer still fires at its time.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/channel.h"
#include "dnp3/link.h"
#include "dnp3/master.h"
#include "testutil.h"

typedef struct {
    dnp3_channel *ch;
    dnp3_master *m;
    void *mem_m, *mem_c;
    size_t n;
    uint32_t *polls;
    dnp3_tstamp *last_poll;
    dnp3_tstamp now;
    uint32_t *period;
    bool late;
} scale_t;

static scale_t S;

static void setup(size_t n)
{
    memset(&S, 0, sizeof S);
    S.n = n;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.max_associations = n;
    mc.user_queue_len = 1;
    mc.task_buffer_size = 32;
    mc.max_command_objects = 1;
    size_t need = dnp3_master_memory_size(&mc);
    assert_true(need > 0);
    S.mem_m = aligned_alloc(alignof(max_align_t), (need + 63) / 64 * 64);
    assert_non_null(S.mem_m);
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = 60000;
    cc.accept_any_remote = true;
    cc.keep_alive_ms = 0;
    cc.on_fragment = dnp3_master_on_fragment;
    cc.ctx = S.mem_m;
    size_t cneed = dnp3_channel_memory_size(&cc);
    S.mem_c = aligned_alloc(alignof(max_align_t), (cneed + 63) / 64 * 64);
    S.ch = dnp3_channel_init(S.mem_c, (cneed + 63) / 64 * 64, &cc, 0);
    assert_non_null(S.ch);
    S.m = dnp3_master_init(S.mem_m, (need + 63) / 64 * 64, &mc, S.ch, 0);
    assert_non_null(S.m);
    S.polls = calloc(n, sizeof *S.polls);
    S.last_poll = calloc(n, sizeof *S.last_poll);
    S.period = calloc(n, sizeof *S.period);
}

static void teardown_scale(void)
{
    free(S.mem_m);
    free(S.mem_c);
    free(S.polls);
    free(S.last_poll);
    free(S.period);
}

static dnp3_master_assoc *add(uint16_t addr, uint32_t period, dnp3_tstamp now)
{
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = addr;
    ac.startup_disable_unsol = ac.startup_enable_unsol = ac.startup_integrity = 0;
    ac.class_period_ms[0] = period;
    ac.event_poll_on_iin = 0;
    return dnp3_master_add_assoc(S.m, &ac, now);
}

/* Drains the master's channel, answering every poll at once; returns the number of requests. */
static size_t answer_all(void)
{
    static uint8_t out[8192];
    size_t count = 0;
    int n;
    while ((n = dnp3_channel_write(S.ch, out, sizeof out)) > 0) {
        uint8_t scratch[DNP3_LINK_MAX_USER_DATA];
        dnp3_link_frame f;
        int k = dnp3_link_parse(out, (size_t)n, scratch, &f, NULL);
        assert_true(k > 0);
        assert_true(f.len >= 3);
        const uint8_t *apdu = f.data + 1;
        assert_int_equal(apdu[1], DNP3_FC_READ);
        uint16_t addr = f.dest;
        assert_true(addr >= 1 && addr <= S.n);
        size_t i = addr - 1;
        if (S.polls[i] > 0 && S.now - S.last_poll[i] != S.period[i]) S.late = true;
        S.polls[i]++;
        S.last_poll[i] = S.now;
        uint8_t rsp[4] = {(uint8_t)(0xC0 | (apdu[0] & 0x0F)), 0x81, 0, 0};
        assert_int_equal(dnp3_master_handle_apdu(S.m, addr, rsp, sizeof rsp, S.now), DNP3_OK);
        count++;
    }
    return count;
}

static void run_until(dnp3_tstamp end)
{
    for (int guard = 0; guard < 1000000; guard++) {
        answer_all();
        dnp3_tstamp e = dnp3_master_get_expiry(S.m);
        if (e > end) break;
        if (e > S.now) S.now = e;
        assert_int_equal(dnp3_master_handle_expiry(S.m, S.now), DNP3_OK);
    }
    S.now = end;
}

static void ten_thousand_associations(void **state)
{
    (void)state;
    const size_t n = 10000;
    setup(n);
    for (size_t i = 0; i < n; i++) {
        /* periods of 1000..1009 ms spread the polls */
        S.period[i] = 1000 + (uint32_t)(i % 10);
        assert_non_null(add((uint16_t)(i + 1), S.period[i], 0));
    }
    assert_int_equal(dnp3_master_on_connect(S.m, 0), DNP3_OK);
    run_until(5100);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(S.polls[i], 5);
        assert_int_equal(S.last_poll[i], 5 * S.period[i]);
    }
    assert_false(S.late);
    assert_true(dnp3_master_get_stats(S.m)->send_blocked > 0); /* the queue filled and drained */
    teardown_scale();
}

static void heap_with_churn(void **state)
{
    (void)state;
    const size_t n = 200;
    setup(n);
    dnp3_master_assoc *as[200];
    for (size_t i = 0; i < n; i++) {
        S.period[i] = 100 + (uint32_t)((i * 37) % 900);
        as[i] = add((uint16_t)(i + 1), S.period[i], 0);
        assert_non_null(as[i]);
    }
    assert_int_equal(dnp3_master_on_connect(S.m, 0), DNP3_OK);
    srand(7);
    for (int step = 0; step < 50; step++) {
        run_until(S.now + 500);
        /* remove and re-add a few associations: their schedule restarts */
        for (int k = 0; k < 5; k++) {
            size_t i = (size_t)rand() % n;
            assert_int_equal(dnp3_master_remove_assoc(as[i], S.now), DNP3_OK);
            S.period[i] = 100 + (uint32_t)(rand() % 900);
            as[i] = add((uint16_t)(i + 1), S.period[i], S.now);
            assert_non_null(as[i]);
            S.polls[i] = 0;
        }
    }
    run_until(S.now + 1000);
    assert_false(S.late);
    for (size_t i = 0; i < n; i++) assert_true(S.polls[i] > 0);
    teardown_scale();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ten_thousand_associations),
        cmocka_unit_test(heap_with_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
