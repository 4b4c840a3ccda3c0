#!/bin/sh
# probe.sh - the opt-in active probe (rootwatch(8) PROBE), in two network
# namespaces joined by a veth pair; 10.213.0.x exists only inside them, so
# no packet leaves.  The server namespace runs dnsmasq (answering only the
# test names) and openssl s_server on port 443 of three addresses:
#   control.test          a chain from a CA made here, the probe's trust
#                         store (probe.trust-store)
#   www.example.kz        the test leaf with the shipped Qaznet root sent
#                         in the chain (a rule alert, at once)
#   lookalike.example.kz  a chain to a look-alike Qaznet root no store
#                         holds (the unknown-root signal: reported only
#                         from the second round on, the control valid)
#   tls13.example.kz      the Qaznet chain, TLS 1.3 only
#   tls12.example.kz      the Qaznet chain, TLS 1.2 only
# rootwatch runs in the client namespace (its resolv.conf, through
# /etc/netns/NAME/resolv.conf, names the dnsmasq address) with a round
# every 2 s.  Checks: both opt-in keys or nothing (-T says what is
# missing; no name is looked up, no probe stats); probe alerts over TLS
# 1.3 and 1.2 with the whole chain; the control's tls events and no
# alert; the signal held in round 1, raised later; the stats counters;
# every thread of the probe process unprivileged under seccomp.
# Needs root, ip(8), dnsmasq and openssl; skipped otherwise.
RW_SIGNALS=1
. "$(dirname "$0")/lib.sh"
need_rootwatch
need python3
for t in ip dnsmasq openssl; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "SKIP: no $t" >&2
		exit 77
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: network namespaces need root" >&2
	exit 77
fi
C=$SCEN/certs
NA=rwpa$$
NB=rwpb$$
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	rm -rf "/etc/netns/$NA"
	rmdir /etc/netns 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM HUP PIPE

if ! ip netns add "$NA" 2>/dev/null || ! ip netns add "$NB"; then
	echo "SKIP: cannot create network namespaces" >&2
	exit 77
fi
ip link add vA netns "$NA" type veth peer name vB netns "$NB" || exit 1
ip -n "$NA" addr add 10.213.0.100/24 dev vA
for a in 1 2 3 4 5 6; do ip -n "$NB" addr add 10.213.0.$a/24 dev vB; done
ip -n "$NA" link set vA up
ip -n "$NB" link set vB up
ip -n "$NA" link set lo up
ip -n "$NB" link set lo up
mkdir -p "/etc/netns/$NA"
echo "nameserver 10.213.0.1" >"/etc/netns/$NA/resolv.conf"

mkdir -p "$T/out"
chmod 755 "$T"
chown nobody "$T/out"

# The control's CA and leaf, made now.
cat >"$T/ext.cnf" <<EOF
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[ leaf ]
basicConstraints = critical, CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:control.test
EOF
ossl() { openssl "$@" >/dev/null 2>&1 || { echo "FAIL: openssl $1" >&2; exit 1; }; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 \
    -subj "/CN=rootwatch probe test CA" -extensions ca -config "$T/ext.cnf"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ctl.key" -out "$T/ctl.csr" -subj "/CN=control.test" \
    -config "$T/ext.cnf"
ossl x509 -req -in "$T/ctl.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -CAcreateserial -out "$T/ctl.pem" -days 2 -extfile "$T/ext.cnf" \
    -extensions leaf

ip netns exec "$NB" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
    --bind-interfaces --listen-address=10.213.0.1 --user=root \
    --pid-file="$T/dnsmasq.pid" --log-queries --log-facility="$T/dns.log" \
    --address=/control.test/10.213.0.2 \
    --address=/www.example.kz/10.213.0.3 \
    --address=/lookalike.example.kz/10.213.0.4 \
    --address=/tls13.example.kz/10.213.0.5 \
    --address=/tls12.example.kz/10.213.0.6 \
    --address=/wire.example.kz/10.213.0.3 &
pids="$pids $!"
serve() {	# serve ADDRESS CERT KEY CHAIN [VERSION]
	ip netns exec "$NB" openssl s_server -accept "$1:443" -cert "$2" \
	    -key "$3" -cert_chain "$4" ${5:-} -quiet >/dev/null 2>&1 </dev/null &
	pids="$pids $!"
}
serve 10.213.0.2 "$T/ctl.pem" "$T/ctl.key" "$T/ca.pem"
serve 10.213.0.3 "$C/kz-leaf.pem" "$C/kz-leaf.key" \
    "$top_srcdir/rules/kz-qaznet-2019.pem"
serve 10.213.0.4 "$C/lookalike-leaf.pem" "$C/lookalike-leaf.key" \
    "$C/fake-qaznet.pem"
serve 10.213.0.5 "$C/kz-leaf.pem" "$C/kz-leaf.key" \
    "$top_srcdir/rules/kz-qaznet-2019.pem" -tls1_3
serve 10.213.0.6 "$C/kz-leaf.pem" "$C/kz-leaf.key" \
    "$top_srcdir/rules/kz-qaznet-2019.pem" -tls1_2
sleep 0.5

# conf FILE EXTRA-KEYS: a configuration with the probe block
conf() {
	cat >"$1" <<EOF
probe:
$2
  targets: [www.example.kz, lookalike.example.kz, tls13.example.kz,
    tls12.example.kz]
  tiers: []
  control: control.test
  trust-store: $T/ca.pem
  period: 2s
  jitter: 0
  max-per-hour: 1000
  connect-timeout: 2
  handshake-timeout: 2
EOF
}

# wait_for FILE PATTERN PID SECONDS: until FILE has PATTERN
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$3" 2>/dev/null && [ $i -le $(($4 * 10)) ] || return 1
		sleep 0.1
	done
}

# run NAME CONFIG SECONDS: rootwatch in the client namespace for a while
run() {
	ip netns exec "$NA" "$RW_BIN" -v -u nobody -i vA -c "$2" -s 1 \
	    -R "$RULES" -o "$T/out/$1.json" "tcp port 443" 2>"$T/$1.err" &
	rwpid=$!
	pids="$pids $rwpid"
	if ! wait_for "$T/$1.err" "capturing on vA" $rwpid 5; then
		cat "$T/$1.err" >&2
		fail "$1: rootwatch did not start"
		return 1
	fi
	sleep "$3"
}

stop() {
	kill -TERM "$rwpid"
	wait "$rwpid" 2>/dev/null
}

# --- no opt-in, no probe ------------------------------------------------
for half in "  enabled: true" "  i-understand-the-risks: true" \
    "  enabled: false
  i-understand-the-risks: true"; do
	conf "$T/half.yaml" "$half"
	checks=$((checks + 1))
	if "$RW_BIN" -T -c "$T/half.yaml" -R "$RULES" 2>"$T/half.err" &&
	    grep -q "the probe stays off" "$T/half.err"; then
		pass "-T with '$(echo "$half" | tr '\n' ' ')': says the probe stays off"
	else
		fail "-T on half an opt-in"; cat "$T/half.err" >&2
	fi
done
run off "$T/half.yaml" 3
stop
checks=$((checks + 1))
if [ ! -s "$T/dns.log" ] || ! grep -q "query" "$T/dns.log"; then
	# the capture on the client's end of the veth saw no port 443 flow
	if grep -q '"event_type":"stats"' "$T/out/off.json" &&
	    ! grep -q '"probe"' "$T/out/off.json" &&
	    ! grep -q '"event_type":"flow"' "$T/out/off.json"; then
		pass "no opt-in: no name looked up, no connection, no probe in the stats"
	else
		fail "no opt-in: probe stats present"
	fi
else
	fail "no opt-in: names were looked up"; cat "$T/dns.log" >&2
fi

# --- the probe ------------------------------------------------------------
conf "$T/on.yaml" "  enabled: true
  i-understand-the-risks: true"
checks=$((checks + 1))
if "$RW_BIN" -T -c "$T/on.yaml" -R "$RULES" 2>"$T/on-T.err" &&
    grep -q "probe enabled: control control.test, 4 target" "$T/on-T.err"
then
	pass "-T: probe enabled, names listed"
else
	fail "-T with the probe on"; cat "$T/on-T.err" >&2
fi
# the shipped tiers: seven names in the default, four more in the second
printf 'probe:\n  enabled: true\n  i-understand-the-risks: true\n' \
    >"$T/tiers.yaml"
checks=$((checks + 1))
if "$RW_BIN" -T -c "$T/tiers.yaml" -R "$RULES" 2>"$T/tiers.err" &&
    grep -q "control example.com, 7 target names" "$T/tiers.err"; then
	pass "-T: the shipped kazakh-2019 tier, 7 names, control example.com"
else
	fail "-T with the default tier"; cat "$T/tiers.err" >&2
fi
echo "  tiers: [kazakh-2019, intercepted-2021-2024]" >>"$T/tiers.yaml"
checks=$((checks + 1))
if "$RW_BIN" -T -c "$T/tiers.yaml" -R "$RULES" 2>"$T/tiers.err" &&
    grep -q "11 target names" "$T/tiers.err"; then
	pass "-T: both shipped tiers, 11 names"
else
	fail "-T with both tiers"; cat "$T/tiers.err" >&2
fi
for bad in "user: no-such-user-here" "trust-store: $T/nonexistent.pem" \
    "tiers: [no-such-tier]"; do
	# the key's line replaced
	grep -v "^  ${bad%%:*}:" "$T/on.yaml" >"$T/bad.yaml"
	echo "  $bad" >>"$T/bad.yaml"
	checks=$((checks + 1))
	rc=0
	"$RW_BIN" -T -c "$T/bad.yaml" -R "$RULES" 2>"$T/bad.err" || rc=$?
	if [ "$rc" -eq 1 ] && grep -q "probe: " "$T/bad.err"; then
		pass "-T refuses probe.$bad: $(grep 'probe: ' "$T/bad.err" | head -1)"
	else
		fail "-T accepted probe.$bad (rc $rc)"; cat "$T/bad.err" >&2
	fi
done
run on "$T/on.yaml" 2
# the probe process: the sensor's child named rootwatch-probe
ppid=$(ps -o pid= --ppid "$rwpid" -o comm= | awk '$2 == "rootwatch-probe" {print $1}')
checks=$((checks + 1))
if [ -n "$ppid" ] && python3 - "$ppid" <<'PY'
import glob, sys
tasks = glob.glob("/proc/%s/task/*/status" % sys.argv[1])
assert tasks, "no task"
for t in tasks:
    f = dict(l.split(":", 1) for l in open(t) if ":" in l)
    uids, gids = f["Uid"].split(), f["Gid"].split()
    assert "0" not in uids and "0" not in gids, (t, uids, gids)
    assert int(f["CapEff"], 16) == 0 and int(f["CapPrm"], 16) == 0, t
    assert f["Seccomp"].strip() == "2", (t, f["Seccomp"])
    assert f["NoNewPrivs"].strip() == "1", t
PY
then
	pass "probe process $ppid: uid/gid != 0, no capabilities, Seccomp 2"
else
	fail "probe process ${ppid:-not found}"; cat "$T/on.err" >&2
fi
sleep 5
stop

python3 - "$T/out/on.json" >"$T/on.txt" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    rw = e.get("rootwatch", {})
    p = rw.get("probe")
    t = e["event_type"]
    if t == "stats" and p:
        tot = p["total"]
        print("stats", tot["probes"], tot["ok"], tot["failed"],
              tot["timeouts"], p["rounds"],
              " ".join("%s/%d/%d" % (x["name"], x["ok"], x["failed"])
                       for x in p["targets"]))
    if p is None or t not in ("tls", "alert"):
        continue
    chain = rw["tls"].get("chain", [])
    what = rw.get("alert", {}).get("rule_id") or \
        rw.get("signal", {}).get("kind") or "-"
    print(t, p["name"], p["tls_version"], p["round"], p["result"],
          p["valid"], p["control"]["valid"] if "control" in p else "-",
          e["dest_ip"], e["dest_port"], len(chain), what,
          e["tls"].get("version", "-").replace(" ", ""))
PY
cat "$T/on.txt" >&2
has() {	# has DESCRIPTION AWK-CONDITION
	checks=$((checks + 1))
	if awk "$2 { found = 1 } END { exit !found }" "$T/on.txt"; then
		pass "$1"
	else
		fail "$1"; tail -20 "$T/on.err" >&2
	fi
}
hasnt() {
	checks=$((checks + 1))
	if awk "$2 { found = 1 } END { exit !found }" "$T/on.txt"; then
		fail "$1"
	else
		pass "$1"
	fi
}
has "rule alert from the probe over TLS 1.3, Qaznet root in a 2-certificate chain" \
    '$1 == "alert" && $2 == "www.example.kz" && $3 == "1.3" && $11 == "kz-qaznet-2019" && $10 == 2 && $8 == "10.213.0.3" && $9 == 443'
has "rule alert from the probe over TLS 1.2" \
    '$1 == "alert" && $2 == "www.example.kz" && $3 == "1.2" && $11 == "kz-qaznet-2019"'
has "rule alert in the first round" \
    '$1 == "alert" && $2 == "www.example.kz" && $4 == 1 && $11 == "kz-qaznet-2019"'
has "control: tls events with a valid chain" \
    '$1 == "tls" && $2 == "control.test" && $5 == "ok" && $6 == "True"'
hasnt "control: no alert" '$1 == "alert" && $2 == "control.test"'
has "lookalike: tls event, chain not valid, control valid" \
    '$1 == "tls" && $2 == "lookalike.example.kz" && $6 == "False" && $7 == "True"'
hasnt "unknown-root signal held in round 1" \
    '$1 == "alert" && $2 == "lookalike.example.kz" && $4 == 1 && $11 == "unknown-root"'
hasnt "known-interception signal held in round 1" \
    '$1 == "alert" && $4 == 1 && $11 == "known-interception"'
has "unknown-root signal raised from round 2 (repeat, valid control)" \
    '$1 == "alert" && $2 == "lookalike.example.kz" && $4 >= 2 && $11 == "unknown-root"'
has "TLS 1.3-only server: alert from the TLS 1.3 attempt" \
    '$1 == "alert" && $2 == "tls13.example.kz" && $3 == "1.3" && $12 == "TLS1.3"'
hasnt "TLS 1.3-only server: no event from the TLS 1.2-only attempt" \
    '$2 == "tls13.example.kz" && $3 == "1.2" && $5 == "ok"'
has "TLS 1.3-only server: the TLS 1.2-only attempt handshake-failed" \
    '$1 == "tls" && $2 == "tls13.example.kz" && $3 == "1.2" && $5 == "handshake-failed"'
has "TLS 1.2-only server: the TLS 1.3-capable attempt got TLS 1.2 and the chain" \
    '$1 == "alert" && $2 == "tls12.example.kz" && $3 == "1.3" && $12 == "TLS1.2" && $10 == 2'
has "stats: probes, ok, rounds, per target (tls13.example.kz: one failure a round)" \
    '$1 == "stats" && $2 >= 20 && $3 >= 18 && $6 >= 2 && / control.test\/[0-9]+\/0 www.example.kz\/[0-9]+\/0 lookalike.example.kz\/[0-9]+\/0 tls13.example.kz\/[0-9]+\/[1-9]/'
checks=$((checks + 1))
if grep -q "query\[A\] www.example.kz" "$T/dns.log"; then
	pass "names resolved through the namespace's resolver (dnsmasq)"
else
	fail "dnsmasq saw no query"
fi

# --- a control without a valid chain: rule alerts, no signal ---------------
# (the control's chain does not verify against this trust store, as
# behind a captive portal or an antivirus proxy)
# Evidence bundles on: the probe's alerts get bundles with its chain.
sed "s|trust-store: .*|trust-store: $C/test-ca.pem|" "$T/on.yaml" >"$T/noctl.yaml"
printf 'evidence:\n  dir: %s\n' "$T/ev" >>"$T/noctl.yaml"
run noctl "$T/noctl.yaml" 7
stop
checks=$((checks + 1))
m=$(grep -l "^probe: .*\"name\":\"www.example.kz\"" "$T"/ev/*/manifest.txt 2>/dev/null | head -1)
if [ -n "$m" ] && grep -q "^capture: active probe" "$m" &&
    [ "$(ls "$(dirname "$m")" | grep -c '\.pem$\|\.der$')" -ge 2 ]; then
	pass "evidence bundle of a probe alert: manifest with rootwatch.probe, the chain"
else
	fail "evidence bundle of a probe alert"; ls -R "$T/ev" >&2; cat "$T/noctl.err" >&2
fi
checks=$((checks + 1))
if python3 - "$T/out/noctl.json" <<'PY'
import json, sys
rules = signals = rounds = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    p = e.get("rootwatch", {}).get("probe")
    if not p or e["event_type"] != "alert":
        continue
    assert p["control"]["valid"] is False, p
    rounds = max(rounds, p["round"])
    if "signal" in e["rootwatch"]:
        signals += 1
    else:
        rules += 1
assert rules > 0 and signals == 0 and rounds >= 2, (rules, signals, rounds)
PY
then
	pass "control not valid: rule alerts in every round, no signal"
else
	fail "control not valid"
fi

# --- from-wire: a name seen in a passive session joins the schedule -------
{ cat "$T/on.yaml"; printf '  from-wire: true\n  from-wire-sample: 1\n'; } \
    >"$T/wire.yaml"
run wire "$T/wire.yaml" 1
ip netns exec "$NA" timeout 5 openssl s_client -connect 10.213.0.3:443 \
    -servername wire.example.kz </dev/null >/dev/null 2>&1
sleep 4
stop
checks=$((checks + 1))
if python3 - "$T/out/wire.json" <<'PY'
import json, sys
alert = 0
last = None
for l in open(sys.argv[1]):
    e = json.loads(l)
    p = e.get("rootwatch", {}).get("probe")
    if not p:
        continue
    if e["event_type"] == "alert" and p.get("name") == "wire.example.kz":
        alert += 1
    if e["event_type"] == "stats":
        last = p
assert alert > 0 and last["from_wire"]["added"] == 1, (alert, last)
assert "wire.example.kz" in [t["name"] for t in last["targets"]]
PY
then
	pass "from-wire: a passive session's name probed, alert marked as probe"
else
	fail "from-wire"
fi

[ "$failures" -eq 0 ] || exit 1
echo "probe.sh: $checks checks passed"
