// SPDX-License-Identifier: MIT
/*
 * The hypervisor console: a minimal printf over the platform UART.  With
 * the runner's token (vhyp.token=, include/vhyp/console_mark.h) every line
 * the hypervisor prints is marked with it and tagged, so that the runner
 * can tell it from anything a guest prints; without a token (QEMU started
 * by hand) lines start with a plain "vhyp: ".  Lines from different CPUs
 * do not interleave once the MMU is on (a spinlock needs Normal memory).
 * Guest output the hypervisor relays (vlog_raw) is never marked.
 */
#include <lib/fmt.h>
#include <lib/spinlock.h>
#include <vhyp/console_mark.h>

#include "hyp.h"

#include "arch.h"

static struct spinlock console_lock = SPINLOCK_INIT;
static bool locking;

/* The runner's token and the line being written (under the lock). */
static struct {
	bool marked;
	uint8_t key[VHYP_TOKEN_BYTES];
	char hex[VHYP_TOKEN_HEX + 1];
	bool open;
	struct vhyp_mac mac;
} line;

void hyp_console_init(uint64_t uart_base)
{
	plat_uart_set_base(uart_base);
}

void hyp_console_set_locking(bool on)
{
	locking = on;
}

static void put_uart(void *ctx, char c)
{
	(void)ctx;
	if (c == '\n')
		plat_uart_putc('\r');
	plat_uart_putc(c);
}

static void put_text(fmt_putc_fn put, const char *s)
{
	while (*s)
		put(NULL, *s++);
}

bool hyp_console_set_token(const char *hex, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	if (!vhyp_token_parse(hex, len, line.key))
		return false;
	for (size_t i = 0; i < VHYP_TOKEN_BYTES; i++) {
		line.hex[2 * i] = digits[line.key[i] >> 4];
		line.hex[2 * i + 1] = digits[line.key[i] & 15U];
	}
	line.hex[VHYP_TOKEN_HEX] = '\0';
	line.marked = true;
	return true;
}

static void begin_line(void)
{
	line.open = true;
	if (!line.marked) {
		put_text(put_uart, "vhyp: ");
		return;
	}
	plat_uart_putc(VHYP_MARK_START);
	put_text(put_uart, VHYP_MARK_NAME);
	put_text(put_uart, line.hex);
	plat_uart_putc(':');
	vhyp_mac_init(&line.mac, line.key);
}

static void end_line(void)
{
	if (line.marked) {
		uint64_t tag = vhyp_mac_final(&line.mac);

		plat_uart_putc(VHYP_MARK_TAG_SEP);
		for (int sh = 60; sh >= 0; sh -= 4)
			plat_uart_putc("0123456789abcdef"[(tag >> sh) & 15U]);
	}
	put_uart(NULL, '\n');
	line.open = false;
}

/* Output of the hypervisor's own lines: marked, tagged, one per '\n'. */
static void put_line_char(void *ctx, char c)
{
	(void)ctx;
	if (!line.open)
		begin_line();
	if (c == '\n') {
		end_line();
		return;
	}
	plat_uart_putc(c);
	if (line.marked)
		vhyp_mac_byte(&line.mac, (uint8_t)c);
}

/* Set by hyp_console_enter_panic(): the CPU that reports a panic keeps
 * the lock, and the others wait on it for good. */
static volatile bool panic_mode;
static volatile uint64_t panic_cpu;

static bool is_panic_cpu(void)
{
	return panic_mode && panic_cpu == arch_read_mpidr();
}

static void lock(void)
{
	if (is_panic_cpu())
		return;
	if (locking && arch_mmu_enabled())
		spin_lock(&console_lock);
}

/* For the panic path: the lock's holder may be the panicking CPU itself
 * (a fault inside vlog), or a CPU that will never release it.  Bounded
 * wait, then go ahead. */
static void lock_for_panic(void)
{
	if (!locking || !arch_mmu_enabled())
		return;
	for (unsigned long i = 0; i < 10000000UL; i++)
		if (spin_trylock(&console_lock))
			return;
}

static void unlock(void)
{
	if (is_panic_cpu())
		return;
	if (locking && arch_mmu_enabled())
		spin_unlock(&console_lock);
}

void hyp_console_enter_panic(void)
{
	if (is_panic_cpu())
		return;
	lock_for_panic();
	panic_cpu = arch_read_mpidr();
	panic_mode = true;
	if (line.open) /* cut by the fault: close it (its tag still holds) */
		end_line();
}

void vlog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lock();
	fmt_vformat(put_line_char, NULL, fmt, ap);
	if (line.open) /* every line ends here, '\n' or not */
		end_line();
	unlock();
	va_end(ap);
}

bool vlog_limited(struct log_limit *l, const char *note)
{
	switch (log_limit(l, LOG_INFO)) {
	case LOG_PRINT:
		return true;
	case LOG_PRINT_LAST:
		vlog("%s", note);
		return false;
	default:
		return false;
	}
}

void vlog_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lock();
	if (line.open)
		end_line();
	fmt_vformat(put_uart, NULL, fmt, ap);
	unlock();
	va_end(ap);
}

_Noreturn void hyp_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hyp_console_enter_panic();
	put_text(put_line_char, "panic: ");
	fmt_vformat(put_line_char, NULL, fmt, ap);
	if (line.open)
		end_line();
	va_end(ap);
	hyp_stop_after_panic();
}
