#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "diskhold" (docs/security.md): vhyp's disks let QEMU's
# virtio-blk DMA straight into guest memory, so a granule must not turn
# private while the device may still write it.  guest/attack-diskhold, a
# protected VM with 2 vCPUs under GICv3 and GICv2, races MEM_UNSHARE of
# the last granule of a 64 MiB read (then write) against the device and
# writes a canary as soon as UNSHARE returns (the canary must survive and
# stay off the disk: UNSHARE waits for the device, or the request is
# refused whole), then checks that requests touching a private granule
# fail whole (reads write nothing, writes change no sector) and that a
# batch fails only its bad chain.  A normal VM runs the same I/O as a
# control (no UNSHARE; its forbidden granule is the one above RAM).
# This script checks what only the host side shows: the counters at
# power-off (no EL2 fault, no leak, the refusals counted, no ring
# stopped), the disk file byte for byte unchanged, no hypervisor panic,
# exit 0.
# shellcheck source=tests/qemu/attack/lib.sh
source "$(dirname "$0")/lib.sh"

ATTACK_TIMEOUT=${ATTACK_TIMEOUT:-180}
DISK=$(mktemp)
REF=$(mktemp)
trap 'rm -f "$DISK" "$REF"' EXIT
# 64 MiB: the little-endian 64-bit word at byte offset o is
# 0xD15C000000000000 | o (guest/attack-diskhold DISK_WORD).
attack_pattern_file "$REF" D15C0000 64

for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	cp "$REF" "$DISK"
	attack_run "$tag" attack-diskhold "$opts --smp 2 --mem 256M --disk $DISK" ""
	protected=0
	[[ $opts == *--protected* ]] && protected=1
	# The guest's checks: 20 (normal) or 21 (protected, + UNSHARE under I/O).
	want=$((20 + protected))
	attack_host_checks "$tag" "$want"
	# Refused requests: 2 reads and 2 writes over the forbidden granule,
	# the bad chain of the batch; protected: + a read into the unshared
	# granule after each of the 12 race rounds.
	blk_refused=$(attack_counter 'virtio-blk: requests=' refused)
	blk_rings=$(attack_counter 'virtio-blk: requests=' ring_failures)
	min=$((5 + 12 * protected))
	attack_check "[$tag] virtio-blk: ${blk_refused:-?} refusals >= $min, no ring stopped (${blk_rings:-?})" \
		[ "${blk_refused:-0}" -ge "$min" ] && [ "${blk_rings:-x}" = 0 ]
	attack_check "[$tag] the disk file is unchanged (refused writes wrote nothing, no canary reached it)" \
		cmp -s "$DISK" "$REF"
	if [ "$attack_failed" != 0 ] && [ "${dumped:-}" != "$tag" ]; then
		attack_dump "$tag"
		dumped=$tag
	fi
done
attack_done
