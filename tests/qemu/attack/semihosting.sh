#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "semihosting" (guest/attack-semihosting): a guest at EL1
# issues semihosting calls (HLT #0xF000: SYS_OPEN + SYS_WRITE of a host
# file, SYS_SYSTEM "touch <file>", SYS_EXIT 42 and 0), which QEMU would
# carry out for EL1 as well as EL2 if semihosting were enabled.  Passes
# when: each call is UNDEFINED in the guest (its own TAP lines), no host
# file appeared, and the runner's status is the guest's own power-off (0,
# with the hypervisor's "guest called SYSTEM_OFF" line), not a status the
# guest chose.  The guest also tries the hypervisor's panic channel
# (pvpanic-pci's BAR, the PCIe ECAM): external aborts, the status stays 0.
# docs/security.md, "Semihosting and the console".
# shellcheck source=tests/qemu/attack/lib.sh
. "$(dirname "$0")/lib.sh"

MARKERS=$(mktemp -d)
trap 'rm -rf "$MARKERS"' EXIT
for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	name=${tag// /-}
	file=$MARKERS/opened-$name-$$
	touched=$MARKERS/touched-$name-$$
	attack_run "$tag" attack-semihosting "$opts" "sh_file=$file sh_touch=$touched"
	attack_check "[$tag] SYS_OPEN/SYS_WRITE created no host file" test ! -e "$file"
	attack_check "[$tag] SYS_SYSTEM ran no host command (no $touched)" test ! -e "$touched"
	attack_check "[$tag] runner status is the guest's power-off (0, got $ATTACK_RC)" test "$ATTACK_RC" -eq 0
	attack_check "[$tag] the hypervisor saw the guest's SYSTEM_OFF" \
		grep -q '^vhyp: guest called SYSTEM_OFF$' "$ATTACK_LOG"
	attack_check "[$tag] the guest ran its 9 checks" \
		test "$(grep -cE '^ok [0-9]+ - ' "$ATTACK_LOG")" -eq 9
	[ "$attack_failed" = 0 ] || attack_dump "$tag"
done
attack_done
