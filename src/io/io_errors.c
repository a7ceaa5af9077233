/*
 * io_errors.c - one error space: the runtime's public functions (dnp3/io.h,
 * dnp3/io_roles.h) return library codes (dnp3/types.h), never libuv's. A libuv
 * code (-errno, or UV_EAI_* from the resolver) becomes the DNP3_ERR_IO_* code
 * of its kind, or DNP3_ERR_IO for the others; the system's own text
 * (uv_strerror) goes to the endpoint's log where the failure happens.
 */
#include "io_internal.h"

int dnp3_iox_error(int uv_err)
{
    if (uv_err >= 0) return DNP3_OK;
    if (uv_err >= DNP3_ERR_MIN && uv_err <= DNP3_ERR_MAX) return uv_err; /* already ours */
    switch (uv_err) {
    case UV_ENOMEM:
    case UV_ENOBUFS: return DNP3_ERR_NOMEM;
    case UV_EINVAL: return DNP3_ERR_INVALID_ARG;
    case UV_EADDRINUSE: return DNP3_ERR_IO_ADDR_IN_USE;
    case UV_EADDRNOTAVAIL: return DNP3_ERR_IO_ADDR_NOT_AVAILABLE;
    case UV_ECONNREFUSED: return DNP3_ERR_IO_CONNECTION_REFUSED;
    case UV_ENOTCONN:
    case UV_EPIPE:
    case UV_ECONNRESET:
    case UV_ECONNABORTED: return DNP3_ERR_IO_NOT_CONNECTED;
    case UV_ETIMEDOUT:
    case UV_EAI_AGAIN: return DNP3_ERR_IO_TIMED_OUT;
    case UV_EACCES:
    case UV_EPERM: return DNP3_ERR_IO_PERMISSION;
    case UV_EAFNOSUPPORT:
    case UV_EAI_ADDRFAMILY:
    case UV_EAI_FAIL:
    case UV_EAI_FAMILY:
    case UV_EAI_NODATA:
    case UV_EAI_NONAME:
    case UV_EAI_SERVICE: return DNP3_ERR_IO_ADDRESS;
    default: return DNP3_ERR_IO;
    }
}
