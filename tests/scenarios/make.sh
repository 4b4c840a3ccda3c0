#!/bin/sh
# make.sh - regenerate the scenario captures in this folder.
#
# Each capture is one TLS handshake on loopback between `openssl s_server`
# and `openssl s_client`, recorded with tcpdump.  The keys and certificates
# in certs/ are made on the first run and then reused, so a second run
# gives the same certificates (only the packets' times and randoms change).
# The real roots/intermediates come from ../shared/roots (the repository's
# rules/ holds the same PEMs).  Needs root (tcpdump on lo), openssl,
# tcpdump and python3.  Usage: sh tests/scenarios/make.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
roots=$top/rules
c=$here/certs
cnf=$c/openssl.cnf
cd "$here"

days=10000
export SAN=unused

key() {	# key FILE: a P-256 key
	[ -f "$1" ] || openssl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}

ca() {	# ca NAME SUBJ EXT: self-signed CA NAME.pem with NAME.key
	key "$c/$1.key"
	[ -f "$c/$1.pem" ] || openssl req -x509 -new -config "$cnf" \
	    -key "$c/$1.key" -subj "$2" -extensions "$3" -days $days \
	    -set_serial "0x$(openssl rand -hex 8)" -sha256 -out "$c/$1.pem"
}

leaf() {	# leaf NAME CA HOST: NAME.pem for HOST, issued by CA
	key "$c/$1.key"
	[ -f "$c/$1.pem" ] || SAN=$3 openssl req -x509 -new -config "$cnf" \
	    -key "$c/$1.key" -subj "/CN=$3" -extensions leaf_ext \
	    -CA "$c/$2.pem" -CAkey "$c/$2.key" -days $days \
	    -set_serial "0x$(openssl rand -hex 8)" -sha256 -out "$c/$1.pem"
}

ca test-ca "/C=ZZ/O=rootwatch tests/CN=rootwatch Test CA" ca_ext
ca private-root "/C=ZZ/O=Unknown Middlebox/CN=Unknown Private Root" ca_ext
ca fake-qaznet "/C=KZ/CN=Qaznet Trust Network" fake_qaznet_ext
leaf kz-leaf test-ca www.example.kz
leaf ru-leaf test-ca www.example.ru
leaf lookalike-leaf fake-qaznet www.example.kz
leaf google-leaf private-root www.google.com

# capture PCAP PORT CERT EXTRA_CHAIN SNI S_CLIENT_ARGS...
capture() {
	out=$1 port=$2 cert=$3 chain=$4 sni=$5
	shift 5
	tcpdump -i lo -U -s 0 -w "$here/$out.tmp" "tcp port $port" \
	    2>/dev/null &
	tpid=$!
	sleep 1
	set -- -accept "127.0.0.1:$port" -cert "$c/$cert.pem" \
	    -key "$c/$cert.key" -naccept 1 -quiet "$@"
	[ -z "$chain" ] || set -- "$@" -cert_chain "$chain"
	openssl s_server "$@" >/dev/null 2>&1 &
	spid=$!
	sleep 1
	openssl s_client -connect "127.0.0.1:$port" -servername "$sni" \
	    $client_args </dev/null >/dev/null 2>&1 || true
	wait $spid || true
	sleep 1
	kill -INT $tpid
	wait $tpid || true
	mv "$here/$out.tmp" "$here/$out.pcap"
	echo "$out.pcap: $(tcpdump -r "$here/$out.pcap" 2>/dev/null | wc -l) packets"
}

# (a) leaf + the real Qaznet root sent as an extra chain certificate.
client_args=-tls1_2
capture kz-qaznet-root-sent 44301 kz-leaf "$roots/kz-qaznet-2019.pem" \
    www.example.kz
# (b) leaf + the real Russian Trusted Sub CA; the root is not sent.
capture ru-sub-ca-signature 44302 ru-leaf "$roots/ru-trusted-sub-ca-2022.pem" \
    www.example.ru
# (c) a leaf issued by a look-alike "C=KZ, CN=Qaznet Trust Network" with
# the real root's SKI as AKI, signed with another key.
capture kz-qaznet-lookalike 44303 lookalike-leaf "" www.example.kz
# (e) an unknown private root for a public name (untrusted.yaml).
capture untrusted-private-root 44304 google-leaf "$c/private-root.pem" \
    www.google.com
# TLS 1.3: the same server as (a), nothing visible (chain_missing tls13).
client_args=-tls1_3
capture kz-qaznet-tls13 44305 kz-leaf "$roots/kz-qaznet-2019.pem" \
    www.example.kz

# (a) again behind an 802.1Q tag, VLAN 100.
python3 "$here/vlan.py" 100 kz-qaznet-root-sent.pcap kz-qaznet-vlan100.pcap
echo "kz-qaznet-vlan100.pcap: VLAN 100 copy of kz-qaznet-root-sent.pcap"
