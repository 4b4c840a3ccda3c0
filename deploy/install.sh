#!/bin/sh
# install.sh - build and install rootwatch as a service on Debian bookworm
# or Raspberry Pi OS: apt dependencies, build, `make install` (prefix
# /usr/local), the configuration in /etc/rootwatch, the systemd units,
# logrotate, and /var/log/rootwatch.  Run from the top of the source tree
# as root or with sudo.  It does not start anything: then
#   echo IFACE=eth1 > /etc/default/rootwatch
#   systemctl enable --now rootwatch
# (or `systemctl enable --now rootwatch@eth1` for one unit per interface).
set -eu
cd "$(dirname "$0")/.."
S=$( [ "$(id -u)" = 0 ] || echo sudo )

sh deploy/deps.sh logrotate
# The runtime libraries stay installed with the -dev packages.
autoreconf -fi
./configure --prefix=/usr/local --sysconfdir=/etc
make -j"$(nproc)"
$S make install

$S install -d -m 755 /etc/rootwatch
if [ -f /etc/rootwatch/rootwatch.yaml ]; then
	echo "keeping /etc/rootwatch/rootwatch.yaml (new example:" \
	    "/etc/rootwatch/rootwatch.yaml.dist)"
	$S install -m 644 deploy/rootwatch.yaml /etc/rootwatch/rootwatch.yaml.dist
else
	$S install -m 644 deploy/rootwatch.yaml /etc/rootwatch/rootwatch.yaml
fi
$S install -d -m 750 /var/log/rootwatch
$S install -m 644 deploy/rootwatch.service deploy/rootwatch@.service \
    /etc/systemd/system/
$S install -m 644 deploy/rootwatch.logrotate /etc/logrotate.d/rootwatch
[ -f /etc/default/rootwatch ] ||
    echo "IFACE=eth0" | $S tee /etc/default/rootwatch >/dev/null
if [ -d /run/systemd/system ]; then
	$S systemctl daemon-reload
fi
/usr/local/sbin/rootwatch -T -c /etc/rootwatch/rootwatch.yaml
echo "installed: /usr/local/sbin/rootwatch, /etc/rootwatch/rootwatch.yaml," \
    "rootwatch.service (IFACE in /etc/default/rootwatch), rootwatch@.service"
