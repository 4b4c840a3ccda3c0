# lib.sh - helpers for the shell tests (sourced, not run).
#
# The test harness sets top_srcdir and top_builddir (Makefile.am's
# TESTS_ENVIRONMENT); run by hand from a build directory they default to
# the source tree above this file and the current directory.  ROOTWATCH
# overrides the binary under test.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
RW=${ROOTWATCH:-$top_builddir/sensor/rootwatch}
RULES=$top_srcdir/rules/state-interception.yaml
SCEN=$top_srcdir/tests/scenarios
export LC_ALL=C

failures=0
checks=0
T=$(mktemp -d "${TMPDIR:-/tmp}/rwtest.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
# The test binary (tests/rootwatch-test) keeps its state directory
# (rootwatch(8) FILES: signals.state, privacy.key) here, never in the
# system's.
ROOTWATCH_TEST_STATEDIR=$T/state
export ROOTWATCH_TEST_STATEDIR

# The signals (rootwatch(8) SIGNALS) add alerts of their own, and with
# several workers their shared profiles depend on the order sessions
# end.  The tests written for rule alerts run without them, through a
# wrapper that execs the binary (same pid) with --no-signals;
# tests/signals.sh sets RW_SIGNALS=1 and runs the binary itself.
RW_BIN=$RW
if [ "${RW_SIGNALS:-0}" != 1 ] && [ -x "$RW_BIN" ]; then
	# As root, a test that names no user (-u, or user: in its -c
	# configuration) stays root, with the sandbox's other layers: the
	# default "rootwatch" user, where it exists, cannot read a tree
	# checked out under a directory only root may enter.
	cat >"$T/rootwatch" <<EOW
#!/bin/sh
u=
if [ "\$(id -u)" = 0 ]; then
	u="-u root"
	prev=
	for a in "\$@"; do
		case \$a in -u|-u*) u= ;; esac
		if [ "\$prev" = -c ] && grep -qs '^user:' "\$a"; then
			u=
		fi
		prev=\$a
	done
fi
exec "$RW_BIN" --no-signals \$u "\$@"
EOW
	chmod +x "$T/rootwatch"
	RW=$T/rootwatch
fi

# note MSG...: progress on stderr (kept in the test's .log)
note() { echo "# $*" >&2; }

# fail MSG...: record a failure and go on
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# pass MSG...
pass() { echo "ok: $*" >&2; }

# check NAME CMD...: run CMD, pass or fail NAME by its status
check() {
	name=$1
	shift
	checks=$((checks + 1))
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# need_rootwatch: skip (77) when the binary has not been built
need_rootwatch() {
	if [ ! -x "$RW" ]; then
		echo "SKIP: $RW not built" >&2
		exit 77
	fi
}

# need CMD: skip (77) without CMD
need() {
	command -v "$1" >/dev/null 2>&1 || { echo "SKIP: no $1" >&2; exit 77; }
}

# rw OUTPREFIX ARGS...: run rootwatch, stdout to OUTPREFIX.out, stderr to
# OUTPREFIX.err, status in $rc.  Never aborts the script.
rw() {
	out=$1
	shift
	rc=0
	"$RW" "$@" >"$out.out" 2>"$out.err" </dev/null || rc=$?
	if [ "$rc" -ge 128 ]; then
		fail "rootwatch $* died with status $rc"
		sed 's/^/#   /' "$out.err" >&2
	fi
	return 0
}

# expect_rc NAME WANT: compare the last rw status
expect_rc() {
	checks=$((checks + 1))
	if [ "$rc" -eq "$2" ]; then
		pass "$1: exit $rc"
	else
		fail "$1: exit $rc, want $2"
		sed 's/^/#   stderr: /' "$out.err" | head -5 >&2
	fi
}

# grep_err NAME PATTERN: the last rw's stderr matches PATTERN (ERE)
grep_err() {
	checks=$((checks + 1))
	if grep -Eq -- "$2" "$out.err"; then
		pass "$1: stderr has /$2/"
	else
		fail "$1: stderr lacks /$2/"
		sed 's/^/#   stderr: /' "$out.err" | head -5 >&2
	fi
}

# finish: exit 1 if anything failed
finish() {
	echo "# $checks checks, $failures failed" >&2
	[ "$failures" -eq 0 ] || exit 1
	exit 0
}
