/*
 * sink_sparkplug.c - the Sparkplug B format of the MQTT sink (docs/gateway.md,
 * "Sparkplug B"): the gateway is one edge node spBv1.0/GROUP/.../NODE, each
 * outstation one device. Payloads are protobuf, encoded with the C that
 * protoc-c generates from sparkplug_b.proto at build time.
 *
 *   NBIRTH  at the start of every MQTT session: seq 0, bdSeq, Node Control/Rebirth
 *   DBIRTH  an outstation's metrics (named points and every TYPE/INDEX seen) with
 *           their latest values; again when a new point appears
 *   DDATA   what changed: every event, static values that differ from the last
 *   DDEATH  when the outstation disconnects
 *   NDEATH  the MQTT will (set by sink_mqtt.c) with the session's bdSeq
 *   NCMD    Node Control/Rebirth: NBIRTH and DBIRTHs again
 *   DCMD    a host application writes an output metric: a gateway command (spb_dcmd)
 *
 * seq counts every message after NBIRTH modulo 256; bdSeq counts the MQTT
 * sessions modulo 256. Everything here runs on the caller's thread except
 * spb_new_session, which the MQTT network thread may call (under a mutex
 * held by the caller).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway.h"
#include "sparkplug_b.pb-c.h"

enum { SPB_INT64 = 4, SPB_UINT8 = 5, SPB_UINT32 = 7, SPB_DOUBLE = 10, SPB_BOOLEAN = 11, SPB_STRING = 12 };

typedef struct {
    char type[32];
    uint32_t index;
    char name[96];
    char unit[16];
    uint32_t datatype;
    bool has_value;
    double value;
    char *text;
    bool has_flags;
    uint8_t flags;
    uint64_t ts;
} spb_metric;

typedef struct {
    char name[64];
    bool born, connected;
    spb_metric *m;
    size_t n, cap;
} spb_device;

struct spb_node {
    char group[128], node[64];
    uint64_t bd_seq; /* of the current session */
    bool need_birth;
    unsigned seq; /* of the next message */
    spb_device *dev;
    size_t n_dev;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint32_t datatype_of(const char *type, bool text)
{
    if (text) return SPB_STRING;
    if (!strcmp(type, "binary_input") || !strcmp(type, "binary_output_status")) return SPB_BOOLEAN;
    if (!strcmp(type, "double_bit_input")) return SPB_UINT8;
    if (!strcmp(type, "counter") || !strcmp(type, "frozen_counter")) return SPB_UINT32;
    return SPB_DOUBLE;
}

static spb_metric *metric_add(spb_device *d, const char *type, uint32_t index)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        spb_metric *m = realloc(d->m, cap * sizeof *m);
        if (!m) return NULL;
        d->m = m;
        d->cap = cap;
    }
    spb_metric *m = &d->m[d->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->type, sizeof m->type, "%s", type);
    m->index = index;
    snprintf(m->name, sizeof m->name, "%s/%u", type, index);
    m->datatype = datatype_of(type, false);
    return m;
}

static spb_metric *metric_find(spb_device *d, const char *type, uint32_t index)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->m[i].index == index && !strcmp(d->m[i].type, type)) return &d->m[i];
    return NULL;
}

spb_node *spb_node_new(const gw_config *c)
{
    spb_node *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    snprintf(n->group, sizeof n->group, "%s", c->mqtt_group[0] ? c->mqtt_group : c->mqtt_prefix);
    snprintf(n->node, sizeof n->node, "%s", c->mqtt_node);
    n->dev = calloc(c->n_outstations ? c->n_outstations : 1, sizeof *n->dev);
    if (!n->dev) {
        free(n);
        return NULL;
    }
    n->n_dev = c->n_outstations;
    n->bd_seq = 0;
    n->need_birth = true;
    for (size_t i = 0; i < c->n_outstations; i++) {
        const gw_outstation_cfg *o = &c->outstations[i];
        spb_device *d = &n->dev[i];
        snprintf(d->name, sizeof d->name, "%s", o->name);
        for (size_t j = 0; j < o->n_points; j++) { /* the configured points are metrics from the start */
            spb_metric *m = metric_add(d, o->points[j].type, o->points[j].index);
            if (!m) {
                spb_node_free(n);
                return NULL;
            }
            if (o->points[j].name[0]) snprintf(m->name, sizeof m->name, "%s", o->points[j].name);
            snprintf(m->unit, sizeof m->unit, "%s", o->points[j].unit);
        }
    }
    return n;
}

void spb_node_free(spb_node *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n_dev; i++) {
        for (size_t j = 0; j < n->dev[i].n; j++) free(n->dev[i].m[j].text);
        free(n->dev[i].m);
    }
    free(n->dev);
    free(n);
}

void spb_new_session(spb_node *n)
{
    n->bd_seq = (n->bd_seq + 1) % 256;
    n->need_birth = true;
}

void spb_ncmd_topic(const spb_node *n, char *topic, size_t cap)
{
    snprintf(topic, cap, "spBv1.0/%s/NCMD/%s", n->group, n->node);
}

bool spb_ncmd(spb_node *n, const void *payload, size_t len)
{
    SparkplugB__Payload *p = sparkplug_b__payload__unpack(NULL, len, payload);
    if (!p) return false;
    bool rebirth = false;
    for (size_t i = 0; i < p->n_metrics; i++) {
        const SparkplugB__Payload__Metric *m = p->metrics[i];
        if (m->name && !strcmp(m->name, "Node Control/Rebirth") &&
            m->value_case == SPARKPLUG_B__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE && m->boolean_value)
            rebirth = true;
    }
    sparkplug_b__payload__free_unpacked(p, NULL);
    if (rebirth) n->need_birth = true; /* same session, same bdSeq: NBIRTH (seq 0) and DBIRTHs again */
    return rebirth;
}

void spb_dcmd_filter(const spb_node *n, char *filter, size_t cap)
{
    snprintf(filter, cap, "spBv1.0/%s/DCMD/%s/+", n->group, n->node);
}

const char *spb_dcmd_device(const spb_node *n, const char *topic)
{
    char prefix[256];
    int k = snprintf(prefix, sizeof prefix, "spBv1.0/%s/DCMD/%s/", n->group, n->node);
    if (k <= 0 || (size_t)k >= sizeof prefix || strncmp(topic, prefix, (size_t)k) != 0) return NULL;
    const char *device = topic + k;
    return device[0] && !strchr(device, '/') ? device : NULL;
}

/* The device's metric called `name` (a configured point name or TYPE/INDEX), or NULL. */
static const spb_metric *metric_named(const spb_node *n, const char *device, const char *name)
{
    for (size_t i = 0; i < n->n_dev; i++) {
        const spb_device *d = &n->dev[i];
        if (strcmp(d->name, device) != 0) continue;
        for (size_t j = 0; j < d->n; j++)
            if (!strcmp(d->m[j].name, name)) return &d->m[j];
    }
    return NULL;
}

/* A metric's written value as a number, if it carries one. */
static bool written_number(const SparkplugB__Payload__Metric *m, double *v)
{
    switch (m->value_case) {
    case SPARKPLUG_B__PAYLOAD__METRIC__VALUE_INT_VALUE: *v = m->int_value; return true;
    case SPARKPLUG_B__PAYLOAD__METRIC__VALUE_LONG_VALUE: *v = (double)m->long_value; return true;
    case SPARKPLUG_B__PAYLOAD__METRIC__VALUE_FLOAT_VALUE: *v = m->float_value; return true;
    case SPARKPLUG_B__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE: *v = m->double_value; return true;
    default: return false;
    }
}

size_t spb_dcmd(spb_node *n, const char *device, const void *payload, size_t len, char (*json)[256], size_t max)
{
    SparkplugB__Payload *p = sparkplug_b__payload__unpack(NULL, len, payload);
    if (!p) {
        fprintf(stderr, "dnp3 master run: %s: DCMD refused: not a Sparkplug B payload\n", device);
        return 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < p->n_metrics && k < max; i++) {
        const SparkplugB__Payload__Metric *w = p->metrics[i];
        const spb_metric *m = w->name ? metric_named(n, device, w->name) : NULL;
        double v;
        if (m && !strcmp(m->type, "binary_output_status") &&
            w->value_case == SPARKPLUG_B__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE)
            snprintf(json[k++], 256, "{\"crob\":%u,\"code\":\"%s\",\"client\":\"Sparkplug DCMD\"}", m->index,
                     w->boolean_value ? "latch-on" : "latch-off");
        else if (m && !strcmp(m->type, "analog_output_status") && written_number(w, &v) && isfinite(v))
            snprintf(json[k++], 256, "{\"analog\":%u,\"value\":%.17g,\"client\":\"Sparkplug DCMD\"}", m->index, v);
        else
            fprintf(stderr, "dnp3 master run: %s: DCMD refused for metric '%s': %s\n", device,
                    w->name ? w->name : "",
                    !m ? "no such metric (names as in the DBIRTH)"
                       : "only a Boolean to a binary_output_status or a number to an analog_output_status metric "
                         "is a command");
    }
    sparkplug_b__payload__free_unpacked(p, NULL);
    return k;
}

/* ---- encoding ---- */

/* A metric and the storage of its properties. */
typedef struct {
    SparkplugB__Payload__Metric m;
    SparkplugB__Payload__PropertySet ps;
    char *keys[2];
    SparkplugB__Payload__PropertyValue pv[2];
    SparkplugB__Payload__PropertyValue *pvp[2];
} metric_buf;

static void fill_metric(metric_buf *b, const char *name, uint32_t datatype, bool has_value, double value,
                        const char *text, bool has_flags, uint8_t flags, uint64_t ts, const char *unit,
                        bool historical)
{
    sparkplug_b__payload__metric__init(&b->m);
    sparkplug_b__payload__property_set__init(&b->ps);
    b->m.name = (char *)name;
    b->m.has_timestamp = true;
    b->m.timestamp = ts;
    b->m.has_datatype = true;
    b->m.datatype = datatype;
    if (historical) {
        b->m.has_is_historical = true;
        b->m.is_historical = true;
    }
    if (text && datatype == SPB_STRING) {
        b->m.value_case = SPARKPLUG_B__PAYLOAD__METRIC__VALUE_STRING_VALUE;
        b->m.string_value = (char *)text;
    } else if (!has_value || value != value) {
        b->m.has_is_null = true;
        b->m.is_null = true;
    } else if (datatype == SPB_BOOLEAN) {
        b->m.value_case = SPARKPLUG_B__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
        b->m.boolean_value = value != 0;
    } else if (datatype == SPB_UINT8 || datatype == SPB_UINT32) {
        b->m.value_case = SPARKPLUG_B__PAYLOAD__METRIC__VALUE_INT_VALUE;
        b->m.int_value = value < 0 ? 0u : value > 4294967295.0 ? 4294967295u : (uint32_t)value;
    } else {
        b->m.value_case = SPARKPLUG_B__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
        b->m.double_value = value;
    }
    size_t k = 0;
    if (unit && unit[0]) {
        sparkplug_b__payload__property_value__init(&b->pv[k]);
        b->keys[k] = (char *)"engUnit";
        b->pv[k].has_type = true;
        b->pv[k].type = SPB_STRING;
        b->pv[k].value_case = SPARKPLUG_B__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE;
        b->pv[k].string_value = (char *)unit;
        k++;
    }
    if (has_flags) { /* the DNP3 flags octet (ONLINE, RESTART, COMM_LOST, ...) */
        sparkplug_b__payload__property_value__init(&b->pv[k]);
        b->keys[k] = (char *)"dnp3Flags";
        b->pv[k].has_type = true;
        b->pv[k].type = SPB_UINT8;
        b->pv[k].value_case = SPARKPLUG_B__PAYLOAD__PROPERTY_VALUE__VALUE_INT_VALUE;
        b->pv[k].int_value = flags;
        k++;
    }
    if (k) {
        for (size_t i = 0; i < k; i++) b->pvp[i] = &b->pv[i];
        b->ps.n_keys = b->ps.n_values = k;
        b->ps.keys = b->keys;
        b->ps.values = b->pvp;
        b->m.properties = &b->ps;
    }
}

static void fill_from_metric(metric_buf *b, const spb_metric *m)
{
    fill_metric(b, m->name, m->datatype, m->has_value, m->value, m->text, m->has_flags, m->flags, m->ts, m->unit,
                false);
}

/* Encodes and publishes a payload of count metrics; seq is taken (and advanced) unless no_seq. */
static int send_payload(spb_node *n, const char *kind, const char *device, metric_buf *bufs, size_t count,
                        bool no_seq, spb_publish_fn pub, void *ctx, char *err, size_t cap)
{
    SparkplugB__Payload p = SPARKPLUG_B__PAYLOAD__INIT;
    typedef SparkplugB__Payload__Metric *metric_ptr;
    metric_ptr *mp = count ? calloc(count, sizeof(metric_ptr)) : NULL;
    if (count && !mp) {
        snprintf(err, cap, "Sparkplug: out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) mp[i] = &bufs[i].m;
    p.has_timestamp = true;
    p.timestamp = now_ms();
    p.n_metrics = count;
    p.metrics = mp;
    if (!no_seq) {
        p.has_seq = true;
        p.seq = n->seq;
        n->seq = (n->seq + 1) % 256;
    }
    size_t len = sparkplug_b__payload__get_packed_size(&p);
    uint8_t *out = malloc(len ? len : 1);
    int rc = -1;
    if (!out) {
        snprintf(err, cap, "Sparkplug: out of memory");
    } else {
        sparkplug_b__payload__pack(&p, out);
        char topic[512];
        if (device)
            snprintf(topic, sizeof topic, "spBv1.0/%s/%s/%s/%s", n->group, kind, n->node, device);
        else
            snprintf(topic, sizeof topic, "spBv1.0/%s/%s/%s", n->group, kind, n->node);
        rc = pub(ctx, topic, out, len, err, cap);
    }
    free(out);
    free(mp);
    return rc;
}

int spb_ndeath(spb_node *n, char *topic, size_t topic_cap, uint8_t **out, size_t *len)
{
    metric_buf b;
    memset(&b, 0, sizeof b);
    sparkplug_b__payload__metric__init(&b.m);
    b.m.name = (char *)"bdSeq";
    b.m.has_datatype = true;
    b.m.datatype = SPB_INT64;
    b.m.value_case = SPARKPLUG_B__PAYLOAD__METRIC__VALUE_LONG_VALUE;
    b.m.long_value = n->bd_seq;
    SparkplugB__Payload__Metric *mp = &b.m;
    SparkplugB__Payload p = SPARKPLUG_B__PAYLOAD__INIT;
    p.has_timestamp = true;
    p.timestamp = now_ms();
    p.n_metrics = 1;
    p.metrics = &mp;
    *len = sparkplug_b__payload__get_packed_size(&p);
    *out = malloc(*len);
    if (!*out) return -1;
    sparkplug_b__payload__pack(&p, *out);
    snprintf(topic, topic_cap, "spBv1.0/%s/NDEATH/%s", n->group, n->node);
    return 0;
}

static int send_nbirth(spb_node *n, spb_publish_fn pub, void *ctx, char *err, size_t cap)
{
    metric_buf b[2];
    memset(b, 0, sizeof b);
    uint64_t ts = now_ms();
    sparkplug_b__payload__metric__init(&b[0].m);
    b[0].m.name = (char *)"bdSeq";
    b[0].m.has_timestamp = true;
    b[0].m.timestamp = ts;
    b[0].m.has_datatype = true;
    b[0].m.datatype = SPB_INT64;
    b[0].m.value_case = SPARKPLUG_B__PAYLOAD__METRIC__VALUE_LONG_VALUE;
    b[0].m.long_value = n->bd_seq;
    fill_metric(&b[1], "Node Control/Rebirth", SPB_BOOLEAN, true, 0, NULL, false, 0, ts, NULL, false);
    n->seq = 0;
    return send_payload(n, "NBIRTH", NULL, b, 2, false, pub, ctx, err, cap);
}

static int send_dbirth(spb_node *n, spb_device *d, spb_publish_fn pub, void *ctx, char *err, size_t cap)
{
    metric_buf *b = calloc(d->n ? d->n : 1, sizeof *b);
    if (!b) {
        snprintf(err, cap, "Sparkplug: out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->n; i++) fill_from_metric(&b[i], &d->m[i]);
    int rc = send_payload(n, "DBIRTH", d->name, b, d->n, false, pub, ctx, err, cap);
    free(b);
    if (!rc) d->born = true;
    return rc;
}

static bool has_values(const spb_device *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->m[i].has_value || d->m[i].text) return true;
    return false;
}

int spb_batch(spb_node *n, const gw_row *rows, size_t count, const gw_status *st, spb_publish_fn pub, void *ctx,
              char *err, size_t cap)
{
    if (n->need_birth) { /* a new session: NBIRTH, then every device that is up */
        if (send_nbirth(n, pub, ctx, err, cap)) return -1;
        for (size_t i = 0; i < n->n_dev; i++) {
            n->dev[i].born = false;
            if (n->dev[i].connected && has_values(&n->dev[i]) && send_dbirth(n, &n->dev[i], pub, ctx, err, cap))
                return -1;
        }
        n->need_birth = false;
    }
    const char *name = st ? st->name : count ? rows[0].outstation : NULL;
    spb_device *d = NULL;
    for (size_t i = 0; name && i < n->n_dev; i++)
        if (!strcmp(n->dev[i].name, name)) d = &n->dev[i];
    if (!d) return 0;
    if (st && !st->connected) {
        d->connected = false;
        if (!d->born) return 0;
        d->born = false;
        return send_payload(n, "DDEATH", d->name, NULL, 0, false, pub, ctx, err, cap);
    }
    d->connected = true;
    /* merge the rows; a row goes into DDATA when it is an event or changes the metric */
    bool rebirth = false;
    bool *send = count ? calloc(count, sizeof *send) : NULL;
    metric_buf *b = count ? calloc(count, sizeof *b) : NULL;
    size_t *of = count ? calloc(count, sizeof *of) : NULL; /* metric index of each row (d->m moves) */
    int rc = 0;
    if (count && (!send || !b || !of)) {
        snprintf(err, cap, "Sparkplug: out of memory");
        rc = -1;
    }
    for (size_t i = 0; !rc && i < count; i++) {
        const gw_row *r = &rows[i];
        spb_metric *m = metric_find(d, r->type, r->index);
        if (!m) {
            m = metric_add(d, r->type, r->index);
            if (!m) {
                snprintf(err, cap, "Sparkplug: out of memory");
                rc = -1;
                break;
            }
            rebirth = true;
        }
        uint32_t dt = datatype_of(r->type, r->text != NULL);
        if (dt != m->datatype) {
            m->datatype = dt;
            rebirth = true;
        }
        bool changed = r->event || m->has_value != r->has_value || (r->has_value && m->value != r->value) ||
                       m->has_flags != r->has_flags || m->flags != r->flags || (!m->text) != (!r->text) ||
                       (r->text && strcmp(r->text, m->text) != 0);
        if (r->text && (!m->text || strcmp(r->text, m->text) != 0)) {
            char *t = strdup(r->text);
            if (!t) {
                snprintf(err, cap, "Sparkplug: out of memory");
                rc = -1;
                break;
            }
            free(m->text);
            m->text = t;
        } else if (!r->text) {
            free(m->text);
            m->text = NULL;
        }
        m->has_value = r->has_value;
        m->value = r->value;
        m->has_flags = r->has_flags;
        m->flags = r->flags;
        m->ts = (uint64_t)(r->has_time ? r->time_ms : r->received_ms);
        send[i] = changed;
        of[i] = (size_t)(m - d->m);
    }
    bool birthed = false;
    if (!rc && (rebirth || (!d->born && has_values(d)))) {
        birthed = true;
        /* DBIRTH carries the latest value of each metric; events of this batch that a later row
         * of the same point superseded follow in a DDATA, marked historical */
        rc = send_dbirth(n, d, pub, ctx, err, cap);
        for (size_t i = 0; i < count; i++) {
            bool last = true;
            for (size_t j = i + 1; j < count && last; j++)
                if (of[j] == of[i]) last = false;
            send[i] = !last && rows[i].event;
        }
    }
    size_t k = 0;
    for (size_t i = 0; !rc && d->born && i < count; i++) {
        if (!send[i]) continue;
        const gw_row *r = &rows[i];
        fill_metric(&b[k++], d->m[of[i]].name, datatype_of(r->type, r->text != NULL), r->has_value, r->value,
                    r->text, r->has_flags, r->flags, (uint64_t)(r->has_time ? r->time_ms : r->received_ms), NULL,
                    birthed);
    }
    if (!rc && k) rc = send_payload(n, "DDATA", d->name, b, k, false, pub, ctx, err, cap);
    free(send);
    free(b);
    free(of);
    return rc;
}
