/*
 * port_posix.c - the byte port of the bare-metal example on a POSIX host: a
 * pseudo-terminal stands in for the UART, so app.c runs unchanged.
 *
 *   bare_metal [--link PATH]   open a pty, print its name (and symlink PATH to it), serve
 *   bare_metal --size          print the octets the outstation needs and the arena size
 *
 * Any serial program can open the pty; to poll it with `dnp3 master`, which speaks TCP,
 * bridge it like a terminal server does:
 *   socat /dev/pts/N,raw,echo=0 tcp-listen:20000,bind=127.0.0.1,reuseaddr
 */
#define _DEFAULT_SOURCE /* openpty, cfmakeraw, symlink */
#include <errno.h>
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

static void on_signal(int s)
{
    (void)s;
    stop = 1;
}

int main(int argc, char **argv)
{
    const char *link = NULL;
    if (argc == 2 && !strcmp(argv[1], "--size")) {
        printf("outstation memory: %zu octets needed, arena %zu octets\n", app_memory_needed(), app_arena_size());
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "--link"))
        link = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--link PATH] | --size\n", argv[0]);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (app_init() != 0) {
        fprintf(stderr, "bare-metal: %zu octets needed, arena %zu: too small\n", app_memory_needed(),
                app_arena_size());
        return 1;
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!stop) app_poll();
    if (link) unlink(link);
    close(slave);
    close(fd);
    printf("bare-metal: stopped\n");
    return 0;
}
