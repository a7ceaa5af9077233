/*
 * cmd_master.c - `dnp3 master`: poll, operate, watch, timesync, restart and freeze
 * against one outstation over TCP, UDP, TLS or a serial line, or several
 * outstations on one channel (--link-addr 10,11,12: multi-drop, polled in
 * turn). One-shot subcommands exit 0 on
 * success, 1 on a failure (connection refused, timeout, IIN2 bits, a command
 * status other than SUCCESS, all named), 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "decode_fmt.h"
#include "master_freeze.h"
#include "master_out.h"
#include "master_session.h"
#include "sa_cli.h"

static const char *const CMD = "dnp3 master";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dnp3 master <subcommand> TARGET [options]\n"
            "\n"
            "TARGET is HOST[:PORT] (TCP, port 20000 by default), tcp://HOST:PORT, udp://HOST:PORT,\n"
            "tls://HOST[:PORT] (DNP3 over TLS, IEC 62351-3, port 19999 by default; needs the --tls-* options)\n"
            "or serial:PATH[?baud=9600&parity=none&data_bits=8&stop_bits=1] (a serial port; also rtscts=1,\n"
            "turnaround=MS, tx_idle=MS; see docs/serial.md).\n"
            "\n"
            "subcommands:\n"
            "  poll TARGET [--class 0123] [--json]     one integrity (or class) poll, print every point\n"
            "  operate TARGET --crob INDEX --code latch-on|latch-off|pulse-on|pulse-off|trip|close\n"
            "                 [--count N --on-ms MS --off-ms MS] [--mode sbo|direct|direct-noack]\n"
            "  operate TARGET --analog INDEX --value V [--variation 1-4] [--mode ...]\n"
            "  watch TARGET [--integrity-period S] [--event-period S] [--lan] [--json]\n"
            "                 start-up sequence, polls, unsolicited data and time sync until SIGINT\n"
            "  timesync TARGET [--lan]                   synchronise the outstation's clock\n"
            "  restart TARGET [--warm]                   cold (default) or warm restart\n"
            "  freeze TARGET [--type counter|analog] [--range START-STOP] [--clear] [--no-ack]\n"
            "                 [--at UTC_MS|now [--every MS]]\n"
            "                 freeze counters (into frozen counters; --clear resets them) or analog\n"
            "                 inputs (into frozen analog inputs), all or START..STOP; --at schedules\n"
            "                 it (FREEZE_AT_TIME) at a UTC time in ms since 1970, every MS after\n"
            "  update-key TARGET --sa-update-key-file CURRENT --sa-user-name NAME --sa-new-key-file NEW\n"
            "                 --sa-authority-key-file AUTH [--sa-outstation-name NAME]\n"
            "                 [--sa-user-status add|change|delete --sa-scs N [--sa-role ROLE]\n"
            "                 [--sa-role-expiry DAYS]]  first the authority's user status change\n"
            "                 (g120v10): add a user (then its key), change its role, or delete it\n"
            "                 (no new key then); N above every sequence number used before\n"
            "                 change the user's Secure Authentication update key (symmetric method;\n"
            "                 a 32-hex-digit NEW key uses method 3, 64 digits method 4)\n"
            "  listen [ADDR:PORT] [--link-addr N] [--json] [--integrity-period S] [--event-period S]\n"
            "                 accept outstations that dial in (default 0.0.0.0:20000), identify each\n"
            "                 by its link address, run the start-up sequence and print measurements;\n"
            "                 with the --tls-* options over TLS (default 0.0.0.0:19999)\n"
            "  file ls|get|put|rm|info TARGET ...      file transfer (group 70; see dnp3 master file --help)\n"
            "  run TARGET --sqlite FILE | --postgres CONNINFO, or run --config FILE\n"
            "                 poll and store every measurement, confirm events only once stored\n"
            "                 (see dnp3 master run --help, docs/gateway.md)\n"
            "\n"
            "common options:\n"
            "  --master-addr N    our link address (default 1)\n"
            "  --link-addr N[,N...]  the outstation's link address (default 10); several (poll, watch,\n"
            "                     operate, timesync, restart, freeze): the outstations sharing the\n"
            "                     channel, e.g. a multi-drop serial line, are addressed in turn, one\n"
            "                     request at a time\n"
            "  --timeout MS       response timeout (default 5000)\n"
            "  --framing-error close|resync  on a bad frame from the outstation: close the\n"
            "                     connection (default) or skip to the next 05 64\n"
            "  --decode LEVEL     print traffic: none, link, transport, app, objects\n" LINK_CLI_HELP
            "  --sa-user N        Secure Authentication v5 user number (default 1 with a key file)\n"
            "  --sa-update-key-file FILE  authenticate with this update key (32 or 64 hex digits):\n"
            "                     session keys are set up first, challenges are answered\n"
            "TLS options (tls:// targets; the server's certificate must name HOST unless --tls-peer-name):\n"
            "%s",
            TLS_CLI_HELP);
}

typedef struct {
    const char *sub;
    master_session_config sc;
    bool json;
    uint8_t classes;
    /* operate */
    bool crob, analog;
    uint32_t index;
    uint8_t code, count, variation;
    uint32_t on_ms, off_ms;
    double value;
    dnp3_command_mode mode;
    bool lan, warm;
    master_freeze_opts fz;             /* freeze */
    master_out out;                    /* one outstation */
    master_out outs[MASTER_MAX_LINKS]; /* several (--link-addr A,B,...): one each, by link address */
    dnp3_sa_update_key_change uk;      /* update-key */
    bool have_new_key, have_scs;
} master_cmd;

/* --sa-role: a name of docs/protocol-notes.md §7.3 or a number. */
static int parse_role(const char *val, uint16_t *out)
{
    static const struct {
        const char *name;
        uint16_t role;
    } ROLES[] = {{"viewer", DNP3_SA_ROLE_VIEWER},     {"operator", DNP3_SA_ROLE_OPERATOR},
                 {"engineer", DNP3_SA_ROLE_ENGINEER}, {"installer", DNP3_SA_ROLE_INSTALLER},
                 {"secadm", DNP3_SA_ROLE_SECADM},     {"secaud", DNP3_SA_ROLE_SECAUD},
                 {"rbacmnt", DNP3_SA_ROLE_RBACMNT},   {"single-user", DNP3_SA_ROLE_SINGLE_USER}};
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (!strcmp(val, ROLES[i].name)) {
            *out = ROLES[i].role;
            return 0;
        }
    uint64_t v;
    if (cli_uint(CMD, "--sa-role", val, 0, 65535, &v)) return 2;
    *out = (uint16_t)v;
    return 0;
}

/* ---- several outstations: measurements go to the output of their own ---- */

static master_out *out_of(master_cmd *c, dnp3_master_assoc *a)
{
    if (c->sc.n_links <= 1) return &c->out;
    uint16_t addr = dnp3_master_assoc_address(a);
    for (size_t i = 0; i < c->sc.n_links; i++)
        if (c->sc.link_addrs[i] == addr) return &c->outs[i];
    return &c->out;
}
static void multi_begin(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info)
{
    master_out_begin(out_of(ctx, a), a, info);
}
static void multi_measurement(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    master_out_measurement(out_of(ctx, a), a, m);
}
static void multi_end(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info)
{
    master_out_end(out_of(ctx, a), a, info);
}

/* ---- task results ---- */

/* "dnp3 master" or, with several outstations, "dnp3 master: outstation N" (message prefix). */
static const char *who(const master_session *s, dnp3_master_assoc *a, char *buf, size_t cap)
{
    if (s->n_as <= 1) return CMD;
    snprintf(buf, cap, "%s: outstation %u", CMD, dnp3_master_assoc_address(a));
    return buf;
}

/* Reports a failed task and ends that outstation's part with status 1; returns true if it failed. */
static bool failed(master_session *s, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    if (info->result == DNP3_TASK_SUCCESS) return false;
    char buf[64];
    if (!s->finished) master_print_task_failure(who(s, a, buf, sizeof buf), info, s->cfg.timeout_ms);
    master_session_assoc_done(s, 1);
    return true;
}

static void done_poll(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    master_session *s = ctx;
    master_cmd *c = s->cfg.ctx;
    if (failed(s, a, info)) return;
    master_out *o = out_of(c, a);
    o->iin = info->iin;
    master_out_print(o);
    fflush(stdout);
    master_session_assoc_done(s, 0);
}

static const char *mode_name(dnp3_command_mode m)
{
    return m == DNP3_CMD_SELECT_OPERATE   ? "select-before-operate"
           : m == DNP3_CMD_DIRECT_OPERATE ? "direct operate"
                                          : "direct operate, no ack";
}

static void describe_command(const master_cmd *c, char *buf, size_t cap)
{
    if (c->crob)
        snprintf(buf, cap, "CROB %u %s%s%s", c->index,
                 (c->code & DNP3_CROB_TCC_MASK) ? dnp3_tcc_name(c->code >> 6) : "",
                 (c->code & DNP3_CROB_TCC_MASK) ? "/" : "", dnp3_op_type_name(c->code & DNP3_CROB_OP_MASK));
    else
        snprintf(buf, cap, "analog output %u = %g (g41v%u)", c->index, c->value, c->variation);
}

static void done_operate(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    master_session *s = ctx;
    master_cmd *c = s->cfg.ctx;
    char what[96];
    describe_command(c, what, sizeof what);
    if (info->n_statuses > 0) {
        unsigned st = info->statuses[0];
        if (s->n_as > 1) printf("outstation %u: ", dnp3_master_assoc_address(a));
        printf("%s (%s): %s\n", what, mode_name(c->mode), dnp3_command_status_name(st));
        fflush(stdout);
        if (st != DNP3_CS_SUCCESS) {
            fprintf(stderr, "%s: the outstation answered command status %s", CMD, dnp3_command_status_name(st));
            if (info->iin & 0xFF00) {
                fprintf(stderr, " with IIN2");
                for (unsigned b = 8; b < 16; b++)
                    if (info->iin & (1u << b)) fprintf(stderr, " %s", dnp3_iin_bit_name(b));
            }
            fprintf(stderr, "\n");
            master_session_assoc_done(s, 1);
            return;
        }
    }
    if (info->result != DNP3_TASK_SUCCESS) {
        if (info->result != DNP3_TASK_COMMAND_STATUS && !s->finished) {
            char buf[64];
            master_print_task_failure(who(s, a, buf, sizeof buf), info, s->cfg.timeout_ms);
        }
        master_session_assoc_done(s, 1);
        return;
    }
    if (info->n_statuses == 0) {
        if (s->n_as > 1) printf("outstation %u: ", dnp3_master_assoc_address(a));
        printf("%s (%s): sent\n", what, mode_name(c->mode));
    }
    fflush(stdout);
    master_session_assoc_done(s, 0);
}

static void done_timesync(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    master_session *s = ctx;
    master_cmd *c = s->cfg.ctx;
    if (failed(s, a, info)) return;
    char t[64];
    if (s->n_as > 1) printf("outstation %u: ", dnp3_master_assoc_address(a));
    if (c->lan)
        printf("time synchronised (LAN procedure): wrote %s\n", dnp3_fmt_time48(info->time_written, t, sizeof t));
    else
        printf("time synchronised (non-LAN procedure): wrote %s, propagation delay %lld ms\n",
               dnp3_fmt_time48(info->time_written, t, sizeof t), (long long)info->propagation_ms);
    fflush(stdout);
    master_session_assoc_done(s, 0);
}

static void done_update_key(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    master_session *s = ctx;
    master_cmd *c = s->cfg.ctx;
    if (failed(s, a, info)) return;
    static const char *const ops[] = {"", "added", "deleted", "changed"};
    if (c->uk.status_operation)
        printf("user \"%s\" %s by the authority (status change sequence number %u)\n", c->uk.user_name,
               ops[c->uk.status_operation], (unsigned)c->uk.status_change_seq);
    if (c->uk.status_operation != DNP3_SA_USER_DELETE)
        printf(
            "update key of user \"%s\" changed (key change method %u, AES-%u); use the new key file from now on\n",
            c->uk.user_name, c->uk.kcm, c->uk.kcm == DNP3_SA_KCM_AES128_SHA1 ? 128 : 256);
    fflush(stdout);
    master_session_assoc_done(s, 0);
}

static void done_restart(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    master_session *s = ctx;
    master_cmd *c = s->cfg.ctx;
    if (failed(s, a, info)) return;
    if (s->n_as > 1) printf("outstation %u: ", dnp3_master_assoc_address(a));
    printf("%s restart accepted: the outstation expects to be available again in %u ms\n",
           c->warm ? "warm" : "cold", info->restart_delay_ms);
    fflush(stdout);
    master_session_assoc_done(s, 0);
}

static void done_freeze(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    master_session *s = ctx;
    master_cmd *c = s->cfg.ctx;
    if (failed(s, a, info)) return;
    char what[64];
    master_freeze_describe(&c->fz, what, sizeof what);
    if (s->n_as > 1) printf("outstation %u: ", dnp3_master_assoc_address(a));
    if (c->fz.at_time)
        printf("freeze of %s scheduled%s\n", what, c->fz.no_ack ? " (no response asked for)" : "");
    else
        printf("%s of %s %s\n", c->fz.clear ? "freeze and clear" : "freeze", what,
               c->fz.no_ack ? "sent (no response asked for)" : "done");
    fflush(stdout);
    master_session_assoc_done(s, 0);
}

/* ---- submitting the task at the first connect ---- */

static void submit_failed(master_session *s, int rc)
{
    fprintf(stderr, "%s: could not queue the request: %s\n", CMD, dnp3_strerror(rc));
    master_session_finish(s, 1);
}

static void ready(master_session *s, dnp3_master_assoc *a, dnp3_tstamp now, void *ctx)
{
    master_cmd *c = ctx;
    int rc;
    if (!strcmp(c->sub, "poll")) {
        rc = dnp3_master_read_class(a, c->classes, done_poll, s, now);
    } else if (!strcmp(c->sub, "operate")) {
        dnp3_command cmd = c->crob ? dnp3_command_crob(c->index, c->code, c->count, c->on_ms, c->off_ms)
                                   : dnp3_command_analog(c->index, c->variation, c->value);
        uint8_t q = c->index > 255 ? DNP3_QUAL_COUNT_16_INDEX_16 : DNP3_QUAL_COUNT_8_INDEX_8;
        rc = dnp3_master_operate(a, c->mode, q, &cmd, 1, done_operate, s, now);
    } else if (!strcmp(c->sub, "timesync")) {
        rc = dnp3_master_time_sync(a, c->lan ? DNP3_TIMESYNC_LAN : DNP3_TIMESYNC_NON_LAN, done_timesync, s, now);
    } else if (!strcmp(c->sub, "restart")) {
        rc = dnp3_master_restart(a, c->warm, done_restart, s, now);
    } else if (!strcmp(c->sub, "freeze")) {
        rc = master_freeze_submit(a, &c->fz, done_freeze, s, now);
    } else if (!strcmp(c->sub, "update-key")) {
        rc = dnp3_sa_master_begin_update_key(s->sa, &c->uk);
        dnp3_zeroize(&c->uk.new_key, sizeof c->uk.new_key);
        dnp3_zeroize(&c->uk.authority_key, sizeof c->uk.authority_key);
        if (rc == DNP3_OK) rc = dnp3_master_change_update_key(a, done_update_key, s, now);
    } else {
        return; /* watch: the scheduler does the work */
    }
    if (rc < 0) submit_failed(s, rc);
}

static bool utc_now(void *ctx, dnp3_time48 *out)
{
    (void)ctx;
    *out = dnp3_io_utc_ms();
    return true;
}

static void watch_task_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    (void)ctx;
    (void)a;
    if (info->result == DNP3_TASK_SUCCESS || info->result == DNP3_TASK_DISCONNECTED) return;
    fprintf(stderr, "%s: %s: %s\n", CMD, dnp3_task_kind_name(info->kind), dnp3_task_result_str(info->result));
}

/* ---- options ---- */

static int parse_code(const char *s, uint8_t *code)
{
    static const struct {
        const char *name;
        uint8_t code;
    } CODES[] = {
        {"latch-on", DNP3_OP_LATCH_ON},
        {"latch-off", DNP3_OP_LATCH_OFF},
        {"pulse-on", DNP3_OP_PULSE_ON},
        {"pulse-off", DNP3_OP_PULSE_OFF},
        {"trip", DNP3_CROB_TCC_TRIP | DNP3_OP_PULSE_ON},
        {"close", DNP3_CROB_TCC_CLOSE | DNP3_OP_PULSE_ON},
    };
    for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++)
        if (!strcasecmp(s, CODES[i].name)) {
            *code = CODES[i].code;
            return 0;
        }
    return -1;
}

/* --link-addr N[,N...]: one outstation, or several sharing the channel (multi-drop). */
static int parse_link_addrs(const char *val, master_session_config *sc)
{
    sc->n_links = 0;
    const char *p = val;
    do {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char one[16];
        if (len == 0 || len >= sizeof one) return cli_usage_error(CMD, "--link-addr: '%s' is not N[,N...]", val);
        memcpy(one, p, len);
        one[len] = 0;
        uint64_t v;
        if (cli_uint(CMD, "--link-addr", one, 0, 0xFFEF, &v)) return 2;
        if (sc->n_links == MASTER_MAX_LINKS)
            return cli_usage_error(CMD, "--link-addr: at most %d outstations", MASTER_MAX_LINKS);
        for (size_t i = 0; i < sc->n_links; i++)
            if (sc->link_addrs[i] == v) return cli_usage_error(CMD, "--link-addr: %u given twice", (unsigned)v);
        sc->link_addrs[sc->n_links++] = (uint16_t)v;
        p = comma ? comma + 1 : NULL;
    } while (p);
    sc->link_addr = sc->link_addrs[0];
    return 0;
}

static int parse(int argc, char **argv, master_cmd *c)
{
    uint64_t v;
    bool have_code = false, have_value = false, have_variation = false;
    const char *target = NULL;
    c->uk.role = DNP3_SA_ROLE_OPERATOR; /* of a user status change, unless --sa-role */
    c->uk.role_expiry_days = 365;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool flag = !strcmp(a, "--json") || !strcmp(a, "--lan") || !strcmp(a, "--warm") || link_cli_is_flag(a) ||
                    (!strcmp(c->sub, "freeze") && master_freeze_is_flag(a));
        bool takes = a[0] == '-' && !flag; /* an option with a value */
        if (takes && !val) return cli_usage_error(CMD, "%s needs a value", a);
        if (a[0] != '-') {
            if (target) return cli_usage_error(CMD, "unexpected argument '%s' (one TARGET only)", a);
            target = a;
            continue;
        }
        if (takes) i++;
        int tls_rc = tls_cli_option(CMD, a, val, &c->sc.tls_opts);
        if (tls_rc == 2) return 2;
        if (tls_rc == 1) continue;
        int link_rc = link_cli_option(CMD, a, val, &c->sc.link);
        if (link_rc == 2) return 2;
        if (link_rc != 0) continue;
        int fz_rc = !strcmp(c->sub, "freeze") ? master_freeze_option(CMD, a, val, &c->fz) : 0;
        if (fz_rc == 2) return 2;
        if (fz_rc != 0) continue;
        if (!strcmp(a, "--link-addr")) {
            if (parse_link_addrs(val, &c->sc)) return 2;
        } else if (!strcmp(a, "--master-addr")) {
            if (cli_uint(CMD, a, val, 0, 0xFFEF, &v)) return 2;
            c->sc.master_addr = (uint16_t)v;
        } else if (!strcmp(a, "--timeout")) {
            if (cli_uint(CMD, a, val, 1, 3600000, &v)) return 2;
            c->sc.timeout_ms = (uint32_t)v;
        } else if (!strcmp(a, "--framing-error")) {
            if (cli_framing(CMD, a, val, &c->sc.framing)) return 2;
        } else if (!strcmp(a, "--decode")) {
            if (cli_tap_parse_level(CMD, val, &c->sc.decode)) return 2;
        } else if (!strcmp(a, "--json")) {
            c->json = true;
        } else if (!strcmp(a, "--sa-user")) {
            if (cli_uint(CMD, a, val, 1, 65535, &v)) return 2;
            c->sc.sa_user.number = (uint16_t)v;
        } else if (!strcmp(a, "--sa-update-key-file")) {
            if (sa_cli_load_key(CMD, val, &c->sc.sa_user)) return 2;
            c->sc.sa = true;
        } else if (!strcmp(a, "--class") && !strcmp(c->sub, "poll")) {
            c->classes = 0;
            for (const char *p = val; *p; p++) {
                if (*p < '0' || *p > '3')
                    return cli_usage_error(CMD, "--class: '%s' is not made of 0, 1, 2, 3", val);
                c->classes |= (uint8_t)(1u << (*p - '0'));
            }
            if (!c->classes) return cli_usage_error(CMD, "--class needs at least one class");
        } else if (!strcmp(c->sub, "operate") && (!strcmp(a, "--crob") || !strcmp(a, "--analog"))) {
            if (cli_uint(CMD, a, val, 0, 65535, &v)) return 2;
            c->index = (uint32_t)v;
            c->crob = !strcmp(a, "--crob");
            c->analog = !c->crob;
        } else if (!strcmp(c->sub, "operate") && !strcmp(a, "--code")) {
            if (parse_code(val, &c->code))
                return cli_usage_error(
                    CMD, "--code: '%s' is not latch-on, latch-off, pulse-on, pulse-off, trip or close", val);
            have_code = true;
        } else if (!strcmp(c->sub, "operate") && !strcmp(a, "--count")) {
            if (cli_uint(CMD, a, val, 0, 255, &v)) return 2;
            c->count = (uint8_t)v;
        } else if (!strcmp(c->sub, "operate") && (!strcmp(a, "--on-ms") || !strcmp(a, "--off-ms"))) {
            if (cli_uint(CMD, a, val, 0, UINT32_MAX, &v)) return 2;
            if (!strcmp(a, "--on-ms"))
                c->on_ms = (uint32_t)v;
            else
                c->off_ms = (uint32_t)v;
        } else if (!strcmp(c->sub, "operate") && !strcmp(a, "--value")) {
            if (cli_double(CMD, a, val, &c->value)) return 2;
            have_value = true;
        } else if (!strcmp(c->sub, "operate") && !strcmp(a, "--variation")) {
            if (cli_uint(CMD, a, val, 1, 4, &v)) return 2;
            c->variation = (uint8_t)v;
            have_variation = true;
        } else if (!strcmp(c->sub, "operate") && !strcmp(a, "--mode")) {
            if (!strcmp(val, "sbo"))
                c->mode = DNP3_CMD_SELECT_OPERATE;
            else if (!strcmp(val, "direct"))
                c->mode = DNP3_CMD_DIRECT_OPERATE;
            else if (!strcmp(val, "direct-noack"))
                c->mode = DNP3_CMD_DIRECT_OPERATE_NR;
            else
                return cli_usage_error(CMD, "--mode: '%s' is not sbo, direct or direct-noack", val);
        } else if (!strcmp(c->sub, "watch") &&
                   (!strcmp(a, "--integrity-period") || !strcmp(a, "--event-period"))) {
            if (cli_uint(CMD, a, val, 0, 86400, &v)) return 2;
            if (!strcmp(a, "--integrity-period"))
                c->sc.integrity_period_ms = (uint32_t)v * 1000;
            else
                c->sc.event_period_ms = (uint32_t)v * 1000;
        } else if ((!strcmp(c->sub, "watch") || !strcmp(c->sub, "timesync")) && !strcmp(a, "--lan")) {
            c->lan = true;
        } else if (!strcmp(c->sub, "restart") && !strcmp(a, "--warm")) {
            c->warm = true;
        } else if (!strcmp(c->sub, "update-key") && !strcmp(a, "--sa-new-key-file")) {
            uint8_t len = 0;
            if (sa_cli_read_key(CMD, a, val, c->uk.new_key, &len)) return 2;
            c->uk.kcm = len == 16 ? DNP3_SA_KCM_AES128_SHA1 : DNP3_SA_KCM_AES256_SHA256;
            c->have_new_key = true;
        } else if (!strcmp(c->sub, "update-key") && !strcmp(a, "--sa-authority-key-file")) {
            if (sa_cli_read_key(CMD, a, val, c->uk.authority_key, &c->uk.authority_key_len)) return 2;
        } else if (!strcmp(c->sub, "update-key") && !strcmp(a, "--sa-user-status")) {
            c->uk.status_operation = !strcmp(val, "add")      ? DNP3_SA_USER_ADD
                                     : !strcmp(val, "change") ? DNP3_SA_USER_CHANGE
                                     : !strcmp(val, "delete") ? DNP3_SA_USER_DELETE
                                                              : 0;
            if (!c->uk.status_operation)
                return cli_usage_error(CMD, "--sa-user-status: '%s' is not add, change or delete", val);
        } else if (!strcmp(c->sub, "update-key") && !strcmp(a, "--sa-scs")) {
            if (cli_uint(CMD, a, val, 0, UINT32_MAX, &v)) return 2;
            c->uk.status_change_seq = (uint32_t)v;
            c->have_scs = true;
        } else if (!strcmp(c->sub, "update-key") && !strcmp(a, "--sa-role")) {
            if (parse_role(val, &c->uk.role)) return 2;
        } else if (!strcmp(c->sub, "update-key") && !strcmp(a, "--sa-role-expiry")) {
            if (cli_uint(CMD, a, val, 0, 65535, &v)) return 2;
            c->uk.role_expiry_days = (uint16_t)v;
        } else if (!strcmp(c->sub, "update-key") &&
                   (!strcmp(a, "--sa-user-name") || !strcmp(a, "--sa-outstation-name"))) {
            if (strlen(val) > DNP3_SA_MAX_NAME)
                return cli_usage_error(CMD, "%s: at most %d characters", a, DNP3_SA_MAX_NAME);
            snprintf(!strcmp(a, "--sa-user-name") ? c->uk.user_name : c->uk.outstation_name, DNP3_SA_MAX_NAME + 1,
                     "%s", val);
        } else {
            return cli_usage_error(CMD, "unknown option '%s' for 'dnp3 master %s' (see dnp3 master --help)", a,
                                   c->sub);
        }
    }
    if (!target)
        return cli_usage_error(
            CMD, "%s needs a TARGET (HOST[:PORT], tcp://HOST:PORT, udp://HOST:PORT or serial:PATH)", c->sub);
    if (master_parse_target(CMD, target, &c->sc)) return 2;
    if (c->sc.tls_opts.any && !c->sc.tls)
        return cli_usage_error(CMD, "the --tls-* options need a tls://HOST:PORT target");
    if (c->sc.tls && !c->sc.tls_opts.any)
        return cli_usage_error(
            CMD,
            "a tls:// target needs --tls-cert FILE, --tls-key FILE and --tls-ca FILE or --tls-peer-cert FILE");
    if (c->sc.sa && !c->sc.sa_user.number) c->sc.sa_user.number = 1; /* the default user */
    if (c->sc.sa_user.number && !c->sc.sa)
        return cli_usage_error(CMD, "--sa-user needs --sa-update-key-file FILE");
    if (c->sc.master_addr == c->sc.link_addr)
        return cli_usage_error(CMD, "--master-addr and --link-addr are equal");
    for (size_t i = 0; i < c->sc.n_links; i++)
        if (c->sc.link_addrs[i] == c->sc.master_addr)
            return cli_usage_error(CMD, "--master-addr and --link-addr are equal");
    if (c->sc.n_links > 1 && (!strcmp(c->sub, "update-key") || c->sc.sa))
        return cli_usage_error(CMD, "several --link-addr outstations: not with Secure Authentication");
    if (!strcmp(c->sub, "update-key")) {
        if (!c->sc.sa) return cli_usage_error(CMD, "update-key needs the current key: --sa-update-key-file FILE");
        bool deleting = c->uk.status_operation == DNP3_SA_USER_DELETE;
        if (!c->have_new_key && !deleting) return cli_usage_error(CMD, "update-key needs --sa-new-key-file FILE");
        if (deleting && !c->have_new_key) c->uk.kcm = DNP3_SA_KCM_AES256_SHA256; /* the method of the deletion */
        if (c->uk.status_operation && !c->have_scs)
            return cli_usage_error(CMD, "--sa-user-status needs --sa-scs N (above every number used before)");
        if (!c->uk.status_operation && c->have_scs) return cli_usage_error(CMD, "--sa-scs needs --sa-user-status");
        if (!c->uk.authority_key_len) return cli_usage_error(CMD, "update-key needs --sa-authority-key-file FILE");
        if (!c->uk.user_name[0]) return cli_usage_error(CMD, "update-key needs --sa-user-name NAME");
    }
    if (!strcmp(c->sub, "freeze") && master_freeze_check(CMD, &c->fz)) return 2;
    if (!strcmp(c->sub, "operate")) {
        if (!c->crob && !c->analog) return cli_usage_error(CMD, "operate needs --crob INDEX or --analog INDEX");
        if (c->crob && !have_code) return cli_usage_error(CMD, "--crob needs --code");
        if (c->analog && !have_value) return cli_usage_error(CMD, "--analog needs --value");
        if (c->analog && !have_variation) c->variation = c->value == (double)(int32_t)c->value ? 1 : 3;
    }
    return 0;
}

int cmd_master(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    static const char *const SUBS[] = {"poll",   "operate", "watch", "timesync", "restart",
                                       "freeze", "listen",  "run",   "file",     "update-key"};
    master_cmd c;
    memset(&c, 0, sizeof c);
    tls_cli_init(&c.sc.tls_opts);
    for (size_t i = 0; i < sizeof SUBS / sizeof SUBS[0]; i++)
        if (!strcmp(argv[1], SUBS[i])) c.sub = SUBS[i];
    if (!c.sub)
        return cli_usage_error(
            CMD,
            "unknown subcommand '%s' (poll, operate, watch, timesync, restart, freeze, listen, update-key, run, "
            "file)",
            argv[1]);
    if (!strcmp(c.sub, "run")) return cmd_master_run(argc, argv);
    if (!strcmp(c.sub, "file")) return cmd_master_file(argc, argv);
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    if (!strcmp(c.sub, "listen")) return cmd_master_listen(argc, argv);
    c.sc.master_addr = 1;
    c.sc.link_addr = 10;
    c.sc.timeout_ms = 5000;
    c.classes = DNP3_CLASS_ALL;
    c.count = 1;
    c.on_ms = 100;
    c.off_ms = 100;
    c.mode = DNP3_CMD_SELECT_OPERATE;
    int rc = parse(argc, argv, &c);
    if (rc) return rc;

    bool watch = !strcmp(c.sub, "watch");
    master_out_init(&c.out, stdout, c.json, watch);
    for (size_t i = 0; i < c.sc.n_links; i++) {
        master_out_init(&c.outs[i], stdout, c.json, watch);
        if (c.sc.n_links > 1) c.outs[i].addr = c.sc.link_addrs[i];
    }
    c.sc.watch = watch;
    c.sc.time_sync = c.lan ? DNP3_TIMESYNC_LAN : DNP3_TIMESYNC_NON_LAN;
    bool multi = c.sc.n_links > 1;
    c.sc.handler.fragment_begin = multi ? multi_begin : master_out_begin;
    c.sc.handler.measurement = multi ? multi_measurement : master_out_measurement;
    c.sc.handler.fragment_end = multi ? multi_end : master_out_end;
    c.sc.handler.task_done = watch ? watch_task_done : NULL;
    c.sc.handler.utc_now = utc_now;
    c.sc.handler.ctx = multi ? (void *)&c : (void *)&c.out;
    c.sc.on_ready = ready;
    c.sc.ctx = &c;
    rc = master_session_run(&c.sc);
    dnp3_zeroize(&c.uk, sizeof c.uk);
    master_out_free(&c.out);
    for (size_t i = 0; i < c.sc.n_links; i++) master_out_free(&c.outs[i]);
    return rc;
}
