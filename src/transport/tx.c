/*
 * tx.c - transport segmentation (IEEE 1815-2012 clause 8.2): a fragment is cut
 * into segments of at most 249 octets, each preceded by the transport header
 * (FIN 0x80 on the last, FIR 0x40 on the first, SEQ incremented mod 64 for
 * every segment sent) and carried in one link frame (clause 9.2.4). All frames
 * of a fragment are written back to back so that they can go out in one write.
 */
#include <limits.h>
#include <string.h>

#include "dnp3/link.h"
#include "dnp3/transport.h"

/* largest fragment whose encoded size still fits the int return value */
#define TX_MAX_FRAGMENT ((size_t)(INT_MAX / DNP3_LINK_MAX_FRAME) * DNP3_TRANSPORT_MAX_PAYLOAD)

size_t dnp3_transport_segment_count(size_t len)
{
    if (len == 0) return 1;
    return len / DNP3_TRANSPORT_MAX_PAYLOAD + (len % DNP3_TRANSPORT_MAX_PAYLOAD != 0);
}

size_t dnp3_transport_wire_size(size_t len)
{
    size_t full = len / DNP3_TRANSPORT_MAX_PAYLOAD, rest = len % DNP3_TRANSPORT_MAX_PAYLOAD;
    size_t size = full * DNP3_LINK_MAX_FRAME;
    if (rest || len == 0) size += dnp3_link_frame_size(rest + 1);
    return size;
}

int dnp3_transport_write_fragment(dnp3_transport_tx *tx, uint8_t *dst, size_t cap, uint8_t control, uint16_t dest,
                                  uint16_t src, const uint8_t *apdu, size_t len)
{
    if (len == 0 || apdu == NULL || len > TX_MAX_FRAGMENT) return DNP3_ERR_INVALID_ARG;
    if (dst == NULL || cap < dnp3_transport_wire_size(len)) return DNP3_ERR_BUFFER_TOO_SMALL;

    uint8_t seg[DNP3_LINK_MAX_USER_DATA];
    size_t out = 0;
    for (size_t off = 0; off < len; off += DNP3_TRANSPORT_MAX_PAYLOAD) {
        size_t n = len - off < DNP3_TRANSPORT_MAX_PAYLOAD ? len - off : DNP3_TRANSPORT_MAX_PAYLOAD;
        uint8_t hdr = tx->seq & DNP3_TRANSPORT_SEQ_MASK;
        if (off == 0) hdr |= DNP3_TRANSPORT_FIR;
        if (off + n == len) hdr |= DNP3_TRANSPORT_FIN;
        seg[0] = hdr;
        memcpy(seg + 1, apdu + off, n);
        int rc = dnp3_link_format(dst + out, cap - out, control, dest, src, seg, n + 1);
        if (rc < 0) return rc; /* cannot happen: the size was checked */
        out += (size_t)rc;
        tx->seq = (uint8_t)((tx->seq + 1) & DNP3_TRANSPORT_SEQ_MASK);
    }
    return (int)out;
}
