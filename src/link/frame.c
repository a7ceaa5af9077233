/*
 * frame.c - FT3 link frame format and single-frame parse (IEEE 1815-2012
 * clause 9.2.4): 05 64 LENGTH CONTROL DEST SRC CRC, then the user data in
 * blocks of up to 16 octets, each followed by its CRC (clause 9.2.4.2).
 * LENGTH counts CONTROL, DEST, SRC and the user data (5..255).
 * Also the printable names of the link function codes (clause 9.2.4.1.3).
 */
#include <string.h>

#include "core/cursor.h"
#include "link/link_internal.h"

#define LINK_START1 0x05
#define LINK_START2 0x64
#define LINK_MIN_LENGTH 5

size_t dnp3_link_frame_size(size_t n)
{
    if (n > DNP3_LINK_MAX_USER_DATA) return 0;
    return DNP3_LINK_HEADER_SIZE + n + 2 * ((n + DNP3_LINK_BLOCK_SIZE - 1) / DNP3_LINK_BLOCK_SIZE);
}

int dnp3_link_format(uint8_t *dst, size_t cap, uint8_t control, uint16_t dest, uint16_t src, const uint8_t *data,
                     size_t len)
{
    if (len > DNP3_LINK_MAX_USER_DATA || (len > 0 && data == NULL)) return DNP3_ERR_INVALID_ARG;
    size_t size = dnp3_link_frame_size(len);
    if (dst == NULL || cap < size) return DNP3_ERR_BUFFER_TOO_SMALL;

    dnp3_writer w;
    dnp3_wr_init(&w, dst, cap);
    dnp3_wr_u8(&w, LINK_START1);
    dnp3_wr_u8(&w, LINK_START2);
    dnp3_wr_u8(&w, (uint8_t)(LINK_MIN_LENGTH + len));
    dnp3_wr_u8(&w, control);
    dnp3_wr_u16(&w, dest);
    dnp3_wr_u16(&w, src);
    dnp3_wr_u16(&w, dnp3_crc16(dst, 8));
    for (size_t off = 0; off < len; off += DNP3_LINK_BLOCK_SIZE) {
        size_t n = len - off < DNP3_LINK_BLOCK_SIZE ? len - off : DNP3_LINK_BLOCK_SIZE;
        dnp3_wr_bytes(&w, data + off, n);
        dnp3_wr_u16(&w, dnp3_crc16(data + off, n));
    }
    if (w.err) return DNP3_ERR_BUFFER_TOO_SMALL; /* cannot happen: size was checked */
    return (int)w.pos;
}

int dnp3_link_check_prefix(const uint8_t *h, size_t n, size_t *err_off)
{
    if (n > 0 && h[0] != LINK_START1) {
        *err_off = 0;
        return DNP3_ERR_LINK_BAD_START;
    }
    if (n > 1 && h[1] != LINK_START2) {
        *err_off = 1;
        return DNP3_ERR_LINK_BAD_START;
    }
    if (n > 2 && h[2] < LINK_MIN_LENGTH) {
        *err_off = 2;
        return DNP3_ERR_LINK_BAD_LENGTH;
    }
    return 0;
}

int dnp3_link_check_header(const uint8_t *h, size_t *err_off)
{
    int rc = dnp3_link_check_prefix(h, 3, err_off);
    if (rc < 0) return rc;
    if (dnp3_crc16(h, 8) != dnp3_load_u16(h + 8)) {
        *err_off = 0;
        return DNP3_ERR_LINK_BAD_HEADER_CRC;
    }
    return h[2] - LINK_MIN_LENGTH;
}

int dnp3_link_check_body(const uint8_t *body, size_t n, uint8_t *out, size_t *err_off)
{
    size_t in = 0;
    while (n >= DNP3_LINK_BLOCK_SIZE) {
        if (dnp3_crc16_block16(body + in) != dnp3_load_u16(body + in + DNP3_LINK_BLOCK_SIZE)) {
            *err_off = in;
            return DNP3_ERR_LINK_BAD_BODY_CRC;
        }
        memcpy(out, body + in, DNP3_LINK_BLOCK_SIZE);
        out += DNP3_LINK_BLOCK_SIZE;
        in += DNP3_LINK_BLOCK_SIZE + 2;
        n -= DNP3_LINK_BLOCK_SIZE;
    }
    if (n > 0) {
        if (dnp3_crc16(body + in, n) != dnp3_load_u16(body + in + n)) {
            *err_off = in;
            return DNP3_ERR_LINK_BAD_BODY_CRC;
        }
        memcpy(out, body + in, n);
    }
    return 0;
}

void dnp3_link_fill_frame(dnp3_link_frame *f, const uint8_t *h, const uint8_t *user, size_t n)
{
    f->control = h[3];
    f->dest = dnp3_load_u16(h + 4);
    f->src = dnp3_load_u16(h + 6);
    f->data = user;
    f->len = n;
}

int dnp3_link_parse(const uint8_t *buf, size_t len, uint8_t *scratch, dnp3_link_frame *frame, size_t *err_offset)
{
    size_t off = 0;
    int rc;

    if (buf == NULL || scratch == NULL || frame == NULL) return DNP3_ERR_INVALID_ARG;
    if (len < DNP3_LINK_HEADER_SIZE) {
        /* report a bad start or length octet even in a short buffer */
        rc = dnp3_link_check_prefix(buf, len, &off);
        if (rc == 0) {
            rc = DNP3_ERR_LINK_TRUNCATED;
            off = len;
        }
        if (err_offset) *err_offset = off;
        return rc;
    }
    rc = dnp3_link_check_header(buf, &off);
    if (rc < 0) {
        if (err_offset) *err_offset = off;
        return rc;
    }
    size_t n = (size_t)rc;
    size_t size = dnp3_link_frame_size(n);
    if (len < size) {
        if (err_offset) *err_offset = len;
        return DNP3_ERR_LINK_TRUNCATED;
    }
    rc = dnp3_link_check_body(buf + DNP3_LINK_HEADER_SIZE, n, scratch, &off);
    if (rc < 0) {
        if (err_offset) *err_offset = DNP3_LINK_HEADER_SIZE + off;
        return rc;
    }
    dnp3_link_fill_frame(frame, buf, scratch, n);
    return (int)size;
}

const char *dnp3_link_func_name(uint8_t control)
{
    if (control & DNP3_LINK_PRM) {
        switch (control & DNP3_LINK_FUNC_MASK) {
        case DNP3_LINK_RESET_LINK_STATES: return "RESET_LINK_STATES";
        case DNP3_LINK_RESET_USER_PROCESS: return "RESET_USER_PROCESS";
        case DNP3_LINK_TEST_LINK_STATES: return "TEST_LINK_STATES";
        case DNP3_LINK_CONFIRMED_USER_DATA: return "CONFIRMED_USER_DATA";
        case DNP3_LINK_UNCONFIRMED_USER_DATA: return "UNCONFIRMED_USER_DATA";
        case DNP3_LINK_REQUEST_LINK_STATUS: return "REQUEST_LINK_STATUS";
        default: return "UNKNOWN";
        }
    }
    switch (control & DNP3_LINK_FUNC_MASK) {
    case DNP3_LINK_ACK: return "ACK";
    case DNP3_LINK_NACK: return "NACK";
    case DNP3_LINK_LINK_STATUS: return "LINK_STATUS";
    case DNP3_LINK_NOT_FUNCTIONING: return "NOT_FUNCTIONING";
    case DNP3_LINK_NOT_SUPPORTED: return "NOT_SUPPORTED";
    default: return "UNKNOWN";
    }
}
