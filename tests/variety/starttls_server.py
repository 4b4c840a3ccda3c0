#!/usr/bin/env python3
"""starttls_server.py - a one-connection fake server that speaks just
enough plaintext of PROTO for `openssl s_client -starttls PROTO`, then
hands the socket to TLS (tests/variety/make.sh).

  starttls_server.py PROTO HOST PORT CHAIN_PEM KEY_PEM

Python 3 standard library only.
"""
import socket
import ssl
import struct
import sys


def lines_until(f, pred):
    while True:
        l = f.readline()
        if not l or pred(l):
            return l


def smtp(s, f, hello=b'EHLO'):
    s.sendall(b'220 mail.test ESMTP fake\r\n')
    f.readline()                                 # EHLO / LHLO
    s.sendall(b'250-mail.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n')
    f.readline()                                 # STARTTLS
    s.sendall(b'220 2.0.0 Ready to start TLS\r\n')


def lmtp(s, f):
    s.sendall(b'220 lmtp.test LMTP fake\r\n')
    f.readline()
    s.sendall(b'250-lmtp.test\r\n250 STARTTLS\r\n')
    f.readline()
    s.sendall(b'220 2.0.0 Ready to start TLS\r\n')


def imap(s, f):
    s.sendall(b'* OK [CAPABILITY IMAP4rev1 STARTTLS] fake ready\r\n')
    l = f.readline()                             # . CAPABILITY
    tag = l.split(b' ')[0]
    s.sendall(b'* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n' + tag +
              b' OK CAPABILITY completed\r\n')
    l = f.readline()                             # . STARTTLS
    tag = l.split(b' ')[0]
    s.sendall(tag + b' OK Begin TLS negotiation now\r\n')


def pop3(s, f):
    s.sendall(b'+OK fake POP3 ready\r\n')
    f.readline()                                 # STLS
    s.sendall(b'+OK Begin TLS negotiation\r\n')


def ftp(s, f):
    s.sendall(b'220 fake FTP ready\r\n')
    f.readline()                                 # AUTH TLS
    s.sendall(b'234 AUTH TLS successful\r\n')


def xmpp(s, f):
    buf = b''
    while b'>' not in buf:
        buf += s.recv(4096)
    s.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
              b"xmlns:stream='http://etherx.jabber.org/streams' id='x1' "
              b"from='xmpp.test' version='1.0'><stream:features>"
              b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
              b"<required/></starttls></stream:features>")
    buf = b''
    while b'/>' not in buf:
        buf += s.recv(4096)
    s.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")


def postgres(s, f):
    req = s.recv(8)                              # SSLRequest
    assert req[4:8] == b'\x04\xd2\x16\x2f', req
    s.sendall(b'S')


def mysql(s, f):
    caps = 0x0800 | 0x0200 | 0x8000 | 0x0001     # SSL, PROTOCOL_41, ...
    body = (b'\x0a' + b'8.0.0-fake\x00' + struct.pack('<I', 7) +
            b'abcdefgh' + b'\x00' + struct.pack('<H', caps & 0xffff) +
            b'\x21' + struct.pack('<H', 2) + struct.pack('<H', 0) +
            b'\x15' + b'\x00' * 10 + b'ijklmnopqrst\x00' +
            b'mysql_native_password\x00')
    s.sendall(struct.pack('<I', len(body))[:3] + b'\x00' + body)
    hdr = s.recv(4)
    n = hdr[0] | hdr[1] << 8 | hdr[2] << 16
    while n > 0:
        n -= len(s.recv(n))


def nntp(s, f):
    s.sendall(b'200 fake NNTP ready\r\n')
    l = f.readline()
    if l.upper().startswith(b'CAPABILITIES'):
        s.sendall(b'101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\n.\r\n')
        f.readline()
    s.sendall(b'382 Continue with TLS negotiation\r\n')


def sieve(s, f):
    s.sendall(b'"IMPLEMENTATION" "fake sieve"\r\n"STARTTLS"\r\n'
              b'"VERSION" "1.0"\r\nOK "ready"\r\n')
    f.readline()                                 # STARTTLS
    s.sendall(b'OK "Begin TLS negotiation now"\r\n')


def ber_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n])


def ldap(s, f):
    req = s.recv(4096)                           # ExtendedRequest StartTLS
    msgid = req[4] if len(req) > 4 else 1
    oid = b'1.3.6.1.4.1.1466.20037'
    op = (b'\x0a\x01\x00' + b'\x04\x00' + b'\x04\x00' +
          b'\x8a' + ber_len(len(oid)) + oid)
    op = b'\x78' + ber_len(len(op)) + op         # [APPLICATION 24]
    msg = b'\x02\x01' + bytes([msgid]) + op
    s.sendall(b'\x30' + ber_len(len(msg)) + msg)


def irc(s, f):
    f.readline()                                 # STARTTLS
    # s_client stops at the first line without a numeric: 670 only
    s.sendall(b':irc.test 670 * :STARTTLS successful, go ahead\r\n')


PROTOS = {'smtp': smtp, 'lmtp': lmtp, 'imap': imap, 'pop3': pop3,
          'ftp': ftp, 'xmpp': xmpp, 'postgres': postgres, 'mysql': mysql,
          'nntp': nntp, 'sieve': sieve, 'ldap': ldap, 'irc': irc}


def main():
    proto, host, port, chain, key = sys.argv[1:6]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(chain, key)
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, int(port)))
    ls.listen(1)
    ls.settimeout(20)
    s, _ = ls.accept()
    s.settimeout(10)
    f = s.makefile('rb', buffering=0)
    PROTOS[proto](s, f)
    try:
        t = ctx.wrap_socket(s, server_side=True)
        t.recv(1)
        t.close()
    except (ssl.SSLError, OSError) as e:
        print('starttls_server %s: %s' % (proto, e), file=sys.stderr)


if __name__ == '__main__':
    main()
