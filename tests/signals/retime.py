#!/usr/bin/env python3
"""retime.py - spread the TCP sessions of a classic pcap over days.

Usage: retime.py IN OUT START STEP

Each TCP connection (told apart by its two address:port ends) is moved
so that it begins START + i * STEP seconds (i: the connections in order
of their first packet); the times of packets within a connection keep
their offsets.  The signals learn a name's profile over packet time
(rootwatch(8) SIGNALS: a profile is stable after enough sessions over
enough hours), so a capture made in a minute on loopback is spread over
days here.  Only Ethernet/IPv4/TCP or Linux cooked (SLL) frames as
tcpdump -i lo writes them; anything else is an error.
"""
import struct
import sys


def read_pcap(path):
    data = open(path, 'rb').read()
    if len(data) < 24:
        sys.exit('%s: not a pcap' % path)
    magic = data[:4]
    if magic == b'\xd4\xc3\xb2\xa1':
        e = '<'
    elif magic == b'\xa1\xb2\xc3\xd4':
        e = '>'
    else:
        sys.exit('%s: not a microsecond pcap' % path)
    link = struct.unpack(e + 'I', data[20:24])[0]
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, usec, cap, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        body = data[off + 16:off + 16 + cap]
        if len(body) != cap:
            sys.exit('%s: truncated at %d' % (path, off))
        pkts.append([sec * 1000000 + usec, orig, body])
        off += 16 + cap
    return e, data[:24], link, pkts


def conn_key(link, body):
    """The connection a frame belongs to: its sorted ends."""
    if link == 1:          # Ethernet
        ip = 14
    elif link == 113:      # Linux cooked
        ip = 16
    else:
        sys.exit('link type %d not handled' % link)
    if len(body) < ip + 20 or body[ip] >> 4 != 4 or body[ip + 9] != 6:
        sys.exit('not IPv4/TCP')
    t = ip + (body[ip] & 15) * 4
    src = body[ip + 12:ip + 16] + body[t:t + 2]
    dst = body[ip + 16:ip + 20] + body[t + 2:t + 4]
    return tuple(sorted((src, dst)))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    e, head, link, pkts = read_pcap(sys.argv[1])
    start, step = int(sys.argv[3]), int(sys.argv[4])
    first = {}
    for p in pkts:
        first.setdefault(conn_key(link, p[2]), p[0])
    order = sorted(first, key=lambda k: first[k])
    base = {k: (start + i * step) * 1000000 - first[k]
            for i, k in enumerate(order)}
    for p in pkts:
        p[0] += base[conn_key(link, p[2])]
    pkts.sort(key=lambda p: p[0])
    with open(sys.argv[2], 'wb') as f:
        f.write(head)
        for t, orig, body in pkts:
            f.write(struct.pack(e + 'IIII', t // 1000000, t % 1000000,
                                len(body), orig) + body)
    print('%s: %d connections from %d, every %d s' %
          (sys.argv[2], len(order), start, step))


main()
