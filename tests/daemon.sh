#!/bin/sh
# daemon.sh - rootwatch(8) EXIT STATUS, SIGNALS and pipes: one test per
# documented exit code (a failed start writes no event); numeric options
# reject garbage, negatives and overflow; -V names the libraries; a FIFO
# reader survives 100 SIGHUPs and SIGUSR1 writes stats, with every event on
# the output FIFO within a second; SIGTERM on a pipe exits 0 with final
# stats; the test binary's forbidden system call is killed by seccomp.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

A=$SCEN/kz-qaznet-root-sent.pcap	# www.example.kz: one tls, one alert
B=$SCEN/ru-sub-ca-signature.pcap	# www.example.ru
RWT=$top_builddir/tests/rootwatch-test
root=0
[ "$(id -u)" = 0 ] && root=1
# As root rootwatch switches user: the files it reopens must be reachable.
chmod 755 "$T"

# no_events NAME: the last rw wrote nothing on stdout
no_events() {
	checks=$((checks + 1))
	if [ ! -s "$out.out" ]; then pass "$1: no event"; else
		fail "$1: wrote $(wc -l <"$out.out") events"; fi
}

# --- 0 ---------------------------------------------------------------------
rw "$T/ok" -r "$A" -R "$RULES"
expect_rc "good capture" 0

# --- 2: usage ----------------------------------------------------------------
rw "$T/u1" -Z -r "$A"
expect_rc "unknown option" 2
no_events "unknown option"
for v in abc -5 99999999999999999999 86401 5x "" " 5"; do
	rw "$T/s" -s "$v" -r "$A" -R "$RULES"
	expect_rc "-s '$v'" 2
	grep_err "-s '$v' explained" "-s .*whole number"
	no_events "-s '$v'"
done
rw "$T/s0" -s 0 -r "$A" -R "$RULES"
expect_rc "-s 0" 0
rw "$T/s1" -s 86400 -r "$A" -R "$RULES"
expect_rc "-s 86400" 0
rw "$T/user" -u no-such-user-rw -r "$A" -R "$RULES"
if [ $root = 1 ]; then
	expect_rc "-u unknown user" 2
	grep_err "-u unknown user" "no-such-user-rw"
	no_events "-u unknown user"
	printf 'user: no-such-user-rw\n' >"$T/user.yaml"
	rw "$T/cuser" -c "$T/user.yaml" -r "$A" -R "$RULES"
	expect_rc "user: unknown user (config)" 2
	printf 'user: nobody\n' >"$T/user2.yaml"
	rw "$T/cuser2" -c "$T/user2.yaml" -r "$A" -R "$RULES"
	expect_rc "user: nobody (config)" 0
	checks=$((checks + 1))
	grep -q '"sandbox":{"user":"nobody"' "$T/cuser2.out" &&
	    pass "user: nobody in the stats" || fail "user: nobody not applied"
fi

# --- 2: rules and configuration ------------------------------------------------
rw "$T/rmiss" -r "$A" -R "$T/no-such-rules.yaml"
expect_rc "missing rules file" 2
grep_err "missing rules file" "no-such-rules\\.yaml"
no_events "missing rules file"
printf -- '- id: x\n  name: [ unclosed\n' >"$T/broken.yaml"
rw "$T/rbad" -r "$A" -R "$T/broken.yaml"
expect_rc "broken rules file" 2
grep_err "broken rules file" "broken\\.yaml:[0-9]+:[0-9]+"
no_events "broken rules file"
printf 'flow:\n  maxx: 5\n' >"$T/badconf.yaml"
rw "$T/cbad" -r "$A" -R "$RULES" -c "$T/badconf.yaml"
expect_rc "broken config" 2
grep_err "broken config" "badconf\\.yaml:2:3"
no_events "broken config"
printf 'user: [ nobody\n' >"$T/badconf2.yaml"
rw "$T/cbad2" -r "$A" -R "$RULES" -c "$T/badconf2.yaml"
expect_rc "broken config (YAML)" 2

# --- 2: live capture -----------------------------------------------------------
rw "$T/if" -i nosuchif0 -R "$RULES"
expect_rc "missing interface" 2
grep_err "missing interface" "nosuchif0: no such interface"
no_events "missing interface"
checks=$((checks + 1))
[ "$(wc -l <"$T/if.err")" -eq 1 ] && pass "missing interface: one line" ||
    fail "missing interface: $(wc -l <"$T/if.err") lines"
# As root the permission cases run the sensor as nobody: only where
# nobody can reach the build (a tree under a 0700 directory is not).
as_nobody=0
if [ $root = 1 ] && command -v setpriv >/dev/null 2>&1; then
	if setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    test -x "$RW_BIN" 2>/dev/null; then
		as_nobody=1
	else
		note "nobody cannot reach $RW_BIN: permission cases skipped"
	fi
fi
if [ $as_nobody = 1 ]; then
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$RW" -i lo \
	    -R "$RULES" >"$T/perm.out" 2>"$T/perm.err" </dev/null || rc=$?
	out=$T/perm
	expect_rc "no permission to capture" 2
	grep_err "no permission to capture" "lo: permission denied"
	no_events "no permission to capture"
elif [ $root = 0 ]; then
	rw "$T/perm" -i lo -R "$RULES"
	expect_rc "no permission to capture" 2
	no_events "no permission to capture"
fi

# --- 1: captures ---------------------------------------------------------------
cp "$A" "$T/secret.pcap"
chmod 600 "$T/secret.pcap"
if [ $root = 1 ] && [ $as_nobody = 0 ]; then
	:	# skipped: see above
elif [ $root = 1 ]; then
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$RW" \
	    -r "$T/secret.pcap" -R "$RULES" >"$T/unr.out" 2>"$T/unr.err" \
	    </dev/null || rc=$?
else
	chmod 000 "$T/secret.pcap"
	rc=0
	"$RW" -r "$T/secret.pcap" -R "$RULES" >"$T/unr.out" 2>"$T/unr.err" \
	    </dev/null || rc=$?
fi
out=$T/unr
if [ $root = 0 ] || [ $as_nobody = 1 ]; then
	expect_rc "unreadable capture" 1
	grep_err "unreadable capture" "secret\\.pcap.*[Pp]ermission denied"
	no_events "unreadable capture"
fi
if [ $root = 1 ]; then
	# as root with -u nobody: the file is opened before the switch
	chmod 600 "$T/secret.pcap"
	rw "$T/pre" -u nobody -r "$T/secret.pcap" -R "$RULES"
	expect_rc "root-only capture, -u nobody (opened before the switch)" 0
	checks=$((checks + 1))
	grep -q '"event_type":"alert"' "$T/pre.out" &&
	    pass "root-only capture, -u nobody: alert" ||
	    fail "root-only capture, -u nobody: no alert"
fi
rw "$T/miss" -r "$T/no-such.pcap" -R "$RULES"
expect_rc "missing capture" 1
no_events "missing capture (no 1970 stats)"
head -c $(($(wc -c <"$A") - 10)) "$A" >"$T/trunc.pcap"
rw "$T/trunc" -r "$T/trunc.pcap" -R "$RULES"
expect_rc "truncated capture" 1
grep_err "truncated capture" "trunc\\.pcap: offset [0-9]+"
checks=$((checks + 1))
grep -q '"event_type":"alert"' "$T/trunc.out" &&
    pass "truncated capture: events before the cut written" ||
    fail "truncated capture: events lost"
rw "$T/then" -r "$A" -r "$T/no-such.pcap" -R "$RULES"
expect_rc "good then missing capture" 1
checks=$((checks + 1))
if grep -q '"event_type":"stats"' "$T/then.out" &&
    ! grep -q '"timestamp":"1970' "$T/then.out"; then
	pass "good then missing capture: stats, not dated 1970"
else
	fail "good then missing capture: stats"
fi

# --- -V -------------------------------------------------------------------------
rw "$T/v" -V
expect_rc "-V" 0
for lib in "rootwatch [0-9]" "libpcap [0-9]" "nDPI [0-9]" "OpenSSL [0-9]" \
    "libyaml [0-9]" "libseccomp [0-9]"; do
	checks=$((checks + 1))
	grep -Eq "^$lib" "$T/v.out" && pass "-V: $lib" || fail "-V lacks $lib"
done

# --- seccomp stops a forbidden call (no root needed: no_new_privs) -------------
if [ -x "$RWT" ]; then
	rc=0
	ROOTWATCH_TEST_FORBIDDEN_SYSCALL=1 "$RWT" -u nobody -r "$A" \
	    -R "$RULES" >"$T/hook.out" 2>"$T/hook.err" </dev/null || rc=$?
	checks=$((checks + 1))
	if [ $rc -eq 159 ]; then
		pass "replay: forbidden system call after the sandbox: SIGSYS"
	else
		fail "replay: forbidden system call: exit $rc"
		cat "$T/hook.err" >&2
	fi
	rc=0
	"$RWT" -r "$A" -R "$RULES" >"$T/hook2.out" 2>"$T/hook2.err" || rc=$?
	out=$T/hook2
	expect_rc "test binary without the hook" 0
fi

# --- pipes and signals ----------------------------------------------------------
# A FIFO in, a FIFO out: 100 SIGHUPs and a SIGUSR1 while the writer pauses,
# then more packets: every event within a second, the reader goes on.
mkfifo "$T/in.fifo" "$T/out.fifo"
"$RW" -q -r "$T/in.fifo" -o "$T/out.fifo" -R "$RULES" 2>"$T/fifo.err" &
rwpid=$!
checks=$((checks + 1))
if python3 - "$T/in.fifo" "$T/out.fifo" "$A" "$B" $rwpid <<'PY'
import json, os, select, signal, sys, time
fin, fout, a, b, pid = sys.argv[1:5] + [int(sys.argv[5])]
# rootwatch opens its output first, then its input
r = os.open(fout, os.O_RDONLY | os.O_NONBLOCK)
w = open(fin, "wb", buffering=0)
buf = b""
def events(timeout):
    """Events read until timeout seconds pass without one."""
    global buf
    got, end = [], time.time() + timeout
    while time.time() < end:
        rd, _, _ = select.select([r], [], [], max(0, end - time.time()))
        if not rd:
            break
        try:
            data = os.read(r, 65536)
        except BlockingIOError:
            continue
        if not data:
            break
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            got.append(json.loads(line))
    return got
def kinds(ev):
    return [e["event_type"] for e in ev]
da, db = open(a, "rb").read(), open(b, "rb").read()
t0 = time.time()
w.write(da)                      # header and packets of A
ev = events(1.0)
assert "alert" in kinds(ev), "no alert within 1 s: %r" % kinds(ev)
for i in range(100):
    os.kill(pid, signal.SIGHUP)
    time.sleep(0.005)
os.kill(pid, signal.SIGUSR1)
ev = events(1.0)
assert kinds(ev) == ["stats"], "SIGUSR1: %r" % kinds(ev)
w.write(db[24:])                 # B's packets, same link type
ev = events(1.0)
assert "tls" in kinds(ev), "no tls event within 1 s after 100 SIGHUPs"
w.close()
ev = events(3.0)
assert kinds(ev)[-1:] == ["stats"], kinds(ev)
PY
then
	pass "FIFO: alert within 1 s, 100 SIGHUPs survived, SIGUSR1 stats, reads on"
else
	fail "FIFO reader"; cat "$T/fifo.err" >&2
fi
rc=0
wait $rwpid || rc=$?
checks=$((checks + 1))
if [ $rc -eq 0 ] && [ ! -s "$T/fifo.err" ]; then
	pass "FIFO: exit 0 at end of input, nothing on stderr"
else
	fail "FIFO: exit $rc"; cat "$T/fifo.err" >&2
fi

# tcpdump -w - | rootwatch -r -: SIGTERM while the pipe is idle.
(cat "$A"; sleep 5) | "$RW" -r - -R "$RULES" >"$T/term.out" 2>"$T/term.err" &
rwpid=$!
sleep 1
kill -TERM $rwpid
rc=0
wait $rwpid || rc=$?
out=$T/term
expect_rc "SIGTERM on an idle pipe" 0
checks=$((checks + 1))
if grep -q '"event_type":"alert"' "$T/term.out" &&
    tail -1 "$T/term.out" | grep -q '"event_type":"stats"'; then
	pass "SIGTERM on a pipe: events flushed, final stats"
else
	fail "SIGTERM on a pipe: events"
fi

finish
