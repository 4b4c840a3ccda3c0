#!/usr/bin/env python3
"""check_tls.py - the per-handshake part of the variety test: for each
capture of tls.tsv, the sensor's tls events (kept by corpus_check.py
--keep) must be EVENTS in number, each with the VERSION, the app_proto,
a client chain of CLIENT_CHAIN certificates (empty: none), and
chain_missing as listed (comma-separated, one per event in order; empty:
no chain_missing and a visible chain).  Every certificate's subject,
issuer (RFC 4514, as python-cryptography writes them) and serial must be
those of its row in expected.tsv.

  check_tls.py DATA_DIR OUTPUT_DIR

Exit status 0 all ok, 1 any mismatch.  Python 3 standard library only.
"""
import csv
import json
import os
import sys


def tls_events(path):
    evs = []
    with open(path, encoding='utf-8') as f:
        for l in f:
            if l.strip():
                e = json.loads(l)
                if e.get('event_type') == 'tls':
                    evs.append(e)
    return evs


def serial(s):
    neg = s.startswith('-')
    s = s.lstrip('-').lstrip('0').upper() or '0'
    return '-' + s if neg else s


def rw_tls(e):
    return e.get('rootwatch', {}).get('tls', {})


def app_proto(e, t, i, errs):
    """The protocol the flow started as: EVE's app_proto is "tls" and a
    STARTTLS flow says where it came from in app_proto_orig and
    tls.from_proto."""
    orig = e.get('app_proto_orig')
    if orig is not None and (e.get('app_proto') != 'tls' or
                             t.get('from_proto') != orig):
        errs.append('event %d: app_proto %r, app_proto_orig %r, '
                    'tls.from_proto %r' % (i, e.get('app_proto'), orig,
                                           t.get('from_proto')))
    return orig or e.get('app_proto')


def check_certs(e, i, certs, errs):
    for fld in ('chain', 'client_chain'):
        for c in rw_tls(e).get(fld) or []:
            r = certs.get(c.get('sha256'))
            if r is None:
                continue            # corpus_check.py reports it
            for k, rk in (('subject', 'subject'), ('issuer', 'issuer'),
                          ('serial', 'serial_hex')):
                got, want = str(c.get(k)), r[rk]
                if k == 'serial':
                    got, want = serial(got), serial(want)
                if got != want:
                    errs.append('event %d: %s[%d] %s %r, want %r' % (
                        i, fld, c.get('index', -1), k, got, want))


def check(row, evs, certs):
    errs = []
    n = int(row['events'])
    if len(evs) != n:
        return ['%d tls events, want %d' % (len(evs), n)]
    miss = row['chain_missing'].split(',') if row['chain_missing'] else [''] * n
    for i, e in enumerate(evs):
        t, rw = e.get('tls', {}), rw_tls(e)
        want = {'version': row['version'], 'app_proto': row['app_proto'],
                'dest_port': int(row['server_port']),
                'chain_missing': miss[i] or None,
                'client_chain': int(row['client_chain'] or 0)}
        got = {'version': t.get('version'),
               'app_proto': app_proto(e, t, i, errs),
               'dest_port': e.get('dest_port'),
               'chain_missing': rw.get('chain_missing'),
               'client_chain': len(rw.get('client_chain') or [])}
        for k in want:
            if want[k] != got[k]:
                errs.append('event %d: %s %r, want %r' % (i, k, got[k],
                                                          want[k]))
        if not miss[i] and (not rw.get('chain_visible') or
                            not rw.get('chain')):
            errs.append('event %d: no visible chain' % i)
        check_certs(e, i, certs, errs)
    return errs


def main():
    data, out = sys.argv[1:3]
    bad = 0
    with open(os.path.join(data, 'tls.tsv'), encoding='utf-8') as f:
        rows = list(csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE))
    with open(os.path.join(data, 'expected.tsv'), encoding='utf-8') as f:
        certs = {r['cert_sha256']: r
                 for r in csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE)}
    for row in rows:
        path = os.path.join(out, row['pcap'] + '.json')
        errs = check(row, tls_events(path), certs) if os.path.exists(path) else [
            'no sensor output']
        print('%s %s' % ('ok  ' if not errs else 'FAIL', row['pcap']))
        for m in errs:
            print('     ' + m)
        bad += bool(errs)
    print('tls: %d/%d captures ok' % (len(rows) - bad, len(rows)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
