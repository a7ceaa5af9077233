/*
 * obj_fields.h - the fields of the free-format objects the decoder would
 * otherwise show as hex: file transfer (group 70 variations 2-8, IEEE
 * 1815-2012 Annex A, group 70 file-control objects) and
 * Secure Authentication (group 120 variations 1-15, clause 7, decoded with
 * the library's codec dnp3_g120_decode). The result is a flat list of named
 * fields that the text and JSON printers render the same way.
 */
#ifndef DNP3_CLI_OBJ_FIELDS_H
#define DNP3_CLI_OBJ_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnp3/types.h"

typedef enum {
    FLD_UINT,  /* u: "label 5" / "key": 5 */
    FLD_HEX,   /* u: "label 0x12345678" / "key": 305419896 */
    FLD_ENUM,  /* u and name: "label NAME (5)" / "key": "NAME", "key_code": 5 */
    FLD_FLAG,  /* u != 0: "LABEL" when set / "key": true|false */
    FLD_TIME,  /* u (DNP3 time): "label 2024-...Z" / "key": "2024-...Z" */
    FLD_PERM,  /* u (UNIX-like bits): "label 0644 (rw-r--r--)" / "key": 420, "key_text": "rw-r--r--" */
    FLD_TEXT,  /* p, n: "label \"text\"" / "key": "text" */
    FLD_BYTES, /* p, n: "label (n octets) 01 02" / "key": "0102" */
    FLD_DATA,  /* p, n: FLD_BYTES plus the printable text: ... "ab" / "key": "6162", "key_text": "ab" */
} obj_field_kind;

typedef struct {
    obj_field_kind kind;
    const char *label; /* text form */
    const char *key;   /* JSON member */
    uint64_t u;
    const char *name; /* FLD_ENUM */
    const uint8_t *p; /* FLD_TEXT, FLD_BYTES */
    size_t n;
} obj_field;

#define OBJ_FIELDS_MAX 12

typedef struct {
    size_t n;
    obj_field f[OBJ_FIELDS_MAX];
    const char *problem; /* set when the object does not fit its layout (then n may be 0) */
} obj_fields;

/*
 * Decodes the body (after the size prefix) of a g70 or g120 object. Returns
 * true when the group/variation has a field layout here (then either fields
 * are filled, or `problem` says why the octets do not fit the layout), false
 * for every other object.
 */
bool dnp3_obj_fields_decode(uint8_t group, uint8_t variation, const uint8_t *p, size_t n, obj_fields *out);

/* Name of a security statistic (g121/g122 point index, IEEE 1815-2012 clause 7), or NULL. */
const char *dnp3_obj_sa_stat_name(uint32_t index);

/* ---- for the per-group decoders (obj_file.c, obj_sa.c) ---- */

/* Appends a field (ignored when the list is full); returns it or NULL. */
obj_field *dnp3_obj_fields_add(obj_fields *o, obj_field_kind kind, const char *label, const char *key, uint64_t u);
void dnp3_obj_fields_add_enum(obj_fields *o, const char *label, const char *key, uint64_t u, const char *name);
void dnp3_obj_fields_add_octets(obj_fields *o, obj_field_kind kind, const char *label, const char *key,
                                const uint8_t *p, size_t n);

bool dnp3_obj_file_decode(uint8_t variation, const uint8_t *p, size_t n, obj_fields *out);
bool dnp3_obj_sa_decode(uint8_t variation, const uint8_t *p, size_t n, obj_fields *out);

#endif
