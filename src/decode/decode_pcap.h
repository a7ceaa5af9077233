/*
 * decode_pcap.h - `dnp3 decode --pcap`: reads a pcap or pcapng capture with
 * libpcap, takes TCP and UDP packets to or from one port (20000 by default;
 * IEEE 1815-2012 Annex on DNP3 over IP) over Ethernet (with VLAN tags), Linux
 * cooked (v1, v2), raw IP or BSD loopback links, IPv4 or IPv6, reassembles
 * each TCP direction (tcp_reasm) and feeds the octets to the decode pipeline
 * (decode_stream); UDP datagrams are decoded one by one.
 */
#ifndef DNP3_CLI_DECODE_PCAP_H
#define DNP3_CLI_DECODE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode_stream.h"

/*
 * Decodes the capture at `path`. Returns 0 when the file was read (problems in
 * the traffic are counted in d->errors), or -1 when it could not be opened or
 * is not a capture libpcap reads (message in err).
 */
int dnp3_decode_pcap_file(decoder *d, const char *path, uint16_t port, char *err, size_t errcap);

/*
 * True if `path` is a readable file that starts with the magic number of a
 * pcap (microsecond or nanosecond, either byte order) or pcapng (section
 * header block) capture, so `dnp3 decode FILE` can tell a capture from hex.
 */
bool dnp3_decode_pcap_is_capture(const char *path);

#endif
