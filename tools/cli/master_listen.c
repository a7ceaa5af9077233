/*
 * master_listen.c - `dnp3 master listen [ADDR:PORT]`: the master waits for
 * outstations that dial in (cellular and dial-up practice), identifies each by
 * the link source address of its first fragment, runs the start-up sequence
 * and prints every measurement as it arrives, until SIGINT/SIGTERM. With the
 * --tls-* options the outstations dial in over TLS (IEC 62351-3, port 19999).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "dnp3/io_roles.h"
#include "master_out.h"
#include "tls_cli.h"

static const char *const CMD = "dnp3 master listen";

typedef struct {
    uv_loop_t *loop;
    dnp3_io_master_listener *l;
    uv_signal_t sigint, sigterm;
    master_out out;
    int only_addr; /* -1: any */
    uint32_t integrity_ms, event_ms, timeout_ms;
} listen_cmd;

static bool route(void *ctx, uint16_t address, dnp3_assoc_config *ac)
{
    listen_cmd *c = ctx;
    if (c->only_addr >= 0 && address != c->only_addr) {
        printf("%s: refused outstation %u (only %d is served)\n", CMD, address, c->only_addr);
        fflush(stdout);
        return false;
    }
    ac->response_timeout_ms = c->timeout_ms;
    ac->integrity_period_ms = c->integrity_ms;
    for (int i = 0; i < 3; i++) ac->class_period_ms[i] = c->event_ms;
    printf("%s: outstation %u identified; start-up sequence\n", CMD, address);
    fflush(stdout);
    return true;
}

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)ctx;
    (void)now;
    printf("%s: connection from %s\n", CMD, peer);
    fflush(stdout);
}

static void on_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    (void)ctx;
    (void)now;
    printf("%s: connection closed (%s)\n", CMD, reason);
    fflush(stdout);
}

/* The runtime's connection log: only the TLS lines (sessions and failed handshakes) are new here. */
static void on_log(void *ctx, const char *msg)
{
    (void)ctx;
    if (strncmp(msg, "TLS ", 4) != 0) return;
    printf("%s: %s\n", CMD, msg);
    fflush(stdout);
}

static bool utc_now(void *ctx, dnp3_time48 *out)
{
    (void)ctx;
    *out = dnp3_io_utc_ms();
    return true;
}

static void on_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_signal(uv_signal_t *h, int signum)
{
    listen_cmd *c = h->data;
    printf("%s: %s received, stopping\n", CMD, signum == SIGINT ? "SIGINT" : "SIGTERM");
    fflush(stdout);
    dnp3_io_master_listener_stop(c->l);
    c->l = NULL;
    uv_close((uv_handle_t *)&c->sigint, on_closed);
    uv_close((uv_handle_t *)&c->sigterm, on_closed);
}

int cmd_master_listen(int argc, char **argv)
{
    listen_cmd c;
    memset(&c, 0, sizeof c);
    c.only_addr = -1;
    c.timeout_ms = 5000;
    const char *endpoint = "";
    uint16_t master_addr = 1;
    bool json = false;
    int framing = 0;
    unsigned decode = 0;
    tls_cli_options tls;
    tls_cli_init(&tls);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (a[0] != '-') {
            endpoint = a;
            continue;
        }
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (!v) return cli_usage_error(CMD, "%s needs a value", a);
        i++;
        int tls_rc = tls_cli_option(CMD, a, v, &tls);
        if (tls_rc == 2) return 2;
        if (tls_rc == 1) continue;
        if (!strcmp(a, "--link-addr")) {
            if (cli_uint(CMD, a, v, 0, 0xFFEF, &n)) return 2;
            c.only_addr = (int)n;
        } else if (!strcmp(a, "--master-addr")) {
            if (cli_uint(CMD, a, v, 0, 0xFFEF, &n)) return 2;
            master_addr = (uint16_t)n;
        } else if (!strcmp(a, "--timeout")) {
            if (cli_uint(CMD, a, v, 1, 3600000, &n)) return 2;
            c.timeout_ms = (uint32_t)n;
        } else if (!strcmp(a, "--integrity-period") || !strcmp(a, "--event-period")) {
            if (cli_uint(CMD, a, v, 0, 86400, &n)) return 2;
            if (!strcmp(a, "--integrity-period"))
                c.integrity_ms = (uint32_t)n * 1000;
            else
                c.event_ms = (uint32_t)n * 1000;
        } else if (!strcmp(a, "--decode")) {
            if (cli_tap_parse_level(CMD, v, &decode)) return 2;
        } else if (!strcmp(a, "--framing-error")) {
            if (cli_framing(CMD, a, v, &framing)) return 2;
        } else {
            return cli_usage_error(CMD, "unknown option '%s' (see dnp3 master --help)", a);
        }
    }
    char host[128];
    uint16_t port;
    if (cli_host_port(CMD, "ADDR:PORT", endpoint, "0.0.0.0", tls.any ? TLS_CLI_DEFAULT_PORT : 20000, host,
                      sizeof host, &port))
        return 2;
    dnp3_tls *tls_ctx = tls.any ? tls_cli_load(CMD, &tls, true) : NULL;
    if (tls.any && !tls_ctx) return 2;
    (void)decode; /* per-session decoding is not offered by the listener yet */

    c.loop = uv_default_loop();
    master_out_init(&c.out, stdout, json, true);
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_TCP_LISTEN);
    ioc.host = host;
    ioc.port = port;
    ioc.tls = tls_ctx;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = master_addr;
    cc.framing = (dnp3_framing_policy)framing;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler.fragment_begin = master_out_begin;
    mc.handler.measurement = master_out_measurement;
    mc.handler.fragment_end = master_out_end;
    mc.handler.utc_now = utc_now;
    mc.handler.ctx = &c.out;
    dnp3_io_hooks hooks = {&c, on_open, on_close, NULL, NULL, on_log};
    int rc = dnp3_io_master_listen(c.loop, &ioc, &cc, &mc, route, &c, &hooks, &c.l);
    if (rc) {
        fprintf(stderr, "%s: cannot listen on TCP %s:%u: %s\n", CMD, host, port, dnp3_strerror(rc));
        dnp3_tls_free(tls_ctx);
        return 1;
    }
    printf("%s: listening on %s %s:%u for outstations dialling in, master address %u\n", CMD,
           tls_ctx ? "tls" : "tcp", host, dnp3_io_local_port(dnp3_io_master_listener_io(c.l)), master_addr);
    fflush(stdout);
    uv_signal_init(c.loop, &c.sigint);
    uv_signal_init(c.loop, &c.sigterm);
    c.sigint.data = c.sigterm.data = &c;
    uv_signal_start(&c.sigint, on_signal, SIGINT);
    uv_signal_start(&c.sigterm, on_signal, SIGTERM);
    uv_run(c.loop, UV_RUN_DEFAULT);
    uv_loop_close(c.loop);
    master_out_free(&c.out);
    dnp3_tls_free(tls_ctx);
    return 0;
}
