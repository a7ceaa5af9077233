/*
 * channel.c - sans-I/O link + transport endpoint (IEEE 1815-2012 clause 9.2
 * link frames and secondary-station rules, clause 8 transport reassembly and
 * segmentation; link-status keep-alive as used on IP networks, docs/protocol-notes.md §1.6).
 *
 * Receive: octets -> link parser (stream: close or discard mode; datagram:
 * whole frames per datagram) -> source filter -> dnp3_link_station_receive
 * (link replies queued) -> transport reassembly -> on_fragment callback.
 * Transmit: fragments and link replies become chunks of the output queue.
 * Keep-alive state machine:
 *   IDLE --(keep_alive_ms without a received frame)--> send REQUEST_LINK_STATUS,
 *   AWAIT --(any accepted frame)--> IDLE, AWAIT --(link_timeout_ms)--> CLOSE.
 * Confirmed user data (link_confirmed): fragments go through primary.c instead, one frame
 * per output chunk. Inter-character timeout (serial mode, char_timeout_ms): a partial frame
 * whose next octet comes more than char_timeout_ms after the previous one, or not at all by
 * then, is dropped and parsing restarts (docs/link-transport.md).
 */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "channel/channel_internal.h"
#include "core/config.h"

#define LINK_REPLY_SLOTS ((size_t)8) /* link replies that may wait in the queue besides one fragment */
#define MIN_RX_FRAGMENT 249

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

static size_t queue_size(const dnp3_channel_config *c)
{
    return DNP3_TXQ_PREFIX + dnp3_transport_wire_size(c->max_tx_fragment) +
           LINK_REPLY_SLOTS * (DNP3_TXQ_PREFIX + DNP3_LINK_HEADER_SIZE);
}

static void channel_config_defaults(dnp3_channel_config *c)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->is_master = false;
    c->local_addr = 10;
    c->remote_addr = 1;
    c->mode = DNP3_CHANNEL_STREAM;
    c->max_rx_fragment = 2048;
    c->max_tx_fragment = 2048;
    c->keep_alive_ms = 60000;
    c->link_timeout_ms = 1000;
    c->link_confirmed = false;
    c->link_confirm_timeout_ms = 2000;
    c->link_retries = 3;
    c->char_timeout_ms = 0;
}

void dnp3_channel_config_init_size(dnp3_channel_config *c, size_t size)
{
    dnp3_channel_config full;
    channel_config_defaults(&full);
    dnp3_config_fill(c, size, &full, sizeof full);
}

/* Copies a caller's config of possibly older (smaller) layout over the defaults and checks it:
 * NULL when valid, else the name of the first bad field. */
static const char *load_config(const dnp3_channel_config *in, dnp3_channel_config *out)
{
    dnp3_channel_config_init(out);
    if (!in) return "config";
    if (!dnp3_config_overlay(out, sizeof *out, in, offsetof(dnp3_channel_config, ctx) + sizeof(void *)))
        return "size";
    if (out->max_rx_fragment < MIN_RX_FRAGMENT || out->max_rx_fragment > 0xFFFFFF) return "max_rx_fragment";
    if (out->max_tx_fragment == 0 || out->max_tx_fragment > 65535) return "max_tx_fragment";
    if (out->mode > DNP3_CHANNEL_DATAGRAM) return "mode";
    if (out->framing > DNP3_FRAMING_RESYNC) return "framing";
    if (out->link_confirmed && out->link_confirm_timeout_ms == 0) return "link_confirm_timeout_ms";
    if (out->link_retries > 255) return "link_retries";
    return NULL;
}

int dnp3_channel_config_check(const dnp3_channel_config *c, const char **field)
{
    dnp3_channel_config cfg;
    return dnp3_config_verdict(load_config(c, &cfg), field);
}

/* Whether a framing error resyncs (discard mode) rather than closing. */
static bool resyncs(const dnp3_channel_config *c)
{
    if (c->framing == DNP3_FRAMING_BY_MODE) return c->mode == DNP3_CHANNEL_SERIAL;
    return c->framing == DNP3_FRAMING_RESYNC;
}

size_t dnp3_channel_memory_size(const dnp3_channel_config *c)
{
    dnp3_channel_config cfg;
    if (load_config(c, &cfg)) return 0;
    return align_up(sizeof(struct dnp3_channel)) + align_up(cfg.max_rx_fragment) + align_up(queue_size(&cfg)) +
           align_up(dnp3_ch_pri_memory_size(&cfg));
}

static void restart(dnp3_channel *ch, dnp3_tstamp now)
{
    dnp3_link_parser_init(&ch->parser, resyncs(&ch->cfg) ? DNP3_LINK_MODE_DISCARD : DNP3_LINK_MODE_CLOSE);
    dnp3_link_station_init(&ch->station, ch->cfg.is_master, ch->cfg.local_addr, ch->cfg.self_addr_enabled);
    dnp3_transport_rx_reset(&ch->trx);
    dnp3_transport_tx_init(&ch->ttx);
    dnp3_txq_clear(&ch->q);
    dnp3_ch_pri_reset(ch);
    ch->close = DNP3_CHANNEL_OPEN;
    ch->last_rx = now;
    ch->last_octet = now;
    ch->awaiting_status = false;
    ch->peer_addr = ch->cfg.remote_addr;
    ch->status_deadline = 0;
}

dnp3_channel *dnp3_channel_init(void *mem, size_t size, const dnp3_channel_config *c, dnp3_tstamp now)
{
    dnp3_channel_config cfg;
    if (!mem || load_config(c, &cfg)) return NULL;
    if ((uintptr_t)mem % alignof(max_align_t) != 0) return NULL;
    size_t need = dnp3_channel_memory_size(&cfg);
    if (size < need) return NULL;
    memset(mem, 0, need);
    dnp3_channel *ch = mem;
    uint8_t *p = (uint8_t *)mem + align_up(sizeof *ch);
    ch->cfg = cfg;
    dnp3_transport_rx_init(&ch->trx, p, cfg.max_rx_fragment);
    p += align_up(cfg.max_rx_fragment);
    dnp3_txq_init(&ch->q, p, queue_size(&cfg));
    p += align_up(queue_size(&cfg));
    dnp3_ch_pri_init(ch, p);
    restart(ch, now);
    return ch;
}

void dnp3_channel_reset(dnp3_channel *ch, dnp3_tstamp now)
{
    restart(ch, now);
}

dnp3_broadcast_kind dnp3_broadcast_kind_of(uint16_t dest)
{
    switch (dest) {
    case DNP3_ADDR_BCAST_NO_CONFIRM: return DNP3_BCAST_NO_CONFIRM;
    case DNP3_ADDR_BCAST_CONFIRM: return DNP3_BCAST_CONFIRM;
    case DNP3_ADDR_BCAST_OPT_CONFIRM: return DNP3_BCAST_OPT_CONFIRM;
    default: return DNP3_BCAST_NONE;
    }
}

/* One good frame from the parser. */
static void on_frame(dnp3_channel *ch, const dnp3_link_frame *f, dnp3_tstamp now)
{
    if (!ch->cfg.accept_any_remote && f->src != ch->cfg.remote_addr) {
        ch->stats.frames_other_source++;
        return;
    }
    dnp3_link_rx rx;
    if (!dnp3_link_station_receive(&ch->station, f, &rx)) {
        ch->stats.frames_ignored++;
        return;
    }
    ch->last_rx = now;
    ch->awaiting_status = false;
    if (ch->cfg.accept_any_remote && rx.src <= DNP3_ADDR_MAX_NORMAL) ch->peer_addr = rx.src;
    if (rx.reply) dnp3_ch_queue_link_frame(ch, rx.reply_control, rx.src);
    if (rx.secondary_received && ch->cfg.link_confirmed) dnp3_ch_pri_on_secondary(ch, rx.src, f->control);
    if (!rx.data || rx.len == 0) return;
    const uint8_t *apdu;
    size_t apdu_len;
    if (dnp3_transport_rx_push(&ch->trx, rx.src, rx.broadcast, rx.data, rx.len, &apdu, &apdu_len) != 1) return;
    ch->stats.fragments_rx++;
    if (!ch->cfg.on_fragment) return;
    dnp3_channel_fragment frag = {
        .apdu = apdu,
        .len = apdu_len,
        .src = rx.src,
        .dest = rx.dest,
        .broadcast = rx.broadcast ? dnp3_broadcast_kind_of(rx.dest) : DNP3_BCAST_NONE,
    };
    ch->cfg.on_fragment(ch->cfg.ctx, &frag, now);
}

static int read_datagram(dnp3_channel *ch, const uint8_t *in, size_t len, dnp3_tstamp now)
{
    while (len > 0) {
        dnp3_link_frame f;
        int n = dnp3_link_parse(in, len, ch->scratch, &f, NULL);
        if (n <= 0) return DNP3_OK; /* a bad or cut frame drops the rest of the datagram */
        on_frame(ch, &f, now);
        in += n;
        len -= (size_t)n;
    }
    return DNP3_OK;
}

/* Whether the inter-character timeout applies (serial mode, set). */
static bool char_timing(const dnp3_channel *ch)
{
    return ch->cfg.mode == DNP3_CHANNEL_SERIAL && ch->cfg.char_timeout_ms > 0;
}

/* The instant a partial frame is given up: the first ms more than char_timeout_ms after its last octet. */
static dnp3_tstamp char_deadline(const dnp3_channel *ch)
{
    if (!char_timing(ch) || ch->parser.have == 0) return DNP3_TSTAMP_NEVER;
    return ch->last_octet + ch->cfg.char_timeout_ms + 1;
}

/* Drops a partial frame whose inter-character gap has run out by `now`. */
static void char_timer(dnp3_channel *ch, dnp3_tstamp now)
{
    if (now < char_deadline(ch)) return;
    dnp3_link_parser_discard(&ch->parser);
    ch->stats.char_timeouts++;
}

int dnp3_channel_read(dnp3_channel *ch, const uint8_t *in, size_t len, dnp3_tstamp now)
{
    if (ch->close != DNP3_CHANNEL_OPEN) return DNP3_ERR_LINK_CLOSED;
    if (!in) return len ? DNP3_ERR_INVALID_ARG : DNP3_OK;
    if (ch->cfg.link_confirmed) dnp3_ch_pri_arm(ch, now);
    if (ch->cfg.mode == DNP3_CHANNEL_DATAGRAM) return read_datagram(ch, in, len, now);
    if (len == 0) return DNP3_OK;
    char_timer(ch, now);
    ch->last_octet = now;

    /* bounded: every round consumes input or delivers/drops buffered octets */
    size_t guard = len + 4 * (size_t)DNP3_LINK_MAX_FRAME + 16;
    while (guard-- > 0) {
        size_t used = 0;
        dnp3_link_frame f;
        int rc = dnp3_link_parser_push(&ch->parser, in, len, &used, &f);
        if (used > len) used = len;
        in += used;
        len -= used;
        if (rc == 1) {
            on_frame(ch, &f, now);
            if (ch->close != DNP3_CHANNEL_OPEN) return DNP3_ERR_LINK_CLOSED;
            continue;
        }
        if (rc < 0) {
            if (!resyncs(&ch->cfg)) {
                ch->close = DNP3_CHANNEL_CLOSE_FRAMING;
                return DNP3_ERR_LINK_CLOSED;
            }
            continue; /* discard mode: the parser resynced, keep feeding */
        }
        if (len == 0) break;
    }
    return DNP3_OK;
}

bool dnp3_channel_can_send(const dnp3_channel *ch, size_t len)
{
    if (len == 0 || len > ch->cfg.max_tx_fragment) return false;
    if (ch->cfg.link_confirmed) return dnp3_ch_pri_fits(ch, len);
    return dnp3_txq_fits(&ch->q, dnp3_transport_wire_size(len));
}

bool dnp3_ch_has_room(const dnp3_channel *ch)
{
    return dnp3_channel_can_send(ch, ch->cfg.max_tx_fragment) || dnp3_txq_front_len(&ch->q) > 0;
}

int dnp3_channel_send(dnp3_channel *ch, uint16_t dest, const uint8_t *apdu, size_t len)
{
    if (!apdu || len == 0 || len > ch->cfg.max_tx_fragment) return DNP3_ERR_INVALID_ARG;
    if (ch->cfg.link_confirmed) {
        int rc = dnp3_ch_pri_send(ch, dest, apdu, len);
        if (rc == DNP3_OK) ch->stats.fragments_tx++;
        return rc;
    }
    size_t wire = dnp3_transport_wire_size(len);
    uint8_t *p = dnp3_txq_reserve(&ch->q, wire);
    if (!p) return DNP3_ERR_BUFFER_TOO_SMALL;
    uint8_t control = dnp3_link_control(ch->cfg.is_master, true, DNP3_LINK_UNCONFIRMED_USER_DATA);
    int n = dnp3_transport_write_fragment(&ch->ttx, p, wire, control, dest, ch->cfg.local_addr, apdu, len);
    if (n < 0) return n;
    dnp3_txq_commit(&ch->q, (size_t)n);
    ch->stats.fragments_tx++;
    return DNP3_OK;
}

int dnp3_channel_write(dnp3_channel *ch, uint8_t *dst, size_t cap)
{
    int n = dnp3_txq_pop(&ch->q, dst, cap);
    if (n > 0 && ch->cfg.link_confirmed) dnp3_ch_pri_kick(ch); /* a broadcast may fit now */
    return n;
}

int dnp3_channel_write_at(dnp3_channel *ch, uint8_t *dst, size_t cap, dnp3_tstamp now)
{
    int n = dnp3_channel_write(ch, dst, cap);
    if (ch->cfg.link_confirmed) dnp3_ch_pri_arm(ch, now);
    return n;
}

size_t dnp3_channel_pending(const dnp3_channel *ch)
{
    return dnp3_txq_front_len(&ch->q);
}

static dnp3_tstamp min_ts(dnp3_tstamp a, dnp3_tstamp b)
{
    return a < b ? a : b;
}

dnp3_tstamp dnp3_channel_get_expiry(const dnp3_channel *ch)
{
    if (ch->close != DNP3_CHANNEL_OPEN) return DNP3_TSTAMP_NEVER;
    dnp3_tstamp t = char_deadline(ch);
    if (ch->cfg.link_confirmed) t = min_ts(t, dnp3_ch_pri_expiry(ch));
    if (ch->cfg.keep_alive_ms == 0) return t;
    if (ch->awaiting_status) return min_ts(t, ch->status_deadline);
    return min_ts(t, ch->last_rx + ch->cfg.keep_alive_ms);
}

int dnp3_channel_handle_expiry(dnp3_channel *ch, dnp3_tstamp now)
{
    if (ch->close != DNP3_CHANNEL_OPEN) return DNP3_ERR_LINK_CLOSED;
    char_timer(ch, now);
    if (ch->cfg.link_confirmed) {
        dnp3_ch_pri_arm(ch, now);
        dnp3_ch_pri_timer(ch, now);
    }
    if (ch->cfg.keep_alive_ms == 0) return DNP3_OK;
    if (ch->awaiting_status) {
        if (now >= ch->status_deadline) {
            ch->close = DNP3_CHANNEL_CLOSE_KEEPALIVE;
            return DNP3_ERR_LINK_CLOSED;
        }
        return DNP3_OK;
    }
    if (now >= ch->last_rx + ch->cfg.keep_alive_ms) {
        dnp3_ch_queue_link_frame(ch, dnp3_link_control(ch->cfg.is_master, true, DNP3_LINK_REQUEST_LINK_STATUS),
                                 ch->peer_addr);
        ch->stats.keep_alives_sent++;
        ch->awaiting_status = true;
        ch->status_deadline = now + ch->cfg.link_timeout_ms;
    }
    return DNP3_OK;
}

dnp3_channel_close_reason dnp3_channel_close_reason_get(const dnp3_channel *ch)
{
    return ch->close;
}

const dnp3_channel_stats *dnp3_channel_get_stats(const dnp3_channel *ch)
{
    return &ch->stats;
}

const dnp3_link_parser *dnp3_channel_link_parser(const dnp3_channel *ch)
{
    return &ch->parser;
}

const dnp3_transport_rx *dnp3_channel_transport_rx(const dnp3_channel *ch)
{
    return &ch->trx;
}

uint16_t dnp3_channel_remote_addr(const dnp3_channel *ch)
{
    return ch->cfg.remote_addr;
}
