/* SPDX-License-Identifier: MIT */
/* Fake platform for the core's host tests: see fake_platform.h. */
#include "fake_platform.h"

#include <stdlib.h>
#include <string.h>

#include <vhyp/board.h>

static uint64_t fake_read_cntpct(void *ctx)
{
	struct fake_platform *fp = ctx;
	uint64_t now = fp->cnt;

	fp->cnt += fp->cnt_step;
	fp->cnt_reads++;
	return now;
}

static long granted_index(const struct fake_platform *fp, uint64_t pa)
{
	for (size_t i = 0; i < fp->nr_granted; i++)
		if (fp->granted[i] == pa)
			return (long)i;
	return -1;
}

/* Is the VM lock taken?  Setting a clear flag is undone at once. */
static bool vm_lock_held(struct fake_platform *fp)
{
	if (atomic_flag_test_and_set(&fp->vm.lock))
		return true;
	atomic_flag_clear(&fp->vm.lock);
	return false;
}

static unsigned state_of_pa(struct fake_platform *fp, uint64_t pa)
{
	for (unsigned i = 0; i < fp->cfg.nr_ram; i++) {
		const struct vhyp_mem_range *r = &fp->cfg.ram[i];

		if (pa >= r->pa && pa - r->pa < r->size) {
			struct fp_pte pte =
			        fp_lookup(fp, r->ipa + (pa - r->pa));

			return pte.valid ? pte.state : 4;
		}
	}
	return 4;
}

static void fake_host_grant(void *ctx, uint64_t pa)
{
	struct fake_platform *fp = ctx;

	fp->lock_held_at_grant = vm_lock_held(fp);
	fp->state_at_grant = state_of_pa(fp, pa);

	fp->nr_grant_calls++;
	fp->last_grant_pa = pa;
	if ((pa & (S2_GRANULE_SIZE - 1)) != 0 || granted_index(fp, pa) >= 0 ||
	    fp->nr_granted == FP_MAX_GRANTS) {
		fp->host_errors++;
		return;
	}
	fp->granted[fp->nr_granted++] = pa;
}

static void fake_host_revoke(void *ctx, uint64_t pa)
{
	struct fake_platform *fp = ctx;
	long i = granted_index(fp, pa);

	fp->lock_held_at_revoke = vm_lock_held(fp);
	fp->state_at_revoke = state_of_pa(fp, pa);
	fp->nr_revoke_calls++;
	fp->last_revoke_pa = pa;
	if (i < 0) {
		fp->host_errors++;
		return;
	}
	fp->granted[i] = fp->granted[--fp->nr_granted];
}

static void fake_psci(void *ctx, struct vhyp_vcpu *vcpu, uint64_t x[18])
{
	struct fake_platform *fp = ctx;

	fp->psci_calls++;
	fp->psci_vcpu = vcpu;
	for (int i = 0; i < 4; i++) {
		fp->psci_in[i] = x[i];
		x[i] = fp->psci_out[i];
	}
}

static int64_t fake_arch_workaround(void *ctx, uint32_t func_id)
{
	struct fake_platform *fp = ctx;

	fp->workaround_calls++;
	fp->workaround_last = func_id;
	return fp->workaround_answer;
}

static bool fake_get_entropy(void *ctx, uint64_t *out)
{
	struct fake_platform *fp = ctx;
	unsigned n = fp->entropy_calls++;

	if (n >= fp->entropy_fail_from)
		return false;
	*out = fp->entropy_words[n % 4];
	return true;
}

static uint64_t fake_pv_time_st(void *ctx, struct vhyp_vcpu *vcpu)
{
	struct fake_platform *fp = ctx;

	fp->pv_time_calls++;
	for (unsigned i = 0; i < 2; i++)
		if (vcpu != NULL && vcpu == fp->vcpus[i])
			return fp->pv_time_base + 64U * i;
	return UINT64_MAX;
}

void fp_enable_trng(struct fake_platform *fp)
{
	fp->entropy_words[0] = 0x0123456789ABCDEFULL;
	fp->entropy_words[1] = 0xFEDCBA9876543210ULL;
	fp->entropy_words[2] = 0xA5A5A5A55A5A5A5AULL;
	fp->entropy_words[3] = 0xFFFFFFFFFFFFFFFFULL;
	fp->entropy_fail_from = UINT32_MAX;
	fp->ops.get_entropy = fake_get_entropy;
}

void fp_enable_pv_time(struct fake_platform *fp)
{
	fp->pv_time_base = VHYP_PV_TIME_IPA;
	fp->ops.pv_time_st = fake_pv_time_st;
}

void fp_call_vcpu(struct fake_platform *fp, struct vhyp_vcpu *vcpu,
                  uint64_t x[18])
{
	vhyp_smccc_call(&fp->vm, vcpu, x);
}

bool fp_host_has(const struct fake_platform *fp, uint64_t pa)
{
	return granted_index(fp, pa) >= 0;
}

bool fp_host_may(struct vhyp_vm *vm, uint64_t ipa, uint64_t len)
{
	struct vhyp_vm_locked locked = vhyp_vm_lock(vm);
	bool ok = pmem_host_may_access(locked, ipa, len);

	vhyp_vm_unlock(&locked);
	return ok;
}

void fp_init(struct fake_platform *fp, bool protected_vm)
{
	memset(fp, 0, sizeof(*fp));
	fp->pool_pages = FP_POOL_PAGES;
	fp->pool_mem =
	        aligned_alloc(S2_GRANULE_SIZE, FP_POOL_PAGES * S2_GRANULE_SIZE);
	assert_non_null(fp->pool_mem);
	/* A PA unlike the VA, so that VA/PA mix-ups show. */
	s2_pool_init(&fp->pool, fp->pool_mem, 0x7000000000ULL, FP_POOL_PAGES);

	fp->cnt = 5000000;
	fp->cnt_step = 7;
	fp->clock.anchor_ns = FP_ANCHOR_NS;
	fp->clock.anchor_cnt = FP_ANCHOR_CNT;
	fp->clock.freq_hz = FP_FREQ_HZ;
	fp->clock.valid = true;

	fp->ops.read_cntpct = fake_read_cntpct;
	fp->ops.host_grant = fake_host_grant;
	fp->ops.host_revoke = fake_host_revoke;
	fp->ops.psci = fake_psci;
	fp->ops.arch_workaround = fake_arch_workaround;
	fp->workaround_answer = 0;

	fp->cfg.protected_vm = protected_vm;
	fp->cfg.ipa_bits = FP_IPA_BITS;
	fp->cfg.ram[0] =
	        (struct vhyp_mem_range){FP_RAM0_IPA, FP_RAM0_PA, FP_RAM0_SIZE};
	fp->cfg.ram[1] =
	        (struct vhyp_mem_range){FP_RAM1_IPA, FP_RAM1_PA, FP_RAM1_SIZE};
	fp->cfg.nr_ram = 2;
	fp->cfg.dev[0] =
	        (struct vhyp_mem_range){FP_DEV0_IPA, FP_DEV0_IPA, FP_DEV0_SIZE};
	fp->cfg.nr_dev = 1;
	fp->cfg.vmid = 3;
	for (unsigned i = 0; i < 2; i++) {
		fp->vcpu[i].vm = &fp->vm;
		fp->vcpu[i].idx = i;
		fp->vcpus[i] = &fp->vcpu[i];
	}
}

int fp_create(struct fake_platform *fp, const char **err)
{
	int rc = vhyp_vm_create(&fp->vm, &fp->cfg, &fp->pool, &fake_mmu_ops,
	                        &fp->mmu, &fp->ops, fp, &fp->clock, err);

	fp->created = rc == 0;
	return rc;
}

void fp_setup(struct fake_platform *fp, bool protected_vm)
{
	const char *err = NULL;

	fp_init(fp, protected_vm);
	if (fp_create(fp, &err) != 0)
		fail_msg("vhyp_vm_create: %s", err ? err : "(no reason)");
}

void fp_fini(struct fake_platform *fp)
{
	if (fp->created)
		vhyp_vm_destroy(&fp->vm);
	free(fp->pool_mem);
	fp->pool_mem = NULL;
	fp->created = false;
}

struct fp_pte fp_lookup(struct fake_platform *fp, uint64_t ipa)
{
	struct s2_leaf leaf;
	struct fp_pte r = {false, 0, 0, 0};

	if (s2_lookup(&fp->vm.s2, ipa, &leaf) != S2_OK)
		return r;
	r.valid = leaf.valid;
	r.level = leaf.level;
	r.pte = leaf.pte;
	r.state = (unsigned)((leaf.pte >> 55) & 3U);
	return r;
}

void fp_regs(uint64_t x[18], uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	x[0] = a;
	x[1] = b;
	x[2] = c;
	x[3] = d;
	for (int i = 4; i < 18; i++)
		x[i] = FP_PATTERN(i);
}

void fp_call(struct fake_platform *fp, uint64_t x[18])
{
	vhyp_smccc_call(&fp->vm, NULL, x);
}

static int state_setup(void **state, bool protected_vm)
{
	struct fake_platform *fp = malloc(sizeof(*fp));

	if (fp == NULL)
		return -1;
	fp_setup(fp, protected_vm);
	*state = fp;
	return 0;
}

int fp_state_normal(void **state)
{
	return state_setup(state, false);
}

int fp_state_protected(void **state)
{
	return state_setup(state, true);
}

int fp_state_teardown(void **state)
{
	struct fake_platform *fp = *state;

	fp_fini(fp);
	free(fp);
	return 0;
}
