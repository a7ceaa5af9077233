/*
 * decode_fmt.c - formatting helpers for the decode printers (see decode_fmt.h).
 */
#include "decode_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Days since 1970-01-01 to a proleptic Gregorian civil date (era-based algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

const char *dnp3_fmt_time48(dnp3_time48 ms, char *buf, size_t cap)
{
    uint64_t secs = ms / 1000;
    unsigned msec = (unsigned)(ms % 1000);
    int64_t days = (int64_t)(secs / 86400);
    unsigned sod = (unsigned)(secs % 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d, sod / 3600, (sod / 60) % 60,
             sod % 60, msec);
    return buf;
}

const char *dnp3_fmt_hex(const uint8_t *p, size_t n, char sep, char *buf, size_t cap)
{
    static const char H[] = "0123456789ABCDEF";
    size_t per = sep ? 3 : 2, pos = 0;
    if (cap == 0) return buf;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (pos + per + 4 >= cap) {
            if (pos + 4 <= cap) {
                buf[pos++] = '.';
                buf[pos++] = '.';
                buf[pos++] = '.';
            }
            break;
        }
        if (sep && i) buf[pos++] = sep;
        buf[pos++] = H[p[i] >> 4];
        buf[pos++] = H[p[i] & 15];
    }
    buf[pos] = 0;
    return buf;
}

void dnp3_fput_hex(FILE *f, const uint8_t *p, size_t n, char sep)
{
    for (size_t i = 0; i < n; i++) fprintf(f, (sep && i) ? " %02X" : "%02X", p[i]);
}

const char *dnp3_fmt_ascii(const uint8_t *p, size_t n, char *buf, size_t cap)
{
    size_t pos = 0;
    if (cap == 0) return buf;
    for (size_t i = 0; i < n && pos + 1 < cap; i++) buf[pos++] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '.';
    buf[pos] = 0;
    return buf;
}

const char *dnp3_fmt_real(double v, bool single, char *buf, size_t cap)
{
    if (isnan(v) || isinf(v)) {
        snprintf(buf, cap, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return buf;
    }
    for (int prec = single ? 6 : 15; prec <= (single ? 9 : 17); prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        double back = strtod(buf, NULL);
        if (single ? (float)back == (float)v : back == v) break;
    }
    return buf;
}

const char *dnp3_fmt_prefix_name(unsigned prefix_code)
{
    static const char *const N[8] = {
        "no prefix",           "1-octet index prefix", "2-octet index prefix", "4-octet index prefix",
        "1-octet size prefix", "2-octet size prefix",  "4-octet size prefix",  "reserved prefix code 7",
    };
    return N[prefix_code & 7];
}

const char *dnp3_fmt_range_name(unsigned range_code)
{
    static const char *const N[16] = {
        "8-bit start/stop",
        "16-bit start/stop",
        "32-bit start/stop",
        "8-bit absolute index",
        "16-bit absolute index",
        "32-bit absolute index",
        "no range: all objects",
        "8-bit count",
        "16-bit count",
        "32-bit count",
        "reserved range code 0xA",
        "free format, 8-bit count",
        "reserved range code 0xC",
        "reserved range code 0xD",
        "reserved range code 0xE",
        "reserved range code 0xF",
    };
    return N[range_code & 15];
}
