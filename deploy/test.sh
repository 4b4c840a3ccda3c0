#!/bin/sh
# test.sh - the README's second command: install the build and test
# dependencies, build rootwatch and run the whole test suite (make check:
# unit tests, corpus regression, rules, scenario captures, command line).
# Run from the top of a release tarball or a clone, as root or with sudo.
set -eu
cd "$(dirname "$0")/.."
S=$( [ "$(id -u)" = 0 ] || echo sudo )
$S apt-get update
$S apt-get install -y --no-install-recommends autoconf automake libtool \
    pkg-config make gcc libc6-dev libpcap-dev libndpi-dev libssl-dev \
    libyaml-dev libcmocka-dev python3 openssl ca-certificates
autoreconf -fi
./configure
make -j"$(nproc)"
make -j"$(nproc)" check || { cat test-suite.log; exit 1; }
