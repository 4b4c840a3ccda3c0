#!/bin/sh
# rules.sh - rules file round trips (tests/rules/N.in + N.ok).
#
# A valid N.in must load, and its canonical dump (rules_dump, printed by
# the tests/rules_dump driver) must equal N.ok; the dump must then load
# again and dump identically.  An invalid N.in must fail, and the error
# line ("N.in:line:column: message") must equal N.ok.
. "$(dirname "$0")/lib.sh"

DRV=$(cd "$top_builddir" && pwd)/tests/rules_dump
DIR=$top_srcdir/tests/rules
if [ ! -x "$DRV" ]; then
	echo "SKIP: $DRV not built" >&2
	exit 77
fi
cp "$DIR"/*.pem "$T"/

n=0
for in in "$DIR"/*.in; do
	b=$(basename "$in" .in)
	n=$((n + 1))
	rc=0
	(cd "$DIR" && "$DRV" "$b.in") >"$T/$b.out" 2>"$T/$b.err" || rc=$?
	checks=$((checks + 1))
	if [ "$rc" -gt 1 ]; then
		fail "$b.in: driver exit $rc"
		continue
	fi
	if ! diff -u "$DIR/$b.ok" "$T/$b.out" >&2; then
		fail "$b.in: output differs from $b.ok"
		continue
	fi
	if [ "$rc" -eq 1 ]; then
		pass "$b.in: rejected as expected"
		continue
	fi
	# Round trip: the dump loads again and dumps identically.
	cp "$T/$b.out" "$T/$b.yaml"
	checks=$((checks + 1))
	if (cd "$T" && "$DRV" "$b.yaml") >"$T/$b.out2" 2>&1 &&
	    cmp -s "$T/$b.out" "$T/$b.out2"; then
		pass "$b.in: loads, dump equals $b.ok, dump reloads identically"
	else
		fail "$b.in: dump does not reload identically"
		diff -u "$T/$b.out" "$T/$b.out2" | head -20 >&2
	fi
done

# The shipped rules load and have one rule per PEM in rules/.
checks=$((checks + 1))
npem=$(ls "$top_srcdir"/rules/*.pem | wc -l)
(cd "$top_srcdir/rules" && "$DRV" state-interception.yaml) >"$T/shipped" ||
    true
nrules=$(grep -c '^  - id: ' "$T/shipped" || true)
if [ "$nrules" -eq "$npem" ] && [ "$npem" -gt 0 ]; then
	pass "state-interception.yaml: $nrules rules for $npem PEMs"
else
	fail "state-interception.yaml: $nrules rules for $npem PEMs"
	head -3 "$T/shipped" >&2
fi
[ "$n" -ge 10 ] || fail "only $n cases"
echo "$((checks - failures)) passed, $failures failed"
finish
