#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "EL1 state across calls" (guest/attack-sysregs): every EL1
# system register the guest can read, x4..x30 and SP must be unchanged by
# every vendor call (valid and invalid arguments), SMCCC_VERSION,
# ARCH_FEATURES, PSCI_VERSION and PSCI_FEATURES.  Before this was checked,
# MEM_SHARE and MEM_UNSHARE left PAR_EL1 holding the result of the
# hypervisor's own AT S1E2R.
# shellcheck source=tests/qemu/attack/lib.sh
. "$(dirname "$0")/lib.sh"

for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	attack_run "$tag" attack-sysregs "$opts" ""
	if [ "$ATTACK_RC" -eq 0 ] && grep -qE '^1\.\.[0-9]+' "$ATTACK_LOG"; then
		attack_ok "[$tag] ran to its plan and powered off (exit 0)"
	else
		attack_not_ok "[$tag] exit $ATTACK_RC"
		attack_dump "$tag"
	fi
done
attack_done
