/*
 * memfs.h - an in-memory file store behind the outstation's file-transfer callbacks
 * (dnp3_outstation_callbacks file_*), for the session and loopback tests. "." is the only
 * directory and lists every file. A write becomes visible only when closed with keep = true.
 * Header-only (static inline).
 */
#ifndef DNP3_TEST_MEMFS_H
#define DNP3_TEST_MEMFS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/outstation.h"

#define MEMFS_FILES 8
#define MEMFS_OPEN 8

typedef struct {
    bool used;
    char name[64];
    uint8_t *data;
    size_t len;
} memfs_file;

typedef struct {
    bool used, write, dir;
    uint32_t handle;
    int file; /* reads: index into files */
    uint32_t block_size;
    char name[64];
    uint8_t *buf; /* writes */
    size_t len;
} memfs_open;

typedef struct {
    memfs_file files[MEMFS_FILES];
    memfs_open open[MEMFS_OPEN];
    uint32_t next_handle;
    int kept, dropped; /* closes with keep true / false */
    int reads, writes;
} memfs;

static inline int memfs_find(const memfs *fs, const char *name, size_t len)
{
    for (int i = 0; i < MEMFS_FILES; i++)
        if (fs->files[i].used && strlen(fs->files[i].name) == len && !memcmp(fs->files[i].name, name, len))
            return i;
    return -1;
}

/* Stores a copy of data under name (replacing a file of that name). */
static inline void memfs_put(memfs *fs, const char *name, const uint8_t *data, size_t len)
{
    int i = memfs_find(fs, name, strlen(name));
    if (i < 0)
        for (i = 0; i < MEMFS_FILES && fs->files[i].used; i++) {
        }
    if (i >= MEMFS_FILES) return;
    memfs_file *f = &fs->files[i];
    free(f->data);
    f->used = true;
    size_t nl = strlen(name);
    if (nl >= sizeof f->name) nl = sizeof f->name - 1;
    memmove(f->name, name, nl);
    f->name[nl] = 0;
    f->data = malloc(len ? len : 1);
    if (len) memcpy(f->data, data, len);
    f->len = len;
}

static inline void memfs_free(memfs *fs)
{
    for (int i = 0; i < MEMFS_FILES; i++) free(fs->files[i].data);
    for (int i = 0; i < MEMFS_OPEN; i++) free(fs->open[i].buf);
    memset(fs, 0, sizeof *fs);
}

static inline memfs_open *memfs_slot(memfs *fs, uint32_t handle)
{
    for (int i = 0; i < MEMFS_OPEN; i++)
        if (fs->open[i].used && fs->open[i].handle == handle) return &fs->open[i];
    return NULL;
}

static inline void memfs_info_of(const memfs_file *f, dnp3_file_info *fi, bool with_name)
{
    fi->type = 1;
    fi->size = (uint32_t)f->len;
    fi->created = 0;
    fi->permissions = 0644;
    fi->name_len = 0;
    if (with_name) {
        fi->name_len = (uint16_t)strlen(f->name);
        memcpy(fi->name, f->name, fi->name_len);
    }
}

static inline dnp3_file_status memfs_open_cb(void *ctx, const char *name, size_t name_len, dnp3_file_mode mode,
                                             uint16_t permissions, uint32_t block_size, uint32_t *handle,
                                             dnp3_file_info *info)
{
    memfs *fs = ctx;
    (void)permissions;
    if (name_len >= 64) return DNP3_FILE_NOT_FOUND;
    memfs_open *o = NULL;
    for (int i = 0; i < MEMFS_OPEN && !o; i++)
        if (!fs->open[i].used) o = &fs->open[i];
    if (!o) return DNP3_FILE_TOO_MANY_OPEN;
    memset(o, 0, sizeof *o);
    o->block_size = block_size;
    if (mode == DNP3_FILE_MODE_READ) {
        if (name_len == 1 && name[0] == '.') {
            o->dir = true;
            info->type = 0;
            info->size = 0;
            for (int i = 0; i < MEMFS_FILES; i++) info->size += fs->files[i].used;
        } else {
            int i = memfs_find(fs, name, name_len);
            if (i < 0) return DNP3_FILE_NOT_FOUND;
            o->file = i;
            memfs_info_of(&fs->files[i], info, false);
        }
    } else if (mode == DNP3_FILE_MODE_WRITE) {
        o->write = true;
        memcpy(o->name, name, name_len);
        o->name[name_len] = 0;
    } else {
        return DNP3_FILE_INVALID_MODE;
    }
    o->used = true;
    o->handle = ++fs->next_handle;
    *handle = o->handle;
    return DNP3_FILE_SUCCESS;
}

static inline dnp3_file_status memfs_read_cb(void *ctx, uint32_t handle, uint32_t block, uint8_t *buf, size_t cap,
                                             size_t *len, bool *last)
{
    memfs *fs = ctx;
    memfs_open *o = memfs_slot(fs, handle);
    if (!o || o->write || o->dir) return DNP3_FILE_INVALID_HANDLE;
    const memfs_file *f = &fs->files[o->file];
    size_t off = (size_t)block * o->block_size;
    if (off > f->len) return DNP3_FILE_BLOCK_SEQUENCE;
    size_t n = f->len - off;
    if (n > cap) n = cap;
    memcpy(buf, f->data + off, n);
    *len = n;
    *last = off + n >= f->len;
    fs->reads++;
    return DNP3_FILE_SUCCESS;
}

static inline dnp3_file_status memfs_write_cb(void *ctx, uint32_t handle, uint32_t block, const uint8_t *data,
                                              size_t len, bool last)
{
    memfs *fs = ctx;
    (void)block;
    (void)last;
    memfs_open *o = memfs_slot(fs, handle);
    if (!o || !o->write) return DNP3_FILE_INVALID_HANDLE;
    uint8_t *b = realloc(o->buf, o->len + len + 1);
    if (!b) return DNP3_FILE_FATAL;
    memcpy(b + o->len, data, len);
    o->buf = b;
    o->len += len;
    fs->writes++;
    return DNP3_FILE_SUCCESS;
}

static inline dnp3_file_status memfs_close_cb(void *ctx, uint32_t handle, bool keep)
{
    memfs *fs = ctx;
    memfs_open *o = memfs_slot(fs, handle);
    if (!o) return DNP3_FILE_INVALID_HANDLE;
    if (keep)
        fs->kept++;
    else
        fs->dropped++;
    if (o->write && keep) memfs_put(fs, o->name, o->buf, o->len);
    free(o->buf);
    memset(o, 0, sizeof *o);
    return DNP3_FILE_SUCCESS;
}

static inline dnp3_file_status memfs_delete_cb(void *ctx, const char *name, size_t name_len)
{
    memfs *fs = ctx;
    int i = memfs_find(fs, name, name_len);
    if (i < 0) return DNP3_FILE_NOT_FOUND;
    free(fs->files[i].data);
    memset(&fs->files[i], 0, sizeof fs->files[i]);
    return DNP3_FILE_SUCCESS;
}

static inline dnp3_file_status memfs_info_cb(void *ctx, const char *name, size_t name_len, dnp3_file_info *info)
{
    memfs *fs = ctx;
    int i = memfs_find(fs, name, name_len);
    if (i < 0) return DNP3_FILE_NOT_FOUND;
    memfs_info_of(&fs->files[i], info, false);
    return DNP3_FILE_SUCCESS;
}

static inline dnp3_file_status memfs_dir_cb(void *ctx, uint32_t handle, uint32_t index, dnp3_file_info *info)
{
    memfs *fs = ctx;
    memfs_open *o = memfs_slot(fs, handle);
    if (!o || !o->dir) return DNP3_FILE_INVALID_HANDLE;
    uint32_t n = 0;
    for (int i = 0; i < MEMFS_FILES; i++) {
        if (!fs->files[i].used) continue;
        if (n++ == index) {
            memfs_info_of(&fs->files[i], info, true);
            return DNP3_FILE_SUCCESS;
        }
    }
    return DNP3_FILE_NOT_FOUND;
}

/* Sets the file_* callbacks and ctx = fs. */
static inline void memfs_install(memfs *fs, dnp3_outstation_callbacks *cb)
{
    cb->ctx = fs;
    cb->file_open = memfs_open_cb;
    cb->file_read = memfs_read_cb;
    cb->file_write = memfs_write_cb;
    cb->file_close = memfs_close_cb;
    cb->file_delete = memfs_delete_cb;
    cb->file_info = memfs_info_cb;
    cb->file_dir_entry = memfs_dir_cb;
}

#endif
