// SPDX-License-Identifier: MIT
// Guest runtime entry: arm64 Image header, boot and secondary entry points,
// EL1 exception vectors.  Everything else is C (guest/rt/*.c).

#include <lib/aarch64/frame.S>

#define RT_STACK_SIZE 16384
#define RT_MAX_CPUS 8
#define FRAME_SIZE 288 // sizeof(struct rt_frame), asserted in boot.c
// SCTLR_EL1 RES1 bits; M, C, I, A, EE clear: MMU and caches off, little
// endian, no alignment check, whatever the loader left.
#define SCTLR_EL1_BOOT 0x30D00800

	.section .text.head, "ax"
	.global _start
_start:
	b	rt_entry		// code0
	.long	0			// code1
	.quad	0			// text_offset: load at a 2 MiB boundary
	.quad	__image_size		// image_size, .bss and stacks included
	.quad	0x2			// flags: little endian, 4 KiB pages
	.quad	0, 0, 0			// res2..res4
	.ascii	"ARM\x64"		// magic
	.long	0			// res5

	.text
/* x0 = DTB, EL1, MMU off. */
rt_entry:
	msr	daifset, #0xf
	ldr	x1, =SCTLR_EL1_BOOT
	msr	sctlr_el1, x1
	isb
	mov	x19, x0
	ldr	x1, =__stacks_start + RT_STACK_SIZE
	mov	sp, x1
	msr	tpidr_el1, xzr		// CPU index 0
	// .bss holds no stack, so it can be cleared from here.
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	ldr	x1, =rt_vectors
	msr	vbar_el1, x1
	isb
	mov	x0, x19
	bl	rt_boot			// does not return
3:	wfe
	b	3b

/* PSCI CPU_ON entry: x0 = context = CPU index, EL1, MMU off. */
	.global rt_secondary_entry
rt_secondary_entry:
	msr	daifset, #0xf
	ldr	x1, =SCTLR_EL1_BOOT
	msr	sctlr_el1, x1
	isb
	cmp	x0, #RT_MAX_CPUS
	b.hs	3b
	msr	tpidr_el1, x0
	mov	x2, #RT_STACK_SIZE
	ldr	x1, =__stacks_start
	add	x3, x0, #1
	madd	x1, x3, x2, x1		// stacks + (cpu + 1) * size
	mov	sp, x1
	ldr	x1, =rt_vectors
	msr	vbar_el1, x1
	isb
	bl	rt_secondary_boot	// does not return
	b	3b

/* Vectors: save a struct rt_frame, call rt_exception(index, frame), which
 * may change ELR/SPSR and registers in the frame, then return. */
.macro ventry idx
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x0, #\idx
	b	rt_vector_common
.endm

	.balign	0x800
	.global rt_vectors
rt_vectors:
	ventry	0
	ventry	1
	ventry	2
	ventry	3
	ventry	4
	ventry	5
	ventry	6
	ventry	7
	ventry	8
	ventry	9
	ventry	10
	ventry	11
	ventry	12
	ventry	13
	ventry	14
	ventry	15

rt_vector_common:
	frame_save_all 0	// struct rt_frame: x[] first (boot.c)
	mrs	x2, elr_el1
	str	x2, [sp, #248]
	mrs	x2, spsr_el1
	mrs	x3, esr_el1
	stp	x2, x3, [sp, #256]
	mrs	x2, far_el1
	str	x2, [sp, #272]
	mov	x1, sp
	bl	rt_exception
	ldr	x2, [sp, #248]
	msr	elr_el1, x2
	ldr	x2, [sp, #256]
	msr	spsr_el1, x2
	frame_load_all 0
	add	sp, sp, #FRAME_SIZE
	eret

/* Probe accesses for rt_try_read32/64 and rt_try_write32: one instruction
 * each, at a known address, so the exception handler can recognize and
 * skip it.  x0 = address (x1 = value for the write); result in x0. */
	.global rt_probe_ldr32, rt_probe_ldr64, rt_probe_str32
	.global rt_probe_ldr32_insn, rt_probe_ldr64_insn, rt_probe_str32_insn
rt_probe_ldr32:
rt_probe_ldr32_insn:
	ldr	w0, [x0]
	ret
rt_probe_ldr64:
rt_probe_ldr64_insn:
	ldr	x0, [x0]
	ret
rt_probe_str32:
rt_probe_str32_insn:
	str	w1, [x0]
	ret
