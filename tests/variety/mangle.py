#!/usr/bin/env python3
"""mangle.py - TCP-level variants of a loopback capture, for the
reassembler: the same bytes in other packets.

  mangle.py IN.pcap OUT_PREFIX SEED

writes OUT_PREFIX-split.pcap (every payload cut into 1..200-byte
segments), OUT_PREFIX-ooo.pcap (split, then segments of each direction
shuffled within windows of 6 before the next packet of the other side),
OUT_PREFIX-dup.pcap (split, each segment preceded by a retransmission
overlapping it and the one before it).  Classic pcap, Linux cooked or
Ethernet, IPv4/IPv6 without options; checksums recomputed.  Python 3
standard library only.
"""
import random
import struct
import sys


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    end = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    linktype = struct.unpack(end + 'I', data[20:24])[0]
    pkts, off = [], 24
    while off + 16 <= len(data):
        ts, tf, caplen, wire = struct.unpack(end + 'IIII', data[off:off + 16])
        pkts.append((ts, tf, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return data[:24], linktype, end, pkts


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def split_ip(frame, linktype):
    l2 = 14 if linktype == 1 else 16   # Ethernet or Linux cooked
    return frame[:l2], frame[l2:]


def build(l2, ip, tcp_hdr, seq, payload):
    v = ip[0] >> 4
    th = bytearray(tcp_hdr)
    struct.pack_into('!I', th, 4, seq)
    th[16:18] = b'\0\0'
    if v == 4:
        ih = bytearray(ip[:20])
        struct.pack_into('!H', ih, 2, 20 + len(th) + len(payload))
        ih[10:12] = b'\0\0'
        struct.pack_into('!H', ih, 10, csum(bytes(ih)))
        pseudo = ih[12:20] + struct.pack('!BBH', 0, 6, len(th) + len(payload))
    else:
        ih = bytearray(ip[:40])
        struct.pack_into('!H', ih, 4, len(th) + len(payload))
        pseudo = ih[8:40] + struct.pack('!IxxxB', len(th) + len(payload), 6)
    struct.pack_into('!H', th, 16, csum(bytes(pseudo) + bytes(th) + payload))
    return l2 + bytes(ih) + bytes(th) + payload


def parse(frame, linktype):
    l2, ip = split_ip(frame, linktype)
    v = ip[0] >> 4
    ihl = (ip[0] & 15) * 4 if v == 4 else 40
    if (v == 4 and ip[9] != 6) or (v == 6 and ip[6] != 6):
        return None
    tcp = ip[ihl:]
    thl = (tcp[12] >> 4) * 4
    plen = (struct.unpack('!H', ip[2:4])[0] - ihl if v == 4 else
            struct.unpack('!H', ip[4:6])[0]) - thl
    sport = struct.unpack('!H', tcp[0:2])[0]
    seq = struct.unpack('!I', tcp[4:8])[0]
    return l2, ip[:ihl], tcp[:thl], sport, seq, tcp[thl:thl + plen]


def pieces(rng, pkt, linktype):
    p = parse(pkt[2], linktype)
    if p is None or not p[5]:
        return [pkt]
    l2, ip, th, sport, seq, pay = p
    out, i = [], 0
    while i < len(pay):
        n = rng.randint(1, 200)
        out.append((pkt[0], pkt[1], (l2, ip, th, seq + i, pay[i:i + n])))
        i += n
    return out


def variant(rng, pkts, linktype, kind):
    res = []
    for pkt in pkts:
        ps = pieces(rng, pkt, linktype)
        if len(ps) == 1 and not isinstance(ps[0][2], tuple):
            res.append(ps[0])
            continue
        if kind == 'ooo':
            for i in range(0, len(ps), 6):
                w = ps[i:i + 6]
                rng.shuffle(w)
                ps[i:i + 6] = w
        out = []
        prev = None
        for ts, tf, (l2, ip, th, seq, pay) in ps:
            if kind == 'dup' and prev is not None:
                pl2, pip, pth, pseq, ppay = prev
                # a retransmission covering the tail of the previous
                # segment and the head of this one, same bytes
                cut = len(ppay) // 2
                out.append((ts, tf, build(l2, ip, th, pseq + cut,
                                          ppay[cut:] + pay[:len(pay) // 2])))
            out.append((ts, tf, build(l2, ip, th, seq, pay)))
            prev = (l2, ip, th, seq, pay)
        res.extend(out)
    return res


def write(path, head, end, pkts):
    with open(path, 'wb') as f:
        f.write(head)
        for ts, tf, b in pkts:
            f.write(struct.pack(end + 'IIII', ts, tf, len(b), len(b)) + b)


def main():
    src, prefix, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    head, linktype, end, pkts = read_pcap(src)
    for kind in ('split', 'ooo', 'dup'):
        rng = random.Random(seed)
        write('%s-%s.pcap' % (prefix, kind), head, end,
              variant(rng, pkts, linktype, kind))


if __name__ == '__main__':
    main()
