/* SPDX-License-Identifier: MIT */
/* System-register access and barriers.  Only hyp/arch/aarch64 includes it. */
#ifndef HYP_ARCH_SYSREG_H
#define HYP_ARCH_SYSREG_H

#include <stdint.h>

#define SYSREG_STR1(x) #x
#define SYSREG_STR(x)  SYSREG_STR1(x)

#define read_sysreg(reg)                                                       \
	({                                                                     \
		uint64_t __v;                                                  \
		__asm__ volatile("mrs %0, " SYSREG_STR(reg) : "=r"(__v));      \
		__v;                                                           \
	})

#define write_sysreg(val, reg)                                                 \
	__asm__ volatile("msr " SYSREG_STR(reg) ", %0"                         \
	                 :                                                     \
	                 : "r"((uint64_t)(val))                                \
	                 : "memory")

#define isb()    __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")

/* Registers the assembler of clang 14 may not know by name. */
#define ID_AA64ISAR2_EL1 S3_0_C0_C6_2
#define ID_AA64SMFR0_EL1 S3_0_C0_C4_5
#define ID_AA64MMFR3_EL1 S3_0_C0_C7_3
#define ZCR_EL2          S3_4_C1_C2_0
#define SMCR_EL2         S3_4_C1_C2_6
#define HCRX_EL2         S3_4_C1_C2_2
#define ICC_SRE_EL2      S3_4_C12_C9_5
#define ICH_HCR_EL2      S3_4_C12_C11_0
#define HFGRTR_EL2       S3_4_C1_C1_4
#define HFGWTR_EL2       S3_4_C1_C1_5
#define HFGITR_EL2       S3_4_C1_C1_6
#define HDFGRTR_EL2      S3_4_C3_C1_4
#define HDFGWTR_EL2      S3_4_C3_C1_5
#define RNDRRS           S3_3_C2_C4_1
#define NZCV_Z           (1ULL << 30)

/* Field extraction from ID registers. */
static inline unsigned id_field(uint64_t reg, unsigned shift)
{
	return (unsigned)((reg >> shift) & 0xFU);
}

#endif /* HYP_ARCH_SYSREG_H */
