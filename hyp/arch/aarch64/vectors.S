// SPDX-License-Identifier: MIT
/*
 * EL2 exception vectors.
 *
 * Guest exits (lower EL, synchronous) save the caller-saved registers
 * x0..x18, x29, x30 into a struct hyp_regs on the CPU's EL2 stack.  HVC and
 * SMC go straight to the SMCCC handler, whose C code preserves x19..x28
 * itself, and return; every other exit also saves x19..x28 so the handler
 * sees (and may change) all guest registers.  Anything else is a
 * hypervisor bug: dump and exit.
 */
#include <lib/aarch64/frame.S>

#include "asm.h"

.macro unexpected id
	.balign	0x80
	sub	sp, sp, #HYP_REGS_SIZE
	stp	x0, x1, [sp, #HYP_REGS_X + 8 * 0]
	mov	x0, #\id
	b	unexpected_common
.endm

	.text
	.balign	0x800
	.global hyp_vectors
hyp_vectors:
	unexpected 0	// current EL, SP_EL0: sync
	unexpected 1	// irq
	unexpected 2	// fiq
	unexpected 3	// serror
	unexpected 4	// current EL, SP_ELx: sync
	unexpected 5	// irq
	unexpected 6	// fiq
	unexpected 7	// serror

	.balign	0x80	// lower EL, AArch64: sync
	b	guest_sync
	unexpected 9	// irq
	unexpected 10	// fiq
	unexpected 11	// serror

	.balign	0x80	// lower EL, AArch32: sync
	b	guest_sync
	unexpected 13
	unexpected 14
	unexpected 15

guest_sync:
	sub	sp, sp, #HYP_REGS_SIZE
	stp	x0, x1, [sp, #HYP_REGS_X + 8 * 0]
#ifdef VHYP_FLOOR_EMPTY_HVC
	/*
	 * Benchmark floor only (build/hyp/vhyp-floor.bin, bench/): an HVC64
	 * outside PSCI (owner 4, so the guest can still power off) returns at
	 * once with X0 unchanged.  Never in vhyp.bin.
	 */
	mrs	x1, esr_el2
	lsr	x1, x1, #ESR_EC_SHIFT
	cmp	x1, #ESR_EC_HVC64
	b.ne	2f
	ubfx	x1, x0, #24, #6
	cmp	x1, #4
	b.eq	2f
	ldr	x1, [sp, #HYP_REGS_X + 8 * 1]
	add	sp, sp, #HYP_REGS_SIZE
	eret
2:
#endif
	frame_save_x2_x17 HYP_REGS_X
	frame_save_x18_x29_x30 HYP_REGS_X
	mrs	x0, esr_el2
	lsr	x0, x0, #ESR_EC_SHIFT
	cmp	x0, #ESR_EC_HVC64
	b.ne	guest_not_hvc
	mov	x0, sp
	bl	hyp_handle_hvc
	b	guest_return

guest_not_hvc:
	cmp	x0, #ESR_EC_SMC64
	b.ne	guest_trap
	mov	x0, sp
	bl	hyp_handle_smc
	b	guest_return

guest_trap:
	frame_save_x19_x28 HYP_REGS_X
	mov	x0, sp
	bl	hyp_handle_trap
	frame_load_x19_x28 HYP_REGS_X

guest_return:
	frame_load_x0_x17 HYP_REGS_X
	frame_load_x18_x29_x30 HYP_REGS_X
	add	sp, sp, #HYP_REGS_SIZE
	eret
	dsb	nsh
	isb

unexpected_common:
	frame_save_all HYP_REGS_X
	mov	x1, sp
	bl	hyp_unexpected_exception
	b	arch_park
