#!/usr/bin/env bash
# Boot time of the stock-Linux test kernel under vhyp against the same kernel
# booted directly at EL1 by the same QEMU binary (virtualization=off).
#
# For each boot it records
#   first   wall time from starting the command (`./vhyp run ...` or
#           tests/linux/direct-boot.sh) to the initramfs's first line
#           ("vhyp-linux-test: init");
#   init    the kernel's own timestamp of "Run /init" (guest time);
#   cpu     user+system CPU seconds of the whole command (QEMU and, for
#           vhyp, the runner and its DTB dump); the guest powers off right
#           after its first line, so this is the CPU cost of the boot, and
#           it moves much less than wall time when other work shares the
#           machine.
# Runs are interleaved (direct, vhyp, direct, ...) so that a change in
# machine load hits both sides alike.  Prints medians, minimums and ratios.
#
# With --icount both sides run QEMU with -icount shift=0: guest time is then
# instruction count (1 ns per instruction), so "init" counts the
# instructions executed up to /init and does not depend on host load at all
# (it leaves out QEMU's own cost of stage-2 translation, which is not guest
# instructions).
#
# With VHYP_BASE set to another checkout's runner (bench/regress.sh: the
# tree before the isolation work), its boots join the interleaving as a
# third kind, "base", and the summary compares vhyp with it too.
#
# Usage: boot-bench.sh [--icount] [RUNS [SMP]]   (default 3 runs, 2 CPUs)
set -euo pipefail
# shellcheck source=tests/linux/lib.sh
source "$(dirname "$0")/lib.sh"

ICOUNT=0
if [ "${1:-}" = --icount ]; then
	ICOUNT=1
	shift
fi
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
VHYP_BASE=${VHYP_BASE:-}
KINDS=(direct vhyp)
if [ -n "$VHYP_BASE" ]; then
	[ -x "$VHYP_BASE" ] || die "no runner $VHYP_BASE"
	KINDS+=(base)
fi

now_ns() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "${t}000"
}

run_kind() {
	local kind=$1 icount=()
	if [ "$kind" = direct ]; then
		[ "$ICOUNT" = 1 ] && icount=(--icount)
		"$LINUX_DIR/direct-boot.sh" --kernel "$IMAGE" --initrd "$INITRD" \
			--smp "$SMP" --mem "$MEM" --append "$APPEND" --timeout 600 \
			"${icount[@]}"
	else
		local runner=$VHYP odir=${O:-}
		if [ "$kind" = base ]; then
			runner=$VHYP_BASE
			odir=${VHYP_BASE_O:-$(dirname "$VHYP_BASE")/build}
		fi
		[ "$ICOUNT" = 1 ] && icount=(--icount)
		O=$odir "$runner" run --kernel "$IMAGE" --initrd "$INITRD" --smp "$SMP" \
			--mem "$MEM" --append "$APPEND" --timeout 600 "${icount[@]}"
	fi
}

# "0m1.500s" (bash `times`) -> seconds.
seconds() { awk -v t="$1" 'BEGIN { split(t, a, /[ms]/); printf "%.3f", a[1] * 60 + a[2] }'; }

# One boot; prints "<first> <init> <cpu>".
one_boot() {
	local kind=$1 start line first="" run_init="" cpu_file
	cpu_file=$(mktemp)
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
		run_kind "$kind" </dev/null 2>&1
		# `times`, not in a pipe (a forked shell has no children yet):
		# its second line is the CPU time of this subshell's children.
		times >"$cpu_file"
	)
	[ -n "$first" ] || die "$kind boot never reached /init"
	local user sys
	read -r user sys < <(sed -n 2p "$cpu_file")
	rm -f "$cpu_file"
	awk -v s="$start" -v e="$first" -v r="${run_init:-nan}" \
		-v u="$(seconds "$user")" -v y="$(seconds "$sys")" \
		'BEGIN { printf "%.3f %s %.3f\n", (e - s) / 1e9, r, u + y }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# summary LABEL DIRECT-VALUES VHYP-VALUES (newline-separated): medians, and
# minimums (other load on a shared machine only ever adds time, so the
# fastest run of each side is the least disturbed).
summary() {
	local label=$1 d v
	d=$(sed '/^$/d' <<<"$2") v=$(sed '/^$/d' <<<"$3")
	awk -v l="$label" -v dm="$(median <<<"$d")" -v vm="$(median <<<"$v")" \
		-v dn="$(sort -n <<<"$d" | head -n1)" -v vn="$(sort -n <<<"$v" | head -n1)" 'BEGIN {
		printf "%-18s median direct %7.2fs vhyp %7.2fs ratio %.2f | min direct %7.2fs vhyp %7.2fs ratio %.2f\n",
			l, dm, vm, vm / dm, dn, vn, vn / dn }'
}

main() {
	local i kind first init cpu
	local -A vals=()
	echo "kernel $(cat "$KDIR/release"), $SMP CPUs, $MEM, $RUNS runs each," \
		"$(nproc) host cores, load $(cut -d' ' -f1-3 /proc/loadavg)$([ "$ICOUNT" = 1 ] && echo ', -icount shift=0')"
	printf '%-4s %-7s %11s %11s %9s\n' run kind "first line" "Run /init" "CPU"
	for i in $(seq 1 "$RUNS"); do
		for kind in "${KINDS[@]}"; do
			read -r first init cpu < <(one_boot "$kind")
			printf '%-4s %-7s %10ss %10ss %8ss\n' "$i" "$kind" "$first" "$init" "$cpu"
			vals[$kind.first]+="$first"$'\n'
			vals[$kind.init]+="$init"$'\n'
			vals[$kind.cpu]+="$cpu"$'\n'
		done
	done
	summary "to first line" "${vals[direct.first]}" "${vals[vhyp.first]}"
	summary "kernel Run /init" "${vals[direct.init]}" "${vals[vhyp.init]}"
	summary "CPU time" "${vals[direct.cpu]}" "${vals[vhyp.cpu]}"
	if [ -n "$VHYP_BASE" ]; then
		echo "base: $VHYP_BASE (\"vhyp\" below is the base)"
		summary "base first line" "${vals[direct.first]}" "${vals[base.first]}"
		summary "base Run /init" "${vals[direct.init]}" "${vals[base.init]}"
		summary "base CPU time" "${vals[direct.cpu]}" "${vals[base.cpu]}"
	fi
	echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

main
