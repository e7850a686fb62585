#!/usr/bin/env bash
# Regression checks of the isolation work (issue 10; `make bench` runs
# it; docs/benchmarks.md, "Regression checks"): this tree against commit
# d144c1d, the last one before it, built from `git archive` in
# $O/bench/passthrough (with its own runner: the runner's console
# protocol changed since).
#
#   hypercalls  the guest bench/guest ($O/bench/hypercalls.bin) under
#               -icount shift=0, normal and protected VM, under both
#               hypervisors: FEATURES, PTP and SHARE+UNSHARE must be
#               within 5% (docs/bench/regress.csv; exit 1 otherwise)
#   boot        tests/linux/boot-bench.sh with VHYP_BASE: Debian's kernel
#               booted directly, under this vhyp and under d144c1d's,
#               interleaved; the two ratios to the direct boot
#               (docs/bench/boot-regress.txt).  BENCH_BOOT_RUNS (default
#               3; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
O=${O:-build}
case $O in /*) ;; *) O=$REPO/$O ;; esac
OUT=${BENCH_OUT:-$REPO/docs/bench}
BASE_COMMIT=d144c1d
BASE_SRC=$O/bench/passthrough
RUNS=$O/bench/regress-runs
GUEST=$O/bench/hypercalls.bin
BOOT_RUNS=${BENCH_BOOT_RUNS:-3}
# The checked rows (protected-only rows come from the protected VM).
CHECKED=(features ptp_virt ptp_phys share_unshare_1 share_unshare_64)
ALL=(unknown smccc_version uid features ptp_virt ptp_phys meminfo
	share_unshare_1 share_unshare_64 mmio_guard)
LIMIT_PCT=5

log() { echo "bench-regress: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

build_base() {
	git -C "$REPO" rev-parse --verify -q "$BASE_COMMIT^{commit}" >/dev/null ||
		die "commit $BASE_COMMIT not in this repository"
	if [ ! -f "$BASE_SRC/Makefile" ]; then
		rm -rf "$BASE_SRC" && mkdir -p "$BASE_SRC"
		git -C "$REPO" archive "$BASE_COMMIT" | tar -x -C "$BASE_SRC"
	fi
	make -s --no-print-directory -C "$BASE_SRC" O=build build/hyp/vhyp.bin >&2
}

run() { # run NAME RUNNER O_DIR [ARGS...]
	local name=$1 runner=$2 odir=$3
	shift 3
	if O=$odir "$runner" run --kernel "$GUEST" --icount --timeout 300 "$@" \
		</dev/null >"$RUNS/$name.out" 2>&1 &&
		grep -q '^bench: done' "$RUNS/$name.out"; then
		log "$name: done"
	else
		die "$name failed (see $RUNS/$name.out)"
	fi
}

value() { # value RUN ROW
	tr -d '\r' <"$RUNS/$1.out" | sed -n "s/^bench: $2 \([0-9][0-9]*\)\$/\1/p" | head -n 1
}

# row_value KIND ROW: the normal VM's figure, or the protected VM's for
# the protected-only rows.
row_value() {
	local v
	v=$(value "$1" "$2")
	[ -n "$v" ] || v=$(value "$1_protected" "$2")
	echo "$v"
}

hypercalls() {
	local row now base pct checked fail=0
	make -s --no-print-directory O="$O" "$GUEST" "$O/hyp/vhyp.bin" >&2
	run now ./vhyp "$O"
	run now_protected ./vhyp "$O" --protected
	run base "$BASE_SRC/vhyp" "$BASE_SRC/build"
	run base_protected "$BASE_SRC/vhyp" "$BASE_SRC/build" --protected
	{
		echo "call,now,$BASE_COMMIT,change_pct,checked"
		for row in "${ALL[@]}"; do
			now=$(row_value now "$row")
			base=$(row_value base "$row")
			pct=""
			[ -n "$now" ] && [ -n "$base" ] &&
				pct=$(awk -v a="$now" -v b="$base" 'BEGIN { printf "%+.1f", (a - b) * 100 / b }')
			checked=no
			[[ " ${CHECKED[*]} " == *" $row "* ]] && checked=yes
			echo "$row,$now,$base,$pct,$checked"
		done
	} >"$OUT/regress.csv"
	echo
	echo "Hypercall cost, this tree against $BASE_COMMIT (instructions, -icount shift=0):"
	column -t -s, -o '  ' "$OUT/regress.csv"
	while IFS=, read -r row now base pct checked; do
		[ "$checked" = yes ] || continue
		if [ -z "$pct" ] || awk -v p="$pct" -v l="$LIMIT_PCT" 'BEGIN { exit !(p > l) }'; then
			log "REGRESSION: $row $now against $base ($pct%)"
			fail=1
		fi
	done < <(tail -n +2 "$OUT/regress.csv")
	[ "$fail" = 0 ] && echo "FEATURES, PTP, SHARE+UNSHARE: within $LIMIT_PCT% of $BASE_COMMIT"
	return "$fail"
}

boot() {
	[ "$BOOT_RUNS" -gt 0 ] || return 0
	echo
	echo "Boot of Debian's kernel: direct, this vhyp, $BASE_COMMIT's vhyp ($BOOT_RUNS runs each, interleaved):"
	# Each runner with its own build directory (O is exported by make).
	O=$O VHYP_BASE=$BASE_SRC/vhyp VHYP_BASE_O=$BASE_SRC/build tests/linux/boot-bench.sh "$BOOT_RUNS" |
		tee "$OUT/boot-regress.txt"
}

main() {
	local rc=0
	mkdir -p "$RUNS" "$OUT"
	build_base
	hypercalls || rc=1
	boot
	return "$rc"
}

main "$@"
