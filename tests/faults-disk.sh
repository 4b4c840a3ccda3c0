#!/bin/sh
# faults-disk.sh - output faults during a replay from a FIFO, fed in
# stages by tests/faults-disk.py (deterministic: each stage is read
# before the fault changes), rootwatch(8) OUTPUTS:
#   full    the output's file system (a 1 MiB tmpfs; root and mount(8),
#           else skipped) fills: capture goes on; the failure is logged
#           once, and so is the spool overflow (64 KiB spool: the oldest
#           non-alert events dropped, alerts kept); when space returns
#           the spooled events and the later ones are written while the
#           sensor still runs; stats count the errors and the dropped
#           events exactly (tls and flow events written + dropped = all);
#           every line is a complete JSON object; exit 0.
#   rotate  the output file is renamed away and its directory made
#           unwritable (chmod 000; as root the sensor runs as nobody):
#           the reopen on SIGHUP fails, is logged, and the events go on
#           into the file already open (none lost); writable again, the
#           next SIGHUP opens a new file.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

A=$SCEN/kz-qaznet-root-sent.pcap
DRV=$top_srcdir/tests/faults-disk.py
M=$T/mnt
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	chmod 755 "$T/od" 2>/dev/null
	umount "$M" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# drive MODE OUTDIR ARGS...: rootwatch on a FIFO, faults-disk.py feeding it
drive() {
	mode=$1
	od=$2
	shift 2
	rm -f "$T/in.fifo"
	mkfifo "$T/in.fifo"
	"$RW" -q -v "$@" -R "$RULES" -r "$T/in.fifo" 2>"$T/$mode.err" &
	pid=$!
	python3 "$DRV" "$mode" "$T/in.fifo" "$od" "$A" $pid "$T/$mode.err" \
	    >"$T/$mode.res"
	rc=0
	wait $pid || rc=$?
	pid=
	while read -r word msg; do
		checks=$((checks + 1))
		if [ "$word" = ok ]; then pass "$msg"; else fail "$msg"; fi
	done <"$T/$mode.res"
	checks=$((checks + 1))
	if [ $rc -eq 0 ]; then pass "$mode: exit 0"; else
		fail "$mode: exit $rc"; sed 's/^/# /' "$T/$mode.err" >&2; fi
}

# count FILE TEXT: lines of FILE holding TEXT
count() { grep -c "$2" "$1" || true; }

# --- the file system fills ----------------------------------------------------
mkdir -p "$M"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m,mode=755 tmpfs "$M" \
    2>/dev/null; then
	cat >"$T/full.yaml" <<YAML
outputs:
  - file: { path: $M/eve.json, spool-bytes: 64k }
YAML
	drive full "$M" -c "$T/full.yaml"
	e=$T/full.err
	checks=$((checks + 1))
	if [ "$(count "$e" 'No space left on device; events are queued')" = 1 ] &&
	    [ "$(count "$e" 'spool full')" = 1 ] &&
	    [ "$(count "$e" 'events lost, 0 of them alerts')" = 1 ] &&
	    [ "$(count "$e" 'writing again')" = 1 ]; then
		pass "full: the failure, the overflow, its cost and the recovery logged once each"
	else
		fail "full: log lines"; sed 's/^/# /' "$e" >&2
	fi
	checks=$((checks + 1))
	if python3 - "$M/eve.json" <<'PY'
import json, sys
ev = []
for i, line in enumerate(open(sys.argv[1], "rb"), 1):
    e = json.loads(line)            # a broken or glued line fails here
    assert isinstance(e, dict), i
    ev.append(e)
st = [e for e in ev if e["event_type"] == "stats"]
assert len(st) == 2, len(st)        # SIGUSR1's and the final one
for s in st:
    o = s["rootwatch"]["outputs"][0]
    assert o["errors"] >= 1 and o["retried"] >= 1, o
    assert o["dropped"] > 0 and o["dropped_alerts"] == 0, o
    assert o["up"] is True and o["pending"] == 0, o
    assert s["rootwatch"]["output"]["write_errors"] >= 1, s["rootwatch"]
o = st[-1]["rootwatch"]["outputs"][0]
kept = sum(e["event_type"] in ("tls", "flow") for e in ev)
assert kept + o["dropped"] == 22 * 2, (kept, o["dropped"])
alerts = [e for e in ev if e["event_type"] == "alert"]
assert len(alerts) == 22, len(alerts)
print("# %d lines; %d of 44 tls and flow events dropped, %d failed writes"
      % (len(ev), o["dropped"], o["errors"]), file=sys.stderr)
PY
	then
		pass "full: every line whole; stats: errors, retries, dropped = the tls and flow events missing, no alert dropped"
	else
		fail "full: output file or stats"
	fi
	umount "$M"
else
	note "not root or no tmpfs mount: the full file system case skipped"
fi

# --- the directory becomes unwritable -------------------------------------------
mkdir "$T/od"
u=
if [ "$(id -u)" -eq 0 ]; then
	# root writes anywhere: the sensor runs as nobody
	chmod 755 "$T"
	chown nobody "$T/od"
	u="-u nobody"
fi
# shellcheck disable=SC2086
drive rotate "$T/od" $u -o "$T/od/eve.json"
checks=$((checks + 1))
if [ "$(count "$T/rotate.err" 'reopen')" = 1 ]; then
	pass "rotate: the failed reopen logged once"
else
	fail "rotate: log lines"; sed 's/^/# /' "$T/rotate.err" >&2
fi
finish
