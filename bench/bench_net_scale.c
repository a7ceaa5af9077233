/*
 * bench_net_scale.c - one master process with N associations (default 10,000),
 * each on its own TCP connection to an outstation in another process (a child
 * serving one outstation instance per connection), each event-polled every
 * second: memory per association (resident set growth / N) and CPU use of the
 * master process, with the outstation process's CPU for comparison.
 *
 *   bench_net_scale [associations] [seconds]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnp3/io_roles.h"

/* ---- the outstation process ---- */

static dnp3_outstation *farm_new(void *ctx, const char *peer)
{
    (void)ctx;
    (void)peer;
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    c.link_layer = false;
    c.types[DNP3_OS_ANALOG_INPUT].count = 4;
    c.types[DNP3_OS_ANALOG_INPUT].event_buffer = 8;
    c.types[DNP3_OS_BINARY_INPUT].count = 4;
    c.types[DNP3_OS_BINARY_INPUT].event_buffer = 8;
    size_t size = dnp3_outstation_memory_size(&c);
    void *mem = aligned_alloc(64, (size + 63) / 64 * 64);
    return mem ? dnp3_outstation_init(mem, size, &c, NULL, 0) : NULL;
}

static void farm_free(void *ctx, dnp3_outstation *os)
{
    (void)ctx;
    free(os); /* the outstation lives at the start of its memory block */
}

static void run_farm(int port_fd)
{
    uv_loop_t *loop = uv_default_loop();
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_TCP_LISTEN);
    ioc.host = "127.0.0.1";
    ioc.port = 0;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.keep_alive_ms = 0;
    dnp3_io_outstation_listener *l;
    if (dnp3_io_outstation_listen(loop, &ioc, &cc, farm_new, farm_free, NULL, NULL, &l)) _exit(1);
    uint16_t port = dnp3_io_local_port(dnp3_io_outstation_listener_io(l));
    if (write(port_fd, &port, sizeof port) != (ssize_t)sizeof port) _exit(1);
    close(port_fd);
    uv_run(loop, UV_RUN_DEFAULT);
    _exit(0);
}

/* ---- the master process ---- */

static size_t g_connected, g_polls;

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)ctx;
    (void)peer;
    (void)now;
    g_connected++;
}

static void on_task(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    (void)ctx;
    (void)a;
    if (i->kind == DNP3_TASK_EVENT_POLL && i->result == DNP3_TASK_SUCCESS) g_polls++;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kib = atol(line + 6);
    if (f) fclose(f);
    return kib;
}

static double cpu_s(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long ut = 0, st = 0;
    if (f) {
        if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) ut = st = 0;
        fclose(f);
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void stop_loop(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Runs the loop for `ms` milliseconds. */
static void run_until(uv_loop_t *loop, uint64_t ms)
{
    static uv_timer_t t;
    static bool init;
    if (!init) {
        uv_timer_init(loop, &t);
        init = true;
    }
    uv_timer_start(&t, stop_loop, ms, 0);
    uv_run(loop, UV_RUN_DEFAULT);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000;
    int seconds = argc > 2 ? atoi(argv[2]) : 10;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (n + 64 > rl.rlim_cur) n = rl.rlim_cur - 64;

    int fds[2];
    if (pipe(fds)) return 1;
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        run_farm(fds[1]);
    }
    close(fds[1]);
    uint16_t port = 0;
    if (read(fds[0], &port, sizeof port) != (ssize_t)sizeof port) return 1;

    uv_loop_t *loop = uv_default_loop();
    long rss0 = rss_kib(getpid());
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_TCP_CLIENT);
    ioc.host = "127.0.0.1";
    ioc.port = port;
    ioc.connect_timeout_ms = 30000;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = 1; /* master 1 -> outstation 10 */
    cc.remote_addr = 10;
    cc.keep_alive_ms = 0;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler.task_done = on_task;
    dnp3_io_hooks hooks = {NULL, on_open, NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < n; i++) {
        dnp3_io_master *b;
        if (dnp3_io_master_create(loop, &cc, &mc, &hooks, &b)) return 1;
        dnp3_assoc_config ac;
        dnp3_assoc_config_init(&ac);
        ac.class_period_ms[0] = 1000;
        ac.startup_disable_unsol = ac.startup_enable_unsol = 0;
        if (!dnp3_master_add_assoc(dnp3_io_master_get(b), &ac, dnp3_io_now(loop)) || dnp3_io_master_open(b, &ioc))
            return 1;
        if (i % 500 == 499) run_until(loop, 20); /* let the listener keep up */
    }
    for (int w = 0; w < 600 && g_connected < n; w++) run_until(loop, 100);
    run_until(loop, 2000); /* start-up integrity polls */
    long rss1 = rss_kib(getpid());
    size_t polls0 = g_polls;
    double m0 = cpu_s(getpid()), o0 = cpu_s(child);
    run_until(loop, (uint64_t)seconds * 1000);
    double mcpu = cpu_s(getpid()) - m0, ocpu = cpu_s(child) - o0;
    size_t polls = g_polls - polls0;
    printf("one master process, %zu associations on %zu TCP connections (of %zu) to an outstation process,\n"
           "each class-1 polled every second, measured over %d s:\n",
           n, g_connected, n, seconds);
    printf("  %zu event polls completed (%.0f/s)\n", polls, (double)polls / seconds);
    printf("  master process CPU %.1f %% of one core (%.1f us per poll); outstation process %.1f %%\n",
           mcpu * 100 / seconds, polls ? mcpu * 1e6 / (double)polls : 0, ocpu * 100 / seconds);
    printf("  master resident memory for the associations: %ld KiB, %.1f KiB per association (sockets, libuv "
           "handles, channel, master)\n",
           rss1 - rss0, (double)(rss1 - rss0) / (double)n);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}
