/* SPDX-License-Identifier: MIT */
/*
 * SMCCC_ARCH_FEATURES answers for the CPU-workaround calls, derived from
 * the CPU's ID registers and MIDR the way KVM derives them (Linux
 * arch/arm64/kernel/proton-pack.c gives the host's mitigation state,
 * arch/arm64/kvm/hypercalls.c maps it to the answer).  Pure: the caller
 * reads the registers.
 */
#ifndef CORE_CPU_WORKAROUND_H
#define CORE_CPU_WORKAROUND_H

#include <stdint.h>

struct cpu_id_regs {
	uint64_t midr;
	uint64_t pfr0;  /* ID_AA64PFR0_EL1: CSV2 */
	uint64_t pfr1;  /* ID_AA64PFR1_EL1: SSBS */
	uint64_t isar2; /* ID_AA64ISAR2_EL1: CLRBHB */
	uint64_t mmfr1; /* ID_AA64MMFR1_EL1: ECBHB */
};

/*
 * func_id: SMCCC_ARCH_WORKAROUND_1/2/3.  Returns 1 (not affected), 0
 * (mitigated: calling the workaround is useful), -2 (not required) or
 * -1 (no firmware mitigation).  Any other ID: -1.
 */
int64_t cpu_workaround_answer(uint32_t func_id, const struct cpu_id_regs *r);

#endif /* CORE_CPU_WORKAROUND_H */
