/*
 * txq.c - output queue of a channel: length-prefixed chunks in one fixed
 * buffer, first in first out. A chunk is one link reply frame or every frame
 * of one fragment (IEEE 1815-2012 clause 8.2 segments in clause 9 frames), so
 * that a runtime sends a fragment with one write. No allocation.
 */
#include <string.h>

#include "channel/txq.h"
#include "core/cursor.h"

void dnp3_txq_init(dnp3_txq *q, uint8_t *buf, size_t cap)
{
    q->buf = buf;
    q->cap = cap;
    q->used = 0;
    q->pushed = q->popped = 0;
}

void dnp3_txq_clear(dnp3_txq *q)
{
    q->used = 0;
    q->popped = q->pushed;
}

bool dnp3_txq_fits(const dnp3_txq *q, size_t n)
{
    size_t room = q->cap - q->used;
    return room >= DNP3_TXQ_PREFIX && n <= room - DNP3_TXQ_PREFIX;
}

uint8_t *dnp3_txq_reserve(dnp3_txq *q, size_t max)
{
    if (!dnp3_txq_fits(q, max)) return NULL;
    return q->buf + q->used + DNP3_TXQ_PREFIX;
}

void dnp3_txq_commit(dnp3_txq *q, size_t n)
{
    dnp3_store_u32(q->buf + q->used, (uint32_t)n);
    q->used += DNP3_TXQ_PREFIX + n;
    q->pushed++;
}

uint8_t *dnp3_txq_front(dnp3_txq *q)
{
    return q->used >= DNP3_TXQ_PREFIX ? q->buf + DNP3_TXQ_PREFIX : NULL;
}

void dnp3_txq_drop(dnp3_txq *q)
{
    if (q->used < DNP3_TXQ_PREFIX) return;
    size_t n = dnp3_txq_front_len(q);
    size_t rest = q->used - DNP3_TXQ_PREFIX - n;
    memmove(q->buf, q->buf + DNP3_TXQ_PREFIX + n, rest);
    q->used = rest;
    q->popped++;
}

size_t dnp3_txq_front_len(const dnp3_txq *q)
{
    if (q->used < DNP3_TXQ_PREFIX) return 0;
    return dnp3_load_u32(q->buf);
}

int dnp3_txq_pop(dnp3_txq *q, uint8_t *dst, size_t cap)
{
    size_t n = dnp3_txq_front_len(q);
    if (n == 0) return 0;
    if (!dst || cap < n) return DNP3_ERR_BUFFER_TOO_SMALL;
    memcpy(dst, q->buf + DNP3_TXQ_PREFIX, n);
    dnp3_txq_drop(q);
    return (int)n;
}
