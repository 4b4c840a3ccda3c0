#!/bin/sh
# formats.sh - every event rootwatch writes, in both formats, against the
# specs in ../shared/formats (beside the checkout; not copied into the tree,
# other projects' licences): Suricata's EVE schema and ECS 9.4.0's fields.
#
# Events: the whole corpus, tests/variety, ../shared/corpus/quic (quic
# events), tests/scenarios (with rules, so
# alerts appear; one run with --pem for tls.certificate/tls.chain, one with
# --summary and --privacy) and a small generated bench capture.
#   eve --relaxed         every event valid (Suricata's names, types, formats)
#   eve (strict)          the only violation: the documented top-level key
#                         "rootwatch", rootwatch(8) FORMATS
#   ecs --custom rootwatch  every event valid
# Skips (77) without ../shared/formats, python3 or python3-jsonschema.
. "$(dirname "$0")/lib.sh"
need_rootwatch
need python3
F=$top_srcdir/../shared/formats
V=$F/validate.py
BENCH=$top_srcdir/../shared/bench/gen-bench.py
if [ ! -f "$V" ]; then
	echo "SKIP: no ../shared/formats beside the checkout" >&2
	exit 77
fi
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: python3-jsonschema not installed" >&2
	exit 77
fi

# run FORMAT ARGS...: rootwatch's events appended to $T/FORMAT.json
run() {
	fmt=$1
	shift
	rw "$T/run" --format "$fmt" -q "$@"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		fail "rootwatch --format $fmt $*: exit $rc"
	fi
	cat "$T/run.out" >>"$T/$fmt.json"
}

# both ARGS...: the same run in each format
both() {
	run eve "$@"
	run ecs "$@"
}

for p in "$top_srcdir"/tests/corpus/pcaps/* "$top_srcdir"/tests/variety/pcaps/*; do
	both --no-rules -r "$p"
done
# QUIC: quic events (Suricata's quic object) from the QUIC corpus
QUIC=$top_srcdir/../shared/corpus/quic
for p in "$QUIC"/*.pcap "$QUIC"/*.pcapng; do
	[ -f "$p" ] && both --no-rules -r "$p"
done
for p in "$SCEN"/*.pcap "$SCEN"/*.pcapng; do
	both -R "$RULES" -R "$SCEN/untrusted.yaml" -r "$p"
done
both -R "$RULES" --pem -r "$SCEN/kz-qaznet-root-sent.pcap"
both -R "$RULES" --summary --privacy -r "$SCEN"
if [ -f "$BENCH" ] && python3 "$BENCH" --flows 200 --bulk 1 --seed 7 \
    --anomaly-frac 0.05 --vlan-frac 0.1 --ipv6-frac 0.1 \
    --out "$T/bench.pcap" >"$T/gen.err" 2>&1; then
	both -R "$RULES" -r "$T/bench.pcap"
else
	fail "bench capture not generated"
	sed 's/^/#   /' "$T/gen.err" >&2
fi

# every event type appears in both formats
checks=$((checks + 1))
if python3 - "$T/eve.json" "$T/ecs.json" >"$T/kinds.err" 2>&1 <<'PY'
import collections, json, sys
eve = collections.Counter(json.loads(l)["event_type"] for l in open(sys.argv[1]))
ecs = collections.Counter(json.loads(l)["event"]["dataset"]
                          for l in open(sys.argv[2]))
want = ("flow", "tls", "alert", "stats", "summary", "quic")
assert all(eve[k] > 0 for k in want), eve
assert all(ecs["rootwatch." + k] == eve[k] for k in want), (eve, ecs)
print(dict(eve))
PY
then
	pass "every event type, as many in each format: $(cat "$T/kinds.err")"
else
	fail "event types"
	sed 's/^/#   /' "$T/kinds.err" >&2
fi

# validate NAME ARGS...: validate.py ARGS, its report kept in $T/NAME.txt
validate() {
	name=$1
	shift
	checks=$((checks + 1))
	if python3 "$V" "$@" >"$T/$name.txt" 2>&1; then
		pass "$name: $(tail -1 "$T/$name.txt")"
	else
		fail "$name: $(tail -1 "$T/$name.txt")"
		sed 's/^/#   /' "$T/$name.txt" | tail -40 >&2
	fi
}

validate "eve --relaxed" eve --relaxed "$T/eve.json"
validate "ecs --custom rootwatch" ecs --custom rootwatch "$T/ecs.json"

# Strict: every event fails on "rootwatch" alone.  The report lists each
# (path, message) group with the number of events it hits.
python3 "$V" eve "$T/eve.json" >"$T/strict.txt" 2>&1
checks=$((checks + 1))
if python3 - "$T/strict.txt" "$T/eve.json" >"$T/strict.err" 2>&1 <<'PY'
import re, sys
rep = open(sys.argv[1]).read()
n = sum(1 for l in open(sys.argv[2]) if l.strip())
groups = re.findall(r"^ *(\d+)  (\$\S*): (.*?)(?:  e\.g\. .*)?  \[", rep, re.M)
m = re.search(r"\((\d+) of (\d+) groups", rep)
assert m and m.group(1) == m.group(2), "groups left out of the report"
bad = [g for g in groups if g[1] != "$.rootwatch" or
       not g[2].startswith("not in the schema")]
assert not bad, bad
assert groups and int(groups[0][0]) == n, (groups, n)
PY
then
	pass "eve (strict): the only violation is \$.rootwatch"
else
	fail "eve (strict): violations other than \$.rootwatch"
	sed 's/^/#   /' "$T/strict.err" "$T/strict.txt" | tail -40 >&2
fi
finish
