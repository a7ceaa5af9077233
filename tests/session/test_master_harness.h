/*
 * test_master_harness.h - session-test harness for the master (included by
 * tests/session/test_master_*.c): a master on a real channel (master 1 ->
 * outstation 1024, the addresses of docs/protocol-notes.md §10), a second channel playing
 * the outstation's link/transport side, a virtual clock, and recorders for
 * requests, task results, measurements and fragment marks.
 *
 *   mh_setup(&cfg)            master + one association (startup steps optional)
 *   mh_expect(hex)            the next request APDU the master sent is exactly hex
 *   mh_respond(hex)           the outstation answers with this APDU
 *   mh_advance(ms)            virtual time passes; timers fire in order
 */
#ifndef TEST_MASTER_HARNESS_H
#define TEST_MASTER_HARNESS_H

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "dnp3/channel.h"
#include "dnp3/master.h"
#include "testutil.h"

#define MH_MASTER_ADDR 1
#define MH_OUT_ADDR 1024
#define MH_MAX_REQ 64
#define MH_MAX_REC 64
#define MH_MAX_MEAS 256

typedef struct {
    dnp3_task_kind kind;
    bool automatic;
    dnp3_task_result result;
    uint8_t function;
    bool have_iin;
    uint16_t iin;
    uint8_t statuses[64];
    size_t n_statuses;
    uint32_t restart_delay_ms;
    int64_t propagation_ms;
    dnp3_time48 time_written;
    int perr;
    dnp3_tstamp at;
} mh_task_rec;

typedef struct {
    char mark; /* 'B' begin, 'E' end, 'M' measurement */
    dnp3_rx_info info;
    dnp3_measurement m;
    uint8_t octets[64];
    dnp3_point pt; /* *m.point when there was one (command status, ...) */
} mh_meas_rec;

typedef struct {
    dnp3_channel *mch, *och;
    dnp3_master *m;
    dnp3_master_assoc *a;
    dnp3_tstamp now;
    bool utc_ok;
    int64_t utc_offset; /* utc = now + offset */
    uint8_t req[MH_MAX_REQ][600];
    size_t req_len[MH_MAX_REQ];
    size_t req_count, req_read;
    dnp3_tstamp req_at[MH_MAX_REQ];
    mh_task_rec tasks[MH_MAX_REC];
    size_t task_count;
    mh_task_rec user[MH_MAX_REC];
    size_t user_count;
    mh_meas_rec meas[MH_MAX_MEAS];
    size_t meas_count;
    size_t frames_out;       /* output chunks of the master's channel */
    uint8_t chunks[64][300]; /* the first 64 chunks the master's channel sent (frames) */
    size_t chunk_len[64];
} mh_t;

static mh_t mh;
static alignas(max_align_t) uint8_t mh_mem_m[256 * 1024];
static alignas(max_align_t) uint8_t mh_mem_mc[32 * 1024];
static alignas(max_align_t) uint8_t mh_mem_oc[32 * 1024];

static inline void mh_record(mh_task_rec *r, const dnp3_task_info *i)
{
    memset(r, 0, sizeof *r);
    r->kind = i->kind;
    r->automatic = i->automatic;
    r->result = i->result;
    r->function = i->function;
    r->have_iin = i->have_iin;
    r->iin = i->iin;
    r->n_statuses = i->n_statuses < 64 ? i->n_statuses : 64;
    if (i->statuses) memcpy(r->statuses, i->statuses, r->n_statuses);
    r->restart_delay_ms = i->restart_delay_ms;
    r->propagation_ms = i->propagation_ms;
    r->time_written = i->time_written;
    r->perr = i->parse_error.err;
    r->at = mh.now;
}

static inline void mh_on_task_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    (void)ctx;
    (void)a;
    if (mh.task_count < MH_MAX_REC) mh_record(&mh.tasks[mh.task_count++], i);
}

static inline void mh_user_cb(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    (void)ctx;
    (void)a;
    if (mh.user_count < MH_MAX_REC) mh_record(&mh.user[mh.user_count++], i);
}

static inline void mh_on_begin(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *i)
{
    (void)ctx;
    (void)a;
    if (mh.meas_count < MH_MAX_MEAS) {
        mh_meas_rec *r = &mh.meas[mh.meas_count++];
        memset(r, 0, sizeof *r);
        r->mark = 'B';
        r->info = *i;
    }
}

static inline void mh_on_end(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *i)
{
    (void)ctx;
    (void)a;
    if (mh.meas_count < MH_MAX_MEAS) {
        mh_meas_rec *r = &mh.meas[mh.meas_count++];
        memset(r, 0, sizeof *r);
        r->mark = 'E';
        r->info = *i;
    }
}

static inline void mh_on_meas(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    (void)ctx;
    (void)a;
    if (mh.meas_count < MH_MAX_MEAS) {
        mh_meas_rec *r = &mh.meas[mh.meas_count++];
        memset(r, 0, sizeof *r);
        r->mark = 'M';
        r->m = *m;
        r->m.point = NULL;
        if (m->point) r->pt = *m->point;
        if (m->octets) {
            size_t n = m->octets_len < sizeof r->octets ? m->octets_len : sizeof r->octets;
            memcpy(r->octets, m->octets, n);
            r->m.octets = r->octets;
        }
    }
}

static inline bool mh_utc(void *ctx, dnp3_time48 *out)
{
    (void)ctx;
    if (!mh.utc_ok) return false;
    *out = (dnp3_time48)((int64_t)mh.now + mh.utc_offset);
    return true;
}

static inline void mh_on_request(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    (void)ctx;
    if (mh.req_count >= MH_MAX_REQ) return;
    size_t n = f->len < sizeof mh.req[0] ? f->len : sizeof mh.req[0];
    memcpy(mh.req[mh.req_count], f->apdu, n);
    mh.req_len[mh.req_count] = n;
    mh.req_at[mh.req_count] = now;
    mh.req_count++;
}

static inline void mh_keep_chunk(const uint8_t *p, size_t n)
{
    if (mh.frames_out < 64) {
        size_t k = n < sizeof mh.chunks[0] ? n : sizeof mh.chunks[0];
        memcpy(mh.chunks[mh.frames_out], p, k);
        mh.chunk_len[mh.frames_out] = k;
    }
    mh.frames_out++;
}

/* Moves everything the master queued on its channel to the outstation side. */
static inline void mh_pump(void)
{
    uint8_t out[4096];
    int n;
    while ((n = dnp3_channel_write(mh.mch, out, sizeof out)) > 0) {
        mh_keep_chunk(out, (size_t)n);
        assert_int_equal(dnp3_channel_read(mh.och, out, (size_t)n, mh.now), DNP3_OK);
    }
    while ((n = dnp3_channel_write(mh.och, out, sizeof out)) > 0) { /* link replies, if any */
    }
    /* the master may have been blocked by a full queue */
    if (dnp3_master_get_expiry(mh.m) <= mh.now) {
        dnp3_master_handle_expiry(mh.m, mh.now);
        while ((n = dnp3_channel_write(mh.mch, out, sizeof out)) > 0) {
            mh_keep_chunk(out, (size_t)n);
            assert_int_equal(dnp3_channel_read(mh.och, out, (size_t)n, mh.now), DNP3_OK);
        }
    }
}

static inline void mh_default_assoc(dnp3_assoc_config *ac)
{
    dnp3_assoc_config_init(ac);
    ac->address = MH_OUT_ADDR;
}

/* Builds the master with an association config (NULL: defaults with no start-up steps). */
static inline void mh_setup_full(const dnp3_assoc_config *acfg, size_t n_assoc, bool connect)
{
    memset(&mh, 0, sizeof mh);
    mh.utc_ok = true;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.max_associations = n_assoc;
    mc.handler.fragment_begin = mh_on_begin;
    mc.handler.fragment_end = mh_on_end;
    mc.handler.measurement = mh_on_meas;
    mc.handler.task_done = mh_on_task_done;
    mc.handler.utc_now = mh_utc;
    size_t need = dnp3_master_memory_size(&mc);
    assert_true(need > 0 && need <= sizeof mh_mem_m);

    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = MH_MASTER_ADDR;
    cc.remote_addr = MH_OUT_ADDR;
    cc.accept_any_remote = n_assoc > 1;
    cc.keep_alive_ms = 0;
    cc.on_fragment = dnp3_master_on_fragment;
    cc.ctx = mh_mem_m;
    mh.mch = dnp3_channel_init(mh_mem_mc, sizeof mh_mem_mc, &cc, 0);
    assert_non_null(mh.mch);

    dnp3_channel_config oc;
    dnp3_channel_config_init(&oc);
    oc.is_master = false;
    oc.local_addr = MH_OUT_ADDR;
    oc.remote_addr = MH_MASTER_ADDR;
    oc.keep_alive_ms = 0;
    oc.on_fragment = mh_on_request;
    mh.och = dnp3_channel_init(mh_mem_oc, sizeof mh_mem_oc, &oc, 0);
    assert_non_null(mh.och);

    mh.m = dnp3_master_init(mh_mem_m, sizeof mh_mem_m, &mc, mh.mch, 0);
    assert_ptr_equal(mh.m, (void *)mh_mem_m);
    dnp3_assoc_config ac;
    if (acfg) {
        ac = *acfg;
    } else {
        mh_default_assoc(&ac);
        ac.startup_disable_unsol = 0;
        ac.startup_integrity = 0;
        ac.startup_enable_unsol = 0;
    }
    mh.a = dnp3_master_add_assoc(mh.m, &ac, 0);
    assert_non_null(mh.a);
    if (connect) {
        assert_int_equal(dnp3_master_on_connect(mh.m, 0), DNP3_OK);
        mh_pump();
    }
}

static inline void mh_setup(const dnp3_assoc_config *acfg)
{
    mh_setup_full(acfg, 1, true);
}

static inline size_t mh_pending_requests(void)
{
    mh_pump();
    return mh.req_count - mh.req_read;
}

#define mh_expect(hex) mh_expect_at(hex, __FILE__, __LINE__)
static inline void mh_expect_at(const char *hex, const char *file, int line)
{
    mh_pump();
    if (mh.req_read >= mh.req_count) {
        fprintf(stderr, "%s:%d: expected request %s, master sent nothing\n", file, line, hex);
        fail();
    }
    size_t i = mh.req_read++;
    tu_assert_hex(mh.req[i], mh.req_len[i], hex, file, line);
}

#define mh_expect_none() mh_expect_none_at(__FILE__, __LINE__)
static inline void mh_expect_none_at(const char *file, int line)
{
    mh_pump();
    if (mh.req_read < mh.req_count) {
        size_t i = mh.req_read;
        fprintf(stderr, "%s:%d: unexpected request %s\n", file, line, tu_tohex(mh.req[i], mh.req_len[i]));
        fail();
    }
}

/* Skips requests (e.g. to check only later behaviour). */
static inline void mh_drop_requests(void)
{
    mh_pump();
    mh.req_read = mh.req_count;
}

/* The outstation sends this APDU (link source = src). */
static inline void mh_respond_from(uint16_t src, const char *hex)
{
    uint8_t apdu[2048], out[4096];
    size_t n = tu_hex(hex, apdu, sizeof apdu);
    mh_pump();
    if (src == MH_OUT_ADDR) {
        assert_int_equal(dnp3_channel_send(mh.och, MH_MASTER_ADDR, apdu, n), DNP3_OK);
        int k = dnp3_channel_write(mh.och, out, sizeof out);
        assert_true(k > 0);
        assert_int_equal(dnp3_channel_read(mh.mch, out, (size_t)k, mh.now), DNP3_OK);
    } else {
        assert_int_equal(dnp3_master_handle_apdu(mh.m, src, apdu, n, mh.now), DNP3_OK);
    }
    mh_pump();
}

static inline void mh_respond(const char *hex)
{
    mh_respond_from(MH_OUT_ADDR, hex);
}

/* Lets virtual time pass, firing the master's timers in order. */
static inline void mh_advance(dnp3_tstamp ms)
{
    dnp3_tstamp target = mh.now + ms;
    for (int guard = 0; guard < 10000; guard++) {
        mh_pump();
        dnp3_tstamp e = dnp3_master_get_expiry(mh.m);
        if (e > target) break;
        if (e > mh.now) mh.now = e;
        dnp3_master_handle_expiry(mh.m, mh.now);
    }
    mh.now = target;
    mh_pump();
}

static inline const mh_task_rec *mh_last_task(void)
{
    assert_true(mh.task_count > 0);
    return &mh.tasks[mh.task_count - 1];
}

static inline const mh_task_rec *mh_last_user(void)
{
    assert_true(mh.user_count > 0);
    return &mh.user[mh.user_count - 1];
}

/* Counts measurement records ('M') since index from. */
static inline size_t mh_meas_after(size_t from, char mark)
{
    size_t n = 0;
    for (size_t i = from; i < mh.meas_count; i++)
        if (mh.meas[i].mark == mark) n++;
    return n;
}

#endif
