/*
 * port.h - the whole interface between the DNP3 application (app.c) and the
 * hardware: three functions. port_cortexm.c implements them on a Cortex-M4
 * (UART + SysTick), port_posix.c on a pseudo-terminal.
 */
#ifndef PORT_H
#define PORT_H

#include <stddef.h>
#include <stdint.h>

/* Moves up to cap received octets into buf; returns how many (0 if none, never blocks for long). */
size_t port_read(uint8_t *buf, size_t cap);

/* Sends n octets (returns when they are queued or sent). */
void port_write(const uint8_t *buf, size_t n);

/* Milliseconds since start (wraps after 49 days; app.c extends it to 64 bits). */
uint32_t port_millis(void);

#endif
