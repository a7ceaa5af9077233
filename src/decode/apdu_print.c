/*
 * apdu_print.c - the text form of a decoded application fragment: a walk_sink
 * (apdu_walk.h) that prints one line per header item, object header and
 * object, plus the decode-level parser (see apdu_print.h).
 */
#include "apdu_print.h"

#include <inttypes.h>
#include <string.h>

#include "apdu_walk.h"
#include "decode_fmt.h"
#include "dnp3/app.h"
#include "dnp3/objects.h"

int dnp3_decode_levels_parse(const char *spec, unsigned *levels)
{
    static const struct {
        const char *word;
        unsigned bits;
    } W[] = {{"none", 0},
             {"link", DNP3_DECODE_LINK},
             {"transport", DNP3_DECODE_TRANSPORT},
             {"app", DNP3_DECODE_APP},
             {"objects", DNP3_DECODE_OBJECTS},
             {"all", DNP3_DECODE_ALL}};
    unsigned out = 0;
    if (spec[0] >= '0' && spec[0] <= '4' && spec[1] == 0) {
        static const unsigned CUM[5] = {0, 0x1, 0x3, 0x7, 0xF};
        *levels = CUM[spec[0] - '0'];
        return 0;
    }
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t i;
        for (i = 0; i < sizeof W / sizeof W[0]; i++)
            if (strlen(W[i].word) == n && strncmp(W[i].word, p, n) == 0) break;
        if (i == sizeof W / sizeof W[0]) return DNP3_ERR_INVALID_ARG;
        out |= W[i].bits;
        p += n;
        if (*p == ',') p++;
    }
    *levels = out;
    return 0;
}

typedef struct {
    FILE *out;
    const dnp3_apdu_print_opts *o;
    const char *ind;
    unsigned object_no; /* position within the current header, for count headers */
} text_ctx;

static bool show_headers(const text_ctx *t)
{
    return (t->o->levels & (DNP3_DECODE_APP | DNP3_DECODE_OBJECTS)) != 0;
}

static void t_begin(void *ctx, const dnp3_apdu *a)
{
    text_ctx *t = ctx;
    char acs[64];
    if (!show_headers(t)) return;
    const char *fn = dnp3_fc_name(a->function);
    fprintf(t->out, "%scontrol 0x%02X: %s\n", t->ind, a->control, dnp3_walk_ac_str(a->control, acs, sizeof acs));
    fprintf(t->out, "%sfunction 0x%02X %s\n", t->ind, a->function, fn ? fn : "UNKNOWN");
    if (dnp3_fc_is_response(a->function)) {
        fprintf(t->out, "%sIIN1 0x%02X IIN2 0x%02X:", t->ind, a->iin & 0xFF, a->iin >> 8);
        if (a->iin == 0) fputs(" (none)", t->out);
        for (unsigned bit = 0; bit < 16; bit++)
            if (a->iin & (1u << bit)) fprintf(t->out, " %s", dnp3_iin_bit_name(bit));
        fputc('\n', t->out);
    }
}

static void t_header(void *ctx, const dnp3_obj_header *h, size_t offset)
{
    text_ctx *t = ctx;
    (void)offset;
    t->object_no = 0;
    if (!show_headers(t)) return;
    const char *attr = h->group == 0 ? dnp3_attr_name(h->variation) : NULL;
    fprintf(t->out, "%sg%uv%u %s%s%s%s: qualifier 0x%02X (%s, %s)", t->ind, h->group, h->variation, h->desc->name,
            attr ? " (" : "", attr ? attr : "", attr ? ")" : "", h->qualifier,
            dnp3_fmt_prefix_name(h->prefix_code), dnp3_fmt_range_name(h->range_code));
    if (h->has_range && h->range_code <= 2)
        fprintf(t->out, ", range %" PRIu32 "..%" PRIu32 " (%" PRIu32 " object%s)", h->start, h->stop, h->count,
                h->count == 1 ? "" : "s");
    else if (h->has_range)
        fprintf(t->out, ", index %" PRIu32, h->start);
    else if (!h->all)
        fprintf(t->out, ", count %" PRIu32, h->count);
    fputc('\n', t->out);
}

/* The value of a point as text, following its descriptor. */
static void value_str(const dnp3_obj_desc *d, const dnp3_point *p, char *buf, size_t cap)
{
    switch (p->vtype) {
    case DNP3_VT_F32: dnp3_fmt_real(p->value, true, buf, cap); return;
    case DNP3_VT_F64: dnp3_fmt_real(p->value, false, buf, cap); return;
    default: break;
    }
    if (d->point_type == DNP3_POINT_DOUBLE_BIT_INPUT)
        snprintf(buf, cap, "%s", dnp3_double_bit_name((unsigned)p->value));
    else
        snprintf(buf, cap, "%lld", (long long)p->value);
}

static void print_point(text_ctx *t, const walk_obj *o)
{
    const dnp3_obj_desc *d = o->h->desc;
    const dnp3_point *p = &o->point;
    char v[64], tb[40];
    FILE *f = t->out;

    if (d->layout == DNP3_LAYOUT_CROB) {
        const dnp3_crob *c = &p->crob;
        fprintf(f, "code 0x%02X", c->code);
        if (c->code & DNP3_CROB_TCC_MASK) fprintf(f, " %s", dnp3_tcc_name(c->code >> 6));
        fprintf(f, " %s", dnp3_op_type_name(c->code & DNP3_CROB_OP_MASK));
        if (c->code & DNP3_CROB_CLEAR) fputs(" CLEAR", f);
        if (c->code & DNP3_CROB_QUEUE) fputs(" QUEUE", f);
        fprintf(f, ", count %u, on %" PRIu32 " ms, off %" PRIu32 " ms", c->count, c->on_ms, c->off_ms);
    } else if (d->point_type == DNP3_POINT_TIME && d->group == 52) {
        fprintf(f, "delay %lld %s", (long long)p->value, d->variation == 1 ? "s" : "ms");
    } else if (d->point_type == DNP3_POINT_TIME) {
        fprintf(f, "time %s", dnp3_fmt_time48(p->time, tb, sizeof tb));
        if (d->layout == DNP3_LAYOUT_T48_U32) fprintf(f, ", interval %" PRIu32 " ms", p->interval);
        if (d->layout == DNP3_LAYOUT_T48_U32_U8)
            fprintf(f, ", interval count %" PRIu32 ", units %u", p->interval, p->units);
    } else if (d->point_type == DNP3_POINT_IIN) {
        fprintf(f, "value %lld", (long long)p->value);
        if (o->has_index && o->index < 16) fprintf(f, " (%s)", dnp3_iin_bit_name(o->index));
    } else if (d->layout == DNP3_LAYOUT_CS || d->layout == DNP3_LAYOUT_CS_T48) {
        fprintf(f, "commanded state %lld", (long long)p->value);
    } else if (d->point_type == DNP3_POINT_SECURITY_STAT) {
        value_str(d, p, v, sizeof v);
        fprintf(f, "association %u, count %s", p->assoc, v);
        if (o->has_index && dnp3_obj_sa_stat_name(o->index)) fprintf(f, " (%s)", dnp3_obj_sa_stat_name(o->index));
    } else {
        value_str(d, p, v, sizeof v);
        fprintf(f, "value %s", v);
    }
    if (p->has_flags) {
        char fl[160];
        dnp3_flags_str((dnp3_point_type)p->point_type, p->flags, fl, sizeof fl);
        if (fl[0])
            fprintf(f, ", flags 0x%02X (%s)", p->flags, fl);
        else
            fprintf(f, ", flags 0x%02X", p->flags);
    }
    if (o->relative) {
        if (o->time_known)
            fprintf(f, ", time %s (CTO + %u ms)", dnp3_fmt_time48(o->time, tb, sizeof tb), o->rel_ms);
        else
            fprintf(f, ", time CTO + %u ms (no CTO)", o->rel_ms);
    } else if (o->time_known && d->point_type != DNP3_POINT_TIME) {
        fprintf(f, ", time %s", dnp3_fmt_time48(o->time, tb, sizeof tb));
    }
    if (p->has_status) fprintf(f, ", status %s", dnp3_command_status_name(p->status));
    if (p->has_status && strcmp(dnp3_command_status_name(p->status), "UNKNOWN") == 0)
        fprintf(f, " (%u)", p->status);
}

static void print_attr(text_ctx *t, const walk_obj *o)
{
    FILE *f = t->out;
    const walk_attr *a = &o->attr;
    char buf[800], tb[40];
    const char *tn = dnp3_attr_type_name(a->type);
    if (!o->bytes) {
        fputs("(empty attribute)", f);
        return;
    }
    fprintf(f, "%s, %zu octets: ", tn ? tn : "unknown type", o->nbytes);
    switch ((walk_attr_form)a->form) {
    case WALK_ATTR_STRING: fprintf(f, "\"%s\"", dnp3_fmt_ascii(o->bytes, o->nbytes, buf, sizeof buf)); break;
    case WALK_ATTR_UINT: fprintf(f, "%llu", (unsigned long long)a->u); break;
    case WALK_ATTR_INT: fprintf(f, "%lld", (long long)a->i); break;
    case WALK_ATTR_FLOAT: fputs(dnp3_fmt_real(a->f, o->nbytes == 4, tb, sizeof tb), f); break;
    case WALK_ATTR_TIME: fputs(dnp3_fmt_time48(a->time, tb, sizeof tb), f); break;
    case WALK_ATTR_LIST:
        for (size_t i = 0; i + 1 < o->nbytes; i += 2) {
            const char *an = dnp3_attr_name(o->bytes[i]);
            fprintf(f, "%sv%u%s%s%s props 0x%02X", i ? ", " : "", o->bytes[i], an ? " (" : "", an ? an : "",
                    an ? ")" : "", o->bytes[i + 1]);
        }
        break;
    default: dnp3_fput_hex(f, o->bytes, o->nbytes, ' '); break;
    }
}

/* Printable ASCII with '.' for other octets, any length. */
static void put_ascii(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) fputc(p[i] >= 0x20 && p[i] < 0x7F ? p[i] : '.', f);
}

/* File transfer and authentication objects: "label value" pairs (obj_fields.h). */
static void print_fields(FILE *f, const obj_fields *fl)
{
    char tb[40];
    const char *sep = "";
    for (size_t i = 0; i < fl->n; i++) {
        const obj_field *x = &fl->f[i];
        if (x->kind == FLD_FLAG && !x->u) continue;
        fputs(sep, f);
        sep = ", ";
        switch (x->kind) {
        case FLD_UINT: fprintf(f, "%s %" PRIu64, x->label, x->u); break;
        case FLD_HEX: fprintf(f, "%s 0x%08" PRIX64, x->label, x->u); break;
        case FLD_ENUM: fprintf(f, "%s %s (%" PRIu64 ")", x->label, x->name, x->u); break;
        case FLD_FLAG: fputs(x->label, f); break;
        case FLD_TIME: fprintf(f, "%s %s", x->label, dnp3_fmt_time48(x->u, tb, sizeof tb)); break;
        case FLD_PERM: {
            static const char RWX[] = "rwxrwxrwx";
            fprintf(f, "%s 0%03" PRIo64 " (", x->label, x->u & 0777);
            for (unsigned b = 0; b < 9; b++) fputc((x->u >> (8 - b)) & 1 ? RWX[b] : '-', f);
            fputc(')', f);
            break;
        }
        case FLD_TEXT:
            fprintf(f, "%s \"", x->label);
            put_ascii(f, x->p, x->n);
            fputc('"', f);
            break;
        case FLD_BYTES:
        case FLD_DATA:
            fprintf(f, "%s (%zu octet%s)", x->label, x->n, x->n == 1 ? "" : "s");
            if (x->n) {
                fputc(' ', f);
                dnp3_fput_hex(f, x->p, x->n, ' ');
            }
            if (x->kind == FLD_DATA && x->n) {
                fputs(" \"", f);
                put_ascii(f, x->p, x->n);
                fputc('"', f);
            }
            break;
        }
    }
}

static void t_object(void *ctx, const walk_obj *o)
{
    text_ctx *t = ctx;
    char asc[300];
    t->object_no++;
    if (!(t->o->levels & DNP3_DECODE_OBJECTS)) return;
    FILE *f = t->out;
    if (o->has_index)
        fprintf(f, "%s  index %" PRIu32, t->ind, o->index);
    else
        fprintf(f, "%s  object %u", t->ind, t->object_no);
    if (o->kind == WALK_OBJ_INDEX) {
        fputc('\n', f);
        return;
    }
    fputs(": ", f);
    switch (o->kind) {
    case WALK_OBJ_POINT: print_point(t, o); break;
    case WALK_OBJ_OCTETS:
        fprintf(f, "%zu octets: ", o->nbytes);
        dnp3_fput_hex(f, o->bytes, o->nbytes, ' ');
        fprintf(f, " \"%s\"", dnp3_fmt_ascii(o->bytes, o->nbytes, asc, sizeof asc));
        break;
    case WALK_OBJ_ATTRIBUTE: print_attr(t, o); break;
    case WALK_OBJ_FIELDS: print_fields(f, &o->fields); break;
    case WALK_OBJ_RAW:
    default:
        fprintf(f, "%zu octets:", o->nbytes);
        if (o->bytes && o->nbytes) {
            fputc(' ', f);
            dnp3_fput_hex(f, o->bytes, o->nbytes, ' ');
        }
        break;
    }
    fputc('\n', f);
}

static void t_error(void *ctx, size_t offset, const char *msg)
{
    text_ctx *t = ctx;
    if (t->o->map_offset) {
        uint64_t in = t->o->map_offset(t->o->map_ctx, offset);
        fprintf(t->out, "%serror: offset %" PRIu64 " (fragment offset %zu): %s\n", t->ind, in, offset, msg);
    } else {
        fprintf(t->out, "%serror: offset %zu: %s\n", t->ind, offset, msg);
    }
}

int dnp3_print_apdu_ex(FILE *out, const uint8_t *apdu, size_t len, const dnp3_apdu_print_opts *o)
{
    static const walk_sink SINK = {t_begin, t_header, t_object, t_error};
    text_ctx t = {out, o, o->indent ? o->indent : "", 0};
    return dnp3_apdu_walk(apdu, len, &SINK, &t);
}

int dnp3_print_apdu(FILE *out, const uint8_t *apdu, size_t len, int level)
{
    dnp3_apdu_print_opts o = {(unsigned)level, "  ", NULL, NULL};
    return dnp3_print_apdu_ex(out, apdu, len, &o);
}
