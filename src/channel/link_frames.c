/*
 * link_frames.c - header-only link frames (IEEE 1815-2012 clause 9.2.4: no user data,
 * ten octets) queued on the channel's output: the secondary station's replies (ACK,
 * NACK, LINK_STATUS) and the primary station's RESET_LINK_STATES and
 * REQUEST_LINK_STATUS. A full queue drops the frame and counts it.
 */
#include "channel/channel_internal.h"

bool dnp3_ch_queue_link_frame(dnp3_channel *ch, uint8_t control, uint16_t dest)
{
    uint8_t *p = dnp3_txq_reserve(&ch->q, DNP3_LINK_HEADER_SIZE);
    if (!p) {
        ch->stats.link_replies_dropped++;
        return false;
    }
    int n = dnp3_link_format(p, DNP3_LINK_HEADER_SIZE, control, dest, ch->cfg.local_addr, NULL, 0);
    if (n <= 0) return false;
    dnp3_txq_commit(&ch->q, (size_t)n);
    return true;
}
