#!/usr/bin/env python3
"""tcp_pcap.py OUT.pcap < SCRIPT

Writes a classic pcap (Ethernet, IPv4) of one TCP connection between a master
10.0.0.1:50000 ("c") and an outstation 10.0.0.2:20000 ("s") for the capture
tests of `dnp3 decode` (tests/scripts/test_decode.sh). Sequence and
acknowledgement numbers follow RFC 9293: SYN and FIN take one sequence number
each, every segment acknowledges everything the peer has sent so far.

One segment per line ('#' starts a comment):

    c|s FLAGS [lost=N] [isn=N] [HEX...]

FLAGS is a combination of S (SYN), A (ACK), F (FIN), R (RST), P (PSH), or '-'
for none. lost=N: N octets were sent before this segment's data but are not in
the capture (a stream gap). isn=N: this side's sequence number jumps to N
first (a new connection on the same ports). HEX is the TCP payload.
"""
import struct
import sys

HOSTS = {"c": (bytes([10, 0, 0, 1]), 50000), "s": (bytes([10, 0, 0, 2]), 20000)}
FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def packet(side, flags, seq, ack, payload, ident):
    (src, sport), (dst, dport) = HOSTS[side], HOSTS["s" if side == "c" else "c"]
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ident, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ip + tcp


def main():
    out = open(sys.argv[1], "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    nxt = {"c": 1000, "s": 5000}  # next sequence number each side sends
    seen = {"c": False, "s": False}  # the peer's first segment seen (ACK numbers start)
    t = 1715679000.0
    ident = 1
    for line in sys.stdin:
        words = line.split("#")[0].split()
        if not words:
            continue
        side, flags = words[0], 0 if words[1] == "-" else sum(FLAG_BITS[f] for f in words[1])
        hexwords = []
        for w in words[2:]:
            if w.startswith("lost="):
                nxt[side] = (nxt[side] + int(w[5:])) & 0xFFFFFFFF
            elif w.startswith("isn="):
                nxt[side] = int(w[4:])
            else:
                hexwords.append(w)
        payload = bytes.fromhex("".join(hexwords))
        peer = "s" if side == "c" else "c"
        ack = nxt[peer] if seen[side] or flags & 0x10 else 0
        seq = nxt[side]
        seen[peer] = True
        frame = packet(side, flags, seq, ack, payload, ident)
        ident += 1
        sec, usec = int(t), int(round((t - int(t)) * 1e6))
        out.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
        t += 0.01
        nxt[side] = (seq + len(payload) + (1 if flags & 0x02 else 0) + (1 if flags & 0x01 else 0)) & 0xFFFFFFFF
    out.close()


if __name__ == "__main__":
    main()
