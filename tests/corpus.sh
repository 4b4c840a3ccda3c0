#!/bin/sh
# corpus.sh - acceptance test of certificate extraction: runs the sensor on
# the 59 real captures of tests/corpus and compares its tls and flow events
# with the oracle (tests/corpus/README.md).  Run by `make check`, which sets
# top_srcdir and top_builddir; exit 77 (skip) without python3.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"

if ! command -v python3 >/dev/null 2>&1; then
	echo "corpus: python3 not found, skipped"
	exit 77
fi
check="$top_srcdir/tests/corpus_check.py"
data="$top_srcdir/tests/corpus"
sensor="$top_builddir/sensor/rootwatch"

# The comparison logic first: a wrong harness must not pass a sensor.
python3 "$check" --selftest --data "$data" >/dev/null || {
	echo "corpus: harness self test failed:"
	python3 "$check" --selftest --data "$data"
	exit 1
}
if [ ! -x "$sensor" ]; then
	echo "corpus: $sensor not built"
	exit 1
fi
exec python3 "$check" --sensor "$sensor" --data "$data"
