/*
 * master_session.h - one master association to one outstation over the libuv
 * runtime, for the `dnp3 master` subcommands: TCP, UDP, TLS or serial target
 * (several outstations on one line: one association each, polled in turn), a one-shot
 * mode (connect, run one task, report, exit) and a watch mode (start-up
 * sequence, polls, unsolicited data, reconnects, until SIGINT).
 */
#ifndef DNP3_CLI_MASTER_SESSION_H
#define DNP3_CLI_MASTER_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "cli_common.h"
#include "link_cli.h"
#include "serial_cli.h"
#include "tls_cli.h"
#include "dnp3/io_roles.h"
#include "dnp3/master.h"
#include "dnp3/sa.h"

typedef struct master_session master_session;

/* Outstations one command may address on one channel (multi-drop: --link-addr 10,11,12). */
#define MASTER_MAX_LINKS 32

typedef struct {
    bool udp;
    char host[128];
    uint16_t port;
    uint16_t master_addr;
    uint16_t link_addr;                    /* the first of link_addrs */
    uint16_t link_addrs[MASTER_MAX_LINKS]; /* every outstation of the command (n_links >= 1) */
    size_t n_links;                        /* 0 = link_addr alone */
    bool serial;                           /* serial:PATH target (DNP3_IO_SERIAL) */
    serial_cli_options serial_opts;
    uint32_t timeout_ms;
    int framing; /* dnp3_framing_policy (--framing-error; 0 = close on TCP) */
    unsigned decode;
    bool watch;                   /* start-up sequence, reactions, reconnects, until SIGINT */
    uint32_t integrity_period_ms; /* watch */
    uint32_t event_period_ms;     /* watch */
    dnp3_timesync_mode time_sync; /* watch: NEED_TIME reaction */
    dnp3_master_handler handler;  /* measurement callbacks (ctx is the command's) */
    /* one-shot: called once per outstation, at the first connect, to submit the task */
    void (*on_ready)(master_session *s, dnp3_master_assoc *a, dnp3_tstamp now, void *ctx);
    void *ctx;
    bool sa; /* Secure Authentication v5 as sa_user */
    dnp3_sa_user sa_user;
    bool tls;                 /* tls://HOST:PORT target (IEC 62351-3) */
    tls_cli_options tls_opts; /* --tls-* options */
    link_cli_options link;    /* --link-confirm, --link-retries, --link-timeout, --char-timeout */
} master_session_config;

struct master_session {
    master_session_config cfg;
    uv_loop_t *loop;
    dnp3_io_master *bind;
    dnp3_master *m;
    dnp3_master_assoc *a; /* the first outstation's */
    dnp3_master_assoc *as[MASTER_MAX_LINKS];
    size_t n_as, n_done;
    int worst_exit; /* the highest exit status of the outstations done so far */
    cli_tap tap;
    uv_timer_t deadline;
    uv_signal_t sigint, sigterm;
    bool started, ever_connected, finished;
    int exit_code;
    void *sa_mem;
    dnp3_sa_master *sa;
};

/* Parses TARGET: HOST[:PORT], tcp://HOST[:PORT], udp://HOST[:PORT], tls://HOST[:PORT] (port 19999 by
 * default) or serial:PATH[?baud=N&parity=none|even|odd&data_bits=7|8&stop_bits=1|2...]. Returns 0 or -1
 * (message printed). */
int master_parse_target(const char *cmd, const char *target, master_session_config *c);

/* The runtime endpoint of a TCP or UDP target: TCP connects to host:port (connect timeout,
 * reconnect as given); UDP binds an ephemeral local port and sends to host:port. */
void master_ip_endpoint(dnp3_io_config *ioc, bool udp, const char *host, uint16_t port, uint32_t timeout_ms,
                        bool reconnect);

/* Runs the session until it finishes; returns the exit status. */
int master_session_run(master_session_config *c);

/* Ends the session with an exit status (one-shot: after the task's result). */
void master_session_finish(master_session *s, int exit_code);

/* One outstation's task is over with `exit_code`: the session finishes, with the highest status,
 * once every outstation's is (a single outstation: master_session_finish). */
void master_session_assoc_done(master_session *s, int exit_code);

/* Prints "dnp3 master: <why the task failed>" for a failed task on stderr. */
void master_print_task_failure(const char *cmd, const dnp3_task_info *info, uint32_t timeout_ms);

#endif
