/*
 * sa_update_key.c - the pieces of the symmetric update-key change (IEEE
 * 1815-2012 clause 7; docs/protocol-notes.md §7.7) shared by both roles:
 *
 *   master -> g120v11 {KCM, user name, master challenge}
 *   outstation -> g120v12 {KSQ, USR, outstation challenge}
 *   master -> g120v13 {KSQ, USR, key-wrap(authority key, name || new key || outstation challenge)}
 *             + g120v15 {HMAC(new key, outstation name || master challenge || outstation challenge || KSQ || USR)}
 *   outstation -> g120v15 {HMAC(new key, user name || outstation challenge || master challenge || KSQ || USR)}
 *
 * preceded, to add, change or delete a user, by the authority's user status change
 *   master -> g120v10 {KCM, operation, SCS, role, expiry, name, -, certification data}
 *   outstation -> AUTH_RESPONSE without objects (or g120v7)
 *
 * KCM 3: 16-octet update key, HMAC-SHA-1; KCM 4: 32-octet key, HMAC-SHA-256.
 * The confirmation MACs are truncated like the networked MAC algorithms
 * (SHA-1 to 10 octets, SHA-256 to 16): docs/protocol-notes.md does not give the length; see
 * docs/sa.md. The plaintext of the wrap is zero-padded to a multiple of 8.
 */
#include "sa/sa_internal.h"

size_t dnp3_sa_uk_key_len(uint8_t kcm)
{
    return kcm == DNP3_SA_KCM_AES128_SHA1 ? 16 : kcm == DNP3_SA_KCM_AES256_SHA256 ? 32 : 0;
}

int dnp3_sa_uk_confirmation(const dnp3_crypto *c, uint8_t kcm, const uint8_t *key, const char *name,
                            const uint8_t *first_chal, size_t first_len, const uint8_t *second_chal,
                            size_t second_len, uint32_t ksq, uint16_t user, uint8_t out[DNP3_SA_MAX_MAC])
{
    uint8_t tail[6];
    dnp3_store_u32(tail, ksq);
    dnp3_store_u16(tail + 4, user);
    dnp3_iov parts[4] = {
        {(const uint8_t *)name, strlen(name)}, {first_chal, first_len}, {second_chal, second_len}, {tail, 6}};
    uint8_t mal = kcm == DNP3_SA_KCM_AES128_SHA1 ? DNP3_SA_MAL_HMAC_SHA1_10 : DNP3_SA_MAL_HMAC_SHA256_16;
    return dnp3_sa_mac(c, mal, key, dnp3_sa_uk_key_len(kcm), parts, 4, out);
}

int dnp3_sa_usc_certification(const dnp3_crypto *c, uint8_t kcm, const uint8_t *authority_key, size_t akl,
                              uint8_t op, uint32_t scs, uint16_t role, uint16_t expiry, const uint8_t *name,
                              size_t name_len, uint8_t out[32])
{
    if (!dnp3_sa_uk_key_len(kcm) || name_len > 0xFFFF) return DNP3_ERR_INVALID_ARG;
    uint8_t fields[11];
    fields[0] = op;
    dnp3_store_u32(fields + 1, scs);
    dnp3_store_u16(fields + 5, role);
    dnp3_store_u16(fields + 7, expiry);
    dnp3_store_u16(fields + 9, (uint16_t)name_len);
    dnp3_iov parts[2] = {{fields, sizeof fields}, {name, name_len}};
    dnp3_hash_alg alg = kcm == DNP3_SA_KCM_AES128_SHA1 ? DNP3_HASH_SHA1 : DNP3_HASH_SHA256;
    int rc = c->hmac(c->ctx, alg, authority_key, akl, parts, 2, out);
    return rc != DNP3_OK ? rc : alg == DNP3_HASH_SHA1 ? 20 : 32;
}

size_t dnp3_sa_uk_plain(const char *name, const uint8_t *key, size_t key_len, const uint8_t *chal, size_t chal_len,
                        uint8_t out[SA_UK_PLAIN_MAX])
{
    size_t nl = strlen(name), n = nl + key_len + chal_len;
    size_t padded = (n + 7) / 8 * 8;
    if (padded < 16 || padded > SA_UK_PLAIN_MAX) return 0;
    memset(out, 0, padded);
    /* the name without its NUL: the layout of clause 7.7 */
    memcpy(out, name, nl); /* NOLINT(bugprone-not-null-terminated-result) */
    memcpy(out + nl, key, key_len);
    memcpy(out + nl + key_len, chal, chal_len);
    return padded;
}

int dnp3_sa_g120_nth(const uint8_t *apdu, size_t len, int nth, dnp3_g120 *out)
{
    dnp3_apdu a;
    if (dnp3_apdu_parse(apdu, len, &a) != DNP3_OK) return DNP3_ERR_APP_TRUNCATED;
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, &a);
    int i = 0, rc;
    while ((rc = dnp3_hdr_iter_next(&it, &h, NULL)) > 0) {
        if (i++ != nth) continue;
        if (h.group != 120) return 0;
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        if (!dnp3_obj_iter_next(&oi, &o) || !o.data) return 0;
        return dnp3_g120_decode(h.variation, o.data, o.size, out) == DNP3_OK ? 1 : DNP3_ERR_APP_BAD_VALUE;
    }
    return rc < 0 ? rc : 0;
}
