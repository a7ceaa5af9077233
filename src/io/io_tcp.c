/*
 * io_tcp.c - one TCP connection of the runtime (dnp3/io.h), on either side
 * (accepted by a server or opened by a client): naming the peer, making it the
 * endpoint's connection, reading into the channel, one socket write per output
 * chunk, closing at once or after the queued writes, and losing it (DNP3 over
 * IP, IEEE 1815-2012 Annex on IP networking: the link layer runs over the TCP
 * stream; a framing error or an unanswered keep-alive closes the connection).
 * The TLS side of a connection is io_tls.c.
 */
#include <stdlib.h>

#include "io_internal.h"

conn *dnp3_iox_new_conn(dnp3_io *io)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->io = io;
    if (uv_tcp_init(io->loop, &c->tcp) != 0) {
        free(c);
        return NULL;
    }
    c->tcp.data = c;
    io->open_handles++;
    return c;
}

void dnp3_iox_name_peer(conn *c)
{
    struct sockaddr_storage sa;
    int len = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &len) == 0)
        dnp3_iox_format_addr((struct sockaddr *)&sa, c->peer, sizeof c->peer);
}

static void on_conn_closed(uv_handle_t *h)
{
    conn *c = h->data;
    dnp3_io *io = c->io;
    dnp3_tls_conn_free(c->tls);
    free(c);
    io->open_handles--;
    dnp3_iox_maybe_free(io);
}

void dnp3_iox_close_conn(conn *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp)) uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    conn *c = req->data;
    free(req);
    dnp3_iox_close_conn(c);
}

void dnp3_iox_close_conn_gracefully(conn *c)
{
    uv_shutdown_t *req = malloc(sizeof *req);
    if (req) {
        req->data = c;
        if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) == 0) return;
        free(req);
    }
    dnp3_iox_close_conn(c);
}

void dnp3_iox_lose_connection(dnp3_io *io, const char *reason)
{
    if (!io->conn) return;
    conn *c = io->conn;
    io->conn = NULL;
    io->connected = false;
    dnp3_iox_log(io, "connection closed", c->peer, reason);
    dnp3_iox_close_conn(c);
    if (io->up.on_close) io->up.on_close(io->up.ctx, reason, dnp3_io_now(io->loop));
    if (io->child) { /* the session is over: its channel and upper layer may be gone already */
        dnp3_iox_detach_child(io);
        dnp3_io_stop(io);
        return;
    }
    if (io->cfg.kind == DNP3_IO_TCP_CLIENT && !io->stopping) dnp3_iox_schedule_reconnect(io);
    dnp3_iox_service(io);
}

/* ---- output ---- */

static void on_tcp_written(uv_write_t *req, int status)
{
    wreq *w = req->data;
    conn *c = (conn *)(void *)req->handle;
    dnp3_io *io = c->io;
    free(w);
    if (status < 0 && status != UV_ECANCELED && io->conn == c) dnp3_iox_lose_connection(io, uv_strerror(status));
}

void dnp3_iox_write_tcp(conn *c, wreq *w, size_t len)
{
    w->buf = uv_buf_init((char *)w->data, (unsigned)len);
    w->req.data = w;
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &w->buf, 1, on_tcp_written) != 0) free(w);
}

/* ---- input ---- */

void dnp3_iox_on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn *c = s->data;
    dnp3_io *io = c->io;
    if (c->pending) {
        dnp3_iox_tls_pending_read(io, c, nread, (const uint8_t *)buf->base);
        return;
    }
    if (c != io->conn) return; /* a connection being replaced */
    if (nread < 0) {
        dnp3_iox_lose_connection(io, nread == UV_EOF ? "closed by peer" : uv_strerror((int)nread));
        return;
    }
    if (c->tls) {
        if (dnp3_tls_conn_feed(c->tls, (const uint8_t *)buf->base, (size_t)nread) != 0) {
            dnp3_iox_lose_connection(io, "out of memory for TLS input");
            return;
        }
        if (dnp3_iox_tls_deliver(io, c)) dnp3_iox_service(io);
        return;
    }
    bool closed = false;
    dnp3_iox_deliver(io, (const uint8_t *)buf->base, (size_t)nread, &closed);
    if (closed) {
        dnp3_iox_lose_connection(io, "link framing error");
        return;
    }
    dnp3_iox_service(io);
}

/* ---- activation ---- */

void dnp3_iox_activate(dnp3_io *io, conn *c)
{
    dnp3_iox_name_peer(c);
    uv_tcp_nodelay(&c->tcp, 1);
    io->conn = c;
    io->connected = true;
    dnp3_tstamp now = dnp3_io_now(io->loop);
    dnp3_channel_reset(io->ch, now);
    dnp3_iox_log(io, io->cfg.kind == DNP3_IO_TCP_CLIENT ? "connected to" : "connection accepted from", c->peer,
                 "");
    if (io->up.on_open) io->up.on_open(io->up.ctx, c->peer, now);
    if (c->tls) { /* already reading; records that came with the handshake's end */
        if (!dnp3_iox_tls_deliver(io, c)) return;
    } else {
        uv_read_start((uv_stream_t *)&c->tcp, dnp3_iox_on_alloc, dnp3_iox_on_tcp_read);
    }
    dnp3_iox_service(io);
}
