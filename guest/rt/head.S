// SPDX-License-Identifier: MIT
// Guest runtime entry: arm64 Image header, boot and secondary entry points,
// EL1 exception vectors.  Everything else is C (guest/rt/*.c).

#define RT_STACK_SIZE 16384
#define RT_MAX_CPUS 8
#define FRAME_SIZE 288
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
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el1
	stp	x30, x2, [sp, #240]
	mrs	x2, spsr_el1
	mrs	x3, esr_el1
	stp	x2, x3, [sp, #256]
	mrs	x2, far_el1
	str	x2, [sp, #272]
	mov	x1, sp
	bl	rt_exception
	ldp	x30, x2, [sp, #240]
	msr	elr_el1, x2
	ldr	x2, [sp, #256]
	msr	spsr_el1, x2
	ldp	x0, x1, [sp]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
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
