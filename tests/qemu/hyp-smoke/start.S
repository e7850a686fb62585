// SPDX-License-Identifier: MIT
// hyp-smoke: entry points and EL1 vectors of the bring-up guest.
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x1, =stack_top
	mov	sp, x1
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	bl	guest_main
1:	wfe
	b	1b

/* PSCI CPU_ON entry: x0 = context id. */
	.global secondary_entry
secondary_entry:
	ldr	x1, =sec_stack_top
	mov	sp, x1
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	bl	secondary_main
1:	wfe
	b	1b

/* Every vector: save x0..x30, call guest_exception(vector, frame), which
 * may change ELR_EL1 through the frame's slot 31, then return. */
.macro vec id
	.balign	0x80
	sub	sp, sp, #272
	stp	x0, x1, [sp]
	mov	x0, #\id
	b	vec_common
.endm
	.balign	0x800
vectors:
	vec 0
	vec 1
	vec 2
	vec 3
	vec 4
	vec 5
	vec 6
	vec 7
	vec 8
	vec 9
	vec 10
	vec 11
	vec 12
	vec 13
	vec 14
	vec 15
vec_common:
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
	mrs	x1, elr_el1
	stp	x30, x1, [sp, #240]
	mov	x1, sp
	bl	guest_exception
	ldp	x30, x1, [sp, #240]
	msr	elr_el1, x1
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
	add	sp, sp, #272
	eret

/*
 * uint64_t call_preserve(uint64_t fid, int use_smc): calls with x4..x17 set
 * to 0x4..0x17 and returns the number of those registers changed.
 */
	.global call_preserve
call_preserve:
	stp	x29, x30, [sp, #-16]!
	mov	x18, x1
	mov	x4, #4
	mov	x5, #5
	mov	x6, #6
	mov	x7, #7
	mov	x8, #8
	mov	x9, #9
	mov	x10, #10
	mov	x11, #11
	mov	x12, #12
	mov	x13, #13
	mov	x14, #14
	mov	x15, #15
	mov	x16, #16
	mov	x17, #17
	cbnz	x18, 1f
	hvc	#0
	b	2f
1:	smc	#0
2:	mov	x0, #0
	.irp n, 4,5,6,7,8,9,10,11,12,13,14,15,16,17
	cmp	x\n, #\n
	cinc	x0, x0, ne
	.endr
	ldp	x29, x30, [sp], #16
	ret

	.ltorg

	.bss
	.balign	16
	.space	8192
stack_top:
	.space	8192
sec_stack_top:

/*
 * void run_at_el0(void (*fn)(void)): runs fn at EL0t (MMU off) and returns
 * here when fn traps to EL1: guest_exception sees vector 8 (lower EL,
 * AArch64, sync) and resumes at el0_return at EL1h.
 */
	.text
	.global run_at_el0
run_at_el0:
	ldr	x9, =el0_saved
	stp	x19, x20, [x9, #0]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	stp	x29, x30, [x9, #80]
	mov	x10, sp
	str	x10, [x9, #96]
	ldr	x10, =el0_stack_top
	msr	sp_el0, x10
	msr	elr_el1, x0
	msr	spsr_el1, xzr		// EL0t, interrupts unmasked (none enabled)
	isb
	eret

	.global el0_return
el0_return:
	ldr	x9, =el0_saved
	ldp	x19, x20, [x9, #0]
	ldp	x21, x22, [x9, #16]
	ldp	x23, x24, [x9, #32]
	ldp	x25, x26, [x9, #48]
	ldp	x27, x28, [x9, #64]
	ldp	x29, x30, [x9, #80]
	ldr	x10, [x9, #96]
	mov	sp, x10
	ret

	.ltorg

	.bss
	.balign	16
el0_saved:
	.space	112
	.balign	16
	.space	4096
el0_stack_top:
