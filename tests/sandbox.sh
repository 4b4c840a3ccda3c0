#!/bin/sh
# sandbox.sh - live capture under the sandbox (rootwatch(8) SANDBOX), in
# two network namespaces joined by a veth pair: 10.99.7.1 and 10.99.7.2
# exist only inside them, so no packet leaves.  openssl s_server (namespace
# B) serves the Qaznet chain; s_client (namespace A) connects three times;
# rootwatch -u nobody captures on A's end.  Checks: the alerts arrive; every
# thread runs with uid and gid != 0, CapEff 0, Seccomp 2; SIGHUP reloads the
# rules and reopens a rotated output; the stats event describes the
# sandbox; the test binary's forbidden system call is killed by seccomp.
# Needs root, ip(8) and openssl; skipped otherwise.
. "$(dirname "$0")/lib.sh"
need_rootwatch
need openssl
need python3
need ip
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: network namespaces need root" >&2
	exit 77
fi
RWT=$top_builddir/tests/rootwatch-test
C=$SCEN/certs
NA=rwa$$
NB=rwb$$
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

if ! ip netns add "$NA" 2>/dev/null || ! ip netns add "$NB"; then
	echo "SKIP: cannot create network namespaces" >&2
	exit 77
fi
ip link add vA netns "$NA" type veth peer name vB netns "$NB" || exit 1
ip -n "$NA" addr add 10.99.7.1/24 dev vA
ip -n "$NB" addr add 10.99.7.2/24 dev vB
ip -n "$NA" link set vA up
ip -n "$NB" link set vB up

mkdir -p "$T/rules" "$T/out"
chmod 755 "$T"
chown nobody "$T/out"
cp "$top_srcdir"/rules/*.pem "$T/rules/"
cp "$RULES" "$T/rules/rules.yaml"

# wait_for FILE PATTERN PID: until FILE has PATTERN (5 s at most)
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$3" 2>/dev/null && [ $i -le 50 ] || return 1
		sleep 0.1
	done
}

# handshakes N: N TLS connections from A to B's server
handshakes() {
	ip netns exec "$NB" openssl s_server -accept 4433 \
	    -cert "$C/kz-leaf.pem" -key "$C/kz-leaf.key" \
	    -cert_chain "$top_srcdir/rules/kz-qaznet-2019.pem" \
	    -naccept "$1" -quiet >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	n=0
	while [ $n -lt "$1" ]; do
		ip netns exec "$NA" timeout 5 openssl s_client \
		    -connect 10.99.7.2:4433 -servername www.example.kz \
		    -tls1_2 </dev/null >/dev/null 2>&1
		n=$((n + 1))
	done
	wait $spid 2>/dev/null
}

# count FILE TYPE: events of TYPE in FILE
count() { grep -c "\"event_type\":\"$2\"" "$1" 2>/dev/null || true; }

ip netns exec "$NA" "$RW" -v -u nobody -i vA -R "$T/rules/rules.yaml" \
    -o "$T/out/live.json" "tcp port 4433" 2>"$T/live.err" &
rwpid=$!
pids="$rwpid"
if ! wait_for "$T/live.err" "capturing on vA" $rwpid; then
	cat "$T/live.err" >&2
	echo "FAIL: rootwatch -i vA did not start" >&2
	exit 1
fi

handshakes 3
sleep 1
checks=$((checks + 1))
n=$(count "$T/out/live.json" alert)
if [ "$n" -eq 3 ]; then
	pass "3 handshakes across the veth: 3 alerts, written within a second"
else
	fail "$n alerts after 3 handshakes"; cat "$T/live.err" >&2
fi

# Every thread: no root id left, no capability, seccomp filter mode.
checks=$((checks + 1))
if python3 - "$rwpid" <<'PY'
import glob, sys
tasks = glob.glob("/proc/%s/task/*/status" % sys.argv[1])
assert tasks, "no task"
for t in tasks:
    f = dict(l.split(":", 1) for l in open(t) if ":" in l)
    uids, gids = f["Uid"].split(), f["Gid"].split()
    assert "0" not in uids and "0" not in gids, (t, uids, gids)
    assert int(f["CapEff"], 16) == 0 and int(f["CapPrm"], 16) == 0, t
    assert int(f["CapBnd"], 16) == 0 and int(f["CapAmb"], 16) == 0, t
    assert f["Seccomp"].strip() == "2", (t, f["Seccomp"])
    assert f["NoNewPrivs"].strip() == "1", t
print("%d threads checked" % len(tasks), file=sys.stderr)
PY
then
	pass "every thread: uid/gid != 0, no capabilities, Seccomp 2, no_new_privs"
else
	fail "/proc/$rwpid/task/*/status"
fi

# Log rotation and a rules reload under the sandbox.
mv "$T/out/live.json" "$T/out/live.json.1"
kill -HUP $rwpid
sleep 0.5
handshakes 1
sleep 1
checks=$((checks + 1))
if grep -q "rules reloaded: 21 rules" "$T/live.err" &&
    [ "$(count "$T/out/live.json" alert)" = 1 ] &&
    [ "$(stat -c %U "$T/out/live.json")" = nobody ]; then
	pass "SIGHUP: rules reloaded, rotated output reopened (new file, nobody's)"
else
	fail "SIGHUP under the sandbox"; cat "$T/live.err" >&2
fi

kill -TERM $rwpid
rc=0
wait $rwpid || rc=$?
pids=""
checks=$((checks + 1))
if [ $rc -eq 0 ]; then pass "SIGTERM: exit 0"; else fail "SIGTERM: exit $rc"; fi
checks=$((checks + 1))
if python3 - "$T/out/live.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
st = ev[-1]
assert st["event_type"] == "stats", st["event_type"]
sb = st["rootwatch"]["sandbox"]
assert sb["user"] == "nobody" and sb["uid"] != 0 and sb["gid"] != 0, sb
assert sb["capabilities"] == "none" and sb["seccomp"] == "kill", sb
assert sb["landlock"].startswith("abi ") or "kernel" in sb["landlock"], sb
PY
then
	pass "final stats: sandbox {user nobody, capabilities none, seccomp kill}"
else
	fail "stats sandbox object"; tail -1 "$T/out/live.json" >&2
fi

# The test binary calls socket(2) once sandboxed: seccomp kills it (SIGSYS).
if [ -x "$RWT" ]; then
	rc=0
	ROOTWATCH_TEST_FORBIDDEN_SYSCALL=1 ip netns exec "$NA" "$RWT" \
	    -u nobody -i vA -o "$T/out/hook.json" 2>"$T/hook.err" || rc=$?
	checks=$((checks + 1))
	if [ $rc -eq 159 ] && ! grep -q "returned" "$T/hook.err"; then
		pass "live: forbidden system call after the sandbox: killed (SIGSYS)"
	else
		fail "live: forbidden system call: exit $rc"; cat "$T/hook.err" >&2
	fi
fi

finish
