#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "share exhaust" (guest/attack-share-exhaust): a protected
# VM shares one granule per 2 MiB region of all its RAM (2 GiB and 4 GiB),
# unshares and shares again.  Before the host-side view was reserved at VM
# creation this exhausted the EL2 table pool and the hypervisor panicked
# (exit 3).  Each run must end with the guest's power-off (exit 0) and
# every call answered as documented (docs/abi.md); a normal VM gets
# NOT_SUPPORTED.
# shellcheck source=tests/qemu/attack/lib.sh
. "$(dirname "$0")/lib.sh"
ATTACK_TIMEOUT=${ATTACK_TIMEOUT:-180}

for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	for mem in 2G 4G; do
		# A normal VM only needs the NOT_SUPPORTED check once.
		[[ $opts != *--protected* && $mem == 4G ]] && continue
		attack_run "$tag $mem" attack-share-exhaust "$opts --mem $mem" ""
		if [ "$ATTACK_RC" -eq 0 ] &&
			! grep -q 'vhyp: panic' "$ATTACK_LOG"; then
			attack_ok "[$tag $mem] guest powered off (exit 0), no hypervisor panic"
		else
			attack_not_ok "[$tag $mem] exit $ATTACK_RC (33 = hypervisor panic)"
			attack_dump "$tag $mem"
		fi
	done
done
attack_done
