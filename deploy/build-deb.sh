#!/bin/sh
# build-deb.sh - build rootwatch's Debian package from this source tree (a
# clone or a release tarball): installs the build dependencies (deps.sh's
# list, debhelper, and the test packages: dh_auto_test runs make check),
# copies the tree to a temporary directory so that this one is neither
# configured nor touched (an in-tree configuration in the copy is undone
# with make distclean), runs dpkg-buildpackage -b -us -uc there, and moves
# the .deb into OUTDIR (default: _deb in the tree).  Prints the .deb's
# path last.  As root or with sudo.
# Usage: sh deploy/build-deb.sh [OUTDIR]
# DEB_BUILD_OPTIONS=nocheck skips make check; RW_NO_DEPS=1 skips apt-get.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
out=${1:-$top/_deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -z "${RW_NO_DEPS:-}" ]; then
	sh deploy/deps.sh debhelper fakeroot dpkg-dev libcmocka-dev python3 \
	    openssl >&2
fi
w=$(mktemp -d "${TMPDIR:-/tmp}/rootwatch-deb.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM
# make check runs there as root, and rootwatch drops to the rootwatch user
# when it exists: that user must reach the rules and captures of the tree.
chmod 755 "$w"
mkdir "$w/src"
# The copy leaves out version control, build directories and earlier
# packages; the source itself, configured in place or not, goes along.
tar -C "$top" --exclude=./.git --exclude=./_ci --exclude=./_b \
    --exclude=./_deb --exclude=./_arm64 --exclude=./debian/build \
    --exclude=./debian/rootwatch \
    -cf - . | tar -C "$w/src" -xf -
cd "$w/src"
if [ -f Makefile ]; then
	make distclean >/dev/null
fi
dpkg-buildpackage -b -us -uc >&2
cd "$w"
rm -f "$out"/rootwatch_*.deb
mv rootwatch_*.deb "$out/"
ls "$out"/rootwatch_*.deb
