#!/usr/bin/env python3
"""outputs_check.py - checks for tests/outputs.sh (python3 stdlib only).

    outputs_check.py syslog REF RAW [--rfc 3164] [--types a,b] [--facility N]
        RAW holds the messages a collector received, one a line, as sent
        (rsyslog's %rawmsg%).  Every header field is checked (PRI from the
        facility and the event's severity, VERSION, TIMESTAMP, APP-NAME,
        PROCID, MSGID the event type, no structured data), every MSG must
        parse as JSON, and the MSGs must be exactly the events of REF (the
        file output of the same run) that the type filter lets through.
    outputs_check.py lines REF GOT [--types a,b]
        GOT holds one JSON event a line (Redis list, channel, stream,
        unix sockets): the same events as REF, in any order.
    outputs_check.py restart REF BEFORE AFTER NAME
        The Redis restart: BEFORE (taken before the server stopped) and
        AFTER together hold every event of REF, duplicates only those the
        stats event of REF says were resent, and the output NAME's
        counters add up (events = written + dropped + pending).
Exit status 0 when all holds; the reasons on stderr otherwise.
"""
import collections
import json
import re
import sys

H5424 = re.compile(r'^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) '
                   r'(\S{1,255}) (\S{1,48}) (\d{1,128}) (\S{1,32}) - (.*)$')
H3164 = re.compile(r'^<(\d{1,3})>([A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d) '
                   r'(?:(\S+) )?rootwatch\[(\d+)\]: (.*)$')
errors = []


def err(msg):
    errors.append(msg)


def read_lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def ref_events(path, types):
    out = []
    for line in read_lines(path):
        ev = json.loads(line)
        if types and ev["event_type"] not in types:
            continue
        out.append(line)
    return out


def same(ref, got, what):
    a, b = collections.Counter(ref), collections.Counter(got)
    if a != b:
        err("%s: %d events expected, %d received; %d missing, %d extra" %
            (what, len(ref), len(got), sum((a - b).values()),
             sum((b - a).values())))


def check_json(msg, where):
    try:
        return json.loads(msg)
    except ValueError as e:
        err("%s: MSG is not JSON (%s): %.80s" % (where, e, msg))
        return None


def syslog(ref, raw, rfc, types, facility):
    msgs = []
    for i, line in enumerate(read_lines(raw), 1):
        where = "%s:%d" % (raw, i)
        m = (H3164 if rfc == "3164" else H5424).match(line)
        if m is None:
            err("%s: not an RFC %s message: %.80s" % (where, rfc, line))
            continue
        pri, msg = int(m.group(1)), m.group(m.lastindex)
        ev = check_json(msg, where)
        if ev is None:
            continue
        sev = 4 if ev["event_type"] == "alert" else 6
        if pri != facility * 8 + sev:
            err("%s: PRI %d, want %d" % (where, pri, facility * 8 + sev))
        if rfc == "5424":
            if m.group(4) != "rootwatch":
                err("%s: APP-NAME %s" % (where, m.group(4)))
            if m.group(6) != ev["event_type"]:
                err("%s: MSGID %s for a %s event" %
                    (where, m.group(6), ev["event_type"]))
        msgs.append(msg)
    same(ref_events(ref, types), msgs, raw)


def restart(ref, before, after, name):
    want = ref_events(ref, None)
    got = read_lines(before) + read_lines(after)
    for i, line in enumerate(got):
        check_json(line, "redis event %d" % i)
    if set(want) != set(got):
        err("restart: %d distinct events expected, %d received; %d missing" %
            (len(set(want)), len(set(got)), len(set(want) - set(got))))
    if len(set(want)) != len(want):
        err("restart: the reference has duplicate lines")
    stats = [json.loads(l) for l in want if '"event_type":"stats"' in l][-1]
    outs = [o for o in stats["rootwatch"]["outputs"] if o["name"] == name]
    if len(outs) != 1:
        err("restart: no output %s in the stats event" % name)
        return
    o = outs[0]
    if o["events"] != o["written"] + o["dropped"] + o["pending"]:
        err("restart: counters do not add up: %s" % o)
    if o["dropped"] != 0 or o["queued"] == 0 or o["retried"] == 0:
        err("restart: want queued and retried events, none dropped: %s" % o)
    dups = len(got) - len(set(got))
    if dups > o["resent"]:
        err("restart: %d duplicates but only %d resent" % (dups, o["resent"]))
    print("restart: %d events, %d before the stop, %d after; queued %d, "
          "retried %d, resent %d" % (len(want), len(read_lines(before)),
                                     len(read_lines(after)), o["queued"],
                                     o["retried"], o["resent"]),
          file=sys.stderr)


def main(argv):
    opts = {"--rfc": "5424", "--types": "", "--facility": "21"}
    pos = []
    i = 1
    while i < len(argv):
        if argv[i] in opts:
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    types = set(t for t in opts["--types"].split(",") if t)
    if pos[0] == "syslog":
        syslog(pos[1], pos[2], opts["--rfc"], types, int(opts["--facility"]))
    elif pos[0] == "lines":
        got = read_lines(pos[2])
        for j, line in enumerate(got):
            check_json(line, "%s:%d" % (pos[2], j + 1))
        same(ref_events(pos[1], types), got, pos[2])
    elif pos[0] == "restart":
        restart(pos[1], pos[2], pos[3], pos[4])
    else:
        raise SystemExit(__doc__)
    for e in errors[:20]:
        print("FAIL: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
