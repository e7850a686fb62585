/* SPDX-License-Identifier: MIT */
/*
 * Protected memory of a protected VM (core/pmem): the page state of each
 * RAM granule (OWNED or SHARED_OWNED, in the software bits of its stage-2
 * leaf), the host side's access that follows it, and the MMIO guard.
 *
 * Every function that reads or changes that state takes the VM lock as a
 * struct vhyp_vm_locked (core/vm.h), so it cannot be called without it.
 * The results are pmem's own; core/vendor turns them into SMCCC codes
 * once, at the ABI edge (every error is INVALID_PARAMETER there).
 */
#ifndef CORE_PMEM_H
#define CORE_PMEM_H

#include <stdbool.h>
#include <stdint.h>

#include <core/vm.h>

enum pmem_status {
	PMEM_OK = 0,
	/* Not granule-aligned; SHARE/UNSHARE: not a RAM granule;
	 * MMIO_GUARD: a RAM granule or outside the IPA space. */
	PMEM_E_RANGE,
	/* The granule is not in the state the transition starts from. */
	PMEM_E_STATE,
	/* MMIO_GUARD: no table page left for the guard entry. */
	PMEM_E_NOMEM,
};

/*
 * The transitions of one granule.  Each either succeeds or changes
 * nothing; none allocates except MMIO_GUARD of a region without tables.
 *   SHARE:   OWNED -> SHARED_OWNED, then the host gains access;
 *   UNSHARE: the host loses access (ops->host_revoke returns once no host
 *            mapping can be used), then SHARED_OWNED -> OWNED.
 * The caller has checked the VM is protected and the reserved arguments.
 */
enum pmem_status pmem_share(struct vhyp_vm_locked locked, uint64_t ipa);
enum pmem_status pmem_unshare(struct vhyp_vm_locked locked, uint64_t ipa);
enum pmem_status pmem_mmio_guard(struct vhyp_vm_locked locked, uint64_t ipa);

/*
 * The host side's one gate to guest memory: true when every granule of
 * [ipa, ipa+len) is guest RAM the host may touch (any RAM of a normal VM,
 * SHARED granules of a protected VM).  The lock keeps UNSHARE out until
 * the caller has finished its copy.  len 0: false.
 */
bool pmem_host_may_access(struct vhyp_vm_locked locked, uint64_t ipa,
                          uint64_t len);

/*
 * What the exit handler does with a data abort at a non-RAM IPA.  Until the
 * VM's first successful MMIO_GUARD: always EMULATE (without the lock: the
 * flag only ever goes from off to on).  After: EMULATE only if the granules
 * of the first and the last byte (len 0 counts as 1) are both guarded (or
 * inside a mapped device window); otherwise INJECT_SEA, counted in
 * VHYP_CNT_MMIO_REFUSED.  Takes the VM lock itself when the guard is on.
 */
enum pmem_mmio_verdict {
	PMEM_MMIO_EMULATE,    /* hand it to the device model */
	PMEM_MMIO_INJECT_SEA, /* refused by MMIO guard: synchronous abort */
};
enum pmem_mmio_verdict pmem_mmio_check(struct vhyp_vm *vm, uint64_t ipa,
                                       unsigned len);

/*
 * The invalid stage-2 entry that marks an MMIO-guarded granule: bit 0
 * clear (the walker faults), non-zero, and distinct from any other
 * annotation.  "MG" in bits 23:8, type 1 in bits 7:1.
 */
#define PMEM_MMIO_GUARD_ANNOTATION ((0x4D47ULL << 8) | (1ULL << 1))

#endif /* CORE_PMEM_H */
