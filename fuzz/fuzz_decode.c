/*
 * fuzz_decode.c - libFuzzer target for the `dnp3 decode` pipeline (the text and
 * JSON printers shared with the outstation/master --decode option): link
 * frames through the streaming parser in discard mode, frame location and CRC
 * diagnosis, transport reassembly with offset mapping, the fragment walker,
 * and the TCP reassembly of --pcap. Output goes to /dev/null.
 *
 * The first input octet selects the mode (bits 0-1) and JSON output (bit 2):
 *   0  octet stream of link frames, cut into chunks of (data[1] + 1) octets
 *   1  UDP-style datagrams: [len][octets] records
 *   2  a bare application fragment (--apdu)
 *   3  TCP segments into the stream decoder: records of
 *      [seq delta (signed 16-bit)][flags: bit0 SYN, bit1 ACK, bit2 FIN][len][octets]
 * Invariants (abort() on failure): nothing crashes or reads out of bounds, and
 * the error counter never decreases.
 *
 * The CLI sources are compiled into this target directly (fuzz/CMakeLists.txt
 * links dnp3core only).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../src/decode/apdu_json.c"
#include "../src/decode/apdu_print.c"
#include "../src/decode/apdu_walk.c"
#include "../src/decode/decode_fmt.c"
#include "../src/decode/decode_stream.c"
#include "../src/decode/json_out.c"
#include "../src/decode/link_print.c"
#include "../src/decode/obj_decode.c"
#include "../src/decode/obj_fields.c"
#include "../src/decode/obj_file.c"
#include "../src/decode/obj_sa.c"
#include "../src/decode/tcp_reasm.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull(void)
{
    static FILE *f;
    if (!f) f = fopen("/dev/null", "w");
    if (!f) abort();
    return f;
}

static void check(bool ok)
{
    if (!ok) abort();
}

static void fz_deliver(void *ctx, const uint8_t *p, size_t n)
{
    dnp3_decode_stream_push(ctx, p, n);
}
static void fz_gap(void *ctx, uint64_t missing)
{
    dnp3_decode_stream_gap(ctx, missing % (1u << 20));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    const unsigned mode = data[0] & 3;
    const bool json = data[0] & 4;
    const size_t chunk = (size_t)data[1] + 1;
    data += 2;
    size -= 2;

    decoder d;
    dnp3_decoder_init(&d, devnull(), DNP3_DECODE_ALL, json);
    static decode_stream s; /* large: keep it off the stack */
    dnp3_decode_stream_init(&s, &d, mode == 0 ? "" : "fuzz", mode == 1 ? "UDP" : "TCP");
    uint64_t errors = 0;

    switch (mode) {
    case 0:
        for (size_t pos = 0; pos < size; pos += chunk) {
            dnp3_decode_stream_push(&s, data + pos, size - pos < chunk ? size - pos : chunk);
            check(d.errors >= errors);
            errors = d.errors;
        }
        dnp3_decode_stream_end(&s);
        break;
    case 1:
        for (size_t pos = 0; pos < size;) {
            size_t n = data[pos++];
            if (n > size - pos) n = size - pos;
            dnp3_decode_stream_datagram(&s, data + pos, n);
            pos += n;
            check(d.errors >= errors);
            errors = d.errors;
        }
        dnp3_decode_stream_end(&s);
        break;
    case 2: dnp3_decode_apdu(&d, data, size); break;
    default: {
        tcp_dir t;
        tcp_sink k = {fz_deliver, fz_gap, &s};
        uint32_t seq = 1000;
        dnp3_tcp_dir_init(&t);
        for (size_t pos = 0; pos + 4 <= size;) {
            int16_t delta = (int16_t)(data[pos] | data[pos + 1] << 8);
            uint8_t flags = data[pos + 2];
            size_t n = data[pos + 3];
            pos += 4;
            if (n > size - pos) n = size - pos;
            seq += (uint32_t)(int32_t)delta;
            if (flags & 2)
                dnp3_tcp_dir_ack(&t, seq, &k);
            else if (dnp3_tcp_dir_segment(&t, seq, flags & 1, flags & 4, data + pos, n, &k) &
                     TCP_SEG_NEW_CONNECTION) {
                dnp3_tcp_dir_free(&t);
                dnp3_tcp_dir_init(&t);
            }
            pos += n;
            check(d.errors >= errors);
            errors = d.errors;
        }
        dnp3_tcp_dir_flush(&t, &k);
        dnp3_tcp_dir_free(&t);
        dnp3_decode_stream_end(&s);
        break;
    }
    }
    dnp3_decode_stream_free(&s);
    return 0;
}
