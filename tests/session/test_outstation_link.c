/*
 * test_outstation_link.c - the outstation driven at the octet level through
 * its built-in channel, as a runtime would: golden frames of docs/protocol-notes.md §10.1/10.2
 * in (B2/B4 select/operate, B12 unsolicited confirm, L8 link status) and out
 * (B3, B11, L7, L9), a multi-frame response written as one chunk, keep-alive
 * failure and framing errors closing the connection (or resynchronising with
 * link_framing = RESYNC), undefined link functions, and reconnects.
 */
#include "os_harness.h"

static dnp3_outstation *start_framing(bool unsol, dnp3_framing_policy framing)
{
    dnp3_outstation_config c;
    h_config(&c);
    c.link_framing = framing;
    c.link_layer = true;
    c.link_addr = 1024;
    c.master_addr = 1;
    c.unsolicited = unsol;
    c.types[DNP3_OS_ANALOG_INPUT].count = 100;
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.crob = h_crob;
    static harness h;
    memset(&h, 0, sizeof h);
    cb.ctx = &h;
    size_t need = dnp3_outstation_memory_size(&c);
    assert_true(need > 0 && need <= sizeof h_mem);
    dnp3_outstation *os = dnp3_outstation_init(h_mem, sizeof h_mem, &c, &cb, 0);
    assert_non_null(os);
    assert_non_null(dnp3_outstation_channel(os));
    return os;
}

static dnp3_outstation *start(bool unsol)
{
    return start_framing(unsol, DNP3_FRAMING_BY_MODE);
}

static int feed(dnp3_outstation *os, const char *hex, dnp3_tstamp now)
{
    uint8_t buf[1024];
    size_t n = tu_hex(hex, buf, sizeof buf);
    return dnp3_outstation_read(os, buf, n, now);
}

static void expect_chunk(dnp3_outstation *os, const char *hex, dnp3_tstamp now)
{
    uint8_t out[4096];
    int n = dnp3_outstation_write(os, out, sizeof out, now);
    assert_true(n > 0);
    assert_hex(out, (size_t)n, hex);
}

static void expect_silence(dnp3_outstation *os, dnp3_tstamp now)
{
    uint8_t out[4096];
    assert_int_equal(dnp3_outstation_write(os, out, sizeof out, now), 0);
}

/* The frame an outstation 1024 sends to master 1 for one small APDU. */
static const char *frame_of(uint8_t tseq, const char *apdu_hex)
{
    uint8_t ud[250], fr[300];
    size_t n = tu_hex(apdu_hex, ud + 1, sizeof ud - 1);
    ud[0] = (uint8_t)(0xC0 | tseq);
    int len = dnp3_link_format(fr, sizeof fr, 0x44, 1, 1024, ud, n + 1);
    assert_true(len > 0);
    return tu_tohex(fr, (size_t)len);
}

#define B2 "05 64 18 C4 00 04 01 00 5B 61 C0 C0 03 0C 01 17 01 03 01 01 01 00 00 00 01 00 4B C0 00 00 00 FF FF"
#define B3                                                                                                        \
    "05 64 1A 44 01 00 00 04 A6 F0 C0 C0 81 80 00 0C 01 17 01 03 01 01 01 00 00 00 43 80 01 00 00 00 00 F9 DC"
#define B4 "05 64 18 C4 00 04 01 00 5B 61 C1 C1 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 0F 5B 00 00 00 FF FF"

static void test_golden_select_operate_frames(void **state)
{
    (void)state;
    dnp3_outstation *os = start(false);
    assert_int_equal(feed(os, B2, 0), DNP3_OK);
    expect_chunk(os, B3, 0);
    expect_silence(os, 0);
    assert_int_equal(feed(os, B4, 10), DNP3_OK);
    expect_chunk(os, frame_of(1, "C1 81 80 00 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 00"), 10);
    expect_silence(os, 10);
}

static void test_golden_unsolicited_null_frames(void **state)
{
    (void)state;
    dnp3_outstation *os = start(true);
    expect_chunk(os, "05 64 0A 44 01 00 00 04 67 88 C0 F0 82 80 00 6B 7D", 0); /* B11 */
    expect_silence(os, 0);
    assert_int_equal(feed(os, "05 64 08 C4 00 04 01 00 9A 19 C0 D0 00 1B 49", 5), DNP3_OK); /* B12 */
    expect_silence(os, 5);
    assert_int_equal(dnp3_outstation_handle_expiry(os, 5000), DNP3_OK);
    expect_silence(os, 5000);
}

static void test_link_status_and_keep_alive(void **state)
{
    (void)state;
    dnp3_outstation *os = start(false);
    assert_int_equal(feed(os, "05 64 05 C9 00 04 01 00 98 81", 0), DNP3_OK); /* L8 */
    expect_chunk(os, "05 64 05 0B 01 00 00 04 64 40", 0);                    /* L9 */
    assert_int_equal(dnp3_outstation_get_expiry(os), 60000);
    assert_int_equal(dnp3_outstation_handle_expiry(os, 60000), DNP3_OK);
    expect_chunk(os, "05 64 05 49 01 00 00 04 D2 36", 60000); /* L7 */
    assert_int_equal(dnp3_outstation_get_expiry(os), 61000);
    assert_int_equal(dnp3_outstation_handle_expiry(os, 61000), DNP3_ERR_LINK_CLOSED);
    assert_int_equal(dnp3_channel_close_reason_get(dnp3_outstation_channel(os)), DNP3_CHANNEL_CLOSE_KEEPALIVE);
    /* the runtime closes; a new connection starts over */
    dnp3_outstation_set_online(os, false, 61000);
    dnp3_outstation_set_online(os, true, 70000);
    assert_int_equal(dnp3_outstation_get_expiry(os), 130000);
    assert_int_equal(feed(os, B2, 70001), DNP3_OK);
    expect_chunk(os, B3, 70001);
}

static void test_framing_error_closes(void **state)
{
    (void)state;
    dnp3_outstation *os = start(false);
    assert_int_equal(feed(os, "05 64 05 C0 01 00 00 04 E9 20", 0), DNP3_ERR_LINK_CLOSED);
    assert_int_equal(feed(os, B2, 1), DNP3_ERR_LINK_CLOSED);
    expect_silence(os, 1);
    dnp3_outstation_set_online(os, false, 2);
    dnp3_outstation_set_online(os, true, 3);
    assert_int_equal(feed(os, B2, 4), DNP3_OK);
    expect_chunk(os, B3, 4);
}

/* link_framing = RESYNC: junk, a bad header CRC and junk after a frame are skipped (issue 11) */
static void test_framing_error_resyncs(void **state)
{
    (void)state;
    dnp3_outstation *os = start_framing(false, DNP3_FRAMING_RESYNC);
    assert_int_equal(feed(os, "00 FF 05 64 05 C0 01 00 00 04 E9 20 " B2 " 01 02 03", 0), DNP3_OK);
    expect_chunk(os, B3, 0);
    expect_silence(os, 0);
    assert_int_equal(dnp3_channel_close_reason_get(dnp3_outstation_channel(os)), DNP3_CHANNEL_OPEN);
}

/*
 * Undefined primary function codes 5 and 10 (IEEE 1815-2012 clause 9.2.4, function codes of the control octet) are
 * answered with NOT_SUPPORTED (secondary function 15); the answer is output, so the expiry says "now".
 */
static void test_undefined_link_function_not_supported(void **state)
{
    (void)state;
    dnp3_outstation *os = start(false);
    assert_int_equal(feed(os, "05 64 05 C5 00 04 01 00 C9 58", 0), DNP3_OK);
    assert_int_equal(dnp3_outstation_get_expiry(os), 0);
    expect_chunk(os, "05 64 05 0F 01 00 00 04 7C CC", 0);
    assert_int_equal(feed(os, "05 64 05 CA 00 04 01 00 92 E4", 0), DNP3_OK);
    expect_chunk(os, "05 64 05 0F 01 00 00 04 7C CC", 0);
    expect_silence(os, 0);
    assert_true(dnp3_outstation_get_expiry(os) > 0);
}

/* 100 analog inputs in one response: several frames, one chunk */
static void test_multi_frame_chunk(void **state)
{
    (void)state;
    dnp3_outstation *os = start(false);
    uint8_t req[64];
    uint8_t ud[] = {0xC0, 0xC0, 0x01, 0x1E, 0x01, 0x06};
    int n = dnp3_link_format(req, sizeof req, 0xC4, 1024, 1, ud, sizeof ud);
    assert_int_equal(dnp3_outstation_read(os, req, (size_t)n, 0), DNP3_OK);
    uint8_t out[8192];
    size_t cap = dnp3_outstation_write_size(os);
    assert_true(cap <= sizeof out);
    int w = dnp3_outstation_write(os, out, cap, 0);
    size_t apdu_len = 4 + 5 + 100 * 5; /* qualifier 00: 8-bit start and stop */
    assert_int_equal(w, (int)dnp3_transport_wire_size(apdu_len));
    /* reassemble it as the master would */
    uint8_t frag[4096], scratch[250];
    dnp3_transport_rx rx;
    dnp3_transport_rx_init(&rx, frag, sizeof frag);
    size_t off = 0;
    int got = 0;
    const uint8_t *apdu = NULL;
    size_t alen = 0;
    while (off < (size_t)w) {
        dnp3_link_frame f;
        int fl = dnp3_link_parse(out + off, (size_t)w - off, scratch, &f, NULL);
        assert_true(fl > 0);
        assert_int_equal(f.control, 0x44);
        got = dnp3_transport_rx_push(&rx, f.src, false, f.data, f.len, &apdu, &alen);
        off += (size_t)fl;
    }
    assert_int_equal(got, 1);
    assert_int_equal(alen, apdu_len);
    assert_hex(apdu, 9, "C0 81 80 00 1E 01 00 00 63");
    expect_silence(os, 0);
    /* too small a buffer: nothing lost */
    assert_int_equal(dnp3_outstation_read(os, req, (size_t)n, 1), DNP3_OK); /* READ repeated: answered again */
    assert_int_equal(dnp3_outstation_write(os, out, 100, 1), DNP3_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(dnp3_outstation_write(os, out, cap, 1), w);
}

static void test_apdu_level_only(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    uint8_t out[16];
    assert_null(dnp3_outstation_channel(h.os));
    assert_int_equal(dnp3_outstation_read(h.os, out, 1, 0), DNP3_ERR_STATE);
    assert_int_equal(dnp3_outstation_write(h.os, out, sizeof out, 0), DNP3_ERR_STATE);
    /* a response larger than the caller's buffer stays queued */
    h_req(&h, "C0 01 1E 01 06");
    assert_int_equal(dnp3_outstation_take(h.os, out, sizeof out, 0), DNP3_ERR_BUFFER_TOO_SMALL);
    uint8_t big[256];
    assert_int_equal(dnp3_outstation_take(h.os, big, sizeof big, 0), 4 + 5 + 10 * 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_select_operate_frames),
        cmocka_unit_test(test_golden_unsolicited_null_frames),
        cmocka_unit_test(test_link_status_and_keep_alive),
        cmocka_unit_test(test_framing_error_closes),
        cmocka_unit_test(test_framing_error_resyncs),
        cmocka_unit_test(test_undefined_link_function_not_supported),
        cmocka_unit_test(test_multi_frame_chunk),
        cmocka_unit_test(test_apdu_level_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
