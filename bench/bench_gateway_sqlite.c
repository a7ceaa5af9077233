/*
 * bench_gateway_sqlite.c - rows per second into SQLite through the sink of
 * `dnp3 master run` (tools/cli/gateway/sink_sqlite.c: WAL, synchronous FULL,
 * measurements + latest upsert + outstation status per batch, one transaction
 * per batch), next to SQLite's own bulk insert measured in the same run (one
 * prepared INSERT of the same columns, no index, one transaction per batch,
 * same pragmas). Prints figures; asserts nothing.
 *
 *   bench_gateway_sqlite [ROWS [BATCH [DIR]]]   default 200000 rows, batches of 100, /tmp
 *
 * With DNP3_BENCH_POSTGRES=CONNINFO (a scratch database: the gateway's tables
 * and bench_copy are dropped) the same rows also go through the PostgreSQL
 * sink, next to PostgreSQL's own bulk load (COPY FROM STDIN, one per batch).
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gateway.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(gw_row *r, size_t i)
{
    memset(r, 0, sizeof *r);
    r->outstation = "rtu1";
    r->type = (i & 1) ? "analog_input" : "counter";
    r->index = (uint32_t)(i % 64);
    r->has_value = true;
    r->value = (double)i * 0.25;
    r->has_flags = true;
    r->flags = 1;
    r->has_time = true;
    r->time_ms = 1700000000000LL + (int64_t)i;
    r->received_ms = 1700000000000LL + (int64_t)i + 5;
    r->event = true;
}

/* Rows/s of `rows` rows written through an open sink in transactions of `batch`; closes it. */
static double time_sink(gw_sink *s, size_t rows, size_t batch)
{
    char err[512];
    gw_row *b = calloc(batch, sizeof *b);
    gw_status st = {"rtu1", "127.0.0.1:20000", true, 0, true, 0};
    double t0 = now_s();
    for (size_t done = 0; done < rows;) {
        size_t n = rows - done < batch ? rows - done : batch;
        for (size_t k = 0; k < n; k++) fill(&b[k], done + k);
        if (s->ops->write(s, b, n, &st, err, sizeof err) || s->ops->commit(s, err, sizeof err)) {
            fprintf(stderr, "sink: %s\n", err);
            exit(1);
        }
        done += n;
    }
    double dt = now_s() - t0;
    s->ops->close(s);
    free(b);
    return (double)rows / dt;
}

static double run_sink(const char *path, size_t rows, size_t batch)
{
    gw_sink s;
    char err[512];
    unlink(path);
    if (gw_sink_sqlite(&s, path) || s.ops->open(&s, err, sizeof err)) {
        fprintf(stderr, "sink: %s\n", err);
        exit(1);
    }
    return time_sink(&s, rows, batch);
}

static double run_raw(const char *path, size_t rows, size_t batch)
{
    sqlite3 *db;
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) exit(1);
    sqlite3_exec(db,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                 "CREATE TABLE m(outstation TEXT, type TEXT, idx INTEGER, value DOUBLE PRECISION,"
                 " text_value TEXT, flags INTEGER, time_ms BIGINT, received_ms BIGINT, event BOOLEAN)",
                 NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO m VALUES(?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, 1)", -1, &st, NULL);
    gw_row r;
    double t0 = now_s();
    for (size_t done = 0; done < rows;) {
        size_t n = rows - done < batch ? rows - done : batch;
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        for (size_t k = 0; k < n; k++) {
            fill(&r, done + k);
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, r.outstation, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, r.type, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, r.index);
            sqlite3_bind_double(st, 4, r.value);
            sqlite3_bind_int(st, 5, r.flags);
            sqlite3_bind_int64(st, 6, r.time_ms);
            sqlite3_bind_int64(st, 7, r.received_ms);
            if (sqlite3_step(st) != SQLITE_DONE) exit(1);
        }
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        done += n;
    }
    double dt = now_s() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return (double)rows / dt;
}

static void pg_do(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN) {
        fprintf(stderr, "postgres: %s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

static double run_pg_sink(const char *conninfo, size_t rows, size_t batch)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "postgres: %s", PQerrorMessage(c));
        exit(1);
    }
    pg_do(c, "SET client_min_messages = warning");
    pg_do(c, "DROP TABLE IF EXISTS measurements, latest, outstations, points, commands, schema_version");
    PQfinish(c);
    gw_sink s;
    char err[512];
    if (gw_sink_postgres(&s, conninfo) || s.ops->open(&s, err, sizeof err)) {
        fprintf(stderr, "sink: %s\n", err);
        exit(1);
    }
    return time_sink(&s, rows, batch);
}

static double run_pg_copy(const char *conninfo, size_t rows, size_t batch)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) exit(1);
    pg_do(c, "SET client_min_messages = warning");
    pg_do(c, "DROP TABLE IF EXISTS bench_copy");
    pg_do(c, "CREATE TABLE bench_copy(outstation TEXT, type TEXT, idx INTEGER, value DOUBLE PRECISION,"
             " text_value TEXT, flags INTEGER, time_ms BIGINT, received_ms BIGINT, event BOOLEAN)");
    gw_row r;
    char line[256];
    double t0 = now_s();
    for (size_t done = 0; done < rows;) {
        size_t n = rows - done < batch ? rows - done : batch;
        pg_do(c, "BEGIN");
        pg_do(c, "COPY bench_copy FROM STDIN");
        for (size_t k = 0; k < n; k++) {
            fill(&r, done + k);
            int len = snprintf(line, sizeof line, "%s\t%s\t%u\t%.17g\t\\N\t%u\t%lld\t%lld\tt\n", r.outstation,
                               r.type, r.index, r.value, r.flags, (long long)r.time_ms, (long long)r.received_ms);
            if (PQputCopyData(c, line, len) != 1) exit(1);
        }
        if (PQputCopyEnd(c, NULL) != 1) exit(1);
        PGresult *res;
        while ((res = PQgetResult(c)) != NULL) PQclear(res);
        pg_do(c, "COMMIT");
        done += n;
    }
    double dt = now_s() - t0;
    pg_do(c, "DROP TABLE bench_copy");
    PQfinish(c);
    return (double)rows / dt;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    size_t batch = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    if (!rows || !batch) return 2;
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/bench_gateway_sink.db", dir);
    snprintf(b, sizeof b, "%s/bench_gateway_raw.db", dir);
    double raw = run_raw(b, rows, batch);
    double sink = run_sink(a, rows, batch);
    printf("SQLite %s, %zu rows in batches of %zu (one transaction each, WAL, synchronous FULL), in %s\n",
           sqlite3_libversion(), rows, batch, dir);
    printf("  SQLite bulk INSERT, one table, no index: %10.0f rows/s\n", raw);
    printf(
        "  dnp3 master run sink (measurements with unique key + latest upsert + status): %10.0f rows/s (%.0f%%)\n",
        sink, 100.0 * sink / raw);
    const char *pg = getenv("DNP3_BENCH_POSTGRES");
    if (pg && *pg) {
        size_t pg_rows = rows > 50000 ? 50000 : rows;
        double copy = run_pg_copy(pg, pg_rows, batch);
        double pgs = run_pg_sink(pg, pg_rows, batch);
        printf("PostgreSQL %d, %zu rows in batches of %zu (one transaction each)\n", PQlibVersion(), pg_rows,
               batch);
        printf("  PostgreSQL COPY FROM STDIN, one table, no index: %10.0f rows/s\n", copy);
        printf("  dnp3 master run sink (measurements with unique key + latest upsert + status): %10.0f rows/s "
               "(%.0f%%)\n",
               pgs, 100.0 * pgs / copy);
    }
    const char *files[] = {a, b};
    for (int i = 0; i < 2; i++) {
        char x[600];
        unlink(files[i]);
        snprintf(x, sizeof x, "%s-wal", files[i]);
        unlink(x);
        snprintf(x, sizeof x, "%s-shm", files[i]);
        unlink(x);
    }
    return 0;
}
