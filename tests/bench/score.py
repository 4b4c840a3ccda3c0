#!/usr/bin/env python3
"""score.py - score rootwatch's JSON events against a gen-bench.py manifest.

Usage: score.py MANIFEST.tsv EVENTS.json [--misses]

Chains: for every TLS 1.2 flow of the manifest (kind tls12, the chain is
visible), the tls event of that flow (matched by the 5-tuple, either
direction) must list exactly the manifest's chain_sha256 certificates, in
order.  Alerts: flows of the manifest with alert=1 that got at least one
alert event; decoys: flows whose leaf issuer is a look-alike of the
interception root (same CN, other DN, "C=US, CN=Qaznet Trust Network")
that got any alert (must be 0); other alerts: alerts on any other flow.

Prints one line: chains F/E alerts F/E decoy_alerts N other_alerts N
(--misses: then one line per missed flow with its anomaly and layout).
Standard library only.
"""
import ipaddress
import json
import sys


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def key(a, ap, b, bp):
    x = (norm_ip(a), int(ap))
    y = (norm_ip(b), int(bp))
    return (x, y) if x <= y else (y, x)


def read_manifest(path):
    flows = {}
    cols = None
    kz_dn = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# kz_root_dn:"):
                kz_dn = line.split(":", 1)[1].strip()
            if line.startswith("#") or not line:
                continue
            row = line.split("\t")
            if cols is None:
                cols = row
                continue
            r = dict(zip(cols, row))
            if r.get("l4") != "tcp":
                continue
            k = key(r["client"], r["cport"], r["server"], r["sport"])
            flows[k] = r
    return flows, kz_dn


def read_events(path):
    chains = {}
    alerts = {}
    with open(path) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            t = e.get("event_type")
            if t not in ("tls", "alert") or "src_port" not in e:
                continue
            k = key(e["src_ip"], e["src_port"], e["dest_ip"], e["dest_port"])
            if t == "tls":
                rw = e.get("rootwatch", {}).get("tls", {})
                ch = [c.get("sha256") for c in rw.get("chain", [])]
                if ch:
                    chains[k] = ch
            else:
                alerts[k] = alerts.get(k, 0) + 1
    return chains, alerts


def is_decoy(r, kz_dn):
    iss = r.get("leaf_issuer", "")
    return "Qaznet Trust Network" in iss and iss != kz_dn and \
        not iss.startswith(kz_dn + " ") and r.get("alert") != "1"


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    flows, kz_dn = read_manifest(sys.argv[1])
    chains, alerts = read_events(sys.argv[2])
    kz_dn = kz_dn or "C=KZ, CN=Qaznet Trust Network"
    exp_c = got_c = exp_a = got_a = decoy = other = 0
    misses = []
    for k, r in flows.items():
        if r["kind"] == "tls12":
            exp_c += 1
            want = r["chain_sha256"].split(",")
            if chains.get(k) == want:
                got_c += 1
            else:
                misses.append(("chain", r))
        if r.get("alert") == "1":
            exp_a += 1
            if k in alerts:
                got_a += 1
            else:
                misses.append(("alert", r))
        elif k in alerts:
            if is_decoy(r, kz_dn):
                decoy += 1
            else:
                other += 1
    print("chains %d/%d alerts %d/%d decoy_alerts %d other_alerts %d"
          % (got_c, exp_c, got_a, exp_a, decoy, other))
    if "--misses" in sys.argv:
        for what, r in misses:
            print("miss %s flow %s anomaly %s layout %s mss %s sport %s"
                  % (what, r["flow"], r["anomaly"], r["hs_layout"], r["mss"],
                     r["sport"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
