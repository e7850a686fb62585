/* SPDX-License-Identifier: MIT */
/*
 * The libc string routines vhyp's freestanding images use (and the
 * compiler may call on its own for struct copies and zeroing), lib/string.c.
 * On the host the C library provides the same functions; these declarations
 * match it, so host tests include this header unchanged.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif /* LIB_STRING_H */
