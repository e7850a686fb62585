#!/usr/bin/env bash
# Boot time of the stock-Linux test kernel under vhyp against the same kernel
# booted directly at EL1 by the same QEMU binary (virtualization=off).
#
# Measures, for each boot, the wall time from starting the command
# (`./vhyp run ...` or tests/linux/direct-boot.sh) to the initramfs's first
# line ("vhyp-linux-test: init"), and the kernel's own timestamp of
# "Run /init".  Runs are interleaved (direct, vhyp, direct, ...) so that a
# change in machine load hits both sides alike; prints medians, minimums and
# their ratios.
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
# Medians, and minimums: on a shared 2-core machine the other load only
# ever adds time, so the fastest run of each side is the least disturbed.
summary() { # summary LABEL DIRECT... -- VHYP...
	local label=$1 d v dmed vmed dmin vmin
	shift
	d=$(printf '%s\n' "$@" | sed '/^--$/,$d')
	v=$(printf '%s\n' "$@" | sed '1,/^--$/d')
	dmed=$(median <<<"$d") vmed=$(median <<<"$v")
	dmin=$(sort -n <<<"$d" | head -n1) vmin=$(sort -n <<<"$v" | head -n1)
	awk -v l="$label" -v dm="$dmed" -v vm="$vmed" -v dn="$dmin" -v vn="$vmin" 'BEGIN {
		printf "%s: median direct %.2fs vhyp %.2fs ratio %.2f; min direct %.2fs vhyp %.2fs ratio %.2f\n",
			l, dm, vm, vm / dm, dn, vn, vn / dn }'
}
summary "to first line" "${direct_first[@]}" -- "${vhyp_first[@]}"
summary "kernel Run /init" "${direct_init[@]}" -- "${vhyp_init[@]}"
