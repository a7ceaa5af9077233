/*
 * apdu_print.h - human-readable printing of DNP3 traffic at the decode
 * levels of `dnp3 decode --level` (docs/decode.md): link frames, transport headers, application
 * headers (control, function, IIN, object headers) and object values.
 * Shared by `dnp3 decode` and the --decode option of the outstation and master
 * commands. Nothing here exits or allocates; every function can be called on
 * any input (it is fuzzed through fuzz/fuzz_decode.c).
 */
#ifndef DNP3_CLI_APDU_PRINT_H
#define DNP3_CLI_APDU_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "dnp3/decode.h" /* the DNP3_DECODE_* levels */

typedef struct {
    unsigned levels;    /* DNP3_DECODE_* (link/transport bits are ignored here) */
    const char *indent; /* printed before every line; NULL = "" */
    /* maps a fragment offset to an input offset for error messages; NULL = identity */
    uint64_t (*map_offset)(void *ctx, size_t frag_offset);
    void *map_ctx;
} dnp3_apdu_print_opts;

/*
 * Prints an application fragment (control, function, IIN, object headers,
 * objects) with two-space indentation, and an "error: offset N: ..." line for
 * each problem. `level` is a DNP3_DECODE_* bit set. Returns the number of
 * problems found (0 = the fragment decoded cleanly).
 */
int dnp3_print_apdu(FILE *out, const uint8_t *apdu, size_t len, int level);
int dnp3_print_apdu_ex(FILE *out, const uint8_t *apdu, size_t len, const dnp3_apdu_print_opts *o);

#endif
