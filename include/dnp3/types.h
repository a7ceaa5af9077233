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
 * \name The range of library error codes
 *
 * Every library error code lies in [DNP3_ERR_MIN, DNP3_ERR_MAX], far below the negative
 * errno values and libuv's codes (-1 .. -4095), so a code is never taken for one of theirs:
 * the runtime (dnp3/io.h) maps the operating system's failures to the DNP3_ERR_IO_* codes
 * below and logs the system's own text. Codes at or below DNP3_ERR_FATAL (as in nghttp2)
 * mean that the object or the connection cannot go on: close it or free it; any other
 * error leaves the object usable (the call had no effect, or only the one request failed).
 */
/** @{ */
#define DNP3_ERR_MAX (-10001)   /**< the highest (least negative) library error code */
#define DNP3_ERR_MIN (-10999)   /**< the lowest library error code */
#define DNP3_ERR_FATAL (-10900) /**< codes at or below this one (down to DNP3_ERR_MIN) are fatal */
/** @} */

/**
 * Library error codes: DNP3_OK (0) or a negative value in [DNP3_ERR_MIN,
 * DNP3_ERR_MAX]. Functions that return int return one of these (or a
 * non-negative count or length where documented). By value: -10001..-10006
 * generic, -10020..-10025 link layer (IEEE 1815-2012 clause 9),
 * -10040..-10051 application layer (clause 4.2 and 4.3), -10060 crypto
 * provider (dnp3/crypto.h), -10100..-10108 runtime (dnp3/io.h: the operating
 * system's failures, mapped from libuv's codes), and the fatal codes at or
 * below DNP3_ERR_FATAL (the object or the connection cannot go on).
 */
typedef enum {
    DNP3_OK = 0, /**< success */

    /* generic */
    DNP3_ERR_INVALID_ARG = -10001,      /**< a caller passed an argument outside its contract */
    DNP3_ERR_BUFFER_TOO_SMALL = -10003, /**< the caller's output buffer cannot hold the result */
    DNP3_ERR_FRAGMENT_FULL = -10004,    /**< the APDU writer has no room for this item; nothing was written */
    DNP3_ERR_STATE = -10005,            /**< the object is not in a state that allows the call */
    DNP3_ERR_CONFIG = -10006,           /**< a configuration field is out of range (the *_config_check
                                           functions name it) */

    /* link layer (IEEE 1815-2012 clause 9) */
    DNP3_ERR_LINK_BAD_START = -10020,      /**< octets 0..1 are not 05 64 */
    DNP3_ERR_LINK_BAD_LENGTH = -10021,     /**< LENGTH octet below 5 */
    DNP3_ERR_LINK_BAD_HEADER_CRC = -10022, /**< CRC over octets 0..7 does not match */
    DNP3_ERR_LINK_BAD_BODY_CRC = -10023,   /**< a user-data block CRC does not match */
    DNP3_ERR_LINK_TRUNCATED = -10025,      /**< a datagram ended inside a frame */

    /* application layer (IEEE 1815-2012 clause 4.2 and 4.3) */
    DNP3_ERR_APP_TRUNCATED = -10040,             /**< the fragment ends inside a header or object */
    DNP3_ERR_APP_UNKNOWN_OBJECT = -10041,        /**< group/variation not in the object table */
    DNP3_ERR_APP_BAD_QUALIFIER = -10042,         /**< reserved prefix or range code */
    DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED = -10043, /**< qualifier not valid for this object/function */
    DNP3_ERR_APP_BAD_RANGE = -10044,             /**< stop < start */
    DNP3_ERR_APP_COUNT_TOO_LARGE = -10045,       /**< count exceeds what the fragment could hold */
    DNP3_ERR_APP_ZERO_LENGTH = -10046,           /**< zero-length octet string or free-format object */
    DNP3_ERR_APP_BAD_HEADER = -10047,            /**< application control/function inconsistent */
    DNP3_ERR_APP_VARIATION_ZERO = -10048,        /**< variation 0 where object data is required */
    DNP3_ERR_APP_UNEXPECTED_DATA = -10049,       /**< objects after a function that takes none */
    DNP3_ERR_APP_BAD_VALUE = -10050,             /**< an object's contents are invalid (e.g.\ attribute length) */
    DNP3_ERR_APP_OBJECT_NOT_ALLOWED = -10051,    /**< object not valid for this function code/direction */

    /* crypto provider (dnp3/crypto.h) */
    DNP3_ERR_CRYPTO = -10060, /**< library failure, unwrap integrity check failed, no entropy */

    /* runtime (dnp3/io.h): the operating system's failures, mapped from libuv's codes */
    DNP3_ERR_IO = -10100,                    /**< any other operating-system I/O failure (see the log) */
    DNP3_ERR_IO_ADDRESS = -10101,            /**< a host or address that cannot be parsed or resolved */
    DNP3_ERR_IO_ADDR_IN_USE = -10102,        /**< the listening address is taken by another socket */
    DNP3_ERR_IO_ADDR_NOT_AVAILABLE = -10103, /**< the address is not one of this machine's */
    DNP3_ERR_IO_CONNECTION_REFUSED = -10104, /**< nothing listens at the address */
    DNP3_ERR_IO_NOT_CONNECTED = -10105,      /**< no connection to send on (yet, or any more) */
    DNP3_ERR_IO_TIMED_OUT = -10106,          /**< the operating system gave up (connect, write) */
    DNP3_ERR_IO_PERMISSION = -10107,         /**< not allowed (a port below 1024, a file's mode) */
    DNP3_ERR_IO_TLS = -10108,                /**< the TLS configuration was refused (files, keys, versions) */

    /* fatal: the object or the connection cannot go on */
    DNP3_ERR_NOMEM = -10901,       /**< an allocation (or the caller's memory block) failed */
    DNP3_ERR_LINK_CLOSED = -10902, /**< parser stopped after a framing error (close mode): close the connection */
} dnp3_err;

/** True for a library error code at or below DNP3_ERR_FATAL (NOMEM, LINK_CLOSED): err in [DNP3_ERR_MIN,
 * DNP3_ERR_FATAL]. */
DNP3_API bool dnp3_err_is_fatal(int err);

/** Short English description of an error code ("unknown error" for other values, e.g.\ a
 * libuv or errno code passed by mistake). "success" for DNP3_OK. Never NULL; a static string. */
DNP3_API const char *dnp3_strerror(int err);

/** Symbolic name of an error code, e.g.\ "DNP3_ERR_LINK_BAD_BODY_CRC" ("DNP3_ERR_UNKNOWN" for
 * other values). Never NULL; a static string. */
DNP3_API const char *dnp3_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
