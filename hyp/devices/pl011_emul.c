// SPDX-License-Identifier: MIT
/*
 * An emulated PL011 for protected VMs, at the board UART's IPA.  Enough
 * for a console: DR writes are output, FR always says "transmit FIFO
 * empty, receive FIFO empty", the PrimeCell identification registers read
 * a real PL011's values (so Linux's AMBA bus matches arm,pl011), and every
 * other register reads 0 and ignores writes.  There is no input.
 *
 * Output is collected per line and printed under the hypervisor console's
 * lock, so a guest line and a "vhyp: " line never interleave mid-line.
 */

#include <stdatomic.h>

#include "model.h"

#define PL011_DR      0x000U
#define PL011_FR      0x018U
#define PL011_FR_TXFE (1U << 7)
#define PL011_FR_RXFE (1U << 4)
#define PL011_ID_BASE 0xFE0U
#define LINE_MAX      160U

/* UARTPeriphID0..3, UARTPCellID0..3 (PL011 r1p5, as QEMU's). */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x14, 0x00,
                                    0x0d, 0xf0, 0x05, 0xb1};

static struct {
	atomic_flag lock;
	char line[LINE_MAX];
	unsigned len;
} uart = {.lock = ATOMIC_FLAG_INIT};

static void flush_line(void)
{
	vlog_raw("%.*s\n", (int)uart.len, uart.line);
	uart.len = 0;
}

static void emit(char c)
{
	while (atomic_flag_test_and_set_explicit(&uart.lock,
	                                         memory_order_acquire))
		;
	if (c == '\n')
		flush_line();
	else if (c != '\r') {
		uart.line[uart.len++] = c;
		if (uart.len == LINE_MAX)
			flush_line(); /* an overlong line is split */
	}
	atomic_flag_clear_explicit(&uart.lock, memory_order_release);
}

static uint64_t pl011_read(void *ctx, unsigned cpu, uint64_t off, unsigned size)
{
	(void)ctx;
	(void)cpu;
	(void)size;
	if (off == PL011_FR)
		return PL011_FR_TXFE | PL011_FR_RXFE;
	if (off >= PL011_ID_BASE && off < PL011_ID_BASE + 32U && !(off & 3U))
		return pl011_id[(off - PL011_ID_BASE) / 4U];
	return 0;
}

static void pl011_write(void *ctx, unsigned cpu, uint64_t off, unsigned size,
                        uint64_t val)
{
	(void)ctx;
	(void)cpu;
	(void)size;
	if (off == PL011_DR)
		emit((char)(val & 0xFFU));
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

	return hyp_model_mmio_register(guest, &dev);
}
