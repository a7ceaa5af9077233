/*
 * sa_fixture.h - shared helpers of the Secure Authentication tests (IEEE
 * 1815-2012 clause 7): a crypto provider that wraps OpenSSL but takes its
 * "random" octets from a script (so the docs/protocol-notes.md §7.11 exchange is reproducible),
 * an outstation with SA attached driven at the fragment level on a virtual
 * clock, and a master-side SA object. Header-only (static inline).
 */
#ifndef DNP3_SA_FIXTURE_H
#define DNP3_SA_FIXTURE_H

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "dnp3/crypto.h"
#include "dnp3/outstation.h"
#include "dnp3/sa.h"
#include "testutil.h"

/* ---- scripted crypto ---- */
typedef struct {
    const uint8_t *fill[16]; /* each random() call takes the next pattern octet (repeated) */
    size_t n_fill, pos;
    int hmac_calls;
} sf_rng;

static inline int sf_hmac(void *ctx, dnp3_hash_alg alg, const uint8_t *key, size_t key_len, const dnp3_iov *parts,
                          size_t n, uint8_t out[32])
{
    sf_rng *r = ctx;
    r->hmac_calls++;
    const dnp3_crypto *o = dnp3_crypto_openssl();
    return o->hmac(o->ctx, alg, key, key_len, parts, n, out);
}
static inline int sf_wrap(void *ctx, const uint8_t *kek, size_t kl, const uint8_t *in, size_t len, uint8_t *out)
{
    (void)ctx;
    return dnp3_crypto_openssl()->key_wrap(NULL, kek, kl, in, len, out);
}
static inline int sf_unwrap(void *ctx, const uint8_t *kek, size_t kl, const uint8_t *in, size_t len, uint8_t *out)
{
    (void)ctx;
    return dnp3_crypto_openssl()->key_unwrap(NULL, kek, kl, in, len, out);
}
static inline int sf_random(void *ctx, uint8_t *out, size_t len)
{
    sf_rng *r = ctx;
    if (r->pos < r->n_fill) {
        memset(out, *r->fill[r->pos++], len);
        return DNP3_OK;
    }
    return dnp3_crypto_openssl()->random(NULL, out, len);
}
static inline dnp3_crypto sf_crypto(sf_rng *r)
{
    dnp3_crypto c = {sizeof(dnp3_crypto), r, sf_hmac, sf_wrap, sf_unwrap, sf_random};
    return c;
}
/* Queues patterns: sf_script(&rng, "\xAA\xBB") -> first call fills AA.., second BB.. */
static inline void sf_script(sf_rng *r, const char *pattern)
{
    r->n_fill = r->pos = 0;
    for (const char *p = pattern; *p && r->n_fill < 16; p++) r->fill[r->n_fill++] = (const uint8_t *)p;
}

/* ---- outstation with SA ---- */
typedef struct {
    dnp3_outstation *os;
    dnp3_sa_outstation *sa;
    dnp3_tstamp now;
    int crob_calls;
    dnp3_sa_event ev[64];
    int n_ev;
    sf_rng rng;
    dnp3_crypto crypto;
    uint8_t out[4096];
    size_t out_len;
} sf_os;

static alignas(max_align_t) uint8_t sf_os_mem[1u << 20];
static alignas(max_align_t) uint8_t sf_sa_mem[1u << 16];

static inline dnp3_command_status sf_crob(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *c)
{
    (void)mode, (void)index, (void)c;
    ((sf_os *)ctx)->crob_calls++;
    return DNP3_CS_SUCCESS;
}
static inline void sf_on_event(void *ctx, const dnp3_sa_event *ev)
{
    sf_os *f = ctx;
    if (f->n_ev < 64) f->ev[f->n_ev++] = *ev;
}
static inline int sf_count_ev(const sf_os *f, dnp3_sa_event_kind k)
{
    int n = 0;
    for (int i = 0; i < f->n_ev; i++) n += f->ev[i].kind == k;
    return n;
}

static inline void sf_key(uint8_t *k, size_t n, uint8_t first)
{
    for (size_t i = 0; i < n; i++) k[i] = (uint8_t)(first + i);
}

/* An update-key change (AES-256 key wrap, SHA-256 MACs) to the key 80..9F for `user` at
 * outstation "rtu7", authorised by the authority key authority_first.. (32 octets). */
static inline dnp3_sa_update_key_change sf_update_key_change(uint8_t authority_first, const char *user)
{
    dnp3_sa_update_key_change c;
    memset(&c, 0, sizeof c);
    c.kcm = DNP3_SA_KCM_AES256_SHA256;
    sf_key(c.new_key, 32, 0x80);
    c.authority_key_len = 32;
    sf_key(c.authority_key, 32, authority_first);
    snprintf(c.user_name, sizeof c.user_name, "%s", user);
    snprintf(c.outstation_name, sizeof c.outstation_name, "rtu7");
    return c;
}

/* Outstation with 10 binary outputs' worth of controls; users 1 (key 00..0F) and 2 (key 20..3F, AES-256). */
static inline void sf_os_setup(sf_os *f, void (*tweak)(dnp3_sa_outstation_config *))
{
    memset(f, 0, sizeof *f);
    f->crypto = sf_crypto(&f->rng);
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    c.link_layer = false;
    c.types[DNP3_OS_BINARY_OUTPUT_STATUS].count = 10;
    dnp3_outstation_callbacks cb = {0};
    cb.size = sizeof cb;
    cb.ctx = f;
    cb.crob = sf_crob;
    size_t n = dnp3_outstation_memory_size(&c);
    assert_true(n > 0 && n <= sizeof sf_os_mem);
    f->os = dnp3_outstation_init(sf_os_mem, n, &c, &cb, 0);
    assert_non_null(f->os);
    dnp3_sa_outstation_config sc;
    dnp3_sa_outstation_config_init(&sc);
    sc.crypto = &f->crypto;
    sc.n_users = 2;
    sc.users[0].number = 1;
    sc.users[0].key_len = 16;
    sf_key(sc.users[0].key, 16, 0x00);
    sc.users[1].number = 2;
    sc.users[1].key_len = 32;
    sf_key(sc.users[1].key, 32, 0x20);
    sc.on_event = sf_on_event;
    sc.ctx = f;
    if (tweak) tweak(&sc);
    n = dnp3_sa_outstation_memory_size(&sc);
    assert_true(n > 0 && n <= sizeof sf_sa_mem);
    f->sa = dnp3_sa_outstation_init(sf_sa_mem, n, &sc, 0);
    assert_non_null(f->sa);
    assert_int_equal(dnp3_outstation_set_sa(f->os, f->sa), DNP3_OK);
}

/* Sends a request (octets), collects the response (out_len 0 if none). */
static inline void sf_os_send(sf_os *f, const uint8_t *req, size_t len)
{
    assert_int_equal(dnp3_outstation_receive(f->os, req, len, DNP3_BCAST_NONE, f->now), DNP3_OK);
    int n = dnp3_outstation_take(f->os, f->out, sizeof f->out, f->now);
    assert_true(n >= 0);
    f->out_len = (size_t)n;
}
static inline void sf_os_send_hex(sf_os *f, const char *hex)
{
    uint8_t b[2048];
    size_t n = tu_hex(hex, b, sizeof b);
    sf_os_send(f, b, n);
}
static inline void sf_os_advance(sf_os *f, dnp3_tstamp ms)
{
    f->now += ms;
    dnp3_outstation_handle_expiry(f->os, f->now);
}

/* ---- master-side SA ---- */
static alignas(max_align_t) uint8_t sf_msa_mem[1u << 14];

static inline dnp3_sa_master *sf_msa_setup(const dnp3_crypto *crypto, uint16_t user, const uint8_t *key,
                                           uint8_t key_len, void (*tweak)(dnp3_sa_master_config *))
{
    dnp3_sa_master_config c;
    dnp3_sa_master_config_init(&c);
    c.crypto = crypto;
    c.user.number = user;
    c.user.key_len = key_len;
    memcpy(c.user.key, key, key_len);
    if (tweak) tweak(&c);
    size_t n = dnp3_sa_master_memory_size(&c);
    assert_true(n > 0 && n <= sizeof sf_msa_mem);
    dnp3_sa_master *m = dnp3_sa_master_init(sf_msa_mem, n, &c, 0);
    assert_non_null(m);
    return m;
}

/* ---- exchanges between a master-side SA object and the outstation of a fixture ---- */

static const char *const SF_DO_REQ = "C3 05 0C 01 28 01 00 03 00 03 01 00 00 00 00 00 00 00 00 00";

static uint8_t sf_ukey1[16];

/* Session key exchange of m with the outstation of f (g120v4 -> v5, v6 -> v5). */
static inline void sf_exchange_keys(sf_os *f, dnp3_sa_master *m)
{
    uint8_t req[256], out[256];
    size_t out_len;
    dnp3_sa_master_action act;
    uint8_t err;
    int n = dnp3_sa_master_build_key_request(m, 0xC0, f->now, req, sizeof req);
    sf_os_send(f, req, (size_t)n);
    dnp3_sa_master_on_auth_response(m, f->out, f->out_len, f->now, out, sizeof out, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_NEXT_KEY);
    n = dnp3_sa_master_build_key_request(m, 0xC1, f->now, req, sizeof req);
    sf_os_send(f, req, (size_t)n);
    dnp3_sa_master_on_auth_response(m, f->out, f->out_len, f->now, out, sizeof out, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_KEYS_OK);
}

static inline dnp3_sa_master *sf_keyed_master(sf_os *f, dnp3_crypto *mc, uint16_t user)
{
    sf_key(sf_ukey1, 16, 0);
    dnp3_sa_master *m = sf_msa_setup(mc, user, sf_ukey1, 16, NULL);
    sf_exchange_keys(f, m);
    return m;
}

/* The master sends `req` (noted), the outstation challenges; returns the master's reply in out. */
static inline size_t sf_challenge_reply(sf_os *f, dnp3_sa_master *m, const uint8_t *req, size_t n, uint8_t *out)
{
    dnp3_sa_master_note_request(m, req, n);
    sf_os_send(f, req, n);
    assert_true(f->out_len > 10);
    assert_int_equal(f->out[1], 0x83);
    assert_int_equal(f->out[5], 1); /* g120v1 */
    size_t out_len = 0;
    dnp3_sa_master_action act;
    uint8_t err;
    dnp3_sa_master_on_auth_response(m, f->out, f->out_len, f->now, out, 256, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_SEND);
    return out_len;
}

static inline uint8_t sf_error_code(const sf_os *f)
{
    /* AUTH_RESPONSE g120v7: header 4, object header 6, then seq 4 user 2 assoc 2 code 1 */
    if (f->out_len < 19) print_message("out: %s\n", tu_tohex(f->out, f->out_len));
    assert_true(f->out_len >= 19);
    assert_int_equal(f->out[1], 0x83);
    assert_int_equal(f->out[5], 7);
    return f->out[18];
}

/* update-key change: an authority key 40..5F, user 1 named "jim", outstation "rtu7" */
static inline void sf_uk_tweak(dnp3_sa_outstation_config *sc)
{
    sc->authority_key_len = 32;
    sf_key(sc->authority_key, 32, 0x40);
    strcpy(sc->users[0].name, "jim");
    strcpy(sc->outstation_name, "rtu7");
    sc->max_error_count = 5; /* the failure tests send several bad messages in a row */
}

/* Runs the change with m; returns the master's last action; *change receives the g120v13+v15 request. */
static inline dnp3_sa_master_action sf_run_change(sf_os *f, dnp3_sa_master *m, const dnp3_sa_update_key_change *c,
                                                  uint8_t *change, size_t *change_len)
{
    uint8_t req[512], out[256];
    size_t out_len;
    dnp3_sa_master_action act;
    uint8_t err;
    assert_int_equal(dnp3_sa_master_begin_update_key(m, c), DNP3_OK);
    int n = dnp3_sa_master_build_update_key_request(m, 0xC6, req, sizeof req);
    assert_true(n > 0);
    sf_os_send(f, req, (size_t)n);
    assert_int_equal(f->out[1], 0x83);
    if (f->out[5] != 12) return DNP3_SA_M_FAILED; /* an error object */
    dnp3_sa_master_on_auth_response(m, f->out, f->out_len, f->now, out, sizeof out, &out_len, &act, &err);
    assert_int_equal(act, DNP3_SA_M_NEXT_KEY);
    n = dnp3_sa_master_build_update_key_request(m, 0xC7, req, sizeof req);
    assert_true(n > 0);
    memcpy(change, req, (size_t)n);
    *change_len = (size_t)n;
    sf_os_send(f, req, (size_t)n);
    dnp3_sa_master_on_auth_response(m, f->out, f->out_len, f->now, out, sizeof out, &out_len, &act, &err);
    return act;
}

#endif
