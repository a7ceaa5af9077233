/*
 * obj_file.c - fields of the file transfer objects, group 70 variations 2-8
 * (IEEE 1815-2012 Annex A, group 70 file-control objects, as used by the
 * file transfer procedures), for the decoder's text and JSON output (see
 * obj_fields.h).
 *
 * Layouts (all integers little-endian; "name" fields are located by an
 * offset from the start of the object and a size):
 *   v2 authentication       user name offset/size (2+2), password offset/size (2+2),
 *                           authentication key (4), user name, password
 *   v3 file command         name offset/size (2+2), time of creation (6), permissions (2),
 *                           authentication key (4), file size (4), operational mode (2),
 *                           maximum block size (2), request ID (2), file name
 *   v4 file command status  file handle (4), file size (4), maximum block size (2),
 *                           request ID (2), status code (1), optional text
 *   v5 file transport       file handle (4), block number (4; bit 31 = last block), file data
 *   v6 file transport status file handle (4), block number (4; bit 31 = last), status code (1),
 *                           optional text
 *   v7 file descriptor      name offset/size (2+2), file type (2), file size (4),
 *                           time of creation (6), permissions (2), request ID (2), file name
 *   v8 file specification   the file specification string (whole object)
 */
#include <stddef.h>

#include "core/cursor.h"
#include "obj_fields.h"

static const char *mode_name(unsigned m)
{
    static const char *const N[] = {"NULL", "READ", "WRITE", "APPEND"};
    return m < 4 ? N[m] : NULL;
}

/* File command status / file transport status codes. */
static const char *status_name(unsigned s)
{
    switch (s) {
    case 0: return "SUCCESS";
    case 1: return "PERMISSION_DENIED";
    case 2: return "INVALID_MODE";
    case 3: return "FILE_NOT_FOUND";
    case 4: return "FILE_LOCKED";
    case 5: return "TOO_MANY_OPEN";
    case 6: return "INVALID_HANDLE";
    case 7: return "WRITE_BLOCK_SIZE";
    case 8: return "COMM_LOST";
    case 9: return "CANNOT_ABORT";
    case 16: return "NOT_OPENED";
    case 17: return "HANDLE_EXPIRED";
    case 18: return "BUFFER_OVERRUN";
    case 19: return "FATAL";
    case 20: return "BLOCK_SEQUENCE";
    case 255: return "UNDEFINED";
    default: return NULL;
    }
}

static const char *file_type_name(unsigned t)
{
    return t == 0 ? "DIRECTORY" : t == 1 ? "SIMPLE_FILE" : NULL;
}

/* A string located by offset and size inside the object, after its fixed part. */
static bool add_located(obj_fields *o, const char *label, const char *key, const uint8_t *p, size_t n,
                        size_t fixed, unsigned off, unsigned size)
{
    if (size == 0) {
        dnp3_obj_fields_add_octets(o, FLD_TEXT, label, key, p, 0);
        return true;
    }
    if (off < fixed || (size_t)off + size > n) {
        o->problem = "a string offset/size points outside the object";
        return false;
    }
    dnp3_obj_fields_add_octets(o, FLD_TEXT, label, key, p + off, size);
    return true;
}

static void add_block(obj_fields *o, uint32_t block)
{
    dnp3_obj_fields_add(o, FLD_UINT, "block", "block", block & 0x7FFFFFFFu);
    dnp3_obj_fields_add(o, FLD_FLAG, "LAST", "last", block >> 31);
}

static void add_status(obj_fields *o, uint8_t st, dnp3_reader *r)
{
    dnp3_obj_fields_add_enum(o, "status", "status", st, status_name(st));
    size_t rest = dnp3_rd_remaining(r);
    if (rest) dnp3_obj_fields_add_octets(o, FLD_TEXT, "text", "text", dnp3_rd_bytes(r, rest), rest);
}

bool dnp3_obj_file_decode(uint8_t variation, const uint8_t *p, size_t n, obj_fields *o)
{
    dnp3_reader r;
    dnp3_rd_init(&r, p, n);
    switch (variation) {
    case 2: {
        unsigned uo = dnp3_rd_u16(&r), us = dnp3_rd_u16(&r), po = dnp3_rd_u16(&r), ps = dnp3_rd_u16(&r);
        uint32_t key = dnp3_rd_u32(&r);
        if (r.err) break;
        if (add_located(o, "user name", "user_name", p, n, r.pos, uo, us) &&
            add_located(o, "password", "password", p, n, r.pos, po, ps))
            dnp3_obj_fields_add(o, FLD_HEX, "authentication key", "auth_key", key);
        return true;
    }
    case 3: {
        unsigned no = dnp3_rd_u16(&r), ns = dnp3_rd_u16(&r);
        uint64_t created = dnp3_rd_u48(&r);
        unsigned perm = dnp3_rd_u16(&r);
        uint32_t key = dnp3_rd_u32(&r), size = dnp3_rd_u32(&r);
        unsigned mode = dnp3_rd_u16(&r), block = dnp3_rd_u16(&r), req = dnp3_rd_u16(&r);
        if (r.err) break;
        if (!add_located(o, "file name", "file_name", p, n, r.pos, no, ns)) return true;
        dnp3_obj_fields_add_enum(o, "mode", "mode", mode, mode_name(mode));
        dnp3_obj_fields_add(o, FLD_PERM, "permissions", "permissions", perm);
        dnp3_obj_fields_add(o, FLD_UINT, "file size", "file_size", size);
        dnp3_obj_fields_add(o, FLD_TIME, "created", "created", created);
        dnp3_obj_fields_add(o, FLD_HEX, "authentication key", "auth_key", key);
        dnp3_obj_fields_add(o, FLD_UINT, "maximum block size", "max_block_size", block);
        dnp3_obj_fields_add(o, FLD_UINT, "request ID", "request_id", req);
        return true;
    }
    case 4: {
        uint32_t handle = dnp3_rd_u32(&r), size = dnp3_rd_u32(&r);
        unsigned block = dnp3_rd_u16(&r), req = dnp3_rd_u16(&r);
        uint8_t st = dnp3_rd_u8(&r);
        if (r.err) break;
        dnp3_obj_fields_add(o, FLD_HEX, "handle", "handle", handle);
        dnp3_obj_fields_add(o, FLD_UINT, "file size", "file_size", size);
        dnp3_obj_fields_add(o, FLD_UINT, "maximum block size", "max_block_size", block);
        dnp3_obj_fields_add(o, FLD_UINT, "request ID", "request_id", req);
        add_status(o, st, &r);
        return true;
    }
    case 5: {
        uint32_t handle = dnp3_rd_u32(&r), block = dnp3_rd_u32(&r);
        if (r.err) break;
        dnp3_obj_fields_add(o, FLD_HEX, "handle", "handle", handle);
        add_block(o, block);
        size_t rest = dnp3_rd_remaining(&r);
        dnp3_obj_fields_add_octets(o, FLD_DATA, "data", "data", dnp3_rd_bytes(&r, rest), rest);
        return true;
    }
    case 6: {
        uint32_t handle = dnp3_rd_u32(&r), block = dnp3_rd_u32(&r);
        uint8_t st = dnp3_rd_u8(&r);
        if (r.err) break;
        dnp3_obj_fields_add(o, FLD_HEX, "handle", "handle", handle);
        add_block(o, block);
        add_status(o, st, &r);
        return true;
    }
    case 7: {
        unsigned no = dnp3_rd_u16(&r), ns = dnp3_rd_u16(&r), type = dnp3_rd_u16(&r);
        uint32_t size = dnp3_rd_u32(&r);
        uint64_t created = dnp3_rd_u48(&r);
        unsigned perm = dnp3_rd_u16(&r), req = dnp3_rd_u16(&r);
        if (r.err) break;
        if (!add_located(o, "file name", "file_name", p, n, r.pos, no, ns)) return true;
        dnp3_obj_fields_add_enum(o, "type", "type", type, file_type_name(type));
        dnp3_obj_fields_add(o, FLD_UINT, "file size", "file_size", size);
        dnp3_obj_fields_add(o, FLD_TIME, "created", "created", created);
        dnp3_obj_fields_add(o, FLD_PERM, "permissions", "permissions", perm);
        dnp3_obj_fields_add(o, FLD_UINT, "request ID", "request_id", req);
        return true;
    }
    case 8: dnp3_obj_fields_add_octets(o, FLD_TEXT, "file specification", "file_specification", p, n); return true;
    default: return false; /* v1 (obsolete file identifier) stays hex */
    }
    o->problem = "the object is shorter than the fixed part of its layout";
    return true;
}
