/* SPDX-License-Identifier: MIT */
/*
 * What KVM answers to SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_n) on a given
 * CPU, from the same facts Linux uses (proton-pack.c, the MIDR lists of
 * the CPUs known to be safe or affected).  vhyp itself mitigates nothing
 * in its exception vectors, so where KVM's answer would rest on a
 * mitigation the host kernel installs (a firmware call, a branchy loop,
 * CLRBHB in the vectors) vhyp answers -1 instead: never "mitigated" for
 * something it does not do.  docs/abi.md has the reasoning per call.
 */
#include <core/cpu_workaround.h>
#include <vhyp/smccc.h>

#include <stdbool.h>
#include <stddef.h>

/* MIDR_EL1: implementer 31:24, architecture 19:16, part number 15:4;
 * variant 23:20 and revision 3:0 are ignored (MIDR_ALL_VERSIONS). */
#define MIDR_MODEL_MASK 0xFF0FFFF0ULL
#define MIDR_MODEL(imp, part)                                                  \
	(((uint64_t)(imp) << 24) | (0xFULL << 16) | ((uint64_t)(part) << 4))

#define ARM      0x41U
#define BROADCOM 0x42U
#define HISI     0x48U
#define QCOM     0x51U

static const uint64_t spectre_v2_safe[] = {
        MIDR_MODEL(ARM, 0xD04),      /* Cortex-A35 */
        MIDR_MODEL(ARM, 0xD03),      /* Cortex-A53 */
        MIDR_MODEL(ARM, 0xD05),      /* Cortex-A55 */
        MIDR_MODEL(BROADCOM, 0x100), /* Brahma-B53 */
        MIDR_MODEL(HISI, 0xD01),     /* TSV110 */
        MIDR_MODEL(QCOM, 0x801),     /* Kryo 2xx silver */
        MIDR_MODEL(QCOM, 0x803),     /* Kryo 3xx silver */
        MIDR_MODEL(QCOM, 0x805),     /* Kryo 4xx silver */
};

static const uint64_t spectre_v4_safe[] = {
        MIDR_MODEL(ARM, 0xD04),      /* Cortex-A35 */
        MIDR_MODEL(ARM, 0xD03),      /* Cortex-A53 */
        MIDR_MODEL(ARM, 0xD05),      /* Cortex-A55 */
        MIDR_MODEL(BROADCOM, 0x100), /* Brahma-B53 */
        MIDR_MODEL(QCOM, 0x803),     /* Kryo 3xx silver */
        MIDR_MODEL(QCOM, 0x805),     /* Kryo 4xx silver */
};

/* Spectre-BHB: the CPUs Linux knows to be unaffected; since Linux 6.15
 * (and its stable backports, Debian's 6.1 included) every other CPU
 * without CSV2_3 counts as affected. */
static const uint64_t spectre_bhb_safe[] = {
        MIDR_MODEL(ARM, 0xD04),      /* Cortex-A35 */
        MIDR_MODEL(ARM, 0xD03),      /* Cortex-A53 */
        MIDR_MODEL(ARM, 0xD05),      /* Cortex-A55 */
        MIDR_MODEL(ARM, 0xD46),      /* Cortex-A510 */
        MIDR_MODEL(ARM, 0xD80),      /* Cortex-A520 */
        MIDR_MODEL(BROADCOM, 0x100), /* Brahma-B53 */
        MIDR_MODEL(QCOM, 0x801),     /* Kryo 2xx silver */
        MIDR_MODEL(QCOM, 0x803),     /* Kryo 3xx silver */
        MIDR_MODEL(QCOM, 0x805),     /* Kryo 4xx silver */
};

static unsigned field(uint64_t reg, unsigned shift)
{
	return (unsigned)(reg >> shift) & 0xFU;
}

static bool midr_in(uint64_t midr, const uint64_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((midr & MIDR_MODEL_MASK) == list[i])
			return true;
	return false;
}

#define IN_LIST(midr, list)                                                    \
	midr_in((midr), (list), sizeof(list) / sizeof((list)[0]))

/* Spectre-v2: unaffected with CSV2 (PFR0 59:56) or on the safe list. */
static bool v2_unaffected(const struct cpu_id_regs *r)
{
	return field(r->pfr0, 56) != 0 || IN_LIST(r->midr, spectre_v2_safe);
}

/*
 * WORKAROUND_2 (Spectre-v4, SSB): KVM answers NOT_REQUIRED for a CPU on
 * the safe list; for a CPU with SSBS (PFR1 7:4) it answers NOT_SUPPORTED
 * because the guest sees SSBS and mitigates itself; otherwise the host
 * has no firmware mitigation to offer either: NOT_SUPPORTED.
 */
static int64_t workaround_2(const struct cpu_id_regs *r)
{
	if (IN_LIST(r->midr, spectre_v4_safe))
		return SMCCC_RET_NOT_REQUIRED;
	return SMCCC_RET_NOT_SUPPORTED;
}

/*
 * WORKAROUND_3 (Spectre-BHB): unaffected with CSV2 >= 3 (FEAT_CSV2_3) or
 * on the safe list: 1.  Any other CPU is affected.  With ECBHB (MMFR1
 * 63:60) the hardware clears the history on every exception, EL2
 * included, and KVM's host state is MITIGATED: 0.  Otherwise KVM's host
 * mitigates in its own vectors (CLRBHB, a branchy loop, a firmware
 * call) or not at all; vhyp's vectors do none of that: -1.  A
 * Spectre-v2-vulnerable CPU is -1 as well (Linux does not mitigate BHB
 * alone).
 */
static int64_t workaround_3(const struct cpu_id_regs *r)
{
	if (field(r->pfr0, 56) >= 3 || IN_LIST(r->midr, spectre_bhb_safe))
		return SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED;
	if (v2_unaffected(r) && field(r->mmfr1, 60) != 0)
		return SMCCC_RET_SUCCESS;
	return SMCCC_RET_NOT_SUPPORTED;
}

int64_t cpu_workaround_answer(uint32_t func_id, const struct cpu_id_regs *r)
{
	switch (func_id) {
	case SMCCC_ARCH_WORKAROUND_1_FUNC_ID:
		/* An affected CPU would need a firmware or vector
		 * mitigation vhyp does not have. */
		return v2_unaffected(r) ? SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED
		                        : SMCCC_RET_NOT_SUPPORTED;
	case SMCCC_ARCH_WORKAROUND_2_FUNC_ID:
		return workaround_2(r);
	case SMCCC_ARCH_WORKAROUND_3_FUNC_ID:
		return workaround_3(r);
	default:
		return SMCCC_RET_NOT_SUPPORTED;
	}
}
