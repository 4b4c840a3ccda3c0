#!/usr/bin/env python3
"""make.py - wrap one TLS handshake in every encapsulation rootwatch reads.

Usage: make.py [SRC.pcap [OUTDIR]]
  (defaults: tests/scenarios/kz-qaznet-root-sent.pcap, tests/encap)

The source is a classic Ethernet pcap of one TLS 1.2 handshake on
loopback (127.0.0.1:34388 -> 127.0.0.1:44301).  Each variant rewrites its
frames and writes OUTDIR/<name>.pcap; OUTDIR/expect.json says, per
variant, what rootwatch must report (vlan ids, server address and port,
decapsulation notes counted in the stats event, one-sided or not).
Standard library only; deterministic output (no clock, no randomness).
See README.md in this directory for the list.
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

DLT_NULL, DLT_EN10MB, LINKTYPE_RAW, DLT_LOOP = 0, 1, 101, 108
DLT_LINUX_SLL, DLT_LINUX_SLL2 = 113, 276

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
V4_A, V4_B = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
V6_LO = bytes(15) + b"\x01"			# ::1
V6_A = bytes.fromhex("20010db8000000000000000000000001")
V6_B = bytes.fromhex("20010db8000000000000000000000002")


# --- pcap I/O ----------------------------------------------------------

def read_pcap(path):
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        sys.exit("%s: not a classic pcap file" % path)
    if struct.unpack(e + "I", data[20:24])[0] != DLT_EN10MB:
        sys.exit("%s: not Ethernet" % path)
    pkts, off = [], 24
    while off < len(data):
        sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        pkts.append((sec, frac, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return pkts


def write_pcap(path, dlt, pkts, big_endian=False):
    e = ">" if big_endian else "<"
    out = [struct.pack(e + "IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, dlt)]
    for sec, usec, frame in pkts:
        out.append(struct.pack(e + "IIII", sec, usec, len(frame), len(frame)))
        out.append(frame)
    with open(path, "wb") as f:
        f.write(b"".join(out))


# --- header builders ---------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4_hdr(proto, src, dst, payload_len, ident=0, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, frag,
                    64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def ipv6_hdr(nh, src, dst, payload_len):
    return struct.pack("!IHBB16s16s", 0x60000000, payload_len, nh, 64,
                       src, dst)


def eth(payload, etype, dst=MAC_B, src=MAC_A):
    return dst + src + struct.pack("!H", etype) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def over_ipv4(proto, payload):
    return eth(ipv4_hdr(proto, V4_A, V4_B, len(payload)) + payload, 0x0800)


def over_ipv6(nh, payload):
    return eth(ipv6_hdr(nh, V6_A, V6_B, len(payload)) + payload, 0x86dd)


# --- the source packets, split ------------------------------------------

class Pkt:
    """One source frame: Ethernet / IPv4 / TCP header / payload."""

    def __init__(self, sec, usec, frame):
        self.sec, self.usec, self.frame = sec, usec, frame
        assert frame[12:14] == b"\x08\x00", "source must be Ethernet/IPv4"
        self.ip = frame[14:]
        ihl = (self.ip[0] & 15) * 4
        tot = struct.unpack("!H", self.ip[2:4])[0]
        self.ip = self.ip[:tot]
        self.iph = self.ip[:ihl]
        self.tcp = self.ip[ihl:]
        doff = (self.tcp[12] >> 4) * 4
        self.tcph, self.data = self.tcp[:doff], self.tcp[doff:]
        self.sport, self.dport = struct.unpack("!HH", self.tcp[:4])
        self.seq = struct.unpack("!I", self.tcp[4:8])[0]

    def with_tcp(self, tcph, data):
        """A copy with another TCP header and payload (IPv4 length/csum)."""
        ip = self.iph[:2] + struct.pack("!H", len(self.iph) + len(tcph) +
                                        len(data)) + self.iph[4:10] + \
            b"\0\0" + self.iph[12:]
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return Pkt(self.sec, self.usec, self.frame[:14] + ip + tcph + data)


def lift(pkts, fn):
    """Apply fn(Pkt) -> frame bytes, or list of frames, to every packet."""
    out = []
    for p in pkts:
        r = fn(p)
        for f in (r if isinstance(r, list) else [r]):
            out.append((p.sec, p.usec, f))
    return out


# --- variants ------------------------------------------------------------

def vlan_tags(*tags):
    """Tags (TPID, VID), outer first: each TPID is the type field before
    its tag, the last tag's type is IPv4."""
    def fn(p):
        tpids = [t for t, _ in tags] + [0x0800]
        body = b"".join(struct.pack("!HH", vid, tpids[i + 1])
                        for i, (_, vid) in enumerate(tags))
        return p.frame[:12] + struct.pack("!H", tpids[0]) + body + p.ip
    return fn


def mpls_labels(*labels):
    lse = b""
    for i, lab in enumerate(labels):
        s = 1 if i == len(labels) - 1 else 0
        lse += struct.pack("!I", lab << 12 | s << 8 | 64)
    return lse


def v_mpls(p):
    return eth(mpls_labels(1000, 2000) + p.ip, 0x8847)


def v_mpls_pw(p):
    return eth(mpls_labels(1000, 2000) + b"\0\0\0\0" + p.frame, 0x8847)


def v_pppoe(p):
    ppp = struct.pack("!H", 0x0021) + p.ip
    return eth(struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp, 0x8864)


def gre(proto, payload, key=None, seq=None):
    flags = (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0)
    h = struct.pack("!HH", flags, proto)
    if key is not None:
        h += struct.pack("!I", key)
    if seq is not None:
        h += struct.pack("!I", seq)
    return h + payload


def v_gre(p):
    return over_ipv4(47, gre(0x0800, p.ip))


def v_gre_keyseq(p):
    return over_ipv4(47, gre(0x0800, p.ip, key=0xdeadbeef, seq=p.seq & 0xffff))


def v_gre_ipv6(p):
    return over_ipv6(47, gre(0x0800, p.ip))


def v_gre_teb(p):
    return over_ipv4(47, gre(0x6558, p.frame))


def v_erspan2(p):
    # Ver=1 | VLAN=0 | COS=0 En=0 T=0 | Session=7 | Reserved | Index=0
    hdr = struct.pack("!HHI", 1 << 12 | 0, 7, 0)
    return over_ipv4(47, gre(0x88be, hdr + p.frame, seq=p.seq & 0xffff))


def erspan3(p, platform):
    w0 = 2 << 28 | 0 << 16 | 0 << 10 | 7		# Ver=2 VLAN=0 ... Session=7
    w2 = 0x1234 << 16 | 0 << 10 | 1 << 4 | (1 if platform else 0)  # FT=0
    hdr = struct.pack("!III", w0, 0x01020304, w2)
    if platform:
        hdr += struct.pack("!II", 3 << 26 | 0x55, 0x11223344)  # type 3
    return over_ipv4(47, gre(0x22eb, hdr + p.frame, seq=p.seq & 0xffff))


def v_vxlan(p):
    return over_ipv4(17, udp(49152, 4789,
                             struct.pack("!II", 0x08000000, 42 << 8) + p.frame))


def v_geneve(p):
    opt_data = b"\x01\x02\x03\x04\x05\x06\x07\x08"
    opt = struct.pack("!HBB", 0x0102, 0x80, len(opt_data) // 4) + opt_data
    hdr = struct.pack("!BBHI", len(opt) // 4, 0, 0x6558, 42 << 8) + opt
    return over_ipv4(17, udp(49153, 6081, hdr + p.frame))


def v_gtp(p):
    # flags: version 1, PT=1, E=1, S=1; T-PDU; then seq, N-PDU, next ext
    ext = struct.pack("!BBBB", 1, 0x00, 0x09, 0)	# PDU session container
    body = struct.pack("!HBB", 0x1234, 0, 0x85) + ext + p.ip
    hdr = struct.pack("!BBHI", 0x36, 0xff, len(body), 0x01020304)
    return over_ipv4(17, udp(2152, 2152, hdr + body))


def v_ipip4(p):
    return over_ipv4(4, p.ip)


def v_ipip6(p):
    return over_ipv6(4, p.ip)


def to_ipv6(p):
    """The same TCP segment over IPv6 ::1 -> ::1 (checksum not redone)."""
    return ipv6_hdr(6, V6_LO, V6_LO, len(p.tcp)) + p.tcp


def v_ipv6(p):
    return eth(to_ipv6(p), 0x86dd)


FRAG_AT = 600
FRAG_CHUNK = 512	# multiple of 8


def frag4(p):
    """IPv4 fragments of a datagram larger than FRAG_AT, in order."""
    if len(p.ip) <= FRAG_AT:
        return [p.frame[:14] + p.ip]
    body, out = p.tcp, []
    ident = struct.unpack("!H", p.iph[4:6])[0] or 0x4242
    for off in range(0, len(body), FRAG_CHUNK):
        chunk = body[off:off + FRAG_CHUNK]
        more = 0x2000 if off + FRAG_CHUNK < len(body) else 0
        h = ipv4_hdr(6, p.iph[12:16], p.iph[16:20], len(chunk), ident,
                     more | off // 8)
        out.append(p.frame[:14] + h + chunk)
    return out


def v_frag4(p):
    return frag4(p)


def v_frag4_rev(p):
    return list(reversed(frag4(p)))


def v_frag4_dup(p):
    f = frag4(p)
    return f if len(f) == 1 else f[:2] + f[1:]	# second fragment twice


def v_frag6(p):
    whole = to_ipv6(p)
    if len(whole) <= FRAG_AT:
        return eth(whole, 0x86dd)
    body, out = p.tcp, []
    for off in range(0, len(body), FRAG_CHUNK):
        chunk = body[off:off + FRAG_CHUNK]
        more = 1 if off + FRAG_CHUNK < len(body) else 0
        fh = struct.pack("!BBHI", 6, 0, off | more, 0x42424242)
        out.append(eth(ipv6_hdr(44, V6_LO, V6_LO, 8 + len(chunk)) + fh +
                       chunk, 0x86dd))
    return out


def v_sll(p):
    # packet type 0 (to us), ARPHRD_LOOPBACK 772, address length 6
    return struct.pack("!HHH8sH", 0, 772, 6, bytes(8), 0x0800) + p.ip


def v_sll2(p):
    return struct.pack("!HHIHBB8s", 0x0800, 0, 1, 772, 0, 6, bytes(8)) + p.ip


def v_raw(p):
    return p.ip


def v_null_le(p):
    return struct.pack("<I", 2) + p.ip


def v_null_be(p):
    return struct.pack(">I", 2) + p.ip


def v_loop(p):
    return struct.pack(">I", 2) + p.ip


# --- TCP-level rewrites (Ethernet kept) ------------------------------------

SEG = 300


def resplit(pkts):
    """Every segment with more than SEG payload bytes cut into SEG-byte
    segments with consecutive sequence numbers; PSH/FIN on the last."""
    out = []
    for p in pkts:
        if len(p.data) <= SEG:
            out.append(p)
            continue
        flags = p.tcph[13]
        for off in range(0, len(p.data), SEG):
            last = off + SEG >= len(p.data)
            f = flags if last else flags & ~0x09		# no PSH/FIN
            th = p.tcph[:4] + struct.pack("!I", (p.seq + off) & 0xffffffff) + \
                p.tcph[8:13] + bytes([f]) + p.tcph[14:]
            out.append(p.with_tcp(th, p.data[off:off + SEG]))
    return out


def swap_neighbours(pkts):
    """Neighbouring data segments of one direction (a run of them with no
    packet of the other direction in between) swapped pairwise: 1<->2,
    3<->4...  Each arrives before the peer could have ACKed it."""
    out, i = list(pkts), 0
    while i + 1 < len(out):
        a, b = out[i], out[i + 1]
        if a.data and b.data and (a.sport, a.dport) == (b.sport, b.dport):
            out[i], out[i + 1] = b, a
            i += 2
        else:
            i += 1
    return out


def ack_early(pkts):
    """swap_neighbours, and the peer's ACK of the server's first flight
    moved before that flight (a capture merging two taps)."""
    out = swap_neighbours(pkts)
    srv = [i for i, p in enumerate(out) if p.data and p.sport == out[1].sport]
    first = srv[0]
    big = min(i for i in range(len(out)) if out[i].sport != out[1].sport and
              not out[i].data and i > first and i < first + 16)
    ack = out.pop(big)
    out.insert(first, ack)
    return out


def ack_past_hole(pkts):
    """The server's second certificate segment delayed past the third, and
    the client's ACK of the whole flight recorded twice before it: once
    before the flight, once between the third segment (held beyond the
    hole) and the late second one.  An ACK past a held hole used to be
    taken as proof of loss (chain_missing gap)."""
    out = list(pkts)
    srv = [i for i, p in enumerate(out) if p.data and p.sport == out[1].sport]
    first = srv[0]
    ack = next(p for p in out[first:] if p.sport != out[1].sport and
               not p.data)
    s2 = out.pop(srv[1])
    out.insert(srv[1] + 1, s2)                  # after the third
    out.insert(srv[1] + 1, ack)                 # the ACK before it
    out.insert(first, ack)
    return out


def late_fin_alert(pkts, delays=(11, 22, 40, 60)):
    """After the connection closed, the server re-sends its FIN with the
    (encrypted) alert record for a minute: the first re-send after the
    closed flow's timeout (10 s) opens a new flow that never shows a
    handshake record, and must give no tls event."""
    last = pkts[-1]
    fin = next(p for p in pkts if p.data and p.data[:1] == b"\x15" and
               p.sport == pkts[1].sport)
    th = fin.tcph[:13] + bytes([0x19]) + fin.tcph[14:]     # FIN PSH ACK
    out = list(pkts)
    for d in delays:
        q = fin.with_tcp(th, fin.data)
        q.sec, q.usec = last.sec + d, last.usec
        out.append(q)
    return out


def duplicate(pkts):
    """Each data segment of the server's first flight sent twice."""
    out = []
    for p in pkts:
        out.append(p)
        if p.data and p.data[:1] == b"\x16":
            out.append(p)
    return out


def frames(pkts):
    return [(p.sec, p.usec, p.frame[:14] + p.ip) for p in pkts]


# --- the table ------------------------------------------------------------

def main():
    src = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(TOP, "tests", "scenarios", "kz-qaznet-root-sent.pcap")
    outdir = sys.argv[2] if len(sys.argv) > 2 else HERE
    pkts = [Pkt(*x) for x in read_pcap(src)]
    server_port = pkts[0].dport
    n = len(pkts)
    eth_v = DLT_EN10MB
    # name: (dlt, packets, expectations)
    lifted = {
        "vlan": (eth_v, vlan_tags((0x8100, 100)), [100], {"vlan": n}),
        "qinq": (eth_v, vlan_tags((0x88a8, 200), (0x8100, 100)), [200, 100],
                 {"vlan": 2 * n}),
        "vlan3": (eth_v, vlan_tags((0x88a8, 300), (0x8100, 200),
                                   (0x8100, 100)), [300, 200, 100],
                  {"vlan": 3 * n}),
        "mpls": (eth_v, v_mpls, [], {"mpls": n}),
        "mpls-pw-eth": (eth_v, v_mpls_pw, [], {"mpls": n}),
        "pppoe": (eth_v, v_pppoe, [], {"pppoe": n}),
        "gre": (eth_v, v_gre, [], {"gre": n}),
        "gre-key-seq": (eth_v, v_gre_keyseq, [], {"gre": n}),
        "gre-ipv6": (eth_v, v_gre_ipv6, [], {"gre": n}),
        "gre-teb": (eth_v, v_gre_teb, [], {"gre": n}),
        "erspan2": (eth_v, v_erspan2, [], {"gre": n, "erspan": n}),
        "erspan3": (eth_v, lambda p: erspan3(p, False), [],
                    {"gre": n, "erspan": n}),
        "erspan3-platform": (eth_v, lambda p: erspan3(p, True), [],
                             {"gre": n, "erspan": n}),
        "vxlan": (eth_v, v_vxlan, [], {"vxlan": n}),
        "geneve": (eth_v, v_geneve, [], {"geneve": n}),
        "gtpu": (eth_v, v_gtp, [], {"gtp": n}),
        "ipip-4in4": (eth_v, v_ipip4, [], {"ipip": n}),
        "ipip-4in6": (eth_v, v_ipip6, [], {"ipip": n}),
        "ipv6": (eth_v, v_ipv6, [], {}),
        "frag4": (eth_v, v_frag4, [], {"ipv4_frag_reassembled": None}),
        "frag4-reverse": (eth_v, v_frag4_rev, [],
                          {"ipv4_frag_reassembled": None}),
        "frag4-dup": (eth_v, v_frag4_dup, [], {"ipv4_frag_reassembled": None}),
        "frag6": (eth_v, v_frag6, [], {"ipv6_frag_reassembled": None}),
        "sll": (DLT_LINUX_SLL, v_sll, [], {}),
        "sll2": (DLT_LINUX_SLL2, v_sll2, [], {}),
        "raw": (LINKTYPE_RAW, v_raw, [], {}),
        "null-le": (DLT_NULL, v_null_le, [], {}),
        "null-be": (DLT_NULL, v_null_be, [], {}),
        "loop": (DLT_LOOP, v_loop, [], {}),
    }
    big = {"null-be"}		# written as a big-endian pcap file too
    expect = {}
    nbig = sum(1 for p in pkts if len(p.ip) > FRAG_AT)
    for name, (dlt, fn, vlans, notes) in lifted.items():
        if None in notes.values():
            notes = {k: nbig for k in notes}
        write_pcap(os.path.join(outdir, name + ".pcap"), dlt, lift(pkts, fn),
                   big_endian=name in big)
        expect[name] = {"vlan": vlans, "notes": notes,
                        "dest_ip": "::1" if name in ("ipv6", "frag6")
                        else "127.0.0.1"}
    seg = resplit(pkts)
    tcp_variants = {
        "tcp-resplit": seg,
        "tcp-ooo": swap_neighbours(seg),
        "tcp-ooo-ack-early": ack_early(seg),
        "tcp-dup": duplicate(pkts),
        "tcp-ooo-ack-past-hole": ack_past_hole(seg),
        "late-fin-alert": late_fin_alert(pkts),
        "midstream": pkts[3:],
        "one-sided": [p for p in pkts if p.sport == server_port],
    }
    for name, ps in tcp_variants.items():
        write_pcap(os.path.join(outdir, name + ".pcap"), eth_v, frames(ps))
        expect[name] = {"vlan": [], "notes": {}, "dest_ip": "127.0.0.1"}
    expect["one-sided"]["one_sided"] = True
    expect["late-fin-alert"]["tls_no_handshake"] = 1
    for e in expect.values():
        e["dest_port"] = server_port
    with open(os.path.join(outdir, "expect.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
