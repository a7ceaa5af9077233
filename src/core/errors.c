/*
 * errors.c - names and descriptions of the library error codes (dnp3/types.h).
 */
#include "dnp3/types.h"

typedef struct {
    int code;
    const char *name;
    const char *text;
} err_info;

static const err_info ERRORS[] = {
    {DNP3_OK, "DNP3_OK", "success"},
    {DNP3_ERR_INVALID_ARG, "DNP3_ERR_INVALID_ARG", "invalid argument"},
    {DNP3_ERR_NOMEM, "DNP3_ERR_NOMEM", "out of memory"},
    {DNP3_ERR_BUFFER_TOO_SMALL, "DNP3_ERR_BUFFER_TOO_SMALL", "output buffer too small"},
    {DNP3_ERR_FRAGMENT_FULL, "DNP3_ERR_FRAGMENT_FULL", "fragment full"},
    {DNP3_ERR_STATE, "DNP3_ERR_STATE", "operation not allowed in the current state"},
    {DNP3_ERR_LINK_BAD_START, "DNP3_ERR_LINK_BAD_START", "link frame does not start with 05 64"},
    {DNP3_ERR_LINK_BAD_LENGTH, "DNP3_ERR_LINK_BAD_LENGTH", "link LENGTH below 5"},
    {DNP3_ERR_LINK_BAD_HEADER_CRC, "DNP3_ERR_LINK_BAD_HEADER_CRC", "link header CRC mismatch"},
    {DNP3_ERR_LINK_BAD_BODY_CRC, "DNP3_ERR_LINK_BAD_BODY_CRC", "link data block CRC mismatch"},
    {DNP3_ERR_LINK_CLOSED, "DNP3_ERR_LINK_CLOSED", "link parser closed after a framing error"},
    {DNP3_ERR_LINK_TRUNCATED, "DNP3_ERR_LINK_TRUNCATED", "input ends inside a link frame"},
    {DNP3_ERR_APP_TRUNCATED, "DNP3_ERR_APP_TRUNCATED", "fragment ends inside an object header or object"},
    {DNP3_ERR_APP_UNKNOWN_OBJECT, "DNP3_ERR_APP_UNKNOWN_OBJECT", "unknown object group/variation"},
    {DNP3_ERR_APP_BAD_QUALIFIER, "DNP3_ERR_APP_BAD_QUALIFIER", "reserved qualifier code"},
    {DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED, "DNP3_ERR_APP_QUALIFIER_NOT_ALLOWED",
     "qualifier not allowed for this object"},
    {DNP3_ERR_APP_BAD_RANGE, "DNP3_ERR_APP_BAD_RANGE", "range stop is below start"},
    {DNP3_ERR_APP_COUNT_TOO_LARGE, "DNP3_ERR_APP_COUNT_TOO_LARGE",
     "object count larger than the fragment can hold"},
    {DNP3_ERR_APP_ZERO_LENGTH, "DNP3_ERR_APP_ZERO_LENGTH", "zero-length octet string or object"},
    {DNP3_ERR_APP_BAD_HEADER, "DNP3_ERR_APP_BAD_HEADER", "application control inconsistent with function"},
    {DNP3_ERR_APP_VARIATION_ZERO, "DNP3_ERR_APP_VARIATION_ZERO", "variation 0 where object data is required"},
    {DNP3_ERR_APP_UNEXPECTED_DATA, "DNP3_ERR_APP_UNEXPECTED_DATA", "objects after a function that takes none"},
    {DNP3_ERR_APP_BAD_VALUE, "DNP3_ERR_APP_BAD_VALUE", "invalid object contents"},
    {DNP3_ERR_APP_OBJECT_NOT_ALLOWED, "DNP3_ERR_APP_OBJECT_NOT_ALLOWED", "object not allowed with this function"},
    {DNP3_ERR_CONFIG, "DNP3_ERR_CONFIG", "configuration field out of range"},
    {DNP3_ERR_CRYPTO, "DNP3_ERR_CRYPTO", "crypto provider failure"},
    {DNP3_ERR_IO, "DNP3_ERR_IO", "operating-system I/O failure"},
    {DNP3_ERR_IO_ADDRESS, "DNP3_ERR_IO_ADDRESS", "address cannot be parsed or resolved"},
    {DNP3_ERR_IO_ADDR_IN_USE, "DNP3_ERR_IO_ADDR_IN_USE", "address already in use"},
    {DNP3_ERR_IO_ADDR_NOT_AVAILABLE, "DNP3_ERR_IO_ADDR_NOT_AVAILABLE", "address not available on this machine"},
    {DNP3_ERR_IO_CONNECTION_REFUSED, "DNP3_ERR_IO_CONNECTION_REFUSED", "connection refused"},
    {DNP3_ERR_IO_NOT_CONNECTED, "DNP3_ERR_IO_NOT_CONNECTED", "not connected"},
    {DNP3_ERR_IO_TIMED_OUT, "DNP3_ERR_IO_TIMED_OUT", "timed out"},
    {DNP3_ERR_IO_PERMISSION, "DNP3_ERR_IO_PERMISSION", "permission denied"},
    {DNP3_ERR_IO_TLS, "DNP3_ERR_IO_TLS", "TLS configuration refused"},
};

static const err_info *find(int err)
{
    for (size_t i = 0; i < sizeof ERRORS / sizeof ERRORS[0]; i++)
        if (ERRORS[i].code == err) return &ERRORS[i];
    return NULL;
}

const char *dnp3_strerror(int err)
{
    const err_info *e = find(err);
    return e ? e->text : "unknown error";
}

bool dnp3_err_is_fatal(int err)
{
    return err >= DNP3_ERR_MIN && err <= DNP3_ERR_FATAL;
}

const char *dnp3_err_name(int err)
{
    const err_info *e = find(err);
    return e ? e->name : "DNP3_ERR_UNKNOWN";
}
