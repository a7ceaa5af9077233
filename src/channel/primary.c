/*
 * primary.c - the primary-station procedure for confirmed user data (IEEE 1815-2012 clause
 * 9.2.6; docs/link-transport.md "Confirmed user data"), used when
 * dnp3_channel_config::link_confirmed is set.
 *
 * Fragments wait, formatted as frames, in their own queue (fq); the front one is sent ONE
 * frame at a time through the channel's output queue:
 *
 *   IDLE --fragment, peer not reset--> send RESET_LINK_STATES, WAIT_RESET
 *   IDLE --fragment, peer reset------> send CONFIRMED_USER_DATA (FCV=1, peer's FCB), WAIT_ACK
 *   WAIT_RESET --ACK--> peer reset, FCB = 1; send the frame, WAIT_ACK
 *   WAIT_ACK --ACK--> toggle the peer's FCB; next frame (WAIT_ACK) or next fragment (IDLE)
 *   WAIT_ACK --NACK (DFC=0)--> peer not reset; RESET_LINK_STATES again, then the same frame
 *                              (at most link_retries times per frame)
 *   WAIT_ACK --NACK with DFC=1, or NOT_SUPPORTED in either wait--> failure
 *   either wait --ACK timeout--> resend the same frame (same FCB) or reset, link_retries times,
 *                                then failure
 *   failure: the rest of the fragment is dropped (link_confirm_failures), the peer is no longer
 *            reset (the next fragment starts with RESET_LINK_STATES), the next fragment starts.
 *
 * NACK in WAIT_RESET and LINK_STATUS (the keep-alive's answer) are not answers to the frame in
 * flight and are ignored. Broadcast fragments go through the same queue, in order, as
 * UNCONFIRMED_USER_DATA, all frames at once. The ACK timer starts at the first time the channel
 * learns (read, expiry, write_at) after the frame has left the output queue.
 */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "channel/channel_internal.h"
#include "core/cursor.h"

/* Room for two fragments: one in flight, one queued behind it (a response and an unsolicited
 * response, or an application confirm and the next request). */
static size_t fq_size(const dnp3_channel_config *c)
{
    return 2 * (DNP3_TXQ_PREFIX + dnp3_transport_wire_size(c->max_tx_fragment));
}

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

size_t dnp3_ch_pri_memory_size(const dnp3_channel_config *c)
{
    if (!c->link_confirmed) return 0;
    return align_up(sizeof(dnp3_ch_primary)) + fq_size(c);
}

void dnp3_ch_pri_init(dnp3_channel *ch, uint8_t *mem)
{
    ch->pri = NULL;
    if (!ch->cfg.link_confirmed) return;
    ch->pri = (dnp3_ch_primary *)(void *)mem;
    dnp3_txq_init(&ch->pri->fq, mem + align_up(sizeof(dnp3_ch_primary)), fq_size(&ch->cfg));
    dnp3_ch_pri_reset(ch);
}

void dnp3_ch_pri_reset(dnp3_channel *ch)
{
    dnp3_ch_primary *p = ch->pri;
    if (!p) return;
    dnp3_txq_clear(&p->fq);
    p->state = DNP3_CH_PRI_IDLE;
    p->off = 0;
    p->peer = 0;
    p->tries = p->nacks = 0;
    p->armed = false;
    p->deadline = 0;
    memset(p->peers, 0, sizeof p->peers);
    p->next_evict = 0;
}

bool dnp3_ch_pri_fits(const dnp3_channel *ch, size_t len)
{
    return dnp3_txq_fits(&ch->pri->fq, dnp3_transport_wire_size(len));
}

/* Encoded size of the frame starting at f (LENGTH octet at f[2], >= 5 as we formatted it). */
static size_t frame_len(const uint8_t *f)
{
    return dnp3_link_frame_size((size_t)f[2] - 5);
}

static int peer_index(dnp3_ch_primary *p, uint16_t addr)
{
    int free_slot = -1;
    for (int i = 0; i < DNP3_CH_LINK_PEERS; i++) {
        if (p->peers[i].used && p->peers[i].addr == addr) return i;
        if (!p->peers[i].used && free_slot < 0) free_slot = i;
    }
    if (free_slot < 0) free_slot = (int)(p->next_evict++ % DNP3_CH_LINK_PEERS);
    p->peers[free_slot] = (dnp3_ch_peer){.addr = addr, .used = true, .reset = false, .fcb = true};
    return free_slot;
}

static uint16_t front_dest(dnp3_channel *ch)
{
    const uint8_t *f = dnp3_txq_front(&ch->pri->fq);
    return f ? dnp3_load_u16(f + 4) : 0;
}

/* The frame just queued (or, if it found no room, the chunk before it) is the one awaited. */
static void await(dnp3_channel *ch, dnp3_ch_pri_state state)
{
    ch->pri->state = state;
    ch->pri->sent_seq = ch->q.pushed;
    ch->pri->armed = false;
}

static void send_reset(dnp3_channel *ch)
{
    dnp3_ch_queue_link_frame(ch, dnp3_link_control(ch->cfg.is_master, true, DNP3_LINK_RESET_LINK_STATES),
                             front_dest(ch));
    ch->stats.link_resets_sent++;
    await(ch, DNP3_CH_PRI_WAIT_RESET);
}

/* Queues the frame at pri.off with FCV = 1 and the peer's FCB (header CRC recomputed). */
static void send_frame(dnp3_channel *ch)
{
    dnp3_ch_primary *p = ch->pri;
    const uint8_t *f = dnp3_txq_front(&p->fq) + p->off;
    size_t n = frame_len(f);
    uint8_t *dst = dnp3_txq_reserve(&ch->q, n);
    if (dst) {
        memcpy(dst, f, n);
        uint8_t control = (uint8_t)((f[3] & ~DNP3_LINK_FCB) | DNP3_LINK_FCV);
        if (p->peers[p->peer].fcb) control |= DNP3_LINK_FCB;
        dst[3] = control;
        dnp3_store_u16(dst + 8, dnp3_crc16(dst, 8));
        dnp3_txq_commit(&ch->q, n);
    } else {
        ch->stats.link_replies_dropped++; /* the ACK timeout sends it again */
    }
    await(ch, DNP3_CH_PRI_WAIT_ACK);
}

/* A broadcast (unconfirmed) fragment at the front: all its frames as one chunk, if room. */
static bool emit_unconfirmed(dnp3_channel *ch)
{
    size_t n = dnp3_txq_front_len(&ch->pri->fq);
    uint8_t *dst = dnp3_txq_reserve(&ch->q, n);
    if (!dst) return false;
    memcpy(dst, dnp3_txq_front(&ch->pri->fq), n);
    dnp3_txq_commit(&ch->q, n);
    dnp3_txq_drop(&ch->pri->fq);
    return true;
}

void dnp3_ch_pri_kick(dnp3_channel *ch)
{
    dnp3_ch_primary *p = ch->pri;
    while (p->state == DNP3_CH_PRI_IDLE) {
        const uint8_t *f = dnp3_txq_front(&p->fq);
        if (!f) return;
        if ((f[3] & DNP3_LINK_FUNC_MASK) != DNP3_LINK_CONFIRMED_USER_DATA) {
            if (!emit_unconfirmed(ch)) return;
            continue;
        }
        p->peer = peer_index(p, dnp3_load_u16(f + 4));
        p->off = 0;
        p->tries = p->nacks = 0;
        if (p->peers[p->peer].reset)
            send_frame(ch);
        else
            send_reset(ch);
    }
}

int dnp3_ch_pri_send(dnp3_channel *ch, uint16_t dest, const uint8_t *apdu, size_t len)
{
    size_t wire = dnp3_transport_wire_size(len);
    uint8_t *p = dnp3_txq_reserve(&ch->pri->fq, wire);
    if (!p) return DNP3_ERR_BUFFER_TOO_SMALL;
    uint8_t control =
        dnp3_addr_is_broadcast(dest)
            ? dnp3_link_control(ch->cfg.is_master, true, DNP3_LINK_UNCONFIRMED_USER_DATA)
            : (uint8_t)(dnp3_link_control(ch->cfg.is_master, true, DNP3_LINK_CONFIRMED_USER_DATA) | DNP3_LINK_FCV);
    int n = dnp3_transport_write_fragment(&ch->ttx, p, wire, control, dest, ch->cfg.local_addr, apdu, len);
    if (n < 0) return n;
    dnp3_txq_commit(&ch->pri->fq, (size_t)n);
    dnp3_ch_pri_kick(ch);
    return DNP3_OK;
}

/* Gives the front fragment up and goes on with the next one. */
static void fail(dnp3_channel *ch)
{
    dnp3_ch_primary *p = ch->pri;
    ch->stats.link_confirm_failures++;
    p->peers[p->peer].reset = false;
    dnp3_txq_drop(&p->fq);
    p->state = DNP3_CH_PRI_IDLE;
    p->armed = false;
    dnp3_ch_pri_kick(ch);
}

static void on_ack(dnp3_channel *ch)
{
    dnp3_ch_primary *p = ch->pri;
    dnp3_ch_peer *peer = &p->peers[p->peer];
    p->tries = 0;
    if (p->state == DNP3_CH_PRI_WAIT_RESET) {
        peer->reset = true;
        peer->fcb = true; /* the secondary expects FCB = 1 after a reset */
        send_frame(ch);
        return;
    }
    peer->fcb = !peer->fcb;
    p->nacks = 0;
    p->off += frame_len(dnp3_txq_front(&p->fq) + p->off);
    if (p->off < dnp3_txq_front_len(&p->fq)) {
        send_frame(ch);
        return;
    }
    dnp3_txq_drop(&p->fq);
    p->state = DNP3_CH_PRI_IDLE;
    p->armed = false;
    dnp3_ch_pri_kick(ch);
}

void dnp3_ch_pri_on_secondary(dnp3_channel *ch, uint16_t src, uint8_t control)
{
    dnp3_ch_primary *p = ch->pri;
    if (p->state == DNP3_CH_PRI_IDLE || src != front_dest(ch)) return;
    switch (control & DNP3_LINK_FUNC_MASK) {
    case DNP3_LINK_ACK: on_ack(ch); return;
    case DNP3_LINK_NACK:
        ch->stats.link_nacks++;
        if (p->state != DNP3_CH_PRI_WAIT_ACK) return; /* not an answer to RESET_LINK_STATES: wait */
        if ((control & DNP3_LINK_DFC) || p->nacks >= ch->cfg.link_retries) {
            fail(ch);
            return;
        }
        p->nacks++;
        p->tries = 0;
        p->peers[p->peer].reset = false;
        send_reset(ch);
        return;
    case DNP3_LINK_NOT_SUPPORTED: fail(ch); return;
    default: return; /* LINK_STATUS: the keep-alive's answer */
    }
}

void dnp3_ch_pri_arm(dnp3_channel *ch, dnp3_tstamp now)
{
    dnp3_ch_primary *p = ch->pri;
    if (p->state == DNP3_CH_PRI_IDLE || p->armed || ch->q.popped < p->sent_seq) return;
    p->deadline = now + ch->cfg.link_confirm_timeout_ms;
    p->armed = true;
}

dnp3_tstamp dnp3_ch_pri_expiry(const dnp3_channel *ch)
{
    const dnp3_ch_primary *p = ch->pri;
    if (p->state == DNP3_CH_PRI_IDLE) return DNP3_TSTAMP_NEVER;
    if (p->armed) return p->deadline;
    return ch->q.popped >= p->sent_seq ? 0 : DNP3_TSTAMP_NEVER;
}

void dnp3_ch_pri_timer(dnp3_channel *ch, dnp3_tstamp now)
{
    dnp3_ch_primary *p = ch->pri;
    if (p->state == DNP3_CH_PRI_IDLE || !p->armed || now < p->deadline) return;
    if (p->tries >= ch->cfg.link_retries) {
        fail(ch);
        return;
    }
    p->tries++;
    ch->stats.link_retransmissions++;
    if (p->state == DNP3_CH_PRI_WAIT_RESET)
        send_reset(ch);
    else
        send_frame(ch);
}
