/*
 * scan_dnp3.h - the DNP3 part of `dnp3 scan`: over one TCP connection (or UDP
 * socket) to HOST:PORT it finds the outstation's link address, reads its
 * device attributes (group 0) and IIN, and asks for the Secure Authentication
 * key status of one user. Read-only: it sends REQUEST_LINK_STATUS frames, one
 * READ of g0 and one AUTH_REQUEST key-status request (g120v4), nothing else.
 */
#ifndef DNP3_CLI_SCAN_DNP3_H
#define DNP3_CLI_SCAN_DNP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *host;
    uint16_t port;
    bool udp;
    uint16_t master_addr;   /* our link address (default 1) */
    int given_addr;         /* outstation address to use, or -1 to discover */
    int sweep_lo, sweep_hi; /* REQUEST_LINK_STATUS sweep when discovery fails (lo > hi: none) */
    uint32_t timeout_ms;    /* per step */
    uint16_t sa_user;       /* user of the key-status request (default 1) */
} scan_dnp3_opts;

typedef enum {
    SCAN_SA_UNKNOWN = 0,   /* not asked (no DNP3 answer) */
    SCAN_SA_ACTIVE,        /* answered with a key status (g120v5) or an SA error (g120v7) */
    SCAN_SA_NOT_SUPPORTED, /* answered with IIN2.0 NO_FUNC_CODE_SUPPORT (or another rejection) */
    SCAN_SA_NO_ANSWER,     /* no answer to the key-status request */
} scan_sa_state;

typedef struct {
    uint8_t var;    /* attribute variation (g0vX) */
    uint8_t type;   /* data type */
    char text[128]; /* printable value */
} scan_attr;

typedef struct {
    /* transport */
    bool connected;
    int connect_errno; /* when !connected */
    bool closed_by_peer;
    size_t octets_rx;    /* everything received */
    size_t other_octets; /* received octets that were not part of a valid DNP3 frame */
    /* link */
    bool dnp3;            /* valid DNP3 frames came back */
    int outstation_addr;  /* -1 unknown */
    int master_addr;      /* the master address the outstation talks to (from its frames), -1 unknown */
    const char *found_by; /* "given", "unsolicited", "self_address" (0xFFFC), "sweep" */
    int extra_addrs[8];   /* more outstations that answered a sweep */
    size_t extra_count;
    /* application */
    bool answered; /* a response to the READ came back */
    uint16_t iin;
    bool attrs_supported;
    scan_attr attrs[64];
    size_t attr_count;
    /* Secure Authentication */
    scan_sa_state sa;
    uint8_t sa_key_status, sa_mal, sa_kwa, sa_error;
    uint32_t sa_ksq;
    uint16_t sa_iin;
} scan_dnp3_result;

/* Runs the probe; fills *r (never fails: every outcome is a result). */
void scan_dnp3(const scan_dnp3_opts *o, scan_dnp3_result *r);

/* The value of attribute g0v`var`, or NULL. */
const char *scan_attr_get(const scan_dnp3_result *r, uint8_t var);

/* A name for an attribute variation ("product name and model", ...) or NULL. */
const char *scan_attr_name(uint8_t var);

#endif
