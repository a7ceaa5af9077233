/*
 * examples/master - a DNP3 master on the libuv runtime: connects, runs an
 * integrity poll (every point is printed from the measurement callback), then
 * operates a CROB by select-before-operate. The exit status is 0 when the poll
 * succeeded and the outstation answered the command with SUCCESS, else 1.
 *
 *   master [HOST:PORT] [--link-addr N] [--master-addr N] [--crob INDEX] [--code on|off]
 */
#define _POSIX_C_SOURCE 200809L /* <uv.h> needs POSIX types under -std=c11 */
#include <dnp3/io_roles.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uv_loop_t *loop;
    dnp3_io_master *bind;
    dnp3_master_assoc *assoc;
    uv_timer_t finish, deadline;
    uint32_t crob_index;
    uint8_t crob_code;
    int exit_code;
    bool done;
} app;

static void on_closed(uv_handle_t *h)
{
    (void)h;
}

/* Stops on the next loop turn, once the runtime has sent what is queued (e.g. a CONFIRM). */
static void on_finish(uv_timer_t *t)
{
    app *a = t->data;
    dnp3_io_master_stop(a->bind);
    uv_close((uv_handle_t *)&a->finish, on_closed);
    uv_close((uv_handle_t *)&a->deadline, on_closed);
}

static void finish(app *a, int code)
{
    if (a->done) return;
    a->done = true;
    a->exit_code = code;
    uv_timer_start(&a->finish, on_finish, 0, 0);
}

static void on_deadline(uv_timer_t *t)
{
    fprintf(stderr, "master: no answer in time\n");
    finish(t->data, 1);
}

static void on_measurement(void *ctx, dnp3_master_assoc *as, const dnp3_measurement *m)
{
    (void)ctx, (void)as;
    printf("%-22s %3u  ", dnp3_point_type_name(m->type), (unsigned)m->index);
    if (m->octets)
        printf("\"%.*s\"", (int)m->octets_len, (const char *)m->octets);
    else
        printf("%g", m->value);
    if (m->has_flags) printf("  flags 0x%02x", m->flags);
    if (m->time_kind == DNP3_TIME_ABSOLUTE) printf("  time %llu", (unsigned long long)m->time);
    printf("%s\n", m->event ? "  (event)" : "");
}

static void on_command(void *ctx, dnp3_master_assoc *as, const dnp3_task_info *info)
{
    app *a = ctx;
    (void)as;
    unsigned status = info->n_statuses ? info->statuses[0] : DNP3_CS_UNDEFINED;
    printf("CROB %u code 0x%02x (select-before-operate): %s, command status %s\n", a->crob_index, a->crob_code,
           dnp3_task_result_name(info->result), info->n_statuses ? dnp3_command_status_name(status) : "none");
    finish(a, info->result == DNP3_TASK_SUCCESS && status == DNP3_CS_SUCCESS ? 0 : 1);
}

static void on_poll(void *ctx, dnp3_master_assoc *as, const dnp3_task_info *info)
{
    app *a = ctx;
    printf("integrity poll: %s\n", dnp3_task_result_name(info->result));
    if (info->result != DNP3_TASK_SUCCESS) {
        finish(a, 1);
        return;
    }
    dnp3_command cmd = dnp3_command_crob(a->crob_index, a->crob_code, 1, 100, 100);
    if (dnp3_master_operate(as, DNP3_CMD_SELECT_OPERATE, 0, &cmd, 1, on_command, a, dnp3_io_now(a->loop)))
        finish(a, 1);
}

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    app *a = ctx;
    printf("connected to %s\n", peer);
    /* the runtime sends the request when this hook returns */
    if (dnp3_master_read_class(a->assoc, DNP3_CLASS_ALL, on_poll, a, now)) finish(a, 1);
}

static void on_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    (void)now;
    app *a = ctx;
    if (!a->done) fprintf(stderr, "master: connection closed: %s\n", reason);
    finish(a, 1);
}

int main(int argc, char **argv)
{
    char host[64] = "127.0.0.1";
    int port = 20000, link_addr = 10, master_addr = 1, crob = 0;
    const char *code = "on";
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (argv[i][0] != '-' && sscanf(argv[i], "%63[^:]:%d", host, &port) >= 1) continue;
        if (v && !strcmp(argv[i], "--link-addr"))
            link_addr = atoi(v);
        else if (v && !strcmp(argv[i], "--master-addr"))
            master_addr = atoi(v);
        else if (v && !strcmp(argv[i], "--crob"))
            crob = atoi(v);
        else if (v && !strcmp(argv[i], "--code") && (!strcmp(v, "on") || !strcmp(v, "off")))
            code = v;
        else {
            fprintf(stderr,
                    "usage: %s [HOST:PORT] [--link-addr N] [--master-addr N] [--crob INDEX] [--code on|off]\n",
                    argv[0]);
            return 2;
        }
        i++;
    }
    app a = {.loop = uv_default_loop(), .crob_index = (uint32_t)crob};
    a.crob_code = !strcmp(code, "on") ? DNP3_OP_LATCH_ON : DNP3_OP_LATCH_OFF;
    uv_timer_init(a.loop, &a.finish);
    uv_timer_init(a.loop, &a.deadline);
    a.finish.data = a.deadline.data = &a;
    uv_timer_start(&a.deadline, on_deadline, 20000, 0);

    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = (uint16_t)master_addr;
    cc.remote_addr = (uint16_t)link_addr;
    cc.keep_alive_ms = 0;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.handler.measurement = on_measurement;
    mc.handler.ctx = &a;
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = (uint16_t)link_addr;
    /* only the tasks asked for: no start-up sequence, no automatic reactions */
    ac.startup_disable_unsol = ac.startup_integrity = ac.startup_enable_unsol = 0;
    ac.clear_restart = ac.restart_reruns_startup = ac.integrity_on_overflow = false;
    ac.event_poll_on_iin = 0;
    ac.time_sync = DNP3_TIMESYNC_NONE;
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_TCP_CLIENT);
    ioc.host = host;
    ioc.port = (uint16_t)port;
    ioc.reconnect = false;
    dnp3_io_hooks hooks = {.ctx = &a, .on_open = on_open, .on_close = on_close};

    int err = dnp3_io_master_create(a.loop, &cc, &mc, &hooks, &a.bind);
    if (!err) {
        a.assoc = dnp3_master_add_assoc(dnp3_io_master_get(a.bind), &ac, dnp3_io_now(a.loop));
        err = a.assoc ? dnp3_io_master_open(a.bind, &ioc) : DNP3_ERR_CONFIG;
    }
    if (err) {
        fprintf(stderr, "master: cannot reach %s:%d: %s\n", host, port, dnp3_strerror(err));
        finish(&a, 1);
    }
    uv_run(a.loop, UV_RUN_DEFAULT);
    uv_loop_close(a.loop);
    return a.exit_code;
}
