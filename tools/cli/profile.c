/*
 * profile.c - built-in point databases for `dnp3 outstation`: a small
 * substation as a utility would see it (breakers, 138 kV buses, line currents,
 * a valve, a pump, energy counters, their controls and a voltage setpoint), and
 * a uniform N-points-per-type profile for load tests.
 */
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const TYPE_NAMES[PROFILE_TYPE_COUNT] = {
    "binary_input",        "double_bit_input", "binary_output_status", "counter",
    "frozen_counter",      "analog_input",     "analog_output_status", "octet_string",
    "frozen_analog_input",
};

const char *profile_type_name(profile_type t)
{
    return (unsigned)t < PROFILE_TYPE_COUNT ? TYPE_NAMES[t] : "unknown";
}

int profile_type_from_name(const char *name)
{
    for (int i = 0; i < PROFILE_TYPE_COUNT; i++)
        if (strcmp(TYPE_NAMES[i], name) == 0) return i;
    return -1;
}

void profile_defaults(profile *p)
{
    memset(p, 0, sizeof *p);
    p->link_addr = 10;
    p->master_addr = 1;
    p->event_buffer = 1000;
    p->max_fragment = 2048;
    p->unsolicited = true;
    snprintf(p->device_name, sizeof p->device_name, "libdnp3 outstation");
}

static int alloc_points(profile *p, profile_type t, uint32_t n)
{
    p->points[t] = calloc(n ? n : 1, sizeof(profile_point));
    if (!p->points[t]) return -1;
    p->count[t] = n;
    for (uint32_t i = 0; i < n; i++) {
        p->points[t][i].flags = 0x01; /* ONLINE */
        p->points[t][i].event_class = 1;
    }
    return 0;
}

static void set(profile_point *pt, const char *name, uint8_t cls, double value)
{
    snprintf(pt->name, sizeof pt->name, "%s", name);
    pt->event_class = cls;
    pt->value = value;
}

static void analog(profile_point *pt, const char *name, double value, double deadband, double lo, double hi,
                   double step)
{
    set(pt, name, 2, value);
    pt->deadband = deadband;
    pt->sim_min = lo;
    pt->sim_max = hi;
    pt->sim_step = step;
}

static profile_wire wire(wire_kind k, uint32_t index, const char *name, int32_t bi, int32_t dbi, int32_t bo,
                         int32_t ao)
{
    profile_wire w = {k, index, "", bi, dbi, bo, ao, 0, 0};
    snprintf(w.name, sizeof w.name, "%s", name);
    return w;
}

int profile_substation(profile *p)
{
    profile_defaults(p);
    snprintf(p->device_name, sizeof p->device_name, "Substation 7 RTU");
    static const uint32_t N[PROFILE_TYPE_COUNT] = {4, 2, 3, 3, 3, 8, 1, 1};
    for (int t = 0; t < PROFILE_TYPE_COUNT; t++)
        if (alloc_points(p, (profile_type)t, N[t])) return -1;

    profile_point *bi = p->points[PROFILE_BINARY_INPUT];
    set(&bi[0], "CB-101 closed", 1, 1);
    set(&bi[1], "CB-102 closed", 1, 1);
    set(&bi[2], "Pump P-1 running", 1, 0);
    set(&bi[3], "Station door open", 1, 0);

    profile_point *dbi = p->points[PROFILE_DOUBLE_BIT_INPUT];
    set(&dbi[0], "CB-101 position", 1, 2); /* DETERMINED_ON = closed */
    set(&dbi[1], "CB-102 position", 1, 2);

    profile_point *bo = p->points[PROFILE_BINARY_OUTPUT_STATUS];
    set(&bo[0], "CB-101 trip/close", 0, 1);
    set(&bo[1], "CB-102 trip/close", 0, 1);
    set(&bo[2], "Pump P-1 start/stop", 0, 0);

    profile_point *ctr = p->points[PROFILE_COUNTER];
    set(&ctr[0], "Feeder 1 energy kWh", 3, 1284512);
    set(&ctr[1], "Feeder 2 energy kWh", 3, 973310);
    set(&ctr[2], "CB-101 operations", 3, 412);
    ctr[0].sim_counter_rate = ctr[1].sim_counter_rate = true;

    profile_point *fc = p->points[PROFILE_FROZEN_COUNTER];
    set(&fc[0], "Feeder 1 energy kWh (frozen)", 3, 0);
    set(&fc[1], "Feeder 2 energy kWh (frozen)", 3, 0);
    set(&fc[2], "CB-101 operations (frozen)", 3, 0);

    profile_point *ai = p->points[PROFILE_ANALOG_INPUT];
    analog(&ai[0], "Bus 1 voltage kV", 138.2, 0.5, 136.5, 140.0, 0.15);
    analog(&ai[1], "Bus 2 voltage kV", 137.8, 0.5, 136.5, 140.0, 0.15);
    analog(&ai[2], "Line 1 current A", 412.0, 5.0, 350.0, 480.0, 4.0);
    analog(&ai[3], "Line 2 current A", 388.0, 5.0, 330.0, 450.0, 4.0);
    analog(&ai[4], "Transformer T1 oil temp C", 61.5, 1.0, 55.0, 75.0, 0.2);
    analog(&ai[5], "Valve V-1 position %", 47.0, 1.0, 47.0, 47.0, 0.0);
    analog(&ai[6], "System frequency Hz", 60.0, 0.02, 59.95, 60.05, 0.01);
    analog(&ai[7], "Pump P-1 flow m3/h", 0.0, 2.0, 0.0, 0.0, 0.0);

    profile_point *ao = p->points[PROFILE_ANALOG_OUTPUT_STATUS];
    set(&ao[0], "Bus 1 voltage setpoint kV", 0, 138.0);

    profile_point *os = p->points[PROFILE_OCTET_STRING];
    set(&os[0], "Station name", 0, 0);
    snprintf(os[0].text, sizeof os[0].text, "SUBSTATION 7 NORTH");

    p->wires = calloc(4, sizeof *p->wires);
    if (!p->wires) return -1;
    p->wires[0] = wire(WIRE_CROB, 0, "CB-101 trip/close", 0, 0, 0, -1);
    p->wires[1] = wire(WIRE_CROB, 1, "CB-102 trip/close", 1, 1, 1, -1);
    p->wires[2] = wire(WIRE_CROB, 2, "Pump P-1 start/stop", 2, -1, 2, -1);
    p->wires[3] = wire(WIRE_ANALOG, 0, "Bus 1 voltage setpoint", -1, -1, -1, 0);
    p->wires[3].min = 130.0;
    p->wires[3].max = 145.0;
    p->wire_count = 4;
    return 0;
}

int profile_uniform(profile *p, uint32_t n)
{
    profile_defaults(p);
    snprintf(p->device_name, sizeof p->device_name, "libdnp3 load profile (%u points/type)", n);
    for (int t = 0; t < PROFILE_TYPE_COUNT; t++) {
        if (alloc_points(p, (profile_type)t, n)) return -1;
        for (uint32_t i = 0; i < n; i++) {
            profile_point *pt = &p->points[t][i];
            snprintf(pt->name, sizeof pt->name, "%s %u", TYPE_NAMES[t], i);
            pt->value = t == PROFILE_DOUBLE_BIT_INPUT ? 1 : (double)(i % 2);
            if (t == PROFILE_ANALOG_INPUT) {
                pt->value = 100.0 + i;
                pt->deadband = 1.0;
                pt->sim_min = pt->value - 10;
                pt->sim_max = pt->value + 10;
                pt->sim_step = 2.0;
            }
            if (t == PROFILE_COUNTER) pt->sim_counter_rate = true;
            if (t == PROFILE_OCTET_STRING) snprintf(pt->text, sizeof pt->text, "point %u", i);
        }
    }
    p->wires = calloc(2 * (size_t)n + 1, sizeof *p->wires);
    if (!p->wires) return -1;
    for (uint32_t i = 0; i < n; i++) {
        p->wires[p->wire_count++] = wire(WIRE_CROB, i, "", -1, -1, (int32_t)i, -1);
        p->wires[p->wire_count] = wire(WIRE_ANALOG, i, "", -1, -1, -1, (int32_t)i);
        p->wires[p->wire_count].min = -1e9;
        p->wires[p->wire_count++].max = 1e9;
    }
    return 0;
}

const profile_wire *profile_find_wire(const profile *p, wire_kind kind, uint32_t index)
{
    for (uint32_t i = 0; i < p->wire_count; i++)
        if (p->wires[i].kind == kind && p->wires[i].index == index) return &p->wires[i];
    return NULL;
}

void profile_free(profile *p)
{
    for (int t = 0; t < PROFILE_TYPE_COUNT; t++) free(p->points[t]);
    free(p->wires);
    memset(p, 0, sizeof *p);
}
