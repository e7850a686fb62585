// SPDX-License-Identifier: MIT
// hyp-smoke: the few things C cannot say (the guest runtime, guest/rt,
// provides the entry points, vectors and everything else).

/*
 * uint64_t call_preserve(uint64_t fid, int use_smc): calls with x4..x17 set
 * to 0x4..0x17 and returns the number of those registers changed.
 */
	.text
	.global call_preserve
call_preserve:
	stp	x29, x30, [sp, #-16]!
	mov	x18, x1
	.irp n, 4,5,6,7,8,9,10,11,12,13,14,15,16,17
	mov	x\n, #\n
	.endr
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

/*
 * The EL0 probe, copied by main.c into a block mapped executable at EL0:
 * loads from the IPA in x0 (which has no stage-2 mapping) and waits for the
 * abort.  Position independent.
 */
	.global el0_probe, el0_probe_end
el0_probe:
	ldr	w1, [x0]
1:	b	1b
el0_probe_end:

/*
 * void run_at_el0(uint64_t pc, uint64_t x0): runs pc at EL0t with x0 and
 * returns here when it traps to EL1: the exception hook in main.c sees the
 * lower-EL vector and resumes at el0_return at EL1h.
 */
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
	msr	sp_el0, xzr		// the probe uses no stack
	msr	elr_el1, x0
	mov	x0, x1
	mov	x10, #0x3c0		// EL0t, DAIF masked
	msr	spsr_el1, x10
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
