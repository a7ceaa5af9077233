/*
 * scan_net.c - see scan_net.h.
 */
#include "scan_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint64_t scan_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        uint64_t now = scan_now_ms();
        if (now >= deadline) return 0;
        struct pollfd p = {fd, events, 0};
        int rc = poll(&p, 1, (int)(deadline - now > 60000 ? 60000 : deadline - now));
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return -errno;
        if (rc > 0) return 1;
    }
}

int scan_connect(scan_sock *s, const char *host, uint16_t port, bool udp, uint32_t timeout_ms)
{
    s->fd = -1;
    s->udp = udp;
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res) return -EINVAL;
    int fd = socket(res->ai_family, res->ai_socktype, 0);
    if (fd < 0) {
        int e = errno;
        freeaddrinfo(res);
        return -e;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int rc = connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (rc != 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (rc != 0) {
        int w = wait_fd(fd, POLLOUT, scan_now_ms() + timeout_ms);
        int err = 0;
        socklen_t len = sizeof err;
        if (w <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            close(fd);
            return w == 0 ? -ETIMEDOUT : w < 0 ? w : -(err ? err : EIO);
        }
    }
    if (!udp) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    s->fd = fd;
    return 0;
}

int scan_send(scan_sock *s, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR)) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(s->fd, POLLOUT, scan_now_ms() + 2000) <= 0) return -ETIMEDOUT;
            continue;
        }
        if (w < 0) return -errno;
        if (s->udp) return 0;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

ssize_t scan_recv(scan_sock *s, uint8_t *buf, size_t cap, uint64_t deadline)
{
    for (;;) {
        int w = wait_fd(s->fd, POLLIN, deadline);
        if (w <= 0) return w;
        ssize_t n = recv(s->fd, buf, cap, 0);
        if (n > 0) return n;
        if (n == 0 && !s->udp) return -1;
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n < 0) return errno == ECONNRESET ? -1 : -errno;
    }
}

void scan_close(scan_sock *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}
