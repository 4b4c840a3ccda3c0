#!/bin/sh
# replay.sh - forensic replay (rootwatch(8) -r): a directory tree of rotated
# files, compressed each way, pcap and pcapng, with a truncated capture, a
# damaged gzip stream and a file that is no capture; two overlapping
# captures of the two directions; stdin; the summary; the progress line on
# a terminal and not on a pipe; exit statuses.  Captures are made by
# tests/replay/make.py from the scenario and corpus captures.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

S=$top_srcdir/tests/scenarios
C=$top_srcdir/tests/corpus/pcaps
python3 "$top_srcdir/tests/replay/make.py" "$T/g" \
    "$S/kz-qaznet-root-sent.pcap" "$S/ru-sub-ca-signature.pcap" \
    "$S/untrusted-private-root.pcap" "$S/kz-qaznet-lookalike.pcap" \
    "$S/kz-qaznet-vlan100.pcap" "$C/smtp-starttls.pcap" "$C/dhe.pcap" \
    "$C/ecdhe.pcap" "$C/client-certificate.pcap" \
    "$C/missing-intermediate.pcap" >&2 || { fail "make.py"; finish; }
G=$T/g
cd "$G" || exit 1

# events FILE: its events but the stats and summary events, sorted
events() { grep -v '"event_type":"\(stats\|summary\)"' "$1" | sort; }

# same NAME A B: the two event files agree (stats aside)
same() {
	checks=$((checks + 1))
	events "$2" >"$T/same.a"
	events "$3" >"$T/same.b"
	if [ -s "$T/same.a" ] && cmp -s "$T/same.a" "$T/same.b"; then
		pass "$1"
	else
		fail "$1: $(wc -l <"$T/same.a") vs $(wc -l <"$T/same.b") events"
		diff "$T/same.a" "$T/same.b" | head -5 | cut -c1-200 >&2
	fi
}

# count PATTERN FILE: lines of FILE matching PATTERN
count() { grep -c -- "$1" "$2" || true; }

rw "$T/all" -q -R "$RULES" -r all.pcap
expect_rc "the single file" 0
chains=$(count '"event_type":"tls".*"chain":\[{' "$T/all.out")
check "the single file has chains ($chains) and alerts" \
    test "$chains" -ge 10 -a "$(count '"event_type":"alert"' "$T/all.out")" -ge 4

# --- the tree ------------------------------------------------------------
nfiles=$(find tree -type f | wc -l)
rw "$T/tree" -R "$RULES" -r tree
expect_rc "directory with damaged files" 1
same "directory tree: the events of the single file" "$T/all.out" "$T/tree.out"
grep_err "truncated capture: file and offset" \
    "tree/damaged/cut\\.pcap: offset $(cat cut.offset), after 10 packets: truncated record"
grep_err "damaged gzip stream reported like a truncated capture" \
    "tree/damaged/cut\\.pcap\\.gz: offset [0-9]+, after [0-9]+ packets: gzip stream truncated at compressed offset [0-9]+"
grep_err "a file that is no capture is reported" "tree/notes/README\\.txt: .*format"
grep_err "summary on stderr: files" "files +$nfiles \\(3 bad, [0-9]+ compressed\\)"
grep_err "summary on stderr: alerts by rule" "[0-9]+  rule kz-qaznet-2019"
grep_err "summary on stderr: by server name" "[0-9]+  www\\.example\\.kz"
grep_err "summary on stderr: issuers" "top issuers"

# Only the good subdirectories, as a quoted glob: exit 0.
rw "$T/glob" -q -R "$RULES" -r 'tree/kit*'
expect_rc "quoted glob of good directories" 0
same "quoted glob: the events of the single file" "$T/all.out" "$T/glob.out"
checks=$((checks + 1))
[ ! -s "$T/glob.err" ] && pass "-q: nothing on stderr" ||
    fail "-q: stderr: $(head -2 "$T/glob.err")"

# The files in reverse name order on the command line: same result.
find tree/kit* -type f | sort -r >"$T/list"
# shellcheck disable=SC2046
rw "$T/rev" -q -R "$RULES" $(sed 's/^/-r /' "$T/list")
expect_rc "files in reverse order" 0
same "files in reverse order: time order wins" "$T/all.out" "$T/rev.out"

# --- two taps: the two directions, merged by packet time ----------------
rw "$T/east" -q -R "$RULES" -r east.pcap
check "one direction alone: no chain" \
    test "$(count '"chain":\[{' "$T/east.out")" -eq 0
rw "$T/ew" -q -R "$RULES" -r east.pcap -r west.pcap.gz
expect_rc "two directions" 0
same "two directions merged: the events of the single file" \
    "$T/all.out" "$T/ew.out"
check "two directions merged: the chains found" \
    test "$(count '"event_type":"tls".*"chain":\[{' "$T/ew.out")" -eq "$chains"

# --- stdin, compressed ----------------------------------------------------
for z in gzip xz zstd; do
	command -v $z >/dev/null 2>&1 || { note "no $z command"; continue; }
	$z -c all.pcap >"$T/all.$z"
	rc=0
	"$RW" -q -R "$RULES" -r - <"$T/all.$z" >"$T/in.$z.out" 2>"$T/in.$z.err" ||
	    rc=$?
	out=$T/in.$z
	expect_rc "$z on stdin" 0
	same "$z on stdin: the events of the file" "$T/all.out" "$T/in.$z.out"
done

# Concatenated members, streams and frames (`cat a.gz b.gz`) are one stream.
half=$(( $(wc -c <all.pcap) / 2 ))
head -c "$half" all.pcap >"$T/h1"
tail -c +"$((half + 1))" all.pcap >"$T/h2"
for z in gzip xz zstd; do
	command -v $z >/dev/null 2>&1 || continue
	$z -c "$T/h1" >"$T/cat.$z"
	$z -c "$T/h2" >>"$T/cat.$z"
	rw "$T/cat.$z" -q -R "$RULES" -r "$T/cat.$z"
	expect_rc "$z, two members concatenated" 0
	same "$z, two members concatenated: the events of the file" \
	    "$T/all.out" "$T/cat.$z.out"
done

# --- decoders' memory (limits.h LIM_ZIN_MEM) --------------------------------
# A header may name any xz dictionary or zstd window: one over 256 MiB is
# refused, the file reported and counted bad, the replay going on with
# the next file.  Made here: all.pcap xz'd with a 64 KiB dictionary, its
# block header then saying 1 GiB (or 16 MiB, which must decode: the
# patch and its CRC are right), and zstd frames of raw blocks declaring
# a 1 GiB (or 1 MiB) window.
python3 - all.pcap "$T/mem" <<'PY' || fail "making the big-window files"
import lzma, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
out = sys.argv[2]


def xz(prop):			# LZMA2 dictionary: (2 | prop & 1) << (prop / 2 + 11)
    x = bytearray(lzma.compress(data, format=lzma.FORMAT_XZ, filters=[
        {"id": lzma.FILTER_LZMA2, "dict_size": 1 << 16}]))
    h = 12			# the block header follows the stream header
    size, flags, p = (x[h] + 1) * 4, x[h + 1], h + 2

    def varint(p):
        v = s = 0
        while True:
            v, s, p = v | (x[p] & 0x7f) << s, s + 7, p + 1
            if not x[p - 1] & 0x80:
                return v, p
    assert flags & 3 == 0	# one filter
    for bit in (0x40, 0x80):	# compressed, uncompressed size
        if flags & bit:
            p = varint(p)[1]
    fid, p = varint(p)
    n, p = varint(p)
    assert fid == 0x21 and n == 1
    x[p] = prop
    x[h + size - 4:h + size] = struct.pack("<I", zlib.crc32(x[h:h + size - 4]))
    return bytes(x)


def zst(wlog):			# raw blocks; Window_Descriptor exponent only
    f = b"\x28\xb5\x2f\xfd" + bytes([0, (wlog - 10) << 3])
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)]
    for i, c in enumerate(chunks):
        f += struct.pack("<I", len(c) << 3 | (i == len(chunks) - 1))[:3] + c
    return f


for name, blob in (("big.pcap.xz", xz(36)), ("ok.pcap.xz", xz(24)),
                   ("big.pcap.zst", zst(30)), ("ok.pcap.zst", zst(20))):
    open(out + "-" + name, "wb").write(blob)
PY
for z in xz zst; do
	rw "$T/ok$z" -q -R "$RULES" -r "$T/mem-ok.pcap.$z"
	expect_rc "$z, a 16 MiB / 1 MiB history: decoded" 0
	same "$z, a history under the limit: the events of the file" \
	    "$T/all.out" "$T/ok$z.out"
	rw "$T/big$z" -R "$RULES" -r "$T/mem-big.pcap.$z" -r east.pcap
	expect_rc "$z, a 1 GiB history: a bad file" 1
	same "$z, a 1 GiB history: the next file read" "$T/east.out" \
	    "$T/big$z.out"
done
out=$T/bigxz
grep_err "xz, a 1 GiB dictionary: file and limit" \
    "mem-big\\.pcap\\.xz: .*xz stream needs more memory \\(10[0-9]{2} MiB\\) than the limit of 256 MiB"
grep_err "xz, a 1 GiB dictionary: counted bad" "files +2 \\(1 bad, [0-9]+ compressed\\)"
out=$T/bigzst
grep_err "zstd, a 1 GiB window: file and limit" \
    "mem-big\\.pcap\\.zst: .*zstd stream needs more memory than the limit of 256 MiB"
grep_err "zstd, a 1 GiB window: counted bad" "files +2 \\(1 bad, [0-9]+ compressed\\)"

# --- the summary event ------------------------------------------------------
summary_ok() {
	python3 - "$1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
s = [e["rootwatch"]["summary"] for e in ev if e["event_type"] == "summary"]
tls = [e for e in ev if e["event_type"] == "tls"]
al = [e for e in ev if e["event_type"] == "alert"]
assert len(s) == 1, "one summary event"
s = s[0]
assert s["tls_sessions"] == len(tls), (s["tls_sessions"], len(tls))
assert s["alerts_total"] == len(al)
assert sum(s["alerts_by_rule"].values()) == len(al)
assert sum(x["count"] for x in s["alerts_by_server"]) == len(al)
assert s["files"]["bad"] == 3 and s["files"]["compressed"] > 0
assert s["first_packet"] < s["last_packet"]
assert ev[-1]["event_type"] == "summary"
PY
}
rw "$T/sum" -q --summary -R "$RULES" -r tree
check "--summary: a summary event with the events' numbers" summary_ok "$T/sum.out"
printf 'output:\n  summary: yes\n' >"$T/sum.yaml"
rw "$T/sumc" -q -c "$T/sum.yaml" -R "$RULES" -r tree
check "summary: yes in the config" summary_ok "$T/sumc.out"
checks=$((checks + 1))
grep -q '"summary"' "$T/tree.out" && fail "no --summary: summary event" ||
    pass "no --summary: no summary event"

# --- exit statuses ----------------------------------------------------------
rw "$T/twice" -r - -r -
expect_rc "stdin twice" 2
rw "$T/nomatch" -r "$T/none-*.pcap"
expect_rc "a glob matching nothing" 1
grep_err "a glob matching nothing" "none-\\*\\.pcap: no file matches"

# --- progress: on a terminal, not on a pipe ---------------------------------
checks=$((checks + 1))
if grep -q 'pkt/s' "$T/tree.err"; then
	fail "progress line on a pipe"
else
	pass "no progress line on a pipe"
fi
pty_run() {	# pty_run OUT ARGS...: rootwatch on a pseudo-terminal
	python3 - "$@" <<'PY'
import os, pty, sys
out, args = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(args[0], args)
buf = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    buf += d
os.waitpid(pid, 0)
open(out, "wb").write(buf)
PY
}
pty_run "$T/pty.txt" "$RW" -R "$RULES" -r tree -o "$T/pty.json"
checks=$((checks + 1))
if grep -aq "files [0-9]*/$nfiles, .* packets, .* pkt/s, .* left, [0-9]* alerts" "$T/pty.txt"; then
	pass "progress line on a terminal"
else
	fail "no progress line on a terminal: $(head -c 300 "$T/pty.txt")"
fi
pty_run "$T/ptyq.txt" "$RW" -q -R "$RULES" -r tree -o "$T/ptyq.json"
checks=$((checks + 1))
grep -aq 'pkt/s' "$T/ptyq.txt" && fail "-q: progress line on a terminal" ||
    pass "-q: no progress line on a terminal"
same "on a terminal: the same events" "$T/all.out" "$T/pty.json"

finish
