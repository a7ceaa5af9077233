/*
 * io_udp.c - the UDP endpoint of the runtime (dnp3/io.h): DNP3 over IP in
 * datagrams (IEEE 1815-2012 Annex on IP networking, port 20000). No
 * connection: the endpoint counts as open once it has a destination, which is
 * either fixed (udp_peer_host, open at once) or the last requester's address
 * (open at the first datagram). Every output chunk is one datagram; a lost one
 * is left to the protocol's timeouts and retries.
 */
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

static void on_udp_sent(uv_udp_send_t *req, int status)
{
    (void)status; /* a lost datagram is the protocol's business (timeouts, retries) */
    free(req->data);
}

void dnp3_iox_udp_send(dnp3_io *io, wreq *w, size_t len)
{
    w->buf = uv_buf_init((char *)w->data, (unsigned)len);
    w->ureq.data = w;
    if (!io->have_udp_dest ||
        uv_udp_send(&w->ureq, &io->udp, &w->buf, 1, (const struct sockaddr *)&io->udp_dest, on_udp_sent) != 0)
        free(w);
}

static void on_udp_read(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr,
                        unsigned flags)
{
    (void)flags;
    dnp3_io *io = u->data;
    if (nread <= 0 || !addr) return;
    if (!io->cfg.udp_peer_host) {
        size_t alen = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        memcpy(&io->udp_dest, addr, alen);
        if (io->cfg.udp_peer_port) {
            if (addr->sa_family == AF_INET6)
                ((struct sockaddr_in6 *)(void *)&io->udp_dest)->sin6_port = htons(io->cfg.udp_peer_port);
            else
                ((struct sockaddr_in *)(void *)&io->udp_dest)->sin_port = htons(io->cfg.udp_peer_port);
        }
        io->have_udp_dest = true;
    }
    if (!io->connected) {
        io->connected = true;
        char peer[64];
        dnp3_iox_format_addr(addr, peer, sizeof peer);
        dnp3_tstamp now = dnp3_io_now(io->loop);
        dnp3_channel_reset(io->ch, now);
        if (io->up.on_open) io->up.on_open(io->up.ctx, peer, now);
    }
    bool closed = false;
    dnp3_iox_deliver(io, (const uint8_t *)buf->base, (size_t)nread, &closed);
    dnp3_iox_service(io);
}

int dnp3_iox_udp_open(dnp3_io *io)
{
    uv_udp_init(io->loop, &io->udp);
    io->udp.data = io;
    io->open_handles++;
    int rc = uv_udp_bind(&io->udp, (const struct sockaddr *)&io->addr, UV_UDP_REUSEADDR);
    if (rc == 0) rc = uv_udp_recv_start(&io->udp, dnp3_iox_on_alloc, on_udp_read);
    if (rc == 0 && io->have_udp_dest) { /* a fixed peer: ready to send at once */
        io->connected = true;
        char peer[64];
        dnp3_iox_format_addr((struct sockaddr *)&io->udp_dest, peer, sizeof peer);
        dnp3_tstamp now = dnp3_io_now(io->loop);
        dnp3_channel_reset(io->ch, now);
        if (io->up.on_open) io->up.on_open(io->up.ctx, peer, now);
    }
    return rc;
}
