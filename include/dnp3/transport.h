/**
 * \file
 * dnp3/transport.h - DNP3 transport function (IEEE 1815-2012 clause 8).
 *
 * One header octet per link frame: FIN (0x80), FIR (0x40), SEQ (6 bits).
 * Segmentation: a fragment is cut into <= 249-octet segments; FIR on the
 * first, FIN on the last; SEQ increments by one (mod 64) for every segment sent.
 * Reassembly (clause 8.3.1.4): a FIR segment always starts a new series,
 * discarding any partial one; a non-FIR segment without a series in progress,
 * out of sequence, or from another source discards; the fragment size is capped.
 *
 * Sans-I/O: the reassembly buffer is provided by the caller.
 */
#ifndef DNP3_TRANSPORT_H
#define DNP3_TRANSPORT_H

#include "dnp3/export.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNP3_TRANSPORT_FIN 0x80      /**< transport header bit: final segment of a fragment */
#define DNP3_TRANSPORT_FIR 0x40      /**< transport header bit: first segment of a fragment */
#define DNP3_TRANSPORT_SEQ_MASK 0x3F /**< transport header: the 6-bit sequence number */
#define DNP3_TRANSPORT_MAX_PAYLOAD                                                                                \
    249 /**< fragment octets per segment (250 user-data octets minus the header)                                  \
         */

/** Why a segment or series was discarded (last_discard, counted in stats). */
typedef enum {
    DNP3_TRANSPORT_OK = 0,          /**< nothing discarded by the last call */
    DNP3_TRANSPORT_EMPTY_SEGMENT,   /**< zero-length user data */
    DNP3_TRANSPORT_NO_FIR,          /**< non-FIR segment with no series in progress */
    DNP3_TRANSPORT_BAD_SEQUENCE,    /**< non-FIR segment out of sequence: series dropped */
    DNP3_TRANSPORT_OTHER_SOURCE,    /**< segment from another source: series dropped */
    DNP3_TRANSPORT_OVERFLOW,        /**< fragment larger than the buffer: series dropped */
    DNP3_TRANSPORT_FIR_RESTART,     /**< FIR while a series was in progress: old one dropped */
    DNP3_TRANSPORT_BROADCAST_MULTI, /**< broadcast not in one FIR+FIN segment */
} dnp3_transport_discard;

/** Counters of a transport receiver. */
typedef struct {
    uint64_t segments;           /**< segments fed to dnp3_transport_rx_push */
    uint64_t fragments;          /**< complete fragments delivered */
    uint64_t discarded_segments; /**< segments discarded (each dnp3_transport_discard reason but FIR_RESTART) */
    uint64_t discarded_series;   /**< series in progress abandoned (discarded, or restarted by a FIR segment) */
} dnp3_transport_stats;

/**
 * Transport reassembly state of one station (clause 8.3.1.4). The caller
 * owns the storage and the buffer; the fields are changed only by the
 * dnp3_transport_rx_* functions.
 */
typedef struct {
    uint8_t *buf;                        /**< reassembly buffer (caller's) */
    size_t cap;                          /**< its size: the largest fragment accepted */
    size_t len;                          /**< octets of the series in progress */
    bool in_progress;                    /**< a FIR segment started a series that has not ended */
    uint8_t expected_seq;                /**< SEQ the next segment of the series must carry */
    uint16_t src;                        /**< link source of the series in progress */
    dnp3_transport_discard last_discard; /**< why the last call discarded (DNP3_TRANSPORT_OK if it did not) */
    dnp3_transport_stats stats;          /**< counters */
} dnp3_transport_rx;

/**
 * Initialises a receiver with no series in progress and zero counters.
 * buf/cap: reassembly buffer (max fragment size the station accepts, >= 249).
 */
DNP3_API void dnp3_transport_rx_init(dnp3_transport_rx *rx, uint8_t *buf, size_t cap);

/** Drops any series in progress (e.g.\ on disconnect). The counters are kept. */
DNP3_API void dnp3_transport_rx_reset(dnp3_transport_rx *rx);

/**
 * Feeds one segment (a link frame's user data) from link address `src`.
 * `broadcast`: the link destination was a broadcast address.
 * Returns 1 with *apdu / *apdu_len set when a fragment is complete (valid until
 * the next call), 0 when more segments are needed or the segment was discarded
 * (rx->last_discard says why).
 */
DNP3_API int dnp3_transport_rx_push(dnp3_transport_rx *rx, uint16_t src, bool broadcast, const uint8_t *seg,
                                    size_t len, const uint8_t **apdu, size_t *apdu_len);

/** Transmit side: one running sequence counter per session (clause 8.2.1). */
typedef struct {
    uint8_t seq; /**< SEQ of the next segment sent (0..63) */
} dnp3_transport_tx;

/** Starts the transmit sequence at 0. */
static inline void dnp3_transport_tx_init(dnp3_transport_tx *tx)
{
    tx->seq = 0;
}

/** Number of link frames needed to carry a fragment of len octets (at least 1). */
DNP3_API size_t dnp3_transport_segment_count(size_t len);

/**
 * Writes a whole fragment as link frames, back to back, into dst (so that the
 * runtime can send them in one write). `control` is the link control octet
 * used for every frame (e.g.\ unconfirmed user data). Returns the octets
 * written, DNP3_ERR_BUFFER_TOO_SMALL (dst NULL or cap below
 * dnp3_transport_wire_size(len); nothing written), or DNP3_ERR_INVALID_ARG
 * (len == 0, apdu NULL, or a fragment too large for the int result).
 * tx->seq advances by one per frame written.
 * Worst case size: dnp3_transport_segment_count(len) * 292.
 */
DNP3_API int dnp3_transport_write_fragment(dnp3_transport_tx *tx, uint8_t *dst, size_t cap, uint8_t control,
                                           uint16_t dest, uint16_t src, const uint8_t *apdu, size_t len);

/** Worst-case encoded size of a fragment of len octets sent by dnp3_transport_write_fragment. */
DNP3_API size_t dnp3_transport_wire_size(size_t len);

/** Name of a discard reason without its prefix ("BAD_SEQUENCE", ...); "UNKNOWN" for other values. Never NULL. */
DNP3_API const char *dnp3_transport_discard_name(dnp3_transport_discard d);

#ifdef __cplusplus
}
#endif
#endif
