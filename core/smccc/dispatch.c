/* SPDX-License-Identifier: MIT */
/*
 * SMCCC entry point: decode the function ID once (the low 32 bits of X0),
 * then route by owner through a const table.  Owners vhyp does not serve
 * have no entry and get NOT_SUPPORTED, as KVM answers them.
 */
#include <core/dispatch.h>
#include <core/services.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

typedef void (*owner_handler)(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu,
                              uint32_t id, uint64_t x[18]);

static void unknown_call(struct vhyp_vm *vm, uint64_t x[18])
{
	vhyp_count(vm, VHYP_CNT_OTHER);
	smccc_set_error(x, SMCCC_RET_NOT_SUPPORTED);
}

static bool is_cpu_workaround(uint32_t id)
{
	return id == SMCCC_ARCH_WORKAROUND_1_FUNC_ID ||
	       id == SMCCC_ARCH_WORKAROUND_2_FUNC_ID ||
	       id == SMCCC_ARCH_WORKAROUND_3_FUNC_ID;
}

static bool pv_time_offered(const struct vhyp_vm *vm)
{
	return vm->ops->pv_time_st != NULL;
}

/*
 * SMCCC_ARCH_FEATURES(X1 as u32, as KVM reads it): the CPU-workaround IDs
 * get the platform's answer, PV_TIME_FEATURES 0 when PV time is offered.
 * Everything else, the vendor IDs and ARCH_FEATURES itself included, is
 * -1 as in KVM.
 */
static int64_t arch_features(const struct vhyp_vm *vm, uint32_t queried)
{
	const struct vhyp_ops *ops = vm->ops;

	if (queried == SMCCC_PV_TIME_FEATURES_FUNC_ID)
		return pv_time_offered(vm) ? SMCCC_RET_SUCCESS
		                           : SMCCC_RET_NOT_SUPPORTED;
	if (!is_cpu_workaround(queried) || ops->arch_workaround == NULL)
		return SMCCC_RET_NOT_SUPPORTED;
	return ops->arch_workaround(vm->ops_ctx, queried);
}

/* Owner 0: SMCCC_VERSION and SMCCC_ARCH_FEATURES, exact IDs only. */
static void arch_service(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu,
                         uint32_t id, uint64_t x[18])
{
	(void)vcpu;
	switch (id) {
	case SMCCC_VERSION_FUNC_ID:
		vhyp_count(vm, VHYP_CNT_OTHER);
		smccc_set_ret(x, SMCCC_VERSION_1_1, 0, 0, 0);
		return;
	case SMCCC_ARCH_FEATURES_FUNC_ID:
		vhyp_count(vm, VHYP_CNT_OTHER);
		smccc_set_ret(x, (uint64_t)arch_features(vm, (uint32_t)x[1]), 0,
		              0, 0);
		return;
	case SMCCC_ARCH_WORKAROUND_1_FUNC_ID:
	case SMCCC_ARCH_WORKAROUND_2_FUNC_ID:
	case SMCCC_ARCH_WORKAROUND_3_FUNC_ID:
		/* KVM's EL2 vectors answer the calls themselves with X0 = 0
		 * whatever ARCH_FEATURES said; vhyp answers the same and
		 * does nothing else (it never answers ARCH_FEATURES with 0
		 * for a workaround it would have to perform). */
		vhyp_count(vm, VHYP_CNT_OTHER);
		smccc_set_ret(x, 0, 0, 0, 0);
		return;
	default:
		unknown_call(vm, x);
		return;
	}
}

/*
 * Owner 4: functions 0..0x1F are PSCI (KVM's default-allowed range) and go
 * to the platform's PSCI; the five TRNG IDs go to the TRNG service; the
 * rest of the standard service is not offered.
 */
static void standard_service(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu,
                             uint32_t id, uint64_t x[18])
{
	const struct vhyp_ops *ops = vm->ops;

	if (vhyp_trng_id(id)) {
		vhyp_trng_call(vm, id, x);
		return;
	}
	if ((id & SMCCC_FUNC_MASK) > PSCI_FUNC_MAX || ops->psci == NULL) {
		unknown_call(vm, x);
		return;
	}
	vhyp_count(vm, VHYP_CNT_PSCI);
	ops->psci(vm->ops_ctx, vcpu, x);
}

/*
 * Owner 5, PV time (DEN0057A, as KVM's pvtime.c): PV_TIME_FEATURES(X1 as
 * u32) is 0 for itself and PV_TIME_ST; PV_TIME_ST returns the IPA of the
 * caller's stolen-time structure.  Exact IDs only (both are SMC64).
 */
static void standard_hyp_service(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu,
                                 uint32_t id, uint64_t x[18])
{
	uint32_t queried = (uint32_t)x[1];
	uint64_t ipa;

	if (!pv_time_offered(vm) || (id != SMCCC_PV_TIME_FEATURES_FUNC_ID &&
	                             id != SMCCC_PV_TIME_ST_FUNC_ID)) {
		unknown_call(vm, x);
		return;
	}
	vhyp_count(vm, VHYP_CNT_PV_TIME);
	if (id == SMCCC_PV_TIME_FEATURES_FUNC_ID) {
		smccc_set_error(
		        x, queried == SMCCC_PV_TIME_FEATURES_FUNC_ID ||
		                           queried == SMCCC_PV_TIME_ST_FUNC_ID
		                   ? SMCCC_RET_SUCCESS
		                   : SMCCC_RET_NOT_SUPPORTED);
		return;
	}
	ipa = vm->ops->pv_time_st(vm->ops_ctx, vcpu);
	if (ipa == UINT64_MAX)
		smccc_set_error(x, SMCCC_RET_NOT_SUPPORTED);
	else
		smccc_set_ret(x, ipa, 0, 0, 0);
}

static const owner_handler owner_handlers[SMCCC_OWNER_COUNT] = {
        [SMCCC_OWNER_ARCH] = arch_service,
        [SMCCC_OWNER_STANDARD] = standard_service,
        [SMCCC_OWNER_STANDARD_HYP] = standard_hyp_service,
        [SMCCC_OWNER_VENDOR_HYP] = kvm_vendor_call,
};

void vhyp_smccc_call(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu, uint64_t x[18])
{
	uint32_t id = (uint32_t)x[0];
	owner_handler handler =
	        owner_handlers[(id >> SMCCC_OWNER_SHIFT) & SMCCC_OWNER_MASK];

	if (handler == NULL) {
		unknown_call(vm, x);
		return;
	}
	handler(vm, vcpu, id, x);
}
