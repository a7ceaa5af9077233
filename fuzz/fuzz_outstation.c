/*
 * fuzz_outstation.c - libFuzzer target for the outstation session (IEEE 1815-2012
 * clause 4, outstation side), with time as part of the input.
 *
 * Input format (the vector runner tests/session/test_outstation_vectors.c
 * writes seeds in it, see fuzz/corpus/outstation/):
 *   byte 0: configuration: bit0 unsolicited, bit1 249-octet fragments,
 *           bit2 3-event buffers, bit3 one control per request, bit4 NEED_TIME,
 *           bit5 drive it through the built-in channel (link frames),
 *           bit6 file transfer callbacks (group 70) over a small in-memory store: one 300-octet
 *           file "f", the directory "." listing it, writes accepted and discarded; the store
 *           checks that the core never passes an unknown handle, an oversized block or a
 *           block out of order, and never keeps more than 4 files open,
 *           bit7 (with bit5) link-layer confirmed user data on a serial-mode channel with a 100 ms
 *           inter-character timeout: the master side answers RESET_LINK_STATES and every
 *           CONFIRMED_USER_DATA frame with an ACK, except every fifth (the ACK timer resends)
 *   then records, each starting with a tag:
 *     00 LL HH <n octets>      a request APDU of n = LL | HH << 8 octets
 *     01 LL HH                 advance the clock by LL | HH << 8 ms and run the timers
 *     02 T I V F               update point I of type T (mod 7) to value V (signed), flags F
 *     03                       toggle the connection (offline / online)
 *     04 K LL HH <n octets>    a broadcast request (K mod 3: FFFD, FFFE, FFFF)
 *     05 I N <N octets>        set octet-string point I
 *     other tags are skipped.
 * After every record all output is drained and checked: every fragment is a
 * well-formed response (0x81 with UNS = 0, or 0x82 with FIR FIN CON UNS), its
 * objects pass the parser's response validation, reserved IIN bits are clear,
 * and after the timers ran no deadline is left in the past.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/outstation.h"

#define POINTS 10

static alignas(max_align_t) uint8_t mem[1u << 20];
static uint8_t out[8192];

static void check(bool ok)
{
    if (!ok) abort();
}

static void check_apdu(const uint8_t *p, size_t n, size_t max_tx)
{
    check(n >= 4 && n <= max_tx);
    dnp3_apdu a;
    check(dnp3_apdu_parse(p, n, &a) == DNP3_OK);
    check(a.function == DNP3_FC_RESPONSE || a.function == DNP3_FC_UNSOLICITED_RESPONSE);
    check(dnp3_apdu_check_control(&a) == DNP3_OK);
    if (a.function == DNP3_FC_UNSOLICITED_RESPONSE)
        check((a.control & 0xF0) == (DNP3_AC_FIR | DNP3_AC_FIN | DNP3_AC_CON | DNP3_AC_UNS));
    check((a.iin & (DNP3_IIN2_RESERVED_1 | DNP3_IIN2_RESERVED_2)) == 0);
    check(dnp3_apdu_validate(&a, NULL) >= 0);
}

/* ---- bit6: file transfer store ---- */
typedef struct {
    bool used, dir, write;
    uint32_t handle, block_size, next_write;
} ffile;
static ffile files[8];
static uint32_t next_handle;
static uint8_t fdata[300];

static ffile *fslot(uint32_t h)
{
    for (int i = 0; i < 8; i++)
        if (files[i].used && files[i].handle == h) return &files[i];
    return NULL;
}

static dnp3_file_status f_open(void *ctx, const char *name, size_t len, dnp3_file_mode mode, uint16_t perm,
                               uint32_t block_size, uint32_t *handle, dnp3_file_info *info)
{
    (void)ctx;
    (void)perm;
    check(name != NULL && len > 0 && block_size > 0 && block_size <= 65535);
    int used = 0;
    ffile *f = NULL;
    for (int i = 0; i < 8; i++) {
        if (files[i].used)
            used++;
        else if (!f)
            f = &files[i];
    }
    check(used < 4); /* the core keeps at most 4 open */
    bool dot = len == 1 && name[0] == '.';
    if (!(dot || (len == 1 && name[0] == 'f'))) return DNP3_FILE_NOT_FOUND;
    if (dot && mode != DNP3_FILE_MODE_READ) return DNP3_FILE_PERMISSION_DENIED;
    memset(f, 0, sizeof *f);
    f->used = true;
    f->dir = dot;
    f->write = mode != DNP3_FILE_MODE_READ;
    f->block_size = block_size;
    f->handle = ++next_handle;
    *handle = f->handle;
    info->type = dot ? 0 : 1;
    info->size = dot ? 1 : sizeof fdata;
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status f_read(void *ctx, uint32_t h, uint32_t block, uint8_t *buf, size_t cap, size_t *len,
                               bool *last)
{
    (void)ctx;
    ffile *f = fslot(h);
    check(f != NULL && !f->dir && !f->write && cap >= f->block_size);
    size_t off = (size_t)block * f->block_size;
    if (off > sizeof fdata) return DNP3_FILE_BLOCK_SEQUENCE;
    size_t n = sizeof fdata - off;
    if (n > f->block_size) n = f->block_size;
    memcpy(buf, fdata + off, n);
    *len = n;
    *last = off + n == sizeof fdata;
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status f_write(void *ctx, uint32_t h, uint32_t block, const uint8_t *d, size_t len, bool last)
{
    (void)ctx;
    (void)d;
    (void)last;
    ffile *f = fslot(h);
    check(f != NULL && f->write && len <= f->block_size && block == f->next_write);
    f->next_write++;
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status f_close(void *ctx, uint32_t h, bool keep)
{
    (void)ctx;
    (void)keep;
    ffile *f = fslot(h);
    check(f != NULL);
    f->used = false;
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status f_delete(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    return len == 1 && name[0] == 'f' ? DNP3_FILE_SUCCESS : DNP3_FILE_NOT_FOUND;
}

static dnp3_file_status f_info(void *ctx, const char *name, size_t len, dnp3_file_info *info)
{
    (void)ctx;
    if (!(len == 1 && name[0] == 'f')) return DNP3_FILE_NOT_FOUND;
    info->type = 1;
    info->size = sizeof fdata;
    info->name_len = DNP3_FILE_NAME_MAX; /* the longest name: must still fit */
    memset(info->name, 'n', DNP3_FILE_NAME_MAX);
    return DNP3_FILE_SUCCESS;
}

static dnp3_file_status f_dir(void *ctx, uint32_t h, uint32_t index, dnp3_file_info *info)
{
    (void)ctx;
    ffile *f = fslot(h);
    check(f != NULL && f->dir);
    if (index > 0) return DNP3_FILE_NOT_FOUND;
    info->type = 1;
    info->size = sizeof fdata;
    info->name_len = 1;
    info->name[0] = 'f';
    return DNP3_FILE_SUCCESS;
}

/* AUTHENTICATE_FILE: any user whose name starts with 'u' gets key 7 */
static bool f_auth(void *ctx, const char *user, size_t ulen, const char *pw, size_t plen, uint32_t *key)
{
    (void)ctx;
    (void)pw;
    (void)plen;
    if (ulen == 0 || user[0] != 'u') return false;
    *key = 7;
    return true;
}

typedef struct {
    dnp3_outstation *os;
    bool link;
    bool confirmed; /* bit7: answer the outstation's confirmed frames */
    unsigned acks;  /* frames acknowledged or not (every fifth is left unanswered) */
    bool online;
    size_t max_tx;
    dnp3_tstamp now;
    dnp3_transport_tx ttx; /* master side: segments requests */
    dnp3_transport_rx trx; /* master side: reassembles responses */
    uint8_t frag[4096];
} session;

static void drain(session *s)
{
    /* the driving contract: output only when the expiry says "now" (a timer-driven runtime
       would otherwise leave it waiting) */
    const bool due = dnp3_outstation_get_expiry(s->os) <= s->now;
    if (!s->link) {
        int n;
        while ((n = dnp3_outstation_take(s->os, out, sizeof out, s->now)) > 0) {
            check(due);
            check_apdu(out, (size_t)n, s->max_tx);
        }
        check(n == 0);
        return;
    }
    int n;
    while ((n = dnp3_outstation_write(s->os, out, sizeof out, s->now)) > 0) {
        check(due);
        size_t off = 0;
        while (off < (size_t)n) {
            uint8_t scratch[DNP3_LINK_MAX_USER_DATA];
            dnp3_link_frame f;
            int fl = dnp3_link_parse(out + off, (size_t)n - off, scratch, &f, NULL);
            check(fl > 0);
            off += (size_t)fl;
            check((f.control & DNP3_LINK_DIR) == 0 && f.src == 10 && f.dest == 1);
            uint8_t func = f.control & DNP3_LINK_FUNC_MASK;
            if (!s->confirmed) check(func != DNP3_LINK_CONFIRMED_USER_DATA && func != DNP3_LINK_RESET_LINK_STATES);
            if (s->confirmed && (f.control & DNP3_LINK_PRM) &&
                (func == DNP3_LINK_CONFIRMED_USER_DATA || func == DNP3_LINK_RESET_LINK_STATES) &&
                ++s->acks % 5 != 0) {
                uint8_t ack[DNP3_LINK_HEADER_SIZE];
                check(dnp3_link_format(ack, sizeof ack, DNP3_LINK_DIR, 10, 1, NULL, 0) == DNP3_LINK_HEADER_SIZE);
                check(dnp3_outstation_read(s->os, ack, sizeof ack, s->now) == DNP3_OK);
            }
            const uint8_t *apdu;
            size_t alen;
            if (f.len && dnp3_transport_rx_push(&s->trx, f.src, false, f.data, f.len, &apdu, &alen) == 1)
                check_apdu(apdu, alen, s->max_tx);
        }
    }
    check(n == 0);
}

static void deliver(session *s, const uint8_t *p, size_t n, dnp3_broadcast_kind b)
{
    if (!s->link) {
        check(dnp3_outstation_receive(s->os, p, n, b, s->now) == DNP3_OK);
        return;
    }
    if (n == 0 || n > 2048) return;
    static const uint16_t dests[] = {10, 0xFFFD, 0xFFFE, 0xFFFF};
    static uint8_t wire[16384];
    int w = dnp3_transport_write_fragment(&s->ttx, wire, sizeof wire, 0xC4, dests[b], 1, p, n);
    check(w > 0);
    if (dnp3_outstation_read(s->os, wire, (size_t)w, s->now) == DNP3_ERR_LINK_CLOSED) {
        dnp3_outstation_set_online(s->os, false, s->now);
        dnp3_outstation_set_online(s->os, true, s->now);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const uint8_t cfgb = data[0];
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c.types[t].count = POINTS;
        c.types[t].event_buffer = (cfgb & 0x04) ? 3 : 100;
        c.types[t].event_class = (uint8_t)(1 + t % 3);
    }
    c.unsolicited = cfgb & 0x01;
    c.unsol_classes = 0x07;
    c.max_tx_fragment = (cfgb & 0x02) ? 249 : 2048;
    c.max_controls = (cfgb & 0x08) ? 1 : 16;
    c.need_time_at_start = cfgb & 0x10;
    c.need_time_period_ms = 30000;
    c.link_layer = cfgb & 0x20;
    if (cfgb & 0x80) {
        c.link_confirmed = true;
        c.link_mode = DNP3_CHANNEL_SERIAL;
        c.char_timeout_ms = 100;
    }
    c.attr.vendor = "fuzz";
    session s;
    memset(&s, 0, sizeof s);
    s.link = c.link_layer;
    s.confirmed = c.link_layer && c.link_confirmed;
    s.online = true;
    s.max_tx = c.max_tx_fragment;
    check(dnp3_outstation_memory_size(&c) <= sizeof mem);
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    memset(files, 0, sizeof files);
    if (cfgb & 0x40) {
        cb.file_open = f_open;
        cb.file_read = f_read;
        cb.file_write = f_write;
        cb.file_close = f_close;
        cb.file_delete = f_delete;
        cb.file_info = f_info;
        cb.file_dir_entry = f_dir;
        if (cfgb & 0x02) cb.file_authenticate = f_auth; /* keys then needed to open and delete */
        c.file_timeout_ms = 2000;                       /* handles expire under the fuzzer's clock steps */
    }
    s.os = dnp3_outstation_init(mem, sizeof mem, &c, &cb, 0);
    check(s.os != NULL);
    dnp3_transport_tx_init(&s.ttx);
    dnp3_transport_rx_init(&s.trx, s.frag, sizeof s.frag);
    drain(&s);

    size_t i = 1;
    while (i < size) {
        const uint8_t tag = data[i++];
        switch (tag) {
        case 0x00:
        case 0x04: {
            dnp3_broadcast_kind b = DNP3_BCAST_NONE;
            if (tag == 0x04) {
                if (i >= size) return 0;
                b = (dnp3_broadcast_kind)(1 + data[i++] % 3);
            }
            if (i + 2 > size) return 0;
            size_t n = (size_t)data[i] | ((size_t)data[i + 1] << 8);
            i += 2;
            if (n > size - i) n = size - i;
            deliver(&s, data + i, n, b);
            i += n;
            break;
        }
        case 0x01: {
            if (i + 2 > size) return 0;
            s.now += (dnp3_tstamp)data[i] | ((dnp3_tstamp)data[i + 1] << 8);
            i += 2;
            if (dnp3_outstation_handle_expiry(s.os, s.now) == DNP3_ERR_LINK_CLOSED) {
                dnp3_outstation_set_online(s.os, false, s.now);
                dnp3_outstation_set_online(s.os, true, s.now);
            }
            drain(&s); /* a retry may be due now; once it is out, every deadline lies ahead */
            check(dnp3_outstation_get_expiry(s.os) > s.now);
            break;
        }
        case 0x02: {
            if (i + 4 > size) return 0;
            dnp3_os_type t = (dnp3_os_type)(data[i] % 7);
            uint16_t idx = data[i + 1];
            double v = (int8_t)data[i + 2];
            if (t == DNP3_OS_DOUBLE_BIT_INPUT) v = data[i + 2] & 3;
            int rc = dnp3_outstation_update(s.os, t, idx, v, data[i + 3], s.now, DNP3_EVENT_DETECT);
            check(idx < POINTS ? rc >= 0 : rc == DNP3_ERR_INVALID_ARG);
            i += 4;
            break;
        }
        case 0x03:
            s.online = !s.online;
            dnp3_outstation_set_online(s.os, s.online, s.now);
            break;
        case 0x05: {
            if (i + 2 > size) return 0;
            uint16_t idx = data[i];
            size_t n = data[i + 1];
            i += 2;
            if (n > size - i) n = size - i;
            (void)dnp3_outstation_update_octets(s.os, idx, data + i, n, s.now, DNP3_EVENT_DETECT);
            i += n;
            break;
        }
        default: break;
        }
        drain(&s);
    }
    return 0;
}
