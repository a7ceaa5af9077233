/*
 * tls_config.c - loads and checks a DNP3-over-TLS configuration (IEC 62351-3
 * profile, port 19999): own certificate chain and key, trust anchors (CA file
 * and/or a pinned peer certificate), optional CRL, protocol versions, cipher
 * list, and the certificate verification rules shared by every connection:
 * mutual authentication, name check, pinning with validity dates.
 *
 * Every file problem is reported here, at start-up, as one sentence naming the
 * file: missing or unreadable (with the system's reason), no PEM object of the
 * expected kind, key not matching the certificate, own certificate expired or
 * not yet valid, peer certificate expired.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls_conn.h"

/* TLS 1.2: forward secrecy (ECDHE) and AEAD ciphers only; TLS 1.3 suites are all AEAD. */
static const char DEFAULT_CIPHERS_12[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                         "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                         "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

const char *dnp3_tls_default_ciphers(void)
{
    return DEFAULT_CIPHERS_12;
}

void dnp3_tls_config_init(dnp3_tls_config *c)
{
    memset(c, 0, sizeof *c);
    c->min_version = DNP3_TLS_1_2;
    c->max_version = DNP3_TLS_1_3;
    c->handshake_timeout_ms = 10000;
}

static void fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || !cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* The reason of OpenSSL's most recent error, or `fallback`. */
static const char *ssl_reason(const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : fallback;
}

/* Opens `path` for reading, or explains why not ("what" names the file's role). */
static FILE *open_pem(const char *what, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) fail(err, cap, "cannot read the %s '%s': %s", what, path, strerror(errno));
    return f;
}

/* "expired on Jan  1 00:00:00 2021 GMT" / "is not valid before ..." or "" when valid now. */
static bool validity_problem(const X509 *x, char *out, size_t cap)
{
    const ASN1_TIME *t = NULL;
    const char *what = NULL;
    if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
        t = X509_get0_notAfter(x);
        what = "expired on";
    } else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
        t = X509_get0_notBefore(x);
        what = "is not valid before";
    }
    if (!t) return false;
    BIO *b = BIO_new(BIO_s_mem());
    char when[64] = "?";
    if (b && ASN1_TIME_print(b, t) > 0) {
        int n = BIO_read(b, when, (int)sizeof when - 1);
        when[n > 0 ? n : 0] = 0;
    }
    BIO_free(b);
    snprintf(out, cap, "%s %s", what, when);
    return true;
}

/* Reads the first certificate of a PEM file. */
static X509 *read_cert(const char *what, const char *path, char *err, size_t cap)
{
    FILE *f = open_pem(what, path, err, cap);
    if (!f) return NULL;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x) fail(err, cap, "the %s '%s' holds no PEM certificate", what, path);
    return x;
}

/* Loads the own chain and key and checks they belong together and are valid now. */
static bool load_identity(SSL_CTX *ctx, const dnp3_tls_config *c, char *err, size_t cap)
{
    if (!c->cert_file || !c->key_file) {
        fail(err, cap, "TLS needs a certificate and a private key (%s missing)",
             !c->cert_file ? "certificate file" : "private key file");
        return false;
    }
    X509 *own = read_cert("certificate file", c->cert_file, err, cap);
    if (!own) return false;
    char why[128];
    bool invalid = validity_problem(own, why, sizeof why);
    X509_free(own);
    if (invalid) {
        fail(err, cap, "the certificate '%s' %s", c->cert_file, why);
        return false;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, c->cert_file) != 1) {
        fail(err, cap, "cannot use the certificate '%s': %s", c->cert_file, ssl_reason("invalid certificate"));
        return false;
    }
    FILE *f = open_pem("private key file", c->key_file, err, cap);
    if (!f) return false;
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, (void *)"");
    fclose(f);
    if (!key) {
        fail(err, cap, "the private key file '%s' holds no unencrypted PEM private key", c->key_file);
        return false;
    }
    int ok = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    if (ok != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        fail(err, cap, "the private key '%s' does not match the certificate '%s'", c->key_file, c->cert_file);
        return false;
    }
    return true;
}

/* Loads the CA file, the pinned certificate and the CRL into the verification store. */
static bool load_trust(dnp3_tls *t, const dnp3_tls_config *c, char *err, size_t cap)
{
    if (!c->ca_file && !c->peer_cert_file) {
        fail(err, cap, "TLS needs a CA file or a pinned peer certificate to authenticate the peer");
        return false;
    }
    if (c->ca_file) {
        FILE *f = open_pem("CA file", c->ca_file, err, cap);
        if (!f) return false;
        fclose(f);
        if (SSL_CTX_load_verify_locations(t->ctx, c->ca_file, NULL) != 1) {
            fail(err, cap, "the CA file '%s' holds no usable PEM certificate", c->ca_file);
            return false;
        }
        if (t->server) { /* tell clients which CAs their certificate may come from */
            STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->ca_file);
            if (names) SSL_CTX_set_client_CA_list(t->ctx, names);
        }
        t->have_ca = true;
    }
    if (c->peer_cert_file) {
        t->pinned = read_cert("peer certificate file", c->peer_cert_file, err, cap);
        if (!t->pinned) return false;
        char why[128];
        if (validity_problem(t->pinned, why, sizeof why)) {
            fail(err, cap, "the pinned peer certificate '%s' %s", c->peer_cert_file, why);
            return false;
        }
    }
    if (c->crl_file) {
        FILE *f = open_pem("CRL file", c->crl_file, err, cap);
        if (!f) return false;
        X509_CRL *crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
        fclose(f);
        if (!crl) {
            fail(err, cap, "the CRL file '%s' holds no PEM certificate revocation list", c->crl_file);
            return false;
        }
        X509_STORE *store = SSL_CTX_get_cert_store(t->ctx);
        int ok = X509_STORE_add_crl(store, crl);
        X509_CRL_free(crl);
        if (ok != 1) {
            fail(err, cap, "cannot use the CRL '%s': %s", c->crl_file, ssl_reason("invalid CRL"));
            return false;
        }
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    return true;
}

/* Chain errors a pinned certificate makes irrelevant (it is trusted by itself). */
static bool is_trust_error(int e)
{
    return e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
           e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
           e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE || e == X509_V_ERR_CERT_UNTRUSTED;
}

/*
 * Verification rule: with a CA file, OpenSSL's chain verification decides
 * (plus name and revocation checks); a pinned certificate must in addition be
 * exactly the peer's. With a pinned certificate alone, chain-of-trust errors
 * are forgiven for that exact certificate, never its dates, name or anything else.
 */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    const dnp3_tls *t = ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
    if (!t || !t->pinned) return ok;
    X509 *leaf = X509_STORE_CTX_get0_cert(xs);
    bool match = leaf && X509_cmp(leaf, t->pinned) == 0;
    if (!match) {
        X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
        return 0;
    }
    if (ok) return 1;
    return !t->have_ca && is_trust_error(X509_STORE_CTX_get_error(xs));
}

static void keylog_cb(const SSL *ssl, const char *line)
{
    const dnp3_tls *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (!t || !t->keylog_file[0]) return;
    FILE *f = fopen(t->keylog_file, "a");
    if (!f) return;
    fprintf(f, "%s\n", line);
    fclose(f);
}

static int proto_version(dnp3_tls_version v)
{
    return v == DNP3_TLS_1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

dnp3_tls *dnp3_tls_load(const dnp3_tls_config *c, bool server, char *err, size_t err_cap)
{
    if (err && err_cap) err[0] = 0;
    if (!c) {
        fail(err, err_cap, "no TLS configuration");
        return NULL;
    }
    dnp3_tls_version lo = c->min_version ? c->min_version : DNP3_TLS_1_2;
    dnp3_tls_version hi = c->max_version ? c->max_version : DNP3_TLS_1_3;
    if ((lo != DNP3_TLS_1_2 && lo != DNP3_TLS_1_3) || (hi != DNP3_TLS_1_2 && hi != DNP3_TLS_1_3) || lo > hi) {
        fail(err, err_cap, "TLS versions must be 1.2 or 1.3, minimum not above maximum");
        return NULL;
    }
    if (c->peer_name && strlen(c->peer_name) >= sizeof((dnp3_tls *)0)->peer_name) {
        fail(err, err_cap, "the expected peer name is too long");
        return NULL;
    }
    dnp3_tls *t = calloc(1, sizeof *t);
    if (!t) {
        fail(err, err_cap, "out of memory");
        return NULL;
    }
    ERR_clear_error();
    t->server = server;
    t->handshake_timeout_ms = c->handshake_timeout_ms ? c->handshake_timeout_ms : 10000;
    if (c->peer_name) snprintf(t->peer_name, sizeof t->peer_name, "%s", c->peer_name);
    if (c->keylog_file) snprintf(t->keylog_file, sizeof t->keylog_file, "%s", c->keylog_file);
    t->ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!t->ctx) {
        fail(err, err_cap, "cannot create a TLS context: %s", ssl_reason("OpenSSL error"));
        goto bad;
    }
    SSL_CTX_set_app_data(t->ctx, t);
    SSL_CTX_set_min_proto_version(t->ctx, proto_version(lo));
    SSL_CTX_set_max_proto_version(t->ctx, proto_version(hi));
    SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    const char *ciphers = c->ciphers_tls12 ? c->ciphers_tls12 : DEFAULT_CIPHERS_12;
    if (SSL_CTX_set_cipher_list(t->ctx, ciphers) != 1) {
        fail(err, err_cap, "no usable TLS 1.2 cipher in '%s'", ciphers);
        goto bad;
    }
    if (!load_identity(t->ctx, c, err, err_cap) || !load_trust(t, c, err, err_cap)) goto bad;
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    if (t->keylog_file[0]) SSL_CTX_set_keylog_callback(t->ctx, keylog_cb);
    return t;
bad:
    dnp3_tls_free(t);
    return NULL;
}

void dnp3_tls_free(dnp3_tls *t)
{
    if (!t) return;
    SSL_CTX_free(t->ctx);
    X509_free(t->pinned);
    free(t);
}
