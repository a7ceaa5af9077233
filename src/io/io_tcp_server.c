/*
 * io_tcp_server.c - the listening side of the runtime (dnp3/io.h): DNP3 over
 * IP as a TCP server (IEEE 1815-2012 Annex on IP networking, the outstation
 * listens on port 20000, or 19999 with TLS). TCP_SERVER keeps one connection
 * at a time (a newcomer replaces the current one or is rejected, by policy);
 * TCP_LISTEN hands every accepted connection to a session of its own (a child
 * endpoint built by config.accept). An allow-list of peer addresses is checked
 * before anything else; with TLS the handshake comes next (io_tls.c), and only
 * an authenticated connection meets the policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

/* A TCP_LISTEN endpoint hands an accepted connection to a session of its own. */
static void accept_child(dnp3_io *io, conn *c)
{
    dnp3_channel *ch = NULL;
    dnp3_io_upper up = {0};
    dnp3_io *k = calloc(1, sizeof *k);
    io->accepting_name[0] = 0;
    if (c->tls) dnp3_tls_conn_peer_cn(c->tls, io->accepting_name, sizeof io->accepting_name);
    bool taken = k && io->cfg.accept && io->cfg.accept(io->cfg.accept_ctx, c->peer, &ch, &up) && ch;
    io->accepting_name[0] = 0;
    if (!taken) {
        free(k);
        dnp3_iox_log(io, "connection rejected from", c->peer, "no session for it");
        dnp3_iox_close_conn(c);
        return;
    }
    dnp3_iox_adopt_child(io, k, ch, &up);
    k->cfg.kind = DNP3_IO_TCP_SERVER;
    k->cfg.reconnect = false;
    io->open_handles--; /* the connection now belongs to the session */
    k->open_handles++;
    c->io = k;
    dnp3_iox_activate(k, c);
}

void dnp3_iox_admit(dnp3_io *io, conn *c)
{
    if (io->cfg.kind == DNP3_IO_TCP_LISTEN) {
        accept_child(io, c);
        return;
    }
    if (io->conn) {
        if (io->cfg.accept_policy == DNP3_IO_REJECT_NEW) {
            dnp3_iox_log(io, "connection rejected from", c->peer, "a master is already connected");
            dnp3_iox_close_conn(c);
            return;
        }
        dnp3_iox_lose_connection(io, "replaced by a new connection");
    }
    dnp3_iox_activate(io, c);
}

static void on_connection(uv_stream_t *server, int status)
{
    dnp3_io *io = server->data;
    if (status < 0 || io->stopping) return;
    conn *c = dnp3_iox_new_conn(io);
    if (!c) return;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        dnp3_iox_close_conn(c);
        return;
    }
    dnp3_iox_name_peer(c);
    if (!dnp3_iox_allowed(io, c->peer)) {
        dnp3_iox_log(io, "connection rejected from", c->peer, "not in the allow-list");
        dnp3_iox_close_conn(c);
        return;
    }
    if (io->cfg.tls)
        dnp3_iox_start_tls(io, c);
    else
        dnp3_iox_admit(io, c);
}

int dnp3_iox_server_listen(dnp3_io *io)
{
    uv_tcp_init(io->loop, &io->listener);
    io->listener.data = io;
    io->open_handles++;
    int rc = uv_tcp_bind(&io->listener, (const struct sockaddr *)&io->addr, 0);
    if (rc == 0)
        rc =
            uv_listen((uv_stream_t *)&io->listener, io->cfg.kind == DNP3_IO_TCP_LISTEN ? 4096 : 16, on_connection);
    return rc;
}
