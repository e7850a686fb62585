// SPDX-License-Identifier: MIT
/*
 * Which emulated devices a VM gets.  A protected VM's console is the
 * emulated PL011 at the board UART's IPA (the physical UART is not mapped
 * into its stage 2, see create_vm in hyp/main.c), and it has the isolation
 * probe.  A normal VM has no emulated device: its devices are passed
 * through.
 */
#include "devices.h"

#include "hyp.h"

void hyp_devices_setup(struct vhyp_vm *vm, uint64_t uart_base)
{
	if (!vm->cfg.protected_vm)
		return;
	if (!hyp_pl011_emul_register(vm, uart_base & ~0xFFFULL))
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
