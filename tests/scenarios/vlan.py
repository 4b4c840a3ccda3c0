#!/usr/bin/env python3
"""vlan.py VID IN.pcap OUT.pcap - insert an 802.1Q tag into each frame.

Linux captures on lo are classic pcap, DLT_EN10MB (1) with zero MACs:
the tag (TPID 0x8100, TCI = VID) goes after the two MAC addresses.
"""
import struct
import sys


def main():
    vid, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    data = open(src, "rb").read()
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1" or magic == b"\x4d\x3c\xb2\xa1":
        e = "<"
    elif magic == b"\xa1\xb2\xc3\xd4" or magic == b"\xa1\xb2\x3c\x4d":
        e = ">"
    else:
        sys.exit("%s: not a classic pcap file" % src)
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit("%s: link type %d, want 1 (Ethernet)" % (src, linktype))
    out = [data[:24]]
    off = 24
    tag = struct.pack(">HH", 0x8100, vid & 0x0FFF)
    while off < len(data):
        ts, tsu, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        frame = frame[:12] + tag + frame[12:]
        out.append(struct.pack(e + "IIII", ts, tsu, incl + 4, orig + 4))
        out.append(frame)
    open(dst, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
