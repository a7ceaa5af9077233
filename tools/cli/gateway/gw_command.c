/*
 * gw_command.c - the requests of commands from MQTT (docs/gateway.md,
 * "Commands from MQTT"): one flat JSON object,
 *
 *   {"crob": 0, "code": "trip"}         trip, close, latch-on, latch-off, pulse-on, pulse-off
 *   {"analog": 0, "value": 138.0}
 *
 * with optional "client" (who sends it, for the audit) and "id" (echoed in the
 * result). Anything else - another key, a nested value, a duplicate key,
 * trailing text - is refused with the reason.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/objects.h"
#include "gateway.h"

size_t gw_json_str(char *buf, size_t cap, size_t n, const char *s)
{
    if (!s) return n + (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "null");
    if (n < cap) buf[n] = '"';
    n++;
    for (const char *c = s; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch == '"' || ch == '\\')
            n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "\\%c", ch);
        else if (ch < 0x20)
            n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "\\u%04x", ch);
        else {
            if (n < cap) buf[n] = (char)ch;
            n++;
        }
    }
    if (n < cap) buf[n] = '"';
    n++;
    if (n < cap) buf[n] = 0;
    return n;
}

typedef struct {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

/* A JSON string without escapes other than \" \\ \/ (enough for keys, codes, ids). */
static int read_string(cursor *c, char *out, size_t cap)
{
    if (c->p >= c->end || *c->p != '"') return -1;
    c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != '"') {
        char ch = *c->p++;
        if ((unsigned char)ch < 0x20) return -1;
        if (ch == '\\') {
            if (c->p >= c->end || (*c->p != '"' && *c->p != '\\' && *c->p != '/')) return -1;
            ch = *c->p++;
        }
        if (n + 1 >= cap) return -1;
        out[n++] = ch;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    out[n] = 0;
    return 0;
}

static int read_number(cursor *c, double *v)
{
    char buf[64];
    size_t n = 0;
    while (c->p < c->end && n + 1 < sizeof buf && (isdigit((unsigned char)*c->p) || strchr("+-.eE", *c->p)))
        buf[n++] = *c->p++;
    buf[n] = 0;
    if (!n) return -1;
    char *e;
    *v = strtod(buf, &e);
    return *e || !isfinite(*v) ? -1 : 0;
}

static const struct {
    const char *name;
    uint8_t code;
} CODES[] = {
    {"trip", DNP3_CROB_TCC_TRIP | DNP3_OP_PULSE_ON},
    {"close", DNP3_CROB_TCC_CLOSE | DNP3_OP_PULSE_ON},
    {"latch-on", DNP3_OP_LATCH_ON},
    {"latch-off", DNP3_OP_LATCH_OFF},
    {"pulse-on", DNP3_OP_PULSE_ON},
    {"pulse-off", DNP3_OP_PULSE_OFF},
};

int gw_command_parse(const char *json, size_t len, gw_command_req *r, char *why, size_t why_cap)
{
    memset(r, 0, sizeof *r);
    cursor c = {json, json + len};
    bool has_crob = false, has_analog = false, has_code = false, has_value = false, has_client = false,
         has_id = false;
    double index = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') {
        snprintf(why, why_cap, "bad JSON: expected an object");
        return -1;
    }
    c.p++;
    skip_ws(&c);
    bool first = true;
    while (c.p < c.end && *c.p != '}') {
        if (!first) {
            if (*c.p != ',') {
                snprintf(why, why_cap, "bad JSON: expected , or }");
                return -1;
            }
            c.p++;
            skip_ws(&c);
        }
        first = false;
        char key[32];
        if (read_string(&c, key, sizeof key)) {
            snprintf(why, why_cap, "bad JSON: expected a key");
            return -1;
        }
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':') {
            snprintf(why, why_cap, "bad JSON: expected : after \"%s\"", key);
            return -1;
        }
        c.p++;
        skip_ws(&c);
        bool *seen = !strcmp(key, "crob")     ? &has_crob
                     : !strcmp(key, "analog") ? &has_analog
                     : !strcmp(key, "code")   ? &has_code
                     : !strcmp(key, "value")  ? &has_value
                     : !strcmp(key, "client") ? &has_client
                     : !strcmp(key, "id")     ? &has_id
                                              : NULL;
        if (!seen) {
            snprintf(why, why_cap, "bad JSON: unknown key \"%s\" (expected crob, code, analog, value, client, id)",
                     key);
            return -1;
        }
        if (*seen) {
            snprintf(why, why_cap, "bad JSON: \"%s\" given twice", key);
            return -1;
        }
        *seen = true;
        int rc;
        if (seen == &has_code)
            rc = read_string(&c, r->code_name, sizeof r->code_name);
        else if (seen == &has_client)
            rc = read_string(&c, r->client, sizeof r->client);
        else if (seen == &has_id)
            rc = read_string(&c, r->id, sizeof r->id);
        else
            rc = read_number(&c, seen == &has_value ? &r->value : &index);
        if (rc) {
            snprintf(why, why_cap, "bad JSON: bad value of \"%s\"", key);
            return -1;
        }
        skip_ws(&c);
    }
    if (c.p >= c.end) {
        snprintf(why, why_cap, "bad JSON: unterminated object");
        return -1;
    }
    c.p++;
    skip_ws(&c);
    if (c.p != c.end) {
        snprintf(why, why_cap, "bad JSON: text after the object");
        return -1;
    }
    if (has_crob == has_analog) {
        snprintf(why, why_cap, "bad JSON: give either \"crob\" or \"analog\"");
        return -1;
    }
    if (index < 0 || index > 65535 || index != floor(index)) {
        snprintf(why, why_cap, "bad JSON: the index must be an integer 0..65535");
        return -1;
    }
    r->index = (uint32_t)index;
    r->crob = has_crob;
    if (has_crob) {
        if (has_value || !has_code) {
            snprintf(why, why_cap, "bad JSON: a crob needs \"code\" (and no \"value\")");
            return -1;
        }
        for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++)
            if (!strcmp(r->code_name, CODES[i].name)) {
                r->code = CODES[i].code;
                return 0;
            }
        snprintf(why, why_cap,
                 "bad JSON: unknown code \"%s\" (trip, close, latch-on, latch-off, pulse-on, pulse-off)",
                 r->code_name);
        return -1;
    }
    if (has_code || !has_value) {
        snprintf(why, why_cap, "bad JSON: an analog needs \"value\" (and no \"code\")");
        return -1;
    }
    return 0;
}
