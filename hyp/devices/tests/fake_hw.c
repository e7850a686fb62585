// SPDX-License-Identifier: MIT
/* Hardware fakes of the host-side device tests (fake_hw.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "arch.h"
#include "fake_hw.h"
#include "hyp.h"

struct hyp_state g_hyp;

char fake_uart[8192];
size_t fake_uart_len;

void fake_uart_clear(void)
{
	fake_uart_len = 0;
	fake_uart[0] = '\0';
}

void plat_uart_putc(char c)
{
	if (fake_uart_len + 1 < sizeof(fake_uart))
		fake_uart[fake_uart_len++] = c;
	fake_uart[fake_uart_len] = '\0';
}

void plat_uart_set_base(uint64_t base)
{
	(void)base;
}

/* The receive side: bytes queued by the test, and the interrupt mask. */
const char *fake_uart_rx;
bool fake_uart_rx_irq;

bool plat_uart_rx_ready(void)
{
	return fake_uart_rx != NULL && *fake_uart_rx != '\0';
}

int plat_uart_getc(void)
{
	return plat_uart_rx_ready() ? (unsigned char)*fake_uart_rx++ : -1;
}

void plat_uart_rx_irq(bool enable)
{
	fake_uart_rx_irq = enable;
}

uint64_t arch_read_mpidr(void)
{
	return 0;
}

bool arch_mmu_enabled(void)
{
	return false;
}

_Noreturn void hyp_stop_after_panic(void)
{
	fail_msg("hypervisor panic: %s", fake_uart);
	abort();
}

/* The counter (qemu_disk.c's timeout): a clock that advances per read. */
uint64_t arch_read_cntpct(void)
{
	static uint64_t now;

	return now += 1000U;
}

uint64_t arch_read_cntfrq(void)
{
	return 1000000U;
}
