/*
 * sink_mqtt.c - MQTT publishing of `dnp3 master run` (libmosquitto): every
 * measurement as JSON on PREFIX/OUTSTATION/TYPE/INDEX, QoS 1, retained (the
 * broker keeps the latest value of each point); the state of each outstation
 * on PREFIX/OUTSTATION/status (retained); the gateway's own PREFIX/status is
 * "online", with "offline" as its last will.
 *
 * A batch counts as committed when the broker acknowledged (PUBACK) every
 * message of it: only then is the outstation's confirm released. The
 * network thread of libmosquitto (mosquitto_loop_start) receives the
 * acknowledgements; commit waits for them on a condition variable.
 *
 * With the Sparkplug B format (sink_sparkplug.c) the messages are those of
 * an edge node instead, QoS 0 as the specification asks: commit then waits
 * until libmosquitto wrote them to the socket. The will is the NDEATH with
 * the session's bdSeq, renewed before every reconnect.
 *
 * With TLS (mqtts://, gw_mqtt_tls.c) libmosquitto runs on the gateway's own
 * TLS context; a failed handshake or a refused CONNECT is reported with its
 * reason (the certificate check's, OpenSSL's last error, or the CONNACK code).
 */
#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway.h"

typedef struct {
    char host[256];
    int port;
    char prefix[128];
    char user[128], password[256];
    gw_mqtt_tls *tls;     /* MQTT over TLS, or NULL */
    bool tls_client_cert; /* the gateway shows the broker a certificate */
    struct mosquitto *mq;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool connected, conn_failed;
    int connack;          /* the CONNACK's return code when the broker refused the CONNECT */
    char last_error[200]; /* libmosquitto's last error message (an OpenSSL error, for one) */
    uint64_t sent, acked; /* messages of the current batch */
    int online_mid;       /* the "online" status message: not part of a batch */
    char status_topic[200];
    spb_node *spb;            /* Sparkplug B, or NULL for JSON */
    pthread_mutex_t spb_mu;   /* the node's state: bdSeq changes on the network thread */
    bool will_pending;        /* the will's bdSeq has not been used by a CONNECT yet */
    bool opened;              /* mq_open ran before */
    gw_command_fn on_command; /* commands from PREFIX/+/command, or NULL */
    void *command_ctx;
    char command_sub[200]; /* PREFIX/+/command */
    /* what each outstation's status topic says: published again only when it changes */
    struct mq_seen {
        char name[64];
        bool connected;
        uint16_t iin;
    } * seen; /* one per outstation of the process */
    size_t n_seen, cap_seen;
} mq_sink;

/* True when the outstation's connection or IIN differ from what was published last. */
static bool status_changed(mq_sink *q, const gw_status *st)
{
    for (size_t i = 0; i < q->n_seen; i++) {
        if (strcmp(q->seen[i].name, st->name) != 0) continue;
        bool changed = q->seen[i].connected != st->connected || q->seen[i].iin != st->iin;
        q->seen[i].connected = st->connected;
        q->seen[i].iin = st->iin;
        return changed;
    }
    if (q->n_seen < q->cap_seen) {
        snprintf(q->seen[q->n_seen].name, sizeof q->seen[0].name, "%s", st->name);
        q->seen[q->n_seen].connected = st->connected;
        q->seen[q->n_seen].iin = st->iin;
        q->n_seen++;
    }
    return true;
}

#define ACK_WAIT_MS 5000

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    mq_sink *q = obj;
    pthread_mutex_lock(&q->mu);
    q->connected = rc == 0;
    q->conn_failed = rc != 0;
    q->connack = rc;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    if (q->spb) {
        pthread_mutex_lock(&q->spb_mu);
        q->will_pending = false; /* that CONNECT carried the will's bdSeq */
        pthread_mutex_unlock(&q->spb_mu);
    } else if (rc == 0) { /* after every (re)connect: we are back */
        mosquitto_publish(m, &q->online_mid, q->status_topic, 6, "online", 1, true);
    }
    if (rc == 0 && q->on_command) /* a clean session: subscribe again after every connect */
        mosquitto_subscribe(m, NULL, q->command_sub, 1);
    if (rc == 0 && q->spb) { /* rebirth requests of host applications */
        char ncmd[300];
        spb_ncmd_topic(q->spb, ncmd, sizeof ncmd);
        mosquitto_subscribe(m, NULL, ncmd, 0);
        if (q->on_command) { /* writes to output metrics: commands, under the same rules */
            spb_dcmd_filter(q->spb, ncmd, sizeof ncmd);
            mosquitto_subscribe(m, NULL, ncmd, 0);
        }
    }
}

/* Keeps libmosquitto's last error message for the report of a failed connection. */
static void on_log(struct mosquitto *m, void *obj, int level, const char *text)
{
    (void)m;
    mq_sink *q = obj;
    if (level != MOSQ_LOG_ERR) return;
    /* "OpenSSL Error[0]: error:0A00045C:SSL routines::tlsv13 alert certificate required": the reason */
    const char *reason = strrchr(text, ':');
    bool ssl = !strncmp(text, "OpenSSL Error", 13) && reason && reason[1];
    pthread_mutex_lock(&q->mu);
    snprintf(q->last_error, sizeof q->last_error, "%s%s", ssl ? "TLS: " : "", ssl ? reason + 1 : text);
    if (!q->connected && !q->conn_failed) { /* a failed TLS handshake ends the attempt: no CONNACK comes */
        q->conn_failed = true;
        q->connack = -1;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
}

/* Why the connection failed: the certificate check, else libmosquitto's last error, else `fallback`. */
static const char *connect_error(mq_sink *q, const char *fallback, char *buf, size_t cap)
{
    if (q->tls && gw_mqtt_tls_take_error(q->tls, buf, cap)[0]) return buf;
    pthread_mutex_lock(&q->mu);
    snprintf(buf, cap, "%s", q->last_error[0] ? q->last_error : fallback);
    q->last_error[0] = 0;
    pthread_mutex_unlock(&q->mu);
    return buf;
}

/* PREFIX/OUTSTATION/command: handed to the gateway (which answers every one of them) */
static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)m;
    mq_sink *q = obj;
    if (q->spb) {
        char ncmd[300];
        spb_ncmd_topic(q->spb, ncmd, sizeof ncmd);
        if (!strcmp(msg->topic, ncmd)) {
            pthread_mutex_lock(&q->spb_mu);
            (void)spb_ncmd(q->spb, msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
            pthread_mutex_unlock(&q->spb_mu);
            return;
        }
        const char *device = q->on_command ? spb_dcmd_device(q->spb, msg->topic) : NULL;
        if (device) {
            char json[8][256];
            pthread_mutex_lock(&q->spb_mu);
            size_t k =
                spb_dcmd(q->spb, device, msg->payload, msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0, json, 8);
            pthread_mutex_unlock(&q->spb_mu);
            for (size_t i = 0; i < k; i++) q->on_command(q->command_ctx, device, json[i], strlen(json[i]));
            return;
        }
    }
    size_t np = strlen(q->prefix);
    const char *t = msg->topic;
    if (!q->on_command || strncmp(t, q->prefix, np) != 0 || t[np] != '/') return;
    const char *name = t + np + 1, *slash = strchr(name, '/');
    if (!slash || strcmp(slash, "/command") != 0 || slash == name) return;
    char station[64];
    snprintf(station, sizeof station, "%.*s", (int)(slash - name), name);
    q->on_command(q->command_ctx, station, msg->payload ? (const char *)msg->payload : "",
                  msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
}

void gw_mqtt_on_command(gw_sink *s, gw_command_fn fn, void *ctx)
{
    mq_sink *q = s->impl;
    q->on_command = fn;
    q->command_ctx = ctx;
}

/* Sparkplug: the will is the NDEATH of the session about to start. */
static int spb_set_will(mq_sink *q, struct mosquitto *m)
{
    char topic[300];
    uint8_t *p = NULL;
    size_t len = 0;
    if (spb_ndeath(q->spb, topic, sizeof topic, &p, &len)) return MOSQ_ERR_NOMEM;
    int rc = mosquitto_will_set(m, topic, (int)len, p, 1, false);
    free(p);
    return rc;
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    (void)rc;
    mq_sink *q = obj;
    pthread_mutex_lock(&q->mu);
    if (!q->connected && !q->conn_failed) { /* before any CONNACK: a failed TLS handshake, for one (a */
        q->conn_failed = true;              /* refusing CONNACK came first and keeps its code) */
        q->connack = -1;
    }
    q->connected = false;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    if (q->spb) { /* the next CONNECT (libmosquitto reconnects by itself) starts a new session */
        pthread_mutex_lock(&q->spb_mu);
        if (!q->will_pending) {
            spb_new_session(q->spb);
            (void)spb_set_will(q, m);
            q->will_pending = true;
        }
        pthread_mutex_unlock(&q->spb_mu);
    }
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
    (void)m;
    mq_sink *q = obj;
    if (mid == q->online_mid) return;
    pthread_mutex_lock(&q->mu);
    q->acked++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void mq_drop(mq_sink *q)
{
    if (!q->mq) return;
    mosquitto_disconnect(q->mq); /* a clean disconnect: the broker does not send the will */
    mosquitto_loop_stop(q->mq, true);
    mosquitto_destroy(q->mq);
    q->mq = NULL;
    q->connected = false;
}

static int mq_open(gw_sink *s, char *err, size_t cap)
{
    mq_sink *q = s->impl;
    mq_drop(q);
    q->n_seen = 0; /* a new session: say everything again */
    q->mq = mosquitto_new(NULL, true, q);
    if (!q->mq) {
        snprintf(err, cap, "MQTT: out of memory");
        return -1;
    }
    mosquitto_connect_callback_set(q->mq, on_connect);
    mosquitto_disconnect_callback_set(q->mq, on_disconnect);
    mosquitto_publish_callback_set(q->mq, on_publish);
    mosquitto_message_callback_set(q->mq, on_message);
    mosquitto_log_callback_set(q->mq, on_log);
    int rc = MOSQ_ERR_SUCCESS;
    if (q->tls) { /* our context as it is: libmosquitto adds none of its defaults */
        rc = mosquitto_int_option(q->mq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
        if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_void_option(q->mq, MOSQ_OPT_SSL_CTX, gw_mqtt_tls_ctx(q->tls));
    }
    if (q->spb) {
        pthread_mutex_lock(&q->spb_mu);
        if (q->opened && !q->will_pending) spb_new_session(q->spb);
        q->will_pending = true;
        if (rc == MOSQ_ERR_SUCCESS) rc = spb_set_will(q, q->mq);
        pthread_mutex_unlock(&q->spb_mu);
    } else if (rc == MOSQ_ERR_SUCCESS) {
        rc = mosquitto_will_set(q->mq, q->status_topic, 7, "offline", 1, true);
    }
    q->opened = true;
    pthread_mutex_lock(&q->mu);
    q->sent = q->acked = 0; /* what the last connection did not deliver is gone */
    q->last_error[0] = 0;
    pthread_mutex_unlock(&q->mu);
    char stale[160]; /* a certificate refusal of libmosquitto's own reconnects is not this attempt's */
    if (q->tls) gw_mqtt_tls_take_error(q->tls, stale, sizeof stale);
    mosquitto_reconnect_delay_set(q->mq, 1, 16, true);
    q->conn_failed = false;
    if (rc == MOSQ_ERR_SUCCESS && q->user[0])
        rc = mosquitto_username_pw_set(q->mq, q->user, q->password[0] ? q->password : NULL);
    int sys_err = 0;
    if (rc == MOSQ_ERR_SUCCESS) {
        rc = mosquitto_connect(q->mq, q->host, q->port, 30);
        sys_err = errno;
    }
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_start(q->mq);
    if (rc != MOSQ_ERR_SUCCESS) {
        char why[256], sys[240];
        const char *fallback = mosquitto_strerror(rc);
        if (rc == MOSQ_ERR_ERRNO) {
            /* TLS 1.3: a broker that wants a client certificate says so after the client's side of
             * the handshake, and the CONNECT written meanwhile can meet a reset instead of the alert */
            bool ended = sys_err == ECONNRESET || sys_err == EPIPE || sys_err == EPROTO;
            snprintf(sys, sizeof sys, "cannot connect: %s%s", strerror(sys_err),
                     q->tls && !q->tls_client_cert && ended
                         ? " (the broker ended the TLS session: is a client certificate required?)"
                         : "");
            fallback = sys;
        }
        snprintf(err, cap, "MQTT %.200s:%d: %s", q->host, q->port, connect_error(q, fallback, why, sizeof why));
        mq_drop(q);
        return -1;
    }
    struct timespec ts;
    deadline_in(&ts, 3000);
    pthread_mutex_lock(&q->mu);
    while (!q->connected && !q->conn_failed)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &ts)) break;
    bool up = q->connected, refused = q->conn_failed;
    int connack = q->connack;
    pthread_mutex_unlock(&q->mu);
    if (!up) {
        char why[200];
        snprintf(err, cap, "MQTT %.200s:%d: %s", q->host, q->port,
                 refused && connack > 0 ? mosquitto_connack_string(connack)
                                        : connect_error(q, "no CONNACK", why, sizeof why));
        mq_drop(q);
        return -1;
    }
    return 0;
}

static int publish_qos(mq_sink *q, const char *topic, const void *payload, size_t len, int qos, bool retain,
                       char *err, size_t cap)
{
    pthread_mutex_lock(&q->mu);
    q->sent++;
    pthread_mutex_unlock(&q->mu);
    int rc = mosquitto_publish(q->mq, NULL, topic, (int)len, payload, qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) {
        pthread_mutex_lock(&q->mu);
        q->sent--; /* no callback will come for it */
        pthread_mutex_unlock(&q->mu);
        snprintf(err, cap, "MQTT publish %.200s: %s", topic, mosquitto_strerror(rc));
        return -1;
    }
    return 0;
}

static int publish(mq_sink *q, const char *topic, const char *payload, size_t len, char *err, size_t cap)
{
    return publish_qos(q, topic, payload, len, 1, true, err, cap);
}

/* Sparkplug messages: QoS 0, not retained (the specification's rule for births and data). */
static int spb_publish(void *ctx, const char *topic, const void *payload, size_t len, char *err, size_t cap)
{
    return publish_qos(ctx, topic, payload, len, 0, false, err, cap);
}

int gw_mqtt_command_result(gw_sink *s, const char *outstation, const char *json)
{
    mq_sink *q = s->impl;
    char topic[300], err[256];
    snprintf(topic, sizeof topic, "%s/%s/command/result", q->prefix, outstation);
    if (!q->mq) return -1;
    /* counted like a batch's message: the next commit also waits for its PUBACK */
    return publish_qos(q, topic, json, strlen(json), 1, false, err, sizeof err);
}

static int mq_write(gw_sink *s, const gw_row *rows, size_t n, const gw_status *st, char *err, size_t cap)
{
    mq_sink *q = s->impl;
    if (!q->mq) {
        snprintf(err, cap, "MQTT: not connected");
        return -1;
    }
    if (q->spb) {
        pthread_mutex_lock(&q->spb_mu);
        int rc = spb_batch(q->spb, rows, n, st, spb_publish, q, err, cap);
        pthread_mutex_unlock(&q->spb_mu);
        return rc;
    }
    char topic[512], payload[1024];
    for (size_t i = 0; i < n; i++) {
        const gw_row *r = &rows[i];
        snprintf(topic, sizeof topic, "%s/%s/%s/%u", q->prefix, r->outstation, r->type, r->index);
        size_t k = (size_t)snprintf(payload, sizeof payload, "{\"value\":");
        if (r->text)
            k = gw_json_str(payload, sizeof payload, k, r->text);
        else if (r->has_value && r->value == r->value && r->value - r->value == 0) /* finite */
            k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, "%.17g", r->value);
        else
            k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, "null");
        if (r->has_flags)
            k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, ",\"flags\":%u",
                                  r->flags);
        else
            k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, ",\"flags\":null");
        if (r->has_time)
            k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, ",\"time\":%lld",
                                  (long long)r->time_ms);
        else
            k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, ",\"time\":null");
        k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0,
                              ",\"event\":%s,\"name\":", r->event ? "true" : "false");
        k = gw_json_str(payload, sizeof payload, k, r->name);
        k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, ",\"unit\":");
        k = gw_json_str(payload, sizeof payload, k, r->unit);
        k += (size_t)snprintf(payload + k, k < sizeof payload ? sizeof payload - k : 0, "}");
        if (k >= sizeof payload) {
            snprintf(err, cap, "MQTT: payload of %s too long", topic);
            return -1;
        }
        if (publish(q, topic, payload, k, err, cap)) return -1;
    }
    if (st && status_changed(q, st)) {
        snprintf(topic, sizeof topic, "%s/%s/status", q->prefix, st->name);
        int k =
            snprintf(payload, sizeof payload,
                     "{\"connected\":%s,\"iin\":%u,\"last_response\":", st->connected ? "true" : "false", st->iin);
        if (st->has_response)
            k += snprintf(payload + k, sizeof payload - (size_t)k, "%lld}", (long long)st->last_response_ms);
        else
            k += snprintf(payload + k, sizeof payload - (size_t)k, "null}");
        if (publish(q, topic, payload, (size_t)k, err, cap)) return -1;
    }
    return 0;
}

static int mq_commit(gw_sink *s, char *err, size_t cap)
{
    mq_sink *q = s->impl;
    struct timespec ts;
    deadline_in(&ts, ACK_WAIT_MS);
    pthread_mutex_lock(&q->mu);
    while (q->acked < q->sent && q->connected)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &ts)) break;
    bool done = q->acked >= q->sent;
    bool up = q->connected;
    pthread_mutex_unlock(&q->mu);
    if (done) return 0;
    snprintf(err, cap, "MQTT %.200s:%d: %s", q->host, q->port,
             up ? "the broker did not acknowledge the batch in time" : "connection lost");
    return -1;
}

static void mq_rollback(gw_sink *s)
{
    (void)s; /* published messages cannot be taken back */
}

static bool mq_healthy(gw_sink *s)
{
    mq_sink *q = s->impl;
    pthread_mutex_lock(&q->mu);
    bool up = q->mq && q->connected;
    pthread_mutex_unlock(&q->mu);
    return up;
}

static void mq_close(gw_sink *s)
{
    mq_sink *q = s->impl;
    if (!q) return;
    if (q->mq && mq_healthy(s)) { /* a clean goodbye replaces the retained "online" */
        int mid;
        uint8_t *p = NULL;
        size_t len = 0;
        char topic[300];
        if (!q->spb)
            mosquitto_publish(q->mq, &mid, q->status_topic, 7, "offline", 1, true);
        else if (!spb_ndeath(q->spb, topic, sizeof topic, &p, &len)) /* NDEATH: a clean disconnect sends no will */
            mosquitto_publish(q->mq, &mid, topic, (int)len, p, 1, false);
        free(p);
        struct timespec ts;
        deadline_in(&ts, 1000);
        pthread_mutex_lock(&q->mu);
        q->sent = q->acked + 1;
        while (q->acked < q->sent && q->connected)
            if (pthread_cond_timedwait(&q->cv, &q->mu, &ts)) break;
        pthread_mutex_unlock(&q->mu);
    }
    mq_drop(q);
    pthread_mutex_destroy(&q->mu);
    pthread_mutex_destroy(&q->spb_mu);
    pthread_cond_destroy(&q->cv);
    spb_node_free(q->spb);
    gw_mqtt_tls_free(q->tls);
    free(q->seen);
    free(q);
    s->impl = NULL;
    mosquitto_lib_cleanup();
}

static const gw_sink_ops MQTT_OPS = {"mqtt",     mq_open,  mq_write, mq_commit, mq_rollback,
                                     mq_healthy, mq_close, NULL,     NULL};

int gw_sink_mqtt(gw_sink *s, const gw_config *c, char *err, size_t err_cap)
{
    mq_sink *q = calloc(1, sizeof *q);
    snprintf(err, err_cap, "out of memory");
    if (!q) return -1;
    q->cap_seen = c->n_outstations ? c->n_outstations : 1;
    q->tls_client_cert = c->mqtt_cert[0] != 0;
    if (!(q->seen = calloc(q->cap_seen, sizeof *q->seen))) goto failed;
    if (c->mqtt_tls && !(q->tls = gw_mqtt_tls_new(c, err, err_cap))) goto failed; /* err names the file */
    if (c->sparkplug && !(q->spb = spb_node_new(c))) {
        snprintf(err, err_cap, "out of memory");
        goto failed;
    }
    mosquitto_lib_init();
    snprintf(q->host, sizeof q->host, "%s", c->mqtt_host);
    q->port = c->mqtt_port;
    snprintf(q->prefix, sizeof q->prefix, "%s", c->mqtt_prefix);
    snprintf(q->user, sizeof q->user, "%s", c->mqtt_user);
    snprintf(q->password, sizeof q->password, "%s", c->mqtt_password);
    if (c->shard_n) /* each shard of a fleet says for itself whether it is online */
        snprintf(q->status_topic, sizeof q->status_topic, "%s/status/%u", c->mqtt_prefix, c->shard_k);
    else
        snprintf(q->status_topic, sizeof q->status_topic, "%s/status", c->mqtt_prefix);
    snprintf(q->command_sub, sizeof q->command_sub, "%s/+/command", c->mqtt_prefix);
    pthread_mutex_init(&q->mu, NULL);
    pthread_mutex_init(&q->spb_mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    s->ops = &MQTT_OPS;
    s->impl = q;
    return 0;
failed:
    gw_mqtt_tls_free(q->tls);
    free(q->seen);
    free(q);
    return -1;
}
