#!/bin/sh
# workers.sh - several workers (rootwatch(8) WORKERS): --workers 2 and 3
# replay the corpus, the scenario, variety, encapsulation and replay
# captures, and a generated bench capture when ../shared/bench is there,
# and must write the same events as --workers 1 (sorted, flow_id aside:
# it is a hash of the flow's start and 5-tuple, equal too, but the test
# holds the events, not the ids).  Lines are whole JSON objects; the stats
# sums equal the single worker's; the per-worker array adds up; stdin and
# the summary work through the pool; bad --workers values are refused.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

C=$top_srcdir/tests
INPUTS="-r $C/corpus/pcaps -r $C/scenarios -r $C/variety -r $C/encap"
SHARED=$top_srcdir/../shared/bench
if [ -f "$SHARED/gen-bench.py" ] && python3 "$SHARED/gen-bench.py" \
    --flows 300 --bulk 1 --seed 7 --duration 20 --out "$T/bench.pcap" \
    >"$T/gen.log" 2>&1; then
	INPUTS="$INPUTS -r $T/bench.pcap"
else
	note "no bench capture (../shared/bench missing or failed)"
fi

# shellcheck disable=SC2086
for n in 1 2 3; do
	"$RW" -q -R "$RULES" --workers $n $INPUTS \
	    >"$T/w$n.json" 2>"$T/w$n.err"
	echo $? >"$T/w$n.rc"
done

cat >"$T/cmp.py" <<'PY'
import json, sys

def load(path):
    ev, stats = [], []
    for line in open(path):
        e = json.loads(line)          # a torn line fails here
        if e["event_type"] == "stats":
            stats.append(e)
            continue
        e.pop("flow_id", None)
        ev.append(json.dumps(e, sort_keys=True))
    return sorted(ev), stats

a, sa = load(sys.argv[1])
b, sb = load(sys.argv[2])
if a != b:
    print("events differ: %d vs %d" % (len(a), len(b)))
    for x in sorted(set(a) - set(b))[:3]:
        print("-", x[:300])
    for x in sorted(set(b) - set(a))[:3]:
        print("+", x[:300])
    sys.exit(1)
if len(a) < 200:
    print("too few events: %d" % len(a))
    sys.exit(1)
if len(sa) != 1 or len(sb) != 1:
    print("want one stats event each")
    sys.exit(1)
x, y = sa[0]["rootwatch"], sb[0]["rootwatch"]
for path in (("packets",), ("decoder", "frames"), ("decoder", "tcp"),
             ("flow", "created"), ("tls", "sessions"), ("tls", "chains"),
             ("tls", "certificates"), ("alerts_total",), ("alerts",),
             ("output", "tls"), ("output", "flow"), ("output", "alert")):
    vx, vy = x, y
    for k in path:
        vx, vy = vx[k], vy[k]
    if vx != vy:
        print("stats %s: %r vs %r" % (".".join(path), vx, vy))
        sys.exit(1)
n = int(sys.argv[3])
if n > 1:
    w = y["workers"]
    if len(w) != n:
        print("workers array: %d entries" % len(w))
        sys.exit(1)
    for k, tot in (("frames", y["decoder"]["frames"]),
                   ("flows", y["flow"]["created"]),
                   ("tls_sessions", y["tls"]["sessions"]),
                   ("alerts", y["alerts_total"])):
        if sum(e[k] for e in w) != tot:
            print("workers %s do not add up" % k)
            sys.exit(1)
    if sum(1 for e in w if e["flows"] > 0) < 2:
        print("one worker did all the work")
        sys.exit(1)
elif "workers" in y:
    print("one worker: no workers array")
    sys.exit(1)
PY
for n in 2 3; do
	check "--workers $n exit status as --workers 1" \
	    test "$(cat "$T/w$n.rc")" = "$(cat "$T/w1.rc")"
	check "--workers $n: same events and sums as --workers 1" \
	    python3 "$T/cmp.py" "$T/w1.json" "$T/w$n.json" $n
done
check "--workers 1: no workers array" \
    python3 "$T/cmp.py" "$T/w1.json" "$T/w1.json" 1

# stdin through the pool, with the summary event
S=$C/scenarios/kz-qaznet-root-sent.pcap
"$RW" -q --summary --workers 2 -r - <"$S" >"$T/stdin2.json" 2>/dev/null
"$RW" -q --summary --workers 1 -r - <"$S" >"$T/stdin1.json" 2>/dev/null
check "stdin, two workers: the alert" \
    grep -q '"event_type":"alert"' "$T/stdin2.json"
check "stdin, two workers: summary counts the alert" \
    sh -c "grep '\"event_type\":\"summary\"' '$T/stdin2.json' |
    grep -q '\"alerts_total\":1'"
check "stdin: same tls events" sh -c "
    grep '\"event_type\":\"tls\"' '$T/stdin1.json' | sed 's/\"flow_id\":[0-9]*,//' >'$T/s1'
    grep '\"event_type\":\"tls\"' '$T/stdin2.json' | sed 's/\"flow_id\":[0-9]*,//' >'$T/s2'
    test -s '$T/s1' && cmp -s '$T/s1' '$T/s2'"

# Two files that overlap in time (the bench capture dealt out in runs of
# three packets), one of them gzip'd: merged by time, the mapped one's
# frames go zero-copy from windows the two files alternate between, the
# other's are copied out of the decompression thread's buffers.
if [ -f "$T/bench.pcap" ]; then
	python3 - "$T/bench.pcap" "$T/odd.pcap" "$T/even.pcap" <<'PY'
import struct, sys
src = open(sys.argv[1], "rb").read()
outs = [open(p, "wb") for p in sys.argv[2:]]
for o in outs:
    o.write(src[:24])
off, i = 24, 0
while off < len(src):
    cl = struct.unpack("<I", src[off + 8:off + 12])[0]
    outs[(i // 3) % 2].write(src[off:off + 16 + cl])
    off += 16 + cl
    i += 1
PY
	gzip -f "$T/even.pcap"
	"$RW" -q -R "$RULES" --workers 1 -r "$T/bench.pcap" >"$T/m1.json" \
	    2>/dev/null
	"$RW" -q -R "$RULES" --workers 2 -r "$T/odd.pcap" -r "$T/even.pcap.gz" \
	    >"$T/m2.json" 2>/dev/null
	check "overlapping plain + gzip files, 2 workers: same events as one file" \
	    python3 "$T/cmp.py" "$T/m1.json" "$T/m2.json" 2
fi

# A frame larger than a quarter of a worker's ring: from a mapped file it
# goes as a pointer into the mapping, from a stream as a pointer to a heap
# copy; decoded once either way, counted in the same packets and bytes.
python3 - "$S" "$T/big.pcap" <<'PY'
import struct, sys
src = open(sys.argv[1], "rb").read()
magic, vmaj, vmin, tz, sf, snap, lt = struct.unpack("<IHHiIII", src[:24])
out = bytearray(struct.pack("<IHHiIII", magic, vmaj, vmin, tz, sf, 1 << 20, lt))
off, last = 24, 0
while off < len(src):
    ts, tu, cl, ol = struct.unpack("<IIII", src[off:off + 16])
    out += src[off:off + 16 + cl]
    off += 16 + cl
    last = ts
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 65535, 1, 0, 64, 6, 0,
                 bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
big = bytes(12) + b"\x08\x00" + ip + bytes(400000)
out += struct.pack("<IIII", last + 1, 0, len(big), len(big)) + big
open(sys.argv[2], "wb").write(out)
PY
"$RW" -q --workers 1 -r "$T/big.pcap" >"$T/big1.json" 2>/dev/null
"$RW" -q --workers 2 -r "$T/big.pcap" >"$T/big2.json" 2>/dev/null
"$RW" -q --workers 2 -r - <"$T/big.pcap" >"$T/big3.json" 2>/dev/null
check "400 KB frame: same packets and bytes with 2 workers" python3 -c '
import json, sys
d = [json.loads(open(f).readlines()[-1])["stats"]["decoder"] for f in sys.argv[1:]]
assert d[0]["bytes"] > 400000, d
assert (d[0]["pkts"], d[0]["bytes"]) == (d[1]["pkts"], d[1]["bytes"]), d
assert (d[0]["pkts"], d[0]["bytes"]) == (d[2]["pkts"], d[2]["bytes"]), d
' "$T/big1.json" "$T/big2.json" "$T/big3.json"

# workers: in the config, and bad values
printf 'workers: 2\n' >"$T/w.yaml"
"$RW" -q -c "$T/w.yaml" -v -r "$S" >/dev/null 2>"$T/cfg.err"
check "workers: 2 from the config" grep -q "2 workers" "$T/cfg.err"
"$RW" -q --workers auto -v -r "$S" >/dev/null 2>"$T/auto.err"
check "--workers auto runs" test $? -eq 0
for bad in 0 65 x -1; do
	"$RW" -q --workers "$bad" -r "$S" >/dev/null 2>&1
	check "--workers $bad refused (2)" test $? -eq 2
done
printf 'workers: lots\n' >"$T/bad.yaml"
"$RW" -T -c "$T/bad.yaml" >/dev/null 2>&1
check "workers: lots refused by -T" test $? -eq 1
finish
