// SPDX-License-Identifier: MIT
/*
 * Which emulated devices a VM gets.  A protected VM's console is the
 * emulated PL011 at the board UART's IPA (the physical UART is not mapped
 * into its stage 2, see create_vm in hyp/main.c), and it has the isolation
 * probe.  A normal VM keeps the physical PL011.  Every VM gets vhyp's
 * virtio devices (hyp_virtio_setup).
 */
#include "devices.h"

#include "hyp.h"
#include "virtio.h"

void hyp_devices_setup(struct vhyp_vm *vm, uint64_t uart_base)
{
	if (!vm->cfg.protected_vm)
		return;
	if (!hyp_pl011_emul_register(hyp_guest_of(vm), uart_base & ~0xFFFULL))
		hyp_panic("cannot emulate the PL011 at 0x%llx\n",
		          (unsigned long long)uart_base);
	if (!hyp_probe_register(vm, HYP_PROBE_BASE))
		hyp_panic("cannot place the isolation probe at 0x%llx\n",
		          (unsigned long long)HYP_PROBE_BASE);
	vlog("protected VM: emulated PL011 at 0x%llx, isolation probe at "
	     "0x%llx\n",
	     (unsigned long long)(uart_base & ~0xFFFULL),
	     (unsigned long long)HYP_PROBE_BASE);
}

/* The host-side virtio-mmio devices of every VM: the console always, the
 * block device when the runner loaded a disk image (--disk).  A conflict
 * is logged, not fatal: the VM then runs without them. */
void hyp_virtio_setup(struct vhyp_vm *vm, uint64_t disk_pa, uint64_t disk_size)
{
	hyp_guest_t guest = hyp_guest_of(vm);

	if (!hyp_virtio_console_register(guest))
		vlog("warning: cannot place virtio-console at 0x%llx\n",
		     (unsigned long long)HYP_VIRTIO_CONSOLE_BASE);
	/* The image was mapped at EL2 by map_disk (hyp/main.c). */
	if (!hyp_virtio_blk_register(guest, (void *)(uintptr_t)disk_pa,
	                             disk_size))
		vlog("warning: cannot place virtio-blk at 0x%llx\n",
		     (unsigned long long)HYP_VIRTIO_BLK_BASE);
	/* vhyp's disks (--disk): one virtio-blk device each, in order. */
	for (unsigned i = 0; i < hyp_qdisk_count(); i++)
		if (!hyp_virtio_blk_register_disk(guest, i))
			vlog("warning: no virtio-blk device for disk %u\n", i);
	vlog("virtio-console at 0x%llx (SPI %u), %u virtio-blk from 0x%llx "
	     "(SPI %u)\n",
	     (unsigned long long)HYP_VIRTIO_CONSOLE_BASE,
	     HYP_VIRTIO_CONSOLE_SPI, (disk_size ? 1U : 0U) + hyp_qdisk_count(),
	     (unsigned long long)HYP_VIRTIO_BLK_BASE, HYP_VIRTIO_BLK_SPI);
}

void hyp_devices_print_stats(void)
{
	struct hyp_host_stats h;

	hyp_virtio_print_stats();
	hyp_host_stats(&h);
	vlog("host accesses: ok=%llu refused=%llu faulted=%llu leaked=%llu "
	     "inconsistent=%llu\n",
	     (unsigned long long)h.ok, (unsigned long long)h.refused,
	     (unsigned long long)h.faulted, (unsigned long long)h.leaked,
	     (unsigned long long)h.inconsistent);
}
