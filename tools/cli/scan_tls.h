/*
 * scan_tls.h - the TLS part of `dnp3 scan`: is there a TLS server on
 * HOST:19999 (DNP3 over TLS, IEC 62351-3), which version and suite does it
 * choose, what certificate does it present, and does it demand a client
 * certificate (mutual authentication)? The probe offers no certificate, so it
 * never gets a DNP3 session.
 */
#ifndef DNP3_CLI_SCAN_TLS_H
#define DNP3_CLI_SCAN_TLS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    SCAN_TLS_CLOSED = 0, /* nothing listens (or unreachable) */
    SCAN_TLS_NOT_TLS,    /* something listens but does not speak TLS */
    SCAN_TLS_PRESENT,    /* a TLS server */
} scan_tls_state;

typedef struct {
    scan_tls_state state;
    int connect_errno;
    char version[32], cipher[64];
    char subject[160], issuer[160], not_after[40];
    bool cert_expired;
    bool client_cert_requested; /* the server asked for a client certificate */
    bool refused_without_cert;  /* ... and ended the handshake when none came */
    char detail[160];           /* OpenSSL's reason when the handshake failed */
} scan_tls_result;

void scan_tls(const char *host, uint16_t port, uint32_t timeout_ms, scan_tls_result *r);

#endif
