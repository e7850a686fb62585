// SPDX-License-Identifier: MIT
/*
 * The PSCI proxy behind the core's ops->psci hook: the guest's PSCI calls
 * (owner 4, functions 0..0x1F) are answered from vhyp's own per-CPU state
 * or forwarded to the firmware (QEMU's PSCI over SMC from EL2).
 *
 * Calls that start a CPU or resume it never pass the guest's entry point to
 * the firmware: firmware starts CPUs at EL2, so vhyp passes its own
 * secondary entry with the CPU index as context, rebuilds EL2 there and
 * then enters the guest's entry at EL1 with the guest's context.
 */
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#include <core/dispatch.h>

#include "arch.h"
#include "hyp.h"

/* How long CPU_ON retries while the target is still on its way off. */
#define CPU_ON_RETRIES 1000

static int64_t firmware(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)arch_firmware_smc(fid, a1, a2, a3);
}

static uint64_t secondary_entry_pa(void)
{
	/* The EL2 map is an identity map: the address is the PA. */
	return (uint64_t)(uintptr_t)arch_secondary_entry;
}

static int64_t psci_features(uint32_t fid)
{
	switch (fid) {
	/* SMCCC_VERSION: Linux asks this before it believes SMCCC 1.1;
	 * QEMU's own PSCI says NOT_SUPPORTED, which would hide the vendor
	 * services. */
	case SMCCC_VERSION_FUNC_ID:
	case PSCI_VERSION_FUNC_ID:
	case PSCI_CPU_OFF_FUNC_ID:
	case PSCI_CPU_ON_32_FUNC_ID:
	case PSCI_CPU_ON_64_FUNC_ID:
	case PSCI_AFFINITY_INFO_32_FUNC_ID:
	case PSCI_AFFINITY_INFO_64_FUNC_ID:
	case PSCI_MIGRATE_INFO_TYPE_FUNC_ID:
	case PSCI_SYSTEM_OFF_FUNC_ID:
	case PSCI_SYSTEM_RESET_FUNC_ID:
	case PSCI_FEATURES_FUNC_ID:
	case PSCI_SYSTEM_RESET2_32_FUNC_ID:
	case PSCI_SYSTEM_RESET2_64_FUNC_ID:
		return PSCI_RET_SUCCESS;
	case PSCI_SYSTEM_OFF2_32_FUNC_ID:
	case PSCI_SYSTEM_OFF2_64_FUNC_ID:
		/* The bitmap of the off types offered. */
		return PSCI_OFF2_TYPE_HIBERNATE_OFF;
	case PSCI_CPU_SUSPEND_32_FUNC_ID:
	case PSCI_CPU_SUSPEND_64_FUNC_ID:
		/* The power_state format flags are the firmware's. */
		return firmware(PSCI_FEATURES_FUNC_ID, fid, 0, 0);
	default:
		return PSCI_RET_NOT_SUPPORTED;
	}
}

static bool guest_ram(const struct vhyp_vm *vm, uint64_t pa)
{
	return vhyp_vm_ram_range(vm, pa, 4) != NULL;
}

static void spin_a_little(void)
{
	uint64_t start = arch_read_cntpct();
	uint64_t wait = g_hyp.clock.freq_hz / 1000 + 1; /* ~1 ms */

	while (arch_read_cntpct() - start < wait)
		;
}

static int64_t cpu_on(const struct vhyp_vm *vm, uint64_t target, uint64_t entry,
                      uint64_t context)
{
	struct hyp_cpu *t = hyp_cpu_by_mpidr(target);
	unsigned expected = HYP_CPU_OFF;
	int64_t ret;

	if (t == NULL || (target & ~MPIDR_AFF_MASK) != 0)
		return PSCI_RET_INVALID_PARAMS;
	if (!guest_ram(vm, entry))
		return PSCI_RET_INVALID_ADDRESS;
	/* One caller wins the OFF -> ON_PENDING transition; the slot is
	 * its alone until the target reads it and goes ON. */
	if (!atomic_compare_exchange_strong(&t->state, &expected,
	                                    HYP_CPU_ON_PENDING))
		return PSCI_RET_ALREADY_ON;
	t->entry = entry;
	t->context = context;
	atomic_thread_fence(memory_order_seq_cst);
	for (unsigned i = 0;; i++) {
		ret = firmware(PSCI_CPU_ON_64_FUNC_ID, t->mpidr,
		               secondary_entry_pa(), t->idx);
		/* ALREADY_ON: the target marked itself OFF but has not
		 * reached the firmware's CPU_OFF yet. */
		if (ret != PSCI_RET_ALREADY_ON || i >= CPU_ON_RETRIES)
			break;
		spin_a_little();
	}
	if (ret != PSCI_RET_SUCCESS)
		atomic_store(&t->state, HYP_CPU_OFF);
	return ret;
}

static int64_t cpu_off(struct hyp_cpu *self)
{
	int64_t ret;

	atomic_store(&self->state, HYP_CPU_OFF);
	ret = firmware(PSCI_CPU_OFF_FUNC_ID, 0, 0, 0);
	/* Only a refusal returns. */
	atomic_store(&self->state, HYP_CPU_ON);
	return ret;
}

static int64_t cpu_suspend(struct hyp_cpu *self, uint32_t fid,
                           uint64_t power_state, uint64_t entry,
                           uint64_t context)
{
	/* A standby state returns here; a power-down state resumes at
	 * vhyp's entry, which continues at the guest's. */
	self->entry = entry;
	self->context = context;
	atomic_thread_fence(memory_order_seq_cst);
	return firmware(fid | SMCCC_CONV64_BIT, power_state,
	                secondary_entry_pa(), self->idx);
}

static int64_t affinity_info(uint64_t target, uint64_t level)
{
	uint64_t mask = MPIDR_AFF_MASK;
	bool found = false, pending = false;

	if (level > 3)
		return PSCI_RET_INVALID_PARAMS;
	/* Affinity levels below `level` are ignored. */
	if (level == 3)
		mask &= ~0xFFFFFFULL;
	else
		mask &= ~((1ULL << (8 * level)) - 1);
	for (unsigned i = 0; i < g_hyp.nr_cpus; i++) {
		struct hyp_cpu *c = &g_hyp.cpus[i];
		unsigned s;
		if ((c->mpidr & mask) != (target & mask))
			continue;
		found = true;
		s = atomic_load(&c->state);
		if (s == HYP_CPU_ON)
			return PSCI_AFF_ON;
		if (s == HYP_CPU_ON_PENDING)
			pending = true;
	}
	if (!found)
		return PSCI_RET_INVALID_PARAMS;
	return pending ? PSCI_AFF_ON_PENDING : PSCI_AFF_OFF;
}

/* Ends the machine's life through the firmware; returns only if the
 * firmware refuses. */
static int64_t system_event(const struct vhyp_vm *vm, const char *what,
                            uint32_t firmware_fid)
{
	vlog("guest called %s\n", what);
	hyp_print_counters(vm);
	return firmware(firmware_fid, 0, 0, 0);
}

/*
 * SYSTEM_RESET2 (PSCI 1.1): reset_type is 32 bits wide in both
 * conventions (KVM reads it as u32).  SYSTEM_WARM_RESET (0) is the
 * firmware's SYSTEM_RESET: for a VM that owns the whole machine the warm
 * and the cold reset are the same event.  Other architectural types
 * (1..0x7FFFFFFF) are reserved and vendor types (bit 31) are not
 * implemented: INVALID_PARAMETERS, as DEN0022 specifies for both (KVM
 * gives vendor types to the VMM, which has none either).  The cookie is
 * ignored, as for a warm reset.
 */
static int64_t system_reset2(const struct vhyp_vm *vm, uint64_t type)
{
	if ((uint32_t)type != PSCI_RESET2_TYPE_WARM)
		return PSCI_RET_INVALID_PARAMS;
	return system_event(vm, "SYSTEM_RESET2(SYSTEM_WARM_RESET)",
	                    PSCI_SYSTEM_RESET_FUNC_ID);
}

/*
 * SYSTEM_OFF2 (PSCI 1.3), as KVM: type (u32) 0 or HIBERNATE_OFF, the
 * cookie must be 0, otherwise INVALID_PARAMETERS.  A VM has no state to
 * keep across its power-off, so HIBERNATE_OFF is the firmware's
 * SYSTEM_OFF (KVM likewise exits to the VMM with a shutdown event).
 */
static int64_t system_off2(const struct vhyp_vm *vm, uint64_t type,
                           uint64_t cookie)
{
	if (((uint32_t)type != 0 &&
	     (uint32_t)type != PSCI_OFF2_TYPE_HIBERNATE_OFF) ||
	    cookie != 0)
		return PSCI_RET_INVALID_PARAMS;
	return system_event(vm, "SYSTEM_OFF2(HIBERNATE_OFF)",
	                    PSCI_SYSTEM_OFF_FUNC_ID);
}

/* hyp/devices/setup.c; absent from host test builds without devices. */
void hyp_devices_print_stats(void) __attribute__((weak));
/* hyp/vgic; absent from host test builds. */
void hyp_vgic_print_stats(void) __attribute__((weak));

void hyp_print_counters(const struct vhyp_vm *vm)
{
	static const char *const names[VHYP_CNT_NR] = {
	        "uid",   "features",     "ptp",        "meminfo",
	        "share", "unshare",      "mmio_guard", "psci",
	        "other", "mmio_refused", "trng",       "pv_time",
	};
	char line[256];
	unsigned n = 0;

	for (unsigned i = 0; i < VHYP_CNT_NR; i++) {
		uint64_t v = atomic_load(&vm->counters[i]);
		const char *s = names[i] ? names[i] : "counter";
		char num[24];
		int d = 0;
		if (n + 40 >= sizeof(line))
			break;
		if (n)
			line[n++] = ' ';
		while (*s)
			line[n++] = *s++;
		line[n++] = '=';
		do {
			num[d++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (d)
			line[n++] = num[--d];
	}
	line[n] = '\0';
	vlog("calls: %s\n", line);
	if (hyp_devices_print_stats)
		hyp_devices_print_stats();
	if (hyp_vgic_print_stats)
		hyp_vgic_print_stats();
}

void hyp_psci_call(void *ctx, struct vhyp_vcpu *vcpu, uint64_t x[18])
{
	struct hyp_cpu *self = hyp_cpu_of_vcpu(vcpu);
	uint32_t fid = (uint32_t)x[0];
	uint64_t a1 = x[1], a2 = x[2], a3 = x[3];
	int64_t ret;

	(void)ctx;
	if (!(fid & SMCCC_CONV64_BIT)) {
		/* SMC32/HVC32 convention: arguments are 32-bit. */
		a1 = (uint32_t)a1;
		a2 = (uint32_t)a2;
		a3 = (uint32_t)a3;
	}
	switch (fid) {
	case PSCI_VERSION_FUNC_ID:
		/* vhyp's own PSCI, built on the firmware's 1.1. */
		ret = PSCI_VERSION_1_3;
		break;
	case PSCI_FEATURES_FUNC_ID:
		ret = psci_features((uint32_t)a1);
		break;
	case PSCI_CPU_SUSPEND_32_FUNC_ID:
	case PSCI_CPU_SUSPEND_64_FUNC_ID:
		ret = cpu_suspend(self, fid, a1, a2, a3);
		break;
	case PSCI_CPU_OFF_FUNC_ID:
		ret = cpu_off(self);
		break;
	case PSCI_CPU_ON_32_FUNC_ID:
	case PSCI_CPU_ON_64_FUNC_ID:
		ret = cpu_on(vcpu->vm, a1, a2, a3);
		break;
	case PSCI_AFFINITY_INFO_32_FUNC_ID:
	case PSCI_AFFINITY_INFO_64_FUNC_ID:
		ret = affinity_info(a1, a2);
		break;
	case PSCI_MIGRATE_INFO_TYPE_FUNC_ID:
		ret = PSCI_TOS_NOT_PRESENT_MP;
		break;
	case PSCI_SYSTEM_OFF_FUNC_ID:
		ret = system_event(vcpu->vm, "SYSTEM_OFF", fid);
		break;
	case PSCI_SYSTEM_RESET_FUNC_ID:
		ret = system_event(vcpu->vm, "SYSTEM_RESET", fid);
		break;
	case PSCI_SYSTEM_RESET2_32_FUNC_ID:
	case PSCI_SYSTEM_RESET2_64_FUNC_ID:
		ret = system_reset2(vcpu->vm, a1);
		break;
	case PSCI_SYSTEM_OFF2_32_FUNC_ID:
	case PSCI_SYSTEM_OFF2_64_FUNC_ID:
		ret = system_off2(vcpu->vm, a1, a2);
		break;
	default:
		ret = PSCI_RET_NOT_SUPPORTED;
		break;
	}
	x[0] = (uint64_t)ret;
	x[1] = 0;
	x[2] = 0;
	x[3] = 0;
}
