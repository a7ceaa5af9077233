/*
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

#define DNP3_TRANSPORT_FIN 0x80
#define DNP3_TRANSPORT_FIR 0x40
#define DNP3_TRANSPORT_SEQ_MASK 0x3F
#define DNP3_TRANSPORT_MAX_PAYLOAD 249

/* Why a segment or series was discarded (last_discard, counted in stats). */
typedef enum {
    DNP3_TRANSPORT_OK = 0,
    DNP3_TRANSPORT_EMPTY_SEGMENT,   /* zero-length user data */
    DNP3_TRANSPORT_NO_FIR,          /* non-FIR segment with no series in progress */
    DNP3_TRANSPORT_BAD_SEQUENCE,    /* non-FIR segment out of sequence: series dropped */
    DNP3_TRANSPORT_OTHER_SOURCE,    /* segment from another source: series dropped */
    DNP3_TRANSPORT_OVERFLOW,        /* fragment larger than the buffer: series dropped */
    DNP3_TRANSPORT_FIR_RESTART,     /* FIR while a series was in progress: old one dropped */
    DNP3_TRANSPORT_BROADCAST_MULTI, /* broadcast not in one FIR+FIN segment */
} dnp3_transport_discard;

typedef struct {
    uint64_t segments;
    uint64_t fragments;
    uint64_t discarded_segments;
    uint64_t discarded_series;
} dnp3_transport_stats;

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool in_progress;
    uint8_t expected_seq;
    uint16_t src;
    dnp3_transport_discard last_discard;
    dnp3_transport_stats stats;
} dnp3_transport_rx;

/* buf/cap: reassembly buffer (max fragment size the station accepts, >= 249). */
DNP3_API void dnp3_transport_rx_init(dnp3_transport_rx *rx, uint8_t *buf, size_t cap);

/* Drops any series in progress (e.g. on disconnect). */
DNP3_API void dnp3_transport_rx_reset(dnp3_transport_rx *rx);

/*
 * Feeds one segment (a link frame's user data) from link address `src`.
 * `broadcast`: the link destination was a broadcast address.
 * Returns 1 with *apdu / *apdu_len set when a fragment is complete (valid until
 * the next call), 0 when more segments are needed or the segment was discarded
 * (rx->last_discard says why).
 */
DNP3_API int dnp3_transport_rx_push(dnp3_transport_rx *rx, uint16_t src, bool broadcast, const uint8_t *seg,
                           size_t len, const uint8_t **apdu, size_t *apdu_len);

/* Transmit side: one running sequence counter per session (clause 8.2.1). */
typedef struct {
    uint8_t seq;
} dnp3_transport_tx;

static inline void dnp3_transport_tx_init(dnp3_transport_tx *tx) { tx->seq = 0; }

/* Number of link frames needed to carry a fragment of len octets (at least 1). */
DNP3_API size_t dnp3_transport_segment_count(size_t len);

/*
 * Writes a whole fragment as link frames, back to back, into dst (so that the
 * runtime can send them in one write). `control` is the link control octet
 * used for every frame (e.g. unconfirmed user data). Returns the octets
 * written, DNP3_ERR_BUFFER_TOO_SMALL, or DNP3_ERR_INVALID_ARG (len == 0).
 * Worst case size: dnp3_transport_segment_count(len) * 292.
 */
DNP3_API int dnp3_transport_write_fragment(dnp3_transport_tx *tx, uint8_t *dst, size_t cap, uint8_t control,
                                  uint16_t dest, uint16_t src, const uint8_t *apdu, size_t len);

/* Worst-case encoded size of a fragment of len octets sent by dnp3_transport_write_fragment. */
DNP3_API size_t dnp3_transport_wire_size(size_t len);

DNP3_API const char *dnp3_transport_discard_name(dnp3_transport_discard d);

#ifdef __cplusplus
}
#endif
#endif
