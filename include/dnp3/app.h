/**
 * \file
 * dnp3/app.h - DNP3 application layer headers and object-header parsing
 * (IEEE 1815-2012 clause 4.2 "application layer fragments" and 4.3 "object headers").
 *
 *  - Application control (FIR/FIN/CON/UNS/SEQ), every function code, both IIN octets.
 *  - The object-header parser: validate-first (pass 1 walks and checks every
 *    header of a fragment), then iterate (pass 2, cannot fail). Headers point
 *    into the caller's fragment (zero copy); nothing allocates.
 *
 * Qualifier octet: bits 6..4 object prefix code, bits 3..0 range specifier code.
 */
#ifndef DNP3_APP_H
#define DNP3_APP_H

#include "dnp3/export.h"
#include "dnp3/objects.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- application control octet ---- */
#define DNP3_AC_FIR 0x80      /**< application control: first fragment of a message */
#define DNP3_AC_FIN 0x40      /**< application control: final fragment of a message */
#define DNP3_AC_CON 0x20      /**< application control: the receiver must send a CONFIRM */
#define DNP3_AC_UNS 0x10      /**< application control: unsolicited response (or its CONFIRM) */
#define DNP3_AC_SEQ_MASK 0x0F /**< application control: the 4-bit sequence number */

/* ---- function codes (clause 4.2.2.5) ---- */
/** Application-layer function codes (clause 4.2.2.5): requests 0x00..0x21, responses 0x81..0x83. */
typedef enum {
    DNP3_FC_CONFIRM = 0x00,                /**< application confirm of a response (no objects) */
    DNP3_FC_READ = 0x01,                   /**< read the objects named by the headers */
    DNP3_FC_WRITE = 0x02,                  /**< write the objects that follow */
    DNP3_FC_SELECT = 0x03,                 /**< select controls (first half of select-before-operate) */
    DNP3_FC_OPERATE = 0x04,                /**< operate the controls selected before */
    DNP3_FC_DIRECT_OPERATE = 0x05,         /**< operate controls without a select */
    DNP3_FC_DIRECT_OPERATE_NR = 0x06,      /**< operate controls without a select; no response */
    DNP3_FC_IMMED_FREEZE = 0x07,           /**< freeze the named counters / analogs now */
    DNP3_FC_IMMED_FREEZE_NR = 0x08,        /**< freeze now; no response */
    DNP3_FC_FREEZE_CLEAR = 0x09,           /**< freeze then clear the named counters */
    DNP3_FC_FREEZE_CLEAR_NR = 0x0A,        /**< freeze and clear; no response */
    DNP3_FC_FREEZE_AT_TIME = 0x0B,         /**< freeze at a given time, optionally repeating */
    DNP3_FC_FREEZE_AT_TIME_NR = 0x0C,      /**< freeze at time; no response */
    DNP3_FC_COLD_RESTART = 0x0D,           /**< full restart of the outstation (g52 delay in the response) */
    DNP3_FC_WARM_RESTART = 0x0E,           /**< partial restart of the outstation (g52 delay in the response) */
    DNP3_FC_INITIALIZE_DATA = 0x0F,        /**< obsolete: initialise data to defaults */
    DNP3_FC_INITIALIZE_APPLICATION = 0x10, /**< prepare an application (g90) to run */
    DNP3_FC_START_APPLICATION = 0x11,      /**< start an application (g90) */
    DNP3_FC_STOP_APPLICATION = 0x12,       /**< stop an application (g90) */
    DNP3_FC_SAVE_CONFIGURATION = 0x13,     /**< obsolete: save the configuration */
    DNP3_FC_ENABLE_UNSOLICITED = 0x14,     /**< enable unsolicited responses for the classes named */
    DNP3_FC_DISABLE_UNSOLICITED = 0x15,    /**< disable unsolicited responses for the classes named */
    DNP3_FC_ASSIGN_CLASS = 0x16,           /**< assign points to event classes */
    DNP3_FC_DELAY_MEASURE = 0x17, /**< measure the communication delay (non-LAN time sync; g52 in the response) */
    DNP3_FC_RECORD_CURRENT_TIME = 0x18,  /**< record the time of the last octet received (LAN time sync) */
    DNP3_FC_OPEN_FILE = 0x19,            /**< open a file (g70) */
    DNP3_FC_CLOSE_FILE = 0x1A,           /**< close a file (g70) */
    DNP3_FC_DELETE_FILE = 0x1B,          /**< delete a file (g70) */
    DNP3_FC_GET_FILE_INFO = 0x1C,        /**< file information (g70) */
    DNP3_FC_AUTHENTICATE_FILE = 0x1D,    /**< obtain a file authentication key (g70) */
    DNP3_FC_ABORT_FILE = 0x1E,           /**< abort a file transfer (g70) */
    DNP3_FC_ACTIVATE_CONFIG = 0x1F,      /**< activate a configuration */
    DNP3_FC_AUTH_REQUEST = 0x20,         /**< Secure Authentication request (g120), answered with AUTH_RESPONSE */
    DNP3_FC_AUTH_REQUEST_NO_ACK = 0x21,  /**< Secure Authentication request without response (g120) */
    DNP3_FC_RESPONSE = 0x81,             /**< solicited response */
    DNP3_FC_UNSOLICITED_RESPONSE = 0x82, /**< unsolicited response */
    DNP3_FC_AUTH_RESPONSE = 0x83,        /**< Secure Authentication response (g120) */
} dnp3_fc;

/** "READ", "DIRECT_OPERATE", ...; NULL for codes the standard does not define. */
DNP3_API const char *dnp3_fc_name(uint8_t fc);
/** True for the response function codes 0x81..0x83 (RESPONSE, UNSOLICITED_RESPONSE, AUTH_RESPONSE). */
DNP3_API bool dnp3_fc_is_response(uint8_t fc); /* 0x81..0x83 */
/**
 * Functions whose headers carry no object data (READ, freezes, class assignment, ...):
 * true for READ, IMMED_FREEZE(_NR), FREEZE_CLEAR(_NR), ENABLE_UNSOLICITED,
 * DISABLE_UNSOLICITED and ASSIGN_CLASS.
 */
DNP3_API bool dnp3_fc_headers_only(uint8_t fc);
/**
 * Functions that never carry objects (CONFIRM, COLD_RESTART, DELAY_MEASURE, ...):
 * true for CONFIRM, COLD_RESTART, WARM_RESTART, INITIALIZE_DATA,
 * SAVE_CONFIGURATION, DELAY_MEASURE and RECORD_CURRENT_TIME.
 */
DNP3_API bool dnp3_fc_no_objects(uint8_t fc);

/* ---- internal indications (clause 4.2.2.7): IIN1 in bits 0..7, IIN2 in bits 8..15 ---- */
/** \name internal indications (clause 4.2.2.7): IIN1 in bits 0..7, IIN2 in bits 8..15 */
/** @{ */
#define DNP3_IIN1_BROADCAST 0x0001u      /**< IIN1.0: a broadcast message was received */
#define DNP3_IIN1_CLASS1_EVENTS 0x0002u  /**< IIN1.1: class 1 events are available */
#define DNP3_IIN1_CLASS2_EVENTS 0x0004u  /**< IIN1.2: class 2 events are available */
#define DNP3_IIN1_CLASS3_EVENTS 0x0008u  /**< IIN1.3: class 3 events are available */
#define DNP3_IIN1_NEED_TIME 0x0010u      /**< IIN1.4: the outstation needs time synchronisation */
#define DNP3_IIN1_LOCAL_CONTROL 0x0020u  /**< IIN1.5: some output points are in local mode */
#define DNP3_IIN1_DEVICE_TROUBLE 0x0040u /**< IIN1.6: an abnormal, device-specific condition */
#define DNP3_IIN1_DEVICE_RESTART                                                                                  \
    0x0080u /**< IIN1.7: the outstation restarted (cleared by the master writing g80v1 index 7) */
#define DNP3_IIN2_NO_FUNC_CODE_SUPPORT 0x0100u /**< IIN2.0: function code not supported */
#define DNP3_IIN2_OBJECT_UNKNOWN                                                                                  \
    0x0200u /**< IIN2.1: object, variation or qualifier not known / points do not exist */
#define DNP3_IIN2_PARAMETER_ERROR 0x0400u       /**< IIN2.2: a parameter of the request is invalid */
#define DNP3_IIN2_EVENT_BUFFER_OVERFLOW 0x0800u /**< IIN2.3: an event buffer overflowed and events were lost */
#define DNP3_IIN2_ALREADY_EXECUTING 0x1000u     /**< IIN2.4: the requested operation is already executing */
#define DNP3_IIN2_CONFIG_CORRUPT 0x2000u        /**< IIN2.5: the configuration is corrupt */
#define DNP3_IIN2_RESERVED_2 0x4000u            /**< IIN2.6: reserved, always 0 */
#define DNP3_IIN2_RESERVED_1 0x8000u            /**< IIN2.7: reserved, always 0 */
/** @} */

/** Name of IIN bit number 0..15 (IIN1.0 = 0 ... IIN2.7 = 15), e.g.\ "DEVICE_RESTART"; "UNKNOWN" above 15. Never
 * NULL. */
DNP3_API const char *dnp3_iin_bit_name(unsigned bit);

/* ---- APDU header ---- */
/** An application fragment split by dnp3_apdu_parse; objects points into the fragment. */
typedef struct {
    uint8_t control;        /**< application control octet (FIR, FIN, CON, UNS, SEQ) */
    uint8_t function;       /**< function code (dnp3_fc) */
    uint16_t iin;           /**< responses only */
    const uint8_t *objects; /**< the objects area: everything after the 2- or 4-octet header */
    size_t objects_len;     /**< octets in the objects area */
} dnp3_apdu;

/** The sequence number (SEQ) of an application control octet. */
static inline uint8_t dnp3_ac_seq(uint8_t ac)
{
    return ac & DNP3_AC_SEQ_MASK;
}
/** Builds an application control octet from its flags and sequence number (seq taken mod 16). */
static inline uint8_t dnp3_ac_make(bool fir, bool fin, bool con, bool uns, uint8_t seq)
{
    return (uint8_t)((fir ? DNP3_AC_FIR : 0) | (fin ? DNP3_AC_FIN : 0) | (con ? DNP3_AC_CON : 0) |
                     (uns ? DNP3_AC_UNS : 0) | (seq & DNP3_AC_SEQ_MASK));
}

/**
 * Splits a fragment into its header and objects. Checks only the length
 * (2 octets for requests, 4 for responses). Returns DNP3_OK or
 * DNP3_ERR_APP_TRUNCATED (also for a NULL fragment).
 */
DNP3_API int dnp3_apdu_parse(const uint8_t *frag, size_t len, dnp3_apdu *out);

/**
 * Checks the application-control rules of clause 4.2.2.4 for the fragment's
 * direction: requests are FIR+FIN and UNS only on CONFIRM; a 0x81 response has
 * UNS = 0; a 0x82 response has UNS = 1 and FIR = FIN = 1; a 0x83 response
 * (AUTH_RESPONSE) has FIR = FIN = 1. Returns DNP3_OK or
 * DNP3_ERR_APP_BAD_HEADER.
 */
DNP3_API int dnp3_apdu_check_control(const dnp3_apdu *a);

/* ---- object headers (clause 4.3) ---- */

/** Range specifier codes (low nibble of the qualifier); 0xA and 0xC..0xF are reserved. */
enum {
    DNP3_RANGE_START_STOP_8 = 0x0,  /**< 8-bit start and stop */
    DNP3_RANGE_START_STOP_16 = 0x1, /**< 16-bit start and stop */
    DNP3_RANGE_START_STOP_32 = 0x2, /**< 32-bit start and stop */
    DNP3_RANGE_ADDR_8 = 0x3,        /**< 8-bit start and stop virtual addresses */
    DNP3_RANGE_ADDR_16 = 0x4,       /**< 16-bit start and stop virtual addresses */
    DNP3_RANGE_ADDR_32 = 0x5,       /**< 32-bit start and stop virtual addresses */
    DNP3_RANGE_ALL = 0x6,           /**< no range field: all objects */
    DNP3_RANGE_COUNT_8 = 0x7,       /**< 8-bit count */
    DNP3_RANGE_COUNT_16 = 0x8,      /**< 16-bit count */
    DNP3_RANGE_COUNT_32 = 0x9,      /**< 32-bit count */
    DNP3_RANGE_FREE_FORMAT = 0xB,   /**< 8-bit count of free-format objects */
};

/** \name Common qualifiers */
/** @{ */
#define DNP3_QUAL_START_STOP_8 0x00      /**< 00: 8-bit start and stop indices */
#define DNP3_QUAL_START_STOP_16 0x01     /**< 01: 16-bit start and stop indices */
#define DNP3_QUAL_ALL 0x06               /**< 06: all objects (no range field) */
#define DNP3_QUAL_COUNT_8 0x07           /**< 07: 8-bit count of objects, no index */
#define DNP3_QUAL_COUNT_16 0x08          /**< 08: 16-bit count of objects, no index */
#define DNP3_QUAL_COUNT_8_INDEX_8 0x17   /**< 17: 8-bit count, each object prefixed by an 8-bit index */
#define DNP3_QUAL_COUNT_8_INDEX_16 0x27  /**< 27: 8-bit count, each object prefixed by a 16-bit index */
#define DNP3_QUAL_COUNT_16_INDEX_16 0x28 /**< 28: 16-bit count, each object prefixed by a 16-bit index */
#define DNP3_QUAL_FREE_FORMAT_16                                                                                  \
    0x5B /**< 5B: free format: 8-bit count, each object prefixed by its 16-bit size                               \
          */
/** @} */

/**
 * One object header of a fragment, as returned by dnp3_hdr_iter_next (fully
 * bounds-checked). Pointers point into the caller's fragment.
 */
typedef struct {
    uint8_t group;             /**< object group */
    uint8_t variation;         /**< object variation */
    uint8_t qualifier;         /**< qualifier octet: prefix code (bits 6..4) and range code (bits 3..0) */
    const dnp3_obj_desc *desc; /**< never NULL for a header the parser returned */
    uint8_t prefix_code;       /**< 0..6 */
    uint8_t range_code;        /**< 0..9, 0xB */
    uint8_t prefix_width;      /**< octets of each object's prefix (index or size): 0,1,2,4 */
    bool has_range;            /**< range codes 0..5: start/stop valid */
    bool all;                  /**< range code 6 */
    uint32_t start, stop;      /**< inclusive (has_range) */
    /** \var dnp3_obj_header::start
     * First index of the range, inclusive (has_range). */
    uint32_t count;      /**< number of objects (range or count codes); 0 for "all" */
    bool has_data;       /**< objects follow (false in READ and other header-only requests) */
    const uint8_t *data; /**< prefixes + objects (or the index list of a READ) */
    size_t data_len;     /**< octets at data */
    size_t offset;       /**< offset of the header's group octet within the objects area */
} dnp3_obj_header;

/** Why parsing stopped, with the offset in the objects area (for clear messages). */
typedef struct {
    int err;       /**< DNP3_ERR_APP_* */
    size_t offset; /**< offset of the offending octet within the objects area */
    uint8_t group, variation, qualifier;
    /** \var dnp3_parse_error::group
     * Group of the header where parsing stopped (0 when the error concerns no
     * header, e.g.\ DNP3_ERR_APP_UNEXPECTED_DATA). */
    /** \var dnp3_parse_error::variation
     * Variation of that header (0 as for group). */
    /** \var dnp3_parse_error::qualifier
     * Qualifier of that header (0 if it was not read yet). */
} dnp3_parse_error;

/**
 * Iterator over the object headers of an objects area (dnp3_hdr_iter_init,
 * dnp3_hdr_iter_next). The caller owns the storage; the fields are changed
 * only by those functions.
 */
typedef struct {
    const uint8_t *buf;          /**< the objects area */
    size_t len;                  /**< its length */
    size_t pos;                  /**< offset of the next header */
    uint8_t function;            /**< function code of the fragment */
    bool is_response;            /**< the function is a response (0x81..0x83) */
    int err;                     /**< sticky: the error returned, repeated by every later call */
    dnp3_parse_error last_error; /**< details of err */
} dnp3_hdr_iter;

/**
 * Starts iterating over the object headers of an APDU's objects area.
 * `function` decides whether headers carry object data (dnp3_fc_headers_only).
 */
DNP3_API void dnp3_hdr_iter_init(dnp3_hdr_iter *it, const dnp3_apdu *apdu);

/**
 * Returns 1 with *h filled, 0 at the end, or a negative DNP3_ERR_APP_* error
 * (details in *e if not NULL); after an error every later call returns it again.
 * Every header returned has been fully bounds-checked: iterating its objects
 * with dnp3_obj_iter cannot fail.
 */
DNP3_API int dnp3_hdr_iter_next(dnp3_hdr_iter *it, dnp3_obj_header *h, dnp3_parse_error *e);

/**
 * Pass 1: validates every header of the APDU. Returns the number of headers
 * (>= 0) or a negative error with details in *e.
 */
DNP3_API int dnp3_apdu_validate(const dnp3_apdu *apdu, dnp3_parse_error *e);

/** One object within a header. */
typedef struct {
    uint32_t index;      /**< from the prefix, or start + position, or position */
    const uint8_t *data; /**< object octets (no prefix); NULL for packed/no-data kinds */
    size_t size;         /**< octets in data */
    uint8_t bits;        /**< packed kinds: the 1- or 2-bit value */
} dnp3_obj;

/** Iterator over the objects of one header (dnp3_obj_iter_init, dnp3_obj_iter_next). */
typedef struct {
    const dnp3_obj_header *h; /**< the header iterated */
    size_t pos;               /**< offset in h->data of the next object */
    uint32_t i;               /**< position of the next object (0 = first) */
} dnp3_obj_iter;

/** Starts iterating over the objects of header h (which must stay valid meanwhile). */
DNP3_API void dnp3_obj_iter_init(dnp3_obj_iter *it, const dnp3_obj_header *h);

/**
 * Returns true with *o filled, false when the header has no more objects.
 * Headers with data yield each object; a header-only index list (READ with
 * 0x17/0x28) yields each index with data NULL; other header-only headers
 * (ranges, counts, "all") yield nothing: use h->start/stop/count.
 */
DNP3_API bool dnp3_obj_iter_next(dnp3_obj_iter *it, dnp3_obj *o);

/**
 * Maps a parse error to the IIN2 bit an outstation answers with
 * (OBJECT_UNKNOWN, PARAMETER_ERROR or NO_FUNC_CODE_SUPPORT):
 * DNP3_ERR_APP_UNKNOWN_OBJECT gives OBJECT_UNKNOWN,
 * DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED and DNP3_ERR_APP_OBJECT_NOT_ALLOWED give
 * NO_FUNC_CODE_SUPPORT, every other value PARAMETER_ERROR.
 */
DNP3_API uint16_t dnp3_parse_error_iin(int err);

#ifdef __cplusplus
}
#endif
#endif
