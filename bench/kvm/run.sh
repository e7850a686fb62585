#!/usr/bin/env bash
# Runs a bare-metal arm64 guest Image under real Linux KVM, inside the same
# QEMU that runs vhyp: a stock Debian kernel boots at emulated EL2 in the
# KVM mode asked for, and its initramfs runs the guest once with kvmrun.
#
# Usage: run.sh GUEST_IMAGE MODE          MODE = vhe | nvhe | protected
#
#   vhe        KVM in VHE mode (the kernel at EL2), normal VM
#   nvhe       kvm-arm.mode=nvhe, normal VM
#   protected  kvm-arm.mode=protected (pKVM), protected VM
#   pkvm-normal  kvm-arm.mode=protected, normal (non-protected) VM
#
# Prints the guest's console output (and nothing else) on stdout; exits 0
# when the guest powered off (PSCI SYSTEM_OFF or SYSTEM_RESET), non-zero
# otherwise.  Progress and errors go to stderr; the whole QEMU console is
# kept in build/bench/kvm/<guest>-<mode>.log.
#
# Environment: KVM_BENCH_TIMEOUT (seconds, default 900) bounds the QEMU run;
# KVMRUN_ARGS adds kvmrun options (-n: no vGIC, -m MiB, -v); QEMU names the
# emulator.
set -euo pipefail
# shellcheck source=bench/kvm/lib.sh
source "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: run.sh GUEST_IMAGE vhe|nvhe|protected|pkvm-normal"
guest=$1 mode=$2
TIMEOUT=${KVM_BENCH_TIMEOUT:-900}

# Per mode: the kernel's kvm-arm.mode, kvmrun's VM option, and the line the
# kernel logs when KVM came up in that mode.
case $mode in
vhe) kvm_param="" vm_args="" expect="]: VHE mode initialized" ;;
nvhe) kvm_param="kvm-arm.mode=nvhe" vm_args="" expect="Hyp [nh]VHE mode initialized" ;;
protected) kvm_param="kvm-arm.mode=protected" vm_args="-p" expect="Protected [nh]VHE mode initialized" ;;
pkvm-normal) kvm_param="kvm-arm.mode=protected" vm_args="" expect="Protected [nh]VHE mode initialized" ;;
*) die "unknown mode '$mode' (vhe, nvhe, protected, pkvm-normal)" ;;
esac
[ -f "$guest" ] || die "no guest image $guest"
command -v "$QEMU" >/dev/null || die "$QEMU missing"

kdir=$("$KVM_DIR/fetch-kernel.sh")
mkdir -p "$KVM_BUILD"
initrd="$KVM_BUILD/initramfs-$mode.$$.cpio.gz"
trap 'rm -f "$initrd"' EXIT
"$KVM_DIR/initramfs.sh" "$guest" "$initrd"

console="$KVM_BUILD/$(basename "${guest%.Image}")-$mode.log"
# "quiet loglevel=1" keeps kernel messages out of the guest's output; after
# "--" the words go to /init, which hands them to kvmrun.
append="console=ttyAMA0 $kvm_param rdinit=/init quiet loglevel=1 -- $vm_args ${KVMRUN_ARGS:-}"
log "$mode: booting $(basename "$kdir") under $QEMU -icount shift=0"
start=$(date +%s%N)
rc=0
timeout --foreground -k 10 "$TIMEOUT" "$QEMU" \
	-M virt,virtualization=on,gic-version=3 -cpu max -m 1G -smp 1 \
	-nographic -nic none -icount shift=0 -no-reboot \
	-kernel "$kdir/Image" -initrd "$initrd" -append "$append" \
	</dev/null >"$console" 2>&1 || rc=$?
end=$(date +%s%N)
tr -d '\r' <"$console" >"$console.tmp" && mv "$console.tmp" "$console"
tenths=$(((end - start) / 100000000))
log "$mode: QEMU exited $rc after $((tenths / 10)).$((tenths % 10)) s"

# The guest's console: what init framed between its two markers.
# init starts its end marker on a new line, so the guest's own last newline
# leaves one empty line before it, which is not the guest's.
awk '/^@@KVMRUN-BEGIN$/ { on = 1; n = 0; next }
     /^@@KVMRUN-END / { if (n && last != "") print last; on = 0; next }
     on { if (n) print last; last = $0; n = 1 }' "$console"

fail() {
	log "$mode: $*; the last console lines ($console):"
	tail -n 30 "$console" >&2
	exit 1
}
[ "$rc" -eq 124 ] && fail "timed out after $TIMEOUT s"
[ "$rc" -eq 0 ] || fail "QEMU exited $rc"
grep -q "^init: kernel:.*$expect" "$console" ||
	fail "KVM is not in the expected mode ('$expect' not logged)"
status=$(sed -n 's/^@@KVMRUN-END status=//p' "$console")
[ -n "$status" ] || fail "kvmrun did not finish"
[ "$status" = 0 ] || fail "kvmrun exited $status (the guest did not power off)"
