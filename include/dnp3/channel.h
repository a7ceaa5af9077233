/**
 * \file
 * dnp3/channel.h - a sans-I/O link + transport endpoint (IEEE 1815-2012 clause 9
 * data link layer and clause 8 transport function) shared by outstations and
 * masters.
 *
 * A channel turns received octets into complete application fragments and
 * application fragments into link frames:
 *
 * \verbatim
     bytes in  -> dnp3_channel_read(ch, in, len, now)
                    -> link parser (close / discard / datagram mode)
                    -> secondary-station rules (ACK, LINK_STATUS replies queued)
                    -> transport reassembly
                    -> config.on_fragment(ctx, fragment, now)     (upper layer)
     fragment  -> dnp3_channel_send(ch, dest, apdu, len)           (queued)
     bytes out <- dnp3_channel_write(ch, dst, cap)                (one chunk per call)
     timers    <- dnp3_channel_get_expiry(ch) / dnp3_channel_handle_expiry(ch, now)
   \endverbatim
 *
 * Every output chunk is either one link reply frame or ALL the frames of one
 * fragment back to back, so a runtime can send a whole fragment with one
 * write (TCP) or one datagram (UDP). Except in confirmed mode
 * (`link_confirmed`, docs/link-transport.md "Confirmed user data"): there an
 * output chunk is ONE frame (RESET_LINK_STATES, or one CONFIRMED_USER_DATA
 * frame of a fragment), and the next frame of the fragment is queued only when
 * the remote station has acknowledged this one (IEEE 1815-2012 clause 9.2.6,
 * primary station). Broadcast fragments are still sent unconfirmed, whole.
 *
 * Inter-character timeout (serial mode, `char_timeout_ms`): a partial frame
 * whose next octet arrives more than char_timeout_ms after the previous one is
 * dropped and parsing restarts with that octet; a partial frame that gets no
 * octet at all is dropped at that deadline (dnp3_channel_handle_expiry). All
 * octets of one dnp3_channel_read count as arriving at its `now`.
 *
 * Keep-alive (docs/protocol-notes.md §1.6): after `keep_alive_ms` without a received frame the
 * channel sends REQUEST_LINK_STATUS to the remote station; if no frame arrives
 * within `link_timeout_ms` the channel asks the runtime to close the connection
 * (dnp3_channel_handle_expiry returns DNP3_ERR_LINK_CLOSED). A framing error in
 * DNP3_CHANNEL_STREAM mode does the same from dnp3_channel_read.
 *
 * Memory: one block of dnp3_channel_memory_size(config) octets, provided by
 * the caller (static storage on a microcontroller, malloc in a runtime),
 * aligned like max_align_t. Nothing allocates after dnp3_channel_init.
 * Objects are single-threaded; the fragment callback runs only inside
 * dnp3_channel_read and may call dnp3_channel_send.
 */
#ifndef DNP3_CHANNEL_H
#define DNP3_CHANNEL_H

#include "dnp3/export.h"
#include "dnp3/link.h"
#include "dnp3/transport.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How octets arrive. */
typedef enum {
    DNP3_CHANNEL_STREAM = 0, /**< TCP/TLS: a framing error closes the connection */
    DNP3_CHANNEL_SERIAL,     /**< serial line / terminal server: drop an octet and resync on 05 64 */
    DNP3_CHANNEL_DATAGRAM,   /**< UDP: every read is one datagram holding whole frames */
} dnp3_channel_mode;

/**
 * What a framing error (bad start octets, LENGTH < 5, bad header or block CRC)
 * does to a stream channel (docs/link-transport.md, "Framing errors").
 * Datagram mode ignores it: a bad datagram is dropped.
 */
typedef enum {
    DNP3_FRAMING_BY_MODE = 0, /**< STREAM closes, SERIAL resyncs (the default) */
    DNP3_FRAMING_CLOSE,       /**< close the connection (DNP3_CHANNEL_CLOSE_FRAMING) */
    DNP3_FRAMING_RESYNC,      /**< drop the bad frame's first octet and resync on 05 64 */
} dnp3_framing_policy;

/** The broadcast kind of a received fragment (link destination, docs/protocol-notes.md §1.3). */
typedef enum {
    DNP3_BCAST_NONE = 0,    /**< not a broadcast: addressed to this station */
    DNP3_BCAST_NO_CONFIRM,  /**< 0xFFFD: application confirm not required */
    DNP3_BCAST_CONFIRM,     /**< 0xFFFE: application confirm mandatory */
    DNP3_BCAST_OPT_CONFIRM, /**< 0xFFFF: application confirm optional */
} dnp3_broadcast_kind;

/** Why the channel wants its connection closed. */
typedef enum {
    DNP3_CHANNEL_OPEN = 0,        /**< the channel does not want to be closed */
    DNP3_CHANNEL_CLOSE_FRAMING,   /**< framing/CRC error (stream mode, or DNP3_FRAMING_CLOSE) */
    DNP3_CHANNEL_CLOSE_KEEPALIVE, /**< REQUEST_LINK_STATUS not answered in time */
} dnp3_channel_close_reason;

/** A complete application fragment. `apdu` is valid only during the callback. */
typedef struct {
    const uint8_t *apdu;           /**< the fragment (application header and objects) */
    size_t len;                    /**< its length */
    uint16_t src;                  /**< link source address */
    uint16_t dest;                 /**< link destination as received (own, 0xFFFC or broadcast) */
    dnp3_broadcast_kind broadcast; /**< the broadcast kind of dest (DNP3_BCAST_NONE if none) */
} dnp3_channel_fragment;

/** The fragment callback (dnp3_channel_config::on_fragment): runs inside dnp3_channel_read with config.ctx. */
typedef void (*dnp3_channel_fragment_fn)(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now);

/**
 * Configuration of a channel: set it up with dnp3_channel_config_init, then
 * change fields. A size field below the layout up to `ctx` or above
 * sizeof(dnp3_channel_config) is refused; fields past a smaller size keep
 * their defaults.
 */
typedef struct {
    uint32_t size;                        /**< sizeof(dnp3_channel_config); set by dnp3_channel_config_init */
    bool is_master;                       /**< our role: sets DIR, filters echoes */
    uint16_t local_addr;                  /**< our link address */
    uint16_t remote_addr;                 /**< the peer: keep-alive target, default fragment destination */
    bool accept_any_remote;               /**< deliver fragments from any source (else only from remote_addr);
                                               the keep-alive then goes to the last source heard */
    bool self_addr_enabled;               /**< accept destination 0xFFFC as our own */
    dnp3_channel_mode mode;               /**< how octets arrive (default DNP3_CHANNEL_STREAM) */
    size_t max_rx_fragment;               /**< reassembly limit, >= 249 (default 2048) */
    size_t max_tx_fragment;               /**< largest fragment dnp3_channel_send accepts (default 2048) */
    uint32_t keep_alive_ms;               /**< 0 = no keep-alive (default 60000) */
    uint32_t link_timeout_ms;             /**< answer timeout for REQUEST_LINK_STATUS (default 1000) */
    dnp3_channel_fragment_fn on_fragment; /**< may be NULL (fragments are dropped) */
    void *ctx;                            /**< first argument of on_fragment */
    dnp3_framing_policy framing;          /**< on a framing error (default DNP3_FRAMING_BY_MODE) */
    /** send fragments as CONFIRMED_USER_DATA, each frame acknowledged, after RESET_LINK_STATES
     * (broadcasts excepted; default false) */
    bool link_confirmed;
    uint32_t link_confirm_timeout_ms; /**< ACK timeout of confirmed mode, > 0 (default 2000) */
    uint32_t link_retries;            /**< resends after an ACK timeout, 0..255 (default 3) */
    uint32_t char_timeout_ms;         /**< serial mode: most ms between octets of a frame (0 = off, default) */
} dnp3_channel_config;

/** Counters of a channel (dnp3_channel_get_stats). */
typedef struct {
    uint64_t fragments_rx;          /**< complete fragments reassembled (delivered to on_fragment if set) */
    uint64_t fragments_tx;          /**< fragments queued by dnp3_channel_send */
    uint64_t frames_ignored;        /**< wrong address/direction, invalid control */
    uint64_t frames_other_source;   /**< from a source other than remote_addr */
    uint64_t link_replies_dropped;  /**< no room in the output queue */
    uint64_t keep_alives_sent;      /**< REQUEST_LINK_STATUS frames queued */
    uint64_t link_resets_sent;      /**< confirmed mode: RESET_LINK_STATES frames queued (resends included) */
    uint64_t link_retransmissions;  /**< confirmed mode: frames sent again after an ACK timeout */
    uint64_t link_nacks;            /**< confirmed mode: NACKs received from the remote station */
    uint64_t link_confirm_failures; /**< confirmed mode: fragments dropped unacknowledged (retries used up, ...) */
    uint64_t char_timeouts;         /**< partial frames dropped by the inter-character timeout */
} dnp3_channel_stats;

/** A channel, built by dnp3_channel_init in caller memory (opaque). */
typedef struct dnp3_channel dnp3_channel;

/**
 * Fills the first `size` octets of *c with the defaults and sets c->size to `size` (at most
 * sizeof(dnp3_channel_config)): a program built against an older, smaller header gets its own fields and nothing
 * is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_channel_config_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_channel_config_init_size(dnp3_channel_config *c, size_t size);
/** Fills *c with the defaults (outstation 10 <- master 1, TCP, 2048/2048, keep-alive 60 s / 1 s,
 * unconfirmed user data (confirmed: 2 s ACK timeout, 3 retries), no inter-character timeout). */
static inline void dnp3_channel_config_init(dnp3_channel_config *c)
{
    dnp3_channel_config_init_size(c, sizeof *c);
}

/**
 * Octets one channel with this configuration needs (struct, reassembly buffer
 * and output queue). Returns 0 if the configuration is invalid
 * (max_rx_fragment < 249, max_tx_fragment == 0 or > 65535, bad size field,
 * c NULL; also max_rx_fragment above 0xFFFFFF and an unknown mode).
 */
DNP3_API size_t dnp3_channel_memory_size(const dnp3_channel_config *c);
/**
 * Why a channel configuration is refused: DNP3_OK, or DNP3_ERR_CONFIG with *field (if field is
 * not NULL) set to the first bad field: "size", "max_rx_fragment", "max_tx_fragment", "mode",
 * "framing", "link_confirm_timeout_ms", "link_retries" ("config" for NULL).
 */
DNP3_API int dnp3_channel_config_check(const dnp3_channel_config *c, const char **field);

/**
 * Builds a channel in mem[0..size) (aligned for max_align_t). `now` starts the
 * keep-alive period. Returns the channel (== mem) or NULL when the memory is
 * NULL, too small or misaligned or the configuration is invalid.
 */
DNP3_API dnp3_channel *dnp3_channel_init(void *mem, size_t size, const dnp3_channel_config *c, dnp3_tstamp now);

/**
 * Feeds received octets (stream modes: any chunking; datagram mode: exactly one
 * datagram). Complete fragments go to config.on_fragment; link replies are
 * queued for dnp3_channel_write. Returns DNP3_OK, or DNP3_ERR_LINK_CLOSED when
 * the connection must be closed (stream-mode framing error, now or earlier;
 * dnp3_channel_close_reason says why). Datagram errors only drop that datagram.
 * DNP3_ERR_INVALID_ARG for in NULL with len > 0.
 */
DNP3_API int dnp3_channel_read(dnp3_channel *ch, const uint8_t *in, size_t len, dnp3_tstamp now);

/**
 * Queues one fragment for `dest` as unconfirmed user data (confirmed user data
 * with link_confirmed, unless dest is a broadcast address). Returns DNP3_OK,
 * DNP3_ERR_INVALID_ARG (apdu NULL, len 0 or > max_tx_fragment) or DNP3_ERR_BUFFER_TOO_SMALL
 * (the output queue is full: drain it with dnp3_channel_write and retry).
 */
DNP3_API int dnp3_channel_send(dnp3_channel *ch, uint16_t dest, const uint8_t *apdu, size_t len);

/** Returns true if a fragment of len octets can be queued now. */
DNP3_API bool dnp3_channel_can_send(const dnp3_channel *ch, size_t len);

/**
 * Moves the next output chunk (one link reply, or all frames of one fragment;
 * in confirmed mode one frame) into dst. Returns its length, 0 if nothing is queued, or
 * DNP3_ERR_BUFFER_TOO_SMALL (nothing removed; dnp3_channel_pending gives the size).
 */
DNP3_API int dnp3_channel_write(dnp3_channel *ch, uint8_t *dst, size_t cap);

/**
 * dnp3_channel_write, telling the channel the time: in confirmed mode the ACK timer of the
 * frame written starts at `now` (with dnp3_channel_write it starts at the next read or
 * expiry call; dnp3_channel_get_expiry returns 0 meanwhile). Same returns.
 */
DNP3_API int dnp3_channel_write_at(dnp3_channel *ch, uint8_t *dst, size_t cap, dnp3_tstamp now);

/** Returns the length of the next output chunk (0 if none). */
DNP3_API size_t dnp3_channel_pending(const dnp3_channel *ch);

/**
 * Returns the next deadline (ms) or DNP3_TSTAMP_NEVER (no timer running, or the channel wants
 * to be closed): keep-alive, the ACK timeout of confirmed mode (0 right after a frame was
 * written with dnp3_channel_write: call dnp3_channel_handle_expiry to start it), the
 * inter-character timeout.
 */
DNP3_API dnp3_tstamp dnp3_channel_get_expiry(const dnp3_channel *ch);

/**
 * Runs the timers due at `now` (sends the keep-alive request; detects an
 * unanswered one; resends an unacknowledged frame or gives its fragment up;
 * drops a partial frame past the inter-character timeout). Returns DNP3_OK or DNP3_ERR_LINK_CLOSED (close the
 * connection; also returned while the channel already wants to be closed).
 */
DNP3_API int dnp3_channel_handle_expiry(dnp3_channel *ch, dnp3_tstamp now);

/**
 * Starts over for a new connection: forgets partial frames and fragments,
 * empties the output queue, re-opens a closed parser, resets the link state
 * and the transport sequence, restarts the keep-alive period at `now`.
 */
DNP3_API void dnp3_channel_reset(dnp3_channel *ch, dnp3_tstamp now);

/** Returns why the channel wants to be closed (DNP3_CHANNEL_OPEN if it does not). */
DNP3_API dnp3_channel_close_reason dnp3_channel_close_reason_get(const dnp3_channel *ch);

/** Returns the channel's counters (never NULL). */
DNP3_API const dnp3_channel_stats *dnp3_channel_get_stats(const dnp3_channel *ch);

/** Returns the link parser / transport receiver for diagnostics (never NULL). */
DNP3_API const dnp3_link_parser *dnp3_channel_link_parser(const dnp3_channel *ch);
/** Returns the channel's transport receiver for diagnostics (never NULL). */
DNP3_API const dnp3_transport_rx *dnp3_channel_transport_rx(const dnp3_channel *ch);

/** Returns the configured remote (peer) address. */
DNP3_API uint16_t dnp3_channel_remote_addr(const dnp3_channel *ch);

/** Maps a link destination address to its broadcast kind (DNP3_BCAST_NONE for others). */
DNP3_API dnp3_broadcast_kind dnp3_broadcast_kind_of(uint16_t dest);

#ifdef __cplusplus
}
#endif
#endif
