// SPDX-License-Identifier: MIT
/*
 * Entry points of the hypervisor image.
 *
 * The image is an arm64 Linux Image so that QEMU (or a bootloader) loads it
 * like a kernel: at RAM base + text_offset (patched by the runner), entered
 * at EL2 with the board DTB in x0.  It is linked at 0 and position
 * independent; the R_AARCH64_RELATIVE relocations are applied here before
 * any C code runs.
 */
#include "asm.h"

	.section .head.text, "ax"
	.global _start
_start:
	b	primary_entry		// code0
	.long	0			// code1
	.quad	0			// text_offset: patched by the runner
	.quad	__image_size		// image_size: includes .bss
	.quad	0xa			// flags: LE, 4 KiB pages, anywhere
	.quad	0
	.quad	0
	.quad	0
	.ascii	"ARM\x64"		// magic
	.long	0

	.text
primary_entry:
	msr	daifset, #0xf
	/* Exceptions are reported from the very first instruction on. */
	adrp	x9, hyp_vectors
	add	x9, x9, :lo12:hyp_vectors
	msr	vbar_el2, x9
	isb
	mov	x19, x0
	/* MMU and caches off, little endian, no alignment checks. */
	ldr	x9, =0x30c50830
	msr	sctlr_el2, x9
	isb
	adrp	x9, hyp_boot_stack
	add	x9, x9, :lo12:hyp_boot_stack
	add	sp, x9, #(1 << HYP_STACK_SHIFT_ASM)

	/* Apply R_AARCH64_RELATIVE: *(base + offset) = base + addend. */
	adr	x9, _start
	adrp	x10, __rela_start
	add	x10, x10, :lo12:__rela_start
	adrp	x11, __rela_end
	add	x11, x11, :lo12:__rela_end
1:	cmp	x10, x11
	b.hs	2f
	ldp	x12, x13, [x10], #16
	ldr	x14, [x10], #8
	cmp	w13, #R_AARCH64_RELATIVE
	b.ne	1b
	add	x14, x14, x9
	str	x14, [x12, x9]
	b	1b
2:
	/* Clear .bss (the boot stack in it holds nothing yet). */
	adrp	x10, __bss_start
	add	x10, x10, :lo12:__bss_start
	adrp	x11, __bss_end
	add	x11, x11, :lo12:__bss_end
3:	cmp	x10, x11
	b.hs	4f
	stp	xzr, xzr, [x10], #16
	b	3b
4:
	mov	x0, x19
	bl	hyp_main
	b	arch_park

/*
 * Where PSCI CPU_ON (and CPU_SUSPEND power-down) brings a CPU back: EL2,
 * MMU off, x0 = the context id vhyp passed = the CPU's index.
 */
	.global arch_secondary_entry
arch_secondary_entry:
	msr	daifset, #0xf
	adrp	x9, hyp_vectors
	add	x9, x9, :lo12:hyp_vectors
	msr	vbar_el2, x9
	isb
	cmp	x0, #HYP_MAX_CPUS_ASM
	b.hs	arch_park
	mov	x19, x0
	/* The primary's EL2 stage-1 configuration. */
	adrp	x9, hyp_mmu_cfg
	add	x9, x9, :lo12:hyp_mmu_cfg
	ldr	x10, [x9, #HYP_MMU_CFG_MAIR]
	ldr	x11, [x9, #HYP_MMU_CFG_TCR]
	ldr	x12, [x9, #HYP_MMU_CFG_TTBR]
	ldr	x13, [x9, #HYP_MMU_CFG_SCTLR]
	msr	mair_el2, x10
	msr	tcr_el2, x11
	msr	ttbr0_el2, x12
	isb
	tlbi	alle2
	dsb	nsh
	isb
	msr	sctlr_el2, x13
	isb
	adrp	x9, hyp_stacks
	add	x9, x9, :lo12:hyp_stacks
	add	x10, x19, #1
	lsl	x10, x10, #HYP_STACK_SHIFT_ASM
	add	sp, x9, x10
	mov	x0, x19
	bl	hyp_secondary_main
	b	arch_park

/* void arch_enter_guest(uint64_t x0, uintptr_t sp): ELR/SPSR already set. */
	.global arch_enter_guest
arch_enter_guest:
	mov	sp, x1
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x5, xzr
	mov	x6, xzr
	mov	x7, xzr
	mov	x8, xzr
	mov	x9, xzr
	mov	x10, xzr
	mov	x11, xzr
	mov	x12, xzr
	mov	x13, xzr
	mov	x14, xzr
	mov	x15, xzr
	mov	x16, xzr
	mov	x17, xzr
	mov	x18, xzr
	mov	x19, xzr
	mov	x20, xzr
	mov	x21, xzr
	mov	x22, xzr
	mov	x23, xzr
	mov	x24, xzr
	mov	x25, xzr
	mov	x26, xzr
	mov	x27, xzr
	mov	x28, xzr
	mov	x29, xzr
	mov	x30, xzr
	eret
	dsb	nsh
	isb

/* uint64_t arch_firmware_smc(fid, a1, a2, a3): SMCCC call to firmware. */
	.global arch_firmware_smc
arch_firmware_smc:
	smc	#0
	ret

	.global arch_park
arch_park:
	msr	daifset, #0xf
1:	wfe
	b	1b

	.ltorg
