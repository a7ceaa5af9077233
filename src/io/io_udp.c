/*
 * io_udp.c - the UDP endpoint of the runtime (dnp3/io.h): DNP3 over IP in
 * datagrams (IEEE 1815-2012 Annex on IP networking, port 20000). No
 * connection: the endpoint counts as open once it has a destination, which is
 * either fixed (udp_peer_host, open at once) or the last requester's address
 * (open at the first datagram). Every output chunk is one datagram; a lost one
 * is left to the protocol's timeouts and retries.
 *
 * With config.accept set the endpoint is a listener for several masters: every source
 * address (ip:port) in the allow-list whose datagram starts with a valid link header (05 64,
 * header CRC) gets a session of its own (a child endpoint with its own channel, built by
 * accept) that replies through the one socket, so stray packets and port scans take no
 * session; a session ends when its link keep-alive goes unanswered (io.c), after UDP_IDLE_MS
 * without a datagram, or when the listener stops.
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
    uv_udp_t *sock = io->child ? (io->parent ? &io->parent->udp : NULL) : &io->udp; /* a session: the listener's */
    if (!sock || !io->have_udp_dest ||
        uv_udp_send(&w->ureq, sock, &w->buf, 1, (const struct sockaddr *)&io->udp_dest, on_udp_sent) != 0)
        free(w);
}

/* A session without a datagram for this long ends, keep-alive or not. */
#define UDP_IDLE_MS 600000u

/* A datagram that could come from a DNP3 station: a link header with a good CRC first. */
static bool starts_with_frame(const uint8_t *d, size_t n)
{
    if (n < 10 || d[0] != 0x05 || d[1] != 0x64 || d[2] < 5) return false;
    uint16_t crc = dnp3_crc16(d, 8);
    return d[8] == (uint8_t)(crc & 0xFF) && d[9] == (uint8_t)(crc >> 8);
}

static size_t addr_len(const struct sockaddr *a)
{
    return a->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* The listener's session of this source address, or NULL. */
static dnp3_io *session_of(dnp3_io *io, const struct sockaddr *addr)
{
    for (dnp3_io *k = io->children; k; k = k->next_child)
        if (k->udp_dest.ss_family == addr->sa_family && memcmp(&k->udp_dest, addr, addr_len(addr)) == 0) return k;
    return NULL;
}

/* A source refused: one log line per peer, not one per datagram. Returns NULL. */
static dnp3_io *refuse(dnp3_io *io, const char *peer, const char *why)
{
    if (strcmp(io->refused_peer, peer) != 0) dnp3_iox_log(io, "datagrams refused from", peer, why);
    snprintf(io->refused_peer, sizeof io->refused_peer, "%s", peer);
    return NULL;
}

/* A new source address: a session of its own if accept gives one (NULL when refused). */
static dnp3_io *new_session(dnp3_io *io, const struct sockaddr *addr, const char *peer)
{
    dnp3_channel *ch = NULL;
    dnp3_io_upper up = {0};
    if (!dnp3_iox_allowed(io, peer)) return refuse(io, peer, "not in the allow-list");
    dnp3_io *k = calloc(1, sizeof *k);
    if (!k || !io->cfg.accept(io->cfg.accept_ctx, peer, &ch, &up) || !ch) {
        free(k);
        return refuse(io, peer, "no session for it");
    }
    io->refused_peer[0] = 0;
    dnp3_iox_adopt_child(io, k, ch, &up);
    k->cfg.udp_peer_host = NULL;
    memcpy(&k->udp_dest, addr, addr_len(addr));
    k->have_udp_dest = true;
    k->connected = true;
    dnp3_tstamp now = dnp3_io_now(io->loop);
    dnp3_channel_reset(ch, now);
    if (k->up.on_open) k->up.on_open(k->up.ctx, peer, now);
    return k;
}

static void on_udp_idle(uv_timer_t *t)
{
    dnp3_iox_udp_end_session(t->data, "no datagram for 10 minutes");
}

void dnp3_iox_udp_end_session(dnp3_io *k, const char *reason)
{
    char peer[64];
    dnp3_iox_format_addr((const struct sockaddr *)&k->udp_dest, peer, sizeof peer);
    if (k->parent) dnp3_iox_log(k->parent, "session ended with", peer, reason);
    k->connected = false;
    if (k->up.on_close) k->up.on_close(k->up.ctx, reason, dnp3_io_now(k->loop));
    dnp3_iox_detach_child(k);
    dnp3_io_stop(k);
}

static void on_udp_read(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr,
                        unsigned flags)
{
    (void)flags;
    dnp3_io *io = u->data;
    if (nread <= 0 || !addr) return;
    if (io->cfg.accept) { /* a listener: the datagram goes to its source's session */
        char peer[64];
        dnp3_iox_format_addr(addr, peer, sizeof peer);
        dnp3_io *k = session_of(io, addr);
        if (!k && !starts_with_frame((const uint8_t *)buf->base, (size_t)nread)) return; /* takes no session */
        if (!k) k = new_session(io, addr, peer);
        if (!k) return;
        uv_timer_start(&k->retry_timer, on_udp_idle, UDP_IDLE_MS, 0);
        bool ignored = false;
        dnp3_iox_deliver(k, (const uint8_t *)buf->base, (size_t)nread, &ignored);
        dnp3_iox_service(k);
        return;
    }
    if (!io->cfg.udp_peer_host) {
        memcpy(&io->udp_dest, addr, addr_len(addr));
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
    if (rc == 0 && io->have_udp_dest && !io->cfg.accept) { /* a fixed peer: ready to send at once */
        io->connected = true;
        char peer[64];
        dnp3_iox_format_addr((struct sockaddr *)&io->udp_dest, peer, sizeof peer);
        dnp3_tstamp now = dnp3_io_now(io->loop);
        dnp3_channel_reset(io->ch, now);
        if (io->up.on_open) io->up.on_open(io->up.ctx, peer, now);
    }
    return rc;
}
