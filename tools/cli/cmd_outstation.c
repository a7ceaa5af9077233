/*
 * cmd_outstation.c - `dnp3 outstation`: a DNP3 outstation on the libuv runtime,
 * TCP (default 0.0.0.0:20000), UDP or a serial port (--serial), serving the built-in substation profile,
 * a uniform --points N profile or a YAML point database; --simulate drifts
 * measurements and generates events. Runs until SIGINT/SIGTERM, exit 0.
 */
#include "commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cli_common.h"
#include "config_yaml.h"
#include "dnp3/io_roles.h"
#include "outstation_app.h"
#include "outstation_multi.h"
#include "sa_cli.h"
#include "file_root.h"
#include "link_cli.h"
#include "serial_cli.h"
#include "tls_cli.h"

static const char *const CMD = "dnp3 outstation";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dnp3 outstation [options]\n"
            "\n"
            "Runs a DNP3 outstation until SIGINT/SIGTERM. Without --config it serves a small\n"
            "substation (breakers, 138 kV buses, line currents, a valve, a pump, energy counters,\n"
            "breaker/pump controls and a voltage setpoint).\n"
            "\n"
            "  --listen ADDR:PORT     TCP listen address (default 0.0.0.0:20000)\n"
            "  --udp ADDR:PORT        DNP3 over UDP instead of TCP (responses go to the requester)\n"
            "                         --listen, --udp and --tls-listen combine and repeat (up to 8\n"
            "                         endpoints); with more than one, or --max-masters, or a sessions:\n"
            "                         section in --config, every master gets a session of its own\n"
            "  --max-masters N        serve up to N masters at once (1..16), each in its own session on\n"
            "                         the one point database: own event buffers, confirms, unsolicited\n"
            "                         and select state; one more is refused with a log line\n"
            "  --udp-peer HOST:PORT   UDP: send to this master (also the start-up unsolicited data)\n"
            "  --connect HOST:PORT    dial out to a master that listens (dnp3 master listen) instead of\n"
            "                         listening; reconnects with back-off (tls://HOST:PORT: over TLS)\n"
            "  --tls-listen ADDR:PORT DNP3 over TLS (IEC 62351-3; port 19999 by default) instead of TCP;\n"
            "                         needs --tls-cert, --tls-key and --tls-ca and/or --tls-peer-cert\n"
            "  --link-addr N          outstation link address (default 10)\n"
            "  --master-addr N        master link address (default 1)\n"
            "  --config FILE          YAML point database (see docs/outstation-cli.md)\n"
            "  --points N             N points of every type instead of the built-in profile\n"
            "  --simulate             drift measurements and count energy, generating events\n"
            "  --sim-period MS        simulation step (default 1000)\n"
            "  --sim-steps N          stop simulating after N steps and print how many events it made\n"
            "  --seed N               simulation random seed (default 1)\n"
            "  --no-unsolicited       refuse unsolicited reporting\n"
            "  --command-events CLASS record binary/analog output command events (g13, g43) of\n"
            "                         every operate in event class CLASS (1..3; default none)\n"
            "  --no-self-addr         do not answer the self address 0xFFFC as our own\n"
            "  --accept replace|reject  a second master replaces the first (default) or is refused\n"
            "  --allow IP             accept masters only from this address (repeatable)\n"
            "  --keep-alive MS        link-status keep-alive period (default 60000, 0 = off)\n"
            "  --framing-error close|resync  on a bad frame (start octets, CRC): close the\n"
            "                         connection (default) or skip to the next 05 64\n" LINK_CLI_HELP
            "  --decode LEVEL         print traffic: none, link, transport, app, objects\n"
            "  --log-level LEVEL      error, info (default) or debug\n"
            "  --sa-user N            demand Secure Authentication v5 (IEEE 1815 clause 7) for critical\n"
            "                         requests (operate, write, restart, ...) from user N (1..65535);\n"
            "                         give its key with the next --sa-update-key-file (repeat the pair)\n"
            "  --sa-update-key-file FILE  that user's update key: 32 or 64 hex digits (AES-128/256)\n"
            "  --sa-user-name NAME    that user's name (lets a master change its update key; the file is\n"
            "                         rewritten with the new key)\n"
            "  --sa-authority-key-file FILE  permit update-key changes and user status changes (add, change,\n"
            "                         delete a user) authorised by this key (16/32 octets); the last\n"
            "                         accepted status change sequence number is kept in FILE.scs\n"
            "  --sa-outstation-name NAME  this outstation's name in update-key changes (default empty)\n"
            "  --file-root DIR        serve DIR by DNP3 file transfer (group 70): names are relative to\n"
            "                         DIR; '..', absolute names, symbolic links, control characters and\n"
            "                         names over 255 octets are refused (PERMISSION_DENIED)\n"
            "  --file-write           also accept writes and deletes (default: read-only)\n"
            "  --file-max-size N      largest file accepted by a write, in octets (default: no limit)\n"
            "  --file-max-open N      files open at once, 1..4 (default 4)\n"
            "  --file-timeout MS      close an open file left unused this long (default 60000, 0 = never);\n"
            "                         its handle is then answered HANDLE_EXPIRED\n"
            "  --file-user NAME       demand AUTHENTICATE_FILE (g70v2) with this user name and the password\n"
            "                         of --file-password-file before OPEN_FILE and DELETE_FILE\n"
            "  --file-password-file FILE  that password (the first line of FILE)\n"
            "%s"
            "%s"
            "  -h, --help             this help\n",
            SERIAL_CLI_OUTSTATION_HELP, TLS_CLI_HELP);
}

typedef struct {
    uv_loop_t *loop;
    outstation_app app;
    dnp3_io_outstation *bind;
    outstation_multi *multi; /* several masters (NULL: one, through bind) */
    cli_tap tap;
    bool datagram;
    bool verbose;
    uint16_t master_addr;
    uint32_t sim_period_ms;
    uv_signal_t sigint, sigterm;
    uv_timer_t sim;
    bool simulate;
    uint32_t sim_steps_left; /* --sim-steps: 0 = forever */
    uint64_t sim_events;     /* events the simulation recorded */
    dnp3_tls *tls;
    bool serial; /* --serial: the link counters are printed at the end */
} os_cmd;

/* Connection events are logged by the runtime (up_log); the binding follows them for the outstation. */
static void up_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)peer;
    (void)now;
    cli_tap_reset(&((os_cmd *)ctx)->tap);
}

static void up_rx(void *ctx, const uint8_t *p, size_t n)
{
    os_cmd *c = ctx;
    cli_tap_rx(&c->tap, p, n, c->datagram);
}

static void up_tx(void *ctx, const uint8_t *p, size_t n)
{
    os_cmd *c = ctx;
    cli_tap_tx(&c->tap, p, n, c->datagram);
}

static void up_log(void *ctx, const char *msg)
{
    os_cmd *c = ctx;
    if (c->verbose) printf("%s: %s\n", CMD, msg);
    fflush(stdout);
}

static void on_handle_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_signal(uv_signal_t *s, int signum)
{
    os_cmd *c = s->data;
    printf("%s: %s received, shutting down\n", CMD, signum == SIGINT ? "SIGINT" : "SIGTERM");
    if (c->simulate) printf("%s: the simulation generated %llu events\n", CMD, (unsigned long long)c->sim_events);
    if (c->serial) {
        const dnp3_channel_stats *st = dnp3_channel_get_stats(dnp3_io_outstation_channel(c->bind));
        printf("%s: link: %llu fragments received, %llu sent, %llu frames ignored (other addresses)\n", CMD,
               (unsigned long long)st->fragments_rx, (unsigned long long)st->fragments_tx,
               (unsigned long long)st->frames_ignored);
    }
    fflush(stdout);
    dnp3_io_outstation_stop(c->bind);
    c->bind = NULL;
    outstation_multi_stop(c->multi);
    c->multi = NULL;
    uv_close((uv_handle_t *)&c->sigint, on_handle_closed);
    uv_close((uv_handle_t *)&c->sigterm, on_handle_closed);
    if (c->simulate) uv_close((uv_handle_t *)&c->sim, on_handle_closed);
}

static void on_sim(uv_timer_t *t)
{
    os_cmd *c = t->data;
    int n = outstation_app_simulate(&c->app, c->sim_period_ms / 1000.0);
    if (n > 0) c->sim_events += (uint64_t)n;
    if (c->bind) dnp3_io_outstation_kick(c->bind);
    outstation_multi_kick(c->multi);
    if (c->sim_steps_left && --c->sim_steps_left == 0) {
        uv_timer_stop(t);
        printf("%s: simulation finished: %llu events generated\n", CMD, (unsigned long long)c->sim_events);
        fflush(stdout);
    }
}

#define MAX_ENDPOINTS 8

typedef struct {
    os_endpoint eps[MAX_ENDPOINTS]; /* every --listen, --udp, --tls-listen in order (host = ADDR:PORT text) */
    size_t n_eps;
    uint64_t max_masters; /* 0 = not given */
    char listen[160];
    char udp[160];
    char udp_peer[160];
    char connect[160];
    char tls_listen[160];
    tls_cli_options tls;
    link_cli_options link;
    serial_cli_options serial;
    const char *config;
    const char *allow[32];
    size_t allow_count;
    uint64_t link_addr, master_addr, points, sim_period, seed, keep_alive, sim_steps, command_events;
    bool have_link, have_master, have_points, simulate, no_unsol, reject, no_self_addr;
    int framing; /* dnp3_framing_policy; 0 = the profile's */
    unsigned decode;
    bool verbose;
    dnp3_sa_user sa_users[DNP3_SA_MAX_USERS];
    const char *sa_key_files[DNP3_SA_MAX_USERS];
    size_t sa_count;
    bool sa_key_pending; /* the last --sa-user still waits for its key file */
    uint8_t sa_authority_key[DNP3_SA_MAX_KEY];
    uint8_t sa_authority_key_len;
    const char *sa_authority_file;
    const char *sa_outstation_name;
    const char *file_root;
    bool file_write;
    uint64_t file_max_size, file_max_open, file_timeout;
    const char *file_user, *file_password_file;
} options;

static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->sim_period = 1000;
    o->seed = 1;
    o->keep_alive = 60000;
    o->file_timeout = 60000;
    o->verbose = true;
    tls_cli_init(&o->tls);
    serial_cli_init(&o->serial);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                                                              \
    do {                                                                                                          \
        if (!v) return cli_usage_error(CMD, "%s needs a value (see dnp3 outstation --help)", a);                  \
        i++;                                                                                                      \
    } while (0)
        int link_rc = link_cli_option(CMD, a, v, &o->link);
        if (link_rc == 2) return 2;
        if (link_rc != 0) {
            if (link_rc == 1) i++;
            continue;
        }
        int tls_rc = tls_cli_option(CMD, a, v, &o->tls);
        if (tls_rc == 2) return 2;
        if (tls_rc == 1) {
            i++;
            continue;
        }
        int serial_rc = serial_cli_option(CMD, a, v, &o->serial);
        if (serial_rc == 2) return 2;
        if (serial_rc) {
            i += serial_rc == 1;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--tls-listen") || !strcmp(a, "--listen") || !strcmp(a, "--udp")) {
            NEED_VALUE();
            if (o->n_eps == MAX_ENDPOINTS) return cli_usage_error(CMD, "at most %d endpoints", MAX_ENDPOINTS);
            os_endpoint *e = &o->eps[o->n_eps++];
            e->transport = a[2] == 't' ? PROFILE_TR_TLS : a[2] == 'l' ? PROFILE_TR_TCP : PROFILE_TR_UDP;
            snprintf(e->host, sizeof e->host, "%s", v);
            char *first = e->transport == PROFILE_TR_TLS   ? o->tls_listen
                          : e->transport == PROFILE_TR_TCP ? o->listen
                                                           : o->udp;
            if (!first[0]) snprintf(first, sizeof o->listen, "%s", v);
        } else if (!strcmp(a, "--max-masters")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 1, PROFILE_MAX_SESSIONS, &o->max_masters)) return 2;
        } else if (!strcmp(a, "--connect")) {
            NEED_VALUE();
            snprintf(o->connect, sizeof o->connect, "%s", v);
        } else if (!strcmp(a, "--udp-peer")) {
            NEED_VALUE();
            snprintf(o->udp_peer, sizeof o->udp_peer, "%s", v);
        } else if (!strcmp(a, "--link-addr")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 0, 0xFFEF, &o->link_addr)) return 2;
            o->have_link = true;
        } else if (!strcmp(a, "--master-addr")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 0, 0xFFEF, &o->master_addr)) return 2;
            o->have_master = true;
        } else if (!strcmp(a, "--config")) {
            NEED_VALUE();
            o->config = v;
        } else if (!strcmp(a, "--points")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 1, 65535, &o->points)) return 2;
            o->have_points = true;
        } else if (!strcmp(a, "--simulate")) {
            o->simulate = true;
        } else if (!strcmp(a, "--sim-period")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 10, 3600000, &o->sim_period)) return 2;
        } else if (!strcmp(a, "--sim-steps")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 1, UINT32_MAX, &o->sim_steps)) return 2;
        } else if (!strcmp(a, "--seed")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 0, UINT64_MAX, &o->seed)) return 2;
        } else if (!strcmp(a, "--no-self-addr")) {
            o->no_self_addr = true;
        } else if (!strcmp(a, "--no-unsolicited")) {
            o->no_unsol = true;
        } else if (!strcmp(a, "--command-events")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 1, 3, &o->command_events)) return 2;
        } else if (!strcmp(a, "--accept")) {
            NEED_VALUE();
            if (strcmp(v, "replace") != 0 && strcmp(v, "reject") != 0)
                return cli_usage_error(CMD, "--accept: '%s' is not replace or reject", v);
            o->reject = !strcmp(v, "reject");
        } else if (!strcmp(a, "--allow")) {
            NEED_VALUE();
            if (o->allow_count == sizeof o->allow / sizeof o->allow[0])
                return cli_usage_error(CMD, "--allow: at most 32 addresses");
            o->allow[o->allow_count++] = v;
        } else if (!strcmp(a, "--framing-error")) {
            NEED_VALUE();
            if (cli_framing(CMD, a, v, &o->framing)) return 2;
        } else if (!strcmp(a, "--keep-alive")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 0, 86400000, &o->keep_alive)) return 2;
        } else if (!strcmp(a, "--decode")) {
            NEED_VALUE();
            if (cli_tap_parse_level(CMD, v, &o->decode)) return 2;
        } else if (!strcmp(a, "--log-level")) {
            NEED_VALUE();
            if (strcmp(v, "error") != 0 && strcmp(v, "info") != 0 && strcmp(v, "debug") != 0)
                return cli_usage_error(CMD, "--log-level: '%s' is not error, info or debug", v);
            o->verbose = strcmp(v, "error") != 0;
        } else if (!strcmp(a, "--sa-user")) {
            NEED_VALUE();
            if (o->sa_key_pending)
                return cli_usage_error(CMD, "--sa-user %u has no --sa-update-key-file",
                                       o->sa_users[o->sa_count - 1].number);
            if (o->sa_count >= DNP3_SA_MAX_USERS)
                return cli_usage_error(CMD, "--sa-user: at most %d users", DNP3_SA_MAX_USERS);
            uint64_t u;
            if (cli_uint(CMD, a, v, 1, 65535, &u)) return 2;
            for (size_t k = 0; k < o->sa_count; k++)
                if (o->sa_users[k].number == u)
                    return cli_usage_error(CMD, "--sa-user %u given twice", (unsigned)u);
            o->sa_users[o->sa_count].number = (uint16_t)u;
            o->sa_count++;
            o->sa_key_pending = true;
        } else if (!strcmp(a, "--sa-update-key-file")) {
            NEED_VALUE();
            if (!o->sa_key_pending) return cli_usage_error(CMD, "--sa-update-key-file must follow an --sa-user N");
            if (sa_cli_load_key(CMD, v, &o->sa_users[o->sa_count - 1])) return 2;
            o->sa_key_files[o->sa_count - 1] = v;
            o->sa_key_pending = false;
        } else if (!strcmp(a, "--sa-user-name")) {
            NEED_VALUE();
            if (!o->sa_count) return cli_usage_error(CMD, "--sa-user-name must follow an --sa-user N");
            if (!v[0] || strlen(v) > DNP3_SA_MAX_NAME)
                return cli_usage_error(CMD, "--sa-user-name: 1 to %d characters", DNP3_SA_MAX_NAME);
            snprintf(o->sa_users[o->sa_count - 1].name, sizeof o->sa_users[0].name, "%s", v);
        } else if (!strcmp(a, "--sa-authority-key-file")) {
            NEED_VALUE();
            if (sa_cli_read_key(CMD, a, v, o->sa_authority_key, &o->sa_authority_key_len)) return 2;
            o->sa_authority_file = v;
        } else if (!strcmp(a, "--file-root")) {
            NEED_VALUE();
            o->file_root = v;
        } else if (!strcmp(a, "--file-write")) {
            o->file_write = true;
        } else if (!strcmp(a, "--file-max-size")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 1, UINT32_MAX, &o->file_max_size)) return 2;
        } else if (!strcmp(a, "--file-timeout")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 0, 86400000, &o->file_timeout)) return 2;
        } else if (!strcmp(a, "--file-user")) {
            NEED_VALUE();
            o->file_user = v;
        } else if (!strcmp(a, "--file-password-file")) {
            NEED_VALUE();
            o->file_password_file = v;
        } else if (!strcmp(a, "--file-max-open")) {
            NEED_VALUE();
            if (cli_uint(CMD, a, v, 1, FILE_ROOT_MAX_OPEN, &o->file_max_open)) return 2;
        } else if (!strcmp(a, "--sa-outstation-name")) {
            NEED_VALUE();
            if (strlen(v) > DNP3_SA_MAX_NAME)
                return cli_usage_error(CMD, "--sa-outstation-name: at most %d characters", DNP3_SA_MAX_NAME);
            o->sa_outstation_name = v;
        } else {
            return cli_usage_error(CMD, "unknown option '%s' (see dnp3 outstation --help)", a);
        }
#undef NEED_VALUE
    }
    if (o->sa_key_pending)
        return cli_usage_error(CMD, "--sa-user %u has no --sa-update-key-file",
                               o->sa_users[o->sa_count - 1].number);
    if (o->config && o->have_points) return cli_usage_error(CMD, "--config and --points cannot be combined");
    if (o->connect[0] && o->n_eps)
        return cli_usage_error(CMD, "--connect cannot be combined with --listen, --tls-listen or --udp");
    if (o->connect[0] && o->max_masters > 1) return cli_usage_error(CMD, "--connect serves one master");
    bool tls = o->tls_listen[0] || !strncmp(o->connect, "tls://", 6);
    if (o->tls.any && !tls)
        return cli_usage_error(CMD, "the --tls-* options need --tls-listen or --connect tls://HOST:PORT");
    if (tls && !o->tls.any)
        return cli_usage_error(
            CMD, "TLS needs --tls-cert FILE, --tls-key FILE and --tls-ca FILE or --tls-peer-cert FILE");
    if (o->udp_peer[0] && !o->udp[0]) return cli_usage_error(CMD, "--udp-peer needs --udp");
    if (!o->file_user != !o->file_password_file)
        return cli_usage_error(CMD, "--file-user and --file-password-file go together");
    if (o->file_user && !o->file_root) return cli_usage_error(CMD, "--file-user needs --file-root");
    if (o->serial.device[0] && (o->listen[0] || o->udp[0] || o->connect[0] || o->tls_listen[0] || tls))
        return cli_usage_error(CMD, "--serial cannot be combined with --listen, --tls-listen, --udp or --connect");
    return 0;
}

static int load_profile(const options *o, profile *p)
{
    char err[512];
    if (o->config) {
        if (config_yaml_load(o->config, p, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", CMD, err);
            return 2;
        }
    } else if (o->have_points ? profile_uniform(p, (uint32_t)o->points) : profile_substation(p)) {
        fprintf(stderr, "%s: out of memory\n", CMD);
        return 1;
    }
    if (o->have_link) p->link_addr = (uint16_t)o->link_addr;
    if (o->have_master) p->master_addr = (uint16_t)o->master_addr;
    if (o->no_unsol) p->unsolicited = false;
    p->command_event_class = (uint8_t)o->command_events;
    if (p->link_addr == p->master_addr) {
        fprintf(stderr, "%s: the link address and the master address are both %u\n", CMD, p->link_addr);
        return 2;
    }
    return 0;
}

/* The config file's `security:` section becomes what the --sa-* / --tls-* options would have given. */
static int apply_config_security(options *o, const profile *p)
{
    if (p->sa.enabled) {
        if (o->sa_count || o->sa_authority_key_len)
            return cli_usage_error(CMD, "Secure Authentication is set both in %s and on the command line",
                                   o->config);
        for (size_t i = 0; i < p->sa.n_users; i++) {
            const profile_sa_user *u = &p->sa.users[i];
            dnp3_sa_user *d = &o->sa_users[o->sa_count];
            d->number = u->number;
            snprintf(d->name, sizeof d->name, "%s", u->name);
            if (sa_cli_read_key(CMD, u->key_where, u->key_file, d->key, &d->key_len)) return 2;
            o->sa_key_files[o->sa_count++] = u->key_file;
        }
        if (p->sa.authority_key_file[0] && sa_cli_read_key(CMD, p->sa.authority_where, p->sa.authority_key_file,
                                                           o->sa_authority_key, &o->sa_authority_key_len))
            return 2;
        if (p->sa.authority_key_file[0]) o->sa_authority_file = p->sa.authority_key_file;
        if (p->sa.outstation_name[0]) o->sa_outstation_name = p->sa.outstation_name;
    }
    if (p->tls.enabled) {
        if (o->tls.any || o->tls_listen[0] || o->listen[0] || o->udp[0] || o->connect[0])
            return cli_usage_error(CMD,
                                   "TLS is set in %s: --listen, --udp, --connect and the --tls-* options "
                                   "cannot be combined with it",
                                   o->config);
        const profile_tls *t = &p->tls;
        snprintf(o->tls_listen, sizeof o->tls_listen, "%s", t->listen[0] ? t->listen : "0.0.0.0:19999");
        tls_cli_from_files(&o->tls, t->cert, t->key, t->ca, t->peer_cert, t->crl, t->peer_name);
        dnp3_tls_config *c = &o->tls.cfg;
        c->ciphers_tls12 = t->ciphers[0] ? t->ciphers : NULL;
        if (t->min_version) c->min_version = (dnp3_tls_version)t->min_version;
        if (t->max_version) c->max_version = (dnp3_tls_version)t->max_version;
        if (t->handshake_timeout_ms) c->handshake_timeout_ms = t->handshake_timeout_ms;
    }
    return 0;
}

static void channel_config(const options *o, const profile *p, dnp3_channel_config *cc)
{
    dnp3_channel_config_init(cc);
    cc->local_addr = p->link_addr;
    cc->remote_addr = p->master_addr;
    cc->mode = o->udp[0] ? DNP3_CHANNEL_DATAGRAM : DNP3_CHANNEL_STREAM;
    cc->max_rx_fragment = p->max_fragment;
    cc->max_tx_fragment = p->max_fragment;
    cc->keep_alive_ms = (uint32_t)o->keep_alive;
    cc->self_addr_enabled = !o->no_self_addr; /* a master (or `dnp3 scan`) may use 0xFFFC */
    cc->framing = (dnp3_framing_policy)(o->framing ? o->framing : p->framing);
    link_cli_apply(&o->link, cc);
}

static uint32_t point_total(const profile *p)
{
    uint32_t n = 0;
    for (int t = 0; t < PROFILE_TYPE_COUNT; t++) n += p->count[t];
    return n;
}

/* --serial: the outstation on a serial line (the loop runs at `serve`). Returns 0 or an exit status. */
static int start_serial(os_cmd *c, const options *o, const profile *prof, dnp3_io_config *ioc)
{
    char rx_label[64], tx_label[64], line[64];
    snprintf(rx_label, sizeof rx_label, "master %u -> outstation %u", prof->master_addr, prof->link_addr);
    snprintf(tx_label, sizeof tx_label, "outstation %u -> master %u", prof->link_addr, prof->master_addr);
    cli_tap_init(&c->tap, o->decode, rx_label, tx_label);
    dnp3_channel_config cc;
    channel_config(o, prof, &cc);
    cc.mode = DNP3_CHANNEL_SERIAL; /* resync on 05 64 after line noise */
    dnp3_io_hooks hooks = {c, up_open, NULL, up_rx, up_tx, up_log};
    int err_io = dnp3_io_outstation_start(c->loop, ioc, &cc, c->app.os, &hooks, &c->bind);
    if (err_io) {
        fprintf(stderr, "%s: cannot use serial port %s: %s\n", CMD, o->serial.device, dnp3_strerror(err_io));
        return 1;
    }
    printf("%s: serving serial port %s (%s), link address %u, master address %u, %u points (%s)%s\n", CMD,
           o->serial.device, serial_cli_describe(&o->serial, line, sizeof line), prof->link_addr,
           prof->master_addr, point_total(prof),
           o->config        ? o->config
           : o->have_points ? "uniform profile"
                            : "substation profile",
           o->simulate ? ", simulating" : "");
    fflush(stdout);
    return 0;
}

/* Several masters: the usage rules, then one session rule per master (the sessions: section, or
 * --max-masters N anonymous ones in `defaults`). Returns 0, or 2 after a usage error. */
static int session_rules(const options *o, const profile *p, profile_session *defaults,
                         const profile_session **rules, size_t *n)
{
    if (p->n_sessions && o->max_masters)
        return cli_usage_error(CMD,
                               "--max-masters and the sessions: section of %s cannot be combined (the "
                               "section lists the sessions)",
                               o->config);
    if (o->udp_peer[0])
        return cli_usage_error(CMD, "--udp-peer is for one master; with several each is answered at its own "
                                    "address");
    if (o->reject)
        return cli_usage_error(CMD, "--accept is for one master; with several, a master finding every session "
                                    "taken is refused");
    if (o->sa_authority_key_len)
        return cli_usage_error(CMD, "update-key and user status changes (--sa-authority-key-file) need one "
                                    "master: each session keeps its own Secure Authentication state");
    if (p->n_sessions) {
        *rules = p->sessions;
        *n = p->n_sessions;
        return 0;
    }
    *n = o->max_masters ? (size_t)o->max_masters : 1;
    for (size_t i = 0; i < *n; i++) {
        memset(&defaults[i], 0, sizeof defaults[i]);
        snprintf(defaults[i].name, sizeof defaults[i].name, "any master");
        defaults[i].event_classes = DNP3_OS_CLASS1 | DNP3_OS_CLASS2 | DNP3_OS_CLASS3;
    }
    *rules = defaults;
    return 0;
}

/* Resolves the endpoints' ADDR:PORT texts into out[] and starts serving them. Returns 0 or an exit status. */
static int start_multi(os_cmd *c, options *o, const profile *p, size_t sessions)
{
    os_endpoint eps[MAX_ENDPOINTS];
    bool any_tls = false;
    if (o->n_eps == 0) { /* --max-masters alone: the default TCP endpoint */
        o->eps[0].transport = PROFILE_TR_TCP;
        snprintf(o->eps[0].host, sizeof o->eps[0].host, "0.0.0.0:20000");
        o->n_eps = 1;
    }
    for (size_t i = 0; i < o->n_eps; i++) {
        uint8_t t = o->eps[i].transport;
        eps[i].transport = t;
        any_tls |= t == PROFILE_TR_TLS;
        if (cli_host_port(CMD,
                          t == PROFILE_TR_TLS   ? "--tls-listen"
                          : t == PROFILE_TR_UDP ? "--udp"
                                                : "--listen",
                          o->eps[i].host, "0.0.0.0", t == PROFILE_TR_TLS ? TLS_CLI_DEFAULT_PORT : 20000,
                          eps[i].host, sizeof eps[i].host, &eps[i].port))
            return 2;
    }
    if (any_tls) {
        c->tls = tls_cli_load(CMD, &o->tls, true);
        if (!c->tls) return 2;
    }
    dnp3_channel_config cc;
    channel_config(o, p, &cc);
    cc.mode = DNP3_CHANNEL_STREAM; /* UDP endpoints switch to datagrams themselves */
    dnp3_io_hooks hooks = {c, up_open, NULL, up_rx, up_tx, up_log};
    c->multi =
        outstation_multi_start(c->loop, &c->app, eps, o->n_eps, &cc, c->tls, o->allow, o->allow_count, &hooks);
    if (!c->multi) return 1;
    printf("%s: listening on", CMD);
    for (size_t i = 0; i < o->n_eps; i++)
        printf("%s %s %s:%u", i ? "," : "", os_transport_name(eps[i].transport), eps[i].host,
               outstation_multi_port(c->multi, i));
    printf(", link address %u, %u points (%s), %zu sessions of %zu octets each%s\n", p->link_addr, point_total(p),
           o->config        ? o->config
           : o->have_points ? "uniform profile"
                            : "substation profile",
           sessions, dnp3_outstation_session_memory_size(&c->app.cfg), o->simulate ? ", simulating" : "");
    for (size_t i = 0; i < sessions; i++) {
        const profile_session *r = c->app.sess[i].rule;
        printf("%s: session %zu (%s): classes%s%s%s%s%s%s\n", CMD, i + 1, r->name,
               r->event_classes & 1 ? " 1" : "", r->event_classes & 2 ? " 2" : "",
               r->event_classes & 4 ? " 3" : "", r->event_classes ? "" : " none",
               r->read_only ? ", read-only" : "", r->n_allow ? ", allow-listed" : "");
    }
    if (c->app.sess[0].sa)
        printf("%s: Secure Authentication v5 demanded for critical requests in every session\n", CMD);
    fflush(stdout);
    return 0;
}

int cmd_outstation(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : rc;

    profile prof;
    if ((rc = load_profile(&o, &prof)) != 0) return rc;
    if ((rc = apply_config_security(&o, &prof)) != 0) {
        profile_free(&prof);
        return rc;
    }

    if (prof.tls.enabled && o.n_eps == 0) { /* the config file's TLS endpoint */
        o.eps[0].transport = PROFILE_TR_TLS;
        snprintf(o.eps[0].host, sizeof o.eps[0].host, "%s", o.tls_listen);
        o.n_eps = 1;
    }
    bool several = o.n_eps > 1 || o.max_masters > 1 || prof.n_sessions > 0;
    if (several && o.serial.device[0]) {
        profile_free(&prof);
        return cli_usage_error(CMD,
                               "--serial serves the master of its line: not with several masters or sessions");
    }
    static profile_session default_rules[PROFILE_MAX_SESSIONS];
    const profile_session *rules = NULL;
    size_t n_rules = 0;
    if (several && (rc = session_rules(&o, &prof, default_rules, &rules, &n_rules)) != 0) {
        profile_free(&prof);
        return rc;
    }

    os_cmd *c = calloc(1, sizeof *c);
    if (!c) return 1;
    c->loop = uv_default_loop();
    c->datagram = o.udp[0] != 0;
    c->verbose = o.verbose;
    c->master_addr = prof.master_addr;
    c->sim_period_ms = (uint32_t)o.sim_period;
    char err[256];
    static file_root files;
    files.dirfd = -1;
    if (o.file_root) {
        if (file_root_init(&files, o.file_root, o.file_write, o.file_max_size, (unsigned)o.file_max_open, err,
                           sizeof err)) {
            fprintf(stderr, "%s: %s\n", CMD, err);
            rc = 2;
            goto out;
        }
        if (o.file_user && file_root_require_user(&files, o.file_user, o.file_password_file, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", CMD, err);
            rc = 2;
            goto out;
        }
        files.timeout_ms = (uint32_t)o.file_timeout;
        outstation_app_serve_files(&files);
    }
    if (several ? outstation_app_init_shared(&c->app, &prof, rules, n_rules, dnp3_io_now(c->loop),
                                             o.verbose ? stdout : NULL, o.seed, err, sizeof err)
                : outstation_app_init(&c->app, &prof, dnp3_io_now(c->loop), o.verbose ? stdout : NULL, o.seed, err,
                                      sizeof err)) {
        fprintf(stderr, "%s: %s\n", CMD, err);
        rc = 2;
        goto out;
    }

    if (o.sa_count) {
        outstation_sa_options so = {o.sa_users,
                                    o.sa_count,
                                    o.sa_key_files,
                                    o.sa_authority_key_len ? o.sa_authority_key : NULL,
                                    o.sa_authority_key_len,
                                    o.sa_outstation_name ? o.sa_outstation_name : "",
                                    prof.sa.enabled ? &prof.sa : NULL,
                                    NULL,
                                    0};
        /* the user status change sequence number lives beside the authority key: <file>.scs */
        static char scs_file[4096];
        if (o.sa_authority_key_len && o.sa_authority_file &&
            snprintf(scs_file, sizeof scs_file, "%s.scs", o.sa_authority_file) < (int)sizeof scs_file) {
            if (sa_cli_read_scs(CMD, scs_file, &so.scs)) {
                dnp3_zeroize(o.sa_users, sizeof o.sa_users);
                dnp3_zeroize(o.sa_authority_key, sizeof o.sa_authority_key);
                rc = 2;
                goto out;
            }
            so.scs_file = scs_file;
        }
        rc = outstation_app_enable_sa(&c->app, &so, dnp3_io_now(c->loop), err, sizeof err);
        dnp3_zeroize(o.sa_users, sizeof o.sa_users);
        dnp3_zeroize(o.sa_authority_key, sizeof o.sa_authority_key);
        if (rc) {
            fprintf(stderr, "%s: %s\n", CMD, err);
            rc = 2;
            goto out;
        }
    }

    if (several) {
        char rx_label[64], tx_label[64];
        snprintf(rx_label, sizeof rx_label, "master -> outstation %u", prof.link_addr);
        snprintf(tx_label, sizeof tx_label, "outstation %u -> master", prof.link_addr);
        cli_tap_init(&c->tap, o.decode, rx_label, tx_label);
        if ((rc = start_multi(c, &o, &prof, n_rules)) != 0) goto out;
        goto serve;
    }

    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, c->datagram ? DNP3_IO_UDP : o.connect[0] ? DNP3_IO_TCP_CLIENT : DNP3_IO_TCP_SERVER);
    c->serial = o.serial.device[0] != 0;
    if (c->serial) { /* a serial line (docs/serial.md): no address, a device */
        if ((rc = serial_cli_check_device(CMD, &o.serial)) != 0) goto out;
        serial_cli_apply(&o.serial, &ioc);
        if ((rc = start_serial(c, &o, &prof, &ioc)) != 0) goto out;
        goto serve;
    }
    char host[128], peer_host[128];
    uint16_t port, peer_port = 0;
    bool dial_tls = !strncmp(o.connect, "tls://", 6);
    bool use_tls = o.tls_listen[0] || dial_tls;
    const char *endpoint = c->datagram       ? o.udp
                           : dial_tls        ? o.connect + 6
                           : o.connect[0]    ? o.connect
                           : o.tls_listen[0] ? o.tls_listen
                                             : o.listen;
    if (cli_host_port(CMD,
                      c->datagram       ? "--udp"
                      : o.connect[0]    ? "--connect"
                      : o.tls_listen[0] ? "--tls-listen"
                                        : "--listen",
                      endpoint, o.connect[0] ? "127.0.0.1" : "0.0.0.0", use_tls ? TLS_CLI_DEFAULT_PORT : 20000,
                      host, sizeof host, &port)) {
        rc = 2;
        goto out;
    }
    if (use_tls) {
        if (dial_tls && !o.tls.cfg.peer_name) o.tls.cfg.peer_name = host; /* the master's certificate names it */
        c->tls = tls_cli_load(CMD, &o.tls, !dial_tls);
        if (!c->tls) {
            rc = 2;
            goto out;
        }
        ioc.tls = c->tls;
    }
    ioc.host = host;
    ioc.port = port;
    ioc.accept_policy = o.reject ? DNP3_IO_REJECT_NEW : DNP3_IO_REPLACE_OLD;
    ioc.allow = o.allow;
    ioc.allow_count = o.allow_count;
    if (o.udp_peer[0]) {
        if (cli_host_port(CMD, "--udp-peer", o.udp_peer, "127.0.0.1", 20000, peer_host, sizeof peer_host,
                          &peer_port)) {
            rc = 2;
            goto out;
        }
        ioc.udp_peer_host = peer_host;
        ioc.udp_peer_port = peer_port;
    }
    char rx_label[64], tx_label[64];
    snprintf(rx_label, sizeof rx_label, "master %u -> outstation %u", prof.master_addr, prof.link_addr);
    snprintf(tx_label, sizeof tx_label, "outstation %u -> master %u", prof.link_addr, prof.master_addr);
    cli_tap_init(&c->tap, o.decode, rx_label, tx_label);

    dnp3_channel_config cc;
    channel_config(&o, &prof, &cc);
    dnp3_io_hooks hooks = {c, up_open, NULL, up_rx, up_tx, up_log};
    int err_io = dnp3_io_outstation_start(c->loop, &ioc, &cc, c->app.os, &hooks, &c->bind);
    if (err_io) {
        fprintf(stderr, "%s: cannot %s %s:%u: %s\n", CMD, c->datagram ? "bind UDP" : "listen on TCP", host, port,
                dnp3_strerror(err_io));
        rc = 1;
        goto out;
    }
    printf("%s: %s %s %s:%u, link address %u, master address %u, %u points (%s)%s\n", CMD,
           o.connect[0] ? "dialling out over" : "listening on",
           c->datagram ? "udp"
           : use_tls   ? "tls"
                       : "tcp",
           host, o.connect[0] ? port : dnp3_io_local_port(dnp3_io_outstation_io(c->bind)), prof.link_addr,
           prof.master_addr, point_total(&prof),
           o.config        ? o.config
           : o.have_points ? "uniform profile"
                           : "substation profile",
           o.simulate ? ", simulating" : "");
    if (c->app.sa)
        printf("%s: Secure Authentication v5 demanded for critical requests (%zu user%s)\n", CMD, o.sa_count,
               o.sa_count == 1 ? "" : "s");
    fflush(stdout);

serve:
    uv_signal_init(c->loop, &c->sigint);
    uv_signal_init(c->loop, &c->sigterm);
    c->sigint.data = c->sigterm.data = c;
    uv_signal_start(&c->sigint, on_signal, SIGINT);
    uv_signal_start(&c->sigterm, on_signal, SIGTERM);
    if (o.simulate) {
        c->simulate = true;
        c->sim_steps_left = (uint32_t)o.sim_steps;
        uv_timer_init(c->loop, &c->sim);
        c->sim.data = c;
        uv_timer_start(&c->sim, on_sim, c->sim_period_ms, c->sim_period_ms);
    }
    uv_run(c->loop, UV_RUN_DEFAULT);
    uv_loop_close(c->loop);
    rc = 0;
out:
    cli_tap_free(&c->tap);
    outstation_app_free(&c->app);
    if (o.file_root) file_root_free(&files);
    dnp3_tls_free(c->tls);
    free(c);
    profile_free(&prof);
    return rc;
}
