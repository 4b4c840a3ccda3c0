#!/usr/bin/env python3
"""check.py WHAT ARGS... - the checks of tests/field.sh.

  clients BASELINE.json PCAP...      print the client IPs (src_ip of the
                                     baseline run) and their MACs (the
                                     Ethernet source of their frames)
  leak CLIENTS_FILE PATH...          no client identifier in any byte of
                                     PATH (files, or directories walked)
  events OUT.json                    privacy: no tls event, flow events only
                                     for flows that alerted, aggregates count
                                     every session
  bundles DIR N                      N bundles, each complete: manifest
                                     hashes, PEMs = the alert's chain, the
                                     pcap's checksums valid, the chain's DER
                                     inside the pcap
"""
import base64
import hashlib
import ipaddress
import json
import os
import struct
import sys


def frames(path):
    d = open(path, "rb").read()
    assert d[:4] == b"\xd4\xc3\xb2\xa1", path
    off = 24
    while off + 16 <= len(d):
        _, _, incl, _ = struct.unpack("<IIII", d[off:off + 16])
        yield d[off + 16:off + 16 + incl]
        off += 16 + incl


def clients(base, pcaps):
    ev = [json.loads(line) for line in open(base)]
    ips = {e["src_ip"] for e in ev if "src_ip" in e}
    servers = {e["dest_ip"] for e in ev if "dest_ip" in e}
    ips -= servers
    macs = set()
    raw = {ipaddress.ip_address(i).packed for i in ips}
    for p in pcaps:
        for f in frames(p):
            if len(f) >= 34 and f[12:14] == b"\x08\x00" and f[26:30] in raw:
                macs.add(f[6:12].hex())
    assert ips and macs, (ips, macs)
    for i in sorted(ips):
        print("ip", i)
    for m in sorted(macs):
        print("mac", m)


def spellings(kind, v):
    """Every form a client identifier could take in text or bytes."""
    out = []
    if kind == "ip":
        a = ipaddress.ip_address(v)
        out += [str(a).encode(), a.packed, a.packed.hex().encode(),
                a.packed.hex().upper().encode()]
        if a.version == 4:
            m = ipaddress.IPv6Address("::ffff:" + str(a))
            out += [("::ffff:" + str(a)).encode(), str(m).encode(),
                    m.exploded.encode(), m.packed]
        else:
            out += [a.exploded.encode(), a.exploded.upper().encode()]
    else:
        b = bytes.fromhex(v)
        h = b.hex()
        out += [b, h.encode(), h.upper().encode()]
        for sep in (":", "-"):
            t = sep.join(h[i:i + 2] for i in range(0, 12, 2))
            out += [t.encode(), t.upper().encode()]
        out.append(".".join(h[i:i + 4] for i in range(0, 12, 4)).encode())
    return out


def leak(cfile, paths):
    ids = [l.split() for l in open(cfile) if l.strip()]
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, n) for n in names]
        elif os.path.exists(p):
            files.append(p)
    bad = []
    for f in files:
        data = open(f, "rb").read()
        for kind, v in ids:
            for s in spellings(kind, v):
                if s in data:
                    bad.append((f, kind, v, s))
    if bad:
        sys.exit("client identifiers written: %r" % bad[:10])
    print("%d files, %d identifiers: none written" % (len(files), len(ids)))


def events(out):
    ev = [json.loads(line) for line in open(out)]
    kinds = [e["event_type"] for e in ev]
    assert "tls" not in kinds, "a tls event under privacy"
    alerted = {e["flow_id"] for e in ev if e["event_type"] == "alert"}
    flows = [e for e in ev if e["event_type"] == "flow"]
    assert alerted and all(e["flow_id"] in alerted for e in flows), flows
    agg = [e["rootwatch"]["tls_aggregate"] for e in ev
           if e["event_type"] == "tls_aggregate"]
    sessions = sum(a["sessions"] for a in agg)
    stats = [e for e in ev if e["event_type"] == "stats"][-1]
    want = stats["rootwatch"]["tls"]["sessions"]
    assert agg and sessions == want, (sessions, want)
    assert sum(a["alerted"] for a in agg) == len(flows), agg
    for e in ev:
        if e["event_type"] != "alert":
            assert "ja3" not in json.dumps(e), e
        assert '"client_chain":' not in json.dumps(e), e
    print("%d alerts, %d flow events, %d sessions in %d aggregates" %
          (kinds.count("alert"), len(flows), sessions, len(agg)))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def pcap_ok(path, ders):
    payload = b""
    n = 0
    for f in frames(path):
        n += 1
        ihl = (f[14] & 15) * 4
        ip = f[14:]
        tot = struct.unpack("!H", ip[2:4])[0]
        assert csum(ip[:ihl]) == 0xFFFF, "IPv4 checksum, frame %d" % n
        seg = ip[ihl:tot]
        ph = ip[12:20] + struct.pack("!BBH", 0, ip[9], len(seg))
        assert csum(ph + seg) == 0xFFFF, "TCP checksum, frame %d" % n
        payload += seg[(seg[12] >> 4) * 4:]
    for d in ders:
        assert d in payload, "a certificate is not in the pcap"
    return n


def bundles(d, want):
    names = sorted(os.listdir(d))
    assert len(names) == int(want), names
    for b in names:
        p = os.path.join(d, b)
        man = [l.rstrip("\n").split(": ", 1) for l in
               open(os.path.join(p, "manifest.txt"))]
        files = {v.split("\t")[1]: v.split("\t")[0] for k, v in man
                 if k == "file"}
        assert set(files) | {"manifest.txt"} == set(os.listdir(p)), files
        for name, h in files.items():
            got = hashlib.sha256(open(os.path.join(p, name), "rb").read())
            assert got.hexdigest() == h, (b, name)
        alert = json.loads(open(os.path.join(p, "alert.json")).readline())
        chain = alert["rootwatch"]["tls"]["chain"]
        ders = []
        for c in chain:
            pem = open(os.path.join(p, "cert-%d.pem" % c["index"])).read()
            der = base64.b64decode("".join(pem.splitlines()[1:-1]))
            assert hashlib.sha256(der).hexdigest() == c["sha256"], b
            ders.append(der)
        keys = {k for k, _ in man}
        for k in ("rootwatch-version", "rules_file", "alert", "capture",
                  "clock", "first_seen", "last_seen", "repeats", "cert"):
            assert k in keys, (b, k)
        n = pcap_ok(os.path.join(p, "handshake.pcap"), ders)
        print("%s: %d files, %d frames, repeats %s" % (
            b, len(files), n, dict(man)["repeats"]))


def main():
    what, args = sys.argv[1], sys.argv[2:]
    if what == "clients":
        clients(args[0], args[1:])
    elif what == "leak":
        leak(args[0], args[1:])
    elif what == "events":
        events(args[0])
    elif what == "bundles":
        bundles(args[0], args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
