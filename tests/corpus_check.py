#!/usr/bin/env python3
"""corpus_check.py - certificate extraction against the corpus oracle.

Runs the sensor on every capture of tests/corpus/pcaps.tsv and compares
the certificates of its tls events with tests/corpus/expected.tsv, and its
flow events with tests/corpus/flows.tsv.  See tests/corpus/README.md.

  corpus_check.py --sensor PATH [--data DIR] [--only PCAP]... [--keep DIR]
  corpus_check.py --selftest [--data DIR]

Exit status: 0 all captures ok, 1 any failure, 2 usage or data error.
Python 3 standard library only.
"""

import argparse
import collections
import gzip
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Rows we do not expect a passive TLS sensor to find, with the reason.
OUT_OF_SCOPE = {
    'gridftp-adat-base64/tcp':
        'TLS records base64-encoded inside FTP ADAT commands (GridFTP '
        'control channel): an application encoding, not TLS on the wire',
}

TIMESTAMP_RE = re.compile(
    r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$')
FLOW_EVENTS = ('tls', 'flow', 'alert')
SENSOR_TIMEOUT = 300


def read_tsv(path):
    with open(path, encoding='utf-8') as f:
        lines = [l.rstrip('\n') for l in f if l.strip()]
    head = lines[0].split('\t')
    rows = []
    for l in lines[1:]:
        cols = l.split('\t')
        cols += [''] * (len(head) - len(cols))
        rows.append(dict(zip(head, cols)))
    return rows


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(str(s)))
    except ValueError:
        return str(s)


def row_key(ip_s, port_s, ip_c, port_c, index, sha, sender):
    """The unit of comparison: one certificate at one place of one flow."""
    return (norm_ip(ip_s), int(port_s), norm_ip(ip_c), int(port_c),
            int(index), sha.lower(), sender)


def fmt_key(k, names):
    sip, sport, cip, cport, idx, sha, sender = k
    ip = '[%s]' % sip if ':' in sip else sip
    cl = '[%s]' % cip if ':' in cip else cip
    return '%s cert #%d %s:%d<-%s:%d %s (%s)' % (
        sender, idx, ip, sport, cl, cport, sha[:16], names.get(sha, '?'))


class Corpus:
    def __init__(self, data):
        self.data = data
        self.pcaps = read_tsv(os.path.join(data, 'pcaps.tsv'))
        self.rows = read_tsv(os.path.join(data, 'expected.tsv'))
        self.flows = {r['pcap']: r for r in
                      read_tsv(os.path.join(data, 'flows.tsv'))}
        self.names = {r['cert_sha256']: r['subject'] for r in self.rows}
        self.by_pcap = collections.defaultdict(list)
        for r in self.rows:
            self.by_pcap[r['pcap']].append(r)
        for p in self.pcaps:
            n = len(self.by_pcap.get(p['pcap'], []))
            if str(n) != p['cert_rows']:
                raise SystemExit('data error: %s has %d rows in expected.tsv, '
                                 'pcaps.tsv says %s' % (p['pcap'], n,
                                                        p['cert_rows']))
            if p['pcap'] not in self.flows:
                raise SystemExit('data error: %s missing from flows.tsv'
                                 % p['pcap'])

    def expected(self, pcap):
        """(in-scope multiset, skipped rows with reasons)"""
        want = collections.Counter()
        skipped = []
        for r in self.by_pcap.get(pcap, []):
            k = row_key(r['server_ip'], r['server_port'], r['client_ip'],
                        r['client_port'], r['chain_index'], r['cert_sha256'],
                        r['sender'])
            if r['carrier'] in OUT_OF_SCOPE:
                skipped.append((k, OUT_OF_SCOPE[r['carrier']]))
            else:
                want[k] += 1
        return want, skipped


def check_event_shape(ev, lineno, errs):
    """Fields every line must have; flow fields on flow-bound events."""
    if not isinstance(ev, dict):
        errs.append('line %d: not a JSON object' % lineno)
        return False
    ts, et = ev.get('timestamp'), ev.get('event_type')
    if not isinstance(ts, str) or not TIMESTAMP_RE.match(ts):
        errs.append('line %d: bad or missing timestamp %r' % (lineno, ts))
    if not isinstance(et, str) or not et:
        errs.append('line %d: missing event_type' % lineno)
        return False
    if et not in FLOW_EVENTS:
        return True
    for f in ('flow_id', 'src_ip', 'dest_ip', 'proto'):
        if f not in ev:
            errs.append('line %d: %s event without %s' % (lineno, et, f))
            return False
    if ev['proto'] in ('TCP', 'UDP'):
        for f in ('src_port', 'dest_port'):
            if not isinstance(ev.get(f), int):
                errs.append('line %d: %s event without %s' % (lineno, et, f))
                return False
    return True


def rw_tls(ev):
    """rootwatch.tls: the structured chains (EVE's tls has the leaf)."""
    rw = ev.get('rootwatch')
    t = rw.get('tls') if isinstance(rw, dict) else None
    return t if isinstance(t, dict) else {}


def chain_keys(ev, field, sender, errs, lineno):
    keys = []
    chain = rw_tls(ev).get(field) or []
    if not isinstance(chain, list):
        errs.append('line %d: tls.%s is not a list' % (lineno, field))
        return keys
    for pos, c in enumerate(chain):
        sha = c.get('sha256') if isinstance(c, dict) else None
        idx = c.get('index', pos) if isinstance(c, dict) else pos
        if not isinstance(sha, str) or not re.match(r'^[0-9a-f]{64}$', sha):
            errs.append('line %d: tls.%s[%d] without a sha256' %
                        (lineno, field, pos))
            continue
        if idx != pos:
            errs.append('line %d: tls.%s[%d] has index %r' %
                        (lineno, field, pos, idx))
        keys.append(row_key(ev['dest_ip'], ev['dest_port'], ev['src_ip'],
                            ev['src_port'], idx, sha, sender))
    return keys


def check_eve_leaf(ev, lineno, errs):
    """EVE's tls.fingerprint and tls.serial are the server leaf's: SHA-1
    colon hex, and the DER INTEGER content (a 00 sign byte before a high
    first byte) of the structured chain's serial."""
    chain = rw_tls(ev).get('chain') or []
    if not chain or 'serial' not in chain[0]:
        return
    leaf, t = chain[0], ev['tls']
    fp = ':'.join(leaf['sha1'][i:i + 2] for i in range(0, 40, 2))
    ser = leaf['serial']
    if ser and not ser.startswith('-') and int(ser[0], 16) >= 8:
        ser = '00' + ser
    ser = ':'.join(ser[i:i + 2] for i in range(0, len(ser), 2))
    if t.get('fingerprint') != fp:
        errs.append('line %d: tls.fingerprint %r is not the leaf\'s %r' %
                    (lineno, t.get('fingerprint'), fp))
    if not leaf['serial'].startswith('-') and t.get('serial') != ser:
        errs.append('line %d: tls.serial %r is not the leaf\'s %r' %
                    (lineno, t.get('serial'), ser))


def analyse(lines):
    """Parse sensor output: (certificate multiset, flows per proto, errs,
    subjects seen)."""
    got = collections.Counter()
    flows = collections.Counter()
    errs = []
    subjects = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError as e:
            errs.append('line %d: invalid JSON (%s)' % (n, e))
            continue
        if not check_event_shape(ev, n, errs):
            continue
        et = ev['event_type']
        if et == 'flow':
            flows[ev['proto']] += 1
        elif et == 'tls':
            if not isinstance(ev.get('tls'), dict):
                errs.append('line %d: tls event without a tls object' % n)
                continue
            for field, sender in (('chain', 'server'),
                                  ('client_chain', 'client')):
                for k in chain_keys(ev, field, sender, errs, n):
                    got[k] += 1
                for c in rw_tls(ev).get(field) or []:
                    if isinstance(c, dict) and 'subject' in c:
                        subjects[c.get('sha256')] = c['subject']
            check_eve_leaf(ev, n, errs)
    return got, flows, errs, subjects


class Result:
    def __init__(self, pcap):
        self.pcap = pcap
        self.ok = True
        self.msgs = []
        self.found = 0
        self.total = 0
        self.extra = 0
        self.skipped = []

    def fail(self, msg):
        self.ok = False
        self.msgs.append(msg)


def compare(corpus, pcap, rc, lines):
    """Judge one capture from the sensor's exit status and output lines."""
    res = Result(pcap)
    want, res.skipped = corpus.expected(pcap)
    skipped_keys = collections.Counter(k for k, _ in res.skipped)
    if rc != 0:
        res.fail('sensor exited with status %s' % rc)
    got, flows, errs, subjects = analyse(lines)
    for e in errs[:10]:
        res.fail(e)
    if len(errs) > 10:
        res.fail('... %d more output errors' % (len(errs) - 10))
    names = dict(corpus.names)
    names.update({k: v for k, v in subjects.items() if k not in names})
    res.total = sum(want.values())
    missing = want - got
    res.found = res.total - sum(missing.values())
    extra = got - want - skipped_keys   # finding an out-of-scope row is fine
    res.extra = sum(extra.values())
    for k in sorted(missing):
        res.fail('missing %s' % fmt_key(k, names) +
                 (' x%d' % missing[k] if missing[k] > 1 else ''))
    for k in sorted(extra):
        res.fail('extra %s' % fmt_key(k, names) +
                 (' x%d' % extra[k] if extra[k] > 1 else ''))
    fr = corpus.flows[pcap]
    for proto, col in (('TCP', 'tcp_flows'), ('UDP', 'udp_flows')):
        if flows[proto] != int(fr[col]):
            res.fail('%d %s flow events, expected %s (flows.tsv %s%s)' % (
                flows[proto], proto, fr[col], col,
                '; ' + fr['note'] if fr.get('note') else ''))
    return res


def run_sensor(sensor, extra_args, pcap_path, out_path):
    cmd = [sensor] + extra_args + ['-r', pcap_path, '-o', out_path]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=SENSOR_TIMEOUT)
    except subprocess.TimeoutExpired:
        return 'timeout after %ds' % SENSOR_TIMEOUT, b''
    except OSError as e:
        return 'cannot run: %s' % e, b''
    return p.returncode, p.stderr


def pcap_file(corpus, name, tmp):
    path = os.path.join(corpus.data, 'pcaps', name)
    if not name.endswith('.gz'):
        return path
    plain = os.path.join(tmp, name[:-3])
    with gzip.open(path) as src, open(plain, 'wb') as dst:
        shutil.copyfileobj(src, dst)
    return plain


def report(res, verbose, names=None):
    tag = 'ok  ' if res.ok else 'FAIL'
    print('%s %s: %d/%d rows, extra %d' % (tag, res.pcap, res.found,
                                           res.total, res.extra))
    for k, why in res.skipped:
        print('     skipped %s: %s' % (fmt_key(k, names or {}), why))
    if not res.ok or verbose:
        for m in res.msgs:
            print('     ' + m)


def summary(results):
    ok = sum(1 for r in results if r.ok)
    found = sum(r.found for r in results)
    total = sum(r.total for r in results)
    extra = sum(r.extra for r in results)
    skipped = sum(len(r.skipped) for r in results)
    print('corpus: %d/%d captures ok, recall %d/%d rows, extra %d'
          ' (%d rows out of scope)' % (ok, len(results), found, total,
                                       extra, skipped))
    return ok == len(results)


def run_corpus(args, corpus):
    sel = [p['pcap'] for p in corpus.pcaps
           if not args.only or p['pcap'] in args.only]
    if args.only and len(sel) != len(args.only):
        print('unknown capture in --only', file=sys.stderr)
        return 2
    results = []
    tmp = tempfile.mkdtemp(prefix='rw-corpus-')
    try:
        for name in sel:
            out = os.path.join(args.keep or tmp, name + '.json')
            rc, err = run_sensor(args.sensor, args.sensor_arg,
                                 pcap_file(corpus, name, tmp), out)
            lines = []
            if os.path.exists(out):
                with open(out, encoding='utf-8', errors='replace') as f:
                    lines = f.read().split('\n')
            res = compare(corpus, name, rc, lines)
            if rc != 0 and err:
                res.msgs.append('stderr: ' + err.decode(
                    'utf-8', 'replace').strip()[-500:])
            report(res, args.verbose, corpus.names)
            results.append(res)
    finally:
        shutil.rmtree(tmp)
    return 0 if summary(results) else 1


# --- self test: the comparison logic on synthetic outputs -----------------

def synthetic(corpus, pcap, rows=None, flows_delta=0):
    """A perfect sensor output for pcap, built from the oracle."""
    rows = corpus.by_pcap.get(pcap, []) if rows is None else rows
    groups = collections.OrderedDict()
    for r in rows:
        if r['carrier'] in OUT_OF_SCOPE:
            continue
        k = (r['server_ip'], r['server_port'], r['client_ip'],
             r['client_port'])
        g = groups.setdefault(k, {'server': collections.defaultdict(list),
                                  'client': collections.defaultdict(list)})
        # several handshakes on one flow: one more tls event each time an
        # index repeats
        g[r['sender']][int(r['chain_index'])].append(r['cert_sha256'])
    ev = []
    fid = 0
    for (sip, sport, cip, cport), g in groups.items():
        nhs = max([len(v) for s in ('server', 'client')
                   for v in g[s].values()] or [1])
        for h in range(nhs):
            fid += 1
            tls = {'chain_visible': True}
            for s, field in (('server', 'chain'), ('client', 'client_chain')):
                chain = [{'index': i, 'sha256': g[s][i][h]}
                         for i in sorted(g[s]) if h < len(g[s][i])]
                if chain:
                    tls[field] = chain
            ev.append({'timestamp': '2014-05-01T12:00:00.123456+0000',
                       'flow_id': fid, 'event_type': 'tls', 'src_ip': cip,
                       'src_port': int(cport), 'dest_ip': sip,
                       'dest_port': int(sport), 'proto': 'TCP',
                       'app_proto': 'tls', 'tls': {'version': 'TLS 1.2'},
                       'rootwatch': {'tls': tls}})
    fr = corpus.flows[pcap]
    for proto, col in (('TCP', 'tcp_flows'), ('UDP', 'udp_flows')):
        n = int(fr[col]) + (flows_delta if proto == 'TCP' else 0)
        for i in range(n):
            fid += 1
            ev.append({'timestamp': '2014-05-01T12:00:01.000000+0000',
                       'flow_id': fid, 'event_type': 'flow',
                       'src_ip': '192.0.2.1', 'src_port': 1024 + i,
                       'dest_ip': '192.0.2.2', 'dest_port': 443,
                       'proto': proto,
                       'flow': {'pkts_toserver': 1, 'pkts_toclient': 1,
                                'bytes_toserver': 1, 'bytes_toclient': 1}})
    ev.append({'timestamp': '2014-05-01T12:00:02.000000+0000',
               'event_type': 'stats', 'stats': {}})
    return [json.dumps(e) for e in ev]


def selftest_case(corpus, what, pcap, lines, rc=0, want_ok=False):
    res = compare(corpus, pcap, rc, lines)
    good = res.ok == want_ok
    print('%s selftest: %s (%s)' % ('ok  ' if good else 'FAIL', what,
                                    '; '.join(res.msgs[:2]) or 'passes'))
    return good, res


def selftest_mutations(corpus):
    good = True
    p = 'tls1_1.pcap'
    base = synthetic(corpus, p)
    # drop one expected row
    rows = corpus.by_pcap[p][:-1]
    g, res = selftest_case(corpus, 'one row dropped', p,
                           synthetic(corpus, p, rows))
    good &= g and res.found == res.total - 1 and res.extra == 0
    # one certificate more than expected
    ev = [json.loads(l) for l in base]
    ev[0]['rootwatch']['tls']['chain'].append({
        'index': len(ev[0]['rootwatch']['tls']['chain']),
        'sha256': 'ab' * 32})
    g, res = selftest_case(corpus, 'extra certificate', p,
                           [json.dumps(e) for e in ev])
    good &= g and res.extra == 1
    # client and server swapped
    ev = [json.loads(l) for l in base]
    t = ev[0]
    t['src_ip'], t['dest_ip'] = t['dest_ip'], t['src_ip']
    t['src_port'], t['dest_port'] = t['dest_port'], t['src_port']
    g, _ = selftest_case(corpus, 'server reported as src', p,
                         [json.dumps(e) for e in ev])
    good &= g
    # chain order wrong
    ev = [json.loads(l) for l in base]
    ch = ev[0]['rootwatch']['tls']['chain']
    ch[0]['sha256'], ch[1]['sha256'] = ch[1]['sha256'], ch[0]['sha256']
    g, _ = selftest_case(corpus, 'chain order swapped', p,
                         [json.dumps(e) for e in ev])
    good &= g
    # invalid JSON, missing timestamp, sensor failure, flow count
    g, _ = selftest_case(corpus, 'invalid JSON line', p, base + ['{"a":'])
    good &= g
    ev = [json.loads(l) for l in base]
    del ev[-1]['timestamp']
    g, _ = selftest_case(corpus, 'line without timestamp', p,
                         [json.dumps(e) for e in ev])
    good &= g
    g, _ = selftest_case(corpus, 'sensor exit status 1', p, base, rc=1)
    good &= g
    g, _ = selftest_case(corpus, 'one flow event too many', p,
                         synthetic(corpus, p, flows_delta=1))
    good &= g
    return good


def selftest_roles(corpus):
    good = True
    # a client certificate reported in the server chain
    p = 'client-certificate.pcap'
    ev = [json.loads(l) for l in synthetic(corpus, p)]
    t = ev[0]['rootwatch']['tls']
    t['chain'] = t['chain'] + [dict(c, index=len(t['chain']) + i)
                               for i, c in enumerate(t.pop('client_chain'))]
    g, _ = selftest_case(corpus, 'client certificate as server chain', p,
                         [json.dumps(e) for e in ev])
    good &= g
    # a capture that must yield nothing, with a certificate
    p = 'tls13_wolfssl.pcap'
    ev = [json.loads(l) for l in synthetic(corpus, p)]
    ev.insert(0, {'timestamp': '2014-05-01T12:00:00+0000', 'flow_id': 1,
                  'event_type': 'tls', 'src_ip': '10.0.0.1',
                  'src_port': 1, 'dest_ip': '10.0.0.2', 'dest_port': 443,
                  'proto': 'TCP', 'tls': {},
                  'rootwatch': {'tls': {'chain': [{'index': 0,
                                                   'sha256': 'cd' * 32}]}}})
    g, _ = selftest_case(corpus, 'certificate where none is expected', p,
                         [json.dumps(e) for e in ev])
    good &= g
    # finding the out-of-scope GridFTP ADAT rows is not an error
    p = 'globus-url-copy.pcap'
    g, _ = selftest_case(corpus, 'out-of-scope rows found anyway', p,
                         synthetic(corpus, p, [
                             dict(r, carrier='tls/tcp')
                             for r in corpus.by_pcap[p]]), want_ok=True)
    good &= g
    return good


def selftest(corpus):
    results = [compare(corpus, p['pcap'], 0, synthetic(corpus, p['pcap']))
               for p in corpus.pcaps]
    for r in results:
        if not r.ok:
            report(r, True, corpus.names)
    perfect = all(r.ok for r in results)
    total = sum(r.total for r in results)
    print('%s selftest: perfect synthetic output passes (recall %d/%d)' % (
        'ok  ' if perfect else 'FAIL', sum(r.found for r in results), total))
    good = perfect and total == len(corpus.rows) - sum(
        len(r.skipped) for r in results)
    good &= selftest_mutations(corpus)
    good &= selftest_roles(corpus)
    print('selftest: %s' % ('passed' if good else 'FAILED'))
    return 0 if good else 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sensor', help='path of the rootwatch binary')
    ap.add_argument('--sensor-arg', action='append', default=[],
                    help='extra sensor argument (repeatable)')
    ap.add_argument('--data', default=os.path.join(here, 'corpus'),
                    help='corpus directory (default: tests/corpus)')
    ap.add_argument('--only', action='append', default=[],
                    help='check only this capture (repeatable)')
    ap.add_argument('--keep', help='keep sensor outputs in this directory')
    ap.add_argument('--selftest', action='store_true',
                    help='check the comparison logic, no sensor needed')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    corpus = Corpus(args.data)
    if args.selftest:
        return selftest(corpus)
    if not args.sensor:
        ap.error('--sensor is required')
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    return run_corpus(args, corpus)


if __name__ == '__main__':
    sys.exit(main())
