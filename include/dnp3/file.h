/**
 * \file
 * dnp3/file.h - the types shared by both sides of DNP3 file transfer, IEEE 1815-2012 file transfer
 * procedures with object group 70: status codes, operational modes and file descriptors. The
 * outstation serves files through the file_* members of dnp3_outstation_callbacks in
 * dnp3/outstation.h; the master transfers them with dnp3_master_file_start in dnp3/master.h.
 */
#ifndef DNP3_FILE_H
#define DNP3_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** \name File transfer (IEEE 1815-2012 file transfer procedures, group 70) */
/** @{ */
/** Longest file name the file-transfer callbacks see or report, in octets. */
#define DNP3_FILE_NAME_MAX 255
/** @} */

/** Status codes of g70v4 (file command status) and g70v6 (file transport status). */
typedef enum {
    DNP3_FILE_SUCCESS = 0,           /**< done */
    DNP3_FILE_PERMISSION_DENIED = 1, /**< not allowed (also: a name that leaves the served area) */
    DNP3_FILE_INVALID_MODE = 2,      /**< the operational mode is not valid or not supported */
    DNP3_FILE_NOT_FOUND = 3,         /**< no such file (also: a malformed name) */
    DNP3_FILE_LOCKED = 4,            /**< in use */
    DNP3_FILE_TOO_MANY_OPEN = 5,     /**< the open-file limit is reached */
    DNP3_FILE_INVALID_HANDLE = 6,    /**< unknown handle */
    DNP3_FILE_WRITE_BLOCK_SIZE = 7,  /**< block size not acceptable */
    DNP3_FILE_COMM_LOST = 8,         /**< communication lost */
    DNP3_FILE_CANNOT_ABORT = 9,      /**< the transfer cannot be aborted */
    DNP3_FILE_NOT_OPENED = 16,       /**< the file is not open */
    DNP3_FILE_HANDLE_EXPIRED = 17,   /**< the handle timed out */
    DNP3_FILE_BUFFER_OVERRUN = 18,   /**< too much data (e.g.\ beyond the size limit) */
    DNP3_FILE_FATAL = 19,            /**< an unrecoverable error (I/O) */
    DNP3_FILE_BLOCK_SEQUENCE = 20,   /**< a block number out of sequence */
    DNP3_FILE_UNDEFINED = 255,       /**< any other failure */
} dnp3_file_status;

/** Operational mode of a g70v3 file command. */
typedef enum {
    DNP3_FILE_MODE_NULL = 0,   /**< none (DELETE_FILE) */
    DNP3_FILE_MODE_READ = 1,   /**< read the file (or list the directory) */
    DNP3_FILE_MODE_WRITE = 2,  /**< create or truncate, then write */
    DNP3_FILE_MODE_APPEND = 3, /**< write at the end */
} dnp3_file_mode;

/** A file's description (the fields of a g70v7 file descriptor). */
typedef struct {
    uint16_t type;        /**< 0 = directory, 1 = simple file */
    uint32_t size;        /**< octets (directories: number of entries, or 0) */
    dnp3_time48 created;  /**< time of creation, UTC ms since 1970 (0 = unknown) */
    uint16_t permissions; /**< UNIX-style permission bits (0x1FF = rwxrwxrwx) */
    uint16_t name_len;    /**< octets in name (at most DNP3_FILE_NAME_MAX) */
    char name[DNP3_FILE_NAME_MAX +
              1]; /**< the name (directory entries: the entry's own name), not NUL-terminated on the wire */
} dnp3_file_info;

#ifdef __cplusplus
}
#endif
#endif
