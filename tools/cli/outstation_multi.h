/*
 * outstation_multi.h - `dnp3 outstation` serving several masters at once over several
 * endpoints (TCP, UDP, TLS together), each master in a session of its own on the one point
 * database (outstation_multi.c).
 */
#ifndef DNP3_CLI_OUTSTATION_MULTI_H
#define DNP3_CLI_OUTSTATION_MULTI_H

#include <stdbool.h>
#include <uv.h>

#include "dnp3/io_roles.h"
#include "outstation_app.h"

/* The transports an endpoint speaks (profile_session.transports bits). */
typedef struct {
    uint8_t transport; /* PROFILE_TR_TCP, PROFILE_TR_UDP or PROFILE_TR_TLS */
    char host[160];
    uint16_t port;
} os_endpoint;

typedef struct outstation_multi outstation_multi;

/* "tcp", "udp" or "tls" for a PROFILE_TR_* transport. */
const char *os_transport_name(uint8_t transport);

/*
 * Listens on every endpoint (TLS ones with `tls`) and hands each master that connects (or, over
 * UDP, each source address) the first free session of app whose rule accepts it; global_allow
 * (if any) is the runtime's allow-list of every endpoint, checked before any rule. Log lines go
 * to hooks->log.
 * Returns NULL after printing why on stderr.
 */
outstation_multi *outstation_multi_start(uv_loop_t *loop, outstation_app *app, const os_endpoint *eps, size_t n,
                                         const dnp3_channel_config *cc, dnp3_tls *tls,
                                         const char *const *global_allow, size_t global_allow_count,
                                         const dnp3_io_hooks *hooks);

/* The port endpoint i is bound to (port 0 asks the system for one). */
uint16_t outstation_multi_port(const outstation_multi *m, size_t i);

/* Services every session: call after updating the database from outside I/O. */
void outstation_multi_kick(outstation_multi *m);

/* Ends every session and stops listening. NULL is accepted. */
void outstation_multi_stop(outstation_multi *m);

#endif
