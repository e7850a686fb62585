// A tiny bare-metal guest that checks the KVM runner end to end: it prints
// "hello", the result of KVM's vendor FEATURES call, the counter ticks of
// batches of 1000 back-to-back FEATURES calls, and powers off through PSCI.
// It runs at EL1 with the MMU off, needs no DTB and assumes the QEMU virt
// PL011 at 0x09000000 and the HVC conduit.
//
// Under -icount shift=0 the counter runs at 62.5 MHz of virtual time while
// one instruction takes 1 ns, so one tick is 16 instructions.

#define UART_BASE	0x09000000
#define UART_FR		0x18
#define UART_FR_TXFF	(1 << 5)

#define KVM_FEATURES_FID	0x86000000	// ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID
#define PSCI_SYSTEM_OFF		0x84000008

#define CALLS_PER_BATCH	1000
#define BATCHES		5

	.section .text.head, "ax"
	.globl	_start
// arm64 Image header (Documentation/arch/arm64/booting.rst), so the runner
// and QEMU load this like a kernel.
_start:
	b	entry			// code0
	.word	0			// code1
	.quad	0			// text_offset
	.quad	_end - _start		// image_size
	.quad	0xa			// flags: little endian, 4K pages, anywhere
	.quad	0, 0, 0			// reserved
	.ascii	"ARM\x64"		// magic
	.word	0			// reserved

	.text
entry:
	adr	x1, stack_top
	mov	sp, x1

	adr	x0, msg_hello
	bl	puts

	mov	w0, #(KVM_FEATURES_FID >> 16)
	lsl	w0, w0, #16
	hvc	#0
	mov	x19, x0
	adr	x0, msg_features
	bl	puts
	mov	x0, x19
	bl	put_hex
	bl	put_newline

	mov	x22, #BATCHES
	mov	x23, #-1		// fewest ticks of any batch
1:	bl	time_batch
	mov	x19, x0
	cmp	x0, x23
	csel	x23, x0, x23, lo
	adr	x0, msg_batch
	bl	puts
	mov	x0, x19
	bl	put_dec
	bl	put_newline
	subs	x22, x22, #1
	b.ne	1b

	adr	x0, msg_min
	bl	puts
	mov	x0, x23
	bl	put_dec
	bl	put_newline

	mov	w0, #(PSCI_SYSTEM_OFF >> 16)
	lsl	w0, w0, #16
	orr	w0, w0, #(PSCI_SYSTEM_OFF & 0xffff)
	hvc	#0
	adr	x0, msg_off_failed
	bl	puts
2:	wfi
	b	2b

// Returns in x0 the counter ticks taken by CALLS_PER_BATCH FEATURES calls.
// The isb keeps the counter reads from being taken early or late.
time_batch:
	mov	x20, #CALLS_PER_BATCH
	mov	w21, #(KVM_FEATURES_FID >> 16)
	lsl	w21, w21, #16
	isb
	mrs	x24, cntvct_el0
	isb
3:	mov	w0, w21
	hvc	#0
	subs	x20, x20, #1
	b.ne	3b
	isb
	mrs	x0, cntvct_el0
	sub	x0, x0, x24
	ret

// Writes the byte in w0, waiting while the transmit FIFO is full.
// Clobbers x9, x10.
putc:
	mov	x9, #UART_BASE
4:	ldr	w10, [x9, #UART_FR]
	tbnz	w10, #5, 4b
	strb	w0, [x9]
	ret

// Writes the NUL-terminated string at x0.  Clobbers x0, x9-x11.
puts:
	mov	x11, x0
	mov	x12, x30
5:	ldrb	w0, [x11], #1
	cbz	w0, 6f
	bl	putc
	b	5b
6:	mov	x30, x12
	ret

put_newline:
	mov	x12, x30
	mov	w0, #'\n'
	bl	putc
	mov	x30, x12
	ret

// Writes x0 as 0x followed by 16 hex digits.  Clobbers x0, x9-x14.
put_hex:
	mov	x12, x30
	mov	x13, x0
	mov	w0, #'0'
	bl	putc
	mov	w0, #'x'
	bl	putc
	mov	x14, #60
7:	lsr	x0, x13, x14
	and	x0, x0, #0xf
	cmp	x0, #10
	add	x10, x0, #'0'
	add	x11, x0, #('a' - 10)
	csel	x0, x10, x11, lo
	bl	putc
	subs	x14, x14, #4
	b.pl	7b
	mov	x30, x12
	ret

// Writes x0 in decimal.  Builds the digits backwards in a stack buffer.
// Clobbers x0, x9-x15.
put_dec:
	mov	x12, x30
	sub	sp, sp, #32
	add	x13, sp, #32		// end of the buffer
	mov	x15, #10
8:	udiv	x14, x0, x15
	msub	x11, x14, x15, x0	// x11 = x0 % 10
	add	x11, x11, #'0'
	strb	w11, [x13, #-1]!
	mov	x0, x14
	cbnz	x0, 8b
	add	x15, sp, #32
9:	ldrb	w0, [x13], #1
	bl	putc
	cmp	x13, x15
	b.ne	9b
	add	sp, sp, #32
	mov	x30, x12
	ret

	.section .rodata
msg_hello:	.asciz	"hello\n"
msg_features:	.asciz	"FEATURES x0 = "
msg_batch:	.asciz	"1000 x FEATURES: ticks = "
msg_min:	.asciz	"min ticks = "
msg_off_failed:	.asciz	"SYSTEM_OFF returned\n"

	.bss
	.balign	16
	.space	4096
stack_top:
