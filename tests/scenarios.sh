#!/bin/sh
# scenarios.sh - the rules acceptance captures (issue 4): run rootwatch on
# each capture in tests/scenarios/ and check every alert field with
# tests/scenarios/check.py; then the public-CA captures of tests/corpus/
# must raise no alert at all.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

# scenario NAME RULES...: run and check one capture
scenario() {
	name=$1
	shift
	rargs=
	for r in "$@"; do rargs="$rargs -R $r"; done
	# shellcheck disable=SC2086
	rw "$T/$name" -r "$SCEN/$name.pcap" $rargs
	expect_rc "$name" 0
	checks=$((checks + 1))
	if python3 "$SCEN/check.py" "$name" "$T/$name.out" "$top_srcdir" \
	    >"$T/$name.check" 2>&1; then
		pass "$name: events"
	else
		fail "$name: events"
		sed 's/^/#   /' "$T/$name.check" >&2
		sed 's/^/#   out: /' "$T/$name.out" | cut -c1-300 >&2
	fi
}

scenario kz-qaznet-root-sent "$RULES"		# (a)
scenario kz-qaznet-vlan100 "$RULES"		# (a) behind 802.1Q
scenario ru-sub-ca-signature "$RULES"		# (b)
scenario kz-qaznet-lookalike "$RULES"		# (c)
scenario untrusted-private-root "$RULES" "$SCEN/untrusted.yaml"	# (e)
scenario kz-qaznet-tls13 "$RULES"		# TLS 1.3

# (d) public-CA chains: zero alerts over the whole corpus.
n=0
for p in "$top_srcdir"/tests/corpus/pcaps/*.pcap \
    "$top_srcdir"/tests/corpus/pcaps/*.pcapng; do
	[ -f "$p" ] || continue
	n=$((n + 1))
	b=$(basename "$p")
	rw "$T/corpus" -r "$p" -R "$RULES"
	checks=$((checks + 1))
	a=$(grep -c '"event_type": *"alert"' "$T/corpus.out" || true)
	if [ "$a" -eq 0 ]; then
		pass "corpus $b: no alert"
	else
		fail "corpus $b: $a alerts"
		grep '"event_type": *"alert"' "$T/corpus.out" | cut -c1-300 >&2
	fi
done
[ "$n" -gt 0 ] || note "no tests/corpus/pcaps: (d) not checked"

finish
