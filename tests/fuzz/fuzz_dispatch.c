// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: arbitrary SMCCC calls (X0..X17) in arbitrary order
 * against one protected and one normal VM, with the invariants the core
 * promises checked after every call:
 *  - X4..X17 are never modified;
 *  - an ID the core does not implement gives X0 = -1 and X1..X3 = 0;
 *  - any error result leaves every granule's state unchanged;
 *  - a normal VM answers every protected call with -1;
 *  - for every RAM granule, the page state in the stage-2 entry and the
 *    host side's access agree, and no granule is private yet host-visible;
 *  - MMIO-guarded granules are never RAM.
 *
 * Input: a sequence of 1 + 8 * 18 byte records: a selector byte that biases
 * X0 towards interesting IDs and X1 towards RAM IPAs, then X0..X17.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <core/dispatch.h>
#include <core/pmem.h>
#include <core/stage2.h>
#include <core/vm.h>
#include <vhyp/board.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#define RAM0_IPA    0x40000000ULL
#define RAM0_SIZE   0x200000ULL /* 2 MiB: one block, splits on first share */
#define RAM1_IPA    0x80000000ULL
#define RAM1_SIZE   0x10000ULL /* 64 KiB: pages */
#define NR_GRANULES ((RAM0_SIZE + RAM1_SIZE) / S2_GRANULE_SIZE)
#define POOL_PAGES  64U

struct fuzz_vm {
	struct vhyp_vm vm;
	struct s2_pool pool;
	void *pool_mem;
	bool host_access[NR_GRANULES]; /* what the host side may touch */
	uint8_t state[NR_GRANULES];    /* snapshot before a call */
};

static struct fuzz_vm fuzz_protected, fuzz_normal;
static struct vhyp_clock fuzz_clock = {
        .anchor_ns = 1700000000ULL * 1000000000ULL,
        .anchor_cnt = 1000,
        .freq_hz = 62500000,
        .valid = true,
};
static uint64_t fake_count = 1000;

static long granule_index(uint64_t pa)
{
	if (pa >= RAM0_IPA && pa < RAM0_IPA + RAM0_SIZE)
		return (long)((pa - RAM0_IPA) / S2_GRANULE_SIZE);
	if (pa >= RAM1_IPA && pa < RAM1_IPA + RAM1_SIZE)
		return (long)((RAM0_SIZE + pa - RAM1_IPA) / S2_GRANULE_SIZE);
	return -1;
}

static uint64_t granule_ipa(size_t i)
{
	uint64_t off = (uint64_t)i * S2_GRANULE_SIZE;
	return off < RAM0_SIZE ? RAM0_IPA + off : RAM1_IPA + off - RAM0_SIZE;
}

static uint64_t read_cntpct(void *ctx)
{
	(void)ctx;
	return fake_count += 7;
}

static void host_grant(void *ctx, uint64_t pa)
{
	struct fuzz_vm *f = ctx;
	long i = granule_index(pa);
	if (i < 0 || f->host_access[i])
		abort(); /* granting a non-RAM or already shared granule */
	f->host_access[i] = true;
}

static void host_revoke(void *ctx, uint64_t pa)
{
	struct fuzz_vm *f = ctx;
	long i = granule_index(pa);
	if (i < 0 || !f->host_access[i])
		abort();
	f->host_access[i] = false;
}

static void psci(void *ctx, struct vhyp_vcpu *vcpu, uint64_t x[18])
{
	(void)ctx;
	(void)vcpu;
	x[0] = (uint64_t)PSCI_RET_NOT_SUPPORTED;
	x[1] = x[2] = x[3] = 0;
}

/* Entropy: all ones, so that a bit the TRNG fails to clear shows; every
 * 7th word fails (NO_ENTROPY). */
static unsigned entropy_calls;

static bool get_entropy(void *ctx, uint64_t *out)
{
	(void)ctx;
	if (++entropy_calls % 7U == 0)
		return false;
	*out = ~0ULL;
	return true;
}

#define PV_TIME_BASE 0x090a0000ULL

static uint64_t pv_time_st(void *ctx, struct vhyp_vcpu *vcpu)
{
	(void)ctx;
	return vcpu == NULL ? PV_TIME_BASE : UINT64_MAX;
}

static const struct vhyp_ops fuzz_ops = {
        .read_cntpct = read_cntpct,
        .host_grant = host_grant,
        .host_revoke = host_revoke,
        .psci = psci,
        .get_entropy = get_entropy,
        .pv_time_st = pv_time_st,
};

static void tlbi_range(void *ctx, uint16_t vmid, uint64_t ipa, uint64_t size)
{
	(void)ctx;
	(void)vmid;
	(void)ipa;
	(void)size;
}

static void sync_tables(void *ctx)
{
	(void)ctx;
}

static const struct s2_mmu_ops fuzz_mmu = {
        .tlbi_range = tlbi_range,
        .sync_tables = sync_tables,
};

static void vm_setup(struct fuzz_vm *f, bool protected_vm)
{
	struct vhyp_vm_config cfg;
	const char *err = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.protected_vm = protected_vm;
	cfg.ipa_bits = 40;
	cfg.ram[0] = (struct vhyp_mem_range){RAM0_IPA, RAM0_IPA, RAM0_SIZE};
	cfg.ram[1] = (struct vhyp_mem_range){RAM1_IPA, RAM1_IPA, RAM1_SIZE};
	cfg.nr_ram = 2;
	cfg.dev[0] = (struct vhyp_mem_range){VHYP_BOARD_UART_BASE,
	                                     VHYP_BOARD_UART_BASE, 0x1000};
	cfg.nr_dev = 1;
	cfg.vmid = protected_vm ? 1 : 2;

	memset(f->host_access, 0, sizeof(f->host_access));
	if (f->pool_mem == NULL)
		f->pool_mem = aligned_alloc(S2_GRANULE_SIZE,
		                            POOL_PAGES * S2_GRANULE_SIZE);
	s2_pool_init(&f->pool, f->pool_mem, (uint64_t)(uintptr_t)f->pool_mem,
	             POOL_PAGES);
	if (vhyp_vm_create(&f->vm, &cfg, &f->pool, &fuzz_mmu, NULL, &fuzz_ops,
	                   f, &fuzz_clock, &err) != 0)
		abort();
}

static uint8_t granule_state(struct fuzz_vm *f, size_t i)
{
	struct s2_leaf leaf;
	if (s2_lookup(&f->vm.s2, granule_ipa(i), &leaf) != S2_OK || !leaf.valid)
		abort(); /* guest RAM must stay mapped */
	return (uint8_t)s2_pte_state(leaf.pte);
}

static void snapshot(struct fuzz_vm *f)
{
	for (size_t i = 0; i < NR_GRANULES; i++)
		f->state[i] = granule_state(f, i);
}

/* A successful call changes the state of one granule at most. */
static void check_one_change(struct fuzz_vm *f)
{
	size_t changed = 0;
	for (size_t i = 0; i < NR_GRANULES; i++)
		changed += granule_state(f, i) != f->state[i];
	if (changed > 1)
		abort();
}

/* Stage-2 state and host access agree; errors changed nothing. */
static bool host_may(struct vhyp_vm *vm, uint64_t ipa)
{
	struct vhyp_vm_locked locked = vhyp_vm_lock(vm);
	bool ok = pmem_host_may_access(locked, ipa, 1);

	vhyp_vm_unlock(&locked);
	return ok;
}

static void check_states(struct fuzz_vm *f, bool call_failed)
{
	for (size_t i = 0; i < NR_GRANULES; i++) {
		uint8_t now = granule_state(f, i);
		bool shared = now == S2_STATE_SHARED_OWNED;
		if (shared != f->host_access[i])
			abort();
		if (!f->vm.cfg.protected_vm && now != S2_STATE_OWNED)
			abort();
		if (call_failed && now != f->state[i])
			abort();
		f->state[i] = now;
		if (!host_may(&f->vm, granule_ipa(i)) &&
		    (!f->vm.cfg.protected_vm || shared))
			abort();
		if (f->vm.cfg.protected_vm && !shared &&
		    host_may(&f->vm, granule_ipa(i)))
			abort();
	}
}

static bool is_implemented(uint32_t id)
{
	switch (id) {
	case SMCCC_VERSION_FUNC_ID:
	case SMCCC_ARCH_FEATURES_FUNC_ID:
	case KVM_VENDOR_CALL_UID_FUNC_ID:
	case KVM_VENDOR_FEATURES_FUNC_ID:
	case KVM_VENDOR_PTP_FUNC_ID:
	case KVM_VENDOR_HYP_MEMINFO_FUNC_ID:
	case KVM_VENDOR_MEM_SHARE_FUNC_ID:
	case KVM_VENDOR_MEM_UNSHARE_FUNC_ID:
	case KVM_VENDOR_MMIO_GUARD_FUNC_ID:
	case SMCCC_ARCH_WORKAROUND_1_FUNC_ID:
	case SMCCC_ARCH_WORKAROUND_2_FUNC_ID:
	case SMCCC_ARCH_WORKAROUND_3_FUNC_ID:
	case SMCCC_TRNG_VERSION_FUNC_ID:
	case SMCCC_TRNG_FEATURES_FUNC_ID:
	case SMCCC_TRNG_GET_UUID_FUNC_ID:
	case SMCCC_TRNG_RND32_FUNC_ID:
	case SMCCC_TRNG_RND64_FUNC_ID:
	case SMCCC_PV_TIME_FEATURES_FUNC_ID:
	case SMCCC_PV_TIME_ST_FUNC_ID:
		return true;
	default:
		/* PSCI range: answered by the (fake) firmware hook. */
		return (id & 0xBFFFFFE0U) == 0x84000000U;
	}
}

static bool is_protected_call(uint32_t id)
{
	return id == KVM_VENDOR_HYP_MEMINFO_FUNC_ID ||
	       id == KVM_VENDOR_MEM_SHARE_FUNC_ID ||
	       id == KVM_VENDOR_MEM_UNSHARE_FUNC_ID ||
	       id == KVM_VENDOR_MMIO_GUARD_FUNC_ID;
}

static const uint32_t interesting_ids[] = {
        SMCCC_VERSION_FUNC_ID,
        SMCCC_ARCH_FEATURES_FUNC_ID,
        KVM_VENDOR_CALL_UID_FUNC_ID,
        KVM_VENDOR_FEATURES_FUNC_ID,
        KVM_VENDOR_PTP_FUNC_ID,
        KVM_VENDOR_HYP_MEMINFO_FUNC_ID,
        KVM_VENDOR_MEM_SHARE_FUNC_ID,
        KVM_VENDOR_MEM_UNSHARE_FUNC_ID,
        KVM_VENDOR_MMIO_GUARD_FUNC_ID,
        KVM_VENDOR_MEM_SHARE_FUNC_ID,
        KVM_VENDOR_MEM_UNSHARE_FUNC_ID,
        0xC6000000U,
        0x86000002U,
        0x8600007FU,
        0x0600FF01U,
        0xC600FF01U,
        PSCI_VERSION_FUNC_ID,
        0x84000050U,
        SMCCC_TRNG_RND32_FUNC_ID,
        SMCCC_TRNG_RND64_FUNC_ID,
        SMCCC_TRNG_FEATURES_FUNC_ID,
        SMCCC_PV_TIME_FEATURES_FUNC_ID,
        SMCCC_PV_TIME_ST_FUNC_ID,
        SMCCC_ARCH_WORKAROUND_1_FUNC_ID,
};

static void bias_registers(uint8_t sel, uint64_t x[18])
{
	size_t nr_ids = sizeof(interesting_ids) / sizeof(interesting_ids[0]);
	if (sel & 1)
		x[0] = (x[0] & ~0xFFFFFFFFULL) |
		       interesting_ids[(sel >> 1) % nr_ids];
	if (sel & 0x40) {
		/* x1: a RAM granule (aligned or not), reserved args zero. */
		size_t g = (size_t)(x[1] % NR_GRANULES);
		x[1] = granule_ipa(g) + ((sel & 0x80) ? (x[1] >> 60) : 0);
		if (!(sel & 0x20))
			x[2] = x[3] = 0;
	} else if (sel & 0x20) {
		/* x1: an MMIO-ish granule; reserved args zero. */
		x[1] = (x[1] & 0xFFFFFF000ULL);
		x[2] = x[3] = 0;
	}
}

/* TRNG RND: success only for N in 1..max, then exactly N one bits (the
 * entropy is all ones) at the bottom of X3, X2, X1 (each `width` wide);
 * failures are -2 (bad N) or -3 (no entropy). */
static void check_trng_rnd(uint32_t id, const uint64_t in[18],
                           const uint64_t x[18])
{
	uint32_t n = (uint32_t)in[1];
	unsigned width = id == SMCCC_TRNG_RND64_FUNC_ID ? 64U : 32U;
	unsigned max = 3U * width;

	if (n == 0 || n > max) {
		if (x[0] != (uint64_t)-2)
			abort();
		return;
	}
	if (x[0] == (uint64_t)-3)
		return;
	if (x[0] != 0)
		abort();
	for (unsigned r = 0; r < 3; r++) {
		unsigned lo = (2U - r) * width;
		unsigned bits = n <= lo ? 0 : (n - lo > width ? width : n - lo);
		uint64_t want = bits == 64 ? ~0ULL : (1ULL << bits) - 1U;

		if (x[1 + r] != want)
			abort();
	}
}

static void one_call(struct fuzz_vm *f, const uint64_t in[18])
{
	uint64_t x[18];
	uint32_t id = (uint32_t)in[0];

	memcpy(x, in, sizeof(x));
	vhyp_smccc_call(&f->vm, NULL, x);

	for (int i = 4; i < 18; i++)
		if (x[i] != in[i])
			abort();
	bool failed = (int64_t)x[0] < 0;
	if (!is_implemented(id) ||
	    (!f->vm.cfg.protected_vm && is_protected_call(id))) {
		if (x[0] != UINT64_MAX)
			abort();
	}
	if (failed && (x[1] | x[2] | x[3]) != 0)
		abort(); /* every error zeroes X1..X3 */
	if (id == SMCCC_TRNG_RND32_FUNC_ID || id == SMCCC_TRNG_RND64_FUNC_ID)
		check_trng_rnd(id, in, x);
	if (id == SMCCC_PV_TIME_ST_FUNC_ID && x[0] != PV_TIME_BASE)
		abort();
	if (!failed)
		check_one_change(f);
	check_states(f, failed); /* also takes the snapshot for the next call */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t rec = 1 + 8 * 18;

	/* Fresh VMs per input: the sequence in the input is the state. */
	vm_setup(&fuzz_protected, true);
	vm_setup(&fuzz_normal, false);
	snapshot(&fuzz_protected);
	snapshot(&fuzz_normal);
	for (size_t off = 0; off + rec <= size; off += rec) {
		uint64_t x[18];
		uint8_t sel = data[off];
		memcpy(x, data + off + 1, sizeof(x));
		bias_registers(sel, x);
		one_call(&fuzz_protected, x);
		one_call(&fuzz_normal, x);
	}
	vhyp_vm_destroy(&fuzz_protected.vm);
	vhyp_vm_destroy(&fuzz_normal.vm);
	return 0;
}
