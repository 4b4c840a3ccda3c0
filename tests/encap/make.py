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
DLT_PPP, DLT_PPP_SERIAL, DLT_PPP_ETHER, DLT_C_HDLC = 9, 50, 51, 104
DLT_IEEE802_11, DLT_PFLOG, DLT_RADIOTAP, DLT_IPNET = 105, 117, 127, 226
LINKTYPE_IPV4, LINKTYPE_IPV6, DLT_NFLOG = 228, 229, 239

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


def pcapng_block(btype, body):
    body += bytes((4 - len(body) % 4) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + \
        bytes((4 - len(value) % 4) % 4)


def write_pcapng_mixed(path, client, server):
    """pcapng with three interfaces of different link types, as Wireshark
    writes when it captures on several at once (libpcap 1.10 refuses
    such files): the client's packets on interface 0 (Ethernet, time in
    microseconds), the server's on interface 1 (Linux SLL, time in
    nanoseconds, if_tsresol 9), nothing on interface 2 (raw IP, binary
    resolution 2^-20).  A name resolution and a statistics block are in
    the way; the packets are Enhanced Packet Blocks in time order."""
    out = [pcapng_block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0,
                                                 -1) +
                        pcapng_opt(4, b"rootwatch make.py") +
                        pcapng_opt(0, b""))]
    out.append(pcapng_block(1, struct.pack("<HHI", DLT_EN10MB, 0, 0) +
                            pcapng_opt(2, b"eth0") + pcapng_opt(0, b"")))
    out.append(pcapng_block(1, struct.pack("<HHI", DLT_LINUX_SLL, 0, 262144)
                            + pcapng_opt(9, b"\x09") + pcapng_opt(0, b"")))
    out.append(pcapng_block(1, struct.pack("<HHI", LINKTYPE_RAW, 0, 0) +
                            pcapng_opt(9, b"\x94")))
    out.append(pcapng_block(4, struct.pack("<HH", 1, 8) + V4_A + b"a.b\0" +
                            struct.pack("<HH", 0, 0)))
    recs = [(0, sec, usec, f) for sec, usec, f in client] + \
        [(1, sec, usec, f) for sec, usec, f in server]
    recs.sort(key=lambda r: (r[1], r[2]))
    for ifn, sec, usec, f in recs:
        t = (sec * 1000000 + usec) * (1000 if ifn == 1 else 1)
        out.append(pcapng_block(6, struct.pack("<IIIII", ifn, t >> 32,
                                               t & 0xffffffff, len(f),
                                               len(f)) + f))
    out.append(pcapng_block(5, struct.pack("<III", 0, 0, 0)))
    with open(path, "wb") as fh:
        fh.write(b"".join(out))


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


# --- more link types ---------------------------------------------------

def v_ppp(p):
    return b"\xff\x03" + struct.pack("!H", 0x0021) + p.ip


def v_chdlc(p):
    return struct.pack("!BBH", 0x0f, 0, 0x0800) + p.ip


def v_ppp_ether(p):
    ppp = struct.pack("!H", 0x0021) + p.ip
    return struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp


def pflog_hdr(af):
    # length 61 (rounded up to 64 on the wire), af, action, reason,
    # ifname[16], ruleset[16], rulenr, subrulenr, uid, pid, rule_uid,
    # rule_pid, dir, pad[3]
    return struct.pack("!BBBB16s16siIIiIiB3s", 61, af, 0, 0, b"em0", b"",
                       7, 0xffffffff, 0, 0, 0, 0, 1, b"")


def v_pflog(p):
    return pflog_hdr(2) + p.ip


def v_pflog6(p):
    return pflog_hdr(24) + to_ipv6(p)		# OpenBSD AF_INET6


def v_ipnet(p):
    return struct.pack("!BBHIIIII", 1, 2, 0, len(p.ip), 2, 0, 0, 0) + p.ip


def nflog_tlv(e, t, v):
    tlv = struct.pack(e + "HH", 4 + len(v), t) + v
    return tlv + bytes((4 - len(tlv) % 4) % 4)


def nflog(e):
    def fn(p):
        return struct.pack("!BBH", 2, 0, 1) + \
            nflog_tlv(e, 1, struct.pack("!HBB", 0x0800, 3, 0)) + \
            nflog_tlv(e, 10, b"rootwatch\0") + nflog_tlv(e, 9, p.ip)
    return fn


SNAP_IP = bytes.fromhex("aaaa03000000") + b"\x08\x00"


def wlan_data(p, n, qos=False, wds=False, pad=False):
    """An unprotected 802.11 data frame from the AP (FromDS), or between
    two APs (WDS: ToDS and FromDS, four addresses); QoS data with a QoS
    control field; pad: header padded to 4 bytes (radiotap DATAPAD)."""
    fc0 = 0x88 if qos else 0x08
    fc1 = 0x03 if wds else 0x02
    h = struct.pack("<BBH", fc0, fc1, 0) + MAC_B + MAC_A + MAC_A + \
        struct.pack("<H", (n & 0xfff) << 4)
    if wds:
        h += MAC_B
    if qos:
        h += struct.pack("<H", 0)
    if pad:
        h += bytes((4 - len(h) % 4) % 4)
    return h + SNAP_IP + p.ip


def radiotap(fields_present, fields, flags):
    """Radiotap with TSFT (8-aligned) when asked, Flags, Rate."""
    body = b""
    present = fields_present
    words = [present]
    if present & 0x80000000:
        words.append(0)
    hdr_len = 4 + 4 * len(words)
    if present & 1:
        pad = (8 - hdr_len % 8) % 8
        body += bytes(pad) + struct.pack("<Q", 0x0102030405060708)
    body += bytes([flags]) + fields
    return struct.pack("<BBH", 0, 0, hdr_len + len(body)) + \
        b"".join(struct.pack("<I", w) for w in words) + body


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return self.n


def v_wlan(p, ctr=Counter()):
    return wlan_data(p, ctr())


def v_wlan_wds(p, ctr=Counter()):
    return wlan_data(p, ctr(), qos=True, wds=True)


def v_radiotap(p, ctr=Counter()):
    # TSFT, Flags (FCS at end), Rate 0x6c; a QoS data frame and its FCS
    return radiotap(0x7, b"\x6c", 0x10) + wlan_data(p, ctr(), qos=True) + \
        b"\xde\xad\xbe\xef"


def v_radiotap_pad(p, ctr=Counter()):
    # two present words (bit 31), Flags with DATAPAD: 26-byte QoS header
    # padded to 28
    return radiotap(0x80000002, b"", 0x20) + \
        wlan_data(p, ctr(), qos=True, pad=True)


# --- more layer 2 ------------------------------------------------------

def v_llc_snap(p):
    """802.3 length and LLC/SNAP; a frame too long for an 802.3 length
    (the 2 KB server flight of a loopback capture) stays Ethernet II."""
    llc = SNAP_IP + p.ip
    return eth(llc, len(llc)) if len(llc) < 1536 else eth(p.ip, 0x0800)


def v_trailer(p):
    # an FCS and some bytes more after the datagram: trimmed by IP length
    return p.frame[:14] + p.ip + b"\x12\x34\x56\x78" + b"\xee" * 6


def v_pbb(p):
    itag = struct.pack("!I", 0x000100ff)		# I-SID 0x0100ff
    inner = MAC_B + MAC_A + b"\x08\x00" + p.ip
    return eth(struct.pack("!HH", 5, 0x88e7) + itag + inner, 0x88a8)


def v_fabricpath(p):
    # outer addresses are switch ids; FTag 1, TTL 32; then the frame and
    # the 4-byte FabricPath FCS (Wireshark expects it; the IP length
    # trims it)
    return eth(struct.pack("!H", 1 << 6 | 32) + MAC_B + MAC_A + b"\x08\x00"
               + p.ip + b"\x5a\x5a\x5a\x5a", 0x8903)


def v_null_v6(af, order):
    def fn(p):
        return struct.pack(order + "I", af) + to_ipv6(p)
    return fn


def v_vntag(p):
    return eth(struct.pack("!IH", 0x80010002, 0x0800) + p.ip, 0x8926)


def v_etag(p):
    return eth(bytes.fromhex("000000010000") + b"\x08\x00" + p.ip, 0x893f)


def v_cmd(p):
    return eth(struct.pack("!BBHHH", 1, 1, 0x0001, 42, 0x0800) + p.ip,
               0x8909)


def nsh(next_proto, payload, md1=False):
    words = 6 if md1 else 2
    w0 = 63 << 6 | words				# ver 0, TTL 63
    h = struct.pack("!HBBI", w0, 1 if md1 else 2, next_proto, 42 << 8 | 255)
    return h + (bytes(16) if md1 else b"") + payload


def v_nsh(p):
    return eth(nsh(1, p.ip), 0x894f)


def v_nsh_md1(p):
    return eth(nsh(3, eth(p.ip, 0x0800)), 0x894f)


def v_mpls_pw_nocw(dst):
    def fn(p):
        return eth(mpls_labels(1000, 2000) + eth(p.ip, 0x0800, dst=dst),
                   0x8847)
    return fn


def v_mpls6(p):
    return eth(mpls_labels(3000) + to_ipv6(p), 0x8847)


# --- more tunnels ------------------------------------------------------

def v_6in4(p):
    return over_ipv4(41, to_ipv6(p))


def v_6in6(p):
    return over_ipv6(41, to_ipv6(p))


def v_gre_csum(p):
    body = struct.pack("!HHHH", 0x8000, 0x0800, 0, 0) + p.ip
    c = csum(body)
    return over_ipv4(47, body[:4] + struct.pack("!H", c) + body[6:])


def v_erspan1(p):
    return over_ipv4(47, gre(0x88be, p.frame))


def pptp(server_port):
    def fn(p):
        ppp = b"\xff\x03\x00\x21" + p.ip
        ack = p.sport == server_port
        flags = 0x3001 | (0x0080 if ack else 0)		# K S [A] ver 1
        h = struct.pack("!HHHHI", flags, 0x880b, len(ppp), 0x4242,
                        p.seq & 0xffff)
        if ack:
            h += struct.pack("!I", 7)
        return over_ipv4(47, h + ppp)
    return fn


def v_l2tp(p):
    ppp = b"\xff\x03\x00\x21" + p.ip
    h = struct.pack("!HHHHHH", 0x4802, 12 + len(ppp), 1, 2, 0, 0)
    return over_ipv4(17, udp(1701, 1701, h + ppp))


def v_l2tp_offset(p):
    ppp = b"\x00\x21" + p.ip			# no address/control
    h = struct.pack("!HHHH", 0x0202, 1, 2, 4) + b"\xee" * 4
    return over_ipv4(17, udp(1701, 1701, h + ppp))


def v_l2tpv3_ip(p):
    # session 0x1234, an 8-byte cookie, then the Ethernet frame
    return over_ipv4(115, struct.pack("!I", 0x1234) + b"\xc0\x0c\x1e\x5a" * 2
                     + eth(p.ip, 0x0800))


def v_l2tpv3_udp(p):
    # T=0 ver 3, reserved, session, default L2-specific sublayer (4)
    h = struct.pack("!HHI", 0x0003, 0, 0x1234) + bytes(4)
    return over_ipv4(17, udp(1701, 1701, h + eth(p.ip, 0x0800)))


def v_teredo(p):
    return over_ipv4(17, udp(3544, 51000, to_ipv6(p)))


def v_teredo_origin(p):
    orig = struct.pack("!HH4s", 0, 0xffff ^ 51000, bytes([0xf5, 0xff,
                                                          0xff, 0xfe]))
    return over_ipv4(17, udp(51000, 3544, orig + to_ipv6(p)))


def v_vxlan_linux(p):
    return over_ipv4(17, udp(49152, 8472,
                             struct.pack("!II", 0x08000000, 42 << 8) + p.frame))


def v_vxlan_gpe(p):
    return over_ipv4(17, udp(49152, 4790,
                             struct.pack("!BHBI", 0x0c, 0, 1, 42 << 8) + p.ip))


def v_vxlan_gpe_mpls(p):
    hdr = struct.pack("!BHBI", 0x0c, 0, 5, 42 << 8)
    return over_ipv4(17, udp(49152, 4790, hdr + mpls_labels(300) + p.ip))


def v_vxlan_gpe_nsh(p):
    hdr = struct.pack("!BHBI", 0x0c, 0, 4, 42 << 8)
    return over_ipv4(17, udp(49152, 4790, hdr + nsh(3, p.frame, md1=True)))


def v_geneve_ip(p):
    return over_ipv4(17, udp(49153, 6081,
                             struct.pack("!BBHI", 0, 0, 0x0800, 7 << 8) + p.ip))


def v_nested(p):
    """VLAN 10 / MPLS / IPv4 / GRE / IPv4 / UDP / VXLAN / Ethernet / IPv4."""
    vx = struct.pack("!II", 0x08000000, 42 << 8) + p.frame
    ip = ipv4_hdr(17, V4_A, V4_B, 8 + len(vx)) + udp(49152, 4789, vx)
    g = gre(0x0800, ip)
    outer = ipv4_hdr(47, V4_B, V4_A, len(g)) + g
    return eth(struct.pack("!HH", 10, 0x8847) + mpls_labels(16) + outer,
               0x8100)


# --- IP options and extension headers -----------------------------------

def v_ipv4_opts(p):
    opts = bytes([1, 1, 148, 4, 0, 0, 1, 0])	# NOP NOP Router Alert NOP EOL
    h = struct.pack("!BBHHHBBH4s4s", 0x47, 0, 28 + len(p.tcp), 0, 0, 64, 6,
                    0, p.iph[12:16], p.iph[16:20]) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(h + p.tcp, 0x0800)


def ah(nh):
    return struct.pack("!BBHII", nh, 4, 0, 0x100, 1) + bytes(12)


def v_ipv4_ah(p):
    body = ah(6) + p.tcp
    return eth(ipv4_hdr(51, p.iph[12:16], p.iph[16:20], len(body)) + body,
               0x0800)


def v_ipv6_ext(p):
    """Hop-by-hop, destination options, a segment routing header, AH."""
    padn = bytes([1, 4, 0, 0, 0, 0])
    hbh = bytes([60, 0]) + padn
    dst = bytes([43, 0]) + padn
    srh = bytes([51, 2, 4, 0, 0, 0, 0, 0]) + V6_LO
    body = hbh + dst + srh + ah(6) + p.tcp
    return eth(ipv6_hdr(0, V6_LO, V6_LO, len(body)) + body, 0x86dd)


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


# --- malformed frames: each adds one counted decoder error ---------------

def bad_frames():
    """name: (dlt, good-session wrapper, [(frame, decoder error or None)]).
    The malformed frames come first, then the whole good session, which
    must still alert; None: not an error (plain UDP, say)."""
    def g(flags, proto, rest=b""):
        return over_ipv4(47, struct.pack("!HH", flags, proto) + rest)

    def u(dport, payload, sport=40000):
        return over_ipv4(17, udp(sport, dport, payload))

    ip = bytes(ipv4_hdr(6, V4_A, V4_B, 20)) + bytes(20)
    bomb_vlan = eth(struct.pack("!HH", 1, 0x8100) * 20 + struct.pack(
        "!HH", 1, 0x0800) + ip, 0x8100)
    bomb_mpls = eth(mpls_labels(*range(16, 36)) + ip, 0x8847)
    inner = ip
    for _ in range(20):
        inner = ipv4_hdr(4, V4_A, V4_B, len(inner)) + inner
    bomb_ipip = eth(inner, 0x0800)
    nsh_bomb = ip
    for _ in range(20):
        nsh_bomb = nsh(4, nsh_bomb)
    nsh_bomb = eth(nsh_bomb, 0x894f)
    mgmt = struct.pack("<BBH", 0x80, 0, 0) + MAC_B + MAC_A + MAC_A + \
        bytes(2) + bytes(12)				# beacon
    prot = struct.pack("<BBH", 0x08, 0x42, 0) + MAC_B + MAC_A + MAC_A + \
        bytes(2) + bytes(40)				# protected data
    null = struct.pack("<BBH", 0x48, 0x01, 0) + MAC_B + MAC_A + MAC_A + \
        bytes(2)					# null function
    rt = radiotap(0x2, b"", 0)
    return {
        "bad-vlan": (DLT_EN10MB, None, [
            (eth(b"\x00\x64", 0x8100), "vlan_trunc"),
            (bomb_vlan, "too_deep")]),
        "bad-mpls": (DLT_EN10MB, None, [
            (eth(struct.pack("!I", 1000 << 12), 0x8847), "mpls_trunc"),
            (bomb_mpls, "too_deep"),
            (eth(mpls_labels(16) + b"\x10\0\0\0" + bytes(30), 0x8847),
             "mpls_unknown_payload")]),
        "bad-gre": (DLT_EN10MB, None, [
            (g(0x4000, 0x0800, ip), "gre_bad"),		# routing
            (g(0x2000, 0x0800, b"\x00\x01"), "gre_bad"),	# key cut
            (g(0x0002, 0x0800, ip), "gre_bad"),		# version 2
            (g(0x0000, 0x1234, ip), "gre_unknown"),
            (g(0x3001, 0x880b, b"\x00"), "gre_bad"),	# PPTP cut
            (g(0x2081, 0x880b, struct.pack("!HHI", 0, 1, 5)), "ppp_not_ip"),
            (g(0xa001, 0x880b, bytes(12)), "gre_bad")]),	# PPTP with C
        "bad-udp-tunnels": (DLT_EN10MB, None, [
            (u(4789, bytes(8) + ip), "vxlan_bad"),		# I clear
            (u(8472, b"\x08\x00"), "vxlan_bad"),		# cut
            (u(4790, struct.pack("!BHBI", 0x0d, 0, 1, 0) + ip), "vxlan_bad"),
            (u(6081, struct.pack("!BBHI", 0x3f, 0, 0x6558, 0)), "geneve_bad"),
            (u(6081, struct.pack("!BBHI", 0x40, 0, 0x6558, 0) + ip),
             "geneve_bad"),
            (u(2152, struct.pack("!BBHI", 0x30, 0xff, 400, 1) + ip),
             "gtp_bad"),
            (u(2152, struct.pack("!BBHI", 0x34, 0xff, 4 + len(ip), 1) +
               b"\0\0\0\x85\x00" + ip), "gtp_bad"),		# ext len 0
            (u(1701, struct.pack("!HH", 0x4002, 2)), "l2tp_bad"),
            (u(1701, struct.pack("!HHH", 0x0005, 1, 2)), "l2tp_bad"),
            (u(1701, struct.pack("!HHI", 0x0003, 0, 9) + bytes(40)),
             "l2tp_bad"),				# v3, no Ethernet
            (u(1701, struct.pack("!HHHH", 0xc802, 12, 1, 0)), None),
            (u(3544, b"not a teredo packet at all"), None)]),
        "bad-l2": (DLT_EN10MB, None, [
            (eth(b"\0\1", 0x88e7), "l2tag_bad"),
            (eth(struct.pack("!BB", 2, 1) + bytes(6) + ip, 0x8909),
             "l2tag_bad"),
            (eth(bytes(5), 0x893f), "l2tag_bad"),
            (eth(bytes(3), 0x8926), "l2tag_bad"),
            (eth(bytes(10), 0x8903), "l2tag_bad"),
            (eth(bytes([0x42, 0x42, 0x03]) + bytes(40), 43), "unknown_ethertype"),
            (eth(bytes.fromhex("aaaa0300"), 4), "llc_bad"),
            (eth(SNAP_IP + ip, 1400), "llc_bad"),
            (eth(struct.pack("!HBBI", 0x4002, 2, 1, 0) + ip, 0x894f),
             "nsh_bad"),					# version 1
            (eth(struct.pack("!HBBI", 0x0003, 1, 1, 0) + ip, 0x894f),
             "nsh_bad"),					# MD 1, len 3
            (eth(struct.pack("!HBBI", 0x003f, 2, 1, 0) + ip, 0x894f),
             "nsh_bad"),					# past the end
            (nsh_bomb, "too_deep")]),
        "bad-ip": (DLT_EN10MB, None, [
            (eth(b"\x43" + ip[1:], 0x0800), "ipv4_bad_hlen"),
            (eth(ip[:2] + b"\x00\x10" + ip[4:], 0x0800), "ipv4_bad_len"),
            (eth(ip[:2] + b"\x05\xdc" + ip[4:], 0x0800), "ipv4_trunc"),
            (eth(ipv4_hdr(51, V4_A, V4_B, 4) + b"\x06\x09\0\0", 0x0800),
             "ah_bad"),
            (eth(ipv4_hdr(51, V4_A, V4_B, 4) + b"\x06\x00\0\0", 0x0800),
             "ah_bad"),
            (eth(ipv6_hdr(60, V6_A, V6_B, 8) + b"\x06\x08" + bytes(6),
                 0x86dd), "ipv6_ext_bad"),
            (eth(ipv6_hdr(60, V6_A, V6_B, 72) + (b"\x3c\x00" + bytes(6)) * 9,
                 0x86dd), "ipv6_ext_bad"),			# 9 headers
            (bomb_ipip, "too_deep")]),
        "bad-nflog": (DLT_NFLOG, nflog("<"), [
            (b"\x02\x00", "link_trunc"),
            (b"\x02\x01\x00\x01" + nflog_tlv("<", 9, ip), "nflog_bad"),
            (b"\x02\x00\x00\x01" + nflog_tlv("<", 10, b"x"), "nflog_bad"),
            (b"\x02\x00\x00\x01\x02\x00\x09\x00" + ip, "nflog_bad")]),
        "bad-radiotap": (DLT_RADIOTAP, v_radiotap, [
            (struct.pack("<BBHI", 0, 0, 200, 0) + bytes(30), "wifi_bad"),
            (struct.pack("<BBHI", 1, 0, 8, 0) + bytes(30), "wifi_bad"),
            (struct.pack("<BBH", 0, 0, 48) + struct.pack("<I", 0x80000000)
             * 10 + bytes(30), "wifi_bad"),			# present chain
            (radiotap(0x2, b"", 0x40) + mgmt, "wifi_bad"),	# bad FCS
            (rt + mgmt, "wifi_skipped"),
            (rt + null, "wifi_skipped"),
            (rt + prot, "wifi_protected"),
            (rt + b"\x08\x02\0\0" + MAC_B, "wifi_bad")]),
        "bad-pflog": (DLT_PFLOG, v_pflog, [
            (bytes([200, 2]) + bytes(60), "link_trunc"),
            (pflog_hdr(99) + ip, "unknown_ethertype")]),
        "bad-chdlc": (DLT_C_HDLC, v_chdlc, [
            (b"\x0f\x00\x08", "link_trunc"),
            (b"\x42\x00\x08\x00" + ip, "unknown_ethertype"),
            (b"\x8f\x00\x80\x35" + bytes(20), "unknown_ethertype")]),
    }


# --- the table ------------------------------------------------------------

def main():
    src = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(TOP, "tests", "scenarios", "kz-qaznet-root-sent.pcap")
    outdir = sys.argv[2] if len(sys.argv) > 2 else HERE
    pkts = [Pkt(*x) for x in read_pcap(src)]
    server_port = pkts[0].dport
    n = len(pkts)
    nsnap = sum(1 for p in pkts if len(p.ip) + 8 < 1536)
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
        "ppp": (DLT_PPP, v_ppp, [], {}),
        "ppp-hdlc": (DLT_PPP_SERIAL, v_ppp, [], {}),
        "ppp-serial-chdlc": (DLT_PPP_SERIAL, v_chdlc, [], {}),
        "ppp-ether": (DLT_PPP_ETHER, v_ppp_ether, [], {"pppoe": n}),
        "chdlc": (DLT_C_HDLC, v_chdlc, [], {}),
        "pflog": (DLT_PFLOG, v_pflog, [], {}),
        "pflog-v6": (DLT_PFLOG, v_pflog6, [], {}),
        "ipnet": (DLT_IPNET, v_ipnet, [], {}),
        "linktype-ipv4": (LINKTYPE_IPV4, v_raw, [], {}),
        "linktype-ipv6": (LINKTYPE_IPV6, to_ipv6, [], {}),
        "nflog": (DLT_NFLOG, nflog("<"), [], {}),
        "nflog-be": (DLT_NFLOG, nflog(">"), [], {}),
        "wlan": (DLT_IEEE802_11, v_wlan, [], {"wifi": n, "llc_snap": n}),
        "wlan-wds": (DLT_IEEE802_11, v_wlan_wds, [], {"wifi": n}),
        "radiotap": (DLT_RADIOTAP, v_radiotap, [], {"wifi": n}),
        "radiotap-pad": (DLT_RADIOTAP, v_radiotap_pad, [], {"wifi": n}),
        "llc-snap": (eth_v, v_llc_snap, [], {"llc_snap": nsnap}),
        "eth-trailer": (eth_v, v_trailer, [], {}),
        "vlan-9100": (eth_v, vlan_tags((0x9100, 10), (0x8100, 20)), [10, 20],
                      {"vlan": 2 * n}),
        "vlan-9200": (eth_v, vlan_tags((0x9200, 30)), [30], {"vlan": n}),
        "vlan6": (eth_v, vlan_tags(*[(0x8100, 100 + i) for i in range(6)]),
                  [100, 101, 102], {"vlan": 6 * n}),
        "pbb": (eth_v, v_pbb, [5], {"pbb": n, "vlan": n}),
        "vntag": (eth_v, v_vntag, [], {"vntag": n}),
        "fabricpath": (eth_v, v_fabricpath, [], {"fabricpath": n}),
        "null-v6-bsd": (DLT_NULL, v_null_v6(24, "<"), [], {}),
        "null-v6-linux": (DLT_NULL, v_null_v6(10, "<"), [], {}),
        "loop-v6-macos": (DLT_LOOP, v_null_v6(30, ">"), [], {}),
        "etag": (eth_v, v_etag, [], {"etag": n}),
        "cisco-metadata": (eth_v, v_cmd, [], {"cisco_metadata": n}),
        "nsh": (eth_v, v_nsh, [], {"nsh": n}),
        "nsh-md1-eth": (eth_v, v_nsh_md1, [], {"nsh": n}),
        "mpls-pw-nocw": (eth_v, v_mpls_pw_nocw(MAC_B), [],
                         {"mpls": n, "mpls_pw_eth": n}),
        "mpls-pw-nocw-mac4": (eth_v, v_mpls_pw_nocw(
            bytes.fromhex("460000000001")), [], {"mpls": n, "mpls_pw_eth": n}),
        "mpls-pw-nocw-mac6": (eth_v, v_mpls_pw_nocw(
            bytes.fromhex("600000000010")), [], {"mpls": n, "mpls_pw_eth": n}),
        "mpls-ipv6": (eth_v, v_mpls6, [], {"mpls": n}),
        "ipip-6in4": (eth_v, v_6in4, [], {"ipip": n}),
        "ipip-6in6": (eth_v, v_6in6, [], {"ipip": n}),
        "gre-csum": (eth_v, v_gre_csum, [], {"gre": n}),
        "erspan1": (eth_v, v_erspan1, [], {"gre": n, "erspan": n}),
        "gre-pptp": (eth_v, pptp(server_port), [], {"pptp": n}),
        "l2tp": (eth_v, v_l2tp, [], {"l2tp": n}),
        "l2tp-offset": (eth_v, v_l2tp_offset, [], {"l2tp": n}),
        "l2tpv3-ip": (eth_v, v_l2tpv3_ip, [], {"l2tp": n}),
        "l2tpv3-udp": (eth_v, v_l2tpv3_udp, [], {"l2tp": n}),
        "teredo": (eth_v, v_teredo, [], {"teredo": n}),
        "teredo-origin": (eth_v, v_teredo_origin, [], {"teredo": n}),
        "vxlan-8472": (eth_v, v_vxlan_linux, [], {"vxlan": n}),
        "vxlan-gpe": (eth_v, v_vxlan_gpe, [], {"vxlan": n}),
        "vxlan-gpe-nsh": (eth_v, v_vxlan_gpe_nsh, [], {"vxlan": n, "nsh": n}),
        "vxlan-gpe-mpls": (eth_v, v_vxlan_gpe_mpls, [], {"vxlan": n,
                                                          "mpls": n}),
        "geneve-ipv4": (eth_v, v_geneve_ip, [], {"geneve": n}),
        "nested": (eth_v, v_nested, [10], {"vlan": n, "mpls": n, "gre": n,
                                           "vxlan": n}),
        "ipv4-options": (eth_v, v_ipv4_opts, [], {}),
        "ipv4-ah": (eth_v, v_ipv4_ah, [], {"ah": n}),
        "ipv6-ext": (eth_v, v_ipv6_ext, [], {"ah": n}),
    }
    big = {"null-be", "nflog-be"}	# written as big-endian pcap files
    v6 = {"ipv6", "frag6", "null-v6-bsd", "null-v6-linux", "loop-v6-macos", "pflog-v6", "linktype-ipv6", "mpls-ipv6",
          "ipip-6in4", "ipip-6in6", "teredo", "teredo-origin", "ipv6-ext"}
    expect = {}
    nbig = sum(1 for p in pkts if len(p.ip) > FRAG_AT)
    for name, (dlt, fn, vlans, notes) in lifted.items():
        if None in notes.values():
            notes = {k: nbig for k in notes}
        write_pcap(os.path.join(outdir, name + ".pcap"), dlt, lift(pkts, fn),
                   big_endian=name in big)
        expect[name] = {"vlan": vlans, "notes": notes,
                        "dest_ip": "::1" if name in v6 else "127.0.0.1"}
    for name, (dlt, fn, bad) in bad_frames().items():
        t0 = (pkts[0].sec, pkts[0].usec)
        good = lift(pkts, fn) if fn else frames(pkts)
        write_pcap(os.path.join(outdir, name + ".pcap"), dlt,
                   [t0 + (f,) for f, _ in bad] + good)
        errs = {}
        for _, why in bad:
            if why:
                errs[why] = errs.get(why, 0) + 1
        expect[name] = {"vlan": [], "notes": {}, "errors": errs,
                        "dest_ip": "127.0.0.1"}
    write_pcapng_mixed(
        os.path.join(outdir, "pcapng-mixed.pcapng"),
        [(p.sec, p.usec, p.frame[:14] + p.ip) for p in pkts
         if p.sport != server_port],
        [(p.sec, p.usec, v_sll(p)) for p in pkts if p.sport == server_port])
    expect["pcapng-mixed"] = {"vlan": [], "notes": {}, "dest_ip": "127.0.0.1"}
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
