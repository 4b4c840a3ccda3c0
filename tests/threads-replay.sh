#!/bin/sh
# threads-replay.sh - the threaded replay (--workers 2 and 3: reader,
# rings, worker threads, writer) over the corpus, scenario and
# encapsulation captures and stdin, with a stats event on SIGUSR1-free
# paths and the summary.  In every build it checks the run ends cleanly;
# in the ThreadSanitizer build (make check-threads, halt_on_error=1) any
# data race report fails it.  --sandbox-log: the sanitizer runtime's own
# system calls are not the sensor's.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch

C=$top_srcdir/tests
for n in 2 3; do
	"$RW" -q --summary --sandbox-log --workers $n -R "$RULES" \
	    -r "$C/corpus/pcaps" -r "$C/scenarios" -r "$C/encap" \
	    >"$T/r$n.json" 2>"$T/r$n.err"
	rc=$?
	check "--workers $n replay: exit 1 (the bad files), not a crash" \
	    test $rc -eq 1
	check "--workers $n replay: no sanitizer report" \
	    sh -c "! grep -q 'Sanitizer' '$T/r$n.err'"
	check "--workers $n replay: alerts written" \
	    grep -q '"event_type":"alert"' "$T/r$n.json"
done
"$RW" -q --sandbox-log --workers 2 -R "$RULES" -r - \
    <"$C/scenarios/kz-qaznet-root-sent.pcap" >"$T/s.json" 2>"$T/s.err"
check "stdin, two workers: exit 0" test $? -eq 0
check "stdin, two workers: no sanitizer report" \
    sh -c "! grep -q 'Sanitizer' '$T/s.err'"
finish
