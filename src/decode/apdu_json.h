/*
 * apdu_json.h - the --json form of decoded DNP3 traffic: one JSON object per
 * line. The caller opens a line, adds its own members (offset, direction,
 * addresses, ...), adds a decoded application fragment and/or errors, and
 * closes the line; errors are collected and written last as
 * "errors": [{"offset": N, "message": "..."}].
 */
#ifndef DNP3_CLI_APDU_JSON_H
#define DNP3_CLI_APDU_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json_out.h"

#define APDU_JSON_MAX_ERRORS 16
#define APDU_JSON_MSG_LEN 300

typedef struct {
    json_w w;
    int nerr;
    int dropped; /* errors beyond APDU_JSON_MAX_ERRORS (counted, not written) */
    uint64_t err_offset[APDU_JSON_MAX_ERRORS];
    bool err_has_frag[APDU_JSON_MAX_ERRORS];
    size_t err_frag_offset[APDU_JSON_MAX_ERRORS];
    char err_msg[APDU_JSON_MAX_ERRORS][APDU_JSON_MSG_LEN];
    /* state while a fragment is written */
    bool begun, in_objects, in_points;
    unsigned object_no;
    uint64_t (*map_offset)(void *ctx, size_t frag_offset);
    void *map_ctx;
} apdu_json;

/* Starts a line ("{"); members can then be added with json_*(&j->w, ...). */
void dnp3_apdu_json_open(apdu_json *j, FILE *f);

/*
 * Adds the members of a decoded fragment: control, fir, fin, con, uns, seq,
 * function, function_code, iin (responses) and objects. map_offset (may be
 * NULL) turns fragment offsets into input offsets for the error list.
 * Returns the number of problems found.
 */
int dnp3_apdu_json_fragment(apdu_json *j, const uint8_t *frag, size_t len,
                            uint64_t (*map_offset)(void *ctx, size_t frag_offset), void *map_ctx);

/* Queues an error for the "errors" member of this line (offset APDU_JSON_NO_OFFSET: none). */
#define APDU_JSON_NO_OFFSET UINT64_MAX
void dnp3_apdu_json_error(apdu_json *j, uint64_t offset, const char *msg);

/* Writes the errors, closes the object and ends the line. */
void dnp3_apdu_json_close(apdu_json *j);

#endif
