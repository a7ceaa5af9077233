# rawmaster.py - a raw DNP3 master over TCP for the script tests (imported, never run): link
# frames (IEEE 1815-2012 clause 9.2.4, CRC-16/DNP) and transport segments (clause 8) written and
# read by hand, so a test controls exactly what the outstation sees and when (unconfirmed
# responses, junk octets, bad CRCs). Independent of the library's own encoders on purpose.
import socket
import time


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA6BC if crc & 1 else crc >> 1
    crc = ~crc & 0xFFFF
    return bytes([crc & 0xFF, crc >> 8])


def frame(ctrl, dest, src, user=b""):
    hdr = bytes([0x05, 0x64, 5 + len(user), ctrl, dest & 0xFF, dest >> 8, src & 0xFF, src >> 8])
    out = hdr + crc16(hdr)
    for i in range(0, len(user), 16):
        blk = user[i:i + 16]
        out += blk + crc16(blk)
    return out


class Master:
    """One TCP connection to an outstation at link address `os_addr`, we are `addr`."""

    def __init__(self, port, os_addr=10, addr=1, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=5)
        self.os_addr, self.addr = os_addr, addr
        self.rx = b""
        self.tseq = 0
        self.aseq = 0
        self.frag = None
        self.closed = False

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_apdu(self, apdu):
        """One fragment in one UNCONFIRMED_USER_DATA frame (FIR FIN)."""
        th = bytes([0xC0 | self.tseq])
        self.tseq = (self.tseq + 1) & 0x3F
        self.send_raw(frame(0xC4, self.os_addr, self.addr, th + apdu))

    def request(self, fc, objects=b""):
        """A request with the next application SEQ; returns the SEQ."""
        seq = self.aseq
        self.aseq = (self.aseq + 1) & 0x0F
        self.send_apdu(bytes([0xC0 | seq, fc]) + objects)
        return seq

    def confirm(self, seq, uns):
        self.send_apdu(bytes([0xC0 | (0x10 if uns else 0) | seq, 0x00]))

    def _frames(self):
        """Complete frames in the receive buffer: (ctrl, user data)."""
        while len(self.rx) >= 10:
            if self.rx[0:2] != b"\x05\x64":
                raise ValueError("bad start octets from the outstation: %s" % self.rx[:10].hex())
            n = self.rx[2] - 5
            size = 10 + n + 2 * ((n + 15) // 16)
            if len(self.rx) < size:
                return
            f, self.rx = self.rx[:size], self.rx[size:]
            user = b""
            for i in range(10, size, 18):
                user += f[i:min(i + 16, size - 2)]
            yield f[3], user

    def poll(self, timeout):
        """Waits up to `timeout` s for the next fragment (bytes) or link frame ('link', ctrl).
        Returns None on timeout, 'closed' when the outstation closed the connection."""
        end = time.monotonic() + timeout
        while True:
            for ctrl, user in self._frames():
                if (ctrl & 0x0F) not in (3, 4):
                    return ("link", ctrl)
                th = user[0]
                if th & 0x40:
                    self.frag = b""
                if self.frag is None:
                    continue
                self.frag += user[1:]
                if th & 0x80:
                    f, self.frag = self.frag, None
                    return f
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                return None
            except ConnectionError:
                d = b""
            if not d:
                self.closed = True
                return "closed"
            self.rx += d

    def close(self):
        self.sock.close()


def describe(frag):
    """'RESP seq=N' / 'UNSOL seq=N con' ... for a fragment, for logs."""
    if frag is None or isinstance(frag, (str, tuple)):
        return str(frag)
    ac, fc = frag[0], frag[1]
    kind = {0x81: "RESP", 0x82: "UNSOL", 0x83: "AUTH"}.get(fc, "FC%d" % fc)
    flags = ("con " if ac & 0x20 else "") + ("uns " if ac & 0x10 else "")
    return "%s seq=%d %sobjects=%d iin=%s" % (kind, ac & 0x0F, flags, len(frag) - 4, frag[2:4].hex())
