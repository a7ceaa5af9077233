/**
 * \file
 * dnp3/tls.h - DNP3 over TLS (IEC 62351-3 profile; IANA port 19999 "dnp-sec"):
 * a TLS configuration loaded once (certificates, keys, trust, versions) and
 * shared by every connection of a runtime endpoint (dnp3_io_config.tls).
 *
 * Mutual authentication is always on: each side presents its certificate and
 * verifies the peer's, either against CA certificates (`ca_file`), or by a
 * pinned peer certificate (`peer_cert_file`, byte-exact match plus validity
 * dates), or both. TLS 1.2 (ECDHE with AES-GCM or ChaCha20-Poly1305 only) and
 * TLS 1.3; renegotiation and compression are off.
 *
 * Everything that can be wrong with the files (missing, unreadable, not PEM,
 * key not matching the certificate, own certificate expired, no way to
 * authenticate the peer) is found by dnp3_tls_load, which names the file and
 * the problem, so a misconfigured device fails at start-up and not at the
 * first connection. The runtime (src/io) runs the handshakes through OpenSSL
 * memory BIOs around the sans-I/O channel.
 */
#ifndef DNP3_TLS_H
#define DNP3_TLS_H

#include "dnp3/export.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A TLS protocol version (dnp3_tls_config::min_version, dnp3_tls_config::max_version). */
typedef enum {
    DNP3_TLS_1_2 = 12, /**< TLS 1.2 */
    DNP3_TLS_1_3 = 13, /**< TLS 1.3 */
} dnp3_tls_version;

/**
 * What dnp3_tls_load reads: file names (PEM) and protocol limits. Set it up
 * with dnp3_tls_config_init, then fill in the files.
 */
typedef struct {
    const char *cert_file;      /**< own certificate (chain), PEM; required */
    const char *key_file;       /**< own private key, PEM (unencrypted); required */
    const char *ca_file;        /**< CA certificates that may sign the peer's certificate, PEM */
    const char *peer_cert_file; /**< the peer's certificate, pinned (self-signed deployments), PEM */
    const char *crl_file;       /**< optional certificate revocation list, PEM (checked for the whole chain) */
    /** Name the peer's certificate must carry (DNS name or IP address in its
     * subjectAltName, else its common name). NULL: not checked. A master sets it
     * to the host it dials unless told otherwise. */
    const char *peer_name;
    dnp3_tls_version min_version;  /**< default DNP3_TLS_1_2 */
    dnp3_tls_version max_version;  /**< default DNP3_TLS_1_3 */
    const char *ciphers_tls12;     /**< OpenSSL cipher list for TLS 1.2 (NULL: the default profile) */
    uint32_t handshake_timeout_ms; /**< default 10000 */
    /** Append TLS secrets in NSS key-log format (for Wireshark) to this file; NULL: off.
     * A debugging aid: anyone with the file can read the traffic. */
    const char *keylog_file;
} dnp3_tls_config;

/** A loaded TLS configuration (an OpenSSL SSL_CTX and the pinned certificate). */
typedef struct dnp3_tls dnp3_tls;

/**
 * Fills *c with the defaults: every file and name NULL, min_version
 * DNP3_TLS_1_2, max_version DNP3_TLS_1_3, handshake_timeout_ms 10000.
 */
DNP3_API void dnp3_tls_config_init(dnp3_tls_config *c);

/**
 * Loads and checks `c` for the server side (`server`, the side that accepts
 * connections) or the client side. Returns NULL and writes a one-line message
 * into err (naming the file and the problem) on any error. On success returns
 * a new configuration (allocated; release it with dnp3_tls_free) and leaves
 * err an empty string. err may be NULL (or err_cap 0): no message.
 */
DNP3_API dnp3_tls *dnp3_tls_load(const dnp3_tls_config *c, bool server, char *err, size_t err_cap);

/** Frees a configuration no endpoint uses any more. NULL is accepted. */
DNP3_API void dnp3_tls_free(dnp3_tls *t);

/** The default TLS 1.2 cipher list (ECDHE key exchange, AEAD ciphers only). */
DNP3_API const char *dnp3_tls_default_ciphers(void);

#ifdef __cplusplus
}
#endif
#endif
