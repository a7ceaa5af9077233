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

#include <stdbool.h>
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

/* Lays the caller's configuration `in` (its own size field says how many octets it holds: an
 * older, smaller layout is fine) over the defaults already in `dst` (full_size octets) and sets
 * dst's size field to full_size. False, leaving dst as it was, when in's size is below `min`
 * (the fields every caller must set) or above full_size. */
static inline bool dnp3_config_overlay(void *dst, size_t full_size, const void *in, size_t min)
{
    uint32_t in_size;
    memcpy(&in_size, in, sizeof in_size);
    if (in_size < min || in_size > full_size) return false;
    memcpy(dst, in, in_size);
    uint32_t s = (uint32_t)full_size;
    memcpy(dst, &s, sizeof s);
    return true;
}

/* DNP3_OK when the loader found nothing (`bad` NULL), else DNP3_ERR_CONFIG; *field = bad. */
static inline int dnp3_config_verdict(const char *bad, const char **field)
{
    if (field) *field = bad;
    return bad ? DNP3_ERR_CONFIG : DNP3_OK;
}

#endif
