#!/usr/bin/env bash
# Checks the real-KVM side of the benchmark end to end with the test guest
# (testguest/): in each mode the guest must print "hello", KVM's FEATURES
# bitmap for its kind of VM, its timings (and in a protected VM the results
# of HYP_MEMINFO, MEM_SHARE and MEM_UNSHARE), and power off; a guest that
# touches an unknown device must make run.sh fail.  Prints TAP and
# "N passed, M failed"; the per-call cost in instructions goes to the
# diagnostics (under -icount shift=0 one counter tick is 16 instructions).
#
# Usage: selftest.sh [MODE...]     (default: vhe nvhe protected pkvm-normal)
set -uo pipefail
# shellcheck source=bench/kvm/lib.sh
source "$(dirname "$0")/lib.sh"

# KVM's vendor-hyp FEATURES bitmap: FEATURES and PTP for a normal VM;
# FEATURES, HYP_MEMINFO, MEM_SHARE and MEM_UNSHARE for a pKVM protected VM.
declare -A EXPECT_FEATURES=([vhe]=0x3 [nvhe]=0x3 [pkvm-normal]=0x3 [protected]=0x1d)

n=0 passed=0 failed=0
result() { # OK NAME
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
		passed=$((passed + 1))
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

"$KVM_DIR/build.sh" || die "build failed"
guest="$KVM_BUILD/testguest.Image"
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(vhe nvhe protected pkvm-normal)

# The hex value the guest printed after LABEL, as a number ("" if none).
printed_hex() { # LABEL OUTPUT
	local v
	v=$(sed -n "s/^$1 x0 = //p" <<<"$2" | head -n1)
	[ -n "$v" ] && echo $((v))
}

# "# ROW: N ticks = I instructions per call" for each timing line.
report_costs() { # MODE OUTPUT
	local row per ticks
	while IFS='|' read -r row per ticks; do
		echo "# $1: $row: $ticks ticks per $per = $((ticks * 16 / per)) instructions each (loop included)"
	done < <(sed -n 's/^\(.*\): min ticks per \([0-9]*\) = \([0-9]*\)$/\1|\2|\3/p' <<<"$2")
}

for mode in "${modes[@]}"; do
	start=$(date +%s)
	out=$("$KVM_DIR/run.sh" "$guest" "$mode")
	rc=$?
	secs=$(($(date +%s) - start))
	features=$(printed_hex FEATURES "$out")
	want=$((EXPECT_FEATURES[$mode]))
	result "$([ "$rc" = 0 ] && echo 1)" "$mode: guest ran and powered off (${secs} s)"
	result "$(grep -qx hello <<<"$out" && echo 1)" "$mode: guest console forwarded"
	result "$([ "${features:-x}" = "$want" ] && echo 1)" \
		"$mode: FEATURES = ${features:-none} (expect $want)"
	result "$(grep -q '^FEATURES: min ticks per [0-9]* = [0-9]' <<<"$out" && echo 1)" \
		"$mode: FEATURES timed"
	if [ "$mode" = protected ]; then
		result "$([ "$(printed_hex HYP_MEMINFO "$out")" = 4096 ] && echo 1)" \
			"$mode: HYP_MEMINFO = 4096"
		result "$([ "$(printed_hex MEM_SHARE "$out")" = 0 ] &&
			[ "$(printed_hex MEM_UNSHARE "$out")" = 0 ] && echo 1)" \
			"$mode: MEM_SHARE and MEM_UNSHARE of a guest page succeed"
	fi
	report_costs "$mode" "$out"
done

# A guest that writes to an address no device answers (0x0a000000, after a
# header whose code0 branches to 0x40): kvmrun must stop it and say why.
bad="$KVM_BUILD/badmmio.Image"
{
	printf '\x10\x00\x00\x14\x00\x00\x00\x00'     # b 0x40; code1
	printf '\x00\x00\x00\x00\x00\x00\x00\x00'     # text_offset
	printf '\x00\x10\x00\x00\x00\x00\x00\x00'     # image_size
	printf '\x0a\x00\x00\x00\x00\x00\x00\x00'     # flags
	printf '\x00%.0s' $(seq 24)                    # reserved
	printf 'ARM\x64\x00\x00\x00\x00'              # magic, reserved
	printf '\x01\x40\xa1\xd2\x3f\x00\x00\xb9\x00\x00\x00\x14' # movz x1, #0xa00, lsl #16; str wzr, [x1]; b .
} >"$bad"
out=$("$KVM_DIR/run.sh" "$bad" "${modes[0]}" 2>/dev/null)
rc=$?
result "$([ "$rc" != 0 ] && grep -q 'MMIO write at 0xa000000 outside the UART' <<<"$out" && echo 1)" \
	"${modes[0]}: unknown MMIO stops the guest and run.sh fails"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
