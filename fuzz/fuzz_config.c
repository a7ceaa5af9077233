/*
 * fuzz_config.c - libFuzzer target for the `dnp3 outstation --config` YAML
 * loader (tools/cli/config_yaml.c): any input either loads into a profile whose
 * points and wiring are consistent, or is refused with a "NAME:LINE: ..." message.
 */
#include <stdlib.h>
#include <string.h>

#include "config_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    profile p;
    char err[512] = "";
    if (config_yaml_load_buffer("fuzz.yaml", data, size, &p, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.yaml", 9) != 0) abort(); /* every refusal names the file */
        return 0;
    }
    for (int t = 0; t < PROFILE_TYPE_COUNT; t++)
        if (p.count[t] > 65536) abort();
    for (uint32_t i = 0; i < p.wire_count; i++) {
        const profile_wire *w = &p.wires[i];
        if (w->binary_input >= (int32_t)p.count[PROFILE_BINARY_INPUT] ||
            w->double_bit_input >= (int32_t)p.count[PROFILE_DOUBLE_BIT_INPUT] ||
            w->binary_output_status >= (int32_t)p.count[PROFILE_BINARY_OUTPUT_STATUS] ||
            w->analog_output_status >= (int32_t)p.count[PROFILE_ANALOG_OUTPUT_STATUS])
            abort(); /* wiring was checked against the database */
    }
    profile_free(&p);
    return 0;
}
