/*
 * sa_common.c - pieces of Secure Authentication shared by both roles
 * (IEEE 1815-2012 clause 7): the MAC algorithm table (MAL 1..5, leftmost
 * truncation of HMAC-SHA-1 / HMAC-SHA-256), constant-time comparison,
 * zeroisation of key material, the default list of critical functions
 * (docs/protocol-notes.md §7.8: every function except the optional ones), error-code names and
 * g120 object framing.
 */
#include "sa/sa_internal.h"

bool dnp3_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    volatile uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) acc = (uint8_t)(acc | (a[i] ^ b[i]));
    return acc == 0;
}

void dnp3_zeroize(void *p, size_t len)
{
    volatile uint8_t *v = p;
    while (len--) *v++ = 0;
}

size_t dnp3_sa_mac_len(uint8_t mal)
{
    switch (mal) {
    case DNP3_SA_MAL_HMAC_SHA1_4: return 4;
    case DNP3_SA_MAL_HMAC_SHA1_10: return 10;
    case DNP3_SA_MAL_HMAC_SHA256_8: return 8;
    case DNP3_SA_MAL_HMAC_SHA256_16: return 16;
    case DNP3_SA_MAL_HMAC_SHA1_8: return 8;
    default: return 0;
    }
}

int dnp3_sa_mac(const dnp3_crypto *c, uint8_t mal, const uint8_t *key, size_t key_len, const dnp3_iov *parts,
                size_t n_parts, uint8_t out[DNP3_SA_MAX_MAC])
{
    size_t n = dnp3_sa_mac_len(mal);
    if (!n || !c || !c->hmac) return DNP3_ERR_INVALID_ARG;
    dnp3_hash_alg alg = (mal == DNP3_SA_MAL_HMAC_SHA256_8 || mal == DNP3_SA_MAL_HMAC_SHA256_16) ? DNP3_HASH_SHA256
                                                                                                : DNP3_HASH_SHA1;
    uint8_t full[32];
    int rc = c->hmac(c->ctx, alg, key, key_len, parts, n_parts, full);
    if (rc == DNP3_OK) memcpy(out, full, n);
    dnp3_zeroize(full, sizeof full);
    return rc == DNP3_OK ? (int)n : rc;
}

void dnp3_sa_critical_default(dnp3_sa_fc_set *s)
{
    static const uint8_t optional[] = {
        DNP3_FC_CONFIRM,
        DNP3_FC_READ,
        DNP3_FC_IMMED_FREEZE,
        DNP3_FC_IMMED_FREEZE_NR,
        DNP3_FC_FREEZE_CLEAR,
        DNP3_FC_FREEZE_CLEAR_NR,
        DNP3_FC_FREEZE_AT_TIME,
        DNP3_FC_FREEZE_AT_TIME_NR,
        DNP3_FC_INITIALIZE_DATA,
        DNP3_FC_ASSIGN_CLASS,
        DNP3_FC_DELAY_MEASURE,
        DNP3_FC_RESPONSE,
        DNP3_FC_UNSOLICITED_RESPONSE,
        /* the authentication functions themselves are never challenged */
        DNP3_FC_AUTH_REQUEST,
        DNP3_FC_AUTH_REQUEST_NO_ACK,
        DNP3_FC_AUTH_RESPONSE,
    };
    memset(s->bits, 0xFF, sizeof s->bits);
    for (size_t i = 0; i < sizeof optional; i++) dnp3_sa_fc_set_bit(s, optional[i], false);
}

const char *dnp3_sa_error_name(unsigned code)
{
    static const char *const names[] = {
        "NONE",
        "AUTHENTICATION_FAILED",
        "UNEXPECTED_RESPONSE",
        "NO_RESPONSE",
        "AGGRESSIVE_MODE_NOT_SUPPORTED",
        "MAC_ALGORITHM_NOT_SUPPORTED",
        "KEY_WRAP_ALGORITHM_NOT_SUPPORTED",
        "AUTHORIZATION_FAILED",
        "UPDATE_KEY_METHOD_NOT_PERMITTED",
        "INVALID_SIGNATURE",
        "INVALID_CERTIFICATION_DATA",
        "UNKNOWN_USER",
        "MAX_SESSION_KEY_STATUS_REQUESTS_EXCEEDED",
    };
    return code < sizeof names / sizeof names[0] ? names[code] : "UNKNOWN_ERROR";
}

void dnp3_sa_put_object(dnp3_writer *w, uint8_t variation, const uint8_t *body, size_t len)
{
    dnp3_wr_u8(w, 120);
    dnp3_wr_u8(w, variation);
    if (variation == 3 || variation == 4) {
        dnp3_wr_u8(w, DNP3_QUAL_COUNT_8);
        dnp3_wr_u8(w, 1);
    } else {
        dnp3_wr_u8(w, DNP3_QUAL_FREE_FORMAT_16);
        dnp3_wr_u8(w, 1);
        dnp3_wr_u16(w, (uint16_t)len);
    }
    dnp3_wr_bytes(w, body, len);
}

const dnp3_sa_user *dnp3_sa_find_user(const dnp3_sa_user *users, size_t n, uint16_t number)
{
    for (size_t i = 0; i < n; i++)
        if (users[i].number == number) return &users[i];
    return NULL;
}
