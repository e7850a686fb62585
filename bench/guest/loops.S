// SPDX-License-Identifier: MIT
/*
 * The timed loops of the benchmark guest.  Each returns the virtual
 * counter ticks between "isb; mrs cntvct_el0" before the first call and
 * after the last, so the count includes the loop's own instructions (a
 * call costs the HVC round trip plus 5 loop instructions, as in
 * bench/kvm/testguest).  Loop state lives in x19-x28, which the hypervisor
 * preserves under any SMCCC version; x0-x17 may change in every call.
 */
	.text

// Saves x19-x24 and the frame; restore_regs undoes it.
.macro save_regs
	stp	x29, x30, [sp, #-64]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
.endm
.macro restore_regs
	ldp	x23, x24, [sp, #48]
	ldp	x21, x22, [sp, #32]
	ldp	x19, x20, [sp, #16]
	ldp	x29, x30, [sp], #64
.endm

// uint64_t bench_time_calls(uint64_t fid, uint64_t x1, uint64_t n):
// n > 0 back-to-back calls of fid with X1 = x1.
	.global	bench_time_calls
bench_time_calls:
	save_regs
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	isb
	mrs	x22, cntvct_el0
	isb
1:	mov	x0, x19
	mov	x1, x20
	hvc	#0
	subs	x21, x21, #1
	b.ne	1b
	isb
	mrs	x0, cntvct_el0
	sub	x0, x0, x22
	restore_regs
	ret

// uint64_t bench_time_share_rounds(uint64_t ipa, uint64_t granule,
//                                  uint64_t count, uint64_t rounds):
// rounds > 0 times: MEM_SHARE of the count > 0 granules from ipa upwards,
// then MEM_UNSHARE of the same granules.  A granule costs two HVC round
// trips and 12 loop instructions (6 per call), plus 7 instructions a
// round.  X1..X3 carry results, so the IPA is kept in x25.
	.global	bench_time_share_rounds
bench_time_share_rounds:
	save_regs
	stp	x25, x26, [sp, #-32]!
	stp	x27, x28, [sp, #16]
	mov	x19, x0			// first granule
	mov	x20, x1			// granule size
	mov	x21, x2			// granules per round
	mov	x22, x3			// rounds left
	movz	w26, #0xc600, lsl #16	// MEM_SHARE 0xc6000003
	movk	w26, #0x0003
	movz	w27, #0xc600, lsl #16	// MEM_UNSHARE 0xc6000004
	movk	w27, #0x0004
	isb
	mrs	x24, cntvct_el0
	isb
2:	mov	x23, x21
	mov	x25, x19
3:	mov	x0, x26
	mov	x1, x25
	hvc	#0
	add	x25, x25, x20
	subs	x23, x23, #1
	b.ne	3b
	mov	x23, x21
	mov	x25, x19
4:	mov	x0, x27
	mov	x1, x25
	hvc	#0
	add	x25, x25, x20
	subs	x23, x23, #1
	b.ne	4b
	subs	x22, x22, #1
	b.ne	2b
	isb
	mrs	x0, cntvct_el0
	sub	x0, x0, x24
	ldp	x27, x28, [sp, #16]
	ldp	x25, x26, [sp], #32
	restore_regs
	ret
