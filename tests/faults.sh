#!/bin/sh
# faults.sh - rootwatch under faults (the hostile-input issue, "Faults"):
#  1. kill -9 20 times during a replay onto one output file (10 at random
#     moments, 10 while a write has ended inside a line: the writer is
#     stopped now and then until its file ends in a fragment), each time
#     started again on the same file as a restarted service is: every
#     line of the file must be a complete JSON object (a partial last line
#     is cut when the file is opened again, never glued to the next event);
#     at least one kill must have left a partial line, or nothing was tested.
#  2. SIGHUP every 10 ms during a replay: exit 0, as many alerts as without
#     the signals, the reloads counted (stats rules_generation > 1).
# The disk-full fault is tests/faults-disk.sh.
# The captures are tests/adversarial/gen.py's, made here.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

python3 "$top_srcdir/tests/adversarial/gen.py" "$T/adv" >&2 ||
    { fail "gen.py"; finish; }
BIG=$T/adv/half-certs.pcap
ALL="-r $T/adv/half-certs.pcap -r $T/adv/syn-flood.pcap -r $T/adv/cert-16mb.pcap"

# jsonl FILE: every line a JSON object; prints the line count
jsonl() {
	python3 - "$1" <<'PY'
import json, sys
n = 0
for i, line in enumerate(open(sys.argv[1], "rb"), 1):
    try:
        if not isinstance(json.loads(line), dict):
            raise ValueError("not an object")
    except ValueError as e:
        print("line %d: %s: %r" % (i, e, line[:80]))
        sys.exit(1)
    n += 1
print(n)
PY
}

# wait_output FILE: until FILE has bytes (the process set up its output
# and its signal handlers), at most 5 s
wait_output() {
	n=0
	while [ ! -s "$1" ] && [ $n -lt 500 ]; do
		sleep 0.01
		n=$((n + 1))
	done
}

# --- 1. kill -9, restart on the same file --------------------------------
t0=$(python3 -c 'import time; print(time.time())')
"$RW" -R "$RULES" --pem -r "$BIG" -o "$T/full.json" 2>/dev/null
dur=$(python3 -c "import time; print(max(0.05, time.time() - $t0))")
kout=$T/killed.json
partial=0
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	d=$(python3 -c "import random; random.seed($i); print('%.3f' % \
	    (random.uniform(0.0, 0.5) * $dur))")
	before=$(wc -c <"$kout" 2>/dev/null || echo 0)
	: >>"$kout"
	"$RW" -R "$RULES" --pem -r "$BIG" -o "$kout" 2>>"$T/killed.err" &
	pid=$!
	# once it writes (start-up done), at a random moment of the replay
	n=0
	while [ "$(wc -c <"$kout" 2>/dev/null || echo 0)" -le "$before" ] &&
	    [ $n -lt 500 ]; do
		sleep 0.005
		n=$((n + 1))
	done
	if [ $((i % 2)) -eq 1 ]; then
		sleep "$d"		# a random moment
		kill -9 $pid 2>/dev/null
	else
		# the moment a write ended inside a line (for 2 s at most)
		python3 - "$kout" $pid <<'PY'
import os, signal, sys, time
path, pid = sys.argv[1], int(sys.argv[2])
# Stop the writer now and then and look at the file's tail: the state is
# frozen while we look, so a partial line is seen when there is one.
end = time.time() + 3
try:
    with open(path, "rb") as f:
        while time.time() < end:
            time.sleep(0.002)
            os.kill(pid, signal.SIGSTOP)
            n = os.fstat(f.fileno()).st_size
            if n > 0 and os.pread(f.fileno(), 1, n - 1) != b"\n":
                break
            os.kill(pid, signal.SIGCONT)
    os.kill(pid, signal.SIGKILL)
except ProcessLookupError:
    pass                        # it ended first
PY
	fi
	wait $pid 2>/dev/null
	if [ -s "$kout" ] && [ "$(tail -c 1 "$kout" | od -An -c | tr -d ' ')" != '\n' ]
	then
		partial=$((partial + 1))
	fi
done
# A kill lands inside a line only when it hits the writer between the
# write(2) calls of one buffer: rare on a fast disk.  So the file is also
# cut inside its last line, as such a kill leaves it, before the last
# restart, which must cut the fragment back off.
python3 - "$kout" <<'PY'
import os, sys
n = os.path.getsize(sys.argv[1])
if n > 40:
    os.truncate(sys.argv[1], n - 37)
PY
rw "$T/restart" -R "$RULES" --pem -r "$BIG" -o "$kout"
expect_rc "kill -9: the last restart runs to the end" 0
checks=$((checks + 1))
if n=$(jsonl "$kout"); then
	pass "kill -9 x20: $n lines, every one a JSON object ($partial kills" \
	    "left a partial line)"
else
	fail "kill -9 x20: a broken line: $n"
fi
checks=$((checks + 1))
if grep -q 'cut a partial last line' "$T/restart.err"; then
	pass "kill -9: the restart cut the partial last line and said so" \
	    "($partial of 20 kills left one by themselves)"
else
	fail "kill -9: the restart did not log 'cut a partial last line'"
fi

# --- 2. SIGHUP storm -------------------------------------------------------
rw "$T/nohup" -R "$RULES" $ALL
want=$(grep -c '"event_type":"alert"' "$T/nohup.out")
"$RW" -R "$RULES" $ALL >"$T/hup.out" 2>"$T/hup.err" &
pid=$!
wait_output "$T/hup.out"	# events flow: handlers are set
sent=0
while kill -HUP $pid 2>/dev/null; do
	sent=$((sent + 1))
	sleep 0.01
done
wait $pid
rc=$?
checks=$((checks + 1))
[ $rc -eq 0 ] && pass "SIGHUP x$sent: exit 0" || fail "SIGHUP x$sent: exit $rc"
got=$(grep -c '"event_type":"alert"' "$T/hup.out")
checks=$((checks + 1))
[ "$got" -eq "$want" ] && [ "$want" -gt 0 ] &&
    pass "SIGHUP x$sent: $got alerts, as without" ||
    fail "SIGHUP x$sent: $got alerts, $want without"
gen=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event_type"] == "stats":
        print(e["rootwatch"].get("rules_generation", 0))' "$T/hup.out")
checks=$((checks + 1))
[ "${gen:-0}" -gt 1 ] && pass "SIGHUP: rules_generation $gen counted" ||
    fail "SIGHUP x$sent: rules_generation ${gen:-none}"

finish
