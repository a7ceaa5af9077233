/*
 * file_root.c - one folder served by `dnp3 outstation --file-root` (see file_root.h).
 */
#include "file_root.h"
#include "secret_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "dnp3/crypto.h"
#include "outstation_app.h"

#define TMP_PREFIX ".dnp3-partial-"

dnp3_file_status file_root_check_name(const char *name, size_t len, char out[256])
{
    if (len == 0 || len > 255) return DNP3_FILE_PERMISSION_DENIED;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch < 0x20 || ch == 0x7F) return DNP3_FILE_PERMISSION_DENIED;
    }
    memcpy(out, name, len);
    out[len] = 0;
    if (!strcmp(out, ".")) return DNP3_FILE_SUCCESS;
    if (out[0] == '/') return DNP3_FILE_PERMISSION_DENIED;
    const char *p = out;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return DNP3_FILE_PERMISSION_DENIED;
        if (!strncmp(p, TMP_PREFIX, strlen(TMP_PREFIX))) return DNP3_FILE_PERMISSION_DENIED;
        if (!slash) break;
        p = slash + 1;
    }
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status from_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return DNP3_FILE_NOT_FOUND;
    case ELOOP:
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR: return DNP3_FILE_PERMISSION_DENIED;
    case EMFILE:
    case ENFILE: return DNP3_FILE_TOO_MANY_OPEN;
    case EBUSY:
    case ETXTBSY: return DNP3_FILE_LOCKED;
    case ENOSPC:
    case EFBIG: return DNP3_FILE_BUFFER_OVERRUN;
    default: return DNP3_FILE_FATAL;
    }
}

/* Opens the folder that holds the last component of `path` (every folder with O_NOFOLLOW) and
 * points *leaf at that component. Returns the folder's descriptor, or -1 with errno set. */
static int open_parent(const file_root *r, char *path, const char **leaf)
{
    int fd = dup(r->dirfd);
    if (fd < 0) return -1;
    char *p = path;
    for (;;) {
        char *slash = strchr(p, '/');
        if (!slash) break;
        *slash = 0;
        int next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        struct stat sb;
        if (next < 0 && e == ENOTDIR && fstatat(fd, p, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
            e = ELOOP; /* a link to a folder: refused like any link, not "not found" */
        *slash = '/';
        close(fd);
        if (next < 0) {
            errno = e;
            return -1;
        }
        fd = next;
        p = slash + 1;
    }
    *leaf = p;
    return fd;
}

/* The descriptor of a checked name, opened with O_NOFOLLOW all the way; -1 with errno set. */
static int open_name(const file_root *r, const char *checked, int flags)
{
    if (!strcmp(checked, ".")) return openat(r->dirfd, ".", flags | O_CLOEXEC);
    char path[256];
    snprintf(path, sizeof path, "%s", checked);
    const char *leaf = NULL;
    int parent = open_parent(r, path, &leaf);
    if (parent < 0) return -1;
    int fd = openat(parent, leaf, flags | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    close(parent);
    errno = e;
    return fd;
}

static void fill_info(dnp3_file_info *fi, const struct stat *st, const char *name)
{
    fi->type = S_ISDIR(st->st_mode) ? 0 : 1;
    fi->size = st->st_size > (off_t)UINT32_MAX ? UINT32_MAX : (uint32_t)st->st_size;
    fi->created = (dnp3_time48)st->st_mtime * 1000u;
    fi->permissions = (uint16_t)(st->st_mode & 0777);
    size_t n = name ? strlen(name) : 0;
    if (n > DNP3_FILE_NAME_MAX) n = DNP3_FILE_NAME_MAX;
    fi->name_len = (uint16_t)n;
    if (n) memcpy(fi->name, name, n);
}

static file_root *root_of(void *ctx)
{
    return ((outstation_app *)ctx)->files;
}

static file_root_open_file *slot_of(file_root *r, uint32_t handle)
{
    for (unsigned i = 0; i < FILE_ROOT_MAX_OPEN; i++)
        if (r->open[i].used && r->open[i].handle == handle) return &r->open[i];
    return NULL;
}

static dnp3_file_status fr_open(void *ctx, const char *name, size_t name_len, dnp3_file_mode mode,
                                uint16_t permissions, uint32_t block_size, uint32_t *handle, dnp3_file_info *info)
{
    file_root *r = root_of(ctx);
    char path[256];
    dnp3_file_status st = file_root_check_name(name, name_len, path);
    if (st != DNP3_FILE_SUCCESS) return st;
    if (mode == DNP3_FILE_MODE_APPEND) return DNP3_FILE_INVALID_MODE;
    if (mode == DNP3_FILE_MODE_WRITE && !r->writable) return DNP3_FILE_PERMISSION_DENIED;
    if (mode == DNP3_FILE_MODE_WRITE && r->max_size && info->size > r->max_size) return DNP3_FILE_BUFFER_OVERRUN;
    file_root_open_file *f = NULL;
    unsigned used = 0;
    for (unsigned i = 0; i < FILE_ROOT_MAX_OPEN; i++) {
        if (r->open[i].used)
            used++;
        else if (!f)
            f = &r->open[i];
    }
    if (!f || used >= r->max_open) return DNP3_FILE_TOO_MANY_OPEN;
    memset(f, 0, sizeof *f);
    f->fd = f->parent = -1;
    f->block_size = block_size;
    if (mode == DNP3_FILE_MODE_READ) {
        int fd = open_name(r, path, O_RDONLY | O_NONBLOCK); /* a FIFO must not block the outstation */
        if (fd < 0) return from_errno(errno);
        struct stat sb;
        if (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))) {
            close(fd);
            return DNP3_FILE_PERMISSION_DENIED;
        }
        fill_info(info, &sb, NULL);
        if (S_ISDIR(sb.st_mode)) {
            f->dir = fdopendir(fd);
            if (!f->dir) {
                close(fd);
                return DNP3_FILE_FATAL;
            }
        }
        f->fd = fd;
        f->size = (uint64_t)sb.st_size;
    } else {
        if (!strcmp(path, ".")) return DNP3_FILE_PERMISSION_DENIED;
        const char *leaf = NULL;
        int parent = open_parent(r, path, &leaf);
        if (parent < 0) return from_errno(errno);
        struct stat sb;
        if (fstatat(parent, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(sb.st_mode)) {
            close(parent);
            return DNP3_FILE_PERMISSION_DENIED; /* never replace a link, a folder or a device */
        }
        snprintf(f->name, sizeof f->name, "%s", leaf);
        snprintf(f->tmp, sizeof f->tmp, TMP_PREFIX "%u-%s", (unsigned)r->next_handle, leaf);
        mode_t m = permissions ? (mode_t)(permissions & 0666) : 0644;
        int fd = openat(parent, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m);
        if (fd < 0) {
            st = from_errno(errno);
            close(parent);
            return st;
        }
        f->fd = fd;
        f->parent = parent;
        f->write = true;
    }
    f->used = true;
    f->handle = ++r->next_handle;
    *handle = f->handle;
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status fr_read(void *ctx, uint32_t handle, uint32_t block, uint8_t *buf, size_t cap, size_t *len,
                                bool *last)
{
    file_root_open_file *f = slot_of(root_of(ctx), handle);
    if (!f || f->write || f->dir) return DNP3_FILE_INVALID_HANDLE;
    uint64_t off = (uint64_t)block * f->block_size;
    size_t want = cap < f->block_size ? cap : f->block_size;
    if (off >= f->size) {
        *len = 0;
        *last = true;
        return off == 0 || off == f->size ? DNP3_FILE_SUCCESS : DNP3_FILE_BLOCK_SEQUENCE;
    }
    if (f->size - off < want) want = (size_t)(f->size - off);
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(f->fd, buf + got, want - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got < want) return DNP3_FILE_FATAL; /* truncated while being read */
    *len = got;
    *last = off + got >= f->size;
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status fr_write(void *ctx, uint32_t handle, uint32_t block, const uint8_t *data, size_t len,
                                 bool last)
{
    file_root *r = root_of(ctx);
    file_root_open_file *f = slot_of(r, handle);
    (void)block;
    (void)last;
    if (!f || !f->write) return DNP3_FILE_INVALID_HANDLE;
    if (r->max_size && f->written + len > r->max_size) return DNP3_FILE_BUFFER_OVERRUN;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(f->fd, data + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return from_errno(errno);
        done += (size_t)n;
    }
    f->written += len;
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status fr_close(void *ctx, uint32_t handle, bool keep)
{
    file_root_open_file *f = slot_of(root_of(ctx), handle);
    if (!f) return DNP3_FILE_INVALID_HANDLE;
    dnp3_file_status st = DNP3_FILE_SUCCESS;
    if (f->dir)
        closedir(f->dir); /* closes f->fd */
    else if (f->fd >= 0 && close(f->fd) != 0 && f->write)
        st = DNP3_FILE_FATAL;
    if (f->write) {
        if (keep && st == DNP3_FILE_SUCCESS) {
            if (renameat(f->parent, f->tmp, f->parent, f->name) != 0) st = from_errno(errno);
        }
        if (!keep || st != DNP3_FILE_SUCCESS) (void)unlinkat(f->parent, f->tmp, 0);
        close(f->parent);
    }
    memset(f, 0, sizeof *f);
    return st;
}

static dnp3_file_status fr_delete(void *ctx, const char *name, size_t name_len)
{
    file_root *r = root_of(ctx);
    char path[256];
    dnp3_file_status st = file_root_check_name(name, name_len, path);
    if (st != DNP3_FILE_SUCCESS) return st;
    if (!r->writable || !strcmp(path, ".")) return DNP3_FILE_PERMISSION_DENIED;
    const char *leaf = NULL;
    int parent = open_parent(r, path, &leaf);
    if (parent < 0) return from_errno(errno);
    struct stat sb;
    int rc = fstatat(parent, leaf, &sb, AT_SYMLINK_NOFOLLOW);
    if (rc == 0 && !S_ISREG(sb.st_mode)) {
        st = DNP3_FILE_PERMISSION_DENIED; /* links, folders, devices stay */
    } else {
        if (rc == 0) rc = unlinkat(parent, leaf, 0);
        if (rc != 0) st = from_errno(errno);
    }
    close(parent);
    return st;
}

static dnp3_file_status fr_info(void *ctx, const char *name, size_t name_len, dnp3_file_info *info)
{
    file_root *r = root_of(ctx);
    char path[256];
    dnp3_file_status st = file_root_check_name(name, name_len, path);
    if (st != DNP3_FILE_SUCCESS) return st;
    int fd = open_name(r, path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) return from_errno(errno);
    struct stat sb;
    int rc = fstat(fd, &sb);
    close(fd);
    if (rc != 0) return DNP3_FILE_FATAL;
    fill_info(info, &sb, NULL);
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status fr_dir_entry(void *ctx, uint32_t handle, uint32_t index, dnp3_file_info *info)
{
    file_root_open_file *f = slot_of(root_of(ctx), handle);
    if (!f || !f->dir) return DNP3_FILE_INVALID_HANDLE;
    if (index < f->dir_pos) {
        rewinddir(f->dir);
        f->dir_pos = 0;
    }
    for (;;) {
        errno = 0;
        struct dirent *d = readdir(f->dir);
        if (!d) return errno ? DNP3_FILE_FATAL : DNP3_FILE_NOT_FOUND;
        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
            !strncmp(d->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
            continue;
        struct stat sb;
        if (fstatat(f->fd, d->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (f->dir_pos++ < index) continue;
        fill_info(info, &sb, d->d_name);
        return DNP3_FILE_SUCCESS;
    }
}

/* Equal without an early exit (the time says nothing about where they differ). */
static bool same(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    unsigned diff = (unsigned)(alen != blen);
    for (size_t i = 0; i < alen && i < blen; i++) diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0;
}

static bool fr_authenticate(void *ctx, const char *user, size_t ulen, const char *pass, size_t plen, uint32_t *key)
{
    file_root *r = root_of(ctx);
    unsigned ok = (unsigned)same(user, ulen, r->user); /* both compared, whatever the first gave */
    ok &= (unsigned)same(pass, plen, r->password);
    if (!ok) return false;
    uint32_t k = 0;
    while (k == 0)
        if (RAND_bytes((unsigned char *)&k, sizeof k) != 1) return false; /* a key a master cannot guess */
    *key = k;
    return true;
}

int file_root_require_user(file_root *r, const char *user, const char *password_file, char *err, size_t err_cap)
{
    if (!user[0] || strlen(user) >= sizeof r->user) {
        snprintf(err, err_cap, "--file-user: 1 to %zu characters", sizeof r->user - 1);
        return -1;
    }
    if (secret_file_read("--file-password-file", password_file, r->password, sizeof r->password, err, err_cap))
        return -1;
    memcpy(r->user, user, strlen(user) + 1); /* length checked above */
    return 0;
}

void file_root_install(const file_root *r, dnp3_outstation_callbacks *cb)
{
    cb->file_open = fr_open;
    cb->file_read = fr_read;
    cb->file_write = fr_write;
    cb->file_close = fr_close;
    cb->file_delete = fr_delete;
    cb->file_info = fr_info;
    cb->file_dir_entry = fr_dir_entry;
    cb->file_authenticate = r->user[0] ? fr_authenticate : NULL;
}

int file_root_init(file_root *r, const char *dir, bool writable, uint64_t max_size, unsigned max_open, char *err,
                   size_t err_cap)
{
    memset(r, 0, sizeof *r);
    r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r->dirfd < 0) {
        snprintf(err, err_cap, "--file-root %s: %s", dir, strerror(errno));
        return -1;
    }
    r->writable = writable;
    r->max_size = max_size;
    r->max_open = max_open == 0 || max_open > FILE_ROOT_MAX_OPEN ? FILE_ROOT_MAX_OPEN : max_open;
    return 0;
}

void file_root_free(file_root *r)
{
    dnp3_zeroize(r->password, sizeof r->password);
    for (unsigned i = 0; i < FILE_ROOT_MAX_OPEN; i++) {
        file_root_open_file *f = &r->open[i];
        if (!f->used) continue;
        if (f->dir)
            closedir(f->dir);
        else if (f->fd >= 0)
            close(f->fd);
        if (f->write) {
            (void)unlinkat(f->parent, f->tmp, 0);
            close(f->parent);
        }
        f->used = false;
    }
    if (r->dirfd >= 0) close(r->dirfd);
    r->dirfd = -1;
}
