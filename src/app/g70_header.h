/*
 * g70_header.h - the object header every file-transfer object (group 70, IEEE 1815-2012 Annex A)
 * travels under in both directions: group 70, the variation, qualifier 0x5B (one object with a
 * 16-bit size prefix), count 1, then the size. Shared by the outstation (src/outstation/file.c)
 * and the master (src/master/file.c); internal.
 */
#ifndef DNP3_APP_G70_HEADER_H
#define DNP3_APP_G70_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

/* Octets of the header before the object's own octets. */
#define DNP3_G70_HDR 6u

/* Writes the header of one g70 object of `size` octets at p; returns where its octets go. */
static inline uint8_t *dnp3_g70_put_header(uint8_t *p, uint8_t variation, size_t size)
{
    p[0] = 70;
    p[1] = variation;
    p[2] = 0x5B;
    p[3] = 1;
    dnp3_store_u16(p + 4, (uint16_t)size);
    return p + DNP3_G70_HDR;
}

#endif
