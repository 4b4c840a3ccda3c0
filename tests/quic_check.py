#!/usr/bin/env python3
"""quic_check.py - rootwatch's quic events against the QUIC corpus oracle.

usage: quic_check.py ROOTWATCH CORPUS_DIR WORKDIR

CORPUS_DIR holds the captures and expected.tsv (../shared/corpus/quic, see
its README.md).  Every row (one UDP flow) is checked: the client's
versions in order (rootwatch.quic.versions joined by " -> "), the SNI
(quic.sni) and the offered ALPN list (rootwatch.quic.alpn) must equal
the row; "-" means no quic event, or one without that field.  A quic
event for a flow the oracle does not list fails too.  Prints one line per
mismatch and a summary; exit 1 on any mismatch.
"""
import csv
import ipaddress
import json
import os
import subprocess
import sys


def norm(ip):
    return str(ipaddress.ip_address(ip))


def events(rw, pcap, work):
    out = os.path.join(work, os.path.basename(pcap) + ".json")
    with open(out, "w") as fp:
        r = subprocess.run([rw, "--no-rules", "-q", "-r", pcap], stdout=fp,
                           stderr=subprocess.PIPE, timeout=120)
    if r.returncode not in (0, 1):
        raise SystemExit("%s: exit %d: %s" % (pcap, r.returncode,
                                              r.stderr.decode()[-500:]))
    got = {}
    with open(out) as fp:
        for line in fp:
            e = json.loads(line)
            if e.get("event_type") != "quic":
                continue
            key = (norm(e["src_ip"]), e["src_port"], norm(e["dest_ip"]),
                   e["dest_port"])
            if key in got:
                raise SystemExit("%s: two quic events for %s" % (pcap, key))
            got[key] = e
    return got


def found(e):
    if e is None:
        return "-", "-", "-"
    rq = e["rootwatch"]["quic"]
    ver = " -> ".join(rq["versions"]) or "-"
    return ver, e["quic"].get("sni", "-"), ";".join(rq.get("alpn", [])) or "-"


def main():
    rw, corpus, work = sys.argv[1:4]
    rows = list(csv.DictReader(open(os.path.join(corpus, "expected.tsv")),
                               delimiter="\t"))
    bad = 0
    seen = set()
    by_pcap = {}
    for r in rows:
        by_pcap.setdefault(r["pcap"], []).append(r)
    for pcap, prow in sorted(by_pcap.items()):
        got = events(rw, os.path.join(corpus, pcap), work)
        for r in prow:
            key = (norm(r["client_ip"]), int(r["client_port"]),
                   norm(r["server_ip"]), int(r["server_port"]))
            seen.add((pcap, key))
            want = (r["quic_version"], r["sni"], r["alpn"])
            have = found(got.get(key))
            if have != want:
                bad += 1
                print("MISMATCH %s %s: want %s, got %s" % (pcap, key, want,
                                                           have))
        for key in got:
            if (pcap, key) not in seen:
                bad += 1
                print("EXTRA %s %s: %s" % (pcap, key, found(got[key])))
    print("%d rows in %d captures, %d mismatches" % (len(rows),
                                                      len(by_pcap), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
