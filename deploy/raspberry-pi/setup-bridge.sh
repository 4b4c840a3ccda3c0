#!/bin/sh
# setup-bridge.sh - make this machine a transparent bridge br0 of two
# Ethernet ports, with no IP address on it, for rootwatch to watch.
#
#   upstream router --- eth0 [ Raspberry Pi: br0 ] eth1 --- LAN / switch
#
# Traffic passes through untouched; the Pi is not on the bridged network
# (no address, no DHCP, no IPv6 link-local address, no router
# advertisements), so nobody on it can reach the Pi.  Manage the Pi over
# another interface (wlan0, a third USB Ethernet port, or the console).
#
# Usage: setup-bridge.sh [--runtime] [IF1 IF2]   (default eth0 eth1)
#   default    persistent, with systemd-networkd (files in
#              /etc/systemd/network/; NetworkManager, if present, is told
#              to leave IF1, IF2 and br0 alone)
#   --runtime  with ip(8) commands only, until the next reboot
set -eu
S=$( [ "$(id -u)" = 0 ] || echo sudo )
mode=networkd
if [ "${1:-}" = "--runtime" ]; then
	mode=runtime
	shift
fi
if1=${1:-eth0}
if2=${2:-eth1}
for i in "$if1" "$if2"; do
	[ -e "/sys/class/net/$i" ] || { echo "no interface $i" >&2; exit 2; }
done

runtime() {
	$S ip link add name br0 type bridge stp_state 0 forward_delay 0
	# Forward link-local control frames too (LLDP, 802.1X: group
	# addresses 01:80:C2:00:00:0x), so the bridge is invisible to them;
	# STP frames (bit 0) and pause frames (bit 1) cannot be forwarded.
	echo 0xfff8 | $S tee /sys/class/net/br0/bridge/group_fwd_mask >/dev/null
	$S sysctl -q -w "net.ipv6.conf.br0.disable_ipv6=1"
	for i in "$if1" "$if2"; do
		$S ip addr flush dev "$i"
		$S sysctl -q -w "net.ipv6.conf.$i.disable_ipv6=1"
		$S ip link set "$i" promisc on master br0 up
	done
	$S ip link set br0 up
}

networkd() {
	d=/etc/systemd/network
	$S install -d "$d"
	$S tee "$d/50-rootwatch-br0.netdev" >/dev/null <<NETDEV
# rootwatch: transparent bridge (deploy/raspberry-pi/setup-bridge.sh)
[NetDev]
Name=br0
Kind=bridge

[Bridge]
STP=no
ForwardDelaySec=0
GroupForwardMask=0xfff8
NETDEV
	$S tee "$d/50-rootwatch-br0.network" >/dev/null <<NETWORK
# rootwatch: no address on the bridge
[Match]
Name=br0

[Network]
DHCP=no
LinkLocalAddressing=no
IPv6AcceptRA=no
LLDP=no
EmitLLDP=no
ConfigureWithoutCarrier=yes
NETWORK
	$S tee "$d/50-rootwatch-ports.network" >/dev/null <<PORTS
# rootwatch: the two bridged ports, no address either
[Match]
Name=$if1 $if2

[Link]
Promiscuous=yes

[Network]
Bridge=br0
DHCP=no
LinkLocalAddressing=no
IPv6AcceptRA=no
PORTS
	if [ -d /etc/NetworkManager/conf.d ]; then
		$S tee /etc/NetworkManager/conf.d/50-rootwatch.conf >/dev/null <<NM
# rootwatch: these interfaces belong to systemd-networkd
[keyfile]
unmanaged-devices=interface-name:$if1;interface-name:$if2;interface-name:br0
NM
		$S systemctl reload NetworkManager 2>/dev/null || true
	fi
	# dhcpcd (older Raspberry Pi OS) must leave them alone too.
	if [ -f /etc/dhcpcd.conf ] &&
	    ! grep -q "^denyinterfaces.*br0" /etc/dhcpcd.conf; then
		echo "denyinterfaces $if1 $if2 br0" | $S tee -a /etc/dhcpcd.conf >/dev/null
	fi
	$S systemctl enable systemd-networkd
	$S systemctl restart systemd-networkd
}

$mode
echo "br0 bridges $if1 and $if2 ($mode); it has no address:"
ip -brief addr show br0 || true
