/*
 * test_outstation_expiry.c - the driving contract of the outstation (issue
 * 11): after any call, either take/write has nothing to give or
 * dnp3_outstation_get_expiry says "now" (0), so a runtime that wakes only at
 * the expiry never leaves a response waiting. Unsolicited responses are built
 * lazily (IEEE 1815-2012 clause 4.6.6: a READ deferred while an unsolicited
 * confirm is awaited is answered after the confirm or its timeout, and the
 * unsolicited series goes on after it).
 *
 * The property test drives seeded random sessions (requests, confirms right
 * and wrong, updates, time, the connection going down and up) the way a
 * timer-driven runtime does: it takes output only when the expiry is due, and
 * checks before every step that nothing could be taken when it is not; once at
 * the fragment level (receive/take), once at the octet level through the
 * built-in channel (read/write, link replies, keep-alive, reconnects).
 * DNP3_SEED=N replays one seed.
 */
#include <stdlib.h>

#include "os_harness.h"

#define ENABLE_123 "14 3C 02 06 3C 03 06 3C 04 06"

static void small_config(dnp3_outstation_config *c)
{
    h_config(c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c->types[t].count = 3;
    c->types[DNP3_OS_ANALOG_INPUT].event_class = 2;
    c->types[DNP3_OS_COUNTER].event_class = 3;
    c->unsolicited = true;
    c->unsol_retries = 2;
    c->unsol_retry_delay_ms = 3000;
    c->max_tx_fragment = 249; /* several fragments per response */
}

static void assert_due(harness *h)
{
    assert_true(dnp3_outstation_get_expiry(h->os) <= h->now);
}

/* The defect of issue 11: null response unconfirmed, READ deferred, confirm timeout. */
static void test_null_response_due_after_deferred_read(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    small_config(&c);
    h_start(&h, &c);
    assert_due(&h);
    h_expect(&h, "F0 82 80 00");
    assert_true(dnp3_outstation_get_expiry(h.os) == 5000); /* the confirm timeout */
    h_req(&h, "C0 01 3C 02 06");                           /* READ class 1: deferred */
    h_none(&h);
    h_advance(&h, 5000);
    assert_due(&h);
    uint8_t out[4096];
    size_t n = h_take(&h, out, sizeof out);
    assert_int_equal(out[1], 0x81);
    (void)n;
    assert_due(&h); /* the null response is due again: nothing else would ask for it */
    h_expect(&h, "F1 82 80 00");
}

/* Events unconfirmed, READ deferred, a new event meanwhile: reported after the READ. */
static void test_events_due_after_deferred_read(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    small_config(&c);
    h_start(&h, &c);
    h_expect(&h, "F0 82 80 00");
    h_req(&h, "D0 00");
    h_exchange(&h, "C0 " ENABLE_123, "C0 81 80 00");
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    assert_due(&h);
    uint8_t out[4096];
    h_take(&h, out, sizeof out);
    assert_int_equal(out[1], 0x82);
    h_req(&h, "C1 01 3C 01 06"); /* READ class 0: deferred */
    h_update(&h, DNP3_OS_BINARY_INPUT, 1, 1, DNP3_FLAG_ONLINE, 0);
    h_none(&h);
    assert_true(dnp3_outstation_get_expiry(h.os) > h.now);
    h_advance(&h, 5000);
    assert_due(&h);
    h_take(&h, out, sizeof out);
    assert_int_equal(out[1], 0x81);
    while (out[0] & 0x20) { /* confirm every fragment that asks for it */
        char hex[16];
        snprintf(hex, sizeof hex, "C%X 00", out[0] & 0x0F);
        h_req(&h, hex);
        assert_due(&h);
        h_take(&h, out, sizeof out);
        if (out[1] == 0x82) break;
    }
    if (out[1] != 0x82) {
        assert_due(&h);
        h_take(&h, out, sizeof out);
    }
    assert_int_equal(out[1], 0x82); /* both events, without another request */
}

/* Item 5 of issue 11: the solicited confirm timer starts when the fragment is taken, not when it is built. */
static void test_sol_confirm_timer_starts_at_take(void **state)
{
    (void)state;
    harness h;
    h_start_default(&h);
    h_clear_restart(&h);
    h_update(&h, DNP3_OS_BINARY_INPUT, 0, 1, DNP3_FLAG_ONLINE, 0);
    h_req(&h, "C0 01 3C 02 06"); /* built at 0 */
    assert_true(dnp3_outstation_get_expiry(h.os) == 0);
    h_advance(&h, 6000); /* longer than the confirm timeout, still not handed over */
    h_expect(&h, "E0 81 00 00 02 01 17 01 00 81");
    assert_true(dnp3_outstation_get_expiry(h.os) == 11000);
    h_advance(&h, 4999);
    h_req(&h, "C0 00"); /* in time: 4999 ms after the take */
    h_none(&h);
    assert_int_equal(dnp3_outstation_event_count(h.os, DNP3_OS_BINARY_INPUT), 0);
    assert_true(dnp3_outstation_get_expiry(h.os) == DNP3_TSTAMP_NEVER);
}

/* The same for an unsolicited retry: made ready at the timeout, timed from its take. */
static void test_unsol_confirm_timer_starts_at_take(void **state)
{
    (void)state;
    harness h;
    dnp3_outstation_config c;
    small_config(&c);
    h_start(&h, &c);
    h_expect(&h, "F0 82 80 00"); /* taken at 0 */
    h_advance(&h, 5000);         /* timeout: the retry is ready */
    assert_true(dnp3_outstation_get_expiry(h.os) == 0);
    h_advance(&h, 3000); /* not taken for 3 s: no second timeout meanwhile */
    h_expect(&h, "F0 82 80 00");
    h_none(&h);
    assert_true(dnp3_outstation_get_expiry(h.os) == 13000);
    h_advance(&h, 4999);
    h_req(&h, "D0 00");
    h_none(&h);
    assert_true(dnp3_outstation_get_expiry(h.os) == DNP3_TSTAMP_NEVER);
}

/* ---- property ---- */

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

typedef struct {
    harness h;
    bool octets;          /* through the built-in channel: read/write instead of receive/take */
    uint8_t tseq;         /* master's transport SEQ (octet level) */
    uint8_t mseq;         /* master's request SEQ */
    int sol_con, uns_con; /* SEQ of the last fragment asking for a confirm, -1 none */
    bool online;
    unsigned taken, violations;
} session;

static void reconnect(session *s);

static void receive(session *s, const uint8_t *apdu, size_t n)
{
    if (!s->octets) {
        assert_int_equal(dnp3_outstation_receive(s->h.os, apdu, n, DNP3_BCAST_NONE, s->h.now), DNP3_OK);
        return;
    }
    uint8_t ud[250], fr[300];
    ud[0] = (uint8_t)(0xC0 | s->tseq);
    s->tseq = (uint8_t)((s->tseq + 1) & 0x3F);
    memcpy(ud + 1, apdu, n);
    int len = dnp3_link_format(fr, sizeof fr, 0xC4, 10, 1, ud, n + 1); /* master 1 -> outstation 10 */
    assert_true(len > 0);
    if (dnp3_outstation_read(s->h.os, fr, (size_t)len, s->h.now) == DNP3_ERR_LINK_CLOSED) reconnect(s);
}

/* What a runtime does when the channel wants the connection closed: drop it, accept a new one. */
static void reconnect(session *s)
{
    dnp3_outstation_set_online(s->h.os, false, s->h.now);
    dnp3_outstation_set_online(s->h.os, true, s->h.now);
}

/* One output unit: a fragment (take) or a chunk of link frames (write). */
static int output(session *s, uint8_t *out, size_t cap)
{
    if (!s->octets) return dnp3_outstation_take(s->h.os, out, cap, s->h.now);
    return dnp3_outstation_write(s->h.os, out, cap, s->h.now);
}

static void request(session *s, uint8_t fc, const char *objs)
{
    uint8_t b[64];
    b[0] = (uint8_t)(0xC0 | s->mseq);
    b[1] = fc;
    size_t n = 2 + tu_hex(objs, b + 2, sizeof b - 2);
    s->mseq = (uint8_t)((s->mseq + 1) & 0x0F);
    receive(s, b, n);
}

static void confirm(session *s, int seq, bool uns)
{
    uint8_t b[2] = {(uint8_t)(0xC0 | (uns ? 0x10 : 0) | (seq & 0x0F)), 0x00};
    receive(s, b, 2);
}

/* What the runtime does when the timer fires: run the timers, take one or all fragments. */
static void wake(session *s)
{
    if (dnp3_outstation_handle_expiry(s->h.os, s->h.now) == DNP3_ERR_LINK_CLOSED) reconnect(s);
    uint8_t out[4096];
    int max = rnd(2) ? 1 : 100; /* one per wake-up, as the old runtime did, or all */
    for (int i = 0; i < max; i++) {
        int n = output(s, out, sizeof out);
        assert_true(n >= 0);
        if (n == 0) break;
        s->taken++;
        /* the application control octet: first octet of a fragment, or after the link header and
         * the transport octet of a chunk's first frame (link-only frames are 10 octets) */
        const uint8_t *ac = s->octets ? (n > 12 ? out + 11 : NULL) : out;
        if (ac && (ac[0] & 0x20)) {
            if (ac[0] & 0x10)
                s->uns_con = ac[0] & 0x0F;
            else
                s->sol_con = ac[0] & 0x0F;
        }
    }
}

/* The property: an outstation whose expiry is in the future has nothing to give. */
static void check(session *s, uint32_t seed, int step)
{
    dnp3_tstamp e = dnp3_outstation_get_expiry(s->h.os);
    if (e <= s->h.now) return;
    uint8_t out[4096];
    int n = output(s, out, sizeof out);
    if (n != 0) {
        print_error("seed %u step %d: output ready (%s) but expiry %llu > now %llu\n", seed, step,
                    n > 0 ? tu_tohex(out, (size_t)n) : "error", (unsigned long long)e,
                    (unsigned long long)s->h.now);
        s->violations++;
    }
}

static void run_seed(uint32_t seed, int steps, session *s, bool octets)
{
    rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0x100000001B3ull);
    if (!rng) rng = 1;
    memset(s, 0, sizeof *s);
    s->octets = octets;
    dnp3_outstation_config c;
    small_config(&c);
    c.unsol_classes = (uint8_t)rnd(8);
    if (octets) { /* the built-in channel, with a keep-alive that fires now and then */
        c.link_layer = true;
        c.link_addr = 10;
        c.master_addr = 1;
        c.keep_alive_ms = 20000;
    }
    h_start(&s->h, &c);
    s->sol_con = s->uns_con = -1;
    s->online = true;
    static const char *reads[] = {
        "3C 01 06",    "3C 02 06", "3C 03 06 3C 04 06", "3C 02 06 3C 03 06 3C 04 06 3C 01 06",
        "3C 02 07 01", "01 00 06", "1E 00 06"};
    for (int i = 0; i < steps; i++) {
        check(s, seed, i);
        dnp3_tstamp e = dnp3_outstation_get_expiry(s->h.os);
        if (e <= s->h.now) { /* the runtime's timer fires at once */
            wake(s);
            continue;
        }
        switch (rnd(10)) {
        case 0:
        case 1: { /* time passes, up to the next deadline at most */
            dnp3_tstamp to = s->h.now + 1 + rnd(4000);
            if (e < to) to = e;
            s->h.now = to;
            if (to == e) wake(s);
            break;
        }
        case 2: request(s, 0x01, reads[rnd(sizeof reads / sizeof *reads)]); break;
        case 3:
            if (rnd(2))
                request(s, 0x14, "3C 02 06 3C 03 06 3C 04 06");
            else
                request(s, 0x15, rnd(2) ? "3C 02 06" : "3C 03 06 3C 04 06");
            break;
        case 4: /* confirms: mostly the right SEQ */
            if (s->uns_con >= 0) confirm(s, rnd(4) ? s->uns_con : (int)rnd(16), true);
            break;
        case 5:
            if (s->sol_con >= 0) confirm(s, rnd(4) ? s->sol_con : (int)rnd(16), false);
            break;
        case 6:
        case 7: {
            static const dnp3_os_type types[] = {DNP3_OS_BINARY_INPUT, DNP3_OS_ANALOG_INPUT, DNP3_OS_COUNTER};
            dnp3_os_type t = types[rnd(3)];
            (void)dnp3_outstation_update(s->h.os, t, (uint16_t)rnd(3),
                                         (double)rnd(t == DNP3_OS_BINARY_INPUT ? 2 : 1000), DNP3_FLAG_ONLINE, 0,
                                         DNP3_EVENT_DETECT);
            break;
        }
        case 8:
            if (rnd(8) == 0) {
                s->online = !s->online;
                dnp3_outstation_set_online(s->h.os, s->online, s->h.now);
            } else {
                request(s, rnd(2) ? 0x17 : 0x02, rnd(2) ? "" : "50 01 00 07 07 00"); /* DELAY_MEASURE, WRITE IIN */
            }
            break;
        default: { /* junk: a response function code, a cut header */
            static const uint8_t junk[][4] = {
                {0xC0, 0x81, 0, 0}, {0xC3, 0x01, 0x3C, 0x01}, {0x40, 0x01, 0x3C, 0x01}};
            receive(s, junk[rnd(3)], rnd(2) ? 4 : 3);
            break;
        }
        }
    }
}

static void property(bool octets)
{
    static session s;
    uint32_t first = 1, last = 300;
    const char *env = getenv("DNP3_SEED");
    if (env) first = last = (uint32_t)strtoul(env, NULL, 10);
    unsigned taken = 0;
    for (uint32_t seed = first; seed <= last; seed++) {
        run_seed(seed, 3000, &s, octets);
        taken += s.taken;
        if (s.violations) {
            print_error("seed %u: %u violations (DNP3_SEED=%u replays)\n", seed, s.violations, seed);
            fail();
        }
    }
    assert_true(taken > 1000 * (last - first + 1) / 300); /* the sessions did exchange fragments */
}

static void test_expiry_property(void **state)
{
    (void)state;
    property(false);
}

/* The same through dnp3_outstation_read/write and the built-in channel (link replies, keep-alive). */
static void test_expiry_property_octets(void **state)
{
    (void)state;
    property(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_response_due_after_deferred_read),
        cmocka_unit_test(test_events_due_after_deferred_read),
        cmocka_unit_test(test_sol_confirm_timer_starts_at_take),
        cmocka_unit_test(test_unsol_confirm_timer_starts_at_take),
        cmocka_unit_test(test_expiry_property),
        cmocka_unit_test(test_expiry_property_octets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
