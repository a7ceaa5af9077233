/*
 * gw_run.c - `dnp3 master run` (docs/gateway.md): polls one or more
 * outstations and stores every response in SQLite or PostgreSQL.
 *
 * Delivery: each association runs with defer_confirm; the measurements of a
 * fragment are collected between fragment_begin and fragment_end, written to
 * the sink and committed in one transaction inside fragment_end, and only
 * then is the fragment's application confirm released. When the store fails
 * the confirm is not sent: the outstation keeps the events and reports them
 * again. Time-stamped events reported twice are stored once (unique key).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cli_common.h"
#include "dnp3/io.h"
#include "dnp3/io_roles.h"
#include "dnp3/master.h"
#include "gateway.h"
#include "master_session.h"
#include "sa_cli.h"

static const char *const CMD = "dnp3 master run";

typedef struct gw gw;

typedef struct {
    gw *g;
    const gw_outstation_cfg *cfg;
    char host[128];
    uint16_t port;
    dnp3_io_master *bind;
    dnp3_master_assoc *a;
    gw_row *rows;
    char **texts; /* owned copies of the rows' text values */
    size_t n, cap;
    bool incomplete; /* a row could not be kept (out of memory): never confirm this batch */
    int64_t received_ms;
    bool connected, has_response;
    uint16_t iin;
    int64_t last_response_ms;
    bool in_group;          /* its batch waits in gw.group for the next group commit */
    uint32_t confirm_token; /* of that batch's fragment (0: nothing to confirm) */
    /* the output points the outstation reported (g10 / g40): what a command may name */
    uint8_t seen_bo[65536 / 8], seen_ao[65536 / 8];
    void *sa_mem; /* Secure Authentication (security: secure_authentication:), or NULL */
    dnp3_sa_master *sa;
} gw_station;

/* A command that arrived on the MQTT network thread, waiting for the loop. */
typedef struct gw_cmd_msg {
    struct gw_cmd_msg *next;
    char outstation[64];
    size_t len;
    char payload[]; /* NUL-terminated */
} gw_cmd_msg;

/* One sink and its reconnect back-off. */
typedef struct {
    gw_sink sink;
    bool up;
    dnp3_tstamp retry_at;
    uint32_t backoff_ms;
} gw_store;

struct gw {
    gw_config cfg;
    uv_loop_t *loop;
    gw_store stores[2]; /* the database and/or MQTT: a batch counts when all committed */
    size_t n_stores;
    uv_signal_t sigint, sigterm;
    uv_timer_t stop;
    gw_station *st;
    bool stopping;
    /* commands from MQTT */
    gw_sink *mqtt;          /* the MQTT store, or NULL */
    uv_async_t cmd_async;   /* wakes the loop for queued commands */
    pthread_mutex_t cmd_mu; /* guards cmd_head / cmd_tail */
    gw_cmd_msg *cmd_head, *cmd_tail;
    size_t cmd_queued;
    bool cmd_closed; /* cmd_async is closed: the MQTT thread must not touch it */
    uint64_t batches, rows, released, refused, commits;
    /* group commit: the batches of every fragment received in one turn of the loop are stored in
     * one transaction per store (one fsync for a fleet, not one per outstation) */
    gw_station **group;
    size_t n_group;
    gw_station **flushing; /* the group being flushed, detached from it (flush_group) */
    uv_idle_t flush;       /* active while the group is not empty: the loop does not sleep before it */
    dnp3_tls *tls;         /* loaded at the first tls:// target (gw_config.tls) */
};

/* ---- the stores ---- */

static void sink_down(gw *g, gw_store *k, const char *err)
{
    if (k->up || k->backoff_ms == 0) {
        fprintf(stderr, "%s: store %s unavailable (%s); confirming nothing until it is back\n", CMD,
                k->sink.ops->name, err);
        fflush(stderr);
    }
    k->up = false;
    k->backoff_ms = k->backoff_ms ? (k->backoff_ms >= 8000 ? 16000 : k->backoff_ms * 2) : 500;
    k->retry_at = dnp3_io_now(g->loop) + k->backoff_ms;
}

/* Opens a store and records the configured point names in it. 0 or -1 (err). */
static int store_open(gw *g, gw_store *k, char *err, size_t cap)
{
    if (k->sink.ops->open(&k->sink, err, cap)) return -1;
    for (size_t i = 0; k->sink.ops->points && i < g->cfg.n_outstations; i++) {
        const gw_outstation_cfg *o = &g->cfg.outstations[i];
        if (o->n_points && k->sink.ops->points(&k->sink, o->name, o->points, o->n_points, err, cap)) return -1;
    }
    return 0;
}

/* Reopens a store when its back-off has passed; true if it is up. */
static bool sink_ready(gw *g, gw_store *k)
{
    if (k->up) return true;
    if (dnp3_io_now(g->loop) < k->retry_at) return false;
    char err[512];
    if (store_open(g, k, err, sizeof err)) {
        sink_down(g, k, err);
        return false;
    }
    printf("%s: store %s is back\n", CMD, k->sink.ops->name);
    fflush(stdout);
    k->up = true;
    k->backoff_ms = 0;
    return true;
}

static void batch_clear(gw_station *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->texts[i]);
    s->n = 0;
}

/* Writes the group's batches and statuses into every store as one transaction each; true when all
 * are durable in every store. */
static bool store_group(gw *g)
{
    /* a store that is away refuses the group before any store writes it: nothing is confirmed
     * and the outstations report the events again, so writing the others now only duplicates */
    for (size_t i = 0; i < g->n_stores; i++)
        if (!sink_ready(g, &g->stores[i])) return false;
    for (size_t i = 0; i < g->n_stores; i++) {
        gw_store *k = &g->stores[i];
        char err[512];
        int rc = 0;
        for (size_t j = 0; !rc && j < g->n_group; j++) {
            gw_station *s = g->group[j];
            gw_status st = {s->cfg->name, s->cfg->target,  s->connected,
                            s->iin,       s->has_response, s->last_response_ms};
            rc = k->sink.ops->write(&k->sink, s->rows, s->n, &st, err, sizeof err);
        }
        if (rc || k->sink.ops->commit(&k->sink, err, sizeof err)) { /* (each rolled back what failed) */
            if (!k->sink.ops->healthy(&k->sink)) {
                sink_down(g, k, err);
            } else {
                fprintf(stderr, "%s: %zu batch%s not stored: %s\n", CMD, g->n_group, g->n_group == 1 ? "" : "es",
                        err);
                fflush(stderr);
            }
            return false;
        }
    }
    return true;
}

/* The group commit: stores every waiting batch, then releases the confirms of those stored whole. */
static void flush_group(gw *g)
{
    if (!g->n_group) return;
    bool durable = store_group(g);
    if (durable) g->commits++;
    /* detach the group before releasing anything: a release can close a connection at once (a
     * failed send), and the status that change stores then joins the next group, not this one */
    size_t n = g->n_group;
    memcpy(g->flushing, g->group, n * sizeof(gw_station *));
    g->n_group = 0;
    uv_idle_stop(&g->flush);
    for (size_t j = 0; j < n; j++) {
        gw_station *s = g->flushing[j];
        bool ok = durable;
        if (ok) {
            g->batches++;
            g->rows += s->n;
        } else {
            g->refused++;
        }
        if (ok && s->incomplete) {
            fprintf(stderr, "%s: %s: out of memory: a response was stored in part and is not confirmed\n", CMD,
                    s->cfg->name);
            ok = false;
        }
        uint32_t token = s->confirm_token;
        s->confirm_token = 0;
        s->in_group = false;
        batch_clear(s);
        if (ok && token && s->a && s->bind &&
            dnp3_master_release_confirm(s->a, token, dnp3_io_now(g->loop)) == DNP3_OK) {
            g->released++;
            dnp3_io_master_kick(s->bind);
        }
    }
}

static void on_flush(uv_idle_t *h)
{
    flush_group(h->data);
}

/* Puts the station's batch (and status) into the next group commit. */
static void group_add(gw_station *s, uint32_t confirm_token)
{
    gw *g = s->g;
    s->confirm_token = confirm_token;
    if (s->in_group) return;
    s->in_group = true;
    g->group[g->n_group++] = s;
    if (g->n_group == 1) uv_idle_start(&g->flush, on_flush);
}

/* ---- measurement callbacks (ctx = the station) ---- */

static bool stored_type(dnp3_point_type t)
{
    switch (t) {
    case DNP3_POINT_NONE:
    case DNP3_POINT_TIME:
    case DNP3_POINT_CLASS:
    case DNP3_POINT_IIN:
    case DNP3_POINT_FILE:
    case DNP3_POINT_AUTH:
    case DNP3_POINT_ANALOG_INPUT_DEADBAND: return false;
    default: return true;
    }
}

/* Octets as text: printable ASCII as is, anything else as hex digits. */
static char *octets_text(const uint8_t *p, size_t n)
{
    bool printable = true;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7E) printable = false;
    char *t = malloc(printable ? n + 1 : 2 * n + 1);
    if (!t) return NULL;
    if (printable) {
        memcpy(t, p, n);
        t[n] = 0;
    } else {
        for (size_t i = 0; i < n; i++) snprintf(t + 2 * i, 3, "%02x", p[i]);
        t[2 * n] = 0;
    }
    return t;
}

static void on_begin(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info)
{
    (void)a;
    (void)info;
    gw_station *s = ctx;
    if (s->in_group) flush_group(s->g); /* a second fragment in one turn: its first is stored first */
    batch_clear(s);
    s->incomplete = false;
    s->received_ms = (int64_t)dnp3_io_utc_ms();
}

static void on_measurement(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    (void)a;
    gw_station *s = ctx;
    if (!stored_type(m->type)) return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        gw_row *r = realloc(s->rows, cap * sizeof *r);
        if (r) s->rows = r;
        char **t = r ? realloc(s->texts, cap * sizeof *t) : NULL;
        if (t) s->texts = t;
        if (!r || !t) { /* out of memory: the batch is short, see on_end */
            s->incomplete = true;
            return;
        }
        s->cap = cap;
    }
    gw_row *r = &s->rows[s->n];
    memset(r, 0, sizeof *r);
    s->texts[s->n] = NULL;
    r->outstation = s->cfg->name;
    r->type = dnp3_point_type_name(m->type);
    if ((m->type == DNP3_POINT_BINARY_OUTPUT_STATUS || m->type == DNP3_POINT_ANALOG_OUTPUT_STATUS) &&
        m->index < 65536) {
        uint8_t *seen = m->type == DNP3_POINT_BINARY_OUTPUT_STATUS ? s->seen_bo : s->seen_ao;
        seen[m->index / 8] |= (uint8_t)(1u << (m->index % 8));
    }
    /* a device attribute is named by its set (index) and code (variation) */
    r->index = m->type == DNP3_POINT_DEVICE_ATTRIBUTE ? m->index * 256u + m->variation : m->index;
    if (m->octets && m->octets_len) {
        s->texts[s->n] = octets_text(m->octets, m->octets_len);
        r->text = s->texts[s->n];
        if (!r->text) s->incomplete = true;
        r->has_value = m->type == DNP3_POINT_DEVICE_ATTRIBUTE && m->value != 0;
    } else {
        r->has_value = true;
    }
    r->value = m->value;
    r->has_flags = m->has_flags;
    r->flags = m->flags;
    r->has_time = m->time_kind == DNP3_TIME_ABSOLUTE;
    r->time_ms = r->has_time ? (int64_t)m->time : 0;
    r->received_ms = s->received_ms;
    r->event = m->event;
    for (size_t i = 0; i < s->cfg->n_points; i++) {
        const gw_point_name *pn = &s->cfg->points[i];
        if (pn->index == m->index && !strcmp(pn->type, r->type)) {
            r->name = pn->name[0] ? pn->name : NULL;
            r->unit = pn->unit[0] ? pn->unit : NULL;
            break;
        }
    }
    s->n++;
}

static void on_end(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info)
{
    gw_station *s = ctx;
    s->iin = info->iin;
    s->has_response = true;
    s->last_response_ms = s->received_ms;
    (void)a;
    group_add(s, info->confirm_token); /* confirmed once the group commit stored it */
}

static void on_task_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    (void)a;
    gw_station *s = ctx;
    if (info->result == DNP3_TASK_SUCCESS || info->result == DNP3_TASK_DISCONNECTED || s->g->stopping) return;
    fprintf(stderr, "%s: %s: %s: %s\n", CMD, s->cfg->name, dnp3_task_kind_name(info->kind),
            dnp3_task_result_str(info->result));
    fflush(stderr);
}

static bool on_utc(void *ctx, dnp3_time48 *out)
{
    (void)ctx;
    *out = dnp3_io_utc_ms();
    return true;
}

/* ---- connection ---- */

/* The outstations row follows a connect or disconnect: in the next group commit (with the batch
 * waiting there already, if any). */
static void store_status(gw_station *s)
{
    if (!s->in_group) {
        batch_clear(s);
        group_add(s, 0);
    }
}

static void up_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)now;
    gw_station *s = ctx;
    s->connected = true;
    printf("%s: %s: connected to %s\n", CMD, s->cfg->name, peer);
    fflush(stdout);
    store_status(s);
}

static void up_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    (void)now;
    gw_station *s = ctx;
    bool was = s->connected;
    s->connected = false;
    if (s->g->stopping) return;
    printf("%s: %s: %s; reconnecting\n", CMD, s->cfg->name, reason);
    fflush(stdout);
    if (was) store_status(s);
}

/* Secure Authentication's events, one log line each: the failures say what to check. */
static void on_sa_event(void *ctx, const dnp3_sa_event *ev)
{
    gw_station *s = ctx;
    if (ev->kind == DNP3_SA_EV_ERROR_RECEIVED && ev->function == 0)
        printf("%s: %s: security: the outstation answered %s for user %u%s\n", CMD, s->cfg->name,
               dnp3_sa_error_name(ev->error), ev->user, sa_cli_error_hint(ev->error));
    else
        printf("%s: %s: security: %s%s\n", CMD, s->cfg->name, sa_cli_event_text(ev),
               ev->kind == DNP3_SA_EV_KEY_CHANGE_FAILED ? " (wrong update key?)" : "");
    fflush(stdout);
}

/* The master side of SA for the station's association: the update key is read here (a problem is
 * a configuration error naming the YAML line), used, and wiped. */
static int attach_sa(gw *g, gw_station *s, const gw_outstation_cfg *oc)
{
    dnp3_sa_master_config c;
    dnp3_sa_master_config_init(&c);
    c.user.number = oc->sa_user;
    if (sa_cli_read_key(CMD, oc->sa_key_where, oc->sa_key_file, c.user.key, &c.user.key_len)) return 2;
    c.aggressive_mode = oc->sa_aggressive;
    c.key_change_interval_ms = oc->sa_key_change_interval_s * 1000;
    c.key_change_count = oc->sa_key_change_count;
    c.on_event = on_sa_event;
    c.ctx = s;
    if (!(s->sa = sa_cli_master_attach(s->a, &c, dnp3_io_now(g->loop), &s->sa_mem))) {
        fprintf(stderr, "%s: %s: cannot set up Secure Authentication\n", CMD, oc->name);
        return 1;
    }
    return 0;
}

/* ---- commands from MQTT (docs/gateway.md, "Commands from MQTT") ---- */

typedef struct {
    gw *g;
    gw_station *s;
    gw_command_req req;
    char command[96];
    int64_t issued_ms;
} gw_pending;

static void describe(const gw_command_req *r, char *buf, size_t cap)
{
    if (r->crob)
        snprintf(buf, cap, "crob %u %s", r->index, r->code_name);
    else
        snprintf(buf, cap, "analog %u = %.17g", r->index, r->value);
}

/* Publishes the result, records it in the database and logs it. req NULL: not understood. */
static void command_done(gw *g, const char *outstation, const gw_command_req *req, const char *command,
                         int64_t issued_ms, bool ok, const char *result)
{
    int64_t completed = (int64_t)dnp3_io_utc_ms();
    const char *who = req && req->client[0] ? req->client : "unknown";
    char json[1024];
    size_t n = (size_t)snprintf(json, sizeof json, "{\"ok\":%s,\"result\":", ok ? "true" : "false");
    n = gw_json_str(json, sizeof json, n, result);
    n += (size_t)snprintf(json + n, n < sizeof json ? sizeof json - n : 0, ",\"command\":");
    n = gw_json_str(json, sizeof json, n, command);
    n += (size_t)snprintf(json + n, n < sizeof json ? sizeof json - n : 0, ",\"id\":");
    n = gw_json_str(json, sizeof json, n, req && req->id[0] ? req->id : NULL);
    n += (size_t)snprintf(json + n, n < sizeof json ? sizeof json - n : 0, ",\"issued\":%lld,\"completed\":%lld}",
                          (long long)issued_ms, (long long)completed);
    if (n < sizeof json && g->mqtt && gw_mqtt_command_result(g->mqtt, outstation, json))
        fprintf(stderr, "%s: %s: the result of a command could not be published\n", CMD, outstation);
    gw_audit a = {outstation,
                  who,
                  issued_ms,
                  command,
                  req ? (req->crob ? "crob" : "analog_output") : NULL,
                  req != NULL,
                  req ? req->index : 0,
                  req && !req->crob,
                  req ? req->value : 0,
                  result,
                  completed};
    for (size_t i = 0; i < g->n_stores; i++) {
        gw_store *k = &g->stores[i];
        char err[512];
        if (k->up && k->sink.ops->audit && k->sink.ops->audit(&k->sink, &a, err, sizeof err))
            fprintf(stderr, "%s: %s: command not audited: %s\n", CMD, outstation, err);
    }
    printf("%s: %s: command %s from %s: %s\n", CMD, outstation, command, who, result);
    fflush(stdout);
    fflush(stderr);
}

static void on_command_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    (void)a;
    gw_pending *p = ctx;
    char result[160];
    bool ok = false;
    if (info->n_statuses > 0 && info->statuses[0] != DNP3_CS_SUCCESS)
        snprintf(result, sizeof result, "command status %s", dnp3_command_status_name(info->statuses[0]));
    else if (info->result != DNP3_TASK_SUCCESS)
        snprintf(result, sizeof result, "failed: %s", dnp3_task_result_str(info->result));
    else {
        snprintf(result, sizeof result, "SUCCESS");
        ok = true;
    }
    command_done(p->g, p->s->cfg->name, &p->req, p->command, p->issued_ms, ok, result);
    free(p);
}

static void handle_command(gw *g, const char *outstation, const char *payload, size_t len)
{
    int64_t issued = (int64_t)dnp3_io_utc_ms();
    gw_command_req req;
    char why[256], command[96];
    bool parsed = gw_command_parse(payload, len, &req, why, sizeof why) == 0;
    if (parsed)
        describe(&req, command, sizeof command);
    else
        snprintf(command, sizeof command, "%.*s", len > 80 ? 80 : (int)len, payload);
    gw_station *s = NULL;
    for (size_t i = 0; i < g->cfg.n_outstations; i++)
        if (!strcmp(g->cfg.outstations[i].name, outstation)) s = &g->st[i];
    const gw_command_req *rq = parsed ? &req : NULL;
    /* the order of the checks: a disabled or unauthenticated gateway says so before it looks at the request */
    if (!s && g->cfg.shard_n && gw_shard_of(outstation, g->cfg.shard_n) != g->cfg.shard_k)
        return; /* another shard's outstation: that shard answers */
    if (!s) {
        command_done(g, outstation, rq, command, issued, false, "refused: unknown outstation");
        return;
    }
    if (!s->cfg->commands) {
        command_done(g, outstation, rq, command, issued, false,
                     "refused: commands disabled for this outstation (commands: true in the configuration)");
        return;
    }
    if (!g->cfg.mqtt_user[0] && !g->cfg.mqtt_cert[0]) {
        command_done(g, outstation, rq, command, issued, false,
                     "refused: unauthenticated broker connection (mqtt username and password, or a client "
                     "certificate)");
        return;
    }
    if (!parsed) {
        char r[300];
        snprintf(r, sizeof r, "refused: %s", why);
        command_done(g, outstation, NULL, command, issued, false, r);
        return;
    }
    if (!s->connected || !s->a) {
        command_done(g, outstation, rq, command, issued, false, "refused: the outstation is not connected");
        return;
    }
    const uint8_t *seen = req.crob ? s->seen_bo : s->seen_ao;
    if (!(seen[req.index / 8] & (1u << (req.index % 8)))) {
        char r[160];
        snprintf(r, sizeof r, "refused: unknown point (the outstation reported no %s %u)",
                 req.crob ? "binary output" : "analog output", req.index);
        command_done(g, outstation, rq, command, issued, false, r);
        return;
    }
    gw_pending *p = calloc(1, sizeof *p);
    if (!p) {
        command_done(g, outstation, rq, command, issued, false, "failed: out of memory");
        return;
    }
    *p = (gw_pending){g, s, req, "", issued};
    snprintf(p->command, sizeof p->command, "%s", command);
    dnp3_command cmd =
        req.crob ? dnp3_command_crob(req.index, req.code, 1, 1000, 1000)
                 : dnp3_command_analog(req.index, req.value == (double)(int32_t)req.value ? 1 : 3, req.value);
    uint8_t q = req.index > 255 ? DNP3_QUAL_COUNT_16_INDEX_16 : DNP3_QUAL_COUNT_8_INDEX_8;
    int rc =
        dnp3_master_operate(s->a, DNP3_CMD_SELECT_OPERATE, q, &cmd, 1, on_command_done, p, dnp3_io_now(g->loop));
    if (rc < 0) {
        char r[160];
        snprintf(r, sizeof r, "failed: cannot submit (%d)", rc);
        command_done(g, outstation, rq, command, issued, false, r);
        free(p);
        return;
    }
    dnp3_io_master_kick(s->bind);
}

/* MQTT network thread: queue the message and wake the loop. */
static void on_mqtt_command(void *ctx, const char *outstation, const char *payload, size_t len)
{
    gw *g = ctx;
    if (len > 4096) len = 4096; /* longer is not a command: parsed in part, refused */
    gw_cmd_msg *m = malloc(sizeof *m + len + 1);
    if (!m) return;
    m->next = NULL;
    snprintf(m->outstation, sizeof m->outstation, "%s", outstation);
    m->len = len;
    memcpy(m->payload, payload, len);
    m->payload[len] = 0;
    pthread_mutex_lock(&g->cmd_mu);
    if (g->cmd_queued >= 64 || g->cmd_closed) { /* a flood (the loop is far behind), or stopping */
        pthread_mutex_unlock(&g->cmd_mu);
        free(m);
        return;
    }
    if (g->cmd_tail)
        g->cmd_tail->next = m;
    else
        g->cmd_head = m;
    g->cmd_tail = m;
    g->cmd_queued++;
    uv_async_send(&g->cmd_async); /* under the mutex: on_stop cannot close it meanwhile */
    pthread_mutex_unlock(&g->cmd_mu);
}

static void on_cmd_async(uv_async_t *h)
{
    gw *g = h->data;
    pthread_mutex_lock(&g->cmd_mu);
    gw_cmd_msg *m = g->cmd_head;
    g->cmd_head = g->cmd_tail = NULL;
    g->cmd_queued = 0;
    pthread_mutex_unlock(&g->cmd_mu);
    while (m) {
        gw_cmd_msg *next = m->next;
        if (!g->stopping) handle_command(g, m->outstation, m->payload, m->len);
        free(m);
        m = next;
    }
}

/* ---- stopping ---- */

static void on_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_stop(uv_timer_t *t)
{
    gw *g = t->data;
    flush_group(g); /* what arrived is stored and its confirms released before anything closes */
    for (size_t i = 0; i < g->cfg.n_outstations; i++)
        if (g->st[i].bind && g->st[i].connected) {
            g->st[i].connected = false; /* the outstations table says we left */
            store_status(&g->st[i]);
        }
    flush_group(g);
    for (size_t i = 0; i < g->cfg.n_outstations; i++)
        if (g->st[i].bind) {
            dnp3_io_master_stop(g->st[i].bind); /* sends the queued confirms first */
            g->st[i].bind = NULL;
        }
    uv_close((uv_handle_t *)&g->flush, on_closed);
    uv_close((uv_handle_t *)&g->sigint, on_closed);
    uv_close((uv_handle_t *)&g->sigterm, on_closed);
    uv_close((uv_handle_t *)&g->stop, on_closed);
    pthread_mutex_lock(&g->cmd_mu);
    g->cmd_closed = true;
    pthread_mutex_unlock(&g->cmd_mu);
    uv_close((uv_handle_t *)&g->cmd_async, on_closed);
}

static void on_signal(uv_signal_t *h, int signum)
{
    gw *g = h->data;
    if (g->stopping) return;
    g->stopping = true;
    /* a transaction is written and committed inside one callback (the group commit): none is half
     * done here; on_stop stores the waiting group before it closes anything */
    printf("%s: %s received, stopping\n", CMD, signum == SIGINT ? "SIGINT" : "SIGTERM");
    fflush(stdout);
    uv_timer_start(&g->stop, on_stop, 0, 0);
}

/* ---- set-up ---- */

static int start_station(gw *g, gw_station *s, const gw_outstation_cfg *oc)
{
    s->g = g;
    s->cfg = oc;
    master_session_config target;
    memset(&target, 0, sizeof target);
    if (master_parse_target(CMD, oc->target, &target)) return 2;
    if (target.tls && !g->cfg.tls.any)
        return cli_usage_error(CMD,
                               "%s: a tls:// target needs the gateway's certificate: --tls-cert, --tls-key and "
                               "--tls-ca or --tls-peer-cert (or the tls: section of --config)",
                               oc->name);
    if (target.tls && !g->tls && !(g->tls = tls_cli_load(CMD, &g->cfg.tls, false))) return 2;
    if (target.serial)
        return cli_usage_error(CMD, "%s: serial: targets are not supported by run yet (tcp:// and udp:// are)",
                               oc->name);
    snprintf(s->host, sizeof s->host, "%s", target.host);
    s->port = target.port;

    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = oc->master_addr;
    cc.remote_addr = oc->link_addr;
    cc.mode = target.udp ? DNP3_CHANNEL_DATAGRAM : DNP3_CHANNEL_STREAM;
    cc.keep_alive_ms = 60000;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler.fragment_begin = on_begin;
    mc.handler.measurement = on_measurement;
    mc.handler.fragment_end = on_end;
    mc.handler.task_done = on_task_done;
    mc.handler.utc_now = on_utc;
    mc.handler.ctx = s;
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = oc->link_addr;
    ac.response_timeout_ms = oc->timeout_ms;
    ac.integrity_period_ms = oc->integrity_period_s * 1000;
    for (int i = 0; i < 3; i++) ac.class_period_ms[i] = oc->event_period_s * 1000;
    ac.startup_enable_unsol = oc->unsolicited ? DNP3_CLASS_123 : 0;
    ac.defer_confirm = true; /* confirm only what is stored */
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, target.udp ? DNP3_IO_UDP : DNP3_IO_TCP_CLIENT);
    master_ip_endpoint(&ioc, target.udp, s->host, s->port, oc->timeout_ms, true);
    if (target.tls) ioc.tls = g->tls; /* the certificate must name the host unless tls peer_name says */
    dnp3_io_hooks hooks = {s, up_open, up_close, NULL, NULL, NULL};
    int err = dnp3_io_master_create(g->loop, &cc, &mc, &hooks, &s->bind);
    if (!err) {
        s->a = dnp3_master_add_assoc(dnp3_io_master_get(s->bind), &ac, dnp3_io_now(g->loop));
        if (s->a && oc->sa) {
            int rc = attach_sa(g, s, oc);
            if (rc) return rc;
        }
        err = s->a ? dnp3_io_master_open(s->bind, &ioc) : UV_EINVAL;
    }
    if (err) {
        fprintf(stderr, "%s: %s: cannot start: %s\n", CMD, oc->name, uv_strerror(err));
        return 1;
    }
    return 0;
}

/* --shard K/N: keep this shard's outstations; the shard's own MQTT identity (gateway status topic
 * PREFIX/status/K, Sparkplug edge node NODE-K), so that the N processes never speak for each other. */
static int apply_shard(gw *g, unsigned k, unsigned n)
{
    size_t total = g->cfg.n_outstations;
    g->cfg.shard_k = k;
    g->cfg.shard_n = n;
    gw_config_keep_shard(&g->cfg);
    char suffix[16];
    snprintf(suffix, sizeof suffix, "-%u", k);
    if (strlen(g->cfg.mqtt_node) + strlen(suffix) >= sizeof g->cfg.mqtt_node)
        return cli_usage_error(CMD, "--shard: the Sparkplug node id '%s' is too long for a shard suffix",
                               g->cfg.mqtt_node);
    strcat(g->cfg.mqtt_node, suffix);
    printf("%s: shard %u/%u: %zu of %zu outstations\n", CMD, k, n, g->cfg.n_outstations, total);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dnp3 master run TARGET [--sqlite FILE | --postgres CONNINFO] [--mqtt HOST[:PORT]] [options]\n"
            "       dnp3 master run --config FILE\n"
            "\n"
            "TARGET is HOST[:PORT], tcp://HOST:PORT, udp://HOST:PORT (port 20000 by default) or\n"
            "tls://HOST[:PORT] (IEC 62351-3, port 19999; with the --tls-* options below).\n"
            "Polls outstations and stores every measurement; the application confirm of events\n"
            "is sent only after the store committed them (docs/gateway.md). Until SIGINT/SIGTERM.\n"
            "\n"
            "  --sqlite FILE          store in this SQLite file (created if missing; WAL); with no\n"
            "                         database and no --mqtt: ./dnp3.db\n"
            "  --postgres CONNINFO    store in PostgreSQL (libpq conninfo or URI)\n"
            "  --mqtt HOST[:PORT]     publish every measurement as JSON to this MQTT broker (QoS 1,\n"
            "                         retained; with or without a database; port 1883 by default);\n"
            "                         mqtts://HOST[:PORT]: over TLS (port 8883 by default), the broker's\n"
            "                         certificate and name checked against --mqtt-ca or the system's CAs\n"
            "  --mqtt-ca FILE         CA certificates (PEM) that may sign the broker's certificate\n"
            "  --mqtt-cert FILE       the gateway's certificate (PEM), for a broker that asks for one,\n"
            "  --mqtt-key FILE        with its private key (PEM, unencrypted); a CA or a certificate\n"
            "                         turns TLS on\n"
            "  --mqtt-prefix P        topic prefix: P/OUTSTATION/TYPE/INDEX, P/status (default dnp3)\n"
            "  --mqtt-format F        json (default) or sparkplug (Sparkplug B: spBv1.0/GROUP/...)\n"
            "  --mqtt-group G         Sparkplug group id (default: the prefix)\n"
            "  --mqtt-node N          Sparkplug edge node id (default: the host name)\n"
            "  --mqtt-user U          broker user name (password: mqtt.password in --config only)\n"
            "  --name NAME            the outstation's name in the store (default: TARGET)\n"
            "  --link-addr N          the outstation's link address (default 10)\n"
            "  --master-addr N        our link address (default 1)\n"
            "  --integrity-period S   integrity poll period (default 3600, 0 = start-up only)\n"
            "  --event-period S       class 1-3 poll period (default 5, 0 = unsolicited only)\n"
            "  --no-unsolicited       do not enable unsolicited reporting\n"
            "  --timeout MS           response timeout (default 5000)\n"
            "  --sa-update-key-file FILE  Secure Authentication v5 with this update key (32 or 64\n"
            "                         hex digits); --sa-user N: the user (default 1)\n"
            "  --shard K/N            with --config: run only the outstations whose name hashes to K\n"
            "                         (0 <= K < N), so N processes share the fleet (docs/gateway.md)\n"
            "  --config FILE          YAML: outstations (name, target, link_addr, master_addr,\n"
            "                         integrity_period_s, event_period_s, unsolicited, timeout_ms,\n"
            "                         commands, points), store (sqlite or postgres; default\n"
            "                         ./dnp3.db), mqtt (url or host and port, prefix, format, group,\n"
            "                         node, username, password, commands, tls, ca, certificate,\n"
            "                         private_key), tls (certificate, private_key, ca,\n"
            "                         peer_certificate, crl, peer_name)\n"
            "%s",
            TLS_CLI_HELP);
}

static int parse(int argc, char **argv, gw_config *c, const char **config)
{
    static gw_outstation_cfg one;
    gw_outstation_defaults(&one);
    const char *target = NULL, *name = NULL;
    bool any_station_option = false, any_mqtt_option = false, sa_user_given = false;
    uint64_t v;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            if (target) return cli_usage_error(CMD, "unexpected argument '%s' (one TARGET only)", a);
            target = a;
            continue;
        }
        if (!strcmp(a, "--no-unsolicited")) {
            one.unsolicited = false;
            any_station_option = true;
            continue;
        }
        if (!val) return cli_usage_error(CMD, "%s needs a value", a);
        i++;
        if (!strncmp(a, "--mqtt", 6)) any_mqtt_option = true;
        int tls_rc = tls_cli_option(CMD, a, val, &c->tls);
        if (tls_rc == 2) return 2;
        if (tls_rc == 1) {
            any_station_option = true;
            continue;
        }
        if (!strcmp(a, "--config")) {
            *config = val;
        } else if (!strcmp(a, "--shard")) {
            unsigned k, n;
            if (!gw_parse_shard(val, &k, &n))
                return cli_usage_error(CMD, "--shard: expected K/N with 0 <= K < N <= 4096, not '%s'", val);
            c->shard_k = k;
            c->shard_n = n;
        } else if (!strcmp(a, "--sqlite") || !strcmp(a, "--postgres")) {
            if (c->store != GW_STORE_NONE)
                return cli_usage_error(CMD, "give one store: --sqlite FILE or --postgres CONNINFO");
            c->store = !strcmp(a, "--sqlite") ? GW_STORE_SQLITE : GW_STORE_POSTGRES;
            snprintf(c->store == GW_STORE_SQLITE ? c->sqlite_path : c->pg_conninfo,
                     c->store == GW_STORE_SQLITE ? sizeof c->sqlite_path : sizeof c->pg_conninfo, "%s", val);
        } else if (!strcmp(a, "--mqtt")) {
            c->mqtt = true;
            char why[200];
            if (gw_mqtt_address(val, c->mqtt_host, sizeof c->mqtt_host, &c->mqtt_port, &c->mqtt_scheme, why,
                                sizeof why))
                return cli_usage_error(CMD, "--mqtt: %s", why);
        } else if (!strcmp(a, "--mqtt-ca") || !strcmp(a, "--mqtt-cert") || !strcmp(a, "--mqtt-key")) {
            char *dst = !strcmp(a, "--mqtt-ca")     ? c->mqtt_ca
                        : !strcmp(a, "--mqtt-cert") ? c->mqtt_cert
                                                    : c->mqtt_key;
            if (!val[0] || strlen(val) >= sizeof c->mqtt_ca) return cli_usage_error(CMD, "%s: a file name", a);
            snprintf(dst, sizeof c->mqtt_ca, "%s", val);
        } else if (!strcmp(a, "--mqtt-prefix")) {
            if (!val[0] || strchr(val, '+') || strchr(val, '#'))
                return cli_usage_error(CMD, "--mqtt-prefix: '%s' is not a topic prefix", val);
            snprintf(c->mqtt_prefix, sizeof c->mqtt_prefix, "%s", val);
        } else if (!strcmp(a, "--mqtt-format")) {
            if (strcmp(val, "json") != 0 && strcmp(val, "sparkplug") != 0)
                return cli_usage_error(CMD, "--mqtt-format: expected json or sparkplug, not '%s'", val);
            c->sparkplug = !strcmp(val, "sparkplug");
        } else if (!strcmp(a, "--mqtt-group") || !strcmp(a, "--mqtt-node")) {
            bool grp = !strcmp(a, "--mqtt-group");
            if (!gw_sparkplug_id_ok(val))
                return cli_usage_error(CMD, "%s: '%s' is not a Sparkplug id (non-empty, without / + #)", a, val);
            snprintf(grp ? c->mqtt_group : c->mqtt_node, grp ? sizeof c->mqtt_group : sizeof c->mqtt_node, "%s",
                     val);
        } else if (!strcmp(a, "--mqtt-user")) {
            snprintf(c->mqtt_user, sizeof c->mqtt_user, "%s", val);
        } else if (!strcmp(a, "--name")) {
            name = val;
            any_station_option = true;
        } else if (!strcmp(a, "--link-addr") || !strcmp(a, "--master-addr")) {
            if (cli_uint(CMD, a, val, 0, 0xFFEF, &v)) return 2;
            *(!strcmp(a, "--link-addr") ? &one.link_addr : &one.master_addr) = (uint16_t)v;
            any_station_option = true;
        } else if (!strcmp(a, "--integrity-period") || !strcmp(a, "--event-period")) {
            if (cli_uint(CMD, a, val, 0, 604800, &v)) return 2;
            *(!strcmp(a, "--integrity-period") ? &one.integrity_period_s : &one.event_period_s) = (uint32_t)v;
            any_station_option = true;
        } else if (!strcmp(a, "--sa-user")) {
            if (cli_uint(CMD, a, val, 1, 65535, &v)) return 2;
            one.sa_user = (uint16_t)v;
            any_station_option = sa_user_given = true;
        } else if (!strcmp(a, "--sa-update-key-file")) {
            if (!val[0] || strlen(val) >= sizeof one.sa_key_file)
                return cli_usage_error(CMD, "%s: a file name", a);
            one.sa = true;
            snprintf(one.sa_key_file, sizeof one.sa_key_file, "%s", val);
            snprintf(one.sa_key_where, sizeof one.sa_key_where, "%s", a);
            any_station_option = true;
        } else if (!strcmp(a, "--timeout")) {
            if (cli_uint(CMD, a, val, 100, 600000, &v)) return 2;
            one.timeout_ms = (uint32_t)v;
            any_station_option = true;
        } else {
            return cli_usage_error(CMD, "unknown option '%s' (see dnp3 master run --help)", a);
        }
    }
    if (*config) {
        if (target || any_station_option || any_mqtt_option || c->store != GW_STORE_NONE)
            return cli_usage_error(CMD, "--config FILE replaces TARGET and the other options");
        return 0;
    }
    if (c->shard_n) return cli_usage_error(CMD, "--shard K/N shares the outstations of a --config FILE");
    if (!target) return cli_usage_error(CMD, "run needs a TARGET (HOST[:PORT]) or --config FILE");
    gw_config_default_store(c);
    if (one.link_addr == one.master_addr) return cli_usage_error(CMD, "--master-addr and --link-addr are equal");
    if (sa_user_given && !one.sa) return cli_usage_error(CMD, "--sa-user needs --sa-update-key-file FILE");
    char why[200];
    if (c->mqtt && gw_mqtt_settle(c, why, sizeof why)) return cli_usage_error(CMD, "%s", why);
    if (!c->mqtt && (c->mqtt_ca[0] || c->mqtt_cert[0] || c->mqtt_key[0]))
        return cli_usage_error(CMD, "--mqtt-ca, --mqtt-cert and --mqtt-key go with --mqtt");
    snprintf(one.name, sizeof one.name, "%s", name ? name : target);
    snprintf(one.target, sizeof one.target, "%s", target);
    c->outstations = calloc(1, sizeof *c->outstations);
    if (!c->outstations) return 1;
    c->outstations[0] = one;
    c->n_outstations = 1;
    return 0;
}

int cmd_master_run(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    gw *g = calloc(1, sizeof *g);
    if (!g) return 1;
    const char *config = NULL;
    gw_config_defaults(&g->cfg);
    int rc = parse(argc, argv, &g->cfg, &config);
    if (!rc && config) {
        char err[1024];
        unsigned shard_k = g->cfg.shard_k, shard_n = g->cfg.shard_n;
        if (gw_config_load(config, &g->cfg, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            rc = 2;
        } else if (shard_n) {
            rc = apply_shard(g, shard_k, shard_n);
        }
    }
    if (!rc && g->cfg.mqtt && g->cfg.mqtt_password[0] && !g->cfg.mqtt_tls && !cli_is_loopback(g->cfg.mqtt_host))
        fprintf(stderr, "%s: warning: the MQTT password crosses the network in clear text (use mqtts://)\n", CMD);
    if (!rc && cli_raise_fd_limit(g->cfg.n_outstations + 64) != 0)
        fprintf(stderr, "%s: warning: the open-file limit is below the %zu descriptors %zu outstations need\n",
                CMD, g->cfg.n_outstations + 64, g->cfg.n_outstations);
    if (rc) {
        gw_config_free(&g->cfg);
        free(g);
        return rc;
    }
    g->loop = uv_default_loop();
    if (g->cfg.store == GW_STORE_SQLITE)
        rc = gw_sink_sqlite(&g->stores[g->n_stores++].sink, g->cfg.sqlite_path);
    else if (g->cfg.store == GW_STORE_POSTGRES)
        rc = gw_sink_postgres(&g->stores[g->n_stores++].sink, g->cfg.pg_conninfo);
    pthread_mutex_init(&g->cmd_mu, NULL);
    uv_async_init(g->loop, &g->cmd_async, on_cmd_async);
    g->cmd_async.data = g;
    if (!rc && g->cfg.mqtt) {
        g->mqtt = &g->stores[g->n_stores++].sink;
        char err[600];
        if (gw_sink_mqtt(g->mqtt, &g->cfg, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", CMD, err); /* a wrong file: a configuration error */
            g->n_stores--;
            g->mqtt = NULL;
            rc = 2;
        } else if (g->cfg.mqtt_commands) {
            gw_mqtt_on_command(g->mqtt, on_mqtt_command, g);
        }
    }
    for (size_t i = 0; !rc && i < g->n_stores; i++) {
        gw_store *k = &g->stores[i];
        char err[512];
        if (store_open(g, k, err, sizeof err) == 0) {
            k->up = true;
        } else if (k->sink.ops == g->stores[0].sink.ops && g->cfg.store == GW_STORE_SQLITE) {
            fprintf(stderr, "%s: %s\n", CMD, err); /* a bad SQLite file will not get better */
            rc = 1;
        } else {
            sink_down(g, k, err); /* a server may come later: the events wait in the outstations */
        }
    }
    g->st = rc ? NULL : calloc(g->cfg.n_outstations, sizeof *g->st);
    g->group = rc ? NULL : calloc(g->cfg.n_outstations, sizeof(gw_station *));
    g->flushing = rc ? NULL : calloc(g->cfg.n_outstations, sizeof(gw_station *));
    if (!rc && (!g->st || !g->group || !g->flushing)) rc = 1;
    if (!rc) {
        for (size_t i = 0; i < g->n_stores; i++)
            printf("%s: storing in %s %s\n", CMD, g->stores[i].sink.ops->name,
                   g->stores[i].sink.ops == g->stores[0].sink.ops && g->cfg.store == GW_STORE_SQLITE
                       ? g->cfg.sqlite_path
                   : !strcmp(g->stores[i].sink.ops->name, "mqtt") ? g->cfg.mqtt_host
                                                                  : "(conninfo given)");
        fflush(stdout);
        uv_signal_init(g->loop, &g->sigint);
        uv_signal_init(g->loop, &g->sigterm);
        uv_timer_init(g->loop, &g->stop);
        uv_idle_init(g->loop, &g->flush);
        g->sigint.data = g->sigterm.data = g->stop.data = g->flush.data = g;
        uv_signal_start(&g->sigint, on_signal, SIGINT);
        uv_signal_start(&g->sigterm, on_signal, SIGTERM);
        for (size_t i = 0; i < g->cfg.n_outstations && !rc; i++)
            rc = start_station(g, &g->st[i], &g->cfg.outstations[i]);
        if (rc) {
            g->stopping = true;
            uv_timer_start(&g->stop, on_stop, 0, 0);
        }
        uv_run(g->loop, UV_RUN_DEFAULT);
        uv_loop_close(g->loop);
        printf("%s: stored %llu rows of %llu responses in %llu transactions, %llu confirms released, %llu batches "
               "refused\n",
               CMD, (unsigned long long)g->rows, (unsigned long long)g->batches, (unsigned long long)g->commits,
               (unsigned long long)g->released, (unsigned long long)g->refused);
        fflush(stdout);
    }
    for (size_t i = 0; i < g->n_stores; i++)
        if (g->stores[i].sink.ops) g->stores[i].sink.ops->close(&g->stores[i].sink);
    for (size_t i = 0; g->st && i < g->cfg.n_outstations; i++) {
        if (g->st[i].sa) dnp3_sa_master_free(g->st[i].sa);
        free(g->st[i].sa_mem);
        batch_clear(&g->st[i]);
        free(g->st[i].rows);
        free(g->st[i].texts);
    }
    free(g->st);
    free(g->group);
    free(g->flushing);
    for (gw_cmd_msg *m = g->cmd_head, *next; m; m = next) {
        next = m->next;
        free(m);
    }
    pthread_mutex_destroy(&g->cmd_mu);
    dnp3_tls_free(g->tls);
    gw_config_free(&g->cfg);
    free(g);
    return rc;
}
