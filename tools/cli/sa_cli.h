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

/* One line describing a security event (static buffer). */
const char *sa_cli_event_text(const dnp3_sa_event *ev);

#endif
