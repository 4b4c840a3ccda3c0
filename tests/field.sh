#!/bin/sh
# field.sh - the NGO field kit: privacy mode and evidence bundles
# (rootwatch(8) PRIVACY, EVIDENCE).  A LAN-like replay is built from the
# scenario captures (tests/field/readdress.py gives each connection its
# own client and server): two alerting servers, one of them seen twice
# within the window, a TLS 1.3 session and the corpus capture with a
# client certificate as benign sessions.  With privacy on and evidence
# on: one complete bundle per alerting (server, chain), no tls event, no
# flow event of a benign session, and no client address or MAC in any
# byte rootwatch wrote, in any spelling.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

CHK="python3 $top_srcdir/tests/field/check.py"
RA="python3 $top_srcdir/tests/field/readdress.py"
SM=02:00:5e:00:00:10
$RA "$SCEN/kz-qaznet-root-sent.pcap" "$T/a.pcap" 44301 10.20.30.40 \
    192.0.2.10 02:aa:bb:cc:dd:01 $SM 0
$RA "$SCEN/kz-qaznet-root-sent.pcap" "$T/b.pcap" 44301 10.20.30.41 \
    192.0.2.10 02:aa:bb:cc:dd:02 $SM 120
$RA "$SCEN/ru-sub-ca-signature.pcap" "$T/c.pcap" 44302 10.20.30.42 \
    198.51.100.7 02:aa:bb:cc:dd:03 $SM 240
$RA "$SCEN/kz-qaznet-tls13.pcap" "$T/d.pcap" 44305 10.20.30.43 \
    192.0.2.10 02:aa:bb:cc:dd:04 $SM 360
CC=$top_srcdir/tests/corpus/pcaps/client-certificate.pcap
IN="-r $T/a.pcap -r $T/b.pcap -r $T/c.pcap -r $T/d.pcap -r $CC"

# The client identifiers, from a run without privacy.
# shellcheck disable=SC2086
rw "$T/base" -q -R "$RULES" $IN
expect_rc "baseline" 0
check "client identifiers found" sh -c "$CHK clients '$T/base.out' \
    '$T/a.pcap' '$T/b.pcap' '$T/c.pcap' '$T/d.pcap' '$CC' >'$T/clients'"
sed 's/^/# /' "$T/clients" >&2

# privacy: on (YAML's "on"), evidence beneath $T/ev
cat >"$T/on.yaml" <<EOC
privacy: on
evidence: { dir: $T/ev }
EOC
# shellcheck disable=SC2086
rw "$T/on" -q -c "$T/on.yaml" -R "$RULES" -o "$T/on.json" $IN
expect_rc "privacy: on, evidence" 0
check "privacy: tls and flow events" $CHK events "$T/on.json"
check "one complete bundle per (server, chain), repeat counted" \
    sh -c "$CHK bundles '$T/ev' 2 >&2 && grep -q '^repeats: 1$' \
    '$T/ev/'*kz-qaznet-2019/manifest.txt"
check "no client identifier in events, stderr or bundles" \
    $CHK leak "$T/clients" "$T/on.json" "$T/on.out" "$T/on.err" "$T/ev"
check "no client certificate" sh -c "! grep -rq johanna '$T/on.json' '$T/ev'"
if command -v tshark >/dev/null 2>&1; then
	for p in "$T"/ev/*/handshake.pcap; do
		checks=$((checks + 1))
		port=$(sed -n 's/^server_port: //p' "$(dirname "$p")/manifest.txt")
		n=$(tshark -r "$p" -d "tcp.port==$port,tls" -o \
		    tcp.check_checksum:TRUE -Y 'tls.handshake.type == 11 &&
		    tcp.checksum.status == 1' 2>/dev/null | wc -l)
		if [ "$n" -ge 1 ]; then
			pass "tshark: Certificate message, checksum good: $p"
		else
			fail "tshark: no Certificate message in $p"
		fi
	done
else
	note "no tshark: the pcaps' checksums are checked by check.py only"
fi

# pseudonyms: keyed (the key file is made 0600 and reused), prefix-
# preserving, and never a client address
cat >"$T/ps.yaml" <<EOC
privacy: { enabled: yes, clients: pseudonym, key: $T/key, aggregate-sni: on }
EOC
# shellcheck disable=SC2086
rw "$T/ps1" -q -c "$T/ps.yaml" -R "$RULES" -o "$T/ps1.json" $IN
# shellcheck disable=SC2086
rw "$T/ps2" -q -c "$T/ps.yaml" -R "$RULES" -o "$T/ps2.json" $IN
expect_rc "privacy.clients: pseudonym" 0
check "key file 0600, 64 bytes" sh -c "[ \"\$(stat -c %a:%s '$T/key')\" = 600:64 ]"
# (the stats events name their output file, which differs)
grep -v '"event_type":"stats"' "$T/ps1.json" >"$T/ps1.ev"
grep -v '"event_type":"stats"' "$T/ps2.json" >"$T/ps2.ev"
check "same key, same events" cmp -s "$T/ps1.ev" "$T/ps2.ev"
check "pseudonyms: no client identifier" $CHK leak "$T/clients" "$T/ps1.json"
check "pseudonyms keep the clients' common /24" python3 -c "
import json, sys
src = {json.loads(l).get('src_ip') for l in open('$T/ps1.json')} - {None}
nets = {s.rsplit('.', 1)[0] for s in src}
sys.exit(not (len(src) == 3 and len(nets) == 1))"
check "aggregate-sni: counts per server name" grep -q '"server_names":\[{"sni"' \
    "$T/ps1.json"
chmod 644 "$T/key"
# shellcheck disable=SC2086
rw "$T/ps3" -q -c "$T/ps.yaml" -R "$RULES" $IN
expect_rc "a key others can read is refused" 2

# window 0: every alerting session its own bundle; max-bytes: the oldest
# go first and the newest stays
cat >"$T/w0.yaml" <<EOC
evidence: { dir: $T/w0, window: 0 }
EOC
# shellcheck disable=SC2086
rw "$T/w0" -q -c "$T/w0.yaml" -R "$RULES" $IN
check "window 0: three bundles" sh -c "$CHK bundles '$T/w0' 3 >&2"
cat >"$T/mb.yaml" <<EOC
evidence: { dir: $T/mb, window: 0, max-bytes: 20k }
EOC
# shellcheck disable=SC2086
rw "$T/mb" -q -c "$T/mb.yaml" -R "$RULES" -o "$T/mb.json" $IN
check "max-bytes: oldest removed" python3 -c "
import json, os, sys
st = [json.loads(l) for l in open('$T/mb.json')][-1]['rootwatch']['evidence']
names = sorted(os.listdir('$T/mb'))
size = sum(os.path.getsize(os.path.join('$T/mb', n, f)) for n in names
           for f in os.listdir(os.path.join('$T/mb', n)))
print(st, names, size)
sys.exit(not (st['removed'] >= 1 and size <= 20480 and names and
              names[-1].endswith('ru-trusted-root-ca-2022')))"

echo "# $checks checks, $failures failures" >&2
[ "$failures" -eq 0 ]
