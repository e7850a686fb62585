// SPDX-License-Identifier: MIT
/* The printf engine and ISO 8601 formatting (lib/include/lib/fmt.h). */
#include <lib/fmt.h>

#include <stdbool.h>

struct spec {
	bool zero;
	bool left;
	unsigned width;
	int precision;  /* %s only; -1: none */
	unsigned longs; /* 0, 1 (l, z) or 2 (ll) */
};

struct sink {
	fmt_putc_fn putc;
	void *ctx;
	size_t count;
};

static void emit(struct sink *s, char c)
{
	s->putc(s->ctx, c);
	s->count++;
}

static void emit_padded(struct sink *s, const struct spec *sp, const char *str,
                        size_t len, bool negative)
{
	size_t total = len + (negative ? 1 : 0);
	size_t pad = sp->width > total ? sp->width - total : 0;
	size_t i;

	if (!sp->left && !sp->zero)
		for (i = 0; i < pad; i++)
			emit(s, ' ');
	if (negative)
		emit(s, '-');
	if (!sp->left && sp->zero)
		for (i = 0; i < pad; i++)
			emit(s, '0');
	for (i = 0; i < len; i++)
		emit(s, str[i]);
	if (sp->left)
		for (i = 0; i < pad; i++)
			emit(s, ' ');
}

static void emit_number(struct sink *s, const struct spec *sp, uint64_t v,
                        unsigned base, bool upper, bool negative)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	size_t n = sizeof(buf);

	do {
		buf[--n] = digits[v % base];
		v /= base;
	} while (v != 0);
	emit_padded(s, sp, buf + n, sizeof(buf) - n, negative);
}

static uint64_t arg_unsigned(va_list *ap, unsigned longs)
{
	if (longs == 2)
		return va_arg(*ap, unsigned long long);
	if (longs == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, unsigned longs)
{
	if (longs == 2)
		return va_arg(*ap, long long);
	if (longs == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* Parses flags, width and length after '%'; returns the conversion. */
static const char *parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	struct spec zero = {0};

	*sp = zero;
	sp->precision = -1;
	for (; *p == '0' || *p == '-'; p++) {
		if (*p == '0')
			sp->zero = true;
		else
			sp->left = true;
	}
	while (*p >= '0' && *p <= '9' && sp->width < 1000)
		sp->width = sp->width * 10 + (unsigned)(*p++ - '0');
	if (*p == '.') {
		p++;
		sp->precision = 0;
		if (*p == '*') {
			sp->precision = va_arg(*ap, int);
			p++;
		}
		while (*p >= '0' && *p <= '9' && sp->precision < 1000)
			sp->precision = sp->precision * 10 + (*p++ - '0');
	}
	while (*p == 'l' || *p == 'z') {
		sp->longs = (*p == 'z') ? 1 : sp->longs + 1;
		p++;
	}
	if (sp->longs > 2)
		sp->longs = 2;
	return p;
}

static void convert(struct sink *s, char conv, struct spec *sp, va_list *ap)
{
	const char *str;
	size_t len = 0;
	int64_t sv;
	char c;

	switch (conv) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, sp->longs);
		emit_number(s, sp, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, 10,
		            false, sv < 0);
		break;
	case 'u':
		emit_number(s, sp, arg_unsigned(ap, sp->longs), 10, false,
		            false);
		break;
	case 'x':
	case 'X':
		emit_number(s, sp, arg_unsigned(ap, sp->longs), 16, conv == 'X',
		            false);
		break;
	case 'p':
		emit(s, '0');
		emit(s, 'x');
		emit_number(s, sp, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16,
		            false, false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_padded(s, sp, &c, 1, false);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (str == NULL)
			str = "(null)";
		while ((sp->precision < 0 || len < (size_t)sp->precision) &&
		       str[len] != 0)
			len++;
		sp->zero = false;
		emit_padded(s, sp, str, len, false);
		break;
	default:
		emit(s, '%');
		if (conv != '%' && conv != 0)
			emit(s, conv);
		break;
	}
}

size_t fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	struct sink s = {putc, ctx, 0};
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt != 0) {
		if (*fmt != '%') {
			emit(&s, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		convert(&s, *fmt, &sp, &args);
		if (*fmt != 0)
			fmt++;
	}
	va_end(args);
	return s.count;
}

struct buf_sink {
	char *buf;
	size_t size;
	size_t at;
};

static void buf_putc(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->at + 1 < b->size)
		b->buf[b->at] = c;
	b->at++;
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, size, 0};
	size_t n = fmt_vformat(buf_putc, &b, fmt, ap);

	if (size > 0)
		buf[b.at < size ? b.at : size - 1] = 0;
	return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil
 * inverse, in unsigned arithmetic since the epoch is the lower bound).
 */
static void civil_from_days(uint64_t z, uint64_t *y, unsigned *m, unsigned *d)
{
	uint64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	if (*m <= 2)
		(*y)++;
}

void fmt_iso8601(uint64_t ns, char buf[FMT_ISO8601_LEN])
{
	uint64_t secs = ns / 1000000000ULL;
	uint64_t days = secs / 86400, rem = secs % 86400, year;
	unsigned month, day;

	civil_from_days(days, &year, &month, &day);
	fmt_snprintf(
	        buf, FMT_ISO8601_LEN, "%04llu-%02u-%02uT%02u:%02u:%02u.%09lluZ",
	        (unsigned long long)year, month, day, (unsigned)(rem / 3600),
	        (unsigned)(rem % 3600 / 60), (unsigned)(rem % 60),
	        (unsigned long long)(ns % 1000000000ULL));
}
