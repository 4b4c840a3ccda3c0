#!/usr/bin/env python3
"""arm64_compare.py - the same events from two rootwatch binaries.

Runs both binaries (the native one and, through a qemu-user wrapper, the
arm64 one) with the same rules over every capture (*.pcap, *.pcapng,
*.pcap.gz gunzipped) in the directories given, and compares their events
line by line.  Identical means identical JSON, except in stats events the
fields that measure the run rather than the traffic: time of run and
memory (see RUN_FIELDS).  The exit status and stderr must match too.

  arm64_compare.py --native BIN --other BIN [--rules FILE]... [--jobs N]
                   --out DIR DIR...

Prints one line per differing capture and "arm64: N of M captures
identical"; exit 0 when all are, 1 otherwise, 2 on a usage error.
Python 3 standard library only.
"""

import argparse
import concurrent.futures
import gzip
import json
import os
import re
import shutil
import subprocess
import sys

# Stats fields that measure the run, not the traffic: wall or CPU time,
# process memory, the sensor's own memory accounting (allocator and
# architecture dependent), and the sandbox object (qemu-user emulates
# neither seccomp nor Landlock, so the arm64 run reports them missing).
RUN_FIELDS = re.compile(
    r'^(sandbox|uptime|elapsed|runtime|run_time|wall|cpu|cpu_.*|.*_seconds|.*_ms|'
    r'.*_us|.*_ns|rss|.*_rss|rss_.*|memory|memory_.*|.*_memory)$')
CAPTURE = re.compile(r'\.(pcap|pcapng|pcap\.gz)$')
TIMEOUT = 600


def strip_run_fields(obj):
    """obj without the RUN_FIELDS keys, at any depth."""
    if isinstance(obj, dict):
        return {k: strip_run_fields(v) for k, v in obj.items()
                if not RUN_FIELDS.match(k)}
    if isinstance(obj, list):
        return [strip_run_fields(v) for v in obj]
    return obj


def normalise(text):
    """The events of one run, each as canonical JSON (or the raw line)."""
    out = []
    for line in text.splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            out.append('not JSON: ' + line)
            continue
        if isinstance(ev, dict) and ev.get('event_type') == 'stats':
            ev = strip_run_fields(ev)
        out.append(json.dumps(ev, sort_keys=True))
    return out


def captures(dirs):
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                if CAPTURE.search(f):
                    yield os.path.join(root, f)


def run(binary, rules, pcap, out):
    args = [binary]
    for r in rules:
        args += ['-R', r]
    args += ['-r', pcap]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, check=False)
    with open(out, 'wb') as f:
        f.write(p.stdout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), \
        p.stderr.decode('utf-8', 'replace')


def sandbox_free(err):
    """stderr without the lines about sandbox layers: qemu-user has no
    seccomp(2) and no Landlock, which the arm64 run reports."""
    return '\n'.join(l for l in err.splitlines()
                     if not re.search(r'(?i)landlock|seccomp|sandbox', l))


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return 'event %d differs:\n  native %s\n  arm64  %s' % (
                i + 1, x[:400], y[:400])
    return 'native has %d events, arm64 %d' % (len(a), len(b))


def compare(args, pcap, n):
    src = pcap
    if pcap.endswith('.gz'):
        src = os.path.join(args.out, '%d.pcap' % n)
        with gzip.open(pcap) as f, open(src, 'wb') as g:
            shutil.copyfileobj(f, g)
    rc_a, out_a, err_a = run(args.native, args.rules, src,
                             os.path.join(args.out, '%d.native' % n))
    rc_b, out_b, err_b = run(args.other, args.rules, src,
                             os.path.join(args.out, '%d.arm64' % n))
    ev_a, ev_b = normalise(out_a), normalise(out_b)
    if rc_a != rc_b:
        return 'exit status %d native, %d arm64' % (rc_a, rc_b), len(ev_a)
    if ev_a != ev_b:
        return first_difference(ev_a, ev_b), len(ev_a)
    err_a, err_b = sandbox_free(err_a), sandbox_free(err_b)
    if err_a != err_b:
        return 'stderr differs:\n  native %s\n  arm64  %s' % (
            err_a[:400], err_b[:400]), len(ev_a)
    return None, len(ev_a)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--native', required=True)
    ap.add_argument('--other', required=True)
    ap.add_argument('--rules', action='append', default=[])
    ap.add_argument('--out', required=True)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('dirs', nargs='+')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    total = same = events = 0
    pcaps = list(captures(args.dirs))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = pool.map(lambda np: compare(args, np[1], np[0]),
                           enumerate(pcaps))
    for pcap, (diff, count) in zip(pcaps, results):
        total += 1
        events += count
        if diff is None:
            same += 1
        else:
            print('DIFFERENT: %s: %s' % (pcap, diff))
    if total == 0:
        print('arm64: no capture found', file=sys.stderr)
        return 2
    print('arm64: %d of %d captures identical (%d events)'
          % (same, total, events))
    return 0 if same == total else 1


if __name__ == '__main__':
    sys.exit(main())
