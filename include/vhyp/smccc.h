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

/* SMCCC_ARCH_FEATURES answer for a CPU workaround: this CPU is not
 * affected (SMCCC 1.3+, as KVM answers it). */
#define SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED 1L

/* Standard hypervisor service (owner 5): paravirtualised time, Arm
 * DEN0057A. */
#define SMCCC_PV_TIME_FEATURES_FUNC_ID 0xC5000020U
#define SMCCC_PV_TIME_ST_FUNC_ID       0xC5000021U
/* The stolen-time structure PV_TIME_ST points at: 64 bytes per vCPU. */
#define PV_TIME_ST_SIZE                64U

/* TRNG (standard secure service, owner 4), Arm DEN0098 1.0. */
#define SMCCC_TRNG_VERSION_FUNC_ID  0x84000050U
#define SMCCC_TRNG_FEATURES_FUNC_ID 0x84000051U
#define SMCCC_TRNG_GET_UUID_FUNC_ID 0x84000052U
#define SMCCC_TRNG_RND32_FUNC_ID    0x84000053U
#define SMCCC_TRNG_RND64_FUNC_ID    0xC4000053U
#define SMCCC_TRNG_VERSION_1_0      0x10000U
/* TRNG's own error codes (DEN0098 table 2.1; -2 and -3 differ from
 * SMCCC's). */
#define TRNG_RET_NOT_SUPPORTED      (-1L)
#define TRNG_RET_INVALID_PARAMETER  (-2L)
#define TRNG_RET_NO_ENTROPY         (-3L)
#define TRNG_MAX_BITS32             96U
#define TRNG_MAX_BITS64             192U
/* vhyp's TRNG UUID 5b0bd3b2-8f4e-4c6d-9a3e-76a1f0c2d417 as GET_UUID
 * returns it: bytes 0..15 read as four little-endian 32-bit words (the
 * SMCCC UUID convention, DEN0028 section 5.3). */
#define VHYP_TRNG_UUID_W0           0xb2d30b5bU
#define VHYP_TRNG_UUID_W1           0x6d4c4e8fU
#define VHYP_TRNG_UUID_W2           0xa1763e9aU
#define VHYP_TRNG_UUID_W3           0x17d4c2f0U

#endif /* VHYP_SMCCC_H */
