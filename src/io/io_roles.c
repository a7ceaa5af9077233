/*
 * io_roles.c - runtime bindings of an outstation and a master (dnp3/io_roles.h):
 * the glue between the libuv endpoint (io.c and the io_*.c files), a channel and a role.
 */
#include <stdlib.h>
#include <string.h>

#include "dnp3/io_roles.h"
#include "io_internal.h"

static void *alloc_aligned(size_t size)
{
    size_t a = _Alignof(max_align_t);
    return size ? aligned_alloc(a, (size + a - 1) / a * a) : NULL;
}

/* ---- shared: channel creation and hook forwarding ---- */

typedef struct {
    dnp3_io_hooks hooks;
    void *ch_mem;
    dnp3_channel *ch;
    dnp3_io *io;
} binding;

/* Allocates and initialises the binding's channel: 0, DNP3_ERR_NOMEM when the memory
 * could not be had, DNP3_ERR_CONFIG when the channel configuration is refused. */
static int make_channel(binding *b, const dnp3_channel_config *cc, bool is_master, dnp3_channel_fragment_fn fn,
                        void *ctx, dnp3_tstamp now)
{
    dnp3_channel_config c = *cc;
    c.is_master = is_master;
    c.on_fragment = fn;
    c.ctx = ctx;
    size_t size = dnp3_channel_memory_size(&c);
    if (!size) return DNP3_ERR_CONFIG;
    b->ch_mem = alloc_aligned(size);
    if (!b->ch_mem) return DNP3_ERR_NOMEM;
    b->ch = dnp3_channel_init(b->ch_mem, size, &c, now);
    return b->ch ? 0 : DNP3_ERR_CONFIG;
}

/* The master's memory and channel: 0, DNP3_ERR_NOMEM or DNP3_ERR_CONFIG as make_channel. */
static int make_master(binding *b, void **m_mem, dnp3_master **m, const dnp3_channel_config *cc,
                       const dnp3_master_config *mc, dnp3_tstamp now)
{
    size_t msize = dnp3_master_memory_size(mc);
    if (!msize) return DNP3_ERR_CONFIG;
    *m_mem = alloc_aligned(msize);
    if (!*m_mem) return DNP3_ERR_NOMEM;
    int rc = make_channel(b, cc, true, dnp3_master_on_fragment, *m_mem, now);
    if (rc) return rc;
    *m = dnp3_master_init(*m_mem, msize, mc, b->ch, now);
    return *m ? 0 : DNP3_ERR_CONFIG;
}

static void fwd_rx(binding *b, const uint8_t *p, size_t n)
{
    if (b->hooks.on_rx) b->hooks.on_rx(b->hooks.ctx, p, n);
}

static void fwd_tx(binding *b, const uint8_t *p, size_t n)
{
    if (b->hooks.on_tx) b->hooks.on_tx(b->hooks.ctx, p, n);
}

static void fwd_log(binding *b, const char *msg)
{
    if (b->hooks.log) b->hooks.log(b->hooks.ctx, msg);
}

/* ---- outstation ---- */

struct dnp3_io_outstation {
    binding b;                                    /* first: the upper-layer callbacks cast ctx to either */
    struct dnp3_io_outstation_listener *listener; /* a per-connection session of a listener */
    dnp3_outstation *os;
    uint16_t master_addr; /* destination of responses and unsolicited data */
    bool any_master;      /* cc.accept_any_remote: master_addr follows the requests' source */
    bool heard;           /* any_master: a fragment has come from the master on this connection */
    size_t max_tx;
    uint8_t *txbuf;
    size_t txcap;
};

static void os_fragment(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now)
{
    dnp3_io_outstation *s = ctx;
    if (s->any_master) {
        s->master_addr = f->src; /* answer whichever master asked */
        /* its address known, the session goes online: unsolicited data now reaches the right master */
        if (!s->heard) dnp3_outstation_set_online(s->os, true, now);
        s->heard = true;
    }
    dnp3_outstation_receive(s->os, f->apdu, f->len, f->broadcast, now);
}

static void os_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    dnp3_io_outstation *s = ctx;
    s->heard = false;
    /* with any master, online at its first fragment (its address unknown until then) */
    dnp3_outstation_set_online(s->os, !s->any_master, now);
    if (s->b.hooks.on_open) s->b.hooks.on_open(s->b.hooks.ctx, peer, now);
}

static void session_end(dnp3_io_outstation *s);

static void os_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    dnp3_io_outstation *s = ctx;
    dnp3_outstation_set_online(s->os, false, now);
    if (s->b.hooks.on_close) s->b.hooks.on_close(s->b.hooks.ctx, reason, now);
    if (s->listener) session_end(s); /* the runtime lets go of the session after this call */
}

static void os_pump(void *ctx, dnp3_channel *ch, dnp3_tstamp now)
{
    dnp3_io_outstation *s = ctx;
    while (dnp3_channel_can_send(ch, s->max_tx)) {
        int n = dnp3_outstation_take(s->os, s->txbuf, s->txcap, now);
        if (n <= 0) break;
        dnp3_channel_send(ch, s->master_addr, s->txbuf, (size_t)n);
    }
}

static dnp3_tstamp os_expiry(void *ctx)
{
    dnp3_io_outstation *s = ctx;
    dnp3_tstamp t = dnp3_outstation_get_expiry(s->os);
    /* output ready but no room in a confirmed-mode channel (until an ACK, a read that services
     * us again): no busy wait; the outstation's due timers run once the channel has room */
    if (t == 0 && !dnp3_channel_can_send(s->b.ch, s->max_tx) && dnp3_channel_pending(s->b.ch) == 0)
        t = DNP3_TSTAMP_NEVER;
    return t;
}
static void os_handle_expiry(void *ctx, dnp3_tstamp now)
{
    dnp3_outstation_handle_expiry(((dnp3_io_outstation *)ctx)->os, now);
}
static void b_rx(void *ctx, const uint8_t *p, size_t n)
{
    fwd_rx(ctx, p, n);
}
static void b_tx(void *ctx, const uint8_t *p, size_t n)
{
    fwd_tx(ctx, p, n);
}
static void b_log(void *ctx, const char *msg)
{
    fwd_log(ctx, msg);
}

int dnp3_io_outstation_start(uv_loop_t *loop, const dnp3_io_config *ioc, const dnp3_channel_config *cc,
                             dnp3_outstation *os, const dnp3_io_hooks *hooks, dnp3_io_outstation **out)
{
    if (!loop || !ioc || !cc || !os || !out) return DNP3_ERR_INVALID_ARG;
    dnp3_io_outstation *s = calloc(1, sizeof *s);
    if (!s) return DNP3_ERR_NOMEM;
    if (hooks) s->b.hooks = *hooks;
    s->os = os;
    s->master_addr = cc->remote_addr;
    s->any_master = cc->accept_any_remote;
    s->max_tx = cc->max_tx_fragment;
    /* dnp3_outstation_take needs room for the outstation's own largest fragment */
    s->txcap = dnp3_outstation_write_size(os) > cc->max_tx_fragment ? dnp3_outstation_write_size(os)
                                                                    : cc->max_tx_fragment;
    s->txbuf = malloc(s->txcap);
    dnp3_tstamp now = dnp3_io_now(loop);
    int rc = s->txbuf ? make_channel(&s->b, cc, false, os_fragment, s, now) : DNP3_ERR_NOMEM;
    if (rc) {
        dnp3_io_outstation_stop(s);
        return rc;
    }
    if (ioc->kind == DNP3_IO_TCP_SERVER) dnp3_outstation_set_online(os, false, now);
    dnp3_io_upper up = {s, os_open, os_close, os_pump, os_expiry, os_handle_expiry, b_rx, b_tx, b_log};
    rc = dnp3_io_start(loop, ioc, s->b.ch, &up, &s->b.io);
    if (rc) {
        dnp3_io_outstation_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

void dnp3_io_outstation_kick(dnp3_io_outstation *s)
{
    dnp3_io_kick(s->b.io);
}
dnp3_io *dnp3_io_outstation_io(dnp3_io_outstation *s)
{
    return s->b.io;
}
dnp3_channel *dnp3_io_outstation_channel(dnp3_io_outstation *s)
{
    return s->b.ch;
}

void dnp3_io_outstation_stop(dnp3_io_outstation *s)
{
    if (!s) return;
    dnp3_io_stop(s->b.io); /* it sends what is queued before it lets go of the channel */
    free(s->b.ch_mem);
    free(s->txbuf);
    free(s);
}

/* ---- master ---- */

struct dnp3_io_master {
    binding b;
    uv_loop_t *loop;
    dnp3_master *m;
    void *m_mem;
};

static void m_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    dnp3_io_master *s = ctx;
    dnp3_master_on_connect(s->m, now);
    if (s->b.hooks.on_open) s->b.hooks.on_open(s->b.hooks.ctx, peer, now);
}

static void m_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    dnp3_io_master *s = ctx;
    /* the hook first: it learns why before the tasks fail with DISCONNECTED */
    if (s->b.hooks.on_close) s->b.hooks.on_close(s->b.hooks.ctx, reason, now);
    if (dnp3_master_connected(s->m)) dnp3_master_on_disconnect(s->m, now);
}

static dnp3_tstamp m_expiry(void *ctx)
{
    return dnp3_master_get_expiry(((dnp3_io_master *)ctx)->m);
}
static void m_handle_expiry(void *ctx, dnp3_tstamp now)
{
    dnp3_master_handle_expiry(((dnp3_io_master *)ctx)->m, now);
}

int dnp3_io_master_create(uv_loop_t *loop, const dnp3_channel_config *cc, const dnp3_master_config *mc,
                          const dnp3_io_hooks *hooks, dnp3_io_master **out)
{
    if (!loop || !cc || !mc || !out) return DNP3_ERR_INVALID_ARG;
    dnp3_io_master *s = calloc(1, sizeof *s);
    if (!s) return DNP3_ERR_NOMEM;
    if (hooks) s->b.hooks = *hooks;
    s->loop = loop;
    int rc = make_master(&s->b, &s->m_mem, &s->m, cc, mc, dnp3_io_now(loop));
    if (rc) {
        dnp3_io_master_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

int dnp3_io_master_open(dnp3_io_master *s, const dnp3_io_config *ioc)
{
    if (!s || !ioc) return DNP3_ERR_INVALID_ARG;
    if (s->b.io) return DNP3_ERR_STATE;
    dnp3_io_upper up = {s, m_open, m_close, NULL, m_expiry, m_handle_expiry, b_rx, b_tx, b_log};
    return dnp3_io_start(s->loop, ioc, s->b.ch, &up, &s->b.io);
}

dnp3_master *dnp3_io_master_get(dnp3_io_master *s)
{
    return s->m;
}
dnp3_io *dnp3_io_master_io(dnp3_io_master *s)
{
    return s->b.io;
}
void dnp3_io_master_kick(dnp3_io_master *s)
{
    dnp3_io_kick(s->b.io);
}

void dnp3_io_master_stop(dnp3_io_master *s)
{
    if (!s) return;
    dnp3_io_stop(s->b.io);
    free(s->b.ch_mem);
    free(s->m_mem);
    free(s);
}

/* Starts a TCP_LISTEN endpoint on `ioc`'s address whose connections are built by `accept`
 * (or, for a UDP `ioc`, a UDP endpoint with a session per source address); what happens
 * before a session exists (refusals, TLS handshakes) goes to hooks->log. */
static int start_listener(uv_loop_t *loop, const dnp3_io_config *ioc,
                          bool (*accept)(void *, const char *, dnp3_channel **, dnp3_io_upper *), void *ctx,
                          const dnp3_io_hooks *hooks, dnp3_io **io)
{
    dnp3_io_config c;
    int rc = dnp3_iox_config_load(ioc, &c); /* an older caller's struct may be smaller */
    if (rc != DNP3_OK) return rc;
    if (c.kind != DNP3_IO_UDP) c.kind = DNP3_IO_TCP_LISTEN;
    c.accept = accept;
    c.accept_ctx = ctx;
    dnp3_io_upper up = {0};
    up.ctx = hooks->ctx;
    up.log = hooks->log;
    return dnp3_io_start(loop, &c, NULL, &up, io);
}

/* ---- master listener: one session (channel + master) per outstation dialling in ---- */

struct dnp3_io_master_listener {
    uv_loop_t *loop;
    dnp3_io *io;
    dnp3_channel_config cc;
    dnp3_master_config mc;
    dnp3_master_handler user; /* the caller's handler, called through the trampolines below */
    dnp3_io_route_fn route;
    void *route_ctx;
    dnp3_io_hooks hooks;
};

typedef struct {
    binding b;
    dnp3_io_master_listener *l;
    dnp3_master *m;
    void *m_mem;
    bool routed;
} dialin;

static void di_begin(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *i)
{
    dialin *d = ctx;
    if (d->l->user.fragment_begin) d->l->user.fragment_begin(d->l->user.ctx, a, i);
}
static void di_measurement(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    dialin *d = ctx;
    if (d->l->user.measurement) d->l->user.measurement(d->l->user.ctx, a, m);
}
static void di_end(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *i)
{
    dialin *d = ctx;
    if (d->l->user.fragment_end) d->l->user.fragment_end(d->l->user.ctx, a, i);
}
static void di_task_done(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *i)
{
    dialin *d = ctx;
    if (d->l->user.task_done) d->l->user.task_done(d->l->user.ctx, a, i);
}
static bool di_utc_now(void *ctx, dnp3_time48 *out)
{
    dialin *d = ctx;
    return d->l->user.utc_now ? d->l->user.utc_now(d->l->user.ctx, out) : false;
}

static void di_unknown_source(void *ctx, dnp3_master *m, uint16_t address)
{
    dialin *d = ctx;
    if (d->routed) return; /* one outstation per connection */
    dnp3_assoc_config ac;
    dnp3_assoc_config_init(&ac);
    ac.address = address;
    if (!d->l->route || !d->l->route(d->l->route_ctx, address, &ac)) return;
    ac.address = address;
    if (dnp3_master_add_assoc(m, &ac, dnp3_io_now(d->l->loop))) d->routed = true;
}

static void di_free(dialin *d)
{
    free(d->b.ch_mem);
    free(d->m_mem);
    free(d);
}

static void di_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    dialin *d = ctx;
    dnp3_master_on_connect(d->m, now);
    if (d->b.hooks.on_open) d->b.hooks.on_open(d->b.hooks.ctx, peer, now);
}

static void di_close(void *ctx, const char *reason, dnp3_tstamp now)
{
    dialin *d = ctx;
    if (dnp3_master_connected(d->m)) dnp3_master_on_disconnect(d->m, now);
    if (d->b.hooks.on_close) d->b.hooks.on_close(d->b.hooks.ctx, reason, now);
    di_free(d); /* the runtime lets go of the session after this call */
}

static dnp3_tstamp di_expiry(void *ctx)
{
    return dnp3_master_get_expiry(((dialin *)ctx)->m);
}
static void di_handle_expiry(void *ctx, dnp3_tstamp now)
{
    dnp3_master_handle_expiry(((dialin *)ctx)->m, now);
}

static bool di_accept(void *ctx, const char *peer, dnp3_channel **ch, dnp3_io_upper *up)
{
    (void)peer;
    dnp3_io_master_listener *l = ctx;
    dialin *d = calloc(1, sizeof *d);
    if (!d) return false;
    d->l = l;
    d->b.hooks = l->hooks;
    dnp3_tstamp now = dnp3_io_now(l->loop);
    dnp3_master_config mc = l->mc;
    mc.max_associations = 1;
    mc.handler = (dnp3_master_handler){.fragment_begin = di_begin,
                                       .measurement = di_measurement,
                                       .fragment_end = di_end,
                                       .task_done = di_task_done,
                                       .utc_now = di_utc_now,
                                       .unknown_source = di_unknown_source,
                                       .ctx = d};
    dnp3_channel_config cc = l->cc;
    cc.accept_any_remote = true; /* the outstation's address is not known yet */
    cc.keep_alive_ms = 0;        /* nor where a link-status request should go */
    if (make_master(&d->b, &d->m_mem, &d->m, &cc, &mc, now)) {
        di_free(d);
        return false;
    }
    *ch = d->b.ch;
    *up = (dnp3_io_upper){d, di_open, di_close, NULL, di_expiry, di_handle_expiry, b_rx, b_tx, b_log};
    return true;
}

int dnp3_io_master_listen(uv_loop_t *loop, const dnp3_io_config *ioc, const dnp3_channel_config *cc,
                          const dnp3_master_config *mc, dnp3_io_route_fn route, void *route_ctx,
                          const dnp3_io_hooks *hooks, dnp3_io_master_listener **out)
{
    if (!loop || !ioc || !cc || !mc || !out) return DNP3_ERR_INVALID_ARG;
    dnp3_io_master_listener *l = calloc(1, sizeof *l);
    if (!l) return DNP3_ERR_NOMEM;
    l->loop = loop;
    l->cc = *cc;
    l->mc = *mc;
    l->user = mc->handler;
    l->route = route;
    l->route_ctx = route_ctx;
    if (hooks) l->hooks = *hooks;
    int rc = start_listener(loop, ioc, di_accept, l, &l->hooks, &l->io);
    if (rc) {
        free(l);
        return rc;
    }
    *out = l;
    return 0;
}

dnp3_io *dnp3_io_master_listener_io(dnp3_io_master_listener *l)
{
    return l->io;
}

void dnp3_io_master_listener_stop(dnp3_io_master_listener *l)
{
    if (!l) return;
    dnp3_io_stop(l->io); /* ends every session (each frees itself in di_close) */
    free(l);
}

/* ---- outstation listener: an outstation per accepted connection ---- */

struct dnp3_io_outstation_listener {
    uv_loop_t *loop;
    dnp3_io *io;
    dnp3_channel_config cc;
    dnp3_io_outstation_factory factory;
    dnp3_io_outstation_release release;
    void *ctx;
    dnp3_io_hooks hooks;
};

static void session_end(dnp3_io_outstation *s)
{
    if (s->listener->release) s->listener->release(s->listener->ctx, s->os);
    free(s->b.ch_mem);
    free(s->txbuf);
    free(s);
}

static bool os_accept(void *ctx, const char *peer, dnp3_channel **ch, dnp3_io_upper *up)
{
    dnp3_io_outstation_listener *l = ctx;
    dnp3_outstation *os = l->factory ? l->factory(l->ctx, peer) : NULL;
    if (!os) return false;
    dnp3_io_outstation *s = calloc(1, sizeof *s);
    if (s) {
        s->listener = l;
        s->b.hooks = l->hooks;
        s->os = os;
        s->master_addr = l->cc.remote_addr;
        s->any_master = l->cc.accept_any_remote;
        s->max_tx = l->cc.max_tx_fragment;
        s->txcap = dnp3_outstation_write_size(os) > s->max_tx ? dnp3_outstation_write_size(os) : s->max_tx;
        s->txbuf = malloc(s->txcap);
    }
    if (!s || !s->txbuf || make_channel(&s->b, &l->cc, false, os_fragment, s, dnp3_io_now(l->loop))) {
        if (s) {
            free(s->txbuf);
            free(s->b.ch_mem);
            free(s);
        }
        if (l->release) l->release(l->ctx, os);
        return false;
    }
    *ch = s->b.ch;
    *up = (dnp3_io_upper){s, os_open, os_close, os_pump, os_expiry, os_handle_expiry, b_rx, b_tx, b_log};
    return true;
}

int dnp3_io_outstation_listen(uv_loop_t *loop, const dnp3_io_config *ioc, const dnp3_channel_config *cc,
                              dnp3_io_outstation_factory factory, dnp3_io_outstation_release release, void *ctx,
                              const dnp3_io_hooks *hooks, dnp3_io_outstation_listener **out)
{
    if (!loop || !ioc || !cc || !factory || !out) return DNP3_ERR_INVALID_ARG;
    dnp3_io_outstation_listener *l = calloc(1, sizeof *l);
    if (!l) return DNP3_ERR_NOMEM;
    l->loop = loop;
    l->cc = *cc;
    l->factory = factory;
    l->release = release;
    l->ctx = ctx;
    if (hooks) l->hooks = *hooks;
    int rc = start_listener(loop, ioc, os_accept, l, &l->hooks, &l->io);
    if (rc) {
        free(l);
        return rc;
    }
    *out = l;
    return 0;
}

dnp3_io *dnp3_io_outstation_listener_io(dnp3_io_outstation_listener *l)
{
    return l->io;
}

void dnp3_io_outstation_listener_stop(dnp3_io_outstation_listener *l)
{
    if (!l) return;
    dnp3_io_stop(l->io);
    free(l);
}
