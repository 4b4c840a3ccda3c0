#!/usr/bin/env python3
"""check.py SCENARIO EVENTS.json [TOP_SRCDIR] - assert rootwatch's events
for one scenario capture (tests/scenarios/README.md).

Prints one line per failed assertion and exits 1 if any failed.
"""
import hashlib
import json
import os
import ssl
import sys

errors = []


def expect(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def pem_sha256(path):
    with open(path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return hashlib.sha256(der).hexdigest()


def load(path):
    events = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                events.append(json.loads(line))
            except ValueError as e:
                errors.append("line %d: not JSON (%s): %.80s" % (n, e, line))
    return events


def by_type(events, t):
    return [e for e in events if e.get("event_type") == t]


def check_flow_fields(e, port, what):
    expect(e.get("proto") == "TCP", "%s: proto %r" % (what, e.get("proto")))
    expect(e.get("dest_ip") == "127.0.0.1",
           "%s: dest_ip %r" % (what, e.get("dest_ip")))
    expect(e.get("dest_port") == port,
           "%s: dest_port %r, want %d" % (what, e.get("dest_port"), port))
    expect(e.get("src_ip") == "127.0.0.1",
           "%s: src_ip %r" % (what, e.get("src_ip")))
    expect(isinstance(e.get("src_port"), int) and e.get("src_port") != port,
           "%s: src_port %r" % (what, e.get("src_port")))
    expect(isinstance(e.get("flow_id"), int), "%s: no flow_id" % what)
    ts = e.get("timestamp", "")
    expect(isinstance(ts, str) and ts.startswith("20") and
           ts.endswith("+0000"),
           "%s: timestamp %r" % (what, ts))


def check_tls(events, sc):
    tls = by_type(events, "tls")
    if not expect(len(tls) == 1, "want 1 tls event, got %d" % len(tls)):
        return None
    t = tls[0]
    check_flow_fields(t, sc["port"], "tls event")
    if "vlan" in sc:
        expect(t.get("vlan") == sc["vlan"],
               "tls event: vlan %r, want %r" % (t.get("vlan"), sc["vlan"]))
    else:
        expect("vlan" not in t, "tls event: unexpected vlan %r" % t.get("vlan"))
    o = t.get("tls", {})
    expect(o.get("version") == sc["version"],
           "tls.version %r, want %r" % (o.get("version"), sc["version"]))
    expect(o.get("sni") == sc["sni"],
           "tls.sni %r, want %r" % (o.get("sni"), sc["sni"]))
    expect(isinstance(o.get("ja3", {}).get("hash"), str)
           and len(o["ja3"]["hash"]) == 32, "tls.ja3.hash missing")
    rw = t.get("rootwatch", {}).get("tls", {})
    chain = rw.get("chain", [])
    check_eve_leaf(o, chain)
    o = rw
    if sc.get("chain_missing"):
        expect(o.get("chain_visible") is False,
               "tls.chain_visible %r, want false" % o.get("chain_visible"))
        expect(o.get("chain_missing") == sc["chain_missing"],
               "tls.chain_missing %r, want %r"
               % (o.get("chain_missing"), sc["chain_missing"]))
        expect(chain == [], "tls.chain not empty under TLS 1.3")
        return t
    expect(o.get("chain_visible") is True,
           "tls.chain_visible %r, want true" % o.get("chain_visible"))
    expect("chain_missing" not in o,
           "tls.chain_missing %r on a visible chain" % o.get("chain_missing"))
    expect(len(chain) == len(sc["chain"]),
           "tls.chain has %d certificates, want %d"
           % (len(chain), len(sc["chain"])))
    for i, (c, want) in enumerate(zip(chain, sc["chain"])):
        expect(c.get("index") == i, "chain[%d].index %r" % (i, c.get("index")))
        expect(c.get("sha256") == want,
               "chain[%d].sha256 %r, want %s" % (i, c.get("sha256"), want))
    if chain:
        expect(sc["sni"] in chain[0].get("san", []),
               "chain[0].san %r lacks %s" % (chain[0].get("san"), sc["sni"]))
    return t


def check_eve_leaf(o, chain):
    """EVE's leaf fields are the structured chain's leaf."""
    if not chain:
        expect("fingerprint" not in o, "tls.fingerprint without a chain")
        return
    sha1 = chain[0].get("sha1", "")
    fp = ":".join(sha1[i:i + 2] for i in range(0, len(sha1), 2))
    expect(o.get("fingerprint") == fp,
           "tls.fingerprint %r, want %r" % (o.get("fingerprint"), fp))
    expect(isinstance(o.get("subject"), str) and ", " in o["subject"] or
           "," not in chain[0].get("subject", ""),
           "tls.subject %r" % o.get("subject"))


def rw_alert(a):
    return a.get("rootwatch", {}).get("alert", {})


def check_alerts(events, sc, tls_event):
    alerts = by_type(events, "alert")
    got = sorted(rw_alert(a).get("rule_id") for a in alerts)
    want = sorted(a["rule_id"] for a in sc["alerts"])
    expect(got == want, "alerts for rules %r, want %r" % (got, want))
    for w in sc["alerts"]:
        mine = [a for a in alerts if rw_alert(a).get("rule_id")
                == w["rule_id"]]
        if not mine:
            continue
        a = mine[0]
        what = "alert %s" % w["rule_id"]
        check_flow_fields(a, sc["port"], what)
        if "vlan" in sc:
            expect(a.get("vlan") == sc["vlan"],
                   "%s: vlan %r" % (what, a.get("vlan")))
        al, m = a.get("alert", {}), a.get("rootwatch", {}).get("match", {})
        expect(isinstance(al.get("signature_id"), int),
               "%s: signature_id %r" % (what, al.get("signature_id")))
        expect(isinstance(al.get("signature"), str) and al["signature"],
               "%s: no signature (rule name)" % what)
        expect(al.get("severity") in (1, 2, 3),
               "%s: severity %r" % (what, al.get("severity")))
        expect(al.get("gid") == 1 and al.get("action") == "allowed",
               "%s: gid %r action %r" % (what, al.get("gid"),
                                          al.get("action")))
        expect(rw_alert(a).get("severity") in
               ("critical", "high", "medium", "low", "info"),
               "%s: rootwatch.alert.severity %r"
               % (what, rw_alert(a).get("severity")))
        for k in ("attribution", "verified", "index"):
            if k in w:
                expect(m.get(k) == w[k], "%s: match.%s %r, want %r"
                       % (what, k, m.get(k), w[k]))
        expect(isinstance(m.get("field"), str) and m.get("value"),
               "%s: match.field/value missing" % what)
        if tls_event is not None:
            expect(a.get("flow_id") == tls_event.get("flow_id"),
                   "%s: flow_id differs from the tls event's" % what)
            expect(a.get("tls", {}).get("sni") == sc["sni"],
                   "%s: tls.sni %r" % (what, a.get("tls", {}).get("sni")))


def check_flow(events, sc):
    flows = [e for e in by_type(events, "flow")
             if e.get("dest_port") == sc["port"]]
    if not expect(len(flows) == 1, "want 1 flow event, got %d" % len(flows)):
        return
    f = flows[0].get("flow", {})
    rf = flows[0].get("rootwatch", {}).get("flow", {})
    expect(f.get("reason") in ("shutdown", "timeout"),
           "flow.reason %r" % f.get("reason"))
    expect(rf.get("end") in ("closed", "shutdown", "timeout"),
           "rootwatch.flow.end %r" % rf.get("end"))
    expect(rf.get("syn_seen") is True,
           "rootwatch.flow.syn_seen %r" % rf.get("syn_seen"))
    expect(f.get("alerted") is bool(sc["alerts"]),
           "flow.alerted %r" % f.get("alerted"))
    byp = f.get("bypassed", {})
    expect(f.get("pkts_toserver", 0) + byp.get("pkts_toserver", 0) > 0 and
           f.get("pkts_toclient", 0) + byp.get("pkts_toclient", 0) > 0,
           "flow packet counts %r/%r" % (f.get("pkts_toserver"),
                                         f.get("pkts_toclient")))


def scenarios(top):
    c = os.path.join(top, "tests", "scenarios", "certs")
    r = os.path.join(top, "rules")
    kz_leaf = pem_sha256(os.path.join(c, "kz-leaf.pem"))
    qaznet = pem_sha256(os.path.join(r, "kz-qaznet-2019.pem"))
    kz_a = {
        "port": 44301, "version": "TLS 1.2", "sni": "www.example.kz",
        "chain": [kz_leaf, qaznet],
        # (a) the anchor itself is sent at position 1.
        "alerts": [{"rule_id": "kz-qaznet-2019",
                    "attribution": "fingerprint", "index": 1}],
    }
    return {
        "kz-qaznet-root-sent": kz_a,
        "kz-qaznet-vlan100": dict(kz_a, vlan=[100]),
        # (b) the Sub CA (itself listed: fingerprint) verifies with the
        # Russian Trusted Root's key; the root is the issuer of the top.
        "ru-sub-ca-signature": {
            "port": 44302, "version": "TLS 1.2", "sni": "www.example.ru",
            "chain": [pem_sha256(os.path.join(c, "ru-leaf.pem")),
                      pem_sha256(os.path.join(r, "ru-trusted-sub-ca-2022.pem"))],
            "alerts": [{"rule_id": "ru-trusted-root-ca-2022",
                        "attribution": "signature", "verified": True,
                        "index": "issuer_of_top"},
                       {"rule_id": "ru-trusted-sub-ca-2022",
                        "attribution": "fingerprint", "index": 1}],
        },
        # (c) the leaf's issuer DN and AKI are Qaznet's, but its signature
        # does not verify with Qaznet's key.
        "kz-qaznet-lookalike": {
            "port": 44303, "version": "TLS 1.2", "sni": "www.example.kz",
            "chain": [pem_sha256(os.path.join(c, "lookalike-leaf.pem"))],
            "alerts": [{"rule_id": "kz-qaznet-2019",
                        "attribution": "key_id", "verified": False,
                        "index": "issuer_of_top"}],
        },
        # (e) unknown private root for www.google.com, untrusted.yaml.
        "untrusted-private-root": {
            "port": 44304, "version": "TLS 1.2", "sni": "www.google.com",
            "chain": [pem_sha256(os.path.join(c, "google-leaf.pem")),
                      pem_sha256(os.path.join(c, "private-root.pem"))],
            "alerts": [{"rule_id": "untrusted-public-sni",
                        "attribution": "untrusted"}],
        },
        # TLS 1.3: the certificates are encrypted, nothing to match.
        "kz-qaznet-tls13": {
            "port": 44305, "version": "TLS 1.3", "sni": "www.example.kz",
            "chain_missing": "tls13", "alerts": [],
        },
    }


def main():
    name, path = sys.argv[1], sys.argv[2]
    top = sys.argv[3] if len(sys.argv) > 3 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    sc = scenarios(top)[name]
    events = load(path)
    t = check_tls(events, sc)
    check_alerts(events, sc, t)
    check_flow(events, sc)
    for e in errors:
        print("%s: %s" % (name, e))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
