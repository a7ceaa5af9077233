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

void dnp3_apdu_json_open(apdu_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    dnp3_json_init(&j->w, f);
    dnp3_json_obj_begin(&j->w, NULL);
}

static void queue_error(apdu_json *j, uint64_t offset, bool has_frag, size_t frag_offset, const char *msg)
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

void dnp3_apdu_json_error(apdu_json *j, uint64_t offset, const char *msg)
{
    queue_error(j, offset, false, 0, msg);
}

static void close_points(apdu_json *j)
{
    if (j->in_points) {
        dnp3_json_arr_end(&j->w); /* points */
        dnp3_json_obj_end(&j->w); /* the object header */
        j->in_points = false;
    }
}

static void j_begin(void *ctx, const dnp3_apdu *a)
{
    apdu_json *j = ctx;
    json_w *w = &j->w;
    const char *fn = dnp3_fc_name(a->function);
    j->begun = true;
    dnp3_json_uint(w, "control", a->control);
    dnp3_json_bool(w, "fir", a->control & DNP3_AC_FIR);
    dnp3_json_bool(w, "fin", a->control & DNP3_AC_FIN);
    dnp3_json_bool(w, "con", a->control & DNP3_AC_CON);
    dnp3_json_bool(w, "uns", a->control & DNP3_AC_UNS);
    dnp3_json_uint(w, "seq", dnp3_ac_seq(a->control));
    if (fn)
        dnp3_json_str(w, "function", fn);
    else
        dnp3_json_null(w, "function");
    dnp3_json_uint(w, "function_code", a->function);
    if (dnp3_fc_is_response(a->function)) {
        dnp3_json_arr_begin(w, "iin");
        for (unsigned bit = 0; bit < 16; bit++)
            if (a->iin & (1u << bit)) dnp3_json_str(w, NULL, dnp3_iin_bit_name(bit));
        dnp3_json_arr_end(w);
    }
}

static void j_header(void *ctx, const dnp3_obj_header *h, size_t offset)
{
    apdu_json *j = ctx;
    json_w *w = &j->w;
    close_points(j);
    if (!j->in_objects) {
        dnp3_json_arr_begin(w, "objects");
        j->in_objects = true;
    }
    j->object_no = 0;
    dnp3_json_obj_begin(w, NULL);
    dnp3_json_uint(w, "fragment_offset", offset);
    dnp3_json_uint(w, "group", h->group);
    dnp3_json_uint(w, "variation", h->variation);
    dnp3_json_str(w, "name", h->desc->name);
    if (h->group == 0 && dnp3_attr_name(h->variation)) dnp3_json_str(w, "attribute", dnp3_attr_name(h->variation));
    dnp3_json_uint(w, "qualifier", h->qualifier);
    if (h->has_range && h->range_code <= 2) {
        dnp3_json_arr_begin(w, "range");
        dnp3_json_uint(w, NULL, h->start);
        dnp3_json_uint(w, NULL, h->stop);
        dnp3_json_arr_end(w);
    } else if (h->has_range) {
        dnp3_json_uint(w, "index", h->start);
    } else if (h->all) {
        dnp3_json_bool(w, "all", true);
    } else {
        dnp3_json_uint(w, "count", h->count);
    }
    dnp3_json_arr_begin(w, "points");
    j->in_points = true;
}

static void flags_array(json_w *w, const dnp3_point *p)
{
    char fl[160];
    dnp3_flags_str((dnp3_point_type)p->point_type, p->flags, fl, sizeof fl);
    dnp3_json_arr_begin(w, "flags");
    const char *s = fl;
    while (*s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        dnp3_json_strn(w, NULL, s, n);
        s += n;
        if (*s == '|') s++;
    }
    dnp3_json_arr_end(w);
    dnp3_json_uint(w, "flags_value", p->flags);
}

static void point_members(json_w *w, const walk_obj *o)
{
    const dnp3_obj_desc *d = o->h->desc;
    const dnp3_point *p = &o->point;
    char tb[40];
    if (d->layout == DNP3_LAYOUT_CROB) {
        const dnp3_crob *c = &p->crob;
        dnp3_json_uint(w, "code", c->code);
        dnp3_json_str(w, "tcc", dnp3_tcc_name(c->code >> 6));
        dnp3_json_str(w, "op", dnp3_op_type_name(c->code & DNP3_CROB_OP_MASK));
        dnp3_json_bool(w, "clear", c->code & DNP3_CROB_CLEAR);
        dnp3_json_bool(w, "queue", c->code & DNP3_CROB_QUEUE);
        dnp3_json_uint(w, "count", c->count);
        dnp3_json_uint(w, "on_ms", c->on_ms);
        dnp3_json_uint(w, "off_ms", c->off_ms);
    } else if (d->point_type == DNP3_POINT_TIME && d->group == 52) {
        dnp3_json_double(w, "value", p->value, 17);
        dnp3_json_str(w, "unit", d->variation == 1 ? "s" : "ms");
    } else if (d->point_type == DNP3_POINT_TIME) {
        if (d->layout == DNP3_LAYOUT_T48_U32) dnp3_json_uint(w, "interval_ms", p->interval);
        if (d->layout == DNP3_LAYOUT_T48_U32_U8) {
            dnp3_json_uint(w, "interval_count", p->interval);
            dnp3_json_uint(w, "units", p->units);
        }
    } else if (d->point_type == DNP3_POINT_SECURITY_STAT) {
        dnp3_json_uint(w, "association", p->assoc);
        dnp3_json_double(w, "value", p->value, 17);
        if (o->has_index && dnp3_obj_sa_stat_name(o->index))
            dnp3_json_str(w, "statistic", dnp3_obj_sa_stat_name(o->index));
    } else if (p->vtype == DNP3_VT_F32 || p->vtype == DNP3_VT_F64) {
        char num[48];
        dnp3_fmt_real(p->value, p->vtype == DNP3_VT_F32, num, sizeof num);
        if (isfinite(p->value))
            dnp3_json_number(w, "value", num);
        else
            dnp3_json_str(w, "value", num);
    } else {
        dnp3_json_double(w, "value", p->value, 17);
        if (d->point_type == DNP3_POINT_DOUBLE_BIT_INPUT)
            dnp3_json_str(w, "state", dnp3_double_bit_name((unsigned)p->value));
        if (d->point_type == DNP3_POINT_IIN && o->has_index && o->index < 16)
            dnp3_json_str(w, "name", dnp3_iin_bit_name(o->index));
    }
    if (p->has_flags) flags_array(w, p);
    if (o->time_known) dnp3_json_str(w, "time", dnp3_fmt_time48(o->time, tb, sizeof tb));
    if (o->relative) dnp3_json_uint(w, "relative_ms", o->rel_ms);
    if (p->has_status) {
        dnp3_json_str(w, "status", dnp3_command_status_name(p->status));
        dnp3_json_uint(w, "status_code", p->status);
    }
}

static void attr_members(json_w *w, const walk_obj *o)
{
    const walk_attr *a = &o->attr;
    char tb[40];
    const char *tn = dnp3_attr_type_name(a->type);
    dnp3_json_uint(w, "type_code", a->type);
    if (tn) dnp3_json_str(w, "type", tn);
    if (!o->bytes) return;
    switch ((walk_attr_form)a->form) {
    case WALK_ATTR_STRING: dnp3_json_strn(w, "value", (const char *)o->bytes, o->nbytes); break;
    case WALK_ATTR_UINT: dnp3_json_uint(w, "value", a->u); break;
    case WALK_ATTR_INT: dnp3_json_int(w, "value", a->i); break;
    case WALK_ATTR_FLOAT: {
        char num[48];
        dnp3_fmt_real(a->f, o->nbytes == 4, num, sizeof num);
        if (isfinite(a->f))
            dnp3_json_number(w, "value", num);
        else
            dnp3_json_str(w, "value", num);
        break;
    }
    case WALK_ATTR_TIME: dnp3_json_str(w, "value", dnp3_fmt_time48(a->time, tb, sizeof tb)); break;
    case WALK_ATTR_LIST:
        dnp3_json_arr_begin(w, "value");
        for (size_t i = 0; i + 1 < o->nbytes; i += 2) {
            dnp3_json_obj_begin(w, NULL);
            dnp3_json_uint(w, "variation", o->bytes[i]);
            if (dnp3_attr_name(o->bytes[i])) dnp3_json_str(w, "name", dnp3_attr_name(o->bytes[i]));
            dnp3_json_uint(w, "properties", o->bytes[i + 1]);
            dnp3_json_obj_end(w);
        }
        dnp3_json_arr_end(w);
        break;
    default: dnp3_json_hex(w, "hex", o->bytes, o->nbytes); break;
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
        case FLD_HEX: dnp3_json_uint(w, x->key, x->u); break;
        case FLD_ENUM:
            dnp3_json_str(w, x->key, x->name);
            snprintf(key, sizeof key, "%s_code", x->key);
            dnp3_json_uint(w, key, x->u);
            break;
        case FLD_FLAG: dnp3_json_bool(w, x->key, x->u != 0); break;
        case FLD_TIME: dnp3_json_str(w, x->key, dnp3_fmt_time48(x->u, tb, sizeof tb)); break;
        case FLD_PERM:
            dnp3_json_uint(w, x->key, x->u);
            for (unsigned b = 0; b < 9; b++) rwx[b] = (x->u >> (8 - b)) & 1 ? "rwxrwxrwx"[b] : '-';
            rwx[9] = 0;
            snprintf(key, sizeof key, "%s_text", x->key);
            dnp3_json_str(w, key, rwx);
            break;
        case FLD_TEXT: dnp3_json_strn(w, x->key, (const char *)(x->p ? x->p : (const uint8_t *)""), x->n); break;
        case FLD_BYTES:
        case FLD_DATA:
            dnp3_json_hex(w, x->key, x->p ? x->p : (const uint8_t *)"", x->n);
            if (x->kind == FLD_DATA) {
                snprintf(key, sizeof key, "%s_text", x->key);
                dnp3_json_strn(w, key, (const char *)(x->p ? x->p : (const uint8_t *)""), x->n);
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
    dnp3_json_obj_begin(w, NULL);
    if (o->has_index)
        dnp3_json_uint(w, "index", o->index);
    else
        dnp3_json_uint(w, "position", j->object_no);
    switch (o->kind) {
    case WALK_OBJ_POINT: point_members(w, o); break;
    case WALK_OBJ_OCTETS:
        dnp3_json_uint(w, "length", o->nbytes);
        dnp3_json_hex(w, "hex", o->bytes, o->nbytes);
        dnp3_json_str(w, "text", dnp3_fmt_ascii(o->bytes, o->nbytes, asc, sizeof asc));
        break;
    case WALK_OBJ_ATTRIBUTE: attr_members(w, o); break;
    case WALK_OBJ_FIELDS:
        dnp3_json_uint(w, "length", o->nbytes);
        field_members(w, &o->fields);
        break;
    case WALK_OBJ_RAW:
        dnp3_json_uint(w, "length", o->nbytes);
        dnp3_json_hex(w, "hex", o->bytes ? o->bytes : (const uint8_t *)"", o->bytes ? o->nbytes : 0);
        break;
    case WALK_OBJ_INDEX:
    default: break;
    }
    dnp3_json_obj_end(w);
}

static void j_error(void *ctx, size_t offset, const char *msg)
{
    apdu_json *j = ctx;
    uint64_t in = j->map_offset ? j->map_offset(j->map_ctx, offset) : offset;
    queue_error(j, in, j->map_offset != NULL, offset, msg);
}

int dnp3_apdu_json_fragment(apdu_json *j, const uint8_t *frag, size_t len,
                            uint64_t (*map_offset)(void *ctx, size_t frag_offset), void *map_ctx)
{
    static const walk_sink SINK = {j_begin, j_header, j_object, j_error};
    j->map_offset = map_offset;
    j->map_ctx = map_ctx;
    int n = dnp3_apdu_walk(frag, len, &SINK, j);
    close_points(j);
    if (j->in_objects) {
        dnp3_json_arr_end(&j->w);
        j->in_objects = false;
    } else if (j->begun) {
        dnp3_json_arr_begin(&j->w, "objects");
        dnp3_json_arr_end(&j->w);
    }
    j->begun = false;
    j->map_offset = NULL;
    return n;
}

void dnp3_apdu_json_close(apdu_json *j)
{
    json_w *w = &j->w;
    if (j->nerr) {
        dnp3_json_arr_begin(w, "errors");
        for (int i = 0; i < j->nerr; i++) {
            dnp3_json_obj_begin(w, NULL);
            if (j->err_offset[i] != APDU_JSON_NO_OFFSET) dnp3_json_uint(w, "offset", j->err_offset[i]);
            if (j->err_has_frag[i]) dnp3_json_uint(w, "fragment_offset", j->err_frag_offset[i]);
            dnp3_json_str(w, "message", j->err_msg[i]);
            dnp3_json_obj_end(w);
        }
        dnp3_json_arr_end(w);
        if (j->dropped) dnp3_json_int(w, "errors_not_shown", j->dropped);
    }
    dnp3_json_obj_end(w);
    fputc('\n', w->f);
}
