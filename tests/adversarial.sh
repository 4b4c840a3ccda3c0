#!/bin/sh
# adversarial.sh - hostile captures (tests/adversarial/gen.py, made at test
# time, scaled down) replayed under small caps: no crash, peak RSS under
# the caps' bound, the right counters, the genuine alert still found
# (tests/adversarial/run.py says what each case checks).  The issue's full
# sizes (a million SYNs, 100,000 half certificates):
#   python3 tests/adversarial/run.py _b/sensor/rootwatch /tmp/adv --full
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3
checks=$((checks + 1))
if python3 "$top_srcdir/tests/adversarial/run.py" "$RW" "$T/adv" >&2; then
	pass "adversarial captures"
else
	fail "adversarial captures"
fi
finish
