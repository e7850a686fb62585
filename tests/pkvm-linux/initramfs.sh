#!/usr/bin/env bash
# Builds the pKVM-guest test initramfs (cpio newc, gzip):
#
#	/init                  tests/pkvm-linux/init
#	/bin/busybox + links   Debian's busybox-static for arm64, from the
#	                       project's cache (tests/linux/busybox.sh)
#	/bin/vhyp-linux-test   tests/linux/vhyp-linux-test.c, static arm64
#	                       (kernel log, CPUs, the KVM PTP clock)
#
# Usage: initramfs.sh [OUTPUT]; prints the output path.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/linux/lib.sh
source "$HERE/../linux/lib.sh"

OUT=${1:-$LINUX_BUILD/../pkvm-linux/initramfs.cpio.gz}
CROSS_GCC=${CROSS_GCC:-aarch64-linux-gnu-gcc}
APPLETS=(sh echo cat mount mkdir poweroff ls dmesg sleep dd head grep tr printf)

main() {
	local root busybox a
	command -v "$CROSS_GCC" >/dev/null || die "$CROSS_GCC missing (make test installs it)"
	busybox=$("$LINUX_DIR/busybox.sh")
	OUT=$(realpath -m "$OUT")
	mkdir -p "$(dirname "$OUT")"
	root=$(mktemp -d "$(dirname "$OUT")/.initramfs.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc,sys}
	"$CROSS_GCC" -static -O2 -std=c11 -Wall -Wextra -Werror -Wshadow \
		-o "$root/bin/vhyp-linux-test" "$LINUX_DIR/vhyp-linux-test.c"
	cp "$busybox" "$root/bin/busybox"
	for a in "${APPLETS[@]}"; do
		ln -s busybox "$root/bin/$a"
	done
	install -m 755 "$HERE/init" "$root/init"
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible | gzip -9n) >"$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
	rm -rf "$root"
	echo "$OUT"
}

main "$@"
