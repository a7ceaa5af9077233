/*
 * config_loader.c - the strict YAML field readers shared by the sections of
 * the `dnp3 outstation` configuration (config_yaml.c, config_security.c):
 * every error becomes "FILE:LINE: field.path: what is wrong".
 */
#include "config_loader.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int fail(loader *L, const yaml_node_t *n, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char line[24] = "";
    if (n) snprintf(line, sizeof line, ":%lu", (unsigned long)n->start_mark.line + 1);
    snprintf(L->err, L->err_cap, "%s%s: %s%s%s", L->file, line, L->path, L->path[0] ? ": " : "", what);
    return -1;
}

yaml_node_t *node(loader *L, int id)
{
    return yaml_document_get_node(&L->doc, id);
}

const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Appends ".key" or "[i]" to the path for the duration of a field. */
size_t push(loader *L, const char *key, int idx)
{
    size_t len = strlen(L->path);
    if (key)
        snprintf(L->path + len, sizeof L->path - len, "%s%s", len ? "." : "", key);
    else
        snprintf(L->path + len, sizeof L->path - len, "[%d]", idx);
    return len;
}

void pop(loader *L, size_t len)
{
    L->path[len] = 0;
}

int for_each_field(loader *L, const yaml_node_t *n, const char *what, field_fn fn, void *ctx)
{
    if (!n || n->type != YAML_MAPPING_NODE) return fail(L, n, "expected %s", what);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        const char *k = scalar(node(L, pr->key));
        const yaml_node_t *v = node(L, pr->value);
        bool twice = false; /* YAML forbids it; libyaml does not check, and the second would win quietly */
        for (yaml_node_pair_t *e = n->data.mapping.pairs.start; k && !twice && e < pr; e++) {
            const char *ek = scalar(node(L, e->key));
            twice = ek && !strcmp(ek, k);
        }
        size_t mark = push(L, k ? k : "?", 0);
        int rc = !k ? fail(L, v, "bad key") : twice ? fail(L, node(L, pr->key), "given twice") : fn(L, k, v, ctx);
        pop(L, mark);
        if (rc) return -1;
    }
    return 0;
}

int for_each_item(loader *L, const yaml_node_t *n, const char *what, item_fn fn, void *ctx)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return fail(L, n, "expected %s", what);
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    for (size_t i = 0; i < count; i++) {
        size_t mark = push(L, NULL, (int)i);
        int rc = fn(L, i, node(L, n->data.sequence.items.start[i]), ctx);
        pop(L, mark);
        if (rc) return -1;
    }
    return 0;
}

int get_number(loader *L, const yaml_node_t *n, double lo, double hi, double *out)
{
    const char *s = scalar(n);
    if (!s) return fail(L, n, "expected a number");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) return fail(L, n, "expected a number, got \"%s\"", s);
    if (v < lo || v > hi) return fail(L, n, "%s is out of range %g..%g", s, lo, hi);
    *out = v;
    return 0;
}

int get_uint(loader *L, const yaml_node_t *n, double lo, double hi, uint32_t *out)
{
    double v = 0;
    if (get_number(L, n, lo, hi, &v)) return -1;
    if (v != floor(v)) return fail(L, n, "expected a whole number, got %s", scalar(n));
    *out = (uint32_t)v;
    return 0;
}

int get_bool(loader *L, const yaml_node_t *n, bool *out)
{
    const char *s = scalar(n);
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1") || !strcasecmp(s, "on")))
        *out = true;
    else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0") || !strcasecmp(s, "off")))
        *out = false;
    else
        return fail(L, n, "expected true or false");
    return 0;
}

int get_string(loader *L, const yaml_node_t *n, char *out, size_t cap)
{
    const char *s = scalar(n);
    if (!s) return fail(L, n, "expected a string");
    if (strlen(s) >= cap) return fail(L, n, "longer than %zu characters", cap - 1);
    snprintf(out, cap, "%s", s);
    return 0;
}

int get_path(loader *L, const yaml_node_t *n, char *out, size_t cap, char *where, size_t where_cap)
{
    char value[1024];
    if (get_string(L, n, value, sizeof value)) return -1;
    if (!value[0]) return fail(L, n, "expected a file name");
    const char *slash = strrchr(L->file, '/');
    int len = value[0] == '/' || !slash ? snprintf(out, cap, "%s", value)
                                        : snprintf(out, cap, "%.*s/%s", (int)(slash - L->file), L->file, value);
    if (len < 0 || (size_t)len >= cap) return fail(L, n, "the file name is too long");
    if (where) snprintf(where, where_cap, "%s:%lu: %s", L->file, (unsigned long)n->start_mark.line + 1, L->path);
    return 0;
}

int load_document(loader *L, yaml_parser_t *parser)
{
    if (yaml_parser_load(parser, &L->doc)) return 0;
    snprintf(L->err, L->err_cap, "%s:%lu: YAML syntax error: %s", L->file,
             (unsigned long)parser->problem_mark.line + 1, parser->problem ? parser->problem : "unknown");
    return -1;
}

int load_yaml_file(const char *file, document_fn fn, void *ctx, char *err, size_t err_cap)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(err, err_cap, "%s: %s", file, strerror(errno));
        return -1;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = fn(&parser, file, ctx, err, err_cap);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

int load_yaml_buffer(const char *name, const uint8_t *data, size_t size, document_fn fn, void *ctx, char *err,
                     size_t err_cap)
{
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, data, size);
    int rc = fn(&parser, name, ctx, err, err_cap);
    yaml_parser_delete(&parser);
    return rc;
}
