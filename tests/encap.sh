#!/bin/sh
# encap.sh - the same TLS handshake (tests/scenarios/kz-qaznet-root-sent.pcap)
# wrapped in every encapsulation rootwatch decodes (tests/encap/*.pcap, made
# by tests/encap/make.py, described in tests/encap/README.md) must give the
# same events: one tls event with the original chain, one kz-qaznet-2019
# alert by fingerprint, the server as dest, the VLAN ids, exit status 0,
# and the stats event counting the decapsulation notes.  The bad-* variants
# put malformed frames of one layer (truncated headers, bad lengths and
# versions, depth bombs) before the same session: each must be counted as
# the decoder error expect.json names, and the session still alert.
# The captures are generated here, by make.py, and must equal the
# committed ones (which valgrind.sh, arm64.sh and the fuzz seeds use).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

ORIG=$SCEN/kz-qaznet-root-sent.pcap
E=$T/gen
mkdir -p "$E"
checks=$((checks + 1))
if python3 "$top_srcdir/tests/encap/make.py" "$ORIG" "$E"; then
	pass "make.py generated $(ls "$E" | wc -l) files"
else
	fail "make.py"
fi
for f in "$E"/*; do
	checks=$((checks + 1))
	if cmp -s "$f" "$top_srcdir/tests/encap/$(basename "$f")"; then
		:
	else
		fail "$(basename "$f"): generated differs from the committed" \
		    "tests/encap copy (run tests/encap/make.py)"
	fi
done

rw "$T/orig" -R "$RULES" -r "$ORIG"
expect_rc "original" 0

# Skips: variant<TAB>why (a known limitation; the check is still run and
# reported, but a failure is not counted).  Keep empty when all pass.
SKIPS=""

# Every variant listed in expect.json has its capture, and no other.
checks=$((checks + 1))
if python3 -c 'import json, os, sys
e = sorted(json.load(open(sys.argv[1])))
f = sorted(os.path.splitext(n)[0] for n in os.listdir(sys.argv[2])
           if n.endswith((".pcap", ".pcapng")))
sys.exit(0 if e == f and len(e) > 30 else 1)' "$E/expect.json" "$E"; then
	pass "expect.json lists every variant"
else
	fail "expect.json and tests/encap/*.pcap disagree"
fi

for f in "$E"/*.pcap "$E"/*.pcapng; do
	name=$(basename "$f"); name=${name%.pcap*}
	rw "$T/$name" -R "$RULES" -r "$f"
	expect_rc "$name" 0
	checks=$((checks + 1))
	if python3 - "$T/orig.out" "$T/$name.out" "$E/expect.json" "$name" \
	    >"$T/$name.why" 2>&1 <<'PY'
import json, sys

def events(path):
    return [json.loads(l) for l in open(path) if l.strip()]

orig, got = events(sys.argv[1]), events(sys.argv[2])
want = json.load(open(sys.argv[3]))[sys.argv[4]]
bad = []

def t(ev, kind):
    return [e for e in ev if e.get("event_type") == kind]

def chain(e):
    rw = e.get("rootwatch", {}).get("tls", {})
    return [c.get("sha256") for c in rw.get("chain", [])]

otls = t(orig, "tls")[0]
tls, alerts, stats = t(got, "tls"), t(got, "alert"), t(got, "stats")
one_sided = want.get("one_sided", False)
if len(tls) != 1:
    bad.append("%d tls events, want 1" % len(tls))
if len(alerts) != 1:
    bad.append("%d alert events, want 1" % len(alerts))
for e in tls + alerts:
    kind = e["event_type"]
    if chain(e) != chain(otls):
        bad.append("%s: chain %s, want %s" % (kind, chain(e), chain(otls)))
    if e.get("dest_ip") != want["dest_ip"]:
        bad.append("%s: dest_ip %s, want %s" % (kind, e.get("dest_ip"),
                                                want["dest_ip"]))
    if e.get("dest_port") != want["dest_port"]:
        bad.append("%s: dest_port %s, want %s" % (kind, e.get("dest_port"),
                                                  want["dest_port"]))
    if e.get("vlan", []) != want["vlan"]:
        bad.append("%s: vlan %s, want %s" % (kind, e.get("vlan"),
                                             want["vlan"]))
    if not one_sided:
        for k in ("sni", "ja3", "ja4", "version", "server_handshake"):
            if e["tls"].get(k) != otls["tls"].get(k):
                bad.append("%s: tls.%s %s, want %s" % (
                    kind, k, e["tls"].get(k), otls["tls"].get(k)))
    else:
        # No client packets: no ClientHello (SNI, JA3/JA4); the server's
        # choices are still seen.
        for k in ("ja3s", "server_handshake"):
            if e["tls"].get(k) != otls["tls"].get(k):
                bad.append("%s: tls.%s %s, want %s" % (
                    kind, k, e["tls"].get(k), otls["tls"].get(k)))
for a in alerts:
    rw = a.get("rootwatch", {})
    if rw.get("alert", {}).get("rule_id") != "kz-qaznet-2019":
        bad.append("alert rule %s" % rw.get("alert"))
    if rw.get("match", {}).get("attribution") != "fingerprint":
        bad.append("alert attribution %s" % rw.get("match"))
if len(stats) != 1:
    bad.append("%d stats events, want 1" % len(stats))
else:
    notes = stats[0]["rootwatch"]["decoder"].get("notes", {})
    for k, n in want["notes"].items():
        if notes.get(k) != n:
            bad.append("stats notes.%s = %s, want %s" % (k, notes.get(k), n))
    # frag_held (a fragment stored until its datagram completes) is an
    # outcome, not an error; anything else is.
    nh = stats[0]["rootwatch"]["tls"].get("no_handshake")
    if nh != want.get("tls_no_handshake", 0):
        bad.append("stats tls.no_handshake = %s, want %s" % (
            nh, want.get("tls_no_handshake", 0)))
    errs = dict(stats[0]["rootwatch"]["decoder"].get("errors", {}))
    errs.pop("frag_held", None)
    if errs != want.get("errors", {}):
        bad.append("decoder errors %s, want %s" % (errs,
                                                   want.get("errors", {})))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
	then
		pass "$name: same handshake, chain, alert"
		sed -n 's/^NOTE: /# note: '"$name"': /p' "$T/$name.why" >&2
	else
		why=$(printf '%s\n' "$SKIPS" | awk -F'\t' -v n="$name" \
		    '$1 == n { print $2 }')
		if [ -n "$why" ]; then
			checks=$((checks - 1))
			echo "SKIP: $name: $why" >&2
		else
			fail "$name"
		fi
		sed 's/^/#   /' "$T/$name.why" >&2
	fi
done

# pcapng with interfaces of different link types: a BPF filter is
# compiled for each (the SYN on Ethernet, the SYN-ACK on Linux SLL), and
# a file cut in the middle of a block is reported, not a crash.
ng=$E/pcapng-mixed.pcapng
rw "$T/ng-filter" -R "$RULES" -r "$ng" 'tcp[tcpflags] & tcp-syn != 0'
expect_rc "pcapng filter" 0
checks=$((checks + 1))
if python3 -c 'import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if "\"stats\"" in l][0]
sys.exit(0 if s["rootwatch"]["decoder"]["frames"] == 2 else 1)' \
    "$T/ng-filter.out"; then
	pass "pcapng filter: one SYN per link type"
else
	fail "pcapng filter: want 2 frames"
fi
head -c 3000 "$ng" >"$T/ng-cut.pcapng"
rw "$T/ng-cut" -R "$RULES" -r "$T/ng-cut.pcapng"
expect_rc "pcapng cut" 1	# a damaged file, as for classic pcap
grep_err "pcapng cut" "truncated pcapng block"

# Every decoder error and note name is documented in rootwatch(8).
checks=$((checks + 1))
if python3 - "$top_srcdir/parsers/decode.c" "$top_srcdir/sensor/rootwatch.8" \
    <<'PY'
import re, sys
names = re.findall(r'\[(?:DEC|NOTE)_[A-Z0-9_]+\] = "([a-z0-9_]+)"',
                   open(sys.argv[1]).read())
man = open(sys.argv[2]).read()
missing = [n for n in names if n != "ok" and not re.search(
    r"\b%s\b" % n, man)]
print("missing from rootwatch.8:", missing) if missing else None
sys.exit(1 if missing or len(names) < 40 else 0)
PY
then
	pass "decoder counter names are in rootwatch.8"
else
	fail "decoder counter names missing from rootwatch.8"
fi

finish
