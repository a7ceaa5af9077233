/*
 * master_out.h - how `dnp3 master` shows measurements: collected for one poll
 * (a table, or one JSON object {"iin": [...], "points": [...]}), or printed as
 * they arrive (watch: a line each, or JSON lines).
 */
#ifndef DNP3_CLI_MASTER_OUT_H
#define DNP3_CLI_MASTER_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "dnp3/master.h"

typedef struct {
    dnp3_point_type type;
    uint8_t group, variation;
    uint32_t index;
    double value;
    bool has_flags;
    uint8_t flags;
    bool has_time;
    dnp3_time48 time;
    bool event;
    bool unsolicited;
    char *octets; /* octet strings: the raw octets (octets_len) */
    size_t octets_len;
    bool has_status; /* command events g13 / g43: the command status */
    uint8_t status;
} master_point;

typedef struct {
    master_point *pts;
    size_t n, cap;
    bool json;
    bool stream; /* watch: print each measurement at once */
    bool in_unsolicited;
    uint16_t iin; /* of the last response */
    FILE *out;
    int addr; /* >= 0: several outstations share the output (multi-drop): name this one's link address */
} master_out;

void master_out_init(master_out *o, FILE *out, bool json, bool stream);
void master_out_free(master_out *o);

/* Handler callbacks (ctx = the master_out). */
void master_out_begin(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info);
void master_out_measurement(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m);
void master_out_end(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info);

/* Prints what was collected: a table, or the poll's JSON object. */
void master_out_print(const master_out *o);

/* Writes the IIN bit names ("DEVICE_RESTART CLASS_1_EVENTS"; "none" for 0). */
void master_out_iin(FILE *f, uint16_t iin, const char *sep);

#endif
