#!/usr/bin/env python3
"""quic_seeds.py - write the seeds of parsers/quic_fuzz (tests/fuzz/quic/).

Our own packets, not captures: a v1 ClientHello split over two Initials
with CRYPTO frames out of order, a v2 Initial, a reserved-version Initial
under the draft-29 salt with a coalesced 0-RTT packet, and a Q043
plaintext CHLO.  Input format: datagrams, each a big-endian u16 length
whose top bit is the direction.  Needs python3-cryptography (run by hand;
the seeds are committed).  usage: quic_seeds.py OUTDIR
"""
import hashlib, hmac, os, struct, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SALT = {"v1": "38762cf7f55934b34d179ae6a4c80cadccbb7f0a",
        "d29": "afbfec289993d24c9e9786f19c6111e04390a899",
        "v2": "0dede3def700a6db819381be6e269dcbf9bd2ed9"}


def label(secret, lab, n):
    full = b"tls13 " + lab
    info = struct.pack(">HB", n, len(full)) + full + b"\0\x01"
    return hmac.new(secret, info, hashlib.sha256).digest()[:n]


def varint(v):
    return bytes([0x40 | v >> 8, v & 0xff])


def hello(sni):
    name = struct.pack(">BH", 0, len(sni)) + sni
    exts = struct.pack(">HHH", 0, len(name) + 2, len(name)) + name
    alpn = b"\x02h3\x05h3-29"
    exts += struct.pack(">HHH", 16, len(alpn) + 2, len(alpn)) + alpn
    exts += struct.pack(">HHBH", 43, 3, 2, 0x0304)
    body = (b"\x03\x03" + bytes(32) + b"\0" + b"\0\x04\x13\x01\x13\x02" +
            b"\x01\0" + struct.pack(">H", len(exts)) + exts)
    return b"\x01" + struct.pack(">I", len(body))[1:] + body


def initial(version, salt, dcid, frames, pn, v2=False, extra=b""):
    secret = hmac.new(bytes.fromhex(SALT[salt]), dcid, hashlib.sha256).digest()
    cs = label(secret, b"client in", 32)
    p = b"quicv2 " if v2 else b"quic "
    key, iv, hp = (label(cs, p + b"key", 16), label(cs, p + b"iv", 12),
                   label(cs, p + b"hp", 16))
    payload = frames + bytes(max(0, 1100 - len(frames)))
    b0 = (0xd0 if v2 else 0xc0) | 1          # pn length 2
    hdr = (bytes([b0]) + struct.pack(">I", version) + bytes([len(dcid)]) +
           dcid + b"\0" + b"\0" + varint(2 + len(payload) + 16))
    pnb = struct.pack(">H", pn)
    nonce = bytes(a ^ b for a, b in zip(iv, bytes(10) + pnb))
    ct = AESGCM(key).encrypt(nonce, payload, hdr + pnb)
    sample = ct[2:18]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    first = bytes([hdr[0] ^ (mask[0] & 0x0f)])
    pnm = bytes(a ^ b for a, b in zip(pnb, mask[1:3]))
    return first + hdr[1:] + pnm + ct + extra


def crypto(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


def dgram(d, dirbit=0):
    return struct.pack(">H", len(d) | dirbit << 15) + d


def main():
    out = sys.argv[1]
    ch = hello(b"seed.example")
    dcid = bytes(range(8))
    half = len(ch) // 2
    split = (dgram(initial(1, "v1", dcid, crypto(half, ch[half:]) +
                           crypto(0, ch[:half]), 0)))
    two = (dgram(initial(1, "v1", dcid, crypto(0, ch[:half]), 0)) +
           dgram(b"\xc0\0\0\0\x01\x08" + dcid + b"\0" * 40, 1) +
           dgram(initial(1, "v1", b"\x09" * 8, b"\x02\0\0\0\0" +
                         crypto(half, ch[half:]), 1)))
    v2 = dgram(initial(0x6b3343cf, "v2", dcid, crypto(0, ch), 0, v2=True))
    zrtt = b"\xd0\0\0\0\x01\x08" + dcid + b"\0" + varint(20) + bytes(20)
    res = dgram(initial(0x0a0a0a0a, "d29", dcid, crypto(0, ch), 0,
                        extra=zrtt)) + dgram(b"\x80\0\0\0\0\x08" + dcid +
                                             b"\0\xff\0\0\x1d", 1)
    tags = [(b"PAD\0", b"\0" * 8), (b"SNI\0", b"seed.example"),
            (b"UAID", b"fuzz/1.0"), (b"VER\0", b"Q043")]
    idx, vals, end = b"", b"", 0
    for t, v in tags:
        end += len(v)
        idx += t + struct.pack("<I", end)
        vals += v
    chlo = b"CHLO" + struct.pack("<HH", len(tags), 0) + idx + vals
    q43 = (b"\x09" + dcid + b"Q043" + b"\x01" + bytes(12) + b"\xa0\x01" +
           struct.pack(">H", len(chlo)) + chlo)
    for name, data in (("v1-split", split), ("v1-two-dcid", two),
                       ("v2", v2), ("reserved-0rtt", res),
                       ("q043", dgram(q43))):
        open(os.path.join(out, name), "wb").write(data)


if __name__ == "__main__":
    main()
