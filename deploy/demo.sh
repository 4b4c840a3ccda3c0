#!/bin/sh
# demo.sh - the README's first command: install the build dependencies,
# build rootwatch in this tree and replay the bundled demo capture (a TLS
# 1.2 handshake whose chain carries Kazakhstan's real "Qaznet Trust
# Network" root), printing its events: tls, an alert for kz-qaznet-2019,
# flow and stats.  Run from the top of a release tarball or a clone, as
# root or as a user with sudo.
set -eu
cd "$(dirname "$0")/.."
S=$( [ "$(id -u)" = 0 ] || echo sudo )
$S apt-get update
$S apt-get install -y --no-install-recommends autoconf automake libtool \
    pkg-config make gcc libc6-dev libpcap-dev libndpi-dev libssl-dev \
    libyaml-dev ca-certificates
autoreconf -fi
./configure
make -j"$(nproc)"
echo "--- sensor/rootwatch -r tests/scenarios/kz-qaznet-root-sent.pcap" >&2
sensor/rootwatch -R rules/state-interception.yaml \
    -r tests/scenarios/kz-qaznet-root-sent.pcap
