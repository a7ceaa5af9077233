/*
 * os_harness.h - shared helpers of the outstation session tests: an
 * outstation on a virtual clock driven at the application-fragment level,
 * hex request in / exact hex response out, and recording callbacks.
 * Header-only (static inline) so that every tests/session/test_*.c program
 * can include it.
 */
#ifndef DNP3_OS_HARNESS_H
#define DNP3_OS_HARNESS_H

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "dnp3/outstation.h"
#include "testutil.h"

typedef struct {
    dnp3_outstation *os;
    dnp3_tstamp now;
    /* controls */
    int crob_calls;
    dnp3_control_mode crob_mode;
    uint16_t crob_index;
    dnp3_crob crob;
    dnp3_command_status crob_status;
    int ao_calls;
    dnp3_control_mode ao_mode;
    uint16_t ao_index;
    double ao_value;
    uint8_t ao_variation;
    dnp3_command_status ao_status;
    /* time */
    int time_writes;
    dnp3_time48 time_written;
    bool time_accept;
    dnp3_time48 utc;
    /* restart / freeze */
    int restarts;
    bool restart_cold;
    dnp3_restart_delay restart_delay;
    int freezes, analog_freezes;
    dnp3_freeze_kind freeze_kind;
    uint16_t freeze_start, freeze_stop;
} harness;

static alignas(max_align_t) uint8_t h_mem[4u << 20];

static inline dnp3_command_status h_crob(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *c)
{
    harness *h = ctx;
    h->crob_calls++;
    h->crob_mode = mode;
    h->crob_index = index;
    h->crob = *c;
    return h->crob_status;
}

static inline dnp3_command_status h_ao(void *ctx, dnp3_control_mode mode, uint16_t index, double value,
                                       uint8_t variation)
{
    harness *h = ctx;
    h->ao_calls++;
    h->ao_mode = mode;
    h->ao_index = index;
    h->ao_value = value;
    h->ao_variation = variation;
    return h->ao_status;
}

static inline bool h_write_time(void *ctx, dnp3_time48 t)
{
    harness *h = ctx;
    h->time_writes++;
    h->time_written = t;
    return h->time_accept;
}

static inline dnp3_restart_delay h_restart(void *ctx, bool cold)
{
    harness *h = ctx;
    h->restarts++;
    h->restart_cold = cold;
    return h->restart_delay;
}

static inline void h_freeze_analog(void *ctx, dnp3_freeze_kind kind, uint16_t start, uint16_t stop)
{
    harness *h = (harness *)ctx;
    h->analog_freezes++;
    h->freeze_kind = kind;
    h->freeze_start = start;
    h->freeze_stop = stop;
}

static inline void h_freeze(void *ctx, dnp3_freeze_kind kind, uint16_t start, uint16_t stop)
{
    harness *h = ctx;
    h->freezes++;
    h->freeze_kind = kind;
    h->freeze_start = start;
    h->freeze_stop = stop;
}

static inline dnp3_time48 h_utc(void *ctx)
{
    return ((harness *)ctx)->utc;
}

/* 10 points of every type, event class 1, 100-event buffers, no built-in channel. */
static inline void h_config(dnp3_outstation_config *c)
{
    dnp3_outstation_config_init(c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c->types[t].count = 10;
    c->link_layer = false;
}

static inline dnp3_outstation_callbacks h_callbacks(harness *h)
{
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.ctx = h;
    cb.crob = h_crob;
    cb.analog_output = h_ao;
    cb.write_time = h_write_time;
    cb.restart = h_restart;
    cb.freeze = h_freeze;
    cb.freeze_analog = h_freeze_analog;
    cb.utc_now = h_utc;
    return cb;
}

static inline void h_start(harness *h, const dnp3_outstation_config *c)
{
    memset(h, 0, sizeof *h);
    h->time_accept = true;
    dnp3_outstation_callbacks cb = h_callbacks(h);
    size_t need = dnp3_outstation_memory_size(c);
    assert_true(need > 0 && need <= sizeof h_mem);
    h->os = dnp3_outstation_init(h_mem, sizeof h_mem, c, &cb, h->now);
    assert_non_null(h->os);
}

/* Starts with h_config(). */
static inline void h_start_default(harness *h)
{
    dnp3_outstation_config c;
    h_config(&c);
    h_start(h, &c);
}

static inline void h_req_bcast(harness *h, const char *hex, dnp3_broadcast_kind b)
{
    uint8_t buf[4096];
    size_t n = tu_hex(hex, buf, sizeof buf);
    assert_int_equal(dnp3_outstation_receive(h->os, buf, n, b, h->now), DNP3_OK);
}

static inline void h_req(harness *h, const char *hex)
{
    h_req_bcast(h, hex, DNP3_BCAST_NONE);
}

#define h_expect(h, hex) h_expect_at((h), (hex), __FILE__, __LINE__)
static inline void h_expect_at(harness *h, const char *hex, const char *file, int line)
{
    uint8_t out[70000];
    int n = dnp3_outstation_take(h->os, out, sizeof out, h->now);
    if (n <= 0) {
        print_error("%s:%d: no fragment (rc %d), expected %s\n", file, line, n, hex);
        fail();
    }
    tu_assert_hex(out, (size_t)n, hex, file, line);
}

/* Takes the next fragment into out (returns its length; fails if none). */
static inline size_t h_take(harness *h, uint8_t *out, size_t cap)
{
    int n = dnp3_outstation_take(h->os, out, cap, h->now);
    assert_true(n > 0);
    return (size_t)n;
}

#define h_none(h) h_none_at((h), __FILE__, __LINE__)
static inline void h_none_at(harness *h, const char *file, int line)
{
    uint8_t out[70000];
    int n = dnp3_outstation_take(h->os, out, sizeof out, h->now);
    if (n != 0) {
        print_error("%s:%d: unexpected fragment %s\n", file, line, n > 0 ? tu_tohex(out, (size_t)n) : "(error)");
        fail();
    }
}

/* Request in, exactly one response out, then nothing. */
#define h_exchange(h, rq, rs)                                                                                     \
    do {                                                                                                          \
        h_req((h), (rq));                                                                                         \
        h_expect((h), (rs));                                                                                      \
        h_none(h);                                                                                                \
    } while (0)

/* Advances the virtual clock and runs the timers. */
static inline void h_advance(harness *h, dnp3_tstamp ms)
{
    h->now += ms;
    dnp3_outstation_handle_expiry(h->os, h->now);
}

static inline void h_update(harness *h, dnp3_os_type t, uint16_t i, double v, uint8_t flags, dnp3_time48 time)
{
    assert_true(dnp3_outstation_update(h->os, t, i, v, flags, time, DNP3_EVENT_DETECT) >= 0);
}

/* Clears DEVICE_RESTART so that responses show IIN 00 00 (docs/protocol-notes.md §5.5). */
static inline void h_clear_restart(harness *h)
{
    dnp3_outstation_set_iin(h->os, DNP3_IIN1_DEVICE_RESTART, false);
}

#endif
