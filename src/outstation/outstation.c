/*
 * outstation.c - configuration, memory layout and the driving API of the
 * sans-I/O outstation (IEEE 1815-2012 clause 4, outstation application
 * layer; the IIN octets are built in iin.c): fragment pump (solicited first, then
 * unsolicited), timers (confirm, unsolicited retry, NEED_TIME, keep-alive),
 * connection state, and the optional built-in channel (clause 8 transport,
 * clause 9 link) for octet-level use.
 *
 * Every buffer lives in the one block the caller provides; the layout is
 * computed twice from the configuration: once to size it, once to place it.
 * Each point type and each event ring gets only the arrays its row of
 * dnp3_os_types asks for (types.c), each carve aligned like max_align_t.
 */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "channel/channel_internal.h"
#include "core/config.h"
#include "outstation/os_internal.h"

#define MIN_FRAGMENT 249
#define EVENT_MARGIN 32 /* header room around one octet-string event */

static void outstation_config_defaults(dnp3_outstation_config *c)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->link_addr = 10;
    c->master_addr = 1;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c->types[t].count = 0;
        c->types[t].event_class = 1;
        c->types[t].in_class0 = true;
        c->types[t].event_buffer = 100;
    }
    c->octet_string_size = 32;
    c->max_rx_fragment = 2048;
    c->max_tx_fragment = 2048;
    c->select_timeout_ms = 5000;
    c->confirm_timeout_ms = 5000;
    c->max_controls = 16;
    c->unsolicited = false;
    c->unsol_retries = DNP3_OS_RETRY_FOREVER;
    c->unsol_retry_delay_ms = 5000;
    c->link_layer = true;
    c->link_mode = DNP3_CHANNEL_STREAM;
    c->keep_alive_ms = 60000;
    c->link_timeout_ms = 1000;
    c->sa_stat_event_buffer = 32;
    c->sa_stat_event_class = 3;
    c->sa_stat_event_variation = 2;
    c->command_event_buffer = 0;
    c->command_event_class = 1;
    c->bo_command_event_variation = 1;
    c->ao_command_event_variation = 1;
    c->event_classes = DNP3_OS_CLASS1 | DNP3_OS_CLASS2 | DNP3_OS_CLASS3;
    c->link_confirmed = false;
    c->link_confirm_timeout_ms = 2000;
    c->link_retries = 3;
    c->char_timeout_ms = 0;
}

void dnp3_outstation_config_init_size(dnp3_outstation_config *c, size_t size)
{
    dnp3_outstation_config full;
    outstation_config_defaults(&full);
    dnp3_config_fill(c, size, &full, sizeof full);
}

/* Copies a caller's config of possibly older (smaller) layout over the defaults and checks it:
 * NULL when valid, else the name of the first bad field. */
static const char *load_config(const dnp3_outstation_config *in, dnp3_outstation_config *out)
{
    static const char *const TYPE_FIELD[DNP3_OS_TYPE_COUNT][3] = {
        {"types[binary_input].event_class", "types[binary_input].static_variation",
         "types[binary_input].event_variation"},
        {"types[double_bit_input].event_class", "types[double_bit_input].static_variation",
         "types[double_bit_input].event_variation"},
        {"types[binary_output_status].event_class", "types[binary_output_status].static_variation",
         "types[binary_output_status].event_variation"},
        {"types[counter].event_class", "types[counter].static_variation", "types[counter].event_variation"},
        {"types[frozen_counter].event_class", "types[frozen_counter].static_variation",
         "types[frozen_counter].event_variation"},
        {"types[analog_input].event_class", "types[analog_input].static_variation",
         "types[analog_input].event_variation"},
        {"types[analog_output_status].event_class", "types[analog_output_status].static_variation",
         "types[analog_output_status].event_variation"},
        {"types[octet_string].event_class", "types[octet_string].static_variation",
         "types[octet_string].event_variation"},
        {"types[frozen_analog_input].event_class", "types[frozen_analog_input].static_variation",
         "types[frozen_analog_input].event_variation"},
    };
    dnp3_outstation_config_init(out);
    if (!in) return "config";
    if (!dnp3_config_overlay(out, sizeof *out, in, offsetof(dnp3_outstation_config, attr))) return "size";
    if (out->max_rx_fragment < MIN_FRAGMENT || out->max_rx_fragment > 65535) return "max_rx_fragment";
    if (out->max_tx_fragment < MIN_FRAGMENT || out->max_tx_fragment > 65535) return "max_tx_fragment";
    if (out->octet_string_size == 0 || (size_t)out->octet_string_size + EVENT_MARGIN > out->max_tx_fragment)
        return "octet_string_size";
    if (out->link_mode > DNP3_CHANNEL_DATAGRAM) return "link_mode";
    if (out->link_framing > DNP3_FRAMING_RESYNC) return "link_framing";
    if (out->link_layer && out->link_confirmed && out->link_confirm_timeout_ms == 0)
        return "link_confirm_timeout_ms";
    if (out->link_layer && out->link_retries > 255) return "link_retries";
    if (out->confirm_timeout_ms == 0) out->confirm_timeout_ms = 1; /* a timer must lie in the future */
    if (out->sa_stat_event_buffer) {
        if (out->sa_stat_event_class < 1 || out->sa_stat_event_class > 3) return "sa_stat_event_class";
        if (!dnp3_os_event_var_ok((dnp3_os_type)OS_SEC_STAT, out->sa_stat_event_variation))
            return "sa_stat_event_variation";
    }
    if (out->command_event_buffer) {
        if (out->command_event_class < 1 || out->command_event_class > 3) return "command_event_class";
        if (!dnp3_os_event_var_ok((dnp3_os_type)OS_CMD_BO, out->bo_command_event_variation))
            return "bo_command_event_variation";
        if (!dnp3_os_event_var_ok((dnp3_os_type)OS_CMD_AO, out->ao_command_event_variation))
            return "ao_command_event_variation";
    }
    if (out->event_classes & ~(DNP3_OS_CLASS1 | DNP3_OS_CLASS2 | DNP3_OS_CLASS3)) return "event_classes";
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        dnp3_os_type_config *tc = &out->types[t];
        if (tc->event_class > 3) return TYPE_FIELD[t][0];
        if (!(tc->deadband >= 0)) return "types[].deadband";
        if (t == DNP3_OS_OCTET_STRING) continue;
        if (tc->static_variation && !dnp3_os_static_var_ok((dnp3_os_type)t, tc->static_variation))
            return TYPE_FIELD[t][1];
        if (tc->event_variation && !dnp3_os_event_var_ok((dnp3_os_type)t, tc->event_variation))
            return TYPE_FIELD[t][2];
    }
    return NULL;
}

int dnp3_outstation_config_check(const dnp3_outstation_config *c, const char **field)
{
    dnp3_outstation_config cfg;
    return dnp3_config_verdict(load_config(c, &cfg), field);
}

static void channel_config(const dnp3_outstation_config *c, dnp3_channel_config *cc)
{
    dnp3_channel_config_init(cc);
    cc->is_master = false;
    cc->local_addr = c->link_addr;
    cc->remote_addr = c->master_addr;
    cc->self_addr_enabled = c->self_addr;
    cc->mode = c->link_mode;
    cc->max_rx_fragment = c->max_rx_fragment;
    cc->max_tx_fragment = c->max_tx_fragment;
    cc->keep_alive_ms = c->keep_alive_ms;
    cc->link_timeout_ms = c->link_timeout_ms;
    cc->framing = c->link_framing;
    cc->link_confirmed = c->link_confirmed;
    cc->link_confirm_timeout_ms = c->link_confirm_timeout_ms;
    cc->link_retries = c->link_retries;
    cc->char_timeout_ms = c->char_timeout_ms;
}

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

size_t dnp3_os_point_octets(const dnp3_outstation_config *c, int t)
{
    const os_type_info *ti = &dnp3_os_types[t];
    size_t n = sizeof(os_point) + dnp3_os_value_size(ti->pkind);
    if (ti->deadband) n += sizeof(double) + sizeof(float);
    if (ti->ptime) n += 6; /* time48 */
    if (t == DNP3_OS_OCTET_STRING) n += (size_t)c->octet_string_size + 1;
    return n;
}

size_t dnp3_os_event_octets(const dnp3_outstation_config *c, int t)
{
    size_t n = sizeof(os_event) + dnp3_os_value_size(dnp3_os_types[t].ekind);
    if (t == DNP3_OS_OCTET_STRING) n += c->octet_string_size;
    return n;
}

static const char *attr_source(const dnp3_os_attributes *a, int i)
{
    const char *s[OS_ATTR_STRINGS] = {a->vendor,   a->model,   a->sw_version,  a->hw_version,    a->owner,
                                      a->location, a->id_code, a->device_name, a->serial_number, a->subset};
    return s[i];
}

static size_t attr_strlen(const char *s)
{
    size_t n = 0;
    while (s && s[n] && n < 255) n++;
    return n;
}

/* Carves the block: with os == NULL it only adds up the sizes. Returns the total. Without
 * `tables` (a session) the point tables are left out: the session uses its database's. */
static size_t layout(const dnp3_outstation_config *c, dnp3_outstation *os, uint8_t *base, bool tables)
{
    size_t off = align_up(sizeof(struct dnp3_outstation));
#define TAKE(ptr, type, bytes)                                                                                    \
    do {                                                                                                          \
        size_t take_n_ = (bytes);                                                                                 \
        if (os) (ptr) = (type)(void *)(base + off);                                                               \
        off += align_up(take_n_);                                                                                 \
    } while (0)
    /* each type's points: the common records and the arrays its dnp3_os_types row asks for;
     * each ring: the records, a value array of its kind and, for octet strings, the payloads */
    for (int t = 0; t < OS_EV_TYPES; t++) {
        const os_type_info *ti = &dnp3_os_types[t];
        const bool point_type = t < DNP3_OS_TYPE_COUNT;
        size_t n = tables && point_type ? c->types[t].count : 0;
        /* a type without points has no event ring (its events could never happen) */
        size_t e = point_type         ? (c->types[t].count ? c->types[t].event_buffer : 0)
                   : t == OS_SEC_STAT ? c->sa_stat_event_buffer
                                      : c->command_event_buffer;
        os_table tb;
        os_ring r;
        memset(&tb, 0, sizeof tb);
        memset(&r, 0, sizeof r);
        if (n) {
            TAKE(tb.pts, os_point *, n * sizeof(os_point));
            if (ti->pkind != VK_NONE) TAKE(tb.val, void *, n *dnp3_os_value_size(ti->pkind));
            if (ti->deadband) {
                TAKE(tb.ref, double *, n * sizeof(double));
                TAKE(tb.deadband, float *, n * sizeof(float));
            }
            if (ti->ptime) TAKE(tb.time, uint8_t *, n * 6);
            if (t == DNP3_OS_OCTET_STRING) {
                TAKE(tb.oct, uint8_t *, n * c->octet_string_size);
                TAKE(tb.oct_len, uint8_t *, n);
            }
        }
        if (e) {
            TAKE(r.ev, os_event *, e * sizeof(os_event));
            if (ti->ekind != VK_NONE) TAKE(r.val, void *, e *dnp3_os_value_size(ti->ekind));
            if (t == DNP3_OS_OCTET_STRING) TAKE(r.data, uint8_t *, e * c->octet_string_size);
        }
        if (os && tables && point_type) {
            tb.count = (uint16_t)n;
            os->db[t] = tb;
        }
        if (os) {
            r.kind = ti->ekind;
            r.cap = (uint16_t)e;
            os->ev[t] = r;
        }
    }
    uint32_t *reported = NULL;
    if (c->sa_stat_event_buffer) TAKE(reported, uint32_t *, DNP3_SA_STAT_COUNT * sizeof(uint32_t));
    if (os) os->sa_stat_reported = reported;
    uint8_t *req = NULL, *dfr = NULL, *sol = NULL, *uns = NULL;
    TAKE(req, uint8_t *, c->max_rx_fragment);
    TAKE(dfr, uint8_t *, c->max_rx_fragment);
    TAKE(sol, uint8_t *, c->max_tx_fragment);
    TAKE(uns, uint8_t *, c->max_tx_fragment);
    if (os) {
        os->req = req;
        os->dfr = dfr;
        os->sol = sol;
        os->uns = uns;
    }
    for (int i = 0; i < OS_ATTR_STRINGS; i++) {
        const char *src = attr_source(&c->attr, i);
        if (!src) continue;
        size_t n = attr_strlen(src);
        char *dst = NULL;
        TAKE(dst, char *, n + 1);
        if (os) {
            memcpy(dst, src, n);
            dst[n] = 0;
            os->attr_str[i] = dst;
            os->attr_len[i] = (uint8_t)n;
        }
    }
    if (c->link_layer) {
        dnp3_channel_config cc;
        channel_config(c, &cc);
        size_t n = dnp3_channel_memory_size(&cc);
        if (n == 0) return 0;
        if (os) os->ch = (dnp3_channel *)(void *)(base + off);
        off += align_up(n);
    }
#undef TAKE
    return off;
}

size_t dnp3_outstation_memory_size(const dnp3_outstation_config *c)
{
    dnp3_outstation_config cfg;
    if (load_config(c, &cfg)) return 0;
    return layout(&cfg, NULL, NULL, true);
}

static void on_fragment(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    dnp3_outstation_receive(ctx, f->apdu, f->len, f->broadcast, now);
}

static void init_points(dnp3_outstation *os)
{
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        const dnp3_os_type_config *tc = &os->cfg.types[t];
        os_table *tb = &os->db[t];
        for (uint32_t i = 0; i < tb->count; i++) {
            os_point *p = &tb->pts[i];
            p->flags = DNP3_FLAG_RESTART;
            p->cls = (uint8_t)(tc->event_class | (tc->in_class0 ? 0u : OS_NOT_CLASS0));
            p->svar = tc->static_variation ? tc->static_variation : dnp3_os_default_static_var((dnp3_os_type)t);
            p->evar = tc->event_variation ? tc->event_variation : dnp3_os_default_event_var((dnp3_os_type)t);
            if (tb->deadband) tb->deadband[i] = (float)tc->deadband;
            if (tb->oct_len) tb->oct_len[i] = 1; /* a single zero octet */
        }
    }
}

/* Builds an outstation (tables: with its own point tables) in mem from a loaded configuration. */
static dnp3_outstation *build(void *mem, size_t size, const dnp3_outstation_config *cfg,
                              const dnp3_outstation_callbacks *cb, bool tables, dnp3_tstamp now)
{
    if (!mem || (uintptr_t)mem % alignof(max_align_t) != 0) return NULL;
    size_t need = layout(cfg, NULL, NULL, tables);
    if (need == 0 || size < need) return NULL;
    if (cb && (cb->size < offsetof(dnp3_outstation_callbacks, crob) || cb->size > sizeof *cb)) return NULL;
    memset(mem, 0, need);
    dnp3_outstation *os = mem;
    os->cfg = *cfg;
    if (cb) memcpy(&os->cb, cb, cb->size);
    os->cb.size = sizeof os->cb;
    layout(cfg, os, mem, tables);
    memset(&os->cfg.attr, 0, sizeof os->cfg.attr); /* the strings now live in the block */
    os->db_owner = os;
    os->iin_app = DNP3_IIN1_DEVICE_RESTART;
    os->online = true;
    dnp3_os_unsol_init(os);
    dnp3_os_time_init(os, now);
    if (cfg->link_layer) {
        dnp3_channel_config cc;
        channel_config(cfg, &cc);
        cc.on_fragment = on_fragment;
        cc.ctx = os;
        os->ch = dnp3_channel_init(os->ch, dnp3_channel_memory_size(&cc), &cc, now);
        if (!os->ch) return NULL;
    }
    return os;
}

dnp3_outstation *dnp3_outstation_init(void *mem, size_t size, const dnp3_outstation_config *c,
                                      const dnp3_outstation_callbacks *cb, dnp3_tstamp now)
{
    dnp3_outstation_config cfg;
    if (load_config(c, &cfg)) return NULL;
    dnp3_outstation *os = build(mem, size, &cfg, cb, true, now);
    if (os) init_points(os);
    return os;
}

size_t dnp3_outstation_session_memory_size(const dnp3_outstation_config *c)
{
    dnp3_outstation_config cfg;
    if (load_config(c, &cfg)) return 0;
    return layout(&cfg, NULL, NULL, false);
}

dnp3_outstation *dnp3_outstation_init_session(void *mem, size_t size, const dnp3_outstation_config *c,
                                              const dnp3_outstation_callbacks *cb, dnp3_outstation *shared,
                                              dnp3_tstamp now)
{
    dnp3_outstation_config cfg;
    if (!shared || shared->db_owner != shared || load_config(c, &cfg)) return NULL;
    if (cfg.octet_string_size != shared->cfg.octet_string_size) return NULL;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++)
        if (cfg.types[t].count != shared->db[t].count) return NULL;
    dnp3_outstation *os = build(mem, size, &cfg, cb, false, now);
    if (os) dnp3_os_session_join(os, shared);
    return os;
}

uint16_t dnp3_outstation_iin(const dnp3_outstation *os)
{
    return os ? dnp3_os_iin(os) : 0;
}

/* ---- fragment pump ---- */

/* The next fragment to send (not consumed), or NULL. */
static const uint8_t *peek(dnp3_outstation *os, dnp3_tstamp now, size_t *len)
{
    if (os->sol_ready) {
        *len = os->sol_len;
        return os->sol;
    }
    dnp3_os_unsol_poll(os, now);
    if (os->uns_ready) {
        *len = os->uns_len;
        return os->uns;
    }
    return NULL;
}

/* Hands the fragment over: a confirm it asks for is timed from now (the fragment
 * reached the transport), not from when it was built. */
static void consume(dnp3_outstation *os, dnp3_tstamp now)
{
    if (os->sol_ready) {
        os->sol_ready = false;
        if (os->sol_await) os->sol_deadline = now + os->cfg.confirm_timeout_ms;
        /* a READ deferred behind the unsolicited confirm waited for this answer to go out */
        if (os->deferred_read && !dnp3_os_unsol_awaiting(os)) dnp3_os_dispatch_deferred(os, now);
    } else {
        os->uns_ready = false;
        if (os->uns_state == UNS_AWAIT) os->uns_deadline = now + os->cfg.confirm_timeout_ms;
    }
}

int dnp3_outstation_take(dnp3_outstation *os, uint8_t *dst, size_t cap, dnp3_tstamp now)
{
    if (!os) return DNP3_ERR_INVALID_ARG;
    size_t n = 0;
    const uint8_t *p = peek(os, now, &n);
    if (!p) return 0;
    if (!dst || cap < n) return DNP3_ERR_BUFFER_TOO_SMALL;
    memcpy(dst, p, n);
    consume(os, now);
    return (int)n;
}

/*
 * The contract: after any call, either nothing is ready to go out or the
 * expiry is 0 ("now": call take/write). Output is built lazily, so a
 * response that take would build (the null unsolicited response, events of
 * an enabled class, a retry) counts as ready as much as one already built.
 */
dnp3_tstamp dnp3_outstation_get_expiry(const dnp3_outstation *os)
{
    if (!os) return DNP3_TSTAMP_NEVER;
    const bool ready = os->sol_ready || os->uns_ready || dnp3_os_unsol_due(os);
    /* write sends nothing while offline, nor while the channel has no room (confirmed mode:
     * until an ACK, which the runtime sees as a read; the channel's timers are below) */
    if (ready && (os->online || !os->ch) && (!os->ch || dnp3_ch_has_room(os->ch))) return 0;
    if (os->ch && dnp3_channel_pending(os->ch) > 0) return 0;
    dnp3_tstamp t = DNP3_TSTAMP_NEVER, u;
    if (os->sol_await && !os->sol_ready) t = os->sol_deadline;
    if ((u = dnp3_os_unsol_expiry(os)) < t) t = u;
    if (os->need_time_at < t) t = os->need_time_at;
    if ((u = dnp3_os_freeze_expiry(os)) < t) t = u;
    if (os->ch && (u = dnp3_channel_get_expiry(os->ch)) < t) t = u;
    if (os->sa && (u = dnp3_os_sa_expiry(os)) < t) t = u;
    if ((u = dnp3_os_file_expiry(os)) < t) t = u;
    return t;
}

int dnp3_outstation_handle_expiry(dnp3_outstation *os, dnp3_tstamp now)
{
    if (!os) return DNP3_ERR_INVALID_ARG;
    if (os->sol_await && !os->sol_ready && now >= os->sol_deadline)
        dnp3_os_sol_abandon(os); /* events stay buffered */
    if (dnp3_os_unsol_timer(os, now)) dnp3_os_dispatch_deferred(os, now);
    dnp3_os_time_timer(os, now);
    if (os->sa) dnp3_os_sa_timer(os, now);
    dnp3_os_file_timer(os, now);
    if (os->ch) return dnp3_channel_handle_expiry(os->ch, now);
    return DNP3_OK;
}

void dnp3_outstation_set_online(dnp3_outstation *os, bool online, dnp3_tstamp now)
{
    if (!os) return;
    if (!online || !os->online) {
        dnp3_os_sol_abandon(os);
        dnp3_os_unsol_offline(os);
        os->sel_active = false;
        os->deferred_read = false;
        os->req_valid = false;
        os->sol_repeatable = false;
        dnp3_os_file_offline(os);
        if (os->ch) dnp3_channel_reset(os->ch, now);
    }
    os->online = online;
}

/* ---- octet level ---- */

int dnp3_outstation_read(dnp3_outstation *os, const uint8_t *in, size_t len, dnp3_tstamp now)
{
    if (!os || !os->ch) return DNP3_ERR_STATE;
    return dnp3_channel_read(os->ch, in, len, now);
}

int dnp3_outstation_write(dnp3_outstation *os, uint8_t *dst, size_t cap, dnp3_tstamp now)
{
    if (!os || !os->ch) return DNP3_ERR_STATE;
    size_t n = 0;
    const uint8_t *p;
    while (os->online && (p = peek(os, now, &n)) != NULL && dnp3_channel_can_send(os->ch, n)) {
        if (dnp3_channel_send(os->ch, os->cfg.master_addr, p, n) != DNP3_OK) break;
        consume(os, now);
    }
    return dnp3_channel_write_at(os->ch, dst, cap, now);
}

size_t dnp3_outstation_write_size(const dnp3_outstation *os)
{
    return os ? dnp3_transport_wire_size(os->cfg.max_tx_fragment) : 0;
}

dnp3_channel *dnp3_outstation_channel(dnp3_outstation *os)
{
    return os ? os->ch : NULL;
}
