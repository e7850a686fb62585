#!/usr/bin/env bash
# The interrupt benchmark (`make bench` runs it; docs/benchmarks.md): the
# guest bench/irq-guest ($O/bench/irq.bin) under QEMU -icount shift=0,
# GICv3, 2 vCPUs (the cross-vCPU IPI needs the second), under
#   vhyp         this tree's hypervisor (the moderated GIC, hyp/vgic)
#   passthrough  the hypervisor of commit d144c1d, which mapped the GIC
#                into the guest's stage 2; built from `git archive` in
#                $O/bench/passthrough (skipped without git or that commit:
#                the column then keeps the figures recorded in the CSV)
# and writes docs/bench/irq.csv and the table: instructions per figure
# (see the guest's header comment for what each measures).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
O=${O:-build}
case $O in /*) ;; *) O=$REPO/$O ;; esac
OUT=${BENCH_OUT:-$REPO/docs/bench}
GUEST=$O/bench/irq.bin
PASS_COMMIT=d144c1d
PASS_SRC=$O/bench/passthrough
RUNS=$O/bench/irq-runs
FIGURES=(gicd_read ram_read ack eoi ipi ipi_median ipi_cross ipi_cross_median vtimer vtimer_median)

log() { echo "bench-irq: $*" >&2; }

run() { # run NAME RUNNER O_DIR (d144c1d's runs with its own runner: the
	# console protocol between runner and hypervisor changed since)
	local name=$1 runner=$2 odir=$3
	if O=$odir "$runner" run --kernel "$GUEST" --icount --gic 3 --smp 2 --timeout 300 \
		>"$RUNS/$name.out" 2>&1 && grep -q '^bench: done' "$RUNS/$name.out"; then
		log "$name: done"
	else
		log "$name: FAILED (see $RUNS/$name.out)"
		return 1
	fi
}

build_passthrough() {
	git -C "$REPO" rev-parse --verify -q "$PASS_COMMIT^{commit}" >/dev/null || return 1
	if [ ! -f "$PASS_SRC/Makefile" ]; then
		rm -rf "$PASS_SRC" && mkdir -p "$PASS_SRC"
		git -C "$REPO" archive "$PASS_COMMIT" | tar -x -C "$PASS_SRC" || return 1
	fi
	make -s --no-print-directory -C "$PASS_SRC" build/hyp/vhyp.bin >&2
}

value() { # value RUN FIGURE
	[ -f "$RUNS/$1.out" ] || return 0
	sed -n "s/^bench: $2 \([0-9][0-9]*\)\r\?\$/\1/p" "$RUNS/$1.out" | head -n 1
}

recorded() { # recorded FIGURE: the passthrough column of the existing CSV
	[ -f "$OUT/irq.csv" ] || return 0
	awk -F, -v f="$1" '$1 == f { print $3 }' "$OUT/irq.csv"
}

main() {
	local f v p have_pass=0
	make -s --no-print-directory O="$O" "$GUEST" "$O/hyp/vhyp.bin" >&2
	mkdir -p "$RUNS" "$OUT"
	run vhyp ./vhyp "$O"
	if build_passthrough && run passthrough "$PASS_SRC/vhyp" "$PASS_SRC/build"; then
		have_pass=1
	else
		log "passthrough build of $PASS_COMMIT unavailable: keeping the recorded column"
	fi
	{
		echo "figure,vhyp,passthrough_$PASS_COMMIT"
		for f in "${FIGURES[@]}"; do
			v=$(value vhyp "$f")
			if [ "$have_pass" = 1 ]; then p=$(value passthrough "$f"); else p=$(recorded "$f"); fi
			echo "$f,$v,$p"
		done
	} >"$OUT/irq.csv.new"
	mv "$OUT/irq.csv.new" "$OUT/irq.csv"
	echo
	echo "Interrupt costs, instructions (QEMU -icount shift=0, GICv3):"
	column -t -s, -o '  ' "$OUT/irq.csv"
	echo
	grep -h '^vhyp: gic: mmio exits' "$RUNS/vhyp.out" | tr -d '\r' || true
}

main "$@"
