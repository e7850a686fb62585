#!/usr/bin/env bash
# Boots a kernel directly at EL1 in QEMU, without vhyp: the same QEMU binary,
# machine and CPU as `./vhyp run`, but virtualization=off, so the guest gets
# QEMU's own PSCI (SMCCC v1.0, no KVM services).  The reference for the boot
# benchmark and a way to see the test program report the missing services.
# No NIC: the guest under vhyp gets no PCIe devices either.
#
# Usage: direct-boot.sh [--kernel IMAGE] [--initrd FILE] [--append ARGS]
#                       [--smp N] [--mem SIZE] [--timeout SECONDS] [--icount]
# Defaults: the cached test kernel, the test initramfs, 2 CPUs, 512M.
set -euo pipefail
# shellcheck source=tests/linux/lib.sh
source "$(dirname "$0")/lib.sh"

kernel="" initrd="" append="console=ttyAMA0 rdinit=/init" smp=2 mem=512M
timeout_s=240 extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--icount)
		# As `./vhyp run --icount`: guest time is instruction count.
		extra+=(-icount shift=0)
		shift
		continue
		;;
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--append) append=$2 ;;
	--smp) smp=$2 ;;
	--mem) mem=$2 ;;
	--timeout) timeout_s=$2 ;;
	*) die "unknown argument $1" ;;
	esac
	shift 2
done
[ -n "$kernel" ] || kernel="$("$LINUX_DIR/kernel.sh")/Image"
[ -n "$initrd" ] || initrd=$("$LINUX_DIR/initramfs.sh")

exec timeout "$timeout_s" qemu-system-aarch64 \
	-M virt,virtualization=off,gic-version=3 -cpu max -m "$mem" -smp "$smp" \
	-nographic -nic none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" "${extra[@]}"
