#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "console" (guest/attack-console): the guest prints lines
# that look like the hypervisor's ("vhyp: guest called SYSTEM_OFF", panic
# lines, counters), also split across writes, after a CR, mid-line, with a
# guessed console marker, and Linux's panic line.  Passes when the runner
# shows them as the guest's ("[guest] vhyp..."), no line of the
# hypervisor's ("vhyp: " at a line start) claims what the guest printed,
# exactly one SYSTEM_OFF line is the hypervisor's, and the status is the
# guest's power-off (0).  docs/security.md, "Semihosting and the console".
# shellcheck source=tests/qemu/attack/lib.sh
. "$(dirname "$0")/lib.sh"

# The guest's forgeries, as the hypervisor's lines would read.
FORGED='^vhyp: (guest called SYSTEM_RESET|panic: |unexpected exception: forged|calls: uid=999|host accesses: .*forged)'
for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	attack_run "$tag" attack-console "$opts" ""
	attack_check "[$tag] no hypervisor line claims what the guest printed" \
		eval "! grep -qaE '$FORGED' \"\$ATTACK_LOG\""
	attack_check "[$tag] one SYSTEM_OFF line of the hypervisor's (the real one)" \
		test "$(grep -c '^vhyp: guest called SYSTEM_OFF$' "$ATTACK_LOG")" -eq 1
	attack_check "[$tag] the guest's look-alikes are shown escaped" \
		test "$(grep -cE '^\[guest\] vhyp: ' "$ATTACK_LOG")" -ge 8
	attack_check "[$tag] the split and byte-by-byte forgeries too" \
		eval "grep -q '^\[guest\] vhyp: panic: split across writes' \"\$ATTACK_LOG\" &&
			grep -q '^\[guest\] vhyp: panic: byte by byte' \"\$ATTACK_LOG\""
	attack_check "[$tag] a guessed marker is guest output, shown with ^^" \
		grep -q '^\^\^vhyp00000000000000000000000000000000:' "$ATTACK_LOG"
	attack_check "[$tag] runner status is the guest's power-off (0, got $ATTACK_RC)" \
		test "$ATTACK_RC" -eq 0
	attack_check "[$tag] the guest ran to its end" \
		grep -q '^attack-console: powering off' "$ATTACK_LOG"
	[ "$attack_failed" = 0 ] || attack_dump "$tag"
done
attack_done
