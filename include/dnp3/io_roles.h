/**
 * \file
 * dnp3/io_roles.h - ready-made runtime bindings of the two DNP3 roles: an
 * outstation (dnp3/outstation.h) or a master (dnp3/master.h) on a channel
 * driven by the libuv runtime (dnp3/io.h). They create the channel, route its
 * fragments, move the role's output into it, follow connects and disconnects,
 * and run the role's timers.
 */
#ifndef DNP3_IO_ROLES_H
#define DNP3_IO_ROLES_H

#include "dnp3/export.h"
#include "dnp3/io.h"
#include "dnp3/master.h"
#include "dnp3/outstation.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Optional hooks of a binding (any may be NULL). */
typedef struct {
    void *ctx; /**< first argument of every hook */
    /** a connection (TCP) or the socket (UDP) is up; `peer` is "ip:port" */
    void (*on_open)(void *ctx, const char *peer, dnp3_tstamp now);
    /** the connection is gone; `reason` says why */
    void (*on_close)(void *ctx, const char *reason, dnp3_tstamp now);
    /** octets received */
    void (*on_rx)(void *ctx, const uint8_t *data, size_t len);
    /** octets sent */
    void (*on_tx)(void *ctx, const uint8_t *data, size_t len);
    /** one-line log messages (connection accepted, rejected, ...) */
    void (*log)(void *ctx, const char *msg);
} dnp3_io_hooks;

/** An outstation served over one runtime endpoint (opaque), from dnp3_io_outstation_start. */
typedef struct dnp3_io_outstation dnp3_io_outstation;

/**
 * Serves `os` (built with config.link_layer = false) over the endpoint `ioc`. With
 * cc->accept_any_remote a master of any link address is served: responses and unsolicited data
 * go to the source of the last request, and the outstation goes online at the first fragment of
 * each connection (rather than when it opens), so its start-up unsolicited response reaches
 * that master.
 * `cc` gives the channel settings (addresses, mode, keep-alive, fragment
 * sizes); its role, fragment callback and context are set here. The
 * outstation is offline until a connection opens (TCP) or at once (UDP with a
 * fixed peer). Returns DNP3_OK (0) or a library error code: DNP3_ERR_INVALID_ARG
 * for a NULL loop, ioc, cc, os or out, DNP3_ERR_CONFIG for a channel configuration
 * that is refused, DNP3_ERR_NOMEM when an allocation fails, or what
 * dnp3_io_start returns (DNP3_ERR_IO_ADDR_IN_USE, ...).
 */
DNP3_API int dnp3_io_outstation_start(uv_loop_t *loop, const dnp3_io_config *ioc, const dnp3_channel_config *cc,
                                      dnp3_outstation *os, const dnp3_io_hooks *hooks, dnp3_io_outstation **out);

/** Call after updating the database from outside I/O, so events go out at once. (dnp3_io_kick on a
 * listener's endpoint, dnp3_io_outstation_listener_io, services every session of it.) */
DNP3_API void dnp3_io_outstation_kick(dnp3_io_outstation *b);

/** The runtime endpoint (for dnp3_io_local_port, dnp3_io_connected). */
DNP3_API dnp3_io *dnp3_io_outstation_io(dnp3_io_outstation *b);

/** Stops the endpoint and frees the binding (the outstation stays the caller's). */
DNP3_API void dnp3_io_outstation_stop(dnp3_io_outstation *b);

/** The binding's channel (for dnp3_channel_get_stats: on a shared serial line, frames_ignored
 * counts the frames addressed to other stations). */
DNP3_API dnp3_channel *dnp3_io_outstation_channel(dnp3_io_outstation *b);

/** A master on a runtime endpoint (opaque), from dnp3_io_master_create. */
typedef struct dnp3_io_master dnp3_io_master;

/**
 * Creates a master (config `mc`) on a channel (settings `cc`). Add
 * associations with dnp3_master_add_assoc(dnp3_io_master_get(b), ...), then
 * open the endpoint with dnp3_io_master_open. Returns DNP3_OK (0),
 * DNP3_ERR_INVALID_ARG (a NULL loop, cc, mc or out), DNP3_ERR_CONFIG (a master or
 * channel configuration that is refused) or DNP3_ERR_NOMEM.
 */
DNP3_API int dnp3_io_master_create(uv_loop_t *loop, const dnp3_channel_config *cc, const dnp3_master_config *mc,
                                   const dnp3_io_hooks *hooks, dnp3_io_master **out);

/** Opens the endpoint `ioc` (TCP client or UDP). Returns DNP3_OK (0), what
 * dnp3_io_start returns, DNP3_ERR_INVALID_ARG also for b or ioc NULL, or
 * DNP3_ERR_STATE when the endpoint is already open. */
DNP3_API int dnp3_io_master_open(dnp3_io_master *b, const dnp3_io_config *ioc);

/** The binding's master (for dnp3_master_add_assoc and the task functions). */
DNP3_API dnp3_master *dnp3_io_master_get(dnp3_io_master *b);
/** The runtime endpoint (NULL before dnp3_io_master_open). */
DNP3_API dnp3_io *dnp3_io_master_io(dnp3_io_master *b);

/** Call after submitting tasks from outside I/O so requests go out at once. */
DNP3_API void dnp3_io_master_kick(dnp3_io_master *b);

/** Stops the endpoint (after sending what is queued) and frees the binding and the master. */
DNP3_API void dnp3_io_master_stop(dnp3_io_master *b);

/* ---- an outstation instance per accepted connection ---- */

/** Builds the outstation (config.link_layer = false) that serves one connection, or NULL to refuse it. */
typedef dnp3_outstation *(*dnp3_io_outstation_factory)(void *ctx, const char *peer);
/** Called when that connection has ended: the outstation may be freed. */
typedef void (*dnp3_io_outstation_release)(void *ctx, dnp3_outstation *os);

/** A listener serving an outstation per connection (opaque), from dnp3_io_outstation_listen. */
typedef struct dnp3_io_outstation_listener dnp3_io_outstation_listener;

/**
 * Listens on `ioc` (its kind is set to DNP3_IO_TCP_LISTEN here, unless it is DNP3_IO_UDP) and
 * serves every accepted connection with its own outstation from `factory` (one per master:
 * event state is per master, docs/protocol-notes.md §5.10), on a channel with settings `cc`.
 * With a DNP3_IO_UDP `ioc` every source address (ip:port) is a master of its own: its first
 * datagram asks `factory` for a session (refused sources are logged once), replies go back to
 * it through the one socket, and the session ends (`release`) when its link keep-alive
 * (cc->keep_alive_ms) goes unanswered or the listener stops. The outstations may be sessions
 * on one point database (dnp3_outstation_init_session): docs/outstation.md "Several masters".
 * Returns DNP3_OK (0) or a library error code: DNP3_ERR_INVALID_ARG for a NULL
 * loop, ioc, cc, factory or out, DNP3_ERR_NOMEM, or what dnp3_io_start returns.
 */
DNP3_API int dnp3_io_outstation_listen(uv_loop_t *loop, const dnp3_io_config *ioc, const dnp3_channel_config *cc,
                                       dnp3_io_outstation_factory factory, dnp3_io_outstation_release release,
                                       void *ctx, const dnp3_io_hooks *hooks, dnp3_io_outstation_listener **out);
/** The listener's runtime endpoint (for dnp3_io_local_port). */
DNP3_API dnp3_io *dnp3_io_outstation_listener_io(dnp3_io_outstation_listener *l);
/** Ends every session (each outstation goes to `release`) and stops listening; frees the listener. NULL is
 * accepted. */
DNP3_API void dnp3_io_outstation_listener_stop(dnp3_io_outstation_listener *l);

/* ---- a master accepting outstations that dial in ---- */

/**
 * Decides whether an outstation that dialled in with link address `address`
 * is served, and how: fill *ac (already initialised with defaults and the
 * address) and return true, or return false to refuse it.
 */
typedef bool (*dnp3_io_route_fn)(void *ctx, uint16_t address, dnp3_assoc_config *ac);

/** A listener serving outstations that dial in (opaque), from dnp3_io_master_listen. */
typedef struct dnp3_io_master_listener dnp3_io_master_listener;

/**
 * Listens on `ioc` (host and port; its kind is set to DNP3_IO_TCP_LISTEN here)
 * for outstations that connect to the master (cellular and dial-up practice).
 * Every connection gets its own channel (settings `cc`; any source address
 * accepted) and master (`mc`, one association). The outstation is identified
 * by the link source address of its first fragment (normally its start-up
 * null unsolicited response) and `route` decides its association. Measurement
 * and task callbacks of `mc.handler` receive mc.handler.ctx as usual.
 * Returns DNP3_OK (0) or a library error code: DNP3_ERR_INVALID_ARG for a NULL
 * loop, ioc, cc, mc or out, DNP3_ERR_NOMEM, or what dnp3_io_start returns.
 */
DNP3_API int dnp3_io_master_listen(uv_loop_t *loop, const dnp3_io_config *ioc, const dnp3_channel_config *cc,
                                   const dnp3_master_config *mc, dnp3_io_route_fn route, void *route_ctx,
                                   const dnp3_io_hooks *hooks, dnp3_io_master_listener **out);

/** The listener's runtime endpoint (for dnp3_io_local_port). */
DNP3_API dnp3_io *dnp3_io_master_listener_io(dnp3_io_master_listener *l);

/** Ends every session and stops listening; frees the listener. */
DNP3_API void dnp3_io_master_listener_stop(dnp3_io_master_listener *l);

#ifdef __cplusplus
}
#endif
#endif
