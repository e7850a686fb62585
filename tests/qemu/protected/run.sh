#!/usr/bin/env bash
# The protected-VM suite (TAP, for scripts/run-tests.sh): the isolation and
# race guests (guest/isolation, guest/race) and the demo guest under vhyp
# as protected VMs, through ./vhyp run.  Each guest prints its own TAP
# lines; they are re-numbered here, prefixed with the guest's name, and
# followed by checks of the run as a whole (exit status, complete plan,
# the hypervisor's log lines).  Every run has a hard timeout; the whole
# suite takes about half a minute on an idle 2-core machine.
#   usage: tests/qemu/protected/run.sh [structure|isolation|race|demo ...]
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 2
O=${O:-build}
n=0
fail=0

report() { # condition-status, name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

# Runs ./vhyp run with the given arguments; output in $out, status in $rc.
boot() {
	out=$(./vhyp run "$@" 2>&1)
	rc=$?
}

# Re-emits the guest's TAP lines as ours and checks that its plan was
# complete (a guest that dies mid-way shows as a failure, not as fewer
# passes).
relay_tap() { # guest name
	local name=$1 plan got line
	while IFS= read -r line; do
		if [[ $line =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
			report 0 "$name: ${BASH_REMATCH[1]}"
		elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
			report 1 "$name: ${BASH_REMATCH[1]}"
		elif [[ $line =~ ^#\  ]]; then
			echo "$line"
		fi
	done < <(grep -E '^(not )?ok [0-9]+ - |^# ' <<<"$out")
	plan=$(grep -oE '^1\.\.[0-9]+' <<<"$out" | tail -1 | cut -d. -f3)
	got=$(grep -cE '^(not )?ok [0-9]+ - ' <<<"$out")
	report "$([ -n "$plan" ] && [ "$plan" -eq "$got" ] && [ "$rc" -eq 0 ] && echo 0 || echo 1)" \
		"$name: ran to its plan (${got}/${plan:-?} tests) and powered off (exit $rc)"
	if [ "$rc" -ne 0 ] || [ -z "$plan" ]; then
		grep -E '^vhyp: (panic|unexpected)|^rt: unexpected' <<<"$out" |
			head -5 | sed 's/^/# /'
	fi
}

has() { grep -qE "$1" <<<"$out" && echo 0 || echo 1; }
lacks() { grep -qE "$1" <<<"$out" && echo 1 || echo 0; }

run_isolation() {
	local t0=$SECONDS
	boot --kernel "$O/guest/isolation.bin" --protected --mem 64M --smp 4 \
		--timeout 90
	relay_tap isolation
	report "$(has '^vhyp: cpu[0-9]+: data abort at IPA 0xb000000 .*external abort injected')" \
		"isolation: the refused unguarded access is logged by the hypervisor"
	report "$(has '^vhyp: host access to guest IPA 0x[0-9a-f]+ faulted at EL2')" \
		"isolation: stray host access to a private granule is reported"
	report "$(lacks '^vhyp: (LEAK|panic|unexpected)')" \
		"isolation: no leak, no hypervisor panic"
	echo "# isolation: $((SECONDS - t0)) s"
}

run_race() {
	local t0=$SECONDS
	boot --kernel "$O/guest/race.bin" --protected --mem 64M --smp 4 \
		--timeout 150
	relay_tap race
	report "$(lacks '^vhyp: (LEAK|panic|unexpected|shared guest IPA)')" \
		"race: no leak, no missing host mapping, no hypervisor panic"
	echo "# race: $((SECONDS - t0)) s"
}

# The demo guest's console is the emulated PL011 (not the board's UART).
run_demo() {
	local ok=1
	boot --protected --mem 64M --smp 2 --timeout 60
	if [ "$rc" -eq 0 ] &&
		grep -q '^vhyp: protected VM: emulated PL011 at 0x9000000' <<<"$out" &&
		grep -q '^demo: powering off' <<<"$out"; then
		ok=0
	fi
	report "$ok" "demo guest as a protected VM prints through the emulated PL011 (exit $rc)"
}

# The host side reaches guest memory only through the accessor: no other
# file of hyp/devices copies with the fault-tolerant primitive or touches
# the EL2 mappings.
# The device-model rule (hyp/devices/model.h), checked the way the build
# checks it; hyp/devices/tests/model-rule.sh proves the check refuses
# models that reach guest memory or the grant operation another way.
run_structure() {
	local out st dir
	dir=$(mktemp -d)
	out=$(
		# shellcheck source=/dev/null
		source "$O/hyp/device-models.env" 2>/dev/null || exit 1
		export CC LD MODEL_CFLAGS
		# shellcheck disable=SC2086
		scripts/check-device-models.sh "$dir" $MODELS
	)
	st=$?
	rm -rf "$dir"
	report "$st" "hyp/devices: the device models follow the rule (${out##*device-models: })"
}

for what in "${@:-structure isolation race demo}"; do
	for w in $what; do
		case "$w" in
		isolation) run_isolation ;;
		race) run_race ;;
		demo) run_demo ;;
		structure) run_structure ;;
		*) echo "unknown part $w" >&2; exit 2 ;;
		esac
	done
done
echo "1..$n"
exit "$fail"
