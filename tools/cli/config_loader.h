/*
 * config_loader.h - strict YAML field readers for the `dnp3 outstation`
 * configuration (docs/outstation-cli.md): a loader carries the document, the
 * file name and the dotted path of the field being read, so that every error
 * names FILE:LINE and the field.
 */
#ifndef DNP3_CLI_CONFIG_LOADER_H
#define DNP3_CLI_CONFIG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

typedef struct {
    yaml_document_t doc;
    const char *file;
    char *err;
    size_t err_cap;
    char path[256];
} loader;

/* Writes "FILE:LINE: path: what" into the loader's error buffer; returns -1. */
int fail(loader *L, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

yaml_node_t *node(loader *L, int id);

/* The text of a scalar node, or NULL. */
const char *scalar(const yaml_node_t *n);

/* Appends ".key" ("key" at the top) or "[idx]" when key is NULL to the path; returns the mark for pop. */
size_t push(loader *L, const char *key, int idx);
void pop(loader *L, size_t len);

/* One field of a mapping or one item of a sequence: 0, or -1 with the error set. */
typedef int (*field_fn)(loader *L, const char *key, const yaml_node_t *value, void *ctx);
typedef int (*item_fn)(loader *L, size_t i, const yaml_node_t *item, void *ctx);

/* Calls fn for each field of the mapping n with ".key" on the path, and stops at the first that
 * fails. A node that is not a mapping fails with "expected <what>", a key that is not a scalar
 * with "bad key". */
int for_each_field(loader *L, const yaml_node_t *n, const char *what, field_fn fn, void *ctx);

/* The same for each item of the sequence n, with "[i]" on the path. */
int for_each_item(loader *L, const yaml_node_t *n, const char *what, item_fn fn, void *ctx);

/* Parses the parser's document into L->doc, or writes "FILE:LINE: YAML syntax error: ..." and
 * returns -1. */
int load_document(loader *L, yaml_parser_t *parser);

/* Reads one YAML document from a file or from memory and hands the parser to fn (which loads the
 * document and reports its errors); `name` stands for the file in the messages. 0, or -1 with the
 * error in err ("FILE: reason" when the file cannot be opened). */
typedef int (*document_fn)(yaml_parser_t *parser, const char *name, void *ctx, char *err, size_t err_cap);
int load_yaml_file(const char *file, document_fn fn, void *ctx, char *err, size_t err_cap);
int load_yaml_buffer(const char *name, const uint8_t *data, size_t size, document_fn fn, void *ctx, char *err,
                     size_t err_cap);

/* Readers: 0, or -1 with the error set. */
int get_number(loader *L, const yaml_node_t *n, double lo, double hi, double *out);
int get_uint(loader *L, const yaml_node_t *n, double lo, double hi, uint32_t *out);
int get_bool(loader *L, const yaml_node_t *n, bool *out);
int get_string(loader *L, const yaml_node_t *n, char *out, size_t cap);
/* A file name, relative to the directory of the configuration file unless absolute; where (if not
 * NULL) receives "FILE:LINE: path" for the messages about the file's content read later. */
int get_path(loader *L, const yaml_node_t *n, char *out, size_t cap, char *where, size_t where_cap);

#endif
