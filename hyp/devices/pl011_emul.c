// SPDX-License-Identifier: MIT
/*
 * An emulated PL011 for protected VMs, at the board UART's IPA, with the
 * registers Linux's amba-pl011 driver uses:
 *
 *  - DR: a write is output, passed on at once (no line buffering); a read
 *    is the next received byte (0 when there is none);
 *  - FR: TXFE always (output never waits), RXFE while nothing was
 *    received;
 *  - IBRD, FBRD, LCR_H, CR, IFLS, DMACR: read back what was written (the
 *    line settings mean nothing here);
 *  - IMSC: the interrupt mask; RIS: RX and RT while a byte waits, TX
 *    always (the transmit FIFO is always empty); MIS = RIS & IMSC; ICR
 *    and RSR/ECR writes are accepted (the RX status is the level of the
 *    receive FIFO, as on the hardware once the data is read);
 *  - the PrimeCell identification registers: a real PL011's values (so
 *    Linux's AMBA bus matches arm,pl011);
 *  - everything else reads 0 and ignores writes.
 *
 * Input: the receive FIFO is the physical PL011's, read through the model
 * API (hyp_model_console_getc).  While the guest unmasks RX or RT in
 * IMSC, the physical UART's receive interrupts are on; its interrupt line
 * is the board UART's SPI, the same SPI the guest's DTB gives this UART
 * and which the guest owns, so a received byte interrupts the guest
 * directly, even in WFI: no polling, no trap of WFI.  The TX interrupt is
 * never raised (the driver only waits for it when FR says TXFF, which this
 * UART never says).
 */

#include <stdatomic.h>

#include "model.h"

#define PL011_DR      0x000U
#define PL011_FR      0x018U
#define PL011_IBRD    0x024U
#define PL011_FBRD    0x028U
#define PL011_LCRH    0x02CU
#define PL011_CR      0x030U
#define PL011_IFLS    0x034U
#define PL011_IMSC    0x038U
#define PL011_RIS     0x03CU
#define PL011_MIS     0x040U
#define PL011_ICR     0x044U
#define PL011_DMACR   0x048U
#define PL011_FR_TXFE (1U << 7)
#define PL011_FR_RXFE (1U << 4)
#define PL011_INT_RX  (1U << 4)
#define PL011_INT_TX  (1U << 5)
#define PL011_INT_RT  (1U << 6)
#define PL011_INT_ALL 0x7FFU
#define PL011_ID_BASE 0xFE0U

/* UARTPeriphID0..3, UARTPCellID0..3 (PL011 r1p5, as QEMU's). */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x14, 0x00,
                                    0x0d, 0xf0, 0x05, 0xb1};

static struct {
	atomic_flag lock;
	hyp_guest_t guest;
	bool cr_pending; /* a '\r' not yet passed on (see emit) */
	uint32_t ibrd, fbrd, lcrh, cr, ifls, imsc, dmacr;
} uart = {.lock = ATOMIC_FLAG_INIT};

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&uart.lock,
	                                         memory_order_acquire))
		;
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&uart.lock, memory_order_release);
}

/* One output byte, passed on at once.  The console turns '\n' into CRLF
 * itself, so a '\r' is held until the next byte: dropped before '\n',
 * passed on before anything else (a line redrawn from its start). */
static void emit(char c)
{
	if (uart.cr_pending && c != '\n')
		vlog_raw("\r");
	uart.cr_pending = c == '\r';
	if (c != '\r')
		vlog_raw("%c", c);
}

static uint32_t raw_status(void)
{
	uint32_t ris = PL011_INT_TX;

	if (hyp_model_console_rx_ready(uart.guest, HYP_CONSOLE_UART))
		ris |= PL011_INT_RX | PL011_INT_RT;
	return ris;
}

static uint32_t read_reg(uint64_t off)
{
	switch (off) {
	case PL011_DR: {
		int c = hyp_model_console_getc(uart.guest, HYP_CONSOLE_UART);

		return c < 0 ? 0U : (uint32_t)c;
	}
	case PL011_FR:
		return PL011_FR_TXFE |
		       (hyp_model_console_rx_ready(uart.guest, HYP_CONSOLE_UART)
		                ? 0U
		                : PL011_FR_RXFE);
	case PL011_IBRD:
		return uart.ibrd;
	case PL011_FBRD:
		return uart.fbrd;
	case PL011_LCRH:
		return uart.lcrh;
	case PL011_CR:
		return uart.cr;
	case PL011_IFLS:
		return uart.ifls;
	case PL011_IMSC:
		return uart.imsc;
	case PL011_RIS:
		return raw_status();
	case PL011_MIS:
		return raw_status() & uart.imsc;
	case PL011_DMACR:
		return uart.dmacr;
	default:
		if (off >= PL011_ID_BASE && off < PL011_ID_BASE + 32U &&
		    !(off & 3U))
			return pl011_id[(off - PL011_ID_BASE) / 4U];
		return 0;
	}
}

static void write_reg(uint64_t off, uint32_t val)
{
	switch (off) {
	case PL011_DR:
		emit((char)(val & 0xFFU));
		return;
	case PL011_IBRD:
		uart.ibrd = val & 0xFFFFU;
		return;
	case PL011_FBRD:
		uart.fbrd = val & 0x3FU;
		return;
	case PL011_LCRH:
		uart.lcrh = val & 0xFFU;
		return;
	case PL011_CR:
		uart.cr = val & 0xFF87U;
		return;
	case PL011_IFLS:
		uart.ifls = val & 0x3FU;
		return;
	case PL011_IMSC:
		uart.imsc = val & PL011_INT_ALL;
		hyp_model_console_rx_irq(
		        uart.guest,
		        (uart.imsc & (PL011_INT_RX | PL011_INT_RT)) != 0);
		return;
	case PL011_DMACR:
		uart.dmacr = val & 7U;
		return;
	default: /* RSR/ECR, ICR, read-only and unknown registers */
		return;
	}
}

static uint64_t pl011_read(void *ctx, unsigned cpu, uint64_t off, unsigned size)
{
	uint32_t v;

	(void)ctx;
	(void)cpu;
	(void)size;
	lock();
	v = read_reg(off);
	unlock();
	return v;
}

static void pl011_write(void *ctx, unsigned cpu, uint64_t off, unsigned size,
                        uint64_t val)
{
	(void)ctx;
	(void)cpu;
	(void)size;
	lock();
	write_reg(off, (uint32_t)val);
	unlock();
}

bool hyp_pl011_emul_register(hyp_guest_t guest, uint64_t base)
{
	struct hyp_mmio_device dev = {
	        .name = "pl011",
	        .base = base,
	        .size = HYP_PL011_SIZE,
	        .read = pl011_read,
	        .write = pl011_write,
	};

	uart.guest = guest;
	uart.cr_pending = false;
	uart.ibrd = uart.fbrd = uart.lcrh = uart.ifls = uart.imsc = 0;
	uart.dmacr = 0;
	uart.cr = 0x300U; /* TXE | RXE, as at reset */
	return hyp_model_mmio_register(guest, &dev);
}
