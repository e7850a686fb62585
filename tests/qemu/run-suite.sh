#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The QEMU integration suite: each test guest (guest/conformance,
# guest/idregs, guest/smp, guest/hostile) in a fresh QEMU under vhyp via `./vhyp run`,
# for GICv3 and GICv2.  The guests print TAP; this script re-prints every
# case line numbered for the whole suite and tagged with its configuration
# ("ok 12 - [gic3 conformance] case 5 ..."), so scripts/run-tests.sh counts
# every case, and adds per run:
#   ok/not ok - [cfg] run: exit status, complete plan
# A run that times out, exits non-zero or stops before its plan line is
# complete fails, and its whole console output (guest lines and "vhyp:"
# lines) is printed, prefixed "# ".
#
#   tests/qemu/run-suite.sh [--gic 2|3]... [--only NAME]... [--timeout S]
#                           [--keep DIR]  (keep each run's console log)
# The options may also come from $QEMU_SUITE_ARGS (make qemu-tests
# QEMU_TEST_ARGS=...), since scripts/run-tests.sh passes none.
set -uo pipefail
# shellcheck disable=SC2086
[ -z "${QEMU_SUITE_ARGS:-}" ] || set -- $QEMU_SUITE_ARGS "$@"
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}

GICS=() ONLY=() TIMEOUT=60 KEEP=""
while [ $# -gt 0 ]; do
	case $1 in
	--gic) GICS+=("$2"); shift 2 ;;
	--only) ONLY+=("$2"); shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--keep) KEEP=$2; shift 2 ;;
	*) echo "usage: $0 [--gic 2|3]... [--only NAME]... [--timeout S] [--keep DIR]" >&2; exit 2 ;;
	esac
done
[ ${#GICS[@]} -gt 0 ] || GICS=(3 2)
[ -z "$KEEP" ] || mkdir -p "$KEEP"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }

# The configurations: name | guest | ./vhyp run options | guest command line.
# host_time_ns is filled in just before each run.
CONFIGS=(
	"conformance|conformance||expect_features=0x3"
	"conformance-features-0x1|conformance|--features features|expect_features=0x1"
	"conformance-features-0x0|conformance|--features 0|expect_features=0x0"
	"conformance-protected|conformance|--protected|protected=1 expect_features=0x9f"
	"conformance-off2|conformance||poweroff=1"
	"conformance-protected-reset2|conformance|--protected|protected=1 expect_features=0x9f poweroff=2"
	"idregs|idregs||"
	"idregs-mte|idregs|--mte|expect_mte=1"
	"idregs-protected-mte|idregs|--protected --mte|expect_mte=1"
	"smp|smp|--smp 4|"
	"hostile|hostile|--smp 4|"
)

selected() {
	local name=$1 o
	[ ${#ONLY[@]} -eq 0 ] && return 0
	for o in "${ONLY[@]}"; do
		[[ $name == "$o"* ]] && return 0
	done
	return 1
}

# Runs one configuration and reports it.
run_one() {
	local gic=$1 name=$2 guest=$3 opts=$4 append=$5
	local tag="gic$gic $name" log rc plan results line kernel=$O/guest/$guest.bin
	if [ ! -f "$kernel" ]; then
		not_ok "[$tag] $kernel is missing (make all)"
		return
	fi
	log=$(mktemp)
	append="${append:+$append }host_time_ns=$(date +%s%N)"
	# shellcheck disable=SC2086
	./vhyp run --kernel "$kernel" --gic "$gic" $opts --append "$append" \
		--timeout "$TIMEOUT" >"$log" 2>&1
	rc=$?
	# Serial output ends lines with \r\n.
	sed -i 's/\r$//' "$log"
	[ -z "$KEEP" ] || cp "$log" "$KEEP/gic$gic-$name.log"
	results=0
	local run_failed=0
	while IFS= read -r line; do
		if [[ $line =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
			ok "[$tag] ${BASH_REMATCH[1]}"
		elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
			not_ok "[$tag] ${BASH_REMATCH[1]}"
			run_failed=1
		else
			continue
		fi
		results=$((results + 1))
	done <"$log"
	plan=$(grep -E '^1\.\.[0-9]+$' "$log" | tail -n 1 | cut -d. -f3)
	local why=() want=0
	# A run that ends through a reset: the runner's "guest reset" status.
	[[ $name != *-reset2 ]] || want=32
	[ "$rc" -eq "$want" ] || why+=("exit status $rc, not $want$([ "$rc" -eq 124 ] && echo ' (timeout)')$(case $rc in 32) echo ' (guest reset)' ;; 33) echo ' (hypervisor panic)' ;; 35) echo ' (QEMU stopped)' ;; esac)")
	if [ -z "$plan" ]; then
		why+=("no plan line: $results results, the guest stopped early")
	elif [ "$plan" -ne "$results" ]; then
		why+=("plan 1..$plan but $results results")
	fi
	# The PSCI 1.3 ends (poweroff=1|2): the hypervisor saw that call.
	case $name in
	*-off2) grep -q '^vhyp: guest called SYSTEM_OFF2(HIBERNATE_OFF)' "$log" ||
		why+=("the run did not end through SYSTEM_OFF2") ;;
	*-reset2) grep -q '^vhyp: guest called SYSTEM_RESET2(SYSTEM_WARM_RESET)' "$log" ||
		why+=("the run did not end through SYSTEM_RESET2") ;;
	esac
	if [ ${#why[@]} -eq 0 ]; then
		ok "[$tag] run: exit $want, plan 1..$plan complete"
	else
		local joined
		joined=$(printf '%s; ' "${why[@]}")
		not_ok "[$tag] run: ${joined%; }"
		run_failed=1
	fi
	if [ "$run_failed" -ne 0 ]; then
		echo "# ---- console of [$tag]: ./vhyp run --kernel $kernel --gic $gic $opts --append \"$append\""
		sed 's/^/# /' "$log"
		echo "# ---- end of console of [$tag]"
	fi
	rm -f "$log"
}

if [ ! -x ./vhyp ] || [ ! -f "$O/hyp/vhyp.bin" ]; then
	not_ok "./vhyp or $O/hyp/vhyp.bin missing (make all)"
	echo "1..$n"
	exit 1
fi

for gic in "${GICS[@]}"; do
	for cfg in "${CONFIGS[@]}"; do
		IFS='|' read -r name guest opts append <<<"$cfg"
		selected "$name" || continue
		# A guest not in this tree yet is not a failure.
		[ -d "guest/$guest" ] || continue
		run_one "$gic" "$name" "$guest" "$opts" "$append"
	done
done
echo "1..$n"
exit "$failed"
