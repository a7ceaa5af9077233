/*
 * bench_net_poll.c - integrity poll of 1,000 analog inputs between our master
 * and our outstation over loopback TCP (both on one libuv loop in this
 * process): median and 99th-percentile round trip and polls/s; and unsolicited
 * event throughput with confirms and update-to-callback latency. The physical
 * reference is a plain TCP ping-pong between two threads on 127.0.0.1.
 * The polls run over plain TCP and over TLS 1.3 and 1.2 (IEC 62351-3, mutual
 * certificate authentication with ECDSA P-256 certificates made at start-up).
 *
 *   bench_net_poll [points] [seconds]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnp3/io_roles.h"
#include "pki.h"

/* TLS for the poll runs (NULL: plain TCP) */
static dnp3_tls *g_tls_server, *g_tls_client;
static const char *g_tls_name = "TCP";

typedef struct {
    uv_loop_t *loop;
    dnp3_outstation *os;
    void *os_mem;
    dnp3_io_outstation *osb;
    dnp3_io_master *mb;
    dnp3_master_assoc *a;
    bool connected;
    /* poll run */
    uint64_t t_start, t_end, deadline;
    uint64_t *rtt;
    size_t n, cap;
    uint64_t sent_at;
    size_t measurements;
    /* event run */
    bool events_mode;
    uint64_t events_rx, lat_sum_us, lat_max_us, updates;
    uint64_t update_time_us[65536];
    uv_timer_t feeder;
} bench;

static uint64_t now_us(void)
{
    return uv_hrtime() / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void submit(bench *b);

static void poll_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    (void)a;
    bench *b = ctx;
    if (info->result != DNP3_TASK_SUCCESS) {
        fprintf(stderr, "poll failed: %s\n", dnp3_task_result_name(info->result));
        uv_stop(b->loop);
        return;
    }
    if (b->n < b->cap) b->rtt[b->n++] = now_us() - b->sent_at;
    if (now_us() >= b->deadline) {
        b->t_end = now_us();
        uv_stop(b->loop);
        return;
    }
    submit(b);
}

static void submit(bench *b)
{
    b->sent_at = now_us();
    dnp3_master_read_class(b->a, DNP3_CLASS_0, poll_done, b, dnp3_io_now(b->loop));
    dnp3_io_master_kick(b->mb);
}

static void on_measurement(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    (void)a;
    bench *b = ctx;
    b->measurements++;
    if (b->events_mode && m->event && m->type == DNP3_POINT_ANALOG_INPUT) {
        uint64_t lat = now_us() - b->update_time_us[(uint32_t)m->value & 0xFFFF];
        b->events_rx++;
        b->lat_sum_us += lat;
        if (lat > b->lat_max_us) b->lat_max_us = lat;
    }
}

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)peer;
    (void)now;
    bench *b = ctx;
    if (b->connected) return;
    b->connected = true;
    if (!b->events_mode) {
        b->t_start = now_us();
        submit(b);
    }
}

/* Events: every tick updates a batch of analogs (each a new value = an event). */
static void feed(uv_timer_t *t)
{
    bench *b = t->data;
    if (!b->connected || !dnp3_master_assoc_started(b->a)) return;
    if (now_us() >= b->deadline) {
        b->t_end = now_us();
        uv_stop(b->loop);
        return;
    }
    for (int i = 0; i < 400; i++) {
        uint32_t v = (uint32_t)(b->updates++ & 0xFFFF);
        b->update_time_us[v] = now_us();
        dnp3_outstation_update(b->os, DNP3_OS_ANALOG_INPUT, (uint16_t)(v % 1000), v, DNP3_FLAG_ONLINE, 0,
                               DNP3_EVENT_FORCE);
    }
    dnp3_io_outstation_kick(b->osb);
}

static int setup(bench *b, uint16_t points, size_t max_fragment, bool events)
{
    memset(b, 0, sizeof *b);
    b->loop = uv_default_loop();
    b->events_mode = events;
    dnp3_outstation_config oc;
    dnp3_outstation_config_init(&oc);
    oc.link_layer = false;
    oc.types[DNP3_OS_ANALOG_INPUT].count = points;
    oc.types[DNP3_OS_ANALOG_INPUT].event_buffer = 10000;
    oc.max_tx_fragment = max_fragment;
    oc.unsolicited = true;
    size_t size = dnp3_outstation_memory_size(&oc);
    b->os_mem = aligned_alloc(64, (size + 63) / 64 * 64);
    b->os = dnp3_outstation_init(b->os_mem, size, &oc, NULL, dnp3_io_now(b->loop));
    if (!b->os) return -1;
    for (uint16_t i = 0; i < points; i++)
        dnp3_outstation_update(b->os, DNP3_OS_ANALOG_INPUT, i, 1000 + i, DNP3_FLAG_ONLINE, 0, DNP3_EVENT_SUPPRESS);

    dnp3_io_config sc;
    dnp3_io_config_init(&sc, DNP3_IO_TCP_SERVER);
    sc.host = "127.0.0.1";
    sc.port = 0;
    sc.tls = g_tls_server;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.max_tx_fragment = cc.max_rx_fragment = max_fragment;
    if (dnp3_io_outstation_start(b->loop, &sc, &cc, b->os, NULL, &b->osb)) return -1;

    dnp3_io_config mcio;
    dnp3_io_config_init(&mcio, DNP3_IO_TCP_CLIENT);
    mcio.host = "127.0.0.1";
    mcio.port = dnp3_io_local_port(dnp3_io_outstation_io(b->osb));
    mcio.tls = g_tls_client;
    dnp3_channel_config mcc;
    dnp3_channel_config_init(&mcc);
    mcc.local_addr = 1;
    mcc.remote_addr = 10;
    mcc.max_tx_fragment = mcc.max_rx_fragment = max_fragment;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler.measurement = on_measurement;
    mc.handler.ctx = b;
    dnp3_io_hooks hooks = {b, on_open, NULL, NULL, NULL, NULL};
    if (dnp3_io_master_create(b->loop, &mcc, &mc, &hooks, &b->mb)) return -1;
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    if (!events) ac.startup_disable_unsol = ac.startup_integrity = ac.startup_enable_unsol = 0;
    ac.startup_integrity = events ? 0 : ac.startup_integrity;
    b->a = dnp3_master_add_assoc(dnp3_io_master_get(b->mb), &ac, dnp3_io_now(b->loop));
    return b->a && dnp3_io_master_open(b->mb, &mcio) == 0 ? 0 : -1;
}

static void teardown(bench *b)
{
    dnp3_io_master_stop(b->mb);
    dnp3_io_outstation_stop(b->osb);
    if (b->events_mode) uv_close((uv_handle_t *)&b->feeder, NULL);
    uv_run(b->loop, UV_RUN_DEFAULT); /* let the handles close */
    free(b->os_mem);
    free(b->rtt);
}

static void run_polls(uint16_t points, size_t max_fragment, double seconds)
{
    static bench b;
    if (setup(&b, points, max_fragment, false)) {
        fprintf(stderr, "setup failed\n");
        exit(1);
    }
    b.cap = 1u << 20;
    b.rtt = malloc(b.cap * sizeof *b.rtt);
    b.deadline = now_us() + (uint64_t)(seconds * 1e6) + 200000;
    uv_run(b.loop, UV_RUN_DEFAULT);
    qsort(b.rtt, b.n, sizeof *b.rtt, cmp_u64);
    size_t frags = ((size_t)points * 5 + max_fragment - 1) / (max_fragment - 10);
    printf("integrity poll (class 0) of %u analog inputs (g30v1) over %s, max fragment %zu (~%zu fragment%s):\n",
           points, g_tls_name, max_fragment, frags, frags == 1 ? "" : "s");
    printf("  %zu polls in %.2f s: %.0f polls/s; round trip median %.3f ms, p99 %.3f ms, min %.3f ms\n", b.n,
           (double)(b.t_end - b.t_start) / 1e6, (double)b.n / ((double)(b.t_end - b.t_start) / 1e6),
           b.n ? (double)b.rtt[b.n / 2] / 1000 : 0, b.n ? (double)b.rtt[b.n * 99 / 100] / 1000 : 0,
           b.n ? (double)b.rtt[0] / 1000 : 0);
    teardown(&b);
}

static void run_events(double seconds)
{
    static bench b;
    if (setup(&b, 1000, 2048, true)) {
        fprintf(stderr, "setup failed\n");
        exit(1);
    }
    uv_timer_init(b.loop, &b.feeder);
    b.feeder.data = &b;
    b.deadline = now_us() + (uint64_t)(seconds * 1e6) + 500000;
    b.t_start = now_us();
    uv_timer_start(&b.feeder, feed, 1, 1);
    uv_run(b.loop, UV_RUN_DEFAULT);
    double t = (double)(b.t_end - b.t_start) / 1e6;
    printf("unsolicited analog events with application confirms (batches of 400 every ms offered):\n");
    printf(
        "  %llu events delivered in %.2f s: %.0f events/s; update-to-callback latency mean %.3f ms, max %.3f ms\n",
        (unsigned long long)b.events_rx, t, (double)b.events_rx / t,
        b.events_rx ? (double)b.lat_sum_us / (double)b.events_rx / 1000 : 0, (double)b.lat_max_us / 1000);
    teardown(&b);
}

/* ---- physical reference: TCP ping-pong on loopback between two threads ---- */

static int g_listen_fd;

static void *echo_thread(void *arg)
{
    (void)arg;
    int fd = accept(g_listen_fd, NULL, NULL);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(fd, buf, (size_t)n) != n) break;
    close(fd);
    return NULL;
}

static void run_pingpong(double seconds)
{
    g_listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (bind(g_listen_fd, (struct sockaddr *)&a, sizeof a) || listen(g_listen_fd, 1) ||
        getsockname(g_listen_fd, (struct sockaddr *)&a, &alen))
        return;
    pthread_t th;
    pthread_create(&th, NULL, echo_thread, NULL);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) return;
    static uint64_t rtt[1 << 20];
    size_t n = 0;
    uint64_t end = now_us() + (uint64_t)(seconds * 1e6);
    char c[16] = "ping";
    while (now_us() < end && n < sizeof rtt / sizeof rtt[0]) {
        uint64_t t0 = now_us();
        if (write(fd, c, sizeof c) != (ssize_t)sizeof c || read(fd, c, sizeof c) <= 0) break;
        rtt[n++] = now_us() - t0;
    }
    close(fd);
    pthread_join(th, NULL);
    close(g_listen_fd);
    qsort(rtt, n, sizeof *rtt, cmp_u64);
    printf("physical reference: 16-octet TCP ping-pong on 127.0.0.1 (two threads): median %.3f ms, %.0f round "
           "trips/s\n",
           n ? (double)rtt[n / 2] / 1000 : 0, (double)n / seconds);
}

/* Loads the outstation (server) and master (client) TLS sides from a fresh PKI in `dir`. */
static void tls_on(const char *dir, dnp3_tls_version v)
{
    char f[5][300];
    const char *names[5] = {"os.pem", "os.key", "ca.pem", "m.pem", "m.key"};
    for (int i = 0; i < 5; i++) snprintf(f[i], sizeof f[i], "%s/%s", dir, names[i]);
    dnp3_tls_config s, c;
    dnp3_tls_config_init(&s);
    s.cert_file = f[0];
    s.key_file = f[1];
    s.ca_file = f[2];
    s.min_version = s.max_version = v;
    c = s;
    c.cert_file = f[3];
    c.key_file = f[4];
    c.peer_name = "127.0.0.1";
    char err[600];
    g_tls_server = dnp3_tls_load(&s, true, err, sizeof err);
    if (g_tls_server) g_tls_client = dnp3_tls_load(&c, false, err, sizeof err);
    if (!g_tls_server || !g_tls_client) {
        fprintf(stderr, "TLS set-up failed: %s\n", err);
        exit(1);
    }
    g_tls_name = v == DNP3_TLS_1_3 ? "TLS 1.3" : "TLS 1.2";
}

static void tls_off(void)
{
    dnp3_tls_free(g_tls_server);
    dnp3_tls_free(g_tls_client);
    g_tls_server = g_tls_client = NULL;
    g_tls_name = "TCP";
}

int main(int argc, char **argv)
{
    uint16_t points = argc > 1 ? (uint16_t)atoi(argv[1]) : 1000;
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    run_pingpong(seconds);
    run_polls(points, 2048, seconds);
    run_polls(points, 8192, seconds);
    run_events(seconds);
    char dir[] = "/tmp/dnp3-bench-tls.XXXXXX";
    if (!pki_make_loopback_set(dir)) return 1;
    const dnp3_tls_version versions[] = {DNP3_TLS_1_3, DNP3_TLS_1_2};
    for (size_t i = 0; i < 2; i++) {
        tls_on(dir, versions[i]);
        run_polls(points, 2048, seconds);
        tls_off();
    }
    pki_remove_loopback_set(dir);
    return 0;
}
