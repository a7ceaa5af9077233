/*
 * bench_sessions.c - figures for several masters on one outstation database
 * (dnp3_outstation_init_session; prints, never asserts):
 *   1. memory: a whole outstation and one extra session, for a small RTU
 *      (50 points of each type, 100-event buffers), the substation-sized
 *      outstation of `dnp3 outstation` (1,000-event buffers) and a large one
 *      (1,000 points of each type, 1,000-event buffers);
 *   2. updates that make events, per second, with 1, 2, 4, 8 and 16 sessions
 *      on the database (each update records one event per session), next to
 *      the one-outstation figure of the same run (the reference: what a
 *      second master costs is the ratio).
 * Usage: bench_sessions [seconds-per-test, default 1]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnp3/outstation.h"

#define MAX_SESSIONS 16
static alignas(max_align_t) uint8_t db_mem[8u << 20];
static alignas(max_align_t) uint8_t sess_mem[MAX_SESSIONS][2u << 20];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void config(dnp3_outstation_config *c, uint16_t per_type, uint16_t events)
{
    dnp3_outstation_config_init(c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c->types[t].count = per_type;
        c->types[t].event_buffer = events;
    }
    c->link_layer = false;
}

static void memory(const char *what, uint16_t per_type, uint16_t events)
{
    dnp3_outstation_config c;
    config(&c, per_type, events);
    size_t whole = dnp3_outstation_memory_size(&c), session = dnp3_outstation_session_memory_size(&c);
    printf("  %-44s whole outstation %9zu octets, each extra session %9zu (%.0f%%)\n", what, whole, session,
           100.0 * (double)session / (double)whole);
}

/* Updates per second (each one an event in every session) with n sessions besides the database. */
static double updates_per_s(int n, double seconds)
{
    dnp3_outstation_config c;
    config(&c, 100, 1000);
    dnp3_outstation *db = dnp3_outstation_init(db_mem, sizeof db_mem, &c, NULL, 0);
    for (int i = 0; i < n; i++)
        if (!dnp3_outstation_init_session(sess_mem[i], sizeof sess_mem[i], &c, NULL, db, 0)) {
            fprintf(stderr, "session %d failed\n", i);
            exit(1);
        }
    uint64_t done = 0;
    double t0 = now_s(), t;
    do {
        for (int k = 0; k < 1000; k++, done++)
            dnp3_outstation_update(db, DNP3_OS_ANALOG_INPUT, (uint16_t)(done % 100), (double)done,
                                   DNP3_FLAG_ONLINE, 0, DNP3_EVENT_DETECT);
        t = now_s() - t0;
    } while (t < seconds);
    return (double)done / t;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    if (seconds <= 0) seconds = 1.0;
    printf("bench_sessions: several masters on one database\n");
    printf("memory:\n");
    memory("50 points per type, 100-event buffers", 50, 100);
    memory("100 points per type, 1,000-event buffers", 100, 1000);
    memory("1,000 points per type, 1,000-event buffers", 1000, 1000);
    printf("event recording (analog updates, each an event in every buffer):\n");
    double ref = updates_per_s(0, seconds);
    printf("  %-30s %12.0f updates/s (reference)\n", "one outstation, no sessions", ref);
    for (int n = 1; n <= MAX_SESSIONS; n *= 2) {
        double r = updates_per_s(n, seconds);
        printf("  database + %2d session%s %14.0f updates/s (%.2fx the reference, %.0f events/s recorded)\n", n,
               n == 1 ? " " : "s", r, r / ref, r * (n + 1));
    }
    return 0;
}
