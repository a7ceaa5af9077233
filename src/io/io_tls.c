/*
 * io_tls.c - TLS on the runtime's TCP connections (dnp3/io.h): DNP3 over TLS
 * as IEC 62351-3 profiles it (port 19999, mutual authentication with
 * certificates). A new connection stays "pending" (io->pending) until its
 * handshake and certificate checks succeed within the handshake timeout; only
 * then does a client make it its connection or a server put it to the accept
 * policy (io_tcp_server.c). A failed handshake is logged, its alert sent, and
 * a client told through on_close and reconnected. Afterwards the channel's
 * chunks are encrypted into records and received records decrypted into the
 * channel. tls_conn.c is the TLS engine itself (OpenSSL, no socket).
 */
#include <stdio.h>
#include <stdlib.h>

#include "io_internal.h"

/* Plaintext of TLS records, consumed inside the read callback as rxbuf is (io.c). */
static _Thread_local uint8_t plainbuf[16384];
/* Plaintext of one outgoing chunk before encryption. */
static _Thread_local uint8_t txplain[16384];

/* ---- records ---- */

void dnp3_iox_tls_flush(conn *c)
{
    size_t n;
    while ((n = dnp3_tls_conn_pending(c->tls)) > 0) {
        wreq *w = malloc(sizeof *w + n);
        if (!w) return;
        n = dnp3_tls_conn_take(c->tls, w->data, n);
        if (n == 0) {
            free(w);
            return;
        }
        dnp3_iox_write_tcp(c, w, n);
    }
}

bool dnp3_iox_tls_send_chunk(dnp3_io *io, size_t len)
{
    conn *c = io->conn;
    uint8_t *p = len <= sizeof txplain ? txplain : malloc(len);
    if (!p) return true; /* retried at the next service */
    int n = dnp3_channel_write(io->ch, p, len);
    bool ok = true;
    if (n > 0) {
        if (io->up.on_tx) io->up.on_tx(io->up.ctx, p, (size_t)n);
        ok = dnp3_tls_conn_write(c->tls, p, (size_t)n) == 0;
        dnp3_iox_tls_flush(c);
    }
    if (p != txplain) free(p);
    return ok;
}

bool dnp3_iox_tls_deliver(dnp3_io *io, conn *c)
{
    for (;;) {
        int n = dnp3_tls_conn_read(c->tls, plainbuf, sizeof plainbuf);
        if (n == 0) break;
        if (n < 0) {
            dnp3_iox_tls_flush(c);
            dnp3_iox_lose_connection(io, n == TLS_CONN_CLOSED ? "closed by peer (TLS close_notify)"
                                                              : dnp3_tls_conn_error(c->tls));
            return false;
        }
        bool closed = false;
        dnp3_iox_deliver(io, plainbuf, (size_t)n, &closed);
        if (closed) {
            dnp3_iox_lose_connection(io, "link framing error");
            return false;
        }
    }
    dnp3_iox_tls_flush(c); /* post-handshake messages: session tickets, key updates */
    return true;
}

/* ---- handshakes ---- */

static void on_hs_timer(uv_timer_t *t);

static void arm_hs_timer(dnp3_io *io)
{
    dnp3_tstamp next = DNP3_TSTAMP_NEVER, now = dnp3_io_now(io->loop);
    for (conn *c = io->pending; c; c = c->next_pending)
        if (c->hs_deadline < next) next = c->hs_deadline;
    if (next == DNP3_TSTAMP_NEVER)
        uv_timer_stop(&io->hs_timer);
    else
        uv_timer_start(&io->hs_timer, on_hs_timer, next > now ? next - now : 0, 0);
}

static void unlink_pending(dnp3_io *io, conn *c)
{
    for (conn **pp = &io->pending; *pp; pp = &(*pp)->next_pending)
        if (*pp == c) {
            *pp = c->next_pending;
            break;
        }
    c->pending = false;
    c->next_pending = NULL;
    arm_hs_timer(io);
}

/* Ends a connection whose handshake failed; the alert TLS produced goes out first. */
static void fail_handshake(dnp3_io *io, conn *c, const char *reason)
{
    unlink_pending(io, c);
    dnp3_iox_log(io, "TLS handshake failed with", c->peer, reason);
    dnp3_iox_close_conn_gracefully(c);
    if (io->cfg.kind == DNP3_IO_TCP_CLIENT) {
        if (io->up.on_close) {
            char why[400];
            snprintf(why, sizeof why, "TLS handshake with %s failed: %s", c->peer, reason);
            io->up.on_close(io->up.ctx, why, dnp3_io_now(io->loop));
        }
        dnp3_iox_schedule_reconnect(io);
    }
}

static void advance_handshake(dnp3_io *io, conn *c)
{
    tls_conn_status st = dnp3_tls_conn_handshake(c->tls);
    dnp3_iox_tls_flush(c);
    if (st == TLS_CONN_WANT) return;
    if (st != TLS_CONN_OK) {
        fail_handshake(io, c, dnp3_tls_conn_error(c->tls));
        return;
    }
    unlink_pending(io, c);
    char what[320];
    dnp3_tls_conn_describe(c->tls, what, sizeof what);
    dnp3_iox_log(io, "TLS session with", c->peer, what);
    if (io->cfg.kind == DNP3_IO_TCP_CLIENT) {
        io->backoff_ms = 0;
        dnp3_iox_activate(io, c);
    } else {
        dnp3_iox_admit(io, c);
    }
}

void dnp3_iox_tls_pending_read(dnp3_io *io, conn *c, ssize_t nread, const uint8_t *data)
{
    if (nread < 0) {
        fail_handshake(io, c, nread == UV_EOF ? "the peer closed the connection" : uv_strerror((int)nread));
        return;
    }
    if (dnp3_tls_conn_feed(c->tls, data, (size_t)nread) != 0) {
        fail_handshake(io, c, "out of memory");
        return;
    }
    advance_handshake(io, c);
}

static void on_hs_timer(uv_timer_t *t)
{
    dnp3_io *io = t->data;
    dnp3_tstamp now = dnp3_io_now(io->loop);
    conn *c = io->pending;
    while (c) {
        conn *next = c->next_pending;
        if (c->hs_deadline <= now) fail_handshake(io, c, "TLS handshake timed out");
        c = next;
    }
}

void dnp3_iox_start_tls(dnp3_io *io, conn *c)
{
    const char *name = io->cfg.kind == DNP3_IO_TCP_CLIENT && io->tls_peer_name[0] ? io->tls_peer_name : NULL;
    dnp3_iox_name_peer(c); /* a client's connection is otherwise named when activated; the log needs it now */
    c->tls = dnp3_tls_conn_new(io->cfg.tls, name);
    c->pending = true;
    c->hs_deadline = dnp3_io_now(io->loop) + io->cfg.tls->handshake_timeout_ms;
    c->next_pending = io->pending;
    io->pending = c;
    if (!c->tls) {
        fail_handshake(io, c, "out of memory");
        return;
    }
    arm_hs_timer(io);
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, dnp3_iox_on_alloc, dnp3_iox_on_tcp_read);
    advance_handshake(io, c); /* a client sends its ClientHello */
}
