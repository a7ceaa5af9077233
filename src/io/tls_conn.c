/*
 * tls_conn.c - one DNP3-over-TLS connection (IEC 62351-3) as a memory-BIO
 * engine: ciphertext in through `rbio`, ciphertext out through `wbio`,
 * plaintext through SSL_read/SSL_write. No socket, no clock: io_tls.c drives it
 * and enforces the handshake timeout.
 *
 * Errors are turned into one sentence for the operator: the certificate
 * verification result when it failed ("certificate has expired", "hostname
 * mismatch", ...), the alert the peer sent when it rejected us ("tlsv1 alert
 * unknown ca"), else OpenSSL's reason.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls_conn.h"

struct tls_conn {
    SSL *ssl;
    BIO *rbio, *wbio; /* owned by ssl */
    bool established;
    char error[256];
};

/* Sets the name the peer's certificate must carry: an IP address or a DNS name. */
static int expect_name(SSL *ssl, const char *name)
{
    unsigned char buf[16];
    X509_VERIFY_PARAM *p = SSL_get0_param(ssl);
    if (inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1)
        return X509_VERIFY_PARAM_set1_ip_asc(p, name);
    X509_VERIFY_PARAM_set_hostflags(p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return X509_VERIFY_PARAM_set1_host(p, name, 0);
}

tls_conn *dnp3_tls_conn_new(dnp3_tls *t, const char *peer_name)
{
    tls_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->ssl = SSL_new(t->ctx);
    c->rbio = BIO_new(BIO_s_mem());
    c->wbio = BIO_new(BIO_s_mem());
    if (!c->ssl || !c->rbio || !c->wbio) goto bad;
    BIO_set_mem_eof_return(c->rbio, -1); /* empty input means "wait", not end of stream */
    SSL_set_bio(c->ssl, c->rbio, c->wbio);
    const char *name = peer_name ? peer_name : t->peer_name;
    if (name && name[0] && expect_name(c->ssl, name) != 1) goto bad_after_bio;
    if (t->server)
        SSL_set_accept_state(c->ssl);
    else
        SSL_set_connect_state(c->ssl);
    return c;
bad:
    BIO_free(c->rbio);
    BIO_free(c->wbio);
bad_after_bio:
    SSL_free(c->ssl);
    free(c);
    return NULL;
}

void dnp3_tls_conn_free(tls_conn *c)
{
    if (!c) return;
    SSL_free(c->ssl);
    free(c);
}

int dnp3_tls_conn_feed(tls_conn *c, const uint8_t *data, size_t len)
{
    while (len > 0) {
        int chunk = len > 0x40000000u ? 0x40000000 : (int)len;
        int n = BIO_write(c->rbio, data, chunk);
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Explains a failed handshake or record operation. */
static void explain(tls_conn *c)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    bool verify_failed =
        e && ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED;
    long vr = verify_failed ? SSL_get_verify_result(c->ssl) : X509_V_OK;
    if (verify_failed && vr == X509_V_OK)
        snprintf(c->error, sizeof c->error, "peer certificate rejected");
    else if (vr != X509_V_OK && vr != X509_V_ERR_CERT_REJECTED)
        snprintf(c->error, sizeof c->error, "peer certificate rejected: %s", X509_verify_cert_error_string(vr));
    else if (vr == X509_V_ERR_CERT_REJECTED)
        snprintf(c->error, sizeof c->error, "peer certificate rejected: it is not the pinned certificate");
    else if (reason && strstr(reason, "alert"))
        snprintf(c->error, sizeof c->error, "the peer refused the handshake (%s)", reason);
    else
        snprintf(c->error, sizeof c->error, "%s", reason ? reason : "connection closed during the handshake");
    ERR_clear_error();
}

/* Maps an SSL_* result; sets the error text on failure. */
static int classify(tls_conn *c, int rc)
{
    switch (SSL_get_error(c->ssl, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return TLS_CONN_WANT;
    case SSL_ERROR_ZERO_RETURN:
        snprintf(c->error, sizeof c->error, "the peer closed the TLS session");
        return TLS_CONN_CLOSED;
    default: explain(c); return TLS_CONN_FAILED;
    }
}

tls_conn_status dnp3_tls_conn_handshake(tls_conn *c)
{
    if (c->established) return TLS_CONN_OK;
    ERR_clear_error();
    int rc = SSL_do_handshake(c->ssl);
    if (rc == 1) {
        c->established = true;
        return TLS_CONN_OK;
    }
    int s = classify(c, rc);
    return s == TLS_CONN_CLOSED ? TLS_CONN_FAILED : (tls_conn_status)s;
}

bool dnp3_tls_conn_established(const tls_conn *c)
{
    return c->established;
}

int dnp3_tls_conn_read(tls_conn *c, uint8_t *out, size_t cap)
{
    if (!c->established || cap == 0) return 0;
    ERR_clear_error();
    int n = SSL_read(c->ssl, out, cap > 0x7fffffff ? 0x7fffffff : (int)cap);
    if (n > 0) return n;
    int s = classify(c, n);
    return s == TLS_CONN_WANT ? 0 : s;
}

int dnp3_tls_conn_write(tls_conn *c, const uint8_t *data, size_t len)
{
    if (!c->established) return TLS_CONN_FAILED;
    ERR_clear_error();
    while (len > 0) { /* memory BIOs never block: a write either completes or fails */
        int chunk = len > 0x4000 ? 0x4000 : (int)len;
        int n = SSL_write(c->ssl, data, chunk);
        if (n <= 0) {
            classify(c, n);
            return TLS_CONN_FAILED;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

void dnp3_tls_conn_close(tls_conn *c)
{
    if (c->established) {
        ERR_clear_error();
        SSL_shutdown(c->ssl);
        ERR_clear_error();
    }
}

size_t dnp3_tls_conn_pending(const tls_conn *c)
{
    return BIO_ctrl_pending(c->wbio);
}

size_t dnp3_tls_conn_take(tls_conn *c, uint8_t *out, size_t cap)
{
    size_t have = BIO_ctrl_pending(c->wbio);
    if (have > cap) have = cap;
    if (have > 0x7fffffff) have = 0x7fffffff;
    int n = have ? BIO_read(c->wbio, out, (int)have) : 0;
    return n > 0 ? (size_t)n : 0;
}

const char *dnp3_tls_conn_error(const tls_conn *c)
{
    return c->error[0] ? c->error : "TLS error";
}

void dnp3_tls_conn_peer_cn(const tls_conn *c, char *out, size_t cap)
{
    out[0] = 0;
    X509 *peer = SSL_get1_peer_certificate(c->ssl);
    if (!peer) return;
    X509_NAME *n = X509_get_subject_name(peer);
    int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
    ASN1_STRING *s = i >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)) : NULL;
    const unsigned char *d = s ? ASN1_STRING_get0_data(s) : NULL;
    if (d) snprintf(out, cap, "%.*s", ASN1_STRING_length(s), (const char *)d);
    X509_free(peer);
}

void dnp3_tls_conn_describe(const tls_conn *c, char *out, size_t cap)
{
    char cn[200];
    dnp3_tls_conn_peer_cn(c, cn, sizeof cn);
    snprintf(out, cap, "%s %s, peer certificate %s%s", SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
             cn[0] ? "CN=" : "?", cn);
}
