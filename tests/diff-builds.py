#!/usr/bin/env python3
"""diff-builds.py - do two rootwatch builds write the same events?

Usage: tests/diff-builds.py [-v] [-j JOBS] [--context N] [--only SUBSTRING]
                            OLD_ROOTWATCH NEW_ROOTWATCH

Runs both binaries over every capture we have and compares their JSON
events line by line:
  - ../shared/corpus/*/*.pcap{,ng} (when ../shared sits beside the tree),
  - tests/corpus/pcaps, tests/variety/pcaps, tests/encap,
  - tests/scenarios (with the rules tests/scenarios.sh gives each one),
each with rules/state-interception.yaml and in four option sets: none,
--pem, --cert-dedup, --privacy.  --privacy runs with a configuration
naming one key file for both builds (privacy.key): without it each replay
keys its flow ids with a key of its own run, and no two runs would agree.

flow, tls and alert events are compared byte for byte.  The stats event
too, except the figures that measure memory rather than traffic (they move
whenever a structure or an allocation strategy changes, while the events
stay the same); they are listed in STATS_IGNORED.  Nothing in an event
depends on the wall clock when reading files: timestamps are packet time.
The exit status must match too; stderr is not compared (it carries the
same memory figures as the stats event, in prose).

Prints one block per differing capture (the option sets that differ and a
unified diff excerpt of the first), then "N captures, M identical, K
differ".  Exit status 0 when all are identical, 1 when any differ, 2 on a
usage error.
"""
import argparse
import concurrent.futures
import difflib
import glob
import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(TOP, 'rules', 'state-interception.yaml')
SCEN = os.path.join(TOP, 'tests', 'scenarios')
OPTION_SETS = [[], ['--pem'], ['--cert-dedup'], ['--privacy']]
TIMEOUT = 120

# Stats fields (paths in the stats object) that measure memory, not
# traffic.  tls.memcap_hits is compared: on these captures the cap is
# never reached, and a change there is a change in behaviour.
STATS_IGNORED = [
    ('reassembly', 'memory_in_use'),
    ('reassembly', 'memory_peak'),
    ('tls', 'memory_in_use'),
    ('tls', 'memory_peak'),
    ('x509_cache', 'bytes'),	# DER + cached JSON sizes
]

# --ignore-stat SECTION.KEY: a counter one build has and the other not
# (a new counter is not a change in behaviour).
EXTRA_IGNORED = []

# Extra rules per scenario capture, as tests/scenarios.sh runs them.
SCENARIO_RULES = {
    'untrusted-private-root': [os.path.join(SCEN, 'untrusted.yaml')],
}


def captures():
    """(label, path, extra rule files) for every capture, sorted."""
    out = []
    shared = os.path.join(os.path.dirname(TOP), 'shared', 'corpus')
    pats = [os.path.join(shared, '*', '*.pcap'),
            os.path.join(shared, '*', '*.pcapng'),
            os.path.join(TOP, 'tests', 'corpus', 'pcaps', '*.pcap*'),
            os.path.join(TOP, 'tests', 'variety', 'pcaps', '*.pcap*'),
            os.path.join(TOP, 'tests', 'encap', '*.pcap'),
            os.path.join(SCEN, '*.pcap*')]
    for pat in pats:
        for p in sorted(glob.glob(pat)):
            label = os.path.relpath(p, os.path.dirname(TOP))
            if label.startswith(os.path.basename(TOP) + os.sep):
                label = os.path.relpath(p, TOP)
            base = os.path.basename(p).rsplit('.', 1)[0]
            extra = SCENARIO_RULES.get(base, []) if p.startswith(SCEN) \
                else []
            out.append((label, p, extra))
    return out


def normalize(line):
    """The line as compared: stats events without STATS_IGNORED."""
    if '"event_type":"stats"' not in line:
        return line
    try:
        ev = json.loads(line)
    except ValueError:
        return line
    # rootwatch's counters: "stats" before the EVE names, "rootwatch" after
    for st in (ev.get('stats', {}), ev.get('rootwatch', {})):
        for sect, key in STATS_IGNORED + EXTRA_IGNORED:
            if isinstance(st.get(sect), dict):
                st[sect].pop(key, None)
    return json.dumps(ev, separators=(',', ':'), ensure_ascii=False)


def privacy_key(tmp):
    """The configuration every --privacy run uses: one key file."""
    key = os.path.join(tmp, 'privacy.key')
    cfg = os.path.join(tmp, 'privacy.yaml')
    if not os.path.exists(cfg):
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(64))
        os.close(fd)
        with open(cfg, 'w') as f:
            f.write('privacy: { enabled: on, key: %s }\n' % key)
    return cfg


def run(binary, pcap, extra_rules, opts, tmp):
    """(exit status, [normalized lines]) of one run."""
    fd, outp = tempfile.mkstemp(suffix='.json', dir=tmp)
    os.close(fd)
    cmd = [binary, '-R', RULES]
    for r in extra_rules:
        cmd += ['-R', r]
    if opts == ['--privacy']:
        opts = opts + ['-c', os.path.join(tmp, 'privacy.yaml')]
    cmd += opts + ['-r', pcap, '-o', outp]
    if os.path.exists(outp):
        os.unlink(outp)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = 'timeout'
    lines = []
    if os.path.exists(outp):
        with open(outp, encoding='utf-8', errors='surrogateescape') as f:
            lines = [normalize(l.rstrip('\n')) for l in f]
        os.unlink(outp)
    return rc, lines


def first_diff(a, b):
    """Offset of the first character where a and b differ."""
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return i


def excerpt(a, b, context, limit=30, width=240):
    """A unified diff excerpt.  Events are long lines: each changed line
    is shown from a little before the first character where it differs
    from its counterpart (the first line of the other side in its hunk)."""
    d = list(difflib.unified_diff(a, b, 'old', 'new', n=context,
                                  lineterm=''))
    out, other = [], {'-': None, '+': None}
    for i, l in enumerate(d[:limit]):
        if l.startswith('@@'):
            other = {'-': None, '+': None}
            for m in d[i + 1:]:
                if m.startswith('@@'):
                    break
                for k in '-+':
                    if m.startswith(k) and other[k] is None:
                        other[k] = m[1:]
        if l[:1] in '-+' and not l.startswith(('---', '+++')):
            pair = other['+' if l[0] == '-' else '-'] or ''
            at = max(0, first_diff(l[1:], pair) - 60)
            body = l[1:][at:at + width]
            l = l[0] + ('[at %d] ...' % at if at else '') + body + \
                ('...' if len(l) - 1 > at + width else '')
        elif len(l) > width:
            l = l[:width] + '...'
        out.append(l)
    if len(d) > limit:
        out.append('... (%d more diff lines)' % (len(d) - limit))
    return out


def compare(old, new, cap, args, tmp):
    """[] when identical, else [(option set, diff excerpt lines)]."""
    label, path, extra = cap
    bad = []
    for opts in OPTION_SETS:
        orc, olines = run(old, path, extra, opts, tmp)
        nrc, nlines = run(new, path, extra, opts, tmp)
        name = ' '.join(opts) or 'default'
        if orc != nrc:
            bad.append((name, ['exit status %s -> %s' % (orc, nrc)]))
        if olines != nlines:
            bad.append((name, excerpt(olines, nlines, args.context)))
        elif args.verbose:
            print('  same: %s [%s] %d events' % (label, name, len(olines)))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('old')
    ap.add_argument('new')
    ap.add_argument('--context', type=int, default=1,
                    help='unified diff context lines (default 1)')
    ap.add_argument('--only', action='append', default=[],
                    help='only captures whose path contains this')
    ap.add_argument('-j', '--jobs', type=int, default=2,
                    help='captures compared at once (default 2)')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--ignore-stat', action='append', default=[],
                    metavar='SECTION.KEY',
                    help='leave this stats counter out (one build lacks it)')
    args = ap.parse_args()
    for k in args.ignore_stat:
        sect, _, key = k.partition('.')
        EXTRA_IGNORED.append((sect, key))
    for b in (args.old, args.new):
        if not os.access(b, os.X_OK):
            print('%s: not an executable' % b, file=sys.stderr)
            return 2
    caps = [c for c in captures()
            if not args.only or any(s in c[0] for s in args.only)]
    same = differ = 0
    with tempfile.TemporaryDirectory(prefix='rwdiff.') as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        privacy_key(tmp)
        results = pool.map(lambda c: compare(args.old, args.new, c, args,
                                             tmp), caps)
        for cap, bad in zip(caps, results):
            if not bad:
                same += 1
                continue
            differ += 1
            print('DIFF %s [%s]' % (cap[0], ', '.join(n for n, _ in bad)))
            for line in bad[0][1]:
                print('    ' + line)
            sys.stdout.flush()
    print('%d captures, %d identical, %d differ (%d option sets each: %s)'
          % (len(caps), same, differ, len(OPTION_SETS),
             ', '.join(' '.join(o) or 'default' for o in OPTION_SETS)))
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main())
