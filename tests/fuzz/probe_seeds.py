#!/usr/bin/env python3
"""probe_seeds.py - write the seeds of sensor/probe_fuzz (tests/fuzz/probe/).

Answers of the probe process as sensor/probe.c's put_answer lays them
out (big-endian): seq(4) outcome(1) version(2) cipher(2) verify(4)
family(1) address(16) port(2) local address(16) local port(2)
reason length(1) reason truncated(1) count(1) {length(3) DER}*count.
The chains are the ones tests/probe.sh serves (the Qaznet root sent, the
look-alike root), the unit test certificates, and two public chains of
tests/corpus/certs, in the order a server sends them; the failures are
what the child reports for a name that did not resolve, a refused
connection, a timeout and a failed handshake.  seq picks, in the target,
the name, attempt, round, control and gate (see sensor/probe_fuzz.c).
Run by hand; the seeds are committed.  usage: probe_seeds.py OUTDIR
"""
import base64, os, struct, sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OK, RESOLVE, CONNECT, REFUSED, TIMEOUT, HANDSHAKE = range(6)


def der(path):
    data = open(os.path.join(TOP, path), "rb").read()
    if path.endswith(".der"):
        return data
    b64 = data.split(b"-----BEGIN CERTIFICATE-----")[1]
    return base64.b64decode(b64.split(b"-----END CERTIFICATE-----")[0])


def corpus(prefix):
    d = os.path.join(TOP, "tests/corpus/certs")
    (name,) = [f for f in os.listdir(d) if f.startswith(prefix)]
    return der("tests/corpus/certs/" + name)


def v4(a):
    return bytes(int(x) for x in a.split(".")) + bytes(12)


def v6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def answer(seq, outcome, version=0, cipher=0, verify=-1, family=0,
           addr=bytes(16), port=0, local=bytes(16), lport=0, reason=b"",
           chain=(), truncated=0):
    m = struct.pack(">IBHHiB", seq, outcome, version, cipher, verify, family)
    m += addr + struct.pack(">H", port) + local + struct.pack(">H", lport)
    m += bytes([len(reason)]) + reason + bytes([truncated, len(chain)])
    for c in chain:
        m += struct.pack(">I", len(c))[1:] + c
    return m


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    certs = "tests/scenarios/certs/"
    qaznet = [der(certs + "kz-leaf.pem"), der("rules/kz-qaznet-2019.pem")]
    lookalike = [der(certs + "lookalike-leaf.pem"),
                 der(certs + "fake-qaznet.pem")]
    control = [der("tests/unit/data/x509-ec-leaf.der"),
               der("tests/unit/data/x509-rsa-root.der")]
    google = [corpus("7c4cb8ef8d"), corpus("23ecb03eec"),
              corpus("3ee0278df7")]
    kernel = [corpus("84d15a3f79"), corpus("67add1166b"),
              corpus("6d99fb265e")]
    a4, l4 = v4("10.213.0.3"), v4("10.213.0.100")
    a6, l6 = v6("2001:db8::3"), v6("2001:db8::100")
    seeds = {
        # seq % 4 picks the name: 0 control.test, 1 www.example.kz,
        # 2 www.google.com, 3 ams.source.kernel.org
        "control-tls13": answer(0x00c0, OK, 0x0304, 0x1301, 0, 4,
                                v4("10.213.0.2"), 443, l4, 40000,
                                chain=control),
        "qaznet-tls13": answer(0x00c1, OK, 0x0304, 0x1302, 19, 4, a4, 443,
                               l4, 40001, chain=qaznet),
        "qaznet-tls12": answer(0x00e1, OK, 0x0303, 0xc02f, 19, 4, a4, 443,
                               l4, 40002, chain=qaznet),
        # the unknown-root signal, let through by the gate (seq >> 10)
        "lookalike-gate": answer(0xfcc5, OK, 0x0304, 0x1301, 20, 4,
                                 v4("10.213.0.4"), 443, l4, 40003,
                                 chain=lookalike),
        "google-v6": answer(0xfcc2, OK, 0x0304, 0x1303, 0, 6, a6, 443, l6,
                            50000, chain=google),
        "kernel-tls12": answer(0x3fe3, OK, 0x0303, 0xc02b, 10, 4,
                               v4("139.178.84.217"), 443, l4, 40004,
                               chain=kernel),
        # as many certificates as an answer keeps, the server sent more
        "truncated-16": answer(0x0043, OK, 0x0304, 0x1301, 0, 4, a4, 443,
                               l4, 40005, chain=(kernel * 6)[:16],
                               truncated=1),
        # a judge short of memory (seq >> 24 & 15 == 15)
        "qaznet-nomem": answer(0x0f0500c1, OK, 0x0304, 0x1301, 19, 4, a4,
                               443, l4, 40006, chain=qaznet),
        "resolve-failed": answer(0x0001, RESOLVE, reason=b"Name or service "
                                 b"not known"),
        "refused": answer(0x0002, REFUSED, family=4, addr=a4, port=443,
                          reason=b"Connection refused"),
        "connect-timeout-v6": answer(0x0003, TIMEOUT, family=6, addr=a6,
                                     port=443, reason=b"connect timeout"),
        "handshake-failed": answer(0x0041, HANDSHAKE, family=4, addr=a4,
                                   port=443, local=l4, lport=40007,
                                   reason=b"error:0A000410:SSL routines::"
                                   b"sslv3 alert handshake failure"),
        "handshake-timeout": answer(0x0021, TIMEOUT, 0, 0, -1, 4, a4, 443,
                                    l4, 40008, b"handshake timeout"),
        # the unit test's answer (tests/unit/probe_test.c good())
        "unit-good": answer(7, OK, 0x0304, 0x1301, 20, 4,
                            v4("10.0.0.2"), 443, v4("10.0.0.1"), 40000,
                            b"x", [b"abc", b"defgh"]),
        # a reason that is no text, a verify code OpenSSL has no name for
        "odd-reason": answer(0x0081, OK, 0x0304, 0x1301, 0x7fffffff, 4, a4,
                             443, l4, 40009, "\u0442\u0435\u0441\u0442\x01"
                             "\"\\".encode() + b"\xff\xc3", control[:1]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
