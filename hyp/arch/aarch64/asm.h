/* SPDX-License-Identifier: MIT */
/* Constants shared by the assembly and C of hyp/arch/aarch64. */
#ifndef HYP_ARCH_ASM_H
#define HYP_ARCH_ASM_H

#define HYP_MAX_CPUS_ASM    8
#define HYP_STACK_SHIFT_ASM 14
#define HYP_REGS_SIZE       256 /* struct hyp_regs */

#define ESR_EC_SHIFT 26
#define ESR_EC_HVC64 0x16
#define ESR_EC_SMC64 0x17

#define R_AARCH64_RELATIVE 1027

#endif
