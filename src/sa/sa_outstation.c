/*
 * sa_outstation.c - Secure Authentication v5, outstation role (IEEE 1815-2012
 * clause 7: session key status / session key change, challenge of critical
 * requests and verification of the reply, aggressive mode, error objects,
 * key expiry, security statistics; the update-key change and the authority's
 * user status change are in sa_os_users.c). Sequences: docs/sa.md and
 * docs/protocol-notes.md §7.4-7.7.
 *
 * State per user: update key, key status (NOT_INIT -> OK -> COMM_FAIL on
 * expiry), session keys (CDSK, MDSK), KSQ and the last key-status object sent
 * (the session key change must embed it). State per association: CSQ, the
 * pending challenge (its APDU, the critical request it holds back, a reply
 * deadline), the last challenge APDU (the base of aggressive-mode MACs), the
 * error counter.
 *
 * A critical request is never passed on before its reply verified: it is kept
 * in `req` and only returned with DNP3_SA_PASS after a matching g120v2.
 */
#include <stdalign.h>
#include <stddef.h>

#include "core/config.h"
#include "sa/sa_os_internal.h"

static void sa_outstation_config_defaults(dnp3_sa_outstation_config *c)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->mal = DNP3_SA_MAL_HMAC_SHA256_16;
    c->challenge_len = 4;
    c->reply_timeout_ms = 2000;
    c->key_change_interval_ms = 15u * 60u * 1000u;
    c->key_change_count = 1000;
    c->max_error_count = 2;
    c->aggressive_mode = true;
    dnp3_sa_critical_default(&c->critical);
    c->max_apdu = 2048;
}

void dnp3_sa_outstation_config_init_size(dnp3_sa_outstation_config *c, size_t size)
{
    dnp3_sa_outstation_config full;
    sa_outstation_config_defaults(&full);
    dnp3_config_fill(c, size, &full, sizeof full);
}

/* The fields every configuration must carry (up to max_apdu); the update-key fields and the
 * event callback after them are optional: a smaller, older `size` gets their defaults. */
#define SA_OS_CONFIG_MIN (offsetof(dnp3_sa_outstation_config, max_apdu) + sizeof(size_t))

/* Copies and checks a configuration: NULL when it is valid, else the name of the first bad field. */
static const char *load(const dnp3_sa_outstation_config *in, dnp3_sa_outstation_config *out)
{
    if (!in) return "config";
    dnp3_sa_outstation_config_init(out);
    if (!dnp3_config_overlay(out, sizeof *out, in, SA_OS_CONFIG_MIN)) return "size";
    if (!out->crypto) return "crypto";
    if (out->crypto->size < SA_CRYPTO_MIN_SIZE) return "crypto.size";
    if (!out->crypto->hmac || !out->crypto->key_unwrap || !out->crypto->random) return "crypto";
    if (out->n_users == 0 || out->n_users > DNP3_SA_MAX_USERS) return "n_users";
    if (!dnp3_sa_mac_len(out->mal)) return "mal";
    if (out->challenge_len < DNP3_SA_MIN_CHALLENGE || out->challenge_len > DNP3_SA_MAX_CHALLENGE)
        return "challenge_len";
    if (out->max_apdu < 249 || out->max_apdu > 65535) return "max_apdu";
    if (out->reply_timeout_ms == 0) out->reply_timeout_ms = 1;
    if (out->authority_key_len != 0 && out->authority_key_len != 16 && out->authority_key_len != 32)
        return "authority_key_len";
    if (!memchr(out->outstation_name, 0, sizeof out->outstation_name)) return "outstation_name";
    for (size_t i = 0; i < out->n_users; i++) {
        const dnp3_sa_user *u = &out->users[i];
        if (u->number == 0) return "users[].number";
        if (u->key_len != 16 && u->key_len != 32) return "users[].key_len";
        if (dnp3_sa_find_user(out->users, i, u->number)) return "users[].number";
        if (!memchr(u->name, 0, sizeof u->name)) return "users[].name";
    }
    return NULL;
}

int dnp3_sa_outstation_config_check(const dnp3_sa_outstation_config *c, const char **field)
{
    dnp3_sa_outstation_config cfg;
    return dnp3_config_verdict(load(c, &cfg), field);
}

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

size_t dnp3_sa_outstation_memory_size(const dnp3_sa_outstation_config *c)
{
    dnp3_sa_outstation_config cfg;
    if (load(c, &cfg)) return 0;
    return align_up(sizeof(struct dnp3_sa_outstation)) + 2 * align_up(cfg.max_apdu);
}

dnp3_sa_outstation *dnp3_sa_outstation_init(void *mem, size_t size, const dnp3_sa_outstation_config *c,
                                            dnp3_tstamp now)
{
    (void)now;
    dnp3_sa_outstation_config cfg;
    if (!mem || (uintptr_t)mem % alignof(max_align_t) != 0 || load(c, &cfg)) return NULL;
    size_t need = dnp3_sa_outstation_memory_size(c);
    if (size < need) return NULL;
    memset(mem, 0, need);
    dnp3_sa_outstation *sa = mem;
    sa->cfg = cfg;
    uint8_t *base = mem;
    size_t off = align_up(sizeof *sa);
    sa->req = base + off;
    sa->work = base + off + align_up(cfg.max_apdu);
    for (size_t i = 0; i < cfg.n_users; i++) {
        sa->users[i].u = cfg.users[i];
        sa->users[i].status = DNP3_SA_KS_NOT_INIT;
    }
    sa->scs_next = cfg.status_change_seq;
    dnp3_zeroize(cfg.users, sizeof cfg.users);
    dnp3_zeroize(cfg.authority_key, sizeof cfg.authority_key);
    return sa;
}

void dnp3_sa_outstation_free(dnp3_sa_outstation *sa)
{
    if (!sa) return;
    dnp3_zeroize(sa, sizeof *sa); /* keys live only in the struct */
}

const uint32_t *dnp3_sa_outstation_stats(const dnp3_sa_outstation *sa)
{
    return sa ? sa->stats : NULL;
}

/* Expires the keys of u if their interval or count is used up; true if they are valid now. */
static bool keys_valid(dnp3_sa_outstation *sa, os_user *u, dnp3_tstamp now)
{
    if (u->status != DNP3_SA_KS_OK) return false;
    const dnp3_sa_outstation_config *c = &sa->cfg;
    bool expired = (c->key_change_interval_ms && now - u->keys_at >= c->key_change_interval_ms) ||
                   (c->key_change_count && u->auth_count >= c->key_change_count);
    if (!expired) return true;
    dnp3_sa_os_drop_keys(u, DNP3_SA_KS_COMM_FAIL);
    dnp3_sa_os_event(sa, DNP3_SA_EV_KEYS_EXPIRED, u->u.number, u->ksq, 0, 0);
    return false;
}

dnp3_sa_key_status dnp3_sa_outstation_key_status(const dnp3_sa_outstation *sa, uint16_t user)
{
    if (!sa) return DNP3_SA_KS_NOT_INIT;
    for (size_t i = 0; i < sa->cfg.n_users; i++)
        if (sa->users[i].u.number == user) return (dnp3_sa_key_status)sa->users[i].status;
    return DNP3_SA_KS_NOT_INIT;
}

static uint8_t kwa_of(const os_user *u)
{
    return u->u.key_len == 16 ? DNP3_SA_KWA_AES128 : DNP3_SA_KWA_AES256;
}

/* Key status object (g120v5); with mac_over != NULL the MAC over it (MDSK) is appended. */
static int key_status(dnp3_sa_outstation *sa, os_user *u, uint8_t seq, uint16_t iin, const dnp3_iov *mac_over,
                      dnp3_sa_result *r)
{
    uint8_t cd[DNP3_SA_MAX_CHALLENGE], mac[DNP3_SA_MAX_MAC];
    int rc = sa->cfg.crypto->random(sa->cfg.crypto->ctx, cd, sa->cfg.challenge_len);
    if (rc) return rc;
    u->ksq++;
    dnp3_g120 o = {0};
    o.variation = 5;
    o.seq = u->ksq;
    o.user = u->u.number;
    o.kwa = kwa_of(u);
    o.ks = u->status;
    o.mal = mac_over ? sa->cfg.mal : DNP3_SA_MAL_NONE;
    o.data = cd;
    o.data_len = sa->cfg.challenge_len;
    int n = dnp3_g120_encode(&o, u->last_status, sizeof u->last_status);
    if (n < 0) return n;
    u->last_status_len = (size_t)n;
    u->status_sent = true;
    int ml = 0;
    if (mac_over) {
        ml = dnp3_sa_mac(sa->cfg.crypto, sa->cfg.mal, u->mdsk, u->sk_len, mac_over, 1, mac);
        if (ml < 0) return ml;
    }
    dnp3_writer w;
    dnp3_sa_os_begin_rsp(&w, sa->tx, sizeof sa->tx, seq, iin);
    dnp3_wr_u8(&w, 120);
    dnp3_wr_u8(&w, 5);
    dnp3_wr_u8(&w, DNP3_QUAL_FREE_FORMAT_16);
    dnp3_wr_u8(&w, 1);
    dnp3_wr_u16(&w, (uint16_t)(n + ml));
    dnp3_wr_bytes(&w, u->last_status, (size_t)n);
    dnp3_wr_bytes(&w, mac, (size_t)ml);
    if (w.err) return w.err;
    dnp3_sa_os_reply(sa, r, w.pos);
    return DNP3_OK;
}

/* ---- session keys ---- */

static void on_status_request(dnp3_sa_outstation *sa, const dnp3_g120 *o, uint8_t seq, uint16_t iin,
                              dnp3_tstamp now, dnp3_sa_result *r)
{
    os_user *u = dnp3_sa_os_find(sa, o->user);
    if (!u) {
        dnp3_sa_os_event(sa, DNP3_SA_EV_UNKNOWN_USER, o->user, 0, DNP3_FC_AUTH_REQUEST, DNP3_SA_ERR_UNKNOWN_USER);
        dnp3_sa_os_fail(sa, r, seq, iin, 0, o->user, DNP3_SA_ERR_UNKNOWN_USER);
        return;
    }
    (void)keys_valid(sa, u, now);
    if (key_status(sa, u, seq, iin, NULL, r) != DNP3_OK) r->action = DNP3_SA_DROP;
}

static void key_change_failed(dnp3_sa_outstation *sa, os_user *u, dnp3_sa_result *r, uint8_t seq, uint16_t iin,
                              uint32_t ksq)
{
    sa->stats[DNP3_SA_STAT_FAILED_SESSION_KEY_CHANGES]++;
    sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
    if (u->status != DNP3_SA_KS_OK) u->status = DNP3_SA_KS_AUTH_FAIL;
    u->status_sent = false; /* the master has to ask for a fresh status */
    dnp3_sa_os_event(sa, DNP3_SA_EV_KEY_CHANGE_FAILED, u->u.number, ksq, DNP3_FC_AUTH_REQUEST,
                     DNP3_SA_ERR_AUTHENTICATION_FAILED);
    dnp3_sa_os_fail(sa, r, seq, iin, ksq, u->u.number, DNP3_SA_ERR_AUTHENTICATION_FAILED);
}

static void on_key_change(dnp3_sa_outstation *sa, const uint8_t *apdu, size_t len, const dnp3_g120 *o, uint8_t seq,
                          uint16_t iin, dnp3_tstamp now, dnp3_sa_result *r)
{
    os_user *u = dnp3_sa_os_find(sa, o->user);
    if (!u) {
        dnp3_sa_os_event(sa, DNP3_SA_EV_UNKNOWN_USER, o->user, o->seq, DNP3_FC_AUTH_REQUEST,
                         DNP3_SA_ERR_UNKNOWN_USER);
        dnp3_sa_os_fail(sa, r, seq, iin, o->seq, o->user, DNP3_SA_ERR_UNKNOWN_USER);
        return;
    }
    if (!u->status_sent || o->seq != u->ksq || o->data_len % 8 != 0 || o->data_len > SA_PLAIN_MAX + 8) {
        key_change_failed(sa, u, r, seq, iin, o->seq);
        return;
    }
    uint8_t plain[SA_PLAIN_MAX];
    const size_t plen = o->data_len - 8;
    bool ok = sa->cfg.crypto->key_unwrap(sa->cfg.crypto->ctx, u->u.key, u->u.key_len, o->data, o->data_len,
                                         plain) == DNP3_OK;
    size_t kl = ok ? dnp3_load_u16(plain) : 0;
    ok = ok && kl >= 16 && kl <= DNP3_SA_MAX_KEY && 2 + 2 * kl + u->last_status_len <= plen &&
         plen - (2 + 2 * kl + u->last_status_len) < 8 &&
         dnp3_ct_equal(plain + 2 + 2 * kl, u->last_status, u->last_status_len);
    if (!ok) {
        dnp3_zeroize(plain, sizeof plain);
        key_change_failed(sa, u, r, seq, iin, o->seq);
        return;
    }
    dnp3_sa_os_drop_keys(u, DNP3_SA_KS_OK);
    memcpy(u->cdsk, plain + 2, kl);
    memcpy(u->mdsk, plain + 2 + kl, kl);
    u->sk_len = (uint8_t)kl;
    dnp3_zeroize(plain, sizeof plain);
    u->keys_at = now;
    u->auth_count = 0;
    sa->errors = 0;
    sa->stats[DNP3_SA_STAT_SESSION_KEY_CHANGES]++;
    dnp3_iov whole = {apdu, len};
    if (key_status(sa, u, seq, iin, &whole, r) != DNP3_OK) {
        r->action = DNP3_SA_DROP;
        return;
    }
    /* the key status with MAC is the challenge aggressive-mode requests refer to until the next g120v1 */
    memcpy(sa->chal, r->apdu, r->len);
    sa->chal_len = r->len;
    sa->chal_valid = true;
    dnp3_sa_os_event(sa, DNP3_SA_EV_KEYS_CHANGED, u->u.number, u->ksq, DNP3_FC_AUTH_REQUEST, 0);
}

/* ---- challenge / reply ---- */

static void challenge(dnp3_sa_outstation *sa, const uint8_t *apdu, size_t len, uint16_t iin, dnp3_tstamp now,
                      dnp3_sa_result *r)
{
    r->action = DNP3_SA_DROP;
    if (len > sa->cfg.max_apdu) {
        sa->stats[DNP3_SA_STAT_DISCARDED_MESSAGES]++;
        return;
    }
    uint8_t cd[DNP3_SA_MAX_CHALLENGE], body[8 + DNP3_SA_MAX_CHALLENGE];
    if (sa->cfg.crypto->random(sa->cfg.crypto->ctx, cd, sa->cfg.challenge_len) != DNP3_OK) return;
    dnp3_g120 o = {0};
    o.variation = 1;
    o.seq = ++sa->csq;
    o.user = 0;
    o.mal = sa->cfg.mal;
    o.reason = 1;
    o.data = cd;
    o.data_len = sa->cfg.challenge_len;
    int n = dnp3_g120_encode(&o, body, sizeof body);
    dnp3_writer w;
    const uint8_t seq = dnp3_ac_seq(apdu[0]);
    dnp3_sa_os_begin_rsp(&w, sa->tx, sizeof sa->tx, seq, iin);
    dnp3_sa_put_object(&w, 1, body, (size_t)n);
    memcpy(sa->req, apdu, len);
    sa->req_len = len;
    memcpy(sa->chal, sa->tx, w.pos);
    sa->chal_len = w.pos;
    sa->chal_valid = true;
    sa->pending = true;
    sa->pend_seq = seq;
    sa->pend_fc = apdu[1];
    sa->pend_csq = o.seq;
    sa->pend_deadline = now + sa->cfg.reply_timeout_ms;
    dnp3_sa_os_reply(sa, r, w.pos);
}

static void cancel_pending(dnp3_sa_outstation *sa)
{
    sa->pending = false;
    dnp3_zeroize(sa->req, sa->req_len);
    sa->req_len = 0;
}

static void on_reply(dnp3_sa_outstation *sa, const dnp3_g120 *o, uint8_t seq, uint16_t iin, dnp3_tstamp now,
                     dnp3_sa_result *r)
{
    if (!sa->pending || seq != sa->pend_seq || o->seq != sa->pend_csq) {
        /* no challenge outstanding, or an old one: a replay or a late reply */
        sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++;
        sa->stats[DNP3_SA_STAT_DISCARDED_MESSAGES]++;
        dnp3_sa_os_event(sa, DNP3_SA_EV_REPLAY, o->user, o->seq, 0, 0);
        r->action = DNP3_SA_DROP;
        return;
    }
    const uint8_t fc = sa->pend_fc;
    const uint32_t csq = sa->pend_csq;
    os_user *u = dnp3_sa_os_find(sa, o->user);
    if (!u) {
        cancel_pending(sa);
        sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        dnp3_sa_os_event(sa, DNP3_SA_EV_UNKNOWN_USER, o->user, csq, fc, DNP3_SA_ERR_UNKNOWN_USER);
        dnp3_sa_os_fail(sa, r, seq, iin, csq, o->user, DNP3_SA_ERR_UNKNOWN_USER);
        return;
    }
    if (!keys_valid(sa, u, now)) {
        cancel_pending(sa);
        sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        dnp3_sa_os_event(sa, DNP3_SA_EV_NO_SESSION_KEYS, u->u.number, csq, fc, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        dnp3_sa_os_fail(sa, r, seq, iin, csq, u->u.number, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        return;
    }
    uint8_t mac[DNP3_SA_MAX_MAC];
    dnp3_iov parts[2] = {{sa->chal, sa->chal_len}, {sa->req, sa->req_len}};
    int ml = dnp3_sa_mac(sa->cfg.crypto, sa->cfg.mal, u->cdsk, u->sk_len, parts, 2, mac);
    bool ok = ml > 0 && o->data_len == (size_t)ml && dnp3_ct_equal(mac, o->data, (size_t)ml);
    if (!ok) {
        cancel_pending(sa);
        sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        dnp3_sa_os_event(sa, DNP3_SA_EV_AUTH_FAILED, u->u.number, csq, fc, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        dnp3_sa_os_fail(sa, r, seq, iin, csq, u->u.number, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        return;
    }
    sa->pending = false;
    sa->errors = 0;
    u->auth_count++;
    sa->stats[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS]++;
    dnp3_sa_os_event(sa, DNP3_SA_EV_AUTHENTICATED, u->u.number, csq, fc, 0);
    r->action = DNP3_SA_PASS;
    r->apdu = sa->req;
    r->len = sa->req_len;
}

/* ---- aggressive mode ---- */

static void aggressive(dnp3_sa_outstation *sa, const uint8_t *apdu, size_t len, const dnp3_g120 *v3, size_t v3_end,
                       uint16_t iin, dnp3_tstamp now, dnp3_sa_result *r)
{
    const uint8_t seq = dnp3_ac_seq(apdu[0]), fc = apdu[1];
    if (sa->pending) cancel_pending(sa);
    if (!sa->cfg.aggressive_mode) {
        dnp3_sa_os_event(sa, DNP3_SA_EV_AGGRESSIVE_REJECTED, v3->user, v3->seq, fc,
                         DNP3_SA_ERR_AGGRESSIVE_NOT_SUPPORTED);
        dnp3_sa_os_fail(sa, r, seq, iin, v3->seq, v3->user, DNP3_SA_ERR_AGGRESSIVE_NOT_SUPPORTED);
        return;
    }
    /* the last object must be g120v9 (count 1): find it */
    dnp3_apdu a;
    dnp3_apdu_parse(apdu, len, &a);
    dnp3_hdr_iter it;
    dnp3_obj_header h, last = {0};
    dnp3_hdr_iter_init(&it, &a);
    int n = 0, rc;
    while ((rc = dnp3_hdr_iter_next(&it, &h, NULL)) > 0) {
        last = h;
        n++;
    }
    const uint8_t *mac_rx = NULL;
    size_t mac_rx_len = 0, v9_start = 0;
    if (rc == 0 && n >= 2 && last.group == 120 && last.variation == 9 && last.count == 1 && last.has_data) {
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &last);
        if (dnp3_obj_iter_next(&oi, &o)) {
            mac_rx = o.data;
            mac_rx_len = o.size;
        }
        v9_start = 2 + last.offset;
    }
    os_user *u = dnp3_sa_os_find(sa, v3->user);
    if (!mac_rx || !u || !keys_valid(sa, u, now) || v3->seq != sa->csq + 1 || !sa->chal_valid) {
        sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        dnp3_sa_event_kind k = !mac_rx                      ? DNP3_SA_EV_AUTH_FAILED
                               : !u                         ? DNP3_SA_EV_UNKNOWN_USER
                               : u->status != DNP3_SA_KS_OK ? DNP3_SA_EV_NO_SESSION_KEYS
                                                            : DNP3_SA_EV_REPLAY;
        uint8_t code = !u && mac_rx ? DNP3_SA_ERR_UNKNOWN_USER : DNP3_SA_ERR_AUTHENTICATION_FAILED;
        dnp3_sa_os_event(sa, k, v3->user, v3->seq, fc, code);
        dnp3_sa_os_fail(sa, r, seq, iin, v3->seq, v3->user, code);
        return;
    }
    uint8_t mac[DNP3_SA_MAX_MAC];
    dnp3_iov parts[2] = {{sa->chal, sa->chal_len}, {apdu, v9_start}};
    int ml = dnp3_sa_mac(sa->cfg.crypto, sa->cfg.mal, u->cdsk, u->sk_len, parts, 2, mac);
    if (ml <= 0 || mac_rx_len != (size_t)ml || !dnp3_ct_equal(mac, mac_rx, (size_t)ml)) {
        sa->stats[DNP3_SA_STAT_AUTHENTICATION_FAILURES]++;
        dnp3_sa_os_event(sa, DNP3_SA_EV_AUTH_FAILED, u->u.number, v3->seq, fc, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        dnp3_sa_os_fail(sa, r, seq, iin, v3->seq, u->u.number, DNP3_SA_ERR_AUTHENTICATION_FAILED);
        return;
    }
    sa->csq = v3->seq;
    sa->errors = 0;
    u->auth_count++;
    sa->stats[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS]++;
    dnp3_sa_os_event(sa, DNP3_SA_EV_AUTHENTICATED, u->u.number, v3->seq, fc, 0);
    /* the request without its g120v3 and g120v9 objects */
    memcpy(sa->work, apdu, 2);
    memcpy(sa->work + 2, apdu + v3_end, v9_start - v3_end);
    r->action = DNP3_SA_PASS;
    r->apdu = sa->work;
    r->len = 2 + (v9_start - v3_end);
}

/* ---- update-key change (docs/protocol-notes.md §7.7; sa_update_key.c) ---- */

size_t dnp3_sa_outstation_update_key(const dnp3_sa_outstation *sa, uint16_t user, uint8_t out[DNP3_SA_MAX_KEY])
{
    if (!sa || !out) return 0;
    for (size_t i = 0; i < sa->cfg.n_users; i++)
        if (sa->users[i].u.number == user) {
            memcpy(out, sa->users[i].u.key, sa->users[i].u.key_len);
            return sa->users[i].u.key_len;
        }
    return 0;
}

/* ---- entry ---- */

int dnp3_sa_outstation_receive(dnp3_sa_outstation *sa, const uint8_t *apdu, size_t len, uint16_t iin,
                               dnp3_tstamp now, dnp3_sa_result *r)
{
    if (!sa || !r || (!apdu && len)) return DNP3_ERR_INVALID_ARG;
    r->action = DNP3_SA_DROP;
    r->apdu = NULL;
    r->len = 0;
    dnp3_apdu a;
    if (dnp3_apdu_parse(apdu, len, &a) != DNP3_OK || dnp3_fc_is_response(a.function)) return DNP3_OK;
    sa->stats[DNP3_SA_STAT_TOTAL_MESSAGES_RECEIVED]++;
    const uint8_t seq = dnp3_ac_seq(a.control), fc = a.function;
    dnp3_g120 o;
    size_t end = 0;
    int found = dnp3_g120_first(apdu, len, &o, &end);

    if (fc == DNP3_FC_AUTH_REQUEST || fc == DNP3_FC_AUTH_REQUEST_NO_ACK) {
        if ((a.control & DNP3_AC_UNS) || found != 1) {
            sa->stats[DNP3_SA_STAT_DISCARDED_MESSAGES]++;
            return DNP3_OK;
        }
        if (fc == DNP3_FC_AUTH_REQUEST_NO_ACK) {
            if (o.variation == 7)
                sa->stats[DNP3_SA_STAT_ERROR_MESSAGES_RECEIVED]++;
            else
                sa->stats[DNP3_SA_STAT_DISCARDED_MESSAGES]++;
            return DNP3_OK;
        }
        switch (o.variation) {
        case 4: on_status_request(sa, &o, seq, iin, now, r); break;
        case 6: on_key_change(sa, apdu, len, &o, seq, iin, now, r); break;
        case 2: on_reply(sa, &o, seq, iin, now, r); break;
        case 7: sa->stats[DNP3_SA_STAT_ERROR_MESSAGES_RECEIVED]++; break;
        case 11: dnp3_sa_os_on_uk_request(sa, &o, seq, iin, r); break;
        case 13: dnp3_sa_os_on_uk_change(sa, apdu, len, &o, seq, iin, r); break;
        case 10: dnp3_sa_os_on_user_status_change(sa, &o, seq, iin, r); break;
        default:
            /* the asymmetric update-key change methods are not implemented (docs/sa.md) */
            sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++;
            dnp3_sa_os_fail(sa, r, seq, iin, o.seq, o.user, DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED);
            break;
        }
        return DNP3_OK;
    }
    if (found == 1 && o.variation == 3) {
        sa->stats[DNP3_SA_STAT_CRITICAL_MESSAGES_RECEIVED]++;
        aggressive(sa, apdu, len, &o, end, iin, now, r);
        return DNP3_OK;
    }
    if (dnp3_sa_fc_in(&sa->cfg.critical, fc)) {
        sa->stats[DNP3_SA_STAT_CRITICAL_MESSAGES_RECEIVED]++;
        challenge(sa, apdu, len, iin, now, r);
        return DNP3_OK;
    }
    if (sa->pending) { /* the master moved on: the held request is dropped, never executed */
        cancel_pending(sa);
        sa->stats[DNP3_SA_STAT_UNEXPECTED_MESSAGES]++;
    }
    r->action = DNP3_SA_PASS;
    r->apdu = apdu;
    r->len = len;
    return DNP3_OK;
}

bool dnp3_sa_os_is_critical(const dnp3_sa_outstation *sa, uint8_t fc)
{
    return fc == DNP3_FC_AUTH_REQUEST || fc == DNP3_FC_AUTH_REQUEST_NO_ACK || dnp3_sa_fc_in(&sa->cfg.critical, fc);
}

dnp3_tstamp dnp3_sa_outstation_get_expiry(const dnp3_sa_outstation *sa)
{
    if (!sa) return DNP3_TSTAMP_NEVER;
    dnp3_tstamp t = sa->pending ? sa->pend_deadline : DNP3_TSTAMP_NEVER;
    if (sa->cfg.key_change_interval_ms)
        for (size_t i = 0; i < sa->cfg.n_users; i++) {
            const os_user *u = &sa->users[i];
            dnp3_tstamp e = u->keys_at + sa->cfg.key_change_interval_ms;
            if (u->status == DNP3_SA_KS_OK && e < t) t = e;
        }
    return t;
}

void dnp3_sa_outstation_handle_expiry(dnp3_sa_outstation *sa, dnp3_tstamp now)
{
    if (!sa) return;
    if (sa->pending && now >= sa->pend_deadline) {
        sa->stats[DNP3_SA_STAT_REPLY_TIMEOUTS]++;
        dnp3_sa_os_event(sa, DNP3_SA_EV_REPLY_TIMEOUT, 0, sa->pend_csq, sa->pend_fc, 0);
        cancel_pending(sa);
    }
    for (size_t i = 0; i < sa->cfg.n_users; i++) (void)keys_valid(sa, &sa->users[i], now);
}
