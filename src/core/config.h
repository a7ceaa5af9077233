/*
 * config.h - the two rules every size-versioned configuration struct of libdnp3 follows
 * (dnp3_*_config and dnp3_decode_options: their first member is `uint32_t size`), shared by the
 * libraries as inline functions (internal; not part of the protocol):
 *  - dnp3_config_fill(): what *_config_init_size does with the defaults - a caller built against
 *    an older, smaller struct gets only its own `size` octets, nothing is written past them;
 *  - dnp3_config_verdict(): what *_config_check returns for the first bad field a loader found.
 */
#ifndef DNP3_CORE_CONFIG_H
#define DNP3_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnp3/types.h"

/* Copies the first `size` octets (at most full_size) of the defaults in `full` to `dst` and
 * sets its size field; does nothing when `size` does not reach past the size field. */
static inline void dnp3_config_fill(void *dst, size_t size, const void *full, size_t full_size)
{
    if (!dst || size < sizeof(uint32_t)) return;
    if (size > full_size) size = full_size;
    memcpy(dst, full, size);
    uint32_t s = (uint32_t)size;
    memcpy(dst, &s, sizeof s);
}

/* DNP3_OK when the loader found nothing (`bad` NULL), else DNP3_ERR_CONFIG; *field = bad. */
static inline int dnp3_config_verdict(const char *bad, const char **field)
{
    if (field) *field = bad;
    return bad ? DNP3_ERR_CONFIG : DNP3_OK;
}

#endif
