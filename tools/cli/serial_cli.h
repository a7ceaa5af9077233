/*
 * serial_cli.h - the serial-line options shared by `dnp3 outstation --serial
 * PATH ...` and the `dnp3 master` target serial:PATH?baud=...: parsing and
 * checking them (a bad value is a usage error, exit 2), filling the runtime's
 * dnp3_io_config (DNP3_IO_SERIAL, docs/serial.md) and the help text.
 */
#ifndef DNP3_CLI_SERIAL_CLI_H
#define DNP3_CLI_SERIAL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "dnp3/io.h"

typedef struct {
    char device[256]; /* empty: no serial line */
    uint32_t baud;
    uint8_t data_bits, stop_bits;
    dnp3_serial_parity parity;
    bool rtscts;
    uint32_t turnaround_ms, tx_idle_ms, tx_backoff_ms;
    bool have_backoff; /* --tx-backoff given (else it follows --tx-idle) */
} serial_cli_options;

#define SERIAL_CLI_OUTSTATION_HELP                                                                                \
    "  --serial PATH          serve over a serial port (RS-232/RS-485) instead of TCP; see docs/serial.md\n"      \
    "  --baud N               serial speed, a standard rate such as 9600, 19200, 38400, 115200 (default 9600)\n"  \
    "  --parity none|even|odd serial parity (default none)\n"                                                     \
    "  --data-bits 7|8        serial data bits (default 8)\n"                                                     \
    "  --stop-bits 1|2        serial stop bits (default 1)\n"                                                     \
    "  --rtscts               RTS/CTS hardware flow control\n"                                                    \
    "  --turnaround MS        RS-485: wait MS after the last octet received before transmitting\n"                \
    "  --tx-idle MS           shared line: transmit only after MS of silence plus a random\n"                     \
    "                         0..--tx-backoff MS (default: as much as --tx-idle), so that\n"                      \
    "                         unsolicited responses of two outstations do not collide\n"                          \
    "  --tx-backoff MS        the random part of that wait\n"

void serial_cli_init(serial_cli_options *o);

/* One outstation option (--serial, --baud, ...): 0 not a serial option, 1 taken with its value
 * `val`, 3 taken without a value (--rtscts), 2 usage error (printed). */
int serial_cli_option(const char *cmd, const char *opt, const char *val, serial_cli_options *o);

/* True if `target` is a serial target (serial:PATH[?...]). */
bool serial_cli_is_target(const char *target);
/* Parses serial:PATH[?baud=N&parity=P&data_bits=N&stop_bits=N&rtscts=1&turnaround=MS&tx_idle=MS]:
 * 0 or 2 (usage error printed). */
int serial_cli_parse_target(const char *cmd, const char *target, serial_cli_options *o);

/* Fills the serial fields of ioc (and its kind). */
void serial_cli_apply(const serial_cli_options *o, dnp3_io_config *ioc);

/* Opens and closes the device once so that a missing one is reported at once ("cannot open serial
 * port PATH: No such file or directory"): 0, or 1 with the message printed. */
int serial_cli_check_device(const char *cmd, const serial_cli_options *o);

/* "9600 8N1" and the like. */
const char *serial_cli_describe(const serial_cli_options *o, char *buf, size_t cap);

#endif
