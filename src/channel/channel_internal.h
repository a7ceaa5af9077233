/*
 * channel_internal.h - the channel object shared by the files of src/channel: channel.c (receive
 * path, keep-alive, inter-character timeout), primary.c (the primary-station procedure for
 * confirmed user data, IEEE 1815-2012 clause 9.2.6), link_frames.c (header-only link frames) and
 * txq.c (the output queue). Also the
 * few internal helpers the outstation and master use. Not part of the public API.
 */
#ifndef DNP3_CHANNEL_INTERNAL_H
#define DNP3_CHANNEL_INTERNAL_H

#include "channel/txq.h"
#include "dnp3/channel.h"

/* Remote stations whose link state (reset, next FCB) the primary station remembers. A
 * multi-drop master with more outstations than this resets the evicted ones again. */
#define DNP3_CH_LINK_PEERS 8

/* Link state of one remote secondary station as seen by our primary station. */
typedef struct {
    uint16_t addr;
    bool used;
    bool reset; /* RESET_LINK_STATES acknowledged since the last failure / channel reset */
    bool fcb;   /* FCB of the next new CONFIRMED_USER_DATA frame */
} dnp3_ch_peer;

typedef enum {
    DNP3_CH_PRI_IDLE = 0,   /* nothing in flight */
    DNP3_CH_PRI_WAIT_RESET, /* RESET_LINK_STATES sent, waiting for its ACK */
    DNP3_CH_PRI_WAIT_ACK,   /* a CONFIRMED_USER_DATA frame sent, waiting for its ACK */
} dnp3_ch_pri_state;

/* The primary station of confirmed mode (primary.c). */
typedef struct {
    dnp3_txq fq;             /* fragments in order; the front one is being sent frame by frame */
    dnp3_ch_pri_state state; /* what we wait for */
    size_t off;              /* offset of the frame in flight within the front fragment */
    int peer;                /* index in peers[] of the front fragment's destination */
    uint32_t tries;          /* resends of the frame in flight (timeouts) */
    uint32_t nacks;          /* NACK-caused resets for the frame in flight */
    uint64_t sent_seq;       /* txq push number of the frame we wait on (written once popped) */
    bool armed;              /* deadline started (the frame has been written and `now` seen since) */
    dnp3_tstamp deadline;    /* ACK timeout */
    dnp3_ch_peer peers[DNP3_CH_LINK_PEERS];
    unsigned next_evict; /* round robin over peers[] when all are used */
} dnp3_ch_primary;

struct dnp3_channel {
    dnp3_channel_config cfg;
    dnp3_link_parser parser;
    dnp3_link_station station;
    dnp3_transport_rx trx;
    dnp3_transport_tx ttx;
    dnp3_txq q;
    dnp3_channel_stats stats;
    dnp3_channel_close_reason close;
    dnp3_tstamp last_rx;  /* last accepted frame (keep-alive reference) */
    bool awaiting_status; /* REQUEST_LINK_STATUS sent, no frame since */
    dnp3_tstamp status_deadline;
    uint16_t peer_addr;     /* keep-alive target: remote_addr, or with accept_any_remote the last source heard */
    dnp3_tstamp last_octet; /* time of the last octet received (inter-character timeout) */
    dnp3_ch_primary *pri;   /* confirmed mode only (in the channel's block), else NULL */
    uint8_t scratch[DNP3_LINK_MAX_USER_DATA]; /* datagram de-blocking */
};

/* Queues a header-only frame; false (counted in link_replies_dropped) when the queue is full. */
bool dnp3_ch_queue_link_frame(dnp3_channel *ch, uint8_t control, uint16_t dest);

/* ---- primary.c ---- */

/* Octets of the primary station and its fragment queue for this configuration (0 when not in
 * confirmed mode: a channel that never sends confirmed pays nothing). */
size_t dnp3_ch_pri_memory_size(const dnp3_channel_config *c);
/* Sets the primary station up in mem (dnp3_ch_pri_memory_size octets, aligned; unused and
 * ch->pri NULL when not in confirmed mode) and forgets everything. */
void dnp3_ch_pri_init(dnp3_channel *ch, uint8_t *mem);
/* Forgets fragments, the frame in flight and every peer's link state (channel reset). */
void dnp3_ch_pri_reset(dnp3_channel *ch);
/* True if a fragment of len octets fits the fragment queue. */
bool dnp3_ch_pri_fits(const dnp3_channel *ch, size_t len);
/* Queues one fragment (DNP3_OK, DNP3_ERR_BUFFER_TOO_SMALL or a transport error). */
int dnp3_ch_pri_send(dnp3_channel *ch, uint16_t dest, const uint8_t *apdu, size_t len);
/* Starts the next unit of work if nothing is in flight (after a write made room, ...). */
void dnp3_ch_pri_kick(dnp3_channel *ch);
/* A time is known: starts the ACK timer of a frame written since. */
void dnp3_ch_pri_arm(dnp3_channel *ch, dnp3_tstamp now);
/* A secondary frame (ACK, NACK, NOT_SUPPORTED, LINK_STATUS) from src with this control octet. */
void dnp3_ch_pri_on_secondary(dnp3_channel *ch, uint16_t src, uint8_t control);
/* The ACK deadline: DNP3_TSTAMP_NEVER, 0 when the timer waits for a time to start, else the deadline. */
dnp3_tstamp dnp3_ch_pri_expiry(const dnp3_channel *ch);
/* Resends or gives up when the ACK deadline has passed. */
void dnp3_ch_pri_timer(dnp3_channel *ch, dnp3_tstamp now);

/* ---- for the outstation and the master ---- */

/* True when a fragment of max_tx_fragment octets can be queued now (dnp3_channel_can_send) or
 * output waits to be written (which makes room): an upper layer with output ready but no room
 * waits for the channel's next event instead of asking to be called at once (in confirmed mode
 * the room comes back only with an ACK). */
bool dnp3_ch_has_room(const dnp3_channel *ch);

#endif
