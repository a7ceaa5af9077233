/*
 * confirm.c - the master's application confirms (IEEE 1815-2012 clause 4.2.2.4: a
 * fragment with CON set is confirmed with its own SEQ and UNS bit): sent at once, kept
 * for later when the channel is full (sent before anything else), or held for the
 * application when the association defers confirms (defer_confirm) until it releases
 * them or their deadline passes. A repeated fragment is confirmed again unless the first
 * one's confirm is still held.
 */
#include "master/master_internal.h"

void dnp3_mst_send_confirm(dnp3_master_assoc *a, uint8_t seq, bool uns)
{
    uint8_t apdu[2] = {dnp3_ac_make(true, true, false, uns, seq), DNP3_FC_CONFIRM};
    if (dnp3_channel_send(a->m->ch, a->cfg.address, apdu, sizeof apdu) == DNP3_OK) {
        a->stats.confirms_sent++;
        a->confirm_pending = false;
        return;
    }
    a->confirm_pending = true; /* sent before anything else once the channel has room */
    a->confirm_ac = apdu[0];
    a->m->blocked = true;
    a->m->blocked_at = a->m->last_service;
    a->m->stats.send_blocked++;
    dnp3_mst_wait(a);
}

/* A fragment asks for a confirm: send it now, or hold it for the application
 * (defer_confirm). Returns the token of the held confirm, 0 when it was sent. */
uint32_t dnp3_mst_confirm_or_defer(dnp3_master_assoc *a, uint8_t seq, bool uns, dnp3_tstamp now)
{
    if (!a->cfg.defer_confirm) {
        dnp3_mst_send_confirm(a, seq, uns);
        return 0;
    }
    mst_deferred *d = &a->dc[uns ? 1 : 0];
    if (d->active) a->stats.confirms_dropped++; /* replaced: that series moved on */
    if (++a->next_token == 0) a->next_token = 1;
    d->active = true;
    d->ac = dnp3_ac_make(true, true, false, uns, seq);
    d->token = a->next_token;
    d->deadline = mst_add(now, a->cfg.response_timeout_ms);
    a->stats.confirms_deferred++;
    dnp3_mst_touch(a);
    return d->token;
}

/* A repeated fragment asks for a confirm again: none while the first one's is still held. */
void dnp3_mst_confirm_duplicate(dnp3_master_assoc *a, uint8_t seq, bool uns)
{
    const mst_deferred *d = &a->dc[uns ? 1 : 0];
    if (d->active && dnp3_ac_seq(d->ac) == seq) return;
    dnp3_mst_send_confirm(a, seq, uns);
}

void dnp3_mst_deferred_drop(dnp3_master_assoc *a, int slot)
{
    if (!a->dc[slot].active) return;
    a->dc[slot].active = false;
    a->stats.confirms_dropped++;
    /* never stored: the outstation's repetition of that unsolicited response is new data again,
     * not a duplicate to confirm unseen */
    if (slot == 1) a->uns_have = false;
}

/* Drops held confirms past their deadline; true while one is still held (no new request). */
bool dnp3_mst_deferred_hold(dnp3_master_assoc *a, dnp3_tstamp now)
{
    bool hold = false;
    for (int i = 0; i < 2; i++) {
        if (a->dc[i].active && now >= a->dc[i].deadline) dnp3_mst_deferred_drop(a, i);
        if (a->dc[i].active) hold = true;
    }
    return hold;
}

/* Sends the confirm that did not fit the channel before; false while it still does not. */
bool dnp3_mst_flush_confirm(dnp3_master_assoc *a)
{
    uint8_t apdu[2] = {a->confirm_ac, DNP3_FC_CONFIRM};
    if (dnp3_channel_send(a->m->ch, a->cfg.address, apdu, sizeof apdu) != DNP3_OK) return false;
    a->stats.confirms_sent++;
    a->confirm_pending = false;
    return true;
}
