/*
 * io_tcp_client.c - the connecting side of the runtime (dnp3/io.h): DNP3 over
 * IP as a TCP client (IEEE 1815-2012 Annex on IP networking; the master
 * normally connects to the outstation's port 20000, or 19999 with TLS). One
 * attempt at a time, bounded by the connect timeout; after a failure or a lost
 * connection the next attempt waits a back-off that doubles from
 * reconnect_min_ms up to reconnect_max_ms and starts over once connected. With
 * TLS the connection becomes the endpoint's only after its handshake (io_tls.c).
 */
#include <stdio.h>

#include "io_internal.h"

static void on_retry_timer(uv_timer_t *t)
{
    dnp3_io *io = t->data;
    if (io->connecting) { /* connect timeout: closing makes the connect callback fail */
        dnp3_iox_close_conn(io->connecting);
        return;
    }
    dnp3_iox_start_connect(io);
}

void dnp3_iox_schedule_reconnect(dnp3_io *io)
{
    if (!io->cfg.reconnect) return;
    uint32_t delay = io->backoff_ms ? io->backoff_ms : io->cfg.reconnect_min_ms;
    io->backoff_ms = delay * 2 > io->cfg.reconnect_max_ms ? io->cfg.reconnect_max_ms : delay * 2;
    uv_timer_start(&io->retry_timer, on_retry_timer, delay, 0);
}

static void on_connected(uv_connect_t *req, int status)
{
    dnp3_io *io = req->data;
    conn *c = io->connecting;
    io->connecting = NULL;
    uv_timer_stop(&io->retry_timer);
    if (io->stopping) return;
    if (status < 0) {
        char target[160];
        snprintf(target, sizeof target, "%s:%u", io->host, io->cfg.port);
        dnp3_iox_log(io, "connect failed to", target, uv_strerror(status));
        if (c) dnp3_iox_close_conn(c);
        if (io->up.on_close) {
            char why[200];
            snprintf(why, sizeof why, "connect to %s failed: %s", target, uv_strerror(status));
            io->up.on_close(io->up.ctx, why, dnp3_io_now(io->loop));
        }
        dnp3_iox_schedule_reconnect(io);
        return;
    }
    if (io->cfg.tls) {
        dnp3_iox_start_tls(io, c);
        return;
    }
    io->backoff_ms = 0;
    dnp3_iox_activate(io, c);
}

void dnp3_iox_start_connect(dnp3_io *io)
{
    if (io->stopping || io->conn || io->connecting) return;
    conn *c = dnp3_iox_new_conn(io);
    if (!c) return;
    io->connecting = c;
    io->connect_req.data = io;
    if (uv_tcp_connect(&io->connect_req, &c->tcp, (const struct sockaddr *)&io->addr, on_connected) != 0) {
        io->connecting = NULL;
        dnp3_iox_close_conn(c);
        dnp3_iox_schedule_reconnect(io);
        return;
    }
    uv_timer_start(&io->retry_timer, on_retry_timer, io->cfg.connect_timeout_ms, 0);
}
