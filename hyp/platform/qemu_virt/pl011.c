// SPDX-License-Identifier: MIT
/*
 * PL011 UART and PL031 RTC, at the addresses the board DTB gives.  The
 * UART transmits the hypervisor's console; its receive side is read only
 * on behalf of a protected VM's emulated PL011 (hyp/devices/pl011_emul.c).
 * QEMU's PL011 needs no set-up; on hardware, firmware has already configured
 * the console UART.
 */
#include <vhyp/board.h>

#include "hyp.h"

#define UART_DR      0x00
#define UART_FR      0x18
#define UART_FR_TXFF (1U << 5)
#define UART_FR_RXFE (1U << 4)
#define UART_IMSC    0x38
/* Receive and receive-timeout interrupt masks. */
#define UART_IMSC_RX ((1U << 4) | (1U << 6))
#define RTC_DR       0x00

/* QEMU virt's PL011 until the DTB has been read. */
static uintptr_t uart_base = VHYP_BOARD_UART_BASE;

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

void plat_uart_set_base(uint64_t base)
{
	uart_base = (uintptr_t)base;
}

void plat_uart_putc(char c)
{
	if (uart_base == 0)
		return;
	while (mmio_read32(uart_base + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(uart_base + UART_DR, (uint8_t)c);
}

bool plat_uart_rx_ready(void)
{
	return uart_base != 0 &&
	       !(mmio_read32(uart_base + UART_FR) & UART_FR_RXFE);
}

int plat_uart_getc(void)
{
	if (!plat_uart_rx_ready())
		return -1;
	return (int)(mmio_read32(uart_base + UART_DR) & 0xFFU);
}

/* The hypervisor never uses the UART's interrupts itself: the mask holds
 * only the receive bits, set while a protected VM's driver wants them. */
void plat_uart_rx_irq(bool enable)
{
	if (uart_base != 0)
		mmio_write32(uart_base + UART_IMSC, enable ? UART_IMSC_RX : 0);
}

bool plat_rtc_read(uint64_t base, uint32_t *seconds)
{
	if (base == 0)
		return false;
	*seconds = mmio_read32((uintptr_t)base + RTC_DR);
	return true;
}
