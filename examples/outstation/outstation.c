/*
 * examples/outstation - a DNP3 outstation on the libuv runtime.
 *
 *   outstation [--listen HOST:PORT] [--link-addr N] [--master-addr N]
 *
 * Points: binary inputs 0..3, binary output status 0..1, counters 0..1, analog
 * inputs 0..1 (all class 1 events). A 1 s timer moves analog input 0 and
 * counter 0 (events); CROB 0 (latch/pulse on or off, close or trip) sets binary
 * input 0 and binary output status 0. SIGINT or SIGTERM stops it.
 */
#define _POSIX_C_SOURCE 200809L /* <uv.h> needs POSIX types under -std=c11 */
#include <dnp3/io_roles.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uv_loop_t *loop;
    dnp3_outstation *os;
    dnp3_io_outstation *bind;
    uv_timer_t tick;
    uv_signal_t sigint, sigterm;
    unsigned step;
} app;

static dnp3_time48 utc_now(void *ctx)
{
    (void)ctx;
    return dnp3_io_utc_ms();
}

static void set(app *a, dnp3_os_type t, uint16_t i, double v)
{
    dnp3_outstation_update(a->os, t, i, v, DNP3_FLAG_ONLINE, dnp3_io_utc_ms(), DNP3_EVENT_DETECT);
}

static dnp3_command_status on_crob(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *c)
{
    app *a = ctx;
    unsigned tcc = c->code & DNP3_CROB_TCC_MASK, op = c->code & DNP3_CROB_OP_MASK;
    int on = tcc == DNP3_CROB_TCC_CLOSE ||
             (tcc == DNP3_CROB_TCC_NUL && (op == DNP3_OP_LATCH_ON || op == DNP3_OP_PULSE_ON));
    int off = tcc == DNP3_CROB_TCC_TRIP ||
              (tcc == DNP3_CROB_TCC_NUL && (op == DNP3_OP_LATCH_OFF || op == DNP3_OP_PULSE_OFF));
    if (index != 0 || !(on || off)) return DNP3_CS_NOT_SUPPORTED;
    if (mode == DNP3_CTRL_SELECT) return DNP3_CS_SUCCESS; /* validate only */
    set(a, DNP3_OS_BINARY_INPUT, 0, on);
    set(a, DNP3_OS_BINARY_OUTPUT_STATUS, 0, on);
    printf("outstation: CROB 0 %s -> binary input 0 = %d\n", on ? "on" : "off", on);
    fflush(stdout);
    return DNP3_CS_SUCCESS; /* the binding sends the resulting events after this call */
}

static void on_tick(uv_timer_t *t)
{
    app *a = t->data;
    a->step++;
    set(a, DNP3_OS_ANALOG_INPUT, 0, 100.0 + a->step % 10); /* e.g. a voltage wandering 100..109 */
    set(a, DNP3_OS_COUNTER, 0, a->step);
    dnp3_io_outstation_kick(a->bind); /* database changed outside I/O: send unsolicited data now */
}

static void on_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_signal(uv_signal_t *s, int signum)
{
    app *a = s->data;
    printf("outstation: signal %d, stopping\n", signum);
    dnp3_io_outstation_stop(a->bind);
    uv_close((uv_handle_t *)&a->tick, on_closed);
    uv_close((uv_handle_t *)&a->sigint, on_closed);
    uv_close((uv_handle_t *)&a->sigterm, on_closed);
}

int main(int argc, char **argv)
{
    char host[64] = "127.0.0.1";
    int port = 20000, link_addr = 10, master_addr = 1;
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(argv[i], "--listen") && sscanf(v, "%63[^:]:%d", host, &port) >= 1) continue;
        if (!strcmp(argv[i], "--link-addr") && *v) {
            link_addr = atoi(v);
            continue;
        }
        if (!strcmp(argv[i], "--master-addr") && *v) {
            master_addr = atoi(v);
            continue;
        }
        fprintf(stderr, "usage: %s [--listen HOST:PORT] [--link-addr N] [--master-addr N]\n", argv[0]);
        return 2;
    }
    app a = {.loop = uv_default_loop()};

    dnp3_outstation_config oc;
    dnp3_outstation_config_init(&oc);
    oc.link_addr = (uint16_t)link_addr;
    oc.master_addr = (uint16_t)master_addr;
    oc.link_layer = false; /* the runtime binding brings the channel */
    const dnp3_os_type types[] = {DNP3_OS_BINARY_INPUT, DNP3_OS_BINARY_OUTPUT_STATUS, DNP3_OS_COUNTER,
                                  DNP3_OS_ANALOG_INPUT};
    const uint16_t counts[] = {4, 2, 2, 2};
    for (int i = 0; i < 4; i++) {
        oc.types[types[i]].count = counts[i];
        oc.types[types[i]].event_class = 1;
        oc.types[types[i]].event_buffer = 100;
    }
    oc.unsolicited = true; /* the master enables it (ENABLE_UNSOLICITED) if it wants it */
    size_t size = dnp3_outstation_memory_size(&oc), al = _Alignof(max_align_t);
    void *mem = aligned_alloc(al, (size + al - 1) / al * al);
    dnp3_outstation_callbacks cb = {.size = sizeof cb, .ctx = &a, .crob = on_crob, .utc_now = utc_now};
    a.os = mem ? dnp3_outstation_init(mem, size, &oc, &cb, dnp3_io_now(a.loop)) : NULL;
    if (!a.os) {
        fprintf(stderr, "outstation: bad configuration or out of memory\n");
        return 1;
    }
    for (int i = 0; i < 4; i++)
        for (uint16_t j = 0; j < counts[i]; j++)
            dnp3_outstation_update(a.os, types[i], j, 0, DNP3_FLAG_ONLINE, dnp3_io_utc_ms(), DNP3_EVENT_SUPPRESS);

    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_TCP_SERVER);
    ioc.host = host;
    ioc.port = (uint16_t)port;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = oc.link_addr;
    cc.remote_addr = oc.master_addr;
    int err = dnp3_io_outstation_start(a.loop, &ioc, &cc, a.os, NULL, &a.bind);
    if (err) {
        fprintf(stderr, "outstation: cannot listen on %s:%d: %s\n", host, port, dnp3_strerror(err));
        return 1;
    }
    printf("outstation: listening on tcp %s:%u, link address %d, master address %d\n", host,
           dnp3_io_local_port(dnp3_io_outstation_io(a.bind)), link_addr, master_addr);
    fflush(stdout);

    uv_timer_init(a.loop, &a.tick);
    a.tick.data = &a;
    uv_timer_start(&a.tick, on_tick, 1000, 1000);
    uv_signal_init(a.loop, &a.sigint);
    uv_signal_init(a.loop, &a.sigterm);
    a.sigint.data = a.sigterm.data = &a;
    uv_signal_start(&a.sigint, on_signal, SIGINT);
    uv_signal_start(&a.sigterm, on_signal, SIGTERM);
    uv_run(a.loop, UV_RUN_DEFAULT);
    uv_loop_close(a.loop);
    free(mem);
    return 0;
}
