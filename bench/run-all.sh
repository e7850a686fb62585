#!/usr/bin/env bash
# The hypercall benchmark (`make bench` runs it after the host bench): the
# guest bench/guest (build/bench/hypercalls.bin) under QEMU -icount shift=0
#
#   vhyp            ./vhyp run --icount                (normal VM)
#   vhyp_protected  ./vhyp run --icount --protected
#   floor           the same with build/hyp/vhyp-floor.bin (empty HVC handler)
#   kvm_vhe, kvm_nvhe, pkvm_protected, pkvm_normal
#                   bench/kvm/run.sh (Debian's kernel, KVM in that mode)
#
# then writes docs/bench/hypercalls.csv and docs/bench/hypercalls.png and
# prints the table with the ratios.  Every figure is instructions per call
# (per granule for share_unshare_*), loop included; see docs/benchmarks.md.
#
# Environment: BENCH_KVM_MODES (default "vhe nvhe protected pkvm-normal";
# empty skips Linux KVM: its columns then keep the figures already in the
# CSV), BENCH_JOBS (QEMUs at once, default 2), O (build
# directory), BENCH_OUT (default docs/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
O=${O:-build}
case $O in /*) ;; *) O=$REPO/$O ;; esac
OUT=${BENCH_OUT:-$REPO/docs/bench}
KVM_MODES=${BENCH_KVM_MODES-vhe nvhe protected pkvm-normal}
JOBS=${BENCH_JOBS:-2}
GUEST=$O/bench/hypercalls.bin
RUNS=$O/bench/qemu
VHYP_TIMEOUT=300

log() { echo "bench: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# The rows, in table order, and the runs (CSV columns) in theirs.
CALLS=(unknown smccc_version uid features ptp_virt ptp_phys meminfo
	share_unshare_1 share_unshare_64 mmio_guard)
RUN_NAMES=(vhyp vhyp_protected floor kvm_vhe kvm_nvhe pkvm_normal pkvm_protected)

kvm_run_name() {
	case $1 in
	vhe) echo kvm_vhe ;;
	nvhe) echo kvm_nvhe ;;
	protected) echo pkvm_protected ;;
	pkvm-normal) echo pkvm_normal ;;
	*) die "unknown KVM mode '$1'" ;;
	esac
}

build() {
	log "building what is missing"
	make -s --no-print-directory O="$O" "$GUEST" "$O/hyp/vhyp.bin" \
		"$O/hyp/vhyp-floor.bin" >&2
}

# run NAME COMMAND...: the guest's output in $RUNS/NAME.out; a failed run
# leaves $RUNS/NAME.failed.
run() {
	local name=$1 start end
	shift
	rm -f "$RUNS/$name.out" "$RUNS/$name.failed"
	start=$(date +%s)
	if "$@" >"$RUNS/$name.out" 2>"$RUNS/$name.err"; then
		end=$(date +%s)
		log "$name: done in $((end - start)) s"
	else
		touch "$RUNS/$name.failed"
		log "$name: FAILED (see $RUNS/$name.err)"
	fi
}

# The floor: the runner takes the hypervisor from $O/hyp/vhyp.bin, so it
# gets an O of its own whose vhyp.bin is the floor image (and whose tools/
# links to this build's).
run_floor() {
	local fo=$RUNS/floor-o tool
	mkdir -p "$fo/hyp" "$fo/tools"
	cp "$O/hyp/vhyp-floor.bin" "$fo/hyp/vhyp.bin"
	# The runner's own tools (console filter, FEATURES parser) as built.
	for tool in "$O"/tools/vhyp-*; do
		[ -x "$tool" ] && ln -sf "$tool" "$fo/tools/"
	done
	O=$fo ./vhyp run --kernel "$GUEST" --icount --timeout "$VHYP_TIMEOUT"
}

# Runs every configuration, at most JOBS QEMUs at once (under -icount the
# figures do not depend on the machine's load, only the wall clock does).
run_all() {
	local mode
	mkdir -p "$RUNS"
	rm -f "$RUNS"/*.out "$RUNS"/*.err "$RUNS"/*.failed
	start_job run vhyp ./vhyp run --kernel "$GUEST" --icount --timeout "$VHYP_TIMEOUT"
	start_job run vhyp_protected ./vhyp run --kernel "$GUEST" --icount \
		--protected --timeout "$VHYP_TIMEOUT"
	start_job run floor run_floor
	for mode in $KVM_MODES; do
		start_job run "$(kvm_run_name "$mode")" bench/kvm/run.sh "$GUEST" "$mode"
	done
	wait
}
start_job() {
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	"$@" &
}

# value RUN CALL: the figure RUN printed for CALL, or nothing; for a
# Linux KVM run left out of BENCH_KVM_MODES, the figure already in the CSV
# (an earlier session's: say so when quoting it).
value() {
	if [ ! -f "$RUNS/$1.out" ] && [[ $1 == *kvm* ]]; then
		recorded "$1" "$2"
		return 0
	fi
	[ -f "$RUNS/$1.out" ] && [ ! -f "$RUNS/$1.failed" ] || return 0
	sed -n "s/^bench: $2 \([0-9][0-9]*\)\r\?\$/\1/p" "$RUNS/$1.out" | head -n 1
}

# recorded RUN CALL: RUN's column of the CSV as it was before this run.
recorded() {
	[ -f "$OLD_CSV" ] || return 0
	awk -F, -v run="$1" -v call="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == run) c = i; next }
		$1 == call && c { print $c }' "$OLD_CSV"
}

# ratio A B: A / B with two decimals, or nothing when either is missing.
ratio() {
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ] || return 0
	local r=$((($1 * 200 + $2) / ($2 * 2)))
	printf '%d.%02d' $((r / 100)) $((r % 100))
}

# vhyp's figure for a call: the normal VM's, or for the protected-only
# calls the protected VM's.
vhyp_value() {
	local v
	v=$(value vhyp "$1")
	[ -n "$v" ] || v=$(value vhyp_protected "$1")
	echo "$v"
}

write_csv() {
	local call v vp f kv kn pn pp
	echo "call,vhyp,vhyp_protected,floor,kvm_vhe,kvm_nvhe,pkvm_normal,pkvm_protected,vhyp_over_kvm_vhe,vhyp_protected_over_pkvm_protected,vhyp_over_floor"
	for call in "${CALLS[@]}"; do
		v=$(vhyp_value "$call")
		vp=$(value vhyp_protected "$call")
		f=$(value floor "$call")
		kv=$(value kvm_vhe "$call")
		kn=$(value kvm_nvhe "$call")
		pn=$(value pkvm_normal "$call")
		pp=$(value pkvm_protected "$call")
		echo "$call,$(value vhyp "$call"),$vp,$f,$kv,$kn,$pn,$pp,$(ratio "$v" "$kv"),$(ratio "$vp" "$pp"),$(ratio "$v" "$f")"
	done
}

print_table() {
	echo
	echo "Hypercall cost, instructions per call (share_unshare_*: per granule), loop included;"
	echo "QEMU $(qemu-system-aarch64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') -icount shift=0.  '-': not offered there."
	echo
	column -t -s, -o '  ' <(sed 's/,,/,-,/g; s/,,/,-,/g; s/,$/,-/' "$OUT/hypercalls.csv")
}

plot() {
	command -v gnuplot >/dev/null || {
		log "gnuplot missing (scripts/install-deps.sh installs gnuplot-nox): no PNG"
		return 0
	}
	# gnuplot warns about the columns of runs that were skipped.
	gnuplot 2> >(grep -v -e 'Skipping data file' -e '^$' >&2) <<EOF
set terminal pngcairo size 1100,560 font "sans,10"
set output "$OUT/hypercalls.png"
set datafile separator ","
set datafile missing ""
set datafile columnheaders
set termoption noenhanced
set title "Hypercall round trip under QEMU -icount shift=0 (instructions per call, log scale; lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [10:20000]
set grid ytics
set key outside right top
set xtics rotate by 30 right nomirror
plot "$OUT/hypercalls.csv" using 2:xtic(1) title "vhyp", \
     "" using 3 title "vhyp (protected VM)", \
     "" using 4 title "floor (empty HVC handler)", \
     "" using 5 title "KVM VHE", \
     "" using 6 title "KVM nVHE", \
     "" using 7 title "pKVM normal VM", \
     "" using 8 title "pKVM protected VM"
EOF
}

main() {
	local t0 t1 name
	t0=$(date +%s)
	[ -x bench/kvm/run.sh ] || die "bench/kvm/run.sh missing"
	build
	[ -f "$GUEST" ] || die "$GUEST was not built"
	run_all
	mkdir -p "$OUT"
	OLD_CSV=$RUNS/hypercalls.csv.before
	rm -f "$OLD_CSV"
	[ ! -f "$OUT/hypercalls.csv" ] || cp "$OUT/hypercalls.csv" "$OLD_CSV"
	write_csv >"$OUT/hypercalls.csv.new"
	mv "$OUT/hypercalls.csv.new" "$OUT/hypercalls.csv"
	plot
	print_table
	t1=$(date +%s)
	echo
	echo "CSV: ${OUT#"$REPO"/}/hypercalls.csv  plot: ${OUT#"$REPO"/}/hypercalls.png  runs: ${RUNS#"$REPO"/}/  ($((t1 - t0)) s)"
	for name in "${RUN_NAMES[@]}"; do
		[ -f "$RUNS/$name.out" ] || log "$name: not run (figures from the CSV before)"
		[ ! -f "$RUNS/$name.failed" ] || die "the $name run failed: $RUNS/$name.err"
	done
}

main "$@"
