/* SPDX-License-Identifier: MIT */
/*
 * SMC Calling Convention (Arm DEN0028) constants used by vhyp.
 *
 * One definition of every SMCCC field, owner and return code.  Shared by the
 * core, the hypervisor, the guest library and the tests; freestanding.
 */
#ifndef VHYP_SMCCC_H
#define VHYP_SMCCC_H

#include <stdint.h>

/* Function-ID fields.  Only the low 32 bits of X0 are the ID. */
#define SMCCC_FAST_CALL_BIT (1U << 31)
#define SMCCC_CONV64_BIT    (1U << 30)
#define SMCCC_OWNER_SHIFT   24
#define SMCCC_OWNER_MASK    0x3FU
#define SMCCC_FUNC_MASK     0xFFFFU
/* Bits 23:16 must be zero for a fast call (SVE hint is bit 16 in 1.3). */
#define SMCCC_RESERVED_MASK 0x00FF0000U

#define SMCCC_OWNER_ARCH         0U
#define SMCCC_OWNER_CPU          1U
#define SMCCC_OWNER_SIP          2U
#define SMCCC_OWNER_OEM          3U
#define SMCCC_OWNER_STANDARD     4U
#define SMCCC_OWNER_STANDARD_HYP 5U
#define SMCCC_OWNER_VENDOR_HYP   6U
#define SMCCC_OWNER_COUNT        64U

/* Builds a fast-call function ID. conv64: 0 = SMC32/HVC32, 1 = SMC64/HVC64. */
#define SMCCC_FAST_ID(conv64, owner, func)                                     \
	(SMCCC_FAST_CALL_BIT | ((conv64) ? SMCCC_CONV64_BIT : 0U) |            \
	 ((uint32_t)(owner) << SMCCC_OWNER_SHIFT) | (uint32_t)(func))

/* Return codes, written as full 64-bit values into X0. */
#define SMCCC_RET_SUCCESS           0L
#define SMCCC_RET_NOT_SUPPORTED     (-1L)
#define SMCCC_RET_NOT_REQUIRED      (-2L)
#define SMCCC_RET_INVALID_PARAMETER (-3L)

/* Arch calls (owner 0). */
#define SMCCC_VERSION_FUNC_ID           0x80000000U
#define SMCCC_ARCH_FEATURES_FUNC_ID     0x80000001U
#define SMCCC_ARCH_SOC_ID_FUNC_ID       0x80000002U
#define SMCCC_ARCH_WORKAROUND_1_FUNC_ID 0x80008000U
#define SMCCC_ARCH_WORKAROUND_2_FUNC_ID 0x80007FFFU
#define SMCCC_ARCH_WORKAROUND_3_FUNC_ID 0x80003FFFU

/* Version reported by SMCCC_VERSION: 1.1, as KVM reports it. */
#define SMCCC_VERSION_1_1 0x10001U

/* Standard hypervisor service: paravirtualised time (not offered by vhyp). */
#define SMCCC_PV_TIME_FEATURES_FUNC_ID 0xC5000020U
#define SMCCC_PV_TIME_ST_FUNC_ID       0xC5000021U

/* TRNG (standard secure service, not offered by vhyp). */
#define SMCCC_TRNG_VERSION_FUNC_ID 0x84000050U

#endif /* VHYP_SMCCC_H */
