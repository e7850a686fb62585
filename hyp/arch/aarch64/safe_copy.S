// SPDX-License-Identifier: MIT
/*
 * hyp_safe_copy(dst, src, len): a copy at EL2 that survives a data
 * abort on any of its loads or stores, for the host side's accesses to
 * guest memory (docs/protected-vms.md).  16 bytes a step (ldp/stp) while
 * both pointers are 8-byte aligned and 16 bytes remain, bytes otherwise:
 * disk data moves through here, and a byte loop limited a virtio-blk
 * disk to about 20 MiB/s under QEMU (bench/disk.sh).
 *
 * The fixup: for the duration of the copy VBAR_EL2 points at a small
 * vector table whose "current EL, SP_ELx, synchronous" entry checks that
 * the exception came from the copy's own load or store (the exception
 * table holds exactly those four instructions) and, if so, resumes at
 * safe_copy_fault, which returns -1.  Every other exception goes on to the
 * hypervisor's own vectors (hyp_vectors), i.e. dump and exit, as always.
 * A fault in the middle of a 16-byte step may leave part of it copied;
 * the copy fails as a whole either way.
 * VBAR_EL2 is per CPU and EL2 runs with interrupts masked, so no other
 * code runs under the fixup table.
 *
 * Taking the exception overwrites ELR_EL2, SPSR_EL2 (the guest's return
 * state) and ESR/FAR_EL2; the first two are saved and restored here.
 * Clobbers only x9..x17 (caller-saved).
 */
	.text
	.global	hyp_safe_copy
	.type	hyp_safe_copy, %function
hyp_safe_copy:
	mrs	x9, vbar_el2
	mrs	x10, elr_el2
	mrs	x11, spsr_el2
	adr	x12, safe_copy_vectors
	msr	vbar_el2, x12
	isb
	mov	x13, #0
	orr	x14, x0, x1
	tst	x14, #7
	b.ne	1f
0:	cmp	x2, #16
	b.lo	1f
safe_copy_load16:
	ldp	x14, x15, [x1], #16
safe_copy_store16:
	stp	x14, x15, [x0], #16
	sub	x2, x2, #16
	b	0b
1:	cbz	x2, 2f
safe_copy_load:
	ldrb	w14, [x1], #1
safe_copy_store:
	strb	w14, [x0], #1
	sub	x2, x2, #1
	b	1b
safe_copy_fault:
	mov	x13, #-1
2:	msr	vbar_el2, x9
	msr	elr_el2, x10
	msr	spsr_el2, x11
	isb
	mov	x0, x13
	ret
	.size	hyp_safe_copy, . - hyp_safe_copy

// Any vector but the fixup one: the hypervisor's own entry at that offset.
.macro	forward off
	.balign	0x80
	b	hyp_vectors + \off
.endm

	.balign	0x800
safe_copy_vectors:
	forward	0x000
	forward	0x080
	forward	0x100
	forward	0x180
	.balign	0x80	// current EL, SP_ELx: synchronous
	mrs	x15, elr_el2
	adr	x16, safe_copy_load
	cmp	x15, x16
	b.eq	3f
	adr	x16, safe_copy_store
	cmp	x15, x16
	b.eq	3f
	adr	x16, safe_copy_load16
	cmp	x15, x16
	b.eq	3f
	adr	x16, safe_copy_store16
	cmp	x15, x16
	b.ne	hyp_vectors + 0x200
3:	adr	x16, safe_copy_fault
	msr	elr_el2, x16
	eret
	forward	0x280
	forward	0x300
	forward	0x380
	forward	0x400
	forward	0x480
	forward	0x500
	forward	0x580
	forward	0x600
	forward	0x680
	forward	0x700
	forward	0x780
