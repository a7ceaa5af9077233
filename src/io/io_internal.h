/*
 * io_internal.h - what the files of the libuv runtime (dnp3/io.h) share: the
 * endpoint (struct dnp3_io), a TCP connection (conn), a write request (wreq)
 * and the functions one file calls in another. Not installed.
 *
 *   io.c            create, stop, kick, configuration, the service loop, the timer
 *   io_addr.c       host resolution, "ip:port" formatting
 *   io_errors.c     libuv's codes to the library's (one error space)
 *   io_tcp.c        one TCP connection, either side: open, read, write, close
 *   io_tcp_server.c listening, accepting, the allow-list and the accept policy
 *   io_tcp_client.c connecting, connect timeout, reconnect back-off
 *   io_udp.c        the UDP endpoint
 *   io_tls.c        TLS handshakes and records on a TCP connection (IEC 62351-3)
 *   io_serial.c     a serial port: termios set-up, reads, the transmit gate
 *                   (turnaround, idle line + random back-off), reopening
 *
 * Every function here starts with dnp3_iox_ (internal to the runtime): every
 * global of the archives starts with dnp3_ (tests/scripts/test_symbols.sh).
 */
#ifndef DNP3_IO_INTERNAL_H
#define DNP3_IO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnp3/io.h"
#include "tls_conn.h"

/* A peer that never reads would make libuv queue without bound: close it past this. */
#define MAX_WRITE_QUEUE (1u << 20)

typedef struct conn {
    uv_tcp_t tcp;
    struct dnp3_io *io;
    char peer[64];
    tls_conn *tls;           /* NULL for plain TCP */
    bool pending;            /* TLS handshake not finished: not yet the endpoint's connection */
    dnp3_tstamp hs_deadline; /* end of the TLS handshake time */
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
    conn *conn; /* the active TCP connection */
    bool child; /* a session of a TCP_LISTEN endpoint */
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
    char refused_peer[64];    /* UDP listener: the last source refused (logged once) */
    char accepting_name[200]; /* listener: the TLS name of the connection being accepted ("" = none) */
    conn *pending;            /* TLS connections still in their handshake */
    uv_timer_t hs_timer;      /* TLS handshake timeout (initialised only with TLS) */
    /* serial (io_serial.c) */
    char serial_device[256];
    int sfd;               /* the open port, or -1 */
    uv_poll_t spoll;       /* readable/writable events of sfd (open while sfd is) */
    uv_timer_t gate_timer; /* the transmit gate: turnaround and idle-line wait */
    uint8_t *txq;          /* octets the channel gave us that the port has not taken yet */
    size_t txq_len, txq_off, txq_cap;
    bool tx_active;               /* a transmission has started: the rest of txq goes without waiting */
    int64_t gate_wait_ms;         /* idle time required before this transmission (-1: not drawn yet) */
    dnp3_tstamp last_rx;          /* when the last octet was received (or the port opened) */
    dnp3_tstamp tx_pending_since; /* when the queued output became ready (the gate listens from then) */
    uint64_t rng;                 /* xorshift state for the random back-off */
};

/* ---- io.c ---- */

/* The smallest dnp3_io_config::size accepted: the fields every caller sets (size, kind, host, port). */
#define DNP3_IOX_CONFIG_MIN_SIZE (offsetof(dnp3_io_config, port) + sizeof(uint16_t))
/* *out = the caller's configuration `in`, with dnp3_io_config_init's defaults for the fields
 * beyond in->size (an older caller's smaller struct) and out->size = sizeof *out.
 * DNP3_OK, or DNP3_ERR_INVALID_ARG for NULL or a size below the minimum or above ours. */
int dnp3_iox_config_load(const dnp3_io_config *in, dnp3_io_config *out);

/* Logs "<what> <peer>: <detail>" through the upper layer's log hook. */
void dnp3_iox_log(dnp3_io *io, const char *what, const char *peer, const char *detail);
/* Lets the upper layer queue, drains the channel, re-arms the timer. */
void dnp3_iox_service(dnp3_io *io);
/* Frees io once it is stopping and its last handle has closed. */
void dnp3_iox_maybe_free(dnp3_io *io);
/* Initialises a timer of io (counted among its open handles). */
void dnp3_iox_init_timer(dnp3_io *io, uv_timer_t *t);
/* Removes the channel's next output chunk unsent (no memory, a port that takes nothing). Returns
 * false when there was none, or it could not be removed. */
bool dnp3_iox_drop_chunk(dnp3_io *io);
/* Makes k (zeroed) a session of the listener io, serving channel ch through up: io's settings
 * (without accept), on io's list, with its timers. */
void dnp3_iox_adopt_child(dnp3_io *io, dnp3_io *k, dnp3_channel *ch, const dnp3_io_upper *up);
/* Takes a session of a TCP_LISTEN endpoint off its parent's list. */
void dnp3_iox_detach_child(dnp3_io *k);
/* libuv's allocation callback: the loop thread's one receive buffer. */
void dnp3_iox_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
/* Received octets to the upper layer's on_rx and the channel; *closed when the
 * channel asks for the connection to be closed (framing error, TCP only). */
void dnp3_iox_deliver(dnp3_io *io, const uint8_t *data, size_t len, bool *closed);

/* ---- io_addr.c ---- */

/* Whether the peer "ip:port" is in the endpoint's allow-list (true without one). */
bool dnp3_iox_allowed(const dnp3_io *io, const char *peer);
/* "ip:port" (or "[ip6]:port") of sa into out. */
void dnp3_iox_format_addr(const struct sockaddr *sa, char *out, size_t cap);
/* host:port to an address: 0, or DNP3_ERR_IO_ADDRESS with the resolver's text in *why. */
int dnp3_iox_resolve(const char *host, uint16_t port, struct sockaddr_storage *out, const char **why);

/* ---- io_errors.c ---- */

/* The library code (dnp3/types.h) of a libuv code: 0 for 0 and above, a library code
 * unchanged, DNP3_ERR_IO for a failure without a code of its own. */
int dnp3_iox_error(int uv_err);

/* ---- io_tcp.c ---- */

/* A new TCP handle on io's loop, or NULL. */
conn *dnp3_iox_new_conn(dnp3_io *io);
/* c->peer = "ip:port" of the other end. */
void dnp3_iox_name_peer(conn *c);
/* Closes the handle now (c is freed when libuv has closed it). */
void dnp3_iox_close_conn(conn *c);
/* Closes a connection after libuv has written what is queued (a final CONFIRM, say). */
void dnp3_iox_close_conn_gracefully(conn *c);
/* Drops the active connection and tells the upper layer why. */
void dnp3_iox_lose_connection(dnp3_io *io, const char *reason);
/* Queues w->data[0..len) on the connection as one write (w is freed when written). */
void dnp3_iox_write_tcp(conn *c, wreq *w, size_t len);
/* libuv's read callback of every TCP connection. */
void dnp3_iox_on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
/* c becomes io's connection: the channel restarts and the upper layer hears of it. */
void dnp3_iox_activate(dnp3_io *io, conn *c);

/* ---- io_tcp_server.c ---- */

/* Binds and listens (TCP_SERVER, TCP_LISTEN): 0 or a libuv error (logged). */
int dnp3_iox_server_listen(dnp3_io *io);
/* A server's connection, authenticated if TLS is on, meets the accept policy. */
void dnp3_iox_admit(dnp3_io *io, conn *c);

/* ---- io_tcp_client.c ---- */

/* Starts a connection attempt (TCP_CLIENT). */
void dnp3_iox_start_connect(dnp3_io *io);
/* Arms the next attempt after the back-off delay (if reconnecting is on). */
void dnp3_iox_schedule_reconnect(dnp3_io *io);

/* ---- io_udp.c ---- */

/* Binds and starts receiving (UDP): 0 or a libuv error (logged). */
int dnp3_iox_udp_open(dnp3_io *io);
/* Sends w->data[0..len) to the peer as one datagram (w is freed when sent). */
void dnp3_iox_udp_send(dnp3_io *io, wreq *w, size_t len);
/* Ends a UDP listener's session k: the upper layer hears why, k is detached and stopped. */
void dnp3_iox_udp_end_session(dnp3_io *k, const char *reason);

/* ---- io_serial.c ---- */

/* Checks the serial fields of io->cfg: 0, or DNP3_ERR_CONFIG (logged). */
int dnp3_iox_serial_check(dnp3_io *io);
/* Starts a serial endpoint: the port is opened on the next loop turn (and reopened after failures). */
void dnp3_iox_serial_start(dnp3_io *io);
/* Takes `len` octets of the channel into the transmit queue and sends them when the gate allows. */
void dnp3_iox_serial_send(dnp3_io *io, size_t len);
/* Stops: best-effort flush of the queue, then the port and handles are closed. */
void dnp3_iox_serial_stop(dnp3_io *io);

/* ---- io_tls.c ---- */

/* Starts the TLS handshake of a new TCP connection; the connection waits in io->pending. */
void dnp3_iox_start_tls(dnp3_io *io, conn *c);
/* Input of a connection still in its handshake. */
void dnp3_iox_tls_pending_read(dnp3_io *io, conn *c, ssize_t nread, const uint8_t *data);
/* Sends the ciphertext the TLS engine has produced (records, handshake messages, alerts). */
void dnp3_iox_tls_flush(conn *c);
/* Decrypts what TLS has buffered and hands the plaintext to the channel. Returns false if
 * the connection was lost. */
bool dnp3_iox_tls_deliver(dnp3_io *io, conn *c);
/* One chunk of the channel through TLS. Returns false if the session is broken. */
bool dnp3_iox_tls_send_chunk(dnp3_io *io, size_t len);

#endif
