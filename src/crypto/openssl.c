/*
 * openssl.c - the OpenSSL 3 crypto provider for Secure Authentication
 * (IEEE 1815-2012 clause 7: HMAC-SHA-1 / HMAC-SHA-256 MAC algorithms, AES-128
 * and AES-256 key wrap (RFC 3394) of the session key change, random challenge
 * data and session keys).
 *
 * Lives outside the sans-I/O core (library dnp3crypto): the core only sees the
 * dnp3_crypto function pointers. HMAC uses EVP_MAC ("HMAC"); key wrap uses
 * EVP_CIPHER "AES-128-WRAP" / "AES-256-WRAP" (the RFC 3394 default IV) with
 * EVP_CIPHER_CTX_FLAG_WRAP_ALLOW; random octets come from RAND_bytes.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>

#include "dnp3/crypto.h"

static int ossl_hmac(void *ctx, dnp3_hash_alg alg, const uint8_t *key, size_t key_len, const dnp3_iov *parts,
                     size_t n_parts, uint8_t out[32])
{
    (void)ctx;
    const char *digest = alg == DNP3_HASH_SHA1 ? "SHA1" : alg == DNP3_HASH_SHA256 ? "SHA256" : NULL;
    if (!digest || !key || !key_len || !out || (n_parts && !parts)) return DNP3_ERR_INVALID_ARG;
    int rc = DNP3_ERR_CRYPTO;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    if (mctx) {
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)digest, 0);
        params[1] = OSSL_PARAM_construct_end();
        size_t outl = 0;
        if (EVP_MAC_init(mctx, key, key_len, params) == 1) {
            size_t i = 0;
            for (; i < n_parts; i++)
                if (parts[i].len && EVP_MAC_update(mctx, parts[i].data, parts[i].len) != 1) break;
            if (i == n_parts && EVP_MAC_final(mctx, out, &outl, 32) == 1) rc = DNP3_OK;
        }
    }
    EVP_MAC_CTX_free(mctx);
    EVP_MAC_free(mac);
    return rc;
}

static int ossl_wrap(bool enc, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t len, uint8_t *out)
{
    if (!kek || !in || !out || (kek_len != 16 && kek_len != 32) || len % 8 != 0) return DNP3_ERR_INVALID_ARG;
    if (enc ? (len < 16 || len > 1024) : (len < 24 || len > 1032)) return DNP3_ERR_INVALID_ARG;
    int rc = DNP3_ERR_CRYPTO;
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, kek_len == 16 ? "AES-128-WRAP" : "AES-256-WRAP", NULL);
    EVP_CIPHER_CTX *cctx = c ? EVP_CIPHER_CTX_new() : NULL;
    if (cctx) {
        EVP_CIPHER_CTX_set_flags(cctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
        int n = 0, f = 0;
        if (EVP_CipherInit_ex2(cctx, c, kek, NULL, enc ? 1 : 0, NULL) == 1 &&
            EVP_CipherUpdate(cctx, out, &n, in, (int)len) == 1 && EVP_CipherFinal_ex(cctx, out + n, &f) == 1 &&
            (size_t)n + (size_t)f == (enc ? len + 8 : len - 8))
            rc = DNP3_OK;
    }
    EVP_CIPHER_CTX_free(cctx);
    EVP_CIPHER_free(c);
    return rc;
}

static int ossl_key_wrap(void *ctx, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t len,
                         uint8_t *out)
{
    (void)ctx;
    return ossl_wrap(true, kek, kek_len, in, len, out);
}

static int ossl_key_unwrap(void *ctx, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t len,
                           uint8_t *out)
{
    (void)ctx;
    return ossl_wrap(false, kek, kek_len, in, len, out);
}

static int ossl_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    if (!out || len > (size_t)INT32_MAX) return DNP3_ERR_INVALID_ARG;
    if (len == 0) return DNP3_OK;
    return RAND_bytes(out, (int)len) == 1 ? DNP3_OK : DNP3_ERR_CRYPTO;
}

static const dnp3_crypto provider = {
    sizeof(dnp3_crypto), NULL, ossl_hmac, ossl_key_wrap, ossl_key_unwrap, ossl_random,
};

const dnp3_crypto *dnp3_crypto_openssl(void)
{
    return &provider;
}
