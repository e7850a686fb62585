// SPDX-License-Identifier: MIT
/*
 * Every size and offset the assembly of hyp/arch/aarch64 uses, taken from
 * the C types (as Linux's and TF-A's asm-offsets do).  The build compiles
 * this file to assembly (-S), never to an object, and turns each marker
 * line into a #define of $(O)/hyp-gen/asm-offsets.h, which the .S files
 * include: changing struct hyp_regs, struct hyp_mmu_cfg or the stack and
 * CPU limits changes the assembly with them.
 */
#include <stddef.h>

#include "arch.h"
#include "hyp.h"

/* One line "->NAME value" in the assembly output per constant. */
#define DEFINE(name, value)                                                    \
	__asm__ volatile("\n.ascii \"->" #name " %0\"" : : "i"(value))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(HYP_REGS_SIZE, sizeof(struct hyp_regs));
	DEFINE(HYP_REGS_X, offsetof(struct hyp_regs, x));
	DEFINE(HYP_MAX_CPUS_ASM, HYP_MAX_CPUS);
	DEFINE(HYP_STACK_SHIFT_ASM, HYP_STACK_SHIFT);
	DEFINE(HYP_MMU_CFG_MAIR, offsetof(struct hyp_mmu_cfg, mair));
	DEFINE(HYP_MMU_CFG_TCR, offsetof(struct hyp_mmu_cfg, tcr));
	DEFINE(HYP_MMU_CFG_TTBR, offsetof(struct hyp_mmu_cfg, ttbr));
	DEFINE(HYP_MMU_CFG_SCTLR, offsetof(struct hyp_mmu_cfg, sctlr));
}
