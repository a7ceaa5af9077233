/*
 * json_out.c - streaming JSON writer with string escaping (see json_out.h).
 */
#include "json_out.h"

#include <math.h>

void dnp3_json_init(json_w *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
    w->first[0] = true;
}

void dnp3_json_escape(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (c < 0x20 || c >= 0x7F)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

/* Comma and member name before a value. */
static void member(json_w *w, const char *key)
{
    if (!w->first[w->depth]) fputc(',', w->f);
    w->first[w->depth] = false;
    if (key) {
        size_t n = 0;
        while (key[n]) n++;
        dnp3_json_escape(w->f, key, n);
        fputc(':', w->f);
    }
}

static void json_open_(json_w *w, const char *key, char c)
{
    member(w, key);
    fputc(c, w->f);
    if (w->depth + 1 < JSON_MAX_DEPTH) w->depth++;
    w->first[w->depth] = true;
}

static void json_close_(json_w *w, char c)
{
    fputc(c, w->f);
    if (w->depth > 0) w->depth--;
}

void dnp3_json_obj_begin(json_w *w, const char *key)
{
    json_open_(w, key, '{');
}
void dnp3_json_obj_end(json_w *w)
{
    json_close_(w, '}');
}
void dnp3_json_arr_begin(json_w *w, const char *key)
{
    json_open_(w, key, '[');
}
void dnp3_json_arr_end(json_w *w)
{
    json_close_(w, ']');
}

void dnp3_json_strn(json_w *w, const char *key, const char *s, size_t n)
{
    member(w, key);
    dnp3_json_escape(w->f, s, n);
}

void dnp3_json_str(json_w *w, const char *key, const char *s)
{
    size_t n = 0;
    if (!s) s = "";
    while (s[n]) n++;
    dnp3_json_strn(w, key, s, n);
}

void dnp3_json_int(json_w *w, const char *key, int64_t v)
{
    member(w, key);
    fprintf(w->f, "%lld", (long long)v);
}

void dnp3_json_uint(json_w *w, const char *key, uint64_t v)
{
    member(w, key);
    fprintf(w->f, "%llu", (unsigned long long)v);
}

void dnp3_json_double(json_w *w, const char *key, double v, int precision)
{
    if (isnan(v)) {
        dnp3_json_str(w, key, "NaN");
    } else if (isinf(v)) {
        dnp3_json_str(w, key, v > 0 ? "Infinity" : "-Infinity");
    } else {
        member(w, key);
        fprintf(w->f, "%.*g", precision, v);
    }
}

void dnp3_json_hex(json_w *w, const char *key, const uint8_t *p, size_t n)
{
    member(w, key);
    fputc('"', w->f);
    for (size_t i = 0; i < n; i++) fprintf(w->f, "%02X", p[i]);
    fputc('"', w->f);
}

void dnp3_json_number(json_w *w, const char *key, const char *num)
{
    member(w, key);
    fputs(num, w->f);
}

void dnp3_json_bool(json_w *w, const char *key, bool v)
{
    member(w, key);
    fputs(v ? "true" : "false", w->f);
}

void dnp3_json_null(json_w *w, const char *key)
{
    member(w, key);
    fputs("null", w->f);
}
