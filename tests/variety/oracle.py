#!/usr/bin/env python3
"""oracle.py - write expected.tsv, pcaps.tsv and flows.tsv of the variety
captures from what tshark decodes (tests/variety/make.sh runs it).

  oracle.py DIR

For each capture of DIR/tls.tsv: every certificate tshark finds in a TLS
or DTLS Certificate message (decoding the capture's server port as TLS, so
STARTTLS upgrades on any port are seen), keyed by the server endpoint
(the capture's server port decides the sender), in message order.
"""
import csv
import hashlib
import os
import subprocess
import sys
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import serialization

HEAD = ['pcap', 'server_ip', 'server_port', 'chain_index', 'cert_sha256',
        'subject', 'issuer', 'serial_hex', 'source', 'client_ip',
        'client_port', 'sender', 'carrier', 'notes']
STARTTLS_DECODE = {'smtp': 'smtp', 'lmtp': 'smtp', 'imap': 'imap',
                   'pop3': 'pop', 'ftp': 'ftp', 'xmpp': 'xmpp',
                   'postgresql': 'pgsql', 'mysql': 'mysql', 'nntp': 'nntp',
                   'ldap': 'ldap', 'irc': 'irc'}


def tshark(path, port, udp, app):
    if udp:
        dec = ['-d', 'udp.port==%s,dtls' % port]
        fld, filt = 'dtls.handshake.certificate', 'dtls.handshake.certificate'
    else:
        dec = ['-d', 'tcp.port==%s,%s' % (port, STARTTLS_DECODE.get(app,
                                                                   'tls'))]
        if app == 'sieve':      # no ManageSieve dissector: TLS heuristics
            dec = ['-d', 'tcp.port==%s,tls' % port]
        fld, filt = 'tls.handshake.certificate', 'tls.handshake.certificate'
    cmd = ['tshark', '-n', '-r', path, '-o',
           'tcp.reassemble_out_of_order:TRUE'] + dec + [
           '-Y', filt, '-T', 'fields', '-E', 'separator=/t',
           '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'ip.dst', '-e', 'ipv6.dst',
           '-e', 'tcp.srcport', '-e', 'udp.srcport', '-e', 'tcp.dstport',
           '-e', 'udp.dstport', '-e', fld]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    return [l.split('\t') for l in out.splitlines() if l.strip()]


def conversations(path):
    out = subprocess.run(['tshark', '-n', '-r', path, '-T', 'fields',
                          '-e', 'tcp.stream', '-e', 'udp.stream'],
                         check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    tcp, udp = set(), set()
    for l in out.splitlines():
        t, u = (l.split('\t') + [''])[:2]
        if t:
            tcp.add(t)
        if u:
            udp.add(u)
    return len(tcp), len(udp)


def served(d, cap, path):
    """Rows from served/NAME.pem, the chain the server was given, for a
    capture tshark cannot decode; endpoints from the first SYN."""
    pem = os.path.join(d, 'served', cap['pcap'][:-5] + '.pem')
    if not os.path.exists(pem):
        return []
    out = subprocess.run(['tshark', '-n', '-r', path, '-Y',
                          'tcp.flags.syn==1 && tcp.flags.ack==0', '-T',
                          'fields', '-e', 'ip.src', '-e', 'ipv6.src', '-e',
                          'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.srcport'],
                         check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    r = out.splitlines()[0].split('\t')
    with open(pem, 'rb') as f:
        certs = x509.load_pem_x509_certificates(f.read())
    rows = []
    for i, c in enumerate(certs):
        der = c.public_bytes(serialization.Encoding.DER)
        rows.append([cap['pcap'], r[2] or r[3], cap['server_port'], str(i),
                     hashlib.sha256(der).hexdigest(),
                     c.subject.rfc4514_string(), c.issuer.rfc4514_string(),
                     '%X' % c.serial_number, 'served', r[0] or r[1], r[4],
                     'server', 'tls/tcp',
                     'tshark does not reassemble it; the served chain'])
    return rows


def main():
    # negative and zero serials are the point of two captures
    warnings.simplefilter('ignore')
    d = sys.argv[1]
    with open(os.path.join(d, 'tls.tsv')) as f:
        caps = list(csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE))
    rows, pcaps, flows = [], [], []
    for cap in caps:
        path = os.path.join(d, 'pcaps', cap['pcap'])
        port = cap['server_port']
        udp = cap['app_proto'] == 'dtls'
        n = 0
        found = tshark(path, port, udp, cap['app_proto'])
        if not found and cap['app_proto'] in STARTTLS_DECODE:
            found = tshark(path, port, udp, 'tls')  # IRC: no STARTTLS
        for r in found:
            src = r[0] or r[1]
            dst = r[2] or r[3]
            sport = r[4] or r[5]
            dport = r[6] or r[7]
            if sport == port:
                sender, sip, cip, cport = 'server', src, dst, dport
            else:
                sender, sip, cip, cport = 'client', dst, src, sport
            for i, h in enumerate(r[8].split(',')):
                der = bytes.fromhex(h.replace(':', ''))
                c = x509.load_der_x509_certificate(der)
                rows.append([cap['pcap'], sip, port, str(i),
                             hashlib.sha256(der).hexdigest(),
                             c.subject.rfc4514_string(),
                             c.issuer.rfc4514_string(),
                             '%X' % c.serial_number, 'tshark', cip, cport,
                             sender, 'dtls/udp' if udp else 'tls/tcp', ''])
                n += 1
        if n == 0:
            extra = served(d, cap, path)
            rows += extra
            n = len(extra)
        nt, nu = conversations(path)
        pcaps.append([cap['pcap'], str(os.path.getsize(path)), str(n)])
        flows.append([cap['pcap'], str(nt), str(nu), str(nt), str(nu), ''])
        print('%s: %d certificates' % (cap['pcap'], n))
    with open(os.path.join(d, 'expected.tsv'), 'w') as f:
        f.write('\t'.join(HEAD) + '\n')
        for r in rows:
            f.write('\t'.join(r) + '\n')
    with open(os.path.join(d, 'pcaps.tsv'), 'w') as f:
        f.write('pcap\tbytes\tcert_rows\n')
        for r in pcaps:
            f.write('\t'.join(r) + '\n')
    with open(os.path.join(d, 'flows.tsv'), 'w') as f:
        f.write('pcap\ttcp_flows\tudp_flows\ttcp_conversations\t'
                'udp_conversations\tnote\n')
        for r in flows:
            f.write('\t'.join(r) + '\n')


if __name__ == '__main__':
    main()
