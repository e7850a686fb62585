/* SPDX-License-Identifier: MIT */
/*
 * The KVM/arm64 vendor hypervisor service (owner 6).
 *
 * A const table indexed by function number (0..7 directly, the UID call in
 * its own slot) holds, per call, the one exact 32-bit ID it answers, the
 * FEATURES bit that gates it, its counter and its handler.  A wrong
 * convention or fast-call bit, a hidden call and a call a normal VM cannot
 * make all come out the same way: NOT_SUPPORTED with X1..X3 zero.
 */
#include <core/pmem.h>
#include <core/services.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/smccc.h>

typedef void (*vendor_handler)(struct vhyp_vm *vm, uint64_t x[18]);

/* 16 bytes, so a slot is found with a shift (this is the fast path). */
struct vendor_call {
	uint32_t id;      /* exact function ID; 0 for an empty slot */
	uint8_t cnt;      /* enum vhyp_counter */
	uint8_t gate_bit; /* FEATURES bit that must be set in vm->features */
	vendor_handler handler;
};

static void call_uid(struct vhyp_vm *vm, uint64_t x[18])
{
	(void)vm;
	smccc_set_ret(x, KVM_VENDOR_UID_W0, KVM_VENDOR_UID_W1,
	              KVM_VENDOR_UID_W2, KVM_VENDOR_UID_W3);
}

/* X0 = functions 0..31, X1 = 32..63, X2 = 64..95 (DISCOVER_IMPL: none),
 * X3 = 96..127. */
static void features(struct vhyp_vm *vm, uint64_t x[18])
{
	smccc_set_ret(x, vm->features, 0, 0, 0);
}

static uint64_t wall_ns(const struct vhyp_clock *clk, uint64_t phys)
{
	if (phys >= clk->anchor_cnt)
		return clk->anchor_ns +
		       vhyp_ticks_to_ns(phys - clk->anchor_cnt, clk->freq_hz);
	return clk->anchor_ns -
	       vhyp_ticks_to_ns(clk->anchor_cnt - phys, clk->freq_hz);
}

static bool clock_usable(const struct vhyp_vm *vm)
{
	const struct vhyp_clock *clk = vm->clock;

	return clk != NULL && clk->valid && clk->freq_hz != 0 &&
	       clk->freq_hz <= VHYP_MAX_COUNTER_HZ &&
	       vm->ops->read_cntpct != NULL;
}

/*
 * PTP_KVM: one physical-count read gives both the counter and the wall
 * time, so the pair is consistent.  Virtual = physical - CNTVOFF_EL2; the
 * guest's physical counter has no offset under vhyp.
 */
static void ptp(struct vhyp_vm *vm, uint64_t x[18])
{
	uint32_t which = (uint32_t)x[1];
	uint64_t phys, cnt, ns;

	if (which > KVM_PTP_PHYS_COUNTER || !clock_usable(vm)) {
		smccc_set_error(x, SMCCC_RET_NOT_SUPPORTED);
		return;
	}
	phys = vm->ops->read_cntpct(vm->ops_ctx);
	cnt = which == KVM_PTP_VIRT_COUNTER ? phys - vm->cfg.cntvoff : phys;
	ns = wall_ns(vm->clock, phys);
	smccc_set_ret(x, ns >> 32, (uint32_t)ns, cnt >> 32, (uint32_t)cnt);
}

/* The protected calls re-check the VM kind: a normal VM's bitmap cannot
 * carry their bits, but this is the line a hostile guest pushes on. */
static bool protected_call_allowed(uint64_t x[18], const struct vhyp_vm *vm)
{
	if (vm->cfg.protected_vm)
		return true;
	smccc_set_error(x, SMCCC_RET_NOT_SUPPORTED);
	return false;
}

static void hyp_meminfo(struct vhyp_vm *vm, uint64_t x[18])
{
	if (!protected_call_allowed(x, vm))
		return;
	if ((x[1] | x[2] | x[3]) != 0) {
		smccc_set_error(x, SMCCC_RET_INVALID_PARAMETER);
		return;
	}
	smccc_set_ret(x, KVM_PROTECTION_GRANULE, 0, 0, 0);
}

typedef enum pmem_status (*granule_op)(struct vhyp_vm_locked locked,
                                       uint64_t ipa);

/* The ABI edge of core/pmem: its statuses become SMCCC codes here and
 * nowhere else.  Every failure is INVALID_PARAMETER (docs/abi.md). */
static int64_t pmem_smccc(enum pmem_status st)
{
	return st == PMEM_OK ? SMCCC_RET_SUCCESS : SMCCC_RET_INVALID_PARAMETER;
}

/* SHARE, UNSHARE, MMIO_GUARD: X1 = IPA, X2 and X3 must be zero; the
 * operation runs under the VM lock. */
static void one_granule_call(struct vhyp_vm *vm, uint64_t x[18], granule_op op)
{
	struct vhyp_vm_locked locked;
	enum pmem_status st;

	if (!protected_call_allowed(x, vm))
		return;
	if ((x[2] | x[3]) != 0) {
		smccc_set_error(x, SMCCC_RET_INVALID_PARAMETER);
		return;
	}
	locked = vhyp_vm_lock(vm);
	st = op(locked, x[1]);
	vhyp_vm_unlock(&locked);
	smccc_set_ret(x, (uint64_t)pmem_smccc(st), 0, 0, 0);
}

static void mem_share(struct vhyp_vm *vm, uint64_t x[18])
{
	one_granule_call(vm, x, pmem_share);
}

static void mem_unshare(struct vhyp_vm *vm, uint64_t x[18])
{
	one_granule_call(vm, x, pmem_unshare);
}

static void mmio_guard(struct vhyp_vm *vm, uint64_t x[18])
{
	one_granule_call(vm, x, pmem_mmio_guard);
}

#define UID_SLOT   8U
#define EMPTY_SLOT 9U

static const struct vendor_call vendor_calls[EMPTY_SLOT + 1] = {
        [KVM_FUNC_FEATURES] = {KVM_VENDOR_FEATURES_FUNC_ID, VHYP_CNT_FEATURES,
                               KVM_FUNC_FEATURES, features},
        [KVM_FUNC_PTP] = {KVM_VENDOR_PTP_FUNC_ID, VHYP_CNT_PTP, KVM_FUNC_PTP,
                          ptp},
        [KVM_FUNC_HYP_MEMINFO] = {KVM_VENDOR_HYP_MEMINFO_FUNC_ID,
                                  VHYP_CNT_MEMINFO, KVM_FUNC_HYP_MEMINFO,
                                  hyp_meminfo},
        [KVM_FUNC_MEM_SHARE] = {KVM_VENDOR_MEM_SHARE_FUNC_ID, VHYP_CNT_SHARE,
                                KVM_FUNC_MEM_SHARE, mem_share},
        [KVM_FUNC_MEM_UNSHARE] = {KVM_VENDOR_MEM_UNSHARE_FUNC_ID,
                                  VHYP_CNT_UNSHARE, KVM_FUNC_MEM_UNSHARE,
                                  mem_unshare},
        [KVM_FUNC_MMIO_GUARD] = {KVM_VENDOR_MMIO_GUARD_FUNC_ID,
                                 VHYP_CNT_MMIO_GUARD, KVM_FUNC_MMIO_GUARD,
                                 mmio_guard},
        /* The UID call is gated by bit 0, like FEATURES (as KVM). */
        [UID_SLOT] = {KVM_VENDOR_CALL_UID_FUNC_ID, VHYP_CNT_UID,
                      KVM_FUNC_FEATURES, call_uid},
        /* Slots 5, 6 and EMPTY_SLOT have id 0, which no owner-6 ID equals. */
};

static unsigned vendor_slot(uint32_t func)
{
	if (func <= KVM_FUNC_MMIO_GUARD)
		return func;
	return func == KVM_FUNC_CALL_UID ? UID_SLOT : EMPTY_SLOT;
}

void kvm_vendor_call(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu, uint32_t id,
                     uint64_t x[18])
{
	const struct vendor_call *call =
	        &vendor_calls[vendor_slot(id & SMCCC_FUNC_MASK)];

	(void)vcpu;
	if (call->id != id || ((vm->features >> call->gate_bit) & 1U) == 0) {
		vhyp_count(vm, VHYP_CNT_OTHER);
		smccc_set_error(x, SMCCC_RET_NOT_SUPPORTED);
		return;
	}
	vhyp_count(vm, (enum vhyp_counter)call->cnt);
	call->handler(vm, x);
}
