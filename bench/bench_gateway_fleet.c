/*
 * bench_gateway_fleet.c - `dnp3 master run` (docs/gateway.md) on a fleet: this
 * program serves N outstations on 127.0.0.1 (one listener, each accepted
 * master served by the next outstation, each with its own database), starts the
 * real `dnp3 master run --config` with N entries (as one process, then as
 * two `--shard K/2` processes), makes time-stamped analog events at a fixed
 * total rate and prints (never asserts):
 *   - the gateway's CPU per outstation and resident memory per outstation
 *     (next to its resident memory with one outstation, measured in the same
 *     run), and the CPU this program's loop spent serving the same
 *     exchanges from the outstation side (the reference: the mirror work);
 * The events are spread over time (the outstations in turn, as independent
 * RTUs report), and in a last run come in bursts: every outstation's event at
 * the same instant, as after a disturbance seen by the whole grid.
 *   - the update-to-commit latency: a reader thread polls the SQLite files
 *     every 2 ms, as a historian would, and takes for each new event row
 *     (now - the event's time stamp); p50/p99/max, so the figure includes up
 *     to one poll interval;
 *   - events generated and stored (after the updates stop and the stores
 *     drain): nothing may be missing.
 *
 *   bench_gateway_fleet DNP3-BINARY [outstations=1000] [seconds=20] [events/s=10000] [dir=/tmp]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "dnp3/io.h"
#include "dnp3/io_roles.h"
#include "dnp3/outstation.h"

#define POINTS 10
#define MAX_SHARDS 2

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int64_t utc_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the outstation side: N independent outstations behind one listener ---- */

static struct {
    uv_loop_t *loop;
    dnp3_outstation **out; /* each its own point database, as N RTUs */
    bool *busy;
    size_t n, taken;
    dnp3_io_outstation_listener *l;
    uv_timer_t tick;
    double rate;   /* events per second over the fleet */
    double budget; /* events owed */
    bool burst;    /* every outstation's event at the same instant (rate / n times a second) */
    size_t next;   /* spread: the next outstation to update */
    uint64_t events, value;
    bool updating;
} os;

static dnp3_outstation *take(void *ctx, const char *peer)
{
    (void)ctx, (void)peer;
    for (size_t i = 0; i < os.n; i++)
        if (!os.busy[i]) {
            os.busy[i] = true;
            os.taken++;
            return os.out[i];
        }
    return NULL;
}

static void release(void *ctx, dnp3_outstation *o)
{
    (void)ctx;
    for (size_t i = 0; i < os.n; i++)
        if (os.out[i] == o && os.busy[i]) {
            os.busy[i] = false;
            os.taken--;
        }
}

static void update(size_t i)
{
    uint64_t v = ++os.value;
    dnp3_outstation_update(os.out[i], DNP3_OS_ANALOG_INPUT, (uint16_t)(v % POINTS), (double)v, DNP3_FLAG_ONLINE,
                           (dnp3_time48)utc_ms(), DNP3_EVENT_DETECT);
    os.events++;
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
    if (!os.updating) return;
    os.budget += os.rate / 100.0;
    bool any = false;
    if (os.burst) {
        while (os.budget >= (double)os.n) { /* one event in every outstation */
            os.budget -= (double)os.n;
            for (size_t i = 0; i < os.n; i++) update(i);
            any = true;
        }
    } else {
        while (os.budget >= 1.0) {
            os.budget -= 1.0;
            update(os.next);
            os.next = (os.next + 1) % os.n;
            any = true;
        }
    }
    if (any) dnp3_io_kick(dnp3_io_outstation_listener_io(os.l));
}

static void os_config(dnp3_outstation_config *c)
{
    dnp3_outstation_config_init(c);
    c->types[DNP3_OS_ANALOG_INPUT].count = POINTS;
    c->types[DNP3_OS_ANALOG_INPUT].event_variation = 3; /* g32v3: 32-bit with time */
    c->types[DNP3_OS_ANALOG_INPUT].event_buffer = 1000;
    c->unsolicited = true;
    c->link_layer = false;
}

/* The listener; the outstations come per run (fleet_make). */
static void os_start(void)
{
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.accept_any_remote = true;
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_TCP_LISTEN);
    ioc.host = "127.0.0.1";
    ioc.port = 0;
    int rc = dnp3_io_outstation_listen(os.loop, &ioc, &cc, take, release, NULL, NULL, &os.l);
    if (rc) {
        fprintf(stderr, "bench_gateway_fleet: listen: %s\n", dnp3_strerror(rc));
        exit(1);
    }
    uv_timer_init(os.loop, &os.tick);
    uv_timer_start(&os.tick, on_tick, 10, 10);
}

static void fleet_make(size_t n)
{
    dnp3_outstation_config c;
    os_config(&c);
    size_t size = dnp3_outstation_memory_size(&c);
    os.out = calloc(n, sizeof *os.out);
    os.busy = calloc(n, sizeof *os.busy);
    os.n = n;
    os.next = 0;
    for (size_t i = 0; os.out && i < n; i++)
        os.out[i] = dnp3_outstation_init(aligned_alloc(64, (size + 63) / 64 * 64), size, &c, NULL, 0);
    if (!os.out || !os.busy || !os.out[n - 1]) {
        fprintf(stderr, "bench_gateway_fleet: cannot build %zu outstations\n", n);
        exit(1);
    }
}

static void fleet_drop(void)
{
    for (size_t i = 0; i < os.n; i++) free(os.out[i]);
    free(os.out);
    free(os.busy);
    os.out = NULL;
    os.busy = NULL;
    os.n = os.taken = 0;
}

/* runs the loop for `seconds`, or until cond() (when given) holds */
static bool run_until(double seconds, bool (*cond)(void))
{
    double end = mono_s() + seconds;
    while (mono_s() < end) {
        if (cond && cond()) return true;
        uv_run(os.loop, UV_RUN_ONCE);
    }
    return cond ? cond() : true;
}

/* ---- the gateway processes ---- */

typedef struct {
    pid_t pid;
    char db[512], log[512];
} gateway;

static pid_t spawn(const char *dnp3, const char *config, const char *shard, const char *log)
{
    fflush(stdout); /* the child must not print this program's buffered lines again */
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        if (!f || dup2(fileno(stdout), 2) < 0) _exit(127);
        if (shard)
            execl(dnp3, dnp3, "master", "run", "--config", config, "--shard", shard, (char *)NULL);
        else
            execl(dnp3, dnp3, "master", "run", "--config", config, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    const char *p = strrchr(buf, ')'); /* after the command name */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    if (f) fclose(f);
    return kb;
}

static void write_config(const char *path, size_t n, uint16_t port, const char *db)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "outstations:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f,
                "  - {name: rtu%zu, target: \"127.0.0.1:%u\", integrity_period_s: 0, event_period_s: 0, "
                "timeout_ms: 10000}\n",
                i, port);
    fprintf(f, "store: {sqlite: \"%s\"}\n", db);
    fclose(f);
}

/* ---- the reader: update-to-commit latency, as a historian polling the database sees it ---- */

static struct {
    pthread_t th;
    volatile int run;
    const char *files[MAX_SHARDS];
    int n_files;
    int64_t since_ms; /* events stamped from here on count */
    pthread_mutex_t mu;
    int *lat; /* ms */
    size_t n, cap;
} rd = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void *reader(void *arg)
{
    (void)arg;
    sqlite3 *db[MAX_SHARDS] = {0};
    sqlite3_stmt *st[MAX_SHARDS] = {0};
    int64_t last[MAX_SHARDS] = {0};
    while (rd.run) {
        for (int i = 0; i < rd.n_files; i++) {
            if (!st[i]) {
                if (sqlite3_open_v2(rd.files[i], &db[i], SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
                    sqlite3_prepare_v2(db[i], "SELECT rowid, time_ms FROM measurements WHERE rowid > ?1 AND event",
                                       -1, &st[i], NULL) != SQLITE_OK) {
                    sqlite3_close(db[i]);
                    db[i] = NULL;
                    st[i] = NULL;
                    continue;
                }
                sqlite3_busy_timeout(db[i], 100);
            }
            sqlite3_bind_int64(st[i], 1, last[i]);
            while (sqlite3_step(st[i]) == SQLITE_ROW) {
                int64_t now = utc_ms();
                last[i] = sqlite3_column_int64(st[i], 0);
                int64_t t = sqlite3_column_int64(st[i], 1);
                if (t < rd.since_ms) continue;
                pthread_mutex_lock(&rd.mu);
                if (rd.n == rd.cap) {
                    size_t cap = rd.cap ? rd.cap * 2 : 65536;
                    int *p = realloc(rd.lat, cap * sizeof *p);
                    if (p) rd.lat = p, rd.cap = cap;
                }
                if (rd.n < rd.cap) rd.lat[rd.n++] = (int)(now - t);
                pthread_mutex_unlock(&rd.mu);
            }
            sqlite3_reset(st[i]);
        }
        usleep(2000);
    }
    for (int i = 0; i < MAX_SHARDS; i++) {
        sqlite3_finalize(st[i]);
        sqlite3_close(db[i]);
    }
    return NULL;
}

static int cmp_int(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

static int64_t stored_events(const gateway *g, int n)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        if (sqlite3_open_v2(g[i].db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, "SELECT count(*) FROM measurements WHERE event", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            total += sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    return total;
}

/* ---- one run: the fleet polled by `shards` processes ---- */

static size_t want_taken;
static bool all_taken(void)
{
    return os.taken >= want_taken;
}
static bool none_taken(void)
{
    return os.taken == 0;
}

typedef struct {
    double gw_cpu, os_cpu, seconds;
    long rss_kb;
    uint64_t generated;
    int64_t stored;
    double p50, p99, max;
    size_t samples;
} result;

static int run(const char *dnp3, const char *dir, size_t n, int shards, bool burst, double seconds,
               double events_per_s, result *r)
{
    static int seq;
    gateway g[MAX_SHARDS];
    char config[512];
    snprintf(config, sizeof config, "%s/fleet-%d-%d.yaml", dir, (int)getpid(), ++seq);
    memset(r, 0, sizeof *r);
    for (int i = 0; i < shards; i++) {
        snprintf(g[i].db, sizeof g[i].db, "%s/fleet-%d-%d-%d.db", dir, (int)getpid(), seq, i);
        snprintf(g[i].log, sizeof g[i].log, "%s/fleet-%d-%d-%d.log", dir, (int)getpid(), seq, i);
    }
    /* the same outstations in each shard's file (each process keeps its share by --shard); only the
     * store differs: SQLite files are per process (a fleet's shards would share one PostgreSQL) */
    fleet_make(n);
    for (int i = 0; i < shards; i++) {
        char cfg[600], shard[32];
        snprintf(cfg, sizeof cfg, "%s.%d", config, i);
        write_config(cfg, n, dnp3_io_local_port(dnp3_io_outstation_listener_io(os.l)), g[i].db);
        snprintf(shard, sizeof shard, "%d/%d", i, shards);
        g[i].pid = spawn(dnp3, cfg, shards > 1 ? shard : NULL, g[i].log);
    }
    want_taken = n;
    if (!run_until(120, all_taken)) {
        fprintf(stderr, "bench_gateway_fleet: only %zu of %zu outstations connected\n", os.taken, n);
        return -1;
    }
    run_until(3, NULL); /* start-up sequences (integrity poll, enable unsolicited) */
    os.rate = events_per_s;
    os.burst = burst;
    os.budget = 0;
    uint64_t ev0 = os.events;
    rd.n = 0;
    rd.since_ms = utc_ms();
    for (int i = 0; i < shards; i++) rd.files[i] = g[i].db;
    rd.n_files = shards;
    rd.run = 1;
    pthread_create(&rd.th, NULL, reader, NULL);
    double g0 = 0, o0 = thread_cpu_s(), t0 = mono_s();
    for (int i = 0; i < shards; i++) g0 += proc_cpu_s(g[i].pid);
    os.updating = true;
    run_until(seconds, NULL);
    os.updating = false;
    r->seconds = mono_s() - t0;
    r->os_cpu = thread_cpu_s() - o0;
    for (int i = 0; i < shards; i++) {
        r->gw_cpu += proc_cpu_s(g[i].pid);
        r->rss_kb += proc_rss_kb(g[i].pid);
    }
    r->gw_cpu -= g0;
    r->generated = os.events - ev0;
    /* drain: every event stored (or 15 s) */
    for (int k = 0; k < 150 && stored_events(g, shards) < (int64_t)r->generated; k++) run_until(0.1, NULL);
    rd.run = 0;
    pthread_join(rd.th, NULL);
    r->stored = stored_events(g, shards);
    for (int i = 0; i < shards; i++) kill(g[i].pid, SIGTERM);
    run_until(10, none_taken);
    for (int i = 0; i < shards; i++) waitpid(g[i].pid, NULL, 0);
    fleet_drop();
    if (rd.n) {
        qsort(rd.lat, rd.n, sizeof *rd.lat, cmp_int);
        r->p50 = rd.lat[rd.n / 2];
        r->p99 = rd.lat[rd.n * 99 / 100];
        r->max = rd.lat[rd.n - 1];
    }
    r->samples = rd.n;
    for (int i = 0; i < shards; i++) {
        char cfg[600];
        snprintf(cfg, sizeof cfg, "%s.%d", config, i);
        unlink(cfg);
        unlink(g[i].db);
        unlink(g[i].log);
        char side[600];
        snprintf(side, sizeof side, "%s-wal", g[i].db);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", g[i].db);
        unlink(side);
    }
    return 0;
}

static void print(const char *what, size_t n, const result *r, long base_rss_kb)
{
    printf("%s:\n", what);
    printf("  gateway CPU %.1f%% of one core (%.1f us per outstation-second); outstation side (the reference, "
           "same exchanges) %.1f%%\n",
           100.0 * r->gw_cpu / r->seconds, 1e6 * r->gw_cpu / r->seconds / (double)n,
           100.0 * r->os_cpu / r->seconds);
    if (n > 1)
        printf("  gateway resident memory %ld KiB: %.1f KiB per outstation above the one-outstation process (%ld "
               "KiB)\n",
               r->rss_kb, (double)(r->rss_kb - base_rss_kb) / (double)(n - 1), base_rss_kb);
    printf("  events: %llu generated (%.0f/s), %lld stored%s\n", (unsigned long long)r->generated,
           (double)r->generated / r->seconds, (long long)r->stored,
           r->stored == (int64_t)r->generated ? "" : "  <-- MISSING");
    printf(
        "  update-to-commit latency (reader polling every 2 ms, %zu events): p50 %.0f ms, p99 %.0f ms, max %.0f "
        "ms\n",
        r->samples, r->p50, r->p99, r->max);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_gateway_fleet DNP3-BINARY [outstations=1000] [seconds=20] "
                        "[events/s=10000] [dir=/tmp]\n");
        return 2;
    }
    const char *dnp3 = argv[1];
    size_t n = argc > 2 ? (size_t)atol(argv[2]) : 1000;
    double seconds = argc > 3 ? atof(argv[3]) : 20;
    double rate = argc > 4 ? atof(argv[4]) : 10000;
    const char *dir = argc > 5 ? argv[5] : "/tmp";
    if (n < 2 || n > 20000 || seconds <= 0 || rate <= 0) return 2;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    os.loop = uv_default_loop();
    os_start();
    printf("bench_gateway_fleet: dnp3 master run into SQLite, %zu outstations on 127.0.0.1 (%d analog inputs "
           "each, time-stamped events), %.0f s per run, %.0f events/s in total\n",
           n, POINTS, seconds, rate);
    result one, r;
    char what[160];
    if (run(dnp3, dir, 1, 1, false, 3, 100, &one)) return 1;
    printf("one outstation, 100 events/s: gateway resident memory %ld KiB (the base for memory per outstation)\n",
           one.rss_kb);
    if (run(dnp3, dir, 1, 1, false, seconds, rate, &r)) return 1;
    print("one outstation, all the events", 1, &r, one.rss_kb);
    if (run(dnp3, dir, n, 1, false, seconds, rate, &r)) return 1;
    snprintf(what, sizeof what, "%zu outstations, one process, events spread over time", n);
    print(what, n, &r, one.rss_kb);
    if (run(dnp3, dir, n, 2, false, seconds, rate, &r)) return 1;
    snprintf(what, sizeof what, "%zu outstations, two processes (--shard 0/2, 1/2), events spread over time", n);
    print(what, n, &r, 2 * one.rss_kb);
    if (run(dnp3, dir, n, 1, true, seconds, rate, &r)) return 1;
    snprintf(what, sizeof what,
             "%zu outstations, one process, bursts (an event in every outstation at once, %.0f times a second)", n,
             rate / (double)n);
    print(what, n, &r, one.rss_kb);
    return 0;
}
