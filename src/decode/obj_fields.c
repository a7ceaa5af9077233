/*
 * obj_fields.c - field lists of free-format objects for the decoder (see
 * obj_fields.h): the list builders the layouts of obj_file.c and obj_sa.c fill;
 * obj_decode.c picks the layout.
 */
#include "obj_fields.h"

#include <string.h>

obj_field *dnp3_obj_fields_add(obj_fields *o, obj_field_kind kind, const char *label, const char *key, uint64_t u)
{
    if (o->n >= OBJ_FIELDS_MAX) return NULL;
    obj_field *f = &o->f[o->n++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->label = label;
    f->key = key;
    f->u = u;
    return f;
}

void dnp3_obj_fields_add_enum(obj_fields *o, const char *label, const char *key, uint64_t u, const char *name)
{
    obj_field *f = dnp3_obj_fields_add(o, FLD_ENUM, label, key, u);
    if (f) f->name = name ? name : "UNKNOWN";
}

void dnp3_obj_fields_add_octets(obj_fields *o, obj_field_kind kind, const char *label, const char *key,
                                const uint8_t *p, size_t n)
{
    obj_field *f = dnp3_obj_fields_add(o, kind, label, key, 0);
    if (f) {
        f->p = p;
        f->n = p ? n : 0;
    }
}
