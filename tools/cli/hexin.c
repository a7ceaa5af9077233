/*
 * hexin.c - lenient hex-text parser (see hexin.h for the accepted syntax).
 */
#include "hexin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hex_buf_free(hex_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int hex_buf_append(hex_buf *b, const uint8_t *p, size_t n)
{
    if (n == 0) return 0;
    if (n > b->cap - b->len) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap - b->len < n) {
            if (ncap > SIZE_MAX / 2) return -1;
            ncap *= 2;
        }
        uint8_t *nd = realloc(b->data, ncap);
        if (!nd) return -1;
        b->data = nd;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == ',' || c == '|' ||
           c == ':' || c == ';' || c == '>' || c == '<';
}

void hex_line_col(const char *text, size_t pos, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

int hex_parse(const char *text, size_t len, hex_buf *b, size_t *err_pos, char *err, size_t errcap)
{
    size_t i = 0;
    int line_start = 1;
    while (i < len) {
        char c = text[i];
        if (c == '\n') {
            line_start = 1;
            i++;
            continue;
        }
        if (c == '#' || (line_start && c == '@')) {
            while (i < len && text[i] != '\n') i++;
            continue;
        }
        if (is_sep(c)) {
            i++;
            continue;
        }
        line_start = 0;
        size_t tok = i;
        if (c == '0' && i + 1 < len && (text[i + 1] == 'x' || text[i + 1] == 'X')) i += 2;
        size_t digits = i;
        while (i < len && !is_sep(text[i]) && text[i] != '#') {
            if (hexval(text[i]) < 0) {
                *err_pos = i;
                snprintf(err, errcap, "'%c' is not a hex digit",
                         (text[i] >= 0x20 && text[i] < 0x7F) ? text[i] : '?');
                return -1;
            }
            i++;
        }
        size_t n = i - digits;
        if (n == 0) {
            *err_pos = tok;
            snprintf(err, errcap, "\"0x\" without hex digits");
            return -1;
        }
        if (n % 2) {
            *err_pos = tok;
            snprintf(err, errcap, "hex token \"%.*s\" has an odd number of digits",
                     (int)((i - tok) > 40 ? 40 : (i - tok)), text + tok);
            return -1;
        }
        for (size_t k = digits; k < i; k += 2) {
            uint8_t o = (uint8_t)(hexval(text[k]) << 4 | hexval(text[k + 1]));
            if (hex_buf_append(b, &o, 1) != 0) {
                *err_pos = k;
                snprintf(err, errcap, "out of memory");
                return -1;
            }
        }
    }
    return 0;
}
