/*
 * apdu_walk.h - walks one DNP3 application fragment (IEEE 1815-2012 clause 4.2
 * and 4.3) for the decoders: header, every object header and every object,
 * decoded with the core's parser and point codec, delivered to a "sink" (the
 * text printer or the JSON printer). All checks and error messages live here,
 * so both output forms report exactly the same problems.
 *
 * Relative-time objects (g2v3, g4v3) are resolved with the last CTO (g51) seen
 * earlier in the same fragment. File transfer (g70) and authentication (g120)
 * objects are split into their fields (obj_fields.h); one that does not fit
 * its layout is reported and shown as hex.
 */
#ifndef DNP3_CLI_APDU_WALK_H
#define DNP3_CLI_APDU_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnp3/app.h"
#include "dnp3/objects.h"
#include "obj_fields.h"

typedef enum {
    WALK_OBJ_POINT,     /* fixed-size or packed object, decoded into `point` */
    WALK_OBJ_OCTETS,    /* octet string (g110-g113): bytes/nbytes */
    WALK_OBJ_ATTRIBUTE, /* device attribute (g0): attr */
    WALK_OBJ_RAW,       /* free-format or opaque object without a field layout: bytes/nbytes */
    WALK_OBJ_FIELDS,    /* file transfer (g70) or authentication (g120) object: fields, bytes/nbytes */
    WALK_OBJ_INDEX,     /* an index of a header without object data (READ by index) */
} walk_obj_kind;

/* A decoded device-attribute value (docs/protocol-notes.md §4.5). */
typedef enum {
    WALK_ATTR_BYTES = 0, /* shown as hex */
    WALK_ATTR_STRING,    /* VSTR */
    WALK_ATTR_UINT,
    WALK_ATTR_INT,
    WALK_ATTR_FLOAT,
    WALK_ATTR_TIME,
    WALK_ATTR_LIST, /* U8BS8LIST: (variation, properties) pairs in bytes */
} walk_attr_form;

typedef struct {
    uint8_t type; /* dnp3_attr_type */
    uint8_t form; /* walk_attr_form */
    uint64_t u;
    int64_t i;
    double f;
    dnp3_time48 time;
} walk_attr;

typedef struct {
    walk_obj_kind kind;
    const dnp3_obj_header *h;
    size_t offset;  /* offset of the object (or its prefix) in the fragment */
    bool has_index; /* false for count/free-format headers: `index` is the position */
    uint32_t index;
    dnp3_point point; /* WALK_OBJ_POINT */
    bool time_known;  /* absolute time of the object is in `time` */
    dnp3_time48 time; /* absolute time (relative times resolved with the CTO) */
    bool relative;    /* the wire time was relative to a CTO */
    uint16_t rel_ms;
    const uint8_t *bytes; /* OCTETS, RAW, FIELDS, ATTRIBUTE value */
    size_t nbytes;
    walk_attr attr;
    obj_fields fields; /* WALK_OBJ_FIELDS */
} walk_obj;

typedef struct {
    /* the fragment header was parsed (not called for a fragment shorter than its header) */
    void (*begin)(void *ctx, const dnp3_apdu *a);
    void (*header)(void *ctx, const dnp3_obj_header *h, size_t offset);
    void (*object)(void *ctx, const walk_obj *o);
    /* a problem at fragment offset `offset`; msg has no offset prefix */
    void (*error)(void *ctx, size_t offset, const char *msg);
} walk_sink;

/* Walks frag[0..len) and returns the number of errors reported to the sink. */
int dnp3_apdu_walk(const uint8_t *frag, size_t len, const walk_sink *s, void *ctx);

/* "application control 0xC3: FIR=1 FIN=1 CON=0 UNS=0 SEQ=3" style flags into buf. */
const char *dnp3_walk_ac_str(uint8_t ac, char *buf, size_t cap);

/* Direction implied by a function code when there is no link layer. */
bool dnp3_walk_fc_from_outstation(uint8_t fc);

#endif
