/**
 * \file
 * dnp3/crypto.h - the crypto provider interface used by Secure Authentication
 * (IEEE 1815-2012 clause 7: MAC algorithms of 7.x "MAC algorithm" enumeration,
 * AES key wrap of the session key change, random challenge data).
 *
 * The sans-I/O core never links a crypto library: it calls the function
 * pointers of a dnp3_crypto the caller supplies. The default implementation
 * (OpenSSL 3) is dnp3_crypto_openssl() in the separate library dnp3crypto
 * (src/crypto/openssl.c). Constant-time comparison and zeroisation of key
 * material are done by the core itself (dnp3_ct_equal, dnp3_zeroize).
 *
 * Every provider function returns DNP3_OK or a negative error
 * (DNP3_ERR_CRYPTO for a failure of the underlying library,
 * DNP3_ERR_INVALID_ARG for sizes outside the documented ranges).
 */
#ifndef DNP3_CRYPTO_H
#define DNP3_CRYPTO_H

#include "dnp3/export.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The hash function of an HMAC (dnp3_crypto::hmac). */
typedef enum {
    DNP3_HASH_SHA1 = 1,   /**< 20-octet output */
    DNP3_HASH_SHA256 = 2, /**< 32-octet output */
} dnp3_hash_alg;

/** One part of a message that is MACed as the concatenation of its parts. */
typedef struct {
    const uint8_t *data; /**< first octet of the part */
    size_t len;          /**< octets in the part (may be 0) */
} dnp3_iov;

/**
 * A crypto provider: the operations Secure Authentication needs, as function
 * pointers the caller supplies. Every function returns DNP3_OK or a negative
 * error (see the file description).
 */
typedef struct {
    /** sizeof(dnp3_crypto) as the provider was built: at least the four operations below
     * (Secure Authentication refuses a smaller one, "crypto.size"); operations appended in a
     * later version are used only when the size covers them. */
    uint32_t size;
    void *ctx; /**< passed as the first argument of every function below */
    /** HMAC over parts[0] || parts[1] || ...; writes the full digest (20 or 32 octets) to out. */
    int (*hmac)(void *ctx, dnp3_hash_alg alg, const uint8_t *key, size_t key_len, const dnp3_iov *parts,
                size_t n_parts, uint8_t out[32]);
    /** RFC 3394 AES key wrap with the default IV; kek_len 16 or 32; len a multiple of 8, 16..1024;
     * out receives len + 8 octets. */
    int (*key_wrap)(void *ctx, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t len, uint8_t *out);
    /** RFC 3394 unwrap; len a multiple of 8, 24..1032; out receives len - 8 octets.
     * Returns DNP3_ERR_CRYPTO when the integrity check fails. */
    int (*key_unwrap)(void *ctx, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t len, uint8_t *out);
    /** Cryptographically strong random octets. */
    int (*random)(void *ctx, uint8_t *out, size_t len);
} dnp3_crypto;

/** Constant-time equality of two buffers of the same length (time depends only on len). */
DNP3_API bool dnp3_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

/** Overwrites len octets with zeros in a way the compiler cannot remove. */
DNP3_API void dnp3_zeroize(void *p, size_t len);

/**
 * The OpenSSL 3 provider (libdnp3crypto; link with OpenSSL's libcrypto).
 * Returns a static provider; thread-safe (no shared state).
 */
DNP3_API const dnp3_crypto *dnp3_crypto_openssl(void);

#ifdef __cplusplus
}
#endif
#endif
