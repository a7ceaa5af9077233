/**
 * \file
 * dnp3/sa.h - Secure Authentication version 5 (IEEE 1815-2012 clause 7,
 * IEC 62351-5), sans-I/O, in both roles.
 *
 *  - Group 120 codec (variations 1..15, clause 7 "authentication objects"),
 *    validating every length field against the object size.
 *  - dnp3_sa_outstation: session key status / session key change (update key
 *    wrap, KSQ rules), challenge of critical requests and verification of the
 *    reply, aggressive mode, users, key expiry, error objects, statistics (g121
 *    indices of clause 7 "security statistics").
 *  - dnp3_sa_master: session key initialisation at start-up and on expiry,
 *    transparent answers to challenges, optional aggressive mode.
 *
 * Both objects live in caller-provided memory (dnp3_sa_*_memory_size), take
 * time as an argument and call their crypto provider (dnp3/crypto.h) and event
 * callback only inside the caller's calls. Key material is zeroed by
 * dnp3_sa_*_free. docs/sa.md describes the message sequences and choices.
 *
 * Wiring: dnp3_outstation_set_sa / dnp3_master_assoc_set_sa attach them to
 * an outstation / a master association; from then on requests pass through
 * SA before dispatch and the master answers challenges for its tasks.
 */
#ifndef DNP3_SA_H
#define DNP3_SA_H

#include "dnp3/export.h"
#include "dnp3/crypto.h"
#include "dnp3/master.h"
#include "dnp3/outstation.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNP3_SA_MAX_USERS 16     /**< users an outstation configuration holds */
#define DNP3_SA_MAX_KEY 32       /**< update keys and session keys: 16..32 octets */
#define DNP3_SA_MAX_CHALLENGE 64 /**< challenge data: 4..64 octets */
#define DNP3_SA_MIN_CHALLENGE 4  /**< shortest challenge data */
#define DNP3_SA_MAX_MAC 16       /**< truncated MAC values */

/** MAC algorithms (MAL) and their truncations. */
typedef enum {
    DNP3_SA_MAL_NONE = 0,           /**< no MAC (not valid in a challenge) */
    DNP3_SA_MAL_HMAC_SHA1_4 = 1,    /**< legacy (SAv2 serial) */
    DNP3_SA_MAL_HMAC_SHA1_10 = 2,   /**< networked */
    DNP3_SA_MAL_HMAC_SHA256_8 = 3,  /**< serial */
    DNP3_SA_MAL_HMAC_SHA256_16 = 4, /**< networked (default) */
    DNP3_SA_MAL_HMAC_SHA1_8 = 5,    /**< serial */
    DNP3_SA_MAL_AES_GMAC = 6,       /**< not supported (nonce construction unknown) */
} dnp3_sa_mal;

/** Octets of a MAC for the algorithm, or 0 if the algorithm is not supported. */
DNP3_API size_t dnp3_sa_mac_len(uint8_t mal);

/** \name Key-wrap algorithms (KWA). */
/** @{ */
#define DNP3_SA_KWA_AES128 1 /**< AES-128 key wrap (16-octet update key) */
#define DNP3_SA_KWA_AES256 2 /**< AES-256 key wrap (32-octet update key) */
/** @} */

/** Session key status (g120v5 KS) of a user. */
typedef enum {
    DNP3_SA_KS_OK = 1,        /**< session keys valid */
    DNP3_SA_KS_NOT_INIT = 2,  /**< session keys not initialised (or unknown user) */
    DNP3_SA_KS_COMM_FAIL = 3, /**< session keys expired (interval or message count used up) */
    DNP3_SA_KS_AUTH_FAIL = 4, /**< a session key change failed authentication */
} dnp3_sa_key_status;

/** Error codes of g120v7. */
typedef enum {
    DNP3_SA_ERR_AUTHENTICATION_FAILED = 1,           /**< the MAC or key wrap did not verify */
    DNP3_SA_ERR_UNEXPECTED_RESPONSE = 2,             /**< a message that does not fit the exchange */
    DNP3_SA_ERR_NO_RESPONSE = 3,                     /**< no reply to a challenge in time */
    DNP3_SA_ERR_AGGRESSIVE_NOT_SUPPORTED = 4,        /**< aggressive mode is not accepted */
    DNP3_SA_ERR_MAC_NOT_SUPPORTED = 5,               /**< the MAC algorithm is not supported */
    DNP3_SA_ERR_KEY_WRAP_NOT_SUPPORTED = 6,          /**< the key-wrap algorithm is not supported */
    DNP3_SA_ERR_AUTHORIZATION_FAILED = 7,            /**< the user may not perform the function */
    DNP3_SA_ERR_UPDATE_KEY_METHOD_NOT_PERMITTED = 8, /**< the update-key change method is not permitted */
    DNP3_SA_ERR_INVALID_SIGNATURE = 9,               /**< an invalid signature (asymmetric methods) */
    DNP3_SA_ERR_INVALID_CERTIFICATION = 10,          /**< invalid certification data */
    DNP3_SA_ERR_UNKNOWN_USER = 11,                   /**< the user is not known */
    DNP3_SA_ERR_MAX_SESSION_KEY_STATUS = 12,         /**< too many session key status requests */
} dnp3_sa_error_code;

/** Name of a g120v7 error code, e.g.\ "UNKNOWN_USER" (never NULL). */
DNP3_API const char *dnp3_sa_error_name(unsigned code);

/** Security statistics (g121/g122 point index). */
typedef enum {
    DNP3_SA_STAT_UNEXPECTED_MESSAGES = 0,    /**< messages that did not fit the state */
    DNP3_SA_STAT_AUTHORIZATION_FAILURES,     /**< authorization failures */
    DNP3_SA_STAT_AUTHENTICATION_FAILURES,    /**< authentication failures (wrong MAC) */
    DNP3_SA_STAT_REPLY_TIMEOUTS,             /**< challenges not answered in time */
    DNP3_SA_STAT_REKEYS_DUE_TO_AUTH_FAILURE, /**< session key changes after an authentication failure */
    DNP3_SA_STAT_TOTAL_MESSAGES_SENT,        /**< messages sent */
    DNP3_SA_STAT_TOTAL_MESSAGES_RECEIVED,    /**< messages received */
    DNP3_SA_STAT_CRITICAL_MESSAGES_SENT,     /**< critical messages sent */
    DNP3_SA_STAT_CRITICAL_MESSAGES_RECEIVED, /**< critical messages received */
    DNP3_SA_STAT_DISCARDED_MESSAGES,         /**< messages discarded */
    DNP3_SA_STAT_ERROR_MESSAGES_SENT,        /**< error objects (g120v7) sent */
    DNP3_SA_STAT_ERROR_MESSAGES_RECEIVED,    /**< error objects (g120v7) received */
    DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS, /**< successful authentications */
    DNP3_SA_STAT_SESSION_KEY_CHANGES,        /**< session key changes */
    DNP3_SA_STAT_FAILED_SESSION_KEY_CHANGES, /**< failed session key changes */
    DNP3_SA_STAT_UPDATE_KEY_CHANGES,         /**< update key changes */
    DNP3_SA_STAT_FAILED_UPDATE_KEY_CHANGES,  /**< failed update key changes */
    DNP3_SA_STAT_REKEYS_DUE_TO_RESTARTS,     /**< session key changes after a restart */
    DNP3_SA_STAT_COUNT                       /**< number of statistics (not an index) */
} dnp3_sa_stat;

/* ---- group 120 codec ---- */

/**
 * One decoded g120 object. Fields not carried by a variation are 0/NULL.
 * Pointers point into the decoded buffer.
 * \verbatim
     v1  seq=CSQ user mal reason data=challenge
     v2  seq=CSQ user data=MAC
     v3  seq=CSQ user
     v4  user
     v5  seq=KSQ user kwa ks mal data=challenge data2=MAC (may be empty)
     v6  seq=KSQ user data=wrapped key data
     v7  seq user assoc error time data=error text (may be empty)
     v8  kcm cert_type data=certificate
     v9  data=MAC
     v10 kcm op seq=SCS role role_expiry data=user name data2=public key data3=certification data
     v11 kcm data=user name data2=master challenge
     v12 seq=KSQ user data=outstation challenge
     v13 seq=KSQ user data=encrypted update key
     v14 data=signature
     v15 data=MAC
   \endverbatim
 */
typedef struct {
    uint8_t variation; /**< g120 variation 1..15 */
    uint32_t seq;      /**< CSQ, KSQ, SCS or the g120v7 sequence number (see the table) */
    uint16_t user;     /**< user number */
    uint8_t mal, reason, kwa, ks, kcm, op, cert_type, error;
    /** \var dnp3_g120::mal
     * MAC algorithm (dnp3_sa_mal). */
    /** \var dnp3_g120::reason
     * Reason for a challenge (g120v1). */
    /** \var dnp3_g120::kwa
     * Key-wrap algorithm (DNP3_SA_KWA_*). */
    /** \var dnp3_g120::ks
     * Key status (dnp3_sa_key_status). */
    /** \var dnp3_g120::kcm
     * Key change method (DNP3_SA_KCM_*). */
    /** \var dnp3_g120::op
     * User status change operation (DNP3_SA_USER_*). */
    /** \var dnp3_g120::cert_type
     * Certificate type (g120v8). */
    /** \var dnp3_g120::error
     * Error code (dnp3_sa_error_code, g120v7). */
    uint16_t assoc, role, role_expiry;
    /** \var dnp3_g120::assoc
     * Association id (g120v7). */
    /** \var dnp3_g120::role
     * User role (DNP3_SA_ROLE_*, g120v10). */
    /** \var dnp3_g120::role_expiry
     * Role expiry interval in days (g120v10). */
    dnp3_time48 time;     /**< time of error (g120v7) */
    const uint8_t *data;  /**< first variable-length field (see the table) */
    size_t data_len;      /**< its length */
    const uint8_t *data2; /**< second variable-length field */
    size_t data2_len;     /**< its length */
    const uint8_t *data3; /**< third variable-length field (g120v10 certification data) */
    size_t data3_len;     /**< its length */
} dnp3_g120;

/**
 * Decodes the object body (without group/variation/qualifier/size prefix) of
 * g120 variation `variation`. Every embedded length must match the object
 * size exactly; minimum sizes (challenge >= 4, MAC >= 4, ...) are enforced.
 * Returns DNP3_OK, DNP3_ERR_APP_TRUNCATED, DNP3_ERR_APP_BAD_VALUE (lengths
 * that lie, trailing octets, too-short fields) or DNP3_ERR_APP_UNKNOWN_OBJECT.
 * DNP3_ERR_INVALID_ARG for out NULL, or obj NULL with len > 0.
 */
DNP3_API int dnp3_g120_decode(uint8_t variation, const uint8_t *obj, size_t len, dnp3_g120 *out);

/**
 * Encodes the object body of in->variation into buf. Returns the length, or
 * DNP3_ERR_BUFFER_TOO_SMALL / DNP3_ERR_INVALID_ARG (field too long for its
 * 16-bit length, unknown variation, in NULL, buf NULL with cap > 0).
 */
DNP3_API int dnp3_g120_encode(const dnp3_g120 *in, uint8_t *buf, size_t cap);

/**
 * Finds the first object header of an APDU (request or response) and decodes
 * it if it is a g120 header with exactly one object. Returns 1 (found: *out
 * filled, *obj_end = offset in apdu just after that object, obj_end may be
 * NULL), 0 (the first header is not g120, or there are no objects) or a
 * negative parse/decode error: DNP3_ERR_APP_TRUNCATED also for apdu or out
 * NULL or a fragment shorter than its header, DNP3_ERR_APP_BAD_VALUE for a
 * g120 header without exactly one object.
 */
DNP3_API int dnp3_g120_first(const uint8_t *apdu, size_t len, dnp3_g120 *out, size_t *obj_end);

/* ---- users and critical functions ---- */

#define DNP3_SA_MAX_NAME 32 /**< user and outstation names of the update-key change */

/** A Secure Authentication user and its update key. */
typedef struct {
    uint16_t number;                 /**< 1..65535 (1 = default user) */
    uint8_t key_len;                 /**< 16 (AES-128 wrap) or 32 (AES-256 wrap) */
    uint8_t key[DNP3_SA_MAX_KEY];    /**< update key */
    char name[DNP3_SA_MAX_NAME + 1]; /**< user name (update-key change); "" = none */
} dnp3_sa_user;

/** \name Symmetric key change methods of the update-key change (g120v11 KCM). */
/** @{ */
#define DNP3_SA_KCM_AES128_SHA1 3   /**< new update key 16 octets, MACs HMAC-SHA-1 */
#define DNP3_SA_KCM_AES256_SHA256 4 /**< new update key 32 octets, MACs HMAC-SHA-256 */
/** @} */

/** \name User status change (g120v10) operations and the role of a user (docs/protocol-notes.md §7.3). */
/** @{ */
#define DNP3_SA_USER_ADD 1             /**< operation: add a user */
#define DNP3_SA_USER_DELETE 2          /**< operation: delete a user */
#define DNP3_SA_USER_CHANGE 3          /**< operation: change a user's role */
#define DNP3_SA_ROLE_VIEWER 0          /**< role: viewer */
#define DNP3_SA_ROLE_OPERATOR 1        /**< role: operator */
#define DNP3_SA_ROLE_ENGINEER 2        /**< role: engineer */
#define DNP3_SA_ROLE_INSTALLER 3       /**< role: installer */
#define DNP3_SA_ROLE_SECADM 4          /**< role: security administrator */
#define DNP3_SA_ROLE_SECAUD 5          /**< role: security auditor */
#define DNP3_SA_ROLE_RBACMNT 6         /**< role: RBAC management */
#define DNP3_SA_ROLE_SINGLE_USER 32768 /**< role: single user */
/** @} */

/** Bit map of function codes (bit fc). */
typedef struct {
    uint8_t bits[32]; /**< bit fc & 7 of octet fc >> 3 is function code fc */
} dnp3_sa_fc_set;

/** The default critical list of docs/protocol-notes.md §7.8: every function except the optional ones. */
DNP3_API void dnp3_sa_critical_default(dnp3_sa_fc_set *s);
/** True if function code fc is in the set. */
static inline bool dnp3_sa_fc_in(const dnp3_sa_fc_set *s, uint8_t fc)
{
    return (s->bits[fc >> 3] >> (fc & 7)) & 1u;
}
/** Adds (on) or removes function code fc. */
static inline void dnp3_sa_fc_set_bit(dnp3_sa_fc_set *s, uint8_t fc, bool on)
{
    if (on)
        s->bits[fc >> 3] = (uint8_t)(s->bits[fc >> 3] | (1u << (fc & 7)));
    else
        s->bits[fc >> 3] = (uint8_t)(s->bits[fc >> 3] & ~(1u << (fc & 7)));
}

/* ---- security events ---- */

/** What a security event reports (dnp3_sa_event::kind). */
typedef enum {
    DNP3_SA_EV_AUTHENTICATED = 0,         /**< a critical request passed (challenge or aggressive mode) */
    DNP3_SA_EV_AUTH_FAILED,               /**< wrong MAC / wrong key: the request was not executed */
    DNP3_SA_EV_UNKNOWN_USER,              /**< a message named a user that is not configured */
    DNP3_SA_EV_REPLAY,                    /**< a reply or aggressive request with an old/unexpected CSQ */
    DNP3_SA_EV_REPLY_TIMEOUT,             /**< no reply to a challenge in time: the request was dropped */
    DNP3_SA_EV_KEYS_CHANGED,              /**< session keys installed */
    DNP3_SA_EV_KEY_CHANGE_FAILED,         /**< session key change rejected (bad wrap, KSQ, status copy) */
    DNP3_SA_EV_KEYS_EXPIRED,              /**< session keys expired (interval or count): COMM_FAIL */
    DNP3_SA_EV_NO_SESSION_KEYS,           /**< a reply arrived for a user without valid session keys */
    DNP3_SA_EV_ERROR_RECEIVED,            /**< master: the outstation sent g120v7 */
    DNP3_SA_EV_UNEXPECTED,                /**< a message that does not fit the state was discarded */
    DNP3_SA_EV_AGGRESSIVE_REJECTED,       /**< aggressive mode request refused */
    DNP3_SA_EV_UPDATE_KEY_CHANGED,        /**< a user's update key was replaced (update-key change) */
    DNP3_SA_EV_UPDATE_KEY_CHANGE_FAILED,  /**< an update-key change was refused or not confirmed */
    DNP3_SA_EV_USER_STATUS_CHANGED,       /**< an authority's g120v10 was accepted: seq = SCS, error = the
                                           * operation; for DELETE `user` is the deleted number, and a user
                                           * added is reported by UPDATE_KEY_CHANGED once it has its key */
    DNP3_SA_EV_USER_STATUS_CHANGE_FAILED, /**< a g120v10 was refused (error: the g120v7 code) */
} dnp3_sa_event_kind;

/** A security event, passed to the on_event callback of an SA object. */
typedef struct {
    dnp3_sa_event_kind kind; /**< what happened */
    uint16_t user;           /**< user number concerned */
    uint32_t seq;            /**< CSQ or KSQ concerned */
    uint8_t function;        /**< function code of the critical request (0 if none) */
    uint8_t error;           /**< g120v7 error code sent or received (0 if none) */
} dnp3_sa_event;

/** The security event callback (on_event of the SA configurations): runs inside the caller's calls with their ctx.
 */
typedef void (*dnp3_sa_event_cb)(void *ctx, const dnp3_sa_event *ev);

/* ---- outstation ---- */

/** Configuration of the outstation side of SA: set it up with dnp3_sa_outstation_config_init. */
typedef struct {
    uint32_t size;                         /**< sizeof(dnp3_sa_outstation_config) */
    const dnp3_crypto *crypto;             /**< required */
    dnp3_sa_user users[DNP3_SA_MAX_USERS]; /**< the users and their update keys */
    size_t n_users;                        /**< entries used in users (1..DNP3_SA_MAX_USERS) */
    uint8_t mal;                           /**< MAC algorithm of challenges and key status (default 4) */
    uint8_t challenge_len;                 /**< 4..64 (default 4) */
    uint32_t reply_timeout_ms;             /**< challenge -> reply (default 2000) */
    uint32_t key_change_interval_ms;       /**< session keys expire after (default 15 min; 0 = never) */
    uint32_t key_change_count; /**< ... or after this many authenticated messages (default 1000; 0 = never) */
    uint8_t max_error_count;   /**< g120v7 errors sent before further failures are only counted (default 2) */
    bool aggressive_mode;      /**< accept aggressive-mode requests (default true) */
    dnp3_sa_fc_set critical;   /**< functions that must be authenticated (default: docs/protocol-notes.md §7.8) */
    size_t max_apdu;           /**< largest request held while challenged (default 2048) */
    /** \name Update-key change
     * Update-key change (symmetric methods 3 and 4): the authority key (16 or 32 octets; 0 = the
     * change is not permitted, answered with error 8) and this outstation's name. A user is
     * found by its `name`. The authority adds, changes and deletes users with a user status
     * change (g120v10) certified with the same key; its sequence number (SCS) must exceed every
     * one accepted before: status_change_seq is the lowest acceptable (persist seq + 1 of each
     * DNP3_SA_EV_USER_STATUS_CHANGED). */
    /** @{ */
    uint8_t authority_key_len;                  /**< 16 or 32; 0 = update-key changes not permitted */
    uint8_t authority_key[DNP3_SA_MAX_KEY];     /**< the authority key */
    char outstation_name[DNP3_SA_MAX_NAME + 1]; /**< this outstation's name */
    uint32_t status_change_seq;                 /**< lowest acceptable SCS of a user status change */
    /** @} */
    dnp3_sa_event_cb on_event; /**< security events (may be NULL) */
    void *ctx;                 /**< first argument of on_event */
} dnp3_sa_outstation_config;

/** The outstation side of SA (opaque), built by dnp3_sa_outstation_init in caller memory. */
typedef struct dnp3_sa_outstation dnp3_sa_outstation;

/**
 * Fills the first `size` octets of *c with the defaults and sets c->size to `size` (at most
 * sizeof(dnp3_sa_outstation_config)): a program built against an older, smaller header gets its own fields and
 * nothing is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_sa_outstation_config_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_sa_outstation_config_init_size(dnp3_sa_outstation_config *c, size_t size);
/**
 * Fills *c with the defaults: MAC HMAC-SHA-256/16, 4-octet challenges, 2 s
 * reply timeout, keys expire after 15 min or 1000 messages, 2 error objects,
 * aggressive mode accepted, the default critical list, max_apdu 2048; no
 * crypto provider and no users (both must be set).
 */
static inline void dnp3_sa_outstation_config_init(dnp3_sa_outstation_config *c)
{
    dnp3_sa_outstation_config_init_size(c, sizeof *c);
}

/** Octets needed, or 0 for an invalid configuration (size below the fields up to max_apdu or above
 * sizeof: a smaller size from an older header gets the defaults of the later fields; no crypto,
 * bad key length, duplicate user,
 * challenge_len or mal out of range, max_apdu < 249).
 * In full: c NULL; a size field below the fields up to max_apdu or above
 * sizeof(dnp3_sa_outstation_config); no crypto provider, one whose size is below
 * the four operations of dnp3_crypto, or one without hmac, key_unwrap or random; n_users
 * outside 1..DNP3_SA_MAX_USERS; a MAC algorithm dnp3_sa_mac_len does not know; challenge_len outside 4..64;
 * max_apdu outside 249..65535; authority_key_len not 0, 16 or 32; an
 * unterminated outstation or user name; a user numbered 0, a duplicate user
 * number, or an update key not 16 or 32 octets (dnp3_sa_outstation_config_check
 * names the field). */
DNP3_API size_t dnp3_sa_outstation_memory_size(const dnp3_sa_outstation_config *c);

/** Why a configuration is refused: DNP3_OK, or DNP3_ERR_CONFIG with *field (if field is not
 * NULL) set to the name of the first bad field ("size", "crypto", "crypto.size", "n_users", "mal",
 * "challenge_len", "max_apdu", "authority_key_len", "outstation_name", "users[].number",
 * "users[].key_len", "users[].name"; "config" for a NULL pointer). For a valid
 * configuration *field is set to NULL. */
DNP3_API int dnp3_sa_outstation_config_check(const dnp3_sa_outstation_config *c, const char **field);

/** Builds the object in mem (aligned like max_align_t). Returns it or NULL (see memory_size). */
DNP3_API dnp3_sa_outstation *dnp3_sa_outstation_init(void *mem, size_t size, const dnp3_sa_outstation_config *c,
                                                     dnp3_tstamp now);

/** Zeroes every key and the whole object. NULL is accepted. */
DNP3_API void dnp3_sa_outstation_free(dnp3_sa_outstation *sa);

/** What the outstation does with a request after dnp3_sa_outstation_receive. */
typedef enum {
    DNP3_SA_PASS = 0, /**< execute r.apdu (the request itself, an authenticated stored request, or an
                       * aggressive-mode request with its g120v3/v9 objects removed) */
    DNP3_SA_REPLY,    /**< send r.apdu (an AUTH_RESPONSE) and execute nothing */
    DNP3_SA_DROP,     /**< execute and send nothing */
} dnp3_sa_action;

/** The result of dnp3_sa_outstation_receive. */
typedef struct {
    dnp3_sa_action action; /**< what to do */
    const uint8_t *apdu;   /**< valid until the next call on the object */
    size_t len;            /**< octets at apdu */
} dnp3_sa_result;

/**
 * Processes one received request (not CONFIRM). iin is the IIN the
 * outstation would send now; it goes into any AUTH_RESPONSE built. Returns
 * DNP3_OK with *r filled, or DNP3_ERR_INVALID_ARG (sa or r NULL, apdu NULL
 * with len > 0). A fragment that does not parse, or a response, gives DNP3_OK
 * with action DNP3_SA_DROP.
 */
DNP3_API int dnp3_sa_outstation_receive(dnp3_sa_outstation *sa, const uint8_t *apdu, size_t len, uint16_t iin,
                                        dnp3_tstamp now, dnp3_sa_result *r);

/** Next deadline (challenge reply timeout, key expiry) or DNP3_TSTAMP_NEVER. */
DNP3_API dnp3_tstamp dnp3_sa_outstation_get_expiry(const dnp3_sa_outstation *sa);
/** Runs the timers due at `now`: an unanswered challenge is dropped (REPLY_TIMEOUT event), expired keys become
 * COMM_FAIL. */
DNP3_API void dnp3_sa_outstation_handle_expiry(dnp3_sa_outstation *sa, dnp3_tstamp now);

/** Key status of a user now (NOT_INIT for unknown users). */
DNP3_API dnp3_sa_key_status dnp3_sa_outstation_key_status(const dnp3_sa_outstation *sa, uint16_t user);

/** The DNP3_SA_STAT_COUNT statistics counters, indexed by dnp3_sa_stat (NULL for sa NULL). */
DNP3_API const uint32_t *dnp3_sa_outstation_stats(const dnp3_sa_outstation *sa);

/** Copies a user's current update key (to persist it after DNP3_SA_EV_UPDATE_KEY_CHANGED). Returns
 * the key length, or 0 for an unknown user (or sa or out NULL). */
DNP3_API size_t dnp3_sa_outstation_update_key(const dnp3_sa_outstation *sa, uint16_t user,
                                              uint8_t out[DNP3_SA_MAX_KEY]);

/**
 * Attaches SA to an outstation (NULL detaches): every request then passes
 * dnp3_sa_outstation_receive before dispatch, SA timers join the
 * outstation's, and READ of g121 returns the statistics. Returns DNP3_OK or
 * DNP3_ERR_INVALID_ARG (os NULL).
 */
DNP3_API int dnp3_outstation_set_sa(dnp3_outstation *os, dnp3_sa_outstation *sa);

/* ---- master ---- */

/** Configuration of the master side of SA: set it up with dnp3_sa_master_config_init. */
typedef struct {
    uint32_t size;                   /**< sizeof(dnp3_sa_master_config) */
    const dnp3_crypto *crypto;       /**< required */
    dnp3_sa_user user;               /**< user number and update key */
    uint8_t session_key_len;         /**< 16..32 (default 16) */
    uint32_t key_change_interval_ms; /**< rekey after (default 10 min; 0 = never) */
    uint32_t key_change_count;       /**< ... or after this many authenticated messages (default 1000) */
    bool aggressive_mode;            /**< send critical requests in aggressive mode (default false) */
    dnp3_sa_fc_set critical;   /**< functions sent in aggressive mode (default: docs/protocol-notes.md §7.8) */
    size_t max_apdu;           /**< largest request remembered for MACs (default 2048) */
    dnp3_sa_event_cb on_event; /**< security events (may be NULL) */
    void *ctx;                 /**< first argument of on_event */
} dnp3_sa_master_config;

/** The master side of SA (opaque), built by dnp3_sa_master_init in caller memory. */
typedef struct dnp3_sa_master dnp3_sa_master;

/**
 * Fills the first `size` octets of *c with the defaults and sets c->size to `size` (at most
 * sizeof(dnp3_sa_master_config)): a program built against an older, smaller header gets its own fields and nothing
 * is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_sa_master_config_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_sa_master_config_init_size(dnp3_sa_master_config *c, size_t size);
/**
 * Fills *c with the defaults: user 1 (key to be set), 16-octet session keys,
 * rekey after 10 min or 1000 messages, aggressive mode off, the default
 * critical list, max_apdu 2048; no crypto provider (must be set).
 */
static inline void dnp3_sa_master_config_init(dnp3_sa_master_config *c)
{
    dnp3_sa_master_config_init_size(c, sizeof *c);
}
/** Octets needed, or 0 for an invalid configuration (see dnp3_sa_master_config_check). A size below
 * the fields up to max_apdu or above sizeof is refused; a smaller size from an older header gets
 * the defaults of the later fields.
 * Invalid: c NULL, that size rule, no crypto provider, one whose size is below the four
 * operations of dnp3_crypto, or one without hmac/key_wrap/random, user number 0, update key not 16 or 32 octets,
 * session_key_len outside 16..32, max_apdu outside 249..65535. */
DNP3_API size_t dnp3_sa_master_memory_size(const dnp3_sa_master_config *c);
/** Why a configuration is refused: DNP3_OK, or DNP3_ERR_CONFIG with *field (if not NULL) set to
 * "size", "crypto", "crypto.size", "user.number", "user.key_len", "session_key_len", "max_apdu" or
 * "config".
 * For a valid configuration *field is set to NULL. */
DNP3_API int dnp3_sa_master_config_check(const dnp3_sa_master_config *c, const char **field);
/**
 * Builds the object in mem (aligned like max_align_t). Returns it (== mem) or
 * NULL (mem NULL or misaligned, size too small, invalid configuration).
 */
DNP3_API dnp3_sa_master *dnp3_sa_master_init(void *mem, size_t size, const dnp3_sa_master_config *c,
                                             dnp3_tstamp now);
/** Zeroes the object and its keys. NULL is accepted. */
DNP3_API void dnp3_sa_master_free(dnp3_sa_master *sa);

/** True when session keys must be (re-)established before the next request. */
DNP3_API bool dnp3_sa_master_needs_keys(const dnp3_sa_master *sa, dnp3_tstamp now);

/** When the session keys must be renewed: 0 if they are not valid now, DNP3_TSTAMP_NEVER if never. */
DNP3_API dnp3_tstamp dnp3_sa_master_rekey_at(const dnp3_sa_master *sa);

/** Forget the session keys (connection lost, outstation restart): rekey before the next request. */
DNP3_API void dnp3_sa_master_reset(dnp3_sa_master *sa);

/**
 * Builds the next AUTH_REQUEST of the session key exchange with application
 * control `ac`: the key status request (g120v4), or after a key status the
 * session key change (g120v6). Returns the length or a negative error
 * (DNP3_ERR_INVALID_ARG, DNP3_ERR_BUFFER_TOO_SMALL, or the crypto provider's error).
 */
DNP3_API int dnp3_sa_master_build_key_request(dnp3_sa_master *sa, uint8_t ac, dnp3_tstamp now, uint8_t *buf,
                                              size_t cap);

/** Remembers the request just sent (the critical request a challenge will refer to). */
DNP3_API void dnp3_sa_master_note_request(dnp3_sa_master *sa, const uint8_t *apdu, size_t len);

/** What the master does after dnp3_sa_master_on_auth_response. */
typedef enum {
    DNP3_SA_M_IGNORE = 0, /**< not for the running exchange: discard */
    DNP3_SA_M_SEND,       /**< send out[0..out_len) (challenge reply, same SEQ) and keep waiting */
    DNP3_SA_M_NEXT_KEY,   /**< key status received: send dnp3_sa_master_build_key_request next */
    DNP3_SA_M_KEYS_OK,    /**< session keys established */
    DNP3_SA_M_FAILED,     /**< error object or failed verification: *error holds the g120v7 code (0 = local) */
} dnp3_sa_master_action;

/**
 * Processes an AUTH_RESPONSE fragment. Returns DNP3_OK with *act (and *out_len,
 * *error) filled, or DNP3_ERR_INVALID_ARG (a NULL argument, or out NULL with cap > 0).
 */
DNP3_API int dnp3_sa_master_on_auth_response(dnp3_sa_master *sa, const uint8_t *frag, size_t len, dnp3_tstamp now,
                                             uint8_t *out, size_t cap, size_t *out_len, dnp3_sa_master_action *act,
                                             uint8_t *error);

/** True if `fc` is sent in aggressive mode (aggressive_mode on, keys valid, fc critical). */
DNP3_API bool dnp3_sa_master_use_aggressive(const dnp3_sa_master *sa, uint8_t fc, dnp3_tstamp now);

/**
 * Rewrites request `req` as an aggressive-mode request into out: g120v3 after
 * the header, g120v9 MAC at the end. Returns the length or a negative error:
 * DNP3_ERR_INVALID_ARG (NULL argument, len < 2), DNP3_ERR_STATE (no valid
 * session keys or no challenge data received yet), DNP3_ERR_BUFFER_TOO_SMALL
 * (cap, or len above max_apdu), or the crypto provider's error.
 */
DNP3_API int dnp3_sa_master_aggressive(dnp3_sa_master *sa, const uint8_t *req, size_t len, uint8_t *out,
                                       size_t cap);

/* ---- update-key change by the master (symmetric method, docs/protocol-notes.md §7.7) ---- */

/** Parameters of an update-key change by the master (symmetric method, docs/protocol-notes.md §7.7), for
 * dnp3_sa_master_begin_update_key. */
typedef struct {
    uint8_t kcm;                                /**< DNP3_SA_KCM_AES128_SHA1 or DNP3_SA_KCM_AES256_SHA256 */
    uint8_t new_key[DNP3_SA_MAX_KEY];           /**< 16 (KCM 3) or 32 (KCM 4) octets */
    uint8_t authority_key_len;                  /**< 16 or 32 */
    uint8_t authority_key[DNP3_SA_MAX_KEY];     /**< the authority key */
    char user_name[DNP3_SA_MAX_NAME + 1];       /**< the user's name at the outstation */
    char outstation_name[DNP3_SA_MAX_NAME + 1]; /**< the outstation's name */
    /** A user status change (g120v10) first, certified with the authority key: operation
     * DNP3_SA_USER_ADD (a new user, then its update key), _CHANGE (role of an existing user,
     * then its key) or _DELETE (the user is removed; no key follows); 0 = none. */
    uint8_t status_operation;
    uint32_t status_change_seq; /**< SCS: above every one the outstation accepted */
    uint16_t role;              /**< DNP3_SA_ROLE_* */
    uint16_t role_expiry_days;  /**< days until the role expires */
} dnp3_sa_update_key_change;

/**
 * Prepares an update-key change of the master's user (run it with the task
 * dnp3_master_change_update_key). The parameters are copied (and zeroed when
 * done). Returns DNP3_OK or DNP3_ERR_INVALID_ARG (NULL argument, unknown kcm,
 * authority key not 16 or 32 octets, empty or unterminated user name,
 * unterminated outstation name, status_operation above DNP3_SA_USER_CHANGE).
 * A change already prepared is abandoned first.
 */
DNP3_API int dnp3_sa_master_begin_update_key(dnp3_sa_master *sa, const dnp3_sa_update_key_change *c);

/** True while an update-key change is prepared or running. */
DNP3_API bool dnp3_sa_master_update_key_pending(const dnp3_sa_master *sa);

/**
 * Builds the next AUTH_REQUEST of the update-key change: g120v11, then (after
 * the outstation's g120v12) g120v13 + g120v15. Returns the length or a negative error.
 * With a status operation, the certified g120v10 comes first. Errors:
 * DNP3_ERR_INVALID_ARG (NULL argument), DNP3_ERR_STATE (nothing to send in the
 * current step), DNP3_ERR_CRYPTO or another error of the crypto provider, or
 * DNP3_ERR_FRAGMENT_FULL when buf is too small.
 */
DNP3_API int dnp3_sa_master_build_update_key_request(dnp3_sa_master *sa, uint8_t ac, uint8_t *buf, size_t cap);

/** Abandons a prepared or running update-key change (key material zeroed). */
DNP3_API void dnp3_sa_master_cancel_update_key(dnp3_sa_master *sa);

/** The master's session key status: OK, COMM_FAIL once expired, NOT_INIT before keys are established (or for sa
 * NULL). */
DNP3_API dnp3_sa_key_status dnp3_sa_master_key_status(const dnp3_sa_master *sa, dnp3_tstamp now);
/** The DNP3_SA_STAT_COUNT statistics counters, indexed by dnp3_sa_stat (NULL for sa NULL). */
DNP3_API const uint32_t *dnp3_sa_master_stats(const dnp3_sa_master *sa);

/**
 * Attaches SA to a master association (NULL detaches): the association
 * establishes session keys before any other task (task kind
 * DNP3_TASK_AUTH_KEYS), rekeys when they expire, and answers challenges of
 * its requests. Returns DNP3_OK or DNP3_ERR_INVALID_ARG.
 * DNP3_ERR_STATE while a task of the association is running. Attaching
 * resets the SA object's session keys.
 */
DNP3_API int dnp3_master_assoc_set_sa(dnp3_master_assoc *a, dnp3_sa_master *sa);

#ifdef __cplusplus
}
#endif
#endif
