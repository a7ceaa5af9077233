/*
 * config_security.h - the `security:` section of the `dnp3 outstation`
 * configuration: Secure Authentication and TLS settings (config_security.c).
 */
#ifndef DNP3_CLI_CONFIG_SECURITY_H
#define DNP3_CLI_CONFIG_SECURITY_H

#include "config_loader.h"
#include "profile.h"

/* Loads the mapping `n` into p->sa and p->tls. Returns 0 or -1 (error in the loader). */
int config_load_security(loader *L, const yaml_node_t *n, profile *p);

#endif
