#!/usr/bin/env python3
"""quic_gen.py - captures for the QUIC-blocked signal (tests/quic.sh).

usage: quic_gen.py SITES_QUIC_PCAPNG OUTDIR

Takes the first client QUIC Initial of classroom.google.com from the QUIC
corpus (sites_quic.pcapng: a real Chrome Initial, so the sensor decrypts
it as it would on the wire) and replays its UDP payload from our own
addresses and times, followed by a TCP connection of the same client
carrying a TLS ClientHello with the same SNI (built here).  Python
standard library only.  Writes:

  blocked.pcap   Initial at 0 s, retransmitted at 0.3 s and 0.9 s, no
                 server packet; TCP TLS to the name at 1.0 s; packets
                 until 6 s.                     -> one QUIC-blocked alert
  answered.pcap  the same, but the server answers the QUIC flow at
                 0.05 s.                       -> no alert
  late.pcap      the same as blocked, TCP only at 30 s (outside the
                 10 s window).                 -> no alert
  other.pcap     the same as blocked, the TCP hello names another
                 host.                         -> no alert
"""
import os
import struct
import sys

SNI = b"classroom.google.com"
CLIENT, SERVER = "10.9.0.7", "192.0.2.80"


def pcapng_udp_payloads(path):
    """(src, sport, dst, dport, payload) of each IPv4/UDP Ethernet frame."""
    data = open(path, "rb").read()
    off, le, out = 0, "<", []
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from(le + "II", data, off)
        if btype == 0x0A0D0D0A:
            le = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            blen = struct.unpack_from(le + "I", data, off + 4)[0]
        elif btype == 6:
            caplen = struct.unpack_from(le + "I", data, off + 20)[0]
            out.append(data[off + 28:off + 28 + caplen])
        off += blen
    res = []
    for f in out:
        if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        u = 14 + ihl
        sport, dport, ulen = struct.unpack_from(">HHH", f, u)
        res.append((f[26:30], sport, f[30:34], dport, f[u + 8:u + ulen]))
    return res


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def frame(src, dst, proto, l4):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto,
                    0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + h + l4


def udp(src, sp, dst, dp, payload):
    return frame(src, dst, 17, struct.pack(">HHHH", sp, dp, 8 + len(payload),
                                           0) + payload)


def tcp(src, sp, dst, dp, seq, ack, flags, payload=b""):
    h = struct.pack(">HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0,
                    0)
    pseudo = ip4(src) + ip4(dst) + struct.pack(">BBH", 0, 6,
                                               len(h) + len(payload))
    c = csum(pseudo + h + payload)
    return frame(src, dst, 6, h[:16] + struct.pack(">H", c) + h[18:] +
                 payload)


def client_hello(sni):
    name = struct.pack(">BH", 0, len(sni)) + sni
    ext = struct.pack(">HH", 0, len(name) + 2) + struct.pack(">H",
                                                              len(name)) + name
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x00\x02\x13\x01" +
            b"\x01\x00" + struct.pack(">H", len(ext)) + ext)
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


def tcp_session(t, sp, sni):
    c, s = 1000, 5000
    hello = client_hello(sni)
    return [
        (t, tcp(CLIENT, sp, SERVER, 443, c, 0, 0x02)),
        (t + 0.02, tcp(SERVER, 443, CLIENT, sp, s, c + 1, 0x12)),
        (t + 0.04, tcp(CLIENT, sp, SERVER, 443, c + 1, s + 1, 0x10)),
        (t + 0.05, tcp(CLIENT, sp, SERVER, 443, c + 1, s + 1, 0x18, hello)),
        (t + 0.07, tcp(SERVER, 443, CLIENT, sp, s + 1, c + 1 + len(hello),
                       0x10)),
    ]


def write(path, pkts):
    base = 1700000000.0
    with open(path, "wb") as fp:
        fp.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, f in sorted(pkts, key=lambda p: p[0]):
            us = int(round((base + t) * 1e6))
            fp.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(f),
                                 len(f)) + f)


def main():
    src, outdir = sys.argv[1:3]
    initial = None
    for s, sp, d, dp, p in pcapng_udp_payloads(src):
        if dp == 443 and sp == 59102 and p[:1] and p[0] & 0x80:
            initial = p
            break
    if initial is None:
        raise SystemExit("no Initial of port 59102 in " + src)
    quic = [(t, udp(CLIENT, 50123, SERVER, 443, initial))
            for t in (0.0, 0.3, 0.9)]
    tail = [(float(t), udp(CLIENT, 53000 + t, "192.0.2.53", 53, b"\0" * 12))
            for t in range(2, 7)]
    write(os.path.join(outdir, "blocked.pcap"),
          quic + tcp_session(1.0, 40123, SNI) + tail)
    answer = [(0.05, udp(SERVER, 443, CLIENT, 50123, b"\xc1" + initial[1:]))]
    write(os.path.join(outdir, "answered.pcap"),
          quic + answer + tcp_session(1.0, 40123, SNI) + tail)
    write(os.path.join(outdir, "late.pcap"),
          quic + tcp_session(30.0, 40123, SNI) + tail)
    write(os.path.join(outdir, "other.pcap"),
          quic + tcp_session(1.0, 40123, b"www.example.org") + tail)


if __name__ == "__main__":
    main()
