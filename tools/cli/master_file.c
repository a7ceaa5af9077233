/*
 * master_file.c - `dnp3 master file ls|get|put|rm|info TARGET ...`: DNP3 file transfer
 * (IEEE 1815-2012 group 70) with dnp3_master_file_start over one master session. A progress bar
 * is drawn when stdout is a terminal. Exit 0 only when the transfer completed and was verified:
 * get: every block up to LAST in order and exactly the size OPEN_FILE announced, written to
 * LOCAL.part and renamed; put: every block acknowledged, the close accepted, and GET_FILE_INFO then
 * reporting the size sent. 1 on any failure (the outstation's status named), 2 on usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "master_session.h"
#include "secret_file.h"

static const char *const CMD = "dnp3 master file";

static void usage(FILE *f)
{
    fprintf(f, "usage: dnp3 master file <ls|get|put|rm|info> TARGET ARGS [options]\n"
               "\n"
               "  ls TARGET [DIR]              list a folder of the outstation (default \".\")\n"
               "  get TARGET REMOTE [LOCAL]    download REMOTE to LOCAL (default: its last component;\n"
               "                               '-' = stdout)\n"
               "  put TARGET LOCAL [REMOTE]    upload LOCAL as REMOTE (default: LOCAL's last component)\n"
               "  rm TARGET REMOTE             delete REMOTE\n"
               "  info TARGET REMOTE           type, size, time and permissions of REMOTE\n"
               "\n"
               "options:\n"
               "  --block-size N     largest block asked for, 1..65535 (default: the largest possible)\n"
               "  --master-addr N    our link address (default 1)\n"
               "  --link-addr N      the outstation's link address (default 10)\n"
               "  --timeout MS       response timeout (default 5000)\n"
               "  --decode LEVEL     print traffic: none, link, transport, app, objects\n"
               "  --no-progress      no progress bar even on a terminal\n"
               "  --file-user NAME   AUTHENTICATE_FILE (g70v2) as this user before OPEN_FILE and DELETE_FILE,\n"
               "                     with the password of --file-password-file (its first line)\n"
               "exit status: 0 complete and verified, 1 failed, 2 usage\n");
}

static const char *status_name(dnp3_file_status s)
{
    switch (s) {
    case DNP3_FILE_SUCCESS: return "SUCCESS";
    case DNP3_FILE_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case DNP3_FILE_INVALID_MODE: return "INVALID_MODE";
    case DNP3_FILE_NOT_FOUND: return "FILE_NOT_FOUND";
    case DNP3_FILE_LOCKED: return "FILE_LOCKED";
    case DNP3_FILE_TOO_MANY_OPEN: return "TOO_MANY_OPEN";
    case DNP3_FILE_INVALID_HANDLE: return "INVALID_HANDLE";
    case DNP3_FILE_WRITE_BLOCK_SIZE: return "WRITE_BLOCK_SIZE";
    case DNP3_FILE_COMM_LOST: return "COMM_LOST";
    case DNP3_FILE_CANNOT_ABORT: return "CANNOT_ABORT";
    case DNP3_FILE_NOT_OPENED: return "NOT_OPENED";
    case DNP3_FILE_HANDLE_EXPIRED: return "HANDLE_EXPIRED";
    case DNP3_FILE_BUFFER_OVERRUN: return "BUFFER_OVERRUN";
    case DNP3_FILE_FATAL: return "FATAL";
    case DNP3_FILE_BLOCK_SEQUENCE: return "BLOCK_SEQUENCE";
    default: return "UNDEFINED";
    }
}

typedef struct {
    dnp3_file_op op;
    const char *remote, *local;
    uint16_t block_size;
    bool progress; /* draw a bar */
    master_session *s;
    dnp3_file_transfer ft;
    FILE *out; /* get */
    char part[4096];
    uint8_t *src; /* put: the whole local file */
    size_t src_len;
    bool verifying;   /* put: the GET_FILE_INFO after the upload */
    const char *user; /* AUTHENTICATE_FILE first, or NULL */
    char password[256];
    bool bar_drawn;
} file_cmd;

static void draw_bar(file_cmd *c, uint64_t done, uint64_t total)
{
    if (!c->progress) return;
    char bar[41];
    unsigned fill = total ? (unsigned)(done * 40 / total) : 0;
    for (unsigned i = 0; i < 40; i++) bar[i] = i < fill ? '#' : '.';
    bar[40] = 0;
    if (total)
        printf("\r[%s] %3u%% %llu/%llu", bar, (unsigned)(done * 100 / total), (unsigned long long)done,
               (unsigned long long)total);
    else
        printf("\r%llu octets", (unsigned long long)done);
    fflush(stdout);
    c->bar_drawn = true;
}

static void end_bar(file_cmd *c)
{
    if (c->bar_drawn) printf("\n");
    c->bar_drawn = false;
}

static bool on_data(void *ctx, uint32_t block, const uint8_t *data, size_t len)
{
    file_cmd *c = ctx;
    (void)block;
    return fwrite(data, 1, len, c->out) == len;
}

static long on_fill(void *ctx, uint32_t block, uint8_t *buf, size_t cap, bool *last)
{
    file_cmd *c = ctx;
    uint64_t off = (uint64_t)block * cap;
    if (off > c->src_len) return -1;
    size_t n = c->src_len - (size_t)off;
    if (n > cap) n = cap;
    memcpy(buf, c->src + off, n);
    *last = off + n == c->src_len;
    return (long)n;
}

static void on_entry(void *ctx, const dnp3_file_info *fi)
{
    (void)ctx;
    char perm[10];
    for (int i = 0; i < 9; i++) perm[i] = (fi->permissions >> (8 - i)) & 1 ? "rwxrwxrwx"[i] : '-';
    perm[9] = 0;
    printf("%c%s %10u %.*s\n", fi->type == 0 ? 'd' : '-', perm, (unsigned)fi->size, (int)fi->name_len, fi->name);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    file_cmd *c = ctx;
    if (c->op == DNP3_FILE_OP_PUT) total = c->src_len;
    if (c->op != DNP3_FILE_OP_LIST) draw_bar(c, done, total);
}

static void on_done(void *ctx, const dnp3_file_result *r);

static void report_failure(file_cmd *c, const dnp3_file_result *r)
{
    end_bar(c);
    if (r->task != DNP3_TASK_SUCCESS)
        fprintf(stderr, "%s: %s: the request failed: %s\n", CMD, c->remote, dnp3_task_result_str(r->task));
    else if (r->status != DNP3_FILE_SUCCESS)
        fprintf(stderr, "%s: %s: the outstation answered %s (%u)\n", CMD, c->remote, status_name(r->status),
                (unsigned)r->status);
    else
        fprintf(stderr, "%s: %s: incomplete transfer (%llu of %u octets)\n", CMD, c->remote,
                (unsigned long long)r->octets, (unsigned)r->size);
}

static void on_done(void *ctx, const dnp3_file_result *r)
{
    file_cmd *c = ctx;
    if (!r->ok) {
        report_failure(c, r);
        if (c->op == DNP3_FILE_OP_GET && c->out && c->out != stdout) {
            fclose(c->out);
            c->out = NULL;
            unlink(c->part);
        }
        master_session_finish(c->s, 1);
        return;
    }
    end_bar(c);
    switch (c->op) {
    case DNP3_FILE_OP_GET:
        if (c->out != stdout) {
            bool bad = fflush(c->out) != 0 || fsync(fileno(c->out)) != 0;
            bad |= fclose(c->out) != 0;
            c->out = NULL;
            if (bad || rename(c->part, c->local) != 0) {
                fprintf(stderr, "%s: %s: %s\n", CMD, c->local, strerror(errno));
                unlink(c->part);
                master_session_finish(c->s, 1);
                return;
            }
            fprintf(stderr, "%s: %s -> %s: %llu octets in %u blocks\n", CMD, c->remote, c->local,
                    (unsigned long long)r->octets, (unsigned)r->blocks);
        } else {
            fflush(stdout);
        }
        break;
    case DNP3_FILE_OP_PUT: {
        /* verify: the outstation's own idea of the file's size */
        dnp3_file_handler h = {NULL, NULL, NULL, NULL, on_done, c};
        c->op = DNP3_FILE_OP_INFO;
        c->verifying = true;
        if (dnp3_master_file_start(c->s->a, &c->ft, DNP3_FILE_OP_INFO, c->remote, strlen(c->remote), 0, 0, 0, &h,
                                   dnp3_io_now(c->s->loop)) != DNP3_OK) {
            fprintf(stderr, "%s: %s: cannot verify the upload\n", CMD, c->remote);
            master_session_finish(c->s, 1);
        }
        return;
    }
    case DNP3_FILE_OP_INFO:
        if (c->verifying) {
            if (!r->info || r->info->size != c->src_len) {
                fprintf(stderr, "%s: %s: the outstation reports %u octets, %zu were sent\n", CMD, c->remote,
                        r->info ? (unsigned)r->info->size : 0u, c->src_len);
                master_session_finish(c->s, 1);
                return;
            }
            fprintf(stderr, "%s: %s -> %s: %zu octets, verified\n", CMD, c->local, c->remote, c->src_len);
            break;
        }
        if (r->info) {
            const dnp3_file_info *fi = r->info;
            printf("name: %s\ntype: %s\nsize: %u\ntime: %llu\npermissions: %04o\n", c->remote,
                   fi->type == 0 ? "directory" : "file", (unsigned)fi->size, (unsigned long long)fi->created,
                   (unsigned)fi->permissions);
        }
        break;
    case DNP3_FILE_OP_DELETE: fprintf(stderr, "%s: %s deleted\n", CMD, c->remote); break;
    default: break;
    }
    master_session_finish(c->s, 0);
}

static void ready(master_session *s, dnp3_master_assoc *a, dnp3_tstamp now, void *ctx)
{
    file_cmd *c = ctx;
    c->s = s;
    dnp3_file_handler h = {on_data, on_fill, on_entry, on_progress, on_done, c};
    int rc = c->user ? dnp3_master_file_start_auth(a, &c->ft, c->op, c->remote, strlen(c->remote), c->block_size,
                                                   (uint32_t)c->src_len, 0644, c->user, strlen(c->user),
                                                   c->password, strlen(c->password), &h, now)
                     : dnp3_master_file_start(a, &c->ft, c->op, c->remote, strlen(c->remote), c->block_size,
                                              (uint32_t)c->src_len, 0644, &h, now);
    dnp3_zeroize(c->password, sizeof c->password);
    if (rc != DNP3_OK) {
        fprintf(stderr, "%s: cannot start: %s\n", CMD, dnp3_strerror(rc));
        master_session_finish(s, 1);
    }
}

static const char *last_component(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

static int read_local(file_cmd *c)
{
    FILE *f = fopen(c->local, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", CMD, c->local, strerror(errno));
        return 1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > UINT32_MAX) {
        fprintf(stderr, "%s: %s: not a regular file of at most 4 GiB\n", CMD, c->local);
        fclose(f);
        return 1;
    }
    c->src_len = (size_t)sb.st_size;
    c->src = malloc(c->src_len ? c->src_len : 1);
    if (!c->src || fread(c->src, 1, c->src_len, f) != c->src_len) {
        fprintf(stderr, "%s: %s: cannot read\n", CMD, c->local);
        fclose(f);
        return 1;
    }
    fclose(f);
    return 0;
}

int cmd_master_file(int argc, char **argv)
{
    /* argv: dnp3-master "file" VERB TARGET ARGS... */
    if (argc < 3 || !strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
        usage(argc < 3 ? stderr : stdout);
        return argc < 3 ? 2 : 0;
    }
    static file_cmd c;
    memset(&c, 0, sizeof c);
    const char *verb = argv[2];
    if (!strcmp(verb, "ls"))
        c.op = DNP3_FILE_OP_LIST;
    else if (!strcmp(verb, "get"))
        c.op = DNP3_FILE_OP_GET;
    else if (!strcmp(verb, "put"))
        c.op = DNP3_FILE_OP_PUT;
    else if (!strcmp(verb, "rm"))
        c.op = DNP3_FILE_OP_DELETE;
    else if (!strcmp(verb, "info"))
        c.op = DNP3_FILE_OP_INFO;
    else
        return cli_usage_error(CMD, "unknown operation '%s' (ls, get, put, rm, info)", verb);

    master_session_config sc;
    memset(&sc, 0, sizeof sc);
    tls_cli_init(&sc.tls_opts);
    sc.master_addr = 1;
    sc.link_addr = 10;
    sc.timeout_ms = 5000;
    bool no_progress = false, have_password = false;
    const char *pos[3] = {NULL, NULL, NULL};
    size_t npos = 0;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--no-progress")) {
            no_progress = true;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            if (!val) return cli_usage_error(CMD, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--block-size")) {
                if (cli_uint(CMD, a, val, 1, 65535, &v)) return 2;
                c.block_size = (uint16_t)v;
            } else if (!strcmp(a, "--master-addr") || !strcmp(a, "--link-addr")) {
                if (cli_uint(CMD, a, val, 0, 0xFFEF, &v)) return 2;
                if (!strcmp(a, "--master-addr"))
                    sc.master_addr = (uint16_t)v;
                else
                    sc.link_addr = (uint16_t)v;
            } else if (!strcmp(a, "--timeout")) {
                if (cli_uint(CMD, a, val, 1, 3600000, &v)) return 2;
                sc.timeout_ms = (uint32_t)v;
            } else if (!strcmp(a, "--decode")) {
                if (cli_tap_parse_level(CMD, val, &sc.decode)) return 2;
            } else if (!strcmp(a, "--file-user")) {
                if (!val[0] || strlen(val) > DNP3_FILE_NAME_MAX)
                    return cli_usage_error(CMD, "--file-user: 1 to %d characters", DNP3_FILE_NAME_MAX);
                c.user = val;
            } else if (!strcmp(a, "--file-password-file")) {
                char err[700];
                if (secret_file_read(a, val, c.password, sizeof c.password, err, sizeof err))
                    return cli_usage_error(CMD, "%s", err);
                have_password = true;
            } else {
                return cli_usage_error(CMD, "unknown option '%s' (see dnp3 master file --help)", a);
            }
            continue;
        }
        if (npos >= 3) return cli_usage_error(CMD, "unexpected argument '%s'", a);
        pos[npos++] = a;
    }
    if (!c.user != !have_password) return cli_usage_error(CMD, "--file-user and --file-password-file go together");
    if (npos < 1) return cli_usage_error(CMD, "%s needs TARGET", verb);
    if (master_parse_target(CMD, pos[0], &sc)) return 2;
    if (sc.master_addr == sc.link_addr) return cli_usage_error(CMD, "--master-addr and --link-addr are equal");
    switch (c.op) {
    case DNP3_FILE_OP_LIST:
        if (npos > 2) return cli_usage_error(CMD, "ls takes TARGET [DIR]");
        c.remote = npos > 1 ? pos[1] : ".";
        break;
    case DNP3_FILE_OP_GET:
        if (npos < 2) return cli_usage_error(CMD, "get needs TARGET REMOTE [LOCAL]");
        c.remote = pos[1];
        c.local = npos > 2 ? pos[2] : last_component(pos[1]);
        break;
    case DNP3_FILE_OP_PUT:
        if (npos < 2) return cli_usage_error(CMD, "put needs TARGET LOCAL [REMOTE]");
        c.local = pos[1];
        c.remote = npos > 2 ? pos[2] : last_component(pos[1]);
        break;
    default:
        if (npos != 2) return cli_usage_error(CMD, "%s needs TARGET REMOTE", verb);
        c.remote = pos[1];
        break;
    }
    if (strlen(c.remote) > DNP3_FILE_NAME_MAX)
        return cli_usage_error(CMD, "a remote name has at most %d octets", DNP3_FILE_NAME_MAX);
    bool to_stdout = c.op == DNP3_FILE_OP_GET && !strcmp(c.local, "-");
    c.progress = !no_progress && !to_stdout && isatty(STDOUT_FILENO) &&
                 (c.op == DNP3_FILE_OP_GET || c.op == DNP3_FILE_OP_PUT);
    if (c.op == DNP3_FILE_OP_PUT && read_local(&c)) {
        free(c.src);
        return 1;
    }
    if (c.op == DNP3_FILE_OP_GET) {
        if (to_stdout) {
            c.out = stdout;
        } else {
            snprintf(c.part, sizeof c.part, "%s.part", c.local);
            c.out = fopen(c.part, "wb");
            if (!c.out) {
                fprintf(stderr, "%s: %s: %s\n", CMD, c.part, strerror(errno));
                return 1;
            }
        }
    }
    sc.on_ready = ready;
    sc.ctx = &c;
    int rc = master_session_run(&sc);
    if (c.out && c.out != stdout) { /* the session ended before the transfer did */
        fclose(c.out);
        unlink(c.part);
    }
    free(c.src);
    return rc == 0 && c.ft.active ? 1 : rc;
}
