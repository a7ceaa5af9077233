/*
 * config_yaml.c - loads an outstation point database from YAML (libyaml) into a
 * profile. Strict: an unknown key, a wrong type or an out-of-range value stops
 * the load with "FILE:LINE: field.path: what is wrong", so nothing
 * half-configured ever runs. The format is documented in docs/outstation-cli.md.
 *
 *   outstation: {link_addr: 10, master_addr: 1, event_buffer: 1000,
 *                max_fragment: 2048, unsolicited: true, device_name: "RTU",
 *                framing_error: close}
 *   points:
 *     analog_input:
 *       - {index: 0, name: "Bus 1 kV", class: 2, deadband: 0.5, value: 138.2,
 *          simulate: {min: 136, max: 140, step: 0.1}}
 *   controls:
 *     - {crob: 0, name: "CB-101", binary_input: 0, double_bit_input: 0, binary_output_status: 0}
 *     - {analog_output: 0, analog_output_status: 0, min: 130, max: 145}
 *   security: {secure_authentication: {...}, tls: {...}}   (config_security.c)
 *   sessions: [{name, allow, transports, classes, read_only, sa_users}]  (config_sessions.c)
 */
#include "config_yaml.h"

#include "dnp3/channel.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "config_loader.h"
#include "config_security.h"
#include "config_sessions.h"

static int point_value(loader *L, profile_type t, const yaml_node_t *n, profile_point *pt)
{
    const char *s = scalar(n);
    switch (t) {
    case PROFILE_BINARY_INPUT:
    case PROFILE_BINARY_OUTPUT_STATUS: {
        bool b;
        if (get_bool(L, n, &b)) return -1;
        pt->value = b;
        return 0;
    }
    case PROFILE_DOUBLE_BIT_INPUT: {
        static const char *const NAMES[] = {"intermediate", "off", "on", "indeterminate"};
        for (int i = 0; s && i < 4; i++)
            if (!strcasecmp(s, NAMES[i])) {
                pt->value = i;
                return 0;
            }
        uint32_t v = 0;
        if (get_uint(L, n, 0, 3, &v)) return fail(L, n, "expected intermediate, off, on, indeterminate or 0..3");
        pt->value = v;
        return 0;
    }
    case PROFILE_COUNTER:
    case PROFILE_FROZEN_COUNTER: {
        uint32_t v = 0;
        if (get_uint(L, n, 0, 4294967295.0, &v)) return -1;
        pt->value = v;
        return 0;
    }
    case PROFILE_OCTET_STRING:
        if (get_string(L, n, pt->text, sizeof pt->text)) return -1;
        if (!pt->text[0]) return fail(L, n, "an octet string cannot be empty");
        return 0;
    default: return get_number(L, n, -1e300, 1e300, &pt->value);
    }
}

static int simulate_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    profile_point *pt = ctx;
    if (!strcmp(k, "min")) return get_number(L, v, -1e300, 1e300, &pt->sim_min);
    if (!strcmp(k, "max")) return get_number(L, v, -1e300, 1e300, &pt->sim_max);
    if (!strcmp(k, "step")) return get_number(L, v, 0, 1e300, &pt->sim_step);
    return fail(L, v, "unknown key (expected min, max, step)");
}

static int load_simulate(loader *L, const yaml_node_t *n, profile_point *pt)
{
    if (for_each_field(L, n, "a mapping {min, max, step}", simulate_field, pt)) return -1;
    if (pt->sim_min > pt->sim_max) return fail(L, n, "min is above max");
    return 0;
}

typedef struct {
    profile_type t;
    profile_point *pt;
    uint32_t *index;
    bool has_value;
} point_ctx;

static int point_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    point_ctx *c = ctx;
    profile_type t = c->t;
    profile_point *pt = c->pt;
    uint32_t x = 0;
    int rc;
    if (!strcmp(k, "index")) return get_uint(L, v, 0, 65535, c->index);
    if (!strcmp(k, "name")) return get_string(L, v, pt->name, sizeof pt->name);
    if (!strcmp(k, "class")) {
        rc = get_uint(L, v, 0, 3, &x);
        pt->event_class = (uint8_t)x;
        return rc;
    }
    if (!strcmp(k, "value")) {
        c->has_value = true;
        return point_value(L, t, v, pt);
    }
    if (!strcmp(k, "flags")) {
        rc = get_uint(L, v, 0, 255, &x);
        pt->flags = (uint8_t)x;
        return rc;
    }
    if (!strcmp(k, "deadband") &&
        (t == PROFILE_ANALOG_INPUT || t == PROFILE_ANALOG_OUTPUT_STATUS || t == PROFILE_FROZEN_ANALOG_INPUT))
        return get_number(L, v, 0, 1e300, &pt->deadband);
    if (!strcmp(k, "simulate") && t == PROFILE_ANALOG_INPUT) return load_simulate(L, v, pt);
    if (!strcmp(k, "simulate") && t == PROFILE_COUNTER) return get_bool(L, v, &pt->sim_counter_rate);
    return fail(L, v, "unknown key for %s", profile_type_name(t));
}

static int load_point(loader *L, profile_type t, const yaml_node_t *n, profile_point *pt, uint32_t *index)
{
    point_ctx c = {t, pt, index, false};
    if (for_each_field(L, n, "a mapping with index, name, class, value, ...", point_field, &c)) return -1;
    if (t == PROFILE_OCTET_STRING && !c.has_value) return fail(L, n, "an octet string needs a value");
    if (t == PROFILE_ANALOG_INPUT && pt->sim_step > 0 && pt->sim_min == 0 && pt->sim_max == 0)
        pt->sim_min = pt->sim_max = pt->value;
    return 0;
}

typedef struct {
    profile_type t;
    profile_point *items;
    uint32_t *idx;
    uint32_t max_index;
} list_ctx;

static int list_item(loader *L, size_t i, const yaml_node_t *item, void *ctx)
{
    list_ctx *c = ctx;
    c->items[i].flags = 0x01;
    c->items[i].event_class =
        (c->t == PROFILE_BINARY_OUTPUT_STATUS || c->t == PROFILE_ANALOG_OUTPUT_STATUS) ? 0 : 1;
    c->idx[i] = (uint32_t)i;
    if (load_point(L, c->t, item, &c->items[i], &c->idx[i])) return -1;
    for (size_t j = 0; j < i; j++)
        if (c->idx[j] == c->idx[i]) return fail(L, item, "index %u is defined twice", c->idx[i]);
    if (c->idx[i] > c->max_index) c->max_index = c->idx[i];
    return 0;
}

/* One list of points (key: the point type): read, then stored densely by index. */
static int point_list(loader *L, const char *k, const yaml_node_t *list, void *ctx)
{
    profile *p = ctx;
    int t = profile_type_from_name(k);
    if (t < 0)
        return fail(
            L, list,
            "unknown point type (expected binary_input, double_bit_input, binary_output_status, "
            "counter, frozen_counter, analog_input, analog_output_status, octet_string, frozen_analog_input)");
    if (list->type != YAML_SEQUENCE_NODE) return fail(L, list, "expected a list of points");
    size_t n_items = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (n_items > 65536) return fail(L, list, "more than 65536 points");
    list_ctx c = {(profile_type)t, calloc(n_items ? n_items : 1, sizeof *c.items),
                  calloc(n_items ? n_items : 1, sizeof *c.idx), 0};
    int rc = c.items && c.idx ? for_each_item(L, list, "a list of points", list_item, &c)
                              : fail(L, list, "out of memory");
    if (!rc) {
        uint32_t count = n_items ? c.max_index + 1 : 0;
        profile_point *dense = calloc(count ? count : 1, sizeof *dense);
        if (!dense) rc = fail(L, list, "out of memory");
        for (uint32_t i = 0; !rc && i < count; i++) dense[i].flags = 0x01;
        for (size_t i = 0; !rc && i < n_items; i++) dense[c.idx[i]] = c.items[i];
        if (!rc) {
            free(p->points[t]);
            p->points[t] = dense;
            p->count[t] = count;
        }
    }
    free(c.items);
    free(c.idx);
    return rc;
}

static int load_points(loader *L, profile *p, const yaml_node_t *n)
{
    return for_each_field(L, n, "a mapping of point types", point_list, p);
}

static int wire_target(loader *L, const yaml_node_t *v, int32_t *out)
{
    uint32_t i;
    if (get_uint(L, v, 0, 65535, &i)) return -1;
    *out = (int32_t)i;
    return 0;
}

typedef struct {
    profile_wire *w;
    bool has_target;
} control_ctx;

static int control_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    control_ctx *c = ctx;
    profile_wire *w = c->w;
    if (!strcmp(k, "crob") || !strcmp(k, "analog_output")) {
        w->kind = !strcmp(k, "crob") ? WIRE_CROB : WIRE_ANALOG;
        c->has_target = true;
        return get_uint(L, v, 0, 65535, &w->index);
    }
    if (!strcmp(k, "name")) return get_string(L, v, w->name, sizeof w->name);
    if (!strcmp(k, "binary_input")) return wire_target(L, v, &w->binary_input);
    if (!strcmp(k, "double_bit_input")) return wire_target(L, v, &w->double_bit_input);
    if (!strcmp(k, "binary_output_status")) return wire_target(L, v, &w->binary_output_status);
    if (!strcmp(k, "analog_output_status")) return wire_target(L, v, &w->analog_output_status);
    if (!strcmp(k, "min")) return get_number(L, v, -1e300, 1e300, &w->min);
    if (!strcmp(k, "max")) return get_number(L, v, -1e300, 1e300, &w->max);
    return fail(L, v,
                "unknown key (expected crob, analog_output, name, binary_input, double_bit_input, "
                "binary_output_status, analog_output_status, min, max)");
}

static int load_control(loader *L, size_t i, const yaml_node_t *n, void *ctx)
{
    profile *p = ctx;
    profile_wire *w = &p->wires[i];
    *w = (profile_wire){WIRE_CROB, 0, "", -1, -1, -1, -1, -1e300, 1e300};
    control_ctx c = {w, false};
    if (for_each_field(L, n, "a mapping with crob or analog_output", control_field, &c)) return -1;
    if (!c.has_target) return fail(L, n, "a control needs crob: N or analog_output: N");
    p->wire_count++;
    return 0;
}

/* Every wired target must exist in the database. */
static int check_wires(loader *L, const profile *p, const yaml_node_t *n)
{
    for (uint32_t i = 0; i < p->wire_count; i++) {
        const profile_wire *w = &p->wires[i];
        const struct {
            int32_t idx;
            profile_type t;
        } T[] = {{w->binary_input, PROFILE_BINARY_INPUT},
                 {w->double_bit_input, PROFILE_DOUBLE_BIT_INPUT},
                 {w->binary_output_status, PROFILE_BINARY_OUTPUT_STATUS},
                 {w->analog_output_status, PROFILE_ANALOG_OUTPUT_STATUS}};
        for (size_t k = 0; k < 4; k++)
            if (T[k].idx >= 0 && (uint32_t)T[k].idx >= p->count[T[k].t]) {
                snprintf(L->path, sizeof L->path, "controls[%u].%s", i, profile_type_name(T[k].t));
                return fail(L, n, "%s %d does not exist (the database has %u)", profile_type_name(T[k].t),
                            T[k].idx, p->count[T[k].t]);
            }
    }
    return 0;
}

static int outstation_field(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    profile *p = ctx;
    uint32_t u = 0;
    if (!strcmp(k, "link_addr") || !strcmp(k, "master_addr")) {
        int rc = get_uint(L, v, 0, 0xFFEF, &u);
        *(!strcmp(k, "link_addr") ? &p->link_addr : &p->master_addr) = (uint16_t)u;
        return rc;
    }
    if (!strcmp(k, "event_buffer")) return get_uint(L, v, 1, 100000, &p->event_buffer);
    if (!strcmp(k, "max_fragment")) return get_uint(L, v, 249, 65535, &p->max_fragment);
    if (!strcmp(k, "unsolicited")) return get_bool(L, v, &p->unsolicited);
    if (!strcmp(k, "device_name")) return get_string(L, v, p->device_name, sizeof p->device_name);
    if (!strcmp(k, "framing_error")) {
        char s[16];
        if (get_string(L, v, s, sizeof s)) return -1;
        if (!strcmp(s, "close"))
            p->framing = DNP3_FRAMING_CLOSE;
        else if (!strcmp(s, "resync"))
            p->framing = DNP3_FRAMING_RESYNC;
        else
            return fail(L, v, "'%s' is not close or resync", s);
        return 0;
    }
    return fail(L, v,
                "unknown key (expected link_addr, master_addr, event_buffer, max_fragment, "
                "unsolicited, device_name, framing_error)");
}

typedef struct {
    profile *p;
    const yaml_node_t *controls;
} root_ctx;

static int root_section(loader *L, const char *k, const yaml_node_t *v, void *ctx)
{
    root_ctx *c = ctx;
    if (!strcmp(k, "outstation")) return for_each_field(L, v, "a mapping", outstation_field, c->p);
    if (!strcmp(k, "points")) return load_points(L, c->p, v);
    if (!strcmp(k, "security")) return config_load_security(L, v, c->p);
    if (!strcmp(k, "sessions")) return config_load_sessions(L, v, c->p);
    if (!strcmp(k, "controls")) {
        c->controls = v; /* read after points, so that wiring can be checked against them */
        return 0;
    }
    return fail(L, v, "unknown section (expected outstation, points, controls, security, sessions)");
}

static int load_root(loader *L, profile *p, const yaml_node_t *root)
{
    if (!root) return fail(L, NULL, "the file is empty");
    root_ctx c = {p, NULL};
    if (for_each_field(L, root, "a mapping with outstation, points, controls", root_section, &c)) return -1;
    if (c.controls) {
        size_t mark = push(L, "controls", 0);
        size_t n = c.controls->type == YAML_SEQUENCE_NODE
                       ? (size_t)(c.controls->data.sequence.items.top - c.controls->data.sequence.items.start)
                       : 0;
        p->wires = calloc(n ? n : 1, sizeof *p->wires);
        if (!p->wires) return fail(L, c.controls, "out of memory");
        if (for_each_item(L, c.controls, "a list of controls", load_control, p)) return -1;
        pop(L, mark);
        if (check_wires(L, p, c.controls)) return -1;
    }
    return 0;
}

/* Parses what `parser` reads (a file or a buffer) as the point database (ctx) of `name`. */
static int load_parsed(yaml_parser_t *parser, const char *name, void *ctx, char *err, size_t err_cap)
{
    profile *p = ctx;
    loader L = {.file = name, .err = err, .err_cap = err_cap};
    int rc = load_document(&L, parser);
    if (!rc) {
        rc = load_root(&L, p, yaml_document_get_root_node(&L.doc));
        yaml_document_delete(&L.doc);
    }
    if (rc) profile_free(p);
    return rc;
}

int config_yaml_load(const char *file, profile *p, char *err, size_t err_cap)
{
    profile_defaults(p);
    return load_yaml_file(file, load_parsed, p, err, err_cap);
}

int config_yaml_load_buffer(const char *name, const uint8_t *data, size_t len, profile *p, char *err,
                            size_t err_cap)
{
    profile_defaults(p);
    return load_yaml_buffer(name, data, len, load_parsed, p, err, err_cap);
}
