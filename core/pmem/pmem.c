/* SPDX-License-Identifier: MIT */
/*
 * Protected-memory state machine and MMIO guard of a protected VM
 * (core/pmem.h).
 *
 * The page state of each RAM granule lives in the software bits of its
 * stage-2 leaf (OWNED or SHARED_OWNED); the host side's access follows it
 * through ops->host_grant / ops->host_revoke, called under the VM lock in
 * the order that never leaves a private granule host-visible.  Each
 * transition is prepare (check, reserve: may fail, changes nothing) then
 * commit (cannot fail):
 *   SHARE:   lock, prepare OWNED->SHARED, commit, grant, unlock;
 *   UNSHARE: lock, prepare SHARED->OWNED, revoke, commit, unlock.
 * So UNSHARE needs no way back: once the host's access is gone, nothing
 * left can fail.  Protected RAM is mapped with 4 KiB leaves at creation
 * (core/vm), so a prepare never even reserves a table page.
 *
 * An MMIO-guarded granule is an invalid level-3 entry holding
 * PMEM_MMIO_GUARD_ANNOTATION; a device window mapped into the VM counts as
 * guarded already (accesses to it never fault).
 */
#include <core/pmem.h>
#include <core/services.h>

#define GRANULE_MASK (S2_GRANULE_SIZE - 1)

static bool granule_aligned(uint64_t ipa)
{
	return (ipa & GRANULE_MASK) == 0;
}

static bool is_ram_granule(const struct vhyp_vm *vm, uint64_t ipa)
{
	return vhyp_vm_ram_range(vm, ipa, S2_GRANULE_SIZE) != NULL;
}

/* pmem's answer for a failed prepare. */
static enum pmem_status prepare_status(int s2_rc)
{
	return s2_rc == -S2_ESTATE ? PMEM_E_STATE : PMEM_E_RANGE;
}

enum pmem_status pmem_share(struct vhyp_vm_locked locked, uint64_t ipa)
{
	struct vhyp_vm *vm = locked.vm;
	struct s2_page_change chg;
	int rc;

	if (!granule_aligned(ipa) || !is_ram_granule(vm, ipa))
		return PMEM_E_RANGE;
	rc = s2_prepare_page_state(&vm->s2, ipa, S2_STATE_OWNED,
	                           S2_STATE_SHARED_OWNED, &chg);
	if (rc != S2_OK)
		return prepare_status(rc);
	s2_commit_page_state(&vm->s2, &chg);
	vm->ops->host_grant(vm->ops_ctx, chg.pa);
	return PMEM_OK;
}

enum pmem_status pmem_unshare(struct vhyp_vm_locked locked, uint64_t ipa)
{
	struct vhyp_vm *vm = locked.vm;
	struct s2_page_change chg;
	int rc;

	if (!granule_aligned(ipa) || !is_ram_granule(vm, ipa))
		return PMEM_E_RANGE;
	rc = s2_prepare_page_state(&vm->s2, ipa, S2_STATE_SHARED_OWNED,
	                           S2_STATE_OWNED, &chg);
	if (rc != S2_OK)
		return prepare_status(rc);
	/* The host loses access before the granule is private again. */
	vm->ops->host_revoke(vm->ops_ctx, chg.pa);
	s2_commit_page_state(&vm->s2, &chg);
	return PMEM_OK;
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
static bool granule_guarded(struct vhyp_vm_locked locked, uint64_t ipa)
{
	struct s2_leaf leaf;

	if (s2_lookup(&locked.vm->s2, ipa, &leaf) != S2_OK)
		return false;
	return is_guard_entry(&leaf) || is_device_leaf(&leaf);
}

static uint64_t ipa_limit(const struct vhyp_vm *vm)
{
	return 1ULL << vm->s2.ipa_bits;
}

/* Guard one non-RAM granule: already guarded or a device window
 * succeeds as is, a valid (PV-time) leaf is refused, an empty granule
 * gets the annotation. */
static enum pmem_status guard_granule(struct vhyp_vm *vm, uint64_t ipa)
{
	struct s2_leaf leaf;

	if (s2_lookup(&vm->s2, ipa, &leaf) != S2_OK)
		return PMEM_E_RANGE;
	if (is_guard_entry(&leaf) || is_device_leaf(&leaf))
		return PMEM_OK;
	if (leaf.valid)
		return PMEM_E_RANGE;
	/* -3 if the pool is out of table pages (docs/abi.md). */
	return s2_annotate(&vm->s2, ipa, PMEM_MMIO_GUARD_ANNOTATION) == S2_OK
	               ? PMEM_OK
	               : PMEM_E_NOMEM;
}

enum pmem_status pmem_mmio_guard(struct vhyp_vm_locked locked, uint64_t ipa)
{
	struct vhyp_vm *vm = locked.vm;
	enum pmem_status st;

	if (!granule_aligned(ipa) || ipa >= ipa_limit(vm) ||
	    is_ram_granule(vm, ipa))
		return PMEM_E_RANGE;
	st = guard_granule(vm, ipa);
	if (st == PMEM_OK)
		atomic_store_explicit(&vm->mmio_guard_on, true,
		                      memory_order_release);
	return st;
}

enum pmem_mmio_verdict pmem_mmio_check(struct vhyp_vm *vm, uint64_t ipa,
                                       unsigned len)
{
	uint64_t last = ipa + (len ? len - 1U : 0U);
	struct vhyp_vm_locked locked;
	bool allowed;

	if (!atomic_load_explicit(&vm->mmio_guard_on, memory_order_acquire))
		return PMEM_MMIO_EMULATE;
	locked = vhyp_vm_lock(vm);
	allowed = last >= ipa && granule_guarded(locked, ipa) &&
	          granule_guarded(locked, last);
	vhyp_vm_unlock(&locked);
	if (allowed)
		return PMEM_MMIO_EMULATE;
	vhyp_count(vm, VHYP_CNT_MMIO_REFUSED);
	return PMEM_MMIO_INJECT_SEA;
}

bool pmem_host_may_access(struct vhyp_vm_locked locked, uint64_t ipa,
                          uint64_t len)
{
	const struct vhyp_vm *vm = locked.vm;
	struct s2_leaf leaf;
	uint64_t g, last;

	if (len == 0 || vhyp_vm_ram_range(vm, ipa, len) == NULL)
		return false;
	if (!vm->cfg.protected_vm)
		return true;
	last = ipa + len - 1;
	for (g = ipa & ~GRANULE_MASK; g <= last; g += S2_GRANULE_SIZE) {
		if (s2_lookup(&vm->s2, g, &leaf) != S2_OK || !leaf.valid ||
		    s2_pte_state(leaf.pte) != S2_STATE_SHARED_OWNED)
			return false;
		if (last - g < S2_GRANULE_SIZE)
			break; /* last granule checked; g += would overflow */
	}
	return true;
}
