/* SPDX-License-Identifier: MIT */
/*
 * Freestanding formatting: a small printf engine and an ISO 8601 date
 * formatter.  Portable C, unit-tested on the host.
 *
 * Conversions: %s %c %d %i %u %x %X %p %%, length modifiers l, ll, z, flags
 * '0' and '-', a decimal width.  Anything else is copied as is.
 */
#ifndef GUEST_FMT_H
#define GUEST_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*vg_putc_fn)(void *opaque, char c);

/* Formats through putc; returns the number of characters produced. */
size_t vg_vformat(vg_putc_fn putc, void *opaque, const char *fmt, va_list ap);
/* snprintf: always NUL-terminates when size > 0; returns the full length. */
size_t vg_snprintf(char *buf, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
size_t vg_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/*
 * "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" for ns since 1970-01-01T00:00:00Z
 * (proleptic Gregorian, no leap seconds).  buf needs VG_ISO8601_LEN bytes.
 */
#define VG_ISO8601_LEN 32
void vg_format_iso8601(uint64_t ns, char buf[VG_ISO8601_LEN]);

#endif /* GUEST_FMT_H */
