/*
 * fuzz_sa.c - libFuzzer target for Secure Authentication (IEEE 1815-2012
 * clause 7): the g120 decoders and both SA state machines.
 *
 * Input: first octet selects the mode.
 *   mode 0: [variation][object octets...] -> dnp3_g120_decode (+ re-encode round trip)
 *   else:   a stream of records [len][dt][fragment octets...]: each fragment goes to an
 *           outstation with SA attached (dnp3_outstation_receive/take) and, when it is
 *           an AUTH_RESPONSE, to a master-side SA object (a few rounds); dt advances
 *           virtual time (x 100 ms) and fires the timers. A fragment FE xx yy is replaced by
 *           the master's user status change (operation, user name, method, role from xx,
 *           SCS yy) and update-key change, certified with the authority key, so the user
 *           management (add, change, delete) is reached.
 * The crypto provider is a cheap deterministic stand-in (no OpenSSL): "HMAC" is an
 * FNV mix of key and parts, "unwrap" strips 8 octets, random octets are zero, so
 * the fuzzer can reach session keys, challenges and replies.
 * Invariants (abort on violation): the control callback runs only inside a receive
 * during which SA counted a successful authentication; decoders never read past the
 * object; a decoded object re-encodes to at most its input size.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/outstation.h"
#include "dnp3/sa.h"

static int f_hmac(void *ctx, dnp3_hash_alg alg, const uint8_t *key, size_t kl, const dnp3_iov *p, size_t n,
                  uint8_t out[32])
{
    (void)ctx;
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)alg;
    for (size_t i = 0; i < kl; i++) h = (h ^ key[i]) * 1099511628211ULL;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < p[k].len; i++) h = (h ^ p[k].data[i]) * 1099511628211ULL;
    for (int i = 0; i < 32; i++) out[i] = (uint8_t)(h >> ((i % 8) * 8));
    return DNP3_OK;
}
static int f_wrap(void *ctx, const uint8_t *kek, size_t kl, const uint8_t *in, size_t len, uint8_t *out)
{
    (void)ctx, (void)kek, (void)kl;
    memset(out, 0xA6, 8);
    memcpy(out + 8, in, len);
    return DNP3_OK;
}
static int f_unwrap(void *ctx, const uint8_t *kek, size_t kl, const uint8_t *in, size_t len, uint8_t *out)
{
    (void)ctx, (void)kek, (void)kl;
    if (len < 24 || len % 8) return DNP3_ERR_INVALID_ARG;
    if (in[0] != 0xA6) return DNP3_ERR_CRYPTO;
    memcpy(out, in + 8, len - 8);
    return DNP3_OK;
}
static int f_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    memset(out, 0, len);
    return DNP3_OK;
}
static const dnp3_crypto fake = {sizeof(dnp3_crypto), NULL, f_hmac, f_wrap, f_unwrap, f_random};

static alignas(max_align_t) uint8_t os_mem[1 << 18];
static alignas(max_align_t) uint8_t sa_mem[1 << 14];
static alignas(max_align_t) uint8_t msa_mem[1 << 14];
static int in_receive, controls;

static dnp3_command_status on_crob(void *ctx, dnp3_control_mode m, uint16_t i, const dnp3_crob *c)
{
    (void)ctx, (void)m, (void)i, (void)c;
    if (!in_receive) abort();
    controls++;
    return DNP3_CS_SUCCESS;
}

static void decode_one(const uint8_t *d, size_t n)
{
    if (n < 1) return;
    dnp3_g120 o;
    if (dnp3_g120_decode(d[0], d + 1, n - 1, &o) != DNP3_OK) return;
    uint8_t buf[70000];
    int len = dnp3_g120_encode(&o, buf, sizeof buf);
    if (len < 0 || (size_t)len > n - 1) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (data[0] == 0) {
        decode_one(data + 1, size - 1);
        return 0;
    }
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    c.link_layer = false;
    c.types[DNP3_OS_BINARY_OUTPUT_STATUS].count = 4;
    c.types[DNP3_OS_BINARY_INPUT].count = 4;
    dnp3_outstation_callbacks cb = {0};
    cb.size = sizeof cb;
    cb.crob = on_crob;
    dnp3_outstation *os = dnp3_outstation_init(os_mem, sizeof os_mem, &c, &cb, 0);
    dnp3_sa_outstation_config sc;
    dnp3_sa_outstation_config_init(&sc);
    sc.crypto = &fake;
    sc.n_users = 2;
    sc.users[0] = (dnp3_sa_user){1, 16, {0}, "jim"};
    sc.users[1] = (dnp3_sa_user){2, 32, {1}, ""};
    if (data[0] & 0x40) { /* update-key changes permitted (g120v11/v13/v15 paths) */
        sc.authority_key_len = 16;
        memset(sc.authority_key, 0x40, 16);
    }
    sc.mal = (uint8_t)(1 + data[0] % 5);
    sc.aggressive_mode = data[0] & 0x80;
    dnp3_sa_outstation *sa = dnp3_sa_outstation_init(sa_mem, sizeof sa_mem, &sc, 0);
    dnp3_sa_master_config mc;
    dnp3_sa_master_config_init(&mc);
    mc.crypto = &fake;
    mc.user = sc.users[0];
    dnp3_sa_master *msa = dnp3_sa_master_init(msa_mem, sizeof msa_mem, &mc, 0);
    if (!os || !sa || !msa) abort();
    dnp3_outstation_set_sa(os, sa);
    dnp3_tstamp now = 0;
    uint8_t out[4096], reply[256];
    size_t pos = 1;
    while (pos + 2 <= size) {
        size_t len = data[pos];
        now += (dnp3_tstamp)data[pos + 1] * 100;
        pos += 2;
        if (len > size - pos) len = size - pos;
        const uint8_t *frag = data + pos;
        pos += len;
        uint8_t uk_req[512];
        if (len >= 3 && frag[0] == 0xFE) { /* the master runs a user status change and/or update-key change */
            static const char *const names[] = {"jim", "bob", "zed"};
            dnp3_sa_update_key_change u;
            memset(&u, 0, sizeof u);
            u.kcm = (frag[1] & 1) ? DNP3_SA_KCM_AES256_SHA256 : DNP3_SA_KCM_AES128_SHA1;
            memset(u.new_key, frag[2], sizeof u.new_key);
            u.authority_key_len = 16;
            memset(u.authority_key, 0x40, 16);
            snprintf(u.user_name, sizeof u.user_name, "%s", names[(frag[1] >> 1) % 3]);
            u.status_operation = (uint8_t)((frag[1] >> 3) % 4);
            u.status_change_seq = frag[2];
            u.role = frag[1] >> 5;
            int k = dnp3_sa_master_begin_update_key(msa, &u) == DNP3_OK
                        ? dnp3_sa_master_build_update_key_request(msa, (uint8_t)(0xC0 | (frag[2] & 15)), uk_req,
                                                                  sizeof uk_req)
                        : -1;
            if (k > 0) {
                frag = uk_req;
                len = (size_t)k;
            }
        }
        dnp3_outstation_handle_expiry(os, now);
        uint32_t auth_before = dnp3_sa_outstation_stats(sa)[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS];
        int ctl_before = controls;
        in_receive = 1;
        dnp3_outstation_receive(os, frag, len, DNP3_BCAST_NONE, now);
        in_receive = 0;
        if (controls != ctl_before &&
            dnp3_sa_outstation_stats(sa)[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS] == auth_before)
            abort(); /* a control ran without an authentication in this request */
        int n = dnp3_outstation_take(os, out, sizeof out, now);
        /* the outstation's answers drive the master SA; the master's replies go back (a few
         * rounds: an update-key change takes three) */
        for (int round = 0; round < 4 && n > 0 && out[1] == DNP3_FC_AUTH_RESPONSE; round++) {
            size_t rl = 0;
            dnp3_sa_master_action act;
            uint8_t err;
            dnp3_sa_master_on_auth_response(msa, out, (size_t)n, now, reply, sizeof reply, &rl, &act, &err);
            if (act == DNP3_SA_M_NEXT_KEY) {
                int k = dnp3_sa_master_update_key_pending(msa)
                            ? dnp3_sa_master_build_update_key_request(msa, 0xC1, reply, sizeof reply)
                            : dnp3_sa_master_build_key_request(msa, 0xC1, now, reply, sizeof reply);
                if (k > 0) rl = (size_t)k;
            }
            n = 0;
            if (rl) {
                auth_before = dnp3_sa_outstation_stats(sa)[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS];
                ctl_before = controls;
                in_receive = 1;
                dnp3_outstation_receive(os, reply, rl, DNP3_BCAST_NONE, now);
                in_receive = 0;
                if (controls != ctl_before &&
                    dnp3_sa_outstation_stats(sa)[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS] == auth_before)
                    abort();
                n = dnp3_outstation_take(os, out, sizeof out, now);
            }
        }
        dnp3_sa_master_note_request(msa, frag, len);
        if (len >= 2 && (frag[0] & 1)) {
            uint8_t ag[4096];
            (void)dnp3_sa_master_aggressive(msa, frag, len, ag, sizeof ag);
        }
    }
    dnp3_sa_outstation_free(sa);
    dnp3_sa_master_free(msa);
    return 0;
}
