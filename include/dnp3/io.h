/**
 * \file
 * dnp3/io.h - the libuv runtime: drives a sans-I/O dnp3_channel and the layer
 * above it (an outstation or a master) over TCP (server or client) or UDP
 * (DNP3 over IP, IEEE 1815-2012 Annex "IP networking"; port 20000) or a
 * serial port (RS-232/RS-485, one line shared by the master and any number of
 * outstations; docs/serial.md).
 *
 * The runtime owns sockets, the clock and timers; the core owns protocol
 * state. After every input, timer or kick the runtime:
 *   1. calls upper.pump(ctx, now) so the upper layer can queue fragments with
 *      dnp3_channel_send (responses, unsolicited data, requests);
 *   2. drains dnp3_channel_write into socket writes - one write per output
 *      chunk, i.e. all frames of a fragment in one write (TCP_NODELAY is set);
 *   3. re-arms one timer at min(channel expiry, upper expiry).
 * Single-threaded: every callback runs on the loop thread.
 */
#ifndef DNP3_IO_H
#define DNP3_IO_H

#include "dnp3/export.h"
#include <uv.h>

#include "dnp3/channel.h"
#include "dnp3/tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The layer above the channel. Every function may be NULL. */
typedef struct {
    void *ctx; /**< first argument of every function below */
    /** a connection (TCP) or the socket (UDP) is up; `peer` is "ip:port" */
    void (*on_open)(void *ctx, const char *peer, dnp3_tstamp now);
    /** the connection is gone; `reason` says why (peer closed, keep-alive, framing, ...) */
    void (*on_close)(void *ctx, const char *reason, dnp3_tstamp now);
    /** queue pending fragments into the channel with dnp3_channel_send */
    void (*pump)(void *ctx, dnp3_channel *ch, dnp3_tstamp now);
    /** earliest deadline of the upper layer (DNP3_TSTAMP_NEVER for none) */
    dnp3_tstamp (*get_expiry)(void *ctx);
    /** run the upper layer's timers due at `now` */
    void (*handle_expiry)(void *ctx, dnp3_tstamp now);
    /** octets received / sent, for --decode printing */
    void (*on_rx)(void *ctx, const uint8_t *data, size_t len);
    /** octets sent (one call per write), for --decode printing */
    void (*on_tx)(void *ctx, const uint8_t *data, size_t len);
    /** one-line log messages (connection accepted, rejected, ...) */
    void (*log)(void *ctx, const char *msg);
} dnp3_io_upper;

/** The kind of endpoint (dnp3_io_config::kind). */
typedef enum {
    DNP3_IO_TCP_SERVER = 0, /**< outstation default: listen, one master at a time */
    DNP3_IO_TCP_CLIENT,     /**< master default: connect, reconnect with back-off */
    DNP3_IO_UDP,            /**< datagrams; replies go to the last requester or a fixed peer (with
                                 config.accept: a session per source address, see dnp3_io_outstation_listen) */
    DNP3_IO_TCP_LISTEN,     /**< listen; every accepted connection gets its own session (config.accept) */
    DNP3_IO_SERIAL,         /**< a serial port (serial_device): the channel's mode must be DNP3_CHANNEL_SERIAL */
} dnp3_io_kind;

/** Parity of a serial line (dnp3_io_config::serial_parity). */
typedef enum {
    DNP3_SERIAL_PARITY_NONE = 0, /**< no parity bit (default) */
    DNP3_SERIAL_PARITY_EVEN,     /**< even parity */
    DNP3_SERIAL_PARITY_ODD,      /**< odd parity */
} dnp3_serial_parity;

/** What a TCP server does with a second connection. */
typedef enum {
    DNP3_IO_REPLACE_OLD = 0, /**< a new connection replaces the current one (default) */
    DNP3_IO_REJECT_NEW,      /**< keep the current connection, close the newcomer */
} dnp3_io_accept_policy;

/** Configuration of a runtime endpoint: set it up with dnp3_io_config_init. */
typedef struct {
    /** sizeof(dnp3_io_config), set by dnp3_io_config_init. A program built against an older
     * header passes its smaller size: the fields beyond it get dnp3_io_config_init's defaults
     * (for its `kind`). The smallest size accepted ends with `port` (size, kind, host, port:
     * the fields every caller sets); dnp3_io_start refuses a smaller one, and a larger one
     * (a newer header's fields this library would ignore), with DNP3_ERR_INVALID_ARG. */
    uint32_t size;
    dnp3_io_kind kind; /**< the kind of endpoint */
    const char *host;  /**< server/UDP: bind address; client: address to connect to */
    uint16_t port;     /**< default 20000 */
    /** \name TCP server */
    /** @{ */
    dnp3_io_accept_policy accept_policy; /**< a second connection replaces or is rejected */
    const char *const *allow;            /**< allowed peer IP addresses (NULL = anyone) */
    size_t allow_count;                  /**< number of entries in allow */
    /** @} */
    /** \name TCP client */
    /** @{ */
    uint32_t reconnect_min_ms;   /**< default 1000 */
    uint32_t reconnect_max_ms;   /**< default 30000 */
    uint32_t connect_timeout_ms; /**< default 5000 */
    bool reconnect;              /**< default true; false: one attempt, on_close on failure */
    /** @} */
    /** TCP listen: builds the session of one accepted connection (`peer` is "ip:port"):
     * returns false to refuse it, else the channel and upper layer that serve it; both
     * stay valid until upper.on_close has returned (the session may be freed there) */
    bool (*accept)(void *ctx, const char *peer, dnp3_channel **ch, dnp3_io_upper *up);
    void *accept_ctx; /**< first argument of accept */
    /** \name UDP */
    /** @{ */
    const char *udp_peer_host; /**< fixed destination (NULL = reply to the last requester) */
    uint16_t udp_peer_port;    /**< 0 = the requester's source port */
    /** @} */
    /** TLS (TCP kinds only): NULL = plain TCP. Loaded with dnp3_tls_load (server side for
     * TCP_SERVER/TCP_LISTEN, client side for TCP_CLIENT); it must outlive the endpoint.
     * The upper layer sees on_open only after the handshake and certificate checks
     * succeeded; a failed handshake is logged (and reported by on_close to a client). */
    dnp3_tls *tls;
    const char *tls_peer_name; /**< client: name the server's certificate must carry (NULL: the tls default) */
    /** \name Serial port (DNP3_IO_SERIAL; IEEE 1815-2012 clause 9 link layer on an asynchronous
     * serial line; docs/serial.md). The port is opened raw (no echo, no line discipline,
     * CLOCAL|CREAD); an open that fails, or a port that reports an error or hangs up, is logged
     * with the device path and the operating system's text and retried after a back-off of
     * reconnect_min_ms doubling up to reconnect_max_ms (on_close tells the upper layer).
     * on_open's `peer` is the device path. host and port are ignored. */
    /** @{ */
    const char *serial_device;        /**< e.g. "/dev/ttyUSB0" (required) */
    uint32_t serial_baud;             /**< a standard termios speed, 50..4000000 (default 9600) */
    uint8_t serial_data_bits;         /**< 7 or 8 (default 8) */
    dnp3_serial_parity serial_parity; /**< default none */
    uint8_t serial_stop_bits;         /**< 1 or 2 (default 1) */
    bool serial_rtscts;               /**< RTS/CTS hardware flow control (default off) */
    /** RS-485 turnaround: after the last octet received, wait this long before transmitting, so a
     * half-duplex transceiver of the other station has released the line (default 0) */
    uint32_t serial_turnaround_ms;
    /** Collision avoidance on a shared line (IEEE 1815 multi-drop practice, for outstations that
     * send unsolicited responses): a transmission starts only once the line has been idle - no
     * octet received - for tx_idle_ms plus a random 0..tx_backoff_ms, drawn anew for every
     * transmission and counted from the later of the last octet received and the moment the
     * output became ready (listen before talk), so two outstations that become ready together do
     * not start together. 0 and 0 (the default) send at once (after the turnaround delay). */
    uint32_t serial_tx_idle_ms;
    uint32_t serial_tx_backoff_ms; /**< the random part of the idle time (default 0) */
    /** @} */
} dnp3_io_config;

/** A running endpoint (opaque), from dnp3_io_start. */
typedef struct dnp3_io dnp3_io;

/**
 * Fills the first `size` octets of *c with the defaults and sets c->size to `size` (at most
 * sizeof(dnp3_io_config)): a program built against an older, smaller header gets its own fields and nothing
 * is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_io_config_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_io_config_init_size(dnp3_io_config *c, dnp3_io_kind kind, size_t size);
/**
 * Fills *c with the defaults for `kind`: host "127.0.0.1" for a TCP client,
 * else "0.0.0.0"; port 20000; DNP3_IO_REPLACE_OLD; reconnect 1000..30000 ms,
 * connect timeout 5000 ms, reconnect on; serial: 9600 baud, 8 data bits, no
 * parity, 1 stop bit, no flow control, no turnaround or idle delay; everything
 * else 0 / NULL (no TLS, no serial device).
 */
static inline void dnp3_io_config_init(dnp3_io_config *c, dnp3_io_kind kind)
{
    dnp3_io_config_init_size(c, kind, sizeof *c);
}

/**
 * Starts the endpoint on `loop` around an already-built channel (NULL for
 * DNP3_IO_TCP_LISTEN, whose sessions bring their own). The channel is reset
 * when a connection opens. Returns DNP3_OK (0) or a library error code
 * (dnp3/types.h, never libuv's); *out receives the handle:
 *   - DNP3_ERR_INVALID_ARG for a NULL loop, config or out, a size field out of
 *     its range (see dnp3_io_config::size),
 *     a missing channel (other kinds than TCP_LISTEN) or TLS with UDP;
 *   - DNP3_ERR_NOMEM when the handle cannot be allocated;
 *   - DNP3_ERR_IO_ADDRESS when host (or udp_peer_host) cannot be resolved;
 *   - DNP3_ERR_CONFIG for a serial endpoint without a device, a speed that is
 *     not a standard termios speed, data bits other than 7 or 8, stop bits
 *     other than 1 or 2, or an unknown parity (logged through upper->log);
 *     a serial device that cannot be opened is not an error here: it is logged
 *     and retried (like a TCP client's connection);
 *   - DNP3_ERR_IO_ADDR_IN_USE, DNP3_ERR_IO_ADDR_NOT_AVAILABLE,
 *     DNP3_ERR_IO_PERMISSION or else DNP3_ERR_IO when the socket cannot be
 *     bound or cannot listen.
 *
 * A resolution, bind or listen failure is also logged through upper->log with
 * the operating system's own text. A TCP client connects after this call
 * returns: its failures go to upper->log and upper->on_close. On failure *out
 * is NULL (or untouched for the argument checks).
 *
 * SIGPIPE: a write to a connection the peer has just closed would raise it and end the
 * process; if the program left SIGPIPE at its default, this call sets it to be ignored (the
 * failed write then ends the connection). A disposition the program set itself is kept.
 */
DNP3_API int dnp3_io_start(uv_loop_t *loop, const dnp3_io_config *c, dnp3_channel *ch, const dnp3_io_upper *upper,
                           dnp3_io **out);

/** Runs pump/drain/timer now: call after changing upper-layer state from outside I/O. On a listener
 * (DNP3_IO_TCP_LISTEN, or UDP with config.accept) every session is serviced. */
DNP3_API void dnp3_io_kick(dnp3_io *io);

/**
 * While a listener's config.accept runs (and so while dnp3_io_outstation_listen's factory runs):
 * the common name of the certificate the TLS master being accepted presented (its identity,
 * already verified by the endpoint's TLS settings). NULL for plain TCP, UDP or outside accept.
 */
DNP3_API const char *dnp3_io_accepting_tls_name(const dnp3_io *io);

/** True while a connection (or the UDP socket, or the serial port) is open. */
DNP3_API bool dnp3_io_connected(const dnp3_io *io);

/** The local port actually bound (useful with port 0); 0 for a TCP client or on error. */
DNP3_API uint16_t dnp3_io_local_port(const dnp3_io *io);

/**
 * Closes sockets and timers; `io` is freed once libuv has closed every handle.
 * What the core has queued is sent first: a TCP connection is shut down after
 * its pending writes (e.g.\ the final application CONFIRM) have gone out.
 */
DNP3_API void dnp3_io_stop(dnp3_io *io);

/** Monotonic milliseconds of the loop (the `now` the core sees). */
DNP3_API dnp3_tstamp dnp3_io_now(uv_loop_t *loop);

/** Wall-clock UTC in milliseconds since 1970 (for DNP3 timestamps and time sync). */
DNP3_API uint64_t dnp3_io_utc_ms(void);

#ifdef __cplusplus
}
#endif
#endif
