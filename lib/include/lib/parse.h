/* SPDX-License-Identifier: MIT */
/* The one number parser of vhyp's freestanding code (lib/parse.c). */
#ifndef LIB_PARSE_H
#define LIB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The len characters at s as an unsigned number: decimal, or hexadecimal
 * after "0x"/"0X".  All len characters must be digits of the base (no
 * sign, no space, at least one digit); a value above UINT64_MAX is refused.
 * False (and *out untouched) when the text is not such a number.
 */
bool parse_u64(const char *s, size_t len, uint64_t *out);

#endif /* LIB_PARSE_H */
