/**
 * \file
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

/** A fragment being written into a caller buffer (dnp3_apdu_writer_init_request / _response). */
typedef struct {
    uint8_t *buf; /**< the caller's buffer */
    size_t cap;   /**< its size */
    size_t len;   /**< octets written so far */
} dnp3_apdu_writer;

/** An open object header whose count/stop is patched by dnp3_apdu_end. */
typedef struct {
    const dnp3_obj_desc *desc; /**< descriptor of the header's group/variation */
    size_t header_pos;         /**< offset of the group octet */
    size_t data_pos;           /**< offset of the first object */
    uint8_t qualifier;         /**< the header's qualifier */
    uint32_t start;            /**< range headers */
    uint32_t count;            /**< objects added */
    uint32_t last_index;       /**< range headers: next index must be last_index + 1
                                * (not read by the writer: it checks index == start + count) */
    uint8_t bit_pos;           /**< packed kinds: bits used in the last octet */
} dnp3_hdr_mark;

/** Begins a request: AC, FC. Returns DNP3_OK or DNP3_ERR_BUFFER_TOO_SMALL (buf NULL or cap < 2). */
DNP3_API int dnp3_apdu_writer_init_request(dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t control,
                                           uint8_t function);
/** Begins a response: AC, FC, IIN1, IIN2. Returns DNP3_OK or DNP3_ERR_BUFFER_TOO_SMALL (buf NULL or cap < 4). */
DNP3_API int dnp3_apdu_writer_init_response(dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t control,
                                            uint8_t function, uint16_t iin);

/** Octets written so far: the fragment's length. */
static inline size_t dnp3_apdu_writer_len(const dnp3_apdu_writer *w)
{
    return w->len;
}

/** Rewrites the control octet / IIN of the fragment already begun. */
DNP3_API void dnp3_apdu_writer_set_control(dnp3_apdu_writer *w, uint8_t control);
/** Rewrites the IIN of the response already begun (does nothing if fewer than 4 octets were written). */
DNP3_API void dnp3_apdu_writer_set_iin(dnp3_apdu_writer *w, uint16_t iin);

/**
 * Writes a complete header without object data (READ requests, class
 * headers, counts): qualifier 0x06 (all), 0x00/0x01 (start..stop) or
 * 0x07/0x08 (count in `stop`), chosen by the caller.
 * dnp3_apdu_header_all writes qualifier 0x06. These three return DNP3_OK or
 * DNP3_ERR_FRAGMENT_FULL (nothing written).
 */
DNP3_API int dnp3_apdu_header_all(dnp3_apdu_writer *w, uint8_t group, uint8_t variation);
/**
 * A start..stop header without object data: qualifier 0x00, 0x01 or 0x02 by
 * the width stop needs (8, 16 or 32 bits). Returns DNP3_OK,
 * DNP3_ERR_FRAGMENT_FULL (nothing written) or DNP3_ERR_INVALID_ARG (stop < start).
 */
DNP3_API int dnp3_apdu_header_range(dnp3_apdu_writer *w, uint8_t group, uint8_t variation, uint32_t start,
                                    uint32_t stop);
/**
 * A count header without object data: qualifier 0x07, 0x08 or 0x09 by the
 * width count needs. Returns DNP3_OK or DNP3_ERR_FRAGMENT_FULL (nothing written).
 */
DNP3_API int dnp3_apdu_header_count(dnp3_apdu_writer *w, uint8_t group, uint8_t variation, uint32_t count);
/**
 * A READ by index list: qualifier 0x17 or 0x28 (chosen by the largest index;
 * 0x39 when an index or n exceeds 16 bits: the width fits both). Returns
 * DNP3_OK, DNP3_ERR_FRAGMENT_FULL (nothing written) or DNP3_ERR_INVALID_ARG
 * (n 0 or indices NULL).
 */
DNP3_API int dnp3_apdu_header_indices(dnp3_apdu_writer *w, uint8_t group, uint8_t variation,
                                      const uint32_t *indices, size_t n);

/**
 * Opens a header whose objects follow:
 *  - begin_range: qualifier 0x01 (16-bit start/stop, what SF and OD send for
 *    static data; 0x02 when start > 65535; see begin_range_auto); objects must have consecutive indices
 *    starting at `start`.
 *  - begin_indexed: qualifier 0x17 (all indices < 256) or 0x28 given by the caller.
 *  - begin_count: qualifier 0x07 (g50, g51, g52 and other "count 1" objects).
 *  - begin_free: qualifier 0x5B (g120 and other free-format objects).
 * Returns DNP3_OK, DNP3_ERR_FRAGMENT_FULL (nothing written) or
 * DNP3_ERR_INVALID_ARG (unknown object, or one of the wrong kind).
 * This is dnp3_apdu_begin_range: any kind but free format and attributes
 * (and header-only rows, octet strings of variation 0).
 */
DNP3_API int dnp3_apdu_begin_range(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                                   uint32_t start);
/**
 * Opens a header of index-prefixed objects with the caller's qualifier
 * (prefix code 1..3, range code 7..9, e.g.\ 0x17 or 0x28); fixed-size objects
 * and octet strings only. Returns DNP3_OK, DNP3_ERR_FRAGMENT_FULL (nothing
 * written) or DNP3_ERR_INVALID_ARG (other qualifier, unknown object or wrong kind).
 */
DNP3_API int dnp3_apdu_begin_indexed(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                                     uint8_t qualifier);
/**
 * Opens a header with qualifier 0x07 (g50, g51, g52 and other "count 1"
 * objects); fixed-size objects only. Returns DNP3_OK, DNP3_ERR_FRAGMENT_FULL
 * (nothing written) or DNP3_ERR_INVALID_ARG (unknown object or wrong kind).
 */
DNP3_API int dnp3_apdu_begin_count(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation);
/**
 * Opens a header like dnp3_apdu_begin_range, with the smallest qualifier that fits (what an
 * outstation answers; qualifiers: IEEE 1815-2012 clause 4.3; device profiles list "00, 01" for
 * static and "17, 28" for event responses): 0x00 (8-bit start/stop) when every index up to
 * `last`, the largest the caller may add, is below 256, else as dnp3_apdu_begin_range. Returns
 * what dnp3_apdu_begin_range returns.
 */
DNP3_API int dnp3_apdu_begin_range_auto(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                                        uint32_t start, uint32_t last);
/**
 * Opens an indexed header with the smallest qualifier that fits: 0x17 when `first_index` is
 * below 256, else 0x28. An 0x17 header takes 255 objects with indices below 256: add_point
 * answers DNP3_ERR_STATE (count) or DNP3_ERR_INVALID_ARG (index) beyond, and the caller opens
 * the next header. Returns what dnp3_apdu_begin_indexed returns.
 */
DNP3_API int dnp3_apdu_begin_indexed_auto(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation,
                                          uint32_t first_index);
/**
 * Opens a header with qualifier 0x5B (g120 and other free-format objects;
 * fixed-size objects are accepted too). Returns DNP3_OK, DNP3_ERR_FRAGMENT_FULL
 * (nothing written) or DNP3_ERR_INVALID_ARG (unknown object or wrong kind).
 */
DNP3_API int dnp3_apdu_begin_free(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint8_t group, uint8_t variation);

/**
 * Adds one object. `index` is used by indexed headers (and checked for
 * consecutiveness by range headers). Returns DNP3_OK or
 * DNP3_ERR_FRAGMENT_FULL (nothing written; the header stays valid).
 * Also DNP3_ERR_STATE when the header's count field is full (close it with
 * dnp3_apdu_end and open another), and DNP3_ERR_INVALID_ARG when the index is
 * not the next one of a range header or does not fit the index prefix, when
 * the object kind has no point form, or when the value cannot be encoded.
 * Packed kinds take p->value as the bit(s).
 */
DNP3_API int dnp3_apdu_add_point(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const dnp3_point *p);
/**
 * Raw object octets (octet strings, free format, attributes, g12 CROB echo, ...).
 * size must be the object's: d->size for fixed-size objects, the variation
 * for octet strings, 2 + obj[1] for attributes, at most what the size prefix
 * holds for free format; packed kinds are refused. Returns DNP3_OK,
 * DNP3_ERR_FRAGMENT_FULL (nothing written), DNP3_ERR_STATE (count field full)
 * or DNP3_ERR_INVALID_ARG.
 */
DNP3_API int dnp3_apdu_add_raw(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const uint8_t *obj,
                               size_t size);
/** Adds a CROB (g12v1/v2 header) built from *c; returns as dnp3_apdu_add_point. */
DNP3_API int dnp3_apdu_add_crob(dnp3_apdu_writer *w, dnp3_hdr_mark *m, uint32_t index, const dnp3_crob *c);

/**
 * Closes a header: patches its stop or count. A header with no objects is
 * removed again. Returns the number of objects it holds.
 */
DNP3_API uint32_t dnp3_apdu_end(dnp3_apdu_writer *w, dnp3_hdr_mark *m);

/** Appends raw octets (e.g.\ an echoed header). DNP3_ERR_FRAGMENT_FULL if they do not fit. */
DNP3_API int dnp3_apdu_append(dnp3_apdu_writer *w, const uint8_t *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif
