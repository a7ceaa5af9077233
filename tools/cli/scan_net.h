/*
 * scan_net.h - blocking sockets with deadlines for `dnp3 scan`: one TCP
 * connection or one connected UDP socket per probe, every wait bounded by
 * poll(). The scanner is sequential by design (one endpoint at a time, a
 * handful of requests each), so no event loop is needed.
 */
#ifndef DNP3_CLI_SCAN_NET_H
#define DNP3_CLI_SCAN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    int fd;
    bool udp;
} scan_sock;

/* Monotonic milliseconds. */
uint64_t scan_now_ms(void);

/* Connects to host:port within timeout_ms. Returns 0, or a negative errno
 * (-ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, -EINVAL for a bad host, ...). */
int scan_connect(scan_sock *s, const char *host, uint16_t port, bool udp, uint32_t timeout_ms);

/* Sends n octets (one datagram for UDP). Returns 0 or a negative errno. */
int scan_send(scan_sock *s, const uint8_t *p, size_t n);

/* Waits until `deadline` (scan_now_ms clock) for data. Returns the octets
 * received (> 0), 0 at the deadline, -1 when the peer closed the connection,
 * or another negative errno (e.g. -ECONNREFUSED: ICMP port unreachable on UDP). */
ssize_t scan_recv(scan_sock *s, uint8_t *buf, size_t cap, uint64_t deadline);

void scan_close(scan_sock *s);

#endif
