// SPDX-License-Identifier: MIT
/*
 * s2_change_page_state: the one-walk compare-and-change the protected-memory
 * hypercalls use.  Real tables on a malloc'd pool; only TLB maintenance is
 * faked.  Checks that a mismatched state changes and calls nothing, that
 * the callback runs between the check and the change (it sees the old
 * state), that a page changes with one store and no TLBI, and that a block
 * is split first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_mmu.h"
#include <core/stage2.h>

#define POOL_PAGES 32U
#define RAM_IPA    0x40000000ULL
#define RAM_PA     0x80000000ULL

static uint8_t *pool_mem;
static struct s2_pool pool;
static struct s2_pgtable pt;
static struct fake_mmu mmu;

/* What the callback saw: the PA it got and the state of the granule. */
static struct {
	unsigned calls;
	uint64_t pa;
	enum s2_page_state state_seen;
	uint64_t ipa;
} cb;

static int setup(void **state)
{
	(void)state;
	pool_mem = aligned_alloc(0x10000, POOL_PAGES * S2_GRANULE_SIZE);
	assert_non_null(pool_mem);
	s2_pool_init(&pool, pool_mem, (uint64_t)(uintptr_t)pool_mem,
	             POOL_PAGES);
	memset(&mmu, 0, sizeof(mmu));
	memset(&cb, 0, sizeof(cb));
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

static void record(void *ctx, uint64_t pa)
{
	assert_ptr_equal(ctx, &cb);
	cb.calls++;
	cb.pa = pa;
	cb.state_seen = state_of(cb.ipa);
}

static void map_pages(void)
{
	assert_int_equal(s2_map(&pt, RAM_IPA, RAM_PA, 0x10000, S2_MEM_NORMAL,
	                        S2_STATE_OWNED),
	                 S2_OK);
}

static void test_page_changes_with_callback_before(void **state)
{
	uint64_t pa = 0;
	size_t tlbi_before;

	(void)state;
	map_pages();
	tlbi_before = mmu.nr_tlbi;
	cb.ipa = RAM_IPA + 0x3000;
	assert_int_equal(s2_change_page_state(&pt, cb.ipa, S2_STATE_OWNED,
	                                      S2_STATE_SHARED_OWNED, &pa,
	                                      record, &cb),
	                 S2_OK);
	assert_int_equal(pa, 0x80003000ULL);
	assert_int_equal(cb.calls, 1);
	assert_int_equal(cb.pa, 0x80003000ULL);
	/* The callback ran before the change: it saw OWNED. */
	assert_int_equal(cb.state_seen, S2_STATE_OWNED);
	assert_int_equal(state_of(cb.ipa), S2_STATE_SHARED_OWNED);
	/* Neighbours untouched, no TLB maintenance for software bits. */
	assert_int_equal(state_of(RAM_IPA + 0x2000), S2_STATE_OWNED);
	assert_int_equal(state_of(RAM_IPA + 0x4000), S2_STATE_OWNED);
	assert_int_equal(mmu.nr_tlbi, tlbi_before);
}

static void test_wrong_state_changes_and_calls_nothing(void **state)
{
	uint64_t pa = 0x1234;

	(void)state;
	map_pages();
	cb.ipa = RAM_IPA;
	assert_int_equal(s2_change_page_state(&pt, RAM_IPA,
	                                      S2_STATE_SHARED_OWNED,
	                                      S2_STATE_OWNED, &pa, record, &cb),
	                 -S2_ESTATE);
	assert_int_equal(cb.calls, 0);
	assert_int_equal(pa, 0x1234);
	assert_int_equal(state_of(RAM_IPA), S2_STATE_OWNED);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	map_pages();
	/* unaligned, beyond the IPA space, unmapped, bad state value */
	assert_int_equal(s2_change_page_state(&pt, RAM_IPA + 8, S2_STATE_OWNED,
	                                      S2_STATE_SHARED_OWNED, NULL,
	                                      record, &cb),
	                 -S2_EINVAL);
	assert_int_equal(s2_change_page_state(&pt, 1ULL << 40, S2_STATE_OWNED,
	                                      S2_STATE_SHARED_OWNED, NULL,
	                                      record, &cb),
	                 -S2_EINVAL);
	assert_int_equal(
	        s2_change_page_state(&pt, RAM_IPA + 0x100000, S2_STATE_OWNED,
	                             S2_STATE_SHARED_OWNED, NULL, record, &cb),
	        -S2_ENOENT);
	assert_int_equal(
	        s2_change_page_state(&pt, RAM_IPA, (enum s2_page_state)3,
	                             S2_STATE_OWNED, NULL, record, &cb),
	        -S2_EINVAL);
	assert_int_equal(cb.calls, 0);
}

static void test_block_is_split_first(void **state)
{
	uint64_t pa = 0;
	struct s2_leaf leaf;

	(void)state;
	assert_int_equal(s2_map(&pt, RAM_IPA, RAM_PA, S2_LEVEL2_BLOCK,
	                        S2_MEM_NORMAL, S2_STATE_OWNED),
	                 S2_OK);
	assert_int_equal(s2_lookup(&pt, RAM_IPA + 0x5000, &leaf), S2_OK);
	assert_int_equal(leaf.level, 2);
	cb.ipa = RAM_IPA + 0x5000;
	assert_int_equal(s2_change_page_state(&pt, cb.ipa, S2_STATE_OWNED,
	                                      S2_STATE_SHARED_OWNED, &pa,
	                                      record, &cb),
	                 S2_OK);
	assert_int_equal(pa, 0x80005000ULL);
	assert_int_equal(cb.calls, 1);
	assert_int_equal(cb.state_seen, S2_STATE_OWNED);
	assert_int_equal(s2_lookup(&pt, RAM_IPA + 0x5000, &leaf), S2_OK);
	assert_int_equal(leaf.level, 3);
	assert_int_equal(s2_pte_state(leaf.pte), S2_STATE_SHARED_OWNED);
	assert_int_equal(state_of(RAM_IPA + 0x6000), S2_STATE_OWNED);
	/* Break-before-make of the block: at least one TLBI. */
	assert_true(mmu.nr_tlbi >= 1);
}

static void test_round_trip_restores_descriptor(void **state)
{
	struct s2_leaf before, after;

	(void)state;
	map_pages();
	assert_int_equal(s2_lookup(&pt, RAM_IPA, &before), S2_OK);
	assert_int_equal(s2_change_page_state(&pt, RAM_IPA, S2_STATE_OWNED,
	                                      S2_STATE_SHARED_OWNED, NULL, NULL,
	                                      NULL),
	                 S2_OK);
	assert_int_equal(s2_change_page_state(&pt, RAM_IPA,
	                                      S2_STATE_SHARED_OWNED,
	                                      S2_STATE_OWNED, NULL, NULL, NULL),
	                 S2_OK);
	assert_int_equal(s2_lookup(&pt, RAM_IPA, &after), S2_OK);
	assert_int_equal(after.pte, before.pte);
	assert_int_equal(after.pte, 0x800007FFULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_page_changes_with_callback_before, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_wrong_state_changes_and_calls_nothing, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_block_is_split_first,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_round_trip_restores_descriptor, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
