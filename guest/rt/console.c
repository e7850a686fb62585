// SPDX-License-Identifier: MIT
/* PL011 console and printf, serialized between CPUs. */
#include <guest/rt.h>
#include <lib/fdt.h>
#include <lib/fmt.h>

#include "arch.h"

#define PL011_DR       0x00U
#define PL011_FR       0x18U
#define PL011_FR_TXFF  (1U << 5)
#define QEMU_VIRT_UART VHYP_BOARD_UART_BASE

static uint64_t uart_base = QEMU_VIRT_UART;
static struct spinlock console_lock = SPINLOCK_INIT;
static bool console_locking; /* spinlocks only once the MMU is on */

uint64_t rt_uart_base(void)
{
	return uart_base;
}

/* The node /chosen stdout-path names ("/pl011@9000000:115200n8"). */
static int stdout_node(const struct fdt *fdt)
{
	char path[64];
	uint32_t len, i;
	int chosen = fdt_path(fdt, "/chosen");
	const uint8_t *p = fdt_getprop(fdt, chosen, "stdout-path", &len);

	if (p == NULL || len == 0 || len > sizeof(path))
		return -1;
	for (i = 0; i < len && p[i] != 0 && p[i] != ':'; i++)
		path[i] = (char)p[i];
	path[i] = 0;
	return fdt_path(fdt, path);
}

void rt_console_init(const void *dtb)
{
	struct fdt fdt;
	uint64_t base, size;
	int node;

	if (fdt_open(&fdt, dtb, FDT_MAX_SIZE) != 0)
		return;
	node = stdout_node(&fdt);
	if (node < 0 ||
	    !fdt_prop_has_string(&fdt, node, "compatible", "arm,pl011"))
		node = fdt_find_compatible(&fdt, -1, "arm,pl011");
	if (node >= 0 && fdt_reg(&fdt, node, 0, &base, &size))
		uart_base = base;
}

void rt_console_enable_locking(void)
{
	console_locking = true;
}

void rt_putc(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uart_base + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(uart_base + PL011_DR);

	if (c == '\n')
		rt_putc('\r');
	while (*fr & PL011_FR_TXFF)
		;
	*dr = (uint32_t)(unsigned char)c;
}

void rt_puts(const char *s)
{
	while (*s != 0)
		rt_putc(*s++);
}

static void sink_putc(void *opaque, char c)
{
	(void)opaque;
	rt_putc(c);
}

size_t rt_printf_unlocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	size_t n = fmt_vformat(sink_putc, NULL, fmt, ap);
	va_end(ap);
	return n;
}

size_t rt_printf(const char *fmt, ...)
{
	va_list ap;
	size_t n;
	bool lock = console_locking;

	if (lock)
		spin_lock(&console_lock);
	va_start(ap, fmt);
	n = fmt_vformat(sink_putc, NULL, fmt, ap);
	va_end(ap);
	if (lock)
		spin_unlock(&console_lock);
	return n;
}
