/*
 * sa_os_reply.c - what the outstation's Secure Authentication handlers share
 * (IEEE 1815-2012 clause 7): finding a user, reporting a security event, forgetting a
 * user's session keys, and building the AUTH_RESPONSE they answer with, including the
 * g120v7 error object after an authentication failure (clause 7.5.2.3: at most
 * max_error_count errors in a row are answered, later ones are only counted).
 * sa_outstation.c (session keys, challenges) and sa_os_users.c (update keys, user
 * status changes) both call it; it calls neither.
 */
#include "sa/sa_os_internal.h"

os_user *dnp3_sa_os_find(dnp3_sa_outstation *sa, uint16_t number)
{
    for (size_t i = 0; i < sa->cfg.n_users; i++)
        if (sa->users[i].u.number == number) return &sa->users[i];
    return NULL;
}

void dnp3_sa_os_event(dnp3_sa_outstation *sa, dnp3_sa_event_kind k, uint16_t user, uint32_t seq, uint8_t fc,
                      uint8_t err)
{
    sa_event(sa->cfg.on_event, sa->cfg.ctx, k, user, seq, fc, err);
}

void dnp3_sa_os_drop_keys(os_user *u, uint8_t status)
{
    dnp3_zeroize(u->cdsk, sizeof u->cdsk);
    dnp3_zeroize(u->mdsk, sizeof u->mdsk);
    u->status = status;
}

void dnp3_sa_os_begin_rsp(dnp3_writer *w, uint8_t *buf, size_t cap, uint8_t seq, uint16_t iin)
{
    dnp3_wr_init(w, buf, cap);
    dnp3_wr_u8(w, dnp3_ac_make(true, true, false, false, seq));
    dnp3_wr_u8(w, DNP3_FC_AUTH_RESPONSE);
    dnp3_wr_u16(w, iin);
}

void dnp3_sa_os_reply(dnp3_sa_outstation *sa, dnp3_sa_result *r, size_t len)
{
    r->action = DNP3_SA_REPLY;
    r->apdu = sa->tx;
    r->len = len;
    sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
}

/*
 * Answers an authentication failure with g120v7 (until max_error_count
 * errors in a row have been sent; after that failures are only counted).
 */
void dnp3_sa_os_fail(dnp3_sa_outstation *sa, dnp3_sa_result *r, uint8_t seq, uint16_t iin, uint32_t sq,
                     uint16_t user, uint8_t code)
{
    r->action = DNP3_SA_DROP;
    if (sa->errors < 255) sa->errors++;
    if (sa->errors > sa->cfg.max_error_count) {
        sa->stats[DNP3_SA_STAT_DISCARDED_MESSAGES]++;
        return;
    }
    uint8_t body[15];
    dnp3_g120 e = {0};
    e.variation = 7;
    e.seq = sq;
    e.user = user;
    e.error = code;
    int n = dnp3_g120_encode(&e, body, sizeof body);
    dnp3_writer w;
    dnp3_sa_os_begin_rsp(&w, sa->tx, sizeof sa->tx, seq, iin);
    dnp3_sa_put_object(&w, 7, body, (size_t)n);
    sa->stats[DNP3_SA_STAT_ERROR_MESSAGES_SENT]++;
    dnp3_sa_os_reply(sa, r, w.pos);
}
