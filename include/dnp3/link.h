/**
 * \file
 * dnp3/link.h - DNP3 data link layer (IEEE 1815-2012 clause 9, FT3 frame format).
 *
 *  - CRC-16/DNP (clause 9.2.4.3): polynomial 0x3D65 reflected, init 0, final complement.
 *  - Frame format and parse: 05 64 LEN CTRL DST SRC CRC, then user data in blocks
 *    of <= 16 octets each followed by its CRC; at most 250 user-data octets,
 *    292 octets per frame.
 *  - A streaming parser that accepts bytes in arbitrary chunks (one at a time is
 *    fine) and either resyncs on 05 64 after an error (discard mode, for serial
 *    lines and terminal servers) or stops (close mode, the default for TCP).
 *  - The secondary-station rules (clause 9.2.6): link status, reset, confirmed user
 *    data with FCB tracking, address and DIR filtering, broadcast.
 *
 * Sans-I/O: nothing here allocates, reads a clock or touches a socket.
 */
#ifndef DNP3_LINK_H
#define DNP3_LINK_H

#include "dnp3/export.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Octets of the frame header: 05 64 LEN CTRL DST(2) SRC(2) CRC(2). */
#define DNP3_LINK_HEADER_SIZE 10
/** Most user-data octets one frame carries. */
#define DNP3_LINK_MAX_USER_DATA 250
/** Largest encoded frame: header plus 250 user-data octets in 16 blocks, each with its CRC. */
#define DNP3_LINK_MAX_FRAME 292
/** User-data octets per CRC-protected block (the last block may be shorter). */
#define DNP3_LINK_BLOCK_SIZE 16

/** \name CONTROL octet bits */
/** @{ */
#define DNP3_LINK_DIR 0x80       /**< 1 = sent by a master */
#define DNP3_LINK_PRM 0x40       /**< 1 = primary (initiating) frame */
#define DNP3_LINK_FCB 0x20       /**< frame count bit (primary) */
#define DNP3_LINK_FCV 0x10       /**< frame count valid (primary) */
#define DNP3_LINK_DFC 0x10       /**< data flow control (secondary) */
#define DNP3_LINK_FUNC_MASK 0x0F /**< the function code (low nibble) */
/** @} */

/** primary function codes (PRM = 1) */
typedef enum {
    DNP3_LINK_RESET_LINK_STATES = 0,     /**< reset the secondary station's link state (answered with ACK) */
    DNP3_LINK_RESET_USER_PROCESS = 1,    /**< obsolete */
    DNP3_LINK_TEST_LINK_STATES = 2,      /**< test the link (FCB checked; answered with ACK) */
    DNP3_LINK_CONFIRMED_USER_DATA = 3,   /**< user data to acknowledge (FCB checked) */
    DNP3_LINK_UNCONFIRMED_USER_DATA = 4, /**< user data, no link-layer answer */
    DNP3_LINK_REQUEST_LINK_STATUS = 9,   /**< answered with LINK_STATUS (keep-alive) */
} dnp3_link_primary_func;

/** secondary function codes (PRM = 0) */
typedef enum {
    DNP3_LINK_ACK = 0,              /**< positive acknowledgement */
    DNP3_LINK_NACK = 1,             /**< negative acknowledgement */
    DNP3_LINK_LINK_STATUS = 11,     /**< answer to REQUEST_LINK_STATUS */
    DNP3_LINK_NOT_FUNCTIONING = 14, /**< obsolete */
    DNP3_LINK_NOT_SUPPORTED = 15,   /**< the primary function is not supported */
} dnp3_link_secondary_func;

/** \name addresses (clause 9.2.5.3) */
/** @{ */
#define DNP3_ADDR_MAX_NORMAL 0xFFEFu        /**< highest normal station address (0x0000..0xFFEF) */
#define DNP3_ADDR_SELF 0xFFFCu              /**< self address: a station that enables it accepts it as its own */
#define DNP3_ADDR_BCAST_NO_CONFIRM 0xFFFDu  /**< application confirm not required */
#define DNP3_ADDR_BCAST_CONFIRM 0xFFFEu     /**< application confirm mandatory */
#define DNP3_ADDR_BCAST_OPT_CONFIRM 0xFFFFu /**< application confirm optional */
/** @} */

/** Returns true for the broadcast addresses 0xFFFD..0xFFFF. */
static inline bool dnp3_addr_is_broadcast(uint16_t a)
{
    return a >= DNP3_ADDR_BCAST_NO_CONFIRM;
}

/* ---- CRC ---- */

/** CRC-16/DNP of n octets, already complemented (the value sent low octet first). */
DNP3_API uint16_t dnp3_crc16(const void *data, size_t n);

/** Bit-by-bit reference implementation (for tests and benchmarks). */
DNP3_API uint16_t dnp3_crc16_reference(const void *data, size_t n);

/* ---- frames ---- */

/** A parsed frame. `data` points into the parser (or caller) buffer that produced it. */
typedef struct {
    uint8_t control;     /**< CONTROL octet (DIR, PRM, FCB/FCV or DFC, function) */
    uint16_t dest;       /**< destination address */
    uint16_t src;        /**< source address */
    const uint8_t *data; /**< user data without block CRCs */
    size_t len;          /**< 0..250 */
} dnp3_link_frame;

/** Encoded size of a frame carrying n user-data octets (n <= 250; 0 if n > 250). */
DNP3_API size_t dnp3_link_frame_size(size_t n);

/**
 * Formats one frame into dst. Returns the number of octets written, or
 * DNP3_ERR_INVALID_ARG (len > 250, or data NULL with len > 0) /
 * DNP3_ERR_BUFFER_TOO_SMALL (dst NULL or cap too small; nothing meaningful is written).
 */
DNP3_API int dnp3_link_format(uint8_t *dst, size_t cap, uint8_t control, uint16_t dest, uint16_t src,
                              const uint8_t *data, size_t len);

/**
 * Parses exactly one complete frame held in buf[0..len) (a datagram or a test
 * vector). User data is de-blocked into `scratch` (>= 250 octets) and
 * frame->data points there. Returns the frame's encoded size, or a negative
 * `DNP3_ERR_LINK_*` error; *err_offset (if not NULL) receives the offset of the
 * first bad octet (for a body CRC error: the start of the bad block).
 * DNP3_ERR_LINK_TRUNCATED means buf ended before the frame did.
 */
DNP3_API int dnp3_link_parse(const uint8_t *buf, size_t len, uint8_t *scratch, dnp3_link_frame *frame,
                             size_t *err_offset);

/* ---- streaming parser ---- */

/** What the streaming parser does after a framing error. */
typedef enum {
    DNP3_LINK_MODE_CLOSE = 0, /**< any framing error stops the parser (TCP default) */
    DNP3_LINK_MODE_DISCARD,   /**< drop one octet and rescan for 05 64 (serial) */
} dnp3_link_error_mode;

/** Counters of a streaming parser (kept across dnp3_link_parser_reset). */
typedef struct {
    uint64_t frames;           /**< good frames delivered */
    uint64_t bad_header_crc;   /**< DNP3_ERR_LINK_BAD_HEADER_CRC errors */
    uint64_t bad_body_crc;     /**< DNP3_ERR_LINK_BAD_BODY_CRC errors */
    uint64_t bad_length;       /**< DNP3_ERR_LINK_BAD_LENGTH errors */
    uint64_t discarded_octets; /**< octets skipped while resyncing */
} dnp3_link_parser_stats;

/**
 * A streaming link-frame parser (dnp3_link_parser_push). The caller owns the
 * storage; the fields are readable for diagnostics and are changed only by
 * the dnp3_link_parser_* functions.
 */
typedef struct {
    dnp3_link_error_mode mode;             /**< what a framing error does */
    bool closed;                           /**< close mode after an error */
    bool resyncing;                        /**< discard mode: skipping octets until 05 64 after an error */
    size_t have;                           /**< octets buffered in buf */
    size_t need;                           /**< encoded size of the frame in progress (0 = header unknown) */
    uint64_t stream_offset;                /**< stream offset of buf[0] */
    int last_err;                          /**< last error returned */
    uint64_t last_err_offset;              /**< stream offset of the octet the last error names */
    dnp3_link_parser_stats stats;          /**< counters */
    uint8_t buf[DNP3_LINK_MAX_FRAME];      /**< the frame being assembled */
    uint8_t user[DNP3_LINK_MAX_USER_DATA]; /**< de-blocked user data of the frame delivered */
} dnp3_link_parser;

/** Initialises a parser (everything zero, counters included) with the error mode `mode`. */
DNP3_API void dnp3_link_parser_init(dnp3_link_parser *p, dnp3_link_error_mode mode);

/** Forgets any partial frame and re-opens a closed parser (e.g.\ on reconnect).
 * Stream offsets restart at 0; stats are kept. */
DNP3_API void dnp3_link_parser_reset(dnp3_link_parser *p);

/**
 * Drops a partial frame (e.g.\ after an inter-character timeout): the buffered octets are
 * counted in stats.discarded_octets and parsing restarts with the next octet, skipping to
 * 05 64. Returns the number of octets dropped (0 if nothing was buffered).
 */
DNP3_API size_t dnp3_link_parser_discard(dnp3_link_parser *p);

/**
 * Consumes octets from in[0..len) until one frame is complete, an error is
 * found, or the input is exhausted; *consumed receives how many were used.
 * Returns:
 *  - 1: a frame is in *frame (data valid until the next call on this parser);
 *  - 0: all input consumed, no complete frame yet;
 *  - below 0: a `DNP3_ERR_LINK_*` error; p->last_err_offset names the stream offset.
 *    In discard mode the parser has already resynced and the caller simply
 *    calls again with the rest of the input. In close mode every further
 *    call returns DNP3_ERR_LINK_CLOSED until dnp3_link_parser_reset().
 *
 * A result may come from octets buffered by earlier calls, with *consumed
 * smaller than len (even 0): keep calling while input remains. Octets are
 * never left buffered with a deliverable frame or error when all input has
 * been consumed, so `while (len > 0)` loops are sufficient.
 */
DNP3_API int dnp3_link_parser_push(dnp3_link_parser *p, const uint8_t *in, size_t len, size_t *consumed,
                                   dnp3_link_frame *frame);

/* ---- secondary station / receive filtering (clause 9.2.6) ---- */

/**
 * The secondary-station state of one link endpoint and its receive filter
 * (dnp3_link_station_receive).
 */
typedef struct {
    bool is_master;         /**< our role: frames with DIR equal to ours are ignored */
    uint16_t local_addr;    /**< our link address */
    bool self_addr_enabled; /**< accept destination 0xFFFC as our own (outstation) */
    bool reset;             /**< secondary link state reset by RESET_LINK_STATES */
    bool expected_fcb;      /**< FCB the next CONFIRMED_USER_DATA / TEST_LINK_STATES must carry to be new */
    uint64_t ignored;       /**< frames filtered out */
} dnp3_link_station;

/**
 * Initialises a station: role, address, whether 0xFFFC is accepted; not yet
 * reset (CONFIRMED_USER_DATA and TEST_LINK_STATES are ignored until a
 * RESET_LINK_STATES), expected FCB 1, ignored counter 0.
 */
DNP3_API void dnp3_link_station_init(dnp3_link_station *s, bool is_master, uint16_t local_addr,
                                     bool self_addr_enabled);

/** What dnp3_link_station_receive decided about one frame. */
typedef struct {
    /** user data to deliver to the transport layer (NULL/0 if none) */
    const uint8_t *data;
    size_t len;     /**< octets of data (0 if none) */
    uint16_t src;   /**< the frame's source address */
    uint16_t dest;  /**< as received: own address, 0xFFFC or a broadcast address */
    bool broadcast; /**< dest is a broadcast address (never answered) */
    /** a secondary-function reply to send to `src` (ACK, LINK_STATUS, NOT_SUPPORTED) */
    bool reply;
    uint8_t reply_control; /**< control octet of that reply (function and our DIR) */
    /** an ACK or LINK_STATUS addressed to us (answers to our own primary frames);
     * NACK and NOT_SUPPORTED are reported here too */
    bool secondary_received;
    uint8_t secondary_func; /**< its function (dnp3_link_secondary_func) */
} dnp3_link_rx;

/**
 * Applies the receive rules to one good frame. Fills *rx with what to deliver
 * and what to answer. Returns true if the frame was accepted, false if it was
 * ignored (wrong direction, address, invalid FCV, ...).
 */
DNP3_API bool dnp3_link_station_receive(dnp3_link_station *s, const dnp3_link_frame *f, dnp3_link_rx *rx);

/** The control octet for a frame we send: role sets DIR, `prm` sets PRM, func the low nibble (FCB/FCV left 0). */
static inline uint8_t dnp3_link_control(bool is_master, bool prm, uint8_t func)
{
    return (uint8_t)((is_master ? DNP3_LINK_DIR : 0) | (prm ? DNP3_LINK_PRM : 0) | (func & 0x0F));
}

/**
 * Human-readable name of a control octet's function ("UNCONFIRMED_USER_DATA",
 * ...), read as a primary or secondary function according to PRM; "UNKNOWN"
 * for undefined codes. Never NULL.
 */
DNP3_API const char *dnp3_link_func_name(uint8_t control);

#ifdef __cplusplus
}
#endif
#endif
