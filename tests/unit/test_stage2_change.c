// SPDX-License-Identifier: MIT
/*
 * s2_prepare_page_state / s2_commit_page_state: the check-and-reserve and
 * the commit the protected-memory hypercalls use.  Real tables on a
 * malloc'd pool; only TLB maintenance is faked.  Checks that the prepare
 * writes nothing (the tables still show the old state until the commit),
 * that a mismatched state or a bad argument fails in the prepare, that a
 * page changes with one store and no TLBI, that a block's split is
 * reserved by the prepare (and can fail there, nowhere later), that a
 * cancel gives the reservation back, and that a commit of a leaf changed
 * since its prepare is stopped by CHECK.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_catch.h"
#include "fake_mmu.h"
#include <core/stage2.h>

#define POOL_PAGES 32U
#define RAM_IPA    0x40000000ULL
#define RAM_PA     0x80000000ULL

static uint8_t *pool_mem;
static struct s2_pool pool;
static struct s2_pgtable pt;
static struct fake_mmu mmu;

static int setup(void **state)
{
	(void)state;
	pool_mem = aligned_alloc(0x10000, POOL_PAGES * S2_GRANULE_SIZE);
	assert_non_null(pool_mem);
	s2_pool_init(&pool, pool_mem, (uint64_t)(uintptr_t)pool_mem,
	             POOL_PAGES);
	memset(&mmu, 0, sizeof(mmu));
	assert_int_equal(s2_init(&pt, &pool, 40, 7, &fake_mmu_ops, &mmu),
	                 S2_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	s2_destroy(&pt);
	free(pool_mem);
	return 0;
}

static enum s2_page_state state_of(uint64_t ipa)
{
	struct s2_leaf leaf;

	assert_int_equal(s2_lookup(&pt, ipa, &leaf), S2_OK);
	assert_true(leaf.valid);
	return s2_pte_state(leaf.pte);
}

static void map_pages(void)
{
	assert_int_equal(s2_map(&pt, RAM_IPA, RAM_PA, 0x10000, S2_MEM_NORMAL,
	                        S2_STATE_OWNED),
	                 S2_OK);
}

/* prepare (which must not write), then commit; returns the PA. */
static uint64_t change(uint64_t ipa, enum s2_page_state from,
                       enum s2_page_state to)
{
	struct s2_page_change chg;

	assert_int_equal(s2_prepare_page_state(&pt, ipa, from, to, &chg),
	                 S2_OK);
	assert_int_equal(state_of(ipa), from);
	s2_commit_page_state(&pt, &chg);
	assert_int_equal(state_of(ipa), to);
	return chg.pa;
}

static void test_prepare_writes_nothing_commit_changes(void **state)
{
	struct s2_page_change chg;
	size_t tlbi_before, free_before;
	uint64_t ipa = RAM_IPA + 0x3000;

	(void)state;
	map_pages();
	tlbi_before = mmu.nr_tlbi;
	free_before = s2_pool_free_pages(&pool);
	assert_int_equal(s2_prepare_page_state(&pt, ipa, S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 S2_OK);
	assert_int_equal(chg.pa, 0x80003000ULL);
	assert_int_equal(chg.level, 3);
	/* Between the two steps the tables still say OWNED. */
	assert_int_equal(state_of(ipa), S2_STATE_OWNED);
	s2_commit_page_state(&pt, &chg);
	assert_int_equal(state_of(ipa), S2_STATE_SHARED_OWNED);
	/* Neighbours untouched, no TLB maintenance for software bits, no
	 * table page. */
	assert_int_equal(state_of(RAM_IPA + 0x2000), S2_STATE_OWNED);
	assert_int_equal(state_of(RAM_IPA + 0x4000), S2_STATE_OWNED);
	assert_int_equal(mmu.nr_tlbi, tlbi_before);
	assert_int_equal(s2_pool_free_pages(&pool), free_before);
	assert_int_equal(pool.nr_reserved, 0);
}

static void test_wrong_state_fails_in_prepare(void **state)
{
	struct s2_page_change chg = {.pa = 0x1234};

	(void)state;
	map_pages();
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA,
	                                       S2_STATE_SHARED_OWNED,
	                                       S2_STATE_OWNED, &chg),
	                 -S2_ESTATE);
	assert_int_equal(chg.pa, 0x1234);
	assert_int_equal(pool.nr_reserved, 0);
	assert_int_equal(state_of(RAM_IPA), S2_STATE_OWNED);
}

static void test_bad_arguments(void **state)
{
	struct s2_page_change chg;

	(void)state;
	map_pages();
	/* unaligned, beyond the IPA space, unmapped, bad state values */
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA + 8, S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 -S2_EINVAL);
	assert_int_equal(s2_prepare_page_state(&pt, 1ULL << 40, S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 -S2_EINVAL);
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA + 0x100000,
	                                       S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 -S2_ENOENT);
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA,
	                                       (enum s2_page_state)3,
	                                       S2_STATE_OWNED, &chg),
	                 -S2_EINVAL);
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA, S2_STATE_OWNED,
	                                       (enum s2_page_state)2, &chg),
	                 -S2_EINVAL);
	assert_int_equal(pool.nr_reserved, 0);
}

static void test_block_split_is_reserved_by_prepare(void **state)
{
	struct s2_page_change chg;
	struct s2_leaf leaf;
	size_t free_before;

	(void)state;
	assert_int_equal(s2_map(&pt, RAM_IPA, RAM_PA, S2_LEVEL2_BLOCK,
	                        S2_MEM_NORMAL, S2_STATE_OWNED),
	                 S2_OK);
	assert_int_equal(s2_lookup(&pt, RAM_IPA + 0x5000, &leaf), S2_OK);
	assert_int_equal(leaf.level, 2);
	free_before = s2_pool_free_pages(&pool);
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA + 0x5000,
	                                       S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 S2_OK);
	/* One level-3 table for the 2 MiB block, reserved, not yet taken. */
	assert_int_equal(pool.nr_reserved, 1);
	assert_int_equal(s2_pool_free_pages(&pool), free_before);
	assert_int_equal(chg.pa, 0x80005000ULL);
	s2_commit_page_state(&pt, &chg);
	assert_int_equal(pool.nr_reserved, 0);
	assert_int_equal(s2_pool_free_pages(&pool), free_before - 1);
	assert_int_equal(s2_lookup(&pt, RAM_IPA + 0x5000, &leaf), S2_OK);
	assert_int_equal(leaf.level, 3);
	assert_int_equal(s2_pte_state(leaf.pte), S2_STATE_SHARED_OWNED);
	assert_int_equal(state_of(RAM_IPA + 0x6000), S2_STATE_OWNED);
	/* Break-before-make of the block: at least one TLBI. */
	assert_true(mmu.nr_tlbi >= 1);
}

static void test_split_without_pages_fails_in_prepare(void **state)
{
	struct s2_page_change chg;
	size_t nr_free;

	(void)state;
	assert_int_equal(s2_map(&pt, RAM_IPA, RAM_PA, S2_LEVEL2_BLOCK,
	                        S2_MEM_NORMAL, S2_STATE_OWNED),
	                 S2_OK);
	/* Promise every free page elsewhere: the split cannot be covered. */
	nr_free = s2_pool_free_pages(&pool);
	assert_true(s2_pool_reserve(&pool, nr_free));
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA, S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 -S2_ENOMEM);
	assert_int_equal(pool.nr_reserved, nr_free);
	s2_pool_unreserve(&pool, nr_free);
	/* A prepared split that is cancelled gives its page back. */
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA, S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 S2_OK);
	assert_int_equal(pool.nr_reserved, 1);
	s2_cancel_page_state(&pt, &chg);
	assert_int_equal(pool.nr_reserved, 0);
	assert_int_equal(s2_pool_free_pages(&pool), nr_free);
	assert_int_equal(state_of(RAM_IPA), S2_STATE_OWNED);
}

static void test_commit_of_a_changed_leaf_is_a_check_failure(void **state)
{
	struct s2_page_change chg;

	(void)state;
	map_pages();
	assert_int_equal(s2_prepare_page_state(&pt, RAM_IPA, S2_STATE_OWNED,
	                                       S2_STATE_SHARED_OWNED, &chg),
	                 S2_OK);
	/* Someone changed the leaf without the lock between the steps. */
	assert_int_equal(
	        s2_set_page_state(&pt, RAM_IPA, S2_STATE_SHARED_OWNED, NULL),
	        S2_OK);
	assert_true(expect_check_failure(s2_commit_page_state(&pt, &chg)));
}

static void test_round_trip_restores_descriptor(void **state)
{
	struct s2_leaf before, after;

	(void)state;
	map_pages();
	assert_int_equal(s2_lookup(&pt, RAM_IPA, &before), S2_OK);
	assert_int_equal(change(RAM_IPA, S2_STATE_OWNED, S2_STATE_SHARED_OWNED),
	                 RAM_PA);
	assert_int_equal(change(RAM_IPA, S2_STATE_SHARED_OWNED, S2_STATE_OWNED),
	                 RAM_PA);
	assert_int_equal(s2_lookup(&pt, RAM_IPA, &after), S2_OK);
	assert_int_equal(after.pte, before.pte);
	assert_int_equal(after.pte, 0x800007FFULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_prepare_writes_nothing_commit_changes, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_wrong_state_fails_in_prepare, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(
	                test_block_split_is_reserved_by_prepare, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_split_without_pages_fails_in_prepare, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_commit_of_a_changed_leaf_is_a_check_failure, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_round_trip_restores_descriptor, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
