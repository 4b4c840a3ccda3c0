#!/usr/bin/env python3
# gen_flows.py - regenerate flows.tsv from the captures with tshark
# (Wireshark 4.0).  Run once when the corpus changes, from anywhere:
#   python3 tests/corpus/gen_flows.py > tests/corpus/flows.tsv
# Columns are described in README.md.  Not run by `make check`.
import gzip, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
NOTES = {
    'tls13draft23-chrome67.0.3368.0-canary.pcap':
        'one of the 2 TCP conversations carries no payload',
    'geneve-47101.pcap': 'the outer UDP (Geneve) is a tunnel, not a flow',
    'gtp6_gtp_0x32.pcap': 'the outer UDP (GTP-U) is a tunnel, not a flow',
    'smtp.pcap': 'UDP: DNS query/answer and a NetBIOS datagram',
    'ssl-and-ssh-using-sslh.pcap': 'two TCP connections to the sslh port',
    'tls13-ech.pcap': '3 connections, 2 with a TLS handshake',
}


def tshark(path, *args):
    return subprocess.run(['tshark', '-n', '-r', path] + list(args),
                          capture_output=True, text=True,
                          check=True).stdout


def conversations(path, proto):
    out = tshark(path, '-q', '-z', 'conv,' + proto)
    return sum(1 for line in out.split('\n') if ' <-> ' in line)


def payload_flows(path):
    """Innermost TCP/UDP conversations with at least one payload byte."""
    tcp, udp = set(), set()
    out = tshark(path, '-Y', 'tcp.len>0 || udp.length>8', '-T', 'fields',
                 '-E', 'occurrence=a', '-e', 'tcp.stream', '-e',
                 'udp.stream', '-e', 'tcp.len', '-e', 'frame.protocols')
    for line in out.split('\n'):
        if not line:
            continue
        ts, us, tl, protos = line.split('\t')
        layers = [p for p in protos.split(':') if p in ('tcp', 'udp')]
        if not layers:
            continue
        if layers[-1] == 'tcp':
            if tl and int(tl.split(',')[-1]) > 0:
                tcp.add(ts.split(',')[-1])
        else:
            udp.add(us.split(',')[-1])
    return len(tcp), len(udp)


def main():
    rows = [l.rstrip('\n').split('\t')
            for l in open(os.path.join(HERE, 'pcaps.tsv'))][1:]
    tmp = tempfile.mkdtemp()
    print('pcap\ttcp_flows\tudp_flows\ttcp_conversations\tudp_conversations\tnote')
    try:
        for r in rows:
            name = r[0]
            path = os.path.join(HERE, 'pcaps', name)
            if name.endswith('.gz'):
                plain = os.path.join(tmp, name[:-3])
                with gzip.open(path) as src, open(plain, 'wb') as dst:
                    shutil.copyfileobj(src, dst)
                path = plain
            t, u = payload_flows(path)
            print('\t'.join([name, str(t), str(u),
                             str(conversations(path, 'tcp')),
                             str(conversations(path, 'udp')),
                             NOTES.get(name, '')]))
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    sys.exit(main())
