#!/usr/bin/env python3
"""retime.py - spread the TCP sessions of a classic pcap over days.

Usage: retime.py [-n COPIES] IN OUT START STEP

Each TCP connection (told apart by its two address:port ends) is moved
so that it begins START + i * STEP seconds (i: the connections in order
of their first packet); the times of packets within a connection keep
their offsets.  With -n, the connections of IN are written COPIES times
over, one after the other (i goes on counting): a name's ten sessions
over days from a capture of four (tests/signals.sh, default
thresholds).  A copy repeats the addresses and ports of its original a
whole cycle of STEPs later, long after the sensor forgot that flow.  The signals learn a name's profile over packet time
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
    args, copies = sys.argv[1:], 1
    if len(args) == 6 and args[0] == '-n':
        copies, args = int(args[1]), args[2:]
    if len(args) != 4 or copies < 1:
        sys.exit(__doc__)
    e, head, link, pkts = read_pcap(args[0])
    start, step = int(args[2]), int(args[3])
    first = {}
    for p in pkts:
        first.setdefault(conn_key(link, p[2]), p[0])
    order = sorted(first, key=lambda k: first[k])
    out = []
    for c in range(copies):
        base = {k: (start + (c * len(order) + i) * step) * 1000000 -
                first[k] for i, k in enumerate(order)}
        out += [(t + base[conn_key(link, body)], orig, body)
                for t, orig, body in pkts]
    out.sort(key=lambda p: p[0])
    with open(args[1], 'wb') as f:
        f.write(head)
        for t, orig, body in out:
            f.write(struct.pack(e + 'IIII', t // 1000000, t % 1000000,
                                len(body), orig) + body)
    print('%s: %d connections from %d, every %d s' %
          (args[1], copies * len(order), start, step))


main()
