#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "gic": guest/attack-gic against vhyp's moderated GIC
# (docs/vgic.md, docs/security.md), 2 vCPUs, in every ATTACK_CONFIGS.
# The guest's own TAP lines check what it reads back (LPIs off, ITS
# unreachable, reserved PPIs untouched, distributor still enabled, ISV=0
# forms aborted...); this script adds per configuration:
#   - the run exits 0 and the guest's plan is complete with no failure;
#   - the hypervisor's verdict on the physical GIC at SYSTEM_OFF, which
#     EL2 reads from the hardware (every redistributor's EnableLPIs,
#     PROPBASER, PENDBASER, WAKER, the reserved PPIs, GICD_CTLR), and no
#     "vhyp: gic: VIOLATION" line;
#   - vhyp counted the GIC MMIO exits.
# shellcheck source=tests/qemu/attack/lib.sh
source "$(dirname "$0")/lib.sh"

for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	attack_run "$tag" attack-gic "$opts --smp 2" ""
	attack_check "[$tag] the run exits 0" [ "$ATTACK_RC" = 0 ]
	attack_check "[$tag] the guest's plan is complete, no failure" \
		grep -q '^# attack-gic: [0-9]* tests, 0 failed' "$ATTACK_LOG"
	attack_check "[$tag] no VIOLATION from the hypervisor's GIC check" \
		bash -c "! grep -q '^vhyp: gic: VIOLATION' '$ATTACK_LOG'"
	if [[ $opts == *"--gic 3"* ]]; then
		attack_check "[$tag] EL2: physical LPIs off, LPI tables untouched" \
			grep -q '^vhyp: gic: physical LPIs off, tables untouched$' "$ATTACK_LOG"
	else
		attack_check "[$tag] EL2: GICv2, GICH/GICV/v2m unmapped" \
			grep -q '^vhyp: gic: GICv2: no LPIs, no ITS, GICH/GICV/v2m unmapped$' "$ATTACK_LOG"
	fi
	attack_check "[$tag] EL2: reserved PPIs 25/26 unchanged, distributor enabled" \
		grep -q '^vhyp: gic: reserved PPIs 25/26 unchanged, distributor enabled' "$ATTACK_LOG"
	attack_check "[$tag] EL2 counted the GIC MMIO exits" \
		grep -Eq '^vhyp: gic: mmio exits=[1-9][0-9]* ' "$ATTACK_LOG"
	[ "$ATTACK_RC" = 0 ] || attack_dump "$tag"
done
attack_done
