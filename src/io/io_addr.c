/*
 * io_addr.c - addresses of the runtime (dnp3/io.h): a host and port resolved to
 * a socket address (numeric or by name, IPv4 or IPv6), and a socket address
 * written as "ip:port" or "[ip6]:port" for logs and the upper layer's on_open.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "io_internal.h"

bool dnp3_iox_allowed(const dnp3_io *io, const char *peer)
{
    if (!io->cfg.allow || io->cfg.allow_count == 0) return true;
    char ip[64];
    snprintf(ip, sizeof ip, "%s", peer[0] == '[' ? peer + 1 : peer);
    char *end = strrchr(ip, peer[0] == '[' ? ']' : ':');
    if (end) *end = 0;
    for (size_t i = 0; i < io->cfg.allow_count; i++)
        if (strcmp(io->cfg.allow[i], ip) == 0) return true;
    return false;
}

void dnp3_iox_format_addr(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?"; /* with "[]:65535" it fits the callers' 64 octets */
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        uv_ip4_name(in, ip, sizeof ip);
        port = ntohs(in->sin_port);
        snprintf(out, cap, "%s:%d", ip, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        uv_ip6_name(in6, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
        snprintf(out, cap, "[%s]:%d", ip, port);
    } else {
        snprintf(out, cap, "?");
    }
}

int dnp3_iox_resolve(const char *host, uint16_t port, struct sockaddr_storage *out, const char **why)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_NUMERICSERV;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc != 0 || !res) {
        *why = rc != 0 ? gai_strerror(rc) : "no address";
        return DNP3_ERR_IO_ADDRESS;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}
