/*
 * test_tls.c - DNP3 over TLS (IEC 62351-3): the configuration loader's start-up
 * errors (dnp3_tls_load) and real handshakes between two TLS engines
 * (src/io/tls_conn.c) connected back to back in memory: TLS 1.2 and 1.3,
 * mutual authentication, data both ways, close_notify, and every rejection
 * the profile asks for - unknown CA, expired certificate, wrong name, pinned
 * certificate mismatch, missing client certificate, revoked certificate,
 * plaintext DNP3 on the TLS port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "pki.h"
#include "testutil.h"
#include "tls_conn.h"

static char dir[256];
static const char *CA, *CA2, *OS_PEM, *OS_KEY, *M_PEM, *M_KEY, *M_OTHER, *M_OTHER_KEY, *M_EXP, *M_EXP_KEY;
static const char *SELF_PEM, *SELF_KEY, *SELF2_PEM, *M_REV, *M_REV_KEY, *CRL, *JUNK;
static char paths[24][512];

static const char *keep(int slot, const char *p)
{
    snprintf(paths[slot], sizeof paths[slot], "%s", p);
    return paths[slot];
}

static int setup_pki(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dnp3-tls-test.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    pki_id ca = pki_make("Test CA", NULL, -3600, 86400, NULL, true);
    pki_id ca2 = pki_make("Other CA", NULL, -3600, 86400, NULL, true);
    pki_id os = pki_make("outstation.test", "DNS:outstation.test,IP:127.0.0.1", -60, 86400, &ca, false);
    pki_id m = pki_make("master.test", "DNS:master.test", -60, 86400, &ca, false);
    pki_id mo = pki_make("master.test", "DNS:master.test", -60, 86400, &ca2, false);
    pki_id me = pki_make("master.test", "DNS:master.test", -86400, -3600, &ca, false);
    pki_id self = pki_make("rtu-7", "DNS:rtu-7", -60, 86400, NULL, false);
    pki_id self2 = pki_make("rtu-7", "DNS:rtu-7", -60, 86400, NULL, false);
    pki_id mr = pki_make("master.test", "DNS:master.test", -60, 86400, &ca, false);
    CA = keep(0, pki_write(dir, "ca", &ca));
    CA2 = keep(1, pki_write(dir, "ca2", &ca2));
    OS_PEM = keep(2, pki_write(dir, "os", &os));
    OS_KEY = keep(3, pki_path(dir, "os.key"));
    M_PEM = keep(4, pki_write(dir, "m", &m));
    M_KEY = keep(5, pki_path(dir, "m.key"));
    M_OTHER = keep(6, pki_write(dir, "m_other", &mo));
    M_OTHER_KEY = keep(7, pki_path(dir, "m_other.key"));
    M_EXP = keep(8, pki_write(dir, "m_exp", &me));
    M_EXP_KEY = keep(9, pki_path(dir, "m_exp.key"));
    SELF_PEM = keep(10, pki_write(dir, "self", &self));
    SELF_KEY = keep(11, pki_path(dir, "self.key"));
    SELF2_PEM = keep(12, pki_write(dir, "self2", &self2));
    M_REV = keep(13, pki_write(dir, "m_rev", &mr));
    M_REV_KEY = keep(14, pki_path(dir, "m_rev.key"));
    CRL = keep(15, pki_write_crl(dir, "crl", &ca, &mr));
    JUNK = keep(16, pki_path(dir, "junk.pem"));
    FILE *f = fopen(JUNK, "w");
    if (!f) return -1;
    fputs("not a certificate\n", f);
    fclose(f);
    pki_id *all[] = {&ca, &ca2, &os, &m, &mo, &me, &self, &self2, &mr};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pki_free(all[i]);
    return 0;
}

static int teardown_pki(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static dnp3_tls_config cfg(const char *cert, const char *key, const char *ca, const char *pin)
{
    dnp3_tls_config c;
    dnp3_tls_config_init(&c);
    c.cert_file = cert;
    c.key_file = key;
    c.ca_file = ca;
    c.peer_cert_file = pin;
    return c;
}

/* Loads c and expects failure with `want` in the message. */
static void expect_load_error(const dnp3_tls_config *c, bool server, const char *want)
{
    char err[600];
    dnp3_tls *t = dnp3_tls_load(c, server, err, sizeof err);
    if (t) dnp3_tls_free(t);
    assert_null(t);
    if (!strstr(err, want)) fail_msg("error '%s' does not contain '%s'", err, want);
}

static void test_load_errors(void **state)
{
    (void)state;
    dnp3_tls_config c = cfg("/nonexistent/os.pem", OS_KEY, CA, NULL);
    expect_load_error(&c, true,
                      "cannot read the certificate file '/nonexistent/os.pem': No such file or directory");
    c = cfg(JUNK, OS_KEY, CA, NULL);
    expect_load_error(&c, true, "holds no PEM certificate");
    c = cfg(OS_PEM, "/nonexistent/os.key", CA, NULL);
    expect_load_error(&c, true, "cannot read the private key file '/nonexistent/os.key'");
    c = cfg(OS_PEM, JUNK, CA, NULL);
    expect_load_error(&c, true, "holds no unencrypted PEM private key");
    c = cfg(OS_PEM, M_KEY, CA, NULL);
    expect_load_error(&c, true, "does not match the certificate");
    c = cfg(M_EXP, M_EXP_KEY, CA, NULL);
    expect_load_error(&c, false, "expired on");
    c = cfg(OS_PEM, OS_KEY, NULL, NULL);
    expect_load_error(&c, true, "needs a CA file or a pinned peer certificate");
    c = cfg(OS_PEM, OS_KEY, JUNK, NULL);
    expect_load_error(&c, true, "the CA file");
    c = cfg(OS_PEM, OS_KEY, "/nonexistent/ca.pem", NULL);
    expect_load_error(&c, true, "cannot read the CA file");
    c = cfg(OS_PEM, OS_KEY, NULL, M_EXP);
    expect_load_error(&c, true, "the pinned peer certificate");
    c = cfg(OS_PEM, OS_KEY, CA, NULL);
    c.crl_file = JUNK;
    expect_load_error(&c, true, "holds no PEM certificate revocation list");
    c = cfg(NULL, OS_KEY, CA, NULL);
    expect_load_error(&c, true, "needs a certificate and a private key");
    c = cfg(OS_PEM, OS_KEY, CA, NULL);
    c.min_version = DNP3_TLS_1_3;
    c.max_version = DNP3_TLS_1_2;
    expect_load_error(&c, true, "minimum not above maximum");
    c = cfg(OS_PEM, OS_KEY, CA, NULL);
    c.ciphers_tls12 = "NO-SUCH-CIPHER";
    expect_load_error(&c, true, "no usable TLS 1.2 cipher");
}

typedef struct {
    dnp3_tls *st, *ct;
    tls_conn *s, *c;
    int ss, cs; /* last handshake status */
} pair;

static void open_pair(pair *p, const dnp3_tls_config *server, const dnp3_tls_config *client)
{
    char err[600];
    memset(p, 0, sizeof *p);
    p->st = dnp3_tls_load(server, true, err, sizeof err);
    if (!p->st) fail_msg("server config: %s", err);
    p->ct = dnp3_tls_load(client, false, err, sizeof err);
    if (!p->ct) fail_msg("client config: %s", err);
    p->s = dnp3_tls_conn_new(p->st, NULL);
    p->c = dnp3_tls_conn_new(p->ct, NULL);
    assert_non_null(p->s);
    assert_non_null(p->c);
}

static void close_pair(pair *p)
{
    dnp3_tls_conn_free(p->s);
    dnp3_tls_conn_free(p->c);
    dnp3_tls_free(p->st);
    dnp3_tls_free(p->ct);
}

/* Moves the ciphertext each side has produced to the other side. Returns octets moved. */
static size_t shuttle(tls_conn *from, tls_conn *to)
{
    uint8_t buf[20000];
    size_t total = 0, n;
    while ((n = dnp3_tls_conn_take(from, buf, sizeof buf)) > 0) {
        assert_int_equal(dnp3_tls_conn_feed(to, buf, n), 0);
        total += n;
    }
    return total;
}

/* Runs both handshakes to completion or failure. */
static void handshake(pair *p)
{
    p->cs = dnp3_tls_conn_handshake(p->c);
    p->ss = TLS_CONN_WANT;
    for (int round = 0; round < 20; round++) {
        size_t moved = shuttle(p->c, p->s);
        if (p->ss == TLS_CONN_WANT) p->ss = dnp3_tls_conn_handshake(p->s);
        moved += shuttle(p->s, p->c);
        if (p->cs == TLS_CONN_WANT) p->cs = dnp3_tls_conn_handshake(p->c);
        if (!moved && p->ss != TLS_CONN_WANT && p->cs != TLS_CONN_WANT) break;
    }
}

/* Sends `len` octets from a to b and checks they arrive intact. */
static void transfer(tls_conn *a, tls_conn *b, size_t len)
{
    uint8_t *out = malloc(len), *in = malloc(len + 1);
    for (size_t i = 0; i < len; i++) out[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(dnp3_tls_conn_write(a, out, len), 0);
    shuttle(a, b);
    size_t got = 0;
    int n;
    while ((n = dnp3_tls_conn_read(b, in + got, len + 1 - got)) > 0) got += (size_t)n;
    assert_int_equal(n, 0);
    assert_int_equal(got, len);
    assert_memory_equal(in, out, len);
    free(out);
    free(in);
}

static void check_session(const char *version_pin)
{
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, CA, NULL);
    c.peer_name = "outstation.test";
    s.peer_name = "master.test";
    if (!strcmp(version_pin, "TLSv1.2")) s.max_version = DNP3_TLS_1_2;
    if (!strcmp(version_pin, "TLSv1.3")) s.min_version = DNP3_TLS_1_3;
    pair p;
    open_pair(&p, &s, &c);
    handshake(&p);
    assert_int_equal(p.cs, TLS_CONN_OK);
    assert_int_equal(p.ss, TLS_CONN_OK);
    char what[300];
    dnp3_tls_conn_describe(p.s, what, sizeof what);
    if (!strstr(what, version_pin) || !strstr(what, "CN=master.test")) fail_msg("server sees '%s'", what);
    dnp3_tls_conn_describe(p.c, what, sizeof what);
    if (!strstr(what, version_pin) || !strstr(what, "CN=outstation.test")) fail_msg("client sees '%s'", what);
    if (!strcmp(version_pin, "TLSv1.2") && !strstr(what, "GCM")) fail_msg("not an AEAD suite: '%s'", what);
    shuttle(p.s, p.c);        /* TLS 1.3 session tickets */
    transfer(p.c, p.s, 10);   /* a link frame */
    transfer(p.s, p.c, 5000); /* a multi-record fragment */
    transfer(p.c, p.s, 1);
    dnp3_tls_conn_close(p.c);
    shuttle(p.c, p.s);
    uint8_t b[16];
    assert_int_equal(dnp3_tls_conn_read(p.s, b, sizeof b), TLS_CONN_CLOSED);
    close_pair(&p);
}

static void test_session_tls13(void **state)
{
    (void)state;
    check_session("TLSv1.3");
}

static void test_session_tls12(void **state)
{
    (void)state;
    check_session("TLSv1.2");
}

/* Expects the server's handshake to fail with `server_err`, and the client to fail too
 * (in TLS 1.3 the client learns it from the alert at its first read). */
static void expect_rejected_by_server(pair *p, const char *server_err)
{
    handshake(p);
    assert_int_equal(p->ss, TLS_CONN_FAILED);
    if (!strstr(dnp3_tls_conn_error(p->s), server_err))
        fail_msg("server error '%s' does not contain '%s'", dnp3_tls_conn_error(p->s), server_err);
    if (p->cs == TLS_CONN_OK) {
        uint8_t b[16];
        assert_int_equal(dnp3_tls_conn_read(p->c, b, sizeof b), TLS_CONN_FAILED);
    } else {
        assert_int_equal(p->cs, TLS_CONN_FAILED);
    }
    if (!strstr(dnp3_tls_conn_error(p->c), "alert"))
        fail_msg("client error '%s' names no alert", dnp3_tls_conn_error(p->c));
}

static void expect_rejected_by_client(pair *p, const char *client_err)
{
    handshake(p);
    assert_int_equal(p->cs, TLS_CONN_FAILED);
    if (!strstr(dnp3_tls_conn_error(p->c), client_err))
        fail_msg("client error '%s' does not contain '%s'", dnp3_tls_conn_error(p->c), client_err);
    assert_int_not_equal(p->ss, TLS_CONN_OK);
}

static void test_client_from_unknown_ca(void **state)
{
    (void)state;
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_OTHER, M_OTHER_KEY, CA, NULL);
    pair p;
    open_pair(&p, &s, &c);
    expect_rejected_by_server(&p, "unable to get local issuer certificate");
    close_pair(&p);
}

static void test_server_from_unknown_ca(void **state)
{
    (void)state;
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, CA2, NULL);
    pair p;
    open_pair(&p, &s, &c);
    /* the outstation sends its chain up to its CA: "self-signed certificate in certificate chain" */
    expect_rejected_by_client(&p, "peer certificate rejected: ");
    close_pair(&p);
}

static void test_expired_client_certificate(void **state)
{
    (void)state;
    /* the client side never loads its own expired certificate; build its context by hand */
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, CA, NULL);
    pair p;
    open_pair(&p, &s, &c);
    assert_int_equal(SSL_CTX_use_certificate_file(p.ct->ctx, M_EXP, SSL_FILETYPE_PEM), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey_file(p.ct->ctx, M_EXP_KEY, SSL_FILETYPE_PEM), 1);
    dnp3_tls_conn_free(p.c);
    p.c = dnp3_tls_conn_new(p.ct, NULL);
    expect_rejected_by_server(&p, "certificate has expired");
    close_pair(&p);
}

static void test_wrong_server_name(void **state)
{
    (void)state;
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, CA, NULL);
    c.peer_name = "substation-9.test";
    pair p;
    open_pair(&p, &s, &c);
    expect_rejected_by_client(&p, "hostname mismatch");
    close_pair(&p);
    c.peer_name = "127.0.0.2";
    open_pair(&p, &s, &c);
    expect_rejected_by_client(&p, "IP address mismatch");
    close_pair(&p);
    c.peer_name = "127.0.0.1"; /* the IP subjectAltName */
    open_pair(&p, &s, &c);
    handshake(&p);
    assert_int_equal(p.cs, TLS_CONN_OK);
    assert_int_equal(p.ss, TLS_CONN_OK);
    close_pair(&p);
}

static void test_wrong_client_name(void **state)
{
    (void)state;
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, CA, NULL);
    s.peer_name = "scada-master.test";
    pair p;
    open_pair(&p, &s, &c);
    expect_rejected_by_server(&p, "hostname mismatch");
    close_pair(&p);
}

static void test_pinned_self_signed(void **state)
{
    (void)state;
    /* a self-signed outstation certificate, pinned by the master; the outstation trusts the CA */
    dnp3_tls_config s = cfg(SELF_PEM, SELF_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, NULL, SELF_PEM);
    c.peer_name = "rtu-7";
    pair p;
    open_pair(&p, &s, &c);
    handshake(&p);
    assert_int_equal(p.cs, TLS_CONN_OK);
    assert_int_equal(p.ss, TLS_CONN_OK);
    close_pair(&p);
    /* another self-signed certificate with the same name is not the pinned one */
    c.peer_cert_file = SELF2_PEM;
    open_pair(&p, &s, &c);
    expect_rejected_by_client(&p, "not the pinned certificate");
    close_pair(&p);
    /* pinning does not forgive a wrong name */
    c.peer_cert_file = SELF_PEM;
    c.peer_name = "rtu-8";
    open_pair(&p, &s, &c);
    expect_rejected_by_client(&p, "hostname mismatch");
    close_pair(&p);
}

static void test_ca_and_pin_both_apply(void **state)
{
    (void)state;
    /* the outstation's certificate chains to the CA, but the master pins another one */
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, CA, SELF_PEM);
    pair p;
    open_pair(&p, &s, &c);
    expect_rejected_by_client(&p, "not the pinned certificate");
    close_pair(&p);
    c.peer_cert_file = OS_PEM;
    open_pair(&p, &s, &c);
    handshake(&p);
    assert_int_equal(p.cs, TLS_CONN_OK);
    close_pair(&p);
}

static void test_client_without_certificate(void **state)
{
    (void)state;
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_PEM, M_KEY, CA, NULL);
    pair p;
    open_pair(&p, &s, &c);
    SSL_CTX *bare = SSL_CTX_new(TLS_client_method()); /* no certificate at all */
    SSL_CTX_set_app_data(bare, p.ct);
    SSL_CTX_free(p.ct->ctx);
    p.ct->ctx = bare;
    dnp3_tls_conn_free(p.c);
    p.c = dnp3_tls_conn_new(p.ct, NULL);
    expect_rejected_by_server(&p, "peer did not return a certificate");
    close_pair(&p);
}

static void test_revoked_client_certificate(void **state)
{
    (void)state;
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL), c = cfg(M_REV, M_REV_KEY, CA, NULL);
    s.crl_file = CRL;
    pair p;
    open_pair(&p, &s, &c);
    expect_rejected_by_server(&p, "certificate revoked");
    close_pair(&p);
    c = cfg(M_PEM, M_KEY, CA, NULL); /* a certificate the CRL does not name */
    open_pair(&p, &s, &c);
    handshake(&p);
    assert_int_equal(p.ss, TLS_CONN_OK);
    close_pair(&p);
}

static void test_plain_dnp3_on_tls_port(void **state)
{
    (void)state;
    dnp3_tls_config s = cfg(OS_PEM, OS_KEY, CA, NULL);
    char err[600];
    dnp3_tls *st = dnp3_tls_load(&s, true, err, sizeof err);
    assert_non_null(st);
    tls_conn *sc = dnp3_tls_conn_new(st, NULL);
    /* a link-status request, as a plain-TCP master would send it */
    static const uint8_t frame[] = {0x05, 0x64, 0x05, 0xC9, 0x0A, 0x00, 0x01, 0x00, 0x7B, 0x2E};
    assert_int_equal(dnp3_tls_conn_feed(sc, frame, sizeof frame), 0);
    assert_int_equal(dnp3_tls_conn_handshake(sc), TLS_CONN_FAILED);
    assert_false(dnp3_tls_conn_established(sc));
    uint8_t b[16];
    assert_int_equal(dnp3_tls_conn_read(sc, b, sizeof b), 0); /* nothing ever reaches the channel */
    dnp3_tls_conn_free(sc);
    dnp3_tls_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_session_tls13),
        cmocka_unit_test(test_session_tls12),
        cmocka_unit_test(test_client_from_unknown_ca),
        cmocka_unit_test(test_server_from_unknown_ca),
        cmocka_unit_test(test_expired_client_certificate),
        cmocka_unit_test(test_wrong_server_name),
        cmocka_unit_test(test_wrong_client_name),
        cmocka_unit_test(test_pinned_self_signed),
        cmocka_unit_test(test_ca_and_pin_both_apply),
        cmocka_unit_test(test_client_without_certificate),
        cmocka_unit_test(test_revoked_client_certificate),
        cmocka_unit_test(test_plain_dnp3_on_tls_port),
    };
    return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}
