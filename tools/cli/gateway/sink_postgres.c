/*
 * sink_postgres.c - the PostgreSQL store of `dnp3 master run` (libpq): one
 * connection, one pipeline per response (one round trip), one transaction per
 * response. The rows go as columns: one prepared INSERT ... SELECT FROM
 * unnest($1::text[], ...) per table, whatever the number of rows, so the
 * server plans nothing per batch. When the
 * server goes away the sink reports itself unhealthy; the caller reopens it
 * with back-off and meanwhile confirms nothing (the outstation keeps its
 * events).
 */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

typedef struct {
    char conninfo[1024];
    PGconn *conn;
    bool in_tx;
    size_t queued; /* statements sent in the current pipeline */
} pg_sink;

/* The rows arrive as one array per column (text array literals), unnested into rows. */
static const char *const INSERT_SQL =
    "INSERT INTO measurements(outstation, type, idx, value, text_value, flags, time_ms, received_ms, event)"
    " SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::double precision[], $5::text[],"
    " $6::integer[], $7::bigint[], $8::bigint[], $9::boolean[]) ON CONFLICT DO NOTHING";
static const char *const LATEST_SQL =
    "INSERT INTO latest(outstation, type, idx, value, text_value, flags, time_ms, received_ms)"
    " SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::double precision[], $5::text[],"
    " $6::integer[], $7::bigint[], $8::bigint[])"
    " ON CONFLICT(outstation, type, idx) DO UPDATE SET"
    " value = excluded.value, text_value = excluded.text_value, flags = excluded.flags,"
    " time_ms = excluded.time_ms, received_ms = excluded.received_ms"
    " WHERE excluded.time_ms IS NULL OR latest.time_ms IS NULL OR excluded.time_ms >= latest.time_ms";
static const char *const STATUS_SQL =
    "INSERT INTO outstations(name, target, connected, iin, last_response_ms) VALUES($1, $2, $3, $4, $5)"
    " ON CONFLICT(name) DO UPDATE SET target = excluded.target, connected = excluded.connected,"
    " iin = COALESCE(excluded.iin, outstations.iin),"
    " last_response_ms = COALESCE(excluded.last_response_ms, outstations.last_response_ms)";
/* libpq messages span lines: one line for the log */
static void one_line(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ')) s[--n] = 0;
    for (char *c = s; *c; c++)
        if (*c == '\n' || *c == '\t') *c = ' ';
}

static void pg_drop(pg_sink *p)
{
    if (p->conn) PQfinish(p->conn);
    p->conn = NULL;
    p->in_tx = false;
}

/* Runs a command; 0 if it succeeded. A lost connection is dropped (unhealthy). */
static int pg_check(pg_sink *p, PGresult *r, const char *what, char *err, size_t cap)
{
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear(r);
        return 0;
    }
    if (cap) {
        snprintf(err, cap, "PostgreSQL: %s: %s", what, p->conn ? PQerrorMessage(p->conn) : "no connection");
        one_line(err);
    }
    PQclear(r);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) pg_drop(p);
    return -1;
}

static int pg_exec(pg_sink *p, const char *sql, char *err, size_t cap)
{
    if (!p->conn) {
        snprintf(err, cap, "PostgreSQL: no connection");
        return -1;
    }
    return pg_check(p, PQexec(p->conn, sql), sql, err, cap);
}

static int pg_open(gw_sink *s, char *err, size_t cap)
{
    pg_sink *p = s->impl;
    pg_drop(p);
    const char *keys[] = {"connect_timeout", "dbname", NULL};
    const char *vals[] = {"3", p->conninfo, NULL};
    p->conn = PQconnectdbParams(keys, vals, 1);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        snprintf(err, cap, "PostgreSQL: cannot connect: %s", p->conn ? PQerrorMessage(p->conn) : "out of memory");
        one_line(err);
        pg_drop(p);
        return -1;
    }
    PGresult *r = PQexec(p->conn, "SET client_min_messages = warning"); /* no NOTICE for IF NOT EXISTS */
    PQclear(r);
    if (pg_exec(p, "BEGIN", err, cap)) return -1;
    /* two gateways starting at once on an empty database: one creates the schema */
    if (pg_exec(p, "SELECT pg_advisory_xact_lock(1815)", err, cap)) return -1;
    for (size_t i = 0; GW_SCHEMA_SQL[i]; i++)
        if (pg_exec(p, GW_SCHEMA_SQL[i], err, cap)) {
            pg_drop(p);
            return -1;
        }
    if (pg_exec(p, "ALTER TABLE commands ADD COLUMN IF NOT EXISTS who TEXT", err, cap) || /* version 1 -> 2 */
        pg_exec(p, GW_SCHEMA_V2_SQL, err, cap)) {
        pg_drop(p);
        return -1;
    }
    if (pg_exec(p, "COMMIT", err, cap)) return -1;
    if (pg_check(p, PQprepare(p->conn, "ins", INSERT_SQL, 9, NULL), "prepare", err, cap) ||
        pg_check(p, PQprepare(p->conn, "latest", LATEST_SQL, 8, NULL), "prepare", err, cap) ||
        pg_check(p, PQprepare(p->conn, "status", STATUS_SQL, 5, NULL), "prepare", err, cap)) {
        pg_drop(p);
        return -1;
    }
    return 0;
}

static void pg_rollback(gw_sink *s)
{
    pg_sink *p = s->impl;
    /* a failed pipeline may have results in flight: the connection is dropped (the server rolls
     * the transaction back) and opened again with the usual back-off */
    if (p->conn && PQpipelineStatus(p->conn) != PQ_PIPELINE_OFF) pg_drop(p);
    if (p->in_tx && p->conn) pg_exec(p, "ROLLBACK", NULL, 0);
    p->in_tx = false;
    p->queued = 0;
}

/* Queues one prepared statement of the pipeline. */
static int pg_send(pg_sink *p, const char *stmt, int n, const char *const *v, char *err, size_t cap)
{
    if (PQsendQueryPrepared(p->conn, stmt, n, v, NULL, NULL, 0)) {
        p->queued++;
        return 0;
    }
    snprintf(err, cap, "PostgreSQL: %s: %s", stmt, PQerrorMessage(p->conn));
    one_line(err);
    return -1;
}

/* One row's parameters as text (libpq's text format). */
typedef struct {
    char idx[16], value[40], flags[8], tms[24], rms[24];
    const char *v[9];
} row_params;

static void row_text(const gw_row *r, row_params *t)
{
    snprintf(t->idx, sizeof t->idx, "%u", r->index);
    snprintf(t->value, sizeof t->value, "%.17g", r->value);
    snprintf(t->flags, sizeof t->flags, "%u", r->flags);
    snprintf(t->tms, sizeof t->tms, "%lld", (long long)r->time_ms);
    snprintf(t->rms, sizeof t->rms, "%lld", (long long)r->received_ms);
    const char *v[9] = {r->outstation,
                        r->type,
                        t->idx,
                        r->has_value ? t->value : NULL,
                        r->text,
                        r->has_flags ? t->flags : NULL,
                        r->has_time ? t->tms : NULL,
                        t->rms,
                        r->event ? "t" : "f"};
    memcpy(t->v, v, sizeof v);
}

/* A growing text buffer (an array literal). */
typedef struct {
    char *s;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->failed = true;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

/* One array element: NULL, or the value in double quotes with " and \ escaped. */
static void put_element(buf *b, const char *v)
{
    if (!v) {
        put(b, "NULL", 4);
        return;
    }
    put(b, "\"", 1);
    for (const char *c = v; *c; c++) {
        if (*c == '"' || *c == '\\') put(b, "\\", 1);
        put(b, c, 1);
    }
    put(b, "\"", 1);
}

/* Queues the prepared statement `stmt` for the rows pick[0..n) of t: `cols` arrays, one per column. */
static int send_rows(pg_sink *p, const char *stmt, const row_params *t, const size_t *pick, size_t n, int cols,
                     char *err, size_t cap)
{
    buf col[9];
    memset(col, 0, sizeof col);
    const char *v[9];
    bool failed = false;
    for (int c = 0; c < cols; c++) {
        put(&col[c], "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i) put(&col[c], ",", 1);
            put_element(&col[c], t[pick[i]].v[c]);
        }
        put(&col[c], "}", 1);
        v[c] = col[c].s;
        failed |= col[c].failed;
    }
    int rc = failed ? -1 : pg_send(p, stmt, cols, v, err, cap);
    if (failed) snprintf(err, cap, "PostgreSQL: out of memory");
    for (int c = 0; c < cols; c++) free(col[c].s);
    return rc;
}

/* Queues every row: the measurements in one statement, then the latest table in one or two. */
static int send_batch(pg_sink *p, const gw_row *rows, size_t n, char *err, size_t cap)
{
    row_params *t = malloc(n * sizeof *t);
    size_t *pick = malloc(n * sizeof *pick), *wave = malloc(n * sizeof *wave);
    int rc = -1;
    size_t n_waves = t && pick && wave ? gw_latest_waves(rows, n, wave) : 0; /* 1 or 2 */
    if (n_waves == 0) {
        snprintf(err, cap, "PostgreSQL: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        row_text(&rows[i], &t[i]);
        pick[i] = i;
    }
    if (send_rows(p, "ins", t, pick, n, 9, err, cap)) goto out;
    for (size_t w = 0; w < n_waves; w++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (wave[i] == w) pick[m++] = i;
        if (m && send_rows(p, "latest", t, pick, m, 8, err, cap)) goto out;
    }
    rc = 0;
out:
    free(t);
    free(pick);
    free(wave);
    return rc;
}

/*
 * A transaction goes out in one pipeline (libpq pipeline mode): BEGIN, and
 * for each batch written into it (a group commit writes one per outstation)
 * the measurements, the latest table (one or two statements) and the status,
 * then COMMIT and one sync - one round trip per transaction and a few
 * statements per batch instead of two per row. write queues everything but
 * COMMIT (the first write also BEGIN); commit queues COMMIT, syncs and reads
 * every result.
 */
static int pg_write(gw_sink *s, const gw_row *rows, size_t n, const gw_status *st, char *err, size_t cap)
{
    pg_sink *p = s->impl;
    if (!p->conn) {
        snprintf(err, cap, "PostgreSQL: no connection");
        return -1;
    }
    if (!p->in_tx) { /* the first write of the transaction opens the pipeline */
        if (!PQenterPipelineMode(p->conn)) {
            snprintf(err, cap, "PostgreSQL: pipeline: %s", PQerrorMessage(p->conn));
            one_line(err);
            return -1;
        }
        p->queued = 0;
        p->in_tx = true;
        if (!PQsendQueryParams(p->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0)) {
            snprintf(err, cap, "PostgreSQL: BEGIN: %s", PQerrorMessage(p->conn));
            one_line(err);
            goto failed;
        }
        p->queued++;
    }
    if (n && send_batch(p, rows, n, err, cap)) goto failed;
    if (st) {
        char iin[8], rms[24];
        snprintf(iin, sizeof iin, "%u", st->iin);
        snprintf(rms, sizeof rms, "%lld", (long long)st->last_response_ms);
        const char *v[5] = {st->name, st->target, st->connected ? "t" : "f", st->has_response ? iin : NULL,
                            st->has_response ? rms : NULL};
        if (pg_send(p, "status", 5, v, err, cap)) goto failed;
    }
    return 0;
failed:
    pg_rollback(s);
    return -1;
}

static int pg_commit(gw_sink *s, char *err, size_t cap)
{
    pg_sink *p = s->impl;
    if (!p->conn || PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF) {
        snprintf(err, cap, "PostgreSQL: nothing to commit");
        pg_rollback(s);
        return -1;
    }
    bool ok = PQsendQueryParams(p->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) == 1;
    if (ok) p->queued++;
    ok = ok && PQpipelineSync(p->conn) == 1;
    if (!ok) {
        snprintf(err, cap, "PostgreSQL: COMMIT: %s", PQerrorMessage(p->conn));
        one_line(err);
    }
    /* every statement's results (each list ends with NULL), then the sync */
    bool first_error = true;
    for (size_t i = 0; ok && i < p->queued; i++) {
        PGresult *r;
        bool any = false;
        while ((r = PQgetResult(p->conn)) != NULL) {
            any = true;
            ExecStatusType st = PQresultStatus(r);
            if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                if (first_error) {
                    snprintf(err, cap, "PostgreSQL: %s: %s", PQresStatus(st),
                             PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(p->conn));
                    one_line(err);
                    first_error = false;
                }
            }
            PQclear(r);
        }
        if (!any) { /* the connection is gone */
            if (first_error) {
                snprintf(err, cap, "PostgreSQL: %s", PQerrorMessage(p->conn));
                one_line(err);
                first_error = false;
            }
            break;
        }
    }
    if (ok && first_error) {
        PGresult *r = PQgetResult(p->conn);
        if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
            snprintf(err, cap, "PostgreSQL: no sync: %s", PQerrorMessage(p->conn));
            one_line(err);
            first_error = false;
        }
        PQclear(r);
    }
    bool committed = ok && first_error;
    if (committed && PQexitPipelineMode(p->conn)) {
        p->in_tx = false;
        p->queued = 0;
        return 0;
    }
    if (committed) {
        snprintf(err, cap, "PostgreSQL: pipeline: %s", PQerrorMessage(p->conn));
        one_line(err);
    }
    pg_rollback(s);
    return -1;
}

static int pg_points(gw_sink *s, const char *outstation, const gw_point_name *pts, size_t n, char *err, size_t cap)
{
    pg_sink *p = s->impl;
    if (pg_exec(p, "BEGIN", err, cap)) return -1;
    char idx[16];
    for (size_t i = 0; i < n; i++) {
        snprintf(idx, sizeof idx, "%u", pts[i].index);
        const char *v[5] = {outstation, pts[i].type, idx, pts[i].name[0] ? pts[i].name : NULL,
                            pts[i].unit[0] ? pts[i].unit : NULL};
        PGresult *r =
            PQexecParams(p->conn,
                         "INSERT INTO points(outstation, type, idx, name, unit) VALUES($1, $2, $3, $4, $5)"
                         " ON CONFLICT(outstation, type, idx) DO UPDATE SET name = excluded.name,"
                         " unit = excluded.unit",
                         5, NULL, v, NULL, NULL, 0);
        if (pg_check(p, r, "points", err, cap)) {
            if (p->conn) pg_exec(p, "ROLLBACK", NULL, 0);
            return -1;
        }
    }
    return pg_exec(p, "COMMIT", err, cap);
}

static int pg_audit(gw_sink *s, const gw_audit *a, char *err, size_t cap)
{
    pg_sink *p = s->impl;
    char issued[24], idx[16], value[40], completed[24];
    snprintf(issued, sizeof issued, "%lld", (long long)a->issued_ms);
    snprintf(idx, sizeof idx, "%u", a->index);
    snprintf(value, sizeof value, "%.17g", a->value);
    snprintf(completed, sizeof completed, "%lld", (long long)a->completed_ms);
    const char *v[9] = {
        a->outstation, issued,    a->command, a->type, a->has_index ? idx : NULL, a->has_value ? value : NULL,
        a->result,     completed, a->who};
    PGresult *r = PQexecParams(p->conn,
                               "INSERT INTO commands(outstation, issued_ms, command, type, idx, value, result,"
                               " completed_ms, who) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                               9, NULL, v, NULL, NULL, 0);
    return pg_check(p, r, "commands", err, cap);
}

static bool pg_healthy(gw_sink *s)
{
    pg_sink *p = s->impl;
    return p->conn && PQstatus(p->conn) == CONNECTION_OK;
}

static void pg_close(gw_sink *s)
{
    pg_sink *p = s->impl;
    if (!p) return;
    pg_drop(p);
    free(p);
    s->impl = NULL;
}

static const gw_sink_ops POSTGRES_OPS = {"postgres", pg_open,  pg_write,  pg_commit, pg_rollback,
                                         pg_healthy, pg_close, pg_points, pg_audit};

int gw_sink_postgres(gw_sink *s, const char *conninfo)
{
    pg_sink *p = calloc(1, sizeof *p);
    if (!p) return -1;
    snprintf(p->conninfo, sizeof p->conninfo, "%s", conninfo);
    s->ops = &POSTGRES_OPS;
    s->impl = p;
    return 0;
}
