/*
 * json_out.h - a tiny streaming JSON writer for the CLI's --json output: it
 * tracks commas per nesting level and escapes every string so that the output
 * is valid JSON whatever octets a decoded string holds (octets >= 0x80 are
 * written as \u00XX, i.e. read as ISO-8859-1).
 */
#ifndef DNP3_CLI_JSON_OUT_H
#define DNP3_CLI_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

typedef struct {
    FILE *f;
    int depth;
    bool first[JSON_MAX_DEPTH]; /* no member written yet at this level */
} json_w;

void dnp3_json_init(json_w *w, FILE *f);

/* Writes s[0..n) as a quoted, escaped JSON string. */
void dnp3_json_escape(FILE *f, const char *s, size_t n);

/* `key` is the member name inside an object, NULL inside an array or at top level. */
void dnp3_json_obj_begin(json_w *w, const char *key);
void dnp3_json_obj_end(json_w *w);
void dnp3_json_arr_begin(json_w *w, const char *key);
void dnp3_json_arr_end(json_w *w);
void dnp3_json_str(json_w *w, const char *key, const char *s);
void dnp3_json_strn(json_w *w, const char *key, const char *s, size_t n);
void dnp3_json_int(json_w *w, const char *key, int64_t v);
void dnp3_json_uint(json_w *w, const char *key, uint64_t v);
/* Finite numbers as numbers; NaN and infinities as the strings "NaN", "Infinity", "-Infinity". */
void dnp3_json_double(json_w *w, const char *key, double v, int precision);
/* n octets as one string of upper-case hex digits, streamed (no length limit). */
void dnp3_json_hex(json_w *w, const char *key, const uint8_t *p, size_t n);
/* A number already formatted as valid JSON (e.g. by dnp3_fmt_real), written verbatim. */
void dnp3_json_number(json_w *w, const char *key, const char *num);
void dnp3_json_bool(json_w *w, const char *key, bool v);
void dnp3_json_null(json_w *w, const char *key);

#endif
