#!/bin/sh
# Regenerates the X.509 unit test certificates (run once at test-writing
# time; the DER outputs are committed and x509_test.c hard-codes facts
# read from them with `openssl x509`).  Needs OpenSSL 3.
set -eu
cd "$(dirname "$0")"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# Self-signed RSA root, CA:TRUE.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/root.key" \
    -subj "/C=KZ/O=rootwatch test/CN=Test Root CA" -days 3650 \
    -set_serial 0x0100 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -outform DER -out x509-rsa-root.der

# EC P-256 leaf issued by the root: UTF-8 CN, SANs of every kind, a
# notAfter past 2049 (GeneralizedTime, RFC 5280 4.1.2.5).
cat > "$t/leaf.ext" <<EOT
basicConstraints=CA:FALSE
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=DNS:example.test,DNS:*.example.test,IP:192.0.2.1,IP:2001:db8::1,email:admin@example.test,URI:https://example.test/path
EOT
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$t/leaf.key" -utf8 -subj "/C=RU/O=Пример/CN=Тест" \
    -out "$t/leaf.csr"
openssl x509 -req -in "$t/leaf.csr" -CA x509-rsa-root.der -CAform DER \
    -CAkey "$t/root.key" -set_serial 0x00ABCDEF -days 9500 -sha256 \
    -extfile "$t/leaf.ext" -outform DER -out x509-ec-leaf.der

# Ed25519, self-signed, no CN at all.
openssl req -x509 -newkey ed25519 -nodes -keyout "$t/ed.key" \
    -subj "/C=US/O=No CN Org/OU=Unit" -days 365 -set_serial 7 \
    -outform DER -out x509-ed25519-nocn.der

# Subject equal to its issuer name but signed by another key: a name
# match that must not count as self-signed.  Negative serial.
openssl req -new -newkey rsa:2048 -nodes -keyout "$t/fake.key" \
    -subj "/C=KZ/O=rootwatch test/CN=Test Root CA" -out "$t/fake.csr"
openssl x509 -req -in "$t/fake.csr" -CA x509-rsa-root.der -CAform DER \
    -CAkey "$t/root.key" -set_serial -- -0x1234 -days 365 -sha256 \
    -outform DER -out x509-fake-self.der 2>/dev/null ||
openssl x509 -req -in "$t/fake.csr" -CA x509-rsa-root.der -CAform DER \
    -CAkey "$t/root.key" -set_serial -4660 -days 365 -sha256 \
    -outform DER -out x509-fake-self.der
