#!/usr/bin/env bash
#
# btrfs_mounted_node.sh BIN — the btrfs collector on a real, mounted Btrfs
# filesystem (a 200 MiB image on a loop device, made here and removed on
# exit), checked against Debian's node_exporter by parity_node.py --btrfs:
# the sysfs families and the per-device ioctl ones (size, unused bytes,
# error counters, btrfs_dev_uuid), values included.
#
# Needs root, mkfs.btrfs (btrfs-progs), a loop device and btrfs in the
# kernel; exits 77 (skipped) without them.
set -euo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/exporterbox" >&2
	exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root"
command -v mkfs.btrfs >/dev/null || skip "mkfs.btrfs not installed"
command -v losetup >/dev/null || skip "losetup not installed"
grep -qw btrfs /proc/filesystems || skip "no btrfs in this kernel"

TMP=$(mktemp -d)
LOOP=
# Other tests running at the same time (ctest -j) may be statfs'ing every
# mount, this one included, for a moment: retry, then detach lazily.
unmount() {
	local i
	for i in $(seq 1 50); do
		umount "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	umount -l "$1"
}
cleanup() {
	if mountpoint -q "$TMP/mnt" 2>/dev/null; then unmount "$TMP/mnt"; fi
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	rm -rf "$TMP"
}
trap cleanup EXIT
truncate -s 200M "$TMP/img"
mkfs.btrfs -q -L exporterbox-test "$TMP/img" >/dev/null 2>&1
mkdir "$TMP/mnt"
LOOP=$(losetup -f --show "$TMP/img") || skip "no free loop device"
mount -t btrfs "$LOOP" "$TMP/mnt" || skip "cannot mount a loop device here"
# Something to count: used bytes move off zero.
head -c 1048576 /dev/zero >"$TMP/mnt/data" && sync
python3 "$HERE/parity_node.py" --btrfs "$BIN"
