/*
 * scan_tls.c - see scan_tls.h. One TLS client handshake (TLS 1.2 or 1.3, no
 * verification, no client certificate) on a non-blocking socket, bounded by
 * the timeout. In TLS 1.3 a server that demands a certificate may let the
 * handshake finish and send its alert afterwards, so a short read follows a
 * successful handshake.
 */
#include "scan_tls.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "scan_net.h"

static int cert_requested(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    (void)x509;
    (void)pkey;
    scan_tls_result *r = SSL_get_app_data(ssl);
    r->client_cert_requested = true;
    return 0; /* we have none */
}

/* Waits for what OpenSSL wants. Returns false at the deadline. */
static bool wait_for(SSL *ssl, int rc, uint64_t deadline)
{
    int e = SSL_get_error(ssl, rc);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return false;
    uint64_t now = scan_now_ms();
    if (now >= deadline) return false;
    struct pollfd p = {SSL_get_fd(ssl), (short)(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    return poll(&p, 1, (int)(deadline - now)) > 0;
}

static void name_of(X509_NAME *n, char *out, size_t cap)
{
    out[0] = 0;
    if (n) X509_NAME_oneline(n, out, (int)cap);
}

static void describe_peer(SSL *ssl, scan_tls_result *r)
{
    snprintf(r->version, sizeof r->version, "%s", SSL_get_version(ssl));
    snprintf(r->cipher, sizeof r->cipher, "%s", SSL_get_cipher_name(ssl));
    X509 *peer = SSL_get1_peer_certificate(ssl);
    if (!peer) return;
    name_of(X509_get_subject_name(peer), r->subject, sizeof r->subject);
    name_of(X509_get_issuer_name(peer), r->issuer, sizeof r->issuer);
    BIO *b = BIO_new(BIO_s_mem());
    if (b && ASN1_TIME_print(b, X509_get0_notAfter(peer)) > 0) {
        int n = BIO_read(b, r->not_after, (int)sizeof r->not_after - 1);
        r->not_after[n > 0 ? n : 0] = 0;
    }
    BIO_free(b);
    r->cert_expired = X509_cmp_current_time(X509_get0_notAfter(peer)) < 0;
    X509_free(peer);
}

static void reason(scan_tls_result *r)
{
    unsigned long e = ERR_peek_last_error();
    const char *s = e ? ERR_reason_error_string(e) : NULL;
    snprintf(r->detail, sizeof r->detail, "%s", s ? s : "connection closed");
}

void scan_tls(const char *host, uint16_t port, uint32_t timeout_ms, scan_tls_result *r)
{
    memset(r, 0, sizeof *r);
    scan_sock sock;
    int rc = scan_connect(&sock, host, port, false, timeout_ms);
    if (rc != 0) {
        r->state = SCAN_TLS_CLOSED;
        r->connect_errno = -rc;
        return;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    if (!ssl) {
        r->state = SCAN_TLS_NOT_TLS;
        snprintf(r->detail, sizeof r->detail, "OpenSSL could not start");
        goto out;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_client_cert_cb(ctx, cert_requested);
    SSL_set_app_data(ssl, r);
    SSL_set_fd(ssl, sock.fd);
    if (strspn(host, "0123456789.:") != strlen(host)) SSL_set_tlsext_host_name(ssl, host);
    uint64_t deadline = scan_now_ms() + timeout_ms;
    ERR_clear_error();
    while ((rc = SSL_connect(ssl)) != 1)
        if (!wait_for(ssl, rc, deadline)) break;
    if (rc == 1) {
        r->state = SCAN_TLS_PRESENT;
        describe_peer(ssl, r);
        /* TLS 1.3: a server demanding a certificate answers our Finished with an alert */
        uint8_t b[256];
        uint64_t read_deadline = scan_now_ms() + (timeout_ms < 1000 ? timeout_ms : 1000);
        int n;
        ERR_clear_error();
        while ((n = SSL_read(ssl, b, sizeof b)) <= 0)
            if (!wait_for(ssl, n, read_deadline)) break;
        if (n <= 0 && SSL_get_error(ssl, n) == SSL_ERROR_SSL) {
            reason(r);
            r->refused_without_cert = r->client_cert_requested;
        }
    } else {
        reason(r);
        bool spoke_tls = r->client_cert_requested || SSL_get0_peer_certificate(ssl) || strstr(r->detail, "alert");
        r->state = spoke_tls ? SCAN_TLS_PRESENT : SCAN_TLS_NOT_TLS;
        if (spoke_tls) {
            describe_peer(ssl, r);
            r->refused_without_cert = r->client_cert_requested;
        }
    }
out:
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    scan_close(&sock);
}
