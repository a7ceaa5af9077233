/*
 * decode_pcap.c - capture reading for `dnp3 decode --pcap` (see decode_pcap.h):
 * link-layer and IP/TCP/UDP header parsing, the flow table, and hand-over of
 * reassembled octets to one decode_stream per flow direction.
 */
#define _DEFAULT_SOURCE /* pcap.h needs the BSD u_int/u_char types */

#include "decode_pcap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu_print.h"
#include "decode_fmt.h"
#include "core/cursor.h"
#include "tcp_reasm.h"

#define MAX_FLOWS 4096

/* link-layer types not every pcap.h names */
#define LT_NULL 0
#define LT_EN10MB 1
#define LT_RAW_A 12
#define LT_RAW_B 14
#define LT_RAW 101
#define LT_LOOP 108
#define LT_LINUX_SLL 113
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_LINUX_SLL2 276

typedef struct {
    int af; /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    bool udp;
} flow_key;

typedef struct {
    flow_key key;
    decode_stream *stream;
    tcp_dir tcp;
} flow;

typedef struct {
    decoder *d;
    uint16_t port;
    flow *flows;
    size_t nflows, cap;
    uint64_t matched; /* packets on the port */
    bool flows_full_reported;
} pcap_ctx;

static const tcp_sink *sink_for(flow *f);

static void fmt_endpoint(int af, const uint8_t *addr, uint16_t port, char *buf, size_t cap)
{
    char a[64];
    if (!inet_ntop(af == 4 ? AF_INET : AF_INET6, addr, a, sizeof a)) snprintf(a, sizeof a, "?");
    if (af == 4)
        snprintf(buf, cap, "%s:%u", a, port);
    else
        snprintf(buf, cap, "[%s]:%u", a, port);
}

static flow *flow_lookup(pcap_ctx *c, const flow_key *k)
{
    for (size_t i = 0; i < c->nflows; i++) {
        flow_key *o = &c->flows[i].key;
        if (o->af == k->af && o->udp == k->udp && o->sport == k->sport && o->dport == k->dport &&
            memcmp(o->src, k->src, 16) == 0 && memcmp(o->dst, k->dst, 16) == 0)
            return &c->flows[i];
    }
    return NULL;
}

static flow *flow_find(pcap_ctx *c, const flow_key *k)
{
    flow *found = flow_lookup(c, k);
    if (found) return found;
    if (c->nflows >= MAX_FLOWS) {
        if (!c->flows_full_reported)
            dnp3_decoder_error(c->d, NULL, "more than %d flows; further flows are ignored", MAX_FLOWS);
        c->flows_full_reported = true;
        return NULL;
    }
    if (c->nflows == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        flow *nf = realloc(c->flows, ncap * sizeof *nf);
        if (!nf) return NULL;
        c->flows = nf;
        c->cap = ncap;
    }
    flow *f = &c->flows[c->nflows];
    memset(f, 0, sizeof *f);
    f->key = *k;
    f->stream = malloc(sizeof *f->stream);
    if (!f->stream) return NULL;
    char a[80], b[80], label[200];
    fmt_endpoint(k->af, k->src, k->sport, a, sizeof a);
    fmt_endpoint(k->af, k->dst, k->dport, b, sizeof b);
    snprintf(label, sizeof label, "%s -> %s", a, b);
    dnp3_decode_stream_init(f->stream, c->d, label, k->udp ? "UDP" : "TCP");
    dnp3_tcp_dir_init(&f->tcp);
    c->nflows++;
    return f;
}

/* ---- TCP hand-over ---- */

static void tcp_deliver(void *ctx, const uint8_t *p, size_t n)
{
    dnp3_decode_stream_push(ctx, p, n);
}

static void tcp_gap(void *ctx, uint64_t missing)
{
    dnp3_decode_stream_gap(ctx, missing);
}

static const tcp_sink *sink_for(flow *f)
{
    static tcp_sink k;
    k.deliver = tcp_deliver;
    k.gap = tcp_gap;
    k.ctx = f->stream;
    return &k;
}

static void print_packet_line(pcap_ctx *c, const flow *f, const char *extra, size_t n)
{
    decoder *d = c->d;
    char tb[40];
    if (d->json || !(d->levels & DNP3_DECODE_LINK)) return;
    fprintf(d->out, "packet %" PRIu64 ", %s, %s %s%s, %zu octets\n", d->packet,
            dnp3_fmt_time48(d->time_us / 1000, tb, sizeof tb), f->key.udp ? "UDP" : "TCP", f->stream->label, extra,
            n);
}

/* Ends what was decoded of one direction (pending holes, partial frames) and starts afresh. */
static void flow_restart(pcap_ctx *c, flow *f)
{
    dnp3_tcp_dir_flush(&f->tcp, sink_for(f));
    dnp3_decode_stream_end(f->stream);
    dnp3_tcp_dir_free(&f->tcp);
    dnp3_tcp_dir_init(&f->tcp);
    char label[128];
    snprintf(label, sizeof label, "%s", f->stream->label);
    dnp3_decode_stream_free(f->stream);
    dnp3_decode_stream_init(f->stream, c->d, label, "TCP");
}

static void flow_key_reverse(const flow_key *k, flow_key *rk)
{
    *rk = *k;
    memcpy(rk->src, k->dst, 16);
    memcpy(rk->dst, k->src, 16);
    rk->sport = k->dport;
    rk->dport = k->sport;
}

static void on_tcp(pcap_ctx *c, flow_key *k, const uint8_t *seg, size_t len)
{
    dnp3_reader r;
    dnp3_rd_init(&r, seg, len);
    (void)dnp3_rd_bytes(&r, 4); /* ports, already in the key */
    const uint8_t *sq = dnp3_rd_bytes(&r, 4);
    const uint8_t *ak = dnp3_rd_bytes(&r, 4);
    uint8_t off = dnp3_rd_u8(&r), flags = dnp3_rd_u8(&r);
    size_t hlen = (size_t)(off >> 4) * 4;
    if (r.err || hlen < 20 || hlen > len) {
        dnp3_decoder_error(c->d, "TCP", "packet %" PRIu64 ": TCP header truncated or invalid", c->d->packet);
        return;
    }
    uint32_t seq = (uint32_t)sq[0] << 24 | (uint32_t)sq[1] << 16 | (uint32_t)sq[2] << 8 | sq[3];
    bool syn = flags & 0x02, fin = flags & 0x01, rst = flags & 0x04;
    flow_key rk;
    flow_key_reverse(k, &rk);
    flow *rf = flow_lookup(c, &rk);
    if ((flags & 0x10) && !rst) { /* ACK (not on RST): the reverse direction cannot fill holes before it */
        uint32_t ack = (uint32_t)ak[0] << 24 | (uint32_t)ak[1] << 16 | (uint32_t)ak[2] << 8 | ak[3];
        if (rf) dnp3_tcp_dir_ack(&rf->tcp, ack, sink_for(rf));
    }
    flow *f = flow_find(c, k);
    if (!f) return;
    const uint8_t *data = seg + hlen;
    size_t n = len - hlen;
    if (dnp3_tcp_dir_segment(&f->tcp, seq, syn, fin, data, n, sink_for(f)) & TCP_SEG_NEW_CONNECTION) {
        flow_restart(c, f);
        if (!c->d->json && (c->d->levels & DNP3_DECODE_LINK))
            fprintf(c->d->out, "packet %" PRIu64 ": new TCP connection %s\n", c->d->packet, f->stream->label);
        (void)dnp3_tcp_dir_segment(&f->tcp, seq, syn, fin, data, n, sink_for(f));
    }
    if (rst) { /* the connection is gone in both directions: what is missing now never comes */
        if (!c->d->json && (c->d->levels & DNP3_DECODE_LINK))
            fprintf(c->d->out, "packet %" PRIu64 ": TCP RST on %s: the connection ends in both directions\n",
                    c->d->packet, f->stream->label);
        flow_restart(c, f);
        rf = flow_lookup(c, &rk); /* again: flow_find may have moved the table */
        if (rf) flow_restart(c, rf);
    }
}

/* Prints the packet line before its octets are decoded (TCP: only when data is new). */
static void on_tcp_packet(pcap_ctx *c, flow_key *k, const uint8_t *seg, size_t len)
{
    size_t hlen = len >= 13 ? (size_t)(seg[12] >> 4) * 4 : 0;
    if (hlen >= 20 && hlen < len) {
        flow *f = flow_find(c, k);
        if (f) {
            uint32_t seq = (uint32_t)seg[4] << 24 | (uint32_t)seg[5] << 16 | (uint32_t)seg[6] << 8 | seg[7];
            char extra[64];
            int64_t rel = (int64_t)(int32_t)(seq - f->tcp.next_seq);
            if (!f->tcp.started || rel == 0)
                extra[0] = 0;
            else if (rel < 0)
                snprintf(extra, sizeof extra, " (retransmission: %lld octets already seen)",
                         (long long)-rel < (long long)(len - hlen) ? (long long)-rel : (long long)(len - hlen));
            else
                snprintf(extra, sizeof extra, " (out of order: %lld octets ahead, held)", (long long)rel);
            print_packet_line(c, f, extra, len - hlen);
        }
    }
    on_tcp(c, k, seg, len);
}

static void on_udp(pcap_ctx *c, flow_key *k, const uint8_t *dg, size_t len)
{
    if (len < 8) {
        dnp3_decoder_error(c->d, "UDP", "packet %" PRIu64 ": UDP header truncated", c->d->packet);
        return;
    }
    size_t ulen = (size_t)dg[4] << 8 | dg[5];
    if (ulen < 8 || ulen > len) ulen = len;
    flow *f = flow_find(c, k);
    if (!f) return;
    print_packet_line(c, f, "", ulen - 8);
    dnp3_decode_stream_datagram(f->stream, dg + 8, ulen - 8);
}

/* Transport header: filter on the port and dispatch. */
static void on_l4(pcap_ctx *c, flow_key *k, uint8_t proto, const uint8_t *p, size_t len)
{
    if ((proto != 6 && proto != 17) || len < 4) return;
    k->sport = (uint16_t)(p[0] << 8 | p[1]);
    k->dport = (uint16_t)(p[2] << 8 | p[3]);
    if (k->sport != c->port && k->dport != c->port) return;
    k->udp = proto == 17;
    c->matched++;
    if (k->udp)
        on_udp(c, k, p, len);
    else
        on_tcp_packet(c, k, p, len);
}

static void on_ipv4(pcap_ctx *c, const uint8_t *p, size_t len)
{
    if (len < 20 || (p[0] >> 4) != 4) return;
    size_t ihl = (size_t)(p[0] & 15) * 4;
    size_t total = (size_t)p[2] << 8 | p[3];
    if (ihl < 20 || ihl > len) return;
    if (total >= ihl && total < len) len = total; /* drop link-layer padding */
    uint16_t frag = (uint16_t)(p[6] << 8 | p[7]);
    flow_key k;
    memset(&k, 0, sizeof k);
    k.af = 4;
    memcpy(k.src, p + 12, 4);
    memcpy(k.dst, p + 16, 4);
    if (frag & 0x3FFF) { /* MF set or a non-zero fragment offset */
        if ((frag & 0x1FFF) == 0 && len >= ihl + 4) {
            uint16_t sp = (uint16_t)(p[ihl] << 8 | p[ihl + 1]), dp = (uint16_t)(p[ihl + 2] << 8 | p[ihl + 3]);
            if (sp == c->port || dp == c->port)
                dnp3_decoder_error(c->d, NULL,
                                   "packet %" PRIu64
                                   ": fragmented IPv4 packet on port %u; IP fragments are not reassembled",
                                   c->d->packet, c->port);
        }
        return;
    }
    on_l4(c, &k, p[9], p + ihl, len - ihl);
}

static void on_ipv6(pcap_ctx *c, const uint8_t *p, size_t len)
{
    if (len < 40 || (p[0] >> 4) != 6) return;
    size_t plen = (size_t)p[4] << 8 | p[5];
    if (plen + 40 < len) len = plen + 40;
    flow_key k;
    memset(&k, 0, sizeof k);
    k.af = 6;
    memcpy(k.src, p + 8, 16);
    memcpy(k.dst, p + 24, 16);
    uint8_t nh = p[6];
    size_t pos = 40;
    for (int hops = 0; hops < 8; hops++) {
        if (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
            if (pos + 2 > len) return;
            size_t el = nh == 51 ? ((size_t)p[pos + 1] + 2) * 4 : ((size_t)p[pos + 1] + 1) * 8;
            nh = p[pos];
            pos += el;
            if (pos > len) return;
        } else if (nh == 44) {
            dnp3_decoder_error(c->d, NULL,
                               "packet %" PRIu64 ": fragmented IPv6 packet; IP fragments are not reassembled",
                               c->d->packet);
            return;
        } else {
            break;
        }
    }
    on_l4(c, &k, nh, p + pos, len - pos);
}

static void on_ethertype(pcap_ctx *c, uint16_t et, const uint8_t *p, size_t len)
{
    if (et == 0x0800)
        on_ipv4(c, p, len);
    else if (et == 0x86DD)
        on_ipv6(c, p, len);
}

static void on_ip(pcap_ctx *c, const uint8_t *p, size_t len)
{
    if (len < 1) return;
    if ((p[0] >> 4) == 4)
        on_ipv4(c, p, len);
    else if ((p[0] >> 4) == 6)
        on_ipv6(c, p, len);
}

/* Returns false for link types this decoder does not know. */
static bool on_packet(pcap_ctx *c, int dlt, const uint8_t *p, size_t len)
{
    switch (dlt) {
    case LT_EN10MB: {
        if (len < 14) return true;
        uint16_t et = (uint16_t)(p[12] << 8 | p[13]);
        size_t pos = 14;
        for (int tags = 0; tags < 2 && (et == 0x8100 || et == 0x88A8 || et == 0x9100); tags++) {
            if (len < pos + 4) return true;
            et = (uint16_t)(p[pos + 2] << 8 | p[pos + 3]);
            pos += 4;
        }
        on_ethertype(c, et, p + pos, len - pos);
        return true;
    }
    case LT_LINUX_SLL:
        if (len >= 16) on_ethertype(c, (uint16_t)(p[14] << 8 | p[15]), p + 16, len - 16);
        return true;
    case LT_LINUX_SLL2:
        if (len >= 20) on_ethertype(c, (uint16_t)(p[0] << 8 | p[1]), p + 20, len - 20);
        return true;
    case LT_RAW_A:
    case LT_RAW_B:
    case LT_RAW: on_ip(c, p, len); return true;
    case LT_IPV4: on_ipv4(c, p, len); return true;
    case LT_IPV6: on_ipv6(c, p, len); return true;
    case LT_NULL:
    case LT_LOOP:
        if (len >= 4) on_ip(c, p + 4, len - 4);
        return true;
    default: return false;
    }
}

bool dnp3_decode_pcap_is_capture(const char *path)
{
    static const uint32_t MAGIC[] = {
        0xA1B2C3D4u, 0xD4C3B2A1u, /* pcap, microseconds */
        0xA1B23C4Du, 0x4D3CB2A1u, /* pcap, nanoseconds */
        0xA1B2CD34u, 0x34CDB2A1u, /* pcap with Kuznetzov's extensions (libpcap reads it) */
        0x0A0D0D0Au,              /* pcapng section header block (the same in both orders) */
    };
    uint8_t b[4];
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    size_t n = fread(b, 1, sizeof b, fp);
    fclose(fp);
    if (n != sizeof b) return false;
    uint32_t m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    for (size_t i = 0; i < sizeof MAGIC / sizeof MAGIC[0]; i++)
        if (m == MAGIC[i]) return true;
    return false;
}

int dnp3_decode_pcap_file(decoder *d, const char *path, uint16_t port, char *err, size_t errcap)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errcap, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    pcap_t *pc = pcap_fopen_offline(fp, errbuf); /* takes fp, also on failure */
    if (!pc) {
        snprintf(err, errcap, "%s: not a pcap or pcapng capture: %s", path, errbuf);
        return -1;
    }
    int dlt = pcap_datalink(pc);
    pcap_ctx c;
    memset(&c, 0, sizeof c);
    c.d = d;
    c.port = port;
    int rc = 0;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int nx;
    uint64_t packet = 0;
    while ((nx = pcap_next_ex(pc, &hdr, &data)) == 1) {
        packet++;
        d->packet = packet;
        d->has_time = true;
        d->time_us = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec;
        uint64_t matched = c.matched;
        if (!on_packet(&c, dlt, data, hdr->caplen)) {
            const char *name = pcap_datalink_val_to_name(dlt);
            snprintf(
                err, errcap,
                "%s: unsupported link-layer type %d (%s); supported: Ethernet, Linux cooked, raw IP, loopback",
                path, dlt, name ? name : "unknown");
            rc = -1;
            break;
        }
        if (c.matched > matched && hdr->caplen < hdr->len)
            dnp3_decoder_error(d, NULL, "packet %" PRIu64 ": only %u of %u octets were captured (snap length)",
                               packet, hdr->caplen, hdr->len);
    }
    if (nx == -1) dnp3_decoder_error(d, path, "read error after packet %" PRIu64 ": %s", packet, pcap_geterr(pc));
    /* end of capture: fill what can be filled, then report what is left */
    d->packet = 0;
    d->has_time = false;
    for (size_t i = 0; i < c.nflows; i++) {
        flow *f = &c.flows[i];
        if (!f->key.udp) dnp3_tcp_dir_flush(&f->tcp, sink_for(f));
        dnp3_decode_stream_end(f->stream);
        dnp3_tcp_dir_free(&f->tcp);
        dnp3_decode_stream_free(f->stream);
        free(f->stream);
    }
    free(c.flows);
    pcap_close(pc);
    if (rc == 0 && packet == 0 && nx != -1)
        dnp3_decoder_error(d, path, "the capture holds no packets");
    else if (rc == 0 && c.matched == 0)
        dnp3_decoder_error(d, path, "no TCP or UDP packets on port %u (see --port)", port);
    return rc;
}
