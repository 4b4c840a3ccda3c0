#!/bin/sh
# gen.sh - make the certificates rules_test.c uses (run once, by hand;
# the outputs are committed).  Needs the openssl CLI and the real
# kz-qaznet-2019.pem from rules/.  public-*.pem were carved from the
# corpus captures (tests/corpus/certs).  Keys are thrown away except the test
# root's and the intermediate's (kept to sign more when needed).
set -eu
cd "$(dirname "$0")"
Q=../../../../rules/kz-qaznet-2019.pem
D="-days 7300"
ext() { printf '%s\n' "$@" > ext.cnf; }

# Test root (our own, so that signature attribution can be tested).
openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key $D \
    -subj "/O=rootwatch tests/CN=rootwatch test root" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "subjectKeyIdentifier=hash" -out root.pem
# Intermediate under it, and leaves.
openssl req -newkey rsa:2048 -nodes -keyout inter.key \
    -subj "/O=rootwatch tests/CN=rootwatch test intermediate" -out inter.csr
ext "basicConstraints=critical,CA:TRUE" "subjectKeyIdentifier=hash" \
    "authorityKeyIdentifier=keyid:always"
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key \
    -CAcreateserial $D -extfile ext.cnf -out inter.pem
leaf() {	# name subject ca cakey
	openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -subj "$2" \
	    -out "$1.csr"
	ext "basicConstraints=CA:FALSE" "subjectKeyIdentifier=hash" \
	    "authorityKeyIdentifier=keyid:always" \
	    "subjectAltName=DNS:leaf.example.test"
	openssl x509 -req -in "$1.csr" -CA "$3" -CAkey "$4" \
	    -CAcreateserial $D -extfile ext.cnf -out "$1.pem"
	rm -f "$1.key" "$1.csr"
}
leaf leaf "/CN=leaf.example.test" root.pem root.key
leaf leaf2 "/CN=www.example.test" inter.pem inter.key

# Look-alike of the Qaznet root: same DN, another key, the real SKI.
SKI=$(openssl x509 -in $Q -noout -ext subjectKeyIdentifier | tail -1 |
    tr -d ' :')
openssl req -x509 -newkey rsa:2048 -nodes -keyout fakeq.key $D \
    -subj "/C=KZ/CN=Qaznet Trust Network" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "subjectKeyIdentifier=$SKI" -out fake-qaznet.pem
leaf fake-qaznet-leaf "/CN=www.google.com" fake-qaznet.pem fakeq.key
# C=US look-alike: same CN, other country.
openssl req -x509 -newkey rsa:2048 -nodes -keyout us.key $D \
    -subj "/C=US/CN=Qaznet Trust Network" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "subjectKeyIdentifier=hash" -out us-qaznet.pem
leaf us-qaznet-leaf "/CN=www.google.com" us-qaznet.pem us.key
# Same DN as Qaznet as UTF8String, other case and white space.
openssl req -x509 -newkey rsa:2048 -nodes -keyout utf.key $D -utf8 \
    -config /dev/null -multivalue-rdn -subj "/C=KZ/CN=  qaznet   TRUST network" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "subjectKeyIdentifier=hash" -out utf8-qaznet.pem 2>/dev/null ||
openssl req -x509 -newkey rsa:2048 -nodes -keyout utf.key $D -utf8 \
    -subj "/C=KZ/CN=  qaznet   TRUST network" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "subjectKeyIdentifier=hash" -out utf8-qaznet.pem
leaf utf8-qaznet-leaf "/CN=www.google.com" utf8-qaznet.pem utf.key
# A cert carrying the real Qaznet public key (signed by our test root).
openssl x509 -in $Q -noout -pubkey > qpub.pem
openssl req -newkey rsa:2048 -nodes -keyout tmp.key \
    -subj "/CN=carries the qaznet key" -out tmp.csr
ext "basicConstraints=CA:FALSE"
openssl x509 -req -in tmp.csr -force_pubkey qpub.pem -CA root.pem \
    -CAkey root.key -CAcreateserial $D -extfile ext.cnf -out qaznet-key.pem
rm -f tmp.key tmp.csr qpub.pem fakeq.key us.key utf.key inter.csr ext.cnf \
    ./*.srl
