/*
 * serial_bus.c - a simulated shared serial line (RS-485 multi-drop) for the
 * serial tests and bench: N pseudo-terminals joined into one bus, so that
 * every octet written at one end reaches all the other ends, as on a
 * two-wire line with a master and several outstations (docs/serial.md).
 *
 *   serial_bus [--ends N] [--baud B] [--noise P] [--drop P] [--seed S] [--stats FILE] [--trace 1]
 *
 * Prints the N slave paths, one per line, then "ready", and runs until
 * SIGTERM/SIGINT. Each end transmits at the line's octet rate (B/10 octets a
 * second: start bit, 8 data bits, stop bit), so a frame takes the time it takes
 * on a real line; --baud 0 carries octets as fast as they come. Each octet is
 * dropped with probability --drop and corrupted (one or more bits flipped)
 * with probability --noise. Two ends whose octets overlap in time collide:
 * both octets are counted as collisions and delivered corrupted.
 * On SIGTERM/SIGINT (and SIGUSR1, without stopping) the counters are written
 * to stderr and to --stats FILE:
 *   octets N corrupted N dropped N collisions N overflow N
 * "overflow" counts deliveries an end's pty did not take (nobody reading it). The start of every
 * collision is also logged to stderr: "collision: ends A and B at T s".
 */
#define _GNU_SOURCE 1 /* openpty, cfmakeraw, ppoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENDS 16
#define FIFO_CAP 65536

typedef struct {
    int mfd, sfd; /* pty master (ours) and a slave kept open so the master never sees a hang-up */
    char path[64];
    uint8_t fifo[FIFO_CAP]; /* octets this end has written, not yet on the line */
    size_t head, len;
    double next_tx; /* when its next octet may start (seconds, monotonic) */
} end_t;

static end_t ends[MAX_ENDS];
static int n_ends = 2;
static double octet_s; /* one octet's time on the line; 0 = unpaced */
static double p_noise, p_drop;
static uint64_t rng = 88172645463325252ull;
static const char *stats_path;
static int trace;      /* --trace 1: every burst's start on stderr */
static double t_start; /* for the times logged */
static volatile sig_atomic_t stop_flag, stats_flag;
static unsigned long long n_octets, n_corrupt, n_drop, n_coll, n_overflow;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double unit_rand(void)
{
    return (double)(next_rand() >> 11) / 9007199254740992.0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        stats_flag = 1;
    else
        stop_flag = 1;
}

static void write_stats(void)
{
    char line[200];
    snprintf(line, sizeof line, "octets %llu corrupted %llu dropped %llu collisions %llu overflow %llu\n",
             n_octets, n_corrupt, n_drop, n_coll, n_overflow);
    fputs(line, stderr);
    if (stats_path) {
        FILE *f = fopen(stats_path, "w");
        if (f) {
            fputs(line, f);
            fclose(f);
        }
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: serial_bus [--ends N] [--baud B] [--noise P] [--drop P] [--seed S] [--stats FILE]\n");
    return 2;
}

/* Puts octet `o` of end `from` on the line at time `t`. */
static double last_t = -1.0;
static int last_from = -1;

static void carry(int from, uint8_t o, double t)
{
    n_octets++;
    static bool in_collision;
    if (octet_s > 0 && last_from >= 0 && last_from != from && t < last_t + octet_s) {
        if (!in_collision) /* the start of an episode: who */
            fprintf(stderr, "collision: ends %d and %d at %.6f s\n", last_from, from, t - t_start);
        in_collision = true;
        n_coll++; /* two transmitters at once: what the receivers get is garbage */
        o ^= (uint8_t)(1u + next_rand() % 255u);
    } else {
        in_collision = false;
    }
    last_t = t;
    last_from = from;
    if (p_drop > 0 && unit_rand() < p_drop) {
        n_drop++;
        return;
    }
    if (p_noise > 0 && unit_rand() < p_noise) {
        n_corrupt++;
        o ^= (uint8_t)(1u + next_rand() % 255u);
    }
    for (int i = 0; i < n_ends; i++) {
        if (i == from) continue;
        ssize_t w;
        do {
            w = write(ends[i].mfd, &o, 1);
        } while (w < 0 && errno == EINTR);
        if (w != 1) n_overflow++;
    }
}

int main(int argc, char **argv)
{
    unsigned long baud = 9600;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        i++;
        if (!strcmp(a, "--ends"))
            n_ends = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--baud"))
            baud = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--noise"))
            p_noise = strtod(v, NULL);
        else if (!strcmp(a, "--drop"))
            p_drop = strtod(v, NULL);
        else if (!strcmp(a, "--seed"))
            rng = strtoull(v, NULL, 10) * 2654435761ull + 1;
        else if (!strcmp(a, "--stats"))
            stats_path = v;
        else if (!strcmp(a, "--trace"))
            trace = (int)strtol(v, NULL, 10);
        else
            return usage();
    }
    if (n_ends < 2 || n_ends > MAX_ENDS) {
        fprintf(stderr, "serial_bus: --ends must be 2..%d\n", MAX_ENDS);
        return 2;
    }
    octet_s = baud ? 10.0 / (double)baud : 0;
    t_start = now_s();
    for (int i = 0; i < n_ends; i++) {
        struct termios t;
        if (openpty(&ends[i].mfd, &ends[i].sfd, ends[i].path, NULL, NULL) != 0) {
            fprintf(stderr, "serial_bus: openpty: %s\n", strerror(errno));
            return 1;
        }
        tcgetattr(ends[i].sfd, &t);
        cfmakeraw(&t);
        tcsetattr(ends[i].sfd, TCSANOW, &t);
        fcntl(ends[i].mfd, F_SETFL, fcntl(ends[i].mfd, F_GETFL) | O_NONBLOCK);
        printf("%s\n", ends[i].path);
    }
    printf("ready\n");
    fflush(stdout);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct pollfd pfd[MAX_ENDS];
    while (!stop_flag) {
        if (stats_flag) {
            stats_flag = 0;
            write_stats();
        }
        double t = now_s();
        /* deliver every octet whose time on the line is over (receivers have its stop bit), earliest first */
        for (;;) {
            int best = -1;
            for (int i = 0; i < n_ends; i++)
                if (ends[i].len && ends[i].next_tx + octet_s <= t &&
                    (best < 0 || ends[i].next_tx < ends[best].next_tx))
                    best = i;
            if (best < 0) break;
            end_t *e = &ends[best];
            uint8_t o = e->fifo[e->head];
            e->head = (e->head + 1) % FIFO_CAP;
            e->len--;
            carry(best, o, e->next_tx);
            e->next_tx += octet_s;
        }
        /* wait for input or the next due octet */
        double wait = 1.0;
        for (int i = 0; i < n_ends; i++) {
            pfd[i].fd = ends[i].mfd;
            pfd[i].events = ends[i].len < FIFO_CAP ? POLLIN : 0;
            if (ends[i].len && ends[i].next_tx + octet_s - t < wait) wait = ends[i].next_tx + octet_s - t;
        }
        if (wait < 0) wait = 0;
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        int n = ppoll(pfd, (nfds_t)n_ends, &ts, NULL);
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        t = now_s();
        for (int i = 0; i < n_ends; i++) {
            if (!(pfd[i].revents & POLLIN)) continue;
            end_t *e = &ends[i];
            uint8_t buf[4096];
            size_t room = FIFO_CAP - e->len;
            ssize_t r = read(e->mfd, buf, room < sizeof buf ? room : sizeof buf);
            if (r <= 0) continue;
            if (e->len == 0 && e->next_tx < t) e->next_tx = t; /* an idle transmitter starts now */
            if (trace && e->len == 0) fprintf(stderr, "end %d: %zd octets at %.6f s\n", i, r, t - t_start);
            for (ssize_t k = 0; k < r; k++) e->fifo[(e->head + e->len + (size_t)k) % FIFO_CAP] = buf[k];
            e->len += (size_t)r;
            if (octet_s == 0) e->next_tx = t;
        }
    }
    write_stats();
    return 0;
}
