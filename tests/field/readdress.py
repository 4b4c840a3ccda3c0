#!/usr/bin/env python3
"""readdress.py IN.pcap OUT.pcap SERVER_PORT CLIENT_IP SERVER_IP CLIENT_MAC
                SERVER_MAC SHIFT_SECONDS

Give a loopback capture (tests/scenarios: classic pcap, Ethernet, IPv4,
127.0.0.1 both ways, zero MACs) a distinct client and server: the frames
sent from SERVER_PORT come from SERVER_IP/SERVER_MAC, the others from
CLIENT_IP/CLIENT_MAC; packet times move by SHIFT_SECONDS.  IPv4 and TCP
checksums are computed anew (a loopback capture's are often left to
offload).  tests/field.sh uses it to build a LAN-like replay.
"""
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def rewrite(frame, port, cip, sip, cmac, smac):
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    ihl = (frame[14] & 0x0F) * 4
    ip = bytearray(frame[14:])
    tot = struct.unpack("!H", ip[2:4])[0]
    l4 = ip[ihl:tot]
    from_server = ip[9] == 6 and struct.unpack("!H", l4[0:2])[0] == port
    src, dst = (sip, cip) if from_server else (cip, sip)
    eth = (cmac if from_server else smac) + (smac if from_server else cmac)
    ip[12:16], ip[16:20] = src, dst
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", csum(bytes(ip[:ihl])))
    if ip[9] == 6 and len(l4) >= 20:
        l4 = bytearray(l4)
        l4[16:18] = b"\0\0"
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(l4))
        l4[16:18] = struct.pack("!H", csum(pseudo + bytes(l4)))
        ip[ihl:tot] = l4
    return eth + frame[12:14] + bytes(ip)


def main():
    a = sys.argv[1:]
    if len(a) != 8:
        sys.exit(__doc__)
    data = open(a[0], "rb").read()
    if data[:4] != b"\xd4\xc3\xb2\xa1":
        sys.exit("%s: want little-endian microsecond pcap" % a[0])
    port = int(a[2])
    cip, sip = socket.inet_aton(a[3]), socket.inet_aton(a[4])
    cmac, smac = mac(a[5]), mac(a[6])
    shift = int(a[7])
    out, off = [data[:24]], 24
    while off + 16 <= len(data):
        ts, us, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frame = rewrite(data[off + 16:off + 16 + incl], port, cip, sip,
                        cmac, smac)
        off += 16 + incl
        out.append(struct.pack("<IIII", ts + shift, us, len(frame),
                               orig - incl + len(frame)))
        out.append(frame)
    open(a[1], "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
