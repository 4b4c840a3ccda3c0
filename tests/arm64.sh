#!/bin/sh
# arm64.sh - prove the arm64 build (a Raspberry Pi 4/5 with 64-bit
# Raspberry Pi OS runs Debian's arm64 packages): cross-compile rootwatch
# with Debian's crossbuild-essential-arm64 against arm64 libraries
# unpacked into a sysroot, run the arm64 binary under qemu-user over every
# capture (tests/corpus, ../shared/corpus when present, the scenarios, the
# encapsulations, the variety handshakes), and compare its events with the
# native build's (tests/arm64_compare.py: identical except the time-of-run
# and memory fields of stats events).  Then the arm64 unit tests, under
# qemu too.  Prints "arm64: N of N captures identical"; exits 1 on any
# difference.  Run from a tree that is not configured in place, as root
# or with sudo (apt-get).  See README.md, "arm64", for the time it takes.
#
# The arm64 packages are only downloaded (apt-get download, with apt's
# state for arm64 kept in WORKDIR) and unpacked with dpkg -x: nothing
# :arm64 is installed into the host, whose dpkg does not even learn the
# architecture (libndpi-dev is not Multi-Arch: same, and installing its
# arm64 build would replace the amd64 one).
#
# Usage: sh tests/arm64.sh [WORKDIR]      (default: _arm64 in the tree)
#   RW_NATIVE=PATH   a native sensor/rootwatch to compare with (default:
#                    one is built in WORKDIR/native)
#   RW_NO_DEPS=1     skip apt-get install of the host tools
set -eu
cd "$(dirname "$0")/.."
top=$PWD
w=${1:-$top/_arm64}
mkdir -p "$w"
w=$(cd "$w" && pwd)
S=$( [ "$(id -u)" = 0 ] || echo sudo )
triplet=aarch64-linux-gnu
sysroot=$w/sysroot
t0=$(date +%s)
say() { echo "arm64: [$(( $(date +%s) - t0 )) s] $*" >&2; }

if [ -f "$top/config.status" ]; then
	echo "arm64.sh: the source tree is configured in place; out-of-tree" \
	    "builds need it clean (make distclean)" >&2
	exit 2
fi

# --- host tools: the cross compiler and qemu-user --------------------------
if [ -z "${RW_NO_DEPS:-}" ]; then
	sh deploy/deps.sh crossbuild-essential-arm64 python3 >&2
	# bookworm: qemu-user-static has qemu-aarch64-static; later releases
	# fold it into qemu-user.
	if apt-cache policy qemu-user-static | grep -q 'Candidate: [0-9]'; then
		qemu_pkg=qemu-user-static
	else
		qemu_pkg=qemu-user
	fi
	$S apt-get install -y --no-install-recommends "$qemu_pkg" >&2
fi
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$qemu" ] || { echo "arm64.sh: no qemu-aarch64(-static)" >&2; exit 2; }

# --- the sysroot: arm64 build dependencies and their libraries -------------
# apt's lists, cache and (empty) dpkg status for arm64 live in WORKDIR.
apt_opts="-o APT::Architecture=arm64 -o APT::Architectures=arm64
 -o Dir::State=$w/apt/state -o Dir::State::status=$w/apt/state/status
 -o Dir::Cache=$w/apt/cache"
mkdir -p "$w/apt/state/lists/partial" "$w/apt/cache/archives/partial" \
    "$w/debs"
touch "$w/apt/state/status"
say "arm64 package lists"
# shellcheck disable=SC2086
apt-get $apt_opts update >"$w/apt-update.log" 2>&1 ||
    { cat "$w/apt-update.log" >&2; exit 2; }
# The closure of the -dev packages' dependencies, libraries only: the
# tools among them (pkgconf, sed...) and elogind (the alternative to
# libsystemd0 that libdbus-1-3 names) are not needed to link or run.
# The -dev packages are those of deploy/deps.sh, the one list of build
# dependencies, and cmocka for the unit tests.
devs=$(grep -Eo '(^|[[:space:]])(lib|zlib)[a-z0-9.+-]*-dev' deploy/deps.sh |
    tr -d ' \t' | sort -u)
# shellcheck disable=SC2086
pkgs=$(apt-cache $apt_opts depends --recurse --no-recommends \
    --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances \
    $devs libcmocka-dev |
    grep -E '^(lib|zlib|linux-libc-dev$|gcc-[0-9]+-base$)' |
    grep -Ev '^(libelogind|libpkgconf|libc-dev-bin$)' | sort -u)
say "downloading $(echo "$pkgs" | wc -l) arm64 packages"
# shellcheck disable=SC2086
(cd "$w/debs" && apt-get $apt_opts download $pkgs >"$w/download.log" 2>&1) ||
    { cat "$w/download.log" >&2; exit 2; }
rm -rf "$sysroot"
mkdir -p "$sysroot"
for d in "$w"/debs/*.deb; do
	dpkg -x "$d" "$sysroot"
done
# Absolute symlinks (libfoo.so -> /lib/...) must point into the sysroot
# when their target is there; the others (usr/lib/ssl/certs ->
# /etc/ssl/certs) keep reaching the host's files, as the native build's do.
find "$sysroot" -type l | while IFS= read -r l; do
	t=$(readlink "$l")
	case $t in
	/*) if [ -e "$sysroot$t" ]; then ln -sfn "$sysroot$t" "$l"; fi ;;
	esac
done

# --- the arm64 build -------------------------------------------------------
say "cross build"
rm -rf "$w/cross"
mkdir -p "$w/cross"
(
	cd "$w/cross"
	PKG_CONFIG_SYSROOT_DIR=$sysroot \
	PKG_CONFIG_LIBDIR=$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig \
	    "$top/configure" -q --host=$triplet --enable-werror \
	    PKG_CONFIG=pkg-config CC="$triplet-gcc --sysroot=$sysroot"
	make -j2 >"$w/cross-make.log" 2>&1 || { cat "$w/cross-make.log"; exit 1; }
	make -j2 check TESTS= >>"$w/cross-make.log" 2>&1 ||
	    { cat "$w/cross-make.log"; exit 1; }
) >&2
# ELF e_machine (offset 18, little-endian) 183 is EM_AARCH64.
[ "$(od -An -j18 -N2 -tu2 "$w/cross/sensor/rootwatch" | tr -d ' ')" = 183 ] ||
    { echo "arm64.sh: not an aarch64 binary" >&2; exit 1; }

native=${RW_NATIVE:-}
if [ -z "$native" ]; then
	say "native build"
	rm -rf "$w/native"
	mkdir -p "$w/native"
	(cd "$w/native" && "$top/configure" -q && make -j2 sensor/rootwatch) \
	    >"$w/native-make.log" 2>&1 || { cat "$w/native-make.log" >&2; exit 1; }
	native=$w/native/sensor/rootwatch
fi

# --- the same events -------------------------------------------------------
cat >"$w/rootwatch-arm64" <<WRAP
#!/bin/sh
exec "$qemu" -L "$sysroot" "$w/cross/sensor/rootwatch" "\$@"
WRAP
chmod +x "$w/rootwatch-arm64"
"$w/rootwatch-arm64" -V >&2
dirs="$top/tests/corpus/pcaps $top/tests/scenarios $top/tests/encap
 $top/tests/variety/pcaps"
for d in ../shared/corpus/zeek ../shared/corpus/quic; do
	[ -d "$top/$d" ] && dirs="$dirs $top/$d"
done
# Every capture with the default rules; the scenarios also with the
# untrusted rule (chain validation against the host's trust store, which
# both builds read: loading it costs a second a run under qemu).
say "comparing events"
# shellcheck disable=SC2086
python3 tests/arm64_compare.py --native "$native" \
    --other "$w/rootwatch-arm64" --rules rules/state-interception.yaml \
    --out "$w/events" $dirs
python3 tests/arm64_compare.py --native "$native" \
    --other "$w/rootwatch-arm64" --rules rules/state-interception.yaml \
    --rules tests/scenarios/untrusted.yaml --out "$w/events-untrusted" \
    "$top/tests/scenarios"

# --- the arm64 unit tests, under qemu --------------------------------------
say "unit tests under qemu"
unit=$(cd "$w/cross" && ls tests/unit/*_test 2>/dev/null | tr '\n' ' ')
if [ -z "$unit" ]; then
	echo "arm64.sh: no arm64 unit tests were built (cmocka)" >&2
	exit 1
fi
make -C "$w/cross" check TESTS="$unit" LOG_COMPILER="$qemu" \
    AM_LOG_FLAGS="-L $sysroot" >"$w/unit.log" 2>&1 ||
    { cat "$w/unit.log" >&2; cat "$w"/cross/tests/unit/*.log >&2; exit 1; }
grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR)' "$w/unit.log" |
    sed 's/^/arm64 unit tests: /'
say "done"
