/*
 * config_yaml.c - loads an outstation point database from YAML (libyaml) into a
 * profile. Strict: an unknown key, a wrong type or an out-of-range value stops
 * the load with "FILE:LINE: field.path: what is wrong", so nothing
 * half-configured ever runs. The format is documented in docs/outstation-cli.md.
 *
 *   outstation: {link_addr: 10, master_addr: 1, event_buffer: 1000,
 *                max_fragment: 2048, unsolicited: true, device_name: "RTU"}
 *   points:
 *     analog_input:
 *       - {index: 0, name: "Bus 1 kV", class: 2, deadband: 0.5, value: 138.2,
 *          simulate: {min: 136, max: 140, step: 0.1}}
 *   controls:
 *     - {crob: 0, name: "CB-101", binary_input: 0, double_bit_input: 0, binary_output_status: 0}
 *     - {analog_output: 0, analog_output_status: 0, min: 130, max: 145}
 *   security: {secure_authentication: {...}, tls: {...}}   (config_security.c)
 */
#include "config_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "config_loader.h"
#include "config_security.h"

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

static int load_simulate(loader *L, const yaml_node_t *n, profile_point *pt)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping {min, max, step}");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        int rc = !k ? fail(L, v, "bad key")
                 : !strcmp(k, "min")  ? get_number(L, v, -1e300, 1e300, &pt->sim_min)
                 : !strcmp(k, "max")  ? get_number(L, v, -1e300, 1e300, &pt->sim_max)
                 : !strcmp(k, "step") ? get_number(L, v, 0, 1e300, &pt->sim_step)
                                      : fail(L, v, "unknown key (expected min, max, step)");
        pop(L, mark);
        if (rc) return -1;
    }
    if (pt->sim_min > pt->sim_max) return fail(L, n, "min is above max");
    return 0;
}

static int load_point(loader *L, profile_type t, const yaml_node_t *n, profile_point *pt, uint32_t *index)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping with index, name, class, value, ...");
    bool has_value = false;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        int rc;
        uint32_t cls = 0;
        if (!k)
            rc = fail(L, v, "bad key");
        else if (!strcmp(k, "index"))
            rc = get_uint(L, v, 0, 65535, index);
        else if (!strcmp(k, "name"))
            rc = get_string(L, v, pt->name, sizeof pt->name);
        else if (!strcmp(k, "class")) {
            rc = get_uint(L, v, 0, 3, &cls);
            pt->event_class = (uint8_t)cls;
        } else if (!strcmp(k, "value")) {
            rc = point_value(L, t, v, pt);
            has_value = true;
        } else if (!strcmp(k, "flags")) {
            rc = get_uint(L, v, 0, 255, &cls);
            pt->flags = (uint8_t)cls;
        } else if (!strcmp(k, "deadband") && (t == PROFILE_ANALOG_INPUT || t == PROFILE_ANALOG_OUTPUT_STATUS))
            rc = get_number(L, v, 0, 1e300, &pt->deadband);
        else if (!strcmp(k, "simulate") && t == PROFILE_ANALOG_INPUT)
            rc = load_simulate(L, v, pt);
        else if (!strcmp(k, "simulate") && t == PROFILE_COUNTER)
            rc = get_bool(L, v, &pt->sim_counter_rate);
        else
            rc = fail(L, v, "unknown key for %s", profile_type_name(t));
        pop(L, mark);
        if (rc) return -1;
    }
    if (t == PROFILE_OCTET_STRING && !has_value) return fail(L, n, "an octet string needs a value");
    if (t == PROFILE_ANALOG_INPUT && pt->sim_step > 0 && pt->sim_min == 0 && pt->sim_max == 0)
        pt->sim_min = pt->sim_max = pt->value;
    return 0;
}

static int load_points(loader *L, profile *p, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping of point types");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *list = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        int t = k ? profile_type_from_name(k) : -1;
        if (t < 0) return fail(L, list, "unknown point type (expected binary_input, double_bit_input, "
                                        "binary_output_status, counter, frozen_counter, analog_input, "
                                        "analog_output_status, octet_string)");
        if (list->type != YAML_SEQUENCE_NODE) return fail(L, list, "expected a list of points");
        size_t n_items = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
        if (n_items > 65536) return fail(L, list, "more than 65536 points");
        profile_point *items = calloc(n_items ? n_items : 1, sizeof *items);
        uint32_t *idx = calloc(n_items ? n_items : 1, sizeof *idx);
        if (!items || !idx) {
            free(items);
            free(idx);
            return fail(L, list, "out of memory");
        }
        uint32_t max_index = 0;
        int rc = 0;
        for (size_t i = 0; i < n_items && !rc; i++) {
            size_t m2 = push(L, NULL, (int)i);
            items[i].flags = 0x01;
            items[i].event_class = (t == PROFILE_BINARY_OUTPUT_STATUS || t == PROFILE_ANALOG_OUTPUT_STATUS) ? 0 : 1;
            idx[i] = (uint32_t)i;
            yaml_node_t *item = node(L, list->data.sequence.items.start[i]);
            rc = load_point(L, (profile_type)t, item, &items[i], &idx[i]);
            for (size_t j = 0; !rc && j < i; j++)
                if (idx[j] == idx[i]) rc = fail(L, item, "index %u is defined twice", idx[i]);
            if (idx[i] > max_index) max_index = idx[i];
            pop(L, m2);
        }
        if (!rc) {
            uint32_t count = n_items ? max_index + 1 : 0;
            profile_point *dense = calloc(count ? count : 1, sizeof *dense);
            if (!dense) rc = fail(L, list, "out of memory");
            for (uint32_t i = 0; !rc && i < count; i++) dense[i].flags = 0x01;
            for (size_t i = 0; !rc && i < n_items; i++) dense[idx[i]] = items[i];
            if (!rc) {
                free(p->points[t]);
                p->points[t] = dense;
                p->count[t] = count;
            }
        }
        free(items);
        free(idx);
        pop(L, mark);
        if (rc) return -1;
    }
    return 0;
}

static int wire_target(loader *L, const yaml_node_t *v, int32_t *out)
{
    uint32_t i;
    if (get_uint(L, v, 0, 65535, &i)) return -1;
    *out = (int32_t)i;
    return 0;
}

static int load_control(loader *L, const yaml_node_t *n, profile_wire *w)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping with crob or analog_output");
    *w = (profile_wire){WIRE_CROB, 0, "", -1, -1, -1, -1, -1e300, 1e300};
    bool has_target = false;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        int rc;
        if (!k)
            rc = fail(L, v, "bad key");
        else if (!strcmp(k, "crob") || !strcmp(k, "analog_output")) {
            w->kind = !strcmp(k, "crob") ? WIRE_CROB : WIRE_ANALOG;
            rc = get_uint(L, v, 0, 65535, &w->index);
            has_target = true;
        } else if (!strcmp(k, "name"))
            rc = get_string(L, v, w->name, sizeof w->name);
        else if (!strcmp(k, "binary_input"))
            rc = wire_target(L, v, &w->binary_input);
        else if (!strcmp(k, "double_bit_input"))
            rc = wire_target(L, v, &w->double_bit_input);
        else if (!strcmp(k, "binary_output_status"))
            rc = wire_target(L, v, &w->binary_output_status);
        else if (!strcmp(k, "analog_output_status"))
            rc = wire_target(L, v, &w->analog_output_status);
        else if (!strcmp(k, "min"))
            rc = get_number(L, v, -1e300, 1e300, &w->min);
        else if (!strcmp(k, "max"))
            rc = get_number(L, v, -1e300, 1e300, &w->max);
        else
            rc = fail(L, v, "unknown key (expected crob, analog_output, name, binary_input, double_bit_input, "
                            "binary_output_status, analog_output_status, min, max)");
        pop(L, mark);
        if (rc) return -1;
    }
    if (!has_target) return fail(L, n, "a control needs crob: N or analog_output: N");
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

static int load_outstation(loader *L, profile *p, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) return fail(L, n, "expected a mapping");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        size_t mark = push(L, k ? k : "?", 0);
        uint32_t u = 0;
        int rc;
        if (!k)
            rc = fail(L, v, "bad key");
        else if (!strcmp(k, "link_addr") || !strcmp(k, "master_addr")) {
            rc = get_uint(L, v, 0, 0xFFEF, &u);
            if (!strcmp(k, "link_addr"))
                p->link_addr = (uint16_t)u;
            else
                p->master_addr = (uint16_t)u;
        } else if (!strcmp(k, "event_buffer"))
            rc = get_uint(L, v, 1, 100000, &p->event_buffer);
        else if (!strcmp(k, "max_fragment"))
            rc = get_uint(L, v, 249, 65535, &p->max_fragment);
        else if (!strcmp(k, "unsolicited"))
            rc = get_bool(L, v, &p->unsolicited);
        else if (!strcmp(k, "device_name"))
            rc = get_string(L, v, p->device_name, sizeof p->device_name);
        else
            rc = fail(L, v, "unknown key (expected link_addr, master_addr, event_buffer, max_fragment, "
                            "unsolicited, device_name)");
        pop(L, mark);
        if (rc) return -1;
    }
    return 0;
}

static int load_root(loader *L, profile *p, const yaml_node_t *root)
{
    if (!root) return fail(L, NULL, "the file is empty");
    if (root->type != YAML_MAPPING_NODE) return fail(L, root, "expected a mapping with outstation, points, controls");
    const yaml_node_t *controls = NULL;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        yaml_node_t *v = node(L, pr->value);
        snprintf(L->path, sizeof L->path, "%s", k ? k : "?");
        int rc;
        if (!k)
            rc = fail(L, v, "bad key");
        else if (!strcmp(k, "outstation"))
            rc = load_outstation(L, p, v);
        else if (!strcmp(k, "points"))
            rc = load_points(L, p, v);
        else if (!strcmp(k, "security"))
            rc = config_load_security(L, v, p);
        else if (!strcmp(k, "controls")) {
            controls = v;
            rc = 0;
        } else
            rc = fail(L, v, "unknown section (expected outstation, points, controls, security)");
        if (rc) return -1;
    }
    if (controls) { /* after points, so wiring can be checked against them */
        snprintf(L->path, sizeof L->path, "controls");
        if (controls->type != YAML_SEQUENCE_NODE) return fail(L, controls, "expected a list of controls");
        size_t n = (size_t)(controls->data.sequence.items.top - controls->data.sequence.items.start);
        p->wires = calloc(n ? n : 1, sizeof *p->wires);
        if (!p->wires) return fail(L, controls, "out of memory");
        for (size_t i = 0; i < n; i++) {
            snprintf(L->path, sizeof L->path, "controls[%zu]", i);
            if (load_control(L, node(L, controls->data.sequence.items.start[i]), &p->wires[i])) return -1;
            p->wire_count++;
        }
        L->path[0] = 0;
        if (check_wires(L, p, controls)) return -1;
    }
    return 0;
}

/* Parses what `parser` reads (a file or a buffer) as the point database of `name`. */
static int load_parsed(yaml_parser_t *parser, const char *name, profile *p, char *err, size_t err_cap)
{
    loader L = {.file = name, .err = err, .err_cap = err_cap};
    int rc;
    if (!yaml_parser_load(parser, &L.doc)) {
        snprintf(err, err_cap, "%s:%lu: YAML syntax error: %s", name, (unsigned long)parser->problem_mark.line + 1,
                 parser->problem ? parser->problem : "unknown");
        rc = -1;
    } else {
        rc = load_root(&L, p, yaml_document_get_root_node(&L.doc));
        yaml_document_delete(&L.doc);
    }
    if (rc) profile_free(p);
    return rc;
}

int config_yaml_load(const char *file, profile *p, char *err, size_t err_cap)
{
    profile_defaults(p);
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(err, err_cap, "%s: %s", file, strerror(errno));
        return -1;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = load_parsed(&parser, file, p, err, err_cap);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

int config_yaml_load_buffer(const char *name, const uint8_t *data, size_t len, profile *p, char *err,
                            size_t err_cap)
{
    profile_defaults(p);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, data, len);
    int rc = load_parsed(&parser, name, p, err, err_cap);
    yaml_parser_delete(&parser);
    return rc;
}
