/*
 * fault_proxy.c - a TCP proxy on 127.0.0.1 that hurts the connections it
 * carries, for reliability tests with real processes (issue 6): every
 * connection to LISTEN is forwarded to UPSTREAM; at random moments (seeded)
 * it cuts the connection (both sides closed at once, like a dead link) or
 * stalls it (no octet moves either way for a while, like a congested path).
 * After --duration-ms it stops hurting and only forwards.
 *
 *   fault_proxy --listen PORT --upstream PORT [--seed N] [--every-ms MIN-MAX]
 *               [--stall-ms MAX] [--duration-ms D]
 *
 * Prints "fault_proxy: listening on 127.0.0.1:PORT" first, one line per fault,
 * and a summary on SIGTERM/SIGINT.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct side {
    uv_tcp_t tcp;
    struct pair *p;
    struct side *other;
    bool open;
} side;

typedef struct pair {
    side a, b; /* a: the client that connected to us, b: upstream */
    uv_connect_t connect;
    bool up; /* upstream connected */
    bool stalled;
    int open_handles;
    struct pair *next;
} pair;

static uv_loop_t *loop;
static uv_tcp_t listener;
static uv_timer_t fault_timer, stall_timer, end_timer;
static uv_signal_t sigterm, sigint;
static struct sockaddr_in upstream;
static pair *pairs;
static uint64_t rng = 1;
static unsigned every_min = 500, every_max = 2000, stall_max = 800;
static bool hurting = true;
static unsigned n_cuts, n_stalls, n_connections;
static unsigned long long octets_up, octets_down;

static unsigned rnd(unsigned lo, unsigned hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return hi <= lo ? lo : lo + (unsigned)(rng % (hi - lo + 1));
}

static void on_closed(uv_handle_t *h)
{
    side *s = h->data;
    pair *p = s->p;
    if (--p->open_handles > 0) return;
    for (pair **pp = &pairs; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    free(p);
}

static void close_pair(pair *p)
{
    side *ss[2] = {&p->a, &p->b};
    for (int i = 0; i < 2; i++)
        if (ss[i]->open) {
            ss[i]->open = false;
            uv_close((uv_handle_t *)&ss[i]->tcp, on_closed);
        }
}

typedef struct {
    uv_write_t req;
    char data[];
} wbuf;

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    free(req->data);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    side *s = st->data;
    pair *p = s->p;
    if (n < 0) {
        free(buf->base);
        close_pair(p);
        return;
    }
    if (n > 0 && s->other->open) {
        wbuf *w = malloc(sizeof *w + (size_t)n);
        if (w) {
            memcpy(w->data, buf->base, (size_t)n);
            w->req.data = w;
            uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
            if (uv_write(&w->req, (uv_stream_t *)&s->other->tcp, &b, 1, on_written) != 0) free(w);
            if (s == &p->a)
                octets_up += (unsigned long long)n;
            else
                octets_down += (unsigned long long)n;
        }
    }
    free(buf->base);
}

static void start_reading(pair *p)
{
    if (p->a.open) uv_read_start((uv_stream_t *)&p->a.tcp, on_alloc, on_read);
    if (p->b.open) uv_read_start((uv_stream_t *)&p->b.tcp, on_alloc, on_read);
}

static void on_upstream(uv_connect_t *req, int status)
{
    pair *p = req->data;
    if (status < 0 || !p->a.open) {
        close_pair(p);
        return;
    }
    p->up = true;
    start_reading(p);
}

static void init_side(pair *p, side *s, side *other)
{
    uv_tcp_init(loop, &s->tcp);
    s->tcp.data = s;
    s->p = p;
    s->other = other;
    s->open = true;
    p->open_handles++;
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0) return;
    pair *p = calloc(1, sizeof *p);
    if (!p) return;
    init_side(p, &p->a, &p->b);
    if (uv_accept(server, (uv_stream_t *)&p->a.tcp) != 0) {
        close_pair(p);
        return;
    }
    init_side(p, &p->b, &p->a);
    uv_tcp_nodelay(&p->a.tcp, 1);
    uv_tcp_nodelay(&p->b.tcp, 1);
    p->connect.data = p;
    p->next = pairs;
    pairs = p;
    n_connections++;
    if (uv_tcp_connect(&p->connect, &p->b.tcp, (const struct sockaddr *)&upstream, on_upstream) != 0)
        close_pair(p);
}

static void on_stall_end(uv_timer_t *t)
{
    (void)t;
    for (pair *p = pairs; p; p = p->next)
        if (p->stalled) {
            p->stalled = false;
            start_reading(p);
        }
}

static void on_fault(uv_timer_t *t)
{
    if (hurting) {
        pair *p = pairs;
        while (p && !p->up) p = p->next;
        if (p) {
            if (rnd(0, 1) == 0) {
                n_cuts++;
                printf("fault_proxy: cut the connection\n");
                close_pair(p);
            } else if (!p->stalled) {
                unsigned ms = rnd(50, stall_max);
                n_stalls++;
                printf("fault_proxy: stall %u ms\n", ms);
                p->stalled = true;
                uv_read_stop((uv_stream_t *)&p->a.tcp);
                uv_read_stop((uv_stream_t *)&p->b.tcp);
                uv_timer_start(&stall_timer, on_stall_end, ms, 0);
            }
            fflush(stdout);
        }
    }
    uv_timer_start(t, on_fault, rnd(every_min, every_max), 0);
}

static void on_end(uv_timer_t *t)
{
    (void)t;
    hurting = false;
    printf("fault_proxy: faults stop; forwarding only\n");
    fflush(stdout);
}

static void on_signal(uv_signal_t *s, int sig)
{
    (void)s;
    (void)sig;
    printf("fault_proxy: %u connections, %u cuts, %u stalls, %llu octets up, %llu octets down\n", n_connections,
           n_cuts, n_stalls, octets_up, octets_down);
    fflush(stdout);
    uv_stop(loop);
}

int main(int argc, char **argv)
{
    unsigned listen_port = 0, up_port = 0, duration = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--listen"))
            listen_port = (unsigned)atoi(v);
        else if (!strcmp(a, "--upstream"))
            up_port = (unsigned)atoi(v);
        else if (!strcmp(a, "--seed"))
            rng = strtoull(v, NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
        else if (!strcmp(a, "--every-ms"))
            sscanf(v, "%u-%u", &every_min, &every_max);
        else if (!strcmp(a, "--stall-ms"))
            stall_max = (unsigned)atoi(v);
        else if (!strcmp(a, "--duration-ms"))
            duration = (unsigned)atoi(v);
        else {
            fprintf(stderr, "fault_proxy: unknown option %s\n", a);
            return 2;
        }
    }
    if (!up_port) {
        fprintf(stderr, "usage: fault_proxy --listen PORT --upstream PORT [--seed N] [--every-ms MIN-MAX] "
                        "[--stall-ms MAX] [--duration-ms D]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    loop = uv_default_loop();
    uv_ip4_addr("127.0.0.1", (int)up_port, &upstream);
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", (int)listen_port, &addr);
    uv_tcp_init(loop, &listener);
    if (uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0) ||
        uv_listen((uv_stream_t *)&listener, 16, on_connection)) {
        fprintf(stderr, "fault_proxy: cannot listen on 127.0.0.1:%u\n", listen_port);
        return 1;
    }
    struct sockaddr_storage sa;
    int len = sizeof sa;
    uv_tcp_getsockname(&listener, (struct sockaddr *)&sa, &len);
    printf("fault_proxy: listening on 127.0.0.1:%u\n", ntohs(((struct sockaddr_in *)&sa)->sin_port));
    fflush(stdout);
    uv_timer_init(loop, &fault_timer);
    uv_timer_init(loop, &stall_timer);
    uv_timer_init(loop, &end_timer);
    uv_timer_start(&fault_timer, on_fault, rnd(every_min, every_max), 0);
    if (duration) uv_timer_start(&end_timer, on_end, duration, 0);
    uv_signal_init(loop, &sigterm);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_run(loop, UV_RUN_DEFAULT);
    return 0;
}
