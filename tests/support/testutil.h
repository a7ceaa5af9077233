/*
 * testutil.h - helpers shared by the cmocka tests: hex parsing (whitespace and
 * 0x tolerated) and a byte-buffer comparison that prints both sides as hex.
 */
#ifndef DNP3_TESTUTIL_H
#define DNP3_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Parses hex into out; aborts the test on malformed hex or overflow. Returns the length. */
size_t tu_hex(const char *hex, uint8_t *out, size_t cap);

/* Formats n octets as "05 64 ..." into a static buffer (one of 4 rotating buffers). */
const char *tu_tohex(const uint8_t *p, size_t n);

/* Fails the test (showing both sides) unless p[0..n) equals the octets of `hex`. */
#define assert_hex(p, n, hex) tu_assert_hex((p), (n), (hex), __FILE__, __LINE__)
void tu_assert_hex(const uint8_t *p, size_t n, const char *hex, const char *file, int line);

#endif
