/**
 * \file
 * dnp3/decode.h - the DNP3 decoder of `dnp3 decode` as a library (libdnp3decode): link frames
 * (IEEE 1815-2012 clause 9), transport segments (clause 8) and application fragments (clause 4,
 * objects of Annex A) turned into readable text or JSON lines, from octets or from a pcap/pcapng
 * capture (TCP reassembled per direction, UDP datagrams, on one port).
 *
 * Every problem in the input is reported in the output with the offset of the octet at fault,
 * and decoding goes on; nothing here exits or aborts, whatever the input (it is fuzzed). The
 * JSON form has one object per line: per application fragment, per link frame without user
 * data and per problem outside a fragment; it is what `dnp3 decode --json` prints and what the
 * Python package returns as dicts.
 */
#ifndef DNP3_DECODE_H
#define DNP3_DECODE_H

#include "dnp3/export.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNP3_DECODE_LINK 0x01u      /**< decode level: link frame headers and CRCs */
#define DNP3_DECODE_TRANSPORT 0x02u /**< decode level: transport headers */
#define DNP3_DECODE_APP 0x04u       /**< decode level: application header and object headers */
#define DNP3_DECODE_OBJECTS 0x08u   /**< decode level: object values */
#define DNP3_DECODE_ALL 0x0Fu       /**< every decode level */

/** What to decode and how to show it. */
typedef struct {
    uint32_t size;   /**< sizeof(dnp3_decode_options); set by dnp3_decode_options_init (a smaller,
                          older size gets the defaults of the later fields) */
    unsigned levels; /**< DNP3_DECODE_* bits (default DNP3_DECODE_ALL) */
    bool json;       /**< JSON lines instead of text (default false) */
    bool apdu;       /**< octets: one bare application fragment, no link/transport (default false) */
    uint16_t port;   /**< captures: the DNP3 port of the TCP and UDP traffic (default 20000) */
} dnp3_decode_options;

/**
 * Fills the first `size` octets of *o with the defaults and sets o->size to `size` (at most
 * sizeof(dnp3_decode_options)): a program built against an older, smaller header gets its own fields and nothing
 * is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_decode_options_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_decode_options_init_size(dnp3_decode_options *o, size_t size);
/** Fills *o with the defaults. */
static inline void dnp3_decode_options_init(dnp3_decode_options *o)
{
    dnp3_decode_options_init_size(o, sizeof *o);
}

/**
 * Decodes `len` octets (a stream of link frames, or with o->apdu one application fragment)
 * into `out`. Returns the number of problems reported (0: the input decoded cleanly), or
 * DNP3_ERR_INVALID_ARG (NULL out or options, a bad options size, data NULL with len > 0).
 * o may be NULL for the defaults.
 */
DNP3_API long dnp3_decode_octets(const uint8_t *data, size_t len, const dnp3_decode_options *o, FILE *out);

/**
 * Decodes the pcap or pcapng capture at `path` into `out`. Returns the number of problems
 * reported in the traffic (0: clean), DNP3_ERR_INVALID_ARG, or DNP3_ERR_IO when the file cannot
 * be read as a capture (the reason in err[0..errcap), if err is not NULL). o may be NULL.
 */
DNP3_API long dnp3_decode_capture(const char *path, const dnp3_decode_options *o, FILE *out, char *err,
                                  size_t errcap);

/** True if `path` is a readable file that starts with a pcap or pcapng magic number. */
DNP3_API bool dnp3_decode_is_capture(const char *path);

/**
 * Parses a level list: comma-separated "link", "transport", "app", "objects", "all", "none",
 * or one digit 0..4 (cumulative: 1 = link ... 4 = all). Returns DNP3_OK, or
 * DNP3_ERR_INVALID_ARG for an unknown word.
 */
DNP3_API int dnp3_decode_levels_parse(const char *spec, unsigned *levels);

#ifdef __cplusplus
}
#endif

#endif
