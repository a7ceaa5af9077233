/*
 * link_internal.h - helpers shared by the link-layer files (frame.c, parser.c):
 * validation of the FT3 header and of the user-data blocks (IEEE 1815-2012
 * clause 9.2.4). Not part of the public API.
 */
#ifndef DNP3_LINK_INTERNAL_H
#define DNP3_LINK_INTERNAL_H

#include "core/cursor.h"
#include "dnp3/link.h"

/* Slicing-by-8 tables of CRC-16/DNP (crc16.c): entry [k][b] is the register
 * after octet b followed by k zero octets, starting from 0. */
extern const uint16_t dnp3_crc16_table[8][256];

/* CRC-16/DNP of one full 16-octet user-data block (inlined in the parser's hot loop). */
static inline uint16_t dnp3_crc16_block16(const uint8_t *p)
{
    const uint16_t(*t)[256] = dnp3_crc16_table;
    uint32_t crc = 0;
    for (int half = 0; half < 2; half++, p += 8) {
        uint32_t lo = dnp3_load_u32(p) ^ crc, hi = dnp3_load_u32(p + 4);
        crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
              t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    }
    return (uint16_t)~crc;
}

/*
 * Checks the first min(n, 3) octets of a frame: 05, 64, LENGTH >= 5. Returns 0
 * or DNP3_ERR_LINK_BAD_START / _BAD_LENGTH with *err_off = offending octet.
 */
int dnp3_link_check_prefix(const uint8_t *h, size_t n, size_t *err_off);

/*
 * Checks the 10 header octets h[0..10): start octets, LENGTH >= 5, header CRC.
 * Returns the number of user-data octets (0..250), or DNP3_ERR_LINK_BAD_START /
 * _BAD_LENGTH / _BAD_HEADER_CRC with *err_off set to the offending octet's
 * offset in h (0 for a header CRC error: the start of the checked block).
 */
int dnp3_link_check_header(const uint8_t *h, size_t *err_off);

/*
 * Checks the CRC of every user-data block in body[0..) (the octets after the
 * header, n user-data octets plus their CRCs) and copies the user data,
 * without CRCs, to out[0..n). Returns 0, or DNP3_ERR_LINK_BAD_BODY_CRC with
 * *err_off = offset of the first octet of the bad block relative to body.
 */
int dnp3_link_check_body(const uint8_t *body, size_t n, uint8_t *out, size_t *err_off);

/* Fills *f from a validated header h and de-blocked user data. */
void dnp3_link_fill_frame(dnp3_link_frame *f, const uint8_t *h, const uint8_t *user, size_t n);

#endif
