#!/usr/bin/env python3
"""make.py - test captures for tests/replay.sh (python3 stdlib, plus the
`zstd` command when installed).

    make.py OUTDIR SOURCE.pcap...

From classic Ethernet pcaps (tests/scenarios, tests/corpus) it writes:
  all.pcap      every packet of the sources, each source moved to its own
                20 s slot, sorted, timestamps made strictly increasing (no
                ties: a merge could order tied packets either way)
  tree/         all.pcap cut into rotated files of a few packets, as a field
                kit or `tcpdump -G`/`dumpcap -b` leave them: spread over
                subdirectories, named so that name order is not time order;
                some gzip'd, xz'd, zstd'd (when `zstd` exists), some pcapng,
                one big-endian nanosecond pcap; plus notes/README.txt (not a
                capture), damaged/cut.pcap (a capture of non-IP frames cut
                inside a record) and damaged/cut.pcap.gz (one cut inside its
                gzip stream)
  cut.offset    offset of the record damaged/cut.pcap is cut in
  east.pcap     the packets of all.pcap sent by each flow's initiator
  west.pcap.gz  the others (the two directions, as two taps record them)
"""
import gzip
import hashlib
import lzma
import os
import shutil
import struct
import subprocess
import sys

T0 = 1780000000 * 1000000          # packet time of the first slot (us)
SLOT = 20 * 1000000
CHUNK = 6                           # packets per rotated file


def read_pcap(path):
    d = open(path, "rb").read()
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("%s: not classic pcap" % path)
    nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    if struct.unpack(e + "I", d[20:24])[0] & 0xffff != 1:
        raise SystemExit("%s: not Ethernet" % path)
    off, out = 24, []
    while off + 16 <= len(d):
        s, f, cap, orig = struct.unpack(e + "IIII", d[off:off + 16])
        us = s * 1000000 + (f // 1000 if nsec else f)
        out.append((us, orig, d[off + 16:off + 16 + cap]))
        off += 16 + cap
    return out


def pcap_bytes(pkts, be=False, nsec=False):
    e = ">" if be else "<"
    b = [struct.pack(e + "IHHiIII", 0xa1b23c4d if nsec else 0xa1b2c3d4,
                     2, 4, 0, 0, 262144, 1)]
    for us, orig, data in pkts:
        frac = us % 1000000 * (1000 if nsec else 1)
        b.append(struct.pack(e + "IIII", us // 1000000, frac, len(data), orig))
        b.append(data)
    return b"".join(b)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def block(btype, body):
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_bytes(pkts):
    """pcapng: SHB, one IDB (Ethernet, microseconds), one EPB per packet."""
    b = [block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1)),
         block(1, struct.pack("<HHI", 1, 0, 262144))]
    for us, orig, data in pkts:
        b.append(block(6, struct.pack("<IIIII", 0, us >> 32, us & 0xffffffff,
                                      len(data), orig) + pad4(data)))
    return b"".join(b)


def flow_key(data):
    """(a, b) endpoints of an IPv4/IPv6 TCP/UDP frame (after VLAN tags), or
    None."""
    off, et = 12, struct.unpack(">H", data[12:14])[0]
    while et in (0x8100, 0x88a8) and len(data) >= off + 6:
        off += 4
        et = struct.unpack(">H", data[off:off + 2])[0]
    off += 2
    if et == 0x0800 and len(data) >= off + 20:
        ihl = (data[off] & 15) * 4
        proto, src, dst = data[off + 9], data[off + 12:off + 16], data[off + 16:off + 20]
        l4 = off + ihl
    elif et == 0x86dd and len(data) >= off + 40:
        proto, src, dst = data[off + 6], data[off + 8:off + 24], data[off + 24:off + 40]
        l4 = off + 40
    else:
        return None
    if proto not in (6, 17) or len(data) < l4 + 4:
        return None
    sp, dp = struct.unpack(">HH", data[l4:l4 + 4])
    return (proto, src, sp), (proto, dst, dp)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def build_all(sources):
    pkts = []
    for k, src in enumerate(sources):
        p = read_pcap(src)
        if not p:
            continue
        base = p[0][0]
        pkts += [(T0 + k * SLOT + us - base, orig, d) for us, orig, d in p]
    pkts.sort(key=lambda x: x[0])
    last = -1
    for i, (us, orig, d) in enumerate(pkts):
        if us <= last:
            us = last + 1
        pkts[i] = (us, orig, d)
        last = us
    return pkts


def store(tree, i, chunk, have_zstd):
    """Rotated file i: format and compression by its number."""
    sub = os.path.join(tree, "kit%d" % (i % 3), "h%02d" % (i % 4))
    name = "ring-" + hashlib.sha1(b"%d" % i).hexdigest()[:8]
    kind = i % 7
    if kind == 1:
        write(os.path.join(sub, name + ".pcap.gz"), gzip.compress(pcap_bytes(chunk)))
    elif kind == 2:
        write(os.path.join(sub, name + ".pcap.xz"), lzma.compress(pcap_bytes(chunk)))
    elif kind == 3 and have_zstd:
        raw = os.path.join(sub, name + ".pcap")
        write(raw, pcap_bytes(chunk))
        subprocess.run(["zstd", "-q", "--rm", "-f", raw], check=True)
    elif kind == 4:
        write(os.path.join(sub, name + ".pcapng"), pcapng_bytes(chunk))
    elif kind == 5:
        write(os.path.join(sub, name + ".pcapng.gz"), gzip.compress(pcapng_bytes(chunk)))
    elif kind == 6:
        write(os.path.join(sub, name + ".pcap"), pcap_bytes(chunk, be=True, nsec=True))
    else:
        write(os.path.join(sub, name + ".pcap"), pcap_bytes(chunk))


def damaged(out, tree, t):
    """Captures of non-IP frames (no events): one cut inside a record, one
    cut inside its gzip stream."""
    frame = b"\xff" * 6 + b"\x02" * 6 + b"\x88\xb5" + bytes(range(46))
    pk = [(t + i * 1000, len(frame), frame) for i in range(400)]
    full = pcap_bytes(pk)
    cut = 24 + 10 * (16 + len(frame)) + 20      # inside record 11
    write(os.path.join(tree, "damaged", "cut.pcap"), full[:cut])
    write(os.path.join(out, "cut.offset"), b"%d\n" % (cut - 20))
    gz = gzip.compress(full, compresslevel=1)
    write(os.path.join(tree, "damaged", "cut.pcap.gz"), gz[:len(gz) * 2 // 3])
    write(os.path.join(tree, "notes", "README.txt"),
          b"field kit 7, hourly rotation, times in UTC\n")


def directions(out, pkts):
    east, west, initiator = [], [], {}
    for p in pkts:
        k = flow_key(p[2])
        if k is None:
            east.append(p)
            continue
        key = frozenset(k)
        initiator.setdefault(key, k[0])
        (east if initiator[key] == k[0] else west).append(p)
    write(os.path.join(out, "east.pcap"), pcap_bytes(east))
    write(os.path.join(out, "west.pcap.gz"), gzip.compress(pcap_bytes(west)))


def main():
    out, sources = sys.argv[1], sys.argv[2:]
    pkts = build_all(sources)
    write(os.path.join(out, "all.pcap"), pcap_bytes(pkts))
    tree = os.path.join(out, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    have_zstd = shutil.which("zstd") is not None
    for i in range(0, (len(pkts) + CHUNK - 1) // CHUNK):
        store(tree, i, pkts[i * CHUNK:(i + 1) * CHUNK], have_zstd)
    damaged(out, tree, pkts[len(pkts) // 2][0])
    directions(out, pkts)
    print("%d packets, %d rotated files%s" % (len(pkts), (len(pkts) + CHUNK - 1) // CHUNK,
          "" if have_zstd else " (no zstd command: no .zst file)"))


if __name__ == "__main__":
    main()
