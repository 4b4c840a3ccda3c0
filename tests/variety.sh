#!/bin/sh
# variety.sh - real OpenSSL handshakes of many kinds (key types, chains of
# 1 to 10, certificates > 16 KB, a Certificate message > 64 KB, TLS 1.0 to
# 1.3, mutual TLS, OCSP, resumption, ALPN/SNI, an alert, DTLS 1.2, twelve
# STARTTLS protocols): the sensor's certificates must be exactly tshark's
# (tests/variety/expected.tsv, checked by corpus_check.py), and each
# handshake's version, app_proto, client chain and chain_missing those of
# tests/variety/tls.tsv.  See tests/variety/README.md.
. "$(dirname "$0")/lib.sh"
need python3
need_rootwatch
data=$top_srcdir/tests/variety

check "certificates as tshark sees them" \
    python3 "$top_srcdir/tests/corpus_check.py" --sensor "$RW" \
    --data "$data" --keep "$T/out"
check "version, app_proto, client chain, chain_missing" \
    python3 "$data/check_tls.py" "$data" "$T/out"
finish
