/*
 * sa_cli.h - Secure Authentication (IEEE 1815-2012 clause 7) for the dnp3
 * command: update-key files (hex, 16 or 32 octets) and printing of security
 * events.
 */
#ifndef DNP3_CLI_SA_CLI_H
#define DNP3_CLI_SA_CLI_H

#include <stdio.h>

#include "dnp3/sa.h"

/*
 * Reads an update key from `path` into u->key / u->key_len: hex digits
 * (whitespace, ':' and a leading 0x ignored), 32 or 64 of them. On error
 * prints "<cmd>: --sa-update-key-file <path>: <what is wrong>" on stderr and
 * returns 2 (the usage-error exit status); returns 0 on success.
 */
int sa_cli_load_key(const char *cmd, const char *path, dnp3_sa_user *u);

/* The same for any key option (`opt` names it in messages): authority keys, new update keys. */
int sa_cli_read_key(const char *cmd, const char *opt, const char *path, uint8_t out[DNP3_SA_MAX_KEY],
                    uint8_t *out_len);

/* Replaces the key file at `path` (hex, mode 0600, written to PATH.new and renamed).
 * Returns 0 or a negative errno. */
int sa_cli_save_key(const char *path, const uint8_t *key, size_t len);

/* The status change sequence number kept in `path` (decimal; the authority key file + ".scs"):
 * 0 into *out when the file does not exist yet. Returns 0, or 2 after a message on stderr. */
int sa_cli_read_scs(const char *cmd, const char *path, uint32_t *out);

/* Writes it (PATH.new and rename). Returns 0 or a negative errno. */
int sa_cli_save_scs(const char *path, uint32_t scs);

/* The master side of SA for association a, started at `now` with c (c->crypto set here to
 * OpenSSL's; c->user is wiped afterwards): memory allocated into *mem (free it after
 * dnp3_sa_master_free). NULL when it cannot be set up. */
dnp3_sa_master *sa_cli_master_attach(dnp3_master_assoc *a, dnp3_sa_master_config *c, dnp3_tstamp now, void **mem);

/* What an SA error answered by the outstation usually means, for the log: " (wrong update key?)",
 * " (the user is not configured there)" or "". */
const char *sa_cli_error_hint(uint8_t error);

/* One line describing a security event (static buffer). */
const char *sa_cli_event_text(const dnp3_sa_event *ev);

#endif
