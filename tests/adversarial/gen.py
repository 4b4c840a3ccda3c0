#!/usr/bin/env python3
"""gen.py - adversarial captures for tests/adversarial.sh (python3, stdlib).

    python3 tests/adversarial/gen.py OUTDIR [--full]

Writes one classic pcap per case into OUTDIR.  Every case but `truncated`
and `snaplen64` mixes the genuine session in (tests/scenarios/
kz-qaznet-root-sent.pcap: a TLS 1.2 handshake whose chain holds the Qaznet
root, alert kz-qaznet-2019) on its own addresses, half-way through the
flood, so the test can check the alert still comes out.  Sizes are scaled
down unless --full (the issue's sizes: 1,000,000 SYNs, 100,000 half
certificates, 10,000 handshake messages).

Deterministic: a fixed random seed, fixed timestamps.
"""
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "encap"))
import make as encap  # noqa: E402  (pcap I/O and header builders)

T0 = 1795594750
SRV = bytes([10, 9, 0, 1])
CLI = bytes([10, 8, 0, 1])


def genuine():
    """The real session's frames, (sec, usec, frame), unchanged."""
    return encap.read_pcap(os.path.join(TOP, "tests", "scenarios",
                                        "kz-qaznet-root-sent.pcap"))


def tcp(sport, dport, seq, ack, flags, data=b"", win=65535):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
                       ack & 0xffffffff, 5 << 4, flags, win, 0, 0) + data


def frame(src, dst, l4, proto=6, ident=0, frag=0):
    ip = encap.ipv4_hdr(proto, src, dst, len(l4), ident, frag)
    return encap.eth(ip + l4, 0x0800)


def at(i, step_us=10):
    us = i * step_us
    return T0 + us // 1000000, us % 1000000


def mix(flood, real=None, where=0.5):
    """The genuine session's frames inserted at where (fraction) of flood,
    with the flood's timestamps around it kept monotonic."""
    real = genuine() if real is None else real
    k = int(len(flood) * where)
    sec, usec = (flood[k - 1][0], flood[k - 1][1]) if k > 0 else at(0)
    base = sec * 1000000 + usec
    r0 = real[0][0] * 1000000 + real[0][1]
    moved = []
    for s, u, f in real:
        t = base + (s * 1000000 + u - r0) + 1
        moved.append((t // 1000000, t % 1000000, f))
    last = moved[-1][0] * 1000000 + moved[-1][1]
    rest = []
    for s, u, f in flood[k:]:
        t = max(s * 1000000 + u, last + 1)
        last = t
        rest.append((t // 1000000, t % 1000000, f))
    return flood[:k] + moved + rest


def rec(ct, body, ver=b"\x03\x03"):
    return bytes([ct]) + ver + struct.pack("!H", len(body)) + body


def hs(t, body, claim=None):
    n = len(body) if claim is None else claim
    return bytes([t]) + struct.pack("!I", n)[1:] + body


def hello_client():
    """A minimal ClientHello (TLS 1.2, one suite, no extensions)."""
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x00\x2f" + \
        b"\x01\x00"
    return rec(22, hs(1, body), b"\x03\x01")


def hello_server():
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x2f" + b"\x00"
    return rec(22, hs(2, body))


def session(i, cport, server_payloads, t0, client=True, sip=None, cip=None):
    """One connection: SYN, SYN-ACK, ACK, ClientHello, then the server's
    payloads (one segment each), no close.  Returns frames."""
    cip = cip or bytes([10, 1 + (i >> 16) % 200, (i >> 8) & 255, i & 255])
    sip = sip or SRV
    cs, ss = 1000, 5000
    out = []
    pk = [(cip, sip, tcp(cport, 443, cs, 0, 0x02)),
          (sip, cip, tcp(443, cport, ss, cs + 1, 0x12)),
          (cip, sip, tcp(cport, 443, cs + 1, ss + 1, 0x10))]
    cs += 1
    ss += 1
    if client:
        ch = hello_client()
        pk.append((cip, sip, tcp(cport, 443, cs, ss, 0x18, ch)))
        cs += len(ch)
    for p in server_payloads:
        pk.append((sip, cip, tcp(443, cport, ss, cs, 0x18, p)))
        ss += len(p)
    for j, (a, b, l4) in enumerate(pk):
        out.append(at(t0 + j) + (frame(a, b, l4),))
    return out


# --- the cases -------------------------------------------------------------

def c_overlap_conflict(full):
    """The genuine session cut into 300-byte segments; after each server
    segment, while the certificate message is still incomplete (its bytes
    pending), a copy with every byte flipped overlapping it exactly and one
    overlapping half of it: first wins, the chain stays intact and the
    conflicts are counted."""
    out = []
    pk = encap.resplit([encap.Pkt(s, u, f) for s, u, f in genuine()])
    for p in pk:
        out.append((p.sec, p.usec, p.frame))
        if p.data and p.sport == 44301:
            bad = bytes(b ^ 0xff for b in p.data)
            out.append((p.sec, p.usec, p.with_tcp(p.tcph, bad).frame))
            th = p.tcph[:4] + struct.pack("!I", (p.seq - len(p.data) // 2)
                                          & 0xffffffff) + p.tcph[8:]
            out.append((p.sec, p.usec, p.with_tcp(th, bad).frame))
    return out


def c_beyond_window(full):
    """Segments of the genuine flows far beyond the window (2^30 and 2^31
    - 1 ahead, and behind), before the real ones."""
    out = []
    for s, u, f in genuine():
        p = encap.Pkt(s, u, f)
        if p.data:
            for d in (1 << 30, (1 << 31) - 1, -(1 << 30), 70000):
                th = p.tcph[:4] + struct.pack("!I", (p.seq + d) & 0xffffffff) \
                    + p.tcph[8:]
                out.append((s, u, p.with_tcp(th, p.data).frame))
        out.append((s, u, f))
    return out


def c_seq_wrap(full):
    """The genuine session with the server's sequence numbers shifted so
    the 2^32 wrap falls in the middle of the Certificate message."""
    pk = [encap.Pkt(s, u, f) for s, u, f in genuine()]
    srv = pk[1].seq
    cert = next(p for p in pk if p.sport == 44301 and len(p.data) > 1000)
    shift = (0x100000000 - (cert.seq - srv) - 1000 - srv) & 0xffffffff
    out = []
    for p in pk:
        th = bytearray(p.tcph)
        if p.sport == 44301:
            th[4:8] = struct.pack("!I", (p.seq + shift) & 0xffffffff)
        elif th[13] & 0x10:
            a = struct.unpack("!I", p.tcph[8:12])[0]
            th[8:12] = struct.pack("!I", (a + shift) & 0xffffffff)
        out.append((p.sec, p.usec, p.with_tcp(bytes(th), p.data).frame))
    return out


def c_syn_flood(full):
    """SYNs from random sources to random ports (1,000,000 with --full)."""
    n = 1000000 if full else 30000
    rnd = random.Random(1)
    out = []
    for i in range(n):
        src = struct.pack("!I", rnd.getrandbits(32) | 0x01000000)
        out.append(at(i, 2) + (frame(src, SRV, tcp(rnd.randrange(1024, 65535),
                                                   443, rnd.getrandbits(32),
                                                   0, 0x02)),))
    return mix(out)


def c_half_certs(full):
    """Concurrent connections whose server sends ServerHello and the first
    part of a Certificate message claiming 40 KB, then stops (100,000
    with --full)."""
    n = 100000 if full else 4000
    # a full-size record (16 KB) of a 40 KB message: only 1100 bytes come
    part = b"\x16\x03\x03" + struct.pack("!H", 16384) + \
        hs(11, struct.pack("!I", 39997)[1:] + bytes(1100), claim=40000)
    out = []
    for i in range(n):
        out += session(i, 20000 + i % 40000, [hello_server(), part], i * 8)
    return mix(out)


def c_cert_16mb(full):
    """Flows whose Certificate message claims 16 MB (2^24 - 1), followed
    by 300 KB of record data."""
    out = []
    body = hs(11, b"", claim=0xffffff)
    pays = [hello_server(), rec(22, body + bytes(16000))]
    pays += [rec(22, bytes(16000)) for _ in range(18)]
    for i in range(20):
        out += session(i, 30000 + i, pays, i * 40)
    return mix(out)


def c_tiny_records(full):
    """Zero-length and one-byte records of every content type, and a
    handshake message split into one-byte records."""
    out = []
    pays = []
    for ct in (20, 21, 22, 23):
        pays += [rec(ct, b""), rec(ct, b"\x01")]
    one = b"".join(rec(22, bytes([b])) for b in hello_server())
    for i in range(50):
        out += session(i, 31000 + i, pays if i % 2 else [one] + pays, i * 20)
    return mix(out)


def c_many_hs(full):
    """One flow with 10,000 handshake messages (HelloRequest, 4 bytes
    each, packed 1,000 to a record)."""
    n = 10000
    msgs = [hs(0, b"")] * n
    pays = [hello_server()]
    for k in range(0, n, 1000):
        pays.append(rec(22, b"".join(msgs[k:k + 1000])))
    return mix(session(0, 32000, pays, 0))


def frag_frames(src, dst, ident, payload, size, overlap=False):
    out = []
    off = 0
    while off < len(payload):
        chunk = payload[off:off + size]
        more = 0x2000 if off + size < len(payload) else 0
        out.append(frame(src, dst, chunk, 6, ident, more | (off // 8)))
        if overlap and off > 0:
            bad = bytes(b ^ 0x5a for b in chunk)
            out.append(frame(src, dst, bad, 6, ident,
                             more | ((off - 8) // 8)))
        off += size
    return out


def c_frag_flood(full):
    """IP fragment trains that never complete (first fragments of 20,000
    datagrams), and overlapping fragments with conflicting bytes."""
    n = 100000 if full else 20000
    rnd = random.Random(2)
    out = []
    for i in range(200):
        l4 = tcp(40000 + i, 443, 1, 0, 0x18, bytes(400))
        for f in frag_frames(CLI, SRV, 0x4000 + i, l4, 96, overlap=True):
            out.append(at(len(out), 3) + (f,))
    for i in range(n):
        src = struct.pack("!I", rnd.getrandbits(32) | 0x01000000)
        f = frame(src, SRV, bytes(64), 6, i & 0xffff, 0x2000)
        out.append(at(len(out), 3) + (f,))
    return mix(out)


def nest(f, depth):
    """Ethernet frame f wrapped depth times, in turn in an 802.1Q tag, in
    MPLS (a pseudowire: label, control word 0, Ethernet; RFC 4448) and in
    GRE (0x6558, transparent Ethernet bridging) over IPv4."""
    macs = f[:12]
    for k in range(depth):
        if k % 3 == 0:
            f = macs + struct.pack("!HH", 0x8100, k & 0xfff) + f[12:]
        elif k % 3 == 1:
            f = macs + struct.pack("!HI", 0x8847, (100 + k) << 12 | 1 << 8 |
                                   64) + bytes(4) + f
        else:
            g = struct.pack("!HH", 0, 0x6558) + f
            f = macs + b"\x08\x00" + encap.ipv4_hdr(47, CLI, SRV, len(g)) + g
    return f


def c_deep_encap(full):
    """Every frame of the genuine session wrapped 40 layers deep (VLAN,
    MPLS, GRE), plus the genuine session itself, plain."""
    out = []
    for i in range(2000):
        s, u, f = genuine()[i % 14]
        out.append(at(i) + (nest(f, 40),))
    return mix(out)


def c_truncated(full):
    """The genuine session then a SYN flood, cut in the middle of a
    record header (the test checks the alert came before the damage)."""
    out = genuine() + [(T0 + 100, i, frame(CLI, SRV, tcp(1 + i, 443, i, 0, 2)))
                       for i in range(1000)]
    return out


def c_snaplen64(full):
    """Everything cut to 64 bytes: no payload survives (caplen < len)."""
    return genuine() + c_tiny_records(False)


CASES = {
    "overlap-conflict": c_overlap_conflict,
    "beyond-window": c_beyond_window,
    "seq-wrap": c_seq_wrap,
    "syn-flood": c_syn_flood,
    "half-certs": c_half_certs,
    "cert-16mb": c_cert_16mb,
    "tiny-records": c_tiny_records,
    "many-hs": c_many_hs,
    "frag-flood": c_frag_flood,
    "deep-encap": c_deep_encap,
    "truncated": c_truncated,
    "snaplen64": c_snaplen64,
}


def write(path, pkts, snaplen=65535):
    e = "<"
    out = [struct.pack(e + "IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, 1)]
    for sec, usec, f in pkts:
        cap = f[:snaplen]
        out.append(struct.pack(e + "IIII", sec, usec, len(cap), len(f)))
        out.append(cap)
    with open(path, "wb") as fp:
        fp.write(b"".join(out))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    full = "--full" in sys.argv
    if len(args) != 1:
        sys.exit(__doc__)
    os.makedirs(args[0], exist_ok=True)
    for name, fn in CASES.items():
        path = os.path.join(args[0], name + ".pcap")
        write(path, fn(full), 64 if name == "snaplen64" else 65535)
        if name == "truncated":
            size = os.path.getsize(path)
            with open(path, "r+b") as fp:
                fp.truncate(size - 30)       # inside the last record


if __name__ == "__main__":
    main()
