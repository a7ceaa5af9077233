/*
 * attributes.c - device attributes, group 0, set 0 (IEEE 1815-2012 Annex A,
 * object group 0; READ with qualifier 0x00, start = stop = 0): the configured
 * strings (vendor 252, model 250, versions 242/243, names 244-249), fragment
 * sizes (240/241), point counts and maximum indices per type, event support
 * flags, controls per request (216), and with Secure Authentication attached
 * its version (209: 5) and the number of security statistics per association
 * (210: 18; clause 7, docs/protocol-notes.md §7.10); v254 returns every one of them (one
 * header each), v255 the list of supported variations.
 *
 * Encoding of one attribute: data type (1 = VSTR, 2 = UINT, 3 = INT used for
 * booleans, 254 = list of variation/property pairs), length, value.
 */
#include <string.h>

#include "outstation/os_internal.h"

enum { A_STR, A_UINT, A_BOOL, A_MAXIDX };

typedef struct {
    uint8_t var;
    uint8_t kind;
    uint8_t arg; /* A_STR: attr_str slot; A_UINT/A_BOOL/A_MAXIDX: meaning below */
} attr_row;

/* A_UINT args */
enum { U_MAX_CONTROLS, U_TX, U_RX, U_SA_VERSION, U_SA_STATS, U_COUNT_BASE = 16 /* + dnp3_os_type */ };
/* A_BOOL args: BOOL_EVENTS_BASE + type = events supported; the others fixed */
enum { B_FROZEN_COUNTERS = 0, B_FROZEN_ANALOG = 1, B_EVENTS_BASE = 16 };

static const attr_row ROWS[] = {
    {209, A_UINT, U_SA_VERSION},
    {210, A_UINT, U_SA_STATS},
    {216, A_UINT, U_MAX_CONTROLS},
    {219, A_BOOL, B_EVENTS_BASE + DNP3_OS_ANALOG_OUTPUT_STATUS},
    {220, A_MAXIDX, DNP3_OS_ANALOG_OUTPUT_STATUS},
    {221, A_UINT, U_COUNT_BASE + DNP3_OS_ANALOG_OUTPUT_STATUS},
    {222, A_BOOL, B_EVENTS_BASE + DNP3_OS_BINARY_OUTPUT_STATUS},
    {223, A_MAXIDX, DNP3_OS_BINARY_OUTPUT_STATUS},
    {224, A_UINT, U_COUNT_BASE + DNP3_OS_BINARY_OUTPUT_STATUS},
    {225, A_BOOL, B_EVENTS_BASE + DNP3_OS_FROZEN_COUNTER},
    {226, A_BOOL, B_FROZEN_COUNTERS},
    {227, A_BOOL, B_EVENTS_BASE + DNP3_OS_COUNTER},
    {228, A_MAXIDX, DNP3_OS_COUNTER},
    {229, A_UINT, U_COUNT_BASE + DNP3_OS_COUNTER},
    {230, A_BOOL, B_FROZEN_ANALOG},
    {231, A_BOOL, B_EVENTS_BASE + DNP3_OS_ANALOG_INPUT},
    {232, A_MAXIDX, DNP3_OS_ANALOG_INPUT},
    {233, A_UINT, U_COUNT_BASE + DNP3_OS_ANALOG_INPUT},
    {234, A_BOOL, B_EVENTS_BASE + DNP3_OS_DOUBLE_BIT_INPUT},
    {235, A_MAXIDX, DNP3_OS_DOUBLE_BIT_INPUT},
    {236, A_UINT, U_COUNT_BASE + DNP3_OS_DOUBLE_BIT_INPUT},
    {237, A_BOOL, B_EVENTS_BASE + DNP3_OS_BINARY_INPUT},
    {238, A_MAXIDX, DNP3_OS_BINARY_INPUT},
    {239, A_UINT, U_COUNT_BASE + DNP3_OS_BINARY_INPUT},
    {240, A_UINT, U_TX},
    {241, A_UINT, U_RX},
    {242, A_STR, 2},
    {243, A_STR, 3},
    {244, A_STR, 4},
    {245, A_STR, 5},
    {246, A_STR, 6},
    {247, A_STR, 7},
    {248, A_STR, 8},
    {249, A_STR, 9},
    {250, A_STR, 1},
    {252, A_STR, 0},
};
#define NROWS (sizeof ROWS / sizeof ROWS[0])

static bool present(const dnp3_outstation *os, const attr_row *r)
{
    if (r->kind == A_STR) return os->attr_str[r->arg] != NULL;
    if (r->kind == A_MAXIDX) return os->db[r->arg].count > 0;
    if (r->kind == A_UINT && (r->arg == U_SA_VERSION || r->arg == U_SA_STATS)) return os->sa != NULL;
    return true;
}

/* Encodes type, length, value into out (>= 257 octets). Returns the length written. */
static size_t encode(const dnp3_outstation *os, const attr_row *r, uint8_t *out)
{
    uint32_t v = 0;
    switch (r->kind) {
    case A_STR: {
        size_t n = os->attr_len[r->arg];
        out[0] = DNP3_ATTR_VSTR;
        out[1] = (uint8_t)n;
        memcpy(out + 2, os->attr_str[r->arg], n);
        return 2 + n;
    }
    case A_BOOL:
        if (r->arg >= B_EVENTS_BASE) {
            dnp3_os_type t = (dnp3_os_type)(r->arg - B_EVENTS_BASE);
            v = os->db[t].count > 0 && os->cfg.types[t].event_buffer > 0;
        } else {
            const dnp3_os_type frozen =
                r->arg == B_FROZEN_COUNTERS ? DNP3_OS_FROZEN_COUNTER : DNP3_OS_FROZEN_ANALOG_INPUT;
            v = os->db[frozen].count > 0;
        }
        out[0] = DNP3_ATTR_INT;
        out[1] = 1;
        out[2] = (uint8_t)v;
        return 3;
    case A_MAXIDX: v = os->db[r->arg].count - 1u; break;
    default:
        if (r->arg == U_MAX_CONTROLS)
            v = os->cfg.max_controls;
        else if (r->arg == U_TX)
            v = (uint32_t)os->cfg.max_tx_fragment;
        else if (r->arg == U_RX)
            v = (uint32_t)os->cfg.max_rx_fragment;
        else if (r->arg == U_SA_VERSION)
            v = 5;
        else if (r->arg == U_SA_STATS)
            v = DNP3_SA_STAT_COUNT;
        else
            v = os->db[r->arg - U_COUNT_BASE].count;
        break;
    }
    size_t n = v <= 0xFF ? 1 : v <= 0xFFFF ? 2 : 4;
    out[0] = DNP3_ATTR_UINT;
    out[1] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) out[2 + i] = (uint8_t)(v >> (8 * i));
    return 2 + n;
}

static const attr_row *find(uint8_t var)
{
    for (size_t i = 0; i < NROWS; i++)
        if (ROWS[i].var == var) return &ROWS[i];
    return NULL;
}

bool dnp3_os_attr_known(const dnp3_outstation *os, uint8_t variation)
{
    if (variation == 254 || variation == 255) return true;
    const attr_row *r = find(variation);
    return r && present(os, r);
}

/* Appends one attribute object with its own header (qualifier 0x00, set 0). */
static bool put(dnp3_apdu_writer *w, uint8_t var, const uint8_t *body, size_t n)
{
    uint8_t obj[5 + 2 + 2 * NROWS + 255];
    obj[0] = 0;
    obj[1] = var;
    obj[2] = DNP3_QUAL_START_STOP_8;
    obj[3] = 0;
    obj[4] = 0;
    memcpy(obj + 5, body, n);
    return dnp3_apdu_append(w, obj, 5 + n) == DNP3_OK;
}

bool dnp3_os_attr_write(const dnp3_outstation *os, dnp3_apdu_writer *w, uint8_t variation, uint32_t *pos)
{
    uint8_t body[2 + 2 * NROWS + 255];
    if (variation == 255) {
        size_t n = 0;
        for (size_t i = 0; i < NROWS; i++) {
            if (!present(os, &ROWS[i])) continue;
            body[2 + n++] = ROWS[i].var;
            body[2 + n++] = 0; /* properties: not writable */
        }
        body[0] = DNP3_ATTR_U8BS8LIST;
        body[1] = (uint8_t)n;
        return put(w, 255, body, 2 + n);
    }
    if (variation == 254) {
        for (; *pos < NROWS; (*pos)++) {
            const attr_row *r = &ROWS[*pos];
            if (!present(os, r)) continue;
            size_t n = encode(os, r, body);
            if (!put(w, r->var, body, n)) return false;
        }
        return true;
    }
    const attr_row *r = find(variation);
    if (!r || !present(os, r)) return true;
    return put(w, variation, body, encode(os, r, body));
}
