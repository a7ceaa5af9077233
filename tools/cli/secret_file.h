/*
 * secret_file.h - a password kept in a file (the first line, without its end of line), for the
 * file-transfer user of AUTHENTICATE_FILE (IEEE 1815-2012 group 70 variation 2) on both sides:
 * `dnp3 outstation --file-password-file` and `dnp3 master file --file-password-file`. A password
 * never appears on a command line, where other users of the machine could read it.
 */
#ifndef DNP3_CLI_SECRET_FILE_H
#define DNP3_CLI_SECRET_FILE_H

#include <stddef.h>

/* Reads the first line of `path` into out (1..cap-1 characters). 0, or -1 with
 * "OPT PATH: reason" in err. */
int secret_file_read(const char *opt, const char *path, char *out, size_t cap, char *err, size_t err_cap);

#endif
