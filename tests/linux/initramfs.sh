#!/usr/bin/env bash
# Builds the stock-Linux test initramfs (cpio newc, gzip) for the kernel that
# tests/linux/kernel.sh fetched:
#
#	/init                  tests/linux/init
#	/bin/busybox + links   Debian's busybox-static for arm64
#	/bin/vhyp-linux-test   tests/linux/vhyp-linux-test.c, static arm64
#	/lib/modules/          the kernel's test modules and load-order, if any
#
# Usage: initramfs.sh [KERNEL_DIR [OUTPUT]]; prints the output path.
set -euo pipefail
# shellcheck source=tests/linux/lib.sh
source "$(dirname "$0")/lib.sh"

KDIR=${1:-$("$LINUX_DIR/kernel.sh")}
OUT=${2:-$LINUX_BUILD/initramfs.cpio.gz}
CROSS_GCC=${CROSS_GCC:-aarch64-linux-gnu-gcc}
APPLETS=(sh echo cat mount mkdir insmod poweroff ls dmesg sleep head)

is_arm64_elf() {
	# ELF magic and e_machine 183 (EM_AARCH64), little-endian.
	[ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ] &&
		[ "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" = 183 ]
}

# The arm64 busybox: the installed busybox-static:arm64 if there is one,
# else Debian's package fetched into the cache.
find_busybox() {
	local f
	f=$(dpkg -L busybox-static:arm64 2>/dev/null | grep -E '/bin/busybox$' | head -n1 || true)
	if [ -n "$f" ] && is_arm64_elf "$f"; then
		echo "$f"
		return
	fi
	f="$VHYP_CACHE/busybox/busybox"
	if ! is_arm64_elf "$f"; then
		# shellcheck source=/dev/null
		source "$KERNEL_VERSION_FILE"
		private_apt_update "$KERNEL_SUITE"
		local tmp
		tmp=$(mktemp -d)
		(cd "$tmp" && papt_download busybox-static >/dev/null) || die "cannot fetch busybox-static:arm64"
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
		mkdir -p "$(dirname "$f")"
		cp "$(first_bin "$tmp/x")" "$f"
		rm -rf "$tmp"
	fi
	echo "$f"
}
first_bin() {
	local b
	for b in "$1/bin/busybox" "$1/usr/bin/busybox"; do
		[ -f "$b" ] && { echo "$b"; return; }
	done
	die "no busybox in the busybox-static package"
}

main() {
	local root busybox a
	command -v "$CROSS_GCC" >/dev/null || die "$CROSS_GCC missing (make deps)"
	busybox=$(find_busybox)
	mkdir -p "$(dirname "$OUT")"
	root=$(mktemp -d "$(dirname "$OUT")/.initramfs.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc,sys,lib/modules}
	"$CROSS_GCC" -static -O2 -std=c11 -Wall -Wextra -Werror -Wshadow \
		-o "$root/bin/vhyp-linux-test" "$LINUX_DIR/vhyp-linux-test.c"
	cp "$busybox" "$root/bin/busybox"
	for a in "${APPLETS[@]}"; do
		ln -s busybox "$root/bin/$a"
	done
	install -m 755 "$LINUX_DIR/init" "$root/init"
	cp "$KDIR"/modules/* "$root/lib/modules/"
	# The kernel's built-in initramfs already has /dev/console; ours adds
	# it too when we may create device nodes.
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible | gzip -9n) >"$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
	rm -rf "$root"
	echo "$OUT"
}

main "$@"
