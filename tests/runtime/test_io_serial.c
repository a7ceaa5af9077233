/*
 * test_io_serial.c - the serial endpoint of the runtime (DNP3_IO_SERIAL,
 * src/io/io_serial.c, docs/serial.md) on a pseudo-terminal: configuration
 * checks (speed, data bits, stop bits, parity, device) refused with
 * DNP3_ERR_CONFIG and a log line; the defaults, also for an older caller's
 * smaller struct; the termios settings applied to the port; a missing device
 * named with the system's text; the transmit gate (no octet goes out before
 * the line has been quiet for tx_idle_ms); a hang-up reported through
 * on_close and the port reopened.
 */
#define _GNU_SOURCE 1 /* openpty */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "dnp3/io.h"
#include "io_internal.h"
#include "io_channel.h"
#include "testutil.h"

typedef struct {
    uv_loop_t loop;
    char log[4096];
    char closed[512];
    int opens, closes;
    dnp3_channel *ch;
    void *ch_mem;
    bool send_on_open;
    uv_timer_t timer;
} fixture;

static void on_log(void *ctx, const char *msg)
{
    fixture *f = ctx;
    size_t n = strlen(f->log);
    snprintf(f->log + n, sizeof f->log - n, "%s\n", msg);
}
static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)peer;
    (void)now;
    fixture *f = ctx;
    f->opens++;
    if (f->send_on_open) {
        static const uint8_t apdu[] = {0xC0, 0x01, 0x3C, 0x01, 0x06}; /* READ class 0 */
        assert_int_equal(dnp3_channel_send(f->ch, 10, apdu, sizeof apdu), DNP3_OK);
        f->send_on_open = false;
    }
}
static void on_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    (void)now;
    fixture *f = ctx;
    f->closes++;
    snprintf(f->closed, sizeof f->closed, "%s", reason);
}

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.mode = DNP3_CHANNEL_SERIAL;
    cc.local_addr = 1;
    cc.remote_addr = 10;
    f->ch = io_test_channel(&cc, &f->ch_mem, 0);
    uv_timer_init(&f->loop, &f->timer);
}

static void fixture_free(fixture *f)
{
    uv_close((uv_handle_t *)&f->timer, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f->ch_mem);
}

static dnp3_io_upper upper(fixture *f)
{
    dnp3_io_upper up = {0};
    up.ctx = f;
    up.on_open = on_open;
    up.on_close = on_close;
    up.log = on_log;
    return up;
}

static void on_stop_timer(uv_timer_t *t)
{
    uv_stop(t->loop);
}
/* Runs the loop for ms milliseconds. */
static void run_for(fixture *f, uint64_t ms)
{
    uv_timer_start(&f->timer, on_stop_timer, ms, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
}

/* ---- configuration ---- */

static void test_defaults(void **state)
{
    (void)state;
    dnp3_io_config c;
    dnp3_io_config_init(&c, DNP3_IO_SERIAL);
    assert_int_equal(c.serial_baud, 9600);
    assert_int_equal(c.serial_data_bits, 8);
    assert_int_equal(c.serial_stop_bits, 1);
    assert_int_equal(c.serial_parity, DNP3_SERIAL_PARITY_NONE);
    assert_false(c.serial_rtscts);
    assert_int_equal(c.serial_turnaround_ms + c.serial_tx_idle_ms + c.serial_tx_backoff_ms, 0);
    assert_null(c.serial_device);
    /* an older caller's struct (up to port) gets the serial defaults too */
    dnp3_io_config old, loaded;
    dnp3_io_config_init(&old, DNP3_IO_TCP_CLIENT);
    old.size = (uint32_t)DNP3_IOX_CONFIG_MIN_SIZE;
    assert_int_equal(dnp3_iox_config_load(&old, &loaded), DNP3_OK);
    assert_int_equal(loaded.serial_baud, 9600);
    assert_int_equal(loaded.serial_data_bits, 8);
}

static void expect_config_error(dnp3_io_config *c, const char *text)
{
    fixture f;
    fixture_init(&f);
    dnp3_io_upper up = upper(&f);
    dnp3_io *io = NULL;
    int rc = dnp3_io_start(&f.loop, c, f.ch, &up, &io);
    assert_int_equal(rc, DNP3_ERR_CONFIG);
    assert_null(io);
    if (!strstr(f.log, text)) fail_msg("log '%s' lacks '%s'", f.log, text);
    fixture_free(&f);
}

static void test_bad_config(void **state)
{
    (void)state;
    dnp3_io_config c;
    dnp3_io_config_init(&c, DNP3_IO_SERIAL);
    expect_config_error(&c, "no serial device given");
    c.serial_device = "/dev/null";
    c.serial_baud = 12345;
    expect_config_error(&c, "12345 baud is not a standard serial speed");
    c.serial_baud = 19200;
    c.serial_data_bits = 9;
    expect_config_error(&c, "9 data bits (7 or 8)");
    c.serial_data_bits = 8;
    c.serial_stop_bits = 3;
    expect_config_error(&c, "3 stop bits (1 or 2)");
    c.serial_stop_bits = 1;
    c.serial_parity = (dnp3_serial_parity)7;
    expect_config_error(&c, "unknown parity 7");
    /* TLS is TCP only */
    c.serial_parity = DNP3_SERIAL_PARITY_NONE;
    c.tls = (dnp3_tls *)(void *)&c;
    fixture f;
    fixture_init(&f);
    dnp3_io *io = NULL;
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, NULL, &io), DNP3_ERR_INVALID_ARG);
    fixture_free(&f);
}

/* ---- a missing device ---- */

static void test_missing_device(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    dnp3_io_upper up = upper(&f);
    dnp3_io_config c;
    dnp3_io_config_init(&c, DNP3_IO_SERIAL);
    c.serial_device = "/nonexistent/ttyS9";
    c.reconnect = false;
    dnp3_io *io = NULL;
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, &up, &io), DNP3_OK);
    run_for(&f, 50);
    assert_int_equal(f.opens, 0);
    assert_int_equal(f.closes, 1);
    assert_string_equal(f.closed, "cannot open serial port /nonexistent/ttyS9: No such file or directory");
    assert_non_null(strstr(f.log, "cannot open serial port /nonexistent/ttyS9: No such file or directory"));
    assert_false(dnp3_io_connected(io));
    dnp3_io_stop(io);
    fixture_free(&f);
}

/* ---- on a pty ---- */

static void test_termios_gate_hangup(void **state)
{
    (void)state;
    int ptm, pts;
    char path[64];
    assert_int_equal(openpty(&ptm, &pts, path, NULL, NULL), 0);
    fixture f;
    fixture_init(&f);
    f.send_on_open = true;
    dnp3_io_upper up = upper(&f);
    dnp3_io_config c;
    dnp3_io_config_init(&c, DNP3_IO_SERIAL);
    c.serial_device = path;
    c.serial_baud = 19200;
    c.serial_parity = DNP3_SERIAL_PARITY_EVEN;
    c.serial_stop_bits = 2;
    c.serial_data_bits = 7;
    c.serial_tx_idle_ms = 150;
    c.reconnect_min_ms = 50;
    c.reconnect_max_ms = 50;
    dnp3_io *io = NULL;
    uint64_t t_open = uv_hrtime();
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, &up, &io), DNP3_OK);
    /* keep the line busy for a while: an octet every 20 ms for 200 ms */
    uint64_t last_noise = 0;
    for (int i = 0; i < 10; i++) {
        run_for(&f, 20);
        uint8_t junk = 0xAA;
        assert_int_equal(write(ptm, &junk, 1), 1);
        last_noise = uv_hrtime();
    }
    assert_int_equal(f.opens, 1);
    assert_true(dnp3_io_connected(io));
    /* the port's settings (a pty keeps the speed and CSTOPB; Linux forces CS8 and no parity on it) */
    struct termios t;
    assert_int_equal(tcgetattr(pts, &t), 0);
    assert_int_equal(cfgetospeed(&t), B19200);
    assert_true(t.c_cflag & CSTOPB);
    assert_true(t.c_cflag & CLOCAL);
    assert_false(t.c_lflag & (ICANON | ECHO));
    /* nothing went out while the line was busy, the request goes 150 ms after the last octet */
    struct pollfd p = {ptm, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 0), 0);
    uint64_t t_first = 0;
    for (int i = 0; i < 40 && !t_first; i++) {
        run_for(&f, 10);
        if (poll(&p, 1, 0) == 1) t_first = uv_hrtime();
    }
    assert_true(t_first != 0);
    uint64_t quiet_ms = (t_first - last_noise) / 1000000u;
    if (quiet_ms < 145) fail_msg("sent %llu ms after the last octet received", (unsigned long long)quiet_ms);
    assert_true(t_first > t_open);
    uint8_t buf[64];
    ssize_t n = read(ptm, buf, sizeof buf);
    assert_true(n >= 10);
    assert_int_equal(buf[0], 0x05);
    assert_int_equal(buf[1], 0x64);
    /* a hang-up: the other side goes away, the port is lost and reopened */
    close(ptm);
    run_for(&f, 30);
    assert_int_equal(f.closes, 1);
    assert_non_null(strstr(f.closed, "serial port lost:"));
    assert_non_null(strstr(f.log, "serial port lost"));
    dnp3_io_stop(io);
    close(pts);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_missing_device),
        cmocka_unit_test(test_termios_gate_hangup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
