// SPDX-License-Identifier: MIT
// Raw SMCCC calls for the test guests: X0..X28 loaded from a struct
// gt_call, one HVC/SMC with a fixed immediate, X0..X28 stored back, plus a
// marker that is 1 only if execution resumed at the next instruction.
//
// struct gt_call { u64 in[29]; u64 out[29]; u64 marker; }
#define IN	0
#define OUT	232
#define MARKER	464

.macro load_all
	ldp	x0, x1, [x30, #IN + 0]
	ldp	x2, x3, [x30, #IN + 16]
	ldp	x4, x5, [x30, #IN + 32]
	ldp	x6, x7, [x30, #IN + 48]
	ldp	x8, x9, [x30, #IN + 64]
	ldp	x10, x11, [x30, #IN + 80]
	ldp	x12, x13, [x30, #IN + 96]
	ldp	x14, x15, [x30, #IN + 112]
	ldp	x16, x17, [x30, #IN + 128]
	ldp	x18, x19, [x30, #IN + 144]
	ldp	x20, x21, [x30, #IN + 160]
	ldp	x22, x23, [x30, #IN + 176]
	ldp	x24, x25, [x30, #IN + 192]
	ldp	x26, x27, [x30, #IN + 208]
	ldr	x28, [x30, #IN + 224]
.endm

.macro store_all
	stp	x0, x1, [x30, #OUT + 0]
	stp	x2, x3, [x30, #OUT + 16]
	stp	x4, x5, [x30, #OUT + 32]
	stp	x6, x7, [x30, #OUT + 48]
	stp	x8, x9, [x30, #OUT + 64]
	stp	x10, x11, [x30, #OUT + 80]
	stp	x12, x13, [x30, #OUT + 96]
	stp	x14, x15, [x30, #OUT + 112]
	stp	x16, x17, [x30, #OUT + 128]
	stp	x18, x19, [x30, #OUT + 144]
	stp	x20, x21, [x30, #OUT + 160]
	stp	x22, x23, [x30, #OUT + 176]
	stp	x24, x25, [x30, #OUT + 192]
	stp	x26, x27, [x30, #OUT + 208]
	str	x28, [x30, #OUT + 224]
	str	x29, [x30, #MARKER]
.endm

// x0 = struct gt_call *.  Saves x19..x30 (AAPCS64) around the call.
.macro gt_call_fn name, insn, imm
	.text
	.global	\name
	.type	\name, %function
	.balign	4
\name:
	stp	x29, x30, [sp, #-112]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x0, [sp, #96]
	mov	x30, x0
	load_all
	mov	x29, xzr
	\insn	#\imm
	mov	x29, #1			// runs only if the call returned here
	ldr	x30, [sp, #96]
	store_all
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret
	.size	\name, . - \name
.endm

gt_call_fn gt_raw_hvc_0, hvc, 0
gt_call_fn gt_raw_hvc_1, hvc, 1
gt_call_fn gt_raw_hvc_1234, hvc, 0x1234
gt_call_fn gt_raw_hvc_ffff, hvc, 0xffff
gt_call_fn gt_raw_smc_0, smc, 0
gt_call_fn gt_raw_smc_1, smc, 1
gt_call_fn gt_raw_smc_2a, smc, 0x2a
gt_call_fn gt_raw_smc_1234, smc, 0x1234
gt_call_fn gt_raw_smc_8000, smc, 0x8000
gt_call_fn gt_raw_smc_ffff, smc, 0xffff

// Single-instruction accesses: x0 = address, x1 = value to store.  The
// access is the first instruction, so an abort's ELR is the symbol.
.macro gt_access_fn name, insn:vararg
	.text
	.global	\name
	.type	\name, %function
	.balign	4
\name:
	\insn
	ret
	.size	\name, . - \name
.endm

gt_access_fn gt_acc_ldrb, ldrb w0, [x0]
gt_access_fn gt_acc_ldr32, ldr w0, [x0]
gt_access_fn gt_acc_ldr64, ldr x0, [x0]
gt_access_fn gt_acc_ldp64, ldp x0, x1, [x0]
gt_access_fn gt_acc_strb, strb w1, [x0]
gt_access_fn gt_acc_str32, str w1, [x0]
gt_access_fn gt_acc_str64, str x1, [x0]
gt_access_fn gt_acc_stp64, stp x1, x1, [x0]
