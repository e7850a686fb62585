#!/usr/bin/env bash
# Builds the stock-Linux test initramfs (cpio newc, gzip) for the kernel that
# tests/linux/kernel.sh fetched:
#
#	/init                  tests/linux/init
#	/bin/busybox + links   Debian's busybox-static for arm64, from the
#	                       project's cache (tests/linux/busybox.sh)
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

main() {
	local root busybox a
	command -v "$CROSS_GCC" >/dev/null || die "$CROSS_GCC missing (make test installs it)"
	busybox=$("$LINUX_DIR/busybox.sh")
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
