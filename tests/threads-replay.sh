#!/bin/sh
# threads-replay.sh - the threaded replay (--workers 2 and 3: reader,
# rings, worker threads, writer) over the corpus, scenario and
# encapsulation captures, stdin, a capture of more mapped windows than the
# workers may hold and the same gzip'd, with a stats event on SIGUSR1-free
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

# Past LIM_AUTOFP_WINDOWS mapped windows (2 MiB each): a scenario's
# packets again and again, 1 s apart, to 12 MB; the reader waits for the
# workers to release windows.  Then the same gzip'd: the decompression
# thread feeds one worker and two.
python3 - "$C/scenarios/kz-qaznet-root-sent.pcap" "$T/big.pcap" <<'PY'
import struct, sys
src = open(sys.argv[1], "rb").read()
recs, off = [], 24
while off < len(src):
    cl = struct.unpack("<I", src[off + 8:off + 12])[0]
    recs.append(src[off:off + 16 + cl])
    off += 16 + cl
out, shift = bytearray(src[:24]), 0
while len(out) < 12 << 20:
    for r in recs:
        ts = struct.unpack("<I", r[:4])[0] + shift
        out += struct.pack("<I", ts) + r[4:]
    shift += 1
open(sys.argv[2], "wb").write(out)
PY
gzip -c "$T/big.pcap" >"$T/big.pcap.gz"
for f in big.pcap big.pcap.gz; do
	for n in 1 2; do
		"$RW" -q --sandbox-log --workers $n -R "$RULES" -r "$T/$f" \
		    >"$T/b.json" 2>"$T/b.err"
		check "$f, --workers $n: exit 0" test $? -eq 0
		check "$f, --workers $n: no sanitizer report" \
		    sh -c "! grep -q 'Sanitizer' '$T/b.err'"
		check "$f, --workers $n: alerts written" \
		    grep -q '"event_type":"alert"' "$T/b.json"
	done
done
finish
