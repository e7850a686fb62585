/* SPDX-License-Identifier: MIT */
/*
 * A VM as the core sees it: its validated configuration, vendor-hyp feature
 * bitmap, stage-2 tables, protected-memory state, MMIO-guard record, clock
 * and call counters.
 */
#ifndef CORE_VM_H
#define CORE_VM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <core/ops.h>
#include <core/stage2.h>

#define VHYP_MAX_RAM_RANGES 4U
#define VHYP_MAX_VCPUS      8U

struct vhyp_mem_range {
	uint64_t ipa;
	uint64_t pa;
	uint64_t size;
};

struct vhyp_vm_config {
	bool protected_vm;
	/* Vendor-hyp bitmap the VMM asks for; must be a subset of the default
	 * for the VM kind (a VMM can only narrow).  features_set false: use
	 * the default (0x3 normal, 0x9F protected). */
	bool features_set;
	uint64_t features;
	unsigned ipa_bits; /* 0: S2_DEFAULT_IPA_BITS */
	struct vhyp_mem_range ram[VHYP_MAX_RAM_RANGES];
	unsigned nr_ram;
	/* Device windows mapped into the VM (normal VMs: passthrough). */
	struct vhyp_mem_range dev[16];
	unsigned nr_dev;
	uint64_t cntvoff; /* CNTVOFF_EL2 of the VM */
	uint16_t vmid;
};

/* Wall clock: one (ns since the epoch, physical count) anchor + frequency. */
struct vhyp_clock {
	uint64_t anchor_ns;
	uint64_t anchor_cnt;
	uint64_t freq_hz;
	bool valid; /* false: no arch-counter time source, PTP answers -1 */
};

/* Per-VM call counters, reported at exit. */
enum vhyp_counter {
	VHYP_CNT_UID,
	VHYP_CNT_FEATURES,
	VHYP_CNT_PTP,
	VHYP_CNT_MEMINFO,
	VHYP_CNT_SHARE,
	VHYP_CNT_UNSHARE,
	VHYP_CNT_MMIO_GUARD,
	VHYP_CNT_PSCI,
	VHYP_CNT_OTHER,
	VHYP_CNT_MMIO_REFUSED, /* unguarded MMIO access after MMIO guard on */
	VHYP_CNT_TRNG,         /* TRNG calls (owner 4, 0x50..0x53) */
	VHYP_CNT_PV_TIME,      /* PV_TIME_FEATURES, PV_TIME_ST */
	VHYP_CNT_NR
};

struct vhyp_vm {
	struct vhyp_vm_config cfg;
	uint64_t features; /* the effective FEATURES X0 word */
	struct s2_pgtable s2;
	const struct vhyp_ops *ops;
	void *ops_ctx;
	const struct vhyp_clock *clock;
	atomic_flag lock;          /* vhyp_vm_lock; never touched directly */
	atomic_bool mmio_guard_on; /* set by the first successful MMIO_GUARD */
	atomic_uint_fast64_t counters[VHYP_CNT_NR];
};

/*
 * A vCPU as the core sees it: what SMCCC services and the platform hooks
 * (ops->psci, ops->pv_time_st) get for "the caller".  The hypervisor
 * embeds it in its per-CPU structure (struct hyp_cpu, reached back with
 * hyp_cpu_of_vcpu); host tests use it as is.
 */
struct vhyp_vcpu {
	struct vhyp_vm *vm; /* the VM the vCPU belongs to */
	unsigned idx;       /* 0..VHYP_MAX_VCPUS-1 */
};

/*
 * The VM lock held, as a type (Hafnium's struct vm_locked): what needs the
 * lock -- the page-state transitions and MMIO guard (core/pmem.h), the
 * host side's access check -- takes a struct vhyp_vm_locked, which only
 * vhyp_vm_lock() makes, so calling them without the lock does not
 * compile.  A spinlock, not recursive: SHARE/UNSHARE/MMIO_GUARD, the MMIO
 * guard's verdict and the host side's accessor take it; UID/FEATURES/PTP
 * never do.  Inline: SHARE/UNSHARE take it on the hypercall fast path.
 */
struct vhyp_vm_locked {
	struct vhyp_vm *vm;
};

static inline struct vhyp_vm_locked vhyp_vm_lock(struct vhyp_vm *vm)
{
	struct vhyp_vm_locked locked = {vm};

	while (atomic_flag_test_and_set_explicit(&vm->lock,
	                                         memory_order_acquire))
		;
	return locked;
}

/* Releases the lock; *locked no longer names a VM afterwards. */
static inline void vhyp_vm_unlock(struct vhyp_vm_locked *locked)
{
	atomic_flag_clear_explicit(&locked->vm->lock, memory_order_release);
	locked->vm = NULL;
}

/*
 * Validates cfg and builds the VM: stage-2 mapping of every RAM range
 * (state OWNED) and device window.  A protected VM's RAM is mapped with
 * 4 KiB leaves from the start, so no later SHARE/UNSHARE needs a table
 * page (MMIO_GUARD of an empty region may, and answers -3 if the pool is
 * out: docs/abi.md).  On error returns a negative S2_* code and sets *err
 * (if not NULL) to a one-line reason (a static string); nothing is left
 * allocated.  The VM keeps its own copy of cfg, with ipa_bits and features
 * resolved; ops and clock must outlive it.
 */
int vhyp_vm_create(struct vhyp_vm *vm, const struct vhyp_vm_config *cfg,
                   struct s2_pool *pool, const struct s2_mmu_ops *mmu_ops,
                   void *mmu_ctx, const struct vhyp_ops *ops, void *ops_ctx,
                   const struct vhyp_clock *clock, const char **err);
void vhyp_vm_destroy(struct vhyp_vm *vm);

/* RAM range containing [ipa, ipa+len) (len 0: the byte at ipa), or NULL. */
const struct vhyp_mem_range *vhyp_vm_ram_range(const struct vhyp_vm *vm,
                                               uint64_t ipa, uint64_t len);

/* Parses a feature list "features,ptp,meminfo,share,unshare,mmio_guard" or
 * a number; returns false for a name that does not exist. */
bool vhyp_features_parse(const char *list, uint64_t *out);

#endif /* CORE_VM_H */
