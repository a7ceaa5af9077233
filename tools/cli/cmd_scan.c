/*
 * cmd_scan.c - `dnp3 scan HOST[:PORT]...`: what is listening on port 20000,
 * and is it protected? For every endpoint: DNP3 or not, the outstation's link
 * address and the master address it expects, device attributes and IIN,
 * whether it runs Secure Authentication v5 (IEEE 1815-2012 clause 7), whether
 * a TLS server (IEC 62351-3) answers on port 19999, and a verdict with a
 * WARNING for DNP3 that anyone can command. Read-only by design
 * (scan_dnp3.c lists every request it sends).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "dnp3/app.h"
#include "dnp3/sa.h"
#include "json_out.h"
#include "scan_dnp3.h"
#include "scan_tls.h"

static const char *const CMD = "dnp3 scan";

#define MAX_TARGETS 256

static void usage(FILE *f)
{
    fprintf(f, "usage: dnp3 scan TARGET... [options]\n"
               "\n"
               "Tells what listens on a DNP3 port and whether it is protected. TARGET is HOST[:PORT]\n"
               "(TCP, port 20000 by default), tcp://HOST:PORT or udp://HOST:PORT. For each target it\n"
               "finds the outstation's link address, reads its device attributes (g0) and IIN, asks\n"
               "whether it runs Secure Authentication (a key-status request), checks for DNP3 over TLS\n"
               "on port 19999 and prints a verdict, with a WARNING for an unauthenticated endpoint.\n"
               "\n"
               "READ-ONLY: the scan sends link-status requests, one READ of the device attributes and\n"
               "one Secure Authentication key-status request per target - never an operate, a write,\n"
               "a restart, an unsolicited-control or a confirm. It opens its own connection: an\n"
               "outstation that allows one master at a time may drop its current master meanwhile.\n"
               "\n"
               "  --udp                all targets over UDP\n"
               "  --master-addr N      our link address (default 1)\n"
               "  --addr N             the outstation's link address (skip discovery)\n"
               "  --sweep A-B          if discovery fails, ask every address from A to B (at most 1000)\n"
               "  --sa-user N          user of the key-status request (default 1)\n"
               "  --tls-port P         port of the TLS check (default 19999)\n"
               "  --no-tls             skip the TLS check\n"
               "  --timeout MS         per step (default 2000)\n"
               "  --json               one JSON array with an object per target\n"
               "  -h, --help           this help\n"
               "\n"
               "Exit status: 0 no warning, 1 at least one WARNING, 2 usage error.\n");
}

typedef struct {
    char host[128];
    uint16_t port;
    bool udp;
} target;

typedef struct {
    target t[MAX_TARGETS];
    size_t n;
    bool udp, json, tls;
    uint16_t master_addr, sa_user, tls_port;
    int addr, sweep_lo, sweep_hi;
    uint32_t timeout_ms;
} options;

static int parse_target(const char *s, bool udp, target *t)
{
    t->udp = udp;
    if (!strncmp(s, "udp://", 6)) {
        t->udp = true;
        s += 6;
    } else if (!strncmp(s, "tcp://", 6)) {
        s += 6;
    } else if (strstr(s, "://")) {
        return cli_usage_error(CMD, "unsupported target '%s' (HOST[:PORT], tcp:// or udp://)", s);
    }
    return cli_host_port(CMD, "TARGET", s, "127.0.0.1", 20000, t->host, sizeof t->host, &t->port) ? 2 : 0;
}

static int parse(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->master_addr = 1;
    o->sa_user = 1;
    o->tls = true;
    o->tls_port = 19999;
    o->addr = -1;
    o->sweep_lo = 1;
    o->sweep_hi = 0;
    o->timeout_ms = 2000;
    const char *targets[MAX_TARGETS];
    size_t nt = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        }
        if (a[0] != '-') {
            if (nt >= MAX_TARGETS) return cli_usage_error(CMD, "at most %d targets", MAX_TARGETS);
            targets[nt++] = a;
            continue;
        }
        if (!strcmp(a, "--udp")) {
            o->udp = true;
            continue;
        }
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "--no-tls")) {
            o->tls = false;
            continue;
        }
        if (!v) return cli_usage_error(CMD, "%s needs a value (see dnp3 scan --help)", a);
        i++;
        if (!strcmp(a, "--master-addr")) {
            if (cli_uint(CMD, a, v, 0, 0xFFEF, &n)) return 2;
            o->master_addr = (uint16_t)n;
        } else if (!strcmp(a, "--addr")) {
            if (cli_uint(CMD, a, v, 0, 0xFFEF, &n)) return 2;
            o->addr = (int)n;
        } else if (!strcmp(a, "--sa-user")) {
            if (cli_uint(CMD, a, v, 1, 65535, &n)) return 2;
            o->sa_user = (uint16_t)n;
        } else if (!strcmp(a, "--tls-port")) {
            if (cli_uint(CMD, a, v, 1, 65535, &n)) return 2;
            o->tls_port = (uint16_t)n;
        } else if (!strcmp(a, "--timeout")) {
            if (cli_uint(CMD, a, v, 10, 600000, &n)) return 2;
            o->timeout_ms = (uint32_t)n;
        } else if (!strcmp(a, "--sweep")) {
            unsigned long lo = 0, hi = 0;
            if (!cli_decimal_range(v, false, &lo, &hi) || lo > hi || hi > 0xFFEF || hi - lo >= 1000)
                return cli_usage_error(
                    CMD, "--sweep: '%s' is not A-B with A <= B <= 65519 and at most 1000 addresses", v);
            o->sweep_lo = (int)lo;
            o->sweep_hi = (int)hi;
        } else {
            return cli_usage_error(CMD, "unknown option '%s' (see dnp3 scan --help)", a);
        }
    }
    if (nt == 0) return cli_usage_error(CMD, "no TARGET (HOST[:PORT]; see dnp3 scan --help)");
    for (size_t i = 0; i < nt; i++)
        if (parse_target(targets[i], o->udp, &o->t[o->n++])) return 2;
    return 0;
}

/* ---- describing the results ---- */

typedef struct {
    const target *t;
    scan_dnp3_result d;
    bool tls_checked;
    scan_tls_result tls;
    char verdict[512];
    char warning[512];
} endpoint;

static const char *key_status_name(uint8_t ks)
{
    switch (ks) {
    case DNP3_SA_KS_OK: return "OK";
    case DNP3_SA_KS_NOT_INIT: return "NOT_INIT";
    case DNP3_SA_KS_COMM_FAIL: return "COMM_FAIL";
    case DNP3_SA_KS_AUTH_FAIL: return "AUTH_FAIL";
    default: return "unknown";
    }
}

static const char *mal_name(uint8_t mal)
{
    switch (mal) {
    case DNP3_SA_MAL_HMAC_SHA1_4: return "HMAC-SHA-1 (4 octets)";
    case DNP3_SA_MAL_HMAC_SHA1_10: return "HMAC-SHA-1 (10 octets)";
    case DNP3_SA_MAL_HMAC_SHA256_8: return "HMAC-SHA-256 (8 octets)";
    case DNP3_SA_MAL_HMAC_SHA256_16: return "HMAC-SHA-256 (16 octets)";
    case DNP3_SA_MAL_HMAC_SHA1_8: return "HMAC-SHA-1 (8 octets)";
    case DNP3_SA_MAL_AES_GMAC: return "AES-GMAC";
    default: return "none";
    }
}

static const char *errno_text(int e)
{
    return e == ETIMEDOUT ? "no answer (timeout)" : strerror(e);
}

static const char *sa_text(const scan_dnp3_result *d, unsigned user, char *buf, size_t cap)
{
    switch (d->sa) {
    case SCAN_SA_ACTIVE:
        if (d->sa_error)
            snprintf(buf, cap, "active (the key-status request was answered with error %s)",
                     dnp3_sa_error_name(d->sa_error));
        else
            snprintf(buf, cap, "active (key status of user %u: %s%s%s)", user, key_status_name(d->sa_key_status),
                     d->sa_mal ? ", MAC " : "", d->sa_mal ? mal_name(d->sa_mal) : "");
        break;
    case SCAN_SA_NOT_SUPPORTED:
        snprintf(buf, cap, "not supported (the key-status request was refused%s)",
                 d->sa_iin & DNP3_IIN2_NO_FUNC_CODE_SUPPORT ? " with NO_FUNC_CODE_SUPPORT" : "");
        break;
    case SCAN_SA_NO_ANSWER: snprintf(buf, cap, "no answer to the key-status request (not supported)"); break;
    default: snprintf(buf, cap, "not checked"); break;
    }
    return buf;
}

static void judge(endpoint *e)
{
    const scan_dnp3_result *d = &e->d;
    char where[160];
    snprintf(where, sizeof where, "%s:%u", e->t->host, e->t->port);
    if (!d->connected) {
        snprintf(e->verdict, sizeof e->verdict, "closed: %s", errno_text(d->connect_errno));
        return;
    }
    if (!d->dnp3 && !d->answered) {
        if (d->octets_rx > 0)
            snprintf(e->verdict, sizeof e->verdict,
                     "not DNP3: %zu octets came back, none of them a valid DNP3 frame", d->octets_rx);
        else
            snprintf(e->verdict, sizeof e->verdict, "no DNP3 answer: %s but silent%s",
                     e->t->udp ? "datagrams sent" : "open",
                     d->closed_by_peer ? " (closed by the peer)"
                                       : " (give --addr N or --sweep A-B if it is an outstation)");
        return;
    }
    bool sa = d->sa == SCAN_SA_ACTIVE;
    const char *mfr = scan_attr_get(d, 252), *model = scan_attr_get(d, 250);
    snprintf(e->verdict, sizeof e->verdict,
             "DNP3 outstation at link address %d%s%s%s%s%s; Secure Authentication %s", d->outstation_addr,
             mfr || model ? " (" : "", mfr ? mfr : "", mfr && model ? " " : "", model ? model : "",
             mfr || model ? ")" : "", sa ? "active" : "NOT active");
    if (!sa)
        snprintf(e->warning, sizeof e->warning,
                 "unauthenticated DNP3 endpoint accepting connections: anyone who can reach %s can operate "
                 "its points (enable Secure Authentication or DNP3 over TLS, and restrict who can connect)",
                 where);
}

static void print_text(const options *o, const endpoint *e)
{
    const scan_dnp3_result *d = &e->d;
    char buf[256];
    printf("%s:%u (%s)\n", e->t->host, e->t->port, e->t->udp ? "udp" : "tcp");
    if (d->outstation_addr >= 0 && (d->dnp3 || d->answered)) {
        const char *how = !d->found_by                           ? "?"
                          : !strcmp(d->found_by, "unsolicited")  ? "announced in its unsolicited response"
                          : !strcmp(d->found_by, "self_address") ? "answered a link-status request to 0xFFFC"
                          : !strcmp(d->found_by, "sweep")        ? "answered the address sweep"
                                                                 : "given with --addr";
        printf("  %-18s %d (%s)", "link address:", d->outstation_addr, how);
        if (d->master_addr >= 0) printf("; it talks to master address %d", d->master_addr);
        printf("\n");
        for (size_t i = 0; i < d->extra_count; i++)
            printf("  %-18s link address %d\n", "also answering:", d->extra_addrs[i]);
    }
    if (d->answered) {
        printf("  %-18s %04X", "IIN:", d->iin);
        for (unsigned b = 0; b < 16; b++)
            if (d->iin & (1u << b)) printf(" %s", dnp3_iin_bit_name(b));
        printf("\n");
        if (!d->attrs_supported) printf("  %-18s not supported (g0 refused)\n", "attributes:");
        for (size_t i = 0; i < d->attr_count; i++) {
            const char *name = scan_attr_name(d->attrs[i].var);
            char label[40];
            snprintf(label, sizeof label, "%s:", name ? name : "");
            if (name) printf("  %-18s %s\n", label, d->attrs[i].text);
        }
    } else if (d->dnp3) {
        printf("  %-18s no answer to READ of the device attributes\n", "application:");
    }
    if (d->dnp3 || d->answered) printf("  %-18s %s\n", "SA (IEEE 1815):", sa_text(d, o->sa_user, buf, sizeof buf));
    if (e->tls_checked) {
        const scan_tls_result *t = &e->tls;
        char label[32];
        snprintf(label, sizeof label, "TLS on %u:", o->tls_port);
        printf("  %-18s ", label);
        if (t->state == SCAN_TLS_CLOSED)
            printf("none (%s)\n", errno_text(t->connect_errno));
        else if (t->state == SCAN_TLS_NOT_TLS)
            printf("open but not TLS (%s)\n", t->detail);
        else {
            printf("%s%s%s", t->version[0] ? t->version : "TLS", t->cipher[0] ? " " : "", t->cipher);
            if (t->subject[0])
                printf(", certificate %s issued by %s, valid until %s%s", t->subject, t->issuer, t->not_after,
                       t->cert_expired ? " (EXPIRED)" : "");
            printf("; %s\n", t->refused_without_cert    ? "demands a client certificate (mutual authentication)"
                             : t->client_cert_requested ? "asks for a client certificate but accepts none"
                                                        : "does not ask for a client certificate");
        }
    }
    printf("  %-18s %s\n", "verdict:", e->verdict);
    if (e->warning[0]) printf("  WARNING: %s\n", e->warning);
}

static void print_json(json_w *w, const options *o, const endpoint *e)
{
    const scan_dnp3_result *d = &e->d;
    char buf[256];
    dnp3_json_obj_begin(w, NULL);
    snprintf(buf, sizeof buf, "%s:%u", e->t->host, e->t->port);
    dnp3_json_str(w, "target", buf);
    dnp3_json_str(w, "transport", e->t->udp ? "udp" : "tcp");
    dnp3_json_bool(w, "reachable", d->connected);
    if (!d->connected) dnp3_json_str(w, "error", errno_text(d->connect_errno));
    dnp3_json_bool(w, "dnp3", d->dnp3 || d->answered);
    dnp3_json_uint(w, "octets_received", d->octets_rx);
    if (d->outstation_addr >= 0 && (d->dnp3 || d->answered)) {
        dnp3_json_int(w, "outstation_address", d->outstation_addr);
        dnp3_json_str(w, "found_by", d->found_by ? d->found_by : "");
    } else {
        dnp3_json_null(w, "outstation_address");
    }
    if (d->master_addr >= 0)
        dnp3_json_int(w, "master_address", d->master_addr);
    else
        dnp3_json_null(w, "master_address");
    if (d->answered) {
        dnp3_json_uint(w, "iin", d->iin);
        dnp3_json_arr_begin(w, "iin_bits");
        for (unsigned b = 0; b < 16; b++)
            if (d->iin & (1u << b)) dnp3_json_str(w, NULL, dnp3_iin_bit_name(b));
        dnp3_json_arr_end(w);
        dnp3_json_obj_begin(w, "attributes");
        for (size_t i = 0; i < d->attr_count; i++) {
            char key[16];
            snprintf(key, sizeof key, "%u", d->attrs[i].var);
            dnp3_json_str(w, key, d->attrs[i].text);
        }
        dnp3_json_obj_end(w);
    }
    dnp3_json_obj_begin(w, "secure_authentication");
    const char *sa = d->sa == SCAN_SA_ACTIVE          ? "active"
                     : d->sa == SCAN_SA_NOT_SUPPORTED ? "not_supported"
                     : d->sa == SCAN_SA_NO_ANSWER     ? "no_answer"
                                                      : "not_checked";
    dnp3_json_str(w, "state", sa);
    if (d->sa == SCAN_SA_ACTIVE) {
        dnp3_json_uint(w, "user", o->sa_user);
        if (d->sa_error)
            dnp3_json_str(w, "error", dnp3_sa_error_name(d->sa_error));
        else {
            dnp3_json_str(w, "key_status", key_status_name(d->sa_key_status));
            dnp3_json_str(w, "mac_algorithm", mal_name(d->sa_mal));
            dnp3_json_uint(w, "ksq", d->sa_ksq);
        }
    }
    dnp3_json_obj_end(w);
    if (e->tls_checked) {
        const scan_tls_result *t = &e->tls;
        dnp3_json_obj_begin(w, "tls");
        dnp3_json_uint(w, "port", o->tls_port);
        dnp3_json_str(w, "state",
                      t->state == SCAN_TLS_CLOSED    ? "closed"
                      : t->state == SCAN_TLS_NOT_TLS ? "not_tls"
                                                     : "tls");
        if (t->state == SCAN_TLS_PRESENT) {
            dnp3_json_str(w, "version", t->version);
            dnp3_json_str(w, "cipher", t->cipher);
            dnp3_json_str(w, "certificate_subject", t->subject);
            dnp3_json_str(w, "certificate_issuer", t->issuer);
            dnp3_json_str(w, "certificate_not_after", t->not_after);
            dnp3_json_bool(w, "certificate_expired", t->cert_expired);
            dnp3_json_bool(w, "client_certificate_required", t->refused_without_cert);
        }
        dnp3_json_obj_end(w);
    }
    dnp3_json_str(w, "verdict", e->verdict);
    if (e->warning[0])
        dnp3_json_str(w, "warning", e->warning);
    else
        dnp3_json_null(w, "warning");
    dnp3_json_obj_end(w);
}

int cmd_scan(int argc, char **argv)
{
    static options o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : rc;
    json_w w;
    if (o.json) {
        dnp3_json_init(&w, stdout);
        dnp3_json_arr_begin(&w, NULL);
    }
    int warnings = 0;
    for (size_t i = 0; i < o.n; i++) {
        static endpoint e;
        memset(&e, 0, sizeof e);
        e.t = &o.t[i];
        scan_dnp3_opts so = {e.t->host,  e.t->port,  e.t->udp,     o.master_addr, o.addr,
                             o.sweep_lo, o.sweep_hi, o.timeout_ms, o.sa_user};
        scan_dnp3(&so, &e.d);
        if (o.tls && e.t->port != o.tls_port) {
            e.tls_checked = true;
            scan_tls(e.t->host, o.tls_port, o.timeout_ms, &e.tls);
        }
        judge(&e);
        if (e.warning[0]) warnings++;
        if (o.json)
            print_json(&w, &o, &e);
        else {
            if (i) printf("\n");
            print_text(&o, &e);
        }
        fflush(stdout);
    }
    if (o.json) {
        dnp3_json_arr_end(&w);
        printf("\n");
    }
    return warnings ? 1 : 0;
}
