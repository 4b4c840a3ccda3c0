#!/bin/sh
# test.sh - the README's second command: install the build and test
# dependencies, build rootwatch and run the whole test suite (make check:
# unit tests, corpus regression, rules, scenario captures, command line).
# Run from the top of a release tarball or a clone, as root or with sudo.
set -eu
cd "$(dirname "$0")/.."
sh deploy/deps.sh libcmocka-dev python3 python3-jsonschema openssl zstd iproute2 dnsmasq-base \
    chromium tshark rsyslog redis-server
autoreconf -fi
./configure
make -j"$(nproc)"
make -j"$(nproc)" check || { cat test-suite.log; exit 1; }
