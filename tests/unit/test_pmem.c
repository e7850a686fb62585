// SPDX-License-Identifier: MIT
/*
 * core/pmem: the protected-memory state machine, exhaustively.
 *
 * Generated cases: every call (SHARE, UNSHARE) x every start state of a
 * target granule (OWNED, SHARED) x five target granules (first, in the
 * second block, last of RAM0; first and last of RAM1) x every argument
 * shape (the aligned granule; unaligned by 8 and by 0xFFF; a RAM gap; the
 * device window; just before and just after RAM0; the IPA-size boundary
 * and aliases of the target above it; non-zero X2 or X3).  After each call
 * the test checks the four result registers, X4..X17, the target's stage-2
 * leaf (valid, level 3, same PA, software bits 56:55), the host-access set
 * and that every other RAM granule is untouched.
 *
 * Then: sequences (non-idempotency), the order of grant/revoke against the
 * page state and the lock, stage-2 layout and pool use, host access.
 */
#include "fake_platform.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FP(state) ((struct fake_platform *)*(state))

#define SHARE_ID   0xC6000003ULL
#define UNSHARE_ID 0xC6000004ULL
#define OWNED      0U
#define SHARED     1U

/* ---- helpers -------------------------------------------------------- */

static uint64_t pa_of(uint64_t ipa)
{
	if (ipa >= FP_RAM0_IPA && ipa < FP_RAM0_IPA + FP_RAM0_SIZE)
		return FP_RAM0_PA + (ipa - FP_RAM0_IPA);
	return FP_RAM1_PA + (ipa - FP_RAM1_IPA);
}

static size_t nr_ram_granules(void)
{
	return (size_t)((FP_RAM0_SIZE + FP_RAM1_SIZE) / 4096);
}

static uint64_t ram_granule(size_t i)
{
	uint64_t off = (uint64_t)i * 4096;

	return off < FP_RAM0_SIZE ? FP_RAM0_IPA + off
	                          : FP_RAM1_IPA + off - FP_RAM0_SIZE;
}

/* The leaf of a RAM granule: valid, level 3, PA as configured, state. */
static void assert_leaf(struct fake_platform *fp, uint64_t ipa, unsigned state)
{
	struct fp_pte pte = fp_lookup(fp, ipa);

	assert_true(pte.valid);
	assert_int_equal(pte.level, 3);
	assert_int_equal(pte.pte & 0x0000FFFFFFFFF000ULL, pa_of(ipa));
	assert_int_equal(pte.state, state);
}

static unsigned count_shared(struct fake_platform *fp)
{
	unsigned n = 0;

	for (size_t i = 0; i < nr_ram_granules(); i++)
		n += fp_lookup(fp, ram_granule(i)).state == SHARED;
	return n;
}

static void call(struct fake_platform *fp, uint64_t id, uint64_t ipa,
                 uint64_t r0)
{
	fp_expect(fp, id, ipa, 0, 0, r0, 0, 0, 0);
}

/* ---- generated transition cases ------------------------------------- */

enum arg_kind {
	ARG_ALIGNED,
	ARG_PLUS_8,
	ARG_PLUS_FFF,
	ARG_GAP,
	ARG_DEVICE,
	ARG_BEFORE_RAM0,
	ARG_AFTER_RAM0,
	ARG_IPA_LIMIT,
	ARG_ALIAS_BIT40,
	ARG_ALIAS_BIT63,
	ARG_ALL_ONES_PAGE,
	ARG_X2_ONE,
	ARG_X3_ONE,
	ARG_X2_HIGH,
	ARG_X3_HIGH,
	ARG_NR
};

static const char *const arg_names[ARG_NR] = {
        "aligned",       "unaligned+8", "unaligned+0xfff", "ram-gap",
        "device-window", "before-ram0", "after-ram0",      "ipa-limit",
        "alias-bit40",   "alias-bit63", "top-page",        "x2=1",
        "x3=1",          "x2=1<<63",    "x3=1<<32",
};

static const uint64_t targets[] = {
        0x40000000ULL, /* RAM0, first granule */
        0x40201000ULL, /* RAM0, second 2 MiB block */
        0x403FF000ULL, /* RAM0, last granule */
        0x80000000ULL, /* RAM1, first granule */
        0x8000F000ULL, /* RAM1, last granule */
};
#define NR_TARGETS (sizeof(targets) / sizeof(targets[0]))

struct pcase {
	char name[96];
	bool unshare;
	unsigned start;
	uint64_t target;
	enum arg_kind arg;
};

static void args_for(const struct pcase *c, uint64_t *x1, uint64_t *x2,
                     uint64_t *x3)
{
	uint64_t t = c->target;

	*x2 = 0;
	*x3 = 0;
	switch (c->arg) {
	case ARG_ALIGNED:
		*x1 = t;
		break;
	case ARG_PLUS_8:
		*x1 = t + 8;
		break;
	case ARG_PLUS_FFF:
		*x1 = t + 0xFFF;
		break;
	case ARG_GAP:
		*x1 = 0x60000000ULL;
		break;
	case ARG_DEVICE:
		*x1 = 0x09000000ULL;
		break;
	case ARG_BEFORE_RAM0:
		*x1 = 0x3FFFF000ULL;
		break;
	case ARG_AFTER_RAM0:
		*x1 = 0x40400000ULL;
		break;
	case ARG_IPA_LIMIT:
		*x1 = 0x10000000000ULL;
		break;
	case ARG_ALIAS_BIT40:
		*x1 = t | 0x10000000000ULL;
		break;
	case ARG_ALIAS_BIT63:
		*x1 = t | 0x8000000000000000ULL;
		break;
	case ARG_ALL_ONES_PAGE:
		*x1 = 0xFFFFFFFFFFFFF000ULL;
		break;
	case ARG_X2_ONE:
		*x1 = t;
		*x2 = 1;
		break;
	case ARG_X3_ONE:
		*x1 = t;
		*x3 = 1;
		break;
	case ARG_X2_HIGH:
		*x1 = t;
		*x2 = 0x8000000000000000ULL;
		break;
	case ARG_X3_HIGH:
		*x1 = t;
		*x3 = 0x100000000ULL;
		break;
	default:
		fail();
	}
}

static void transition_case(void **state)
{
	const struct pcase *c = *state;
	struct fake_platform fp;
	uint64_t x1, x2, x3, x[18];
	bool ok;
	unsigned end;

	fp_setup(&fp, true);
	if (c->start == SHARED)
		call(&fp, SHARE_ID, c->target, 0);
	assert_leaf(&fp, c->target, c->start);
	fp.nr_grant_calls = fp.nr_revoke_calls = 0;

	args_for(c, &x1, &x2, &x3);
	ok = c->arg == ARG_ALIGNED && c->start == (c->unshare ? SHARED : OWNED);
	end = ok ? (c->unshare ? OWNED : SHARED) : c->start;

	fp_regs(x, c->unshare ? UNSHARE_ID : SHARE_ID, x1, x2, x3);
	fp_call(&fp, x);
	fp_assert_regs(x, ok ? 0 : FP_MINUS3, 0, 0, 0);

	assert_leaf(&fp, c->target, end);
	assert_int_equal(fp_host_has(&fp, pa_of(c->target)), end == SHARED);
	assert_int_equal(fp.nr_granted, end == SHARED ? 1 : 0);
	assert_int_equal(count_shared(&fp), end == SHARED ? 1 : 0);
	assert_int_equal(fp.nr_grant_calls, ok && !c->unshare ? 1 : 0);
	assert_int_equal(fp.nr_revoke_calls, ok && c->unshare ? 1 : 0);
	assert_int_equal(fp.host_errors, 0);
	/* The host-side gate agrees with the state. */
	assert_int_equal(fp_host_may(&fp.vm, c->target, 4096), end == SHARED);
	fp_fini(&fp);
}

static size_t make_cases(struct pcase **out)
{
	size_t n = 2 * 2 * NR_TARGETS * ARG_NR, k = 0;
	struct pcase *cases = calloc(n, sizeof(*cases));

	assert_non_null(cases);
	for (unsigned op = 0; op < 2; op++)
		for (unsigned st = 0; st < 2; st++)
			for (size_t t = 0; t < NR_TARGETS; t++)
				for (unsigned a = 0; a < ARG_NR; a++) {
					struct pcase *c = &cases[k++];

					c->unshare = op == 1;
					c->start = st;
					c->target = targets[t];
					c->arg = (enum arg_kind)a;
					snprintf(c->name, sizeof(c->name),
					         "%s from %s at 0x%llx: %s",
					         op ? "unshare" : "share",
					         st ? "SHARED" : "OWNED",
					         (unsigned long long)targets[t],
					         arg_names[a]);
				}
	*out = cases;
	return n;
}

/* ---- sequences ------------------------------------------------------ */

static void share_twice_second_fails_page_stays_shared(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, SHARE_ID, 0x40005000ULL, 0);
	call(fp, SHARE_ID, 0x40005000ULL, FP_MINUS3);
	assert_leaf(fp, 0x40005000ULL, SHARED);
	assert_true(fp_host_has(fp, 0x100005000ULL));
	assert_int_equal(fp->nr_grant_calls, 1);
}

static void unshare_twice_second_fails(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, SHARE_ID, 0x40005000ULL, 0);
	call(fp, UNSHARE_ID, 0x40005000ULL, 0);
	call(fp, UNSHARE_ID, 0x40005000ULL, FP_MINUS3);
	assert_leaf(fp, 0x40005000ULL, OWNED);
	assert_false(fp_host_has(fp, 0x100005000ULL));
	assert_int_equal(fp->nr_revoke_calls, 1);
}

static void unshare_never_shared_fails(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, UNSHARE_ID, 0x40005000ULL, FP_MINUS3);
	assert_int_equal(fp->nr_revoke_calls, 0);
}

static void share_unshare_cycles(void **state)
{
	struct fake_platform *fp = FP(state);

	for (int i = 0; i < 10; i++) {
		call(fp, SHARE_ID, 0x8000A000ULL, 0);
		assert_true(fp_host_has(fp, 0x20001A000ULL));
		call(fp, UNSHARE_ID, 0x8000A000ULL, 0);
		assert_false(fp_host_has(fp, 0x20001A000ULL));
	}
	assert_int_equal(fp->nr_grant_calls, 10);
	assert_int_equal(fp->nr_revoke_calls, 10);
	assert_int_equal(fp->host_errors, 0);
}

static void neighbours_are_independent(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, SHARE_ID, 0x40001000ULL, 0);
	call(fp, SHARE_ID, 0x40003000ULL, 0);
	assert_leaf(fp, 0x40000000ULL, OWNED);
	assert_leaf(fp, 0x40001000ULL, SHARED);
	assert_leaf(fp, 0x40002000ULL, OWNED);
	assert_leaf(fp, 0x40003000ULL, SHARED);
	call(fp, UNSHARE_ID, 0x40001000ULL, 0);
	assert_leaf(fp, 0x40003000ULL, SHARED);
	assert_int_equal(count_shared(fp), 1);
}

/* ---- ordering against the state and the lock -------------------------- */

static void grant_after_state_is_shared_under_lock(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, SHARE_ID, 0x40010000ULL, 0);
	assert_int_equal(fp->last_grant_pa, 0x100010000ULL);
	assert_int_equal(fp->state_at_grant, SHARED);
	assert_true(fp->lock_held_at_grant);
}

static void revoke_while_still_shared_under_lock(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, SHARE_ID, 0x40010000ULL, 0);
	call(fp, UNSHARE_ID, 0x40010000ULL, 0);
	assert_int_equal(fp->last_revoke_pa, 0x100010000ULL);
	/* Revoked before the granule became private again... */
	assert_int_equal(fp->state_at_revoke, SHARED);
	assert_true(fp->lock_held_at_revoke);
	/* ...and completed before the call returned. */
	assert_false(fp_host_has(fp, 0x100010000ULL));
}

static void lock_released_after_every_call(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, SHARE_ID, 0x40010000ULL, 0);
	call(fp, SHARE_ID, 0x40010000ULL, FP_MINUS3);
	call(fp, UNSHARE_ID, 0x40010000ULL, 0);
	call(fp, UNSHARE_ID, 0x40010008ULL, FP_MINUS3);
	assert_false(atomic_flag_test_and_set(&fp->vm.lock));
}

/* ---- stage-2 layout and pool ---------------------------------------- */

static void protected_ram_is_mapped_with_pages(void **state)
{
	struct fake_platform *fp = FP(state);

	for (size_t i = 0; i < nr_ram_granules(); i++)
		assert_leaf(fp, ram_granule(i), OWNED);
}

static void normal_ram_uses_blocks(void **state)
{
	struct fake_platform *fp = FP(state);
	struct fp_pte pte = fp_lookup(fp, 0x40200000ULL);

	assert_true(pte.valid);
	assert_int_equal(pte.level, 2);
	assert_int_equal(pte.pte & 0x0000FFFFFFE00000ULL, 0x100200000ULL);
}

static void sharing_all_ram_takes_no_table_page(void **state)
{
	struct fake_platform *fp = FP(state);
	size_t before = s2_pool_free_pages(&fp->pool);

	for (size_t i = 0; i < nr_ram_granules(); i++)
		call(fp, SHARE_ID, ram_granule(i), 0);
	assert_int_equal(count_shared(fp), nr_ram_granules());
	assert_int_equal(fp->nr_granted, nr_ram_granules());
	for (size_t i = 0; i < nr_ram_granules(); i++)
		call(fp, UNSHARE_ID, ram_granule(i), 0);
	assert_int_equal(fp->nr_granted, 0);
	assert_int_equal(s2_pool_free_pages(&fp->pool), before);
}

static void transitions_need_no_tlbi(void **state)
{
	struct fake_platform *fp = FP(state);
	size_t tlbi = fp->mmu.nr_tlbi;

	call(fp, SHARE_ID, 0x40010000ULL, 0);
	call(fp, UNSHARE_ID, 0x40010000ULL, 0);
	/* Software bits only: the walker ignores them (the host side's TLB
	 * maintenance is host_revoke's, checked above). */
	assert_int_equal(fp->mmu.nr_tlbi, tlbi);
}

static void share_keeps_attributes(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t before = fp_lookup(fp, 0x40010000ULL).pte;

	call(fp, SHARE_ID, 0x40010000ULL, 0);
	assert_int_equal(fp_lookup(fp, 0x40010000ULL).pte,
	                 before | (1ULL << 55));
	call(fp, UNSHARE_ID, 0x40010000ULL, 0);
	assert_int_equal(fp_lookup(fp, 0x40010000ULL).pte, before);
}

/* ---- vhyp_host_may_access --------------------------------------------- */

static void host_access_normal_vm(void **state)
{
	struct vhyp_vm *vm = &FP(state)->vm;

	assert_true(fp_host_may(vm, 0x40000000ULL, 0x400000ULL));
	assert_true(fp_host_may(vm, 0x403FFFFFULL, 1));
	assert_true(fp_host_may(vm, 0x80000000ULL, 0x10000ULL));
	assert_false(fp_host_may(vm, 0x403FFFFFULL, 2));
	assert_false(fp_host_may(vm, 0x3FFFFFFFULL, 2));
	assert_false(fp_host_may(vm, 0x09000000ULL, 4));
	assert_false(fp_host_may(vm, 0x40000000ULL, 0));
	assert_false(fp_host_may(vm, 0x40000000ULL, ~0ULL));
	assert_false(fp_host_may(vm, ~0ULL, 2));
}

static void host_access_protected_vm(void **state)
{
	struct fake_platform *fp = FP(state);
	struct vhyp_vm *vm = &fp->vm;

	assert_false(fp_host_may(vm, 0x40001000ULL, 1));
	call(fp, SHARE_ID, 0x40001000ULL, 0);
	call(fp, SHARE_ID, 0x40002000ULL, 0);
	assert_true(fp_host_may(vm, 0x40001000ULL, 4096));
	assert_true(fp_host_may(vm, 0x40001FFFULL, 2));
	assert_true(fp_host_may(vm, 0x40001000ULL, 8192));
	assert_false(fp_host_may(vm, 0x40001000ULL, 8193));
	assert_false(fp_host_may(vm, 0x40000FFFULL, 2));
	call(fp, UNSHARE_ID, 0x40001000ULL, 0);
	assert_false(fp_host_may(vm, 0x40001000ULL, 1));
	assert_true(fp_host_may(vm, 0x40002000ULL, 1));
}

static void host_access_last_granule_of_ram(void **state)
{
	struct fake_platform *fp = FP(state);

	call(fp, SHARE_ID, 0x8000F000ULL, 0);
	assert_true(fp_host_may(&fp->vm, 0x8000F000ULL, 4096));
	assert_false(fp_host_may(&fp->vm, 0x8000F000ULL, 4097));
}

/* ---- concurrency -----------------------------------------------------
 * Two "vCPUs" share and unshare their own granules in a loop while a
 * "host" thread, holding the VM lock as the host accessor's callers must,
 * checks that every granule's stage-2 state and the host-access set agree.
 * Grant/revoke (and the fake's set) are only ever touched under the lock.
 */

#define NR_VCPUS 2
#define ROUNDS   300

struct race {
	struct fake_platform *fp;
	unsigned idx;
	atomic_bool *stop;
	unsigned failures;
};

static void *vcpu_thread(void *arg)
{
	struct race *r = arg;

	for (unsigned i = 0; i < ROUNDS; i++) {
		for (unsigned g = 0; g < 4; g++) {
			uint64_t ipa = 0x40100000ULL + (r->idx * 4 + g) * 4096;
			uint64_t x[18];

			fp_regs(x, SHARE_ID, ipa, 0, 0);
			vhyp_smccc_call(&r->fp->vm, NULL, x);
			r->failures += x[0] != 0;
			fp_regs(x, 0x86000000ULL, 0, 0, 0);
			vhyp_smccc_call(&r->fp->vm, NULL, x);
			r->failures += x[0] != 0x9F;
			fp_regs(x, UNSHARE_ID, ipa, 0, 0);
			vhyp_smccc_call(&r->fp->vm, NULL, x);
			r->failures += x[0] != 0;
		}
	}
	return NULL;
}

static void *host_thread(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(r->stop)) {
		struct vhyp_vm_locked locked = vhyp_vm_lock(&r->fp->vm);

		for (unsigned g = 0; g < NR_VCPUS * 4; g++) {
			uint64_t ipa = 0x40100000ULL + g * 4096;
			bool shared = fp_lookup(r->fp, ipa).state == SHARED;

			r->failures += shared != fp_host_has(r->fp, pa_of(ipa));
			r->failures +=
			        shared != pmem_host_may_access(locked, ipa, 1);
		}
		vhyp_vm_unlock(&locked);
	}
	return NULL;
}

static void concurrent_vcpus_keep_state_and_host_access_agreed(void **state)
{
	struct fake_platform *fp = FP(state);
	pthread_t vcpus[NR_VCPUS], host;
	struct race r[NR_VCPUS + 1];
	atomic_bool stop;

	atomic_init(&stop, false);
	for (unsigned i = 0; i <= NR_VCPUS; i++)
		r[i] = (struct race){fp, i, &stop, 0};
	assert_int_equal(pthread_create(&host, NULL, host_thread, &r[NR_VCPUS]),
	                 0);
	for (unsigned i = 0; i < NR_VCPUS; i++)
		assert_int_equal(
		        pthread_create(&vcpus[i], NULL, vcpu_thread, &r[i]), 0);
	for (unsigned i = 0; i < NR_VCPUS; i++)
		pthread_join(vcpus[i], NULL);
	atomic_store(&stop, true);
	pthread_join(host, NULL);
	for (unsigned i = 0; i <= NR_VCPUS; i++)
		assert_int_equal(r[i].failures, 0);
	assert_int_equal(fp->nr_grant_calls, NR_VCPUS * 4 * ROUNDS);
	assert_int_equal(fp->nr_revoke_calls, NR_VCPUS * 4 * ROUNDS);
	assert_int_equal(fp->host_errors, 0);
	assert_int_equal(fp->nr_granted, 0);
	assert_int_equal(atomic_load(&fp->vm.counters[VHYP_CNT_SHARE]),
	                 NR_VCPUS * 4 * ROUNDS);
	assert_int_equal(atomic_load(&fp->vm.counters[VHYP_CNT_FEATURES]),
	                 NR_VCPUS * 4 * ROUNDS);
}

/* ---- main ------------------------------------------------------------ */

#define T(fn)                                                                  \
	cmocka_unit_test_setup_teardown(fn, fp_state_protected,                \
	                                fp_state_teardown)

int main(void)
{
	const struct CMUnitTest fixed[] = {
	        T(share_twice_second_fails_page_stays_shared),
	        T(unshare_twice_second_fails),
	        T(unshare_never_shared_fails),
	        T(share_unshare_cycles),
	        T(neighbours_are_independent),
	        T(grant_after_state_is_shared_under_lock),
	        T(revoke_while_still_shared_under_lock),
	        T(lock_released_after_every_call),
	        T(protected_ram_is_mapped_with_pages),
	        cmocka_unit_test_setup_teardown(normal_ram_uses_blocks,
	                                        fp_state_normal,
	                                        fp_state_teardown),
	        T(sharing_all_ram_takes_no_table_page),
	        T(transitions_need_no_tlbi),
	        T(share_keeps_attributes),
	        cmocka_unit_test_setup_teardown(host_access_normal_vm,
	                                        fp_state_normal,
	                                        fp_state_teardown),
	        T(host_access_protected_vm),
	        T(host_access_last_granule_of_ram),
	        T(concurrent_vcpus_keep_state_and_host_access_agreed),
	};
	size_t nr_fixed = sizeof(fixed) / sizeof(fixed[0]);
	struct pcase *cases;
	size_t nr_cases = make_cases(&cases);
	struct CMUnitTest *tests = calloc(nr_fixed + nr_cases, sizeof(*tests));
	int rc;

	if (tests == NULL)
		return 1;
	memcpy(tests, fixed, sizeof(fixed));
	for (size_t i = 0; i < nr_cases; i++) {
		tests[nr_fixed + i].name = cases[i].name;
		tests[nr_fixed + i].test_func = transition_case;
		tests[nr_fixed + i].initial_state = &cases[i];
	}
	rc = _cmocka_run_group_tests("pmem", tests, nr_fixed + nr_cases, NULL,
	                             NULL);
	free(tests);
	free(cases);
	return rc;
}
