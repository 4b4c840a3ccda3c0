#!/bin/sh
# valgrind.sh - rootwatch under valgrind memcheck (leaks included) on
# every regression capture (tests/encap, tests/scenarios, the adversarial
# set when generated): no invalid access, no uninitialised use, no leak.
# RW_FREE_AT_EXIT=1: the replay frees its workers at exit too (it skips
# that otherwise), so that their teardown is checked.
# Not in `make check` (about 5 s a capture); .ci/run runs it.
#   top_srcdir=. top_builddir=_b sh tests/valgrind.sh [CAPTURE...]
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind not installed" >&2
	exit 77
fi
if [ $# -eq 0 ]; then
	set -- "$top_srcdir"/tests/encap/*.pcap "$top_srcdir"/tests/scenarios/*.pcap \
	    "$top_srcdir"/tests/scenarios/*.pcapng
fi
for f in "$@"; do
	[ -f "$f" ] || continue
	checks=$((checks + 1))
	rc=0
	RW_FREE_AT_EXIT=1 valgrind -q --vgdb=no --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --error-exitcode=99 "$RW" -R "$RULES" -r "$f" \
	    >"$T/vg.out" 2>"$T/vg.err" </dev/null || rc=$?
	if [ "$rc" -eq 99 ] || grep -q '^==[0-9]*==' "$T/vg.err"; then
		fail "$(basename "$f"): valgrind reports"
		grep '^==' "$T/vg.err" | head -20 >&2
	elif [ "$rc" -gt 1 ]; then
		fail "$(basename "$f"): exit $rc"
	else
		pass "$(basename "$f"): clean"
	fi
done
finish
