/*
 * config_sessions.h - the `sessions:` section of the `dnp3 outstation` configuration: one
 * entry per master the outstation serves at once (config_sessions.c).
 */
#ifndef DNP3_CLI_CONFIG_SESSIONS_H
#define DNP3_CLI_CONFIG_SESSIONS_H

#include "config_loader.h"
#include "profile.h"

/* Loads the list `n` into p->sessions. Returns 0 or -1 (error in the loader). */
int config_load_sessions(loader *L, const yaml_node_t *n, profile *p);

#endif
