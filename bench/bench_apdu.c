/*
 * bench_apdu.c - application-layer parse and write throughput (IEEE 1815-2012
 * clause 4.3): objects/s for parsing + decoding a 2048-octet response of g30v1
 * (static analog, 5 octets) and of g32v3 (analog event with time, 11 octets,
 * qualifier 0x28), and objects/s for writing the same, next to memcpy bandwidth.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dnp3/writer.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile double sink;

static size_t build(uint8_t *buf, size_t cap, uint8_t g, uint8_t v, size_t *objects)
{
    dnp3_apdu_writer w;
    dnp3_hdr_mark m;
    dnp3_apdu_writer_init_response(&w, buf, cap, 0xC0, DNP3_FC_RESPONSE, 0);
    if (g == 30)
        dnp3_apdu_begin_range(&w, &m, g, v, 0);
    else
        dnp3_apdu_begin_indexed(&w, &m, g, v, DNP3_QUAL_COUNT_16_INDEX_16);
    uint32_t i = 0;
    for (;; i++) {
        dnp3_point p = {.flags = 1, .value = 138000 + (double)i, .time = 1700000000000ULL + i};
        if (dnp3_apdu_add_point(&w, &m, i, &p) != DNP3_OK) break;
    }
    *objects = dnp3_apdu_end(&w, &m);
    return w.len;
}

static size_t parse_all(const uint8_t *buf, size_t len)
{
    dnp3_apdu a;
    dnp3_apdu_parse(buf, len, &a);
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    size_t n = 0;
    dnp3_hdr_iter_init(&it, &a);
    while (dnp3_hdr_iter_next(&it, &h, NULL) > 0) {
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        while (dnp3_obj_iter_next(&oi, &o)) {
            dnp3_point p;
            dnp3_point_decode(h.desc, o.data, o.size, o.bits, &p);
            sink += p.value;
            n++;
        }
    }
    return n;
}

static void run(const char *label, uint8_t g, uint8_t v)
{
    static uint8_t buf[2048];
    size_t objects;
    size_t len = build(buf, sizeof buf, g, v, &objects);
    size_t total = 0, iters = 0;
    double t0 = now_s(), t;
    do {
        for (int k = 0; k < 1000; k++) total += parse_all(buf, len);
        iters += 1000;
        t = now_s() - t0;
    } while (t < 1.0);
    printf("parse+decode %-30s %5zu octets, %4zu objects: %8.1f M objects/s, %7.0f MB/s\n", label, len, objects,
           (double)total / t / 1e6, (double)len * (double)iters / t / 1e6);

    total = 0;
    iters = 0;
    t0 = now_s();
    do {
        for (int k = 0; k < 1000; k++) {
            size_t n;
            build(buf, sizeof buf, g, v, &n);
            total += n;
        }
        iters += 1000;
        t = now_s() - t0;
    } while (t < 1.0);
    printf("write        %-30s %5zu octets, %4zu objects: %8.1f M objects/s, %7.0f MB/s\n", label, len, objects,
           (double)total / t / 1e6, (double)len * (double)iters / t / 1e6);
}

static void memcpy_ref(void)
{
    static uint8_t a[2048], b[2048];
    size_t iters = 0;
    double t0 = now_s(), t;
    do {
        for (int k = 0; k < 100000; k++) {
            memcpy(b, a, sizeof a);
            a[k & 2047] = b[(k * 7) & 2047];
        }
        iters += 100000;
        t = now_s() - t0;
    } while (t < 1.0);
    printf("memcpy of 2048-octet buffers (physical reference): %.0f MB/s\n", 2048.0 * (double)iters / t / 1e6);
}

int main(void)
{
    run("g30v1 (static analog, q01)", 30, 1);
    run("g32v3 (analog event+time, q28)", 32, 3);
    memcpy_ref();
    return 0;
}
