/*
 * port_posix.c - the byte port of the bare-metal example on a POSIX host: a
 * pseudo-terminal or a real serial port stands in for the UART, so app.c runs
 * unchanged (the IEEE 1815 clause 9 link layer on an asynchronous line).
 *
 *   bare_metal [--link PATH]   open a pty, print its name (and symlink PATH to it), serve
 *   bare_metal --serial PATH   serve on an existing serial device (raw, 8N1, its speed as set
 *                              or --baud N: 9600, 19200, 38400, 57600, 115200)
 *   bare_metal --size          print the octets the outstation needs and the arena size
 *
 * Poll it with `dnp3 master poll serial:PATH?baud=N` on the other end of the line (or of the
 * pty), or bridge the pty to TCP like a terminal server does:
 *   socat /dev/pts/N,raw,echo=0 tcp-listen:20000,bind=127.0.0.1,reuseaddr
 */
#define _DEFAULT_SOURCE /* openpty, cfmakeraw, symlink */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "port.h"

static int fd = -1; /* the pty's master side */
static struct timespec t0;
static volatile sig_atomic_t stop;

size_t port_read(uint8_t *buf, size_t cap)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 2) <= 0) return 0; /* at most 2 ms: the loop's tick */
    ssize_t n = read(fd, buf, cap);
    return n > 0 ? (size_t)n : 0;
}

void port_write(const uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno != EAGAIN && errno != EINTR) return;
        if (w < 0) {
            struct pollfd p = {fd, POLLOUT, 0};
            poll(&p, 1, 100);
            continue;
        }
        buf += w;
        n -= (size_t)w;
    }
}

uint32_t port_millis(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
}

/* --serial PATH [--baud N]: an existing line, raw 8N1. Returns the descriptor or -1 (reported). */
static int open_serial(const char *path, long baud)
{
    static const struct {
        long baud;
        speed_t speed;
    } SPEEDS[] = {{9600, B9600}, {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200}};
    int s = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (s < 0) {
        fprintf(stderr, "bare-metal: cannot open serial port %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(s, &t) != 0) {
        fprintf(stderr, "bare-metal: %s is not a serial port: %s\n", path, strerror(errno));
        close(s);
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    for (size_t i = 0; baud && i < sizeof SPEEDS / sizeof SPEEDS[0]; i++)
        if (SPEEDS[i].baud == baud) {
            cfsetispeed(&t, SPEEDS[i].speed);
            cfsetospeed(&t, SPEEDS[i].speed);
        }
    tcsetattr(s, TCSANOW, &t);
    return s;
}

static void on_signal(int s)
{
    (void)s;
    stop = 1;
}

int main(int argc, char **argv)
{
    const char *link = NULL, *serial = NULL;
    long baud = 0;
    if (argc == 2 && !strcmp(argv[1], "--size")) {
        printf("outstation memory: %zu octets needed, arena %zu octets\n", app_memory_needed(), app_arena_size());
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "--link"))
        link = argv[2];
    else if ((argc == 3 || argc == 5) && !strcmp(argv[1], "--serial") && (argc == 3 || !strcmp(argv[3], "--baud")))
        serial = argv[2], baud = argc == 5 ? strtol(argv[4], NULL, 10) : 0;
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--link PATH | --serial PATH [--baud N]] | --size\n", argv[0]);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (app_init() != 0) {
        fprintf(stderr, "bare-metal: %zu octets needed, arena %zu: too small\n", app_memory_needed(),
                app_arena_size());
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (serial) { /* a line that exists: a serial port, or one end of a pty pair */
        if ((fd = open_serial(serial, baud)) < 0) return 1;
        printf("bare-metal: outstation on serial port %s, %zu octets of static memory used of %zu\n", serial,
               app_memory_needed(), app_arena_size());
        fflush(stdout);
        while (!stop) app_poll();
        close(fd);
        printf("bare-metal: stopped\n");
        return 0;
    }
    struct termios raw;
    memset(&raw, 0, sizeof raw);
    cfmakeraw(&raw); /* octets pass unchanged: no echo, no CR/LF translation */
    int slave;
    char name[128];
    if (openpty(&fd, &slave, name, &raw, NULL) != 0) {
        perror("openpty");
        return 1;
    }
    /* keep our slave descriptor open: the pty then survives a peer closing and reopening it */
    if (link) {
        unlink(link);
        if (symlink(name, link) != 0) {
            perror(link);
            return 1;
        }
    }
    printf("bare-metal: outstation on pty %s%s%s, %zu octets of static memory used of %zu\n", name,
           link ? " linked as " : "", link ? link : "", app_memory_needed(), app_arena_size());
    fflush(stdout);
    while (!stop) app_poll();
    if (link) unlink(link);
    close(slave);
    close(fd);
    printf("bare-metal: stopped\n");
    return 0;
}
