/*
 * secret_file.c - the first line of a password file (see secret_file.h).
 */
#include "secret_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dnp3/crypto.h"

int secret_file_read(const char *opt, const char *path, char *out, size_t cap, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_cap, "%s %s: %s", opt, path, strerror(errno));
        return -1;
    }
    char line[512] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    size_t n = strlen(line);
    int rc = 0;
    if (!got || n == 0 || n >= cap) {
        snprintf(err, err_cap, "%s %s: the first line must hold the password (1 to %zu characters)", opt, path,
                 cap - 1);
        rc = -1;
    } else {
        memcpy(out, line, n + 1);
    }
    dnp3_zeroize(line, sizeof line);
    return rc;
}
