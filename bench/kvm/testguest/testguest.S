// A tiny bare-metal guest that checks the KVM runner end to end and gives
// rough per-call costs: it prints "hello", the bitmap KVM's vendor FEATURES
// call returns, and for each call that bitmap offers the fewest counter
// ticks that 200 back-to-back calls took (of 20 batches): FEATURES, PTP
// (virtual counter), and for a protected VM HYP_MEMINFO and MEM_SHARE +
// MEM_UNSHARE of one page (100 pairs a batch, of 20), whose first results
// it prints too.  Then it powers off through PSCI.  It runs at EL1 with the
// MMU off, needs no DTB and assumes the QEMU virt PL011 at 0x09000000 and
// the HVC conduit.
//
// Under -icount shift=0 the counter runs at 62.5 MHz of virtual time while
// one instruction takes 1 ns, so one tick is 16 instructions and the ticks
// of N calls or pairs times 16/N are instructions per call or pair (loop
// included: 5 instructions a call, 10 a pair).
//
// Function IDs are written out as the SMCCC/KVM spec gives them.

#include <vhyp/board.h>

#define UART_BASE	VHYP_BOARD_UART_BASE
#define UART_FR		0x18

#define KVM_FEATURES	0x86000000
#define KVM_PTP		0x86000001
#define KVM_MEMINFO	0xc6000002
#define KVM_MEM_SHARE	0xc6000003
#define KVM_MEM_UNSHARE	0xc6000004
#define PSCI_SYSTEM_OFF	0x84000008

#define FEAT_PTP	1
#define FEAT_MEMINFO	2
#define FEAT_MEM_SHARE	3

// Host timer ticks (HZ=250, every 4 ms of virtual time) that land in a
// batch add hundreds of thousands of ticks to it, so batches stay well
// under 4 ms (200 calls of pKVM's slowest, ~3800 instructions, take 0.8 ms)
// and only the fewest ticks count.
#define CALLS_PER_BATCH	200
#define BATCHES		20
#define PAIRS_PER_BATCH	100	// a share + unshare pair costs ~6500 instructions
#define PAIR_BATCHES	20

// Loads a 32-bit constant.
.macro	li32 reg, value
	movz	\reg, #((\value) >> 16), lsl #16
	movk	\reg, #((\value) & 0xffff)
.endm

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

	li32	x0, KVM_FEATURES
	mov	x1, xzr
	hvc	#0
	mov	x19, x0			// the feature bitmap, kept to the end
	adr	x0, msg_features
	mov	x1, x19
	bl	put_labelled_hex

	li32	x0, KVM_FEATURES
	mov	x1, xzr
	adr	x2, msg_t_features
	bl	report_call_cost

	tbz	x19, #FEAT_PTP, 1f
	li32	x0, KVM_PTP
	mov	x1, xzr			// virtual counter
	adr	x2, msg_t_ptp
	bl	report_call_cost
1:
	tbz	x19, #FEAT_MEMINFO, 2f
	li32	x0, KVM_MEMINFO
	mov	x1, xzr
	hvc	#0
	mov	x1, x0
	adr	x0, msg_meminfo
	bl	put_labelled_hex
	li32	x0, KVM_MEMINFO
	mov	x1, xzr
	adr	x2, msg_t_meminfo
	bl	report_call_cost
2:
	tbz	x19, #FEAT_MEM_SHARE, 3f
	bl	report_share_cost
3:
	li32	x0, PSCI_SYSTEM_OFF
	hvc	#0
	adr	x0, msg_off_failed
	bl	puts
4:	wfi
	b	4b

// Loop state lives in x19-x28, which the hypervisor must preserve whatever
// SMCCC version it implements (x4-x17 only since SMCCC 1.1).

// report_call_cost(x0 = function ID, x1 = its x1, x2 = label): prints the
// label and the fewest ticks any of BATCHES batches of CALLS_PER_BATCH
// calls took.
report_call_cost:
	stp	x29, x30, [sp, #-80]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	mov	x22, #-1		// fewest ticks so far
	mov	x25, #BATCHES
5:	mov	x23, #CALLS_PER_BATCH
	isb
	mrs	x24, cntvct_el0
	isb
6:	mov	x0, x19
	mov	x1, x20
	hvc	#0
	subs	x23, x23, #1
	b.ne	6b
	isb
	mrs	x26, cntvct_el0
	sub	x26, x26, x24
	cmp	x26, x22
	csel	x22, x26, x22, lo
	subs	x25, x25, #1
	b.ne	5b
	mov	x0, x21
	bl	puts
	mov	x0, x22
	bl	put_dec
	bl	put_newline
	ldp	x25, x26, [sp, #64]
	ldp	x23, x24, [sp, #48]
	ldp	x21, x22, [sp, #32]
	ldp	x19, x20, [sp, #16]
	ldp	x29, x30, [sp], #80
	ret

// Shares and unshares share_page once, printing both results, then times
// batches of PAIRS_PER_BATCH pairs of them, as report_call_cost does single
// calls.
report_share_cost:
	stp	x29, x30, [sp, #-80]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	adr	x19, share_page
	str	xzr, [x19]		// touch it: the page must be the guest's
	li32	x20, KVM_MEM_SHARE
	li32	x21, KVM_MEM_UNSHARE

	mov	x0, x20
	mov	x1, x19
	hvc	#0
	mov	x1, x0
	adr	x0, msg_share
	bl	put_labelled_hex
	mov	x0, x21
	mov	x1, x19
	hvc	#0
	mov	x1, x0
	adr	x0, msg_unshare
	bl	put_labelled_hex

	mov	x22, #-1
	mov	x25, #PAIR_BATCHES
7:	mov	x23, #PAIRS_PER_BATCH
	isb
	mrs	x24, cntvct_el0
	isb
8:	mov	x0, x20
	mov	x1, x19
	hvc	#0
	mov	x0, x21
	mov	x1, x19
	hvc	#0
	subs	x23, x23, #1
	b.ne	8b
	isb
	mrs	x26, cntvct_el0
	sub	x26, x26, x24
	cmp	x26, x22
	csel	x22, x26, x22, lo
	subs	x25, x25, #1
	b.ne	7b
	adr	x0, msg_t_share
	bl	puts
	mov	x0, x22
	bl	put_dec
	bl	put_newline
	ldp	x25, x26, [sp, #64]
	ldp	x23, x24, [sp, #48]
	ldp	x21, x22, [sp, #32]
	ldp	x19, x20, [sp, #16]
	ldp	x29, x30, [sp], #80
	ret

// The helpers below use x9-x15 only (and x0, x1 as arguments).

// Writes the byte in w0, waiting while the transmit FIFO is full.
putc:
	mov	x9, #UART_BASE
9:	ldr	w10, [x9, #UART_FR]
	tbnz	w10, #5, 9b		// TXFF
	strb	w0, [x9]
	ret

// Writes the NUL-terminated string at x0.
puts:
	mov	x11, x0
	mov	x12, x30
10:	ldrb	w0, [x11], #1
	cbz	w0, 11f
	bl	putc
	b	10b
11:	mov	x30, x12
	ret

put_newline:
	mov	x12, x30
	mov	w0, #'\n'
	bl	putc
	mov	x30, x12
	ret

// Writes x0 as 0x followed by 16 hex digits.
put_hex:
	mov	x12, x30
	mov	x13, x0
	mov	w0, #'0'
	bl	putc
	mov	w0, #'x'
	bl	putc
	mov	x14, #60
12:	lsr	x0, x13, x14
	and	x0, x0, #0xf
	cmp	x0, #10
	add	x10, x0, #'0'
	add	x11, x0, #('a' - 10)
	csel	x0, x10, x11, lo
	bl	putc
	subs	x14, x14, #4
	b.pl	12b
	mov	x30, x12
	ret

// Writes the string at x0, x1 in hex and a newline.
put_labelled_hex:
	mov	x15, x30
	str	x1, [sp, #-16]!
	bl	puts
	ldr	x0, [sp], #16
	bl	put_hex
	bl	put_newline
	mov	x30, x15
	ret

// Writes x0 in decimal, building the digits backwards on the stack.
put_dec:
	mov	x12, x30
	sub	sp, sp, #32
	add	x13, sp, #32		// end of the buffer
	mov	x15, #10
13:	udiv	x14, x0, x15
	msub	x11, x14, x15, x0	// x11 = x0 % 10
	add	x11, x11, #'0'
	strb	w11, [x13, #-1]!
	mov	x0, x14
	cbnz	x0, 13b
	add	x15, sp, #32
14:	ldrb	w0, [x13], #1
	bl	putc
	cmp	x13, x15
	b.ne	14b
	add	sp, sp, #32
	mov	x30, x12
	ret

	.section .rodata
msg_hello:	.asciz	"hello\n"
msg_features:	.asciz	"FEATURES x0 = "
msg_meminfo:	.asciz	"HYP_MEMINFO x0 = "
msg_share:	.asciz	"MEM_SHARE x0 = "
msg_unshare:	.asciz	"MEM_UNSHARE x0 = "
msg_t_features:	.asciz	"FEATURES: min ticks per 200 = "
msg_t_ptp:	.asciz	"PTP: min ticks per 200 = "
msg_t_meminfo:	.asciz	"HYP_MEMINFO: min ticks per 200 = "
msg_t_share:	.asciz	"MEM_SHARE+MEM_UNSHARE: min ticks per 100 = "
msg_off_failed:	.asciz	"SYSTEM_OFF returned\n"

	.bss
	.balign	4096
share_page:
	.space	4096
	.space	4096
stack_top:
