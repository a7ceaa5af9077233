/*
 * file_root.h - `dnp3 outstation --file-root DIR`: one folder served through the outstation's
 * file-transfer callbacks (dnp3_outstation_callbacks file_*), confined to that folder.
 *
 * Names are paths relative to the root ("." is the root itself). Refused with
 * PERMISSION_DENIED: an absolute name, a ".." or "." component (other than the lone "."), an empty
 * component, a NUL or control character, a name over 255 octets, and any symbolic link on the way
 * (every component is opened with openat(O_NOFOLLOW) from the root, so nothing outside it is ever
 * reached). Writes go to a temporary name in the same folder and are renamed into place only when
 * the last block arrived and the file was closed; an abort or a lost connection removes them.
 */
#ifndef DNP3_CLI_FILE_ROOT_H
#define DNP3_CLI_FILE_ROOT_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

#include "dnp3/outstation.h"

#define FILE_ROOT_MAX_OPEN 4 /* the outstation core keeps at most 4 open handles */

typedef struct {
    bool used;
    bool write;
    uint32_t handle;
    int fd;     /* the file, or the directory being listed */
    int parent; /* writes: the folder holding the temporary file */
    DIR *dir;
    uint32_t dir_pos; /* listing: index of the next entry dir will return */
    uint32_t block_size;
    uint64_t size, written;
    char name[256]; /* final component */
    char tmp[300];  /* temporary name of a write */
} file_root_open_file;

typedef struct file_root {
    int dirfd; /* the root */
    bool writable;
    uint64_t max_size; /* largest file written (0 = no limit) */
    unsigned max_open; /* 1..FILE_ROOT_MAX_OPEN */
    uint32_t next_handle;
    file_root_open_file open[FILE_ROOT_MAX_OPEN];
    uint32_t timeout_ms; /* an open file unused this long is closed (the outstation's file_timeout_ms) */
    char user[64];       /* AUTHENTICATE_FILE: the user allowed ("" = no authentication asked for) */
    char password[128];  /* and its password */
} file_root;

/* Opens the root folder. Returns 0, or -1 with a message in err. */
int file_root_init(file_root *r, const char *dir, bool writable, uint64_t max_size, unsigned max_open, char *err,
                   size_t err_cap);
void file_root_free(file_root *r);

/* Checks a name: DNP3_FILE_SUCCESS and its path in out (NUL-terminated), or PERMISSION_DENIED. */
dnp3_file_status file_root_check_name(const char *name, size_t len, char out[256]);

/* Demands AUTHENTICATE_FILE (g70v2) before OPEN_FILE and DELETE_FILE: the user name and the
 * password from the first line of password_file. Returns 0, or -1 with a message in err. */
int file_root_require_user(file_root *r, const char *user, const char *password_file, char *err, size_t err_cap);

/* Sets cb's file_* callbacks; cb->ctx must be the outstation_app whose `files` is the root. */
void file_root_install(const file_root *r, dnp3_outstation_callbacks *cb);

#endif
