/*
 * file.c - file transfer, master side (IEEE 1815-2012 file transfer procedures, group 70), as a
 * chain of user requests (dnp3_master_request): each step's task callback reads the g70 answer
 * from dnp3_task_info::objects and submits the next step.
 *
 *   GET / LIST  OPEN_FILE g70v3 (mode READ) -> g70v4; READ g70v5 (handle, block) -> g70v5 data
 *               (bit 31 = last) until the last block; CLOSE_FILE g70v4 -> g70v4
 *   PUT         OPEN_FILE g70v3 (mode WRITE, size, permissions) -> g70v4; WRITE g70v5 -> g70v6
 *               per block, the last with bit 31; CLOSE_FILE -> g70v4
 *   DELETE      DELETE_FILE g70v3 (mode NULL) -> g70v4
 *   INFO        GET_FILE_INFO g70v7 -> g70v7 (or g70v4 with the failure status)
 *   with a user AUTHENTICATE_FILE g70v2 (user name, password) -> g70v2 with the authentication key
 *               first (0: refused, PERMISSION_DENIED); OPEN_FILE and DELETE_FILE then carry the key
 * A READ, WRITE or CLOSE_FILE that times out is sent again (up to FILE_RETRIES times): the
 * outstation serves a block again and acknowledges the block just written without writing it twice;
 * a CLOSE_FILE retried after a lost answer may find the handle gone (INVALID_HANDLE: taken as closed).
 * Every object goes with qualifier 0x5B (count 1, 2-octet size). A failed step after a
 * successful OPEN_FILE still closes the file (ABORT_FILE for a PUT, so nothing half-written is
 * kept); the result reports the first failure.
 */
#include <string.h>

#include "app/g70_header.h"
#include "core/cursor.h"
#include "master/master_internal.h"

#define V2_FIXED 12u
#define V3_FIXED 26u
#define V7_FIXED 20u
#define LAST_BIT 0x80000000u
#define OBJ_HDR DNP3_G70_HDR
#define FILE_RETRIES 3

enum { ST_OPEN = 0, ST_BLOCK, ST_CLOSE, ST_SINGLE, ST_AUTH };

static void step_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info);

/* The single g70v`var` object of a response (qualifier 0x5B, count 1). */
static bool answer(const dnp3_task_info *info, uint8_t var, const uint8_t **obj, size_t *n)
{
    if (!info->objects || info->objects_len < OBJ_HDR) return false;
    const uint8_t *p = info->objects;
    if (p[0] != 70 || p[1] != var || p[2] != 0x5B || p[3] != 1) return false;
    size_t size = dnp3_load_u16(p + 4);
    if (OBJ_HDR + size > info->objects_len) return false;
    *obj = p + OBJ_HDR;
    *n = size;
    return true;
}

static uint8_t *begin_obj(uint8_t *p, uint8_t var, size_t size)
{
    return dnp3_g70_put_header(p, var, size);
}

static int submit(dnp3_file_transfer *ft, uint8_t fc, const uint8_t *obj, size_t len, dnp3_tstamp now)
{
    return dnp3_master_request(ft->assoc, fc, obj, len, step_done, ft, now);
}

static void finish(dnp3_file_transfer *ft)
{
    dnp3_file_result r;
    memset(&r, 0, sizeof r);
    r.op = ft->op;
    r.task = ft->task;
    r.status = ft->status;
    r.size = ft->op == DNP3_FILE_OP_PUT ? (uint32_t)ft->octets : ft->size;
    r.octets = ft->octets;
    r.blocks = ft->block;
    r.info = ft->op == DNP3_FILE_OP_INFO && !ft->failed ? &ft->info : NULL;
    r.ok = !ft->failed && ft->task == DNP3_TASK_SUCCESS && ft->status == DNP3_FILE_SUCCESS;
    if (r.ok && ft->op == DNP3_FILE_OP_GET) r.ok = ft->last && ft->octets == ft->size;
    if (r.ok && ft->op == DNP3_FILE_OP_LIST) r.ok = ft->last;
    ft->active = false;
    if (ft->h.done) ft->h.done(ft->h.ctx, &r);
}

static void fail(dnp3_file_transfer *ft, dnp3_task_result task, dnp3_file_status st)
{
    if (ft->failed) return;
    ft->failed = true;
    ft->task = task;
    ft->status = st;
}

/* Closes (or, for a PUT that failed, aborts) the open file; finishes when that cannot be sent. */
static void close_file(dnp3_file_transfer *ft, dnp3_tstamp now)
{
    uint8_t buf[OBJ_HDR + 13];
    uint8_t *p = begin_obj(buf, 4, 13);
    memset(p, 0, 13);
    dnp3_store_u32(p, ft->handle);
    dnp3_store_u16(p + 10, ft->req_id);
    ft->step = ST_CLOSE;
    uint8_t fc = ft->op == DNP3_FILE_OP_PUT && ft->failed ? DNP3_FC_ABORT_FILE : DNP3_FC_CLOSE_FILE;
    if (submit(ft, fc, buf, sizeof buf, now) != DNP3_OK) {
        fail(ft, DNP3_TASK_CANCELLED, DNP3_FILE_SUCCESS);
        finish(ft);
    }
}

static void parse_listing(dnp3_file_transfer *ft, const uint8_t *d, size_t n)
{
    while (n >= V7_FIXED) {
        unsigned off = dnp3_load_u16(d), len = dnp3_load_u16(d + 2);
        if (len > DNP3_FILE_NAME_MAX || (len && (off < V7_FIXED || (size_t)off + len > n))) {
            fail(ft, DNP3_TASK_SUCCESS, DNP3_FILE_UNDEFINED);
            return;
        }
        dnp3_file_info fi;
        memset(&fi, 0, sizeof fi);
        fi.type = dnp3_load_u16(d + 4);
        fi.size = dnp3_load_u32(d + 6);
        fi.created = dnp3_load_u48(d + 10);
        fi.permissions = dnp3_load_u16(d + 16);
        fi.name_len = (uint16_t)len;
        if (len) memcpy(fi.name, d + off, len);
        if (ft->h.entry) ft->h.entry(ft->h.ctx, &fi);
        size_t used = len ? (size_t)off + len : V7_FIXED;
        d += used;
        n -= used;
    }
    if (n) fail(ft, DNP3_TASK_SUCCESS, DNP3_FILE_UNDEFINED);
}

/* READ g70v5 for the next block, or WRITE g70v5 with it. */
static void next_block(dnp3_file_transfer *ft, dnp3_tstamp now)
{
    dnp3_master *m = ft->assoc->m;
    ft->step = ST_BLOCK;
    if (ft->op != DNP3_FILE_OP_PUT) {
        uint8_t buf[OBJ_HDR + 8];
        uint8_t *p = begin_obj(buf, 5, 8);
        dnp3_store_u32(p, ft->handle);
        dnp3_store_u32(p + 4, ft->block);
        if (submit(ft, DNP3_FC_READ, buf, sizeof buf, now) != DNP3_OK) {
            fail(ft, DNP3_TASK_CANCELLED, DNP3_FILE_SUCCESS);
            close_file(ft, now);
        }
        return;
    }
    uint8_t *buf = m->txbuf; /* free between tasks: requests are built from the queued copy */
    size_t cap = ft->block_size;
    bool last = false;
    long n = ft->h.fill(ft->h.ctx, ft->block, buf + OBJ_HDR + 8, cap, &last);
    if (n < 0 || (size_t)n > cap) {
        fail(ft, DNP3_TASK_SUCCESS, DNP3_FILE_UNDEFINED);
        close_file(ft, now);
        return;
    }
    uint8_t *p = begin_obj(buf, 5, 8 + (size_t)n);
    dnp3_store_u32(p, ft->handle);
    dnp3_store_u32(p + 4, ft->block | (last ? LAST_BIT : 0));
    ft->last = last;
    ft->size = (uint32_t)n; /* this block's length until it is confirmed */
    if (submit(ft, DNP3_FC_WRITE, buf, OBJ_HDR + 8 + (size_t)n, now) != DNP3_OK) {
        fail(ft, DNP3_TASK_CANCELLED, DNP3_FILE_SUCCESS);
        close_file(ft, now);
    }
}

static void on_open(dnp3_file_transfer *ft, const dnp3_task_info *info)
{
    const uint8_t *o;
    size_t n;
    if (!answer(info, 4, &o, &n) || n < 13) {
        fail(ft, DNP3_TASK_MISSING_OBJECT, DNP3_FILE_SUCCESS);
        finish(ft);
        return;
    }
    dnp3_file_status st = (dnp3_file_status)o[12];
    if (st != DNP3_FILE_SUCCESS) {
        fail(ft, DNP3_TASK_SUCCESS, st);
        finish(ft);
        return;
    }
    ft->handle = dnp3_load_u32(o);
    uint16_t granted = dnp3_load_u16(o + 8);
    if (granted == 0 || (ft->block_size && granted > ft->block_size)) {
        fail(ft, DNP3_TASK_SUCCESS, DNP3_FILE_WRITE_BLOCK_SIZE);
        close_file(ft, info->now);
        return;
    }
    ft->block_size = granted;
    if (ft->op != DNP3_FILE_OP_PUT) ft->size = dnp3_load_u32(o + 4);
    next_block(ft, info->now);
}

static void on_block(dnp3_file_transfer *ft, const dnp3_task_info *info)
{
    const uint8_t *o;
    size_t n;
    if (answer(info, 6, &o, &n) && n >= 9) { /* transport status */
        dnp3_file_status st = (dnp3_file_status)o[8];
        uint32_t word = dnp3_load_u32(o + 4);
        if (ft->op == DNP3_FILE_OP_PUT && st == DNP3_FILE_SUCCESS && dnp3_load_u32(o) == ft->handle &&
            (word & ~LAST_BIT) == ft->block) {
            ft->octets += ft->size;
            ft->block++;
            if (ft->h.progress) ft->h.progress(ft->h.ctx, ft->octets, 0);
            if (ft->last)
                close_file(ft, info->now);
            else
                next_block(ft, info->now);
            return;
        }
        fail(ft, DNP3_TASK_SUCCESS, st == DNP3_FILE_SUCCESS ? DNP3_FILE_BLOCK_SEQUENCE : st);
        close_file(ft, info->now);
        return;
    }
    if (ft->op == DNP3_FILE_OP_PUT || !answer(info, 5, &o, &n) || n < 8 || dnp3_load_u32(o) != ft->handle ||
        (dnp3_load_u32(o + 4) & ~LAST_BIT) != ft->block || n - 8 > ft->block_size) {
        fail(ft, DNP3_TASK_MISSING_OBJECT, DNP3_FILE_SUCCESS);
        close_file(ft, info->now);
        return;
    }
    bool last = (dnp3_load_u32(o + 4) & LAST_BIT) != 0;
    if (ft->op == DNP3_FILE_OP_LIST) {
        parse_listing(ft, o + 8, n - 8);
    } else if (ft->h.data && !ft->h.data(ft->h.ctx, ft->block, o + 8, n - 8)) {
        fail(ft, DNP3_TASK_SUCCESS, DNP3_FILE_UNDEFINED);
    }
    ft->octets += n - 8;
    ft->block++;
    if (ft->op == DNP3_FILE_OP_GET && ft->octets > ft->size) fail(ft, DNP3_TASK_SUCCESS, DNP3_FILE_BUFFER_OVERRUN);
    if (ft->h.progress) ft->h.progress(ft->h.ctx, ft->octets, ft->op == DNP3_FILE_OP_GET ? ft->size : 0);
    ft->last = last;
    if (last || ft->failed)
        close_file(ft, info->now);
    else
        next_block(ft, info->now);
}

static void on_close(dnp3_file_transfer *ft, const dnp3_task_info *info)
{
    const uint8_t *o;
    size_t n;
    if (!answer(info, 4, &o, &n) || n < 13)
        fail(ft, DNP3_TASK_MISSING_OBJECT, DNP3_FILE_SUCCESS);
    else if (o[12] == DNP3_FILE_INVALID_HANDLE && ft->retries > 0 && !ft->failed)
        ; /* the first CLOSE_FILE did it; its answer was lost */
    else if (o[12] != DNP3_FILE_SUCCESS)
        fail(ft, DNP3_TASK_SUCCESS, (dnp3_file_status)o[12]);
    finish(ft);
}

static void on_single(dnp3_file_transfer *ft, const dnp3_task_info *info)
{
    const uint8_t *o;
    size_t n;
    if (ft->op == DNP3_FILE_OP_INFO && answer(info, 7, &o, &n) && n >= V7_FIXED) {
        unsigned off = dnp3_load_u16(o), len = dnp3_load_u16(o + 2);
        memset(&ft->info, 0, sizeof ft->info);
        ft->info.type = dnp3_load_u16(o + 4);
        ft->info.size = dnp3_load_u32(o + 6);
        ft->info.created = dnp3_load_u48(o + 10);
        ft->info.permissions = dnp3_load_u16(o + 16);
        if (len <= DNP3_FILE_NAME_MAX && off >= V7_FIXED && (size_t)off + len <= n) {
            ft->info.name_len = (uint16_t)len;
            memcpy(ft->info.name, o + off, len);
        }
        ft->size = ft->info.size;
    } else if (answer(info, 4, &o, &n) && n >= 13) {
        if (o[12] != DNP3_FILE_SUCCESS || ft->op == DNP3_FILE_OP_INFO)
            fail(ft, DNP3_TASK_SUCCESS, o[12] ? (dnp3_file_status)o[12] : DNP3_FILE_UNDEFINED);
    } else {
        fail(ft, DNP3_TASK_MISSING_OBJECT, DNP3_FILE_SUCCESS);
    }
    finish(ft);
}

static int send_command(dnp3_file_transfer *ft, uint32_t key, dnp3_tstamp now);

/* AUTHENTICATE_FILE answered: the key goes into the OPEN_FILE or DELETE_FILE; 0 means refused. */
static void on_auth(dnp3_file_transfer *ft, const dnp3_task_info *info)
{
    const uint8_t *o;
    size_t n;
    if (!answer(info, 2, &o, &n) || n < V2_FIXED) {
        fail(ft, DNP3_TASK_MISSING_OBJECT, DNP3_FILE_SUCCESS);
        finish(ft);
        return;
    }
    uint32_t key = dnp3_load_u32(o + 8);
    if (key == 0) {
        fail(ft, DNP3_TASK_SUCCESS, DNP3_FILE_PERMISSION_DENIED);
        finish(ft);
        return;
    }
    if (send_command(ft, key, info->now) != DNP3_OK) {
        fail(ft, DNP3_TASK_CANCELLED, DNP3_FILE_SUCCESS);
        finish(ft);
    }
}

static void step_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info)
{
    dnp3_file_transfer *ft = ctx;
    (void)a;
    if (!ft->active) return;
    if (info->result == DNP3_TASK_TIMEOUT && (ft->step == ST_BLOCK || ft->step == ST_CLOSE) &&
        ft->retries < FILE_RETRIES) {
        ft->retries++;
        if (ft->step == ST_CLOSE)
            close_file(ft, info->now);
        else
            next_block(ft, info->now);
        return;
    }
    if (ft->step != ST_CLOSE) ft->retries = 0;
    if (info->result != DNP3_TASK_SUCCESS) {
        fail(ft, info->result, DNP3_FILE_SUCCESS);
        /* the file may be open: close it, unless the association or the connection is gone (the
         * outstation closes every file when the connection drops) or the close itself failed */
        if (ft->step == ST_BLOCK && info->result != DNP3_TASK_CANCELLED &&
            info->result != DNP3_TASK_DISCONNECTED && info->result != DNP3_TASK_START_TIMEOUT)
            close_file(ft, info->now);
        else
            finish(ft);
        return;
    }
    switch (ft->step) {
    case ST_OPEN: on_open(ft, info); break;
    case ST_BLOCK: on_block(ft, info); break;
    case ST_CLOSE: on_close(ft, info); break;
    case ST_AUTH: on_auth(ft, info); break;
    default: on_single(ft, info); break;
    }
}

/* Checks the arguments and fills ft for op (file_size kept in ft->size until the OPEN_FILE). */
static int prepare(dnp3_master_assoc *a, dnp3_file_transfer *ft, dnp3_file_op op, const char *name,
                   size_t name_len, uint16_t block_size, uint32_t file_size, uint16_t permissions,
                   const dnp3_file_handler *handler)
{
    if (!a || !ft || !handler || !name || name_len == 0 || name_len > DNP3_FILE_NAME_MAX || op > DNP3_FILE_OP_LIST)
        return DNP3_ERR_INVALID_ARG;
    if (op == DNP3_FILE_OP_PUT && !handler->fill) return DNP3_ERR_INVALID_ARG;
    if (ft->active && ft->assoc == a) return DNP3_ERR_STATE;
    if (!a->in_use) return DNP3_ERR_INVALID_ARG;
    const size_t put_max = a->m->cfg.task_buffer_size - OBJ_HDR - 8;
    if (op == DNP3_FILE_OP_PUT && (block_size == 0 || block_size > put_max)) block_size = (uint16_t)put_max;
    memset(ft, 0, sizeof *ft);
    ft->assoc = a;
    ft->h = *handler;
    ft->op = op;
    ft->name_len = (uint16_t)name_len;
    memcpy(ft->name, name, name_len);
    ft->block_size = block_size;
    ft->permissions = permissions;
    ft->size = file_size;
    ft->req_id = (uint16_t)(a->next_token & 0xFFFF);
    ft->status = DNP3_FILE_SUCCESS;
    ft->task = DNP3_TASK_SUCCESS;
    return DNP3_OK;
}

/* The transfer's first command: GET_FILE_INFO g70v7, DELETE_FILE or OPEN_FILE g70v3 (with `key`, the
 * authentication key of AUTHENTICATE_FILE or 0). */
static int send_command(dnp3_file_transfer *ft, uint32_t key, dnp3_tstamp now)
{
    uint8_t buf[OBJ_HDR + V3_FIXED + DNP3_FILE_NAME_MAX];
    const size_t name_len = ft->name_len;
    const dnp3_file_op op = ft->op;
    int rc;
    if (op == DNP3_FILE_OP_INFO) {
        uint8_t *p = begin_obj(buf, 7, V7_FIXED + name_len);
        memset(p, 0, V7_FIXED);
        dnp3_store_u16(p, V7_FIXED);
        dnp3_store_u16(p + 2, (uint16_t)name_len);
        dnp3_store_u16(p + 18, ft->req_id);
        memcpy(p + V7_FIXED, ft->name, name_len);
        ft->step = ST_SINGLE;
        ft->active = true;
        rc = submit(ft, DNP3_FC_GET_FILE_INFO, buf, OBJ_HDR + V7_FIXED + name_len, now);
    } else {
        uint8_t *p = begin_obj(buf, 3, V3_FIXED + name_len);
        memset(p, 0, V3_FIXED);
        dnp3_store_u16(p, V3_FIXED);
        dnp3_store_u16(p + 2, (uint16_t)name_len);
        uint16_t mode = op == DNP3_FILE_OP_DELETE ? DNP3_FILE_MODE_NULL
                        : op == DNP3_FILE_OP_PUT  ? DNP3_FILE_MODE_WRITE
                                                  : DNP3_FILE_MODE_READ;
        if (op == DNP3_FILE_OP_PUT) {
            dnp3_store_u16(p + 10, ft->permissions);
            dnp3_store_u32(p + 16, ft->size);
        }
        dnp3_store_u32(p + 12, key);
        dnp3_store_u16(p + 20, mode);
        dnp3_store_u16(p + 22, op == DNP3_FILE_OP_DELETE ? 0 : ft->block_size);
        dnp3_store_u16(p + 24, ft->req_id);
        memcpy(p + V3_FIXED, ft->name, name_len);
        ft->step = op == DNP3_FILE_OP_DELETE ? ST_SINGLE : ST_OPEN;
        ft->active = true;
        rc = submit(ft, op == DNP3_FILE_OP_DELETE ? DNP3_FC_DELETE_FILE : DNP3_FC_OPEN_FILE, buf,
                    OBJ_HDR + V3_FIXED + name_len, now);
    }
    if (rc != DNP3_OK) ft->active = false;
    return rc;
}

int dnp3_master_file_start(dnp3_master_assoc *a, dnp3_file_transfer *ft, dnp3_file_op op, const char *name,
                           size_t name_len, uint16_t block_size, uint32_t file_size, uint16_t permissions,
                           const dnp3_file_handler *handler, dnp3_tstamp now)
{
    int rc = prepare(a, ft, op, name, name_len, block_size, file_size, permissions, handler);
    return rc != DNP3_OK ? rc : send_command(ft, 0, now);
}

int dnp3_master_file_start_auth(dnp3_master_assoc *a, dnp3_file_transfer *ft, dnp3_file_op op, const char *name,
                                size_t name_len, uint16_t block_size, uint32_t file_size, uint16_t permissions,
                                const char *user, size_t user_len, const char *password, size_t password_len,
                                const dnp3_file_handler *handler, dnp3_tstamp now)
{
    if (!user || !password || user_len == 0 || user_len > DNP3_FILE_NAME_MAX || password_len > DNP3_FILE_NAME_MAX)
        return DNP3_ERR_INVALID_ARG;
    int rc = prepare(a, ft, op, name, name_len, block_size, file_size, permissions, handler);
    if (rc != DNP3_OK) return rc;
    if (op == DNP3_FILE_OP_INFO) return send_command(ft, 0, now); /* GET_FILE_INFO carries no key */
    uint8_t buf[OBJ_HDR + V2_FIXED + 2 * DNP3_FILE_NAME_MAX];
    uint8_t *p = begin_obj(buf, 2, V2_FIXED + user_len + password_len);
    dnp3_store_u16(p, V2_FIXED);
    dnp3_store_u16(p + 2, (uint16_t)user_len);
    dnp3_store_u16(p + 4, (uint16_t)(V2_FIXED + user_len));
    dnp3_store_u16(p + 6, (uint16_t)password_len);
    dnp3_store_u32(p + 8, 0);
    memcpy(p + V2_FIXED, user, user_len);
    if (password_len) memcpy(p + V2_FIXED + user_len, password, password_len);
    ft->step = ST_AUTH;
    ft->active = true;
    rc = submit(ft, DNP3_FC_AUTHENTICATE_FILE, buf, OBJ_HDR + V2_FIXED + user_len + password_len, now);
    dnp3_zeroize(buf, sizeof buf); /* the password */
    if (rc != DNP3_OK) ft->active = false;
    return rc;
}
