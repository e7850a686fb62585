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
	stp	x2, x3, [sp, #HYP_REGS_X + 8 * 2]
	stp	x4, x5, [sp, #HYP_REGS_X + 8 * 4]
	stp	x6, x7, [sp, #HYP_REGS_X + 8 * 6]
	stp	x8, x9, [sp, #HYP_REGS_X + 8 * 8]
	stp	x10, x11, [sp, #HYP_REGS_X + 8 * 10]
	stp	x12, x13, [sp, #HYP_REGS_X + 8 * 12]
	stp	x14, x15, [sp, #HYP_REGS_X + 8 * 14]
	stp	x16, x17, [sp, #HYP_REGS_X + 8 * 16]
	str	x18, [sp, #HYP_REGS_X + 8 * 18]
	stp	x29, x30, [sp, #HYP_REGS_X + 8 * 29]
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
	stp	x19, x20, [sp, #HYP_REGS_X + 8 * 19]
	stp	x21, x22, [sp, #HYP_REGS_X + 8 * 21]
	stp	x23, x24, [sp, #HYP_REGS_X + 8 * 23]
	stp	x25, x26, [sp, #HYP_REGS_X + 8 * 25]
	stp	x27, x28, [sp, #HYP_REGS_X + 8 * 27]
	mov	x0, sp
	bl	hyp_handle_trap
	ldp	x19, x20, [sp, #HYP_REGS_X + 8 * 19]
	ldp	x21, x22, [sp, #HYP_REGS_X + 8 * 21]
	ldp	x23, x24, [sp, #HYP_REGS_X + 8 * 23]
	ldp	x25, x26, [sp, #HYP_REGS_X + 8 * 25]
	ldp	x27, x28, [sp, #HYP_REGS_X + 8 * 27]

guest_return:
	ldp	x0, x1, [sp, #HYP_REGS_X + 8 * 0]
	ldp	x2, x3, [sp, #HYP_REGS_X + 8 * 2]
	ldp	x4, x5, [sp, #HYP_REGS_X + 8 * 4]
	ldp	x6, x7, [sp, #HYP_REGS_X + 8 * 6]
	ldp	x8, x9, [sp, #HYP_REGS_X + 8 * 8]
	ldp	x10, x11, [sp, #HYP_REGS_X + 8 * 10]
	ldp	x12, x13, [sp, #HYP_REGS_X + 8 * 12]
	ldp	x14, x15, [sp, #HYP_REGS_X + 8 * 14]
	ldp	x16, x17, [sp, #HYP_REGS_X + 8 * 16]
	ldr	x18, [sp, #HYP_REGS_X + 8 * 18]
	ldp	x29, x30, [sp, #HYP_REGS_X + 8 * 29]
	add	sp, sp, #HYP_REGS_SIZE
	eret
	dsb	nsh
	isb

unexpected_common:
	stp	x2, x3, [sp, #HYP_REGS_X + 8 * 2]
	stp	x4, x5, [sp, #HYP_REGS_X + 8 * 4]
	stp	x6, x7, [sp, #HYP_REGS_X + 8 * 6]
	stp	x8, x9, [sp, #HYP_REGS_X + 8 * 8]
	stp	x10, x11, [sp, #HYP_REGS_X + 8 * 10]
	stp	x12, x13, [sp, #HYP_REGS_X + 8 * 12]
	stp	x14, x15, [sp, #HYP_REGS_X + 8 * 14]
	stp	x16, x17, [sp, #HYP_REGS_X + 8 * 16]
	stp	x18, x19, [sp, #HYP_REGS_X + 8 * 18]
	stp	x20, x21, [sp, #HYP_REGS_X + 8 * 20]
	stp	x22, x23, [sp, #HYP_REGS_X + 8 * 22]
	stp	x24, x25, [sp, #HYP_REGS_X + 8 * 24]
	stp	x26, x27, [sp, #HYP_REGS_X + 8 * 26]
	stp	x28, x29, [sp, #HYP_REGS_X + 8 * 28]
	str	x30, [sp, #HYP_REGS_X + 8 * 30]
	mov	x1, sp
	bl	hyp_unexpected_exception
	b	arch_park
