/*
 * dnp3/writer.h - bounded writer for application-layer fragments (IEEE 1815-2012
 * clause 4.2 and 4.3). It builds a request or response into a caller buffer
 * and reports DNP3_ERR_FRAGMENT_FULL (writing nothing) when an item does not
 * fit, so that a response can continue in the next fragment.
 *
 * Typical use (a range of analog inputs):
 *
 *     dnp3_apdu_writer w;
 *     dnp3_apdu_writer_init_response(&w, buf, sizeof buf, ac, DNP3_FC_RESPONSE, iin);
 *     dnp3_hdr_mark m;
 *     if (dnp3_apdu_begin_range(&w, &m, 30, 1, first_index) == DNP3_OK)
 *         while (... && dnp3_apdu_add_point(&w, &m, &point) == DNP3_OK) ...;
 *     dnp3_apdu_end(&w, &m);           // patches stop/count; drops an empty header
 *     size_t len = dnp3_apdu_writer_len(&w);
 */
#ifndef DNP3_WRITER_H
#define DNP3_WRITER_H

#include "dnp3/export.h"
#include "dnp3/app.h"
#include "dnp3/objects.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
} dnp3_apdu_writer;

/* An open object header whose count/stop is patched by dnp3_apdu_end. */
typedef struct {
    const dnp3_obj_desc *desc;
    size_t header_pos;   /* offset of the group octet */
    size_t data_pos;     /* offset of the first object */
    uint8_t qualifier;
    uint32_t start;      /* range headers */
    uint32_t count;      /* objects added */
    uint32_t last_index; /* range headers: next index must be last_index + 1 */
    uint8_t bit_pos;     /* packed kinds: bits used in the last octet */
} dnp3_hdr_mark;

/* Begins a request: AC, FC. Returns DNP3_OK or DNP3_ERR_BUFFER_TOO_SMALL. */
DNP3_API int dnp3_apdu_writer_init_request(dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t control,
                                  uint8_t function);
/* Begins a response: AC, FC, IIN1, IIN2. */
DNP3_API int dnp3_apdu_writer_init_response(dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t control,
                                   uint8_t function, uint16_t iin);

static inline size_t dnp3_apdu_writer_len(const dnp3_apdu_writer *w) { return w->len; }

/* Rewrites the control octet / IIN of the fragment already begun. */
DNP3_API void dnp3_apdu_writer_set_control(dnp3_apdu_writer *w, uint8_t control);
DNP3_API void dnp3_apdu_writer_set_iin(dnp3_apdu_writer *w, uint16_t iin);

/*
 * Writes a complete header without object data (READ requests, class
 * headers, counts): qualifier 0x06 (all), 0x00/0x01 (start..stop) or
 * 0x07/0x08 (count in `stop`), chosen by the caller.
 */
DNP3_API int dnp3_apdu_header_all(dnp3_apdu_writer *w, uint8_t group, uint8_t variation);
DNP3_API int dnp3_apdu_header_range(dnp3_apdu_writer *w, uint8_t group, uint8_t variation, uint32_t start,
                           uint32_t stop);
DNP3_API int dnp3_apdu_header_count(dnp3_apdu_writer *w, uint8_t group, uint8_t variation, uint32_t count);
/* A READ by index list: qualifier 0x17 or 0x28 (chosen by the largest index). */
DNP3_API int dnp3_apdu_header_indices(dnp3_apdu_writer *w, uint8_t group, uint8_t variation,
                             const uint32_t *indices, size_t n);

/*
 * Opens a header whose objects follow:
 *  - begin_range: qualifier 0x01 (16-bit start/stop, what SF and OD send for
 *    static data; see begin_range_auto); objects must have consecutive indices
 *    starting at `start`.
 *  - begin_indexed: qualifier 0x17 (all indices < 256) or 0x28 given by the caller.
 *  - begin_count: qualifier 0x07 (g50, g51, g52 and other "count 1" objects).
 *  - begin_free: qualifier 0x5B (g120 and other free-format objects).
 * Returns DNP3_OK, DNP3_ERR_FRAGMENT_FULL (nothing written) or
 * DNP3_ERR_INVALID_ARG (unknown object, or one of the wrong kind).
 */
DNP3_API int dnp3_apdu_begin_range(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                          uint32_t start);
DNP3_API int dnp3_apdu_begin_indexed(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group,
                            uint8_t variation, uint8_t qualifier);
DNP3_API int dnp3_apdu_begin_count(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation);
/*
 * The same with the smallest qualifier that fits (what an outstation answers;
 * qualifiers: IEEE 1815-2012 clause 4.3; device profiles list "00, 01" for
 * static and "17, 28" for event responses):
 *  - begin_range_auto: 0x00 (8-bit start/stop) when every index up to `last`,
 *    the largest the caller may add, is below 256, else as begin_range;
 *  - begin_indexed_auto: 0x17 when `first_index` is below 256, else 0x28. An
 *    0x17 header takes 255 objects with indices below 256: add_point answers
 *    DNP3_ERR_STATE (count) or DNP3_ERR_INVALID_ARG (index) beyond, and the
 *    caller opens the next header.
 */
DNP3_API int dnp3_apdu_begin_range_auto(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                               uint32_t start, uint32_t last);
DNP3_API int dnp3_apdu_begin_indexed_auto(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                                 uint32_t first_index);
DNP3_API int dnp3_apdu_begin_free(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation);

/*
 * Adds one object. `index` is used by indexed headers (and checked for
 * consecutiveness by range headers). Returns DNP3_OK or
 * DNP3_ERR_FRAGMENT_FULL (nothing written; the header stays valid).
 */
DNP3_API int dnp3_apdu_add_point(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const dnp3_point *p);
/* Raw object octets (octet strings, free format, attributes, g12 CROB echo, ...). */
DNP3_API int dnp3_apdu_add_raw(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const uint8_t *obj,
                      size_t size);
DNP3_API int dnp3_apdu_add_crob(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const dnp3_crob *c);

/*
 * Closes a header: patches its stop or count. A header with no objects is
 * removed again. Returns the number of objects it holds.
 */
DNP3_API uint32_t dnp3_apdu_end(dnp3_apdu_writer *w, dnp3_hdr_mark *m);

/* Appends raw octets (e.g. an echoed header). DNP3_ERR_FRAGMENT_FULL if they do not fit. */
DNP3_API int dnp3_apdu_append(dnp3_apdu_writer *w, const uint8_t *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif
