/*
 * cli_args.h - strict parsing of the dnp3 command's option values: numbers,
 * HOST:PORT, --framing-error, with a clear message naming the option on any
 * refusal. No dependency beyond the C library (the gateway's configuration
 * fuzz target links it alone).
 */
#ifndef DNP3_CLI_ARGS_H
#define DNP3_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a whole decimal (or 0x hex) number in [lo, hi]. Returns 0 or -1 (message on stderr). */
int cli_uint(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* Splits "A-B" (decimal digits on both sides; "A" alone too when single_ok, as A-A) into *lo and
 * *hi. Returns false for anything else; the caller checks the bounds and names the option. */
bool cli_decimal_range(const char *s, bool single_ok, unsigned long *lo, unsigned long *hi);

/* Parses a number (double). Returns 0 or -1 (message on stderr). */
int cli_double(const char *cmd, const char *opt, const char *s, double *out);

/*
 * Splits "HOST", "HOST:PORT", "[V6]:PORT" or ":PORT" into host and port
 * (default_port when absent; default_host when the host is empty).
 * Returns 0 or -1 (message on stderr).
 */
int cli_host_port(const char *cmd, const char *opt, const char *s, const char *default_host, uint16_t default_port,
                  char *host, size_t host_cap, uint16_t *port);

/* --framing-error close|resync -> DNP3_FRAMING_CLOSE / DNP3_FRAMING_RESYNC. Returns 0 or 2 (usage error). */
int cli_framing(const char *cmd, const char *opt, const char *s, int *out);

/* True for a name or address that stays on this machine: localhost, 127.0.0.0/8, ::1. */
bool cli_is_loopback(const char *host);
/* Prints "<cmd>: <message>" on stderr for a usage error and returns 2 (the usage exit status). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
