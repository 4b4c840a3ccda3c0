#!/bin/bash
# make.sh - regenerate the variety captures and their oracle.
#
# Real handshakes between openssl s_server/s_client (and, for STARTTLS,
# starttls_server.py) on loopback, recorded with tcpdump, one capture per
# variant (key types, chain lengths, big certificates, TLS 1.0-1.3, mutual
# TLS, OCSP stapling, resumption, ALPN, alerts, DTLS 1.2, STARTTLS).
# The oracle is tshark: expected.tsv lists every certificate tshark
# decodes (sha256 of the DER), flows.tsv its TCP/UDP conversations;
# tls.tsv (written here) what the sensor must say about each handshake.
# Keys and certificates are made fresh in a temporary directory, so a run
# gives new certificates.  Needs root (tcpdump on lo), openssl, tcpdump,
# tshark and python3 with cryptography.  Usage: bash tests/variety/make.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/pcaps"
c=$(mktemp -d "${TMPDIR:-/tmp}/variety.XXXXXX")
trap 'rm -rf "$c"' EXIT
cd "$c"
days=10000
: >"$here/tls.tsv.new"
printf 'pcap\tserver_port\tevents\tversion\tchain_missing\tapp_proto\tclient_chain\n' >"$here/tls.tsv.new"

cat >ext.cnf <<'CNF'
[ req ]
distinguished_name = dn
prompt = no
string_mask = utf8only
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $ENV::SAN
CNF
export SAN=DNS:unused

key() {	# key FILE ALG
	case $2 in
	rsa-pss) openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
	rsa*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa}" -out "$1" 2>/dev/null ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
	ed448) openssl genpkey -algorithm ED448 -out "$1" ;;
	p256x) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -pkeyopt ec_param_enc:explicit -out "$1" ;;
	dsa) openssl genpkey -genparam -algorithm DSA \
	    -pkeyopt dsa_paramgen_bits:2048 -out dsa.param 2>/dev/null
	    openssl genpkey -paramfile dsa.param -out "$1" ;;
	esac
}

serial() { echo "0x$(openssl rand -hex 8)"; }

root() {	# root NAME ALG SUBJ
	key "$1.key" "$2"
	openssl req -x509 -new -utf8 -config ext.cnf -key "$1.key" -subj "$3" \
	    -extensions ca_ext -days $days -set_serial "$(serial)" -out "$1.pem"
}

issue() {	# issue NAME ALG ISSUER SUBJ EXT [SERIAL]
	key "$1.key" "$2"
	openssl req -x509 -new -utf8 -config ext.cnf -key "$1.key" -subj "$4" \
	    -extensions "$5" -CA "$3.pem" -CAkey "$3.key" -days $days \
	    -set_serial "${6:-$(serial)}" -out "$1.pem"
}

# --- keys and certificates --------------------------------------------
root ca rsa2048 "/C=ZZ/O=rootwatch variety/CN=Variety Root CA"
issue int rsa2048 ca "/C=ZZ/O=rootwatch variety/CN=Variety Intermediate" ca_ext
SAN=DNS:rsa2048.test issue rsa2048 rsa2048 int "/CN=rsa2048.test" leaf_ext
SAN=DNS:rsa4096.test issue rsa4096 rsa4096 int "/CN=rsa4096.test" leaf_ext
SAN=DNS:p256.test issue p256 p256 int "/CN=p256.test" leaf_ext
SAN=DNS:p384.test issue p384 p384 int "/CN=p384.test" leaf_ext
SAN=DNS:ed25519.test issue ed25519 ed25519 int "/CN=ed25519.test" leaf_ext
SAN=DNS:client.test issue client p256 int "/CN=client.test/O=mutual TLS client" leaf_ext
# self-signed alone (chain of 1)
key self.key p256
SAN=DNS:self.test openssl req -x509 -new -config ext.cnf -key self.key \
    -subj "/CN=self.test" -extensions leaf_ext -days $days -out self.pem
# unicode subject (UTF8String): Cyrillic and CJK
SAN=DNS:unicode.test issue unicode p256 int \
    "/C=RU/O=Тестовый удостоверяющий центр/OU=测试部门/CN=пример.рф" leaf_ext
# 20-byte serial (the maximum of RFC 5280 4.1.2.2)
SAN=DNS:serial20.test issue serial20 p256 int "/CN=serial20.test" leaf_ext \
    0x7fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3
# a chain of 10: root, 8 intermediates, leaf; the chain of 5 is its tail
prev=ca
for i in 1 2 3 4 5 6 7 8; do
	issue "deep$i" p256 "$prev" "/O=rootwatch variety/CN=Deep CA $i" ca_ext
	prev=deep$i
done
SAN=DNS:deep.test issue deepleaf p256 deep8 "/CN=deep.test" leaf_ext
# 300 SANs: a certificate > 16 KB
sans() {	# sans TAG N
	for i in $(seq 1 "$2"); do
		printf 'DNS:host-%04d.%s.a-rather-long-subdomain-label.example.test,' "$i" "$1"
	done | sed 's/,$//'
}
SAN=$(sans big 300) issue bigsan rsa2048 int "/CN=bigsan.test" leaf_ext
# four more big intermediates for a Certificate message > 64 KB
prev=ca
for i in 1 2 3 4; do
	SAN=$(sans "ca$i" 280) issue "bigca$i" p256 "$prev" "/CN=Big CA $i" leaf_ext
	prev=ca
done

# certificate shapes: RSA-PSS, Ed448, DSA keys, explicit EC parameters,
# serial 0 and negative, notAfter in 2081 (GeneralizedTime), X.509 v1
SAN=DNS:rsapss.test issue rsapss rsa-pss int "/CN=rsapss.test" leaf_ext
SAN=DNS:ed448.test issue ed448 ed448 int "/CN=ed448.test" leaf_ext
SAN=DNS:dsa.test issue dsa dsa int "/CN=dsa.test" leaf_ext
SAN=DNS:explicit.test issue explicit p256x int "/CN=explicit.test" leaf_ext
SAN=DNS:neg.test issue negserial p256 int "/CN=neg.test" leaf_ext -0x1234
SAN=DNS:zero.test issue zeroserial p256 int "/CN=zero.test" leaf_ext 0
days=20000 SAN=DNS:y2081.test issue y2081 p256 int "/CN=y2081.test" leaf_ext
key v1.key p256
openssl req -new -config ext.cnf -key v1.key -subj /CN=v1.test -out v1.csr
openssl x509 -req -in v1.csr -CA int.pem -CAkey int.key -days $days \
    -set_serial "$(serial)" -out v1.pem 2>/dev/null

cat rsa2048.pem int.pem >chain-rsa2048.pem
cat int.pem >int-only.pem
cat deep8.pem deep7.pem deep6.pem deep5.pem deep4.pem deep3.pem deep2.pem \
    deep1.pem ca.pem >deep-extra.pem
cat deep8.pem deep7.pem deep6.pem deep5.pem >deep5-extra.pem
cat int.pem bigca1.pem bigca2.pem bigca3.pem bigca4.pem >big-extra.pem
for f in *.pem; do
	printf '%s\t%s\n' "$f" "$(openssl x509 -in "$f" -outform DER 2>/dev/null | wc -c)"
done >sizes.txt

# --- capture helpers --------------------------------------------------
port=45100
next_port() { port=$((port + 1)); }

start_dump() {	# start_dump NAME FILTER
	tcpdump --immediate-mode -i lo -U -s 0 -w "$here/pcaps/$1.tmp" "$2" 2>/dev/null &
	tpid=$!
	sleep 1
}

stop_dump() {	# stop_dump NAME
	sleep 0.5
	kill -INT $tpid
	wait $tpid || true
	mv "$here/pcaps/$1.tmp" "$here/pcaps/$1.pcap"
}

expect() {	# expect NAME EVENTS VERSION MISSING APP CLIENT_CHAIN
	printf '%s.pcap\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$port" "$2" "$3" "$4" \
	    "$5" "$6" >>"$here/tls.tsv.new"
}

# tls NAME HOST CERT EXTRA SERVER_ARGS -- CLIENT_ARGS: one (or more, see
# RUNS) s_client runs against one s_server
tls() {
	name=$1 host=$2 cert=$3 extra=$4
	shift 4
	sargs=() cargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	cargs=("$@")
	next_port
	hp=$host; case $host in *:*) hp="[$host]" ;; esac
	start_dump "$name" "port $port"
	[ -z "$extra" ] || sargs+=(-cert_chain "$extra")
	openssl s_server -accept "$hp:$port" -cert "$cert.pem" -key "$cert.key" \
	    -naccept "${RUNS:-1}" -quiet "${sargs[@]}" >/dev/null 2>&1 &
	spid=$!
	sleep 0.7
	if [ -n "${SESS:-}" ]; then
		openssl s_client -connect "$hp:$port" -sess_out sess.pem \
		    "${cargs[@]}" </dev/null >/dev/null 2>&1 || true
		openssl s_client -connect "$hp:$port" -sess_in sess.pem \
		    "${cargs[@]}" </dev/null >/dev/null 2>&1 || true
	else
		openssl s_client -connect "$hp:$port" "${cargs[@]}" \
		    </dev/null >/dev/null 2>&1 || true
	fi
	sleep 0.3
	kill $spid 2>/dev/null || true
	wait $spid 2>/dev/null || true
	stop_dump "$name"
}

# --- key types and chains (TLS 1.2) ----------------------------------
T12=(-tls1_2)
tls rsa2048-tls12-ecdhe 127.0.0.1 rsa2048 int.pem -- "${T12[@]}" -servername rsa2048.test
expect rsa2048-tls12-ecdhe 1 "TLS 1.2" "" tls ""
tls rsa2048-tls12-rsa-kx 127.0.0.1 rsa2048 int.pem -- "${T12[@]}" -cipher AES128-GCM-SHA256
expect rsa2048-tls12-rsa-kx 1 "TLS 1.2" "" tls ""
tls rsa4096-tls12 127.0.0.1 rsa4096 int.pem -- "${T12[@]}"
expect rsa4096-tls12 1 "TLS 1.2" "" tls ""
tls p256-tls12-ipv6 ::1 p256 int.pem -- "${T12[@]}" -servername p256.test
expect p256-tls12-ipv6 1 "TLS 1.2" "" tls ""
tls p384-tls12 127.0.0.1 p384 int.pem -- "${T12[@]}"
expect p384-tls12 1 "TLS 1.2" "" tls ""
tls ed25519-tls12 127.0.0.1 ed25519 int.pem -- "${T12[@]}"
expect ed25519-tls12 1 "TLS 1.2" "" tls ""
tls chain1-selfsigned 127.0.0.1 self "" -- "${T12[@]}"
expect chain1-selfsigned 1 "TLS 1.2" "" tls ""
tls chain5 127.0.0.1 deepleaf deep5-extra.pem -- "${T12[@]}"
expect chain5 1 "TLS 1.2" "" tls ""
tls chain10 127.0.0.1 deepleaf deep-extra.pem -- "${T12[@]}"
expect chain10 1 "TLS 1.2" "" tls ""
tls unicode-subject 127.0.0.1 unicode int.pem -- "${T12[@]}"
expect unicode-subject 1 "TLS 1.2" "" tls ""
tls serial20 127.0.0.1 serial20 int.pem -- "${T12[@]}"
expect serial20 1 "TLS 1.2" "" tls ""
tls bigsan-16k 127.0.0.1 bigsan int.pem -- "${T12[@]}"
expect bigsan-16k 1 "TLS 1.2" "" tls ""
tls bigchain-64k 127.0.0.1 bigsan big-extra.pem -- "${T12[@]}"
# tshark 4.0 does not reassemble this 87 KB message: oracle.py falls back
# to the PEMs the server was given
mkdir -p "$here/served"
cat bigsan.pem big-extra.pem >"$here/served/bigchain-64k.pem"
expect bigchain-64k 1 "TLS 1.2" "" tls ""

LA=(-cipher 'ALL:!aNULL:!eNULL@SECLEVEL=0')	# DSA needs DHE-DSS
for n in rsapss ed448 dsa explicit negserial zeroserial y2081 v1; do
	tls "cert-$n" 127.0.0.1 "$n" int.pem "${LA[@]}" -- "${T12[@]}" "${LA[@]}"
	expect "cert-$n" 1 "TLS 1.2" "" tls ""
done
# no server certificate at all: anonymous DH, and PSK
tls anon-dh 127.0.0.1 p256 "" -cipher 'ADH-AES128-GCM-SHA256@SECLEVEL=0' -- \
    "${T12[@]}" -cipher 'ADH-AES128-GCM-SHA256@SECLEVEL=0'
expect anon-dh 1 "TLS 1.2" no_certificate tls ""
tls psk 127.0.0.1 p256 "" -psk 0123456789abcdef -nocert -cipher PSK-AES128-GCM-SHA256 \
    -- "${T12[@]}" -psk 0123456789abcdef -cipher PSK-AES128-GCM-SHA256
expect psk 1 "TLS 1.2" no_certificate tls ""

# --- versions ---------------------------------------------------------
L0=(-cipher DEFAULT@SECLEVEL=0)
tls tls10 127.0.0.1 rsa2048 int.pem -tls1 "${L0[@]}" -- -tls1 "${L0[@]}"
expect tls10 1 "TLSv1" "" tls ""
tls tls11 127.0.0.1 rsa2048 int.pem -tls1_1 "${L0[@]}" -- -tls1_1 "${L0[@]}"
expect tls11 1 "TLS 1.1" "" tls ""
tls tls13 127.0.0.1 p256 int.pem -- -tls1_3
expect tls13 1 "TLS 1.3" tls13 tls ""
tls alert-version 127.0.0.1 p256 int.pem -tls1_3 -- -tls1_2
expect alert-version 1 UNDETERMINED alert tls ""

# --- extensions, mutual TLS, resumption, OCSP ------------------------
tls alpn-sni 127.0.0.1 p256 int.pem -alpn h2,http/1.1 -- "${T12[@]}" \
    -alpn h2,http/1.1 -servername www.alpn.test
expect alpn-sni 1 "TLS 1.2" "" tls ""
tls mtls 127.0.0.1 p256 int.pem -Verify 1 -CAfile ca.pem -- "${T12[@]}" \
    -cert client.pem -key client.key -cert_chain int-only.pem
expect mtls 1 "TLS 1.2" "" tls 2
RUNS=2 SESS=1 tls resumed 127.0.0.1 p256 int.pem -- "${T12[@]}"
expect resumed 2 "TLS 1.2" ",resumed" tls ""
# OCSP: a response signed by the intermediate for the leaf
touch index.txt
openssl ocsp -issuer int.pem -cert p256.pem -reqout ocsp.req -no_nonce >/dev/null 2>&1
openssl ocsp -index index.txt -rsigner int.pem -rkey int.key -CA int.pem \
    -reqin ocsp.req -respout ocsp.der -ndays 10000 >/dev/null 2>&1 || true
if [ -s ocsp.der ]; then
	tls ocsp-stapled 127.0.0.1 p256 int.pem -status_file ocsp.der -- \
	    "${T12[@]}" -status
	expect ocsp-stapled 1 "TLS 1.2" "" tls ""
fi

# --- harder shapes ----------------------------------------------------
# the 18 KB certificate in 512-byte records (RFC 8449 style fragmentation)
tls fragmented-512 127.0.0.1 bigsan int.pem -max_send_frag 512 -- "${T12[@]}"
expect fragmented-512 1 "TLS 1.2" "" tls ""
# HelloRetryRequest: the server wants P-384, the client guessed X25519
tls tls13-hrr 127.0.0.1 p256 int.pem -groups P-384 -- -tls1_3 \
    -groups X25519:P-384
expect tls13-hrr 1 "TLS 1.3" tls13 tls ""
# the server asks, the client has no certificate: an empty Certificate
tls mtls-empty 127.0.0.1 p256 int.pem -verify 1 -- "${T12[@]}"
expect mtls-empty 1 "TLS 1.2" "" tls ""
tls mtls-tls10 127.0.0.1 rsa2048 int.pem -tls1 "${L0[@]}" -Verify 1 \
    -CAfile ca.pem -- -tls1 "${L0[@]}" -cert client.pem -key client.key
expect mtls-tls10 1 "TLSv1" "" tls 1
tls mtls-tls13 127.0.0.1 p256 int.pem -Verify 1 -CAfile ca.pem -- -tls1_3 \
    -cert client.pem -key client.key
expect mtls-tls13 1 "TLS 1.3" tls13 tls ""
# one full handshake, then five resumptions (s_client -reconnect)
RUNS=6 tls reconnect 127.0.0.1 p256 int.pem -- "${T12[@]}" -reconnect
expect reconnect 6 "TLS 1.2" ",resumed,resumed,resumed,resumed,resumed" tls ""

# --- DTLS 1.2 ----------------------------------------------------------
dtls() {	# dtls NAME HOST SERVER_ARGS -- CLIENT_ARGS
	name=$1 host=$2
	shift 2
	sargs=() cargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	cargs=("$@")
	next_port
	hp=$host; case $host in *:*) hp="[$host]" ;; esac
	start_dump "$name" "udp port $port"
	openssl s_server "${DTLSV:--dtls1_2}" -accept "$hp:$port" -naccept 1 -quiet \
	    "${sargs[@]}" >/dev/null 2>&1 &
	spid=$!
	sleep 0.7
	openssl s_client "${DTLSV:--dtls1_2}" -connect "$hp:$port" "${cargs[@]}" \
	    </dev/null >/dev/null 2>&1 || true
	sleep 0.3; kill $spid 2>/dev/null || true; wait $spid 2>/dev/null || true
	stop_dump "$name"
}
dtls dtls12 127.0.0.1 -cert p256.pem -key p256.key -cert_chain int.pem --
expect dtls12 1 "DTLS 1.2" "" dtls ""
# handshake messages fragmented over 400-byte datagrams (RFC 6347 4.2.3)
dtls dtls12-mtu400 127.0.0.1 -cert rsa4096.pem -key rsa4096.key \
    -cert_chain int.pem -mtu 400 -- -mtu 400
expect dtls12-mtu400 1 "DTLS 1.2" "" dtls ""
dtls dtls12-mtls-ipv6 ::1 -cert p256.pem -key p256.key -cert_chain int.pem \
    -Verify 1 -CAfile ca.pem -- -cert client.pem -key client.key
expect dtls12-mtls-ipv6 1 "DTLS 1.2" "" dtls 1
DTLSV=-dtls1 dtls dtls10 127.0.0.1 -cert p256.pem -key p256.key \
    -cert_chain int.pem -cipher DEFAULT@SECLEVEL=0 -- \
    -cipher DEFAULT@SECLEVEL=0
expect dtls10 1 "DTLS 1.0" "" dtls ""

# --- eight clients at once, handshakes interleaved ----------------------
next_port
start_dump parallel8 "port $port"
openssl s_server -accept "127.0.0.1:$port" -cert rsa2048.pem -key rsa2048.key \
    -cert_chain int.pem -naccept 8 -quiet >/dev/null 2>&1 &
spid=$!
sleep 0.7
cpids=()
for i in 1 2 3 4 5 6 7 8; do
	openssl s_client -connect "127.0.0.1:$port" -tls1_2 -servername "h$i.test" \
	    </dev/null >/dev/null 2>&1 &
	cpids+=($!)
done
wait "${cpids[@]}" || true
sleep 0.3; kill $spid 2>/dev/null || true; wait $spid 2>/dev/null || true
stop_dump parallel8
expect parallel8 8 "TLS 1.2" "" tls ""

# --- STARTTLS ----------------------------------------------------------
cat p256.pem int.pem >chain-p256.pem
for proto in smtp lmtp imap pop3 ftp xmpp postgres mysql nntp sieve ldap irc; do
	next_port
	start_dump "starttls-$proto" "port $port"
	python3 "$here/starttls_server.py" "$proto" 127.0.0.1 "$port" \
	    chain-p256.pem p256.key &
	spid=$!
	sleep 0.7
	openssl s_client -connect "127.0.0.1:$port" -starttls "$proto" \
	    -xmpphost xmpp.test </dev/null >/dev/null 2>&1 || true
	wait $spid || true
	stop_dump "starttls-$proto"
	app=$proto; [ "$proto" != postgres ] || app=postgresql
	expect "starttls-$proto" 1 "TLS 1.2" "" "$app" ""
done
# --- the same bytes in other TCP segments (mangle.py) -------------------
seed=1
for src in bigsan-16k mtls starttls-smtp; do
	python3 "$here/mangle.py" "$here/pcaps/$src.pcap" "$here/pcaps/$src" $seed
	seed=$((seed + 1))
	for kind in split ooo dup; do
		awk -F'\t' -v s="$src.pcap" -v n="$src-$kind.pcap" 'BEGIN { OFS = "\t" }
		    $1 == s { $1 = n; print }' "$here/tls.tsv.new" >>"$here/tls.tsv.new"
	done
done
mv "$here/tls.tsv.new" "$here/tls.tsv"
cat sizes.txt >&2
python3 "$here/oracle.py" "$here"
