/*
 * test_master_errors.c - hostile and broken outstations: truncated responses,
 * unknown objects, malformed objects (no confirm), wrong SEQ, missing FIR,
 * FIR inside a series, UNS in a solicited response, other function codes,
 * AUTH_RESPONSE, late answers, responses with nothing outstanding. Each time
 * the task fails with the right reason and the next task runs. Also: user
 * task start timeout, removal from a callback, multi-drop routing and the
 * one-request-per-line option, a full channel queue, memory contract.
 */
#include <stdlib.h>

#include "dnp3/link.h"
#include "test_master_harness.h"

/* Queues two class-0 reads; the first one's request is consumed. */
static void two_reads(void)
{
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
}

static void bad_response(const char *rsp, dnp3_task_result expect, int perr)
{
    mh_setup(NULL);
    two_reads();
    mh_respond(rsp);
    mh_expect("C1 01 3C 02 06"); /* no confirm before it, and the next task runs */
    assert_int_equal(mh.user_count, 1);
    assert_int_equal(mh_last_user()->result, expect);
    if (perr) assert_int_equal(mh_last_user()->perr, perr);
    assert_int_equal(mh_meas_after(0, 'B'), 0);
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
}

static void truncated_header(void **state)
{
    (void)state;
    bad_response("C0 81 00", DNP3_TASK_BAD_HEADER, 0);
    bad_response("C0", DNP3_TASK_BAD_HEADER, 0);
}

static void truncated_objects(void **state)
{
    (void)state;
    bad_response("E0 81 00 00 1E 01 00 00 01 01 2A 00 00 00", DNP3_TASK_MALFORMED, DNP3_ERR_APP_TRUNCATED);
    bad_response("E0 81 00 00 1E", DNP3_TASK_MALFORMED, DNP3_ERR_APP_TRUNCATED);
    bad_response("E0 81 00 00 1E 01 00 05 00", DNP3_TASK_MALFORMED, DNP3_ERR_APP_BAD_RANGE);
}

static void unknown_object(void **state)
{
    (void)state;
    bad_response("E0 81 00 00 C8 01 00 00 00 01", DNP3_TASK_MALFORMED, DNP3_ERR_APP_UNKNOWN_OBJECT);
    bad_response("C0 81 00 00 1E 00 00 00 00", DNP3_TASK_MALFORMED, DNP3_ERR_APP_VARIATION_ZERO);
    bad_response("C0 81 00 00 3C 01 06", DNP3_TASK_MALFORMED, DNP3_ERR_APP_OBJECT_NOT_ALLOWED);
    bad_response("C0 81 00 00 6E 00 17 01 00", DNP3_TASK_MALFORMED, DNP3_ERR_APP_ZERO_LENGTH);
    bad_response("C0 81 00 00 01 02 7F 00 00 01", DNP3_TASK_MALFORMED, DNP3_ERR_APP_BAD_QUALIFIER);
}

static void wrong_seq(void **state)
{
    (void)state;
    bad_response("C5 81 00 00", DNP3_TASK_BAD_SEQUENCE, 0);
    bad_response("40 81 00 00", DNP3_TASK_BAD_SEQUENCE, 0); /* FIN without FIR */
    bad_response("00 81 00 00", DNP3_TASK_BAD_SEQUENCE, 0); /* neither */
    bad_response("D0 81 00 00", DNP3_TASK_BAD_HEADER, 0);   /* UNS in a solicited response */
    bad_response("C0 01 3C 01 06", DNP3_TASK_UNEXPECTED_FUNCTION, 0);
    bad_response("C0 83 00 00", DNP3_TASK_UNSUPPORTED, 0);
}

static void series_errors(void **state)
{
    (void)state;
    /* second fragment with the wrong SEQ */
    mh_setup(NULL);
    two_reads();
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00");
    mh_expect("C0 00");
    mh_respond("43 81 00 00 1E 02 01 01 00 01 00 01 02 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_BAD_SEQUENCE);
    mh_expect("C1 01 3C 02 06");

    /* FIR again inside a series */
    mh_setup(NULL);
    two_reads();
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00");
    mh_expect("C0 00");
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_BAD_SEQUENCE);
    mh_expect("C1 01 3C 02 06");

    /* a repeated fragment is a duplicate: confirmed again, not delivered twice */
    mh_setup(NULL);
    two_reads();
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00");
    mh_expect("C0 00");
    mh_respond("A0 81 00 00 1E 02 01 00 00 00 00 01 01 00");
    mh_expect("C0 00");
    mh_respond("41 81 00 00 1E 02 01 01 00 01 00 01 02 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh_meas_after(0, 'M'), 2);
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->duplicate_fragments, 1);
    mh_expect("C1 01 3C 02 06");

    /* a non-READ response may not span fragments */
    mh_setup(NULL);
    assert_int_equal(dnp3_master_restart(mh.a, false, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 0D");
    mh_respond("A0 81 00 00 34 01 07 01 01 00");
    mh_expect_none();
    assert_int_equal(mh_last_user()->result, DNP3_TASK_MALFORMED);
}

static void late_and_unexpected_responses(void **state)
{
    (void)state;
    mh_setup(NULL);
    mh_respond("C0 81 00 00"); /* nothing outstanding */
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->unexpected_responses, 1);
    two_reads();
    mh_advance(5000);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_TIMEOUT);
    mh_expect("C1 01 3C 02 06");
    mh_respond("C0 81 00 00 1E 02 01 00 00 00 00 01 01 00"); /* the late answer to SEQ 0 */
    assert_int_equal(mh.user_count, 1);
    assert_int_equal(mh_meas_after(0, 'M'), 0);
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(dnp3_master_assoc_get_stats(mh.a)->unexpected_responses, 2);
}

static void start_timeout_while_disconnected(void **state)
{
    (void)state;
    mh_setup_full(NULL, 1, false);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    assert_int_equal(dnp3_master_get_expiry(mh.m), 10000);
    mh_advance(3000);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_advance(7000);
    assert_int_equal(mh.user_count, 1);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_START_TIMEOUT);
    assert_int_equal(dnp3_master_on_connect(mh.m, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06"); /* the second one still runs */
    mh_respond("C0 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
}

static dnp3_master_assoc *g_remove;
static void remove_in_cb(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    mh_user_cb(ctx, a, i);
    if (g_remove) {
        assert_int_equal(dnp3_master_remove_assoc(g_remove, mh.now), DNP3_OK);
        g_remove = NULL;
    }
}

static void remove_from_callback(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, remove_in_cb, NULL, mh.now), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    g_remove = mh.a;
    mh_respond("C0 81 00 00");
    assert_int_equal(mh.user_count, 2);
    assert_int_equal(mh.user[0].result, DNP3_TASK_SUCCESS);
    assert_int_equal(mh.user[1].result, DNP3_TASK_CANCELLED);
    mh_expect_none();
    assert_null(dnp3_master_find_assoc(mh.m, MH_OUT_ADDR));
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, NULL, NULL, mh.now), DNP3_ERR_INVALID_ARG);
    /* the slot can be used again */
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_integrity = ac.startup_enable_unsol = 0;
    assert_non_null(dnp3_master_add_assoc(mh.m, &ac, mh.now));
    assert_null(dnp3_master_add_assoc(mh.m, &ac, mh.now)); /* no free slot, same address */
}

static void reentrant_cb(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    mh_user_cb(ctx, a, i);
    uint8_t apdu[] = {0xC1, 0x81, 0, 0};
    assert_int_equal(dnp3_master_handle_apdu(mh.m, MH_OUT_ADDR, apdu, sizeof apdu, mh.now), DNP3_ERR_STATE);
    assert_int_equal(dnp3_master_handle_expiry(mh.m, mh.now), DNP3_ERR_STATE);
    assert_int_equal(dnp3_master_on_disconnect(mh.m, mh.now), DNP3_ERR_STATE);
    /* submitting from a callback is fine: it runs once the callback returns */
    assert_int_equal(dnp3_master_read_class(a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
}

static void calls_from_callbacks(void **state)
{
    (void)state;
    mh_setup(NULL);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, reentrant_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06");
    mh_respond("C0 81 00 00");
    mh_expect("C1 01 3C 02 06");
    assert_true(dnp3_master_connected(mh.m));
}

static void multi_drop_routing(void **state)
{
    (void)state;
    mh_setup_full(NULL, 3, false);
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = 0;
    ac.address = 5;
    dnp3_master_assoc *b = dnp3_master_add_assoc(mh.m, &ac, mh.now);
    assert_non_null(b);
    assert_null(dnp3_master_add_assoc(mh.m, &ac, mh.now)); /* duplicate address */
    assert_ptr_equal(dnp3_master_find_assoc(mh.m, 5), b);
    assert_int_equal(dnp3_master_on_connect(mh.m, mh.now), DNP3_OK);
    /* b's start-up integrity poll goes to address 5; the harness outstation (1024) does not see it */
    mh_expect_none();
    assert_int_equal(dnp3_master_assoc_busy(b), true);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 01 06"); /* both outstanding at once */
    mh_respond_from(5, "C0 81 00 00 01 02 00 00 00 81");
    assert_false(dnp3_master_assoc_busy(b));
    assert_true(dnp3_master_assoc_busy(mh.a));
    assert_int_equal(mh.meas[0].info.address, 5);
    mh_respond_from(77, "C0 81 00 00");
    assert_int_equal(dnp3_master_get_stats(mh.m)->fragments_unknown_source, 1);
    mh_respond("C0 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
}

static void add_on_unknown(void *ctx, dnp3_master *m, uint16_t address)
{
    (void)ctx;
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = address;
    ac.startup_disable_unsol = ac.startup_integrity = ac.startup_enable_unsol = 0;
    assert_non_null(dnp3_master_add_assoc(m, &ac, 0));
}

static void dial_in_unknown_source(void **state)
{
    (void)state;
    memset(&mh, 0, sizeof mh);
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.max_associations = 2;
    mc.handler.unknown_source = add_on_unknown;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = 1;
    cc.accept_any_remote = true;
    cc.keep_alive_ms = 0;
    dnp3_channel *ch = dnp3_channel_init(mh_mem_mc, sizeof mh_mem_mc, &cc, 0);
    dnp3_master *m = dnp3_master_init(mh_mem_m, sizeof mh_mem_m, &mc, ch, 0);
    assert_non_null(m);
    dnp3_master_on_connect(m, 0);
    /* an outstation that dialled in announces itself */
    const uint8_t null_unsol[] = {0xF0, 0x82, 0x80, 0x00};
    assert_int_equal(dnp3_master_handle_apdu(m, 77, null_unsol, sizeof null_unsol, 0), DNP3_OK);
    dnp3_master_assoc *a = dnp3_master_find_assoc(m, 77);
    assert_non_null(a);
    assert_int_equal(dnp3_master_assoc_get_stats(a)->unsolicited_rx, 1);
    uint8_t out[512], scratch[DNP3_LINK_MAX_USER_DATA];
    int n = dnp3_channel_write(ch, out, sizeof out); /* the confirm goes to 77 */
    assert_true(n > 0);
    dnp3_link_frame f;
    assert_true(dnp3_link_parse(out, (size_t)n, scratch, &f, NULL) > 0);
    assert_int_equal(f.dest, 77);
    assert_hex(f.data + 1, f.len - 1, "D0 00");
    assert_int_equal(dnp3_master_get_stats(m)->fragments_unknown_source, 1);
}

static void one_request_per_line(void **state)
{
    (void)state;
    memset(&mh, 0, sizeof mh);
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.max_associations = 2;
    mc.one_request_per_channel = true;
    mc.handler.task_done = mh_on_task_done;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = 1;
    cc.accept_any_remote = true;
    cc.keep_alive_ms = 0;
    cc.on_fragment = dnp3_master_on_fragment;
    cc.ctx = mh_mem_m;
    dnp3_channel *ch = dnp3_channel_init(mh_mem_mc, sizeof mh_mem_mc, &cc, 0);
    assert_non_null(ch);
    dnp3_master *m = dnp3_master_init(mh_mem_m, sizeof mh_mem_m, &mc, ch, 0);
    assert_non_null(m);
    dnp3_assoc_config ac;
    mh_default_assoc(&ac);
    ac.startup_disable_unsol = ac.startup_enable_unsol = 0;
    ac.address = 10;
    dnp3_master_assoc *a = dnp3_master_add_assoc(m, &ac, 0);
    ac.address = 11;
    dnp3_master_assoc *b = dnp3_master_add_assoc(m, &ac, 0);
    assert_non_null(a);
    assert_non_null(b);
    dnp3_master_on_connect(m, 0);
    uint8_t out[512];
    int n = dnp3_channel_write(ch, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(dnp3_channel_write(ch, out, sizeof out), 0); /* only one poll on the line */
    dnp3_master_assoc *first = dnp3_master_assoc_busy(a) ? a : b;
    dnp3_master_assoc *second = first == a ? b : a;
    assert_false(dnp3_master_assoc_busy(second));
    assert_true(dnp3_master_get_expiry(m) == 5000); /* the running poll's timeout, no busy loop */
    const uint8_t rsp[] = {0xC0, 0x81, 0, 0};
    dnp3_master_handle_apdu(m, dnp3_master_assoc_address(first), rsp, sizeof rsp, 10);
    assert_true(dnp3_master_assoc_busy(second));
    assert_true(dnp3_channel_write(ch, out, sizeof out) > 0);
    /* the second times out; the first's next poll waits for nothing else */
    dnp3_master_handle_expiry(m, 5010);
    assert_false(dnp3_master_assoc_busy(second));
}

static void channel_queue_full(void **state)
{
    (void)state;
    mh_setup(NULL);
    /* fill the master channel's queue: the runtime has not drained it */
    static const uint8_t one[1] = {0xC0};
    while (dnp3_channel_can_send(mh.mch, 1))
        assert_int_equal(dnp3_channel_send(mh.mch, MH_OUT_ADDR, one, 1), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    assert_true(dnp3_master_get_stats(mh.m)->send_blocked >= 1);
    assert_true(dnp3_master_get_expiry(mh.m) <= mh.now);
    /* the runtime drains the channel and calls handle_expiry: the request goes out */
    uint8_t out[4096];
    while (dnp3_channel_write(mh.mch, out, sizeof out) > 0) {
    }
    dnp3_master_handle_expiry(mh.m, mh.now);
    mh_expect("C0 01 3C 01 06");
    /* a confirm that does not fit waits and goes first */
    while (dnp3_channel_can_send(mh.mch, 1))
        assert_int_equal(dnp3_channel_send(mh.mch, MH_OUT_ADDR, one, 1), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
    {
        uint8_t apdu[] = {0xE0, 0x81, 0, 0};
        assert_int_equal(dnp3_master_handle_apdu(mh.m, MH_OUT_ADDR, apdu, sizeof apdu, mh.now), DNP3_OK);
    }
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    while (dnp3_channel_write(mh.mch, out, sizeof out) > 0) {
    }
    dnp3_master_handle_expiry(mh.m, mh.now);
    mh_expect("C0 00");
    mh_expect("C1 01 3C 02 06");
}

static void blocked_then_reconnect(void **state)
{
    (void)state;
    mh_setup(NULL);
    static const uint8_t one[1] = {0xC0};
    while (dnp3_channel_can_send(mh.mch, 1))
        assert_int_equal(dnp3_channel_send(mh.mch, MH_OUT_ADDR, one, 1), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_0, mh_user_cb, NULL, mh.now), DNP3_OK);
    assert_true(dnp3_master_get_expiry(mh.m) <= mh.now);
    /* the connection drops with the request still unsent */
    assert_int_equal(dnp3_master_on_disconnect(mh.m, mh.now), DNP3_OK);
    assert_int_equal(mh_last_user()->result, DNP3_TASK_DISCONNECTED);
    dnp3_channel_reset(mh.mch, mh.now);
    dnp3_channel_reset(mh.och, mh.now);
    assert_int_equal(dnp3_master_on_connect(mh.m, mh.now), DNP3_OK);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_1, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C0 01 3C 02 06");
    mh_respond("C0 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_int_equal(dnp3_master_read_class(mh.a, DNP3_CLASS_2, mh_user_cb, NULL, mh.now), DNP3_OK);
    mh_expect("C1 01 3C 03 06");
    mh_respond("C1 81 00 00");
    assert_int_equal(mh_last_user()->result, DNP3_TASK_SUCCESS);
    assert_true(dnp3_master_get_expiry(mh.m) > mh.now);
}

static void config_and_memory_contract(void **state)
{
    (void)state;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    size_t one = dnp3_master_memory_size(&mc);
    assert_true(one > 0);
    mc.max_associations = 10;
    size_t ten = dnp3_master_memory_size(&mc);
    assert_true(ten > one);
    assert_true((ten - one) / 9 <= 16 * 1024); /* goal: <= 16 KiB per association */
    const char *field = "unset";
    assert_int_equal(dnp3_master_config_check(&mc, &field), DNP3_OK);
    assert_null(field);
    mc.max_associations = 0;
    assert_int_equal(dnp3_master_memory_size(&mc), 0);
    assert_int_equal(dnp3_master_config_check(&mc, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "max_associations");
    mc.max_associations = 1;
    mc.task_buffer_size = 4;
    assert_int_equal(dnp3_master_memory_size(&mc), 0);
    assert_int_equal(dnp3_master_config_check(&mc, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "task_buffer_size");
    mc.task_buffer_size = 512;
    mc.size = 3;
    assert_int_equal(dnp3_master_memory_size(&mc), 0);
    assert_int_equal(dnp3_master_config_check(&mc, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "size");
    assert_int_equal(dnp3_master_config_check(NULL, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "config");
    mc.size = sizeof mc;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    dnp3_channel *ch = dnp3_channel_init(mh_mem_mc, sizeof mh_mem_mc, &cc, 0);
    assert_null(dnp3_master_init(mh_mem_m, one - 1, &mc, ch, 0));
    assert_null(dnp3_master_init(mh_mem_m + 1, one + 64, &mc, ch, 0));
    assert_null(dnp3_master_init(mh_mem_m, one, &mc, NULL, 0));
    dnp3_master *m = dnp3_master_init(mh_mem_m, one, &mc, ch, 0);
    assert_non_null(m);
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = 0xFFF0;
    assert_null(dnp3_master_add_assoc(m, &ac, 0));
    assert_int_equal(dnp3_assoc_config_check(&ac, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "address");
    ac.address = 10;
    ac.retry_max_ms = 1;
    assert_null(dnp3_master_add_assoc(m, &ac, 0));
    assert_int_equal(dnp3_assoc_config_check(&ac, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "retry_max_ms");
    dnp3_assoc_config_init(&ac);
    assert_non_null(dnp3_master_add_assoc(m, &ac, 0));
    assert_int_equal(dnp3_master_get_expiry(m), DNP3_TSTAMP_NEVER); /* disconnected, nothing queued */
    assert_string_equal(dnp3_task_result_name(DNP3_TASK_ECHO_MISMATCH), "ECHO_MISMATCH");
    assert_string_equal(dnp3_task_result_name((dnp3_task_result)99), "UNKNOWN");
    assert_string_equal(dnp3_task_kind_name(DNP3_TASK_TIME_SYNC), "time_sync");
    for (unsigned r = 0; r < DNP3_TASK_RESULT_COUNT; r++) {
        assert_non_null(dnp3_task_result_str((dnp3_task_result)r));
        assert_string_not_equal(dnp3_task_result_name((dnp3_task_result)r), "UNKNOWN");
    }
    for (unsigned k = 0; k < DNP3_TASK_KIND_COUNT; k++)
        assert_string_not_equal(dnp3_task_kind_name((dnp3_task_kind)k), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truncated_header),
        cmocka_unit_test(truncated_objects),
        cmocka_unit_test(unknown_object),
        cmocka_unit_test(wrong_seq),
        cmocka_unit_test(series_errors),
        cmocka_unit_test(late_and_unexpected_responses),
        cmocka_unit_test(start_timeout_while_disconnected),
        cmocka_unit_test(remove_from_callback),
        cmocka_unit_test(calls_from_callbacks),
        cmocka_unit_test(multi_drop_routing),
        cmocka_unit_test(dial_in_unknown_source),
        cmocka_unit_test(one_request_per_line),
        cmocka_unit_test(channel_queue_full),
        cmocka_unit_test(blocked_then_reconnect),
        cmocka_unit_test(config_and_memory_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
