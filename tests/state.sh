#!/bin/sh
# state.sh - live capture keeps the signals' profiles by default
# (rootwatch(8) FILES, INTERCEPTION SIGNALS): with no signals.state-file
# in the configuration, the sensor makes its state directory as root,
# gives it to the user it switches to (-u nobody), and that user writes
# signals.state (mode 0600) with an atomic replace, periodically
# (save-interval) and at exit; the next start reads it back and the
# name's session count goes on.  A replay writes no state unless
# configured.  Runs the test binary, whose state directory is
# $ROOTWATCH_TEST_STATEDIR (tests/lib.sh), in a network namespace of its
# own (s_server, s_client and the capture on its loopback).  Needs root,
# ip(8) and openssl; skipped otherwise.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need openssl
need python3
need ip
RWT=$top_builddir/tests/rootwatch-test
if [ "$(id -u)" != 0 ] || [ ! -x "$RWT" ]; then
	echo "SKIP: needs root and tests/rootwatch-test" >&2
	exit 77
fi
C=$SCEN/certs
NS=rwst$$
rwpid=
cleanup() {
	[ -n "$rwpid" ] && kill "$rwpid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
if ! ip netns add "$NS" 2>/dev/null; then
	echo "SKIP: cannot create a network namespace" >&2
	exit 77
fi
ip -n "$NS" link set lo up
# nobody reaches the state directory and the output through $T
chmod 755 "$T"
mkdir "$T/out"
chown nobody "$T/out"
S=$ROOTWATCH_TEST_STATEDIR

# wait_for FILE PATTERN: until FILE has PATTERN (5 s)
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$rwpid" 2>/dev/null && [ $i -le 50 ] || return 1
		sleep 0.1
	done
}

# start NAME [ARGS]: the sensor on the namespace's loopback
start() {
	n=$1
	shift
	ip netns exec "$NS" "$RWT" -v -u nobody -i lo -R "$RULES" \
	    -o "$T/out/$n.json" "$@" "tcp port 4433" 2>"$T/$n.err" &
	rwpid=$!
	if ! wait_for "$T/$n.err" "capturing on lo"; then
		cat "$T/$n.err" >&2
		echo "FAIL: the sensor did not start" >&2
		exit 1
	fi
}

stop() {
	kill -TERM "$rwpid"
	rc=0
	wait "$rwpid" || rc=$?
	rwpid=
}

# handshakes N: N TLS 1.3 sessions to www.example.kz
handshakes() {
	ip netns exec "$NS" openssl s_server -accept 127.0.0.1:4433 \
	    -cert "$C/kz-leaf.pem" -key "$C/kz-leaf.key" -naccept "$1" \
	    -quiet >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	k=0
	while [ $k -lt "$1" ]; do
		ip netns exec "$NS" timeout 5 openssl s_client \
		    -connect 127.0.0.1:4433 -servername www.example.kz \
		    </dev/null >/dev/null 2>&1
		k=$((k + 1))
	done
	wait $spid 2>/dev/null
	sleep 0.5
}

# sessions: the profile's session count for www.example.kz, or 0
sessions() {
	awk -F '\t' '$1 == "www.example.kz" { print $4; f = 1 }
	    END { if (!f) print 0 }' "$S/signals.state" 2>/dev/null || echo 0
}

checks=$((checks + 1))
[ ! -e "$S" ] && pass "no state directory before the first start" ||
    fail "$S exists before the test"

# 1: no configuration at all; saved at exit
start one
handshakes 3
stop
checks=$((checks + 1))
if [ $rc -eq 0 ] && [ "$(sessions)" -eq 3 ]; then
	pass "first run: signals.state written at exit, 3 sessions"
else
	fail "first run: exit $rc, $(sessions) sessions"; cat "$T/one.err" >&2
fi
checks=$((checks + 1))
# shellcheck disable=SC2012
if [ "$(stat -c '%U %a' "$S")" = "nobody 750" ] &&
    [ "$(stat -c '%U %a' "$S/signals.state")" = "nobody 600" ]; then
	pass "state directory given to nobody (0750), signals.state 0600"
else
	fail "modes: $(stat -c '%U %a %n' "$S" "$S/signals.state" | tr '\n' ' ')"
fi
checks=$((checks + 1))
if [ -z "$(find "$S" -name '*.tmp')" ]; then
	pass "no temporary file left"
else
	fail "left: $(ls "$S")"
fi

# 2: read back at start, saved every second while running (a
# configuration that names no state file keeps the default)
printf 'signals:\n  save-interval: 1\n' >"$T/save.yaml"
start two -c "$T/save.yaml"
checks=$((checks + 1))
grep -q "signals: .* 1 profiles" "$T/two.err" &&
    pass "second run: the profile read back at start" ||
    fail "second run: $(grep 'signals:' "$T/two.err")"
handshakes 2
sleep 1.5
checks=$((checks + 1))
n=$(sessions)
if kill -0 "$rwpid" 2>/dev/null && [ "$n" -eq 5 ]; then
	pass "second run: saved while running, 5 sessions (3 + 2)"
else
	fail "second run: $n sessions in the file while running"
fi
stop
checks=$((checks + 1))
[ $rc -eq 0 ] && [ "$(sessions)" -eq 5 ] &&
    pass "second run: exit 0, 5 sessions" ||
    fail "second run: exit $rc, $(sessions) sessions"

# 3: a replay writes no state unless configured, and leaves the
# daemon's untouched
cp "$S/signals.state" "$T/before"
ROOTWATCH_TEST_STATEDIR=$T/replay-state "$RWT" -u nobody \
    -r "$SCEN/kz-qaznet-root-sent.pcap" -R "$RULES" >"$T/r.out" 2>"$T/r.err"
"$RWT" -u nobody -r "$SCEN/kz-qaznet-root-sent.pcap" -R "$RULES" \
    >"$T/r2.out" 2>"$T/r2.err"
checks=$((checks + 1))
if [ ! -e "$T/replay-state" ] && cmp -s "$T/before" "$S/signals.state" &&
    grep -q '"event_type":"alert"' "$T/r.out"; then
	pass "replay: no state directory made, the daemon's state unchanged"
else
	fail "replay wrote state"
fi
finish
