/* SPDX-License-Identifier: MIT */
/*
 * The one printf engine of vhyp (hypervisor console, guest runtime, test
 * guests) and an ISO 8601 date formatter.  Portable C, tested on the host.
 *
 * Conversions: %s %c %d %i %u %x %X %p %%, length modifiers l, ll, z, flags
 * '0' and '-', a decimal width, a precision for %s (".N" or ".*").  Any
 * other conversion is copied as is.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*fmt_putc_fn)(void *ctx, char c);

/* Formats through putc; returns the number of characters produced. */
size_t fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);
/* snprintf: always NUL-terminates when size > 0; returns the full length. */
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/*
 * "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" for ns since 1970-01-01T00:00:00Z
 * (proleptic Gregorian, no leap seconds).  buf needs FMT_ISO8601_LEN bytes.
 */
#define FMT_ISO8601_LEN 32
void fmt_iso8601(uint64_t ns, char buf[FMT_ISO8601_LEN]);

#endif /* LIB_FMT_H */
