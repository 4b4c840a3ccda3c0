#!/usr/bin/env python3
"""interception-data.py - make rules/interception-data.txt from Chromium's
data, as tabled in ../shared/interception (its README gives provenance).

Usage: python3 rules/interception-data.py [SHARED_INTERCEPTION_DIR] > OUT

The sensor reads the output at start (rootwatch(8) SIGNALS).  One record
per line, tab-separated, '#' starts a comment:

  pins-timestamp <unix seconds>          when Chromium's pin list was made
  known <spki sha256 hex> <name>         known interception key
  blocked <spki sha256 hex> <section>    key Chromium refuses (kSPKIBlockList)
  pinset <set> allowed|bad <spki hex> <pin name>
  pin <domain> <0|1 include subdomains> <set>
  product <name> <issuer CN regex> <issuer O regex>

Regexes are POSIX extended (RE2's \\d rewritten as [0-9]); the sensor
anchors them (RE2 FullMatch, as Chromium does).  Pinsets whose keys are
all zero (Chromium's test pins) are left out: they never match.
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def rows(d, name):
    with open(os.path.join(d, name), newline='') as f:
        return list(csv.DictReader(f, delimiter='\t'))


def clean(s):
    return s.replace('\t', ' ').replace('\n', ' ').strip()


def ere(rx):
    """RE2 -> POSIX ERE for the few constructs the product list uses."""
    rx = rx.replace('\\d', '[0-9]')
    if re.search(r'\\[wsbWSB]|\(\?', rx):
        raise SystemExit('unsupported regex: ' + rx)
    return rx


def timestamp(d):
    p = os.path.join(d, 'chromium',
                     'net__http__transport_security_state_static.pins')
    with open(p) as f:
        lines = f.read().splitlines()
    for i, l in enumerate(lines):
        if l.strip() == 'PinsListTimestamp':
            return int(lines[i + 1].strip())
    raise SystemExit('no PinsListTimestamp in ' + p)


def licence(d):
    with open(os.path.join(d, 'chromium', 'LICENSE')) as f:
        return ['# ' + l.rstrip() if l.strip() else '#'
                for l in f.read().splitlines()]


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(HERE, '..', '..', 'shared', 'interception')
    out = []
    w = out.append
    w('# interception-data.txt - made by rules/interception-data.py; do not')
    w('# edit.  Data from Chromium (net/cert/cert_verify_proc_blocklist.inc,')
    w('# net/http/transport_security_state_static.{json,pins},')
    w('# ssl_error_assistant.asciipb), tabled as described in rootwatch(8)')
    w('# SIGNALS and rules/interception-data.py.  Chromium licence:')
    w('#')
    out.extend(licence(d))
    w('#')
    w('pins-timestamp\t%d' % timestamp(d))
    seen = set()
    for r in rows(d, 'known-interception-spki.tsv'):
        w('known\t%s\t%s' % (r['spki_sha256'], clean(r['name'])))
        seen.add(r['spki_sha256'])
    for r in rows(d, 'blocked-spki.tsv'):
        w('blocked\t%s\t%s' % (r['spki_sha256'], clean(r['readme_section'])))
    pins = rows(d, 'static-pins.tsv')
    sets = {}
    doms = {}
    for r in pins:
        sets.setdefault(r['pinset'], set()).add(
            (r['pin_role'], r['spki_sha256'], r['pin_name']))
        doms[r['domain']] = (r['include_subdomains'] == 'true', r['pinset'])
    live = {s for s, keys in sets.items()
            if any(k[1].strip('0') for k in keys)}
    for s in sorted(live):
        for role, spki, name in sorted(sets[s]):
            w('pinset\t%s\t%s\t%s\t%s' % (s, role, spki, name))
    for dom in sorted(doms):
        sub, s = doms[dom]
        if s in live:
            w('pin\t%s\t%d\t%s' % (dom, 1 if sub else 0, s))
    for r in rows(d, 'mitm-software.tsv'):
        w('product\t%s\t%s\t%s' % (clean(r['name']),
          ere(r['issuer_common_name_regex']),
          ere(r['issuer_organization_regex'])))
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
