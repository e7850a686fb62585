#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Shared by the attack suites (tests/qemu/attack/<class>.sh).  Each suite
# sources this file, calls attack_run for each configuration and ends with
# attack_done.  TAP numbering is per suite.
#
#   attack_run TAG GUEST "RUN OPTIONS" "GUEST APPEND"
#     boots $O/guest/GUEST.bin with ./vhyp run, leaves the console in
#     $ATTACK_LOG (\r stripped) and the runner's status in $ATTACK_RC,
#     and re-prints the guest's own TAP lines tagged "[TAG]".
#   attack_ok / attack_not_ok "description"
#   attack_dump TAG: prints $ATTACK_LOG as TAP comments (after a failure)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.." || exit 1
O=${O:-build}
ATTACK_TIMEOUT=${ATTACK_TIMEOUT:-90}
attack_n=0
attack_failed=0
ATTACK_LOG=""
ATTACK_RC=0

attack_ok() { attack_n=$((attack_n + 1)); echo "ok $attack_n - $*"; }
attack_not_ok() {
	attack_n=$((attack_n + 1))
	attack_failed=1
	echo "not ok $attack_n - $*"
}
attack_check() { # attack_check "description" command...
	local what=$1
	shift
	if "$@"; then attack_ok "$what"; else attack_not_ok "$what"; fi
}

attack_dump() {
	echo "# ---- console of [$1]"
	sed 's/^/# /' "$ATTACK_LOG"
	echo "# ---- end of console of [$1]"
}

attack_run() {
	local tag=$1 guest=$2 opts=$3 append=$4 line kernel=$O/guest/$2.bin
	local guest_failed=0 results=0 plan
	[ -n "$ATTACK_LOG" ] && rm -f "$ATTACK_LOG"
	ATTACK_LOG=$(mktemp)
	if [ ! -f "$kernel" ]; then
		attack_not_ok "[$tag] $kernel is missing (make all)"
		ATTACK_RC=127
		return
	fi
	ATTACK_RC=0
	# shellcheck disable=SC2086
	./vhyp run --kernel "$kernel" $opts ${append:+--append "$append"} \
		--timeout "$ATTACK_TIMEOUT" </dev/null >"$ATTACK_LOG" 2>&1 ||
		ATTACK_RC=$?
	sed -i 's/\r$//' "$ATTACK_LOG"
	while IFS= read -r line; do
		if [[ $line =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
			attack_ok "[$tag] ${BASH_REMATCH[1]}"
		elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
			attack_not_ok "[$tag] ${BASH_REMATCH[1]}"
			guest_failed=1
		else
			continue
		fi
		results=$((results + 1))
	done <"$ATTACK_LOG"
	# A guest that stops early (and still powers off) must not pass on
	# the checks it did print: its plan must match its results.
	plan=$(grep -E '^1\.\.[0-9]+$' "$ATTACK_LOG" | tail -n 1 | cut -d. -f3)
	if [ "${plan:-none}" != "$results" ]; then
		attack_not_ok "[$tag] guest plan 1..${plan:-?} but $results results"
		guest_failed=1
	fi
	[ "$guest_failed" = 0 ] || attack_dump "$tag"
}

# The four configurations every class runs in: "TAG|OPTIONS".
ATTACK_CONFIGS=(
	"gic3 normal|--gic 3"
	"gic3 protected|--gic 3 --protected"
	"gic2 normal|--gic 2"
	"gic2 protected|--gic 2 --protected"
)

# attack_pattern_file FILE HI MIB: MIB MiB whose little-endian 64-bit
# word at byte offset o is HI << 32 | o (the disks of the diskhold and
# kickrace guests).  Perl, not python: perl-base is essential in Debian,
# python3 is in no dependency set.
attack_pattern_file() {
	perl -e '
		my ($hi, $mib) = (hex($ARGV[0]), $ARGV[1]);
		binmode STDOUT;
		for my $m (0 .. $mib - 1) {
			my $o = $m << 20;
			print pack("(VV)*", map { ($o + 8 * $_, $hi) } 0 .. 131071);
		}' "$2" "$3" >"$1"
}

# attack_counter LINE-PREFIX KEY: KEY=value from the first
# "vhyp: LINE-PREFIX" line of the last run (the counters the hypervisor
# prints at power-off).
attack_counter() {
	grep -m1 -F -- "vhyp: $1" "$ATTACK_LOG" | tr ' ' '\n' |
		awk -F= -v k="$2" '$1 == k { print $2 }'
}

# attack_host_checks TAG WANT: what every device attack checks of a run:
# the guest printed WANT results, the run ended in a power-off (no
# hypervisor panic), no host access faulted at EL2 or leaked, and no
# leak or host-view bug was reported.
attack_host_checks() {
	local tag=$1 want=$2 got faulted leaked
	got=$(grep -cE '^(not )?ok [0-9]+ - ' "$ATTACK_LOG")
	attack_check "[$tag] the guest ran its $want checks (got $got)" [ "$got" -eq "$want" ]
	attack_check "[$tag] no hypervisor panic, guest powered off (exit $ATTACK_RC)" \
		[ "$ATTACK_RC" -eq 0 ]
	faulted=$(attack_counter 'host accesses:' faulted)
	leaked=$(attack_counter 'host accesses:' leaked)
	attack_check "[$tag] host accesses: 0 faulted at EL2, 0 leaked (faulted=$faulted leaked=$leaked)" \
		[ "${faulted:-x}" = 0 ] && [ "${leaked:-x}" = 0 ]
	attack_check "[$tag] no LEAK or host-view bug reported" \
		bash -c "! grep -qE 'vhyp: (LEAK|host access admitted|shared guest IPA not mapped)' '$ATTACK_LOG'"
}

attack_done() {
	[ -n "$ATTACK_LOG" ] && rm -f "$ATTACK_LOG"
	echo "1..$attack_n"
	exit "$attack_failed"
}
