/*
 * pki.c - see pki.h. Test support only: no error recovery, an assertion
 * failure aborts the test.
 */
#include "pki.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert(ext);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

pki_id pki_make(const char *cn, const char *san, long from_s, long to_s, const pki_id *issuer, bool ca)
{
    static long serial = 1;
    pki_id id;
    id.key = EVP_EC_gen("P-256");
    assert(id.key);
    id.cert = X509_new();
    X509_set_version(id.cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(id.cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(id.cert), from_s);
    X509_gmtime_adj(X509_getm_notAfter(id.cert), to_s);
    X509_set_pubkey(id.cert, id.key);
    X509_NAME *name = X509_get_subject_name(id.cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509 *icert = issuer ? issuer->cert : id.cert;
    X509_set_issuer_name(id.cert, X509_get_subject_name(icert));
    add_ext(id.cert, icert, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(id.cert, icert, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (!ca) add_ext(id.cert, icert, NID_ext_key_usage, "serverAuth,clientAuth");
    if (san) add_ext(id.cert, icert, NID_subject_alt_name, san);
    add_ext(id.cert, icert, NID_subject_key_identifier, "hash");
    int ok = X509_sign(id.cert, issuer ? issuer->key : id.key, EVP_sha256());
    assert(ok > 0);
    (void)ok;
    return id;
}

const char *pki_path(const char *dir, const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ & 3];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

const char *pki_write(const char *dir, const char *name, const pki_id *id)
{
    char file[300];
    snprintf(file, sizeof file, "%s.key", name);
    FILE *f = fopen(pki_path(dir, file), "w");
    assert(f);
    PEM_write_PrivateKey(f, id->key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    snprintf(file, sizeof file, "%s.pem", name);
    const char *path = pki_path(dir, file);
    f = fopen(path, "w");
    assert(f);
    PEM_write_X509(f, id->cert);
    fclose(f);
    return path;
}

const char *pki_write_crl(const char *dir, const char *name, const pki_id *ca, const pki_id *revoked)
{
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert));
    ASN1_TIME *t = ASN1_TIME_new();
    X509_gmtime_adj(t, -60);
    X509_CRL_set1_lastUpdate(crl, t);
    X509_gmtime_adj(t, 86400);
    X509_CRL_set1_nextUpdate(crl, t);
    X509_REVOKED *r = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked->cert));
    X509_gmtime_adj(t, -30);
    X509_REVOKED_set_revocationDate(r, t);
    X509_CRL_add0_revoked(crl, r);
    ASN1_TIME_free(t);
    X509_CRL_sort(crl);
    int ok = X509_CRL_sign(crl, ca->key, EVP_sha256());
    assert(ok > 0);
    (void)ok;
    char file[300];
    snprintf(file, sizeof file, "%s.pem", name);
    const char *path = pki_path(dir, file);
    FILE *f = fopen(path, "w");
    assert(f);
    PEM_write_X509_CRL(f, crl);
    fclose(f);
    X509_CRL_free(crl);
    return path;
}

void pki_free(pki_id *id)
{
    X509_free(id->cert);
    EVP_PKEY_free(id->key);
    id->cert = NULL;
    id->key = NULL;
}

bool pki_make_loopback_set(char *tmpl)
{
    if (!mkdtemp(tmpl)) return false;
    pki_id ca = pki_make("Loopback CA", NULL, -60, 86400, NULL, true);
    pki_id os = pki_make("outstation", "IP:127.0.0.1", -60, 86400, &ca, false);
    pki_id m = pki_make("master", "IP:127.0.0.1", -60, 86400, &ca, false);
    bool ok = ca.cert && os.cert && m.cert;
    if (ok) {
        pki_write(tmpl, "ca", &ca);
        pki_write(tmpl, "os", &os);
        pki_write(tmpl, "m", &m);
    }
    pki_free(&ca);
    pki_free(&os);
    pki_free(&m);
    return ok;
}

void pki_remove_loopback_set(const char *dir)
{
    const char *files[] = {"ca.pem", "ca.key", "os.pem", "os.key", "m.pem", "m.key"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) remove(pki_path(dir, files[i]));
    rmdir(dir);
}
