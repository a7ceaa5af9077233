/*
 * bench_net_tls.c - cost of a DNP3-over-TLS session set-up (IEC 62351-3):
 *   1. CPU of one full mutual-authentication handshake (ECDSA P-256
 *      certificates, ECDHE), both sides in this thread through the runtime's
 *      TLS engine (src/io/tls_conn.c) with the octets moved in memory;
 *   2. connect-to-open latency over loopback TCP with the libuv runtime: from
 *      the master's connect until its upper layer sees the session open (TCP
 *      handshake + TLS handshake + certificate checks), outstation in the same
 *      process and loop.
 * Physical reference: a plain TCP connect to the same outstation.
 *
 *   bench_net_tls [handshakes]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnp3/io_roles.h"
#include "pki.h"
#include "tls_conn.h"

static uint64_t now_ns(void)
{
    return uv_hrtime();
}

static dnp3_tls *load(const char *dir, bool server, dnp3_tls_version v)
{
    char cert[300], key[300], ca[300], err[600];
    snprintf(cert, sizeof cert, "%s/%s.pem", dir, server ? "os" : "m");
    snprintf(key, sizeof key, "%s/%s.key", dir, server ? "os" : "m");
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    dnp3_tls_config c;
    dnp3_tls_config_init(&c);
    c.cert_file = cert;
    c.key_file = key;
    c.ca_file = ca;
    c.min_version = c.max_version = v;
    c.peer_name = "127.0.0.1";
    dnp3_tls *t = dnp3_tls_load(&c, server, err, sizeof err);
    if (!t) {
        fprintf(stderr, "TLS set-up failed: %s\n", err);
        exit(1);
    }
    return t;
}

static size_t move(tls_conn *from, tls_conn *to)
{
    uint8_t buf[16384];
    size_t n, total = 0;
    while ((n = dnp3_tls_conn_take(from, buf, sizeof buf)) > 0) {
        dnp3_tls_conn_feed(to, buf, n);
        total += n;
    }
    return total;
}

/* One handshake in memory; returns the octets exchanged, 0 on failure. */
static size_t handshake_once(dnp3_tls *st, dnp3_tls *ct)
{
    tls_conn *s = dnp3_tls_conn_new(st, NULL), *c = dnp3_tls_conn_new(ct, NULL);
    int cs = dnp3_tls_conn_handshake(c), ss = TLS_CONN_WANT;
    size_t octets = 0;
    for (int i = 0; i < 10 && (cs == TLS_CONN_WANT || ss == TLS_CONN_WANT); i++) {
        octets += move(c, s);
        if (ss == TLS_CONN_WANT) ss = dnp3_tls_conn_handshake(s);
        octets += move(s, c);
        if (cs == TLS_CONN_WANT) cs = dnp3_tls_conn_handshake(c);
    }
    octets += move(c, s);
    dnp3_tls_conn_free(s);
    dnp3_tls_conn_free(c);
    return cs == TLS_CONN_OK && ss == TLS_CONN_OK ? octets : 0;
}

static void bench_cpu(const char *dir, dnp3_tls_version v, int n)
{
    dnp3_tls *st = load(dir, true, v), *ct = load(dir, false, v);
    size_t octets = 0;
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
        size_t o = handshake_once(st, ct);
        if (!o) {
            fprintf(stderr, "handshake failed\n");
            exit(1);
        }
        octets = o;
    }
    double us = (double)(now_ns() - t0) / 1e3 / n;
    printf("TLS %s full handshake, mutual ECDSA P-256, both sides' CPU in one thread: %.0f us (%.0f/s), %zu "
           "octets on the wire\n",
           v == DNP3_TLS_1_3 ? "1.3" : "1.2", us, 1e6 / us, octets);
    dnp3_tls_free(st);
    dnp3_tls_free(ct);
}

/* ---- connect-to-open over loopback with the runtime ---- */

typedef struct {
    uv_loop_t *loop;
    dnp3_io_outstation *osb;
    dnp3_io_master *mb;
    uint64_t t0;
    uint64_t *samples;
    int n, want;
    dnp3_tls *cli;
    uint16_t port;
    uv_timer_t next;
} runner;

static void connect_once(runner *r);

/* Outside the runtime's callbacks: close the last session, then connect again or stop. */
static void on_next(uv_timer_t *t)
{
    runner *r = t->data;
    dnp3_io_master_stop(r->mb);
    r->mb = NULL;
    if (r->n < r->want)
        connect_once(r);
    else
        uv_stop(r->loop);
}

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)peer;
    (void)now;
    runner *r = ctx;
    r->samples[r->n++] = now_ns() - r->t0;
    uv_timer_start(&r->next, on_next, 0, 0);
}

static void connect_once(runner *r)
{
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = 1;
    cc.remote_addr = 10;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    dnp3_io_hooks hooks = {r, on_open, NULL, NULL, NULL, NULL};
    dnp3_io_config io;
    dnp3_io_config_init(&io, DNP3_IO_TCP_CLIENT);
    io.host = "127.0.0.1";
    io.port = r->port;
    io.tls = r->cli;
    r->t0 = now_ns();
    if (dnp3_io_master_create(r->loop, &cc, &mc, &hooks, &r->mb) || dnp3_io_master_open(r->mb, &io)) {
        fprintf(stderr, "connect failed\n");
        exit(1);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void bench_connect(const char *dir, int tls_version, int n)
{
    uv_loop_t *loop = uv_default_loop();
    dnp3_outstation_config oc;
    dnp3_outstation_config_init(&oc);
    oc.link_layer = false;
    oc.types[DNP3_OS_ANALOG_INPUT].count = 10;
    size_t size = dnp3_outstation_memory_size(&oc);
    void *mem = aligned_alloc(64, (size + 63) / 64 * 64);
    dnp3_outstation *os = dnp3_outstation_init(mem, size, &oc, NULL, dnp3_io_now(loop));
    dnp3_tls *srv = tls_version ? load(dir, true, (dnp3_tls_version)tls_version) : NULL;
    runner r = {0};
    r.loop = loop;
    r.want = n;
    r.samples = calloc((size_t)n, sizeof *r.samples);
    r.cli = tls_version ? load(dir, false, (dnp3_tls_version)tls_version) : NULL;
    dnp3_io_config sc;
    dnp3_io_config_init(&sc, DNP3_IO_TCP_SERVER);
    sc.host = "127.0.0.1";
    sc.port = 0;
    sc.tls = srv;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    if (!os || dnp3_io_outstation_start(loop, &sc, &cc, os, NULL, &r.osb)) {
        fprintf(stderr, "outstation failed\n");
        exit(1);
    }
    r.port = dnp3_io_local_port(dnp3_io_outstation_io(r.osb));
    uv_timer_init(loop, &r.next);
    r.next.data = &r;
    connect_once(&r);
    uv_run(loop, UV_RUN_DEFAULT);
    dnp3_io_outstation_stop(r.osb);
    uv_close((uv_handle_t *)&r.next, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    qsort(r.samples, (size_t)r.n, sizeof *r.samples, cmp_u64);
    printf("%-8s connect until the session is open, loopback, runtime on one loop: median %.3f ms, p99 %.3f ms "
           "(%d connects)\n",
           tls_version == 13   ? "TLS 1.3"
           : tls_version == 12 ? "TLS 1.2"
                               : "TCP",
           (double)r.samples[r.n / 2] / 1e6, (double)r.samples[r.n * 99 / 100] / 1e6, r.n);
    free(r.samples);
    dnp3_tls_free(srv);
    dnp3_tls_free(r.cli);
    free(mem);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 500;
    if (n < 1) n = 1;
    char dir[] = "/tmp/dnp3-bench-tls.XXXXXX";
    if (!pki_make_loopback_set(dir)) return 1;

    bench_cpu(dir, DNP3_TLS_1_3, n);
    bench_cpu(dir, DNP3_TLS_1_2, n);
    bench_connect(dir, 0, n);
    bench_connect(dir, 13, n);
    bench_connect(dir, 12, n);

    pki_remove_loopback_set(dir);
    return 0;
}
