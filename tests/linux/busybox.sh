#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints the path of an arm64 busybox for the test initramfs images:
# Debian's busybox-static:arm64, fetched once through the private arm64 apt
# of lib.sh (its state under $VHYP_CACHE/apt) and unpacked with dpkg-deb
# into $VHYP_CACHE/busybox/busybox.  Nothing is installed on the host, no
# foreign architecture is added to its dpkg, and the host's own
# /bin/busybox (if any) is never read or replaced.  Needs no network once
# cached.  Used by tests/linux/initramfs.sh and tests/pkvm-linux/initramfs.sh.
set -euo pipefail
# shellcheck source=tests/linux/lib.sh
source "$(dirname "$0")/lib.sh"

is_arm64_elf() {
	# ELF magic and e_machine 183 (EM_AARCH64), little-endian.
	[ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ] &&
		[ "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" = 183 ]
}

main() {
	local f="$VHYP_CACHE/busybox/busybox" tmp b
	if is_arm64_elf "$f"; then
		echo "$f"
		return
	fi
	mkdir -p "$(dirname "$f")"
	# One fetch at a time: parallel builds share the cache.
	exec 9>"$(dirname "$f")/.lock"
	flock 9
	if ! is_arm64_elf "$f"; then
		# shellcheck source=/dev/null
		source "$KERNEL_VERSION_FILE"
		private_apt_update "$KERNEL_SUITE"
		tmp=$(mktemp -d "$(dirname "$f")/.fetch.XXXXXX")
		log "downloading busybox-static (arm64) into $(dirname "$f")"
		(cd "$tmp" && papt_download busybox-static >/dev/null) ||
			die "cannot fetch busybox-static:arm64"
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
		for b in "$tmp/x/bin/busybox" "$tmp/x/usr/bin/busybox"; do
			[ -f "$b" ] && break
		done
		is_arm64_elf "$b" || die "no arm64 busybox in the busybox-static package"
		cp "$b" "$f.tmp" && mv "$f.tmp" "$f"
		rm -rf "$tmp"
	fi
	echo "$f"
}

main "$@"
