#!/bin/sh
# make.sh - regenerate the signal captures in this folder (tests/signals.sh).
#
# Real handshakes between openssl s_server and s_client on loopback,
# recorded with tcpdump, then retimed with retime.py so the sessions of
# one name are spread over days of packet time (profiles are judged in
# packet time).  One name, www.example.com, is served:
#   learn.pcap     4 times over TLS 1.3 by server A (P-256 chain,
#                  AES-256-GCM, X25519), one session a day from day 0;
#   server-b.pcap  on day 4 over TLS 1.3 by server B: another chain (RSA,
#                  three times the flight), AES-128-GCM -> profile signal
#                  (X25519 as A: the client's key share, no HelloRetry,
#                  whose sessions have no flight counted);
#   tls12.pcap     on day 5 by a server that only speaks TLS 1.2, sending
#                  the real Qaznet root -> downgrade signal + the
#                  kz-qaznet-2019 rule's alert.
#   hrr.pcap       on day 7 by server A set to P-256 only: a
#                  HelloRetryRequest, then the session goes on (learned,
#                  no signal).
# And, each one TLS 1.2 session on day 6:
#   pin.pcap          www.google.com under a private root -> pin
#   unknown-root.pcap www.example.org under a private root -> unknown-root
#   middlebox.pcap    www.example.net under a root named like Kaspersky's
#                     interception CA -> enterprise-middlebox
# Keys and certificates are made fresh in a temporary directory (test
# keys, they protect nothing), except the Qaznet leaf of
# tests/scenarios/certs.  Needs root (tcpdump on lo), openssl, tcpdump
# and python3.  Usage: sh tests/signals/make.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
scen=$top/tests/scenarios/certs
c=$(mktemp -d "${TMPDIR:-/tmp}/signals.XXXXXX")
trap 'rm -rf "$c"' EXIT
cnf=$scen/openssl.cnf
days=10000
export SAN=unused

key() {	# key FILE ALG
	case $2 in
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1" ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$1" 2>/dev/null ;;
	esac
}

cert() {	# cert NAME ALG ISSUER SUBJ EXT [HOST]: ISSUER "" = self-signed
	key "$c/$1.key" "$2"
	if [ -z "$3" ]; then
		set -- "$@" -key "$c/$1.key"
		openssl req -x509 -new -config "$cnf" -key "$c/$1.key" \
		    -subj "$4" -extensions "$5" -days $days -sha256 \
		    -set_serial "0x$(openssl rand -hex 8)" -out "$c/$1.pem"
	else
		SAN=${6:-unused} openssl req -x509 -new -config "$cnf" \
		    -key "$c/$1.key" -subj "$4" -extensions "$5" \
		    -CA "$c/$3.pem" -CAkey "$c/$3.key" -days $days -sha256 \
		    -set_serial "0x$(openssl rand -hex 8)" -out "$c/$1.pem"
	fi
}

cert a-root p256 "" "/C=ZZ/O=rootwatch signals/CN=Server A Root" ca_ext
cert a-leaf p256 a-root "/CN=www.example.com" leaf_ext www.example.com
cert b-root rsa "" "/C=ZZ/O=Branch Office Proxy/CN=Proxy Root" ca_ext
cert b-int rsa b-root "/C=ZZ/O=Branch Office Proxy/CN=Proxy Issuing CA" ca_ext
cert b-leaf rsa b-int "/CN=www.example.com" leaf_ext www.example.com
cat "$c/b-int.pem" "$c/b-root.pem" >"$c/b-chain.pem"
cert priv-root p256 "" "/C=ZZ/O=Unknown Middlebox/CN=Unknown Private Root" \
    ca_ext
cert google-leaf p256 priv-root "/CN=www.google.com" leaf_ext www.google.com
cert org-leaf p256 priv-root "/CN=www.example.org" leaf_ext www.example.org
cert av-root p256 "" "/CN=Kaspersky Anti-Virus Personal Root Certificate" \
    ca_ext
cert av-leaf p256 av-root "/CN=www.example.net" leaf_ext www.example.net

# capture OUT PORT N CERT KEY CHAIN SNI "SERVER ARGS" "CLIENT ARGS":
# N connections to one s_server, recorded raw in $c/OUT.pcap
capture() {
	tcpdump -i lo -U -s 0 -w "$c/$1.pcap" "tcp port $2" 2>/dev/null &
	tpid=$!
	sleep 1
	# shellcheck disable=SC2086
	openssl s_server -accept "127.0.0.1:$2" -naccept "$3" -quiet \
	    -cert "$4" -key "$5" ${6:+-cert_chain "$6"} $8 \
	    >/dev/null 2>&1 &
	spid=$!
	sleep 1
	i=0
	while [ $i -lt "$3" ]; do
		# shellcheck disable=SC2086
		openssl s_client -connect "127.0.0.1:$2" -servername "$7" \
		    $9 </dev/null >/dev/null 2>&1 || true
		i=$((i + 1))
	done
	wait $spid || true
	sleep 1
	kill -INT $tpid
	wait $tpid || true
}

capture learn 44401 4 "$c/a-leaf.pem" "$c/a-leaf.key" "" www.example.com \
    "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -groups X25519" ""
capture server-b 44402 1 "$c/b-leaf.pem" "$c/b-leaf.key" "$c/b-chain.pem" \
    www.example.com \
    "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups X25519" ""
capture hrr 44407 1 "$c/a-leaf.pem" "$c/a-leaf.key" "" www.example.com \
    "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -groups P-256" ""
capture tls12 44403 1 "$scen/kz-leaf.pem" "$scen/kz-leaf.key" \
    "$top/rules/kz-qaznet-2019.pem" www.example.com "-tls1_2" ""
capture pin 44404 1 "$c/google-leaf.pem" "$c/google-leaf.key" \
    "$c/priv-root.pem" www.google.com "-tls1_2" ""
capture unknown-root 44405 1 "$c/org-leaf.pem" "$c/org-leaf.key" \
    "$c/priv-root.pem" www.example.org "-tls1_2" ""
capture middlebox 44406 1 "$c/av-leaf.pem" "$c/av-leaf.key" \
    "$c/av-root.pem" www.example.net "-tls1_2" ""

# Day 0 is the day the captures were made (the certificates are valid
# from then on); the names' sessions follow one a day.
day0=$(($(date +%s) / 86400 * 86400 + 86400))
d=86400
python3 "$here/retime.py" "$c/learn.pcap" "$here/learn.pcap" $day0 $d
python3 "$here/retime.py" "$c/server-b.pcap" "$here/server-b.pcap" \
    $((day0 + 4 * d)) $d
python3 "$here/retime.py" "$c/tls12.pcap" "$here/tls12.pcap" \
    $((day0 + 5 * d)) $d
python3 "$here/retime.py" "$c/hrr.pcap" "$here/hrr.pcap" \
    $((day0 + 7 * d)) $d
for p in pin unknown-root middlebox; do
	python3 "$here/retime.py" "$c/$p.pcap" "$here/$p.pcap" \
	    $((day0 + 6 * d)) $d
done
ls -l "$here"/*.pcap
