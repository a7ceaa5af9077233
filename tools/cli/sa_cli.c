/*
 * sa_cli.c - update-key files and security-event text for the dnp3 command
 * (Secure Authentication, IEEE 1815-2012 clause 7; see sa_cli.h).
 */
#include "sa_cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnp3/crypto.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int sa_cli_load_key(const char *cmd, const char *path, dnp3_sa_user *u)
{
    return sa_cli_read_key(cmd, "--sa-update-key-file", path, u->key, &u->key_len);
}

int sa_cli_read_key(const char *cmd, const char *opt, const char *path, uint8_t out[DNP3_SA_MAX_KEY],
                    uint8_t *out_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s %s: cannot open: %s\n", cmd, opt, path, strerror(errno));
        return 2;
    }
    char text[512];
    size_t n = fread(text, 1, sizeof text - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    text[n] = 0;
    uint8_t key[DNP3_SA_MAX_KEY];
    size_t digits = 0;
    int rc = 0;
    const char *why = NULL;
    if (more) why = "the file is too long for a key (expected 32 or 64 hex digits)";
    for (size_t i = 0; !why && i < n; i++) {
        int c = (unsigned char)text[i];
        if (isspace(c) || c == ':') continue;
        if (c == '0' && i + 1 < n && (text[i + 1] == 'x' || text[i + 1] == 'X') && digits == 0) {
            i++;
            continue;
        }
        int v = hexval(c);
        if (v < 0) {
            why = "it contains a character that is not a hex digit";
            break;
        }
        if (digits >= 2 * (size_t)DNP3_SA_MAX_KEY) {
            why = "the key is longer than 32 octets (expected 32 or 64 hex digits)";
            break;
        }
        if (digits % 2 == 0)
            key[digits / 2] = (uint8_t)(v << 4);
        else
            key[digits / 2] = (uint8_t)(key[digits / 2] | v);
        digits++;
    }
    if (!why && digits == 0) why = "the file is empty (expected 32 or 64 hex digits: an AES-128 or AES-256 key)";
    if (!why && digits != 32 && digits != 64) why = NULL, rc = 1;
    if (why || rc) {
        if (why)
            fprintf(stderr, "%s: %s %s: %s\n", cmd, opt, path, why);
        else
            fprintf(stderr, "%s: %s %s: the key has %zu hex digits; a key has 32 (AES-128) or 64 (AES-256)\n", cmd,
                    opt, path, digits);
        dnp3_zeroize(key, sizeof key);
        dnp3_zeroize(text, sizeof text);
        return 2;
    }
    memcpy(out, key, digits / 2);
    *out_len = (uint8_t)(digits / 2);
    dnp3_zeroize(key, sizeof key);
    dnp3_zeroize(text, sizeof text);
    return 0;
}

/* Replaces `path` with n octets of buf: PATH.new (mode 0600), fsync, rename. 0 or a negative errno. */
static int save_atomically(const char *path, const char *buf, size_t n)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -errno;
    bool ok = write(fd, buf, n) == (ssize_t)n && fsync(fd) == 0;
    int e = errno;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        if (ok) e = errno;
        unlink(tmp);
        return -e;
    }
    return 0;
}

int sa_cli_save_key(const char *path, const uint8_t *key, size_t len)
{
    char hex[2 * DNP3_SA_MAX_KEY + 2];
    size_t n = 0;
    for (size_t i = 0; i < len && i < DNP3_SA_MAX_KEY; i++) n += (size_t)snprintf(hex + n, 3, "%02x", key[i]);
    hex[n++] = '\n';
    int rc = save_atomically(path, hex, n);
    dnp3_zeroize(hex, sizeof hex);
    return rc;
}

int sa_cli_read_scs(const char *cmd, const char *path, uint32_t *out)
{
    *out = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        fprintf(stderr, "%s: %s: %s\n", cmd, path, strerror(errno));
        return 2;
    }
    char text[32] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    while (*end == '\n' || *end == '\r' || *end == ' ') end++;
    if (end == text || *end || errno || v > UINT32_MAX || text[0] == '-') {
        fprintf(stderr, "%s: %s: expected the status change sequence number (a decimal number)\n", cmd, path);
        return 2;
    }
    *out = (uint32_t)v;
    return 0;
}

int sa_cli_save_scs(const char *path, uint32_t scs)
{
    char text[16];
    int n = snprintf(text, sizeof text, "%u\n", (unsigned)scs);
    return save_atomically(path, text, (size_t)n);
}

const char *sa_cli_event_text(const dnp3_sa_event *ev)
{
    static char buf[160];
    static const char *const names[] = {
        "authenticated",
        "authentication failed (wrong MAC or key)",
        "unknown user",
        "replay or stale sequence number rejected",
        "challenge reply timeout: request dropped",
        "session keys changed",
        "session key change failed",
        "session keys expired",
        "no valid session keys for the user",
        "error object received",
        "unexpected message discarded",
        "aggressive mode request refused",
        "update key changed",
        "update-key change failed",
        "user status change accepted",
        "user status change refused",
    };
    const char *what = (unsigned)ev->kind < sizeof names / sizeof names[0] ? names[ev->kind] : "event";
    int n = snprintf(buf, sizeof buf, "%s, user %u, seq %u", what, ev->user, (unsigned)ev->seq);
    if (ev->function && n > 0 && (size_t)n < sizeof buf) {
        const char *fn = dnp3_fc_name(ev->function);
        n += snprintf(buf + n, sizeof buf - (size_t)n, ", %s", fn ? fn : "function");
    }
    if (ev->kind == DNP3_SA_EV_USER_STATUS_CHANGED) { /* `error` holds the operation */
        static const char *const ops[] = {"?", "ADD", "DELETE", "CHANGE"};
        if (n > 0 && (size_t)n < sizeof buf)
            snprintf(buf + n, sizeof buf - (size_t)n, ", operation %s", ops[ev->error <= 3 ? ev->error : 0]);
    } else if (ev->error && n > 0 && (size_t)n < sizeof buf) {
        snprintf(buf + n, sizeof buf - (size_t)n, ", error %s", dnp3_sa_error_name(ev->error));
    }
    return buf;
}

dnp3_sa_master *sa_cli_master_attach(dnp3_master_assoc *a, dnp3_sa_master_config *c, dnp3_tstamp now, void **mem)
{
    c->crypto = dnp3_crypto_openssl();
    size_t size = dnp3_sa_master_memory_size(c), al = _Alignof(max_align_t);
    *mem = size ? aligned_alloc(al, (size + al - 1) / al * al) : NULL;
    dnp3_sa_master *sa = *mem ? dnp3_sa_master_init(*mem, size, c, now) : NULL;
    dnp3_zeroize(&c->user, sizeof c->user);
    if (sa && dnp3_master_assoc_set_sa(a, sa) != DNP3_OK) {
        dnp3_sa_master_free(sa);
        sa = NULL;
    }
    return sa;
}

const char *sa_cli_error_hint(uint8_t error)
{
    return error == DNP3_SA_ERR_UNKNOWN_USER            ? " (the user is not configured there)"
           : error == DNP3_SA_ERR_AUTHENTICATION_FAILED ? " (wrong update key?)"
                                                        : "";
}
