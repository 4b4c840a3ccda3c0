#!/usr/bin/env python3
"""faults-disk.py - drive rootwatch through output faults (faults-disk.sh).

Usage: faults-disk.py full|rotate FIFO OUTDIR CAPTURE PID ERRFILE

rootwatch replays FIFO (every event written at once: the input is a
stream) into OUTDIR/eve.json.  This script feeds FIFO in stages with
copies of CAPTURE (one TLS session with one alert), each copy with its
own client port (20000 + i) and 20 s later in packet time, and between
the stages makes the fault and takes it away:

  full    OUTDIR is a small file system: filled with OUTDIR/filler until
          ENOSPC, sessions fed (more events than the output's spool
          holds), the filler removed, more sessions: they must be
          written while rootwatch still runs; then SIGUSR1 for stats.
  rotate  eve.json renamed away and OUTDIR made unwritable, SIGHUP (the
          reopen fails: events go on into the renamed file); OUTDIR
          writable again, SIGHUP: the next events go to a new eve.json.

Prints "ok MESSAGE" or "FAIL MESSAGE" per check and leaves the files
for the shell's checks; the FIFO is closed at the end (rootwatch exits).
"""
import errno
import fcntl
import json
import os
import signal
import struct
import sys
import termios
import time


def sessions(path):
    """CAPTURE's header and its records (sec, usec, orig, frame)."""
    d = open(path, 'rb').read()
    if d[:4] != b'\xd4\xc3\xb2\xa1' or struct.unpack('<I', d[20:24])[0] != 1:
        sys.exit('%s: want a little-endian Ethernet pcap' % path)
    recs, off = [], 24
    while off + 16 <= len(d):
        sec, usec, cap, orig = struct.unpack('<IIII', d[off:off + 16])
        recs.append((sec, usec, orig, d[off + 16:off + 16 + cap]))
        off += 16 + cap
    return d[:24], recs


def tcp_at(frame):
    """Offset of the TCP header in an Ethernet/IPv4 frame."""
    return 14 + (frame[14] & 15) * 4


class Feed:
    def __init__(self, fifo, capture):
        self.head, self.recs = sessions(capture)
        t = tcp_at(self.recs[0][3])
        self.client = struct.unpack('>H', self.recs[0][3][t:t + 2])[0]
        self.w = os.open(fifo, os.O_WRONLY)
        os.write(self.w, self.head)
        self.n = 0

    def copy(self, i):
        out = b''
        for sec, usec, orig, frame in self.recs:
            b = bytearray(frame)
            t = tcp_at(b)
            sp, dp = struct.unpack('>HH', b[t:t + 4])
            if sp == self.client:
                b[t:t + 2] = struct.pack('>H', 20000 + i)
            if dp == self.client:
                b[t + 2:t + 4] = struct.pack('>H', 20000 + i)
            out += struct.pack('<IIII', sec + 20 * i, usec, len(b),
                               orig) + bytes(b)
        return out

    def send(self, count):
        """The next count sessions; returns once rootwatch read them."""
        data = b''.join(self.copy(self.n + k) for k in range(count))
        self.n += count
        view = memoryview(data)
        while view:
            view = view[os.write(self.w, view):]
        buf = bytearray(4)
        for _ in range(500):
            fcntl.ioctl(self.w, termios.FIONREAD, buf)
            if struct.unpack('i', buf)[0] == 0:
                break
            time.sleep(0.01)
        time.sleep(0.3)         # the last packets read are processed

    def close(self):
        os.close(self.w)


def events(path):
    """The complete lines of an output file, parsed."""
    try:
        data = open(path, 'rb').read()
    except OSError:
        return []
    out = []
    for line in data.split(b'\n')[:-1]:
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({'event_type': 'broken'})
    return out


def alert_ports(path):
    return sorted(e['src_port'] for e in events(path)
                  if e['event_type'] == 'alert')


def wait(cond, seconds=5.0):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def check(ok, msg):
    print(('ok ' if ok else 'FAIL ') + msg, flush=True)
    return ok


def fill(path):
    """Write zeros to path until the file system is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    chunk = b'\0' * 65536
    try:
        while True:
            if os.write(fd, chunk) < len(chunk):
                chunk = b'\0' * 4096
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
    chunk = b'\0' * 4096
    try:
        while True:
            os.write(fd, chunk)
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
    os.close(fd)


def err_lines(path, text):
    return sum(text in line for line in open(path, errors='replace'))


def full(feed, out, pid, err):
    eve = os.path.join(out, 'eve.json')
    feed.send(3)
    check(wait(lambda: len(alert_ports(eve)) == 3),
          'full: sessions 0-2 written before the fault')
    fill(os.path.join(out, 'filler'))
    feed.send(16)
    check(wait(lambda: err_lines(err, 'No space left on device') > 0),
          'full: the write error logged')
    before = alert_ports(eve)
    check(len(before) <= 4, 'full: sessions 3-18 not written while full '
          '(%d alerts in the file)' % len(before))
    os.unlink(os.path.join(out, 'filler'))
    time.sleep(1.5)             # past the retry backoff (100 ms, doubled)
    feed.send(3)
    want = list(range(20000, 20022))
    check(wait(lambda: alert_ports(eve) == want),
          'full: space back: all 22 alerts written, while running '
          '(spooled 3-18 included), each once: %s' %
          (alert_ports(eve) == want or alert_ports(eve)))
    os.kill(pid, signal.SIGUSR1)
    check(wait(lambda: any(e['event_type'] == 'stats' for e in events(eve))),
          'full: SIGUSR1 stats written')


def rotate(feed, out, pid, err):
    eve = os.path.join(out, 'eve.json')
    old = os.path.join(out, 'eve.json.1')
    feed.send(2)
    check(wait(lambda: len(alert_ports(eve)) == 2),
          'rotate: sessions 0-1 written')
    os.rename(eve, old)
    os.chmod(out, 0)
    os.kill(pid, signal.SIGHUP)
    check(wait(lambda: err_lines(err, 'reopen') > 0),
          'rotate: the failed reopen logged')
    feed.send(2)
    ok = wait(lambda: alert_ports(old) == [20000, 20001, 20002, 20003])
    check(ok and not os.path.exists(eve),
          'rotate: directory unwritable: sessions 2-3 still written, to '
          'the file already open')
    os.chmod(out, 0o755)
    os.kill(pid, signal.SIGHUP)
    time.sleep(0.5)
    feed.send(2)
    check(wait(lambda: alert_ports(eve) == [20004, 20005]),
          'rotate: directory writable again: the next SIGHUP opens a new '
          'eve.json, sessions 4-5 there')


def main():
    if len(sys.argv) != 7 or sys.argv[1] not in ('full', 'rotate'):
        sys.exit(__doc__)
    mode, fifo, out, capture, pid, err = sys.argv[1:]
    feed = Feed(fifo, capture)
    try:
        (full if mode == 'full' else rotate)(feed, out, int(pid), err)
    finally:
        feed.close()


main()
