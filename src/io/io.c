/*
 * io.c - libuv runtime for DNP3 over IP (IEEE 1815-2012 Annex on IP networking,
 * port 20000): a TCP server (one connection at a time, replace-old or reject-new
 * policy, optional allow-list), a TCP client with reconnect back-off, or a UDP
 * endpoint, each driving one sans-I/O dnp3_channel and the layer above it.
 * Optionally TLS (IEC 62351-3, port 19999) on the TCP kinds: a connection
 * stays "pending" until its handshake and certificate checks succeed, and only
 * then meets the accept policy and the upper layer (tls_conn.c does the TLS).
 *
 * After every read, timer or kick, service() lets the upper layer queue
 * fragments, drains the channel with one socket write per fragment (TCP_NODELAY
 * set), and re-arms a single timer at the earliest deadline.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnp3/io.h"
#include "tls_conn.h"

/* A peer that never reads would make libuv queue without bound: close it past this. */
#define MAX_WRITE_QUEUE (1u << 20)

typedef struct conn {
    uv_tcp_t tcp;
    struct dnp3_io *io;
    char peer[64];
    tls_conn *tls;              /* NULL for plain TCP */
    bool pending;               /* TLS handshake not finished: not yet the endpoint's connection */
    dnp3_tstamp hs_deadline;    /* end of the TLS handshake time */
    struct conn *next_pending;
} conn;

typedef struct {
    uv_write_t req;
    uv_udp_send_t ureq;
    uv_buf_t buf;
    uint8_t data[];
} wreq;

struct dnp3_io {
    uv_loop_t *loop;
    dnp3_io_config cfg;
    char host[128];
    char udp_peer_host[128];
    dnp3_channel *ch;
    dnp3_io_upper up;
    uv_timer_t timer;       /* protocol deadlines (channel + upper layer) */
    uv_timer_t retry_timer; /* client: reconnect back-off and connect timeout */
    uv_tcp_t listener;      /* server */
    uv_udp_t udp;
    uv_connect_t connect_req;
    conn *conn;             /* the active TCP connection */
    bool child;             /* a session of a TCP_LISTEN endpoint */
    struct dnp3_io *parent;
    struct dnp3_io *children, *next_child;
    conn *connecting;
    bool connected;
    bool stopping;
    bool in_service, service_again;
    uint32_t backoff_ms;
    int open_handles;
    struct sockaddr_storage addr; /* resolved host:port */
    struct sockaddr_storage udp_dest;
    bool have_udp_dest;
    char tls_peer_name[256];
    conn *pending;          /* TLS connections still in their handshake */
    uv_timer_t hs_timer;    /* TLS handshake timeout (initialised only with TLS) */
};

/* Received octets are consumed inside the read callback (dnp3_channel_read copies what it
 * keeps), so one buffer per loop thread serves every connection: 10,000 connections must not
 * cost 64 KiB each. */
static _Thread_local uint8_t rxbuf[65536];
/* Plaintext of TLS records, consumed the same way. */
static _Thread_local uint8_t plainbuf[16384];

static void service(dnp3_io *io);

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

void dnp3_io_config_init(dnp3_io_config *c, dnp3_io_kind kind)
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
}

/* Logs "<what> <peer>: <detail>" through the upper layer's log hook. */
static void log3(dnp3_io *io, const char *what, const char *peer, const char *detail)
{
    if (!io->up.log) return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s %s%s%s", what, peer, detail[0] ? ": " : "", detail);
    io->up.log(io->up.ctx, msg);
}

static void format_addr(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?"; /* with "[]:65535" it fits the callers' 64 octets */
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        uv_ip4_name(in, ip, sizeof ip);
        port = ntohs(in->sin_port);
        snprintf(out, cap, "%s:%d", ip, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        uv_ip6_name(in6, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
        snprintf(out, cap, "[%s]:%d", ip, port);
    } else {
        snprintf(out, cap, "?");
    }
}

static int resolve(const char *host, uint16_t port, struct sockaddr_storage *out)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_NUMERICSERV;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc != 0 || !res) return UV_EINVAL;
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

/* ---- handle bookkeeping ---- */

static void maybe_free(dnp3_io *io)
{
    if (io->stopping && io->open_handles == 0) free(io);
}

static void on_handle_closed(uv_handle_t *h)
{
    dnp3_io *io = h->data;
    io->open_handles--;
    maybe_free(io);
}

static void on_conn_closed(uv_handle_t *h)
{
    conn *c = h->data;
    dnp3_io *io = c->io;
    dnp3_tls_conn_free(c->tls);
    free(c);
    io->open_handles--;
    maybe_free(io);
}

static void close_conn(conn *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp)) uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void schedule_reconnect(dnp3_io *io);

static void detach_child(dnp3_io *k)
{
    if (!k->parent) return;
    for (dnp3_io **pp = &k->parent->children; *pp; pp = &(*pp)->next_child)
        if (*pp == k) {
            *pp = k->next_child;
            break;
        }
    k->parent = NULL;
}

/* Drops the active connection and tells the upper layer why. */
static void lose_connection(dnp3_io *io, const char *reason)
{
    if (!io->conn) return;
    conn *c = io->conn;
    io->conn = NULL;
    io->connected = false;
    log3(io, "connection closed", c->peer, reason);
    close_conn(c);
    if (io->up.on_close) io->up.on_close(io->up.ctx, reason, dnp3_io_now(io->loop));
    if (io->child) { /* the session is over: its channel and upper layer may be gone already */
        detach_child(io);
        dnp3_io_stop(io);
        return;
    }
    if (io->cfg.kind == DNP3_IO_TCP_CLIENT && !io->stopping) schedule_reconnect(io);
    service(io);
}

/* ---- output ---- */

static void on_tcp_written(uv_write_t *req, int status)
{
    wreq *w = req->data;
    conn *c = (conn *)(void *)req->handle;
    dnp3_io *io = c->io;
    free(w);
    if (status < 0 && status != UV_ECANCELED && io->conn == c) lose_connection(io, uv_strerror(status));
}

/* Queues w->data[0..len) on the connection as one write (w is freed when written). */
static void write_tcp(conn *c, wreq *w, size_t len)
{
    w->buf = uv_buf_init((char *)w->data, (unsigned)len);
    w->req.data = w;
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &w->buf, 1, on_tcp_written) != 0) free(w);
}

/* Sends the ciphertext the TLS engine has produced (records, handshake messages, alerts). */
static void tls_flush(conn *c)
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
        write_tcp(c, w, n);
    }
}

/* Plaintext of one outgoing chunk before encryption. */
static _Thread_local uint8_t txplain[16384];

/* One chunk of the channel through TLS. Returns false if the session is broken. */
static bool send_chunk_tls(dnp3_io *io, size_t len)
{
    conn *c = io->conn;
    uint8_t *p = len <= sizeof txplain ? txplain : malloc(len);
    if (!p) return true; /* retried at the next service */
    int n = dnp3_channel_write(io->ch, p, len);
    bool ok = true;
    if (n > 0) {
        if (io->up.on_tx) io->up.on_tx(io->up.ctx, p, (size_t)n);
        ok = dnp3_tls_conn_write(c->tls, p, (size_t)n) == 0;
        tls_flush(c);
    }
    if (p != txplain) free(p);
    return ok;
}

static void on_udp_sent(uv_udp_send_t *req, int status)
{
    (void)status; /* a lost datagram is the protocol's business (timeouts, retries) */
    free(req->data);
}

/* Drains one chunk of the channel into a socket write. Returns false if the connection is broken. */
static bool send_chunk(dnp3_io *io, size_t len)
{
    if (io->conn && io->conn->tls) return send_chunk_tls(io, len);
    wreq *w = malloc(sizeof *w + len);
    if (!w) return true;
    int n = dnp3_channel_write(io->ch, w->data, len);
    if (n <= 0) {
        free(w);
        return true;
    }
    if (io->up.on_tx) io->up.on_tx(io->up.ctx, w->data, (size_t)n);
    if (io->cfg.kind == DNP3_IO_UDP) {
        w->buf = uv_buf_init((char *)w->data, (unsigned)n);
        w->ureq.data = w;
        if (!io->have_udp_dest || uv_udp_send(&w->ureq, &io->udp, &w->buf, 1,
                                              (const struct sockaddr *)&io->udp_dest, on_udp_sent) != 0)
            free(w);
        return true;
    }
    write_tcp(io->conn, w, (size_t)n);
    return true;
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

static void service(dnp3_io *io)
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
        while (io->connected) {
            if (io->up.pump) io->up.pump(io->up.ctx, io->ch, now);
            size_t len;
            if (dnp3_channel_pending(io->ch) == 0) break;
            while (io->connected && (len = dnp3_channel_pending(io->ch)) > 0)
                if (!send_chunk(io, len)) {
                    io->in_service = false;
                    lose_connection(io, dnp3_tls_conn_error(io->conn->tls));
                    return;
                }
            if (!io->up.pump) break;
        }
        if (io->connected) {
            if (io->conn && uv_stream_get_write_queue_size((uv_stream_t *)&io->conn->tcp) > MAX_WRITE_QUEUE) {
                io->in_service = false;
                lose_connection(io, "peer is not reading (write queue over 1 MiB)");
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
        if (io->cfg.kind == DNP3_IO_UDP)
            dnp3_channel_reset(io->ch, now); /* no connection to drop: start over */
        else {
            lose_connection(io, "link keep-alive not answered");
            return;
        }
    }
    if (io->up.handle_expiry) io->up.handle_expiry(io->up.ctx, now);
    service(io);
}

/* ---- input ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    (void)h;
    *buf = uv_buf_init((char *)rxbuf, sizeof rxbuf);
}

static void deliver(dnp3_io *io, const uint8_t *data, size_t len, bool *closed)
{
    if (io->up.on_rx) io->up.on_rx(io->up.ctx, data, len);
    int rc = dnp3_channel_read(io->ch, data, len, dnp3_io_now(io->loop));
    *closed = rc == DNP3_ERR_LINK_CLOSED && io->cfg.kind != DNP3_IO_UDP;
}

static void tls_pending_read(dnp3_io *io, conn *c, ssize_t nread, const uint8_t *data);

/* Decrypts what TLS has buffered and hands the plaintext to the channel. Returns false if
 * the connection was lost. */
static bool tls_deliver(dnp3_io *io, conn *c)
{
    for (;;) {
        int n = dnp3_tls_conn_read(c->tls, plainbuf, sizeof plainbuf);
        if (n == 0) break;
        if (n < 0) {
            tls_flush(c);
            lose_connection(io, n == TLS_CONN_CLOSED ? "closed by peer (TLS close_notify)" : dnp3_tls_conn_error(c->tls));
            return false;
        }
        bool closed = false;
        deliver(io, plainbuf, (size_t)n, &closed);
        if (closed) {
            lose_connection(io, "link framing error");
            return false;
        }
    }
    tls_flush(c); /* post-handshake messages: session tickets, key updates */
    return true;
}

static void on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn *c = s->data;
    dnp3_io *io = c->io;
    if (c->pending) {
        tls_pending_read(io, c, nread, (const uint8_t *)buf->base);
        return;
    }
    if (c != io->conn) return; /* a connection being replaced */
    if (nread < 0) {
        lose_connection(io, nread == UV_EOF ? "closed by peer" : uv_strerror((int)nread));
        return;
    }
    if (c->tls) {
        if (dnp3_tls_conn_feed(c->tls, (const uint8_t *)buf->base, (size_t)nread) != 0) {
            lose_connection(io, "out of memory for TLS input");
            return;
        }
        if (tls_deliver(io, c)) service(io);
        return;
    }
    bool closed = false;
    deliver(io, (const uint8_t *)buf->base, (size_t)nread, &closed);
    if (closed) {
        lose_connection(io, "link framing error");
        return;
    }
    service(io);
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
        format_addr(addr, peer, sizeof peer);
        dnp3_tstamp now = dnp3_io_now(io->loop);
        dnp3_channel_reset(io->ch, now);
        if (io->up.on_open) io->up.on_open(io->up.ctx, peer, now);
    }
    bool closed = false;
    deliver(io, (const uint8_t *)buf->base, (size_t)nread, &closed);
    service(io);
}

/* ---- connections ---- */

static conn *new_conn(dnp3_io *io)
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

/* c->peer = "ip:port" of the other end. */
static void name_peer(conn *c)
{
    struct sockaddr_storage sa;
    int len = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &len) == 0)
        format_addr((struct sockaddr *)&sa, c->peer, sizeof c->peer);
}

static void activate(dnp3_io *io, conn *c)
{
    name_peer(c);
    uv_tcp_nodelay(&c->tcp, 1);
    io->conn = c;
    io->connected = true;
    dnp3_tstamp now = dnp3_io_now(io->loop);
    dnp3_channel_reset(io->ch, now);
    log3(io, io->cfg.kind == DNP3_IO_TCP_CLIENT ? "connected to" : "connection accepted from", c->peer, "");
    if (io->up.on_open) io->up.on_open(io->up.ctx, c->peer, now);
    if (c->tls) { /* already reading; records that came with the handshake's end */
        if (!tls_deliver(io, c)) return;
    } else {
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_tcp_read);
    }
    service(io);
}

static bool allowed(const dnp3_io *io, const char *peer)
{
    if (!io->cfg.allow || io->cfg.allow_count == 0) return true;
    char ip[64];
    snprintf(ip, sizeof ip, "%s", peer[0] == '[' ? peer + 1 : peer);
    char *end = strrchr(ip, peer[0] == '[' ? ']' : ':');
    if (end) *end = 0;
    for (size_t i = 0; i < io->cfg.allow_count; i++)
        if (strcmp(io->cfg.allow[i], ip) == 0) return true;
    return false;
}

static void init_timer(dnp3_io *io, uv_timer_t *t);

/* A TCP_LISTEN endpoint hands an accepted connection to a session of its own. */
static void accept_child(dnp3_io *io, conn *c)
{
    dnp3_channel *ch = NULL;
    dnp3_io_upper up = {0};
    dnp3_io *k = calloc(1, sizeof *k);
    if (!k || !io->cfg.accept || !io->cfg.accept(io->cfg.accept_ctx, c->peer, &ch, &up) || !ch) {
        free(k);
        log3(io, "connection rejected from", c->peer, "no session for it");
        close_conn(c);
        return;
    }
    k->loop = io->loop;
    k->cfg = io->cfg;
    k->cfg.kind = DNP3_IO_TCP_SERVER;
    k->cfg.reconnect = false;
    k->child = true;
    k->parent = io;
    k->next_child = io->children;
    io->children = k;
    k->ch = ch;
    k->up = up;
    init_timer(k, &k->timer);
    init_timer(k, &k->retry_timer);
    io->open_handles--; /* the connection now belongs to the session */
    k->open_handles++;
    c->io = k;
    activate(k, c);
}

static void start_tls(dnp3_io *io, conn *c);

/* A server's connection, authenticated if TLS is on, meets the accept policy. */
static void admit(dnp3_io *io, conn *c)
{
    if (io->cfg.kind == DNP3_IO_TCP_LISTEN) {
        accept_child(io, c);
        return;
    }
    if (io->conn) {
        if (io->cfg.accept_policy == DNP3_IO_REJECT_NEW) {
            log3(io, "connection rejected from", c->peer, "a master is already connected");
            close_conn(c);
            return;
        }
        lose_connection(io, "replaced by a new connection");
    }
    activate(io, c);
}

static void on_connection(uv_stream_t *server, int status)
{
    dnp3_io *io = server->data;
    if (status < 0 || io->stopping) return;
    conn *c = new_conn(io);
    if (!c) return;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        close_conn(c);
        return;
    }
    name_peer(c);
    if (!allowed(io, c->peer)) {
        log3(io, "connection rejected from", c->peer, "not in the allow-list");
        close_conn(c);
        return;
    }
    if (io->cfg.tls)
        start_tls(io, c);
    else
        admit(io, c);
}

static void start_connect(dnp3_io *io);

static void on_retry_timer(uv_timer_t *t)
{
    dnp3_io *io = t->data;
    if (io->connecting) { /* connect timeout: closing makes the connect callback fail */
        close_conn(io->connecting);
        return;
    }
    start_connect(io);
}

static void schedule_reconnect(dnp3_io *io)
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
        log3(io, "connect failed to", target, uv_strerror(status));
        if (c) close_conn(c);
        if (io->up.on_close) {
            char why[200];
            snprintf(why, sizeof why, "connect to %s failed: %s", target, uv_strerror(status));
            io->up.on_close(io->up.ctx, why, dnp3_io_now(io->loop));
        }
        schedule_reconnect(io);
        return;
    }
    if (io->cfg.tls) {
        start_tls(io, c);
        return;
    }
    io->backoff_ms = 0;
    activate(io, c);
}

/* ---- TLS handshakes (IEC 62351-3) ---- */

static void close_conn_gracefully(conn *c);
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
    log3(io, "TLS handshake failed with", c->peer, reason);
    close_conn_gracefully(c);
    if (io->cfg.kind == DNP3_IO_TCP_CLIENT) {
        if (io->up.on_close) {
            char why[400];
            snprintf(why, sizeof why, "TLS handshake with %s failed: %s", c->peer, reason);
            io->up.on_close(io->up.ctx, why, dnp3_io_now(io->loop));
        }
        schedule_reconnect(io);
    }
}

static void advance_handshake(dnp3_io *io, conn *c)
{
    tls_conn_status st = dnp3_tls_conn_handshake(c->tls);
    tls_flush(c);
    if (st == TLS_CONN_WANT) return;
    if (st != TLS_CONN_OK) {
        fail_handshake(io, c, dnp3_tls_conn_error(c->tls));
        return;
    }
    unlink_pending(io, c);
    char what[320];
    dnp3_tls_conn_describe(c->tls, what, sizeof what);
    log3(io, "TLS session with", c->peer, what);
    if (io->cfg.kind == DNP3_IO_TCP_CLIENT) {
        io->backoff_ms = 0;
        activate(io, c);
    } else {
        admit(io, c);
    }
}

static void tls_pending_read(dnp3_io *io, conn *c, ssize_t nread, const uint8_t *data)
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

/* Starts the TLS handshake of a new TCP connection; the connection waits in io->pending. */
static void start_tls(dnp3_io *io, conn *c)
{
    const char *name = io->cfg.kind == DNP3_IO_TCP_CLIENT && io->tls_peer_name[0] ? io->tls_peer_name : NULL;
    name_peer(c); /* a client's connection is otherwise named when activated; the log needs it now */
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
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_tcp_read);
    advance_handshake(io, c); /* a client sends its ClientHello */
}

static void start_connect(dnp3_io *io)
{
    if (io->stopping || io->conn || io->connecting) return;
    conn *c = new_conn(io);
    if (!c) return;
    io->connecting = c;
    io->connect_req.data = io;
    if (uv_tcp_connect(&io->connect_req, &c->tcp, (const struct sockaddr *)&io->addr, on_connected) != 0) {
        io->connecting = NULL;
        close_conn(c);
        schedule_reconnect(io);
        return;
    }
    uv_timer_start(&io->retry_timer, on_retry_timer, io->cfg.connect_timeout_ms, 0);
}

/* ---- lifecycle ---- */

static void init_timer(dnp3_io *io, uv_timer_t *t)
{
    uv_timer_init(io->loop, t);
    t->data = io;
    io->open_handles++;
}

int dnp3_io_start(uv_loop_t *loop, const dnp3_io_config *c, dnp3_channel *ch,
                  const dnp3_io_upper *upper, dnp3_io **out)
{
    if (!loop || !c || c->size != sizeof *c || (!ch && c->kind != DNP3_IO_TCP_LISTEN) || !out) return UV_EINVAL;
    dnp3_io *io = calloc(1, sizeof *io);
    if (!io) return UV_ENOMEM;
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
    if (c->tls && c->kind == DNP3_IO_UDP) {
        free(io);
        return UV_EINVAL; /* DNP3 over TLS is TCP only (IEC 62351-3) */
    }
    int rc = resolve(io->host, c->port, &io->addr);
    if (rc == 0 && c->kind == DNP3_IO_UDP && c->udp_peer_host) {
        rc = resolve(io->udp_peer_host, c->udp_peer_port ? c->udp_peer_port : c->port, &io->udp_dest);
        io->have_udp_dest = rc == 0;
    }
    if (rc != 0) {
        free(io);
        return rc;
    }
    init_timer(io, &io->timer);
    init_timer(io, &io->retry_timer);
    if (c->tls) init_timer(io, &io->hs_timer);
    switch (c->kind) {
    case DNP3_IO_TCP_SERVER:
    case DNP3_IO_TCP_LISTEN:
        uv_tcp_init(loop, &io->listener);
        io->listener.data = io;
        io->open_handles++;
        rc = uv_tcp_bind(&io->listener, (const struct sockaddr *)&io->addr, 0);
        if (rc == 0) rc = uv_listen((uv_stream_t *)&io->listener, c->kind == DNP3_IO_TCP_LISTEN ? 4096 : 16, on_connection);
        break;
    case DNP3_IO_TCP_CLIENT: start_connect(io); break;
    case DNP3_IO_UDP:
        uv_udp_init(loop, &io->udp);
        io->udp.data = io;
        io->open_handles++;
        rc = uv_udp_bind(&io->udp, (const struct sockaddr *)&io->addr, UV_UDP_REUSEADDR);
        if (rc == 0) rc = uv_udp_recv_start(&io->udp, on_alloc, on_udp_read);
        if (rc == 0 && io->have_udp_dest) { /* a fixed peer: ready to send at once */
            io->connected = true;
            char peer[64];
            format_addr((struct sockaddr *)&io->udp_dest, peer, sizeof peer);
            dnp3_tstamp now = dnp3_io_now(loop);
            dnp3_channel_reset(ch, now);
            if (io->up.on_open) io->up.on_open(io->up.ctx, peer, now);
        }
        break;
    }
    *out = io;
    if (rc != 0) {
        dnp3_io_stop(io);
        *out = NULL;
        return rc;
    }
    service(io);
    return 0;
}

void dnp3_io_kick(dnp3_io *io)
{
    if (io) service(io);
}

bool dnp3_io_connected(const dnp3_io *io) { return io && io->connected; }

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

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    conn *c = req->data;
    free(req);
    close_conn(c);
}

/* Closes a connection after libuv has written what is queued (a final CONFIRM, say). */
static void close_conn_gracefully(conn *c)
{
    uv_shutdown_t *req = malloc(sizeof *req);
    if (req) {
        req->data = c;
        if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) == 0) return;
        free(req);
    }
    close_conn(c);
}

void dnp3_io_stop(dnp3_io *io)
{
    if (!io || io->stopping) return;
    while (io->children) { /* a listener ends its sessions first */
        dnp3_io *k = io->children;
        if (k->conn)
            lose_connection(k, "the listener stopped"); /* detaches and stops k */
        else {
            detach_child(k);
            dnp3_io_stop(k);
        }
    }
    if (io->connected) service(io); /* queue what the core still has to say */
    io->stopping = true;
    io->connected = false;
    if (io->conn && io->conn->tls) { /* close_notify after the last records */
        dnp3_tls_conn_close(io->conn->tls);
        tls_flush(io->conn);
    }
    if (io->conn) close_conn_gracefully(io->conn);
    if (io->connecting) close_conn(io->connecting);
    io->conn = io->connecting = NULL;
    while (io->pending) {
        conn *c = io->pending;
        io->pending = c->next_pending;
        c->pending = false;
        close_conn(c);
    }
    uv_close((uv_handle_t *)&io->timer, on_handle_closed);
    uv_close((uv_handle_t *)&io->retry_timer, on_handle_closed);
    if (io->cfg.tls && !io->child) uv_close((uv_handle_t *)&io->hs_timer, on_handle_closed);
    if ((io->cfg.kind == DNP3_IO_TCP_SERVER || io->cfg.kind == DNP3_IO_TCP_LISTEN) && !io->child)
        uv_close((uv_handle_t *)&io->listener, on_handle_closed);
    if (io->cfg.kind == DNP3_IO_UDP) uv_close((uv_handle_t *)&io->udp, on_handle_closed);
}
