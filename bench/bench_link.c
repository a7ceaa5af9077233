/*
 * bench_link.c - link-layer throughput (IEEE 1815-2012 clause 9.2.4 framing and
 * CRC). Prints, one per line, in MB/s (10^6 octets per second) with the ratio
 * to memcpy on the same machine:
 *   - memcpy bandwidth (the physical reference) over the same buffer size;
 *   - streaming parse + CRC of a realistic frame mix fed in 64 KiB chunks;
 *   - the same stream fed one octet at a time;
 *   - CRC only: slicing-by-8 and the bit-wise reference, in 16-octet blocks
 *     (the DNP3 block size) and over 4 KiB buffers.
 * Each figure runs for about BENCH_SECONDS (argument 1 overrides it).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnp3/link.h"

#define STREAM_SIZE (4u << 20)
#define CHUNK (64u << 10)

static double bench_seconds = 1.5;
static volatile uint64_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t rng = 1;
static uint32_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Frame mix, per 10 frames: 3 header-only (10 octets, e.g. ACK / link status),
 * 4 full frames (292 octets, segments of a large response) and 3 mid-size
 * frames (20..200 octets of user data: polls, small responses, events). */
static size_t build_stream(uint8_t *s, size_t cap, size_t *frames)
{
    size_t n = 0;
    uint8_t data[DNP3_LINK_MAX_USER_DATA];
    *frames = 0;
    for (;;) {
        uint32_t k = (uint32_t)(*frames % 10);
        size_t len = k < 3 ? 0 : k < 7 ? 250 : 20 + rnd() % 181;
        for (size_t i = 0; i < len; i++) data[i] = (uint8_t)rnd();
        if (n + dnp3_link_frame_size(len) > cap) break;
        int w = dnp3_link_format(s + n, cap - n, k < 3 ? 0x00 : 0x44, 1, 1024, data, len);
        if (w < 0) abort();
        n += (size_t)w;
        (*frames)++;
    }
    return n;
}

typedef void (*bench_fn)(const uint8_t *buf, size_t n, uint8_t *scratch);

/* Runs fn over the buffer repeatedly for bench_seconds; returns MB/s. */
static double measure(bench_fn fn, const uint8_t *buf, size_t n, uint8_t *scratch)
{
    fn(buf, n, scratch); /* warm-up */
    uint64_t bytes = 0;
    double t0 = now(), t;
    do {
        fn(buf, n, scratch);
        bytes += n;
        t = now();
    } while (t - t0 < bench_seconds);
    return (double)bytes / (t - t0) / 1e6;
}

static void run_memcpy(const uint8_t *buf, size_t n, uint8_t *scratch)
{
    memcpy(scratch, buf, n);
    sink += scratch[n / 2];
}

static dnp3_link_parser parser;

static void run_parse_chunks(const uint8_t *buf, size_t n, uint8_t *scratch)
{
    (void)scratch;
    uint64_t total = 0;
    for (size_t pos = 0; pos < n;) {
        size_t len = n - pos < CHUNK ? n - pos : CHUNK;
        const uint8_t *in = buf + pos;
        pos += len;
        while (len > 0) {
            size_t c;
            dnp3_link_frame f;
            int rc = dnp3_link_parser_push(&parser, in, len, &c, &f);
            if (rc < 0) abort();
            if (rc == 1) total += f.len + f.data[0];
            in += c;
            len -= c;
        }
    }
    sink += total;
}

static void run_parse_octets(const uint8_t *buf, size_t n, uint8_t *scratch)
{
    (void)scratch;
    uint64_t total = 0;
    for (size_t pos = 0; pos < n; pos++) {
        size_t c;
        dnp3_link_frame f;
        int rc = dnp3_link_parser_push(&parser, buf + pos, 1, &c, &f);
        if (rc < 0) abort();
        if (rc == 1) total += f.len;
    }
    sink += total;
}

static void run_crc_blocks(const uint8_t *buf, size_t n, uint8_t *scratch)
{
    (void)scratch;
    uint32_t acc = 0;
    for (size_t i = 0; i + 16 <= n; i += 16) acc += dnp3_crc16(buf + i, 16);
    sink += acc;
}

static void run_crc_ref_blocks(const uint8_t *buf, size_t n, uint8_t *scratch)
{
    (void)scratch;
    uint32_t acc = 0;
    for (size_t i = 0; i + 16 <= n; i += 16) acc += dnp3_crc16_reference(buf + i, 16);
    sink += acc;
}

static void run_crc_4k(const uint8_t *buf, size_t n, uint8_t *scratch)
{
    (void)scratch;
    uint32_t acc = 0;
    for (size_t i = 0; i + 4096 <= n; i += 4096) acc += dnp3_crc16(buf + i, 4096);
    sink += acc;
}

static void report(const char *what, double mbs, double ref)
{
    printf("%-44s %9.1f MB/s  (%.3f x memcpy)\n", what, mbs, mbs / ref);
}

int main(int argc, char **argv)
{
    if (argc > 1) bench_seconds = atof(argv[1]);
    uint8_t *stream = malloc(STREAM_SIZE), *scratch = malloc(STREAM_SIZE);
    if (!stream || !scratch) return 1;
    size_t frames;
    size_t n = build_stream(stream, STREAM_SIZE, &frames);
    printf("stream: %zu octets, %zu frames (avg %.1f octets/frame)\n", n, frames, (double)n / (double)frames);

    double mc = measure(run_memcpy, stream, n, scratch);
    printf("%-44s %9.1f MB/s\n", "memcpy (reference)", mc);

    dnp3_link_parser_init(&parser, DNP3_LINK_MODE_CLOSE);
    report("link parse+CRC, 64 KiB chunks", measure(run_parse_chunks, stream, n, scratch), mc);
    if (parser.stats.frames % frames != 0 || parser.closed) {
        fprintf(stderr, "parser lost frames\n");
        return 1;
    }
    dnp3_link_parser_init(&parser, DNP3_LINK_MODE_DISCARD);
    report("link parse+CRC, one octet per call", measure(run_parse_octets, stream, n, scratch), mc);
    if (parser.stats.frames % frames != 0) {
        fprintf(stderr, "parser lost frames\n");
        return 1;
    }
    report("CRC slicing-by-8, 16-octet blocks", measure(run_crc_blocks, stream, n, scratch), mc);
    report("CRC bit-wise reference, 16-octet blocks", measure(run_crc_ref_blocks, stream, n, scratch), mc);
    report("CRC slicing-by-8, 4 KiB buffers", measure(run_crc_4k, stream, n, scratch), mc);
    free(stream);
    free(scratch);
    return 0;
}
