/*
 * cli_args.c - strict parsing of the dnp3 command's option values, each refusal
 * one sentence naming the option (see cli_args.h).
 */
#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/channel.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return 2;
}

int cli_uint(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-') {
        cli_usage_error(cmd, "%s needs a number from %llu to %llu", opt, (unsigned long long)lo,
                        (unsigned long long)hi);
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v < lo || v > hi) {
        cli_usage_error(cmd, "%s: '%s' is not a number from %llu to %llu", opt, s, (unsigned long long)lo,
                        (unsigned long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool cli_decimal_range(const char *s, bool single_ok, unsigned long *lo, unsigned long *hi)
{
    char *end = NULL;
    if (!s || !is_digit(s[0])) return false;
    *lo = strtoul(s, &end, 10);
    if (*end == 0 && single_ok) {
        *hi = *lo;
        return true;
    }
    if (*end != '-' || !is_digit(end[1])) return false;
    *hi = strtoul(end + 1, &end, 10);
    return *end == 0;
}

int cli_double(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0;
    if (!s || !*s || errno || *end || !isfinite(v)) {
        cli_usage_error(cmd, "%s: '%s' is not a number", opt, s ? s : "");
        return -1;
    }
    *out = v;
    return 0;
}

int cli_host_port(const char *cmd, const char *opt, const char *s, const char *default_host, uint16_t default_port,
                  char *host, size_t host_cap, uint16_t *port)
{
    const char *colon;
    size_t hlen;
    if (s[0] == '[') { /* [v6]:port */
        const char *close = strchr(s, ']');
        if (!close) {
            cli_usage_error(cmd, "%s: '%s' has no closing ']'", opt, s);
            return -1;
        }
        hlen = (size_t)(close - s - 1);
        s++;
        colon = close[1] == ':' ? close + 1 : NULL;
        if (!colon && close[1]) {
            cli_usage_error(cmd, "%s: unexpected text after ']' in '%s'", opt, s - 1);
            return -1;
        }
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon) colon = NULL; /* a bare IPv6 address */
        hlen = colon ? (size_t)(colon - s) : strlen(s);
    }
    if (hlen >= host_cap) {
        cli_usage_error(cmd, "%s: host name too long", opt);
        return -1;
    }
    if (hlen == 0)
        snprintf(host, host_cap, "%s", default_host);
    else {
        memcpy(host, s, hlen);
        host[hlen] = 0;
    }
    *port = default_port;
    if (colon) {
        uint64_t p;
        if (cli_uint(cmd, opt, colon + 1, 0, 65535, &p)) return -1;
        *port = (uint16_t)p;
    }
    return 0;
}

int cli_framing(const char *cmd, const char *opt, const char *s, int *out)
{
    if (s && !strcmp(s, "close"))
        *out = DNP3_FRAMING_CLOSE;
    else if (s && !strcmp(s, "resync"))
        *out = DNP3_FRAMING_RESYNC;
    else
        return cli_usage_error(cmd, "%s: '%s' is not close or resync", opt, s ? s : "");
    return 0;
}

bool cli_is_loopback(const char *host)
{
    return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}
