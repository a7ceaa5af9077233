/*
 * scan_dnp3.c - see scan_dnp3.h. Three steps over one socket, each bounded
 * by the step timeout:
 *
 *  1. link address (IEEE 1815-2012 clause 9, docs/protocol-notes.md §1.2-1.3): listen for the
 *     frames an outstation sends on its own (its start-up unsolicited
 *     response names both addresses) while asking REQUEST_LINK_STATUS of the
 *     self address 0xFFFC (answered by outstations with the self-address
 *     feature); failing both, REQUEST_LINK_STATUS to every address of the
 *     sweep range. Broadcasts are never used: outstations do not answer them.
 *  2. READ g0v254 (all device attributes of set 0, qualifier 0x00; docs/protocol-notes.md §4.5)
 *     through a master-role channel, which also yields the IIN.
 *  3. AUTH_REQUEST with a key-status request g120v4 for one user (docs/protocol-notes.md §7):
 *     an outstation running SAv5 answers AUTH_RESPONSE g120v5 (or an error
 *     g120v7); one without SA answers IIN2.0 NO_FUNC_CODE_SUPPORT.
 * Unsolicited responses are never confirmed and nothing that changes the
 * outstation's state is ever sent.
 */
#include "scan_dnp3.h"

#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "dnp3/app.h"
#include "dnp3/channel.h"
#include "dnp3/link.h"
#include "dnp3/sa.h"
#include "scan_net.h"

/* ---- step 1: the link address ---- */

typedef struct {
    scan_sock sock;
    const scan_dnp3_opts *o;
    scan_dnp3_result *r;
    dnp3_link_parser lp;
    bool found;
    uint8_t seen[8192]; /* what came in during discovery, replayed into the application channel */
    size_t seen_len;
    size_t seen_dgram[64]; /* UDP: datagram lengths */
    size_t seen_dgrams;
} link_probe;

static int send_link_status(link_probe *p, uint16_t dest)
{
    uint8_t frame[16];
    int n = dnp3_link_format(frame, sizeof frame, dnp3_link_control(true, true, DNP3_LINK_REQUEST_LINK_STATUS),
                             dest, p->o->master_addr, NULL, 0);
    return n > 0 ? scan_send(&p->sock, frame, (size_t)n) : -EINVAL;
}

/* A frame from an outstation: remember who it is. */
static void on_frame(link_probe *p, const dnp3_link_frame *f, const char *how)
{
    p->r->dnp3 = true;
    if (f->control & DNP3_LINK_DIR) return; /* an echo of a master's frame */
    if (f->src > DNP3_ADDR_MAX_NORMAL) return;
    bool link_status = !(f->control & DNP3_LINK_PRM) && (f->control & 0x0F) == DNP3_LINK_LINK_STATUS;
    const char *by = link_status ? how : "unsolicited";
    if (!p->found) {
        p->found = true;
        p->r->outstation_addr = f->src;
        p->r->found_by = by;
        if (!link_status && f->dest <= DNP3_ADDR_MAX_NORMAL) p->r->master_addr = f->dest; /* its own choice */
        return;
    }
    if (f->src == p->r->outstation_addr) return;
    for (size_t i = 0; i < p->r->extra_count; i++)
        if (p->r->extra_addrs[i] == f->src) return;
    if (p->r->extra_count < sizeof p->r->extra_addrs / sizeof p->r->extra_addrs[0])
        p->r->extra_addrs[p->r->extra_count++] = f->src;
}

/* Reads until `deadline` (or the first outstation frame when stop_early). Returns false if the socket died. */
static bool link_listen(link_probe *p, uint64_t deadline, bool stop_early, const char *how)
{
    uint8_t buf[4096];
    while (!(stop_early && p->found)) {
        ssize_t n = scan_recv(&p->sock, buf, sizeof buf, deadline);
        if (n == 0) return true;
        if (n < 0) {
            if (n == -1) p->r->closed_by_peer = true;
            if (n == -ECONNREFUSED) { /* UDP: ICMP port unreachable */
                p->r->connected = false;
                p->r->connect_errno = ECONNREFUSED;
            }
            return false;
        }
        p->r->octets_rx += (size_t)n;
        if (p->seen_len + (size_t)n <= sizeof p->seen && (!p->sock.udp || p->seen_dgrams < 64)) {
            memcpy(p->seen + p->seen_len, buf, (size_t)n);
            p->seen_len += (size_t)n;
            if (p->sock.udp) p->seen_dgram[p->seen_dgrams++] = (size_t)n;
        }
        if (p->sock.udp) dnp3_link_parser_reset(&p->lp);
        const uint8_t *in = buf;
        size_t len = (size_t)n;
        while (len > 0) {
            size_t used = 0;
            dnp3_link_frame f;
            int rc = dnp3_link_parser_push(&p->lp, in, len, &used, &f);
            in += used;
            len -= used;
            if (rc == 1) on_frame(p, &f, how);
        }
    }
    return true;
}

static void find_address(link_probe *p)
{
    const scan_dnp3_opts *o = p->o;
    scan_dnp3_result *r = p->r;
    uint16_t first = o->given_addr >= 0 ? (uint16_t)o->given_addr : DNP3_ADDR_SELF;
    const char *how = o->given_addr >= 0 ? "given" : "self_address";
    if (send_link_status(p, first) != 0) return;
    if (!link_listen(p, scan_now_ms() + o->timeout_ms, true, how)) return;
    if (o->given_addr >= 0) { /* the address is known whatever answered; a silent device is reported as such */
        if (!p->found || r->outstation_addr != o->given_addr) {
            p->found = r->dnp3;
            r->outstation_addr = o->given_addr;
        }
        r->found_by = "given";
        return;
    }
    if (p->found || o->sweep_lo > o->sweep_hi) return;
    for (int a = o->sweep_lo; a <= o->sweep_hi; a++)
        if (send_link_status(p, (uint16_t)a) != 0) return;
    link_listen(p, scan_now_ms() + o->timeout_ms, false, "sweep");
}

/* ---- steps 2 and 3: application requests through a master-role channel ---- */

typedef struct {
    scan_sock *sock;
    dnp3_channel *ch;
    uint8_t want_seq;
    bool got;
    uint8_t apdu[4096];
    size_t len;
} app_probe;

/*
 * An outstation holds back a READ while its unsolicited response waits for a
 * confirm (docs/protocol-notes.md §5.x), so a null unsolicited response (no objects: the
 * start-up announcement) is confirmed. One carrying events never is: that
 * would take the events from the device's real master.
 */
static void confirm_null_unsolicited(app_probe *p, const dnp3_channel_fragment *f, const dnp3_apdu *a)
{
    if (a->function != DNP3_FC_UNSOLICITED_RESPONSE || a->objects_len != 0 || !(a->control & DNP3_AC_CON)) return;
    uint8_t confirm[2] = {dnp3_ac_make(true, true, false, true, dnp3_ac_seq(a->control)), DNP3_FC_CONFIRM};
    dnp3_channel_send(p->ch, f->src, confirm, sizeof confirm);
}

static void on_fragment(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    (void)now;
    app_probe *p = ctx;
    dnp3_apdu a;
    if (p->got || dnp3_apdu_parse(f->apdu, f->len, &a) != DNP3_OK) return;
    confirm_null_unsolicited(p, f, &a);
    if (a.function == DNP3_FC_UNSOLICITED_RESPONSE || !dnp3_fc_is_response(a.function)) return;
    if (dnp3_ac_seq(a.control) != p->want_seq || f->len > sizeof p->apdu) return;
    memcpy(p->apdu, f->apdu, f->len);
    p->len = f->len;
    p->got = true;
}

static bool flush(app_probe *p)
{
    uint8_t out[4096];
    size_t n;
    while ((n = dnp3_channel_pending(p->ch)) > 0) {
        int w = dnp3_channel_write(p->ch, out, n < sizeof out ? n : sizeof out);
        if (w <= 0 || scan_send(p->sock, out, (size_t)w) != 0) return false;
    }
    return true;
}

/* Sends one request and waits for the response with its sequence number. */
static bool transact(app_probe *p, uint16_t dest, const uint8_t *req, size_t len, uint32_t timeout_ms,
                     scan_dnp3_result *r)
{
    p->got = false;
    p->want_seq = dnp3_ac_seq(req[0]);
    if (dnp3_channel_send(p->ch, dest, req, len) != DNP3_OK || !flush(p)) return false;
    uint64_t deadline = scan_now_ms() + timeout_ms;
    uint8_t buf[4096];
    while (!p->got) {
        ssize_t n = scan_recv(p->sock, buf, sizeof buf, deadline);
        if (n <= 0) {
            if (n == -1) r->closed_by_peer = true;
            return false;
        }
        r->octets_rx += (size_t)n;
        if (dnp3_channel_read(p->ch, buf, (size_t)n, scan_now_ms()) == DNP3_ERR_LINK_CLOSED) return false;
        if (!flush(p)) return false; /* link-layer replies (ACK, LINK_STATUS) */
    }
    return true;
}

static void print_attr(scan_attr *at, const uint8_t *v, size_t n)
{
    switch (at->type) {
    case 1:   /* VSTR */
    case 8: { /* UNCD */
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof at->text; i++)
            at->text[k++] = (v[i] >= 0x20 && v[i] < 0x7F) ? (char)v[i] : '?';
        at->text[k] = 0;
        break;
    }
    case 2: { /* UINT, little-endian */
        uint64_t u = 0;
        for (size_t i = 0; i < n && i < 8; i++) u |= (uint64_t)v[i] << (8 * i);
        snprintf(at->text, sizeof at->text, "%llu", (unsigned long long)u);
        break;
    }
    case 3: { /* INT */
        uint64_t u = 0;
        for (size_t i = 0; i < n && i < 8; i++) u |= (uint64_t)v[i] << (8 * i);
        if (n > 0 && n < 8 && (v[n - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * n);
        snprintf(at->text, sizeof at->text, "%lld", (long long)u);
        break;
    }
    default: { /* anything else as hex */
        size_t k = 0;
        for (size_t i = 0; i < n && k + 3 < sizeof at->text; i++)
            k += (size_t)snprintf(at->text + k, 4, "%02X", v[i]);
        at->text[k] = 0;
    }
    }
}

static void read_attributes(app_probe *p, const dnp3_apdu *a, scan_dnp3_result *r)
{
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, a);
    while (dnp3_hdr_iter_next(&it, &h, NULL) > 0) {
        if (h.group != 0) continue;
        dnp3_obj_iter oi;
        dnp3_obj o;
        dnp3_obj_iter_init(&oi, &h);
        while (dnp3_obj_iter_next(&oi, &o)) {
            if (!o.data || o.size < 2 || r->attr_count >= sizeof r->attrs / sizeof r->attrs[0]) continue;
            scan_attr *at = &r->attrs[r->attr_count++];
            at->var = h.variation;
            at->type = o.data[0];
            print_attr(at, o.data + 2, o.size - 2);
        }
    }
    (void)p;
}

static void probe_app(link_probe *lp, const scan_dnp3_opts *o, scan_dnp3_result *r)
{
    scan_sock *sock = &lp->sock;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    /* the master address the outstation talks to, if it said so, else ours */
    cc.local_addr = r->master_addr >= 0 ? (uint16_t)r->master_addr : o->master_addr;
    cc.remote_addr = (uint16_t)r->outstation_addr;
    cc.accept_any_remote = true;
    cc.mode = o->udp ? DNP3_CHANNEL_DATAGRAM : DNP3_CHANNEL_SERIAL; /* tolerate what came before */
    cc.keep_alive_ms = 0;
    cc.max_rx_fragment = 4096;
    app_probe p = {0};
    p.sock = sock;
    cc.on_fragment = on_fragment;
    cc.ctx = &p;
    static alignas(max_align_t) uint8_t mem[32768];
    size_t need = dnp3_channel_memory_size(&cc);
    if (need == 0 || need > sizeof mem || !(p.ch = dnp3_channel_init(mem, sizeof mem, &cc, scan_now_ms()))) return;
    /* what discovery received (a start-up unsolicited response to confirm, say) */
    if (o->udp) {
        for (size_t i = 0, off = 0; i < lp->seen_dgrams; off += lp->seen_dgram[i++])
            dnp3_channel_read(p.ch, lp->seen + off, lp->seen_dgram[i], scan_now_ms());
    } else {
        dnp3_channel_read(p.ch, lp->seen, lp->seen_len, scan_now_ms());
    }
    if (!flush(&p)) return;

    /* READ g0v254 of set 0: C0 01 00 FE 00 00 00 */
    static const uint8_t read_attrs[] = {0xC0, DNP3_FC_READ, 0x00, 0xFE, 0x00, 0x00, 0x00};
    dnp3_apdu a;
    if (transact(&p, (uint16_t)r->outstation_addr, read_attrs, sizeof read_attrs, o->timeout_ms, r) &&
        dnp3_apdu_parse(p.apdu, p.len, &a) == DNP3_OK) {
        r->answered = true;
        r->iin = a.iin;
        r->attrs_supported = !(a.iin & (DNP3_IIN2_OBJECT_UNKNOWN | DNP3_IIN2_NO_FUNC_CODE_SUPPORT));
        read_attributes(&p, &a, r);
    }
    if (r->closed_by_peer) return;

    /* AUTH_REQUEST, g120v4 key-status request for one user: C1 20 78 04 07 01 <user> */
    uint8_t ks[] = {
        0xC1, DNP3_FC_AUTH_REQUEST, 120, 4, 0x07, 0x01, (uint8_t)o->sa_user, (uint8_t)(o->sa_user >> 8)};
    if (!transact(&p, (uint16_t)r->outstation_addr, ks, sizeof ks, o->timeout_ms, r) ||
        dnp3_apdu_parse(p.apdu, p.len, &a) != DNP3_OK) {
        r->sa = SCAN_SA_NO_ANSWER;
        return;
    }
    r->sa_iin = a.iin;
    dnp3_g120 g;
    if (a.function == DNP3_FC_AUTH_RESPONSE && dnp3_g120_first(p.apdu, p.len, &g, NULL) == 1 &&
        (g.variation == 5 || g.variation == 7)) {
        r->sa = SCAN_SA_ACTIVE;
        r->sa_ksq = g.seq;
        r->sa_key_status = g.ks;
        r->sa_mal = g.mal;
        r->sa_kwa = g.kwa;
        r->sa_error = g.variation == 7 ? g.error : 0;
        return;
    }
    r->sa = SCAN_SA_NOT_SUPPORTED;
}

void scan_dnp3(const scan_dnp3_opts *o, scan_dnp3_result *r)
{
    memset(r, 0, sizeof *r);
    r->outstation_addr = r->master_addr = -1;
    link_probe p = {0};
    p.o = o;
    p.r = r;
    dnp3_link_parser_init(&p.lp, DNP3_LINK_MODE_DISCARD);
    int rc = scan_connect(&p.sock, o->host, o->port, o->udp, o->timeout_ms);
    if (rc != 0) {
        r->connect_errno = -rc;
        return;
    }
    r->connected = true;
    find_address(&p);
    r->other_octets = (size_t)p.lp.stats.discarded_octets;
    if (p.found && !r->closed_by_peer) probe_app(&p, o, r);
    scan_close(&p.sock);
}

const char *scan_attr_get(const scan_dnp3_result *r, uint8_t var)
{
    for (size_t i = 0; i < r->attr_count; i++)
        if (r->attrs[i].var == var) return r->attrs[i].text;
    return NULL;
}

const char *scan_attr_name(uint8_t var)
{
    switch (var) {
    case 240: return "max tx fragment";
    case 241: return "max rx fragment";
    case 242: return "software version";
    case 243: return "hardware version";
    case 244: return "owner";
    case 245: return "location";
    case 246: return "device ID";
    case 247: return "device name";
    case 248: return "serial number";
    case 249: return "DNP3 subset";
    case 250: return "product and model";
    case 252: return "manufacturer";
    case 209: return "SA version";
    case 210: return "SA statistics";
    default: return NULL;
    }
}
