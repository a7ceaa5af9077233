/*
 * link_print.h - inspection and printing of DNP3 link frames (IEEE 1815-2012
 * clause 9.2, FT3 format) and transport headers (clause 8) for the decoders:
 * control octet decoding, header CRC and every data block's CRC with the value
 * expected, and precise messages for broken frames.
 */
#ifndef DNP3_CLI_LINK_PRINT_H
#define DNP3_CLI_LINK_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LINK_MAX_BLOCKS 16

typedef struct {
    size_t off;        /* offset of the block's first octet within the frame */
    size_t len;        /* data octets (1..16) */
    bool complete;     /* block and CRC lie within the octets available */
    uint16_t crc;      /* as received (little-endian on the wire) */
    uint16_t expected; /* computed */
} link_block_info;

typedef struct {
    bool start_ok;        /* octets 0..1 are 05 64 */
    bool header_complete; /* all 10 header octets available */
    uint8_t length, control;
    uint16_t dest, src;
    uint16_t hcrc, hcrc_expected;
    size_t user_len;   /* LENGTH - 5 (0 if LENGTH < 5) */
    size_t frame_size; /* encoded size implied by LENGTH */
    size_t nblocks;
    link_block_info blocks[LINK_MAX_BLOCKS];
} link_info;

/* Looks at a frame starting at raw[0] with `avail` octets available (any values). */
void dnp3_link_inspect(const uint8_t *raw, size_t avail, link_info *li);

/* "DIR=1 PRM=1 FCB=1 FCV=1" (primary) or "DIR=0 PRM=0 DFC=0" (secondary). */
const char *dnp3_link_ctrl_str(uint8_t control, char *buf, size_t cap);

/* Name of the control octet's function, "UNKNOWN" when the core has none. */
const char *dnp3_link_func_str(uint8_t control);

/*
 * Prints a (good) frame: one line for the header (length, control, function,
 * addresses, header CRC), one for the data blocks and their CRCs. `offset` is
 * the input offset of raw[0].
 */
void dnp3_print_link_frame(FILE *out, const uint8_t *raw, size_t len, uint64_t offset, const char *indent);

/* "transport 0xC0: FIR=1 FIN=1 SEQ=0" */
void dnp3_print_transport_header(FILE *out, uint8_t th, const char *indent);

#endif
