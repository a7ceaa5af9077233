/*
 * rx.c - transport segment reassembly (IEEE 1815-2012 clause 8.3.1.4).
 *
 * Each segment is one link frame's user data: a header octet FIN|FIR|SEQ and
 * up to 249 payload octets. Rules, in order:
 *  - an empty segment (no header octet) is discarded;
 *  - broadcast segments are accepted only as a single FIR+FIN segment; any
 *    other broadcast segment is discarded together with a series in progress;
 *  - FIR starts a new series with any SEQ (rule 4), dropping one in progress
 *    (rule 5);
 *  - a non-FIR segment with no series in progress is discarded;
 *  - a non-FIR segment from another source than the series, out of sequence
 *    (SEQ != previous + 1 mod 64) or overflowing the buffer discards the series;
 *  - FIN completes the fragment.
 */
#include <string.h>

#include "dnp3/transport.h"

void dnp3_transport_rx_init(dnp3_transport_rx *rx, uint8_t *buf, size_t cap)
{
    memset(rx, 0, sizeof *rx);
    rx->buf = buf;
    rx->cap = buf ? cap : 0;
}

void dnp3_transport_rx_reset(dnp3_transport_rx *rx)
{
    rx->len = 0;
    rx->in_progress = false;
}

static int drop_segment(dnp3_transport_rx *rx, dnp3_transport_discard why)
{
    rx->last_discard = why;
    rx->stats.discarded_segments++;
    return 0;
}

/* Drops the series in progress and the current segment. */
static int drop_series(dnp3_transport_rx *rx, dnp3_transport_discard why)
{
    if (rx->in_progress) rx->stats.discarded_series++;
    rx->in_progress = false;
    rx->len = 0;
    return drop_segment(rx, why);
}

int dnp3_transport_rx_push(dnp3_transport_rx *rx, uint16_t src, bool broadcast, const uint8_t *seg, size_t len,
                           const uint8_t **apdu, size_t *apdu_len)
{
    *apdu = NULL;
    *apdu_len = 0;
    rx->last_discard = DNP3_TRANSPORT_OK;
    rx->stats.segments++;
    if (!rx->in_progress) rx->len = 0; /* the previous fragment is no longer valid */

    if (len == 0 || seg == NULL) return drop_segment(rx, DNP3_TRANSPORT_EMPTY_SEGMENT);

    uint8_t hdr = seg[0];
    bool fir = (hdr & DNP3_TRANSPORT_FIR) != 0;
    bool fin = (hdr & DNP3_TRANSPORT_FIN) != 0;
    uint8_t seq = hdr & DNP3_TRANSPORT_SEQ_MASK;
    const uint8_t *payload = seg + 1;
    size_t n = len - 1;

    if (broadcast && !(fir && fin)) return drop_series(rx, DNP3_TRANSPORT_BROADCAST_MULTI);

    if (fir) {
        if (rx->in_progress) {
            rx->stats.discarded_series++;
            rx->last_discard = DNP3_TRANSPORT_FIR_RESTART;
        }
        rx->in_progress = false;
        rx->len = 0;
        if (n > rx->cap) return drop_segment(rx, DNP3_TRANSPORT_OVERFLOW);
        rx->in_progress = true;
        rx->src = src;
    } else {
        if (!rx->in_progress) return drop_segment(rx, DNP3_TRANSPORT_NO_FIR);
        if (src != rx->src) return drop_series(rx, DNP3_TRANSPORT_OTHER_SOURCE);
        if (seq != rx->expected_seq) return drop_series(rx, DNP3_TRANSPORT_BAD_SEQUENCE);
        if (n > rx->cap - rx->len) return drop_series(rx, DNP3_TRANSPORT_OVERFLOW);
    }
    if (n) memcpy(rx->buf + rx->len, payload, n);
    rx->len += n;
    rx->expected_seq = (uint8_t)((seq + 1) & DNP3_TRANSPORT_SEQ_MASK);
    if (!fin) return 0;

    rx->in_progress = false;
    rx->stats.fragments++;
    *apdu = rx->buf;
    *apdu_len = rx->len;
    return 1;
}

const char *dnp3_transport_discard_name(dnp3_transport_discard d)
{
    switch (d) {
    case DNP3_TRANSPORT_OK: return "OK";
    case DNP3_TRANSPORT_EMPTY_SEGMENT: return "EMPTY_SEGMENT";
    case DNP3_TRANSPORT_NO_FIR: return "NO_FIR";
    case DNP3_TRANSPORT_BAD_SEQUENCE: return "BAD_SEQUENCE";
    case DNP3_TRANSPORT_OTHER_SOURCE: return "OTHER_SOURCE";
    case DNP3_TRANSPORT_OVERFLOW: return "OVERFLOW";
    case DNP3_TRANSPORT_FIR_RESTART: return "FIR_RESTART";
    case DNP3_TRANSPORT_BROADCAST_MULTI: return "BROADCAST_MULTI";
    default: return "UNKNOWN";
    }
}
