/*
 * outstation_app.c - see outstation_app.h. Control semantics (IEEE 1815-2012
 * Annex A.12 CROB): the trip/close code decides when present (CLOSE = on,
 * TRIP = off); otherwise LATCH_ON/PULSE_ON = on and LATCH_OFF/PULSE_OFF = off.
 * SELECT only validates; OPERATE and DIRECT_OPERATE(_NR) act.
 */
#include "outstation_app.h"

#include "dnp3/crypto.h"
#include "file_root.h"
#include "sa_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/io.h"
#include "dnp3/version.h"

static const dnp3_os_type TYPE_MAP[PROFILE_TYPE_COUNT] = {
    DNP3_OS_BINARY_INPUT,        DNP3_OS_DOUBLE_BIT_INPUT, DNP3_OS_BINARY_OUTPUT_STATUS, DNP3_OS_COUNTER,
    DNP3_OS_FROZEN_COUNTER,      DNP3_OS_ANALOG_INPUT,     DNP3_OS_ANALOG_OUTPUT_STATUS, DNP3_OS_OCTET_STRING,
    DNP3_OS_FROZEN_ANALOG_INPUT,
};

dnp3_time48 outstation_app_utc(const outstation_app *a)
{
    return (dnp3_time48)((int64_t)dnp3_io_utc_ms() + a->clock_offset_ms) & DNP3_TIME48_MAX;
}

static dnp3_time48 cb_utc_now(void *ctx)
{
    return outstation_app_utc(ctx);
}

static void set_point(outstation_app *a, profile_type t, int32_t index, double value)
{
    if (index < 0) return;
    uint8_t flags = DNP3_FLAG_ONLINE;
    if (dnp3_outstation_update(a->os, TYPE_MAP[t], (uint16_t)index, value, flags, outstation_app_utc(a),
                               DNP3_EVENT_DETECT) > 0 &&
        a->on_change)
        a->on_change(a->on_change_ctx); /* other sessions have new events to report */
}

/* Decides on/off from a CROB; returns -1 when the code asks for nothing we can do. */
static int crob_state(const dnp3_crob *c)
{
    unsigned tcc = c->code & DNP3_CROB_TCC_MASK, op = c->code & DNP3_CROB_OP_MASK;
    if (tcc == DNP3_CROB_TCC_CLOSE) return 1;
    if (tcc == DNP3_CROB_TCC_TRIP) return 0;
    if (tcc != DNP3_CROB_TCC_NUL) return -1;
    if (op == DNP3_OP_LATCH_ON || op == DNP3_OP_PULSE_ON) return 1;
    if (op == DNP3_OP_LATCH_OFF || op == DNP3_OP_PULSE_OFF) return 0;
    return -1;
}

static const char *mode_name(dnp3_control_mode m)
{
    switch (m) {
    case DNP3_CTRL_SELECT: return "SELECT";
    case DNP3_CTRL_OPERATE: return "OPERATE";
    case DNP3_CTRL_DIRECT_OPERATE: return "DIRECT_OPERATE";
    default: return "DIRECT_OPERATE_NR";
    }
}

static dnp3_command_status cb_crob(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *c)
{
    outstation_app *a = ctx;
    const profile_wire *w = profile_find_wire(a->prof, WIRE_CROB, index);
    if (!w) return DNP3_CS_NOT_SUPPORTED;
    int on = crob_state(c);
    if (on < 0) return DNP3_CS_NOT_SUPPORTED;
    if (mode == DNP3_CTRL_SELECT) return DNP3_CS_SUCCESS;
    set_point(a, PROFILE_BINARY_OUTPUT_STATUS, w->binary_output_status, on);
    set_point(a, PROFILE_BINARY_INPUT, w->binary_input, on);
    set_point(a, PROFILE_DOUBLE_BIT_INPUT, w->double_bit_input,
              on ? DNP3_DBIT_DETERMINED_ON : DNP3_DBIT_DETERMINED_OFF);
    a->controls_done++;
    if (a->log) {
        fprintf(a->log, "control: %s CROB %u %s/%s -> %s (%s)\n", mode_name(mode), index,
                dnp3_tcc_name((unsigned)c->code >> 6), dnp3_op_type_name(c->code & DNP3_CROB_OP_MASK),
                on ? "on/close" : "off/trip", w->name[0] ? w->name : "unnamed");
        fflush(a->log);
    }
    return DNP3_CS_SUCCESS;
}

static dnp3_command_status cb_analog(void *ctx, dnp3_control_mode mode, uint16_t index, double value,
                                     uint8_t variation)
{
    (void)variation;
    outstation_app *a = ctx;
    const profile_wire *w = profile_find_wire(a->prof, WIRE_ANALOG, index);
    if (!w) return DNP3_CS_NOT_SUPPORTED;
    if (value < w->min || value > w->max) return DNP3_CS_OUT_OF_RANGE;
    if (mode == DNP3_CTRL_SELECT) return DNP3_CS_SUCCESS;
    set_point(a, PROFILE_ANALOG_OUTPUT_STATUS, w->analog_output_status, value);
    a->controls_done++;
    if (a->log) {
        fprintf(a->log, "control: %s analog output %u = %g (%s)\n", mode_name(mode), index, value,
                w->name[0] ? w->name : "unnamed");
        fflush(a->log);
    }
    return DNP3_CS_SUCCESS;
}

static bool cb_write_time(void *ctx, dnp3_time48 utc)
{
    outstation_app *a = ctx;
    a->clock_offset_ms = (int64_t)utc - (int64_t)dnp3_io_utc_ms();
    if (a->log) {
        fprintf(a->log, "time: set by the master (offset %+lld ms from system time)\n",
                (long long)a->clock_offset_ms);
        fflush(a->log);
    }
    return true;
}

static dnp3_restart_delay cb_restart(void *ctx, bool cold)
{
    outstation_app *a = ctx;
    if (a->log) {
        fprintf(a->log, "restart: %s restart requested (simulated; the database is kept)\n",
                cold ? "cold" : "warm");
        fflush(a->log);
    }
    dnp3_restart_delay d = {true, false, 1};
    return d;
}

static void configure(const profile *p, dnp3_outstation_config *c)
{
    dnp3_outstation_config_init(c);
    c->link_addr = p->link_addr;
    c->master_addr = p->master_addr;
    c->link_layer = false; /* the runtime owns the channel */
    c->max_rx_fragment = p->max_fragment;
    c->max_tx_fragment = p->max_fragment;
    c->unsolicited = p->unsolicited;
    size_t octets = 1;
    for (int t = 0; t < PROFILE_TYPE_COUNT; t++) {
        dnp3_os_type_config *tc = &c->types[TYPE_MAP[t]];
        tc->count = (uint16_t)p->count[t];
        tc->event_buffer = (uint16_t)(p->event_buffer > 65535 ? 65535 : p->event_buffer);
        tc->event_class = (t == PROFILE_BINARY_OUTPUT_STATUS || t == PROFILE_ANALOG_OUTPUT_STATUS) ? 0 : 1;
    }
    for (uint32_t i = 0; i < p->count[PROFILE_OCTET_STRING]; i++) {
        size_t n = strlen(p->points[PROFILE_OCTET_STRING][i].text);
        if (n > octets) octets = n;
    }
    c->octet_string_size = (uint8_t)(octets > 255 ? 255 : octets);
    /* events carry their time (a sequence of events without times tells an operator
     * little); measurements like 138.2 kV need floating point: g30v5/g32v7, g40v3/g42v7, g31v7/g33v7 */
    c->types[DNP3_OS_BINARY_INPUT].event_variation = 2;
    c->types[DNP3_OS_DOUBLE_BIT_INPUT].event_variation = 2;
    c->types[DNP3_OS_BINARY_OUTPUT_STATUS].event_variation = 2;
    c->types[DNP3_OS_COUNTER].event_variation = 5;
    c->types[DNP3_OS_FROZEN_COUNTER].event_variation = 5;
    c->types[DNP3_OS_ANALOG_INPUT].static_variation = 5;
    c->types[DNP3_OS_ANALOG_INPUT].event_variation = 7;
    c->types[DNP3_OS_ANALOG_OUTPUT_STATUS].static_variation = 3;
    c->types[DNP3_OS_ANALOG_OUTPUT_STATUS].event_variation = 7;
    c->types[DNP3_OS_FROZEN_ANALOG_INPUT].static_variation = 7;
    c->types[DNP3_OS_FROZEN_ANALOG_INPUT].event_variation = 7;
    if (p->command_event_class) { /* with the time of the control; analog setpoints as floats */
        c->command_event_buffer = (uint16_t)(p->event_buffer > 65535 ? 65535 : p->event_buffer);
        c->command_event_class = p->command_event_class;
        c->bo_command_event_variation = 2;
        c->ao_command_event_variation = 7;
    }
    c->attr.vendor = "libdnp3";
    c->attr.model = "dnp3 outstation simulator";
    c->attr.sw_version = DNP3_VERSION_STRING;
    c->attr.hw_version = "simulated";
    c->attr.device_name = p->device_name;
    c->attr.subset = "2:2012";
}

static struct file_root *served_files; /* outstation_app_serve_files */

void outstation_app_serve_files(struct file_root *r)
{
    served_files = r;
}

static void *alloc_block(size_t size)
{
    size_t al = _Alignof(max_align_t);
    return aligned_alloc(al, (size + al - 1) / al * al);
}

static dnp3_outstation_callbacks app_callbacks(outstation_app *a)
{
    dnp3_outstation_callbacks cb = {.size = sizeof cb,
                                    .ctx = a,
                                    .crob = cb_crob,
                                    .analog_output = cb_analog,
                                    .write_time = cb_write_time,
                                    .restart = cb_restart,
                                    .utc_now = cb_utc_now};
    if (a->files) file_root_install(a->files, &cb);
    return cb;
}

/* Builds a->os from the profile; database_only: without event buffers (sessions hold them). */
static int build_database(outstation_app *a, const profile *p, bool database_only, dnp3_tstamp now, FILE *log,
                          uint64_t seed, char *err, size_t err_cap)
{
    memset(a, 0, sizeof *a);
    a->files = served_files;
    a->prof = p;
    a->log = log;
    a->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
    configure(p, &a->cfg);
    if (a->files) a->cfg.file_timeout_ms = a->files->timeout_ms;
    dnp3_outstation_config c = a->cfg;
    if (database_only) {
        for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c.types[t].event_buffer = 0;
        c.sa_stat_event_buffer = 0;
        c.command_event_buffer = 0;
    }
    size_t size = dnp3_outstation_memory_size(&c);
    if (size == 0) {
        const char *field = NULL;
        (void)dnp3_outstation_config_check(&c, &field);
        snprintf(err, err_cap, "the point database is not a valid outstation configuration (%s)",
                 field ? field : "its size");
        return -1;
    }
    a->mem = alloc_block(size);
    if (!a->mem) {
        snprintf(err, err_cap, "out of memory (%zu octets)", size);
        return -1;
    }
    dnp3_outstation_callbacks cb = app_callbacks(a);
    a->os = dnp3_outstation_init(a->mem, size, &c, &cb, now);
    if (!a->os) {
        snprintf(err, err_cap, "outstation initialisation failed");
        free(a->mem);
        a->mem = NULL;
        return -1;
    }
    dnp3_time48 t = outstation_app_utc(a);
    for (int ty = 0; ty < PROFILE_TYPE_COUNT; ty++) {
        for (uint32_t i = 0; i < p->count[ty]; i++) {
            const profile_point *pt = &p->points[ty][i];
            dnp3_os_point_config pc = {pt->event_class, 0, 0, pt->deadband};
            dnp3_outstation_configure_point(a->os, TYPE_MAP[ty], (uint16_t)i, &pc);
            if (ty == PROFILE_OCTET_STRING) {
                const char *s = pt->text[0] ? pt->text : " ";
                dnp3_outstation_update_octets(a->os, (uint16_t)i, (const uint8_t *)s, strlen(s), t,
                                              DNP3_EVENT_SUPPRESS);
            } else {
                dnp3_outstation_update(a->os, TYPE_MAP[ty], (uint16_t)i, pt->value, pt->flags, t,
                                       DNP3_EVENT_SUPPRESS);
            }
        }
    }
    return 0;
}

int outstation_app_init(outstation_app *a, const profile *p, dnp3_tstamp now, FILE *log, uint64_t seed, char *err,
                        size_t err_cap)
{
    return build_database(a, p, false, now, log, seed, err, err_cap);
}

int outstation_app_init_shared(outstation_app *a, const profile *p, const profile_session *rules, size_t n,
                               dnp3_tstamp now, FILE *log, uint64_t seed, char *err, size_t err_cap)
{
    if (n == 0 || n > PROFILE_MAX_SESSIONS) {
        snprintf(err, err_cap, "1 to %d sessions", PROFILE_MAX_SESSIONS);
        return -1;
    }
    if (build_database(a, p, true, now, log, seed, err, err_cap)) return -1;
    dnp3_outstation_callbacks cb = app_callbacks(a);
    for (size_t i = 0; i < n; i++) {
        outstation_app_session *s = &a->sess[i];
        dnp3_outstation_config c = a->cfg;
        c.event_classes = rules[i].event_classes;
        c.read_only = rules[i].read_only;
        size_t size = dnp3_outstation_session_memory_size(&c);
        s->rule = &rules[i];
        s->mem = size ? alloc_block(size) : NULL;
        s->os = s->mem ? dnp3_outstation_init_session(s->mem, size, &c, &cb, a->os, now) : NULL;
        a->n_sess = i + 1;
        if (!s->os) {
            snprintf(err, err_cap, "session %zu (%s): cannot build it (%zu octets)", i + 1, rules[i].name, size);
            return -1;
        }
    }
    return 0;
}

static double next_unit(outstation_app *a) /* uniform in [-1, 1) */
{
    a->rng ^= a->rng << 13;
    a->rng ^= a->rng >> 7;
    a->rng ^= a->rng << 17;
    return (double)(a->rng >> 11) / (double)(1ull << 52) - 1.0;
}

int outstation_app_simulate(outstation_app *a, double seconds)
{
    int events = 0;
    dnp3_time48 t = outstation_app_utc(a);
    const profile *p = a->prof;
    for (uint32_t i = 0; i < p->count[PROFILE_ANALOG_INPUT]; i++) {
        const profile_point *pt = &p->points[PROFILE_ANALOG_INPUT][i];
        if (pt->sim_step <= 0) continue;
        double v;
        uint8_t flags;
        dnp3_outstation_get(a->os, DNP3_OS_ANALOG_INPUT, (uint16_t)i, &v, &flags, NULL);
        v += next_unit(a) * pt->sim_step * seconds;
        if (v < pt->sim_min) v = pt->sim_min + (pt->sim_min - v);
        if (v > pt->sim_max) v = pt->sim_max - (v - pt->sim_max);
        if (dnp3_outstation_update(a->os, DNP3_OS_ANALOG_INPUT, (uint16_t)i, v, DNP3_FLAG_ONLINE, t,
                                   DNP3_EVENT_DETECT) > 0)
            events++;
    }
    for (uint32_t i = 0; i < p->count[PROFILE_COUNTER]; i++) {
        if (!p->points[PROFILE_COUNTER][i].sim_counter_rate) continue;
        double v;
        dnp3_outstation_get(a->os, DNP3_OS_COUNTER, (uint16_t)i, &v, NULL, NULL);
        double inc = 1.0 + (next_unit(a) + 1.0) * 2.0 * seconds; /* a few kWh per second */
        v = (double)(((uint64_t)v + (uint64_t)inc) & 0xFFFFFFFFu);
        if (dnp3_outstation_update(a->os, DNP3_OS_COUNTER, (uint16_t)i, v, DNP3_FLAG_ONLINE, t,
                                   DNP3_EVENT_DETECT) > 0)
            events++;
    }
    return events;
}

/* After an update-key change the user's key file holds the new key, so a restart keeps it. */
static void persist_update_key(outstation_app *a, uint16_t user)
{
    bool saved = false;
    for (size_t i = 0; i < a->sa_users; i++) {
        if (a->sa_user_numbers[i] != user || !a->sa_key_files[i]) continue;
        saved = true;
        uint8_t key[DNP3_SA_MAX_KEY];
        size_t len = dnp3_sa_outstation_update_key(a->sa, user, key);
        int rc = len ? sa_cli_save_key(a->sa_key_files[i], key, len) : -EINVAL;
        dnp3_zeroize(key, sizeof key);
        if (a->log) {
            if (rc == 0)
                fprintf(a->log, "dnp3 outstation: security: the new update key of user %u is saved in %s\n", user,
                        a->sa_key_files[i]);
            else
                fprintf(a->log, "dnp3 outstation: security: cannot save the new update key of user %u in %s: %s\n",
                        user, a->sa_key_files[i], strerror(-rc));
        }
    }
    if (!saved && a->log) /* a user the authority added */
        fprintf(a->log,
                "dnp3 outstation: security: user %u has no key file: its update key lasts until the outstation "
                "stops (give it with --sa-user %u --sa-update-key-file FILE)\n",
                user, user);
}

static void sa_event(void *ctx, const dnp3_sa_event *ev)
{
    outstation_app *a = ctx;
    if (a->log) {
        fprintf(a->log, "dnp3 outstation: security: %s\n", sa_cli_event_text(ev));
        fflush(a->log);
    }
    if (ev->kind == DNP3_SA_EV_UPDATE_KEY_CHANGED && a->sa) persist_update_key(a, ev->user);
    if (ev->kind == DNP3_SA_EV_USER_STATUS_CHANGED && a->sa_scs_file) { /* a replay must stay refused */
        int rc = sa_cli_save_scs(a->sa_scs_file, ev->seq + 1);
        if (rc && a->log)
            fprintf(a->log, "dnp3 outstation: security: cannot save the status change sequence number in %s: %s\n",
                    a->sa_scs_file, strerror(-rc));
    }
    if (a->log) fflush(a->log);
}

/* Builds an SA object from c with these users and attaches it to os. Returns 0 or -1 (err). */
static int attach_sa(dnp3_outstation *os, const dnp3_sa_outstation_config *base, const dnp3_sa_user *users,
                     size_t n, dnp3_sa_outstation **sa, void **sa_mem, dnp3_tstamp now, char *err, size_t err_cap)
{
    dnp3_sa_outstation_config c = *base;
    memcpy(c.users, users, n * sizeof *users);
    c.n_users = n;
    size_t size = dnp3_sa_outstation_memory_size(&c);
    const char *field = NULL;
    if (size == 0) (void)dnp3_sa_outstation_config_check(&c, &field);
    if (size == 0) {
        dnp3_zeroize(&c, sizeof c);
        snprintf(err, err_cap,
                 "invalid Secure Authentication configuration (%s; user numbers 1..65535, each once)",
                 field ? field : "size");
        return -1;
    }
    *sa_mem = alloc_block(size);
    if (!*sa_mem) {
        dnp3_zeroize(&c, sizeof c);
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    *sa = dnp3_sa_outstation_init(*sa_mem, size, &c, now);
    dnp3_zeroize(&c, sizeof c);
    if (!*sa || dnp3_outstation_set_sa(os, *sa) != DNP3_OK) {
        snprintf(err, err_cap, "Secure Authentication initialisation failed");
        return -1;
    }
    return 0;
}

int outstation_app_enable_sa(outstation_app *a, const outstation_sa_options *o, dnp3_tstamp now, char *err,
                             size_t err_cap)
{
    const dnp3_sa_user *users = o->users;
    size_t n = o->n;
    dnp3_sa_outstation_config c;
    dnp3_sa_outstation_config_init(&c);
    c.crypto = dnp3_crypto_openssl();
    if (o->authority_key_len) {
        memcpy(c.authority_key, o->authority_key, o->authority_key_len);
        c.authority_key_len = (uint8_t)o->authority_key_len;
    }
    if (o->outstation_name) snprintf(c.outstation_name, sizeof c.outstation_name, "%s", o->outstation_name);
    const profile_sa *t = o->tuning;
    if (t) {
        if (t->mal) c.mal = t->mal;
        if (t->have_interval) c.key_change_interval_ms = t->key_change_interval_ms;
        if (t->have_count) c.key_change_count = t->key_change_count;
        if (t->reply_timeout_ms) c.reply_timeout_ms = t->reply_timeout_ms;
        if (t->have_max_errors) c.max_error_count = t->max_error_count;
        if (t->challenge_len) c.challenge_len = t->challenge_len;
        if (t->have_aggressive) c.aggressive_mode = t->aggressive_mode;
    }
    if (n > DNP3_SA_MAX_USERS) {
        snprintf(err, err_cap, "at most %d Secure Authentication users", DNP3_SA_MAX_USERS);
        return -1;
    }
    c.on_event = sa_event;
    c.ctx = a;
    c.status_change_seq = o->scs;
    a->sa_scs_file = o->scs_file;
    c.max_apdu = a->prof->max_fragment;
    a->sa_users = n;
    for (size_t i = 0; i < n; i++) {
        a->sa_user_numbers[i] = users[i].number;
        a->sa_key_files[i] = o->key_files ? o->key_files[i] : NULL;
    }
    int rc;
    if (a->n_sess == 0) {
        rc = attach_sa(a->os, &c, users, n, &a->sa, &a->sa_mem, now, err, err_cap);
    } else { /* each session its own SA state, with the users its rule accepts */
        rc = 0;
        for (size_t k = 0; k < a->n_sess && rc == 0; k++) {
            outstation_app_session *s = &a->sess[k];
            dnp3_sa_user picked[DNP3_SA_MAX_USERS];
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                bool take = s->rule->n_sa_users == 0;
                for (size_t j = 0; j < s->rule->n_sa_users; j++) take |= s->rule->sa_users[j] == users[i].number;
                if (take) picked[m++] = users[i];
            }
            rc = attach_sa(s->os, &c, picked, m, &s->sa, &s->sa_mem, now, err, err_cap);
            dnp3_zeroize(picked, sizeof picked);
        }
    }
    dnp3_zeroize(c.authority_key, sizeof c.authority_key);
    return rc;
}

static void free_sa(dnp3_outstation *os, dnp3_sa_outstation **sa, void **sa_mem)
{
    if (*sa) {
        dnp3_outstation_set_sa(os, NULL);
        dnp3_sa_outstation_free(*sa);
        *sa = NULL;
    }
    free(*sa_mem);
    *sa_mem = NULL;
}

void outstation_app_free(outstation_app *a)
{
    for (size_t i = a->n_sess; i-- > 0;) {
        outstation_app_session *s = &a->sess[i];
        if (s->os) {
            free_sa(s->os, &s->sa, &s->sa_mem);
            dnp3_outstation_detach(s->os);
        }
        free(s->mem);
        memset(s, 0, sizeof *s);
    }
    a->n_sess = 0;
    if (a->os) free_sa(a->os, &a->sa, &a->sa_mem);
    free(a->mem);
    a->mem = NULL;
    a->os = NULL;
}
