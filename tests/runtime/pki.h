/*
 * pki.h - a throw-away public-key infrastructure for the TLS tests, made with
 * the OpenSSL API in a temporary directory: CA certificates, leaf certificates
 * with subjectAltNames and chosen validity windows (expired ones included),
 * self-signed certificates and a CRL. Files are PEM, keys EC P-256.
 */
#ifndef DNP3_TEST_PKI_H
#define DNP3_TEST_PKI_H

#include <stdbool.h>

#include <openssl/x509.h>

typedef struct {
    EVP_PKEY *key;
    X509 *cert;
} pki_id;

/* A certificate for `cn` (with subjectAltName `san` such as "DNS:x,IP:127.0.0.1", or NULL),
 * valid from now+from_s to now+to_s, signed by `issuer` (NULL: self-signed). */
pki_id pki_make(const char *cn, const char *san, long from_s, long to_s, const pki_id *issuer, bool ca);

/* Writes <dir>/<name>.pem (certificate) and <dir>/<name>.key (key); returns the .pem path (static, rotating). */
const char *pki_write(const char *dir, const char *name, const pki_id *id);

/* Writes <dir>/<name>.pem: a CRL of `ca` revoking `revoked`. Returns the path. */
const char *pki_write_crl(const char *dir, const char *name, const pki_id *ca, const pki_id *revoked);

/* <dir>/<name> (static, rotating) */
const char *pki_path(const char *dir, const char *name);

void pki_free(pki_id *id);

/* Makes a fresh directory from `tmpl` (a mkdtemp template, rewritten in place) holding ca.pem,
 * os.pem/os.key and m.pem/m.key: a CA, and outstation and master certificates for IP 127.0.0.1,
 * valid for a day. Returns false if it could not be made. */
bool pki_make_loopback_set(char *tmpl);

/* Removes what pki_make_loopback_set made. */
void pki_remove_loopback_set(const char *dir);

#endif
