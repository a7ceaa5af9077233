/*
 * apdu_json.c - JSON lines for decoded traffic: a walk_sink (apdu_walk.h) that
 * writes the fragment's header members, its object headers and their points
 * (see apdu_json.h for the line layout).
 */
#include "apdu_json.h"

#include <math.h>
#include <string.h>

#include "apdu_walk.h"
#include "decode_fmt.h"
#include "dnp3/app.h"
#include "dnp3/objects.h"

void apdu_json_open(apdu_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    json_init(&j->w, f);
    json_obj_begin(&j->w, NULL);
}

static void queue_error(apdu_json *j, uint64_t offset, bool has_frag, size_t frag_offset,
                        const char *msg)
{
    if (j->nerr >= APDU_JSON_MAX_ERRORS) {
        j->dropped++;
        return;
    }
    j->err_offset[j->nerr] = offset;
    j->err_has_frag[j->nerr] = has_frag;
    j->err_frag_offset[j->nerr] = frag_offset;
    snprintf(j->err_msg[j->nerr], APDU_JSON_MSG_LEN, "%s", msg);
    j->nerr++;
}

void apdu_json_error(apdu_json *j, uint64_t offset, const char *msg)
{
    queue_error(j, offset, false, 0, msg);
}

static void close_points(apdu_json *j)
{
    if (j->in_points) {
        json_arr_end(&j->w); /* points */
        json_obj_end(&j->w); /* the object header */
        j->in_points = false;
    }
}

static void j_begin(void *ctx, const dnp3_apdu *a)
{
    apdu_json *j = ctx;
    json_w *w = &j->w;
    const char *fn = dnp3_fc_name(a->function);
    j->begun = true;
    json_uint(w, "control", a->control);
    json_bool(w, "fir", a->control & DNP3_AC_FIR);
    json_bool(w, "fin", a->control & DNP3_AC_FIN);
    json_bool(w, "con", a->control & DNP3_AC_CON);
    json_bool(w, "uns", a->control & DNP3_AC_UNS);
    json_uint(w, "seq", dnp3_ac_seq(a->control));
    if (fn)
        json_str(w, "function", fn);
    else
        json_null(w, "function");
    json_uint(w, "function_code", a->function);
    if (dnp3_fc_is_response(a->function)) {
        json_arr_begin(w, "iin");
        for (unsigned bit = 0; bit < 16; bit++)
            if (a->iin & (1u << bit)) json_str(w, NULL, dnp3_iin_bit_name(bit));
        json_arr_end(w);
    }
}

static void j_header(void *ctx, const dnp3_obj_header *h, size_t offset)
{
    apdu_json *j = ctx;
    json_w *w = &j->w;
    close_points(j);
    if (!j->in_objects) {
        json_arr_begin(w, "objects");
        j->in_objects = true;
    }
    j->object_no = 0;
    json_obj_begin(w, NULL);
    json_uint(w, "fragment_offset", offset);
    json_uint(w, "group", h->group);
    json_uint(w, "variation", h->variation);
    json_str(w, "name", h->desc->name);
    if (h->group == 0 && dnp3_attr_name(h->variation))
        json_str(w, "attribute", dnp3_attr_name(h->variation));
    json_uint(w, "qualifier", h->qualifier);
    if (h->has_range && h->range_code <= 2) {
        json_arr_begin(w, "range");
        json_uint(w, NULL, h->start);
        json_uint(w, NULL, h->stop);
        json_arr_end(w);
    } else if (h->has_range) {
        json_uint(w, "index", h->start);
    } else if (h->all) {
        json_bool(w, "all", true);
    } else {
        json_uint(w, "count", h->count);
    }
    json_arr_begin(w, "points");
    j->in_points = true;
}

static void flags_array(json_w *w, const dnp3_point *p)
{
    char fl[160];
    dnp3_flags_str((dnp3_point_type)p->point_type, p->flags, fl, sizeof fl);
    json_arr_begin(w, "flags");
    const char *s = fl;
    while (*s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        json_strn(w, NULL, s, n);
        s += n;
        if (*s == '|') s++;
    }
    json_arr_end(w);
    json_uint(w, "flags_value", p->flags);
}

static void point_members(json_w *w, const walk_obj *o)
{
    const dnp3_obj_desc *d = o->h->desc;
    const dnp3_point *p = &o->point;
    char tb[40];
    if (d->layout == DNP3_LAYOUT_CROB) {
        const dnp3_crob *c = &p->crob;
        json_uint(w, "code", c->code);
        json_str(w, "tcc", dnp3_tcc_name(c->code >> 6));
        json_str(w, "op", dnp3_op_type_name(c->code & DNP3_CROB_OP_MASK));
        json_bool(w, "clear", c->code & DNP3_CROB_CLEAR);
        json_bool(w, "queue", c->code & DNP3_CROB_QUEUE);
        json_uint(w, "count", c->count);
        json_uint(w, "on_ms", c->on_ms);
        json_uint(w, "off_ms", c->off_ms);
    } else if (d->point_type == DNP3_POINT_TIME && d->group == 52) {
        json_double(w, "value", p->value, 17);
        json_str(w, "unit", d->variation == 1 ? "s" : "ms");
    } else if (d->point_type == DNP3_POINT_TIME) {
        if (d->layout == DNP3_LAYOUT_T48_U32) json_uint(w, "interval_ms", p->interval);
        if (d->layout == DNP3_LAYOUT_T48_U32_U8) {
            json_uint(w, "interval_count", p->interval);
            json_uint(w, "units", p->units);
        }
    } else if (d->point_type == DNP3_POINT_SECURITY_STAT) {
        json_uint(w, "association", p->assoc);
        json_double(w, "value", p->value, 17);
        if (o->has_index && obj_sa_stat_name(o->index)) json_str(w, "statistic", obj_sa_stat_name(o->index));
    } else if (p->vtype == DNP3_VT_F32 || p->vtype == DNP3_VT_F64) {
        char num[48];
        fmt_real(p->value, p->vtype == DNP3_VT_F32, num, sizeof num);
        if (isfinite(p->value))
            json_number(w, "value", num);
        else
            json_str(w, "value", num);
    } else {
        json_double(w, "value", p->value, 17);
        if (d->point_type == DNP3_POINT_DOUBLE_BIT_INPUT)
            json_str(w, "state", dnp3_double_bit_name((unsigned)p->value));
        if (d->point_type == DNP3_POINT_IIN && o->has_index && o->index < 16)
            json_str(w, "name", dnp3_iin_bit_name(o->index));
    }
    if (p->has_flags) flags_array(w, p);
    if (o->time_known) json_str(w, "time", fmt_time48(o->time, tb, sizeof tb));
    if (o->relative) json_uint(w, "relative_ms", o->rel_ms);
    if (p->has_status) {
        json_str(w, "status", dnp3_command_status_name(p->status));
        json_uint(w, "status_code", p->status);
    }
}

static void attr_members(json_w *w, const walk_obj *o)
{
    const walk_attr *a = &o->attr;
    char tb[40];
    const char *tn = dnp3_attr_type_name(a->type);
    json_uint(w, "type_code", a->type);
    if (tn) json_str(w, "type", tn);
    if (!o->bytes) return;
    switch ((walk_attr_form)a->form) {
    case WALK_ATTR_STRING: json_strn(w, "value", (const char *)o->bytes, o->nbytes); break;
    case WALK_ATTR_UINT: json_uint(w, "value", a->u); break;
    case WALK_ATTR_INT: json_int(w, "value", a->i); break;
    case WALK_ATTR_FLOAT: {
        char num[48];
        fmt_real(a->f, o->nbytes == 4, num, sizeof num);
        if (isfinite(a->f))
            json_number(w, "value", num);
        else
            json_str(w, "value", num);
        break;
    }
    case WALK_ATTR_TIME: json_str(w, "value", fmt_time48(a->time, tb, sizeof tb)); break;
    case WALK_ATTR_LIST:
        json_arr_begin(w, "value");
        for (size_t i = 0; i + 1 < o->nbytes; i += 2) {
            json_obj_begin(w, NULL);
            json_uint(w, "variation", o->bytes[i]);
            if (dnp3_attr_name(o->bytes[i])) json_str(w, "name", dnp3_attr_name(o->bytes[i]));
            json_uint(w, "properties", o->bytes[i + 1]);
            json_obj_end(w);
        }
        json_arr_end(w);
        break;
    default: json_hex(w, "hex", o->bytes, o->nbytes); break;
    }
}

/* File transfer and authentication objects: one member per field (obj_fields.h). */
static void field_members(json_w *w, const obj_fields *fl)
{
    char tb[40], key[48], rwx[10];
    for (size_t i = 0; i < fl->n; i++) {
        const obj_field *x = &fl->f[i];
        switch (x->kind) {
        case FLD_UINT:
        case FLD_HEX: json_uint(w, x->key, x->u); break;
        case FLD_ENUM:
            json_str(w, x->key, x->name);
            snprintf(key, sizeof key, "%s_code", x->key);
            json_uint(w, key, x->u);
            break;
        case FLD_FLAG: json_bool(w, x->key, x->u != 0); break;
        case FLD_TIME: json_str(w, x->key, fmt_time48(x->u, tb, sizeof tb)); break;
        case FLD_PERM:
            json_uint(w, x->key, x->u);
            for (unsigned b = 0; b < 9; b++) rwx[b] = (x->u >> (8 - b)) & 1 ? "rwxrwxrwx"[b] : '-';
            rwx[9] = 0;
            snprintf(key, sizeof key, "%s_text", x->key);
            json_str(w, key, rwx);
            break;
        case FLD_TEXT: json_strn(w, x->key, (const char *)(x->p ? x->p : (const uint8_t *)""), x->n); break;
        case FLD_BYTES:
        case FLD_DATA:
            json_hex(w, x->key, x->p ? x->p : (const uint8_t *)"", x->n);
            if (x->kind == FLD_DATA) {
                snprintf(key, sizeof key, "%s_text", x->key);
                json_strn(w, key, (const char *)(x->p ? x->p : (const uint8_t *)""), x->n);
            }
            break;
        }
    }
}

static void j_object(void *ctx, const walk_obj *o)
{
    apdu_json *j = ctx;
    json_w *w = &j->w;
    char asc[300];
    j->object_no++;
    json_obj_begin(w, NULL);
    if (o->has_index)
        json_uint(w, "index", o->index);
    else
        json_uint(w, "position", j->object_no);
    switch (o->kind) {
    case WALK_OBJ_POINT: point_members(w, o); break;
    case WALK_OBJ_OCTETS:
        json_uint(w, "length", o->nbytes);
        json_hex(w, "hex", o->bytes, o->nbytes);
        json_str(w, "text", fmt_ascii(o->bytes, o->nbytes, asc, sizeof asc));
        break;
    case WALK_OBJ_ATTRIBUTE: attr_members(w, o); break;
    case WALK_OBJ_FIELDS:
        json_uint(w, "length", o->nbytes);
        field_members(w, &o->fields);
        break;
    case WALK_OBJ_RAW:
        json_uint(w, "length", o->nbytes);
        json_hex(w, "hex", o->bytes ? o->bytes : (const uint8_t *)"", o->bytes ? o->nbytes : 0);
        break;
    case WALK_OBJ_INDEX:
    default: break;
    }
    json_obj_end(w);
}

static void j_error(void *ctx, size_t offset, const char *msg)
{
    apdu_json *j = ctx;
    uint64_t in = j->map_offset ? j->map_offset(j->map_ctx, offset) : offset;
    queue_error(j, in, j->map_offset != NULL, offset, msg);
}

int apdu_json_fragment(apdu_json *j, const uint8_t *frag, size_t len,
                       uint64_t (*map_offset)(void *ctx, size_t frag_offset), void *map_ctx)
{
    static const walk_sink SINK = {j_begin, j_header, j_object, j_error};
    j->map_offset = map_offset;
    j->map_ctx = map_ctx;
    int n = apdu_walk(frag, len, &SINK, j);
    close_points(j);
    if (j->in_objects) {
        json_arr_end(&j->w);
        j->in_objects = false;
    } else if (j->begun) {
        json_arr_begin(&j->w, "objects");
        json_arr_end(&j->w);
    }
    j->begun = false;
    j->map_offset = NULL;
    return n;
}

void apdu_json_close(apdu_json *j)
{
    json_w *w = &j->w;
    if (j->nerr) {
        json_arr_begin(w, "errors");
        for (int i = 0; i < j->nerr; i++) {
            json_obj_begin(w, NULL);
            if (j->err_offset[i] != APDU_JSON_NO_OFFSET) json_uint(w, "offset", j->err_offset[i]);
            if (j->err_has_frag[i]) json_uint(w, "fragment_offset", j->err_frag_offset[i]);
            json_str(w, "message", j->err_msg[i]);
            json_obj_end(w);
        }
        json_arr_end(w);
        if (j->dropped) json_int(w, "errors_not_shown", j->dropped);
    }
    json_obj_end(w);
    fputc('\n', w->f);
}
