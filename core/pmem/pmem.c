/* SPDX-License-Identifier: MIT */
/*
 * Protected-memory state machine and MMIO guard of a protected VM.
 *
 * The page state of each RAM granule lives in the software bits of its
 * stage-2 leaf (OWNED or SHARED_OWNED); the host side's access follows it
 * through ops->host_grant / ops->host_revoke, called under the VM lock in
 * the order that never leaves a private granule host-visible:
 *   SHARE:   leaf -> SHARED_OWNED, then grant;
 *   UNSHARE: revoke (returns once the host mapping is gone), then -> OWNED.
 * Protected RAM is mapped with 4 KiB leaves at creation (core/vm), so these
 * transitions only rewrite software bits and cannot run out of memory.
 *
 * An MMIO-guarded granule is an invalid level-3 entry holding
 * PMEM_MMIO_GUARD_ANNOTATION; a device window mapped into the VM counts as
 * guarded already (accesses to it never fault).
 */
#include <core/dispatch.h>
#include <core/services.h>
#include <vhyp/smccc.h>

#define GRANULE_MASK (S2_GRANULE_SIZE - 1)

void vhyp_vm_lock(struct vhyp_vm *vm)
{
	while (atomic_flag_test_and_set_explicit(&vm->lock,
	                                         memory_order_acquire))
		;
}

void vhyp_vm_unlock(struct vhyp_vm *vm)
{
	atomic_flag_clear_explicit(&vm->lock, memory_order_release);
}

static bool granule_aligned(uint64_t ipa)
{
	return (ipa & GRANULE_MASK) == 0;
}

static bool is_ram_granule(const struct vhyp_vm *vm, uint64_t ipa)
{
	return vhyp_vm_ram_range(vm, ipa, S2_GRANULE_SIZE) != NULL;
}

/* The valid leaf of a RAM granule in the given state, or false. */
static bool lookup_state(const struct vhyp_vm *vm, uint64_t ipa,
                         enum s2_page_state state, struct s2_leaf *leaf)
{
	return s2_lookup(&vm->s2, ipa, leaf) == S2_OK && leaf->valid &&
	       s2_pte_state(leaf->pte) == state;
}

int64_t pmem_share(struct vhyp_vm *vm, uint64_t ipa)
{
	uint64_t pa;
	int64_t ret = SMCCC_RET_INVALID_PARAMETER;

	if (!granule_aligned(ipa) || !is_ram_granule(vm, ipa))
		return ret;
	vhyp_vm_lock(vm);
	if (s2_change_page_state(&vm->s2, ipa, S2_STATE_OWNED,
	                         S2_STATE_SHARED_OWNED, &pa, NULL,
	                         NULL) == S2_OK) {
		vm->ops->host_grant(vm->ops_ctx, pa);
		ret = SMCCC_RET_SUCCESS;
	}
	vhyp_vm_unlock(vm);
	return ret;
}

int64_t pmem_unshare(struct vhyp_vm *vm, uint64_t ipa)
{
	uint64_t pa;
	int s2_ret;
	int64_t ret = SMCCC_RET_INVALID_PARAMETER;

	if (!granule_aligned(ipa) || !is_ram_granule(vm, ipa))
		return ret;
	vhyp_vm_lock(vm);
	/* The host loses access (revoke, between the state check and the
	 * state change) before the granule is private. */
	s2_ret = s2_change_page_state(&vm->s2, ipa, S2_STATE_SHARED_OWNED,
	                              S2_STATE_OWNED, &pa, vm->ops->host_revoke,
	                              vm->ops_ctx);
	if (s2_ret == S2_OK)
		ret = SMCCC_RET_SUCCESS;
	else if (s2_ret != -S2_ESTATE && s2_ret != -S2_ENOENT &&
	         s2_ret != -S2_EINVAL)
		/* Revoked, then the change failed (a block split out of
		 * memory; protected RAM has 4 KiB leaves): undo, change
		 * nothing. */
		vm->ops->host_grant(vm->ops_ctx, pa);
	vhyp_vm_unlock(vm);
	return ret;
}

static bool is_device_leaf(const struct s2_leaf *leaf)
{
	return leaf->valid &&
	       (leaf->pte & S2_PTE_MEMATTR_MASK) == S2_PTE_MEMATTR_DEVICE_nGnRE;
}

static bool is_guard_entry(const struct s2_leaf *leaf)
{
	return !leaf->valid && leaf->pte == PMEM_MMIO_GUARD_ANNOTATION;
}

/* Guarded (or a device window): an access may go to device emulation. */
static bool granule_guarded(const struct vhyp_vm *vm, uint64_t ipa)
{
	struct s2_leaf leaf;

	if (s2_lookup(&vm->s2, ipa, &leaf) != S2_OK)
		return false;
	return is_guard_entry(&leaf) || is_device_leaf(&leaf);
}

static uint64_t ipa_limit(const struct vhyp_vm *vm)
{
	return 1ULL << vm->s2.ipa_bits;
}

int64_t pmem_mmio_guard(struct vhyp_vm *vm, uint64_t ipa)
{
	struct s2_leaf leaf;
	int64_t ret = SMCCC_RET_INVALID_PARAMETER;

	if (!granule_aligned(ipa) || ipa >= ipa_limit(vm) ||
	    is_ram_granule(vm, ipa))
		return ret;
	vhyp_vm_lock(vm);
	if (s2_lookup(&vm->s2, ipa, &leaf) == S2_OK) {
		/* Guarding again succeeds, as does a device window; an empty
		 * granule gets the annotation (-3 only if the pool is out of
		 * table pages, see docs/abi.md). */
		if (is_guard_entry(&leaf) || is_device_leaf(&leaf) ||
		    (!leaf.valid &&
		     s2_annotate(&vm->s2, ipa, PMEM_MMIO_GUARD_ANNOTATION) ==
		             S2_OK))
			ret = SMCCC_RET_SUCCESS;
	}
	if (ret == SMCCC_RET_SUCCESS)
		atomic_store_explicit(&vm->mmio_guard_on, true,
		                      memory_order_release);
	vhyp_vm_unlock(vm);
	return ret;
}

enum vhyp_mmio_verdict vhyp_mmio_check(struct vhyp_vm *vm, uint64_t ipa,
                                       unsigned len)
{
	uint64_t last = ipa + (len ? len - 1U : 0U);
	bool allowed;

	if (!atomic_load_explicit(&vm->mmio_guard_on, memory_order_acquire))
		return VHYP_MMIO_EMULATE;
	vhyp_vm_lock(vm);
	allowed = last >= ipa && granule_guarded(vm, ipa) &&
	          granule_guarded(vm, last);
	vhyp_vm_unlock(vm);
	if (allowed)
		return VHYP_MMIO_EMULATE;
	vhyp_count(vm, VHYP_CNT_MMIO_REFUSED);
	return VHYP_MMIO_INJECT_SEA;
}

bool vhyp_host_may_access(struct vhyp_vm *vm, uint64_t ipa, uint64_t len)
{
	struct s2_leaf leaf;
	uint64_t g, last;

	if (len == 0 || vhyp_vm_ram_range(vm, ipa, len) == NULL)
		return false;
	if (!vm->cfg.protected_vm)
		return true;
	last = ipa + len - 1;
	for (g = ipa & ~GRANULE_MASK; g <= last; g += S2_GRANULE_SIZE) {
		if (!lookup_state(vm, g, S2_STATE_SHARED_OWNED, &leaf))
			return false;
		if (last - g < S2_GRANULE_SIZE)
			break; /* last granule checked; g += would overflow */
	}
	return true;
}
