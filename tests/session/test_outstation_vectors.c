/*
 * test_outstation_vectors.c - data-driven outstation session tests: runs every
 * tests/vectors/outstation_*.vec file against an outstation on a virtual clock.
 *
 * Vector file lines:
 *   # comment
 *   > HEX                 a request APDU arrives (broadcast if "! bcast" preceded it)
 *   < HEX                 the next fragment out must be exactly HEX
 *   < -                   nothing may come out now
 *   @+MS                  advance the virtual clock by MS and run the timers
 *   ! config K=V ...      (re)start with the harness defaults changed: points, unsol,
 *                         max_tx, events, bi_events, class, max_controls, delay,
 *                         need_time, retries, retry_delay
 *   ! update T I V F [TIME]   T = bi dbi bos ctr fctr ai aos (event detection on)
 *   ! octets I HEX        set an octet-string point
 *   ! iin restart|need_time|trouble 0|1
 *   ! online 0|1
 *   ! bcast noconf|conf|opt   the next request is a broadcast
 *   ! crob_status N / ! ao_status N   what the control callbacks return
 *   ! restart none|s|ms N what the restart callback returns
 *   ! utc N               what the wall-clock callback returns
 *
 * With DNP3_EMIT_CORPUS=<dir> in the environment each file is also written
 * as a fuzz input for fuzz/fuzz_outstation.c (format described there).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

#include "os_harness.h"

typedef struct {
    uint8_t buf[65536];
    size_t len;
    uint8_t cfg_byte;
    bool online;
} corpus;

static void corpus_put(corpus *c, const void *p, size_t n)
{
    if (c->len + n <= sizeof c->buf) {
        memcpy(c->buf + c->len, p, n);
        c->len += n;
    }
}

static int parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s || *s == '\n' || *s == '\r' || *s == '#') break;
        char *end;
        char two[3] = {s[0], s[1], 0};
        unsigned long v = strtoul(two, &end, 16);
        if (end != two + 2 || n >= cap) return -1;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return (int)n;
}

static int type_of(const char *s)
{
    static const char *names[] = {"bi", "dbi", "bos", "ctr", "fctr", "ai", "aos"};
    for (int i = 0; i < 7; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

typedef struct {
    harness h;
    dnp3_outstation_config cfg;
    dnp3_broadcast_kind bcast;
    bool started;
    corpus *cp;
    const char *file;
    int line;
    int failures;
} runner;

static void fail_at(runner *r, const char *msg, const char *detail)
{
    print_error("%s:%d: %s%s%s\n", r->file, r->line, msg, detail ? " " : "", detail ? detail : "");
    r->failures++;
}

static void start(runner *r)
{
    harness keep = r->h;
    h_start(&r->h, &r->cfg);
    /* callback settings survive a restart */
    r->h.crob_status = keep.crob_status;
    r->h.ao_status = keep.ao_status;
    r->h.restart_delay = keep.restart_delay;
    r->h.utc = keep.utc;
    r->started = true;
}

static void config(runner *r, char *args)
{
    h_config(&r->cfg);
    uint8_t cb = 0;
    for (char *tok = strtok(args, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            fail_at(r, "bad config item", tok);
            continue;
        }
        *eq = 0;
        long v = strtol(eq + 1, NULL, 0);
        if (strcmp(tok, "points") == 0) {
            for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) r->cfg.types[t].count = (uint16_t)v;
        } else if (strcmp(tok, "unsol") == 0) {
            r->cfg.unsolicited = v != 0;
            if (v) cb |= 0x01;
        } else if (strcmp(tok, "max_tx") == 0) {
            r->cfg.max_tx_fragment = (size_t)v;
            if (v == 249) cb |= 0x02;
        } else if (strcmp(tok, "events") == 0) {
            for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) r->cfg.types[t].event_buffer = (uint16_t)v;
            if (v == 3) cb |= 0x04;
        } else if (strcmp(tok, "bi_events") == 0) {
            r->cfg.types[DNP3_OS_BINARY_INPUT].event_buffer = (uint16_t)v;
        } else if (strcmp(tok, "class") == 0) {
            for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) r->cfg.types[t].event_class = (uint8_t)v;
        } else if (strcmp(tok, "max_controls") == 0) {
            r->cfg.max_controls = (uint16_t)v;
            if (v == 1) cb |= 0x08;
        } else if (strcmp(tok, "delay") == 0) {
            r->cfg.processing_delay_ms = (uint16_t)v;
        } else if (strcmp(tok, "need_time") == 0) {
            r->cfg.need_time_at_start = v != 0;
            if (v) cb |= 0x10;
        } else if (strcmp(tok, "retries") == 0) {
            r->cfg.unsol_retries = (uint32_t)v;
        } else if (strcmp(tok, "retry_delay") == 0) {
            r->cfg.unsol_retry_delay_ms = (uint32_t)v;
        } else {
            fail_at(r, "unknown config key", tok);
        }
    }
    r->cp->cfg_byte = cb;
    start(r);
}

static void directive(runner *r, char *s)
{
    char *cmd = strtok(s, " \t\r\n");
    char *rest = strtok(NULL, "\r\n");
    if (!cmd) return;
    if (strcmp(cmd, "config") == 0) {
        config(r, rest ? rest : (char[]){0});
        return;
    }
    if (!r->started) start(r);
    char a[32] = {0}, b[32] = {0}, c[32] = {0}, d[32] = {0}, e[32] = {0};
    int n = rest ? sscanf(rest, "%31s %31s %31s %31s %31s", a, b, c, d, e) : 0;
    if (strcmp(cmd, "update") == 0 && n >= 4) {
        int t = type_of(a);
        long idx = strtol(b, NULL, 0), fl = strtol(d, NULL, 0);
        double v = strtod(c, NULL);
        unsigned long long tm = n >= 5 ? strtoull(e, NULL, 0) : 0;
        if (t < 0 || dnp3_outstation_update(r->h.os, (dnp3_os_type)t, (uint16_t)idx, v, (uint8_t)fl, tm,
                                            DNP3_EVENT_DETECT) < 0)
            fail_at(r, "update rejected", rest);
        long iv = (v > -1e9 && v < 1e9) ? (long)v : 0;
        uint8_t rec[5] = {0x02, (uint8_t)(t < 0 ? 0 : t), (uint8_t)idx, (uint8_t)iv, (uint8_t)fl};
        corpus_put(r->cp, rec, sizeof rec);
    } else if (strcmp(cmd, "octets") == 0 && n >= 2) {
        uint8_t data[256];
        const char *hex = strchr(rest, ' ');
        int len = hex ? parse_hex(hex, data, sizeof data) : -1;
        long idx = strtol(a, NULL, 0);
        if (len <= 0 ||
            dnp3_outstation_update_octets(r->h.os, (uint16_t)idx, data, (size_t)len, 0, DNP3_EVENT_DETECT) < 0)
            fail_at(r, "octets rejected", rest);
        uint8_t rec[3] = {0x05, (uint8_t)idx, (uint8_t)(len < 0 ? 0 : len)};
        corpus_put(r->cp, rec, sizeof rec);
        if (len > 0) corpus_put(r->cp, data, (size_t)len);
    } else if (strcmp(cmd, "iin") == 0 && n >= 2) {
        uint16_t bit = strcmp(a, "restart") == 0     ? DNP3_IIN1_DEVICE_RESTART
                       : strcmp(a, "need_time") == 0 ? DNP3_IIN1_NEED_TIME
                                                     : DNP3_IIN1_DEVICE_TROUBLE;
        dnp3_outstation_set_iin(r->h.os, bit, strtol(b, NULL, 0) != 0);
        if (bit == DNP3_IIN1_DEVICE_RESTART && strtol(b, NULL, 0) == 0) {
            /* the fuzzer has no such record: clear it with WRITE g80v1 */
            uint8_t rec[] = {0x00, 8, 0, 0xCF, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00};
            corpus_put(r->cp, rec, sizeof rec);
        }
    } else if (strcmp(cmd, "online") == 0 && n >= 1) {
        bool on = strtol(a, NULL, 0) != 0;
        dnp3_outstation_set_online(r->h.os, on, r->h.now);
        if (on != r->cp->online) {
            uint8_t rec = 0x03;
            corpus_put(r->cp, &rec, 1);
            r->cp->online = on;
        }
    } else if (strcmp(cmd, "bcast") == 0 && n >= 1) {
        r->bcast = strcmp(a, "conf") == 0  ? DNP3_BCAST_CONFIRM
                   : strcmp(a, "opt") == 0 ? DNP3_BCAST_OPT_CONFIRM
                                           : DNP3_BCAST_NO_CONFIRM;
    } else if (strcmp(cmd, "crob_status") == 0 && n >= 1) {
        r->h.crob_status = (dnp3_command_status)strtol(a, NULL, 0);
    } else if (strcmp(cmd, "ao_status") == 0 && n >= 1) {
        r->h.ao_status = (dnp3_command_status)strtol(a, NULL, 0);
    } else if (strcmp(cmd, "restart") == 0 && n >= 1) {
        r->h.restart_delay.supported = strcmp(a, "none") != 0;
        r->h.restart_delay.milliseconds = strcmp(a, "ms") == 0;
        r->h.restart_delay.delay = (uint16_t)(n >= 2 ? strtol(b, NULL, 0) : 0);
    } else if (strcmp(cmd, "utc") == 0 && n >= 1) {
        r->h.utc = strtoull(a, NULL, 0);
    } else {
        fail_at(r, "unknown directive", cmd);
    }
}

static void request(runner *r, const char *hex)
{
    if (!r->started) start(r);
    uint8_t buf[4096];
    int n = parse_hex(hex, buf, sizeof buf);
    if (n < 0) {
        fail_at(r, "bad hex", hex);
        return;
    }
    dnp3_outstation_receive(r->h.os, buf, (size_t)n, r->bcast, r->h.now);
    if (r->bcast != DNP3_BCAST_NONE) {
        uint8_t rec[4] = {0x04, (uint8_t)(r->bcast - 1), (uint8_t)n, (uint8_t)(n >> 8)};
        corpus_put(r->cp, rec, sizeof rec);
    } else {
        uint8_t rec[3] = {0x00, (uint8_t)n, (uint8_t)(n >> 8)};
        corpus_put(r->cp, rec, sizeof rec);
    }
    corpus_put(r->cp, buf, (size_t)n);
    r->bcast = DNP3_BCAST_NONE;
}

static void expect(runner *r, const char *hex)
{
    if (!r->started) start(r);
    static uint8_t out[70000];
    int got = dnp3_outstation_take(r->h.os, out, sizeof out, r->h.now);
    while (*hex == ' ') hex++;
    if (hex[0] == '-') {
        if (got != 0) fail_at(r, "unexpected fragment", got > 0 ? tu_tohex(out, (size_t)got) : "(error)");
        return;
    }
    uint8_t want[4096];
    int wn = parse_hex(hex, want, sizeof want);
    if (wn < 0) {
        fail_at(r, "bad hex", hex);
        return;
    }
    if (got <= 0) {
        fail_at(r, "no fragment, expected", hex);
        return;
    }
    if (got != wn || memcmp(out, want, (size_t)wn) != 0) {
        print_error("%s:%d: fragment differs\n  got:  %s\n  want: %s\n", r->file, r->line,
                    tu_tohex(out, (size_t)got), tu_tohex(want, (size_t)wn));
        r->failures++;
    }
}

static void advance(runner *r, const char *s)
{
    if (!r->started) start(r);
    unsigned long ms = strtoul(s, NULL, 10);
    h_advance(&r->h, ms);
    while (ms > 0) {
        unsigned long step = ms > 0xFFFF ? 0xFFFF : ms;
        uint8_t rec[3] = {0x01, (uint8_t)step, (uint8_t)(step >> 8)};
        corpus_put(r->cp, rec, sizeof rec);
        ms -= step;
    }
}

static int run_file(const char *path, const char *name, corpus *cp)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        print_error("cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    static runner r;
    memset(&r, 0, sizeof r);
    r.cp = cp;
    r.file = name;
    cp->len = 1;
    cp->cfg_byte = 0;
    cp->online = true;
    h_config(&r.cfg);
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        r.line++;
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        switch (s[0]) {
        case '>': request(&r, s + 1); break;
        case '<': expect(&r, s + 1); break;
        case '@': advance(&r, s[1] == '+' ? s + 2 : s + 1); break;
        case '!': directive(&r, s + 1); break;
        case '#':
        case '\n':
        case '\r':
        case 0: break;
        default: fail_at(&r, "unknown line", s);
        }
    }
    fclose(f);
    cp->buf[0] = cp->cfg_byte;
    return r.failures;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_vectors(void **state)
{
    (void)state;
    const char *dir = DNP3_SOURCE_DIR "/tests/vectors";
    const char *emit = getenv("DNP3_EMIT_CORPUS");
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256];
    size_t count = 0;
    struct dirent *de;
    while ((de = readdir(d)) && count < 256) {
        size_t l = strlen(de->d_name);
        if (strncmp(de->d_name, "outstation_", 11) == 0 && l > 4 && strcmp(de->d_name + l - 4, ".vec") == 0)
            names[count++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], by_name);
    assert_true(count > 0);
    int failures = 0;
    static corpus cp;
    for (size_t i = 0; i < count; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int fails = run_file(path, names[i], &cp);
        printf("%-40s %s\n", names[i], fails ? "FAILED" : "ok");
        failures += fails;
        if (emit) {
            char out[1024];
            snprintf(out, sizeof out, "%s/%.*s.bin", emit, (int)(strlen(names[i]) - 4), names[i]);
            FILE *o = fopen(out, "wb");
            if (o) {
                fwrite(cp.buf, 1, cp.len, o);
                fclose(o);
            }
        }
        free(names[i]);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_vectors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
