/*
 * app.c - a DNP3 outstation without an operating system: static memory only,
 * octets through port.h, the sans-I/O core driven from a polling loop.
 *
 * Compile-time configuration (defaults in brackets):
 *   APP_POINTS [100]      points of each of the 9 types
 *   APP_EVENTS [100]      event buffer of each type
 *   APP_OCTET_SIZE [8]    largest octet-string value
 *   APP_FRAGMENT [249]    largest request and response fragment (249 = one link frame)
 *   APP_ARENA_SIZE        octets of the static arena (default: a generous host figure; size it
 *                         with the host build's `--size`, which prints dnp3_outstation_memory_size)
 *   APP_LINK_ADDR [10], APP_MASTER_ADDR [1]
 */
#include "app.h"

#include <dnp3/outstation.h>

#include "port.h"

#ifndef APP_POINTS
#define APP_POINTS 100
#endif
#ifndef APP_EVENTS
#define APP_EVENTS 100
#endif
#ifndef APP_OCTET_SIZE
#define APP_OCTET_SIZE 8
#endif
#ifndef APP_FRAGMENT
#define APP_FRAGMENT 249
#endif
#ifndef APP_ARENA_SIZE
#define APP_ARENA_SIZE 65536
#endif
#ifndef APP_LINK_ADDR
#define APP_LINK_ADDR 10
#endif
#ifndef APP_MASTER_ADDR
#define APP_MASTER_ADDR 1
#endif
/* one output chunk = every link frame of one fragment: 292 octets per 249 application octets */
#define APP_TX_SIZE (292 * ((APP_FRAGMENT + 248) / 249))

/* The outstation's whole state: database, event buffers, fragment buffers, link + transport. */
static max_align_t arena[(APP_ARENA_SIZE + sizeof(max_align_t) - 1) / sizeof(max_align_t)];
static uint8_t tx[APP_TX_SIZE];
static dnp3_outstation *os;

/* 64-bit monotonic milliseconds from the 32-bit port clock. */
static uint32_t last_ms;
static uint64_t wraps;
static dnp3_tstamp now_ms(void)
{
    uint32_t t = port_millis();
    if (t < last_ms) wraps += 1ull << 32;
    last_ms = t;
    return wraps + t;
}

/* No real-time clock: UTC is known once a master has written the time (g50). */
static int64_t utc_offset;
static int utc_valid;
static dnp3_time48 utc_now(void *ctx)
{
    (void)ctx;
    return utc_valid ? (dnp3_time48)((int64_t)now_ms() + utc_offset) : 0;
}
static bool write_time(void *ctx, dnp3_time48 utc)
{
    (void)ctx;
    utc_offset = (int64_t)utc - (int64_t)now_ms();
    utc_valid = 1;
    return true;
}

static void set(dnp3_os_type t, uint16_t i, double v, dnp3_event_mode mode)
{
    dnp3_outstation_update(os, t, i, v, DNP3_FLAG_ONLINE, utc_now(NULL), mode);
}

/* CROB 0: on (latch on, pulse on, close) or off (latch off, pulse off, trip) drives binary
 * input 0 and binary output status 0, as a relay with a feedback contact would. */
static dnp3_command_status on_crob(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *c)
{
    (void)ctx;
    unsigned tcc = c->code & DNP3_CROB_TCC_MASK, op = c->code & DNP3_CROB_OP_MASK;
    int on = tcc == DNP3_CROB_TCC_CLOSE ||
             (tcc == DNP3_CROB_TCC_NUL && (op == DNP3_OP_LATCH_ON || op == DNP3_OP_PULSE_ON));
    int off = tcc == DNP3_CROB_TCC_TRIP ||
              (tcc == DNP3_CROB_TCC_NUL && (op == DNP3_OP_LATCH_OFF || op == DNP3_OP_PULSE_OFF));
    if (index != 0 || !(on || off)) return DNP3_CS_NOT_SUPPORTED;
    if (mode == DNP3_CTRL_SELECT) return DNP3_CS_SUCCESS;
    set(DNP3_OS_BINARY_OUTPUT_STATUS, 0, on, DNP3_EVENT_DETECT);
    set(DNP3_OS_BINARY_INPUT, 0, on, DNP3_EVENT_DETECT);
    return DNP3_CS_SUCCESS;
}

static void configure(dnp3_outstation_config *c)
{
    dnp3_outstation_config_init(c);
    c->link_addr = APP_LINK_ADDR;
    c->master_addr = APP_MASTER_ADDR;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c->types[t].count = APP_POINTS;
        c->types[t].event_class = 1;
        c->types[t].event_buffer = APP_EVENTS;
    }
    c->octet_string_size = APP_OCTET_SIZE;
    c->max_rx_fragment = APP_FRAGMENT;
    c->max_tx_fragment = APP_FRAGMENT;
    c->link_mode = DNP3_CHANNEL_SERIAL; /* drop a bad octet and resync on 05 64 */
    c->keep_alive_ms = 0;               /* a serial line has no connection to lose */
    c->sa_stat_event_buffer = 0;        /* no Secure Authentication here */
}

size_t app_memory_needed(void)
{
    dnp3_outstation_config cfg; /* on the stack: only the arena is kept */
    configure(&cfg);
    return dnp3_outstation_memory_size(&cfg);
}

size_t app_arena_size(void)
{
    return sizeof arena;
}

int app_init(void)
{
    dnp3_outstation_config cfg;
    configure(&cfg);
    size_t need = dnp3_outstation_memory_size(&cfg);
    if (need == 0 || need > sizeof arena) return -1;
    dnp3_outstation_callbacks cb = {
        .size = sizeof cb, .crob = on_crob, .write_time = write_time, .utc_now = utc_now};
    os = dnp3_outstation_init(arena, sizeof arena, &cfg, &cb, now_ms());
    if (!os || dnp3_outstation_write_size(os) > sizeof tx) return -1;
    for (uint16_t i = 0; i < APP_POINTS; i++) { /* initial values: online, no events */
        set(DNP3_OS_BINARY_INPUT, i, i % 2, DNP3_EVENT_SUPPRESS);
        set(DNP3_OS_DOUBLE_BIT_INPUT, i, DNP3_DBIT_DETERMINED_OFF, DNP3_EVENT_SUPPRESS);
        set(DNP3_OS_BINARY_OUTPUT_STATUS, i, 0, DNP3_EVENT_SUPPRESS);
        set(DNP3_OS_COUNTER, i, 1000 + i, DNP3_EVENT_SUPPRESS);
        set(DNP3_OS_FROZEN_COUNTER, i, 0, DNP3_EVENT_SUPPRESS);
        set(DNP3_OS_ANALOG_INPUT, i, i * 0.5, DNP3_EVENT_SUPPRESS);
        set(DNP3_OS_ANALOG_OUTPUT_STATUS, i, 0, DNP3_EVENT_SUPPRESS);
        set(DNP3_OS_FROZEN_ANALOG_INPUT, i, 0, DNP3_EVENT_SUPPRESS);
        dnp3_outstation_update_octets(os, i, (const uint8_t *)"ok", 2, 0, DNP3_EVENT_SUPPRESS);
    }
    set(DNP3_OS_BINARY_INPUT, 0, 0, DNP3_EVENT_SUPPRESS); /* follows CROB 0, starts off */
    return 0;
}

void app_poll(void)
{
    static dnp3_tstamp next_sample = 1000;
    static uint32_t samples;
    uint8_t in[64];
    size_t n = port_read(in, sizeof in);
    dnp3_tstamp now = now_ms();
    if (n) dnp3_outstation_read(os, in, n, now); /* serial mode: errors only resync */
    if (now >= dnp3_outstation_get_expiry(os)) dnp3_outstation_handle_expiry(os, now);
    if (now >= next_sample) { /* stands in for an ADC and a pulse input: class 1 events */
        next_sample = now + 1000;
        samples++;
        set(DNP3_OS_ANALOG_INPUT, 0, 20.0 + (samples % 10) * 0.5, DNP3_EVENT_DETECT);
        set(DNP3_OS_COUNTER, 0, 1000 + samples, DNP3_EVENT_DETECT);
    }
    int w;
    while ((w = dnp3_outstation_write(os, tx, sizeof tx, now)) > 0) port_write(tx, (size_t)w);
}
