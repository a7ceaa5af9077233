/*
 * sa_internal.h - helpers shared by the Secure Authentication files
 * (IEEE 1815-2012 clause 7): MAC computation with truncation per MAL,
 * g120 object framing inside APDUs, statistics and security events.
 * Not part of the public API.
 *
 * Files:
 *   sa_common.c     constant-time compare, zeroize, MAL table, critical list, MACs, framing
 *   g120.c          g120 v1..v15 codec (clause 7 authentication objects)
 *   sa_outstation.c the outstation state machine (session keys, challenges, aggressive mode)
 *   sa_master.c     the master state machine (key initialisation, challenge replies)
 *   sa_update_key.c the symmetric update-key change: wrap plaintext, confirmation MACs
 *   sa_os_users.c   the outstation's update-key change and user status change
 *   sa_os_reply.c   what the outstation's handlers share: users, events, replies
 */
#ifndef DNP3_SA_INTERNAL_H
#define DNP3_SA_INTERNAL_H

#include <stddef.h>

#include "core/cursor.h"
#include "dnp3/app.h"
#include "dnp3/sa.h"

#define SA_STATUS_MAX (11 + DNP3_SA_MAX_CHALLENGE) /* g120v5 body without MAC */
#define SA_CHAL_MAX 128                            /* a challenge APDU (g120v1, or g120v5 with MAC) */
#define SA_TX_MAX 160                              /* any AUTH_RESPONSE the outstation builds */
#define SA_PLAIN_MAX 152                           /* key length + two keys + status, padded to 8 */
#define SA_KEYCHANGE_MAX (2 + 6 + 6 + SA_PLAIN_MAX + 8)
#define SA_UK_PLAIN_MAX (DNP3_SA_MAX_NAME + DNP3_SA_MAX_KEY + DNP3_SA_MAX_CHALLENGE + 8) /* padded to 8 */
/* The smallest dnp3_crypto::size accepted: a provider has at least the four operations of
 * libdnp3 1.0 (hmac, key_wrap, key_unwrap, random). Operations appended later are used only
 * when a provider's size covers them; a larger size (a newer header) is fine. */
#define SA_CRYPTO_MIN_SIZE (offsetof(dnp3_crypto, random) + sizeof(((dnp3_crypto *)0)->random))

/*
 * Computes the MAC of parts with key according to mal into out
 * (DNP3_SA_MAX_MAC octets). Returns the MAC length or a negative error
 * (DNP3_ERR_INVALID_ARG for an unsupported MAL, provider errors).
 */
int dnp3_sa_mac(const dnp3_crypto *c, uint8_t mal, const uint8_t *key, size_t key_len, const dnp3_iov *parts,
                size_t n_parts, uint8_t out[DNP3_SA_MAX_MAC]);

/* Appends a g120 object: 0x07 count 1 for v3/v4, else 0x5B count 1 with a 2-octet size. */
void dnp3_sa_put_object(dnp3_writer *w, uint8_t variation, const uint8_t *body, size_t len);

/* Finds a user in a table; NULL if absent. */
const dnp3_sa_user *dnp3_sa_find_user(const dnp3_sa_user *users, size_t n, uint16_t number);

/* True if fc must be authenticated by this outstation (the auth functions included). */
bool dnp3_sa_os_is_critical(const dnp3_sa_outstation *sa, uint8_t fc);

/* ---- update-key change (sa_update_key.c) ---- */

/* Octets of the new update key of a key change method (0 if not a symmetric method we do). */
size_t dnp3_sa_uk_key_len(uint8_t kcm);

/* HMAC(key, name || first challenge || second challenge || KSQ || USR), truncated (10 or 16 octets).
 * Returns the MAC length or a negative error. */
int dnp3_sa_uk_confirmation(const dnp3_crypto *c, uint8_t kcm, const uint8_t *key, const char *name,
                            const uint8_t *first_chal, size_t first_len, const uint8_t *second_chal,
                            size_t second_len, uint32_t ksq, uint16_t user, uint8_t out[DNP3_SA_MAX_MAC]);

/* name || key || challenge, zero-padded to a multiple of 8 (>= 16). Returns the length or 0. */
/* Certification data of a user status change (g120v10, symmetric methods; docs/protocol-notes.md §7.7 step 1):
 * the full HMAC (SHA-256 for KCM 4, SHA-1 for KCM 3) with the authority key of
 * operation u8 || SCS u32 || role u16 || expiry u16 || name length u16 || name. Returns its length
 * (32 or 20) or a negative error. */
int dnp3_sa_usc_certification(const dnp3_crypto *c, uint8_t kcm, const uint8_t *authority_key, size_t akl,
                              uint8_t op, uint32_t scs, uint16_t role, uint16_t expiry, const uint8_t *name,
                              size_t name_len, uint8_t out[32]);

size_t dnp3_sa_uk_plain(const char *name, const uint8_t *key, size_t key_len, const uint8_t *chal, size_t chal_len,
                        uint8_t out[SA_UK_PLAIN_MAX]);

/* Decodes the nth object header's (0-based) single g120 object. Returns 1, 0 (absent / not g120)
 * or a negative error. */
int dnp3_sa_g120_nth(const uint8_t *apdu, size_t len, int nth, dnp3_g120 *out);

static inline void sa_event(dnp3_sa_event_cb cb, void *ctx, dnp3_sa_event_kind kind, uint16_t user, uint32_t seq,
                            uint8_t fc, uint8_t error)
{
    if (!cb) return;
    dnp3_sa_event ev = {kind, user, seq, fc, error};
    cb(ctx, &ev);
}

#endif
