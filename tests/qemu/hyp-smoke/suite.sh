#!/usr/bin/env bash
# TAP suite for scripts/run-tests.sh: the hyp-smoke guest under vhyp in the
# configurations the hypervisor supports, plus the panic path.
#   ok N - <configuration>
set -uo pipefail
cd "$(dirname "$0")/../../.."
RUN=tests/qemu/hyp-smoke/run.sh
n=0
fail=0
report() { # name, condition-status
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		fail=1
	fi
}
for cfg in "--gic 3 --smp 1" "--gic 3 --smp 2" "--gic 3 --smp 4" \
	"--gic 2 --smp 2" "--gic 3 --smp 2 --protected" \
	"--gic 2 --smp 3 --protected" "--cpu cortex-a57 --gic 2 --smp 2" \
	"--cpu a64fx --smp 2"; do
	# shellcheck disable=SC2086
	out=$("$RUN" $cfg 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "$out" | grep -E 'FAIL|^vhyp: (panic|unexpected)' | sed 's/^/# /'
	fi
	report "hyp-smoke $cfg (exit $rc)" "$rc"
done
# A hypervisor fault must dump registers and end QEMU through pvpanic
# (run.sh: status 33, as ./vhyp run).
out=$("$RUN" --hyp-args vhyp.debug_fault=1 2>&1)
rc=$?
ok=1
if [ "$rc" -eq 33 ] && grep -q '^vhyp: ESR 0x' <<<"$out" &&
	grep -q '^vhyp: x30 ' <<<"$out"; then
	ok=0
fi
report "EL2 fault: register dump and exit status 33 (got $rc)" "$ok"
# A failed CHECK() (vhyp.debug_fault=2) names the invariant and its place,
# then BRK: a register dump whose ESR is a BRK64 (EC 0x3C) with x1 = the
# line, and the panic channel's exit status 33.
out=$("$RUN" --hyp-args vhyp.debug_fault=2 2>&1)
rc=$?
ok=1
line=$(grep -oE 'CHECK\(g_hyp.cmd.debug_fault != 2\) failed at hyp/main.c:[0-9]+' <<<"$out" | grep -oE '[0-9]+$')
esr=$(grep -oE '^vhyp: ESR 0x[0-9a-f]+' <<<"$out" | head -1 | grep -oE '0x[0-9a-f]+$')
x1=$(grep -oE '^vhyp: x0  0x[0-9a-f]+ x1  0x[0-9a-f]+' <<<"$out" | grep -oE '0x[0-9a-f]+$')
if [ "$rc" -eq 33 ] && [ -n "$line" ] && [ -n "$esr" ] && [ -n "$x1" ] &&
	[ $((esr >> 26)) -eq $((0x3C)) ] && [ $((x1)) -eq "$line" ]; then
	ok=0
fi
report "CHECK failure: message, BRK dump (ESR ${esr:-?}, x1 ${x1:-?} = line ${line:-?}), exit $rc" "$ok"
# W^X at EL2: a store to the hypervisor's text and a jump into its data
# both fault (permission fault at EL2: data abort EC 0x25, instruction
# abort EC 0x21) at the address the hypervisor names, dump, exit 33.
for wx in "1 0x25 store-to-text" "2 0x21 execute-data"; do
	# shellcheck disable=SC2086 # split into number, class, name
	set -- $wx
	out=$("$RUN" --hyp-args "vhyp.debug_wx=$1" 2>&1)
	rc=$?
	ok=1
	addr=$(grep -oE "debug_wx=$1: [a-z ]+ at 0x[0-9a-f]+" <<<"$out" | grep -oE '0x[0-9a-f]+$')
	esr=$(grep -oE '^vhyp: ESR 0x[0-9a-f]+' <<<"$out" | head -1 | grep -oE '0x[0-9a-f]+$')
	far=$(grep -oE 'FAR 0x[0-9a-f]+' <<<"$out" | head -1 | grep -oE '0x[0-9a-f]+$')
	if [ "$rc" -eq 33 ] && [ -n "$addr" ] && [ -n "$esr" ] &&
		[ $((esr >> 26)) -eq $(($2)) ] && [ $((far)) -eq $((addr)) ] &&
		! grep -q 'W^X broken' <<<"$out"; then
		ok=0
	fi
	report "W^X: $3 faults at EL2 (ESR ${esr:-?}, FAR ${far:-?}, exit $rc)" "$ok"
done
# A trap vhyp does not handle (WFI with vhyp.debug_trap_wfx=1) becomes an
# UNDEFINED exception in the guest, which carries on.
out=$("$RUN" --smp 1 --hyp-args vhyp.debug_trap_wfx=1 \
	--bootargs "console=ttyAMA0 hyp-smoke.trap-wfi" 2>&1)
rc=$?
ok=1
if [ "$rc" -eq 0 ] && grep -q 'hyp-smoke: WFI trap checked' <<<"$out" &&
	grep -q '^vhyp: cpu0: trap EC 0x1 ' <<<"$out"; then
	ok=0
fi
report "unhandled trap (WFI) -> UNDEFINED injected (got $rc)" "$ok"
# Guest RAM overlapping the hypervisor window is refused before the guest
# runs (exit status 33).
out=$("$RUN" --guest-mem 44000000 --timeout 20 2>&1)
rc=$?
ok=1
if [ "$rc" -eq 33 ] && grep -q '^vhyp: panic: .*overlaps the hypervisor window' <<<"$out" &&
	! grep -q 'hyp-smoke: started' <<<"$out"; then
	ok=0
fi
report "guest RAM overlapping the window refused (got $rc)" "$ok"
echo "1..$n"
exit "$fail"
