// SPDX-License-Identifier: MIT
/*
 * core/stage2 on real table memory: the pool is an aligned heap buffer
 * whose "physical address" is its host address, so descriptors hold host
 * pointers that the tests follow.  Expected descriptors are written out
 * literally (from the VMSAv8-64 stage-2 format), never built with the
 * code's own macros:
 *
 *   Normal WB RWX leaf attrs  0x7FC: MemAttr 0xF <<2, S2AP RW <<6, SH inner
 *                                    <<8, AF <<10
 *   Device-nGnRE leaf attrs   0x0040000000000000 | 0x7C4 (MemAttr 1, XN 0b10)
 *   block = attrs | 0b01, page (level 3) = attrs | 0b11, table = PA | 0b11
 *   state SHARED_OWNED        bit 55 = 0x0080000000000000
 *
 * TLB maintenance and barriers are faked (tests/unit/support/fake_mmu.c);
 * the fake samples a watched entry at each event to check break-before-make.
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

#define KiB       0x400ULL
#define MiB       0x100000ULL
#define GiB       0x40000000ULL
#define ADDR_BITS 0x0000FFFFFFFFF000ULL

#define NORMAL_BLOCK 0x7FDULL
#define NORMAL_PAGE  0x7FFULL
#define DEVICE_BLOCK 0x00400000000007C5ULL
#define DEVICE_PAGE  0x00400000000007C7ULL
#define SHARED_BIT   0x0080000000000000ULL

#define DEFAULT_POOL_PAGES 64U

struct env {
	uint8_t *mem;
	size_t nr_pages;
	struct s2_pool pool;
	struct s2_pgtable pt;
	struct fake_mmu mmu;
	size_t free_after_init;
	/* snapshot for "nothing changed" checks */
	uint8_t *copy;
	struct s2_pool pool_copy;
};

static struct env E;

static uint64_t pa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Follow a table descriptor (PA == host address in these tests). */
static uint64_t *tbl(uint64_t pte)
{
	assert_int_equal(pte & 3, 3);
	return (uint64_t *)(uintptr_t)(pte & ADDR_BITS);
}

/* 64 KiB aligned (the largest root), size rounded up as C11 requires. */
static uint8_t *alloc_aligned(size_t nr_pages)
{
	size_t size = (nr_pages * 4 * KiB + 64 * KiB - 1) & ~(64 * KiB - 1);
	uint8_t *p = aligned_alloc(64 * KiB, size);

	assert_non_null(p);
	return p;
}

static void pool_make(size_t nr_pages)
{
	E.nr_pages = nr_pages;
	E.mem = alloc_aligned(nr_pages);
	/* Garbage, so that a table the code forgot to zero shows. */
	memset(E.mem, 0xA5, nr_pages * 4 * KiB);
	s2_pool_init(&E.pool, E.mem, pa_of(E.mem), nr_pages);
	fake_mmu_reset(&E.mmu);
}

static void env_make(unsigned ipa_bits, size_t nr_pages)
{
	pool_make(nr_pages);
	assert_int_equal(
	        s2_init(&E.pt, &E.pool, ipa_bits, 7, &fake_mmu_ops, &E.mmu), 0);
	E.free_after_init = s2_pool_free_pages(&E.pool);
}

static void env_free(void)
{
	if (E.pt.root)
		s2_destroy(&E.pt);
	free(E.mem);
	free(E.copy);
	memset(&E, 0, sizeof(E));
}

static void env_remake(unsigned ipa_bits, size_t nr_pages)
{
	env_free();
	env_make(ipa_bits, nr_pages);
}

static int setup(void **state)
{
	(void)state;
	memset(&E, 0, sizeof(E));
	env_make(40, DEFAULT_POOL_PAGES);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_free();
	return 0;
}

static size_t pages_used(void)
{
	return E.free_after_init - s2_pool_free_pages(&E.pool);
}

static void snapshot(void)
{
	free(E.copy);
	E.copy = malloc(E.nr_pages * 4 * KiB);
	assert_non_null(E.copy);
	memcpy(E.copy, E.mem, E.nr_pages * 4 * KiB);
	E.pool_copy = E.pool;
	fake_mmu_reset(&E.mmu);
}

/* Every byte of table and pool memory and the pool itself as snapshot. */
static void assert_untouched(void)
{
	assert_memory_equal(E.copy, E.mem, E.nr_pages * 4 * KiB);
	assert_memory_equal(&E.pool_copy, &E.pool, sizeof(E.pool));
	assert_int_equal(E.mmu.nr_tlbi, 0);
}

static size_t count_nonzero(const uint64_t *table, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += table[i] != 0;
	return c;
}

static int map_normal(uint64_t ipa, uint64_t pa, uint64_t size)
{
	return s2_map(&E.pt, ipa, pa, size, S2_MEM_NORMAL, S2_STATE_OWNED);
}

/* ---- pool ---------------------------------------------------------------- */

static void test_pool_init_counts_and_zeroes(void **state)
{
	uint64_t *p;
	(void)state;

	env_free();
	pool_make(8);
	assert_int_equal(s2_pool_free_pages(&E.pool), 8);
	assert_true(s2_pool_reserve(&E.pool, 2));
	p = s2_pool_take_reserved(&E.pool);
	assert_non_null(p);
	assert_true((uint8_t *)p >= E.mem &&
	            (uint8_t *)p < E.mem + 8 * 4 * KiB);
	assert_int_equal(pa_of(p) & 0xFFF, 0);
	assert_int_equal(count_nonzero(p, 512), 0);
	assert_int_equal(s2_pool_free_pages(&E.pool), 7);
	assert_int_equal(E.pool.nr_reserved, 1);
	s2_pool_unreserve(&E.pool, 1);
	assert_int_equal(E.pool.nr_reserved, 0);
	s2_pool_put(&E.pool, p);
	assert_int_equal(s2_pool_free_pages(&E.pool), 8);
}

static void test_pool_rejects_misaligned_memory(void **state)
{
	struct s2_pool pool;
	(void)state;

	s2_pool_init(&pool, E.mem + 8, pa_of(E.mem) + 8, 4);
	assert_int_equal(s2_pool_free_pages(&pool), 0);
	s2_pool_init(&pool, E.mem, pa_of(E.mem) + 0x800, 4);
	assert_int_equal(s2_pool_free_pages(&pool), 0);
	assert_false(s2_pool_reserve(&pool, 1));
	assert_null(s2_pool_alloc_contig(&pool, 1));
}

static void test_pool_reserve_is_all_or_nothing(void **state)
{
	(void)state;

	env_free();
	pool_make(4);
	assert_false(s2_pool_reserve(&E.pool, 5));
	assert_int_equal(E.pool.nr_reserved, 0);
	assert_true(s2_pool_reserve(&E.pool, 3));
	/* Reserved pages are promised: only one more can be reserved. */
	assert_false(s2_pool_reserve(&E.pool, 2));
	assert_true(s2_pool_reserve(&E.pool, 1));
	for (int i = 0; i < 4; i++)
		assert_non_null(s2_pool_take_reserved(&E.pool));
	/* Nothing reserved any more: taking is a bug in the caller, which
	 * CHECK stops instead of overdrawing. */
	assert_true(expect_check_failure(s2_pool_take_reserved(&E.pool)));
	assert_true(expect_check_failure(s2_pool_unreserve(&E.pool, 1)));
	assert_int_equal(s2_pool_free_pages(&E.pool), 0);
}

static void test_pool_contig_is_aligned(void **state)
{
	uint64_t *p;
	(void)state;

	env_free();
	/* Pool starting one page past a 64 KiB boundary. */
	E.nr_pages = 40;
	E.mem = alloc_aligned(40);
	s2_pool_init(&E.pool, E.mem + 4 * KiB, pa_of(E.mem) + 4 * KiB, 39);
	p = s2_pool_alloc_contig(&E.pool, 16);
	assert_non_null(p);
	assert_int_equal(pa_of(p) & (64 * KiB - 1), 0);
	assert_ptr_equal(p, E.mem + 64 * KiB);
	assert_int_equal(count_nonzero(p, 16 * 512), 0);
	assert_int_equal(s2_pool_free_pages(&E.pool), 39 - 16);
	/* Not a power of two: refused. */
	assert_null(s2_pool_alloc_contig(&E.pool, 3));
}

static void test_pool_contig_after_scrambled_frees(void **state)
{
	uint64_t *pages[16];
	uint64_t *p;
	(void)state;

	env_free();
	pool_make(16);
	assert_true(s2_pool_reserve(&E.pool, 16));
	for (int i = 0; i < 16; i++)
		pages[i] = s2_pool_take_reserved(&E.pool);
	/* Give them back in a scrambled order. */
	for (int i = 0; i < 16; i++)
		s2_pool_put(&E.pool, pages[(i * 7) % 16]);
	p = s2_pool_alloc_contig(&E.pool, 16);
	assert_ptr_equal(p, E.mem);
	assert_int_equal(s2_pool_free_pages(&E.pool), 0);
}

static void test_pool_contig_fails_without_run(void **state)
{
	uint64_t *pages[8];
	(void)state;

	env_free();
	pool_make(8);
	assert_true(s2_pool_reserve(&E.pool, 8));
	for (int i = 0; i < 8; i++)
		pages[i] = s2_pool_take_reserved(&E.pool);
	for (int i = 0; i < 8; i++)
		if (i != 2 && i != 5)
			s2_pool_put(&E.pool, pages[i]);
	/* Free: 0,1,3,4,6,7: no aligned pair of 2 except 0-1 and 6-7. */
	assert_null(s2_pool_alloc_contig(&E.pool, 4));
	assert_int_equal(s2_pool_free_pages(&E.pool), 6);
	assert_ptr_equal(s2_pool_alloc_contig(&E.pool, 2), E.mem);
	assert_ptr_equal(s2_pool_alloc_contig(&E.pool, 2), E.mem + 24 * KiB);
	assert_null(s2_pool_alloc_contig(&E.pool, 2));
	assert_int_equal(s2_pool_free_pages(&E.pool), 2);
}

/* ---- geometry, init, VTCR ---------------------------------------------- */

struct geometry {
	unsigned ipa_bits;
	unsigned start_level;
	unsigned root_pages;
	unsigned root_entries;
	uint64_t vtcr_pa40; /* VTCR_EL2 with PS = 40 bits */
};

/*
 * Start level as KVM picks it (fewest levels, at most 16 concatenated root
 * tables), VTCR = RES1 bit 31 | PS 0b010 <<16 | SH0 inner 0b11 <<12 |
 * ORGN0 WBWA <<10 | IRGN0 WBWA <<8 | SL0 <<6 | T0SZ.
 */
static const struct geometry geometries[] = {
        {32, 2, 4, 2048, 0x80023520},  {33, 2, 8, 4096, 0x8002351F},
        {34, 2, 16, 8192, 0x8002351E}, {35, 1, 1, 32, 0x8002355D},
        {36, 1, 1, 64, 0x8002355C},    {37, 1, 1, 128, 0x8002355B},
        {38, 1, 1, 256, 0x8002355A},   {39, 1, 1, 512, 0x80023559},
        {40, 1, 2, 1024, 0x80023558},  {41, 1, 4, 2048, 0x80023557},
        {42, 1, 8, 4096, 0x80023556},  {43, 1, 16, 8192, 0x80023555},
        {44, 0, 1, 32, 0x80023594},    {45, 0, 1, 64, 0x80023593},
        {46, 0, 1, 128, 0x80023592},   {47, 0, 1, 256, 0x80023591},
        {48, 0, 1, 512, 0x80023590},
};

static void test_root_pages_per_ipa_size(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(geometries) / sizeof(geometries[0]); i++)
		assert_int_equal(s2_root_pages(geometries[i].ipa_bits),
		                 geometries[i].root_pages);
	assert_int_equal(s2_root_pages(31), 0);
	assert_int_equal(s2_root_pages(49), 0);
	assert_int_equal(s2_root_pages(0), 0);
}

static void test_init_geometry_and_vtcr_per_ipa_size(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(geometries) / sizeof(geometries[0]);
	     i++) {
		const struct geometry *g = &geometries[i];

		env_remake(g->ipa_bits, 32);
		assert_int_equal(E.pt.start_level, g->start_level);
		assert_int_equal(E.pt.root_entries, g->root_entries);
		assert_int_equal(E.pt.ipa_bits, g->ipa_bits);
		/* Concatenated roots: aligned to their total size. */
		assert_int_equal(E.pt.root_pa & (g->root_pages * 4 * KiB - 1),
		                 0);
		assert_int_equal(E.pt.root_pa, pa_of(E.pt.root));
		assert_int_equal(E.free_after_init, 32 - g->root_pages);
		assert_int_equal(count_nonzero(E.pt.root, g->root_entries), 0);
		assert_int_equal(s2_vtcr(&E.pt, 40), g->vtcr_pa40);
	}
}

static void test_vtcr_ps_encoding(void **state)
{
	static const struct {
		unsigned pa_bits;
		uint64_t vtcr;
	} cases[] = {
	        {32, 0x80003558}, {36, 0x80013558}, {40, 0x80023558},
	        {42, 0x80033558}, {44, 0x80043558}, {48, 0x80053558},
	        {52, 0x80063558}, {39, 0x80013558}, {30, 0x80003558},
	        {64, 0x80063558},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(s2_vtcr(&E.pt, cases[i].pa_bits),
		                 cases[i].vtcr);
}

static void test_init_rejects_bad_arguments(void **state)
{
	struct s2_pgtable pt;
	size_t before = s2_pool_free_pages(&E.pool);
	(void)state;

	assert_int_equal(s2_init(&pt, &E.pool, 31, 1, NULL, NULL), -S2_EINVAL);
	assert_int_equal(s2_init(&pt, &E.pool, 49, 1, NULL, NULL), -S2_EINVAL);
	assert_int_equal(s2_init(&pt, NULL, 40, 1, NULL, NULL), -S2_EINVAL);
	assert_int_equal(s2_init(NULL, &E.pool, 40, 1, NULL, NULL), -S2_EINVAL);
	assert_int_equal(s2_pool_free_pages(&E.pool), before);
}

static void test_init_enomem_when_root_does_not_fit(void **state)
{
	struct s2_pgtable pt;
	(void)state;

	env_free();
	pool_make(8);
	/* 43 bits needs 16 concatenated pages. */
	assert_int_equal(s2_init(&pt, &E.pool, 43, 1, NULL, NULL), -S2_ENOMEM);
	assert_int_equal(s2_pool_free_pages(&E.pool), 8);
	assert_int_equal(s2_init(&pt, &E.pool, 42, 1, NULL, NULL), 0);
	assert_int_equal(s2_pool_free_pages(&E.pool), 0);
	s2_destroy(&pt);
	assert_int_equal(s2_pool_free_pages(&E.pool), 8);
}

/* ---- map ----------------------------------------------------------------- */

static void test_map_1g_block_at_level1(void **state)
{
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	assert_int_equal(E.pt.root[1], 0x400007FDULL);
	assert_int_equal(count_nonzero(E.pt.root, 1024), 1);
	assert_int_equal(pages_used(), 0);
	/* Mapping only adds translations: no TLB maintenance. */
	assert_int_equal(E.mmu.nr_tlbi, 0);
}

static void test_map_1g_ram_needs_at_most_16k_of_tables(void **state)
{
	size_t total;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	total = (E.nr_pages - s2_pool_free_pages(&E.pool)) * 4 * KiB;
	assert_true(total <= 16 * KiB);
	assert_int_equal(total, 8 * KiB); /* the 2-page root only */
}

static void test_map_2m_block_at_level2(void **state)
{
	uint64_t *l2;
	(void)state;

	assert_int_equal(map_normal(0x40200000, 0x40200000, 2 * MiB), 0);
	l2 = tbl(E.pt.root[1]);
	assert_int_equal(l2[1], 0x402007FDULL);
	assert_int_equal(count_nonzero(l2, 512), 1);
	assert_int_equal(count_nonzero(E.pt.root, 1024), 1);
	assert_int_equal(pages_used(), 1);
}

static void test_map_4k_page_at_level3(void **state)
{
	uint64_t *l3;
	(void)state;

	assert_int_equal(map_normal(0x40001000, 0x80005000, 4 * KiB), 0);
	l3 = tbl(tbl(E.pt.root[1])[0]);
	assert_int_equal(l3[1], 0x800057FFULL);
	assert_int_equal(count_nonzero(l3, 512), 1);
	assert_int_equal(pages_used(), 2);
}

static void test_map_unaligned_range_uses_largest_blocks(void **state)
{
	uint64_t *l2, *l3a, *l3b;
	(void)state;

	/* One page, one 2 MiB block, one page. */
	assert_int_equal(map_normal(0x401FF000, 0x401FF000, 0x202000), 0);
	l2 = tbl(E.pt.root[1]);
	l3a = tbl(l2[0]);
	l3b = tbl(l2[2]);
	assert_int_equal(l3a[511], 0x401FF7FFULL);
	assert_int_equal(count_nonzero(l3a, 512), 1);
	assert_int_equal(l2[1], 0x402007FDULL);
	assert_int_equal(l3b[0], 0x404007FFULL);
	assert_int_equal(count_nonzero(l3b, 512), 1);
	assert_int_equal(count_nonzero(l2, 512), 3);
	assert_int_equal(pages_used(), 3);
}

static void test_map_range_spanning_gib_mixes_1g_and_2m(void **state)
{
	uint64_t *l2;
	(void)state;

	/* [0x3FE00000, 0x80200000): 2 MiB, 1 GiB, 2 MiB. */
	assert_int_equal(map_normal(0x3FE00000, 0x3FE00000, GiB + 4 * MiB), 0);
	assert_int_equal(tbl(E.pt.root[0])[511], 0x3FE007FDULL);
	assert_int_equal(E.pt.root[1], 0x400007FDULL);
	l2 = tbl(E.pt.root[2]);
	assert_int_equal(l2[0], 0x800007FDULL);
	assert_int_equal(count_nonzero(l2, 512), 1);
	assert_int_equal(pages_used(), 2);
}

static void test_map_misaligned_pa_falls_back_to_pages(void **state)
{
	uint64_t *l3;
	(void)state;

	/* IPA is 2 MiB aligned but the PA is not: 512 pages. */
	assert_int_equal(map_normal(0x40000000, 0x80001000, 2 * MiB), 0);
	l3 = tbl(tbl(E.pt.root[1])[0]);
	assert_int_equal(l3[0], 0x800017FFULL);
	assert_int_equal(l3[511], 0x802007FFULL);
	assert_int_equal(count_nonzero(l3, 512), 512);
	assert_int_equal(pages_used(), 2);
}

static void test_map_device_block_and_page(void **state)
{
	uint64_t *l3;
	(void)state;

	assert_int_equal(
	        s2_map(&E.pt, 0, 0, GiB, S2_MEM_DEVICE, S2_STATE_OWNED), 0);
	assert_int_equal(E.pt.root[0], 0x00400000000007C5ULL);
	assert_int_equal(s2_map(&E.pt, 0x80000000, 0x09000000, 4 * KiB,
	                        S2_MEM_DEVICE, S2_STATE_OWNED),
	                 0);
	l3 = tbl(tbl(E.pt.root[2])[0]);
	assert_int_equal(l3[0], 0x00400000090007C7ULL);
}

static void test_map_carries_state_bits(void **state)
{
	(void)state;

	assert_int_equal(s2_map(&E.pt, 0x40200000, 0x40200000, 2 * MiB,
	                        S2_MEM_NORMAL, S2_STATE_SHARED_OWNED),
	                 0);
	assert_int_equal(tbl(E.pt.root[1])[1], 0x00800000402007FDULL);
	assert_int_equal(s2_pte_state(tbl(E.pt.root[1])[1]),
	                 S2_STATE_SHARED_OWNED);
}

static void test_map_start_level0(void **state)
{
	uint64_t *l1, *l2, *l3;
	(void)state;

	env_remake(48, 16);
	assert_int_equal(map_normal(0x8040201000ULL, 0x1000, 4 * KiB), 0);
	/* 0x8040201000: L0 index 1, L1 index 1, L2 index 1, L3 index 1. */
	l1 = tbl(E.pt.root[1]);
	l2 = tbl(l1[1]);
	l3 = tbl(l2[1]);
	assert_int_equal(l3[1], 0x17FFULL);
	assert_int_equal(count_nonzero(E.pt.root, 512), 1);
	assert_int_equal(pages_used(), 3);
	/* 1 GiB blocks still exist at level 1 under a level-0 root. */
	assert_int_equal(map_normal(0x8000000000ULL, 0x40000000, GiB), 0);
	assert_int_equal(l1[0], 0x400007FDULL);
	assert_int_equal(pages_used(), 3);
}

static void test_map_start_level2(void **state)
{
	uint64_t *l3;
	(void)state;

	env_remake(32, 16);
	/* Root = 4 concatenated level-2 tables; no 1 GiB blocks. */
	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	assert_int_equal(E.pt.root[512], 0x400007FDULL);
	assert_int_equal(E.pt.root[1023], 0x7FE007FDULL);
	assert_int_equal(count_nonzero(E.pt.root, 2048), 512);
	assert_int_equal(pages_used(), 0);
	assert_int_equal(map_normal(0xFFFFF000, 0x1000, 4 * KiB), 0);
	l3 = tbl(E.pt.root[2047]);
	assert_int_equal(l3[511], 0x17FFULL);
}

static void test_map_reuses_existing_tables(void **state)
{
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, 4 * KiB), 0);
	assert_int_equal(pages_used(), 2);
	assert_int_equal(map_normal(0x40001000, 0x40001000, 4 * KiB), 0);
	assert_int_equal(map_normal(0x40200000, 0x40200000, 2 * MiB), 0);
	assert_int_equal(pages_used(), 2);
	assert_int_equal(tbl(tbl(E.pt.root[1])[0])[1], 0x400017FFULL);
	assert_int_equal(tbl(E.pt.root[1])[1], 0x402007FDULL);
}

static void test_map_rejects_bad_ranges_unchanged(void **state)
{
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, 4 * KiB), 0);
	snapshot();
	/* misaligned ipa, pa, size */
	assert_int_equal(map_normal(0x40001800, 0x40001000, 4 * KiB),
	                 -S2_EINVAL);
	assert_int_equal(map_normal(0x40001000, 0x40001004, 4 * KiB),
	                 -S2_EINVAL);
	assert_int_equal(map_normal(0x40001000, 0x40001000, 100), -S2_EINVAL);
	assert_int_equal(map_normal(0x40001000, 0x40001000, 0), -S2_EINVAL);
	/* outside the 40-bit IPA space, straddling its end, wrapping */
	assert_int_equal(map_normal(1ULL << 40, 0, 4 * KiB), -S2_EINVAL);
	assert_int_equal(map_normal((1ULL << 40) - 4 * KiB, 0, 8 * KiB),
	                 -S2_EINVAL);
	assert_int_equal(map_normal(0xFFFFFFFFFFFFF000ULL, 0, 0x2000),
	                 -S2_EINVAL);
	assert_int_equal(map_normal(0x1000, 0x1000, 0xFFFFFFFFFFFFF000ULL),
	                 -S2_EINVAL);
	/* PA beyond 48 bits */
	assert_int_equal(map_normal(0x1000, 1ULL << 48, 4 * KiB), -S2_EINVAL);
	assert_int_equal(map_normal(0x1000, (1ULL << 48) - 4 * KiB, 8 * KiB),
	                 -S2_EINVAL);
	/* bad type / state */
	assert_int_equal(s2_map(&E.pt, 0x1000, 0x1000, 4 * KiB,
	                        (enum s2_mem_type)7, S2_STATE_OWNED),
	                 -S2_EINVAL);
	assert_int_equal(s2_map(&E.pt, 0x1000, 0x1000, 4 * KiB, S2_MEM_NORMAL,
	                        (enum s2_page_state)2),
	                 -S2_EINVAL);
	assert_untouched();
}

static void test_map_overlap_is_eexist_unchanged(void **state)
{
	struct s2_leaf leaf;
	(void)state;

	assert_int_equal(map_normal(0x40200000, 0x40200000, 2 * MiB), 0);
	snapshot();
	assert_int_equal(map_normal(0x40203000, 0x1000, 4 * KiB), -S2_EEXIST);
	/* Overlap only at the end: the free head is not mapped either. */
	assert_int_equal(map_normal(0x40000000, 0x40000000, 2 * MiB + 4 * KiB),
	                 -S2_EEXIST);
	assert_untouched();
	assert_int_equal(s2_lookup(&E.pt, 0x40000000, &leaf), 0);
	assert_false(leaf.valid);
}

static void test_map_enomem_leaves_tables_untouched(void **state)
{
	(void)state;

	env_remake(40, 3); /* root (2 pages) + 1 */
	assert_int_equal(E.free_after_init, 1);
	snapshot();
	/* Needs an L2 and an L3 table: only one page available. */
	assert_int_equal(map_normal(0x40001000, 0x40001000, 4 * KiB),
	                 -S2_ENOMEM);
	assert_untouched();
	assert_int_equal(s2_pool_free_pages(&E.pool), 1);
	/* A 2 MiB block needs just the L2 table: fits. */
	assert_int_equal(map_normal(0x40200000, 0x40200000, 2 * MiB), 0);
	assert_int_equal(s2_pool_free_pages(&E.pool), 0);
}

static void test_map_over_annotations(void **state)
{
	uint64_t *l3;
	(void)state;

	assert_int_equal(s2_annotate(&E.pt, 0x40001000, 0x2), 0);
	assert_int_equal(s2_annotate(&E.pt, 0x40002000, 0x4), 0);
	assert_int_equal(map_normal(0x40001000, 0x40001000, 4 * KiB), 0);
	l3 = tbl(tbl(E.pt.root[1])[0]);
	assert_int_equal(l3[1], 0x400017FFULL);
	assert_int_equal(l3[2], 0x4);
	assert_int_equal(pages_used(), 2);
}

/* ---- lookup -------------------------------------------------------------- */

static void test_lookup_beyond_ipa_space(void **state)
{
	struct s2_leaf leaf;
	(void)state;

	assert_int_equal(s2_lookup(&E.pt, 1ULL << 40, &leaf), -S2_EINVAL);
	assert_int_equal(s2_lookup(&E.pt, ~0ULL, &leaf), -S2_EINVAL);
	assert_int_equal(s2_lookup(&E.pt, (1ULL << 40) - 1, &leaf), 0);
	assert_int_equal(s2_lookup(&E.pt, 0, NULL), -S2_EINVAL);
	env_remake(32, 8);
	assert_int_equal(s2_lookup(&E.pt, 0x100000000ULL, &leaf), -S2_EINVAL);
	assert_int_equal(s2_lookup(&E.pt, 0xFFFFF000ULL, &leaf), 0);
}

static void test_lookup_reports_level_size_and_pa(void **state)
{
	struct s2_leaf leaf;
	(void)state;

	assert_int_equal(s2_lookup(&E.pt, 0x40000000, &leaf), 0);
	assert_false(leaf.valid);
	assert_int_equal(leaf.pte, 0);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.size, GiB);

	assert_int_equal(map_normal(0x40000000, 0x80000000, GiB), 0);
	assert_int_equal(map_normal(0x80200000, 0x1200000, 2 * MiB), 0);
	assert_int_equal(map_normal(0x80401000, 0x7000, 4 * KiB), 0);

	assert_int_equal(s2_lookup(&E.pt, 0x40123456, &leaf), 0);
	assert_true(leaf.valid);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.size, GiB);
	assert_int_equal(leaf.pte, 0x800007FDULL);
	assert_int_equal(s2_leaf_pa(&leaf, 0x40123456), 0x80123456ULL);

	assert_int_equal(s2_lookup(&E.pt, 0x80200FFF, &leaf), 0);
	assert_true(leaf.valid);
	assert_int_equal(leaf.level, 2);
	assert_int_equal(leaf.size, 2 * MiB);
	assert_int_equal(s2_leaf_pa(&leaf, 0x80200FFF), 0x1200FFFULL);

	assert_int_equal(s2_lookup(&E.pt, 0x80401008, &leaf), 0);
	assert_true(leaf.valid);
	assert_int_equal(leaf.level, 3);
	assert_int_equal(leaf.size, 4 * KiB);
	assert_int_equal(leaf.pte, 0x77FFULL);
	assert_int_equal(s2_leaf_pa(&leaf, 0x80401008), 0x7008ULL);

	/* Hole next to the page: invalid at level 3. */
	assert_int_equal(s2_lookup(&E.pt, 0x80400000, &leaf), 0);
	assert_false(leaf.valid);
	assert_int_equal(leaf.level, 3);
	assert_int_equal(leaf.size, 4 * KiB);
}

/* ---- page state ---------------------------------------------------------- */

static void test_state_splits_1g_block_preserving_translations(void **state)
{
	uint64_t pa = 0;
	uint64_t *l2, *l3;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	assert_int_equal(s2_set_page_state(&E.pt, 0x40203000,
	                                   S2_STATE_SHARED_OWNED, &pa),
	                 0);
	assert_int_equal(pa, 0x40203000ULL);
	assert_int_equal(pages_used(), 2);
	l2 = tbl(E.pt.root[1]);
	for (uint64_t i = 0; i < 512; i++) {
		if (i == 1)
			continue;
		assert_int_equal(l2[i], (0x40000000 + i * 2 * MiB) | 0x7FD);
	}
	l3 = tbl(l2[1]);
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t want = (0x40200000 + i * 4 * KiB) | 0x7FF;

		if (i == 3)
			want |= SHARED_BIT;
		assert_int_equal(l3[i], want);
	}
	assert_int_equal(l3[3], 0x00800000402037FFULL);
}

static void test_state_split_preserves_device_attributes(void **state)
{
	uint64_t *l3;
	(void)state;

	assert_int_equal(s2_map(&E.pt, 0x09000000, 0x09000000, 2 * MiB,
	                        S2_MEM_DEVICE, S2_STATE_OWNED),
	                 0);
	assert_int_equal(s2_set_page_state(&E.pt, 0x091FF000,
	                                   S2_STATE_SHARED_OWNED, NULL),
	                 0);
	l3 = tbl(tbl(E.pt.root[0])[72]);
	assert_int_equal(l3[0], 0x00400000090007C7ULL);
	assert_int_equal(l3[510], 0x00400000091FE7C7ULL);
	assert_int_equal(l3[511], 0x00C00000091FF7C7ULL);
}

static void test_state_split_keeps_block_state_elsewhere(void **state)
{
	uint64_t *l3;
	(void)state;

	assert_int_equal(s2_map(&E.pt, 0x40200000, 0x40200000, 2 * MiB,
	                        S2_MEM_NORMAL, S2_STATE_SHARED_OWNED),
	                 0);
	assert_int_equal(
	        s2_set_page_state(&E.pt, 0x40200000, S2_STATE_OWNED, NULL), 0);
	l3 = tbl(tbl(E.pt.root[1])[1]);
	assert_int_equal(l3[0], 0x402007FFULL);
	for (uint64_t i = 1; i < 512; i++)
		assert_int_equal(l3[i], (0x40200000 + i * 4 * KiB) | 0x7FF |
		                                SHARED_BIT);
}

static void test_state_split_is_break_before_make(void **state)
{
	long t, s0, s1;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	fake_mmu_reset(&E.mmu);
	E.mmu.watch = &E.pt.root[1];
	assert_int_equal(s2_set_page_state(&E.pt, 0x7FFFF000,
	                                   S2_STATE_SHARED_OWNED, NULL),
	                 0);
	/* Exactly one TLBI, for the whole old block, of this VMID ... */
	assert_int_equal(E.mmu.nr_tlbi, 1);
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0);
	assert_true(t >= 1);
	assert_int_equal(E.mmu.events[t].vmid, 7);
	assert_int_equal(E.mmu.events[t].ipa, 0x40000000);
	assert_int_equal(E.mmu.events[t].size, GiB);
	/* ... while the entry was invalid, published by a sync before it ... */
	assert_int_equal(E.mmu.events[t].watched, 0);
	s0 = fake_mmu_find(&E.mmu, FAKE_MMU_SYNC, 0);
	assert_true(s0 >= 0 && s0 < t);
	assert_int_equal(E.mmu.events[s0].watched, 0);
	/* ... and the new table is in place and synced after it. */
	s1 = t + 1;
	assert_true((size_t)s1 < E.mmu.nr_events);
	assert_int_equal(E.mmu.events[s1].kind, FAKE_MMU_SYNC);
	assert_int_equal(E.mmu.events[s1].watched & 3, 3);
	assert_int_equal(E.mmu.events[s1].watched, E.pt.root[1]);
}

static void test_state_on_split_page_is_plain_walk(void **state)
{
	uint64_t pa = 0;
	uint64_t *l3;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, 2 * MiB), 0);
	assert_int_equal(s2_set_page_state(&E.pt, 0x40001000,
	                                   S2_STATE_SHARED_OWNED, NULL),
	                 0);
	l3 = tbl(tbl(E.pt.root[1])[0]);
	snapshot();
	assert_int_equal(s2_set_page_state(&E.pt, 0x40005000,
	                                   S2_STATE_SHARED_OWNED, &pa),
	                 0);
	assert_int_equal(pa, 0x40005000ULL);
	assert_int_equal(l3[5], 0x00800000400057FFULL);
	/* Software bits only: no TLBI, no sync, no page taken. */
	assert_int_equal(E.mmu.nr_events, 0);
	assert_memory_equal(&E.pool_copy, &E.pool, sizeof(E.pool));
	assert_int_equal(
	        s2_set_page_state(&E.pt, 0x40005000, S2_STATE_OWNED, NULL), 0);
	assert_int_equal(l3[5], 0x400057FFULL);
	assert_int_equal(E.mmu.nr_events, 0);
}

static void test_state_unchanged_does_not_split(void **state)
{
	uint64_t pa = 0;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x80000000, GiB), 0);
	snapshot();
	assert_int_equal(
	        s2_set_page_state(&E.pt, 0x40345000, S2_STATE_OWNED, &pa), 0);
	assert_int_equal(pa, 0x80345000ULL);
	assert_untouched();
}

static void test_state_errors(void **state)
{
	uint64_t pa = 0x1234;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, 2 * MiB), 0);
	snapshot();
	assert_int_equal(s2_set_page_state(&E.pt, 0x40200000,
	                                   S2_STATE_SHARED_OWNED, &pa),
	                 -S2_ENOENT);
	assert_int_equal(s2_set_page_state(&E.pt, 0x40000800,
	                                   S2_STATE_SHARED_OWNED, &pa),
	                 -S2_EINVAL);
	assert_int_equal(s2_set_page_state(&E.pt, 1ULL << 40,
	                                   S2_STATE_SHARED_OWNED, &pa),
	                 -S2_EINVAL);
	assert_int_equal(s2_set_page_state(&E.pt, 0x40000000,
	                                   (enum s2_page_state)3, &pa),
	                 -S2_EINVAL);
	assert_int_equal(pa, 0x1234);
	/* An annotated granule is not a mapping. */
	assert_int_equal(s2_annotate(&E.pt, 0x50000000, 0x10), 0);
	assert_int_equal(s2_set_page_state(&E.pt, 0x50000000,
	                                   S2_STATE_SHARED_OWNED, &pa),
	                 -S2_ENOENT);
}

static void test_state_enomem_leaves_block_untouched(void **state)
{
	(void)state;

	env_remake(40, 3);
	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	snapshot();
	/* The 1 GiB block needs an L2 and an L3 table: one page free. */
	assert_int_equal(s2_set_page_state(&E.pt, 0x40000000,
	                                   S2_STATE_SHARED_OWNED, NULL),
	                 -S2_ENOMEM);
	assert_untouched();
	assert_int_equal(E.pt.root[1], 0x400007FDULL);
}

static void test_state_split_of_2m_block_takes_one_page(void **state)
{
	long t;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, 4 * MiB), 0);
	assert_int_equal(pages_used(), 1);
	fake_mmu_reset(&E.mmu);
	E.mmu.watch = &tbl(E.pt.root[1])[1];
	assert_int_equal(s2_set_page_state(&E.pt, 0x40200000,
	                                   S2_STATE_SHARED_OWNED, NULL),
	                 0);
	assert_int_equal(pages_used(), 2);
	assert_int_equal(E.mmu.nr_tlbi, 1);
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0);
	assert_int_equal(E.mmu.events[t].ipa, 0x40200000);
	assert_int_equal(E.mmu.events[t].size, 2 * MiB);
	assert_int_equal(E.mmu.events[t].watched, 0);
	assert_int_equal(tbl(E.pt.root[1])[0], 0x400007FDULL);
}

/* ---- annotations --------------------------------------------------------- */

static void test_annotate_builds_tables_in_empty_region(void **state)
{
	struct s2_leaf leaf;
	uint64_t *l3;
	(void)state;

	assert_int_equal(s2_annotate(&E.pt, 0x09000000, 0x2), 0);
	assert_int_equal(pages_used(), 2);
	l3 = tbl(tbl(E.pt.root[0])[72]);
	assert_int_equal(l3[0], 0x2);
	assert_int_equal(count_nonzero(l3, 512), 1);
	assert_int_equal(s2_lookup(&E.pt, 0x09000000, &leaf), 0);
	assert_false(leaf.valid);
	assert_int_equal(leaf.level, 3);
	assert_int_equal(leaf.pte, 0x2);
	/* Annotating again (e.g. guarding twice) overwrites, no new page. */
	assert_int_equal(s2_annotate(&E.pt, 0x09000000, 0xFFFFFFFFFFFFFFFEULL),
	                 0);
	assert_int_equal(l3[0], 0xFFFFFFFFFFFFFFFEULL);
	assert_int_equal(s2_annotate(&E.pt, 0x09001000, 0x2), 0);
	assert_int_equal(pages_used(), 2);
	assert_int_equal(E.mmu.nr_tlbi, 0);
}

static void test_annotate_refuses_mapped_granules(void **state)
{
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	assert_int_equal(map_normal(0x80001000, 0x1000, 4 * KiB), 0);
	snapshot();
	assert_int_equal(s2_annotate(&E.pt, 0x40005000, 0x2), -S2_EEXIST);
	assert_int_equal(s2_annotate(&E.pt, 0x80001000, 0x2), -S2_EEXIST);
	assert_untouched();
	/* The neighbour of the page is free. */
	assert_int_equal(s2_annotate(&E.pt, 0x80002000, 0x2), 0);
}

static void test_annotate_rejects_bad_values(void **state)
{
	(void)state;

	snapshot();
	assert_int_equal(s2_annotate(&E.pt, 0x09000000, 0), -S2_EINVAL);
	assert_int_equal(s2_annotate(&E.pt, 0x09000000, 0x3), -S2_EINVAL);
	assert_int_equal(s2_annotate(&E.pt, 0x09000800, 0x2), -S2_EINVAL);
	assert_int_equal(s2_annotate(&E.pt, 1ULL << 40, 0x2), -S2_EINVAL);
	assert_untouched();
}

static void test_annotate_enomem_untouched(void **state)
{
	(void)state;

	env_remake(48, 3); /* root + 2: level 0 start needs 3 tables */
	assert_int_equal(s2_pages_for_split(&E.pt), 3);
	snapshot();
	assert_int_equal(s2_annotate(&E.pt, 0x09000000, 0x2), -S2_ENOMEM);
	assert_untouched();
}

/* ---- unmap --------------------------------------------------------------- */

static void test_unmap_whole_block(void **state)
{
	long t;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	fake_mmu_reset(&E.mmu);
	E.mmu.watch = &E.pt.root[1];
	assert_int_equal(s2_unmap(&E.pt, 0x40000000, GiB), 0);
	assert_int_equal(E.pt.root[1], 0);
	assert_int_equal(E.mmu.nr_tlbi, 1);
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0);
	assert_int_equal(E.mmu.events[t].ipa, 0x40000000);
	assert_int_equal(E.mmu.events[t].size, GiB);
	assert_int_equal(E.mmu.events[t].watched, 0);
	assert_int_equal(pages_used(), 0);
}

static void test_unmap_page_inside_1g_block_splits(void **state)
{
	uint64_t *l2, *l3;
	long t;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	fake_mmu_reset(&E.mmu);
	assert_int_equal(s2_unmap(&E.pt, 0x40203000, 4 * KiB), 0);
	assert_int_equal(pages_used(), 2);
	l2 = tbl(E.pt.root[1]);
	assert_int_equal(l2[0], 0x400007FDULL);
	assert_int_equal(l2[511], 0x7FE007FDULL);
	l3 = tbl(l2[1]);
	assert_int_equal(l3[2], 0x402027FFULL);
	assert_int_equal(l3[3], 0);
	assert_int_equal(l3[4], 0x402047FFULL);
	assert_int_equal(count_nonzero(l3, 512), 511);
	/* Two splits (1 GiB, 2 MiB), then the page itself. */
	assert_int_equal(E.mmu.nr_tlbi, 3);
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0);
	assert_int_equal(E.mmu.events[t].size, GiB);
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 1);
	assert_int_equal(E.mmu.events[t].ipa, 0x40200000);
	assert_int_equal(E.mmu.events[t].size, 2 * MiB);
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 2);
	assert_int_equal(E.mmu.events[t].ipa, 0x40203000);
	assert_int_equal(E.mmu.events[t].size, 4 * KiB);
}

static void test_unmap_split_is_break_before_make(void **state)
{
	long t;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, 2 * MiB), 0);
	fake_mmu_reset(&E.mmu);
	E.mmu.watch = &tbl(E.pt.root[1])[0];
	assert_int_equal(s2_unmap(&E.pt, 0x40000000, 1 * MiB), 0);
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0);
	assert_int_equal(E.mmu.events[t].size, 2 * MiB);
	assert_int_equal(E.mmu.events[t].watched, 0);
	/* The last TLBI (the unmapped half) sees the new table in place. */
	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 1);
	assert_int_equal(E.mmu.events[t].ipa, 0x40000000);
	assert_int_equal(E.mmu.events[t].size, 1 * MiB);
	assert_int_equal(E.mmu.events[t].watched & 3, 3);
	assert_int_equal(tbl(tbl(E.pt.root[1])[0])[256], 0x401007FFULL);
	assert_int_equal(tbl(tbl(E.pt.root[1])[0])[255], 0);
}

static void test_unmap_frees_tables_that_become_empty(void **state)
{
	(void)state;

	assert_int_equal(map_normal(0x40001000, 0x40001000, 8 * KiB), 0);
	assert_int_equal(pages_used(), 2);
	assert_int_equal(s2_unmap(&E.pt, 0x40001000, 4 * KiB), 0);
	assert_int_equal(pages_used(), 2); /* one page still mapped */
	assert_int_equal(s2_unmap(&E.pt, 0x40002000, 4 * KiB), 0);
	assert_int_equal(pages_used(), 0);
	assert_int_equal(E.pt.root[1], 0);
	/* The region maps as a block again. */
	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	assert_int_equal(E.pt.root[1], 0x400007FDULL);
}

static void test_unmap_keeps_annotated_tables_outside_range(void **state)
{
	(void)state;

	assert_int_equal(s2_annotate(&E.pt, 0x09000000, 0x2), 0);
	assert_int_equal(map_normal(0x09001000, 0x09001000, 4 * KiB), 0);
	assert_int_equal(s2_unmap(&E.pt, 0x09001000, 4 * KiB), 0);
	assert_int_equal(pages_used(), 2);
	assert_int_equal(tbl(tbl(E.pt.root[0])[72])[0], 0x2);
	/* Unmapping the annotated granule clears it and frees the tables. */
	assert_int_equal(s2_unmap(&E.pt, 0x09000000, 4 * KiB), 0);
	assert_int_equal(pages_used(), 0);
	assert_int_equal(E.pt.root[0], 0);
}

static void test_unmap_empty_region_is_noop(void **state)
{
	(void)state;

	snapshot();
	assert_int_equal(s2_unmap(&E.pt, 0x40000000, GiB), 0);
	assert_untouched();
	assert_int_equal(E.mmu.nr_events, 0);
}

static void test_unmap_errors_unchanged(void **state)
{
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	snapshot();
	assert_int_equal(s2_unmap(&E.pt, 0x40000800, 4 * KiB), -S2_EINVAL);
	assert_int_equal(s2_unmap(&E.pt, 0x40000000, 0x800), -S2_EINVAL);
	assert_int_equal(s2_unmap(&E.pt, 0x40000000, 0), -S2_EINVAL);
	assert_int_equal(s2_unmap(&E.pt, 1ULL << 40, 4 * KiB), -S2_EINVAL);
	assert_int_equal(s2_unmap(&E.pt, (1ULL << 40) - 4 * KiB, 8 * KiB),
	                 -S2_EINVAL);
	assert_int_equal(s2_unmap(&E.pt, 0xFFFFFFFFFFFFF000ULL, 0x2000),
	                 -S2_EINVAL);
	assert_untouched();
}

static void test_unmap_enomem_leaves_block_untouched(void **state)
{
	(void)state;

	env_remake(40, 3);
	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	snapshot();
	assert_int_equal(s2_unmap(&E.pt, 0x40001000, 4 * KiB), -S2_ENOMEM);
	assert_untouched();
	/* Unmapping whole 2 MiB needs only one split: fits. */
	assert_int_equal(s2_unmap(&E.pt, 0x40200000, 2 * MiB), 0);
	assert_int_equal(tbl(E.pt.root[1])[1], 0);
	assert_int_equal(tbl(E.pt.root[1])[2], 0x404007FDULL);
}

static void test_unmap_range_across_blocks(void **state)
{
	struct s2_leaf leaf;
	(void)state;

	assert_int_equal(map_normal(0x40000000, 0x40000000, 2 * GiB), 0);
	assert_int_equal(s2_unmap(&E.pt, 0x7FFFF000, 0x2000), 0);
	assert_int_equal(pages_used(), 4);
	assert_int_equal(s2_lookup(&E.pt, 0x7FFFE000, &leaf), 0);
	assert_true(leaf.valid);
	assert_int_equal(s2_lookup(&E.pt, 0x7FFFF000, &leaf), 0);
	assert_false(leaf.valid);
	assert_int_equal(s2_lookup(&E.pt, 0x80000000, &leaf), 0);
	assert_false(leaf.valid);
	assert_int_equal(s2_lookup(&E.pt, 0x80001000, &leaf), 0);
	assert_true(leaf.valid);
	assert_int_equal(leaf.pte, 0x800017FFULL);
}

/* ---- sizing and destroy -------------------------------------------------- */

static void test_pages_for_range_and_split(void **state)
{
	(void)state;

	assert_int_equal(s2_pages_for_split(&E.pt), 2);
	/* 1 GiB: one L2 table + 512 L3 tables. */
	assert_int_equal(s2_pages_for_range(&E.pt, 0x40000000, GiB), 513);
	assert_int_equal(s2_pages_for_range(&E.pt, 0x40000000, 4 * KiB), 2);
	/* Straddling a GiB boundary: 2 L2 + 2 L3. */
	assert_int_equal(s2_pages_for_range(&E.pt, 0x7FFFF000, 0x2000), 4);
	assert_int_equal(s2_pages_for_range(&E.pt, 1ULL << 40, 4 * KiB), 0);
	env_remake(48, 8);
	assert_int_equal(s2_pages_for_split(&E.pt), 3);
	assert_int_equal(s2_pages_for_range(&E.pt, 0, 4 * KiB), 3);
	env_remake(32, 8);
	assert_int_equal(s2_pages_for_split(&E.pt), 1);
	assert_int_equal(s2_pages_for_range(&E.pt, 0x40000000, GiB), 512);
}

/* A pool of exactly root + pages_for_range never runs dry in the range. */
static void test_pages_for_range_is_enough_for_any_split(void **state)
{
	size_t need;
	(void)state;

	env_remake(40, 64);
	need = s2_pages_for_range(&E.pt, 0x40000000, 4 * MiB);
	assert_int_equal(need, 3);
	env_remake(40, 2 + need);
	assert_int_equal(map_normal(0x40000000, 0x40000000, 4 * MiB), 0);
	for (uint64_t ipa = 0x40000000; ipa < 0x40400000; ipa += 4 * KiB)
		assert_int_equal(s2_set_page_state(
		                         &E.pt, ipa,
		                         (ipa >> 12) & 1 ? S2_STATE_SHARED_OWNED
		                                         : S2_STATE_OWNED,
		                         NULL),
		                 0);
	assert_int_equal(s2_pool_free_pages(&E.pool), 0);
}

static void test_destroy_returns_every_page(void **state)
{
	struct s2_leaf leaf;
	(void)state;

	env_remake(40, 32);
	assert_int_equal(map_normal(0x40000000, 0x40000000, GiB), 0);
	assert_int_equal(s2_set_page_state(&E.pt, 0x40001000,
	                                   S2_STATE_SHARED_OWNED, NULL),
	                 0);
	assert_int_equal(map_normal(0x80001000, 0x1000, 0x3FF000), 0);
	assert_int_equal(s2_annotate(&E.pt, 0x09000000, 0x2), 0);
	assert_int_equal(s2_annotate(&E.pt, 0x100000000ULL, 0x2), 0);
	assert_true(pages_used() >= 7);
	fake_mmu_reset(&E.mmu);
	s2_destroy(&E.pt);
	assert_int_equal(s2_pool_free_pages(&E.pool), 32);
	assert_null(E.pt.root);
	/* Nothing of the tables may stay cached once the pages are back. */
	assert_int_equal(E.mmu.nr_tlbi, 1);
	assert_int_equal(E.mmu.events[0].size, 1ULL << 40);
	/* Destroying again (or NULL) is harmless: no page returned twice. */
	s2_destroy(&E.pt);
	s2_destroy(NULL);
	assert_int_equal(s2_pool_free_pages(&E.pool), 32);
	/* A destroyed table refuses every call. */
	assert_int_equal(map_normal(0x40000000, 0x40000000, 4 * KiB),
	                 -S2_EINVAL);
	assert_int_equal(s2_unmap(&E.pt, 0x40000000, 4 * KiB), -S2_EINVAL);
	assert_int_equal(s2_lookup(&E.pt, 0x40000000, &leaf), -S2_EINVAL);
	assert_int_equal(
	        s2_set_page_state(&E.pt, 0x40000000, S2_STATE_OWNED, NULL),
	        -S2_EINVAL);
	assert_int_equal(s2_annotate(&E.pt, 0x40000000, 2), -S2_EINVAL);
	/* All 32 pages are usable again, e.g. by a 43-bit root (16 pages). */
	assert_int_equal(s2_init(&E.pt, &E.pool, 43, 1, NULL, NULL), 0);
	assert_int_equal(s2_pool_free_pages(&E.pool), 16);
}

static void test_null_ops_are_allowed(void **state)
{
	struct s2_pgtable pt;
	struct s2_leaf leaf;
	(void)state;

	assert_int_equal(s2_init(&pt, &E.pool, 36, 3, NULL, NULL), 0);
	assert_int_equal(s2_map(&pt, 0, 0, GiB, S2_MEM_NORMAL, S2_STATE_OWNED),
	                 0);
	assert_int_equal(
	        s2_set_page_state(&pt, 0x1000, S2_STATE_SHARED_OWNED, NULL), 0);
	assert_int_equal(s2_lookup(&pt, 0x1000, &leaf), 0);
	assert_int_equal(leaf.pte, 0x00800000000017FFULL);
	s2_destroy(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	        T(test_pool_init_counts_and_zeroes),
	        T(test_pool_rejects_misaligned_memory),
	        T(test_pool_reserve_is_all_or_nothing),
	        T(test_pool_contig_is_aligned),
	        T(test_pool_contig_after_scrambled_frees),
	        T(test_pool_contig_fails_without_run),
	        T(test_root_pages_per_ipa_size),
	        T(test_init_geometry_and_vtcr_per_ipa_size),
	        T(test_vtcr_ps_encoding),
	        T(test_init_rejects_bad_arguments),
	        T(test_init_enomem_when_root_does_not_fit),
	        T(test_map_1g_block_at_level1),
	        T(test_map_1g_ram_needs_at_most_16k_of_tables),
	        T(test_map_2m_block_at_level2),
	        T(test_map_4k_page_at_level3),
	        T(test_map_unaligned_range_uses_largest_blocks),
	        T(test_map_range_spanning_gib_mixes_1g_and_2m),
	        T(test_map_misaligned_pa_falls_back_to_pages),
	        T(test_map_device_block_and_page),
	        T(test_map_carries_state_bits),
	        T(test_map_start_level0),
	        T(test_map_start_level2),
	        T(test_map_reuses_existing_tables),
	        T(test_map_rejects_bad_ranges_unchanged),
	        T(test_map_overlap_is_eexist_unchanged),
	        T(test_map_enomem_leaves_tables_untouched),
	        T(test_map_over_annotations),
	        T(test_lookup_beyond_ipa_space),
	        T(test_lookup_reports_level_size_and_pa),
	        T(test_state_splits_1g_block_preserving_translations),
	        T(test_state_split_preserves_device_attributes),
	        T(test_state_split_keeps_block_state_elsewhere),
	        T(test_state_split_is_break_before_make),
	        T(test_state_on_split_page_is_plain_walk),
	        T(test_state_unchanged_does_not_split),
	        T(test_state_errors),
	        T(test_state_enomem_leaves_block_untouched),
	        T(test_state_split_of_2m_block_takes_one_page),
	        T(test_annotate_builds_tables_in_empty_region),
	        T(test_annotate_refuses_mapped_granules),
	        T(test_annotate_rejects_bad_values),
	        T(test_annotate_enomem_untouched),
	        T(test_unmap_whole_block),
	        T(test_unmap_page_inside_1g_block_splits),
	        T(test_unmap_split_is_break_before_make),
	        T(test_unmap_frees_tables_that_become_empty),
	        T(test_unmap_keeps_annotated_tables_outside_range),
	        T(test_unmap_empty_region_is_noop),
	        T(test_unmap_errors_unchanged),
	        T(test_unmap_enomem_leaves_block_untouched),
	        T(test_unmap_range_across_blocks),
	        T(test_pages_for_range_and_split),
	        T(test_pages_for_range_is_enough_for_any_split),
	        T(test_destroy_returns_every_page),
	        T(test_null_ops_are_allowed),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
