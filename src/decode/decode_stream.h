/*
 * decode_stream.h - the decoding pipeline of `dnp3 decode`: octet streams (hex
 * input, one direction of a TCP connection, UDP datagrams) go through the
 * core's link parser in discard mode, link frames are printed and their user
 * data reassembled per (stream, source, destination) by the core's transport
 * receiver, and complete fragments are printed as text (apdu_print) or JSON
 * lines (apdu_json). Every problem is reported with the input offset of the
 * octet at fault, and decoding continues.
 *
 * Nothing here exits; the only allocations are reassembly buffers (freed by
 * dnp3_decode_stream_free), so the pipeline can be fuzzed (fuzz/fuzz_decode.c).
 */
#ifndef DNP3_CLI_DECODE_STREAM_H
#define DNP3_CLI_DECODE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dnp3/link.h"
#include "dnp3/transport.h"

#define DECODE_MAX_FRAGMENT 16384 /* reassembly limit per source (8x the usual 2048) */
#define DECODE_REASM_PER_STREAM 8 /* source/destination pairs tracked per stream */
#define DECODE_SEG_MAX 128        /* segments remembered per fragment for offsets */
#define DECODE_WINDOW 1024        /* recent stream octets kept for frame inspection */

/* Session-wide settings, packet context and counters. */
typedef struct {
    FILE *out;
    unsigned levels; /* DNP3_DECODE_* */
    bool json;
    /* packet context for messages and JSON (pcap input); packet == 0: none */
    uint64_t packet;
    bool has_time;
    uint64_t time_us; /* capture time, microseconds since 1970 */
    /* counters */
    uint64_t errors;
    uint64_t frames;
    uint64_t fragments;
} decoder;

typedef struct {
    uint64_t frame_off; /* input offset of the frame carrying the segment */
    size_t len;         /* segment octets including the transport header */
} decode_seg;

typedef struct {
    bool used;
    uint16_t src, dest;
    uint64_t last_use;
    dnp3_transport_rx rx;
    uint8_t *buf;
    size_t nseg;
    bool seg_overflow;
    decode_seg segs[DECODE_SEG_MAX];
} decode_reasm;

typedef struct {
    decoder *d;
    char label[128];            /* "10.0.0.1:20000 -> 10.0.0.2:50000"; "" for plain input */
    const char *transport_name; /* "TCP", "UDP" or NULL */
    dnp3_link_parser parser;
    uint64_t offset;      /* input offset of the next octet */
    uint64_t parser_base; /* input offset at the parser's last init/reset */
    uint64_t accounted;   /* octets before this offset belong to frames or reported errors */
    uint64_t win_start;   /* input offset of win[0] */
    size_t win_len;
    uint8_t win[DECODE_WINDOW];
    uint64_t clock; /* use counter for replacing reassemblers */
    decode_reasm r[DECODE_REASM_PER_STREAM];
} decode_stream;

void dnp3_decoder_init(decoder *d, FILE *out, unsigned levels, bool json);

/* Reports a problem not tied to a stream (e.g. a pcap packet). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void dnp3_decoder_error(decoder *d, const char *where, const char *fmt, ...);

void dnp3_decode_stream_init(decode_stream *s, decoder *d, const char *label, const char *transport);
void dnp3_decode_stream_free(decode_stream *s);

/* Feeds stream octets (any chunking). */
void dnp3_decode_stream_push(decode_stream *s, const uint8_t *p, size_t n);

/* `missing` octets of the stream were not captured: reports it and resyncs. */
void dnp3_decode_stream_gap(decode_stream *s, uint64_t missing);

/* End of the input: reports a partial frame or trailing octets. */
void dnp3_decode_stream_end(decode_stream *s);

/*
 * One UDP datagram: offsets restart at 0 for each datagram; frames must lie
 * wholly inside it (reported otherwise). Transport reassembly state persists.
 */
void dnp3_decode_stream_datagram(decode_stream *s, const uint8_t *p, size_t n);

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void dnp3_decode_stream_error(decode_stream *s, uint64_t offset, const char *fmt, ...);

/* A bare application fragment (--apdu): prints it; direction from the function code. */
void dnp3_decode_apdu(decoder *d, const uint8_t *apdu, size_t len);

#endif
