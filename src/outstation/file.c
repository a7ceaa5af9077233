/*
 * file.c - file transfer, outstation side (IEEE 1815-2012 file transfer procedures, group 70):
 * OPEN_FILE, CLOSE_FILE, DELETE_FILE, GET_FILE_INFO, ABORT_FILE, AUTHENTICATE_FILE, READ g70v5 and
 * WRITE g70v5.
 *
 * The core never touches a file system: every operation goes to the application's file_*
 * callbacks. This file keeps only the open handles (up to OS_FILE_MAX): mode, negotiated block
 * size and the next block number, so blocks are served and accepted strictly in order. A block
 * may be read again, and the block just written may be sent again (a master retrying after a lost
 * answer): it is acknowledged without being passed to file_write a second time. Directories opened for reading are
 * listed as g70v7 descriptors packed into the g70v5 data blocks.
 *
 * With file_authenticate set, AUTHENTICATE_FILE (g70v2) trades a user name and password for a key
 * that OPEN_FILE and DELETE_FILE must carry; the answer is the g70v2 object with empty name and
 * password and the key (0: refused). With config.file_timeout_ms an open file left unused that
 * long is closed without keeping writes, and its handle is answered HANDLE_EXPIRED afterwards.
 *
 * Every object is sent and received with qualifier 0x5B (count 1, 2-octet size prefix).
 * Layouts (little-endian; see src/decode/obj_file.c):
 *   v2 authentication  user name off/size (2+2), password off/size (2+2), key (4), name, password
 *                                                                              (fixed part 12)
 *   v3 command    name off/size (2+2), created (6), permissions (2), auth key (4), file size (4),
 *                 mode (2), max block size (2), request ID (2), name          (fixed part 26)
 *   v4 status     handle (4), file size (4), max block size (2), request ID (2), status (1)
 *   v5 transport  handle (4), block (4; bit 31 = last), data
 *   v6 tr.status  handle (4), block (4; bit 31 = last), status (1)
 *   v7 descriptor name off/size (2+2), type (2), size (4), created (6), permissions (2),
 *                 request ID (2), name                                         (fixed part 20)
 */
#include <string.h>

#include "app/g70_header.h"
#include "core/cursor.h"
#include "outstation/os_internal.h"

#define V2_FIXED 12u
#define V3_FIXED 26u
#define V7_FIXED 20u
#define LAST_BIT 0x80000000u
#define OBJ_HDR DNP3_G70_HDR /* group, variation, qualifier 0x5B, count, 2-octet size */

static os_file *find(dnp3_outstation *os, uint32_t handle)
{
    for (unsigned i = 0; i < OS_FILE_MAX; i++)
        if (os->files[i].used && os->files[i].handle == handle) return &os->files[i];
    return NULL;
}

/* The open file of a request's handle (its timeout restarted), or NULL with *st saying why. */
static os_file *lookup(dnp3_outstation *os, uint32_t handle, dnp3_file_status *st)
{
    os_file *f = find(os, handle);
    if (f) {
        f->used_at = os->req_time;
        return f;
    }
    *st = DNP3_FILE_INVALID_HANDLE;
    for (unsigned i = 0; i < OS_FILE_MAX; i++)
        if (os->files[i].expired && os->files[i].handle == handle) *st = DNP3_FILE_HANDLE_EXPIRED;
    return NULL;
}

/* With AUTHENTICATE_FILE in use, a command must carry a key it issued. */
static bool key_ok(const dnp3_outstation *os, uint32_t key)
{
    if (!os->cb.file_authenticate) return true;
    for (unsigned i = 0; key && i < OS_FILE_MAX; i++)
        if (os->file_keys[i] == key) return true;
    return false;
}

/* The single g70 object of a request: its header must be g70v`var`, qualifier 0x5B, count 1. */
static bool single_object(const dnp3_apdu *req, uint8_t var, const uint8_t **obj, size_t *n)
{
    dnp3_hdr_iter hi;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&hi, req);
    if (dnp3_hdr_iter_next(&hi, &h, NULL) <= 0) return false;
    if (h.group != 70 || h.variation != var || h.qualifier != 0x5B || h.count != 1 || h.data_len < 2) return false;
    *n = dnp3_load_u16(h.data);
    if (*n + 2 != h.data_len) return false;
    *obj = h.data + 2;
    return dnp3_hdr_iter_next(&hi, &h, NULL) == 0;
}

/* Starts a 0x5B object of `size` octets at w; returns its body. */
static uint8_t *begin_obj(dnp3_writer *w, uint8_t var, size_t size)
{
    uint8_t *p = dnp3_wr_reserve(w, OBJ_HDR + size);
    return p ? dnp3_g70_put_header(p, var, size) : NULL;
}

static void respond_w(dnp3_outstation *os, uint8_t seq, uint16_t iin, const dnp3_writer *w, bool repeatable)
{
    dnp3_os_respond(os, seq, iin, os->sol + 4, w->err ? 0 : w->pos, repeatable);
}

static void respond_status(dnp3_outstation *os, uint8_t seq, uint32_t handle, uint32_t size, uint16_t block,
                           uint16_t req_id, uint8_t status)
{
    dnp3_writer w;
    dnp3_wr_init(&w, os->sol + 4, os->cfg.max_tx_fragment - 4);
    uint8_t *p = begin_obj(&w, 4, 13);
    if (p) {
        dnp3_store_u32(p, handle);
        dnp3_store_u32(p + 4, size);
        dnp3_store_u16(p + 8, block);
        dnp3_store_u16(p + 10, req_id);
        p[12] = status;
    }
    respond_w(os, seq, 0, &w, true);
}

static void respond_transport_status(dnp3_outstation *os, uint8_t seq, uint32_t handle, uint32_t block,
                                     uint8_t status, bool repeatable)
{
    dnp3_writer w;
    dnp3_wr_init(&w, os->sol + 4, os->cfg.max_tx_fragment - 4);
    uint8_t *p = begin_obj(&w, 6, 9);
    if (p) {
        dnp3_store_u32(p, handle);
        dnp3_store_u32(p + 4, block);
        p[8] = status;
    }
    respond_w(os, seq, 0, &w, repeatable);
}

/* A g70v7 descriptor body (no object header) into p, which has room for V7_FIXED + name_len. */
static void put_descriptor(uint8_t *p, const dnp3_file_info *fi, uint16_t req_id)
{
    dnp3_store_u16(p, (uint16_t)(fi->name_len ? V7_FIXED : 0));
    dnp3_store_u16(p + 2, fi->name_len);
    dnp3_store_u16(p + 4, fi->type);
    dnp3_store_u32(p + 6, fi->size);
    dnp3_store_u48(p + 10, fi->created & DNP3_TIME48_MAX);
    dnp3_store_u16(p + 16, fi->permissions);
    dnp3_store_u16(p + 18, req_id);
    memcpy(p + V7_FIXED, fi->name, fi->name_len);
}

static void clean_info(dnp3_file_info *fi)
{
    if (fi->name_len > DNP3_FILE_NAME_MAX) fi->name_len = DNP3_FILE_NAME_MAX;
}

/* Whether a string of len octets at offset off (from the object's start) lies in the object's
 * variable part: after its fixed fields, inside its n octets. */
static bool string_in(unsigned off, unsigned len, size_t fixed, size_t n)
{
    return off >= fixed && (size_t)off + len <= n;
}

/* A g70v3 command: the name and the fields the procedures use. */
typedef struct {
    const char *name;
    size_t name_len;
    uint16_t permissions;
    uint32_t auth_key;
    uint32_t size;
    uint16_t mode, block, req_id;
} file_cmd;

static bool parse_command(const uint8_t *o, size_t n, file_cmd *c)
{
    if (n < V3_FIXED) return false;
    unsigned off = dnp3_load_u16(o), len = dnp3_load_u16(o + 2);
    if (len == 0 || !string_in(off, len, V3_FIXED, n)) return false;
    c->name = (const char *)(o + off);
    c->name_len = len;
    c->permissions = dnp3_load_u16(o + 10);
    c->auth_key = dnp3_load_u32(o + 12);
    c->size = dnp3_load_u32(o + 16);
    c->mode = dnp3_load_u16(o + 20);
    c->block = dnp3_load_u16(o + 22);
    c->req_id = dnp3_load_u16(o + 24);
    return true;
}

static void do_open(dnp3_outstation *os, const dnp3_apdu *req, uint8_t seq)
{
    const uint8_t *o;
    size_t n;
    file_cmd c;
    if (!single_object(req, 3, &o, &n) || !parse_command(o, n, &c)) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    uint32_t limit = (uint32_t)(c.mode == DNP3_FILE_MODE_READ ? os->cfg.max_tx_fragment - 4 - OBJ_HDR - 8
                                                              : os->cfg.max_rx_fragment - 2 - OBJ_HDR - 8);
    if (limit > 0xFFFF) limit = 0xFFFF;
    uint32_t block = c.block == 0 || c.block > limit ? limit : c.block;
    if (c.mode < DNP3_FILE_MODE_READ || c.mode > DNP3_FILE_MODE_APPEND) {
        respond_status(os, seq, 0, 0, 0, c.req_id, DNP3_FILE_INVALID_MODE);
        return;
    }
    if (!key_ok(os, c.auth_key) || (os->cfg.read_only && c.mode != DNP3_FILE_MODE_READ)) {
        respond_status(os, seq, 0, 0, 0, c.req_id, DNP3_FILE_PERMISSION_DENIED);
        return;
    }
    os_file *f = NULL; /* a free slot; one holding an expired handle only when no other is free */
    for (unsigned i = 0; i < OS_FILE_MAX && !f; i++)
        if (!os->files[i].used && !os->files[i].expired) f = &os->files[i];
    for (unsigned i = 0; i < OS_FILE_MAX && !f; i++)
        if (!os->files[i].used) f = &os->files[i];
    if (!f) {
        respond_status(os, seq, 0, 0, 0, c.req_id, DNP3_FILE_TOO_MANY_OPEN);
        return;
    }
    uint32_t handle = 0;
    dnp3_file_info fi;
    memset(&fi, 0, sizeof fi);
    fi.type = 1;
    fi.size = c.mode == DNP3_FILE_MODE_READ ? 0 : c.size;
    dnp3_file_status st = os->cb.file_open(os->cb.ctx, c.name, c.name_len, (dnp3_file_mode)c.mode, c.permissions,
                                           block, &handle, &fi);
    if (st == DNP3_FILE_SUCCESS && find(os, handle)) { /* the application reused a live handle */
        os->cb.file_close(os->cb.ctx, handle, false);
        st = DNP3_FILE_FATAL;
    }
    if (st != DNP3_FILE_SUCCESS) {
        respond_status(os, seq, 0, 0, 0, c.req_id, (uint8_t)st);
        return;
    }
    memset(f, 0, sizeof *f);
    f->used = true;
    f->handle = handle;
    f->mode = (uint8_t)c.mode;
    f->dir = c.mode == DNP3_FILE_MODE_READ && fi.type == 0;
    f->block_size = block;
    f->used_at = os->req_time;
    respond_status(os, seq, handle, fi.size, (uint16_t)block, c.req_id, DNP3_FILE_SUCCESS);
}

static void release(dnp3_outstation *os, os_file *f, bool keep, dnp3_file_status *st)
{
    dnp3_file_status s = DNP3_FILE_SUCCESS;
    if (os->cb.file_close) s = os->cb.file_close(os->cb.ctx, f->handle, keep);
    if (st) *st = s;
    f->used = false;
}

static void do_close(dnp3_outstation *os, const dnp3_apdu *req, uint8_t seq, bool abort)
{
    const uint8_t *o;
    size_t n;
    if (!single_object(req, 4, &o, &n) || n < 12) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    uint32_t handle = dnp3_load_u32(o);
    uint16_t req_id = dnp3_load_u16(o + 10);
    dnp3_file_status st = DNP3_FILE_SUCCESS;
    os_file *f = lookup(os, handle, &st);
    if (f) {
        bool keep = !abort && (f->mode == DNP3_FILE_MODE_READ || f->wrote_last);
        release(os, f, keep, &st);
        /* a write closed before its last block is discarded: say so */
        if (!abort && !keep && st == DNP3_FILE_SUCCESS) st = DNP3_FILE_BLOCK_SEQUENCE;
    }
    respond_status(os, seq, handle, 0, 0, req_id, (uint8_t)st);
}

static void do_delete(dnp3_outstation *os, const dnp3_apdu *req, uint8_t seq)
{
    const uint8_t *o;
    size_t n;
    file_cmd c;
    if (!single_object(req, 3, &o, &n) || !parse_command(o, n, &c)) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    dnp3_file_status st = os->cb.file_delete && key_ok(os, c.auth_key) && !os->cfg.read_only
                              ? os->cb.file_delete(os->cb.ctx, c.name, c.name_len)
                              : DNP3_FILE_PERMISSION_DENIED;
    respond_status(os, seq, 0, 0, 0, c.req_id, (uint8_t)st);
}

static void do_info(dnp3_outstation *os, const dnp3_apdu *req, uint8_t seq)
{
    const uint8_t *o;
    size_t n;
    if (!single_object(req, 7, &o, &n) || n < V7_FIXED) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    unsigned off = dnp3_load_u16(o), len = dnp3_load_u16(o + 2);
    uint16_t req_id = dnp3_load_u16(o + 18);
    if (len == 0 || !string_in(off, len, V7_FIXED, n)) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    dnp3_file_info fi;
    memset(&fi, 0, sizeof fi);
    dnp3_file_status st =
        os->cb.file_info ? os->cb.file_info(os->cb.ctx, (const char *)o + off, len, &fi) : DNP3_FILE_NOT_FOUND;
    if (st != DNP3_FILE_SUCCESS) {
        respond_status(os, seq, 0, 0, 0, req_id, (uint8_t)st);
        return;
    }
    clean_info(&fi);
    if (fi.name_len == 0) { /* the name asked for */
        fi.name_len = (uint16_t)(len > DNP3_FILE_NAME_MAX ? DNP3_FILE_NAME_MAX : len);
        memcpy(fi.name, o + off, fi.name_len);
    }
    dnp3_writer w;
    dnp3_wr_init(&w, os->sol + 4, os->cfg.max_tx_fragment - 4);
    uint8_t *p = begin_obj(&w, 7, V7_FIXED + fi.name_len);
    if (!p) { /* a long name in a small fragment */
        respond_status(os, seq, 0, 0, 0, req_id, DNP3_FILE_BUFFER_OVERRUN);
        return;
    }
    put_descriptor(p, &fi, req_id);
    respond_w(os, seq, 0, &w, true);
}

/* Directory entries from *index on, packed as g70v7 descriptors into p[0..cap). */
static dnp3_file_status list_dir(dnp3_outstation *os, os_file *f, uint32_t index, uint8_t *p, size_t cap,
                                 size_t *len, bool *last, uint32_t *next)
{
    size_t pos = 0;
    dnp3_file_info fi;
    *last = false;
    for (;;) {
        memset(&fi, 0, sizeof fi);
        dnp3_file_status st =
            os->cb.file_dir_entry ? os->cb.file_dir_entry(os->cb.ctx, f->handle, index, &fi) : DNP3_FILE_NOT_FOUND;
        if (st == DNP3_FILE_NOT_FOUND) {
            *last = true;
            break;
        }
        if (st != DNP3_FILE_SUCCESS) return st;
        clean_info(&fi);
        size_t need = V7_FIXED + fi.name_len;
        if (pos + need > cap) {
            if (pos == 0) return DNP3_FILE_BUFFER_OVERRUN; /* one entry larger than a block */
            break;
        }
        put_descriptor(p + pos, &fi, 0);
        pos += need;
        index++;
    }
    *len = pos;
    *next = index;
    return DNP3_FILE_SUCCESS;
}

void dnp3_os_file_read(dnp3_outstation *os, const dnp3_apdu *req)
{
    const uint8_t seq = dnp3_ac_seq(req->control);
    const uint8_t *o;
    size_t n;
    if (!single_object(req, 5, &o, &n) || n != 8) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, false);
        return;
    }
    uint32_t handle = dnp3_load_u32(o), block = dnp3_load_u32(o + 4) & ~LAST_BIT;
    dnp3_file_status st = DNP3_FILE_SUCCESS;
    os_file *f = lookup(os, handle, &st);
    if (f && f->mode != DNP3_FILE_MODE_READ)
        st = DNP3_FILE_PERMISSION_DENIED;
    else if (f && block != f->next_block && !(f->next_block > 0 && block == f->next_block - 1))
        st = DNP3_FILE_BLOCK_SEQUENCE;
    if (st != DNP3_FILE_SUCCESS) {
        respond_transport_status(os, seq, handle, block, (uint8_t)st, false);
        return;
    }
    const bool again = block != f->next_block;
    dnp3_writer w;
    dnp3_wr_init(&w, os->sol + 4, os->cfg.max_tx_fragment - 4);
    uint8_t *p = begin_obj(&w, 5, 8 + f->block_size);
    if (!p) {
        respond_transport_status(os, seq, handle, block, DNP3_FILE_FATAL, false);
        return;
    }
    size_t len = 0;
    bool last = false;
    uint32_t next = 0;
    if (f->dir) {
        st = list_dir(os, f, again ? f->dir_prev : f->dir_next, p + 8, f->block_size, &len, &last, &next);
    } else {
        st = os->cb.file_read ? os->cb.file_read(os->cb.ctx, handle, block, p + 8, f->block_size, &len, &last)
                              : DNP3_FILE_FATAL;
        if (len > f->block_size) st = DNP3_FILE_FATAL;
    }
    if (st != DNP3_FILE_SUCCESS) {
        respond_transport_status(os, seq, handle, block, (uint8_t)st, false);
        return;
    }
    if (f->dir) {
        if (!again) f->dir_prev = f->dir_next;
        f->dir_next = next;
    }
    f->next_block = block + 1;
    dnp3_store_u32(p, handle);
    dnp3_store_u32(p + 4, block | (last ? LAST_BIT : 0));
    dnp3_store_u16(p - 2, (uint16_t)(8 + len));
    w.pos = OBJ_HDR + 8 + len;
    respond_w(os, seq, 0, &w, false);
}

static void do_write(dnp3_outstation *os, const dnp3_apdu *req, uint8_t seq)
{
    const uint8_t *o;
    size_t n;
    if (!single_object(req, 5, &o, &n) || n < 8) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    uint32_t handle = dnp3_load_u32(o), word = dnp3_load_u32(o + 4), block = word & ~LAST_BIT;
    bool last = (word & LAST_BIT) != 0;
    dnp3_file_status st = DNP3_FILE_SUCCESS;
    os_file *f = lookup(os, handle, &st);
    if (!f) { /* st says why */
        respond_transport_status(os, seq, handle, word, (uint8_t)st, true);
        return;
    }
    if (f->mode == DNP3_FILE_MODE_READ || !os->cb.file_write)
        st = DNP3_FILE_PERMISSION_DENIED;
    else if (f->next_block > 0 && block == f->next_block - 1 && last == f->wrote_last)
        f = NULL; /* a retry of the block just written: acknowledged, not written twice */
    else if (f->wrote_last || block != f->next_block)
        st = DNP3_FILE_BLOCK_SEQUENCE;
    else if (n - 8 > f->block_size)
        st = DNP3_FILE_WRITE_BLOCK_SIZE;
    else
        st = os->cb.file_write(os->cb.ctx, handle, block, o + 8, n - 8, last);
    if (f && st == DNP3_FILE_SUCCESS) {
        f->next_block = block + 1;
        f->wrote_last = last;
    }
    respond_transport_status(os, seq, handle, word, (uint8_t)st, true);
}

bool dnp3_os_file_is_transfer(const dnp3_outstation *os, const dnp3_apdu *req)
{
    if (!os->cb.file_open || req->objects_len < 1) return false;
    return req->objects[0] == 70;
}

bool dnp3_os_file_supported(const dnp3_outstation *os, uint8_t fc)
{
    if (!os->cb.file_open) return false;
    if (fc == DNP3_FC_AUTHENTICATE_FILE) return os->cb.file_authenticate != NULL;
    return fc == DNP3_FC_OPEN_FILE || fc == DNP3_FC_CLOSE_FILE || fc == DNP3_FC_DELETE_FILE ||
           fc == DNP3_FC_GET_FILE_INFO || fc == DNP3_FC_ABORT_FILE;
}

/* AUTHENTICATE_FILE: the g70v2 object back with an empty name and password and the key (0 = refused). */
static void do_authenticate(dnp3_outstation *os, const dnp3_apdu *req, uint8_t seq)
{
    const uint8_t *o;
    size_t n;
    if (!single_object(req, 2, &o, &n) || n < V2_FIXED) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    unsigned uoff = dnp3_load_u16(o), ulen = dnp3_load_u16(o + 2);
    unsigned poff = dnp3_load_u16(o + 4), plen = dnp3_load_u16(o + 6);
    if ((ulen && !string_in(uoff, ulen, V2_FIXED, n)) || (plen && !string_in(poff, plen, V2_FIXED, n))) {
        dnp3_os_respond(os, seq, DNP3_IIN2_PARAMETER_ERROR, NULL, 0, true);
        return;
    }
    uint32_t key = 0;
    const char *user = ulen ? (const char *)o + uoff : "", *pw = plen ? (const char *)o + poff : "";
    if (!os->cb.file_authenticate(os->cb.ctx, user, ulen, pw, plen, &key)) key = 0;
    if (key) { /* the last OS_FILE_MAX keys stay valid */
        os->file_keys[os->file_key_next] = key;
        os->file_key_next = (uint8_t)((os->file_key_next + 1u) % OS_FILE_MAX);
    }
    dnp3_writer w;
    dnp3_wr_init(&w, os->sol + 4, os->cfg.max_tx_fragment - 4);
    uint8_t *p = begin_obj(&w, 2, V2_FIXED);
    if (p) {
        memset(p, 0, 8);
        dnp3_store_u32(p + 8, key);
    }
    respond_w(os, seq, 0, &w, true);
}

void dnp3_os_file_execute(dnp3_outstation *os, const dnp3_apdu *req)
{
    const uint8_t seq = dnp3_ac_seq(req->control);
    switch (req->function) {
    case DNP3_FC_OPEN_FILE: do_open(os, req, seq); break;
    case DNP3_FC_CLOSE_FILE: do_close(os, req, seq, false); break;
    case DNP3_FC_ABORT_FILE: do_close(os, req, seq, true); break;
    case DNP3_FC_DELETE_FILE: do_delete(os, req, seq); break;
    case DNP3_FC_GET_FILE_INFO: do_info(os, req, seq); break;
    case DNP3_FC_AUTHENTICATE_FILE: do_authenticate(os, req, seq); break;
    case DNP3_FC_WRITE: do_write(os, req, seq); break;
    default: dnp3_os_respond(os, seq, DNP3_IIN2_NO_FUNC_CODE_SUPPORT, NULL, 0, true); break;
    }
}

void dnp3_os_file_offline(dnp3_outstation *os)
{
    for (unsigned i = 0; i < OS_FILE_MAX; i++) {
        if (os->files[i].used) release(os, &os->files[i], false, NULL);
        os->files[i].expired = false;
        os->file_keys[i] = 0;
    }
}

dnp3_tstamp dnp3_os_file_expiry(const dnp3_outstation *os)
{
    dnp3_tstamp t = DNP3_TSTAMP_NEVER;
    if (os->cfg.file_timeout_ms == 0) return t;
    for (unsigned i = 0; i < OS_FILE_MAX; i++)
        if (os->files[i].used && os->files[i].used_at + os->cfg.file_timeout_ms < t)
            t = os->files[i].used_at + os->cfg.file_timeout_ms;
    return t;
}

void dnp3_os_file_timer(dnp3_outstation *os, dnp3_tstamp now)
{
    if (os->cfg.file_timeout_ms == 0) return;
    for (unsigned i = 0; i < OS_FILE_MAX; i++) {
        os_file *f = &os->files[i];
        if (!f->used || now < f->used_at + os->cfg.file_timeout_ms) continue;
        release(os, f, false, NULL); /* what was written is not kept */
        f->expired = true;
    }
}
