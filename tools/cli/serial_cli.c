/*
 * serial_cli.c - see serial_cli.h. The values are checked here so that a bad
 * one is a usage error naming the option; the runtime (src/io/io_serial.c)
 * checks them again for library callers.
 */
#include "serial_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"

static const uint32_t BAUDS[] = {50,      75,      110,     134,     150,     200,    300,     600,
                                 1200,    1800,    2400,    4800,    9600,    19200,  38400,   57600,
                                 115200,  230400,  460800,  500000,  576000,  921600, 1000000, 1152000,
                                 1500000, 2000000, 2500000, 3000000, 3500000, 4000000};

void serial_cli_init(serial_cli_options *o)
{
    memset(o, 0, sizeof *o);
    o->baud = 9600;
    o->data_bits = 8;
    o->stop_bits = 1;
    o->parity = DNP3_SERIAL_PARITY_NONE;
}

/* One setting by name (the option without "--", or the target's key with '_' for '-'). */
static int set_value(const char *cmd, const char *label, const char *name, const char *val, serial_cli_options *o)
{
    uint64_t v;
    if (!strcmp(name, "baud")) {
        char *end;
        errno = 0;
        unsigned long b = strtoul(val, &end, 10);
        bool ok = !errno && end != val && !*end;
        size_t i = 0;
        while (ok && i < sizeof BAUDS / sizeof BAUDS[0] && BAUDS[i] != b) i++;
        if (!ok || i == sizeof BAUDS / sizeof BAUDS[0])
            return cli_usage_error(
                cmd, "%s: '%s' is not a standard serial speed (e.g. 1200, 9600, 19200, 38400, 57600, 115200)",
                label, val);
        o->baud = (uint32_t)b;
    } else if (!strcmp(name, "parity")) {
        if (!strcmp(val, "none"))
            o->parity = DNP3_SERIAL_PARITY_NONE;
        else if (!strcmp(val, "even"))
            o->parity = DNP3_SERIAL_PARITY_EVEN;
        else if (!strcmp(val, "odd"))
            o->parity = DNP3_SERIAL_PARITY_ODD;
        else
            return cli_usage_error(cmd, "%s: '%s' is not none, even or odd", label, val);
    } else if (!strcmp(name, "data-bits")) {
        if (strcmp(val, "7") != 0 && strcmp(val, "8") != 0)
            return cli_usage_error(cmd, "%s: '%s' is not 7 or 8", label, val);
        o->data_bits = (uint8_t)(val[0] - '0');
    } else if (!strcmp(name, "stop-bits")) {
        if (strcmp(val, "1") != 0 && strcmp(val, "2") != 0)
            return cli_usage_error(cmd, "%s: '%s' is not 1 or 2", label, val);
        o->stop_bits = (uint8_t)(val[0] - '0');
    } else if (!strcmp(name, "rtscts")) {
        if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
            return cli_usage_error(cmd, "%s: '%s' is not 0 or 1", label, val);
        o->rtscts = val[0] == '1';
    } else if (!strcmp(name, "turnaround") || !strcmp(name, "tx-idle") || !strcmp(name, "tx-backoff")) {
        if (cli_uint(cmd, label, val, 0, 60000, &v)) return 2;
        if (!strcmp(name, "turnaround"))
            o->turnaround_ms = (uint32_t)v;
        else if (!strcmp(name, "tx-idle"))
            o->tx_idle_ms = (uint32_t)v;
        else {
            o->tx_backoff_ms = (uint32_t)v;
            o->have_backoff = true;
        }
    } else {
        return -1;
    }
    return 0;
}

int serial_cli_option(const char *cmd, const char *opt, const char *val, serial_cli_options *o)
{
    if (!strcmp(opt, "--rtscts")) {
        o->rtscts = true;
        return 3;
    }
    static const char *const NAMED[] = {"--serial",    "--baud",       "--parity",  "--data-bits",
                                        "--stop-bits", "--turnaround", "--tx-idle", "--tx-backoff"};
    size_t i = 0;
    while (i < sizeof NAMED / sizeof NAMED[0] && strcmp(opt, NAMED[i]) != 0) i++;
    if (i == sizeof NAMED / sizeof NAMED[0]) return 0;
    if (!val) return cli_usage_error(cmd, "%s needs a value", opt);
    if (!strcmp(opt, "--serial")) {
        if (!val[0]) return cli_usage_error(cmd, "--serial needs a device path");
        if (strlen(val) >= sizeof o->device) return cli_usage_error(cmd, "--serial: the path is too long");
        snprintf(o->device, sizeof o->device, "%s", val);
        return 1;
    }
    return set_value(cmd, opt, opt + 2, val, o) ? 2 : 1;
}

bool serial_cli_is_target(const char *target)
{
    return !strncmp(target, "serial:", 7);
}

int serial_cli_parse_target(const char *cmd, const char *target, serial_cli_options *o)
{
    const char *path = target + 7;
    if (!strncmp(path, "//", 2)) path += 2; /* serial:///dev/ttyS0 too */
    const char *q = strchr(path, '?');
    size_t plen = q ? (size_t)(q - path) : strlen(path);
    if (plen == 0)
        return cli_usage_error(cmd, "the target '%s' has no device path (serial:/dev/ttyS0?baud=9600)", target);
    if (plen >= sizeof o->device) return cli_usage_error(cmd, "the target's device path is too long");
    memcpy(o->device, path, plen);
    o->device[plen] = 0;
    for (const char *p = q ? q + 1 : NULL; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        char kv[128];
        if (len >= sizeof kv) return cli_usage_error(cmd, "serial target: '%.*s' is too long", (int)len, p);
        memcpy(kv, p, len);
        kv[len] = 0;
        char *eq = strchr(kv, '=');
        if (!eq) return cli_usage_error(cmd, "serial target: '%s' is not KEY=VALUE", kv);
        *eq = 0;
        for (char *c = kv; *c; c++)
            if (*c == '_') *c = '-';
        char label[160];
        snprintf(label, sizeof label, "serial target: %s", kv);
        int rc = set_value(cmd, label, kv, eq + 1, o);
        if (rc < 0)
            return cli_usage_error(cmd,
                                   "serial target: unknown key '%s' (baud, parity, data_bits, stop_bits, rtscts, "
                                   "turnaround, tx_idle, tx_backoff)",
                                   kv);
        if (rc) return 2;
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

void serial_cli_apply(const serial_cli_options *o, dnp3_io_config *ioc)
{
    ioc->kind = DNP3_IO_SERIAL;
    ioc->serial_device = o->device;
    ioc->serial_baud = o->baud;
    ioc->serial_data_bits = o->data_bits;
    ioc->serial_parity = o->parity;
    ioc->serial_stop_bits = o->stop_bits;
    ioc->serial_rtscts = o->rtscts;
    ioc->serial_turnaround_ms = o->turnaround_ms;
    ioc->serial_tx_idle_ms = o->tx_idle_ms;
    ioc->serial_tx_backoff_ms = o->have_backoff ? o->tx_backoff_ms : o->tx_idle_ms;
}

int serial_cli_check_device(const char *cmd, const serial_cli_options *o)
{
    int fd = open(o->device, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot open serial port %s: %s\n", cmd, o->device, strerror(errno));
        return 1;
    }
    bool tty = isatty(fd);
    close(fd);
    if (!tty) {
        fprintf(stderr, "%s: %s is not a serial port (a terminal device)\n", cmd, o->device);
        return 1;
    }
    return 0;
}

const char *serial_cli_describe(const serial_cli_options *o, char *buf, size_t cap)
{
    snprintf(buf, cap, "%u baud %u%c%u%s", o->baud, o->data_bits,
             o->parity == DNP3_SERIAL_PARITY_EVEN  ? 'E'
             : o->parity == DNP3_SERIAL_PARITY_ODD ? 'O'
                                                   : 'N',
             o->stop_bits, o->rtscts ? " rts/cts" : "");
    return buf;
}
