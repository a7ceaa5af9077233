/*
 * sa_master.c - Secure Authentication v5, master role (IEEE 1815-2012 clause
 * 7: session key initialisation with the update key, answers to challenges of
 * critical requests, aggressive mode, key expiry). Sequences: docs/sa.md,
 * docs/protocol-notes.md §7.4-7.6.
 *
 * States: IDLE (no keys) -> AWAIT_STATUS (g120v4 sent) -> HAVE_STATUS
 * (g120v5 received, g120v6 to build) -> AWAIT_CHANGE (g120v6 sent) -> READY
 * (g120v5 with a verified MAC received). An error object or a failed check
 * returns to IDLE; keys expire after key_change_interval_ms or
 * key_change_count authenticated messages and the association rekeys.
 */
#include <stdalign.h>
#include <stddef.h>

#include "core/config.h"
#include "sa/sa_internal.h"

enum { M_IDLE = 0, M_AWAIT_STATUS, M_HAVE_STATUS, M_AWAIT_CHANGE, M_READY };

struct dnp3_sa_master {
    dnp3_sa_master_config cfg;
    uint8_t state;
    uint32_t ksq;
    uint8_t status[SA_STATUS_MAX]; /* last g120v5 body without MAC */
    size_t status_len;
    uint8_t cdsk[DNP3_SA_MAX_KEY], mdsk[DNP3_SA_MAX_KEY];
    uint8_t keychange[SA_KEYCHANGE_MAX]; /* the g120v6 APDU sent (its MAC comes back) */
    size_t keychange_len;
    dnp3_tstamp keys_at;
    uint32_t auth_count;
    uint8_t mal;               /* MAL the outstation uses */
    uint32_t csq;              /* last CSQ seen or used */
    uint8_t chal[SA_CHAL_MAX]; /* last challenge APDU received (g120v1, or g120v5 with MAC) */
    size_t chal_len;
    bool chal_valid;
    uint8_t *req; /* max_apdu: the last request sent */
    size_t req_len;
    uint8_t *work; /* max_apdu + 32: aggressive-mode request */
    uint32_t stats[DNP3_SA_STAT_COUNT];
    /* update-key change: UK_NONE -> [UK_STATUS (prepared with a user status change) ->
     * UK_AWAIT_STATUS (g120v10 sent; an empty AUTH_RESPONSE accepts it) ->] UK_READY (prepared)
     * -> UK_AWAIT_REPLY (g120v11 sent) -> UK_HAVE_REPLY (g120v12 received) -> UK_AWAIT_CONFIRM
     * (g120v13 + v15 sent) */
    uint8_t uk_state;
    dnp3_sa_update_key_change uk;
    uint8_t uk_mchal[DNP3_SA_MAX_CHALLENGE], uk_ochal[DNP3_SA_MAX_CHALLENGE];
    size_t uk_ochal_len;
    uint32_t uk_ksq;
    uint16_t uk_user;
};

enum { UK_NONE = 0, UK_STATUS, UK_AWAIT_STATUS, UK_READY, UK_AWAIT_REPLY, UK_HAVE_REPLY, UK_AWAIT_CONFIRM };
#define UK_CHALLENGE_LEN 16 /* master challenge of g120v11 */

static void sa_master_config_defaults(dnp3_sa_master_config *c)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->user.number = 1;
    c->session_key_len = 16;
    c->key_change_interval_ms = 10u * 60u * 1000u;
    c->key_change_count = 1000;
    dnp3_sa_critical_default(&c->critical);
    c->max_apdu = 2048;
}

void dnp3_sa_master_config_init_size(dnp3_sa_master_config *c, size_t size)
{
    dnp3_sa_master_config full;
    sa_master_config_defaults(&full);
    dnp3_config_fill(c, size, &full, sizeof full);
}

/* The fields every configuration must carry (up to max_apdu); the event callback after them is
 * optional: a smaller, older `size` gets its default (none). */
#define SA_MASTER_CONFIG_MIN (offsetof(dnp3_sa_master_config, max_apdu) + sizeof(size_t))

/* Copies and checks a configuration: NULL when it is valid, else the name of the first bad field. */
static const char *load(const dnp3_sa_master_config *in, dnp3_sa_master_config *out)
{
    if (!in) return "config";
    dnp3_sa_master_config_init(out);
    if (!dnp3_config_overlay(out, sizeof *out, in, SA_MASTER_CONFIG_MIN)) return "size";
    const dnp3_crypto *c = out->crypto;
    if (!c) return "crypto";
    if (c->size < SA_CRYPTO_MIN_SIZE) return "crypto.size";
    if (!c->hmac || !c->key_wrap || !c->random) return "crypto";
    if (out->user.number == 0) return "user.number";
    if (out->user.key_len != 16 && out->user.key_len != 32) return "user.key_len";
    if (out->session_key_len < 16 || out->session_key_len > DNP3_SA_MAX_KEY) return "session_key_len";
    if (out->max_apdu < 249 || out->max_apdu > 65535) return "max_apdu";
    return NULL;
}

int dnp3_sa_master_config_check(const dnp3_sa_master_config *c, const char **field)
{
    dnp3_sa_master_config cfg;
    return dnp3_config_verdict(load(c, &cfg), field);
}

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

size_t dnp3_sa_master_memory_size(const dnp3_sa_master_config *c)
{
    dnp3_sa_master_config cfg;
    if (load(c, &cfg)) return 0;
    return align_up(sizeof(struct dnp3_sa_master)) + align_up(cfg.max_apdu) + align_up(cfg.max_apdu + 32);
}

dnp3_sa_master *dnp3_sa_master_init(void *mem, size_t size, const dnp3_sa_master_config *c, dnp3_tstamp now)
{
    (void)now;
    dnp3_sa_master_config cfg;
    if (!mem || (uintptr_t)mem % alignof(max_align_t) != 0 || load(c, &cfg)) return NULL;
    size_t need = dnp3_sa_master_memory_size(c);
    if (size < need) return NULL;
    memset(mem, 0, need);
    dnp3_sa_master *sa = mem;
    sa->cfg = cfg;
    dnp3_zeroize(&cfg.user, sizeof cfg.user);
    uint8_t *base = mem;
    sa->req = base + align_up(sizeof *sa);
    sa->work = sa->req + align_up(sa->cfg.max_apdu);
    return sa;
}

void dnp3_sa_master_free(dnp3_sa_master *sa)
{
    if (sa) dnp3_zeroize(sa, sizeof *sa);
}

const uint32_t *dnp3_sa_master_stats(const dnp3_sa_master *sa)
{
    return sa ? sa->stats : NULL;
}

static void event(dnp3_sa_master *sa, dnp3_sa_event_kind k, uint32_t seq, uint8_t fc, uint8_t err)
{
    sa_event(sa->cfg.on_event, sa->cfg.ctx, k, sa->cfg.user.number, seq, fc, err);
}

static bool expired(const dnp3_sa_master *sa, dnp3_tstamp now)
{
    const dnp3_sa_master_config *c = &sa->cfg;
    return (c->key_change_interval_ms && now - sa->keys_at >= c->key_change_interval_ms) ||
           (c->key_change_count && sa->auth_count >= c->key_change_count);
}

static void forget(dnp3_sa_master *sa)
{
    dnp3_zeroize(sa->cdsk, sizeof sa->cdsk);
    dnp3_zeroize(sa->mdsk, sizeof sa->mdsk);
    sa->state = M_IDLE;
    sa->chal_valid = false;
}

void dnp3_sa_master_reset(dnp3_sa_master *sa)
{
    if (sa) forget(sa);
}

dnp3_tstamp dnp3_sa_master_rekey_at(const dnp3_sa_master *sa)
{
    if (!sa) return DNP3_TSTAMP_NEVER;
    if (sa->state != M_READY) return 0;
    if (sa->cfg.key_change_count && sa->auth_count >= sa->cfg.key_change_count) return 0;
    if (!sa->cfg.key_change_interval_ms) return DNP3_TSTAMP_NEVER;
    return sa->keys_at + sa->cfg.key_change_interval_ms;
}

bool dnp3_sa_master_needs_keys(const dnp3_sa_master *sa, dnp3_tstamp now)
{
    return sa && (sa->state != M_READY || expired(sa, now));
}

dnp3_sa_key_status dnp3_sa_master_key_status(const dnp3_sa_master *sa, dnp3_tstamp now)
{
    if (!sa) return DNP3_SA_KS_NOT_INIT;
    if (sa->state == M_READY) return expired(sa, now) ? DNP3_SA_KS_COMM_FAIL : DNP3_SA_KS_OK;
    return DNP3_SA_KS_NOT_INIT;
}

int dnp3_sa_master_build_key_request(dnp3_sa_master *sa, uint8_t ac, dnp3_tstamp now, uint8_t *buf, size_t cap)
{
    (void)now;
    if (!sa || !buf) return DNP3_ERR_INVALID_ARG;
    dnp3_writer w;
    dnp3_wr_init(&w, buf, cap);
    dnp3_wr_u8(&w, ac);
    dnp3_wr_u8(&w, DNP3_FC_AUTH_REQUEST);
    if (sa->state != M_HAVE_STATUS) {
        if (sa->state == M_READY) forget(sa); /* rekey: the old keys are no longer used */
        uint8_t body[2];
        dnp3_store_u16(body, sa->cfg.user.number);
        dnp3_sa_put_object(&w, 4, body, sizeof body);
        if (w.err) return DNP3_ERR_BUFFER_TOO_SMALL;
        sa->state = M_AWAIT_STATUS;
        sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
        return (int)w.pos;
    }
    /* session key change: wrap(key length, CDSK, MDSK, key status body, zero padding) */
    const dnp3_crypto *c = sa->cfg.crypto;
    const size_t kl = sa->cfg.session_key_len;
    uint8_t plain[SA_PLAIN_MAX] = {0}, body[6 + SA_PLAIN_MAX + 8];
    size_t plen = 2 + 2 * kl + sa->status_len;
    plen = (plen + 7) / 8 * 8;
    if (plen > SA_PLAIN_MAX) return DNP3_ERR_INVALID_ARG;
    int rc = c->random(c->ctx, sa->cdsk, kl);
    if (!rc) rc = c->random(c->ctx, sa->mdsk, kl);
    if (rc) return rc;
    dnp3_store_u16(plain, (uint16_t)kl);
    memcpy(plain + 2, sa->cdsk, kl);
    memcpy(plain + 2 + kl, sa->mdsk, kl);
    memcpy(plain + 2 + 2 * kl, sa->status, sa->status_len);
    dnp3_store_u32(body, sa->ksq);
    dnp3_store_u16(body + 4, sa->cfg.user.number);
    rc = c->key_wrap(c->ctx, sa->cfg.user.key, sa->cfg.user.key_len, plain, plen, body + 6);
    dnp3_zeroize(plain, sizeof plain);
    if (rc) return rc;
    dnp3_sa_put_object(&w, 6, body, 6 + plen + 8);
    if (w.err || w.pos > sizeof sa->keychange) return DNP3_ERR_BUFFER_TOO_SMALL;
    memcpy(sa->keychange, buf, w.pos);
    sa->keychange_len = w.pos;
    sa->state = M_AWAIT_CHANGE;
    sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
    return (int)w.pos;
}

void dnp3_sa_master_note_request(dnp3_sa_master *sa, const uint8_t *apdu, size_t len)
{
    if (!sa || !apdu) return;
    if (len > sa->cfg.max_apdu) len = 0; /* cannot be authenticated: a challenge will fail */
    memcpy(sa->req, apdu, len);
    sa->req_len = len;
    sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
    if (len >= 2 && dnp3_sa_fc_in(&sa->cfg.critical, apdu[1])) sa->stats[DNP3_SA_STAT_CRITICAL_MESSAGES_SENT]++;
}

static void set_chal(dnp3_sa_master *sa, const uint8_t *frag, size_t len)
{
    sa->chal_valid = len <= sizeof sa->chal;
    if (sa->chal_valid) {
        memcpy(sa->chal, frag, len);
        sa->chal_len = len;
    }
}

static void on_status(dnp3_sa_master *sa, const uint8_t *frag, size_t len, const dnp3_g120 *o, dnp3_tstamp now,
                      dnp3_sa_master_action *act, uint8_t *error)
{
    const uint8_t want_kwa = sa->cfg.user.key_len == 16 ? DNP3_SA_KWA_AES128 : DNP3_SA_KWA_AES256;
    if (o->user != sa->cfg.user.number) {
        sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++;
        return;
    }
    if (sa->state == M_AWAIT_STATUS) {
        if (o->kwa != want_kwa) {
            forget(sa);
            sa->stats[DNP3_SA_STAT_FAILED_SESSION_KEY_CHANGES]++;
            event(sa, DNP3_SA_EV_KEY_CHANGE_FAILED, o->seq, DNP3_FC_AUTH_REQUEST,
                  DNP3_SA_ERR_KEY_WRAP_NOT_SUPPORTED);
            *act = DNP3_SA_M_FAILED;
            *error = 0;
            return;
        }
        sa->ksq = o->seq;
        sa->status_len = 11 + o->data_len; /* the body without its MAC */
        memcpy(sa->status, o->data - 11, sa->status_len);
        sa->state = M_HAVE_STATUS;
        *act = DNP3_SA_M_NEXT_KEY;
        return;
    }
    if (sa->state != M_AWAIT_CHANGE) {
        sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++;
        return;
    }
    uint8_t mac[DNP3_SA_MAX_MAC];
    dnp3_iov whole = {sa->keychange, sa->keychange_len};
    int ml = o->ks == DNP3_SA_KS_OK
                 ? dnp3_sa_mac(sa->cfg.crypto, o->mal, sa->mdsk, sa->cfg.session_key_len, &whole, 1, mac)
                 : -1;
    if (ml <= 0 || o->data2_len != (size_t)ml || !dnp3_ct_equal(mac, o->data2, (size_t)ml)) {
        forget(sa);
        sa->stats[DNP3_SA_STAT_FAILED_SESSION_KEY_CHANGES]++;
        sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        event(sa, DNP3_SA_EV_KEY_CHANGE_FAILED, o->seq, DNP3_FC_AUTH_REQUEST, 0);
        *act = DNP3_SA_M_FAILED;
        *error = 0;
        return;
    }
    sa->state = M_READY;
    sa->keys_at = now;
    sa->auth_count = 0;
    sa->mal = o->mal;
    set_chal(sa, frag, len);
    sa->stats[DNP3_SA_STAT_SESSION_KEY_CHANGES]++;
    event(sa, DNP3_SA_EV_KEYS_CHANGED, o->seq, DNP3_FC_AUTH_REQUEST, 0);
    *act = DNP3_SA_M_KEYS_OK;
}

static void on_challenge(dnp3_sa_master *sa, const uint8_t *frag, size_t len, const dnp3_g120 *o, dnp3_tstamp now,
                         uint8_t *out, size_t cap, size_t *out_len, dnp3_sa_master_action *act, uint8_t *error)
{
    *error = 0;
    if (sa->state != M_READY || expired(sa, now) || sa->req_len < 2) {
        if (sa->state == M_READY) event(sa, DNP3_SA_EV_KEYS_EXPIRED, o->seq, 0, 0);
        forget(sa);
        *act = DNP3_SA_M_FAILED;
        return;
    }
    uint8_t mac[DNP3_SA_MAX_MAC], body[6 + DNP3_SA_MAX_MAC];
    dnp3_iov parts[2] = {{frag, len}, {sa->req, sa->req_len}};
    int ml = dnp3_sa_mac(sa->cfg.crypto, o->mal, sa->cdsk, sa->cfg.session_key_len, parts, 2, mac);
    if (ml <= 0) {
        *act = DNP3_SA_M_FAILED;
        *error = DNP3_SA_ERR_MAC_NOT_SUPPORTED;
        return;
    }
    dnp3_store_u32(body, o->seq);
    dnp3_store_u16(body + 4, sa->cfg.user.number);
    memcpy(body + 6, mac, (size_t)ml);
    dnp3_writer w;
    dnp3_wr_init(&w, out, cap);
    dnp3_wr_u8(&w, dnp3_ac_make(true, true, false, false, dnp3_ac_seq(frag[0])));
    dnp3_wr_u8(&w, DNP3_FC_AUTH_REQUEST);
    dnp3_sa_put_object(&w, 2, body, 6 + (size_t)ml);
    if (w.err) {
        *act = DNP3_SA_M_FAILED;
        return;
    }
    sa->csq = o->seq;
    sa->mal = o->mal;
    set_chal(sa, frag, len);
    sa->auth_count++;
    sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
    *out_len = w.pos;
    *act = DNP3_SA_M_SEND;
}

/* ---- update-key change (docs/protocol-notes.md §7.7; sa_update_key.c) ---- */

void dnp3_sa_master_cancel_update_key(dnp3_sa_master *sa)
{
    if (!sa) return;
    dnp3_zeroize(&sa->uk, sizeof sa->uk);
    dnp3_zeroize(sa->uk_ochal, sizeof sa->uk_ochal);
    sa->uk_state = UK_NONE;
}

int dnp3_sa_master_begin_update_key(dnp3_sa_master *sa, const dnp3_sa_update_key_change *c)
{
    if (!sa || !c || !dnp3_sa_uk_key_len(c->kcm) || (c->authority_key_len != 16 && c->authority_key_len != 32) ||
        !memchr(c->user_name, 0, sizeof c->user_name) || !c->user_name[0] ||
        !memchr(c->outstation_name, 0, sizeof c->outstation_name) || c->status_operation > DNP3_SA_USER_CHANGE)
        return DNP3_ERR_INVALID_ARG;
    dnp3_sa_master_cancel_update_key(sa);
    sa->uk = *c;
    sa->uk_state = c->status_operation ? UK_STATUS : UK_READY;
    return DNP3_OK;
}

bool dnp3_sa_master_update_key_pending(const dnp3_sa_master *sa)
{
    return sa && sa->uk_state != UK_NONE;
}

int dnp3_sa_master_build_update_key_request(dnp3_sa_master *sa, uint8_t ac, uint8_t *buf, size_t cap)
{
    if (!sa || !buf) return DNP3_ERR_INVALID_ARG;
    const dnp3_crypto *c = sa->cfg.crypto;
    dnp3_writer w;
    dnp3_wr_init(&w, buf, cap);
    dnp3_wr_u8(&w, ac);
    dnp3_wr_u8(&w, DNP3_FC_AUTH_REQUEST);
    dnp3_g120 o = {0};
    if (sa->uk_state == UK_STATUS || sa->uk_state == UK_AWAIT_STATUS) { /* g120v10 (again after a retry) */
        uint8_t cert[32], body[16 + DNP3_SA_MAX_NAME + 32];
        size_t nl = strlen(sa->uk.user_name);
        int cl = dnp3_sa_usc_certification(c, sa->uk.kcm, sa->uk.authority_key, sa->uk.authority_key_len,
                                           sa->uk.status_operation, sa->uk.status_change_seq, sa->uk.role,
                                           sa->uk.role_expiry_days, (const uint8_t *)sa->uk.user_name, nl, cert);
        if (cl < 0) return cl;
        o.variation = 10;
        o.kcm = sa->uk.kcm;
        o.op = sa->uk.status_operation;
        o.seq = sa->uk.status_change_seq;
        o.role = sa->uk.role;
        o.role_expiry = sa->uk.role_expiry_days;
        o.data = (const uint8_t *)sa->uk.user_name;
        o.data_len = nl;
        o.data3 = cert;
        o.data3_len = (size_t)cl;
        int n = dnp3_g120_encode(&o, body, sizeof body);
        if (n < 0) return n;
        dnp3_sa_put_object(&w, 10, body, (size_t)n);
        if (w.err) return w.err;
        sa->uk_state = UK_AWAIT_STATUS;
        sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
        return (int)w.pos;
    }
    if (sa->uk_state == UK_READY || sa->uk_state == UK_AWAIT_REPLY) { /* g120v11 (again after a retry) */
        if (c->random(c->ctx, sa->uk_mchal, UK_CHALLENGE_LEN) != DNP3_OK) return DNP3_ERR_CRYPTO;
        uint8_t body[5 + DNP3_SA_MAX_NAME + UK_CHALLENGE_LEN];
        o.variation = 11;
        o.kcm = sa->uk.kcm;
        o.data = (const uint8_t *)sa->uk.user_name;
        o.data_len = strlen(sa->uk.user_name);
        o.data2 = sa->uk_mchal;
        o.data2_len = UK_CHALLENGE_LEN;
        int n = dnp3_g120_encode(&o, body, sizeof body);
        if (n < 0) return n;
        dnp3_sa_put_object(&w, 11, body, (size_t)n);
        if (w.err) return w.err;
        sa->uk_state = UK_AWAIT_REPLY;
        sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
        return (int)w.pos;
    }
    if (sa->uk_state != UK_HAVE_REPLY) return DNP3_ERR_STATE;
    const size_t kl = dnp3_sa_uk_key_len(sa->uk.kcm);
    uint8_t plain[SA_UK_PLAIN_MAX], wrapped[SA_UK_PLAIN_MAX + 8], body[8 + SA_UK_PLAIN_MAX + 8],
        mac[DNP3_SA_MAX_MAC];
    size_t pl = dnp3_sa_uk_plain(sa->uk.user_name, sa->uk.new_key, kl, sa->uk_ochal, sa->uk_ochal_len, plain);
    int rc = pl ? c->key_wrap(c->ctx, sa->uk.authority_key, sa->uk.authority_key_len, plain, pl, wrapped)
                : DNP3_ERR_INVALID_ARG;
    dnp3_zeroize(plain, sizeof plain);
    if (rc != DNP3_OK) return rc;
    o.variation = 13;
    o.seq = sa->uk_ksq;
    o.user = sa->uk_user;
    o.data = wrapped;
    o.data_len = pl + 8;
    int n = dnp3_g120_encode(&o, body, sizeof body);
    int ml =
        dnp3_sa_uk_confirmation(c, sa->uk.kcm, sa->uk.new_key, sa->uk.outstation_name, sa->uk_mchal,
                                UK_CHALLENGE_LEN, sa->uk_ochal, sa->uk_ochal_len, sa->uk_ksq, sa->uk_user, mac);
    if (n < 0 || ml < 0) return n < 0 ? n : ml;
    dnp3_sa_put_object(&w, 13, body, (size_t)n);
    dnp3_sa_put_object(&w, 15, mac, (size_t)ml);
    if (w.err) return w.err;
    sa->uk_state = UK_AWAIT_CONFIRM;
    sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_SENT]++;
    return (int)w.pos;
}

static void on_uk_reply(dnp3_sa_master *sa, const dnp3_g120 *o, dnp3_sa_master_action *act)
{
    if (sa->uk_state != UK_AWAIT_REPLY || o->data_len > DNP3_SA_MAX_CHALLENGE) {
        sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++;
        return;
    }
    sa->uk_ksq = o->seq;
    sa->uk_user = o->user;
    memcpy(sa->uk_ochal, o->data, o->data_len);
    sa->uk_ochal_len = o->data_len;
    sa->uk_state = UK_HAVE_REPLY;
    *act = DNP3_SA_M_NEXT_KEY;
}

static void on_uk_confirm(dnp3_sa_master *sa, const dnp3_g120 *o, dnp3_sa_master_action *act, uint8_t *error)
{
    if (sa->uk_state != UK_AWAIT_CONFIRM) {
        sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++;
        return;
    }
    uint8_t mac[DNP3_SA_MAX_MAC];
    int ml =
        dnp3_sa_uk_confirmation(sa->cfg.crypto, sa->uk.kcm, sa->uk.new_key, sa->uk.user_name, sa->uk_ochal,
                                sa->uk_ochal_len, sa->uk_mchal, UK_CHALLENGE_LEN, sa->uk_ksq, sa->uk_user, mac);
    if (ml <= 0 || o->data_len != (size_t)ml || !dnp3_ct_equal(mac, o->data, (size_t)ml)) {
        sa->stats[DNP3_SA_STAT_FAILED_UPDATE_KEY_CHANGES]++;
        event(sa, DNP3_SA_EV_UPDATE_KEY_CHANGE_FAILED, sa->uk_ksq, DNP3_FC_AUTH_REQUEST, 0);
        dnp3_sa_master_cancel_update_key(sa);
        *act = DNP3_SA_M_FAILED;
        *error = 0;
        return;
    }
    /* the new update key is ours; session keys are made with it from now on */
    size_t kl = dnp3_sa_uk_key_len(sa->uk.kcm);
    dnp3_zeroize(sa->cfg.user.key, sizeof sa->cfg.user.key);
    memcpy(sa->cfg.user.key, sa->uk.new_key, kl);
    sa->cfg.user.key_len = (uint8_t)kl;
    sa->cfg.user.number = sa->uk_user;
    sa->stats[DNP3_SA_STAT_UPDATE_KEY_CHANGES]++;
    event(sa, DNP3_SA_EV_UPDATE_KEY_CHANGED, sa->uk_ksq, DNP3_FC_AUTH_REQUEST, 0);
    dnp3_sa_master_cancel_update_key(sa);
    forget(sa);
    *act = DNP3_SA_M_KEYS_OK;
}

int dnp3_sa_master_on_auth_response(dnp3_sa_master *sa, const uint8_t *frag, size_t len, dnp3_tstamp now,
                                    uint8_t *out, size_t cap, size_t *out_len, dnp3_sa_master_action *act,
                                    uint8_t *error)
{
    if (!sa || !frag || !act || !error || !out_len || (!out && cap)) return DNP3_ERR_INVALID_ARG;
    *act = DNP3_SA_M_IGNORE;
    *error = 0;
    *out_len = 0;
    dnp3_g120 o;
    if (len == 4 && frag[1] == DNP3_FC_AUTH_RESPONSE && sa->uk_state == UK_AWAIT_STATUS) {
        /* the user status change is accepted: a deletion is done, the others go on with the key */
        sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_RECEIVED]++;
        event(sa, DNP3_SA_EV_USER_STATUS_CHANGED, sa->uk.status_change_seq, DNP3_FC_AUTH_REQUEST,
              sa->uk.status_operation);
        if (sa->uk.status_operation == DNP3_SA_USER_DELETE) {
            dnp3_sa_master_cancel_update_key(sa);
            *act = DNP3_SA_M_KEYS_OK;
        } else {
            sa->uk_state = UK_READY;
            *act = DNP3_SA_M_NEXT_KEY;
        }
        return DNP3_OK;
    }
    if (len < 4 || frag[1] != DNP3_FC_AUTH_RESPONSE || dnp3_g120_first(frag, len, &o, NULL) != 1) {
        sa->stats[DNP3_SA_STAT_DISCARDED_MESSAGES]++;
        return DNP3_OK;
    }
    sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_RECEIVED]++;
    switch (o.variation) {
    case 1: on_challenge(sa, frag, len, &o, now, out, cap, out_len, act, error); break;
    case 5: on_status(sa, frag, len, &o, now, act, error); break;
    case 12: on_uk_reply(sa, &o, act); break;
    case 15: on_uk_confirm(sa, &o, act, error); break;
    case 7:
        if (sa->uk_state == UK_AWAIT_STATUS || sa->uk_state == UK_AWAIT_REPLY ||
            sa->uk_state == UK_AWAIT_CONFIRM) {
            sa->stats[DNP3_SA_STAT_FAILED_UPDATE_KEY_CHANGES]++;
            event(sa, DNP3_SA_EV_UPDATE_KEY_CHANGE_FAILED, o.seq, DNP3_FC_AUTH_REQUEST, o.error);
            dnp3_sa_master_cancel_update_key(sa);
        }
        sa->stats[DNP3_SA_STAT_ERROR_MESSAGES_RECEIVED]++;
        event(sa, DNP3_SA_EV_ERROR_RECEIVED, o.seq, 0, o.error);
        forget(sa); /* whatever failed, the next request starts with fresh session keys */
        sa->stats[DNP3_SA_STAT_REKEYS_DUE_TO_AUTH_FAILURE]++;
        *act = DNP3_SA_M_FAILED;
        *error = o.error ? o.error : DNP3_SA_ERR_AUTHENTICATION_FAILED;
        break;
    default: sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++; break;
    }
    return DNP3_OK;
}

bool dnp3_sa_master_use_aggressive(const dnp3_sa_master *sa, uint8_t fc, dnp3_tstamp now)
{
    return sa && sa->cfg.aggressive_mode && sa->state == M_READY && !expired(sa, now) && sa->chal_valid &&
           dnp3_sa_fc_in(&sa->cfg.critical, fc);
}

int dnp3_sa_master_aggressive(dnp3_sa_master *sa, const uint8_t *req, size_t len, uint8_t *out, size_t cap)
{
    if (!sa || !req || len < 2 || !out) return DNP3_ERR_INVALID_ARG;
    if (sa->state != M_READY || !sa->chal_valid) return DNP3_ERR_STATE;
    const size_t ml = dnp3_sa_mac_len(sa->mal);
    if (!ml) return DNP3_ERR_STATE;
    if (len + 10 + 6 + ml > cap || len > sa->cfg.max_apdu) return DNP3_ERR_BUFFER_TOO_SMALL;
    memcpy(sa->work, req, len); /* out may be req */
    req = sa->work;
    dnp3_writer w;
    dnp3_wr_init(&w, out, cap);
    dnp3_wr_bytes(&w, req, 2);
    uint8_t v3[6];
    dnp3_store_u32(v3, sa->csq + 1);
    dnp3_store_u16(v3 + 4, sa->cfg.user.number);
    dnp3_sa_put_object(&w, 3, v3, sizeof v3);
    dnp3_wr_bytes(&w, req + 2, len - 2);
    uint8_t mac[DNP3_SA_MAX_MAC];
    dnp3_iov parts[2] = {{sa->chal, sa->chal_len}, {out, w.pos}};
    int rc = dnp3_sa_mac(sa->cfg.crypto, sa->mal, sa->cdsk, sa->cfg.session_key_len, parts, 2, mac);
    if (rc < 0) return rc;
    dnp3_sa_put_object(&w, 9, mac, ml);
    if (w.err) return DNP3_ERR_BUFFER_TOO_SMALL;
    sa->csq++;
    sa->auth_count++;
    sa->stats[DNP3_SA_STAT_CRITICAL_MESSAGES_SENT]++;
    return (int)w.pos;
}
