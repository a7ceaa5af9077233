/*
 * sa_os_users.c - the outstation's side of Secure Authentication user
 * management (IEEE 1815-2012 clause 7; docs/protocol-notes.md §7.7): the symmetric update-key
 * change (g120v11 -> g120v12, g120v13 + g120v15 -> g120v15) and the
 * authority's user status change (g120v10: ADD / CHANGE / DELETE) that
 * precedes it. Choices and unverified details: docs/sa.md.
 */
#include "sa/sa_os_internal.h"

static os_user *find_by_name(dnp3_sa_outstation *sa, const uint8_t *name, size_t len)
{
    for (size_t i = 0; i < sa->cfg.n_users; i++) {
        const char *n = sa->users[i].u.name;
        if (n[0] && strlen(n) == len && memcmp(n, name, len) == 0) return &sa->users[i];
    }
    return NULL;
}

static void uk_failed(dnp3_sa_outstation *sa, dnp3_sa_result *r, uint8_t seq, uint16_t iin, uint32_t ksq,
                      uint16_t user, uint8_t code)
{
    sa->uk_pending = false;
    dnp3_zeroize(sa->uk_ochal, sizeof sa->uk_ochal);
    sa->stats[DNP3_SA_STAT_FAILED_UPDATE_KEY_CHANGES]++;
    dnp3_sa_os_event(sa, DNP3_SA_EV_UPDATE_KEY_CHANGE_FAILED, user, ksq, DNP3_FC_AUTH_REQUEST, code);
    dnp3_sa_os_fail(sa, r, seq, iin, ksq, user, code);
}

/* Answers with an AUTH_RESPONSE holding one g120 object of variation `var` (n octets of body), or
 * none when var is 0; drops the request when the answer cannot be built. */
static void answer(dnp3_sa_outstation *sa, dnp3_sa_result *r, uint8_t seq, uint16_t iin, uint8_t var,
                   const uint8_t *body, int n)
{
    dnp3_writer w;
    dnp3_sa_os_begin_rsp(&w, sa->tx, sizeof sa->tx, seq, iin);
    if (var) dnp3_sa_put_object(&w, var, body, n > 0 ? (size_t)n : 0);
    if ((var && n <= 0) || w.err) {
        r->action = DNP3_SA_DROP;
        return;
    }
    dnp3_sa_os_reply(sa, r, w.pos);
}

/* The lowest user number not in use (0 if none is left). */
static uint16_t free_number(dnp3_sa_outstation *sa)
{
    for (uint32_t n = 1; n <= 0xFFFF; n++)
        if (!dnp3_sa_os_find(sa, (uint16_t)n)) return (uint16_t)n;
    return 0;
}

/* g120v11: a master asks to change the update key of the user it names (or of the user an
 * authorised user status change is adding: it gets its number here). */
void dnp3_sa_os_on_uk_request(dnp3_sa_outstation *sa, const dnp3_g120 *o, uint8_t seq, uint16_t iin,
                              dnp3_sa_result *r)
{
    if (!sa->cfg.authority_key_len || !dnp3_sa_uk_key_len(o->kcm)) {
        uk_failed(sa, r, seq, iin, 0, 0, DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED);
        return;
    }
    os_user *u = find_by_name(sa, o->data, o->data_len);
    bool adding = !u && sa->add_pending && strlen(sa->add_name) == o->data_len &&
                  memcmp(sa->add_name, o->data, o->data_len) == 0;
    if (!u && !adding) {
        dnp3_sa_os_event(sa, DNP3_SA_EV_UNKNOWN_USER, 0, 0, DNP3_FC_AUTH_REQUEST, DNP3_SA_ERR_UNKNOWN_USER);
        uk_failed(sa, r, seq, iin, 0, 0, DNP3_SA_ERR_UNKNOWN_USER);
        return;
    }
    uint16_t number = u ? u->u.number : sa->cfg.n_users < DNP3_SA_MAX_USERS ? free_number(sa) : 0;
    if (!number) { /* no room for another user */
        uk_failed(sa, r, seq, iin, 0, 0, DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED);
        return;
    }
    if (o->data2_len > DNP3_SA_MAX_CHALLENGE ||
        sa->cfg.crypto->random(sa->cfg.crypto->ctx, sa->uk_ochal, sa->cfg.challenge_len) != DNP3_OK) {
        uk_failed(sa, r, seq, iin, 0, number, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        return;
    }
    sa->uk_pending = true;
    sa->uk_user = number; /* not in the table yet when adding */
    sa->uk_kcm = o->kcm;
    sa->uk_ksq = u ? ++u->ksq : 1;
    memcpy(sa->uk_mchal, o->data2, o->data2_len);
    sa->uk_mchal_len = o->data2_len;
    dnp3_g120 rep = {0};
    rep.variation = 12;
    rep.seq = sa->uk_ksq;
    rep.user = number;
    rep.data = sa->uk_ochal;
    rep.data_len = sa->cfg.challenge_len;
    uint8_t body[8 + DNP3_SA_MAX_CHALLENGE];
    answer(sa, r, seq, iin, 12, body, dnp3_g120_encode(&rep, body, sizeof body));
}

/* g120v13 + g120v15: the new update key, wrapped with the authority key, and the master's proof. */
void dnp3_sa_os_on_uk_change(dnp3_sa_outstation *sa, const uint8_t *apdu, size_t len, const dnp3_g120 *v13,
                             uint8_t seq, uint16_t iin, dnp3_sa_result *r)
{
    dnp3_g120 v15;
    /* the user whose key changes, or - its number not in the table - the one being added */
    os_user *u = sa->uk_pending ? dnp3_sa_os_find(sa, sa->uk_user) : NULL;
    const char *name = u ? u->u.name : sa->uk_pending && sa->add_pending ? sa->add_name : NULL;
    if (!name || v13->seq != sa->uk_ksq || v13->user != sa->uk_user || dnp3_sa_g120_nth(apdu, len, 1, &v15) != 1 ||
        v15.variation != 15 || v13->data_len % 8 != 0 || v13->data_len < 24 ||
        v13->data_len > SA_UK_PLAIN_MAX + 8) {
        uk_failed(sa, r, seq, iin, v13->seq, v13->user, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        return;
    }
    const dnp3_crypto *c = sa->cfg.crypto;
    const size_t kl = dnp3_sa_uk_key_len(sa->uk_kcm), nl = strlen(name), cl = sa->cfg.challenge_len;
    uint8_t plain[SA_UK_PLAIN_MAX], mac[DNP3_SA_MAX_MAC];
    const size_t plen = v13->data_len - 8;
    bool ok = c->key_unwrap(c->ctx, sa->cfg.authority_key, sa->cfg.authority_key_len, v13->data, v13->data_len,
                            plain) == DNP3_OK &&
              nl + kl + cl <= plen && plen - (nl + kl + cl) < 8 && memcmp(plain, name, nl) == 0 &&
              dnp3_ct_equal(plain + nl + kl, sa->uk_ochal, cl);
    int ml = ok ? dnp3_sa_uk_confirmation(c, sa->uk_kcm, plain + nl, sa->cfg.outstation_name, sa->uk_mchal,
                                          sa->uk_mchal_len, sa->uk_ochal, cl, sa->uk_ksq, sa->uk_user, mac)
                : -1;
    ok = ok && ml > 0 && v15.data_len == (size_t)ml && dnp3_ct_equal(mac, v15.data, (size_t)ml);
    if (!ok) {
        dnp3_zeroize(plain, sizeof plain);
        sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        uk_failed(sa, r, seq, iin, v13->seq, v13->user, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        return;
    }
    if (!u) { /* the user added by the status change comes into being with its key */
        u = &sa->users[sa->cfg.n_users++];
        memset(u, 0, sizeof *u);
        u->u.number = sa->uk_user;
        memcpy(u->u.name, sa->add_name, sizeof u->u.name);
        u->role = sa->add_role;
        u->role_expiry_days = sa->add_expiry;
        u->ksq = sa->uk_ksq;
        sa->add_pending = false;
    }
    /* install the new update key; the session keys made with the old one are gone */
    dnp3_zeroize(u->u.key, sizeof u->u.key);
    memcpy(u->u.key, plain + nl, kl);
    u->u.key_len = (uint8_t)kl;
    dnp3_zeroize(plain, sizeof plain);
    dnp3_sa_os_drop_keys(u, DNP3_SA_KS_NOT_INIT);
    u->status_sent = false;
    sa->uk_pending = false;
    sa->errors = 0;
    sa->stats[DNP3_SA_STAT_UPDATE_KEY_CHANGES]++;
    ml = dnp3_sa_uk_confirmation(c, sa->uk_kcm, u->u.key, u->u.name, sa->uk_ochal, cl, sa->uk_mchal,
                                 sa->uk_mchal_len, sa->uk_ksq, u->u.number, mac);
    dnp3_zeroize(sa->uk_ochal, sizeof sa->uk_ochal);
    dnp3_sa_os_event(sa, DNP3_SA_EV_UPDATE_KEY_CHANGED, u->u.number, v13->seq, DNP3_FC_AUTH_REQUEST, 0);
    answer(sa, r, seq, iin, 15, mac, ml);
}

static void usc_failed(dnp3_sa_outstation *sa, dnp3_sa_result *r, uint8_t seq, uint16_t iin, uint32_t scs,
                       uint8_t code)
{
    dnp3_sa_os_event(sa, DNP3_SA_EV_USER_STATUS_CHANGE_FAILED, 0, scs, DNP3_FC_AUTH_REQUEST, code);
    dnp3_sa_os_fail(sa, r, seq, iin, scs, 0, code);
}

static void remove_user(dnp3_sa_outstation *sa, os_user *u)
{
    size_t i = (size_t)(u - sa->users);
    if (sa->uk_pending && sa->uk_user == u->u.number) sa->uk_pending = false;
    dnp3_zeroize(u, sizeof *u);
    memmove(&sa->users[i], &sa->users[i + 1], (sa->cfg.n_users - i - 1) * sizeof *u);
    sa->cfg.n_users--;
    dnp3_zeroize(&sa->users[sa->cfg.n_users], sizeof *u);
}

/* g120v10: the authority adds, changes or deletes a user; certified with the authority key. */
void dnp3_sa_os_on_user_status_change(dnp3_sa_outstation *sa, const dnp3_g120 *o, uint8_t seq, uint16_t iin,
                                      dnp3_sa_result *r)
{
    if (!sa->cfg.authority_key_len || !dnp3_sa_uk_key_len(o->kcm) || o->data2_len) { /* no asymmetric methods */
        usc_failed(sa, r, seq, iin, o->seq, DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED);
        return;
    }
    uint8_t cert[32];
    int cl = dnp3_sa_usc_certification(sa->cfg.crypto, o->kcm, sa->cfg.authority_key, sa->cfg.authority_key_len,
                                       o->op, o->seq, o->role, o->role_expiry, o->data, o->data_len, cert);
    bool certified = cl > 0 && o->data3_len == (size_t)cl && dnp3_ct_equal(cert, o->data3, (size_t)cl);
    if (!certified || o->seq < sa->scs_next || o->data_len > DNP3_SA_MAX_NAME) {
        if (!certified) sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        usc_failed(sa, r, seq, iin, o->seq, DNP3_SA_ERR_INVALID_CERTIFICATION);
        return;
    }
    os_user *u = find_by_name(sa, o->data, o->data_len);
    if ((o->op == DNP3_SA_USER_CHANGE || o->op == DNP3_SA_USER_DELETE) && !u) {
        sa->scs_next = o->seq + 1;
        dnp3_sa_os_event(sa, DNP3_SA_EV_UNKNOWN_USER, 0, o->seq, DNP3_FC_AUTH_REQUEST, DNP3_SA_ERR_UNKNOWN_USER);
        usc_failed(sa, r, seq, iin, o->seq, DNP3_SA_ERR_UNKNOWN_USER);
        return;
    }
    uint16_t number = 0;
    switch (o->op) {
    case DNP3_SA_USER_ADD:
    case DNP3_SA_USER_CHANGE:
        if (u) { /* an existing user: its role now, its key by the update-key change that follows */
            u->role = o->role;
            u->role_expiry_days = o->role_expiry;
            number = u->u.number;
        } else { /* a new user: it exists once the update-key change gives it a key */
            sa->add_pending = true;
            memset(sa->add_name, 0, sizeof sa->add_name);
            memcpy(sa->add_name, o->data, o->data_len);
            sa->add_role = o->role;
            sa->add_expiry = o->role_expiry;
        }
        break;
    case DNP3_SA_USER_DELETE:
        if (u) { /* (checked above) */
            number = u->u.number;
            remove_user(sa, u);
        }
        break;
    default: usc_failed(sa, r, seq, iin, o->seq, DNP3_SA_ERR_INVALID_CERTIFICATION); return;
    }
    sa->scs_next = o->seq + 1;
    dnp3_sa_os_event(sa, DNP3_SA_EV_USER_STATUS_CHANGED, number, o->seq, DNP3_FC_AUTH_REQUEST, o->op);
    answer(sa, r, seq, iin, 0, NULL, 0); /* an AUTH_RESPONSE without objects */
}
