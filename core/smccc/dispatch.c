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

/*
 * SMCCC_ARCH_FEATURES(X1 as u32, as KVM reads it): only the CPU-workaround
 * IDs have an answer, and it is the platform's.  Everything else, the vendor
 * IDs and ARCH_FEATURES itself included, is -1 as in KVM.
 */
static int64_t arch_features(const struct vhyp_vm *vm, uint32_t queried)
{
	const struct vhyp_ops *ops = vm->ops;

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
	default:
		unknown_call(vm, x);
		return;
	}
}

/*
 * Owner 4: functions 0..0x1F are PSCI (KVM's default-allowed range) and go
 * to the platform's PSCI; the rest of the standard service (TRNG, ...) is
 * not offered.
 */
static void standard_service(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu,
                             uint32_t id, uint64_t x[18])
{
	const struct vhyp_ops *ops = vm->ops;

	if ((id & SMCCC_FUNC_MASK) > PSCI_FUNC_MAX || ops->psci == NULL) {
		unknown_call(vm, x);
		return;
	}
	vhyp_count(vm, VHYP_CNT_PSCI);
	ops->psci(vm->ops_ctx, vcpu, x);
}

CORE_RELRO static const owner_handler owner_handlers[SMCCC_OWNER_COUNT] = {
        [SMCCC_OWNER_ARCH] = arch_service,
        [SMCCC_OWNER_STANDARD] = standard_service,
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
