/*
 * tcp_reasm.c - one direction of a TCP connection, ordered by sequence number
 * (see tcp_reasm.h).
 */
#include "tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

void dnp3_tcp_dir_init(tcp_dir *t)
{
    memset(t, 0, sizeof *t);
}

void dnp3_tcp_dir_free(tcp_dir *t)
{
    tcp_seg *s = t->pending;
    while (s) {
        tcp_seg *n = s->next;
        free(s);
        s = n;
    }
    t->pending = NULL;
    t->pending_bytes = t->pending_segs = 0;
}

/* Signed distance a - b in sequence space. */
static int64_t seq_diff(uint32_t a, uint32_t b)
{
    return (int64_t)(int32_t)(a - b);
}

/* Delivers the part of [seq, seq+n) beyond next_seq; returns the TCP_SEG_* bits. */
static int deliver_new(tcp_dir *t, uint32_t seq, const uint8_t *p, size_t n, const tcp_sink *k)
{
    int64_t d = seq_diff(seq, t->next_seq);
    int out = 0;
    if (d < 0) {
        uint64_t old = (uint64_t)(-d);
        if (old >= n) {
            t->duplicate_octets += n;
            return TCP_SEG_DUPLICATE;
        }
        t->duplicate_octets += old;
        p += old;
        n -= (size_t)old;
        out |= TCP_SEG_DUPLICATE;
    }
    if (n) {
        k->deliver(k->ctx, p, n);
        t->next_seq += (uint32_t)n;
        t->delivered += n;
        out |= TCP_SEG_DELIVERED;
    }
    return out;
}

/* A FIN right after the data delivered so far takes its sequence number (once). */
static void take_fin(tcp_dir *t, uint32_t end)
{
    if (!t->fin_done && end == t->next_seq) {
        t->next_seq++;
        t->fin_done = true;
    }
}

/* Delivers pending segments that have become contiguous. */
static int drain(tcp_dir *t, const tcp_sink *k)
{
    int out = 0;
    while (t->pending && seq_diff(t->pending->seq, t->next_seq) <= 0) {
        tcp_seg *s = t->pending;
        t->pending = s->next;
        t->pending_bytes -= s->len;
        t->pending_segs--;
        out |= deliver_new(t, s->seq, s->data, s->len, k) & TCP_SEG_DELIVERED;
        if (s->fin) take_fin(t, s->seq + (uint32_t)s->len);
        free(s);
    }
    return out;
}

static int queue(tcp_dir *t, uint32_t seq, bool fin, const uint8_t *p, size_t n)
{
    tcp_seg **pp = &t->pending;
    while (*pp && seq_diff((*pp)->seq, seq) < 0) pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= n) {
        if (fin && (*pp)->len == n) (*pp)->fin = true;
        t->duplicate_octets += n;
        return TCP_SEG_DUPLICATE;
    }
    tcp_seg *s = malloc(sizeof *s + n);
    if (!s) return TCP_SEG_NOMEM;
    s->seq = seq;
    s->len = n;
    s->fin = fin;
    if (n) memcpy(s->data, p, n);
    s->next = *pp;
    *pp = s;
    t->pending_bytes += n;
    t->pending_segs++;
    return TCP_SEG_QUEUED;
}

/* Gives up on the first hole: reports it and delivers from the next pending segment. */
static void skip_hole(tcp_dir *t, const tcp_sink *k)
{
    if (!t->pending) return;
    int64_t d = seq_diff(t->pending->seq, t->next_seq);
    if (d > 0) {
        k->gap(k->ctx, (uint64_t)d);
        t->next_seq = t->pending->seq;
    }
    drain(t, k);
}

int dnp3_tcp_dir_segment(tcp_dir *t, uint32_t seq, bool syn, bool fin, const uint8_t *data, size_t n,
                         const tcp_sink *k)
{
    uint32_t dseq = syn ? seq + 1 : seq;
    if (!t->started) {
        t->started = true;
        t->isn = dseq;
        t->next_seq = dseq;
    } else if (syn && dseq != t->isn) {
        return TCP_SEG_NEW_CONNECTION;
    }
    if (n == 0 && !fin) return 0;
    int out = 0;
    if (seq_diff(dseq, t->next_seq) <= 0) {
        if (n) out = deliver_new(t, dseq, data, n, k);
        if (fin) take_fin(t, dseq + (uint32_t)n);
        out |= drain(t, k);
    } else {
        out = queue(t, dseq, fin, data, n);
        while (t->pending && (t->pending_bytes > TCP_PENDING_MAX_BYTES || t->pending_segs > TCP_PENDING_MAX_SEGS))
            skip_hole(t, k);
    }
    return out;
}

void dnp3_tcp_dir_ack(tcp_dir *t, uint32_t ack, const tcp_sink *k)
{
    if (!t->started) return;
    while (seq_diff(ack, t->next_seq) > 0) {
        if (t->pending && seq_diff(t->pending->seq, ack) < 0) {
            skip_hole(t, k);
        } else {
            /* acknowledged octets that are not in the capture at all */
            int64_t d = seq_diff(ack, t->next_seq);
            if (d > 0 && d < (1 << 30)) k->gap(k->ctx, (uint64_t)d);
            t->next_seq = ack;
            drain(t, k);
            break;
        }
    }
}

void dnp3_tcp_dir_flush(tcp_dir *t, const tcp_sink *k)
{
    while (t->pending) skip_hole(t, k);
}
