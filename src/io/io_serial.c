/*
 * io_serial.c - the serial-port endpoint of the runtime (dnp3/io.h,
 * DNP3_IO_SERIAL): the IEEE 1815-2012 clause 9 link layer on an asynchronous
 * serial line (RS-232 point to point, or RS-485 multi-drop with one master and
 * several outstations on one pair of wires). docs/serial.md explains the
 * options and timing rules.
 *
 *   open      open(O_RDWR|O_NOCTTY|O_NONBLOCK), termios raw (cfmakeraw), the
 *             speed, CSIZE, PARENB/PARODD, CSTOPB, CRTSCTS, CLOCAL|CREAD; a
 *             uv_poll_t watches the descriptor. A failed open, an error or a
 *             hang-up is logged with the device path and strerror and retried
 *             after a back-off (reconnect_min_ms doubling to reconnect_max_ms).
 *   receive   every octet goes to the channel (DNP3_CHANNEL_SERIAL mode: noise
 *             is skipped up to the next 05 64) and stamps the line as busy.
 *   transmit  the channel's output is queued; a transmission starts only when
 *             the line has been quiet (no octet received) for turnaround_ms
 *             (the other station's RS-485 driver is off) and, with collision
 *             avoidance on, for tx_idle_ms + random 0..tx_backoff_ms counted
 *             from when the output became ready (listen before talk: two
 *             outstations with unsolicited data wait different times, and the
 *             later one hears the first one's octets and waits again; octets
 *             not yet read count as heard). Once started, the queued
 *             octets go out without further waiting; a non-blocking write that
 *             cannot take everything waits for the descriptor to be writable.
 */
#define _DEFAULT_SOURCE 1 /* cfmakeraw, CRTSCTS, the speeds above 38400 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "io_internal.h"

/* ---- configuration ---- */

static const struct {
    uint32_t baud;
    speed_t speed;
} SPEEDS[] = {
    {50, B50},           {75, B75},     {110, B110},   {134, B134},     {150, B150},
    {200, B200},         {300, B300},   {600, B600},   {1200, B1200},   {1800, B1800},
    {2400, B2400},       {4800, B4800}, {9600, B9600}, {19200, B19200}, {38400, B38400},
#ifdef B57600
    {57600, B57600},
#endif
#ifdef B115200
    {115200, B115200},
#endif
#ifdef B230400
    {230400, B230400},
#endif
#ifdef B460800
    {460800, B460800},
#endif
#ifdef B500000
    {500000, B500000},
#endif
#ifdef B576000
    {576000, B576000},
#endif
#ifdef B921600
    {921600, B921600},
#endif
#ifdef B1000000
    {1000000, B1000000},
#endif
#ifdef B1152000
    {1152000, B1152000},
#endif
#ifdef B1500000
    {1500000, B1500000},
#endif
#ifdef B2000000
    {2000000, B2000000},
#endif
#ifdef B2500000
    {2500000, B2500000},
#endif
#ifdef B3000000
    {3000000, B3000000},
#endif
#ifdef B3500000
    {3500000, B3500000},
#endif
#ifdef B4000000
    {4000000, B4000000},
#endif
};

static bool speed_of(uint32_t baud, speed_t *out)
{
    for (size_t i = 0; i < sizeof SPEEDS / sizeof SPEEDS[0]; i++)
        if (SPEEDS[i].baud == baud) {
            *out = SPEEDS[i].speed;
            return true;
        }
    return false;
}

int dnp3_iox_serial_check(dnp3_io *io)
{
    const dnp3_io_config *c = &io->cfg;
    char why[160] = "";
    speed_t sp;
    if (!c->serial_device || !c->serial_device[0])
        snprintf(why, sizeof why, "no serial device given");
    else if (strlen(c->serial_device) >= sizeof io->serial_device)
        snprintf(why, sizeof why, "the device path is too long");
    else if (!speed_of(c->serial_baud, &sp))
        snprintf(why, sizeof why, "%u baud is not a standard serial speed (e.g. 9600, 19200, 38400, 115200)",
                 c->serial_baud);
    else if (c->serial_data_bits != 7 && c->serial_data_bits != 8)
        snprintf(why, sizeof why, "%u data bits (7 or 8)", c->serial_data_bits);
    else if (c->serial_stop_bits != 1 && c->serial_stop_bits != 2)
        snprintf(why, sizeof why, "%u stop bits (1 or 2)", c->serial_stop_bits);
    else if ((unsigned)c->serial_parity > DNP3_SERIAL_PARITY_ODD)
        snprintf(why, sizeof why, "unknown parity %u", (unsigned)c->serial_parity);
    if (!why[0]) return 0;
    dnp3_iox_log(io, "bad serial configuration for",
                 c->serial_device && c->serial_device[0] ? c->serial_device : "(no device)", why);
    return DNP3_ERR_CONFIG;
}

static int set_termios(dnp3_io *io, int fd)
{
    const dnp3_io_config *c = &io->cfg;
    struct termios t;
    speed_t sp = B9600;
    speed_of(c->serial_baud, &sp);
    if (tcgetattr(fd, &t) != 0) return -1;
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    t.c_cflag |= (c->serial_data_bits == 7 ? CS7 : CS8) | CLOCAL | CREAD;
    if (c->serial_parity != DNP3_SERIAL_PARITY_NONE) t.c_cflag |= PARENB;
    if (c->serial_parity == DNP3_SERIAL_PARITY_ODD) t.c_cflag |= PARODD;
    if (c->serial_stop_bits == 2) t.c_cflag |= CSTOPB;
    if (c->serial_rtscts) t.c_cflag |= CRTSCTS;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, sp) != 0 || cfsetospeed(&t, sp) != 0) return -1;
    if (tcsetattr(fd, TCSANOW, &t) != 0) return -1;
    tcflush(fd, TCIOFLUSH); /* what the line held before we owned it */
    return 0;
}

/* ---- random back-off ---- */

static uint32_t next_random(dnp3_io *io)
{
    uint64_t x = io->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    io->rng = x;
    return (uint32_t)(x >> 32);
}

/* ---- open, lose, reopen ---- */

static void on_poll(uv_poll_t *p, int status, int events);
static void try_open(uv_timer_t *t);

static void on_poll_closed(uv_handle_t *h)
{
    dnp3_io *io = h->data;
    io->open_handles--;
    dnp3_iox_maybe_free(io);
}

/* Closes the descriptor and its poll handle (libuv wants the handle closed first). */
static void close_port(dnp3_io *io)
{
    if (io->sfd < 0) return;
    uv_poll_stop(&io->spoll);
    uv_close((uv_handle_t *)&io->spoll, on_poll_closed);
    close(io->sfd);
    io->sfd = -1;
}

static void schedule_reopen(dnp3_io *io)
{
    if (io->stopping || !io->cfg.reconnect) return;
    uint32_t delay = io->backoff_ms ? io->backoff_ms : io->cfg.reconnect_min_ms;
    if (delay < 10) delay = 10; /* never a busy loop, and the old handle is closed by then */
    io->backoff_ms = delay * 2 > io->cfg.reconnect_max_ms ? io->cfg.reconnect_max_ms : delay * 2;
    uv_timer_start(&io->retry_timer, try_open, delay, 0);
}

/* The port is gone (error, hang-up): tell the upper layer, try again later. */
static void lose_port(dnp3_io *io, const char *why)
{
    bool was_open = io->connected;
    io->connected = false;
    io->txq_len = io->txq_off = 0;
    io->tx_active = false;
    uv_timer_stop(&io->gate_timer);
    close_port(io);
    char detail[200];
    snprintf(detail, sizeof detail, "%s%s", why, io->cfg.reconnect ? "; reopening" : "");
    dnp3_iox_log(io, was_open ? "serial port lost" : "cannot open serial port", io->serial_device, detail);
    if (io->up.on_close) {
        char reason[400];
        snprintf(reason, sizeof reason, "%s %s: %s", was_open ? "serial port lost:" : "cannot open serial port",
                 io->serial_device, why);
        io->up.on_close(io->up.ctx, reason, dnp3_io_now(io->loop));
    }
    if (io->stopping) return;
    schedule_reopen(io);
    dnp3_iox_service(io);
}

static void try_open(uv_timer_t *t)
{
    dnp3_io *io = t->data;
    if (io->stopping || io->sfd >= 0) return;
    int fd = open(io->serial_device, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || set_termios(io, fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        lose_port(io, strerror(e));
        return;
    }
    if (uv_poll_init(io->loop, &io->spoll, fd) != 0) {
        close(fd);
        lose_port(io, "cannot watch the descriptor");
        return;
    }
    io->spoll.data = io;
    io->open_handles++;
    io->sfd = fd;
    io->backoff_ms = 0;
    uv_poll_start(&io->spoll, UV_READABLE | UV_DISCONNECT, on_poll);
    io->connected = true;
    dnp3_tstamp now = dnp3_io_now(io->loop);
    io->last_rx = now;
    io->gate_wait_ms = -1;
    dnp3_channel_reset(io->ch, now);
    dnp3_iox_log(io, "opened serial port", io->serial_device, "");
    if (io->up.on_open) io->up.on_open(io->up.ctx, io->serial_device, now);
    dnp3_iox_service(io);
}

/* ---- transmit ---- */

static void flush_queue(dnp3_io *io);

static void on_gate(uv_timer_t *t)
{
    flush_queue(t->data);
}

/* Writes what the descriptor takes; waits for writability for the rest. */
static void write_some(dnp3_io *io)
{
    while (io->txq_off < io->txq_len) {
        ssize_t n = write(io->sfd, io->txq + io->txq_off, io->txq_len - io->txq_off);
        if (n > 0) {
            io->txq_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            uv_poll_start(&io->spoll, UV_READABLE | UV_WRITABLE | UV_DISCONNECT, on_poll);
            return;
        }
        lose_port(io, n < 0 ? strerror(errno) : "write returned 0");
        return;
    }
    io->txq_len = io->txq_off = 0;
    io->tx_active = false;
    io->gate_wait_ms = -1;
    uv_poll_start(&io->spoll, UV_READABLE | UV_DISCONNECT, on_poll);
}

/* True if octets are waiting to be read: the line is busy now, even if the read callback has not
 * run yet (libuv runs timers before it polls for input). */
static bool carrier(dnp3_io *io)
{
    struct pollfd p = {io->sfd, POLLIN, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Starts the queued transmission when the line has been quiet long enough:
 *   - the turnaround after the last octet received;
 *   - with collision avoidance (tx_idle or tx_backoff set), tx_idle + a random 0..tx_backoff of
 *     silence counted from the later of the last octet received and the moment the output became
 *     ready: a station listens that long before it talks, so two stations that become ready at
 *     the same moment on an idle line start at different times, and the later one hears the
 *     earlier one and waits for it. */
static void flush_queue(dnp3_io *io)
{
    if (io->sfd < 0 || io->txq_off >= io->txq_len) return;
    if (!io->tx_active) {
        const dnp3_io_config *c = &io->cfg;
        if (io->gate_wait_ms < 0) {
            uint32_t b = c->serial_tx_backoff_ms;
            io->gate_wait_ms =
                (int64_t)c->serial_tx_idle_ms + (b ? (int64_t)(next_random(io) % ((uint64_t)b + 1)) : 0);
        }
        dnp3_tstamp now = dnp3_io_now(io->loop);
        dnp3_tstamp ready = io->last_rx + c->serial_turnaround_ms;
        if (c->serial_tx_idle_ms || c->serial_tx_backoff_ms) {
            dnp3_tstamp from = io->last_rx > io->tx_pending_since ? io->last_rx : io->tx_pending_since;
            if (from + (dnp3_tstamp)io->gate_wait_ms > ready) ready = from + (dnp3_tstamp)io->gate_wait_ms;
            if (now >= ready && carrier(io)) { /* an octet has just arrived: wait after it */
                io->last_rx = now;
                ready = now + (dnp3_tstamp)io->gate_wait_ms;
            }
        }
        if (now < ready) {
            uv_timer_start(&io->gate_timer, on_gate, ready - now, 0);
            return;
        }
        io->tx_active = true;
    }
    write_some(io);
}

/* Empties the channel's output (the service loop must not see it pending forever). */
static void drop_output(dnp3_io *io, const char *why)
{
    while (dnp3_iox_drop_chunk(io)) { /* whole fragments too, not only link frames */
    }
    dnp3_iox_log(io, "serial port", io->serial_device, why);
}

/* Milliseconds the line needs for n octets (start bit, data bits, parity, stop bits each), rounded up. */
static dnp3_tstamp line_ms(const dnp3_io_config *c, size_t n)
{
    uint64_t bits = 1u + c->serial_data_bits + (c->serial_parity != DNP3_SERIAL_PARITY_NONE) + c->serial_stop_bits;
    return (dnp3_tstamp)((n * bits * 1000u + c->serial_baud - 1) / c->serial_baud);
}

void dnp3_iox_serial_send(dnp3_io *io, size_t len)
{
    if (io->txq_off > 0 && io->txq_off == io->txq_len) io->txq_len = io->txq_off = 0;
    if (io->txq_len + len > MAX_WRITE_QUEUE) { /* a port that takes nothing (flow control held) */
        drop_output(io, "transmit queue over 1 MiB: output dropped");
        return;
    }
    if (io->txq_len + len > io->txq_cap) {
        size_t cap = io->txq_cap ? io->txq_cap : 1024;
        while (cap < io->txq_len + len) cap *= 2;
        uint8_t *q = realloc(io->txq, cap);
        if (!q) {
            drop_output(io, "out of memory: output dropped");
            return;
        }
        io->txq = q;
        io->txq_cap = cap;
    }
    /* a link-layer confirm can only come after the frame is on the line: its ACK timer starts once
     * what is queued before it, the frame itself and the transmit gate's longest wait have gone by */
    const dnp3_io_config *c = &io->cfg;
    dnp3_tstamp on_line = dnp3_io_now(io->loop) + line_ms(c, io->txq_len - io->txq_off + len) +
                          c->serial_turnaround_ms + c->serial_tx_idle_ms + c->serial_tx_backoff_ms;
    int n = dnp3_channel_write_at(io->ch, io->txq + io->txq_len, len, on_line);
    if (n <= 0) return;
    if (io->txq_len == 0 && !io->tx_active) io->tx_pending_since = dnp3_io_now(io->loop); /* starts listening */
    if (io->up.on_tx) io->up.on_tx(io->up.ctx, io->txq + io->txq_len, (size_t)n);
    io->txq_len += (size_t)n;
    flush_queue(io);
}

/* ---- receive ---- */

static void on_poll(uv_poll_t *p, int status, int events)
{
    dnp3_io *io = p->data;
    if (io->sfd < 0) return;
    if (status < 0) {
        lose_port(io, uv_strerror(status));
        return;
    }
    if (events & UV_READABLE) {
        static _Thread_local uint8_t buf[4096];
        for (;;) {
            ssize_t n = read(io->sfd, buf, sizeof buf);
            if (n > 0) {
                io->last_rx = dnp3_io_now(io->loop);
                bool closed = false;
                dnp3_iox_deliver(io, buf, (size_t)n, &closed);
                if (io->sfd < 0) return;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            lose_port(io, n == 0 ? "hang-up (end of file)" : strerror(errno));
            return;
        }
        dnp3_iox_service(io);
        if (io->sfd < 0) return;
    }
    if ((events & UV_DISCONNECT) && !(events & UV_READABLE)) {
        lose_port(io, "hang-up");
        return;
    }
    if (events & UV_WRITABLE) flush_queue(io);
}

/* ---- life ---- */

void dnp3_iox_serial_start(dnp3_io *io)
{
    snprintf(io->serial_device, sizeof io->serial_device, "%s", io->cfg.serial_device);
    io->cfg.serial_device = io->serial_device;
    io->sfd = -1;
    io->gate_wait_ms = -1;
    io->rng = uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)io;
    if (!io->rng) io->rng = 0x9E3779B97F4A7C15u;
    dnp3_iox_init_timer(io, &io->gate_timer);
    uv_timer_start(&io->retry_timer, try_open, 0, 0); /* on the loop, like a TCP client's connect */
}

void dnp3_iox_serial_stop(dnp3_io *io)
{
    if (io->sfd >= 0 && io->txq_off < io->txq_len) { /* the last octets (a final CONFIRM): up to 1 s */
        uint64_t end = uv_hrtime() + 1000000000u;
        while (io->txq_off < io->txq_len && uv_hrtime() < end) {
            ssize_t n = write(io->sfd, io->txq + io->txq_off, io->txq_len - io->txq_off);
            if (n > 0) {
                io->txq_off += (size_t)n;
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                struct pollfd pfd = {io->sfd, POLLOUT, 0};
                poll(&pfd, 1, 50);
            } else {
                break;
            }
        }
    }
    close_port(io);
    free(io->txq);
    io->txq = NULL;
    io->txq_len = io->txq_off = io->txq_cap = 0;
    uv_close((uv_handle_t *)&io->gate_timer, on_poll_closed);
}
