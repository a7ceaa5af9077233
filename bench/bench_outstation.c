/*
 * bench_outstation.c - figures for the sans-I/O outstation (prints, never asserts):
 *   1. time to build a complete integrity response (classes 1-3 and 0, all
 *      fragments, with the master's confirms) for 10,000 points, and how many
 *      such responses per second;
 *   2. small request/response round trips per second (READ of 10 analogs);
 *   3. event throughput: updates that make events, reported by class polls;
 *   4. octet-level round trips through the built-in channel;
 *   5. the memory of one outstation with 1,000 points of each type and
 *      1,000-event buffers (and the state beyond the configured buffers),
 *      and of a small one (50 points, 100-event buffers).
 * Usage: bench_outstation [seconds-per-test, default 1]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnp3/outstation.h"
#include "outstation/os_internal.h"

static alignas(max_align_t) uint8_t mem[16u << 20];
static uint8_t out[70000];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static dnp3_outstation *make(uint16_t per_type, uint16_t events, bool link)
{
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c.types[t].count = per_type;
        c.types[t].event_buffer = events;
    }
    c.link_layer = link;
    c.link_addr = 1024;
    c.master_addr = 1;
    dnp3_outstation *os = dnp3_outstation_init(mem, sizeof mem, &c, NULL, 0);
    if (!os) {
        fprintf(stderr, "init failed\n");
        exit(1);
    }
    for (int t = 0; t < DNP3_OS_OCTET_STRING; t++)
        for (uint16_t i = 0; i < per_type; i++)
            dnp3_outstation_update(os, (dnp3_os_type)t, i,
                                   t == DNP3_OS_DOUBLE_BIT_INPUT ? 2
                                   : i % 2                       ? i
                                                                 : 1,
                                   DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS);
    return os;
}

/* One whole integrity poll: request, every fragment, every confirm. Returns octets sent. */
static size_t integrity(dnp3_outstation *os, uint8_t seq, size_t *fragments)
{
    uint8_t req[] = {(uint8_t)(0xC0 | (seq & 15)), 0x01, 60, 2, 6, 60, 3, 6, 60, 4, 6, 60, 1, 6};
    dnp3_outstation_receive(os, req, sizeof req, DNP3_BCAST_NONE, 0);
    size_t total = 0;
    for (;;) {
        int n = dnp3_outstation_take(os, out, sizeof out, 0);
        if (n <= 0) break;
        total += (size_t)n;
        (*fragments)++;
        if (out[0] & DNP3_AC_CON) {
            uint8_t conf[] = {(uint8_t)(0xC0 | (out[0] & 15)), 0x00};
            dnp3_outstation_receive(os, conf, sizeof conf, DNP3_BCAST_NONE, 0);
        }
        if (out[0] & DNP3_AC_FIN) break;
    }
    return total;
}

static void bench_integrity(double secs)
{
    dnp3_outstation *os = make(1250, 100, false); /* 8 types x 1,250 = 10,000 points */
    size_t frags = 0, bytes = integrity(os, 0, &frags);
    size_t n = 0, f2 = 0;
    double t0 = now_s(), t;
    do {
        integrity(os, (uint8_t)n, &f2);
        n++;
    } while ((t = now_s() - t0) < secs);
    printf("integrity response, 10,000 points (1,250 of each of 8 types):\n");
    printf("  %zu octets of APDU in %zu fragments of <= 2048\n", bytes, frags);
    printf("  %.3f ms per complete response, %.0f responses/s\n", 1e3 * t / (double)n, (double)n / t);
}

static void bench_small_reads(double secs)
{
    dnp3_outstation *os = make(100, 100, false);
    uint8_t req[] = {0xC0, 0x01, 30, 1, 0x00, 0, 9};
    size_t n = 0;
    double t0 = now_s(), t;
    do {
        for (int k = 0; k < 1000; k++) {
            req[0] = (uint8_t)(0xC0 | (n & 15));
            dnp3_outstation_receive(os, req, sizeof req, DNP3_BCAST_NONE, 0);
            dnp3_outstation_take(os, out, sizeof out, 0);
            n++;
        }
    } while ((t = now_s() - t0) < secs);
    printf("READ g30v1 0..9 request -> response (APDU level): %.0f responses/s (%.2f us each)\n", (double)n / t,
           1e6 * t / (double)n);
}

static void bench_events(double secs)
{
    dnp3_outstation *os = make(1000, 1000, false);
    size_t updates = 0, polls = 0;
    double t0 = now_s(), t;
    do {
        for (uint16_t i = 0; i < 1000; i++, updates++)
            dnp3_outstation_update(os, DNP3_OS_ANALOG_INPUT, i, (double)(updates + i), DNP3_FLAG_ONLINE, 0,
                                   DNP3_EVENT_DETECT);
        size_t f = 0;
        uint8_t req[] = {(uint8_t)(0xC0 | (polls & 15)), 0x01, 60, 2, 6};
        dnp3_outstation_receive(os, req, sizeof req, DNP3_BCAST_NONE, 0);
        for (;;) {
            int n = dnp3_outstation_take(os, out, sizeof out, 0);
            if (n <= 0) break;
            f++;
            uint8_t conf[] = {(uint8_t)(0xC0 | (out[0] & 15)), 0x00};
            dnp3_outstation_receive(os, conf, sizeof conf, DNP3_BCAST_NONE, 0);
            if (out[0] & DNP3_AC_FIN) break;
        }
        polls++;
    } while ((t = now_s() - t0) < secs);
    printf("events: %.0f analog events/s recorded, reported by class-1 polls and confirmed\n",
           (double)updates / t);
}

static void bench_link(double secs)
{
    dnp3_outstation *os = make(100, 100, true);
    uint8_t ud[] = {0xC0, 0xC0, 0x01, 30, 1, 0x00, 0, 9};
    uint8_t frame[64];
    size_t n = 0;
    double t0 = now_s(), t;
    do {
        for (int k = 0; k < 1000; k++) {
            ud[0] = (uint8_t)(0xC0 | (n & 63));
            ud[1] = (uint8_t)(0xC0 | (n & 15));
            int fl = dnp3_link_format(frame, sizeof frame, 0xC4, 1024, 1, ud, sizeof ud);
            dnp3_outstation_read(os, frame, (size_t)fl, 0);
            while (dnp3_outstation_write(os, out, sizeof out, 0) > 0) {
            }
            n++;
        }
    } while ((t = now_s() - t0) < secs);
    printf("READ g30v1 0..9 through link + transport (frames in, frames out): %.0f responses/s\n", (double)n / t);
}

static size_t buffers_of(uint16_t per_type, uint16_t events, const dnp3_outstation_config *c)
{
    size_t b = 0;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) /* records, values, deadbands, times, octet strings */
        b += per_type * dnp3_os_point_octets(c, t) + events * dnp3_os_event_octets(c, t);
    b += c->max_rx_fragment + 2 * c->max_tx_fragment;
    if (c->link_layer) b += c->max_rx_fragment + dnp3_transport_wire_size(c->max_tx_fragment);
    return b;
}

static void memory(uint16_t per_type, uint16_t events)
{
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c.types[t].count = per_type;
        c.types[t].event_buffer = events;
    }
    size_t total = dnp3_outstation_memory_size(&c), buffers = buffers_of(per_type, events, &c);
    printf("memory, %u points of each of 8 types, %u-event buffers per type, 2048-octet fragments, TCP channel:\n",
           per_type, events);
    printf("  %zu octets in total (%.1f KiB); configured buffers %zu; state beyond the buffers %zu octets (%.1f "
           "KiB)\n",
           total, (double)total / 1024, buffers, total - buffers, (double)(total - buffers) / 1024);
    static const char *const NAME[DNP3_OS_TYPE_COUNT] = {"bi", "dbi", "bos", "cnt", "fcnt", "ai", "aos", "oct"};
    printf("  octets per point / per event:");
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++)
        printf(" %s %zu/%zu", NAME[t], dnp3_os_point_octets(&c, t), dnp3_os_event_octets(&c, t));
    printf("\n");
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    if (secs <= 0) secs = 1.0;
    bench_integrity(secs);
    bench_small_reads(secs);
    bench_events(secs);
    bench_link(secs);
    memory(1000, 1000);
    memory(50, 100);
    return 0;
}
