#!/bin/sh
# install.sh - install rootwatch as a service on Debian bookworm or
# Raspberry Pi OS from this source tree: builds the Debian package
# (deploy/build-deb.sh: apt build dependencies, dpkg-buildpackage with the
# test suite, in a copy of the tree) and installs it with apt-get, which
# brings the runtime libraries, /usr/sbin/rootwatch, the rules in
# /usr/share/rootwatch/rules, /etc/rootwatch/rootwatch.yaml, the systemd
# units, logrotate and the rootwatch system user.  Run from the top of the
# source tree as root or with sudo.  It does not start anything: then
#   echo IFACE=eth1 > /etc/default/rootwatch
#   systemctl enable --now rootwatch
# (or `systemctl enable --now rootwatch@eth1` for one unit per interface).
set -eu
cd "$(dirname "$0")/.."
S=$( [ "$(id -u)" = 0 ] || echo sudo )

deb=$(sh deploy/build-deb.sh | tail -1)
$S apt-get install -y "$deb"
/usr/sbin/rootwatch -T -c /etc/rootwatch/rootwatch.yaml
echo "installed $(basename "$deb"): /usr/sbin/rootwatch," \
    "/etc/rootwatch/rootwatch.yaml, rootwatch.service (IFACE in" \
    "/etc/default/rootwatch), rootwatch@.service; not enabled"
