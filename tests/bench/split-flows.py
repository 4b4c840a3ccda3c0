#!/usr/bin/env python3
"""split-flows.py IN.pcap OUT0.pcap OUT1.pcap - split a classic Ethernet
pcap into two captures by a symmetric hash of each frame's IP address pair
(VLAN and QinQ tags skipped; both directions of a flow, and every fragment
of a datagram, land in the same half; frames that are not IP go to OUT0).

For `tests/bench/run workers`: two independent one-worker rootwatch
processes replaying one half each, side by side, bound what any threaded
replay of the whole capture can reach on this machine (no shared memory,
no hand-over between threads, each half's certificates parsed once per
process as each worker parses its own).
"""
import struct
import sys
import zlib

VLAN_TYPES = (0x8100, 0x88A8, 0x9100)


def half(frame):
    if len(frame) < 14:
        return 0
    off = 12
    etype = struct.unpack_from(">H", frame, off)[0]
    off += 2
    while etype in VLAN_TYPES and len(frame) >= off + 4:
        etype = struct.unpack_from(">H", frame, off + 2)[0]
        off += 4
    if etype == 0x0800 and len(frame) >= off + 20:
        a, b = frame[off + 12:off + 16], frame[off + 16:off + 20]
    elif etype == 0x86DD and len(frame) >= off + 40:
        a, b = frame[off + 8:off + 24], frame[off + 24:off + 40]
    else:
        return 0
    return zlib.crc32(min(a, b) + max(a, b)) & 1


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[0])
    with open(sys.argv[1], "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            sys.exit("%s: not a pcap" % sys.argv[1])
        magic = hdr[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            end = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            end = ">"
        else:
            sys.exit("%s: not a classic pcap" % sys.argv[1])
        if struct.unpack(end + "I", hdr[20:24])[0] & 0xFFFF != 1:
            sys.exit("%s: not Ethernet" % sys.argv[1])
        outs = [open(p, "wb") for p in sys.argv[2:4]]
        for o in outs:
            o.write(hdr)
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            caplen = struct.unpack(end + "I", rh[8:12])[0]
            frame = f.read(caplen)
            if len(frame) < caplen:
                break
            outs[half(frame)].write(rh + frame)
        for o in outs:
            o.close()


if __name__ == "__main__":
    main()
