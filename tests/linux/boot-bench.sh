#!/usr/bin/env bash
# Boot time of the stock-Linux test kernel under vhyp against the same kernel
# booted directly at EL1 by the same QEMU binary (virtualization=off).
#
# Measures, for each boot, the wall time from starting the command
# (`./vhyp run ...` or tests/linux/direct-boot.sh) to the initramfs's first
# line ("vhyp-linux-test: init"), and the kernel's own timestamp of
# "Run /init".  Runs are interleaved (direct, vhyp, direct, ...) so that a
# change in machine load hits both sides alike; prints medians and ratios.
#
# Usage: boot-bench.sh [RUNS] [SMP]   (default 3 runs each, 2 CPUs)
set -euo pipefail
# shellcheck source=tests/linux/lib.sh
source "$(dirname "$0")/lib.sh"

RUNS=${1:-3}
SMP=${2:-2}
MEM=512M
# The initramfs powers off right after its first line when it sees this.
APPEND="console=ttyAMA0 rdinit=/init vhyp_linux_test=bench"

KDIR=$("$LINUX_DIR/kernel.sh")
IMAGE="$KDIR/Image"
INITRD=$("$LINUX_DIR/initramfs.sh" "$KDIR")
# The runner; another checkout's may be named in VHYP.
VHYP=${VHYP:-$REPO_DIR/vhyp}
[ -x "$VHYP" ] || die "no runner $VHYP"

now_ns() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "${t}000"
}

# One boot; prints "<seconds to first line> <kernel's Run /init time>".
one_boot() {
	local kind=$1 start line first="" run_init=""
	start=$(now_ns)
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [ -z "$first" ] && [[ $line == *"vhyp-linux-test: init"* ]]; then
			first=$(now_ns)
		fi
		if [[ $line =~ \[\ *([0-9.]+)\]\ Run\ /init ]]; then
			run_init=${BASH_REMATCH[1]}
		fi
	done < <(
		if [ "$kind" = direct ]; then
			"$LINUX_DIR/direct-boot.sh" --kernel "$IMAGE" --initrd "$INITRD" \
				--smp "$SMP" --mem "$MEM" --append "$APPEND" --timeout 240
		else
			"$VHYP" run --kernel "$IMAGE" --initrd "$INITRD" \
				--smp "$SMP" --mem "$MEM" --append "$APPEND" --timeout 240
		fi </dev/null 2>&1
	)
	[ -n "$first" ] || die "$kind boot never reached /init"
	awk -v s="$start" -v e="$first" -v r="${run_init:-nan}" \
		'BEGIN { printf "%.3f %s\n", (e - s) / 1e9, r }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -a direct_first=() vhyp_first=() direct_init=() vhyp_init=()
echo "kernel $(cat "$KDIR/release"), $SMP CPUs, $MEM, $RUNS runs each, $(nproc) host cores"
printf '%-4s %-7s %10s %12s\n' run kind "first line" "Run /init"
for i in $(seq 1 "$RUNS"); do
	for kind in direct vhyp; do
		read -r first init < <(one_boot "$kind")
		printf '%-4s %-7s %9ss %11ss\n' "$i" "$kind" "$first" "$init"
		if [ "$kind" = direct ]; then
			direct_first+=("$first") direct_init+=("$init")
		else
			vhyp_first+=("$first") vhyp_init+=("$init")
		fi
	done
done
df=$(printf '%s\n' "${direct_first[@]}" | median)
vf=$(printf '%s\n' "${vhyp_first[@]}" | median)
di=$(printf '%s\n' "${direct_init[@]}" | median)
vi=$(printf '%s\n' "${vhyp_init[@]}" | median)
echo "median to first line: direct ${df}s, vhyp ${vf}s, ratio $(awk -v a="$vf" -v b="$df" 'BEGIN { printf "%.2f", a / b }')"
echo "median kernel Run /init: direct ${di}s, vhyp ${vi}s, ratio $(awk -v a="$vi" -v b="$di" 'BEGIN { printf "%.2f", a / b }')"
