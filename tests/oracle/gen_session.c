/*
 * gen_session.c - the real stack on the wire, for the oracle (test_oracle.sh).
 *
 * gen_frames judges the encoders one frame at a time; this program judges what
 * the protocol engines actually send. A master (dnp3/master.h on its own
 * dnp3_channel) and an outstation (dnp3/outstation.h with its built-in
 * channel) are wired together in memory on a virtual clock, and every output
 * chunk of either side - a link reply, or all link frames of one fragment -
 * is printed as one text2pcap packet ("I" master -> outstation, "O" back).
 *
 * The scenario: connect and the master's start-up sequence (disable
 * unsolicited, integrity poll, enable unsolicited), the IIN reactions
 * (clear DEVICE_RESTART, non-LAN time sync on NEED_TIME), an integrity poll
 * of a database whose points use every static variation the outstation
 * supports (spanning several fragments: max_tx_fragment is small),
 * unsolicited events in every event variation and their confirms, event
 * polls, select-before-operate / direct operate / direct operate no-ack with
 * CROBs and g41v1..v4, counter freezes, device attributes, LAN time sync,
 * warm and cold restart, and link-status keep-alives after a quiet minute.
 *
 * Expectations written for test_oracle.sh (same format as gen_frames): the
 * number of link frames of each packet, every frame's control octet, and the
 * function code of each fragment, all read from the bytes themselves; the
 * judge is whether tshark finds the same frames and decodes every one of them
 * without a malformed or warning flag and with good CRCs.
 *
 * Built a second time as gen_session_confirmed (GEN_LINK_CONFIRMED=1): the same scenario with
 * link-layer confirmed user data on both sides (IEEE 1815-2012 clause 9.2.6): every packet is
 * then one frame (RESET_LINK_STATES, ACK, or one CONFIRMED_USER_DATA frame of a fragment), and a
 * fragment's function code is expected in the packet of its FIN frame, where tshark shows the
 * reassembled fragment.
 *
 * Usage: gen_session [OUTPUT]. Exit status 1 if the stack misbehaves in a
 * way the program can see (a task failing, output that is not whole frames).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnp3/channel.h"
#include "dnp3/link.h"
#include "dnp3/master.h"
#include "dnp3/outstation.h"

#ifndef GEN_LINK_CONFIRMED
#define GEN_LINK_CONFIRMED 0
#endif

#define MASTER 1u
#define OUTSTATION 1024u
#define POINTS 12u
#define T0 1710151200000ULL /* 2024-03-11 10:00:00 UTC: the wall clock at now = 0 */

static FILE *out;
static dnp3_tstamp now;
static unsigned packets, frames_total, apdus_total, tasks_failed;
static dnp3_outstation *os;
static dnp3_master *m;
static dnp3_master_assoc *assoc;
static dnp3_channel *mch;

static void die(const char *what, long rc)
{
    fprintf(stderr, "gen_session: %s (%ld) at t=%llu ms\n", what, rc, (unsigned long long)now);
    exit(1);
}

#define CHECK(call)                                                                                               \
    do {                                                                                                          \
        long rc_ = (long)(call);                                                                                  \
        if (rc_ < 0) die(#call, rc_);                                                                             \
    } while (0)

/* ---- output: one packet per chunk ---- */

static void emit(char dir, const uint8_t *p, size_t n)
{
    /* walk the chunk as link frames, independently of the library; a fragment's function code
     * (transport header, AC, FC at the start of its FIR frame) is reported with its FIN frame */
    static int pending_fc[2] = {-1, -1};
    int *pend = &pending_fc[dir == 'I' ? 0 : 1];
    int fc = -1;
    unsigned frames = 0;
    char ctl[1024] = "";
    size_t off = 0, used = 0;
    while (off < n) {
        if (n - off < 10 || p[off] != 0x05 || p[off + 1] != 0x64 || p[off + 2] < 5)
            die("output chunk is not a sequence of link frames", (long)off);
        size_t ud = (size_t)p[off + 2] - 5;
        size_t size = 10 + ud + 2 * ((ud + 15) / 16);
        if (size > n - off) die("link frame runs past the end of its chunk", (long)off);
        used += (size_t)snprintf(ctl + used, sizeof ctl - used, "%s0x%02x", frames ? "|" : "", p[off + 3]);
        if (ud > 0) {
            uint8_t th = p[off + 10];
            if (th & 0x40) *pend = ud > 2 ? p[off + 12] : -1;
            if (th & 0x80) {
                fc = *pend;
                *pend = -1;
            }
        }
        off += size;
        frames++;
    }
    const char *what = fc >= 0 ? dnp3_fc_name((uint8_t)fc) : dnp3_link_func_name(p[3]);

    packets++;
    frames_total += frames;
    if (fc >= 0) apdus_total++;
    fprintf(out, "# %u: t=%llu ms %s %s (%zu octets)\n", packets, (unsigned long long)now,
            dir == 'I' ? "master" : "outstation", what ? what : "?", n);
    fprintf(out, "#@ %u frames %u\n", packets, frames);
    fprintf(out, "#@ %u dnp3.ctl %s\n", packets, ctl);
    if (fc >= 0)
        fprintf(out, "#@ %u dnp3.al.func %d\n", packets, fc);
    else
        fprintf(out, "#@ %u dnp3.al.func \n", packets);

    uint64_t us = (T0 + now) * 1000ULL + packets; /* keep the order within one virtual ms */
    time_t secs = (time_t)(us / 1000000);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", gmtime(&secs));
    fprintf(out, "%c %s.%06uZ\n", dir, ts, (unsigned)(us % 1000000));
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0) fprintf(out, "%s%06zX", i ? "\n" : "", i);
        fprintf(out, " %02X", p[i]);
    }
    fprintf(out, "\n\n");
}

/* ---- the wire: move every pending chunk to the other side ---- */

static uint8_t chunk[70000];

static void pump(void)
{
    for (int rounds = 0;; rounds++) {
        if (rounds > 10000) die("the two sides never fall quiet", rounds);
        bool moved = false;
        int n;
        while ((n = dnp3_channel_write(mch, chunk, sizeof chunk)) > 0) {
            emit('I', chunk, (size_t)n);
            CHECK(dnp3_outstation_read(os, chunk, (size_t)n, now));
            moved = true;
        }
        CHECK(n);
        while ((n = dnp3_outstation_write(os, chunk, sizeof chunk, now)) > 0) {
            emit('O', chunk, (size_t)n);
            CHECK(dnp3_channel_read(mch, chunk, (size_t)n, now));
            moved = true;
        }
        CHECK(n);
        /* the master retries a blocked send at its next call */
        if (dnp3_master_get_expiry(m) <= now) {
            CHECK(dnp3_master_handle_expiry(m, now));
            moved = true;
        }
        if (!moved) return;
    }
}

static dnp3_tstamp next_expiry(void)
{
    dnp3_tstamp t = dnp3_master_get_expiry(m), u = dnp3_channel_get_expiry(mch),
                v = dnp3_outstation_get_expiry(os);
    if (u < t) t = u;
    if (v < t) t = v;
    return t;
}

/* Runs both sides until `until`, firing every timer on the way. */
static void run_until(dnp3_tstamp until)
{
    pump();
    for (int steps = 0;; steps++) {
        if (steps > 100000) die("too many timer steps", steps);
        dnp3_tstamp t = next_expiry();
        if (t > until) break;
        if (t > now) now = t;
        CHECK(dnp3_channel_handle_expiry(mch, now));
        CHECK(dnp3_master_handle_expiry(m, now));
        CHECK(dnp3_outstation_handle_expiry(os, now));
        pump();
    }
    now = until;
    pump();
}

/* ---- callbacks ---- */

static void task_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    (void)ctx;
    (void)a;
    if (info->result != DNP3_TASK_SUCCESS) {
        fprintf(stderr, "gen_session: task %s (function 0x%02x) ended with %s at t=%llu ms\n",
                dnp3_task_kind_name(info->kind), info->function, dnp3_task_result_name(info->result),
                (unsigned long long)now);
        tasks_failed++;
    }
}

static bool master_utc(void *ctx, dnp3_time48 *t)
{
    (void)ctx;
    *t = T0 + now;
    return true;
}

static dnp3_time48 os_utc(void *ctx)
{
    (void)ctx;
    return T0 + now + 250; /* the outstation's clock is off until synchronised */
}

static dnp3_command_status os_crob(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *c)
{
    (void)ctx, (void)mode, (void)index, (void)c;
    return DNP3_CS_SUCCESS;
}

static dnp3_command_status os_ao(void *ctx, dnp3_control_mode mode, uint16_t index, double value, uint8_t v)
{
    (void)ctx, (void)mode, (void)index, (void)value, (void)v;
    return DNP3_CS_SUCCESS;
}

static dnp3_restart_delay os_restart(void *ctx, bool cold)
{
    (void)ctx;
    /* g52v2 (ms) for both: Wireshark 4.0 does not know g52v1 (gen_frames covers it) */
    dnp3_restart_delay d = {true, true, (uint16_t)(cold ? 5000 : 1500)};
    return d;
}

/* ---- set-up ---- */

/* Variations each type can report (database.c masks), cycled over the points. */
static const struct {
    dnp3_os_type type;
    uint8_t event_class;
    uint8_t svars[8], nsv;
    uint8_t evars[8], nev;
} TYPES[] = {
    {DNP3_OS_BINARY_INPUT, 1, {1, 2}, 2, {1, 2, 3}, 3},
    /* not g4v3: Wireshark 4.0 does not decode it and skips the rest of the fragment (gen_frames covers it) */
    {DNP3_OS_DOUBLE_BIT_INPUT, 1, {1, 2}, 2, {1, 2}, 2},
    {DNP3_OS_BINARY_OUTPUT_STATUS, 2, {1, 2}, 2, {1, 2}, 2},
    {DNP3_OS_COUNTER, 2, {1, 2, 5, 6}, 4, {1, 2, 5, 6}, 4},
    {DNP3_OS_FROZEN_COUNTER, 3, {1, 2, 5, 6, 9, 10}, 6, {1, 2, 5, 6}, 4},
    {DNP3_OS_ANALOG_INPUT, 3, {1, 2, 3, 4, 5, 6}, 6, {1, 2, 3, 4, 5, 6, 7, 8}, 8},
    {DNP3_OS_ANALOG_OUTPUT_STATUS, 3, {1, 2, 3, 4}, 4, {1, 2, 3, 4, 5, 6, 7, 8}, 8},
    {DNP3_OS_OCTET_STRING, 1, {0}, 0, {0}, 0},
    /* only the floating-point g31v7/v8 and g33v5-v8: Wireshark 4.0 does not decode the integer
     * variations (g31v1-v6, g33v1-v4; they are checked octet by octet in tests/session) */
    {DNP3_OS_FROZEN_ANALOG_INPUT, 3, {7, 8}, 2, {5, 6, 7, 8}, 4},
};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

static void *alloc(size_t n)
{
    if (n == 0) die("invalid configuration (memory size 0)", 0);
    void *p = calloc(1, n); /* calloc: aligned for any object, like max_align_t */
    if (!p) die("out of memory", (long)n);
    return p;
}

static void setup(void)
{
    dnp3_outstation_config oc;
    dnp3_outstation_config_init(&oc);
    oc.link_addr = OUTSTATION;
    oc.master_addr = MASTER;
    for (size_t i = 0; i < NTYPES; i++) {
        dnp3_os_type_config *t = &oc.types[TYPES[i].type];
        t->count = TYPES[i].type == DNP3_OS_OCTET_STRING ? 2 : POINTS;
        t->event_class = TYPES[i].event_class;
        t->event_buffer = 50;
    }
    oc.max_tx_fragment = 512;     /* integrity responses span several fragments */
    oc.command_event_buffer = 20; /* g13 / g43 after the controls */
    oc.command_event_class = 2;
    oc.bo_command_event_variation = 2;
    oc.ao_command_event_variation = 7;
    oc.unsolicited = true;
    oc.need_time_at_start = true;
    oc.link_confirmed = GEN_LINK_CONFIRMED;
    oc.attr.vendor = "libdnp3";
    oc.attr.model = "oracle session";
    oc.attr.sw_version = "0.1.0";
    oc.attr.serial_number = "0001";
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.crob = os_crob;
    cb.analog_output = os_ao;
    cb.restart = os_restart;
    cb.utc_now = os_utc;
    size_t need = dnp3_outstation_memory_size(&oc);
    os = dnp3_outstation_init(alloc(need), need, &oc, &cb, now);
    if (!os) die("dnp3_outstation_init", 0);

    /* every static and event variation the outstation supports, cycled over the points */
    for (size_t i = 0; i < NTYPES; i++) {
        if (!TYPES[i].nsv) continue;
        for (uint16_t p = 0; p < POINTS; p++) {
            dnp3_os_point_config pc = {TYPES[i].event_class, TYPES[i].svars[p % TYPES[i].nsv],
                                       TYPES[i].evars[p % TYPES[i].nev], 0};
            CHECK(dnp3_outstation_configure_point(os, TYPES[i].type, p, &pc));
        }
    }

    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler.task_done = task_done;
    mc.handler.utc_now = master_utc;
    size_t mneed = dnp3_master_memory_size(&mc);
    void *mmem = alloc(mneed);

    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = MASTER;
    cc.remote_addr = OUTSTATION;
    cc.link_confirmed = GEN_LINK_CONFIRMED;
    cc.on_fragment = dnp3_master_on_fragment;
    cc.ctx = mmem;
    size_t cneed = dnp3_channel_memory_size(&cc);
    mch = dnp3_channel_init(alloc(cneed), cneed, &cc, now);
    if (!mch) die("dnp3_channel_init", 0);

    m = dnp3_master_init(mmem, mneed, &mc, mch, now);
    if (!m) die("dnp3_master_init", 0);
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = OUTSTATION;
    ac.time_sync = DNP3_TIMESYNC_NON_LAN;
    assoc = dnp3_master_add_assoc(m, &ac, now);
    if (!assoc) die("dnp3_master_add_assoc", 0);
}

/* ---- the scenario ---- */

/* Changes every point so that each produces an event in its event variation. */
static void change_points(unsigned round)
{
    for (size_t i = 0; i < NTYPES; i++) {
        dnp3_os_type t = TYPES[i].type;
        if (t == DNP3_OS_OCTET_STRING) {
            char s[16];
            int n = snprintf(s, sizeof s, "round %u", round);
            CHECK(dnp3_outstation_update_octets(os, 0, (const uint8_t *)s, (size_t)n, T0 + now, DNP3_EVENT_FORCE));
            continue;
        }
        for (uint16_t p = 0; p < POINTS; p++) {
            double v;
            switch (t) {
            case DNP3_OS_BINARY_INPUT:
            case DNP3_OS_BINARY_OUTPUT_STATUS: v = (p + round) % 2; break;
            case DNP3_OS_DOUBLE_BIT_INPUT: v = 1 + (p + round) % 2; break;
            case DNP3_OS_COUNTER:
            case DNP3_OS_FROZEN_COUNTER: v = 1000.0 * round + p; break;
            default: v = (p % 2 ? -1.0 : 1.0) * (12.5 * round + p); break;
            }
            CHECK(dnp3_outstation_update(os, t, p, v, DNP3_FLAG_ONLINE, T0 + now + p, DNP3_EVENT_FORCE));
        }
    }
}

static void scenario(void)
{
    /* connect: start-up sequence and IIN reactions (restart, need time) */
    dnp3_channel_reset(mch, now);
    CHECK(dnp3_master_on_connect(m, now));
    run_until(2000);

    /* events while unsolicited reporting is enabled */
    change_points(1);
    run_until(4000);

    /* an integrity poll of the changed database, then an event poll */
    CHECK(dnp3_master_read_class(assoc, DNP3_CLASS_ALL, NULL, NULL, now));
    run_until(5000);
    change_points(2);
    CHECK(dnp3_master_read_class(assoc, DNP3_CLASS_123, NULL, NULL, now));
    run_until(7000);

    /* controls: SBO, direct operate, direct operate no-ack */
    dnp3_command cmds[] = {
        dnp3_command_crob(0, DNP3_CROB_TCC_CLOSE | DNP3_OP_PULSE_ON, 1, 1000, 0),
        dnp3_command_crob(300, DNP3_OP_LATCH_ON, 1, 0, 0),
        dnp3_command_analog(1, 1, -100000),
        dnp3_command_analog(2, 2, 1234),
        dnp3_command_analog(3, 3, 2.5),
        dnp3_command_analog(4, 4, -1234.5625),
    };
    CHECK(dnp3_master_operate(assoc, DNP3_CMD_SELECT_OPERATE, DNP3_QUAL_COUNT_16_INDEX_16, cmds, 1, NULL, NULL,
                              now));
    run_until(8000);
    CHECK(dnp3_master_operate(assoc, DNP3_CMD_DIRECT_OPERATE, DNP3_QUAL_COUNT_8_INDEX_8, cmds + 2, 4, NULL, NULL,
                              now));
    run_until(9000);
    CHECK(dnp3_master_operate(assoc, DNP3_CMD_DIRECT_OPERATE_NR, DNP3_QUAL_COUNT_16_INDEX_16, cmds, 1, NULL, NULL,
                              now));
    run_until(10000);
    /* a class 2 poll after the controls (their g13v2 / g43v7 events went out unsolicited) */
    CHECK(dnp3_master_read_class(assoc, DNP3_CLASS_2, NULL, NULL, now));
    run_until(10500);

    /* freezes, attributes, time, restarts */
    CHECK(dnp3_master_freeze(assoc, DNP3_FC_IMMED_FREEZE, NULL, 0, NULL, NULL, now));
    run_until(11000);
    CHECK(dnp3_master_freeze(assoc, DNP3_FC_FREEZE_CLEAR, NULL, 0, NULL, NULL, now));
    run_until(11500);
    { /* analog inputs into frozen analog inputs: at once, then by FREEZE_AT_TIME (g50v2) */
        uint8_t fz[32];
        int n = dnp3_master_freeze_headers(fz, sizeof fz, 30, true, 0, 0, false, 0, 0);
        CHECK(dnp3_master_freeze(assoc, DNP3_FC_IMMED_FREEZE, fz, (size_t)n, NULL, NULL, now));
        run_until(11700);
        n = dnp3_master_freeze_headers(fz, sizeof fz, 30, false, 0, 3, true, 0, 0);
        CHECK(dnp3_master_freeze(assoc, DNP3_FC_FREEZE_AT_TIME, fz, (size_t)n, NULL, NULL, now));
        run_until(12000);
    }
    CHECK(dnp3_master_read_attributes(assoc, 0, 254, NULL, NULL, now));
    run_until(13000);
    CHECK(dnp3_master_time_sync(assoc, DNP3_TIMESYNC_LAN, NULL, NULL, now));
    run_until(15000);
    CHECK(dnp3_master_restart(assoc, true, NULL, NULL, now));
    run_until(20000);
    CHECK(dnp3_master_restart(assoc, false, NULL, NULL, now));
    run_until(30000);

    /* a quiet minute: link-status keep-alives */
    run_until(100000);

    /* more events, reported unsolicited */
    change_points(3);
    run_until(105000);
}

int main(int argc, char **argv)
{
    out = stdout;
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: gen_session [OUTPUT]\n");
        return 2;
    }
    if (argc == 2 && !(out = fopen(argv[1], "w"))) {
        perror(argv[1]);
        return 1;
    }
    fprintf(out, "# libdnp3 oracle session: master %u (I, port 40000) <-> outstation %u (O, port 20000)\n", MASTER,
            OUTSTATION);
    setup();
    scenario();
    fprintf(out, "#! packets %u frames %u apdus %u\n", packets, frames_total, apdus_total);
    if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
        perror("gen_session: write");
        return 1;
    }
    free(os); /* dnp3_*_init return the memory they were given */
    free(m);
    free(mch);
    if (tasks_failed) {
        fprintf(stderr, "gen_session: %u master task(s) failed\n", tasks_failed);
        return 1;
    }
    return 0;
}
