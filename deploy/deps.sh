#!/bin/sh
# deps.sh - install rootwatch's build dependencies from Debian's archive
# (bookworm, Raspberry Pi OS), plus any extra packages named on the command
# line: `sh deploy/deps.sh` to build, `sh deploy/deps.sh libcmocka-dev
# python3 openssl` to also run the tests.  The one list of packages that
# demo.sh, test.sh, install.sh and .ci/run share.  Uses sudo only when not
# root.
set -eu
S=$( [ "$(id -u)" = 0 ] || echo sudo )
$S apt-get update
$S apt-get install -y --no-install-recommends autoconf automake libtool \
    pkg-config make gcc libc6-dev libpcap-dev libndpi-dev libssl-dev \
    libyaml-dev libhiredis-dev zlib1g-dev liblzma-dev libzstd-dev libseccomp-dev \
    ca-certificates publicsuffix "$@"
