/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

size_t tu_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    const char *s = hex;
    while (*s) {
        if (isspace((unsigned char)*s) || *s == '|' || *s == ',') {
            s++;
            continue;
        }
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            s += 2;
            continue;
        }
        int hi = hexval((unsigned char)s[0]);
        int lo = s[1] ? hexval((unsigned char)s[1]) : -1;
        if (hi < 0 || lo < 0) fail_msg("bad hex near \"%.8s\"", s);
        if (n >= cap) fail_msg("hex longer than %zu octets", cap);
        out[n++] = (uint8_t)(hi * 16 + lo);
        s += 2;
    }
    return n;
}

const char *tu_tohex(const uint8_t *p, size_t n)
{
    static char bufs[4][3 * 4096 + 1];
    static int which;
    char *b = bufs[which++ & 3];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < sizeof bufs[0]; i++)
        o += (size_t)sprintf(b + o, i ? " %02X" : "%02X", p[i]);
    b[o] = 0;
    return b;
}

void tu_assert_hex(const uint8_t *p, size_t n, const char *hex, const char *file, int line)
{
    static uint8_t want[4096];
    size_t wn = tu_hex(hex, want, sizeof want);
    if (wn != n || memcmp(want, p, n) != 0) {
        print_error("%s:%d: bytes differ\n  got:  %s\n  want: %s\n", file, line, tu_tohex(p, n),
                    tu_tohex(want, wn));
        fail_msg("hex mismatch");
    }
}
