#!/bin/sh
# outputs.sh - the outputs against real servers this test starts itself, on
# 127.0.0.1 and unix sockets under its temporary directory only:
#   rsyslogd (TCP with octet counting, UDP, a local datagram socket in
#     RFC 3164) receives every event of a corpus replay: same events as the
#     file output of the same run, JSON that parses, RFC 5424 header right;
#   redis-server receives every event as a list, on a channel and in a
#     stream;
#   unix datagram and stream listeners receive every event;
#   redis-server stopped in the middle of a replay and started again:
#     capture goes on, the queued events arrive after it returns, and the
#     output's counters add up.
# Skips (77) without rsyslogd, redis-server or redis-cli (.ci/run and
# deploy/test.sh install them).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3
need rsyslogd
need redis-server
need redis-cli

C=$top_srcdir/tests/corpus/pcaps
S=$top_srcdir/tests/scenarios
CHECK="python3 $top_srcdir/tests/outputs_check.py"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap "echo got INT >&2; exit 1" INT
trap "echo got TERM >&2; exit 1" TERM

# port tcp|udp: a free port on 127.0.0.1, picked by the kernel
port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET,
    socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# settle FILE...: wait until the files stop growing (a collector's queue)
settle() {
	prev=x
	for _ in $(seq 50); do
		cur=$(cat "$@" 2>/dev/null | wc -c)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.2
	done
}

tcp_up() {
	python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"
}

# --- the servers ------------------------------------------------------
TP=$(port tcp)
UP=$(port udp)
mkdir -p "$T/rs"
cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T/rs" maxMessageSize="1m")
module(load="imtcp")
module(load="imudp")
module(load="imuxsock" SysSock.Use="off")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="tcp") { action(type="omfile" file="$T/tcp.log" template="raw") }
ruleset(name="udp") { action(type="omfile" file="$T/udp.log" template="raw") }
ruleset(name="local") {
	action(type="omfile" file="$T/local.log" template="raw")
}
input(type="imtcp" address="127.0.0.1" port="$TP" ruleset="tcp")
input(type="imudp" address="127.0.0.1" port="$UP" ruleset="udp"
    rcvbufSize="16m")
input(type="imuxsock" socket="$T/log.sock" ruleset="local"
    useSpecialParser="off" createPath="off")
CONF
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" >"$T/rsyslog.out" 2>&1 &
pids="$pids $!"
wait_for 10 tcp_up "$TP" && wait_for 5 test -S "$T/log.sock" ||
    { cat "$T/rsyslog.out" >&2; fail "rsyslogd did not start"; finish; }

RP=$(port tcp)
mkdir -p "$T/redis"
start_redis() {
	redis-server --bind 127.0.0.1 --port "$RP" --save '' \
	    --appendonly no --dir "$T/redis" --daemonize no \
	    >>"$T/redis.out" 2>&1 3>&- &
	redis_pid=$!
	pids="$pids $redis_pid"
	wait_for 10 redis-cli -p "$RP" ping
}
start_redis || { cat "$T/redis.out" >&2; fail "redis-server did not start"; finish; }
R="redis-cli -p $RP --raw"

# unix listeners: each datagram, or the stream's bytes, into a file
python3 -c 'import os, socket, sys
kind, path, out = sys.argv[1:]
t = socket.SOCK_DGRAM if kind == "dgram" else socket.SOCK_STREAM
s = socket.socket(socket.AF_UNIX, t); s.bind(path)
f = open(out, "ab", buffering=0)
if kind == "dgram":
    while True:
        f.write(s.recv(1 << 20) + b"\n")
s.listen(4)
while True:
    c, _ = s.accept()
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        f.write(d)' dgram "$T/dgram.sock" "$T/dgram.out" &
pids="$pids $!"
python3 -c 'import os, socket, sys
path, out = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path)
s.listen(4)
f = open(out, "ab", buffering=0)
while True:
    c, _ = s.accept()
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        f.write(d)' "$T/stream.sock" "$T/stream.out" &
pids="$pids $!"
wait_for 5 test -S "$T/dgram.sock" && wait_for 5 test -S "$T/stream.sock" ||
    { fail "unix listeners did not start"; finish; }

# redis-cli subscribed to the channel before the replay
$R subscribe rw:chan >"$T/chan.raw" 2>&1 &
pids="$pids $!"
wait_for 5 sh -c "$R pubsub numsub rw:chan | tail -1 | grep -qx 1"

# --- one replay, every output ------------------------------------------
cat >"$T/rw.yaml" <<CONF
outputs:
  - file: { path: $T/all.json, format: eve }
  - syslog: { server: 127.0.0.1:$TP, protocol: tcp }
  - syslog: { server: 127.0.0.1:$UP, protocol: udp, facility: local3,
              types: [alert, tls] }
  - syslog: { path: $T/log.sock, rfc: 3164, types: [alert, flow] }
  - redis: { server: 127.0.0.1:$RP, mode: rpush, key: rw:list }
  - redis: { server: 127.0.0.1:$RP, mode: channel, key: rw:chan }
  - redis: { server: 127.0.0.1:$RP, mode: stream, key: rw:stream }
  - unix: { path: $T/dgram.sock, type: dgram }
  - unix: { path: $T/stream.sock, type: stream, types: [tls] }
CONF
rw "$T/run" -q -R "$RULES" -c "$T/rw.yaml" -r "$C" -r "$S/kz-qaznet-root-sent.pcap" \
    -r "$S/ru-sub-ca-signature.pcap" -r "$S/kz-qaznet-vlan100.pcap" \
    -r "$S/untrusted-private-root.pcap"
check "replay with every output exits 0" [ "$rc" -eq 0 ]
[ -s "$T/run.err" ] && cat "$T/run.err" >&2
nev=$(wc -l <"$T/all.json")
nalert=$(grep -c '"event_type":"alert"' "$T/all.json")
note "$nev events, $nalert alerts"
check "the replay has alerts" [ "$nalert" -gt 0 ]
settle "$T/tcp.log" "$T/udp.log" "$T/local.log" "$T/dgram.out" \
    "$T/stream.out" "$T/chan.raw"

check "syslog TCP (RFC 5424, octet counting): every event" \
    $CHECK syslog "$T/all.json" "$T/tcp.log"
check "syslog UDP (local3, types alert+tls): every event" \
    $CHECK syslog "$T/all.json" "$T/udp.log" --facility 19 --types alert,tls
check "syslog local socket (RFC 3164, types alert+flow): every event" \
    $CHECK syslog "$T/all.json" "$T/local.log" --rfc 3164 --types alert,flow
$R lrange rw:list 0 -1 >"$T/list.out"
check "redis list (RPUSH): every event" \
    $CHECK lines "$T/all.json" "$T/list.out"
check "redis list keeps the order" cmp -s "$T/all.json" "$T/list.out"
# subscribe --raw: "message", channel, payload per message
awk 'NR > 3 && (NR - 1) % 3 == 2' "$T/chan.raw" >"$T/chan.out"
check "redis channel (PUBLISH): every event" \
    $CHECK lines "$T/all.json" "$T/chan.out"
$R xrange rw:stream - + | awk 'NR % 3 == 0' >"$T/stream.ev"
check "redis stream (XADD): every event" \
    $CHECK lines "$T/all.json" "$T/stream.ev"
check "unix datagram: every event" $CHECK lines "$T/all.json" "$T/dgram.out"
check "unix stream (types tls): every tls event" \
    $CHECK lines "$T/all.json" "$T/stream.out" --types tls

# --- redis-server stopped in the middle of a replay --------------------
python3 "$top_srcdir/tests/replay/make.py" "$T/g" \
    "$S/kz-qaznet-root-sent.pcap" "$S/ru-sub-ca-signature.pcap" \
    "$S/untrusted-private-root.pcap" "$C/smtp-starttls.pcap" \
    "$C/dhe.pcap" "$C/ecdhe.pcap" "$C/client-certificate.pcap" \
    "$C/missing-intermediate.pcap" "$S/kz-qaznet-lookalike.pcap" \
    >/dev/null 2>&1 || { fail "make.py"; finish; }
cat >"$T/restart.yaml" <<CONF
outputs:
  - file: { path: $T/restart.json }
  - redis: { server: 127.0.0.1:$RP, mode: rpush, key: rw:restart }
CONF
size=$(wc -c <"$T/g/all.pcap")
third=$((size / 3))
# feed: a third, redis stopped, a third, redis back, the rest
mkfifo "$T/feed"
"$RW" -q -R "$RULES" -c "$T/restart.yaml" -r - <"$T/feed" \
    >"$T/restart.out" 2>"$T/restart.err" &
rwpid=$!
exec 3>"$T/feed"
head -c "$third" "$T/g/all.pcap" >&3
wait_for 10 sh -c "[ \$($R llen rw:restart) -gt 0 ]"
settle_redis() {
	prev=x
	for _ in $(seq 30); do
		cur=$($R llen rw:restart)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.2
	done
}
settle_redis
$R lrange rw:restart 0 -1 >"$T/before.out"
kill "$redis_pid"
wait "$redis_pid" 2>/dev/null
tail -c +$((third + 1)) "$T/g/all.pcap" | head -c "$third" >&3
sleep 1
kill -0 "$rwpid" 2>/dev/null
check "capture goes on while redis is down" [ $? -eq 0 ]
start_redis || fail "redis-server did not start again"
tail -c +$((2 * third + 1)) "$T/g/all.pcap" >&3
exec 3>&-
wait "$rwpid"
rc=$?
check "replay across the restart exits 0" [ "$rc" -eq 0 ]
cat "$T/restart.err" >&2
$R lrange rw:restart 0 -1 >"$T/after.out"
check "redis restart: queued events arrive, counters add up" \
    $CHECK restart "$T/restart.json" "$T/before.out" "$T/after.out" \
    "redis:127.0.0.1:$RP/rw:restart"
check "the loss of the connection is logged once" \
    [ "$(grep -c 'redis:.*events are queued' "$T/restart.err")" -eq 1 ]


# --- an output down the whole run, a file on a full disk ---------------
cat >"$T/down.yaml" <<CONF
outputs:
  - file: { path: $T/down.json }
  - unix: { path: $T/nobody.sock, spool-bytes: 64k }
  - file: { path: /dev/full, types: [alert, stats] }
CONF
rw "$T/down" -q -R "$RULES" -c "$T/down.yaml" -r "$C" \
    -r "$S/kz-qaznet-root-sent.pcap" -r "$S/ru-sub-ca-signature.pcap"
check "outputs down: capture goes on, exit 0" [ "$rc" -eq 0 ]
cat "$T/down.err" >&2
check "outputs down: the file output has every event" \
    [ "$(grep -c '"event_type":"flow"' "$T/down.json")" -gt 50 ]
python3 - "$T/down.json" "unix:$T/nobody.sock" <<'PY' >&2
import json, sys
st = [json.loads(l) for l in open(sys.argv[1])
      if '"event_type":"stats"' in l][-1]["rootwatch"]["outputs"]
o = [x for x in st if x["name"] == sys.argv[2]][0]
print(o)
ok = (o["dropped"] > 0 and o["dropped_alerts"] == 0 and
      o["events"] == o["written"] + o["dropped"] + o["pending"] and
      o["spool_bytes"] <= 65536 and not o["up"])
sys.exit(0 if ok else 1)
PY
check "spool cap: non-alerts dropped, alerts kept, counters add up" \
    [ $? -eq 0 ]
check "spool full logged once, the loss once" [ "$(grep -c \
    'nobody.sock: spool full' "$T/down.err")" -eq 1 ] && [ "$(grep -c \
    'nobody.sock: [0-9]* events lost, 0 of them alerts' "$T/down.err")" \
    -eq 1 ]
check "disk full logged once" \
    [ "$(grep -c 'full: No space left on device' "$T/down.err")" -eq 1 ]

finish
