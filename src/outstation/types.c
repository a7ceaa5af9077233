/*
 * types.c - the outstation's point types and event rings as data (IEEE 1815-2012 Annex A: the
 * static and event group of each type, its variations and their defaults) and what the core
 * stores for a point and an event of each (value kind, deadband, per-point time). Every other
 * outstation file reads this table; it calls none of them.
 */
#include "outstation/os_internal.h"

/* Counter points keep the double they were given (dnp3_outstation_get returns it and the deadband
 * compares it); their events need only the 32-bit count the wire carries (events.c). Every point
 * type keeps its time: dnp3_outstation_get returns it for every type. */
const os_type_info dnp3_os_types[OS_EV_TYPES] = {
    /* sgroup, egroup, sdef, edef, smask, emask, pkind, ekind, deadband, ptime */
    [DNP3_OS_BINARY_INPUT] = {1, 2, 1, 1, 0x0006, 0x000E, VK_U8, VK_U8, false, true},
    [DNP3_OS_DOUBLE_BIT_INPUT] = {3, 4, 2, 1, 0x0006, 0x000E, VK_U8, VK_U8, false, true},
    [DNP3_OS_BINARY_OUTPUT_STATUS] = {10, 11, 2, 1, 0x0006, 0x0006, VK_U8, VK_U8, false, true},
    [DNP3_OS_COUNTER] = {20, 22, 1, 1, 0x0066, 0x0066, VK_F64, VK_U32, true, true},
    [DNP3_OS_FROZEN_COUNTER] = {21, 23, 1, 1, 0x0666, 0x0066, VK_F64, VK_U32, true, true},
    [DNP3_OS_ANALOG_INPUT] = {30, 32, 1, 1, 0x007E, 0x01FE, VK_F64, VK_F64, true, true},
    [DNP3_OS_ANALOG_OUTPUT_STATUS] = {40, 42, 1, 1, 0x001E, 0x01FE, VK_F64, VK_F64, true, true},
    [DNP3_OS_OCTET_STRING] = {110, 111, 0, 0, 0x0000, 0x0000, VK_NONE, VK_NONE, false, true},
    [DNP3_OS_FROZEN_ANALOG_INPUT] = {31, 33, 1, 1, 0x01FE, 0x01FE, VK_F64, VK_F64, true, true},
    [OS_SEC_STAT] = {121, 122, 1, 2, 0x0002, 0x0006, VK_NONE, VK_U32, false, false},
    [OS_CMD_BO] = {12, 13, 0, 1, 0x0000, 0x0006, VK_NONE, VK_U8, false, false},
    [OS_CMD_AO] = {41, 43, 0, 1, 0x0000, 0x01FE, VK_NONE, VK_F64, false, false},
};

uint8_t dnp3_os_static_group(dnp3_os_type t)
{
    return dnp3_os_types[t].sgroup;
}
uint8_t dnp3_os_event_group(dnp3_os_type t)
{
    return dnp3_os_types[t].egroup;
}
uint8_t dnp3_os_default_static_var(dnp3_os_type t)
{
    return dnp3_os_types[t].sdef;
}
uint8_t dnp3_os_default_event_var(dnp3_os_type t)
{
    return dnp3_os_types[t].edef;
}

bool dnp3_os_static_var_ok(dnp3_os_type t, uint8_t v)
{
    return v < 16 && (dnp3_os_types[t].smask >> v) & 1u;
}
bool dnp3_os_event_var_ok(dnp3_os_type t, uint8_t v)
{
    return v < 16 && (dnp3_os_types[t].emask >> v) & 1u;
}

int dnp3_os_type_of_group(uint8_t group, bool *is_event)
{
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        if (dnp3_os_types[t].sgroup == group || dnp3_os_types[t].egroup == group) {
            *is_event = dnp3_os_types[t].egroup == group;
            return t;
        }
    }
    return -1;
}
