#!/usr/bin/env python3
"""run.py - replay the adversarial captures (gen.py) through rootwatch under
small caps and check each: no crash, peak RSS under the bound, the right
counters risen, the genuine alert still found.

    python3 tests/adversarial/run.py ROOTWATCH WORKDIR [--full]

make check runs the scaled-down set (tests/adversarial.sh); --full makes
the issue's sizes (1,000,000 SYNs, 100,000 half certificates; about a
minute to generate and replay).

RSS bound: the caps below (reassembly 4M, tls 4M, defrag 1M, x509 cache
4M: 13 MiB) plus 24 MiB for what is sized by flow.max (4096 preallocated
flows with their nDPI state) and allocator slack, over the RSS of the
genuine session alone.  Without caps a million-SYN flood or 100,000 half
certificates would hold hundreds of MiB.  Peak RSS: see run().
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
RULES = os.path.join(TOP, "rules", "state-interception.yaml")
CAPS = """flow: { max: 4096 }
reassembly: { memcap: 4M }
tls: { memcap: 4M }
defrag: { memcap: 1M, trains: 256 }
x509: { cache-bytes: 4M }
"""
CAPS_KB = 13 * 1024
SLACK_KB = 24 * 1024


TIME = "/usr/bin/time"


def run(rw, conf, pcap, out):
    """Exit status and peak RSS (KiB) of one replay.  Not this process's
    own wait4(): Linux keeps the largest RSS a process had before exec in
    ru_maxrss, so a child forked from this (large) Python would report
    Python's pages.  GNU time forks from a small process; without it,
    VmHWM is polled from /proc every millisecond (a last-moment peak may
    be missed)."""
    argv = [rw, "-c", conf, "-R", RULES, "-r", pcap]
    with open(out + ".out", "wb") as o, open(out + ".err", "wb") as e:
        if os.access(TIME, os.X_OK):
            p = subprocess.Popen([TIME, "-f", "%M", "-o", out + ".rss"] +
                                 argv, stdout=o, stderr=e,
                                 stdin=subprocess.DEVNULL)
            rc = p.wait()
            txt = open(out + ".rss").read()
            if "terminated by signal " in txt:       # time exits 0 then
                rc = 128 + int(txt.split("terminated by signal ")[1].split()[0])
            return rc, int(txt.split()[-1])
        p = subprocess.Popen(argv, stdout=o, stderr=e,
                             stdin=subprocess.DEVNULL)
        rss = 0
        while p.poll() is None:
            try:
                for line in open("/proc/%d/status" % p.pid):
                    if line.startswith("VmHWM:"):
                        rss = max(rss, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.001)
        return p.returncode, rss


def events(path):
    return [json.loads(x) for x in open(path) if x.strip()]


def get(d, path, default=0):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def tls_count(evs, key, val):
    n = 0
    for e in evs:
        if e["event_type"] != "tls":
            continue
        v = e.get("rootwatch", {}).get("tls", {}).get(key)
        if v == val or (isinstance(v, list) and val in v):
            n += 1
    return n


# case: (expected exit, genuine alert expected, [(description, check)])
# each check takes (stats, events) and returns true when it holds
def expectations(full):
    nsyn = 1000000 if full else 30000
    nhalf = 100000 if full else 4000
    return {
        "overlap-conflict": (0, True, [
            ("reassembly.overlap_conflicts > 0",
             lambda s, e: get(s, "reassembly.overlap_conflicts") > 0)]),
        "beyond-window": (0, True, [
            ("reassembly.out_of_order > 0",
             lambda s, e: get(s, "reassembly.out_of_order") > 0)]),
        "seq-wrap": (0, True, [
            ("no gap", lambda s, e: get(s, "reassembly.gaps") == 0)]),
        "syn-flood": (0, True, [
            ("flow.created = SYNs + 1",
             lambda s, e: get(s, "flow.created") == nsyn + 1),
            ("flow.evicted > 0", lambda s, e: get(s, "flow.evicted") > 0)]),
        "half-certs": (0, True, [
            ("reassembly.memcap_hits > 0",
             lambda s, e: get(s, "reassembly.memcap_hits") > 0),
            ("every half session reported (truncated or memcap)",
             lambda s, e: get(s, "tls.chain_missing.truncated") +
             get(s, "tls.chain_missing.memcap") == nhalf)]),
        "cert-16mb": (0, True, [
            ("20 sessions flag handshake_too_large",
             lambda s, e: tls_count(e, "anomalies",
                                    "handshake_too_large") == 20)]),
        "tiny-records": (0, True, [
            ("50 sessions flag zero_length_record",
             lambda s, e: tls_count(e, "anomalies",
                                    "zero_length_record") == 50)]),
        "many-hs": (0, True, [
            ("40,000 bytes of handshake messages delivered",
             lambda s, e: get(s, "reassembly.bytes_delivered") > 40000)]),
        "frag-flood": (0, True, [
            ("decoder.errors.frag_cap > 0",
             lambda s, e: get(s, "decoder.errors.frag_cap") > 0),
            ("decoder.errors.frag_bad > 0 (overlaps)",
             lambda s, e: get(s, "decoder.errors.frag_bad") > 0)]),
        "deep-encap": (0, True, [
            ("decoder.errors.too_deep = 2000",
             lambda s, e: get(s, "decoder.errors.too_deep") == 2000)]),
        "truncated": (1, True, []),
        "snaplen64": (0, False, [
            ("decoder.errors.snaplen > 0",
             lambda s, e: get(s, "decoder.errors.snaplen") > 0)]),
    }


def check_case(rw, work, conf, name, want, bound_kb):
    rc_want, alert_want, checks = want
    bad = []
    rc, rss = run(rw, conf, os.path.join(work, name + ".pcap"),
                  os.path.join(work, name))
    if rc != rc_want:
        bad.append("exit %d, want %d" % (rc, rc_want))
    if rss > bound_kb:
        bad.append("peak RSS %d KiB > bound %d KiB" % (rss, bound_kb))
    try:
        evs = events(os.path.join(work, name + ".out"))
    except ValueError as x:
        return ["output is not JSON lines: %s" % x], rss
    st = [e for e in evs if e["event_type"] == "stats"]
    if len(st) != 1:
        return bad + ["%d stats events" % len(st)], rss
    alerts = [e for e in evs if e["event_type"] == "alert" and
              e.get("rootwatch", {}).get("alert", {}).get("rule_id") == "kz-qaznet-2019"]
    if alert_want and len(alerts) != 1:
        bad.append("%d kz-qaznet-2019 alerts, want 1" % len(alerts))
    for what, fn in checks:
        if not fn(st[0]["rootwatch"], evs):
            bad.append("counter: %s does not hold" % what)
    return bad, rss


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    full = "--full" in sys.argv
    if len(args) != 2:
        sys.exit(__doc__)
    rw, work = args
    os.makedirs(work, exist_ok=True)
    gen = [sys.executable, os.path.join(HERE, "gen.py"), work]
    subprocess.check_call(gen + (["--full"] if full else []))
    conf = os.path.join(work, "caps.yaml")
    with open(conf, "w") as f:
        f.write(CAPS)
    base = os.path.join(TOP, "tests", "scenarios", "kz-qaznet-root-sent.pcap")
    rc, base_kb = run(rw, conf, base, os.path.join(work, "baseline"))
    if rc != 0:
        sys.exit("baseline run failed: exit %d" % rc)
    bound = base_kb + CAPS_KB + SLACK_KB
    print("# baseline RSS %d KiB, bound %d KiB" % (base_kb, bound))
    failures = 0
    for name, want in expectations(full).items():
        bad, rss = check_case(rw, work, conf, name, want, bound)
        print("%s: %s: peak RSS %d KiB" % ("FAIL" if bad else "ok", name,
                                           rss))
        for b in bad:
            print("#   " + b)
        failures += bool(bad)
    print("# %d cases, %d failed" % (len(expectations(full)), failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
