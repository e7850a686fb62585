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
#include <vhyp/console_mark.h>

#include "hyp.h"

#include "arch.h"

static atomic_flag console_lock = ATOMIC_FLAG_INIT;
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

static void put_uart(char c, void *ctx)
{
	(void)ctx;
	if (c == '\n')
		plat_uart_putc('\r');
	plat_uart_putc(c);
}

static void put_str(void (*put)(char, void *), void *ctx, const char *s,
                    int width, bool left, int prec);

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
		put_str(put_uart, NULL, "vhyp: ", 0, false, -1);
		return;
	}
	plat_uart_putc(VHYP_MARK_START);
	put_str(put_uart, NULL, VHYP_MARK_NAME, 0, false, -1);
	put_str(put_uart, NULL, line.hex, 0, false, -1);
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
	put_uart('\n', NULL);
	line.open = false;
}

/* Output of the hypervisor's own lines: marked, tagged, one per '\n'. */
static void put_line_char(char c, void *ctx)
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

static void put_str(void (*put)(char, void *), void *ctx, const char *s,
                    int width, bool left, int prec)
{
	int len = 0;

	if (s == NULL)
		s = "(null)";
	while ((prec < 0 || len < prec) && s[len])
		len++;
	for (; !left && width > len; width--)
		put(' ', ctx);
	for (int i = 0; i < len; i++)
		put(s[i], ctx);
	for (; left && width > len; width--)
		put(' ', ctx);
}

static void put_num(void (*put)(char, void *), void *ctx, uint64_t v,
                    unsigned base, bool neg, int width, bool zero, bool left)
{
	char buf[24];
	int n = 0;

	do {
		unsigned d = (unsigned)(v % base);
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	int digits = n;

	for (int pad = width - digits; !left && pad > 0; pad--)
		put(zero ? '0' : ' ', ctx);
	while (n)
		put(buf[--n], ctx);
	for (int pad = width - digits; left && pad > 0; pad--)
		put(' ', ctx);
}

void hyp_vformat(void (*put)(char, void *), void *ctx, const char *fmt,
                 va_list ap)
{
	for (; *fmt; fmt++) {
		bool zero = false, left = false;
		int width = 0, lng = 0, prec = -1;
		uint64_t v;

		if (*fmt != '%') {
			put(*fmt, ctx);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = true;
			fmt++;
		}
		if (*fmt == '0') {
			zero = true;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_str(put, ctx, va_arg(ap, const char *), width, left,
			        prec);
			break;
		case 'c':
			put((char)va_arg(ap, int), ctx);
			break;
		case 'd': {
			int64_t s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(put, ctx, s < 0 ? 0 - (uint64_t)s : (uint64_t)s,
			        10, s < 0, width, zero, left);
			break;
		}
		case 'u':
		case 'x':
			v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			put_num(put, ctx, v, *fmt == 'x' ? 16 : 10, false,
			        width, zero, left);
			break;
		case 'p':
			put('0', ctx);
			put('x', ctx);
			put_num(put, ctx,
			        (uint64_t)(uintptr_t)va_arg(ap, void *), 16,
			        false, 0, false, false);
			break;
		case '%':
			put('%', ctx);
			break;
		default:
			put('%', ctx);
			if (*fmt == '\0')
				return;
			put(*fmt, ctx);
			break;
		}
	}
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
		while (atomic_flag_test_and_set_explicit(&console_lock,
		                                         memory_order_acquire))
			;
}

/* For the panic path: the lock's holder may be the panicking CPU itself
 * (a fault inside vlog), or a CPU that will never release it.  Bounded
 * wait, then go ahead. */
static void lock_for_panic(void)
{
	if (!locking || !arch_mmu_enabled())
		return;
	for (unsigned long i = 0; i < 10000000UL; i++)
		if (!atomic_flag_test_and_set_explicit(&console_lock,
		                                       memory_order_acquire))
			return;
}

static void unlock(void)
{
	if (is_panic_cpu())
		return;
	if (locking && arch_mmu_enabled())
		atomic_flag_clear_explicit(&console_lock, memory_order_release);
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
	hyp_vformat(put_line_char, NULL, fmt, ap);
	if (line.open) /* every line ends here, '\n' or not */
		end_line();
	unlock();
	va_end(ap);
}

void vlog_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lock();
	if (line.open)
		end_line();
	hyp_vformat(put_uart, NULL, fmt, ap);
	unlock();
	va_end(ap);
}

_Noreturn void hyp_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hyp_console_enter_panic();
	put_str(put_line_char, NULL, "panic: ", 0, false, -1);
	hyp_vformat(put_line_char, NULL, fmt, ap);
	if (line.open)
		end_line();
	va_end(ap);
	hyp_stop_after_panic();
}
