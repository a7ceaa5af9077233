/*
 * link_print.c - link frame inspection (header and block CRCs) and printing of
 * link and transport headers (see link_print.h).
 */
#include "link_print.h"

#include <inttypes.h>

#include "dnp3/link.h"
#include "dnp3/transport.h"

void dnp3_link_inspect(const uint8_t *raw, size_t avail, link_info *li)
{
    *li = (link_info){0};
    li->start_ok = avail >= 2 && raw[0] == 0x05 && raw[1] == 0x64;
    li->header_complete = avail >= DNP3_LINK_HEADER_SIZE;
    if (avail >= 3) li->length = raw[2];
    if (avail >= 4) li->control = raw[3];
    if (avail >= 6) li->dest = (uint16_t)(raw[4] | raw[5] << 8);
    if (avail >= 8) li->src = (uint16_t)(raw[6] | raw[7] << 8);
    if (li->header_complete) {
        li->hcrc = (uint16_t)(raw[8] | raw[9] << 8);
        li->hcrc_expected = dnp3_crc16(raw, 8);
    }
    li->user_len = li->length >= 5 ? (size_t)li->length - 5 : 0;
    li->frame_size = DNP3_LINK_HEADER_SIZE;
    size_t left = li->user_len, pos = DNP3_LINK_HEADER_SIZE;
    while (left > 0 && li->nblocks < LINK_MAX_BLOCKS) {
        link_block_info *b = &li->blocks[li->nblocks++];
        b->off = pos;
        b->len = left < DNP3_LINK_BLOCK_SIZE ? left : DNP3_LINK_BLOCK_SIZE;
        b->complete = pos + b->len + 2 <= avail;
        if (b->complete) {
            b->crc = (uint16_t)(raw[pos + b->len] | raw[pos + b->len + 1] << 8);
            b->expected = dnp3_crc16(raw + pos, b->len);
        }
        pos += b->len + 2;
        left -= b->len;
    }
    li->frame_size = pos;
}

const char *dnp3_link_ctrl_str(uint8_t c, char *buf, size_t cap)
{
    if (c & DNP3_LINK_PRM)
        snprintf(buf, cap, "DIR=%d PRM=1 FCB=%d FCV=%d", !!(c & DNP3_LINK_DIR), !!(c & DNP3_LINK_FCB),
                 !!(c & DNP3_LINK_FCV));
    else
        snprintf(buf, cap, "DIR=%d PRM=0 DFC=%d", !!(c & DNP3_LINK_DIR), !!(c & DNP3_LINK_DFC));
    return buf;
}

const char *dnp3_link_func_str(uint8_t control)
{
    const char *n = dnp3_link_func_name(control);
    return n ? n : "UNKNOWN";
}

void dnp3_print_link_frame(FILE *out, const uint8_t *raw, size_t len, uint64_t offset, const char *indent)
{
    link_info li;
    char cs[48];
    if (!indent) indent = "";
    dnp3_link_inspect(raw, len, &li);
    fprintf(out,
            "%soffset %" PRIu64
            ": link frame, length %u, control 0x%02X (%s) %s, dest %u, src %u, header CRC 0x%04X %s",
            indent, offset, li.length, li.control, dnp3_link_ctrl_str(li.control, cs, sizeof cs),
            dnp3_link_func_str(li.control), li.dest, li.src, li.hcrc, li.hcrc == li.hcrc_expected ? "OK" : "BAD");
    if (li.hcrc != li.hcrc_expected) fprintf(out, " (expected 0x%04X)", li.hcrc_expected);
    fputc('\n', out);
    if (li.nblocks == 0) return;
    fprintf(out, "%s  data: %zu octets in %zu block%s, CRC", indent, li.user_len, li.nblocks,
            li.nblocks == 1 ? "" : "s");
    for (size_t i = 0; i < li.nblocks; i++) {
        const link_block_info *b = &li.blocks[i];
        if (!b->complete)
            fprintf(out, "%s missing", i ? "," : "");
        else if (b->crc == b->expected)
            fprintf(out, "%s 0x%04X OK", i ? "," : "", b->crc);
        else
            fprintf(out, "%s 0x%04X BAD (expected 0x%04X)", i ? "," : "", b->crc, b->expected);
    }
    fputc('\n', out);
}

void dnp3_print_transport_header(FILE *out, uint8_t th, const char *indent)
{
    fprintf(out, "%stransport 0x%02X: FIR=%d FIN=%d SEQ=%u\n", indent ? indent : "", th,
            !!(th & DNP3_TRANSPORT_FIR), !!(th & DNP3_TRANSPORT_FIN), (unsigned)(th & DNP3_TRANSPORT_SEQ_MASK));
}
