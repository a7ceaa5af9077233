/*
 * app.h - the DNP3 outstation of the bare-metal example (app.c): the same
 * source on the microcontroller and on the host.
 */
#ifndef APP_H
#define APP_H

#include <stddef.h>

/* Octets the outstation needs (dnp3_outstation_memory_size) and octets of the static arena. */
size_t app_memory_needed(void);
size_t app_arena_size(void);

/* Builds the outstation in the static arena. Returns 0, or -1 when the arena or the output
 * buffer is too small for the configuration (the figure is app_memory_needed()). */
int app_init(void);

/* One turn of the main loop: octets in, timers, simulated measurements, octets out. */
void app_poll(void);

#endif
