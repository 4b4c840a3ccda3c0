#!/bin/sh
# fanout.sh - live capture with two workers (PACKET_FANOUT members handed
# over by the capture helper), rootwatch(8) WORKERS and INTERFACES, in two
# network namespaces joined by a veth pair: 10.99.8.1 and 10.99.8.2 exist
# only inside them.  openssl s_server (namespace B) serves the Qaznet
# chain, s_client (namespace A) connects several times, and
# rootwatch -i vA --workers 2 -u nobody captures in A.  Checks: the alerts
# arrive; every thread of the sensor has uid/gid != 0, CapEff 0, Seccomp 2,
# and the helper keeps CAP_NET_RAW only, under seccomp too; stats carry
# the drop counters; the veth deleted and re-created mid-run: the sensor
# says so, keeps running, and alerts on the next sessions, its counters
# going on from where they were; started as nobody with CAP_NET_RAW
# alone (the systemd units' grant), it captures in promiscuous mode; a missing
# interface at start, and the helper killed mid-run, are failures (exit
# status not 0).  Needs root, ip(8) and openssl; skipped otherwise.
. "$(dirname "$0")/lib.sh"
need_rootwatch
need openssl
need python3
need ip
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: network namespaces need root" >&2
	exit 77
fi
C=$SCEN/certs
NA=rwfa$$
NB=rwfb$$
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

veth() {
	ip link add vA netns "$NA" type veth peer name vB netns "$NB" || exit 1
	ip -n "$NA" addr add 10.99.8.1/24 dev vA
	ip -n "$NB" addr add 10.99.8.2/24 dev vB
	ip -n "$NA" link set vA up
	ip -n "$NB" link set vB up
}
veth

mkdir -p "$T/out"
chmod 755 "$T"
chown nobody "$T/out"

# wait_for FILE PATTERN PID [TENTHS]: until FILE has PATTERN
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$3" 2>/dev/null && [ $i -le "${4:-50}" ] || return 1
		sleep 0.1
	done
}

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
		    -connect 10.99.8.2:4433 -servername www.example.kz \
		    -tls1_2 </dev/null >/dev/null 2>&1
		n=$((n + 1))
	done
	wait $spid 2>/dev/null
}

count() { grep -c "\"event_type\":\"$2\"" "$1" 2>/dev/null || true; }

# A missing interface at start: a start-up failure, never exit 0.
rc=0
ip netns exec "$NA" "$RW" -u nobody -i nosuch0 -o "$T/out/none.json" \
    2>"$T/none.err" || rc=$?
checks=$((checks + 1))
if [ $rc -eq 2 ] && grep -q "nosuch0: no such interface" "$T/none.err"; then
	pass "missing interface at start: exit 2, said"
else
	fail "missing interface at start: exit $rc"; cat "$T/none.err" >&2
fi

ip netns exec "$NA" "$RW" -v -u nobody -i vA --workers 2 -s 1 -R "$RULES" \
    -o "$T/out/live.json" "tcp port 4433" 2>"$T/live.err" &
rwpid=$!
pids="$rwpid"
if ! wait_for "$T/live.err" "capturing on vA, 2 workers" $rwpid; then
	cat "$T/live.err" >&2
	echo "FAIL: rootwatch -i vA --workers 2 did not start" >&2
	exit 1
fi

handshakes 6
sleep 1
checks=$((checks + 1))
n=$(count "$T/out/live.json" alert)
if [ "$n" -eq 6 ]; then
	pass "6 handshakes, 2 workers: 6 alerts"
else
	fail "$n alerts after 6 handshakes"; cat "$T/live.err" >&2
fi

checks=$((checks + 1))
if python3 - "$rwpid" <<'PY'
import glob, os, sys
pid = sys.argv[1]
def status(path):
    return dict(l.split(":", 1) for l in open(path) if ":" in l)
tasks = glob.glob("/proc/%s/task/*/status" % pid)
# main, two workers, the writer
assert len(tasks) >= 4, tasks
for t in tasks:
    f = status(t)
    uids, gids = f["Uid"].split(), f["Gid"].split()
    assert "0" not in uids and "0" not in gids, (t, uids, gids)
    assert int(f["CapEff"], 16) == 0 and int(f["CapPrm"], 16) == 0, t
    assert f["Seccomp"].strip() == "2", (t, f["Seccomp"])
# the helper: a child of the sensor, CAP_NET_RAW (13) only
kids = []
for c in glob.glob("/proc/%s/task/*/children" % pid):
    kids += open(c).read().split()
helpers = [k for k in kids if open("/proc/%s/comm" % k).read().strip() ==
           "rootwatch-priv"]
assert len(helpers) == 1, kids
f = status("/proc/%s/status" % helpers[0])
assert "0" not in f["Uid"].split() and "0" not in f["Gid"].split(), f["Uid"]
assert int(f["CapEff"], 16) == 1 << 13, f["CapEff"]
assert int(f["CapPrm"], 16) == 1 << 13, f["CapPrm"]
assert int(f["CapBnd"], 16) == 1 << 13, f["CapBnd"]
assert f["Seccomp"].strip() == "2", f["Seccomp"]
print("%d threads and the helper %s checked" % (len(tasks), helpers[0]),
      file=sys.stderr)
PY
then
	pass "sensor threads: uid/gid != 0, CapEff 0, Seccomp 2; helper: CAP_NET_RAW only, Seccomp 2"
else
	fail "/proc/$rwpid/task/*/status or the helper's"
fi

# Interface gone: delete the veth, re-create it.
ip -n "$NA" link del vA
sleep 2
checks=$((checks + 1))
if kill -0 $rwpid 2>/dev/null && grep -q "vA: capture lost" "$T/live.err"
then
	pass "veth deleted: loss logged, still running"
else
	fail "veth deleted"; cat "$T/live.err" >&2
fi
veth
checks=$((checks + 1))
if wait_for "$T/live.err" "vA: capture resumed" $rwpid 200; then
	pass "veth re-created: capture resumed"
else
	fail "veth re-created: not resumed"; cat "$T/live.err" >&2
fi
handshakes 2
sleep 2
checks=$((checks + 1))
n=$(count "$T/out/live.json" alert)
if [ "$n" -eq 8 ]; then
	pass "2 handshakes after the re-creation: 8 alerts in all"
else
	fail "$n alerts in all, want 8"; cat "$T/live.err" >&2
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
st = [e for e in ev if e["event_type"] == "stats"]
assert len(st) >= 3, len(st)	# -s 1: periodic ones, and the last
for s in st:
    ifs = s["rootwatch"]["capture"]["interfaces"]
    assert len(ifs) == 1 and ifs[0]["name"] == "vA", ifs
    for k in ("received", "kernel_drops", "ifdrops", "drop_fraction",
              "state", "losses", "reopens"):
        assert k in ifs[0], (k, ifs)
    assert 0 <= ifs[0]["drop_fraction"] <= 1, ifs
last = st[-1]
f = last["rootwatch"]["capture"]["interfaces"][0]
assert f["received"] > 0 and f["state"] == "up", f
assert f["losses"] == 1 and f["reopens"] == 1, f
assert f["workers"] == 2, f
assert len(last["rootwatch"]["workers"]) == 2, last["rootwatch"].keys()
assert last["stats"]["detect"]["alert"] == 8, last["stats"]["detect"]
assert any(e["rootwatch"]["capture"]["interfaces"][0]["state"] != "up"
           for e in st), "no stats event during the loss"
# the counters go on across the re-creation: never back, and the
# packets of the sessions after it are added to those before
ifs = [e["rootwatch"]["capture"]["interfaces"][0] for e in st]
for k in ("received", "kernel_drops", "ifdrops"):
    v = [i[k] for i in ifs]
    assert v == sorted(v), (k, v)
before = max(i["received"] for i in ifs if i["losses"] == 0)
assert f["received"] > before, (before, f["received"])
print("received %d before the loss, %d at the end" % (before, f["received"]),
      file=sys.stderr)
PY
then
	pass "stats: per-interface counters, state, 1 loss, 1 reopen, counters continue after it"
else
	fail "stats events"; grep '"stats"' "$T/out/live.json" | tail -2 >&2
fi

# Two interfaces from the configuration, each with its own filter and
# snap length: the handshake on vA, nothing on lo (its filter matches no
# packet of the test).
cat >"$T/two.yaml" <<EOF
capture:
  interfaces:
    - { name: vA, bpf: "tcp port 4433", snaplen: 2048, buffer-size: 4M }
    - { name: lo, bpf: "udp port 9", snaplen: 128, promisc: false }
EOF
ip netns exec "$NA" ip link set lo up
ip netns exec "$NA" "$RW" -v -u nobody -c "$T/two.yaml" --workers 2 \
    -R "$RULES" -o "$T/out/two.json" 2>"$T/two.err" &
rwpid=$!
pids="$rwpid"
if wait_for "$T/two.err" "capturing on lo" $rwpid; then
	handshakes 1
	ip netns exec "$NA" ping -c 2 -i 0.2 127.0.0.1 >/dev/null 2>&1
	sleep 1
fi
kill -TERM $rwpid
wait $rwpid
pids=""
checks=$((checks + 1))
if python3 - "$T/out/two.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len([e for e in ev if e["event_type"] == "alert"]) == 1
ifs = {i["name"]: i for i in ev[-1]["rootwatch"]["capture"]["interfaces"]}
assert set(ifs) == {"vA", "lo"}, ifs
assert ifs["vA"]["received"] > 0, ifs
assert ifs["lo"]["received"] == 0, ifs	# ping is not udp port 9
PY
then
	pass "capture.interfaces: vA and lo, each with its own filter"
else
	fail "two interfaces"; cat "$T/two.err" >&2
fi

# CAP_NET_RAW alone, as the systemd units grant it: started as nobody
# with only that capability (ambient, bounding set too), the sensor
# opens its rings, joins the fanout group and puts the interface in
# promiscuous mode (PACKET_ADD_MEMBERSHIP): no CAP_NET_ADMIN needed.
if setpriv --reuid=nobody --regid=nogroup --clear-groups \
    test -x "$RW_BIN" 2>/dev/null; then
	ip netns exec "$NA" setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups --inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw \
	    --bounding-set=-all,+net_raw "$RW" -v -i vA --workers 2 \
	    -R "$RULES" -o "$T/out/raw.json" "tcp port 4433" 2>"$T/raw.err" &
	rwpid=$!
	pids="$rwpid"
	promisc=no
	bnd=none
	if wait_for "$T/raw.err" "capturing on vA, 2 workers" $rwpid; then
		ip -d -n "$NA" link show vA | grep -q "promiscuity [1-9]" &&
		    promisc=yes
		bnd=$(awk '/^CapBnd/ {print $2}' /proc/$rwpid/status)
		handshakes 1
		sleep 1
	fi
	kill -TERM $rwpid 2>/dev/null
	rc=0
	wait $rwpid || rc=$?
	pids=""
	checks=$((checks + 1))
	n=$(count "$T/out/raw.json" alert)
	if [ $rc -eq 0 ] && [ "$n" -eq 1 ] && [ $promisc = yes ] &&
	    [ "$bnd" = 0000000000002000 ]; then
		pass "CAP_NET_RAW only: fanout rings, promiscuous, 1 alert, exit 0"
	else
		fail "CAP_NET_RAW only: exit $rc, $n alerts, promiscuous $promisc, CapBnd $bnd"
		cat "$T/raw.err" >&2
	fi
	ip -d -n "$NA" link show vA | grep -q "promiscuity 0" ||
	    note "vA still promiscuous after the sensor stopped"
else
	note "nobody cannot reach $RW_BIN: CAP_NET_RAW-only case skipped"
fi

# The helper killed: the capture cannot survive a loss any more: exit 1.
ip netns exec "$NA" "$RW" -v -u nobody -i vA -o "$T/out/kill.json" \
    2>"$T/kill.err" &
rwpid=$!
pids="$rwpid"
if wait_for "$T/kill.err" "sandbox:" $rwpid; then
	sleep 0.5
	hp=$(ps -o pid= --ppid $rwpid | tr -d ' ')
	[ -n "$hp" ] && kill -KILL $hp
fi
rc=0
i=0
while kill -0 $rwpid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $rwpid 2>/dev/null
wait $rwpid || rc=$?
pids=""
checks=$((checks + 1))
if [ $rc -eq 1 ] && grep -q "capture helper is gone" "$T/kill.err"; then
	pass "helper killed: the sensor stops with exit 1"
else
	fail "helper killed: exit $rc"; cat "$T/kill.err" >&2
fi

finish
