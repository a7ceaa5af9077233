/*
 * fuzz_transport.c - libFuzzer target for the transport function (IEEE
 * 1815-2012 clause 8): reassembly of arbitrary segment sequences and a
 * segmentation round trip.
 *
 * Input: octet 0 selects the reassembly buffer size (249 + 8 * octet 0, i.e.
 * 249..2289); then segments, each as: a length octet L, a flags octet (bit 0:
 * source 1 or 2, bit 1: broadcast), and min(L, 250, remaining) octets of
 * segment (transport header + payload).
 * Oracles: apdu_len <= cap; a fragment is only reported on a FIN segment and
 * points into the caller's buffer; statistics add up; and the whole input,
 * used as an APDU, survives write_fragment -> link parse -> reassembly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/link.h"
#include "dnp3/transport.h"

#define CHECK(c)                                                                                                  \
    do {                                                                                                          \
        if (!(c)) abort();                                                                                        \
    } while (0)

static uint8_t rxbuf[2400];
static uint8_t wire[8192 / 249 * 292 + 2 * 292];

static void round_trip(const uint8_t *apdu, size_t len, uint8_t seq0)
{
    if (len == 0 || len > 8192) return;
    dnp3_transport_tx tx;
    dnp3_transport_tx_init(&tx);
    tx.seq = seq0 & DNP3_TRANSPORT_SEQ_MASK;
    size_t want = dnp3_transport_wire_size(len);
    CHECK(want <= dnp3_transport_segment_count(len) * DNP3_LINK_MAX_FRAME && want <= sizeof wire);
    CHECK(dnp3_transport_write_fragment(&tx, wire, want - 1, 0xC4, 1024, 1, apdu, len) ==
          DNP3_ERR_BUFFER_TOO_SMALL);
    int w = dnp3_transport_write_fragment(&tx, wire, sizeof wire, 0xC4, 1024, 1, apdu, len);
    CHECK(w == (int)want);
    CHECK(tx.seq == ((seq0 + dnp3_transport_segment_count(len)) & DNP3_TRANSPORT_SEQ_MASK));

    static uint8_t big[8192];
    dnp3_transport_rx rx;
    dnp3_transport_rx_init(&rx, big, sizeof big);
    dnp3_link_parser p;
    dnp3_link_parser_init(&p, DNP3_LINK_MODE_CLOSE);
    size_t pos = 0, frames = 0;
    int done = 0;
    const uint8_t *out = NULL;
    size_t out_len = 0;
    while (pos < (size_t)w) {
        size_t c;
        dnp3_link_frame f;
        int rc = dnp3_link_parser_push(&p, wire + pos, (size_t)w - pos, &c, &f);
        CHECK(rc >= 0);
        pos += c;
        if (rc == 1) {
            frames++;
            CHECK(done == 0);
            done = dnp3_transport_rx_push(&rx, f.src, false, f.data, f.len, &out, &out_len);
        }
    }
    CHECK(frames == dnp3_transport_segment_count(len));
    CHECK(done == 1 && out_len == len && memcmp(out, apdu, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t cap = 249 + 8 * (size_t)data[0];
    dnp3_transport_rx rx;
    dnp3_transport_rx_init(&rx, rxbuf, cap);

    size_t pos = 1;
    uint64_t delivered = 0;
    while (pos + 2 <= size) {
        size_t len = data[pos];
        uint8_t flags = data[pos + 1];
        pos += 2;
        if (len > DNP3_LINK_MAX_USER_DATA) len = DNP3_LINK_MAX_USER_DATA;
        if (len > size - pos) len = size - pos;
        const uint8_t *seg = data + pos;
        pos += len;

        const uint8_t *apdu = (const uint8_t *)1;
        size_t apdu_len = 99999;
        uint16_t src = (flags & 1) ? 2 : 1;
        bool bcast = (flags & 2) != 0;
        int rc = dnp3_transport_rx_push(&rx, src, bcast, seg, len, &apdu, &apdu_len);
        CHECK(rc == 0 || rc == 1);
        CHECK(rx.len <= rx.cap && rx.cap == cap);
        if (rc == 1) {
            delivered++;
            CHECK(apdu == rxbuf && apdu_len <= cap && apdu_len == rx.len);
            CHECK(len >= 1 && (seg[0] & DNP3_TRANSPORT_FIN));
            CHECK(!bcast || (seg[0] & DNP3_TRANSPORT_FIR));
            CHECK(!rx.in_progress);
            CHECK(rx.last_discard == DNP3_TRANSPORT_OK || rx.last_discard == DNP3_TRANSPORT_FIR_RESTART);
        } else {
            CHECK(apdu == NULL && apdu_len == 0);
        }
        if (rx.in_progress && len > 0) CHECK(rx.src == src); /* empty segments do not touch a series */
        CHECK(rx.stats.fragments == delivered);
        CHECK(rx.stats.discarded_segments <= rx.stats.segments);
        CHECK(dnp3_transport_discard_name(rx.last_discard) != NULL);
    }
    round_trip(data, size, data[0]);
    return 0;
}
