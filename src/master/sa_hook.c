/*
 * sa_hook.c - the master's hook for Secure Authentication (IEEE 1815-2012
 * clause 7): an association with SA runs the session key exchange as the task
 * DNP3_TASK_AUTH_KEYS before any other task (and again when the keys expire or
 * the outstation reports an error), remembers each request it sends so it can
 * answer a challenge (g120v1 -> g120v2, same SEQ, the task keeps waiting for
 * its real response), and optionally sends critical requests in aggressive
 * mode. A failure ends the running task with DNP3_TASK_AUTH_FAILED.
 */
#include "master/master_internal.h"

int dnp3_master_assoc_set_sa(dnp3_master_assoc *a, dnp3_sa_master *sa)
{
    if (!a || a->t.running) return a ? DNP3_ERR_STATE : DNP3_ERR_INVALID_ARG;
    a->sa = sa;
    if (sa) dnp3_sa_master_reset(sa);
    a->r_sa.at = 0;
    a->r_sa.delay = a->cfg.retry_min_ms;
    dnp3_mst_touch(a);
    return DNP3_OK;
}

bool dnp3_mst_sa_needs_keys(const dnp3_master_assoc *a, dnp3_tstamp now)
{
    return dnp3_sa_master_needs_keys(a->sa, now);
}

int dnp3_mst_sa_build(dnp3_master_assoc *a, uint8_t *buf, size_t cap, uint8_t ac, size_t *len)
{
    if (!a->sa) return DNP3_TASK_CANCELLED;
    int n = a->t.kind == DNP3_TASK_AUTH_UPDATE_KEY
                ? dnp3_sa_master_build_update_key_request(a->sa, ac, buf, cap)
                : dnp3_sa_master_build_key_request(a->sa, ac, a->m->last_service, buf, cap);
    if (n < 0) return n == DNP3_ERR_BUFFER_TOO_SMALL ? DNP3_TASK_TOO_LARGE : DNP3_TASK_AUTH_FAILED;
    *len = (size_t)n;
    return 0;
}

size_t dnp3_mst_sa_outgoing(dnp3_master_assoc *a, uint8_t *buf, size_t cap, size_t len, dnp3_tstamp now)
{
    if (a->t.kind == DNP3_TASK_AUTH_KEYS || a->t.kind == DNP3_TASK_AUTH_UPDATE_KEY || len < 2) return len;
    if (dnp3_sa_master_use_aggressive(a->sa, buf[1], now)) {
        int n = dnp3_sa_master_aggressive(a->sa, buf, len, buf, cap);
        if (n > 0) len = (size_t)n;
    }
    dnp3_sa_master_note_request(a->sa, buf, len);
    return len;
}

void dnp3_mst_on_auth_response(dnp3_master_assoc *a, const uint8_t *frag, size_t len, const dnp3_apdu *apdu,
                               dnp3_tstamp now)
{
    dnp3_master *m = a->m;
    mst_task *t = &a->t;
    if (!t->awaiting || t->series || dnp3_ac_seq(apdu->control) != t->seq) {
        a->stats.unexpected_responses++;
        return;
    }
    t->have_iin = true;
    t->iin = apdu->iin;
    size_t n = 0;
    dnp3_sa_master_action act = DNP3_SA_M_IGNORE;
    uint8_t err = 0;
    dnp3_sa_master_on_auth_response(a->sa, frag, len, now, m->txbuf, m->txcap, &n, &act, &err);
    switch (act) {
    case DNP3_SA_M_SEND:
        if (dnp3_channel_send(m->ch, a->cfg.address, m->txbuf, n) != DNP3_OK) {
            t->sa_error = 0;
            dnp3_mst_finish(a, DNP3_TASK_AUTH_FAILED, now);
            return;
        }
        a->stats.requests_sent++;
        t->deadline = mst_add(now, a->cfg.response_timeout_ms);
        dnp3_mst_touch(a);
        return;
    case DNP3_SA_M_NEXT_KEY:
        t->awaiting = false;
        t->send_pending = true;
        t->phase = 1;
        dnp3_mst_touch(a);
        return;
    case DNP3_SA_M_KEYS_OK:
        t->awaiting = false;
        dnp3_mst_finish(a,
                        t->kind == DNP3_TASK_AUTH_KEYS || t->kind == DNP3_TASK_AUTH_UPDATE_KEY
                            ? DNP3_TASK_SUCCESS
                            : DNP3_TASK_UNEXPECTED_FUNCTION,
                        now);
        return;
    case DNP3_SA_M_FAILED:
        t->awaiting = false;
        t->sa_error = err;
        dnp3_mst_finish(a, DNP3_TASK_AUTH_FAILED, now);
        return;
    default: a->stats.unexpected_responses++; return;
    }
}
