/*
 * hexin.h - lenient hex-text parser for `dnp3 decode` (and any command that
 * takes octets on the command line): whitespace, commas, '|', ':' and ';'
 * separate, a "0x" prefix is tolerated, '#' starts a comment to the end of the
 * line, and the vector-file markers '>' '<' and '@...' lines are skipped.
 */
#ifndef DNP3_CLI_HEXIN_H
#define DNP3_CLI_HEXIN_H

#include <stddef.h>
#include <stdint.h>

/* A growable octet buffer (the CLI is allowed to allocate). */
typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
} hex_buf;

void hex_buf_free(hex_buf *b);

/* Appends n octets; returns 0, or -1 if out of memory. */
int hex_buf_append(hex_buf *b, const uint8_t *p, size_t n);

/*
 * Parses hex text and appends the octets to b. Tokens are runs of hex digits of
 * even length ("05", "0564", "0x05"). Returns 0, or -1 on malformed input with
 * *err_pos = index of the offending character in text and a message in err.
 */
int hex_parse(const char *text, size_t len, hex_buf *b, size_t *err_pos, char *err, size_t errcap);

/* 1-based line and column of text[pos]. */
void hex_line_col(const char *text, size_t pos, size_t *line, size_t *col);

#endif
