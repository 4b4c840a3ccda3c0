#!/bin/sh
# live.sh - live capture on loopback: rootwatch -i lo sees a TLS handshake
# made by openssl s_server/s_client, raises the alert, keeps its rules when
# SIGHUP brings a broken file, reloads a good one, and on SIGTERM writes
# every event and a final stats line.  Needs root (or CAP_NET_RAW) and
# openssl; skipped otherwise.
. "$(dirname "$0")/lib.sh"
need_rootwatch
need openssl
need python3

C=$SCEN/certs
port=$((41000 + $$ % 2000))

# The rules are copied so the test can break and mend them; the anchors
# are resolved relative to the rules file, so the PEMs come along.
# rootwatch runs as nobody once the capture is open: it must still read
# the rules (reload) and write beside its output (reopen).
mkdir -p "$T/rules" "$T/out"
chmod 755 "$T"
chown nobody "$T/out"
cp "$top_srcdir"/rules/*.pem "$T/rules/"
cp "$RULES" "$T/rules/rules.yaml"

"$RW" -v -u nobody -i lo -R "$T/rules/rules.yaml" -o "$T/out/live.json" \
    "tcp port $port" 2>"$T/live.err" &
rwpid=$!
i=0
while ! grep -q "capturing on lo" "$T/live.err" 2>/dev/null; do
	i=$((i + 1))
	if ! kill -0 $rwpid 2>/dev/null || [ $i -gt 50 ]; then
		if grep -qi "permission\|not permitted\|socket" "$T/live.err"; then
			echo "SKIP: no permission to capture on lo" >&2
			exit 77
		fi
		cat "$T/live.err" >&2
		echo "FAIL: rootwatch -i lo did not start" >&2
		exit 1
	fi
	sleep 0.1
done

handshake() {
	openssl s_server -accept "127.0.0.1:$port" -cert "$C/kz-leaf.pem" \
	    -key "$C/kz-leaf.key" -cert_chain "$top_srcdir/rules/kz-qaznet-2019.pem" \
	    -naccept 1 -quiet >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	openssl s_client -connect "127.0.0.1:$port" -servername www.example.kz \
	    -tls1_2 </dev/null >/dev/null 2>&1 || true
	wait $spid 2>/dev/null || true
}

handshake
# A broken rules file on SIGHUP: the old rules stay.
printf 'rules:\n  - id: [oops\n' >"$T/rules/rules.yaml"
kill -HUP $rwpid
sleep 0.5
handshake
# A good file again: reloaded.
cp "$RULES" "$T/rules/rules.yaml"
kill -HUP $rwpid
sleep 0.5
kill -TERM $rwpid
rc=0
wait $rwpid || rc=$?

checks=$((checks + 1))
if [ $rc -eq 0 ]; then pass "exit 0 on SIGTERM"; else fail "exit $rc on SIGTERM"; fi
checks=$((checks + 1))
if grep -q "rules not reloaded" "$T/live.err" &&
    grep -q "rules.yaml:3:" "$T/live.err"; then
	pass "broken rules on SIGHUP reported with file:line, old rules kept"
else
	fail "SIGHUP with broken rules"; cat "$T/live.err" >&2
fi
checks=$((checks + 1))
if grep -q "rules reloaded: 21 rules" "$T/live.err"; then
	pass "good rules reloaded on SIGHUP"
else
	fail "SIGHUP with good rules"; cat "$T/live.err" >&2
fi
checks=$((checks + 1))
if python3 - "$T/out/live.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
tls = [e for e in ev if e["event_type"] == "tls"]
al = [e for e in ev if e["event_type"] == "alert"]
assert len(tls) == 2, "want 2 tls events, got %d" % len(tls)
assert len(al) == 2, "want 2 alerts, got %d" % len(al)
for a in al:
    assert a["rootwatch"]["alert"]["rule_id"] == "kz-qaznet-2019", a["alert"]
    assert a["rootwatch"]["match"]["attribution"] == "fingerprint", a["rootwatch"]
    assert a["dest_ip"] == "127.0.0.1"
for t in tls:
    assert t["tls"]["sni"] == "www.example.kz"
    assert t["rootwatch"]["tls"]["chain_visible"] is True
assert ev[-1]["event_type"] == "stats", ev[-1]["event_type"]
assert ev[-1]["rootwatch"]["alerts"]["kz-qaznet-2019"] == 2
assert ev[-1]["stats"]["detect"]["alert"] == 2
# never blind: the interface's counters in the rootwatch tree too
ifs = ev[-1]["rootwatch"]["capture"]["interfaces"]
assert ifs[0]["name"] == "lo", ifs
assert ifs[0]["received"] > 0, ifs
for k in ("kernel_drops", "ifdrops", "drop_fraction"):
    assert k in ifs[0], (k, ifs)
assert 0 <= ifs[0]["drop_fraction"] <= 1, ifs
PY
then
	pass "two live handshakes: 2 tls events, 2 alerts, final stats"
else
	fail "live events"
	cat "$T/out/live.json" >&2
fi
echo "# $checks checks, $failures failed" >&2
[ $failures -eq 0 ]
