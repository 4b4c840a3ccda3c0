#!/bin/sh
# faults-disk.sh - the output file system fills up during a replay, then
# space returns (a 512 KiB tmpfs; needs root and mount(8), else SKIP):
# the replay goes on to the end (exit 0), the loss is counted (stats
# output.write_errors) and logged once, events are written again once
# space returns (the final stats event is there), and every line of the
# file is still a complete JSON object (no fragment glued to the next
# event).  An unwritable directory cannot be shown as root (root writes
# anyway) and a tmpfs with a file open for writing cannot be remounted
# read-only, so "full" stands for both.
#
# Listed in XFAIL_TESTS until the output spool/retry (the outputs issue)
# lands: today a failed flush leaves a partial line in the middle of the
# file with the next events glued to it, and the final stats event is
# lost when space returns after the replay's last flush.  An XPASS (CI
# counts it as a failure) says it is time to move it to TESTS proper.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

python3 "$top_srcdir/tests/adversarial/gen.py" "$T/adv" >&2 ||
    { fail "gen.py"; finish; }
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

wait_output() {
	n=0
	while [ ! -s "$1" ] && [ $n -lt 500 ]; do
		sleep 0.01
		n=$((n + 1))
	done
}

M=$T/mnt
mkdir -p "$M"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=512k tmpfs "$M" 2>/dev/null
then
	echo "SKIP: not root, or no tmpfs mount" >&2
	exit 77
fi
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
"$RW" -R "$RULES" --pem $ALL $ALL $ALL $ALL -o "$M/eve.json" \
    2>"$T/disk.err" &
pid=$!
wait_output "$M/eve.json"
dd if=/dev/zero of="$M/filler" bs=4k 2>/dev/null	# until ENOSPC
sleep 0.1
rm -f "$M/filler"
wait $pid
rc=$?
checks=$((checks + 1))
[ $rc -eq 0 ] && pass "disk faults: replay ran to the end" ||
    fail "disk faults: exit $rc"
errs=$(python3 -c '
import json, sys
n = None
for l in open(sys.argv[1], "rb"):
    try:
        e = json.loads(l)
    except ValueError:
        continue
    if e.get("event_type") == "stats":
        n = e["rootwatch"]["output"].get("write_errors")
print(n if n is not None else "none")' "$M/eve.json")
logged=$(grep -ciE 'write error|no space|read-only' "$T/disk.err")
checks=$((checks + 1))
if [ "$errs" != none ] && [ "$errs" -gt 0 ] || [ "$logged" -gt 0 ]; then
	pass "disk faults: loss counted (write_errors $errs, $logged log lines)"
else
	fail "disk faults: no loss counted (write_errors $errs, nothing logged)"
fi
checks=$((checks + 1))
[ "$logged" -le 1 ] && pass "disk faults: logged at most once ($logged)" ||
    fail "disk faults: logged $logged times, want once"
checks=$((checks + 1))
if [ "$errs" != none ]; then
	pass "disk faults: writing resumed (the final stats event is there)"
else
	fail "disk faults: no stats event after space returned"
fi
checks=$((checks + 1))
if n=$(jsonl "$M/eve.json"); then
	pass "disk faults: $n lines, every one a JSON object"
else
	fail "disk faults: a broken line: $n"
fi
umount "$M"
cat "$T/disk.err" | grep -v "^  " | sed "s/^/# stderr: /" >&2
finish
