/*
 * txq.h - the channel's output queue: a fixed buffer of length-prefixed
 * chunks (one link reply, or all frames of one fragment), drained one chunk
 * per dnp3_channel_write call. Internal to src/channel.
 */
#ifndef DNP3_CHANNEL_TXQ_H
#define DNP3_CHANNEL_TXQ_H

#include "dnp3/types.h"

#define DNP3_TXQ_PREFIX 4 /* u32 length before every chunk */

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t used;
    uint64_t pushed; /* chunks committed since init */
    uint64_t popped; /* chunks removed (written out, or dropped by a clear) since init */
} dnp3_txq;

void dnp3_txq_init(dnp3_txq *q, uint8_t *buf, size_t cap);

/* Empties the queue. */
void dnp3_txq_clear(dnp3_txq *q);

/* Returns true if a chunk of n octets fits now. */
bool dnp3_txq_fits(const dnp3_txq *q, size_t n);

/*
 * Returns a pointer where a chunk of up to max octets may be written (after
 * dnp3_txq_fits(q, max)), or NULL. Finish it with dnp3_txq_commit.
 */
uint8_t *dnp3_txq_reserve(dnp3_txq *q, size_t max);

/* Commits the chunk begun by dnp3_txq_reserve with its real length n. */
void dnp3_txq_commit(dnp3_txq *q, size_t n);

/* Returns the first chunk (NULL if empty); its length is dnp3_txq_front_len. */
uint8_t *dnp3_txq_front(dnp3_txq *q);

/* Removes the first chunk without copying it (nothing if empty). */
void dnp3_txq_drop(dnp3_txq *q);

/* Returns the length of the first chunk (0 if empty). */
size_t dnp3_txq_front_len(const dnp3_txq *q);

/*
 * Moves the first chunk to dst. Returns its length, 0 if empty or
 * DNP3_ERR_BUFFER_TOO_SMALL (nothing removed).
 */
int dnp3_txq_pop(dnp3_txq *q, uint8_t *dst, size_t cap);

#endif
