/* SPDX-License-Identifier: MIT */
/* What the assembly of hyp/arch/aarch64 includes: the generated offsets
 * and sizes of C types, the ESR fields, the one relocation type. */
#ifndef HYP_ARCH_ASM_H
#define HYP_ARCH_ASM_H

/* Sizes and offsets of C types, generated from asm-offsets.c. */
#include "asm-offsets.h"

#include <vhyp/esr.h>

#define R_AARCH64_RELATIVE 1027

#endif
