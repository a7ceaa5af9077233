/*
 * names.c - printable names of DNP3 enumerations: function codes (IEEE 1815-2012
 * clause 4.2.2.5), IIN bits (4.2.2.7), command status codes, CROB fields, flag
 * bits per point type (Annex A) and device attributes (group 0). Used by the
 * decoder, logs and JSON output.
 */
#include <string.h>

#include "dnp3/app.h"
#include "dnp3/objects.h"

const char *dnp3_fc_name(uint8_t fc)
{
    static const char *const REQ[] = {
        "CONFIRM",
        "READ",
        "WRITE",
        "SELECT",
        "OPERATE",
        "DIRECT_OPERATE",
        "DIRECT_OPERATE_NR",
        "IMMED_FREEZE",
        "IMMED_FREEZE_NR",
        "FREEZE_CLEAR",
        "FREEZE_CLEAR_NR",
        "FREEZE_AT_TIME",
        "FREEZE_AT_TIME_NR",
        "COLD_RESTART",
        "WARM_RESTART",
        "INITIALIZE_DATA",
        "INITIALIZE_APPLICATION",
        "START_APPLICATION",
        "STOP_APPLICATION",
        "SAVE_CONFIGURATION",
        "ENABLE_UNSOLICITED",
        "DISABLE_UNSOLICITED",
        "ASSIGN_CLASS",
        "DELAY_MEASURE",
        "RECORD_CURRENT_TIME",
        "OPEN_FILE",
        "CLOSE_FILE",
        "DELETE_FILE",
        "GET_FILE_INFO",
        "AUTHENTICATE_FILE",
        "ABORT_FILE",
        "ACTIVATE_CONFIG",
        "AUTH_REQUEST",
        "AUTH_REQUEST_NO_ACK",
    };
    if (fc < sizeof REQ / sizeof REQ[0]) return REQ[fc];
    switch (fc) {
    case DNP3_FC_RESPONSE: return "RESPONSE";
    case DNP3_FC_UNSOLICITED_RESPONSE: return "UNSOLICITED_RESPONSE";
    case DNP3_FC_AUTH_RESPONSE: return "AUTH_RESPONSE";
    default: return NULL;
    }
}

const char *dnp3_iin_bit_name(unsigned bit)
{
    static const char *const NAMES[16] = {
        "BROADCAST",       "CLASS_1_EVENTS",        "CLASS_2_EVENTS",    "CLASS_3_EVENTS",       "NEED_TIME",
        "LOCAL_CONTROL",   "DEVICE_TROUBLE",        "DEVICE_RESTART",    "NO_FUNC_CODE_SUPPORT", "OBJECT_UNKNOWN",
        "PARAMETER_ERROR", "EVENT_BUFFER_OVERFLOW", "ALREADY_EXECUTING", "CONFIG_CORRUPT",       "RESERVED_2",
        "RESERVED_1",
    };
    return bit < 16 ? NAMES[bit] : "UNKNOWN";
}

const char *dnp3_command_status_name(unsigned status)
{
    static const char *const NAMES[] = {
        "SUCCESS",
        "TIMEOUT",
        "NO_SELECT",
        "FORMAT_ERROR",
        "NOT_SUPPORTED",
        "ALREADY_ACTIVE",
        "HARDWARE_ERROR",
        "LOCAL",
        "TOO_MANY_OPS",
        "NOT_AUTHORIZED",
        "AUTOMATION_INHIBIT",
        "PROCESSING_LIMITED",
        "OUT_OF_RANGE",
        "DOWNSTREAM_LOCAL",
        "ALREADY_COMPLETE",
        "BLOCKED",
        "CANCELLED",
        "BLOCKED_OTHER_MASTER",
        "DOWNSTREAM_FAIL",
    };
    if (status < sizeof NAMES / sizeof NAMES[0]) return NAMES[status];
    if (status == DNP3_CS_NON_PARTICIPATING) return "NON_PARTICIPATING";
    if (status == DNP3_CS_UNDEFINED) return "UNDEFINED";
    return "UNKNOWN";
}

const char *dnp3_op_type_name(unsigned op)
{
    static const char *const NAMES[] = {"NUL", "PULSE_ON", "PULSE_OFF", "LATCH_ON", "LATCH_OFF"};
    return op < 5 ? NAMES[op] : "UNDEFINED";
}

const char *dnp3_tcc_name(unsigned tcc)
{
    static const char *const NAMES[] = {"NUL", "CLOSE", "TRIP", "RESERVED"};
    return NAMES[tcc & 3];
}

const char *dnp3_double_bit_name(unsigned v)
{
    static const char *const NAMES[] = {"INTERMEDIATE", "DETERMINED_OFF", "DETERMINED_ON", "INDETERMINATE"};
    return NAMES[v & 3];
}

/* Flag names for bits 5..7 depend on the point type (docs/protocol-notes.md §4.2). */
static const char *flag_name(dnp3_point_type t, unsigned bit)
{
    static const char *const COMMON[5] = {"ONLINE", "RESTART", "COMM_LOST", "REMOTE_FORCED", "LOCAL_FORCED"};
    if (bit < 5) return COMMON[bit];
    switch (t) {
    case DNP3_POINT_BINARY_INPUT: return bit == 5 ? "CHATTER_FILTER" : bit == 7 ? "STATE" : "RESERVED";
    case DNP3_POINT_BINARY_OUTPUT_STATUS: return bit == 7 ? "STATE" : "RESERVED";
    case DNP3_POINT_DOUBLE_BIT_INPUT: return bit == 5 ? "CHATTER_FILTER" : bit == 6 ? "STATE_LSB" : "STATE_MSB";
    case DNP3_POINT_COUNTER:
    case DNP3_POINT_FROZEN_COUNTER: return bit == 5 ? "ROLLOVER" : bit == 6 ? "DISCONTINUITY" : "RESERVED";
    case DNP3_POINT_ANALOG_INPUT:
    case DNP3_POINT_FROZEN_ANALOG_INPUT: return bit == 5 ? "OVER_RANGE" : bit == 6 ? "REFERENCE_ERR" : "RESERVED";
    case DNP3_POINT_ANALOG_OUTPUT_STATUS: return bit == 5 ? "OVER_RANGE" : "RESERVED";
    default: return bit == 5 ? "BIT5" : bit == 6 ? "BIT6" : "BIT7";
    }
}

/* Appends src to buf (holding n octets) if it fits with its terminator; returns the new length. */
static size_t append(char *buf, size_t cap, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= cap - n) return n;
    memcpy(buf + n, src, len + 1);
    return n + len;
}

const char *dnp3_flags_str(dnp3_point_type t, uint8_t flags, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap == 0) return buf;
    buf[0] = 0;
    for (unsigned bit = 0; bit < 8; bit++) {
        if (!(flags & (1u << bit))) continue;
        const char *name = flag_name(t, bit);
        if (strlen(name) + (n ? 1 : 0) >= cap - n) break; /* keep whole names only */
        if (n) n = append(buf, cap, n, "|");
        n = append(buf, cap, n, name);
    }
    return buf;
}

const char *dnp3_attr_name(uint8_t variation)
{
    static const struct {
        uint8_t v;
        const char *name;
    } NAMES[] = {
        {196, "configuration ID"},
        {197, "configuration version"},
        {198, "configuration build date"},
        {199, "configuration last change date"},
        {200, "configuration digest"},
        {201, "configuration digest algorithm"},
        {202, "master resource ID"},
        {203, "device location altitude"},
        {204, "device location longitude"},
        {205, "device location latitude"},
        {206, "user-assigned secondary operator name"},
        {207, "user-assigned primary operator name"},
        {208, "user-assigned system name"},
        {209, "secure authentication version"},
        {210, "number of security statistics per association"},
        {211, "identification of user-specific attributes"},
        {212, "number of master-defined data set prototypes"},
        {213, "number of outstation-defined data set prototypes"},
        {214, "number of master-defined data sets"},
        {215, "number of outstation-defined data sets"},
        {216, "max binary output objects per request"},
        {217, "local timing accuracy"},
        {218, "duration of time accuracy"},
        {219, "support for analog output events"},
        {220, "max analog output index"},
        {221, "number of analog outputs"},
        {222, "support for binary output events"},
        {223, "max binary output index"},
        {224, "number of binary outputs"},
        {225, "support for frozen counter events"},
        {226, "support for frozen counters"},
        {227, "support for counter events"},
        {228, "max counter index"},
        {229, "number of counter points"},
        {230, "support for frozen analog inputs"},
        {231, "support for analog input events"},
        {232, "max analog input index"},
        {233, "number of analog input points"},
        {234, "support for double-bit binary input events"},
        {235, "max double-bit binary input index"},
        {236, "number of double-bit binary input points"},
        {237, "support for binary input events"},
        {238, "max binary input index"},
        {239, "number of binary input points"},
        {240, "max transmit fragment size"},
        {241, "max receive fragment size"},
        {242, "device manufacturer's software version"},
        {243, "device manufacturer's hardware version"},
        {244, "user-assigned owner name"},
        {245, "user-assigned location name"},
        {246, "user-assigned ID code/number"},
        {247, "user-assigned device name"},
        {248, "device serial number"},
        {249, "DNP subset and conformance"},
        {250, "device manufacturer's product name and model"},
        {252, "device manufacturer's name"},
        {254, "non-specific all attributes request"},
        {255, "list of attribute variations"},
    };
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (NAMES[i].v == variation) return NAMES[i].name;
    return NULL;
}

const char *dnp3_attr_type_name(uint8_t type)
{
    switch (type) {
    case DNP3_ATTR_VSTR: return "VSTR";
    case DNP3_ATTR_UINT: return "UINT";
    case DNP3_ATTR_INT: return "INT";
    case DNP3_ATTR_FLT: return "FLT";
    case DNP3_ATTR_OSTR: return "OSTR";
    case DNP3_ATTR_BSTR: return "BSTR";
    case DNP3_ATTR_TIME: return "TIME";
    case DNP3_ATTR_UNCD: return "UNCD";
    case DNP3_ATTR_U8BS8LIST: return "U8BS8LIST";
    case DNP3_ATTR_U8BS8EXLIST: return "U8BS8EXLIST";
    default: return "UNKNOWN";
    }
}
