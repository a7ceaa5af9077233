/*
 * sa_os_internal.h - the state of the Secure Authentication outstation
 * (sa_outstation.c) shared with the user management it delegates to
 * sa_os_users.c (the update-key change and the user status change); what
 * both call is in sa_os_reply.c (users, events, replies).
 */
#ifndef DNP3_SA_OS_INTERNAL_H
#define DNP3_SA_OS_INTERNAL_H

#include "sa/sa_internal.h"

typedef struct {
    dnp3_sa_user u;
    uint8_t status;
    uint8_t sk_len;
    uint8_t cdsk[DNP3_SA_MAX_KEY], mdsk[DNP3_SA_MAX_KEY];
    dnp3_tstamp keys_at;
    uint32_t auth_count;
    uint32_t ksq;
    bool status_sent;
    uint8_t last_status[SA_STATUS_MAX];
    size_t last_status_len;
    uint16_t role, role_expiry_days; /* from the authority's user status change (not enforced) */
} os_user;

struct dnp3_sa_outstation {
    dnp3_sa_outstation_config cfg;
    os_user users[DNP3_SA_MAX_USERS];
    uint32_t csq;
    /* pending challenge */
    bool pending;
    uint8_t pend_seq;
    uint8_t pend_fc;
    uint32_t pend_csq;
    dnp3_tstamp pend_deadline;
    uint8_t *req; /* max_apdu: the critical request held back */
    size_t req_len;
    uint8_t *work; /* max_apdu: an aggressive-mode request without its g120 objects */
    /* last challenge (g120v1 or g120v5 with MAC) sent: base of aggressive-mode MACs */
    uint8_t chal[SA_CHAL_MAX];
    size_t chal_len;
    bool chal_valid;
    uint8_t errors; /* authentication failures since the last success */
    uint8_t tx[SA_TX_MAX];
    uint32_t stats[DNP3_SA_STAT_COUNT];
    /* update-key change in progress (between g120v12 and g120v13) */
    bool uk_pending;
    uint16_t uk_user;
    uint8_t uk_kcm;
    uint32_t uk_ksq;
    uint8_t uk_mchal[DNP3_SA_MAX_CHALLENGE], uk_ochal[DNP3_SA_MAX_CHALLENGE];
    size_t uk_mchal_len;
    /* user status change (g120v10) */
    uint32_t scs_next; /* lowest status change sequence number accepted */
    bool add_pending;  /* an authorised ADD waits for its update-key change */
    char add_name[DNP3_SA_MAX_NAME + 1];
    uint16_t add_role, add_expiry;
};

/* ---- sa_os_reply.c ---- */
os_user *dnp3_sa_os_find(dnp3_sa_outstation *sa, uint16_t number);
void dnp3_sa_os_event(dnp3_sa_outstation *sa, dnp3_sa_event_kind k, uint16_t user, uint32_t seq, uint8_t fc,
                      uint8_t err);
/* Forgets a user's session keys and sets its key status. */
void dnp3_sa_os_drop_keys(os_user *u, uint8_t status);
/* Starts an AUTH_RESPONSE with SEQ and IIN in buf. */
void dnp3_sa_os_begin_rsp(dnp3_writer *w, uint8_t *buf, size_t cap, uint8_t seq, uint16_t iin);
/* The response of len octets in sa->tx becomes the result (DNP3_SA_REPLY). */
void dnp3_sa_os_reply(dnp3_sa_outstation *sa, dnp3_sa_result *r, size_t len);
/* A g120v7 error object (subject to the max error count), or nothing. */
void dnp3_sa_os_fail(dnp3_sa_outstation *sa, dnp3_sa_result *r, uint8_t seq, uint16_t iin, uint32_t sq,
                     uint16_t user, uint8_t code);

/* sa_os_users.c: g120v11, g120v13 + v15, g120v10 */
void dnp3_sa_os_on_uk_request(dnp3_sa_outstation *sa, const dnp3_g120 *o, uint8_t seq, uint16_t iin,
                              dnp3_sa_result *r);
void dnp3_sa_os_on_uk_change(dnp3_sa_outstation *sa, const uint8_t *apdu, size_t len, const dnp3_g120 *v13,
                             uint8_t seq, uint16_t iin, dnp3_sa_result *r);
void dnp3_sa_os_on_user_status_change(dnp3_sa_outstation *sa, const dnp3_g120 *o, uint8_t seq, uint16_t iin,
                                      dnp3_sa_result *r);

#endif
