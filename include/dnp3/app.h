/*
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
#define DNP3_AC_FIR 0x80
#define DNP3_AC_FIN 0x40
#define DNP3_AC_CON 0x20
#define DNP3_AC_UNS 0x10
#define DNP3_AC_SEQ_MASK 0x0F

/* ---- function codes (clause 4.2.2.5) ---- */
typedef enum {
    DNP3_FC_CONFIRM = 0x00,
    DNP3_FC_READ = 0x01,
    DNP3_FC_WRITE = 0x02,
    DNP3_FC_SELECT = 0x03,
    DNP3_FC_OPERATE = 0x04,
    DNP3_FC_DIRECT_OPERATE = 0x05,
    DNP3_FC_DIRECT_OPERATE_NR = 0x06,
    DNP3_FC_IMMED_FREEZE = 0x07,
    DNP3_FC_IMMED_FREEZE_NR = 0x08,
    DNP3_FC_FREEZE_CLEAR = 0x09,
    DNP3_FC_FREEZE_CLEAR_NR = 0x0A,
    DNP3_FC_FREEZE_AT_TIME = 0x0B,
    DNP3_FC_FREEZE_AT_TIME_NR = 0x0C,
    DNP3_FC_COLD_RESTART = 0x0D,
    DNP3_FC_WARM_RESTART = 0x0E,
    DNP3_FC_INITIALIZE_DATA = 0x0F,
    DNP3_FC_INITIALIZE_APPLICATION = 0x10,
    DNP3_FC_START_APPLICATION = 0x11,
    DNP3_FC_STOP_APPLICATION = 0x12,
    DNP3_FC_SAVE_CONFIGURATION = 0x13,
    DNP3_FC_ENABLE_UNSOLICITED = 0x14,
    DNP3_FC_DISABLE_UNSOLICITED = 0x15,
    DNP3_FC_ASSIGN_CLASS = 0x16,
    DNP3_FC_DELAY_MEASURE = 0x17,
    DNP3_FC_RECORD_CURRENT_TIME = 0x18,
    DNP3_FC_OPEN_FILE = 0x19,
    DNP3_FC_CLOSE_FILE = 0x1A,
    DNP3_FC_DELETE_FILE = 0x1B,
    DNP3_FC_GET_FILE_INFO = 0x1C,
    DNP3_FC_AUTHENTICATE_FILE = 0x1D,
    DNP3_FC_ABORT_FILE = 0x1E,
    DNP3_FC_ACTIVATE_CONFIG = 0x1F,
    DNP3_FC_AUTH_REQUEST = 0x20,
    DNP3_FC_AUTH_REQUEST_NO_ACK = 0x21,
    DNP3_FC_RESPONSE = 0x81,
    DNP3_FC_UNSOLICITED_RESPONSE = 0x82,
    DNP3_FC_AUTH_RESPONSE = 0x83,
} dnp3_fc;

/* "READ", "DIRECT_OPERATE", ...; NULL for codes the standard does not define. */
DNP3_API const char *dnp3_fc_name(uint8_t fc);
DNP3_API bool dnp3_fc_is_response(uint8_t fc); /* 0x81..0x83 */
/* Functions whose headers carry no object data (READ, freezes, class assignment, ...). */
DNP3_API bool dnp3_fc_headers_only(uint8_t fc);
/* Functions that never carry objects (CONFIRM, COLD_RESTART, DELAY_MEASURE, ...). */
DNP3_API bool dnp3_fc_no_objects(uint8_t fc);

/* ---- internal indications (clause 4.2.2.7): IIN1 in bits 0..7, IIN2 in bits 8..15 ---- */
#define DNP3_IIN1_BROADCAST 0x0001u
#define DNP3_IIN1_CLASS1_EVENTS 0x0002u
#define DNP3_IIN1_CLASS2_EVENTS 0x0004u
#define DNP3_IIN1_CLASS3_EVENTS 0x0008u
#define DNP3_IIN1_NEED_TIME 0x0010u
#define DNP3_IIN1_LOCAL_CONTROL 0x0020u
#define DNP3_IIN1_DEVICE_TROUBLE 0x0040u
#define DNP3_IIN1_DEVICE_RESTART 0x0080u
#define DNP3_IIN2_NO_FUNC_CODE_SUPPORT 0x0100u
#define DNP3_IIN2_OBJECT_UNKNOWN 0x0200u
#define DNP3_IIN2_PARAMETER_ERROR 0x0400u
#define DNP3_IIN2_EVENT_BUFFER_OVERFLOW 0x0800u
#define DNP3_IIN2_ALREADY_EXECUTING 0x1000u
#define DNP3_IIN2_CONFIG_CORRUPT 0x2000u
#define DNP3_IIN2_RESERVED_2 0x4000u
#define DNP3_IIN2_RESERVED_1 0x8000u

/* Name of IIN bit number 0..15 (IIN1.0 = 0 ... IIN2.7 = 15), e.g. "DEVICE_RESTART". */
DNP3_API const char *dnp3_iin_bit_name(unsigned bit);

/* ---- APDU header ---- */
typedef struct {
    uint8_t control;
    uint8_t function;
    uint16_t iin;        /* responses only */
    const uint8_t *objects;
    size_t objects_len;
} dnp3_apdu;

static inline uint8_t dnp3_ac_seq(uint8_t ac) { return ac & DNP3_AC_SEQ_MASK; }
static inline uint8_t dnp3_ac_make(bool fir, bool fin, bool con, bool uns, uint8_t seq)
{
    return (uint8_t)((fir ? DNP3_AC_FIR : 0) | (fin ? DNP3_AC_FIN : 0) | (con ? DNP3_AC_CON : 0) |
                     (uns ? DNP3_AC_UNS : 0) | (seq & DNP3_AC_SEQ_MASK));
}

/*
 * Splits a fragment into its header and objects. Checks only the length
 * (2 octets for requests, 4 for responses). Returns DNP3_OK or
 * DNP3_ERR_APP_TRUNCATED.
 */
DNP3_API int dnp3_apdu_parse(const uint8_t *frag, size_t len, dnp3_apdu *out);

/*
 * Checks the application-control rules of clause 4.2.2.4 for the fragment's
 * direction: requests are FIR+FIN and UNS only on CONFIRM; a 0x81 response has
 * UNS = 0; a 0x82 response has UNS = 1 and FIR = FIN = 1. Returns DNP3_OK or
 * DNP3_ERR_APP_BAD_HEADER.
 */
DNP3_API int dnp3_apdu_check_control(const dnp3_apdu *a);

/* ---- object headers (clause 4.3) ---- */

/* Range specifier codes (low nibble of the qualifier). */
enum {
    DNP3_RANGE_START_STOP_8 = 0x0,
    DNP3_RANGE_START_STOP_16 = 0x1,
    DNP3_RANGE_START_STOP_32 = 0x2,
    DNP3_RANGE_ADDR_8 = 0x3,
    DNP3_RANGE_ADDR_16 = 0x4,
    DNP3_RANGE_ADDR_32 = 0x5,
    DNP3_RANGE_ALL = 0x6,
    DNP3_RANGE_COUNT_8 = 0x7,
    DNP3_RANGE_COUNT_16 = 0x8,
    DNP3_RANGE_COUNT_32 = 0x9,
    DNP3_RANGE_FREE_FORMAT = 0xB,
};

/* Common qualifiers */
#define DNP3_QUAL_START_STOP_8 0x00
#define DNP3_QUAL_START_STOP_16 0x01
#define DNP3_QUAL_ALL 0x06
#define DNP3_QUAL_COUNT_8 0x07
#define DNP3_QUAL_COUNT_16 0x08
#define DNP3_QUAL_COUNT_8_INDEX_8 0x17
#define DNP3_QUAL_COUNT_8_INDEX_16 0x27
#define DNP3_QUAL_COUNT_16_INDEX_16 0x28
#define DNP3_QUAL_FREE_FORMAT_16 0x5B

typedef struct {
    uint8_t group;
    uint8_t variation;
    uint8_t qualifier;
    const dnp3_obj_desc *desc; /* never NULL for a header the parser returned */
    uint8_t prefix_code;       /* 0..6 */
    uint8_t range_code;        /* 0..9, 0xB */
    uint8_t prefix_width;      /* octets of each object's prefix (index or size): 0,1,2,4 */
    bool has_range;            /* range codes 0..5: start/stop valid */
    bool all;                  /* range code 6 */
    uint32_t start, stop;      /* inclusive (has_range) */
    uint32_t count;            /* number of objects (range or count codes); 0 for "all" */
    bool has_data;             /* objects follow (false in READ and other header-only requests) */
    const uint8_t *data;       /* prefixes + objects (or the index list of a READ) */
    size_t data_len;
    size_t offset;             /* offset of the header's group octet within the objects area */
} dnp3_obj_header;

/* Why parsing stopped, with the offset in the objects area (for clear messages). */
typedef struct {
    int err;       /* DNP3_ERR_APP_* */
    size_t offset; /* offset of the offending octet within the objects area */
    uint8_t group, variation, qualifier;
} dnp3_parse_error;

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    uint8_t function;
    bool is_response;
    int err;        /* sticky: the error returned, repeated by every later call */
    dnp3_parse_error last_error;
} dnp3_hdr_iter;

/*
 * Starts iterating over the object headers of an APDU's objects area.
 * `function` decides whether headers carry object data (dnp3_fc_headers_only).
 */
DNP3_API void dnp3_hdr_iter_init(dnp3_hdr_iter *it, const dnp3_apdu *apdu);

/*
 * Returns 1 with *h filled, 0 at the end, or a negative DNP3_ERR_APP_* error
 * (details in *e if not NULL); after an error every later call returns it again.
 * Every header returned has been fully bounds-checked: iterating its objects
 * with dnp3_obj_iter cannot fail.
 */
DNP3_API int dnp3_hdr_iter_next(dnp3_hdr_iter *it, dnp3_obj_header *h, dnp3_parse_error *e);

/*
 * Pass 1: validates every header of the APDU. Returns the number of headers
 * (>= 0) or a negative error with details in *e.
 */
DNP3_API int dnp3_apdu_validate(const dnp3_apdu *apdu, dnp3_parse_error *e);

/* One object within a header. */
typedef struct {
    uint32_t index;       /* from the prefix, or start + position, or position */
    const uint8_t *data;  /* object octets (no prefix); NULL for packed/no-data kinds */
    size_t size;          /* octets in data */
    uint8_t bits;         /* packed kinds: the 1- or 2-bit value */
} dnp3_obj;

typedef struct {
    const dnp3_obj_header *h;
    size_t pos;
    uint32_t i;
} dnp3_obj_iter;

DNP3_API void dnp3_obj_iter_init(dnp3_obj_iter *it, const dnp3_obj_header *h);

/*
 * Returns true with *o filled, false when the header has no more objects.
 * Headers with data yield each object; a header-only index list (READ with
 * 0x17/0x28) yields each index with data NULL; other header-only headers
 * (ranges, counts, "all") yield nothing: use h->start/stop/count.
 */
DNP3_API bool dnp3_obj_iter_next(dnp3_obj_iter *it, dnp3_obj *o);

/*
 * Maps a parse error to the IIN2 bit an outstation answers with
 * (OBJECT_UNKNOWN, PARAMETER_ERROR or NO_FUNC_CODE_SUPPORT).
 */
DNP3_API uint16_t dnp3_parse_error_iin(int err);

#ifdef __cplusplus
}
#endif
#endif
