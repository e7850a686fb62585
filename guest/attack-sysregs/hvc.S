// SPDX-License-Identifier: MIT
// void sysregs_hvc(const uint64_t in[31], uint64_t out[33])
//
// Loads x0..x30 from in[], issues HVC #0, and stores x0..x30 as the
// hypervisor left them into out[0..30], plus SP before (out[31]) and after
// (out[32]) the call, so that the caller can check every register SMCCC
// 1.1 says is preserved.  The callee-saved registers are restored after.
	.text
	.global	sysregs_hvc
	.type	sysregs_hvc, %function
	.balign	4
sysregs_hvc:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x1, [sp, #-16]!		// out, found again after the call
	mov	x2, sp
	str	x2, [x1, #248]		// SP before
	mov	x30, x0
	ldp	x0, x1, [x30, #0]
	ldp	x2, x3, [x30, #16]
	ldp	x4, x5, [x30, #32]
	ldp	x6, x7, [x30, #48]
	ldp	x8, x9, [x30, #64]
	ldp	x10, x11, [x30, #80]
	ldp	x12, x13, [x30, #96]
	ldp	x14, x15, [x30, #112]
	ldp	x16, x17, [x30, #128]
	ldp	x18, x19, [x30, #144]
	ldp	x20, x21, [x30, #160]
	ldp	x22, x23, [x30, #176]
	ldp	x24, x25, [x30, #192]
	ldp	x26, x27, [x30, #208]
	ldp	x28, x29, [x30, #224]
	ldr	x30, [x30, #240]
	hvc	#0
	stp	x0, x1, [sp, #-16]!
	ldr	x0, [sp, #16]		// out
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16	// x0, x1 as the call returned them
	stp	x2, x3, [x0, #0]
	mov	x2, sp
	str	x2, [x0, #256]		// SP after
	add	sp, sp, #16
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
	.size	sysregs_hvc, . - sysregs_hvc
