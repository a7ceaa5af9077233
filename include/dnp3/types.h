/**
 * \file
 * dnp3/types.h - basic types shared by every layer of libdnp3: the monotonic
 * timestamp, library error codes and their descriptions.
 *
 * Library errors are negative integers (DNP3_OK is 0). Protocol outcomes that
 * go back to the peer (IIN bits, command status codes, link NACKs) are data,
 * never library errors (see docs/architecture.md).
 */
#ifndef DNP3_TYPES_H
#define DNP3_TYPES_H

#include "dnp3/export.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Monotonic time in milliseconds, supplied by the caller (never read by the core). */
typedef uint64_t dnp3_tstamp;

/** "No timer pending" value returned by the get_expiry functions. */
#define DNP3_TSTAMP_NEVER UINT64_MAX

/** DNP3 absolute time: milliseconds since 1970-01-01T00:00Z, 48 bits on the wire. */
typedef uint64_t dnp3_time48;
/** The largest dnp3_time48 value: 2^48 - 1 ms, what 48 bits on the wire can hold. */
#define DNP3_TIME48_MAX 0xFFFFFFFFFFFFULL

/**
 * Library error codes: DNP3_OK (0) or a negative value. Functions that return
 * int return one of these (or a non-negative count or length where documented).
 * -1..-5 are generic, -20..-25 come from the link layer (IEEE 1815-2012
 * clause 9), -40..-51 from the application layer (clause 4.2 and 4.3);
 * DNP3_ERR_CRYPTO (-60, dnp3/crypto.h) is the crypto provider's failure.
 */
typedef enum {
    DNP3_OK = 0, /**< success */

    /* generic */
    DNP3_ERR_INVALID_ARG = -1,       /**< a caller passed an argument outside its contract */
    DNP3_ERR_NOMEM = -2,             /**< an allocation hook returned NULL */
    DNP3_ERR_BUFFER_TOO_SMALL = -3,  /**< the caller's output buffer cannot hold the result */
    DNP3_ERR_FRAGMENT_FULL = -4,     /**< the APDU writer has no room for this item; nothing was written */
    DNP3_ERR_STATE = -5,             /**< the object is not in a state that allows the call */

    /* link layer (IEEE 1815-2012 clause 9) */
    DNP3_ERR_LINK_BAD_START = -20,      /**< octets 0..1 are not 05 64 */
    DNP3_ERR_LINK_BAD_LENGTH = -21,     /**< LENGTH octet below 5 */
    DNP3_ERR_LINK_BAD_HEADER_CRC = -22, /**< CRC over octets 0..7 does not match */
    DNP3_ERR_LINK_BAD_BODY_CRC = -23,   /**< a user-data block CRC does not match */
    DNP3_ERR_LINK_CLOSED = -24,         /**< parser stopped after a framing error (close mode) */
    DNP3_ERR_LINK_TRUNCATED = -25,      /**< a datagram ended inside a frame */

    /* application layer (IEEE 1815-2012 clause 4.2 and 4.3) */
    DNP3_ERR_APP_TRUNCATED = -40,          /**< the fragment ends inside a header or object */
    DNP3_ERR_APP_UNKNOWN_OBJECT = -41,     /**< group/variation not in the object table */
    DNP3_ERR_APP_BAD_QUALIFIER = -42,      /**< reserved prefix or range code */
    DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED = -43, /**< qualifier not valid for this object/function */
    DNP3_ERR_APP_BAD_RANGE = -44,          /**< stop < start */
    DNP3_ERR_APP_COUNT_TOO_LARGE = -45,    /**< count exceeds what the fragment could hold */
    DNP3_ERR_APP_ZERO_LENGTH = -46,        /**< zero-length octet string or free-format object */
    DNP3_ERR_APP_BAD_HEADER = -47,         /**< application control/function inconsistent */
    DNP3_ERR_APP_VARIATION_ZERO = -48,     /**< variation 0 where object data is required */
    DNP3_ERR_APP_UNEXPECTED_DATA = -49,    /**< objects after a function that takes none */
    DNP3_ERR_APP_BAD_VALUE = -50,          /**< an object's contents are invalid (e.g. attribute length) */
    DNP3_ERR_APP_OBJECT_NOT_ALLOWED = -51, /**< object not valid for this function code/direction */
} dnp3_err;

/**
 * Short English description of an error code, e.g. "link data block CRC
 * mismatch" ("success" for DNP3_OK; "unknown error" for other values, which
 * include DNP3_ERR_CRYPTO). Never NULL; a static string.
 */
DNP3_API const char *dnp3_strerror(int err);

/**
 * Symbolic name of an error code, e.g. "DNP3_ERR_LINK_BAD_BODY_CRC"
 * ("DNP3_ERR_UNKNOWN" for values that are not dnp3_err codes, which include
 * DNP3_ERR_CRYPTO). Never NULL; a static string.
 */
DNP3_API const char *dnp3_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
