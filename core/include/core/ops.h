/* SPDX-License-Identifier: MIT */
/*
 * Hardware and platform effects the core asks for.  The hypervisor
 * implements them with system registers and its EL2 mappings; host tests
 * implement them with fakes.  Nothing in core/ touches hardware directly.
 */
#ifndef CORE_OPS_H
#define CORE_OPS_H

#include <stdbool.h>
#include <stdint.h>

struct vhyp_vcpu;

struct vhyp_ops {
	/* Physical count (CNTPCT_EL0). */
	uint64_t (*read_cntpct)(void *ctx);
	/*
	 * The host side gains (grant) or loses (revoke) access to one granule
	 * of guest RAM at physical address pa.  revoke returns only once no
	 * host mapping of the granule can be used any more (TLB maintenance
	 * complete).  Only called for protected VMs.
	 */
	void (*host_grant)(void *ctx, uint64_t pa);
	void (*host_revoke)(void *ctx, uint64_t pa);
	/*
	 * PSCI (owner 4, functions 0..0x1F): fills x[0..3].  May not return
	 * (CPU_OFF, SYSTEM_OFF).  NULL: PSCI is answered NOT_SUPPORTED.
	 */
	void (*psci)(void *ctx, struct vhyp_vcpu *vcpu, uint64_t x[18]);
	/*
	 * SMCCC_ARCH_FEATURES for a CPU-workaround ID (WORKAROUND_1/2/3): the
	 * platform's answer (firmware or CPU state).  NULL: −1.
	 */
	int64_t (*arch_workaround)(void *ctx, uint32_t func_id);
	/*
	 * SMCCC TRNG: 64 bits of hardware entropy into *out (FEAT_RNG's
	 * RNDRRS at EL2); false when the source had none to give this time
	 * (the call answers NO_ENTROPY).  NULL: no entropy source, the TRNG
	 * service is not offered (every TRNG ID answers -1).
	 */
	bool (*get_entropy)(void *ctx, uint64_t *out);
	/*
	 * PV time (DEN0057A): the IPA of the calling vCPU's 64-byte
	 * stolen-time structure, or UINT64_MAX if it has none.  NULL: the
	 * PV-time service is not offered.
	 */
	uint64_t (*pv_time_st)(void *ctx, struct vhyp_vcpu *vcpu);
};

#endif /* CORE_OPS_H */
