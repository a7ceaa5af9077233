/*
 * lb_master.h - loopback harness (included by tests/loopback/test_loopback_*.c):
 * our master (dnp3/master.h on its own channel) and our outstation
 * (dnp3/outstation.h with its built-in channel) wired together in memory
 * under a virtual clock, with a wire that can drop, duplicate, delay or
 * corrupt chunks (each chunk = one link reply or every frame of one fragment)
 * and a disconnect/reconnect like a runtime performs on a closed TCP socket.
 *
 * The master's measurements update a "view" (last value, flags, time per
 * point type and index, plus an event log) so tests compare what the master
 * saw with what the outstation's database holds.
 */
#ifndef LB_MASTER_H
#define LB_MASTER_H

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "dnp3/channel.h"
#include "dnp3/master.h"
#include "dnp3/outstation.h"
#include "testutil.h"

#define LB_MASTER_ADDR 1
#define LB_OUT_ADDR 10
#define LB_MAX_POINTS 1024
#define LB_MAX_EVENTS 512
#define LB_MAX_CHUNKS 64

/* What the wire does to one chunk: deliver, drop, deliver twice, deliver late (after later
 * chunks: a reorder), flip its last octet, or deliver only its first half and then cut the
 * connection (how TCP truncates: it never loses octets in the middle of a live stream). */
typedef enum { LB_PASS = 0, LB_DROP, LB_DUP, LB_DELAY, LB_CORRUPT, LB_TRUNCATE } lb_action;

/* Decides what happens to a chunk on its way; dir 0 = master -> outstation. fc is the APDU function (-1 if none).
 */
typedef lb_action (*lb_fault_fn)(int dir, int fc, const uint8_t *chunk, size_t len);

typedef struct {
    uint8_t data[4096];
    size_t len;
    dnp3_tstamp at;
    bool cut_after; /* LB_TRUNCATE: the connection drops once this chunk is delivered */
} lb_chunk;

typedef struct {
    bool seen;
    double value;
    uint8_t flags;
    dnp3_time48 time;
    uint32_t updates;
    uint8_t octets[32];
    size_t octets_len;
} lb_point;

typedef struct {
    dnp3_point_type type;
    uint32_t index;
    double value;
    uint8_t flags;
    dnp3_time48 time;
    dnp3_time_kind time_kind;
    bool unsolicited;
} lb_event;

typedef struct {
    dnp3_tstamp now;
    dnp3_channel *mch;
    dnp3_master *m;
    dnp3_master_assoc *a;
    dnp3_outstation *os;
    bool connected;
    lb_chunk q[2][LB_MAX_CHUNKS];
    size_t qn[2];
    lb_fault_fn fault;
    uint32_t delay_ms;
    /* master view */
    lb_point view[DNP3_POINT_TYPE_COUNT][LB_MAX_POINTS];
    lb_event events[LB_MAX_EVENTS];
    size_t n_events;
    bool in_unsol;
    size_t n_unsol_fragments;
    /* task results */
    dnp3_task_info last_user;
    uint8_t last_statuses[64];
    size_t n_user_done;
    dnp3_task_result user_results[64];
    dnp3_task_result auto_results[256];
    dnp3_task_kind auto_kinds[256];
    size_t n_auto;
    /* outstation callbacks */
    unsigned crob_calls[4];
    uint16_t crob_index;
    dnp3_crob crob_last;
    unsigned analog_calls[4];
    double analog_value;
    unsigned time_writes;
    dnp3_time48 time_written;
    unsigned restarts;
    size_t reconnects;
    /* optional observers of everything the master receives (property tests) */
    void (*begin_hook)(const dnp3_rx_info *i);
    void (*meas_hook)(const dnp3_measurement *m);
} lb_t;

static lb_t lb;
static alignas(max_align_t) uint8_t lb_mem_m[128 * 1024];
static alignas(max_align_t) uint8_t lb_mem_mc[32 * 1024];
static alignas(max_align_t) uint8_t lb_mem_os[1024 * 1024];

#define LB_UTC_BASE 1700000000000ULL

/* ---- master side callbacks ---- */

static inline void lb_begin(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *i)
{
    (void)ctx;
    (void)a;
    lb.in_unsol = i->unsolicited;
    if (i->unsolicited) lb.n_unsol_fragments++;
    if (lb.begin_hook) lb.begin_hook(i);
}

static inline void lb_meas(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    (void)ctx;
    (void)a;
    if (lb.meas_hook) lb.meas_hook(m);
    if (m->type >= DNP3_POINT_TYPE_COUNT || m->index >= LB_MAX_POINTS) return;
    if (m->event) {
        if (lb.n_events < LB_MAX_EVENTS) {
            lb_event *e = &lb.events[lb.n_events++];
            e->type = m->type;
            e->index = m->index;
            e->value = m->value;
            e->flags = m->flags;
            e->time = m->time;
            e->time_kind = m->time_kind;
            e->unsolicited = lb.in_unsol;
        }
    }
    lb_point *p = &lb.view[m->type][m->index];
    p->seen = true;
    p->value = m->value;
    p->flags = m->flags;
    p->time = m->time;
    p->updates++;
    if (m->octets) {
        p->octets_len = m->octets_len < sizeof p->octets ? m->octets_len : sizeof p->octets;
        memcpy(p->octets, m->octets, p->octets_len);
    }
}

static inline void lb_task_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    (void)ctx;
    (void)a;
    if (!i->automatic) return;
    if (lb.n_auto < 256) {
        lb.auto_kinds[lb.n_auto] = i->kind;
        lb.auto_results[lb.n_auto++] = i->result;
    }
}

static inline void lb_user_cb(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    (void)ctx;
    (void)a;
    lb.last_user = *i;
    size_t n = i->n_statuses < 64 ? i->n_statuses : 64;
    if (n) memcpy(lb.last_statuses, i->statuses, n);
    lb.last_user.statuses = lb.last_statuses;
    if (lb.n_user_done < 64) lb.user_results[lb.n_user_done] = i->result;
    lb.n_user_done++;
}

static inline bool lb_master_utc(void *ctx, dnp3_time48 *out)
{
    (void)ctx;
    *out = LB_UTC_BASE + lb.now;
    return true;
}

/* ---- outstation side callbacks ---- */

static inline dnp3_command_status lb_crob(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *c)
{
    (void)ctx;
    lb.crob_calls[mode]++;
    lb.crob_index = index;
    lb.crob_last = *c;
    return index < 4 ? DNP3_CS_SUCCESS : DNP3_CS_NOT_SUPPORTED;
}

static inline dnp3_command_status lb_analog(void *ctx, dnp3_control_mode mode, uint16_t index, double value,
                                            uint8_t variation)
{
    (void)ctx;
    (void)index;
    (void)variation;
    lb.analog_calls[mode]++;
    lb.analog_value = value;
    return DNP3_CS_SUCCESS;
}

static inline bool lb_write_time(void *ctx, dnp3_time48 utc)
{
    (void)ctx;
    lb.time_writes++;
    lb.time_written = utc;
    return true;
}

static inline dnp3_restart_delay lb_restart(void *ctx, bool cold)
{
    (void)ctx;
    lb.restarts++;
    dnp3_restart_delay d = {true, !cold, cold ? 30 : 1500};
    return d;
}

static inline dnp3_time48 lb_os_utc(void *ctx)
{
    (void)ctx;
    return LB_UTC_BASE + lb.now;
}

/* ---- wire ---- */

static inline int lb_chunk_fc(const uint8_t *c, size_t len)
{
    /* link header (10), then the first block: transport octet, AC, FC */
    if (len < 13 || c[2] < 8) return -1;
    return c[12];
}

static inline void lb_enqueue(int dir, const uint8_t *p, size_t n)
{
    int fc = lb_chunk_fc(p, n);
    lb_action act = lb.fault ? lb.fault(dir, fc, p, n) : LB_PASS;
    if (act == LB_DROP) return;
    int copies = act == LB_DUP ? 2 : 1;
    for (int k = 0; k < copies; k++) {
        assert_true(lb.qn[dir] < LB_MAX_CHUNKS);
        lb_chunk *c = &lb.q[dir][lb.qn[dir]++];
        memcpy(c->data, p, n);
        c->len = n;
        c->at = lb.now + (act == LB_DELAY ? lb.delay_ms : 0);
        if (act == LB_CORRUPT) c->data[n - 1] ^= 0x55;
        c->cut_after = act == LB_TRUNCATE;
        if (act == LB_TRUNCATE) c->len = n / 2;
    }
}

static inline void lb_disconnect(void);

/* Moves output into the wire and delivers what is due; returns true if anything moved. */
static inline bool lb_step(void)
{
    bool moved = false;
    uint8_t out[4096];
    int n;
    if (!lb.connected) return false;
    while ((n = dnp3_channel_write(lb.mch, out, sizeof out)) > 0) {
        lb_enqueue(0, out, (size_t)n);
        moved = true;
    }
    while ((n = dnp3_outstation_write(lb.os, out, sizeof out, lb.now)) > 0) {
        lb_enqueue(1, out, (size_t)n);
        moved = true;
    }
    for (int dir = 0; dir < 2; dir++) {
        size_t i = 0;
        while (i < lb.qn[dir]) {
            lb_chunk c = lb.q[dir][i];
            if (c.at > lb.now) {
                i++;
                continue;
            }
            memmove(&lb.q[dir][i], &lb.q[dir][i + 1], (lb.qn[dir] - i - 1) * sizeof(lb_chunk));
            lb.qn[dir]--;
            moved = true;
            int rc = dir == 0 ? dnp3_outstation_read(lb.os, c.data, c.len, lb.now)
                              : dnp3_channel_read(lb.mch, c.data, c.len, lb.now);
            if (rc == DNP3_ERR_LINK_CLOSED || c.cut_after) { /* a runtime closes the socket */
                lb_disconnect();
                return true;
            }
        }
    }
    return moved;
}

static inline void lb_settle(void)
{
    for (int guard = 0; guard < 1000 && lb_step(); guard++) {
    }
}

static inline dnp3_tstamp lb_min(dnp3_tstamp a, dnp3_tstamp b)
{
    return a < b ? a : b;
}

static inline dnp3_tstamp lb_next_deadline(void)
{
    dnp3_tstamp t = dnp3_master_get_expiry(lb.m);
    t = lb_min(t, dnp3_channel_get_expiry(lb.mch));
    t = lb_min(t, dnp3_outstation_get_expiry(lb.os));
    for (int dir = 0; dir < 2; dir++)
        for (size_t i = 0; i < lb.qn[dir]; i++) t = lb_min(t, lb.q[dir][i].at);
    return t;
}

/* Lets virtual time pass: timers and delayed chunks fire in order. */
static inline void lb_advance(dnp3_tstamp ms)
{
    dnp3_tstamp target = lb.now + ms;
    for (int guard = 0; guard < 100000; guard++) {
        lb_settle();
        dnp3_tstamp e = lb_next_deadline();
        if (e > target) break;
        if (e > lb.now) lb.now = e;
        dnp3_master_handle_expiry(lb.m, lb.now);
        if (dnp3_channel_handle_expiry(lb.mch, lb.now) == DNP3_ERR_LINK_CLOSED) lb_disconnect();
        if (dnp3_outstation_handle_expiry(lb.os, lb.now) == DNP3_ERR_LINK_CLOSED) lb_disconnect();
    }
    lb.now = target;
    lb_settle();
}

static inline void lb_connect(void)
{
    lb.connected = true;
    lb.qn[0] = lb.qn[1] = 0;
    dnp3_channel_reset(lb.mch, lb.now);
    dnp3_outstation_set_online(lb.os, true, lb.now);
    dnp3_master_on_connect(lb.m, lb.now);
    lb_settle();
}

static inline void lb_disconnect(void)
{
    lb.connected = false;
    lb.qn[0] = lb.qn[1] = 0;
    dnp3_outstation_set_online(lb.os, false, lb.now);
    dnp3_master_on_disconnect(lb.m, lb.now);
}

/* ---- setup ---- */

static inline void lb_default_outstation(dnp3_outstation_config *oc)
{
    dnp3_outstation_config_init(oc);
    oc->link_addr = LB_OUT_ADDR;
    oc->master_addr = LB_MASTER_ADDR;
    oc->keep_alive_ms = 0;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        oc->types[t].count = 4;
        oc->types[t].event_class = 1;
        oc->types[t].event_buffer = 64;
    }
}

static inline void lb_default_assoc(dnp3_assoc_config *ac)
{
    dnp3_assoc_config_init(ac);
    ac->address = LB_OUT_ADDR;
}

/* Optional: adds to the outstation callbacks lb_setup builds (e.g. file transfer; ctx is free). */
static void (*lb_os_hook)(dnp3_outstation_callbacks *cb);
/* Optional: changes the master's channel configuration lb_setup builds (e.g. confirmed mode). */
static void (*lb_channel_hook)(dnp3_channel_config *cc);

static inline void lb_setup(const dnp3_outstation_config *oc, const dnp3_assoc_config *ac, bool connect)
{
    memset(&lb, 0, sizeof lb);
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.crob = lb_crob;
    cb.analog_output = lb_analog;
    cb.write_time = lb_write_time;
    cb.restart = lb_restart;
    cb.utc_now = lb_os_utc;
    if (lb_os_hook) lb_os_hook(&cb);
    size_t need = dnp3_outstation_memory_size(oc);
    assert_true(need > 0 && need <= sizeof lb_mem_os);
    lb.os = dnp3_outstation_init(lb_mem_os, sizeof lb_mem_os, oc, &cb, 0);
    assert_non_null(lb.os);
    dnp3_outstation_set_online(lb.os, false, 0);

    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler.fragment_begin = lb_begin;
    mc.handler.measurement = lb_meas;
    mc.handler.task_done = lb_task_done;
    mc.handler.utc_now = lb_master_utc;
    assert_true(dnp3_master_memory_size(&mc) <= sizeof lb_mem_m);
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = LB_MASTER_ADDR;
    cc.remote_addr = LB_OUT_ADDR;
    cc.keep_alive_ms = 0;
    cc.on_fragment = dnp3_master_on_fragment;
    cc.ctx = lb_mem_m;
    if (lb_channel_hook) lb_channel_hook(&cc);
    lb.mch = dnp3_channel_init(lb_mem_mc, sizeof lb_mem_mc, &cc, 0);
    assert_non_null(lb.mch);
    lb.m = dnp3_master_init(lb_mem_m, sizeof lb_mem_m, &mc, lb.mch, 0);
    assert_non_null(lb.m);
    lb.a = dnp3_master_add_assoc(lb.m, ac, 0);
    assert_non_null(lb.a);
    if (connect) lb_connect();
}

static inline size_t lb_count_auto(dnp3_task_kind k, dnp3_task_result r)
{
    size_t n = 0;
    for (size_t i = 0; i < lb.n_auto; i++)
        if (lb.auto_kinds[i] == k && lb.auto_results[i] == r) n++;
    return n;
}

#endif
