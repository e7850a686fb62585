// SPDX-License-Identifier: MIT
/*
 * Freestanding string routines (lib/include/lib/string.h).  Byte loops
 * (memcpy: aligned 8-byte words when both pointers allow) through volatile
 * pointers: safe on Device memory (a guest before its MMU
 * is on), never FP/SIMD or unaligned accesses (EL2 does not save the
 * guest's vector registers), and never turned back into a call to memset
 * or memcpy by the compiler.  Built for aarch64 only: host tests use libc.
 */
#include <lib/string.h>

#include <stdint.h>

void *memset(void *dst, int c, size_t n)
{
	volatile uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

/* Words while both pointers are 8-byte aligned (-mstrict-align), then
 * bytes: the disk path copies 64 KiB at a time through here. */
void *memcpy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7U) == 0) {
		volatile uint64_t *dw = (volatile uint64_t *)(uintptr_t)d;
		const uint64_t *sw = (const uint64_t *)(const void *)s;

		for (; n >= 8; n -= 8)
			*dw++ = *sw++;
		d = (volatile uint8_t *)dw;
		s = (const uint8_t *)sw;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}
