/*
 * obj_decode.c - a free-format object's fields for the decoder (see obj_fields.h), by
 * its group: file transfer (group 70, obj_file.c) or Secure Authentication (group 120,
 * obj_sa.c).
 */
#include <string.h>

#include "obj_fields.h"

bool dnp3_obj_fields_decode(uint8_t group, uint8_t variation, const uint8_t *p, size_t n, obj_fields *out)
{
    memset(out, 0, sizeof *out);
    if (!p) n = 0;
    switch (group) {
    case 70: return dnp3_obj_file_decode(variation, p, n, out);
    case 120: return dnp3_obj_sa_decode(variation, p, n, out);
    default: return false;
    }
}
