/*
 * tcp_reasm.h - reassembly of one direction of a captured TCP connection (RFC
 * 9293 sequence numbers, modulo 2^32) for `dnp3 decode --pcap`: in-order data
 * is delivered at once, out-of-order segments wait (copied) until the hole is
 * filled, retransmitted or overlapping octets are dropped, and a hole that is
 * never filled is reported as a gap when the pending data grows too large or at
 * the end of the capture. SYN and FIN each occupy one sequence number (RFC
 * 9293 clause 3.4), so neither is ever taken for a missing octet.
 */
#ifndef DNP3_CLI_TCP_REASM_H
#define DNP3_CLI_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_PENDING_MAX_BYTES (1u << 20) /* out-of-order octets held before giving up on a hole */
#define TCP_PENDING_MAX_SEGS 4096

typedef struct tcp_seg {
    uint32_t seq;
    size_t len;
    bool fin; /* the FIN follows the data (at seq + len) */
    struct tcp_seg *next;
    uint8_t data[]; /* len octets */
} tcp_seg;

typedef struct {
    void (*deliver)(void *ctx, const uint8_t *p, size_t n);
    void (*gap)(void *ctx, uint64_t missing);
    void *ctx;
} tcp_sink;

typedef struct {
    bool started;
    uint32_t isn;      /* first sequence number of the data */
    uint32_t next_seq; /* next octet expected */
    tcp_seg *pending;  /* out-of-order segments sorted by seq */
    size_t pending_bytes, pending_segs;
    bool fin_done; /* the FIN has been passed: next_seq counts it */
    uint64_t duplicate_octets;
    uint64_t delivered;
} tcp_dir;

/* Outcome of dnp3_tcp_dir_segment (bit set). */
#define TCP_SEG_DELIVERED 0x1      /* some new octets were delivered */
#define TCP_SEG_QUEUED 0x2         /* held until a hole before it is filled */
#define TCP_SEG_DUPLICATE 0x4      /* some or all octets had been seen already */
#define TCP_SEG_NEW_CONNECTION 0x8 /* a SYN with a new ISN: caller restarts its decoder first */
#define TCP_SEG_NOMEM 0x10

void dnp3_tcp_dir_init(tcp_dir *t);
void dnp3_tcp_dir_free(tcp_dir *t);

/*
 * One captured segment: seq from the TCP header, syn = SYN flag (data then
 * begins at seq + 1), fin = FIN flag (one sequence number after the data,
 * consumed once the data before it has been delivered). A SYN whose ISN differs from the current one returns
 * TCP_SEG_NEW_CONNECTION without consuming anything: the caller flushes its
 * state, calls dnp3_tcp_dir_init and passes the segment again.
 */
int dnp3_tcp_dir_segment(tcp_dir *t, uint32_t seq, bool syn, bool fin, const uint8_t *data, size_t n,
                         const tcp_sink *sink);

/*
 * The peer acknowledged everything before `ack`: octets of this direction that
 * were never captured cannot come any more, so holes before `ack` are reported
 * as gaps and what is pending behind them is delivered.
 */
void dnp3_tcp_dir_ack(tcp_dir *t, uint32_t ack, const tcp_sink *sink);

/* Delivers everything still pending, reporting each hole as a gap (end of capture). */
void dnp3_tcp_dir_flush(tcp_dir *t, const tcp_sink *sink);

#endif
