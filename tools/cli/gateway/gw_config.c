/*
 * gw_config.c - the YAML configuration of `dnp3 master run --config FILE`
 * (docs/gateway.md), read with the strict field readers of the outstation
 * configuration (config_loader.h): an unknown key, a wrong type or an
 * out-of-range value stops the load with "FILE:LINE: path: message".
 *
 *   outstations:
 *     - name: rtu1
 *       target: 127.0.0.1:20000
 *       link_addr: 10
 *       master_addr: 1
 *       integrity_period_s: 3600
 *       event_period_s: 5
 *       unsolicited: true
 *       timeout_ms: 5000
 *       security:
 *         secure_authentication: {user: 1, update_key_file: keys/rtu1-user1.key}
 *       points:
 *         analog_input:
 *           - {index: 0, name: "Bus 1 kV", unit: kV}
 *   store:
 *     sqlite: /var/lib/dnp3/gateway.db      # or postgres: "host=... dbname=..."
 *
 * File names (store, keys, certificates) are relative to the configuration
 * file unless absolute, as in the outstation's configuration.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "config_loader.h"
#include "dnp3/objects.h"
#include "gateway.h"

static bool known_type(const char *k)
{
    for (int t = 1; t < DNP3_POINT_TYPE_COUNT; t++)
        if (!strcmp(k, dnp3_point_type_name((dnp3_point_type)t))) return true;
    return false;
}

typedef struct {
    gw_outstation_cfg *o;
    const char *type;
    bool has_index;
} point_ctx;

static int point_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    point_ctx *c = ctx;
    gw_point_name *p = &c->o->points[c->o->n_points];
    if (!strcmp(k, "index")) {
        c->has_index = true;
        return get_uint(L, v, 0, 4294967295.0, &p->index);
    }
    if (!strcmp(k, "name")) return get_string(L, v, p->name, sizeof p->name);
    if (!strcmp(k, "unit")) return get_string(L, v, p->unit, sizeof p->unit);
    return fail(L, v, "unknown key (expected index, name, unit)");
}

static int point_item(loader *L, size_t i, const yaml_node_t *item, void *ctx)
{
    (void)i;
    point_ctx *c = ctx;
    gw_outstation_cfg *o = c->o;
    gw_point_name *p = &o->points[o->n_points];
    memset(p, 0, sizeof *p);
    snprintf(p->type, sizeof p->type, "%s", c->type);
    c->has_index = false;
    if (for_each_field(L, item, "a mapping with index, name, unit", point_field, c)) return -1;
    if (!c->has_index) return fail(L, item, "a point needs an index");
    for (size_t j = 0; j < o->n_points; j++)
        if (!strcmp(o->points[j].type, p->type) && o->points[j].index == p->index)
            return fail(L, item, "index %u is named twice", p->index);
    o->n_points++;
    return 0;
}

static int point_list(loader *L, const char *k, const yaml_node_t *list, void *ctx)
{
    gw_outstation_cfg *o = ctx;
    if (!known_type(k))
        return fail(L, list,
                    "unknown point type (expected binary_input, double_bit_input, binary_output_status, "
                    "counter, frozen_counter, analog_input, analog_output_status, octet_string, ...)");
    if (list->type != YAML_SEQUENCE_NODE) return fail(L, list, "expected a list of points");
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    gw_point_name *grown = realloc(o->points, (o->n_points + n + 1) * sizeof *grown);
    if (!grown) return fail(L, list, "out of memory");
    o->points = grown;
    point_ctx c = {o, k, false};
    return for_each_item(L, list, "a list of points", point_item, &c);
}

/* security: secure_authentication: the gateway's SA user towards this outstation */
static int sa_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    gw_outstation_cfg *o = ctx;
    uint32_t u;
    if (!strcmp(k, "user")) {
        if (get_uint(L, v, 1, 65535, &u)) return -1;
        o->sa_user = (uint16_t)u;
        return 0;
    }
    if (!strcmp(k, "update_key_file"))
        return get_path(L, v, o->sa_key_file, sizeof o->sa_key_file, o->sa_key_where, sizeof o->sa_key_where);
    if (!strcmp(k, "aggressive_mode")) return get_bool(L, v, &o->sa_aggressive);
    if (!strcmp(k, "key_change_interval_s")) return get_uint(L, v, 0, 86400 * 7, &o->sa_key_change_interval_s);
    if (!strcmp(k, "key_change_count")) return get_uint(L, v, 0, 0xFFFFFFFEu, &o->sa_key_change_count);
    return fail(L, v,
                "unknown key (expected user, update_key_file, aggressive_mode, key_change_interval_s, "
                "key_change_count)");
}

static int security_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    gw_outstation_cfg *o = ctx;
    if (!strcmp(k, "secure_authentication")) {
        o->sa = true;
        if (for_each_field(L, v, "a mapping with user, update_key_file", sa_field, o)) return -1;
        return o->sa_key_file[0] ? 0 : fail(L, v, "Secure Authentication needs the user's update_key_file");
    }
    if (!strcmp(k, "tls"))
        return fail(L, v, "TLS is set for every tls:// target at once, in the top-level tls: section");
    return fail(L, v, "unknown key (expected secure_authentication)");
}

static int outstation_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    gw_outstation_cfg *o = ctx;
    uint32_t u;
    if (!strcmp(k, "name")) {
        if (get_string(L, v, o->name, sizeof o->name)) return -1;
        if (!o->name[0]) return fail(L, v, "a name cannot be empty");
        return 0;
    }
    if (!strcmp(k, "target")) {
        if (get_string(L, v, o->target, sizeof o->target)) return -1;
        const char *host = o->target;
        if (!strncmp(host, "tcp://", 6) || !strncmp(host, "udp://", 6) || !strncmp(host, "tls://", 6)) host += 6;
        if (strstr(host, "://"))
            return fail(L, v, "expected HOST[:PORT], tcp://HOST[:PORT], udp://HOST[:PORT] or tls://HOST[:PORT]");
        const char *colon = strrchr(host, ':');
        if (!host[0] || colon == host) return fail(L, v, "expected HOST[:PORT]");
        if (colon && !strchr(host, ']') && strchr(host, ':') != colon) colon = NULL; /* a bare IPv6 address */
        if (colon) {
            char *end;
            unsigned long port = strtoul(colon + 1, &end, 10);
            if (!colon[1] || *end || port == 0 || port > 65535) return fail(L, v, "bad port in '%s'", o->target);
        }
        return 0;
    }
    if (!strcmp(k, "link_addr") || !strcmp(k, "master_addr")) {
        if (get_uint(L, v, 0, 0xFFEF, &u)) return -1;
        *(!strcmp(k, "link_addr") ? &o->link_addr : &o->master_addr) = (uint16_t)u;
        return 0;
    }
    if (!strcmp(k, "integrity_period_s")) return get_uint(L, v, 0, 86400 * 7, &o->integrity_period_s);
    if (!strcmp(k, "event_period_s")) return get_uint(L, v, 0, 86400, &o->event_period_s);
    if (!strcmp(k, "timeout_ms")) return get_uint(L, v, 100, 600000, &o->timeout_ms);
    if (!strcmp(k, "unsolicited")) return get_bool(L, v, &o->unsolicited);
    if (!strcmp(k, "commands")) return get_bool(L, v, &o->commands);
    if (!strcmp(k, "points")) return for_each_field(L, v, "a mapping of point types", point_list, o);
    if (!strcmp(k, "security"))
        return for_each_field(L, v, "a mapping with secure_authentication", security_field, o);
    return fail(L, v,
                "unknown key (expected name, target, link_addr, master_addr, integrity_period_s, "
                "event_period_s, unsolicited, timeout_ms, commands, points, security)");
}

void gw_outstation_defaults(gw_outstation_cfg *o)
{
    memset(o, 0, sizeof *o);
    o->link_addr = 10;
    o->master_addr = 1;
    o->integrity_period_s = 3600;
    o->event_period_s = 5;
    o->unsolicited = true;
    o->timeout_ms = 5000;
    o->sa_user = 1;
    o->sa_key_change_interval_s = 600;
    o->sa_key_change_count = 1000;
}

static int outstation_item(loader *L, size_t i, const yaml_node_t *item, void *ctx)
{
    gw_config *c = ctx;
    gw_outstation_cfg *o = &c->outstations[i];
    gw_outstation_defaults(o);
    c->n_outstations = i + 1;
    if (for_each_field(L, item, "a mapping with name, target, ...", outstation_field, o)) return -1;
    if (!o->name[0]) return fail(L, item, "an outstation needs a name");
    if (!o->target[0]) return fail(L, item, "an outstation needs a target (HOST[:PORT])");
    if (o->link_addr == o->master_addr) return fail(L, item, "link_addr and master_addr are equal");
    for (size_t j = 0; j < i; j++)
        if (!strcmp(c->outstations[j].name, o->name)) return fail(L, item, "the name '%s' is used twice", o->name);
    return 0;
}

static int store_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    gw_config *c = ctx;
    if (c->store != GW_STORE_NONE) return fail(L, v, "only one store (sqlite or postgres)");
    if (!strcmp(k, "sqlite")) {
        c->store = GW_STORE_SQLITE;
        return get_path(L, v, c->sqlite_path, sizeof c->sqlite_path, NULL, 0);
    }
    if (!strcmp(k, "postgres")) {
        c->store = GW_STORE_POSTGRES;
        return get_string(L, v, c->pg_conninfo, sizeof c->pg_conninfo);
    }
    return fail(L, v, "unknown store (expected sqlite or postgres)");
}

static int mqtt_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    gw_config *c = ctx;
    uint32_t u;
    /* url: stands for host: and port: (and the scheme); given together they would override each other */
    if ((!strcmp(k, "host") || !strcmp(k, "port")) && c->mqtt_url) return fail(L, v, "give url or host and port");
    if (!strcmp(k, "host")) return get_string(L, v, c->mqtt_host, sizeof c->mqtt_host);
    if (!strcmp(k, "url")) { /* mqtt://HOST[:PORT], mqtts://HOST[:PORT] or HOST[:PORT] */
        char url[300], why[200];
        if (c->mqtt_host[0] || c->mqtt_port) return fail(L, v, "give url or host and port");
        c->mqtt_url = true;
        if (get_string(L, v, url, sizeof url)) return -1;
        if (gw_mqtt_address(url, c->mqtt_host, sizeof c->mqtt_host, &c->mqtt_port, &c->mqtt_scheme, why,
                            sizeof why))
            return fail(L, v, "%s", why);
        return 0;
    }
    if (!strcmp(k, "commands")) return get_bool(L, v, &c->mqtt_commands);
    if (!strcmp(k, "port")) {
        if (get_uint(L, v, 1, 65535, &u)) return -1;
        c->mqtt_port = (uint16_t)u;
        return 0;
    }
    if (!strcmp(k, "prefix") || !strcmp(k, "topic_prefix")) {
        if (get_string(L, v, c->mqtt_prefix, sizeof c->mqtt_prefix)) return -1;
        if (!c->mqtt_prefix[0] || strchr(c->mqtt_prefix, '+') || strchr(c->mqtt_prefix, '#'))
            return fail(L, v, "not a topic prefix");
        return 0;
    }
    if (!strcmp(k, "format")) {
        char f[32];
        if (get_string(L, v, f, sizeof f)) return -1;
        if (strcmp(f, "json") != 0 && strcmp(f, "sparkplug") != 0) return fail(L, v, "expected json or sparkplug");
        c->sparkplug = !strcmp(f, "sparkplug");
        return 0;
    }
    if (!strcmp(k, "group") || !strcmp(k, "node")) {
        bool g = !strcmp(k, "group");
        if (get_string(L, v, g ? c->mqtt_group : c->mqtt_node, g ? sizeof c->mqtt_group : sizeof c->mqtt_node))
            return -1;
        if (!gw_sparkplug_id_ok(g ? c->mqtt_group : c->mqtt_node))
            return fail(L, v, "not a Sparkplug id (non-empty, without / + #)");
        return 0;
    }
    if (!strcmp(k, "username")) return get_string(L, v, c->mqtt_user, sizeof c->mqtt_user);
    if (!strcmp(k, "password")) return get_string(L, v, c->mqtt_password, sizeof c->mqtt_password);
    if (!strcmp(k, "tls")) {
        bool on;
        if (get_bool(L, v, &on)) return -1;
        c->mqtt_tls_key = on; /* checked against url:'s scheme and the files by gw_mqtt_settle */
        return 0;
    }
    if (!strcmp(k, "ca")) return get_path(L, v, c->mqtt_ca, sizeof c->mqtt_ca, NULL, 0);
    if (!strcmp(k, "certificate")) return get_path(L, v, c->mqtt_cert, sizeof c->mqtt_cert, NULL, 0);
    if (!strcmp(k, "private_key")) return get_path(L, v, c->mqtt_key, sizeof c->mqtt_key, NULL, 0);
    return fail(L, v,
                "unknown key (expected url or host and port, prefix, format, group, node, username, password, "
                "commands, tls, ca, certificate, private_key)");
}

static int tls_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    gw_config *c = ctx;
    struct {
        const char *key;
        char *dst;
        size_t cap;
    } const F[] = {
        {"certificate", c->tls_cert, sizeof c->tls_cert},
        {"private_key", c->tls_key, sizeof c->tls_key},
        {"ca", c->tls_ca, sizeof c->tls_ca},
        {"peer_certificate", c->tls_peer_cert, sizeof c->tls_peer_cert},
        {"crl", c->tls_crl, sizeof c->tls_crl},
        {"peer_name", c->tls_peer_name, sizeof c->tls_peer_name},
    };
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) {
        if (strcmp(k, F[i].key) != 0) continue;
        if (F[i].dst != c->tls_peer_name) return get_path(L, v, F[i].dst, F[i].cap, NULL, 0);
        if (get_string(L, v, F[i].dst, F[i].cap)) return -1;
        return F[i].dst[0] ? 0 : fail(L, v, "expected a value");
    }
    return fail(L, v, "unknown key (expected certificate, private_key, ca, peer_certificate, crl, peer_name)");
}

/* The tls: section's names become the --tls-* options would have given. */
static int load_tls(loader *L, const yaml_node_t *v, gw_config *c)
{
    if (for_each_field(L, v, "a mapping with certificate, private_key, ca", tls_field, c)) return -1;
    if (!c->tls_cert[0] || !c->tls_key[0]) return fail(L, v, "tls needs certificate and private_key");
    if (!c->tls_ca[0] && !c->tls_peer_cert[0])
        return fail(L, v, "tls needs ca or peer_certificate to authenticate the outstations");
    tls_cli_from_files(&c->tls, c->tls_cert, c->tls_key, c->tls_ca, c->tls_peer_cert, c->tls_crl,
                       c->tls_peer_name);
    return 0;
}

static int root_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    gw_config *c = ctx;
    if (!strcmp(k, "outstations")) {
        if (v->type != YAML_SEQUENCE_NODE) return fail(L, v, "expected a list of outstations");
        size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (n == 0) return fail(L, v, "expected at least one outstation");
        if (n > 1000) return fail(L, v, "more than 1000 outstations");
        c->outstations = calloc(n, sizeof *c->outstations);
        if (!c->outstations) return fail(L, v, "out of memory");
        return for_each_item(L, v, "a list of outstations", outstation_item, c);
    }
    if (!strcmp(k, "store")) return for_each_field(L, v, "a mapping with sqlite or postgres", store_field, c);
    if (!strcmp(k, "mqtt")) {
        c->mqtt = true;
        if (for_each_field(L, v, "a mapping with host, port, prefix", mqtt_field, c)) return -1;
        if (!c->mqtt_host[0]) return fail(L, v, "mqtt needs a url or a host");
        if (c->mqtt_password[0] && !c->mqtt_user[0]) return fail(L, v, "a password needs a username");
        char why[200];
        if (gw_mqtt_settle(c, why, sizeof why)) return fail(L, v, "%s", why);
        return 0;
    }
    if (!strcmp(k, "tls")) return load_tls(L, v, c);
    return fail(L, v, "unknown section (expected outstations, store, mqtt, tls)");
}

void gw_config_free(gw_config *c)
{
    for (size_t i = 0; i < c->n_outstations; i++) free(c->outstations[i].points);
    free(c->outstations);
    c->outstations = NULL;
    c->n_outstations = 0;
}

void gw_config_default_store(gw_config *c)
{
    if (c->store != GW_STORE_NONE || c->mqtt) return;
    c->store = GW_STORE_SQLITE;
    snprintf(c->sqlite_path, sizeof c->sqlite_path, "%s", GW_DEFAULT_SQLITE);
}

unsigned gw_shard_of(const char *name, unsigned n)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = (h ^ *p) * 16777619u;
    return n ? h % n : 0;
}

bool gw_parse_shard(const char *s, unsigned *k, unsigned *n)
{
    char *slash, *end;
    if (!isdigit((unsigned char)s[0])) return false;
    unsigned long kv = strtoul(s, &slash, 10);
    if (*slash != '/' || !isdigit((unsigned char)slash[1])) return false;
    unsigned long nv = strtoul(slash + 1, &end, 10);
    if (*end || nv < 1 || nv > 4096 || kv >= nv) return false;
    *k = (unsigned)kv;
    *n = (unsigned)nv;
    return true;
}

void gw_config_keep_shard(gw_config *c)
{
    if (!c->shard_n) return;
    size_t kept = 0;
    for (size_t i = 0; i < c->n_outstations; i++) {
        if (gw_shard_of(c->outstations[i].name, c->shard_n) == c->shard_k)
            c->outstations[kept++] = c->outstations[i];
        else
            free(c->outstations[i].points);
    }
    c->n_outstations = kept;
}

bool gw_sparkplug_id_ok(const char *id)
{
    return id[0] && !strpbrk(id, "/+#");
}

void gw_config_defaults(gw_config *c)
{
    memset(c, 0, sizeof *c);
    tls_cli_init(&c->tls);
    snprintf(c->mqtt_prefix, sizeof c->mqtt_prefix, "dnp3");
    c->mqtt_commands = true;
    c->mqtt_tls_key = -1;
    char host[64] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !gw_sparkplug_id_ok(host)) snprintf(host, sizeof host, "dnp3");
    host[sizeof host - 1] = 0;
    snprintf(c->mqtt_node, sizeof c->mqtt_node, "%s", host);
}

/* Loads the document `parser` reads into the configuration ctx; `file` names it in the messages. */
static int load(yaml_parser_t *parser, const char *file, void *ctx, char *err, size_t err_cap)
{
    gw_config *c = ctx;
    loader L = {.file = file, .err = err, .err_cap = err_cap};
    if (load_document(&L, parser)) return -1;
    yaml_node_t *root = yaml_document_get_root_node(&L.doc);
    int rc = root ? for_each_field(&L, root, "a mapping with outstations, store", root_field, c)
                  : fail(&L, NULL, "the file is empty");
    if (!rc && !c->n_outstations) rc = fail(&L, root, "no outstations");
    if (!rc) gw_config_default_store(c);
    yaml_document_delete(&L.doc);
    return rc;
}

int gw_config_load(const char *file, gw_config *c, char *err, size_t err_cap)
{
    gw_config_defaults(c);
    int rc = load_yaml_file(file, load, c, err, err_cap);
    if (rc) gw_config_free(c);
    return rc;
}

int gw_config_load_buffer(const char *name, const uint8_t *data, size_t size, gw_config *c, char *err,
                          size_t err_cap)
{
    gw_config_defaults(c);
    int rc = load_yaml_buffer(name, data, size, load, c, err, err_cap);
    if (rc) gw_config_free(c);
    return rc;
}
