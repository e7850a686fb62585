#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "kickrace" (docs/security.md): a QueueNotify never waits
# for the virtio device lock; it marks its queue kicked and whoever holds
# the lock, for a register access too, must process the kicks after
# letting go (hyp/devices/virtio_mmio.c, dev_unlock).  guest/attack-kickrace,
# 2 vCPUs, normal and protected VM, GICv3 and GICv2, races notifications
# against locked register accesses of the other vCPU (phase A: vCPU1
# hammers QueueNumMax/QueueSel/Status while vCPU0 makes requests; phase
# B: both vCPUs make requests on one queue, in rounds, and wait with
# Status reads) and reports every request not completed within 1 s of
# its notification as a lost notification.  Phase A runs until 10
# notifications were taken over by vCPU1 (1.2 to 2.4 s), phase B 1.2 s;
# about 15 s in all.  With a dev_unlock that only releases the lock,
# every configuration loses notifications (docs/security.md gives the
# numbers).  KICKRACE_APPEND passes "budget=MS lost=N" to the guest.
# This script checks the guest's results, the disk file unchanged (the
# guest only reads), the virtio-blk counters (every request counted, none
# refused, no ring stopped), no hypervisor panic, no EL2 fault or leak.
# shellcheck source=tests/qemu/attack/lib.sh
source "$(dirname "$0")/lib.sh"

ATTACK_TIMEOUT=${ATTACK_TIMEOUT:-60}
DISK=$(mktemp)
REF=$(mktemp)
trap 'rm -f "$DISK" "$REF"' EXIT
# 1 MiB: the little-endian 64-bit word at byte offset o is
# 0x4B1C000000000000 | o (guest/attack-kickrace DISK_WORD).
attack_pattern_file "$REF" 4B1C0000 1

for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	cp "$REF" "$DISK"
	attack_run "$tag" attack-kickrace "$opts --smp 2 --mem 64M --disk $DISK" \
		"${KICKRACE_APPEND:-}"
	attack_host_checks "$tag" 8
	# How often the race was run: the guest's own count of notifications
	# taken over by the lock holder, and of requests and losses.
	grep -E '^# (A|B):' "$ATTACK_LOG" | sed "s/^# /# [$tag] /"
	# Every request the guest made went through the device once: the
	# guest's last check prints the count (mod 65536, as the ring index).
	made=$(sed -nE 's/.*the device used every chain: used index [0-9]+, available index [0-9]+, ([0-9]+) requests.*/\1/p' "$ATTACK_LOG")
	blk_req=$(attack_counter 'virtio-blk: requests=' requests)
	blk_refused=$(attack_counter 'virtio-blk: requests=' refused)
	blk_rings=$(attack_counter 'virtio-blk: requests=' ring_failures)
	attack_check "[$tag] virtio-blk: ${blk_req:-?} requests counted = ${made:-?} made by the guest, ${blk_refused:-?} refused, ${blk_rings:-?} rings stopped" \
		[ -n "${made:-}" ] && [ "${blk_req:-x}" = "$made" ] &&
		[ "${blk_refused:-x}" = 0 ] && [ "${blk_rings:-x}" = 0 ]
	attack_check "[$tag] the disk file is unchanged" cmp -s "$DISK" "$REF"
	if [ "$attack_failed" != 0 ] && [ "${dumped:-}" != "$tag" ]; then
		attack_dump "$tag"
		dumped=$tag
	fi
done
attack_done
