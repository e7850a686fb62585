// SPDX-License-Identifier: MIT
/*
 * core/pmem MMIO guard ("vhyp's choices" 8): MMIO_GUARD's argument checks,
 * its stage-2 record (an annotated invalid level-3 entry), idempotency,
 * and pmem_mmio_check's verdicts before and after the guard is on.
 */
#include "fake_platform.h"

#include <stdlib.h>

#define FP(state) ((struct fake_platform *)*(state))

#define GUARD_ID  0xC6000007ULL
/* "MG" in bits 23:8, type 1 in bits 7:1, bit 0 clear. */
#define GUARD_PTE 0x4D4702ULL
#define MMIO_A    0x20000000ULL /* no mapping there */
#define MMIO_B    0x20001000ULL

static uint64_t counter(struct fake_platform *fp, enum vhyp_counter c)
{
	return atomic_load(&fp->vm.counters[c]);
}

static bool guard_on(struct fake_platform *fp)
{
	return atomic_load(&fp->vm.mmio_guard_on);
}

static void guard(struct fake_platform *fp, uint64_t ipa, uint64_t r0)
{
	fp_expect(fp, GUARD_ID, ipa, 0, 0, r0, 0, 0, 0);
}

static void guard_aligned_mmio_records_annotation(void **state)
{
	struct fake_platform *fp = FP(state);
	struct fp_pte pte;

	assert_false(guard_on(fp));
	guard(fp, MMIO_A, 0);
	pte = fp_lookup(fp, MMIO_A);
	assert_false(pte.valid);
	assert_int_equal(pte.level, 3);
	assert_int_equal(pte.pte, GUARD_PTE);
	assert_int_equal(pte.pte & 1, 0); /* the walker faults on it */
	assert_true(guard_on(fp));
}

static void guard_again_succeeds_without_tables(void **state)
{
	struct fake_platform *fp = FP(state);
	size_t free_pages;

	guard(fp, MMIO_A, 0);
	free_pages = s2_pool_free_pages(&fp->pool);
	guard(fp, MMIO_A, 0);
	guard(fp, MMIO_A, 0);
	assert_int_equal(s2_pool_free_pages(&fp->pool), free_pages);
	assert_int_equal(fp_lookup(fp, MMIO_A).pte, GUARD_PTE);
	assert_int_equal(counter(fp, VHYP_CNT_MMIO_GUARD), 3);
}

static void guard_neighbour_in_same_table_takes_no_page(void **state)
{
	struct fake_platform *fp = FP(state);
	size_t free_pages;

	guard(fp, MMIO_A, 0);
	free_pages = s2_pool_free_pages(&fp->pool);
	guard(fp, MMIO_B, 0);
	assert_int_equal(s2_pool_free_pages(&fp->pool), free_pages);
}

static void guard_unaligned_is_minus3(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A + 4, FP_MINUS3);
	guard(fp, MMIO_A + 0xFFF, FP_MINUS3);
	assert_false(fp_lookup(fp, MMIO_A).valid);
	assert_int_equal(fp_lookup(fp, MMIO_A).pte, 0);
	assert_false(guard_on(fp));
}

static void guard_ram_is_minus3(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, 0x40000000ULL, FP_MINUS3);
	guard(fp, 0x403FF000ULL, FP_MINUS3);
	guard(fp, 0x80000000ULL, FP_MINUS3);
	guard(fp, 0x8000F000ULL, FP_MINUS3);
	assert_true(fp_lookup(fp, 0x40000000ULL).valid);
	assert_false(guard_on(fp));
}

static void guard_shared_ram_is_minus3(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, 0x40002000ULL, 0, 0, 0, 0, 0, 0);
	guard(fp, 0x40002000ULL, FP_MINUS3);
	assert_int_equal(fp_lookup(fp, 0x40002000ULL).state, 1);
	assert_true(fp_host_has(fp, 0x100002000ULL));
}

static void guard_beyond_ipa_space_is_minus3(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, 0x10000000000ULL, FP_MINUS3);
	guard(fp, 0x10000000000ULL | MMIO_A, FP_MINUS3);
	guard(fp, 0xFFFFFFFFFFFFF000ULL, FP_MINUS3);
	assert_int_equal(fp_lookup(fp, MMIO_A).pte, 0);
	assert_false(guard_on(fp));
}

static void guard_last_granule_of_ipa_space(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, 0xFFFFFFF000ULL, 0);
	assert_int_equal(fp_lookup(fp, 0xFFFFFFF000ULL).pte, GUARD_PTE);
}

static void guard_nonzero_reserved_is_minus3(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, GUARD_ID, MMIO_A, 1, 0, FP_MINUS3, 0, 0, 0);
	fp_expect(fp, GUARD_ID, MMIO_A, 0, 1, FP_MINUS3, 0, 0, 0);
	fp_expect(fp, GUARD_ID, MMIO_A, 0x8000000000000000ULL, 0, FP_MINUS3, 0,
	          0, 0);
	assert_int_equal(fp_lookup(fp, MMIO_A).pte, 0);
	assert_false(guard_on(fp));
}

static void guard_device_window_succeeds_mapping_kept(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t before = fp_lookup(fp, 0x09000000ULL).pte;

	guard(fp, 0x09000000ULL, 0);
	assert_true(fp_lookup(fp, 0x09000000ULL).valid);
	assert_int_equal(fp_lookup(fp, 0x09000000ULL).pte, before);
	assert_true(guard_on(fp));
}

static void guard_normal_vm_is_minus1(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, FP_MINUS1);
	assert_int_equal(fp_lookup(fp, MMIO_A).pte, 0);
	assert_false(guard_on(fp));
}

static void guard_hidden_is_minus1(void **state)
{
	struct fake_platform *fp = malloc(sizeof(*fp));

	(void)state;
	assert_non_null(fp);
	fp_init(fp, true);
	fp->cfg.features_set = true;
	fp->cfg.features = 0x1F;
	assert_int_equal(fp_create(fp, NULL), 0);
	guard(fp, MMIO_A, FP_MINUS1);
	assert_false(guard_on(fp));
	fp_fini(fp);
	free(fp);
}

/* With a pool that the VM's own tables exhaust, guarding an empty region
 * fails with -3 and changes nothing; the RAM calls still work. */
static void guard_out_of_table_pages_is_minus3(void **state)
{
	struct fake_platform *fp = malloc(sizeof(*fp));
	size_t n;

	(void)state;
	assert_non_null(fp);
	for (n = 1; n < FP_POOL_PAGES; n++) {
		fp_init(fp, true);
		s2_pool_init(&fp->pool, fp->pool_mem, 0x7000000000ULL, n);
		if (fp_create(fp, NULL) == 0)
			break;
		fp_fini(fp);
	}
	assert_true(n < FP_POOL_PAGES);
	while (s2_pool_free_pages(&fp->pool) > 0) {
		/* Pages left beyond the worst case of the mapping: use them
		 * up with guards in fresh 1 GiB regions. */
		static uint64_t region = 0x100000000ULL;
		uint64_t x[18];

		fp_regs(x, GUARD_ID, region, 0, 0);
		fp_call(fp, x);
		region += 0x40000000ULL;
		if (x[0] != 0)
			break;
	}
	guard(fp, 0xFF00000000ULL, FP_MINUS3);
	assert_int_equal(fp_lookup(fp, 0xFF00000000ULL).pte, 0);
	fp_expect(fp, 0xC6000003ULL, 0x40000000ULL, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, 0x40000000ULL, 0, 0, 0, 0, 0, 0);
	fp_fini(fp);
	free(fp);
}

/* ---- pmem_mmio_check ------------------------------------------------ */

static void check_guard_off_emulates_everything(void **state)
{
	struct fake_platform *fp = FP(state);

	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A, 4),
	                 PMEM_MMIO_EMULATE);
	assert_int_equal(pmem_mmio_check(&fp->vm, 0x10000000000ULL, 8),
	                 PMEM_MMIO_EMULATE);
	assert_int_equal(counter(fp, VHYP_CNT_MMIO_REFUSED), 0);
}

static void check_normal_vm_emulates(void **state)
{
	struct fake_platform *fp = FP(state);

	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A, 4),
	                 PMEM_MMIO_EMULATE);
}

static void check_guarded_emulates_unguarded_refused(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, 0);
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A, 4),
	                 PMEM_MMIO_EMULATE);
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A + 0xFF8, 8),
	                 PMEM_MMIO_EMULATE);
	assert_int_equal(counter(fp, VHYP_CNT_MMIO_REFUSED), 0);
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_B, 4),
	                 PMEM_MMIO_INJECT_SEA);
	assert_int_equal(pmem_mmio_check(&fp->vm, 0x30000000ULL, 1),
	                 PMEM_MMIO_INJECT_SEA);
	assert_int_equal(counter(fp, VHYP_CNT_MMIO_REFUSED), 2);
}

static void check_spanning_access_needs_both(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, 0);
	/* Last byte in the unguarded MMIO_B. */
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A + 0xFFC, 8),
	                 PMEM_MMIO_INJECT_SEA);
	/* First byte in the unguarded granule before MMIO_A. */
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A - 4, 8),
	                 PMEM_MMIO_INJECT_SEA);
	guard(fp, MMIO_B, 0);
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A + 0xFFC, 8),
	                 PMEM_MMIO_EMULATE);
	assert_int_equal(counter(fp, VHYP_CNT_MMIO_REFUSED), 2);
}

static void check_zero_length_is_one_byte(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, 0);
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_A + 0xFFF, 0),
	                 PMEM_MMIO_EMULATE);
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_B, 0),
	                 PMEM_MMIO_INJECT_SEA);
}

static void check_ram_and_beyond_refused(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, 0);
	assert_int_equal(pmem_mmio_check(&fp->vm, 0x40000000ULL, 4),
	                 PMEM_MMIO_INJECT_SEA);
	assert_int_equal(pmem_mmio_check(&fp->vm, 0x10000000000ULL, 4),
	                 PMEM_MMIO_INJECT_SEA);
	assert_int_equal(pmem_mmio_check(&fp->vm, 0xFFFFFFFFFFFFFFFCULL, 8),
	                 PMEM_MMIO_INJECT_SEA);
}

static void check_device_window_emulates(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, 0);
	assert_int_equal(pmem_mmio_check(&fp->vm, 0x09000000ULL, 4),
	                 PMEM_MMIO_EMULATE);
}

static void check_failed_guard_leaves_guard_off(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, 0x40000000ULL, FP_MINUS3);
	guard(fp, MMIO_A + 1, FP_MINUS3);
	assert_int_equal(pmem_mmio_check(&fp->vm, MMIO_B, 4),
	                 PMEM_MMIO_EMULATE);
}

static void check_releases_the_lock(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, 0);
	(void)pmem_mmio_check(&fp->vm, MMIO_A, 4);
	(void)pmem_mmio_check(&fp->vm, MMIO_B, 4);
	assert_false(atomic_flag_test_and_set(&fp->vm.lock));
}

static void guard_then_share_of_mmio_is_minus3(void **state)
{
	struct fake_platform *fp = FP(state);

	guard(fp, MMIO_A, 0);
	fp_expect(fp, 0xC6000003ULL, MMIO_A, 0, 0, FP_MINUS3, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, MMIO_A, 0, 0, FP_MINUS3, 0, 0, 0);
	assert_int_equal(fp_lookup(fp, MMIO_A).pte, GUARD_PTE);
	assert_int_equal(fp->nr_grant_calls, 0);
}

#define TP(fn)                                                                 \
	cmocka_unit_test_setup_teardown(fn, fp_state_protected,                \
	                                fp_state_teardown)
#define TN(fn)                                                                 \
	cmocka_unit_test_setup_teardown(fn, fp_state_normal, fp_state_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        TP(guard_aligned_mmio_records_annotation),
	        TP(guard_again_succeeds_without_tables),
	        TP(guard_neighbour_in_same_table_takes_no_page),
	        TP(guard_unaligned_is_minus3),
	        TP(guard_ram_is_minus3),
	        TP(guard_shared_ram_is_minus3),
	        TP(guard_beyond_ipa_space_is_minus3),
	        TP(guard_last_granule_of_ipa_space),
	        TP(guard_nonzero_reserved_is_minus3),
	        TP(guard_device_window_succeeds_mapping_kept),
	        TN(guard_normal_vm_is_minus1),
	        cmocka_unit_test(guard_hidden_is_minus1),
	        cmocka_unit_test(guard_out_of_table_pages_is_minus3),
	        TP(check_guard_off_emulates_everything),
	        TN(check_normal_vm_emulates),
	        TP(check_guarded_emulates_unguarded_refused),
	        TP(check_spanning_access_needs_both),
	        TP(check_zero_length_is_one_byte),
	        TP(check_ram_and_beyond_refused),
	        TP(check_device_window_emulates),
	        TP(check_failed_guard_leaves_guard_off),
	        TP(check_releases_the_lock),
	        TP(guard_then_share_of_mmio_is_minus3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
