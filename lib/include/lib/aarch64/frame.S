/* SPDX-License-Identifier: MIT */
/*
 * Register save/restore for exception entry, written once for the
 * hypervisor's EL2 vectors (hyp/arch/aarch64/vectors.S, struct hyp_regs)
 * and the guest runtime's EL1 vectors (guest/rt/head.S, struct rt_frame).
 *
 * Both frames hold x0..x30 as an array at [sp, #base + 8 * n], where base
 * is the array's offset in the frame, every macro's one argument: the
 * hypervisor passes HYP_REGS_X (generated from struct hyp_regs, see
 * hyp/arch/aarch64/asm-offsets.c), the guest runtime 0 (struct rt_frame,
 * asserted in guest/rt/boot.c).  The vector entry has already made room
 * for the frame and stored x0 and x1.  The hypervisor's HVC/SMC path
 * saves only x18, x29 and x30 beyond x0..x17 (its C handler preserves
 * x19..x28); every other path saves all 31.  For assembly only.
 */
#ifndef LIB_AARCH64_FRAME_S
#define LIB_AARCH64_FRAME_S

#ifdef __ASSEMBLER__

/* x2..x17 (x0, x1: by the vector entry). */
.macro frame_save_x2_x17 base:req
	stp	x2, x3, [sp, #\base + 16]
	stp	x4, x5, [sp, #\base + 32]
	stp	x6, x7, [sp, #\base + 48]
	stp	x8, x9, [sp, #\base + 64]
	stp	x10, x11, [sp, #\base + 80]
	stp	x12, x13, [sp, #\base + 96]
	stp	x14, x15, [sp, #\base + 112]
	stp	x16, x17, [sp, #\base + 128]
.endm

.macro frame_load_x0_x17 base:req
	ldp	x0, x1, [sp, #\base + 0]
	ldp	x2, x3, [sp, #\base + 16]
	ldp	x4, x5, [sp, #\base + 32]
	ldp	x6, x7, [sp, #\base + 48]
	ldp	x8, x9, [sp, #\base + 64]
	ldp	x10, x11, [sp, #\base + 80]
	ldp	x12, x13, [sp, #\base + 96]
	ldp	x14, x15, [sp, #\base + 112]
	ldp	x16, x17, [sp, #\base + 128]
.endm

/* The rest of the caller-saved set: x18, x29 (frame pointer), x30. */
.macro frame_save_x18_x29_x30 base:req
	str	x18, [sp, #\base + 144]
	stp	x29, x30, [sp, #\base + 232]
.endm

.macro frame_load_x18_x29_x30 base:req
	ldr	x18, [sp, #\base + 144]
	ldp	x29, x30, [sp, #\base + 232]
.endm

/* The callee-saved x19..x28. */
.macro frame_save_x19_x28 base:req
	stp	x19, x20, [sp, #\base + 152]
	stp	x21, x22, [sp, #\base + 168]
	stp	x23, x24, [sp, #\base + 184]
	stp	x25, x26, [sp, #\base + 200]
	stp	x27, x28, [sp, #\base + 216]
.endm

.macro frame_load_x19_x28 base:req
	ldp	x19, x20, [sp, #\base + 152]
	ldp	x21, x22, [sp, #\base + 168]
	ldp	x23, x24, [sp, #\base + 184]
	ldp	x25, x26, [sp, #\base + 200]
	ldp	x27, x28, [sp, #\base + 216]
.endm

/* All 31 registers, after the vector entry stored x0 and x1. */
.macro frame_save_all base:req
	frame_save_x2_x17 \base
	frame_save_x18_x29_x30 \base
	frame_save_x19_x28 \base
.endm

.macro frame_load_all base:req
	frame_load_x0_x17 \base
	frame_load_x18_x29_x30 \base
	frame_load_x19_x28 \base
.endm

#endif /* __ASSEMBLER__ */
#endif /* LIB_AARCH64_FRAME_S */
