/*
 * decode_fmt.h - small formatting helpers shared by the decode printers:
 * DNP3 absolute time as ISO-8601 UTC with milliseconds, octets as hex and as
 * printable ASCII, and qualifier descriptions (IEEE 1815-2012 clause 4.3.2).
 */
#ifndef DNP3_CLI_DECODE_FMT_H
#define DNP3_CLI_DECODE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dnp3/types.h"

/* "2015-03-19T16:23:08.967Z" (buf >= 32 octets). Returns buf. */
const char *dnp3_fmt_time48(dnp3_time48 ms, char *buf, size_t cap);

/* "05 64 0A" (sep = ' ') or "05640A" (sep = 0); truncated with "..." if cap is short. */
const char *dnp3_fmt_hex(const uint8_t *p, size_t n, char sep, char *buf, size_t cap);

/* Writes n octets as hex to f ("05 64 0A" with sep ' ', "05640A" with sep 0). */
void dnp3_fput_hex(FILE *f, const uint8_t *p, size_t n, char sep);

/* Printable ASCII with '.' for other octets. */
const char *dnp3_fmt_ascii(const uint8_t *p, size_t n, char *buf, size_t cap);

/*
 * The shortest decimal form that reads back as the same value: single = float
 * (6..9 significant digits), else double (15..17). "NaN", "Infinity", "-Infinity"
 * for the non-finite values.
 */
const char *dnp3_fmt_real(double v, bool single, char *buf, size_t cap);

/* "2-octet index prefix" ... for a qualifier's prefix code (bits 6..4). */
const char *dnp3_fmt_prefix_name(unsigned prefix_code);

/* "16-bit start/stop" ... for a qualifier's range code (bits 3..0). */
const char *dnp3_fmt_range_name(unsigned range_code);

#endif
