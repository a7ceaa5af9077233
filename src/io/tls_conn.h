/*
 * tls_conn.h - one TLS connection as a byte-in/byte-out engine (OpenSSL over
 * two memory BIOs), with no socket: the runtime feeds it the ciphertext it
 * reads, takes the ciphertext it must write, and exchanges plaintext (DNP3
 * link frames) with it. Used by io_tls.c for DNP3 over TLS (IEC 62351-3), and by
 * the tests, which connect two engines back to back.
 */
#ifndef DNP3_IO_TLS_CONN_H
#define DNP3_IO_TLS_CONN_H

#include <openssl/ssl.h>

#include "dnp3/tls.h"

/* What the loaded configuration holds (tls_config.c). */
struct dnp3_tls {
    SSL_CTX *ctx;
    bool server;
    X509 *pinned;        /* peer certificate to match, or NULL */
    bool have_ca;        /* ca_file given: chains are verified */
    char peer_name[256]; /* expected peer name ("" = not checked) */
    uint32_t handshake_timeout_ms;
    char keylog_file[512];
};

typedef struct tls_conn tls_conn;

typedef enum {
    TLS_CONN_OK = 0,      /* handshake done / operation done */
    TLS_CONN_WANT = 1,    /* needs more input from the peer */
    TLS_CONN_FAILED = -1, /* handshake or record error: dnp3_tls_conn_error() says why */
    TLS_CONN_CLOSED = -2, /* the peer sent close_notify */
} tls_conn_status;

/* A new connection of `t`; `peer_name` overrides t's expected name when not NULL. */
tls_conn *dnp3_tls_conn_new(dnp3_tls *t, const char *peer_name);
void dnp3_tls_conn_free(tls_conn *c);

/* Ciphertext received from the socket. Returns 0, or -1 if out of memory. */
int dnp3_tls_conn_feed(tls_conn *c, const uint8_t *data, size_t len);

/* Advances the handshake (call after dnp3_tls_conn_new for a client, then after every feed). */
tls_conn_status dnp3_tls_conn_handshake(tls_conn *c);
bool dnp3_tls_conn_established(const tls_conn *c);

/* Plaintext received: > 0 octets copied to out, 0 nothing (yet), or TLS_CONN_FAILED / TLS_CONN_CLOSED. */
int dnp3_tls_conn_read(tls_conn *c, uint8_t *out, size_t cap);

/* Encrypts plaintext for the peer. Returns 0, or TLS_CONN_FAILED. */
int dnp3_tls_conn_write(tls_conn *c, const uint8_t *data, size_t len);

/* Queues a close_notify alert. */
void dnp3_tls_conn_close(tls_conn *c);

/* Ciphertext waiting to be sent, and taking up to `cap` octets of it. */
size_t dnp3_tls_conn_pending(const tls_conn *c);
size_t dnp3_tls_conn_take(tls_conn *c, uint8_t *out, size_t cap);

/* Why the last operation failed (a sentence without a trailing period). */
const char *dnp3_tls_conn_error(const tls_conn *c);

/* The common name of the peer's certificate into out ("" without one). */
void dnp3_tls_conn_peer_cn(const tls_conn *c, char *out, size_t cap);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384, peer CN=..." once established. */
void dnp3_tls_conn_describe(const tls_conn *c, char *out, size_t cap);

#endif
