#!/bin/sh
# demo.sh - the README's first command: install the build dependencies,
# build rootwatch in this tree and replay the bundled demo capture (a TLS
# 1.2 handshake whose chain carries Kazakhstan's real "Qaznet Trust
# Network" root), printing its events: tls, an alert for kz-qaznet-2019,
# flow and stats.  Run from the top of a release tarball or a clone, as
# root or as a user with sudo.
set -eu
cd "$(dirname "$0")/.."
sh deploy/deps.sh
autoreconf -fi
./configure
make -j"$(nproc)"
echo "--- sensor/rootwatch -r tests/scenarios/kz-qaznet-root-sent.pcap" >&2
sensor/rootwatch -R rules/state-interception.yaml \
    -r tests/scenarios/kz-qaznet-root-sent.pcap
