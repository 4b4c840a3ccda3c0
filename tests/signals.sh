#!/bin/sh
# signals.sh - the signals (rootwatch(8) SIGNALS) on captures we have:
#   - the scenario captures: known interception key (Qaznet root sent),
#     unknown root for a public name (look-alike, Russian sub-CA), pin
#     (www.google.com under a private root) beside its unknown root;
#   - the Zeek corpus, twice with one state file (first sight, then a
#     replay with the profiles learned): no downgrade, profile, new
#     issuer, pin or known-interception signal, and exactly the
#     unknown-root signals listed in expected (old roots since removed
#     from ca-certificates, and one private AWS RDS root).
RW_SIGNALS=1
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

# kinds FILE: "capture kind name" per signal alert of an EVE file
kinds() {
	python3 - "$1" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    s = e.get('rootwatch', {}).get('signal')
    if e.get('event_type') == 'alert' and s:
        print(sys.argv[2], s['kind'], s.get('server_name', '-'))
PY
}

scen() {	# scen CAPTURE "EXPECTED LINES"
	rw "$T/s" -r "$SCEN/$1.pcap" -R "$RULES"
	checks=$((checks + 1))
	got=$(kinds "$T/s.out" "$1" | sort)
	want=$(printf '%s\n' "$2" | sort)
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
		pass "$1: $(echo "$want" | awk '{print $2}' | tr '\n' ' ')"
	else
		fail "$1: got [$got] want [$want]"
	fi
}

if [ -r /etc/ssl/certs/ca-certificates.crt ] &&
    [ -r /usr/share/publicsuffix/public_suffix_list.dat ]; then
	scen kz-qaznet-root-sent \
	    "kz-qaznet-root-sent known-interception www.example.kz"
	scen kz-qaznet-lookalike \
	    "kz-qaznet-lookalike unknown-root www.example.kz"
	scen ru-sub-ca-signature \
	    "ru-sub-ca-signature unknown-root www.example.ru"
	scen untrusted-private-root "untrusted-private-root pin www.google.com
untrusted-private-root unknown-root www.google.com"
else
	note "no ca-certificates or publicsuffix: scenario signals not checked"
fi

# Each signal can be turned off; the sid is the configured one.
cat >"$T/off.yaml" <<YAML
signals:
  known-interception: false
  unknown-root-sid: 4242
YAML
rw "$T/off" -c "$T/off.yaml" -r "$SCEN/kz-qaznet-root-sent.pcap" -R "$RULES"
check "known-interception: false" [ "$(kinds "$T/off.out" x | wc -l)" -eq 0 ]
rw "$T/sid" -c "$T/off.yaml" -r "$SCEN/kz-qaznet-lookalike.pcap" -R "$RULES"
check "unknown-root-sid: 4242" grep -q '"signature_id": *4242' "$T/sid.out"

corpus=$top_srcdir/../shared/corpus/zeek
if [ ! -d "$corpus" ]; then
	note "no ../shared/corpus/zeek: corpus signals not checked"
	finish
fi
expected="certificate-with-sct.pcap unknown-root www.lilawelt.net
pppoe-over-qinq.pcap unknown-root xp.apple.com
psql-aws-ssl-require.pcap unknown-root database-1.cyx4x7yvdoay.us-east-1.rds.amazonaws.com
smtp.pcap unknown-root p31-keyvalueservice.icloud.com
socks-with-ssl.pcap unknown-root www.google.com
tls-conn-with-extensions.pcap unknown-root ssl.gstatic.com"
# The state file's directory must be writable by the user the sensor
# runs as (rootwatch(8) FILES); $T is root's, so stay root here.
uroot=
[ "$(id -u)" -eq 0 ] && uroot="-u root"
cat >"$T/state.yaml" <<YAML
signals:
  state-file: $T/profiles
YAML
for pass_no in 1 2; do
	: >"$T/all.$pass_no"
	for p in "$corpus"/*.pcap "$corpus"/*.pcap.gz; do
		[ -f "$p" ] || continue
		# shellcheck disable=SC2086
		rw "$T/c" $uroot -c "$T/state.yaml" -r "$p"
		kinds "$T/c.out" "$(basename "$p")" >>"$T/all.$pass_no"
	done
	checks=$((checks + 1))
	got=$(sort -u "$T/all.$pass_no")
	if [ "$got" = "$(printf '%s\n' "$expected" | sort)" ]; then
		pass "corpus replay $pass_no: only the listed unknown-root signals"
	else
		fail "corpus replay $pass_no: $(printf '%s\n' "$got" | \
		    grep -v unknown-root | head -5)"
		printf '%s\n' "$got" | sed 's/^/#   /' >&2
	fi
	check "corpus replay $pass_no: state file written" \
	    grep -q '^# rootwatch profiles 1' "$T/profiles"
done
check "state file: a profile per server name" \
    [ "$(grep -c . "$T/profiles")" -gt 10 ]
# a third sight of a name: compared with the profile of the first two
# shellcheck disable=SC2086
rw "$T/c" $uroot -c "$T/state.yaml" -r "$corpus/socks-with-ssl.pcap"
check "replay 3: the unknown-root alert shows the learned profile" \
    grep -Eq '"profile": *\{"sessions": *([2-9]|[1-9][0-9]+)[,}]' "$T/c.out"
finish
