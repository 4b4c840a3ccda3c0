#!/bin/sh
# quic.sh - QUIC: the quic event against the QUIC corpus oracle, and the
# QUIC-blocked signal on generated captures.
#
#   corpus   every row of ../shared/corpus/quic/expected.tsv: versions,
#            SNI and ALPN of each UDP flow (tests/quic_check.py); skipped
#            without ../shared beside the checkout
#   signal   tests/quic_gen.py replays a real Initial from that corpus
#            from our addresses, then TCP TLS to the same name:
#            blocked (no server packet, TCP 1 s later)  -> one alert
#            answered (server packet at 50 ms)          -> none
#            late (TCP 30 s later) / other (other SNI)  -> none
#            blocked with quic.blocked: false           -> none
#            blocked with blocked-reply-timeout 10 s (the capture ends
#            at 6 s: undecided)                          -> none
#            blocked-signature-id, the ECS alert, --workers 2, stats
. "$(dirname "$0")/lib.sh"
need_rootwatch
need python3
Q=$top_srcdir/../shared/corpus/quic
if [ ! -f "$Q/expected.tsv" ]; then
	echo "SKIP: no ../shared/corpus/quic beside the checkout" >&2
	exit 77
fi

checks=$((checks + 1))
mkdir -p "$T/corpus"
if python3 "$top_srcdir/tests/quic_check.py" "$RW" "$Q" "$T/corpus" \
    >"$T/check.txt" 2>&1; then
	pass "corpus: $(tail -1 "$T/check.txt")"
else
	fail "corpus: $(tail -1 "$T/check.txt")"
	sed 's/^/#   /' "$T/check.txt" | tail -30 >&2
fi

checks=$((checks + 1))
if python3 "$top_srcdir/tests/quic_gen.py" "$Q/sites_quic.pcapng" "$T" \
    >"$T/gen.err" 2>&1; then
	pass "signal captures generated"
else
	fail "signal captures not generated"
	sed 's/^/#   /' "$T/gen.err" >&2
	finish
fi

# alerts NAME WANT FILE: the number of QUIC-blocked alerts (EVE) in FILE
alerts() {
	checks=$((checks + 1))
	n=$(grep '"event_type":"alert"' "$3" | grep -c '"quic_blocked"')
	if [ "$n" -eq "$2" ]; then
		pass "$1: $n QUIC-blocked alerts"
	else
		fail "$1: $n QUIC-blocked alerts, want $2"
	fi
}

for c in blocked answered late other; do
	rw "$T/$c" --no-rules -q -r "$T/$c.pcap"
	expect_rc "$c" 0
	alerts "$c" "$([ $c = blocked ] && echo 1 || echo 0)" "$T/$c.out"
done

# what the alert says it compared
checks=$((checks + 1))
if python3 - "$T/blocked.out" >"$T/alert.err" 2>&1 <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
a = [e for e in ev if e["event_type"] == "alert"]
assert len(a) == 1, a
a = a[0]
assert a["alert"]["signature_id"] == 2990101, a["alert"]
assert a["alert"]["category"] == "QUIC blocked, TCP fallback", a["alert"]
assert (a["src_port"], a["dest_port"], a["proto"]) == (40123, 443, "TCP")
s = a["rootwatch"]["signal"]
assert s["sni"] == "classroom.google.com", s
assert s["quic"]["initials"] == 3 and s["quic"]["flows"] == 1, s
assert s["quic"]["server_replies"] == 0, s
assert s["quic"]["first_seen"].endswith("22:13:20.000000+0000"), s
assert s["quic"]["last_seen"].endswith("22:13:20.900000+0000"), s
assert s["tcp"]["sessions"] == 1, s
assert s["tcp"]["first_seen"].endswith("22:13:21.000000+0000"), s
st = [e for e in ev if e["event_type"] == "stats"][-1]["rootwatch"]["quic"]
assert st["sessions"] == 1 and st["initials"] == 3, st
assert st["initials_decrypted"] == 1 and st["initials_failed"] == 0, st
assert st["blocked"]["alerts"] == 1 and st["blocked"]["fallbacks"] == 1, st
q = [e for e in ev if e["event_type"] == "quic"][0]
assert q["quic"]["sni"] == "classroom.google.com" and q["quic"]["version"] == "1"
PY
then
	pass "alert: signature, category, first/last seen and counts"
else
	fail "alert contents"
	sed 's/^/#   /' "$T/alert.err" >&2
fi

# turned off, tuned
printf 'quic:\n  blocked: false\n' >"$T/off.yaml"
rw "$T/off" --no-rules -q -c "$T/off.yaml" -r "$T/blocked.pcap"
expect_rc "quic.blocked: false" 0
alerts "quic.blocked: false" 0 "$T/off.out"
printf 'quic:\n  blocked-reply-timeout: 10\n' >"$T/slow.yaml"
rw "$T/slow" --no-rules -q -c "$T/slow.yaml" -r "$T/blocked.pcap"
alerts "blocked-reply-timeout 10 s" 0 "$T/slow.out"
printf 'quic:\n  blocked-signature-id: 4242\n' >"$T/sid.yaml"
rw "$T/sid" --no-rules -q -c "$T/sid.yaml" -r "$T/blocked.pcap"
check "blocked-signature-id 4242" grep -q '"signature_id":4242' "$T/sid.out"
printf 'quic:\n  enabled: false\n' >"$T/noquic.yaml"
rw "$T/noquic" --no-rules -q -c "$T/noquic.yaml" -r "$T/blocked.pcap"
check "quic.enabled: false: no quic event" \
    sh -c "! grep -q '\"event_type\":\"quic\"' '$T/noquic.out'"
alerts "quic.enabled: false" 0 "$T/noquic.out"
rw "$T/w2" --no-rules -q --workers 2 -r "$T/blocked.pcap"
alerts "--workers 2" 1 "$T/w2.out"
rw "$T/ecs" --no-rules -q --format ecs -r "$T/blocked.pcap"
check "ECS: the alert" grep -q '"rule":{"id":"quic_blocked"' "$T/ecs.out"
check "ECS: the quic event" grep -q '"dataset":"rootwatch.quic"' "$T/ecs.out"
finish
