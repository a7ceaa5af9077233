/*
 * bench_serial.c - integrity polls per second of one outstation over a serial
 * line (docs/serial.md), against the bound the line's octet rate sets.
 *
 *   bench_serial [--bus PATH] [--dnp3 PATH] [--points N] [--seconds S] [BAUD...]
 *
 * For each speed (default 9600 19200 38400 115200) it starts tests/tools/serial_bus
 * with two ends paced at BAUD/10 octets a second (8N1: ten bits an octet), a
 * `dnp3 outstation --serial` on one end (uniform profile, N points of each of
 * the 8 types, default 3), and a master of the library (DNP3_IO_SERIAL) on the
 * other that polls class 0123 back to back for S seconds (default 3). It prints
 * the octets of one poll on the line (request + response, link framing and
 * CRCs included), the line's octet rate, the bound they give
 * (rate / octets-per-poll polls a second) and the polls measured. Figures are
 * printed, never asserted.
 */
#define _GNU_SOURCE 1 /* posix_spawn, readlink */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnp3/io_roles.h"

extern char **environ;

typedef struct {
    uv_loop_t *loop;
    dnp3_io_master *b;
    dnp3_master_assoc *a;
    uint64_t rx, tx;   /* octets on the line, both ways */
    uint64_t rx0, tx0; /* at the end of the warm-up poll */
    uint64_t t0, t1;   /* ns: warm-up done, last poll done */
    unsigned polls, failed;
    double seconds;
    bool started;
} bench;

static void on_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info);

static void submit(bench *s)
{
    dnp3_master_read_class(s->a, DNP3_CLASS_ALL, on_done, s, dnp3_io_now(s->loop));
    dnp3_io_master_kick(s->b);
}

static void on_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    (void)a;
    bench *s = ctx;
    uint64_t now = uv_hrtime();
    if (info->result != DNP3_TASK_SUCCESS) s->failed++;
    if (!s->t0) { /* the warm-up poll (it clears DEVICE_RESTART's events) */
        s->t0 = now;
        s->rx0 = s->rx;
        s->tx0 = s->tx;
    } else {
        s->polls++;
        s->t1 = now;
    }
    if ((double)(now - s->t0) / 1e9 < s->seconds && s->failed < 5)
        submit(s);
    else
        uv_stop(s->loop);
}

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)peer;
    (void)now;
    bench *s = ctx;
    if (!s->started) {
        s->started = true;
        submit(s);
    }
}
static void on_rx(void *ctx, const uint8_t *p, size_t n)
{
    (void)p;
    ((bench *)ctx)->rx += n;
}
static void on_tx(void *ctx, const uint8_t *p, size_t n)
{
    (void)p;
    ((bench *)ctx)->tx += n;
}

static pid_t spawn(char *const argv[], int out_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0) posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0); /* the children's chatter */
    if (out_fd < 0) posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

static void stop_child(pid_t pid)
{
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static int run(char *bus_path, char *dnp3_path, unsigned points, double seconds, unsigned baud)
{
    char baud_s[16], points_s[16];
    snprintf(baud_s, sizeof baud_s, "%u", baud);
    snprintf(points_s, sizeof points_s, "%u", points);
    int fds[2];
    if (pipe(fds) != 0) return -1;
    char *bus_argv[] = {bus_path, (char[]){"--ends"}, (char[]){"2"}, (char[]){"--baud"}, baud_s, NULL};
    pid_t bus = spawn(bus_argv, fds[1]);
    close(fds[1]);
    if (bus < 0) {
        fprintf(stderr, "bench_serial: cannot run %s\n", bus_path);
        return -1;
    }
    FILE *f = fdopen(fds[0], "r");
    char ends[2][256] = {"", ""}, line[256];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strcmp(line, "ready")) break;
        if (n < 2) snprintf(ends[n++], sizeof ends[0], "%s", line);
    }
    if (f) fclose(f);
    if (n < 2) {
        stop_child(bus);
        return -1;
    }
    char *os_argv[] = {dnp3_path,
                       (char[]){"outstation"},
                       (char[]){"--serial"},
                       ends[0],
                       (char[]){"--baud"},
                       baud_s,
                       (char[]){"--points"},
                       points_s,
                       (char[]){"--no-unsolicited"},
                       (char[]){"--log-level"},
                       (char[]){"error"},
                       NULL};
    pid_t os = spawn(os_argv, -1);
    usleep(300000); /* the outstation opens its end */

    bench s;
    memset(&s, 0, sizeof s);
    s.loop = uv_default_loop();
    s.seconds = seconds;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = 1;
    cc.remote_addr = 10;
    cc.mode = DNP3_CHANNEL_SERIAL;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.one_request_per_channel = true;
    dnp3_io_hooks hooks = {&s, on_open, NULL, on_rx, on_tx, NULL};
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = 10;
    ac.response_timeout_ms = 5000;
    ac.startup_disable_unsol = ac.startup_integrity = ac.startup_enable_unsol = 0;
    ac.clear_restart = false;
    ac.restart_reruns_startup = false;
    ac.integrity_on_overflow = false;
    ac.event_poll_on_iin = 0;
    ac.time_sync = DNP3_TIMESYNC_NONE;
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_SERIAL);
    ioc.serial_device = ends[1];
    ioc.serial_baud = baud;
    int rc = dnp3_io_master_create(s.loop, &cc, &mc, &hooks, &s.b);
    if (!rc) {
        s.a = dnp3_master_add_assoc(dnp3_io_master_get(s.b), &ac, dnp3_io_now(s.loop));
        rc = s.a ? dnp3_io_master_open(s.b, &ioc) : DNP3_ERR_CONFIG;
    }
    if (!rc) uv_run(s.loop, UV_RUN_DEFAULT);
    dnp3_io_master_stop(s.b);
    uv_run(s.loop, UV_RUN_DEFAULT); /* let the handles close */
    stop_child(os);
    stop_child(bus);
    if (rc || s.polls == 0) {
        fprintf(stderr, "bench_serial: %u baud: no poll completed (%s)\n", baud, rc ? dnp3_strerror(rc) : "");
        return -1;
    }
    double el = (double)(s.t1 - s.t0) / 1e9;
    double per_poll = (double)((s.rx - s.rx0) + (s.tx - s.tx0)) / s.polls;
    double rate = baud / 10.0;
    double bound = rate / per_poll;
    double measured = s.polls / el;
    printf(
        "%8u baud  %7.0f octets/s  %6.0f octets/poll  bound %7.2f polls/s  measured %7.2f polls/s  (%3.0f%%)%s\n",
        baud, rate, per_poll, bound, measured, 100.0 * measured / bound, s.failed ? "  FAILED POLLS" : "");
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[4096] = ".";
    ssize_t len = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (len > 0) {
        dir[len] = 0;
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
    }
    char bus[4200], dnp3[4200];
    snprintf(bus, sizeof bus, "%s/../tests/serial_bus", dir);
    snprintf(dnp3, sizeof dnp3, "%s/../dnp3", dir);
    unsigned points = 3, bauds[16], nb = 0;
    double seconds = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--bus") && v)
            snprintf(bus, sizeof bus, "%s", argv[++i]);
        else if (!strcmp(a, "--dnp3") && v)
            snprintf(dnp3, sizeof dnp3, "%s", argv[++i]);
        else if (!strcmp(a, "--points") && v)
            points = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--seconds") && v)
            seconds = strtod(argv[++i], NULL);
        else if (a[0] != '-' && nb < 16)
            bauds[nb++] = (unsigned)strtoul(a, NULL, 10);
        else {
            fprintf(stderr,
                    "usage: bench_serial [--bus PATH] [--dnp3 PATH] [--points N] [--seconds S] [BAUD...]\n");
            return 2;
        }
    }
    if (!nb) {
        static const unsigned def[] = {9600, 19200, 38400, 115200};
        for (nb = 0; nb < 4; nb++) bauds[nb] = def[nb];
    }
    signal(SIGPIPE, SIG_IGN);
    printf("serial line: integrity polls (class 0123) of one outstation, %u points (%u of each of 8 types), "
           "8N1 (10 bits an octet), %.0f s each\n",
           points * 8, points, seconds);
    int bad = 0;
    for (unsigned i = 0; i < nb; i++) bad |= run(bus, dnp3, points, seconds, bauds[i]);
    return bad ? 1 : 0;
}
