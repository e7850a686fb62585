#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attack class "DMA" (docs/security.md): guest/attack-dma, as a normal and
# a protected VM under GICv3 and GICv2, probes every DMA-capable device of
# QEMU's virt board (virtio-mmio transports, PCIe, fw-cfg, ITS/GICv2m: each
# must take a synchronous external abort) and drives vhyp's own
# virtio-blk and virtio-console with buffers and rings pointing outside
# what the guest may hand over (hypervisor window, the request slots of
# vhyp's disks, outside RAM, device MMIO, RAM edges, 2^64 wrap, private
# granules).  The guest checks the device answers and its canaries (the
# disk's sectors read back); this script checks what only the
# host side shows: the counters printed at power-off (every refusal
# counted, no EL2 fault, no leak, no byte of a refused console buffer
# read), no hypervisor panic, exit 0.
# shellcheck source=tests/qemu/attack/lib.sh
source "$(dirname "$0")/lib.sh"

DISK=$(mktemp)
trap 'rm -f "$DISK"' EXIT
# 64 KiB: sector s is the byte 0xD0 + s; sector 0 starts with its name.
make_disk() {
	local s
	: >"$DISK"
	for s in $(seq 0 127); do
		head -c 512 /dev/zero | tr '\0' "\\$(printf '%03o' $(((0xD0 + s) & 0xff)))" >>"$DISK"
	done
	printf 'attack-dma-disk\0' | dd of="$DISK" conv=notrunc status=none
}

for cfg in "${ATTACK_CONFIGS[@]}"; do
	tag=${cfg%%|*}
	opts=${cfg#*|}
	make_disk
	attack_run "$tag" attack-dma "$opts --disk $DISK" ""
	protected=0
	[[ $opts == *--protected* ]] && protected=1
	# The guest's checks: 16 (normal) or 17 (protected, + private ring).
	want=$((16 + protected))
	attack_host_checks "$tag" "$want"
	# Every forbidden buffer and ring was refused by the accessor: the
	# guest's 12 (13 protected) targets, read and write, on virtio-blk,
	# plus its rings; the console's targets and rings.
	blk_refused=$(attack_counter 'virtio-blk: requests=' refused)
	blk_rings=$(attack_counter 'virtio-blk: requests=' ring_failures)
	con_refused=$(attack_counter 'virtio-console: requests=' refused)
	con_rings=$(attack_counter 'virtio-console: requests=' ring_failures)
	targets=$((12 + protected))
	attack_check "[$tag] virtio-blk: ${blk_refused:-?} refusals >= $((2 * targets)), 4 rings stopped (${blk_rings:-?})" \
		[ "${blk_refused:-0}" -ge $((2 * targets)) ] && [ "${blk_rings:-x}" = 4 ]
	attack_check "[$tag] virtio-console: ${con_refused:-?} refusals >= $targets, $((2 + protected)) rings stopped (${con_rings:-?})" \
		[ "${con_refused:-0}" -ge "$targets" ] && [ "${con_rings:-x}" = $((2 + protected)) ]
	# The console read exactly the one legitimate 32-byte payload: nothing
	# of any forbidden buffer reached the console.
	con_in=$(attack_counter 'virtio-console: requests=' bytes_in)
	attack_check "[$tag] virtio-console read 32 bytes, the legitimate payload only (bytes_in=${con_in:-?})" \
		[ "${con_in:-x}" = 32 ]
	if [ "$attack_failed" != 0 ] && [ "${dumped:-}" != "$tag" ]; then
		attack_dump "$tag"
		dumped=$tag
	fi
done
attack_done
