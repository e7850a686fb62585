#!/usr/bin/env bash
# Builds the initramfs (cpio newc, gzip) that boots straight into the
# benchmark guest under KVM:
#
#	/init          init.c: mounts devtmpfs, runs kvmrun, powers off
#	/kvmrun        kvmrun.c
#	/guest.Image   the guest Image given on the command line
#	/dev/console
#
# Usage: initramfs.sh GUEST_IMAGE OUTPUT
set -euo pipefail
# shellcheck source=bench/kvm/lib.sh
source "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: initramfs.sh GUEST_IMAGE OUTPUT"
guest=$1 out=$2
[ -f "$guest" ] || die "no guest image $guest"
"$KVM_DIR/build.sh"

root=$(mktemp -d "${TMPDIR:-/tmp}/kvm-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/dev" "$(dirname "$out")"
install -m 755 "$KVM_BUILD/init" "$root/init"
install -m 755 "$KVM_BUILD/kvmrun" "$root/kvmrun"
install -m 644 "$guest" "$root/guest.Image"
# The kernel's own built-in initramfs has /dev/console too; ours adds it
# where we may create device nodes.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible | gzip -6n) >"$out.tmp"
mv "$out.tmp" "$out"
