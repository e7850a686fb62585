#!/usr/bin/env bash
# Host benchmark of the core: callgrind instruction counts inside
# vhyp_smccc_call (inclusive), per call, built at -O2 without sanitizers.
# Writes docs/bench/host.csv and prints a table with the ratio to the
# cheapest path (an unknown vendor ID), measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/bench/core_bench}
N=10000
csv=docs/bench/host.csv
mkdir -p docs/bench build/bench/cg

ir_of() { # command... -> Ir collected inside vhyp_smccc_call
	local out=build/bench/cg/out.$$
	valgrind --tool=callgrind --toggle-collect=vhyp_smccc_call \
		--callgrind-out-file="$out" "$@" >/dev/null 2>&1
	awk '/^summary:/ {print $2}' "$out"
	rm -f "$out"
}

declare -A per_call
echo "call,instructions_per_call,ratio_to_unknown" >"$csv.tmp"
for c in unknown version uid features ptp meminfo mmio_guard; do
	ir=$(ir_of "$bin" call "$c" "$N")
	per_call[$c]=$(awk -v a="$ir" -v n="$N" 'BEGIN {printf "%.1f", a / n}')
done
# share: N pairs of SHARE+UNSHARE of one granule.
ir=$(ir_of "$bin" call share "$N")
per_call[share_unshare]=$(awk -v a="$ir" -v n="$N" 'BEGIN {printf "%.1f", a / n}')

base=${per_call[unknown]}
printf '%-16s %12s %10s\n' call instr/call "x unknown"
for c in unknown version uid features ptp meminfo mmio_guard share_unshare; do
	ratio=$(awk -v a="${per_call[$c]}" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
	printf '%-16s %12s %10s\n' "$c" "${per_call[$c]}" "$ratio"
	echo "$c,${per_call[$c]},$ratio" >>"$csv.tmp"
done

echo
printf '%-16s %14s %10s\n' "share+unshare" "instr/granule" "x 1 MiB"
echo "share_unshare_range_mib,instructions_per_granule,ratio_to_1mib" >>"$csv.tmp"
first=""
for mib in 1 64 1024; do
	ir=$(ir_of "$bin" share "$mib")
	g=$((mib * 256))
	per=$(awk -v a="$ir" -v n="$g" 'BEGIN {printf "%.1f", a / n}')
	[ -z "$first" ] && first=$per
	ratio=$(awk -v a="$per" -v b="$first" 'BEGIN {printf "%.3f", a / b}')
	printf '%-16s %14s %10s\n' "${mib} MiB" "$per" "$ratio"
	echo "$mib,$per,$ratio" >>"$csv.tmp"
done

tables=$("$bin" tables 1024 | awk '{print $2}')
echo
echo "page-table memory for 1 GiB of RAM (normal VM, blocks): $tables bytes"
echo "tables_bytes_1gib,$tables," >>"$csv.tmp"
mv "$csv.tmp" "$csv"
