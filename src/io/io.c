/*
 * io.c - libuv runtime for DNP3 over IP (IEEE 1815-2012 Annex on IP networking,
 * port 20000): a TCP server (one connection at a time, replace-old or reject-new
 * policy, optional allow-list), a TCP client with reconnect back-off, or a UDP
 * endpoint, each driving one sans-I/O dnp3_channel and the layer above it.
 * Optionally TLS (IEC 62351-3, port 19999) on the TCP kinds. Or a serial port
 * (IEEE 1815-2012 clause 9 link layer on an asynchronous line, io_serial.c).
 *
 * This file holds the endpoint's life (configuration, start, kick, stop) and
 * the service loop: after every read, timer or kick, service() lets the upper
 * layer queue fragments, drains the channel with one socket write per fragment
 * (TCP_NODELAY set), and re-arms a single timer at the earliest deadline. The
 * transports are in io_tcp.c, io_tcp_server.c, io_tcp_client.c, io_udp.c,
 * io_serial.c and io_tls.c, addresses in io_addr.c, the mapping of libuv's error codes to the
 * library's in io_errors.c (io_internal.h lists them).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "io_internal.h"

/* Received octets are consumed inside the read callback (dnp3_channel_read copies what it
 * keeps), so one buffer per loop thread serves every connection: 10,000 connections must not
 * cost 64 KiB each. */
static _Thread_local uint8_t rxbuf[65536];

dnp3_tstamp dnp3_io_now(uv_loop_t *loop)
{
    uv_update_time(loop);
    return (dnp3_tstamp)uv_now(loop);
}

uint64_t dnp3_io_utc_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void io_config_defaults(dnp3_io_config *c, dnp3_io_kind kind)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->kind = kind;
    c->host = kind == DNP3_IO_TCP_CLIENT ? "127.0.0.1" : "0.0.0.0";
    c->port = 20000;
    c->accept_policy = DNP3_IO_REPLACE_OLD;
    c->reconnect_min_ms = 1000;
    c->reconnect_max_ms = 30000;
    c->connect_timeout_ms = 5000;
    c->reconnect = true;
    c->serial_baud = 9600;
    c->serial_data_bits = 8;
    c->serial_parity = DNP3_SERIAL_PARITY_NONE;
    c->serial_stop_bits = 1;
}

void dnp3_io_config_init_size(dnp3_io_config *c, dnp3_io_kind kind, size_t size)
{
    dnp3_io_config full;
    io_config_defaults(&full, kind);
    dnp3_config_fill(c, size, &full, sizeof full);
}

int dnp3_iox_config_load(const dnp3_io_config *in, dnp3_io_config *out)
{
    if (!in || in->size < DNP3_IOX_CONFIG_MIN_SIZE) return DNP3_ERR_INVALID_ARG; /* kind is read first */
    dnp3_io_config_init(out, in->kind);
    return dnp3_config_overlay(out, sizeof *out, in, DNP3_IOX_CONFIG_MIN_SIZE) ? DNP3_OK : DNP3_ERR_INVALID_ARG;
}

void dnp3_iox_log(dnp3_io *io, const char *what, const char *peer, const char *detail)
{
    if (!io->up.log) return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s %s%s%s", what, peer, detail[0] ? ": " : "", detail);
    io->up.log(io->up.ctx, msg);
}

/* ---- handle bookkeeping ---- */

void dnp3_iox_maybe_free(dnp3_io *io)
{
    if (io->stopping && io->open_handles == 0) free(io);
}

static void on_handle_closed(uv_handle_t *h)
{
    dnp3_io *io = h->data;
    io->open_handles--;
    dnp3_iox_maybe_free(io);
}

void dnp3_iox_init_timer(dnp3_io *io, uv_timer_t *t)
{
    uv_timer_init(io->loop, t);
    t->data = io;
    io->open_handles++;
}

void dnp3_iox_adopt_child(dnp3_io *io, dnp3_io *k, dnp3_channel *ch, const dnp3_io_upper *up)
{
    k->loop = io->loop;
    k->cfg = io->cfg;
    k->cfg.accept = NULL;
    k->child = true;
    k->parent = io;
    k->next_child = io->children;
    io->children = k;
    k->ch = ch;
    k->up = *up;
    dnp3_iox_init_timer(k, &k->timer);
    dnp3_iox_init_timer(k, &k->retry_timer);
}

void dnp3_iox_detach_child(dnp3_io *k)
{
    if (!k->parent) return;
    for (dnp3_io **pp = &k->parent->children; *pp; pp = &(*pp)->next_child)
        if (*pp == k) {
            *pp = k->next_child;
            break;
        }
    k->parent = NULL;
}

/* ---- output ---- */

/* Where a chunk goes when it cannot be sent: dropped, so the channel moves on. */
static _Thread_local uint8_t dropped_chunk[1u << 17];

bool dnp3_iox_drop_chunk(dnp3_io *io)
{
    size_t len = dnp3_channel_pending(io->ch);
    return len > 0 && len <= sizeof dropped_chunk &&
           dnp3_channel_write(io->ch, dropped_chunk, sizeof dropped_chunk) > 0;
}

/* Drains one chunk of the channel into a socket write. Returns NULL, or why the connection is
 * broken (TCP and TLS are then closed; UDP goes on without the chunk). */
static const char *send_chunk(dnp3_io *io, size_t len)
{
    if (io->conn && io->conn->tls)
        return dnp3_iox_tls_send_chunk(io, len) ? NULL : dnp3_tls_conn_error(io->conn->tls);
    if (io->cfg.kind == DNP3_IO_SERIAL) {
        dnp3_iox_serial_send(io, len); /* queued behind the transmit gate */
        return NULL;
    }
    wreq *w = malloc(sizeof *w + len);
    if (!w) {
        (void)dnp3_iox_drop_chunk(io);
        return "out of memory";
    }
    int n = dnp3_channel_write(io->ch, w->data, len);
    if (n <= 0) {
        free(w);
        return NULL;
    }
    if (io->up.on_tx) io->up.on_tx(io->up.ctx, w->data, (size_t)n);
    if (io->cfg.kind == DNP3_IO_UDP) {
        dnp3_iox_udp_send(io, w, (size_t)n);
        return NULL;
    }
    dnp3_iox_write_tcp(io->conn, w, (size_t)n);
    return NULL;
}

static void on_timer(uv_timer_t *t);

static void arm_timer(dnp3_io *io, dnp3_tstamp now)
{
    dnp3_tstamp next = DNP3_TSTAMP_NEVER;
    if (io->connected) next = dnp3_channel_get_expiry(io->ch);
    if (io->up.get_expiry) {
        dnp3_tstamp u = io->up.get_expiry(io->up.ctx);
        /* output due without a connection waits for one (service runs on connect) */
        if (u <= now && !io->connected) u = DNP3_TSTAMP_NEVER;
        if (u < next) next = u;
    }
    if (next == DNP3_TSTAMP_NEVER) {
        uv_timer_stop(&io->timer);
        return;
    }
    uv_timer_start(&io->timer, on_timer, next > now ? next - now : 0, 0);
}

void dnp3_iox_service(dnp3_io *io)
{
    if (io->stopping) return;
    if (io->in_service) {
        io->service_again = true;
        return;
    }
    io->in_service = true;
    do {
        io->service_again = false;
        dnp3_tstamp now = dnp3_io_now(io->loop);
        /* Pump and drain until the upper layer has nothing more: its output may
           not fit the channel's queue at once (a response, then an unsolicited
           response due after it), and nothing else would ask again. */
        bool stalled = false;
        while (io->connected && !stalled) {
            if (io->up.pump) io->up.pump(io->up.ctx, io->ch, now);
            size_t len;
            if (dnp3_channel_pending(io->ch) == 0) break;
            while (io->connected && (len = dnp3_channel_pending(io->ch)) > 0) {
                const char *broken = send_chunk(io, len);
                if (broken && io->conn) {
                    io->in_service = false;
                    dnp3_iox_lose_connection(io, broken);
                    return;
                }
                if (broken) { /* UDP without memory: the chunk is dropped (the protocol's retries cover it) */
                    stalled = true;
                    break;
                }
            }
            if (!io->up.pump) break;
        }
        if (io->connected) {
            if (io->conn && uv_stream_get_write_queue_size((uv_stream_t *)&io->conn->tcp) > MAX_WRITE_QUEUE) {
                io->in_service = false;
                dnp3_iox_lose_connection(io, "peer is not reading (write queue over 1 MiB)");
                return;
            }
        }
        arm_timer(io, now);
    } while (io->service_again && !io->stopping);
    io->in_service = false;
}

static void on_timer(uv_timer_t *t)
{
    dnp3_io *io = t->data;
    dnp3_tstamp now = dnp3_io_now(io->loop);
    if (io->connected && dnp3_channel_handle_expiry(io->ch, now) == DNP3_ERR_LINK_CLOSED) {
        if (io->cfg.kind == DNP3_IO_UDP && io->child) {
            dnp3_iox_udp_end_session(io, "link keep-alive not answered"); /* the master has gone */
            return;
        } else if (io->cfg.kind == DNP3_IO_UDP || io->cfg.kind == DNP3_IO_SERIAL)
            dnp3_channel_reset(io->ch, now); /* no connection to drop: start over */
        else {
            dnp3_iox_lose_connection(io, "link keep-alive not answered");
            return;
        }
    }
    if (io->up.handle_expiry) io->up.handle_expiry(io->up.ctx, now);
    dnp3_iox_service(io);
}

/* ---- input ---- */

void dnp3_iox_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    (void)h;
    *buf = uv_buf_init((char *)rxbuf, sizeof rxbuf);
}

void dnp3_iox_deliver(dnp3_io *io, const uint8_t *data, size_t len, bool *closed)
{
    if (io->up.on_rx) io->up.on_rx(io->up.ctx, data, len);
    int rc = dnp3_channel_read(io->ch, data, len, dnp3_io_now(io->loop));
    *closed = rc == DNP3_ERR_LINK_CLOSED && io->cfg.kind != DNP3_IO_UDP && io->cfg.kind != DNP3_IO_SERIAL;
}

/* ---- lifecycle ---- */

/* libuv writes to sockets with write(2): a write to a connection the peer has just closed or
 * reset raises SIGPIPE, whose default action ends the process without a word (a master whose
 * connection an outstation replaced mid-write simply vanished). The runtime reports that
 * write's EPIPE as a lost connection instead, so SIGPIPE is set to be ignored when, and only
 * when, the program left it at its default: a handler or disposition of the program's own is
 * kept (docs/api.md, "Threads, re-entrancy and callbacks"). */
static void ignore_sigpipe(void)
{
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) != 0 || (sa.sa_flags & SA_SIGINFO) || sa.sa_handler != SIG_DFL) return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGPIPE, &sa, NULL);
}

int dnp3_io_start(uv_loop_t *loop, const dnp3_io_config *config, dnp3_channel *ch, const dnp3_io_upper *upper,
                  dnp3_io **out)
{
    dnp3_io_config cfg; /* the caller's fields, defaults for those an older caller does not know */
    if (!loop || dnp3_iox_config_load(config, &cfg) != DNP3_OK || !out) return DNP3_ERR_INVALID_ARG;
    bool listener = cfg.kind == DNP3_IO_TCP_LISTEN || (cfg.kind == DNP3_IO_UDP && cfg.accept);
    if (!ch && !listener) return DNP3_ERR_INVALID_ARG;
    const dnp3_io_config *c = &cfg;
    ignore_sigpipe();
    dnp3_io *io = calloc(1, sizeof *io);
    if (!io) return DNP3_ERR_NOMEM;
    io->loop = loop;
    io->cfg = *c;
    snprintf(io->host, sizeof io->host, "%s", c->host ? c->host : "0.0.0.0");
    io->cfg.host = io->host;
    if (c->udp_peer_host) {
        snprintf(io->udp_peer_host, sizeof io->udp_peer_host, "%s", c->udp_peer_host);
        io->cfg.udp_peer_host = io->udp_peer_host;
    }
    io->ch = ch;
    if (upper) io->up = *upper;
    if (c->tls_peer_name) snprintf(io->tls_peer_name, sizeof io->tls_peer_name, "%s", c->tls_peer_name);
    io->cfg.tls_peer_name = NULL;
    if (c->tls && (c->kind == DNP3_IO_UDP || c->kind == DNP3_IO_SERIAL)) {
        free(io);
        return DNP3_ERR_INVALID_ARG; /* DNP3 over TLS is TCP only (IEC 62351-3) */
    }
    if (c->kind == DNP3_IO_SERIAL) { /* no address: a device path */
        int bad = dnp3_iox_serial_check(io);
        if (bad) {
            free(io);
            return bad;
        }
        dnp3_iox_init_timer(io, &io->timer);
        dnp3_iox_init_timer(io, &io->retry_timer);
        dnp3_iox_serial_start(io);
        *out = io;
        return 0;
    }
    if ((unsigned)c->kind > DNP3_IO_SERIAL) {
        free(io);
        return DNP3_ERR_INVALID_ARG;
    }
    const char *why = "";
    const char *bad_host = io->host;
    int rc = dnp3_iox_resolve(io->host, c->port, &io->addr, &why);
    if (rc == 0 && c->kind == DNP3_IO_UDP && c->udp_peer_host) {
        bad_host = io->udp_peer_host;
        rc = dnp3_iox_resolve(io->udp_peer_host, c->udp_peer_port ? c->udp_peer_port : c->port, &io->udp_dest,
                              &why);
        io->have_udp_dest = rc == 0;
    }
    if (rc != 0) {
        dnp3_iox_log(io, "cannot resolve", bad_host, why);
        free(io);
        return rc;
    }
    dnp3_iox_init_timer(io, &io->timer);
    dnp3_iox_init_timer(io, &io->retry_timer);
    if (c->tls) dnp3_iox_init_timer(io, &io->hs_timer);
    switch (c->kind) {
    case DNP3_IO_TCP_SERVER:
    case DNP3_IO_TCP_LISTEN: rc = dnp3_iox_server_listen(io); break;
    case DNP3_IO_TCP_CLIENT: dnp3_iox_start_connect(io); break;
    case DNP3_IO_UDP: rc = dnp3_iox_udp_open(io); break;
    case DNP3_IO_SERIAL: break; /* started above */
    }
    *out = io;
    if (rc != 0) {
        char target[160];
        snprintf(target, sizeof target, "%s:%u", io->host, c->port);
        dnp3_iox_log(io, c->kind == DNP3_IO_UDP ? "cannot bind UDP" : "cannot listen on TCP", target,
                     uv_strerror(rc));
        dnp3_io_stop(io);
        *out = NULL;
        return dnp3_iox_error(rc);
    }
    dnp3_iox_service(io);
    return 0;
}

void dnp3_io_kick(dnp3_io *io)
{
    if (!io) return;
    dnp3_iox_service(io);
    for (dnp3_io *k = io->children; k; k = k->next_child) dnp3_iox_service(k); /* a listener: every session */
}

const char *dnp3_io_accepting_tls_name(const dnp3_io *io)
{
    return io && io->accepting_name[0] ? io->accepting_name : NULL;
}

bool dnp3_io_connected(const dnp3_io *io)
{
    return io && io->connected;
}

uint16_t dnp3_io_local_port(const dnp3_io *io)
{
    struct sockaddr_storage sa;
    int len = sizeof sa;
    int rc = io->cfg.kind == DNP3_IO_UDP ? uv_udp_getsockname(&io->udp, (struct sockaddr *)&sa, &len)
             : (io->cfg.kind == DNP3_IO_TCP_SERVER || io->cfg.kind == DNP3_IO_TCP_LISTEN)
                 ? uv_tcp_getsockname(&io->listener, (struct sockaddr *)&sa, &len)
                 : UV_ENOTCONN;
    if (rc != 0) return 0;
    if (sa.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)(void *)&sa)->sin6_port);
    return ntohs(((struct sockaddr_in *)(void *)&sa)->sin_port);
}

void dnp3_io_stop(dnp3_io *io)
{
    if (!io || io->stopping) return;
    while (io->children) { /* a listener ends its sessions first */
        dnp3_io *k = io->children;
        if (k->conn)
            dnp3_iox_lose_connection(k, "the listener stopped"); /* detaches and stops k */
        else if (k->cfg.kind == DNP3_IO_UDP)
            dnp3_iox_udp_end_session(k, "the listener stopped");
        else {
            dnp3_iox_detach_child(k);
            dnp3_io_stop(k);
        }
    }
    if (io->connected) dnp3_iox_service(io); /* queue what the core still has to say */
    io->stopping = true;
    io->connected = false;
    if (io->conn && io->conn->tls) { /* close_notify after the last records */
        dnp3_tls_conn_close(io->conn->tls);
        dnp3_iox_tls_flush(io->conn);
    }
    if (io->conn) dnp3_iox_close_conn_gracefully(io->conn);
    if (io->connecting) dnp3_iox_close_conn(io->connecting);
    io->conn = io->connecting = NULL;
    while (io->pending) {
        conn *c = io->pending;
        io->pending = c->next_pending;
        c->pending = false;
        dnp3_iox_close_conn(c);
    }
    uv_close((uv_handle_t *)&io->timer, on_handle_closed);
    uv_close((uv_handle_t *)&io->retry_timer, on_handle_closed);
    if (io->cfg.tls && !io->child) uv_close((uv_handle_t *)&io->hs_timer, on_handle_closed);
    if ((io->cfg.kind == DNP3_IO_TCP_SERVER || io->cfg.kind == DNP3_IO_TCP_LISTEN) && !io->child)
        uv_close((uv_handle_t *)&io->listener, on_handle_closed);
    if (io->cfg.kind == DNP3_IO_UDP && !io->child) uv_close((uv_handle_t *)&io->udp, on_handle_closed);
    if (io->cfg.kind == DNP3_IO_SERIAL) dnp3_iox_serial_stop(io);
}
