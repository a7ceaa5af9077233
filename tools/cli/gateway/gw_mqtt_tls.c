/*
 * gw_mqtt_tls.c - MQTT over TLS for `dnp3 master run` (MQTT 3.1.1 over TLS,
 * port 8883): where the broker is (HOST[:PORT], mqtt://HOST[:PORT] or
 * mqtts://HOST[:PORT]), the rules that turn TLS on and pick the default port
 * (8883 with TLS, 1883 without), and the TLS context libmosquitto uses
 * (MOSQ_OPT_SSL_CTX): TLS 1.2 or 1.3, the broker's certificate verified
 * against the CA file (else the system's store) and its name or address
 * against the host dialled, the gateway's own certificate and key when the
 * broker asks for one. Building the context at start-up is the check of the
 * files: a wrong one is a configuration error that names it, not a broker that
 * seems to be down. A handshake that fails says why (the certificate check's
 * own words: "hostname mismatch", "unable to get local issuer certificate").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

struct gw_mqtt_tls {
    SSL_CTX *ctx;
    pthread_mutex_t mu;
    char verify_error[160]; /* the last failed check of the broker's certificate, or "" */
};

int gw_mqtt_address(const char *s, char *host, size_t host_cap, uint16_t *port, gw_mqtt_scheme *scheme, char *why,
                    size_t why_cap)
{
    *scheme = GW_MQTT_BARE;
    if (!strncmp(s, "mqtts://", 8)) {
        *scheme = GW_MQTT_TLS;
        s += 8;
    } else if (!strncmp(s, "mqtt://", 7)) {
        *scheme = GW_MQTT_PLAIN;
        s += 7;
    } else if (strstr(s, "://")) {
        snprintf(why, why_cap, "expected HOST[:PORT], mqtt://HOST[:PORT] or mqtts://HOST[:PORT], not '%s'", s);
        return -1;
    }
    const char *h = s, *colon;
    size_t hlen;
    if (s[0] == '[') { /* [IPv6]:PORT */
        const char *close = strchr(s, ']');
        if (!close || (close[1] && close[1] != ':')) {
            snprintf(why, why_cap, "bad IPv6 address in '%s' (expected [ADDRESS]:PORT)", s);
            return -1;
        }
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon) colon = NULL; /* a bare IPv6 address */
        hlen = colon ? (size_t)(colon - s) : strlen(s);
    }
    if (hlen == 0 || strchr(h, '/') != NULL) {
        snprintf(why, why_cap, "expected a host name or address in '%s'", s);
        return -1;
    }
    if (hlen >= host_cap) {
        snprintf(why, why_cap, "host name too long");
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = 0;
    *port = 0; /* the default of the scheme: gw_mqtt_settle */
    if (colon) {
        char *end;
        errno = 0;
        unsigned long p = strtoul(colon + 1, &end, 10);
        if (!colon[1] || *end || errno || p == 0 || p > 65535) {
            snprintf(why, why_cap, "bad port in '%s' (1 to 65535)", s);
            return -1;
        }
        *port = (uint16_t)p;
    }
    return 0;
}

int gw_mqtt_settle(gw_config *c, char *why, size_t why_cap)
{
    gw_mqtt_scheme scheme = c->mqtt_scheme;
    if (!c->mqtt_cert[0] != !c->mqtt_key[0]) {
        snprintf(why, why_cap, "a client certificate needs its private key and the key its certificate");
        return -1;
    }
    if ((scheme == GW_MQTT_PLAIN && c->mqtt_tls_key == 1) || (scheme == GW_MQTT_TLS && c->mqtt_tls_key == 0)) {
        snprintf(why, why_cap, "tls: %s contradicts %s", c->mqtt_tls_key ? "true" : "false",
                 scheme == GW_MQTT_TLS ? "mqtts://" : "mqtt://");
        return -1;
    }
    bool files = c->mqtt_ca[0] || c->mqtt_cert[0];
    if ((scheme == GW_MQTT_PLAIN || c->mqtt_tls_key == 0) && files) {
        snprintf(why, why_cap, "a CA, certificate or key is for MQTT over TLS (mqtts:// or tls: true), not %s",
                 scheme == GW_MQTT_PLAIN ? "mqtt://" : "tls: false");
        return -1;
    }
    c->mqtt_tls = scheme == GW_MQTT_TLS || c->mqtt_tls_key == 1 || files;
    if (!c->mqtt_port) c->mqtt_port = c->mqtt_tls ? 8883 : 1883;
    return 0;
}

/* OpenSSL's latest queued error as text (or `fallback`), the queue emptied. */
static const char *ssl_reason(char *buf, size_t cap, const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    snprintf(buf, cap, "%s", e && ERR_reason_error_string(e) ? ERR_reason_error_string(e) : fallback);
    ERR_clear_error();
    return buf;
}

/* Private keys are read without a passphrase: the gateway runs unattended. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* Remembers why the broker's certificate was refused (runs on libmosquitto's thread). */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    if (ok) return 1;
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    gw_mqtt_tls *t = ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
    if (t) {
        pthread_mutex_lock(&t->mu);
        snprintf(t->verify_error, sizeof t->verify_error, "the broker's certificate: %s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)));
        pthread_mutex_unlock(&t->mu);
    }
    return 0;
}

static int load_files(gw_mqtt_tls *t, const gw_config *c, char *why, size_t cap)
{
    char r[160];
    if (c->mqtt_ca[0]) {
        FILE *f = fopen(c->mqtt_ca, "r");
        if (!f) return snprintf(why, cap, "the MQTT CA file '%s': %s", c->mqtt_ca, strerror(errno)), -1;
        fclose(f);
        if (SSL_CTX_load_verify_locations(t->ctx, c->mqtt_ca, NULL) != 1)
            return snprintf(why, cap, "the MQTT CA file '%s' holds no PEM certificate (%s)", c->mqtt_ca,
                            ssl_reason(r, sizeof r, "unreadable")),
                   -1;
    } else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
        return snprintf(why, cap, "MQTT over TLS: the system's CA store: %s", ssl_reason(r, sizeof r, "unusable")),
               -1;
    }
    if (!c->mqtt_cert[0]) return 0;
    FILE *f = fopen(c->mqtt_cert, "r");
    if (!f) return snprintf(why, cap, "the MQTT certificate '%s': %s", c->mqtt_cert, strerror(errno)), -1;
    fclose(f);
    if (SSL_CTX_use_certificate_chain_file(t->ctx, c->mqtt_cert) != 1)
        return snprintf(why, cap, "the MQTT certificate '%s' holds no usable PEM certificate (%s)", c->mqtt_cert,
                        ssl_reason(r, sizeof r, "unreadable")),
               -1;
    if (!(f = fopen(c->mqtt_key, "r")))
        return snprintf(why, cap, "the MQTT private key '%s': %s", c->mqtt_key, strerror(errno)), -1;
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
    fclose(f);
    if (!key)
        return snprintf(why, cap, "the MQTT private key '%s' holds no unencrypted PEM private key (%s)",
                        c->mqtt_key, ssl_reason(r, sizeof r, "unreadable")),
               -1;
    int ok = SSL_CTX_use_PrivateKey(t->ctx, key) == 1 && SSL_CTX_check_private_key(t->ctx) == 1;
    EVP_PKEY_free(key);
    ERR_clear_error();
    if (!ok)
        return snprintf(why, cap, "the MQTT private key '%s' does not belong to the certificate '%s'", c->mqtt_key,
                        c->mqtt_cert),
               -1;
    return 0;
}

gw_mqtt_tls *gw_mqtt_tls_new(const gw_config *c, char *why, size_t cap)
{
    why[0] = 0;
    gw_mqtt_tls *t = calloc(1, sizeof *t);
    if (!t || !(t->ctx = SSL_CTX_new(TLS_client_method()))) {
        snprintf(why, cap, "MQTT over TLS: out of memory");
        free(t);
        return NULL;
    }
    pthread_mutex_init(&t->mu, NULL);
    SSL_CTX_set_app_data(t->ctx, t);
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, verify_cb);
    /* the name (or address) dialled must be the certificate's: OpenSSL checks it with the chain */
    X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(t->ctx);
    unsigned char addr[16];
    bool ip = inet_pton(AF_INET, c->mqtt_host, addr) == 1 || inet_pton(AF_INET6, c->mqtt_host, addr) == 1;
    if ((ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, c->mqtt_host)
            : X509_VERIFY_PARAM_set1_host(vp, c->mqtt_host, 0)) != 1 ||
        load_files(t, c, why, cap)) {
        if (!why[0]) snprintf(why, cap, "MQTT over TLS: cannot check the broker's name '%s'", c->mqtt_host);
        gw_mqtt_tls_free(t);
        return NULL;
    }
    return t;
}

void *gw_mqtt_tls_ctx(gw_mqtt_tls *t)
{
    return t->ctx;
}

const char *gw_mqtt_tls_take_error(gw_mqtt_tls *t, char *buf, size_t cap)
{
    pthread_mutex_lock(&t->mu);
    snprintf(buf, cap, "%s", t->verify_error);
    t->verify_error[0] = 0;
    pthread_mutex_unlock(&t->mu);
    return buf;
}

void gw_mqtt_tls_free(gw_mqtt_tls *t)
{
    if (!t) return;
    SSL_CTX_free(t->ctx);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
