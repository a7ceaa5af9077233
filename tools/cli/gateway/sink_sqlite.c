/*
 * sink_sqlite.c - the SQLite store of `dnp3 master run` (libsqlite3): one
 * file in WAL mode with synchronous = FULL (a committed batch survives a crash
 * of the process and of the machine), one transaction per response.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

typedef struct {
    char path[512];
    sqlite3 *db;
    sqlite3_stmt *ins, *latest, *status;
    bool in_tx;
} sq_sink;

static const char *const INSERT_SQL =
    "INSERT INTO measurements(outstation, type, idx, value, text_value, flags, time_ms, received_ms, event)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING";
static const char *const LATEST_SQL =
    "INSERT INTO latest(outstation, type, idx, value, text_value, flags, time_ms, received_ms)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(outstation, type, idx) DO UPDATE SET"
    " value = excluded.value, text_value = excluded.text_value, flags = excluded.flags,"
    " time_ms = excluded.time_ms, received_ms = excluded.received_ms"
    " WHERE excluded.time_ms IS NULL OR latest.time_ms IS NULL OR excluded.time_ms >= latest.time_ms";
static const char *const STATUS_SQL =
    "INSERT INTO outstations(name, target, connected, iin, last_response_ms) VALUES(?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT(name) DO UPDATE SET target = excluded.target, connected = excluded.connected,"
    " iin = COALESCE(excluded.iin, outstations.iin),"
    " last_response_ms = COALESCE(excluded.last_response_ms, outstations.last_response_ms)";

static int sq_fail(sq_sink *q, const char *what, char *err, size_t cap)
{
    snprintf(err, cap, "SQLite %.150s: %s: %.300s", q->path, what,
             q->db ? sqlite3_errmsg(q->db) : "out of memory");
    return -1;
}

static int sq_exec(sq_sink *q, const char *sql, char *err, size_t cap)
{
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    snprintf(err, cap, "SQLite %.150s: %.300s", q->path, msg ? msg : sqlite3_errmsg(q->db));
    sqlite3_free(msg);
    return -1;
}

static void sq_close(gw_sink *s)
{
    sq_sink *q = s->impl;
    if (!q) return;
    sqlite3_finalize(q->ins);
    sqlite3_finalize(q->latest);
    sqlite3_finalize(q->status);
    if (q->db) sqlite3_close(q->db);
    free(q);
    s->impl = NULL;
}

static int sq_open(gw_sink *s, char *err, size_t cap)
{
    sq_sink *q = s->impl;
    if (sqlite3_open_v2(q->path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        return sq_fail(q, "cannot open", err, cap);
    sqlite3_busy_timeout(q->db, 5000); /* readers of the WAL file do not block us */
    if (sq_exec(q, "PRAGMA journal_mode = WAL", err, cap) || sq_exec(q, "PRAGMA synchronous = FULL", err, cap))
        return -1;
    if (sq_exec(q, "BEGIN", err, cap)) return -1;
    for (size_t i = 0; GW_SCHEMA_SQL[i]; i++)
        if (sq_exec(q, GW_SCHEMA_SQL[i], err, cap)) {
            char scratch[512];
            sq_exec(q, "ROLLBACK", scratch, sizeof scratch);
            return -1;
        }
    /* version 1 -> 2: commands.who (SQLite has no ADD COLUMN IF NOT EXISTS) */
    sqlite3_stmt *has_who = NULL;
    bool add_who = false;
    if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM pragma_table_info('commands') WHERE name = 'who'", -1,
                           &has_who, NULL) == SQLITE_OK &&
        sqlite3_step(has_who) == SQLITE_ROW)
        add_who = sqlite3_column_int(has_who, 0) == 0;
    sqlite3_finalize(has_who);
    if ((add_who && sq_exec(q, "ALTER TABLE commands ADD COLUMN who TEXT", err, cap)) ||
        sq_exec(q, GW_SCHEMA_V2_SQL, err, cap)) {
        char scratch[512];
        sq_exec(q, "ROLLBACK", scratch, sizeof scratch);
        return -1;
    }
    if (sq_exec(q, "COMMIT", err, cap)) return -1;
    if (sqlite3_prepare_v2(q->db, INSERT_SQL, -1, &q->ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db, LATEST_SQL, -1, &q->latest, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db, STATUS_SQL, -1, &q->status, NULL) != SQLITE_OK)
        return sq_fail(q, "cannot prepare the statements", err, cap);
    return 0;
}

static void bind_row(sqlite3_stmt *st, const gw_row *r, bool with_event)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, r->outstation, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)r->index);
    if (r->has_value)
        sqlite3_bind_double(st, 4, r->value);
    else
        sqlite3_bind_null(st, 4);
    if (r->text)
        sqlite3_bind_text(st, 5, r->text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    if (r->has_flags)
        sqlite3_bind_int(st, 6, r->flags);
    else
        sqlite3_bind_null(st, 6);
    if (r->has_time)
        sqlite3_bind_int64(st, 7, r->time_ms);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_int64(st, 8, r->received_ms);
    if (with_event) sqlite3_bind_int(st, 9, r->event ? 1 : 0);
}

static void sq_rollback(gw_sink *s)
{
    sq_sink *q = s->impl;
    if (!q->in_tx) return;
    char err[512];
    sq_exec(q, "ROLLBACK", err, sizeof err);
    q->in_tx = false;
}

static int sq_write(gw_sink *s, const gw_row *rows, size_t n, const gw_status *st, char *err, size_t cap)
{
    sq_sink *q = s->impl;
    if (!q->in_tx && sq_exec(q, "BEGIN", err, cap)) return -1;
    q->in_tx = true;
    for (size_t i = 0; i < n; i++) {
        bind_row(q->ins, &rows[i], true);
        if (sqlite3_step(q->ins) != SQLITE_DONE) goto failed;
    }
    /* the latest table: only the rows that can change it (gw_latest_waves), not every row */
    size_t *wave = n ? malloc(n * sizeof *wave) : NULL;
    size_t n_waves = wave ? gw_latest_waves(rows, n, wave) : 0;
    if (n && !n_waves) {
        free(wave);
        snprintf(err, cap, "SQLite: out of memory");
        sq_rollback(s);
        return -1;
    }
    for (size_t w = 0; w < n_waves; w++)
        for (size_t i = 0; i < n; i++) {
            if (wave[i] != w) continue;
            bind_row(q->latest, &rows[i], false);
            if (sqlite3_step(q->latest) != SQLITE_DONE) {
                free(wave);
                goto failed;
            }
        }
    free(wave);
    if (st) {
        sqlite3_stmt *t = q->status;
        sqlite3_reset(t);
        sqlite3_bind_text(t, 1, st->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(t, 2, st->target, -1, SQLITE_STATIC);
        sqlite3_bind_int(t, 3, st->connected ? 1 : 0);
        if (st->has_response) {
            sqlite3_bind_int(t, 4, st->iin);
            sqlite3_bind_int64(t, 5, st->last_response_ms);
        } else {
            sqlite3_bind_null(t, 4);
            sqlite3_bind_null(t, 5);
        }
        if (sqlite3_step(t) != SQLITE_DONE) goto failed;
    }
    return 0;
failed:
    sq_fail(q, "insert", err, cap);
    sq_rollback(s);
    return -1;
}

static int sq_commit(gw_sink *s, char *err, size_t cap)
{
    sq_sink *q = s->impl;
    if (sq_exec(q, "COMMIT", err, cap)) {
        sq_rollback(s);
        return -1;
    }
    q->in_tx = false;
    return 0;
}

static int sq_points(gw_sink *s, const char *outstation, const gw_point_name *pts, size_t n, char *err, size_t cap)
{
    sq_sink *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            q->db,
            "INSERT INTO points(outstation, type, idx, name, unit) VALUES(?1, ?2, ?3, ?4, ?5)"
            " ON CONFLICT(outstation, type, idx) DO UPDATE SET name = excluded.name, unit = excluded.unit",
            -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "points", err, cap);
    int rc = sq_exec(q, "BEGIN", err, cap);
    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, outstation, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, pts[i].type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)pts[i].index);
        if (pts[i].name[0])
            sqlite3_bind_text(st, 4, pts[i].name, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 4);
        if (pts[i].unit[0])
            sqlite3_bind_text(st, 5, pts[i].unit, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 5);
        if (sqlite3_step(st) != SQLITE_DONE) rc = sq_fail(q, "points", err, cap);
    }
    sqlite3_finalize(st);
    if (!rc) rc = sq_exec(q, "COMMIT", err, cap);
    if (rc) {
        char scratch[512];
        sq_exec(q, "ROLLBACK", scratch, sizeof scratch);
    }
    return rc;
}

static int sq_audit(gw_sink *s, const gw_audit *a, char *err, size_t cap)
{
    sq_sink *q = s->impl;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO commands(outstation, issued_ms, command, type, idx, value, result,"
                           " completed_ms, who) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "commands", err, cap);
    sqlite3_bind_text(st, 1, a->outstation, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, a->issued_ms);
    sqlite3_bind_text(st, 3, a->command, -1, SQLITE_STATIC);
    if (a->type)
        sqlite3_bind_text(st, 4, a->type, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
    if (a->has_index)
        sqlite3_bind_int64(st, 5, (sqlite3_int64)a->index);
    else
        sqlite3_bind_null(st, 5);
    if (a->has_value)
        sqlite3_bind_double(st, 6, a->value);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, a->result, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, a->completed_ms);
    sqlite3_bind_text(st, 9, a->who, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sq_fail(q, "commands", err, cap);
    sqlite3_finalize(st);
    return rc;
}

static bool sq_healthy(gw_sink *s)
{
    return s->impl && ((sq_sink *)s->impl)->db;
}

static const gw_sink_ops SQLITE_OPS = {"sqlite",   sq_open,  sq_write,  sq_commit, sq_rollback,
                                       sq_healthy, sq_close, sq_points, sq_audit};

int gw_sink_sqlite(gw_sink *s, const char *path)
{
    sq_sink *q = calloc(1, sizeof *q);
    if (!q) return -1;
    snprintf(q->path, sizeof q->path, "%s", path);
    s->ops = &SQLITE_OPS;
    s->impl = q;
    return 0;
}
