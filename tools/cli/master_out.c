/*
 * master_out.c - see master_out.h.
 */
#include "master_out.h"

#include <stdlib.h>
#include <string.h>

#include "decode_fmt.h"
#include "json_out.h"

void master_out_init(master_out *o, FILE *out, bool json, bool stream)
{
    memset(o, 0, sizeof *o);
    o->out = out;
    o->json = json;
    o->stream = stream;
    o->addr = -1;
}

void master_out_free(master_out *o)
{
    for (size_t i = 0; i < o->n; i++) free(o->pts[i].octets);
    free(o->pts);
    memset(o, 0, sizeof *o);
}

void master_out_iin(FILE *f, uint16_t iin, const char *sep)
{
    bool any = false;
    for (unsigned b = 0; b < 16; b++)
        if (iin & (1u << b)) {
            fprintf(f, "%s%s", any ? sep : "", dnp3_iin_bit_name(b));
            any = true;
        }
    if (!any) fprintf(f, "none");
}

void master_out_begin(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info)
{
    (void)a;
    master_out *o = ctx;
    o->in_unsolicited = info->unsolicited;
    o->iin = info->iin;
}

void master_out_end(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info)
{
    (void)a;
    master_out *o = ctx;
    o->iin = info->iin;
}

static bool integral_type(const master_point *p)
{
    const dnp3_obj_desc *d = dnp3_obj_lookup(p->group, p->variation);
    return !d || (d->vtype != DNP3_VT_F32 && d->vtype != DNP3_VT_F64);
}

/* Formats the value as text: double-bit names, integers, shortest floats, quoted strings. */
static const char *format_value(const master_point *p, char *buf, size_t cap)
{
    char tmp[64];
    if (p->type == DNP3_POINT_OCTET_STRING) {
        char text[600];
        snprintf(buf, cap, "\"%s\"", dnp3_fmt_ascii((const uint8_t *)p->octets, p->octets_len, text, sizeof text));
    } else if (p->type == DNP3_POINT_DOUBLE_BIT_INPUT) {
        snprintf(buf, cap, "%s", dnp3_double_bit_name((unsigned)p->value));
    } else if (integral_type(p)) {
        snprintf(buf, cap, "%.0f", p->value);
    } else {
        const dnp3_obj_desc *d = dnp3_obj_lookup(p->group, p->variation);
        snprintf(buf, cap, "%s", dnp3_fmt_real(p->value, d && d->vtype == DNP3_VT_F32, tmp, sizeof tmp));
    }
    return buf;
}

static void print_line(FILE *f, const master_point *p)
{
    char flags[128] = "-", t[64] = "-", value[640];
    if (p->has_flags) dnp3_flags_str(p->type, p->flags, flags, sizeof flags);
    if (p->has_status) snprintf(flags, sizeof flags, "%s", dnp3_command_status_name(p->status));
    if (p->has_time) dnp3_fmt_time48(p->time, t, sizeof t);
    fprintf(f, "%-22s %6u  %-18s %-24s %s%s%s\n", dnp3_point_type_name(p->type), p->index,
            format_value(p, value, sizeof value), flags, t, p->event ? "  event" : "",
            p->unsolicited ? " (unsolicited)" : "");
}

static void json_point(json_w *w, const master_point *p, bool extras, int addr)
{
    dnp3_json_obj_begin(w, NULL);
    if (addr >= 0) dnp3_json_uint(w, "outstation", (unsigned)addr);
    dnp3_json_str(w, "type", dnp3_point_type_name(p->type));
    dnp3_json_uint(w, "index", p->index);
    if (p->type == DNP3_POINT_OCTET_STRING) {
        dnp3_json_strn(w, "value", p->octets, p->octets_len);
    } else if (integral_type(p)) {
        dnp3_json_int(w, "value", (int64_t)p->value);
    } else {
        char buf[64];
        const dnp3_obj_desc *d = dnp3_obj_lookup(p->group, p->variation);
        dnp3_json_number(w, "value", dnp3_fmt_real(p->value, d && d->vtype == DNP3_VT_F32, buf, sizeof buf));
    }
    if (p->has_flags)
        dnp3_json_uint(w, "flags", p->flags);
    else
        dnp3_json_null(w, "flags");
    if (p->has_time)
        dnp3_json_uint(w, "time", p->time);
    else
        dnp3_json_null(w, "time");
    if (p->has_status) dnp3_json_uint(w, "status", p->status); /* command events only */
    if (extras) {
        dnp3_json_bool(w, "event", p->event);
        dnp3_json_bool(w, "unsolicited", p->unsolicited);
        dnp3_json_uint(w, "group", p->group);
        dnp3_json_uint(w, "variation", p->variation);
    }
    dnp3_json_obj_end(w);
}

static bool reportable(const dnp3_measurement *m)
{
    switch (m->type) {
    case DNP3_POINT_BINARY_INPUT:
    case DNP3_POINT_DOUBLE_BIT_INPUT:
    case DNP3_POINT_BINARY_OUTPUT_STATUS:
    case DNP3_POINT_COUNTER:
    case DNP3_POINT_FROZEN_COUNTER:
    case DNP3_POINT_ANALOG_INPUT:
    case DNP3_POINT_FROZEN_ANALOG_INPUT:
    case DNP3_POINT_ANALOG_OUTPUT_STATUS:
    case DNP3_POINT_OCTET_STRING:
    case DNP3_POINT_SECURITY_STAT: return true;
    case DNP3_POINT_BINARY_OUTPUT_COMMAND: /* command events g13 / g43 (not the g12 / g41 requests) */
    case DNP3_POINT_ANALOG_OUTPUT_COMMAND: return m->event;
    default: return false;
    }
}

void master_out_measurement(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m)
{
    (void)a;
    master_out *o = ctx;
    if (!reportable(m)) return;
    master_point p = {m->type,
                      m->group,
                      m->variation,
                      m->index,
                      m->value,
                      m->has_flags,
                      m->flags,
                      m->time_kind != DNP3_TIME_NONE,
                      m->time,
                      m->event,
                      o->in_unsolicited,
                      NULL,
                      0,
                      false,
                      0};
    if (m->point && m->point->has_status && m->event) {
        p.has_status = true;
        p.status = m->point->status;
    }
    if (m->type == DNP3_POINT_OCTET_STRING && m->octets) {
        p.octets = malloc(m->octets_len ? m->octets_len : 1);
        if (!p.octets) return;
        memcpy(p.octets, m->octets, m->octets_len);
        p.octets_len = m->octets_len;
    }
    if (o->stream) {
        if (o->json) {
            json_w w;
            dnp3_json_init(&w, o->out);
            json_point(&w, &p, true, o->addr);
            fputc('\n', o->out);
        } else {
            if (o->addr >= 0) fprintf(o->out, "[outstation %d] ", o->addr);
            print_line(o->out, &p);
        }
        fflush(o->out);
        free(p.octets);
        return;
    }
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        master_point *n = realloc(o->pts, cap * sizeof *n);
        if (!n) {
            free(p.octets);
            return;
        }
        o->pts = n;
        o->cap = cap;
    }
    o->pts[o->n++] = p;
}

void master_out_print(const master_out *o)
{
    if (o->json) {
        json_w w;
        dnp3_json_init(&w, o->out);
        dnp3_json_obj_begin(&w, NULL);
        if (o->addr >= 0) dnp3_json_uint(&w, "outstation", (unsigned)o->addr);
        dnp3_json_arr_begin(&w, "iin");
        for (unsigned b = 0; b < 16; b++)
            if (o->iin & (1u << b)) dnp3_json_str(&w, NULL, dnp3_iin_bit_name(b));
        dnp3_json_arr_end(&w);
        dnp3_json_arr_begin(&w, "points");
        for (size_t i = 0; i < o->n; i++) json_point(&w, &o->pts[i], false, -1);
        dnp3_json_arr_end(&w);
        dnp3_json_obj_end(&w);
        fputc('\n', o->out);
        return;
    }
    if (o->addr >= 0) fprintf(o->out, "outstation %d\n", o->addr);
    fprintf(o->out, "IIN: ");
    master_out_iin(o->out, o->iin, " ");
    fprintf(o->out, "\n%-22s %6s  %-18s %-24s %s\n", "type", "index", "value", "flags", "time");
    for (size_t i = 0; i < o->n; i++) print_line(o->out, &o->pts[i]);
    fprintf(o->out, "%zu points\n", o->n);
}
