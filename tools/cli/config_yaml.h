/*
 * config_yaml.h - loads a `dnp3 outstation --config FILE` point database.
 */
#ifndef DNP3_CLI_CONFIG_YAML_H
#define DNP3_CLI_CONFIG_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/*
 * Loads FILE into *p (freed with profile_free). Returns 0, or -1 with a
 * message "FILE:LINE: field.path: what is wrong" in err.
 */
int config_yaml_load(const char *file, profile *p, char *err, size_t err_cap);

/* The same for YAML text in memory (tests, fuzzing); `name` stands for the file in messages. */
int config_yaml_load_buffer(const char *name, const uint8_t *data, size_t len, profile *p, char *err,
                            size_t err_cap);

#endif
