#!/bin/sh
# install.sh - turn a Raspberry Pi (Raspberry Pi OS bookworm, 64-bit; a Pi
# 4 with a USB 3 Ethernet adapter as eth1) into a transparent rootwatch
# bridge: build rootwatch's Debian package on the Pi and install it with
# apt-get (../install.sh: dpkg-buildpackage, test suite included, then
# apt-get install ./rootwatch_*_arm64.deb), bridge eth0 and eth1 into br0
# with no address (setup-bridge.sh), and run rootwatch on br0 as a
# service writing /var/log/rootwatch/eve.json.
# Usage: sh deploy/raspberry-pi/install.sh [IF1 IF2]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
S=$( [ "$(id -u)" = 0 ] || echo sudo )

sh "$here/../install.sh"
sh "$here/setup-bridge.sh" "$@"
echo "IFACE=br0" | $S tee /etc/default/rootwatch >/dev/null
# The Pi's small memory: keep the flow table and buffers modest.  The kit
# is for networks whose people the sensor must not expose: privacy mode on,
# and evidence bundles on the card, capped at 256M.
$S sed -i -e 's/^  interface: .*/  interface: br0/' \
    -e 's/^  buffer-size: .*/  buffer-size: 8M/' \
    -e 's/^  max: 65536$/  max: 16384/' \
    -e 's/^privacy: false$/privacy: on/' \
    -e 's|^#evidence:$|evidence:|' \
    -e 's|^#  dir: /var/lib/rootwatch/evidence$|  dir: /var/lib/rootwatch/evidence|' \
    -e 's|^#  max-bytes: 256M .*|  max-bytes: 256M|' \
    /etc/rootwatch/rootwatch.yaml
/usr/sbin/rootwatch -T -c /etc/rootwatch/rootwatch.yaml
$S systemctl enable --now rootwatch
$S systemctl --no-pager status rootwatch || true
echo "events: tail -f /var/log/rootwatch/eve.json"
