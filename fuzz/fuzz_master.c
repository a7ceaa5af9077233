/*
 * fuzz_master.c - libFuzzer target for the master session (IEEE 1815-2012
 * clause 4 master side, src/master): a master with two associations (start-up
 * sequence, periodic polls, every IIN reaction, LAN time sync on one) and user
 * tasks pending receives responses and unsolicited fragments chosen by the
 * input, interleaved with clock advances, task submissions and reconnects.
 *
 * Input: a sequence of records, each starting with a tag octet:
 *   0  advance the clock by the next octet x 50 ms (then run expired timers)
 *   1  raw fragment: length octet L, then L octets, from the next octet's association
 *   2  answer: control octet (SEQ replaced by the outstanding request's SEQ
 *      unless bit 4 of the tag's high nibble says otherwise), function octet,
 *      IIN (2 octets), length octet L, L object octets
 *   3  submit a user task chosen by the next octet
 *   4  disconnect / reconnect
 *   5  octets through the link layer: length octet L, then L octets
 *   6  hold / release the master's output (the runtime stops draining the
 *      channel: its queue fills and the master must wait, then catch up)
 * Invariants (abort on violation): every request the master sends is a
 * well-formed request (FIR/FIN, UNS only on CONFIRM, a request function code,
 * objects that validate); the master never asks to run again at a time <= now
 * after its timers ran with the output drained (no busy loop); while connected
 * with the output drained, an association with queued user tasks has a request
 * outstanding (nothing ready is left waiting); when the input ends, letting
 * time pass completes every accepted user task (no stall).
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/channel.h"
#include "dnp3/master.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok) abort();
}

static alignas(max_align_t) uint8_t mem_m[128 * 1024];
static alignas(max_align_t) uint8_t mem_mc[32 * 1024];
static alignas(max_align_t) uint8_t mem_sink[32 * 1024];

static struct {
    dnp3_master *m;
    dnp3_channel *mch, *sink;
    dnp3_master_assoc *a[2];
    dnp3_tstamp now;
    unsigned accepted, completed;
    uint8_t last_seq[2];
    bool connected;
    bool hold;
} F;

static void on_task(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    (void)ctx;
    (void)a;
    check(i->result < DNP3_TASK_RESULT_COUNT);
    check(i->n_statuses == 0 || i->statuses != NULL);
    F.completed++;
}

static void on_meas(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    (void)ctx;
    (void)a;
    check(m->type < DNP3_POINT_TYPE_COUNT);
    if (m->octets_len) check(m->octets != NULL);
}

static bool utc(void *ctx, dnp3_time48 *out)
{
    (void)ctx;
    *out = F.now + 1600000000000ULL;
    return true;
}

/* Every fragment the master sends must be a valid request. */
static void on_request(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    (void)ctx;
    (void)now;
    dnp3_apdu a;
    check(dnp3_apdu_parse(f->apdu, f->len, &a) == DNP3_OK);
    check(!dnp3_fc_is_response(a.function));
    check(dnp3_fc_name(a.function) != NULL);
    check(dnp3_apdu_check_control(&a) == DNP3_OK);
    check((a.control & DNP3_AC_CON) == 0);
    check(dnp3_apdu_validate(&a, NULL) >= 0);
    for (int i = 0; i < 2; i++)
        if (F.a[i] && f->dest == dnp3_master_assoc_address(F.a[i]) && a.function != DNP3_FC_CONFIRM)
            F.last_seq[i] = dnp3_ac_seq(a.control);
}

/* Connected and drained: queued user work means a request is outstanding. */
static void check_progress(void)
{
    if (F.hold || !F.connected) return;
    for (int i = 0; i < 2; i++)
        if (dnp3_master_assoc_queued(F.a[i]) > 0) check(dnp3_master_assoc_busy(F.a[i]));
}

static void drain(void)
{
    uint8_t out[4096];
    int n;
    if (F.hold) return;
    while ((n = dnp3_channel_write(F.mch, out, sizeof out)) > 0)
        (void)dnp3_channel_read(F.sink, out, (size_t)n, F.now);
    check(n == 0);
}

static void run_timers(void)
{
    for (int i = 0; i < 8; i++) {
        drain();
        if (dnp3_master_get_expiry(F.m) > F.now) break;
        dnp3_master_handle_expiry(F.m, F.now);
    }
    drain();
    if (!F.hold) check(dnp3_master_get_expiry(F.m) > F.now); /* no busy loop */
    check_progress();
}

static void submit(dnp3_master_assoc *a, uint8_t pick)
{
    int rc;
    switch (pick % 10) {
    case 0: {
        dnp3_command c[2] = {dnp3_command_crob(pick, DNP3_OP_PULSE_ON, 1, 100, 100), dnp3_command_analog(3, 2, 7)};
        rc = dnp3_master_operate(a, (dnp3_command_mode)(pick % 3), 0, c, 1 + (pick & 1), on_task, NULL, F.now);
        break;
    }
    case 1: rc = dnp3_master_read_class(a, DNP3_CLASS_ALL, on_task, NULL, F.now); break;
    case 2:
        rc = dnp3_master_time_sync(a, pick & 16 ? DNP3_TIMESYNC_LAN : DNP3_TIMESYNC_NON_LAN, on_task, NULL, F.now);
        break;
    case 3: rc = dnp3_master_restart(a, pick & 16, on_task, NULL, F.now); break;
    case 4: rc = dnp3_master_freeze(a, DNP3_FC_IMMED_FREEZE, NULL, 0, on_task, NULL, F.now); break;
    case 5: rc = dnp3_master_read_attributes(a, 0, 254, on_task, NULL, F.now); break;
    case 6: rc = dnp3_master_write_octet_string(a, pick, (const uint8_t *)"abc", 3, on_task, NULL, F.now); break;
    case 7: rc = dnp3_master_set_unsolicited(a, pick & 16, DNP3_CLASS_123, on_task, NULL, F.now); break;
    case 8: {
        dnp3_command c = dnp3_command_crob(1, DNP3_OP_LATCH_ON, 1, 0, 0);
        rc = dnp3_master_operate(a, DNP3_CMD_SELECT_OPERATE, DNP3_QUAL_COUNT_8_INDEX_8, &c, 1, on_task, NULL,
                                 F.now);
        break;
    }
    default: {
        const uint8_t hdr[] = {30, 0, 0x06};
        rc = dnp3_master_read(a, hdr, sizeof hdr, on_task, NULL, F.now);
        break;
    }
    }
    if (rc == DNP3_OK) F.accepted++;
}

static void setup(void)
{
    memset(&F, 0, sizeof F);
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.max_associations = 2;
    mc.handler.task_done = NULL;
    mc.handler.measurement = on_meas;
    mc.handler.utc_now = utc;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = 1;
    cc.remote_addr = 10;
    cc.accept_any_remote = true;
    cc.keep_alive_ms = 0;
    cc.max_tx_fragment = 64; /* a small output queue: held output fills it quickly */
    cc.on_fragment = dnp3_master_on_fragment;
    cc.ctx = mem_m;
    F.mch = dnp3_channel_init(mem_mc, sizeof mem_mc, &cc, 0);
    check(F.mch != NULL);
    dnp3_channel_config sc;
    dnp3_channel_config_init(&sc);
    sc.is_master = false;
    sc.local_addr = 10;
    sc.remote_addr = 1;
    sc.accept_any_remote = true;
    sc.self_addr_enabled = false;
    sc.keep_alive_ms = 0;
    sc.on_fragment = on_request;
    F.sink = dnp3_channel_init(mem_sink, sizeof mem_sink, &sc, 0);
    check(F.sink != NULL);
    F.m = dnp3_master_init(mem_m, sizeof mem_m, &mc, F.mch, 0);
    check(F.m != NULL);
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = 10;
    ac.integrity_period_ms = 20000;
    ac.class_period_ms[0] = 3000;
    F.a[0] = dnp3_master_add_assoc(F.m, &ac, 0);
    ac.address = 11;
    ac.time_sync = DNP3_TIMESYNC_LAN;
    ac.response_timeout_ms = 2000;
    F.a[1] = dnp3_master_add_assoc(F.m, &ac, 0);
    check(F.a[0] && F.a[1]);
    dnp3_master_on_connect(F.m, 0);
    F.connected = true;
    drain();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    size_t i = 0;
    unsigned records = 0;
    while (i < size && records++ < 2000) {
        uint8_t tag = data[i++];
        switch (tag & 7) {
        case 0:
            if (i < size) F.now += (dnp3_tstamp)data[i++] * 50;
            run_timers();
            break;
        case 1: {
            if (i + 2 > size) return 0;
            dnp3_master_assoc *a = F.a[data[i++] & 1];
            size_t len = data[i++];
            if (len > size - i) len = size - i;
            dnp3_master_handle_apdu(F.m, dnp3_master_assoc_address(a), data + i, len, F.now);
            i += len;
            break;
        }
        case 2: {
            if (i + 5 > size) break;
            int k = (tag >> 3) & 1;
            uint8_t frag[260];
            frag[0] = data[i++];
            if (!(tag & 0x10)) frag[0] = (uint8_t)((frag[0] & 0xF0) | F.last_seq[k]);
            frag[1] = data[i++];
            frag[2] = data[i++];
            frag[3] = data[i++];
            size_t len = data[i++];
            if (len > size - i) len = size - i;
            memcpy(frag + 4, data + i, len);
            i += len;
            dnp3_master_handle_apdu(F.m, dnp3_master_assoc_address(F.a[k]), frag, len + 4, F.now);
            break;
        }
        case 3:
            if (i < size) submit(F.a[(tag >> 3) & 1], data[i++]);
            break;
        case 4:
            if (F.connected)
                dnp3_master_on_disconnect(F.m, F.now);
            else
                dnp3_master_on_connect(F.m, F.now);
            F.connected = !F.connected;
            break;
        case 6: F.hold = !F.hold; break;
        case 5: {
            if (i >= size) break;
            size_t len = data[i++];
            if (len > size - i) len = size - i;
            if (dnp3_channel_read(F.mch, data + i, len, F.now) != DNP3_OK) dnp3_channel_reset(F.mch, F.now);
            i += len;
            break;
        }
        default: break;
        }
        /* a runtime drains the channel and runs what is due at once */
        for (int k = 0; k < 8 && !F.hold; k++) {
            drain();
            if (dnp3_master_get_expiry(F.m) > F.now) break;
            dnp3_master_handle_expiry(F.m, F.now);
        }
        drain();
        check_progress();
    }
    /* no stall: time alone completes every accepted user task */
    F.hold = false;
    if (!F.connected) dnp3_master_on_connect(F.m, F.now);
    for (int k = 0; k < 40; k++) {
        F.now += 5000;
        run_timers();
    }
    check(F.completed == F.accepted);
    return 0;
}
