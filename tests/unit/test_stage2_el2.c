// SPDX-License-Identifier: MIT
/*
 * core/stage2 in its EL2 stage-1 format (s2_init_el2): the tables the
 * hypervisor maps itself and the host-side view of guest RAM with.  Real
 * table memory (an aligned heap buffer whose "physical address" is its
 * host address); only TLB maintenance and barriers are faked
 * (tests/unit/support/fake_mmu.c, which also samples a watched entry at
 * each event to check break-before-make).  Expected descriptors are
 * written out literally from the VMSAv8-64 stage-1 format, MAIR index 0
 * Device-nGnRE, 1 Normal WB:
 *
 *   AttrIndx <<2, AP[1] (RES1 at EL2) 0x40, AP[2] read-only 0x80,
 *   SH inner 0x300, AF 0x400, XN bit 54 = 0x0040000000000000
 *   data   (Normal RW, XN)  page 0x0040000000000747, block ...745
 *   text   (Normal RO, X)   page 0x00000000000007C7
 *   rodata (Normal RO, XN)  page 0x00400000000007C7
 *   device (Device RW, XN)  page 0x0040000000000743
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

#define KiB       0x400ULL
#define MiB       0x100000ULL
#define GiB       0x40000000ULL
#define ADDR_BITS 0x0000FFFFFFFFF000ULL

#define DATA_PAGE    0x0040000000000747ULL
#define DATA_BLOCK   0x0040000000000745ULL
#define TEXT_PAGE    0x00000000000007C7ULL
#define RODATA_PAGE  0x00400000000007C7ULL
#define DEVICE_PAGE  0x0040000000000743ULL
#define DEVICE_BLOCK 0x0040000000000741ULL
#define AP_RO        0x80ULL
#define XN           0x0040000000000000ULL

struct env {
	uint8_t *mem;
	size_t nr_pages;
	struct s2_pool pool;
	struct s2_pgtable pt;
	struct fake_mmu mmu;
	uint8_t *copy;
	struct s2_pool pool_copy;
};

static struct env E;

static uint64_t *tbl(uint64_t pte)
{
	assert_int_equal(pte & 3, 3);
	return (uint64_t *)(uintptr_t)(pte & ADDR_BITS);
}

static void env_make(size_t nr_pages)
{
	size_t size = (nr_pages * 4 * KiB + 64 * KiB - 1) & ~(64 * KiB - 1);

	E.nr_pages = nr_pages;
	E.mem = aligned_alloc(64 * KiB, size);
	assert_non_null(E.mem);
	memset(E.mem, 0xA5, nr_pages * 4 * KiB);
	s2_pool_init(&E.pool, E.mem, (uint64_t)(uintptr_t)E.mem, nr_pages);
	fake_mmu_reset(&E.mmu);
	assert_int_equal(s2_init_el2(&E.pt, &E.pool, &fake_mmu_ops, &E.mmu),
	                 S2_OK);
}

static void env_free(void)
{
	if (E.pt.root)
		s2_destroy(&E.pt);
	free(E.mem);
	free(E.copy);
	memset(&E, 0, sizeof(E));
}

static int setup(void **state)
{
	(void)state;
	memset(&E, 0, sizeof(E));
	env_make(64);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_free();
	return 0;
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

static void assert_untouched(void)
{
	assert_memory_equal(E.copy, E.mem, E.nr_pages * 4 * KiB);
	assert_memory_equal(&E.pool_copy, &E.pool, sizeof(E.pool));
	assert_int_equal(E.mmu.nr_tlbi, 0);
}

/* The level-3 entry of va (tables all the way down). */
static uint64_t *l3(uint64_t va)
{
	uint64_t *t = E.pt.root;

	for (unsigned level = 0; level < 3; level++)
		t = tbl(t[(va >> (39 - 9 * level)) & 511]);
	return &t[(va >> 12) & 511];
}

static int map(uint64_t va, uint64_t size, enum s2_mem_type type)
{
	return s2_map(&E.pt, va, va, size, type, S2_STATE_OWNED);
}

/* ---- geometry and descriptors ------------------------------------------ */

static void test_init_is_48bit_level0_one_root(void **state)
{
	(void)state;
	assert_int_equal(E.pt.fmt, S2_FMT_EL2);
	assert_int_equal(E.pt.start_level, 0);
	assert_int_equal(E.pt.ipa_bits, 48);
	assert_int_equal(E.pt.root_entries, 512);
	assert_int_equal(s2_pool_free_pages(&E.pool), 63);
	assert_int_equal(E.pt.root_pa & 0xFFF, 0);
	assert_int_equal(S2_EL2_MAIR, 0xFF04ULL);
}

static void test_leaf_descriptors_per_kind(void **state)
{
	(void)state;
	assert_int_equal(map(0x40000000, 4 * KiB, S2_MEM_NORMAL), S2_OK);
	assert_int_equal(map(0x40001000, 4 * KiB, S2_MEM_TEXT), S2_OK);
	assert_int_equal(map(0x40002000, 4 * KiB, S2_MEM_RODATA), S2_OK);
	assert_int_equal(map(0x40003000, 4 * KiB, S2_MEM_DEVICE), S2_OK);
	assert_int_equal(*l3(0x40000000), 0x40000000 | DATA_PAGE);
	assert_int_equal(*l3(0x40001000), 0x40001000 | TEXT_PAGE);
	assert_int_equal(*l3(0x40002000), 0x40002000 | RODATA_PAGE);
	assert_int_equal(*l3(0x40003000), 0x40003000 | DEVICE_PAGE);
	/* A 2 MiB-aligned 2 MiB range is one level-2 block. */
	assert_int_equal(map(0x40200000, 2 * MiB, S2_MEM_DEVICE), S2_OK);
	assert_int_equal(tbl(tbl(E.pt.root[0])[1])[1],
	                 0x40200000 | DEVICE_BLOCK);
}

/* W^X: no kind of EL2 mapping is both writable and executable. */
static void test_no_kind_is_writable_and_executable(void **state)
{
	static const enum s2_mem_type kinds[] = {S2_MEM_NORMAL, S2_MEM_DEVICE,
	                                         S2_MEM_TEXT, S2_MEM_RODATA};
	(void)state;

	for (unsigned i = 0; i < 4; i++) {
		uint64_t va = 0x40000000 + i * 4 * KiB;
		uint64_t pte;

		assert_int_equal(map(va, 4 * KiB, kinds[i]), S2_OK);
		pte = *l3(va);
		assert_true((pte & AP_RO) || (pte & XN));
		assert_int_equal(pte & 0x40, 0x40); /* AP[1] RES1 */
		assert_int_equal(pte & 0x0780000000000000ULL, 0); /* no SW */
		assert_int_equal(pte & 0x800, 0);                 /* nG 0 */
	}
}

static void test_stage2_format_refuses_text_and_rodata(void **state)
{
	struct s2_pgtable pt;
	(void)state;

	assert_int_equal(s2_init(&pt, &E.pool, 40, 1, NULL, NULL), S2_OK);
	assert_int_equal(
	        s2_map(&pt, 0, 0, 4 * KiB, S2_MEM_TEXT, S2_STATE_OWNED),
	        -S2_EINVAL);
	assert_int_equal(
	        s2_map(&pt, 0, 0, 4 * KiB, S2_MEM_RODATA, S2_STATE_OWNED),
	        -S2_EINVAL);
	assert_int_equal(s2_map_page(&pt, 0, 0, S2_MEM_TEXT), -S2_EINVAL);
	s2_destroy(&pt);
	assert_int_equal(s2_map(&E.pt, 0, 0, 4 * KiB, (enum s2_mem_type)9,
	                        S2_STATE_OWNED),
	                 -S2_EINVAL);
}

/* ---- unmap and block split --------------------------------------------- */

static void test_unmap_range_invalidates_once(void **state)
{
	(void)state;
	assert_int_equal(map(0x40000000, 16 * KiB, S2_MEM_NORMAL), S2_OK);
	fake_mmu_reset(&E.mmu);
	E.mmu.watch = l3(0x40001000);
	assert_int_equal(s2_unmap(&E.pt, 0x40001000, 8 * KiB), S2_OK);
	assert_int_equal(*l3(0x40000000), 0x40000000 | DATA_PAGE);
	assert_int_equal(*l3(0x40003000), 0x40003000 | DATA_PAGE);
	assert_int_equal(*l3(0x40001000), 0);
	assert_int_equal(*l3(0x40002000), 0);
	assert_int_equal(E.mmu.nr_tlbi, 1);
	assert_int_equal(
	        E.mmu.events[fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0)].ipa,
	        0x40001000);
	/* The entry was already invalid when the TLBI ran. */
	assert_int_equal(
	        E.mmu.events[fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0)].watched,
	        0);
}

/*
 * Unmapping one granule of a 2 MiB block: the block is replaced by a
 * level-3 table with break-before-make -- invalid entry, sync, TLBI of the
 * whole block, then the table -- and the table keeps every attribute (XN,
 * AP) of the block in the 511 other entries.
 */
static void test_block_split_is_break_before_make(void **state)
{
	uint64_t *l2;
	uint64_t *ptep;
	long t;
	long s0;
	(void)state;

	assert_int_equal(map(0x40200000, 2 * MiB, S2_MEM_NORMAL), S2_OK);
	l2 = tbl(tbl(E.pt.root[0])[1]);
	ptep = &l2[1];
	assert_int_equal(*ptep, 0x40200000 | DATA_BLOCK);
	fake_mmu_reset(&E.mmu);
	E.mmu.watch = ptep;
	assert_int_equal(s2_unmap(&E.pt, 0x40205000, 4 * KiB), S2_OK);

	t = fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0);
	s0 = fake_mmu_find(&E.mmu, FAKE_MMU_SYNC, 0);
	assert_true(s0 >= 0 && t > s0);
	assert_int_equal(E.mmu.events[s0].watched, 0); /* break ... */
	assert_int_equal(E.mmu.events[t].watched, 0);  /* ... TLBI ... */
	assert_int_equal(E.mmu.events[t].ipa, 0x40200000);
	assert_int_equal(E.mmu.events[t].size, 2 * MiB);
	assert_int_equal(E.mmu.events[t].vmid, 0);
	/* ... make: the table, visible at a later sync. */
	assert_int_equal(
	        E.mmu.events[fake_mmu_find(&E.mmu, FAKE_MMU_SYNC, 1)].watched &
	                3,
	        3);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t va = 0x40200000 + i * 4 * KiB;

		assert_int_equal(tbl(*ptep)[i], i == 5 ? 0 : (va | DATA_PAGE));
	}
	/* and a second TLBI for the granule itself after the split */
	assert_int_equal(
	        E.mmu.events[fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 1)].ipa,
	        0x40205000);
}

static void test_text_block_split_keeps_read_only_exec(void **state)
{
	uint64_t *l2;
	(void)state;

	assert_int_equal(map(0x40200000, 2 * MiB, S2_MEM_TEXT), S2_OK);
	assert_int_equal(s2_unmap(&E.pt, 0x403FF000, 4 * KiB), S2_OK);
	l2 = tbl(tbl(E.pt.root[0])[1]);
	assert_int_equal(tbl(l2[1])[0], 0x40200000 | TEXT_PAGE);
	assert_int_equal(tbl(l2[1])[510], 0x403FE000 | TEXT_PAGE);
	assert_int_equal(tbl(l2[1])[511], 0);
}

/* ---- pre-built host view, single-granule leaves ------------------------- */

static void test_prebuild_then_pages_never_allocate(void **state)
{
	size_t free_before;
	uint64_t *leaf;
	(void)state;

	/* 4 MiB at 1 GiB: one level-1, one level-2, two level-3 tables. */
	assert_int_equal(s2_el2_pages_for_range(0x40000000, 4 * MiB), 4);
	free_before = s2_pool_free_pages(&E.pool);
	assert_int_equal(s2_prebuild(&E.pt, 0x40000000, 4 * MiB), S2_OK);
	assert_int_equal(free_before - s2_pool_free_pages(&E.pool), 4);
	assert_int_equal(E.pool.nr_reserved, 0);
	leaf = l3(0x40300000);
	assert_int_equal(*leaf, 0);
	/* Pre-building again (or a sub-range) takes nothing. */
	assert_int_equal(s2_prebuild(&E.pt, 0x40100000, 1 * MiB), S2_OK);
	assert_int_equal(free_before - s2_pool_free_pages(&E.pool), 4);

	free_before = s2_pool_free_pages(&E.pool);
	fake_mmu_reset(&E.mmu);
	assert_int_equal(
	        s2_map_page(&E.pt, 0x40300000, 0x40300000, S2_MEM_NORMAL),
	        S2_OK);
	assert_int_equal(*leaf, 0x40300000 | DATA_PAGE);
	assert_int_equal(E.mmu.nr_tlbi, 0); /* invalid -> valid */
	/* Mapping the same again is fine; a different one is not. */
	assert_int_equal(
	        s2_map_page(&E.pt, 0x40300000, 0x40300000, S2_MEM_NORMAL),
	        S2_OK);
	assert_int_equal(
	        s2_map_page(&E.pt, 0x40300000, 0x50300000, S2_MEM_NORMAL),
	        -S2_EEXIST);

	E.mmu.watch = leaf;
	assert_int_equal(s2_unmap_page(&E.pt, 0x40300000), S2_OK);
	assert_int_equal(*leaf, 0);
	assert_int_equal(E.mmu.nr_tlbi, 1);
	assert_int_equal(
	        E.mmu.events[fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0)].watched,
	        0);
	assert_int_equal(
	        E.mmu.events[fake_mmu_find(&E.mmu, FAKE_MMU_TLBI, 0)].size,
	        4 * KiB);
	/* The table stays: the last leaf of it gone, nothing is freed. */
	assert_ptr_equal(l3(0x40300000), leaf);
	assert_int_equal(s2_pool_free_pages(&E.pool), free_before);
	/* Unmapping an unmapped granule: nothing to do, no TLBI. */
	assert_int_equal(s2_unmap_page(&E.pt, 0x40300000), S2_OK);
	assert_int_equal(E.mmu.nr_tlbi, 1);
}

static void test_map_page_without_table_fails_cleanly(void **state)
{
	(void)state;
	snapshot();
	assert_int_equal(
	        s2_map_page(&E.pt, 0x40000000, 0x40000000, S2_MEM_NORMAL),
	        -S2_ENOENT);
	assert_int_equal(
	        s2_map_page(&E.pt, 0x40000800, 0x40000000, S2_MEM_NORMAL),
	        -S2_EINVAL);
	assert_int_equal(s2_map_page(&E.pt, 1ULL << 48, 0, S2_MEM_NORMAL),
	                 -S2_EINVAL);
	assert_untouched();
	/* Inside a block: neither can change it without a split. */
	assert_int_equal(map(0x40200000, 2 * MiB, S2_MEM_NORMAL), S2_OK);
	snapshot();
	assert_int_equal(
	        s2_map_page(&E.pt, 0x40201000, 0x40201000, S2_MEM_NORMAL),
	        -S2_EEXIST);
	assert_int_equal(s2_unmap_page(&E.pt, 0x40201000), -S2_EEXIST);
	assert_int_equal(s2_prebuild(&E.pt, 0x40000000, 4 * MiB), -S2_EEXIST);
	assert_untouched();
}

/* ---- exhaustion: reserve fails, nothing half-written --------------------- */

static void test_exhaustion_changes_nothing(void **state)
{
	(void)state;
	env_free();
	env_make(4); /* root + 3 */
	snapshot();
	/* 4 MiB needs 4 tables; 3 are free. */
	assert_int_equal(s2_prebuild(&E.pt, 0x40000000, 4 * MiB), -S2_ENOMEM);
	assert_untouched();
	/* 4 MiB off by a page: L1 + L2 + 2 L3 (a block between) = 4. */
	assert_int_equal(map(0x40001000, 4 * MiB, S2_MEM_NORMAL), -S2_ENOMEM);
	assert_untouched();
	/* What fits still works and uses exactly what it needs. */
	assert_int_equal(s2_prebuild(&E.pt, 0x40000000, 2 * MiB), S2_OK);
	assert_int_equal(s2_pool_free_pages(&E.pool), 0);
	assert_int_equal(E.pool.nr_reserved, 0);
	snapshot();
	assert_int_equal(map(0x40400000, 4 * KiB, S2_MEM_NORMAL), -S2_ENOMEM);
	assert_untouched();
	/* A split that needs a page: refused, block intact. */
	env_free();
	env_make(3); /* root + L1 + L2: a 2 MiB block, nothing to split */
	assert_int_equal(map(0x40200000, 2 * MiB, S2_MEM_NORMAL), S2_OK);
	snapshot();
	assert_int_equal(s2_unmap(&E.pt, 0x40201000, 4 * KiB), -S2_ENOMEM);
	assert_untouched();
}

/*
 * The share-exhaust attack at table level: a 4 GiB protected VM's host
 * view pre-built once (2053 pages), then one granule in every 2 MiB
 * region mapped, unmapped and mapped again, with no page taken.
 */
static void test_host_view_of_4gib_is_bounded(void **state)
{
	const uint64_t base = 0x40000000, size = 4 * GiB;
	size_t need = s2_el2_pages_for_range(base, size);
	size_t free_after;
	(void)state;

	assert_int_equal(need, 1 + 4 + 2048);
	env_free();
	env_make(1 + need);
	assert_int_equal(s2_prebuild(&E.pt, base, size), S2_OK);
	free_after = s2_pool_free_pages(&E.pool);
	assert_int_equal(free_after, 0);
	for (unsigned round = 0; round < 2; round++) {
		for (uint64_t va = base; va < base + size; va += 2 * MiB)
			assert_int_equal(s2_map_page(&E.pt, va + 4 * KiB,
			                             va + 4 * KiB,
			                             S2_MEM_NORMAL),
			                 S2_OK);
		for (uint64_t va = base; va < base + size; va += 2 * MiB)
			assert_int_equal(s2_unmap_page(&E.pt, va + 4 * KiB),
			                 S2_OK);
	}
	assert_int_equal(s2_pool_free_pages(&E.pool), free_after);
	assert_int_equal(s2_el2_pages_for_range(base, 0), 0);
	assert_int_equal(s2_el2_pages_for_range(base + 1, 4 * KiB), 0);
	assert_int_equal(s2_el2_pages_for_range(1ULL << 48, 4 * KiB), 0);
}

/* The host view's hot path: leaf tables found once, then plain stores. */
static void test_leaf_tables_and_page_desc(void **state)
{
	uint64_t *tables[3] = {NULL, NULL, NULL};
	(void)state;

	assert_int_equal(s2_leaf_tables(&E.pt, 0x40000000, 4 * MiB, tables),
	                 -S2_ENOENT);
	assert_int_equal(s2_prebuild(&E.pt, 0x40000000, 6 * MiB), S2_OK);
	assert_int_equal(s2_leaf_tables(&E.pt, 0x40000000, 6 * MiB, tables),
	                 S2_OK);
	for (unsigned i = 0; i < 3; i++)
		assert_ptr_equal(&tables[i][0], l3(0x40000000 + i * 2 * MiB));
	/* Unaligned start: the region containing it. */
	tables[0] = NULL;
	assert_int_equal(s2_leaf_tables(&E.pt, 0x40201000, 4 * KiB, tables),
	                 S2_OK);
	assert_ptr_equal(&tables[0][1], l3(0x40201000));
	assert_int_equal(s2_leaf_tables(&E.pt, 0x40000000, 0, tables),
	                 -S2_EINVAL);
	assert_int_equal(s2_page_desc(&E.pt, 0x40201000, S2_MEM_NORMAL),
	                 0x40201000 | DATA_PAGE);
	assert_int_equal(s2_page_desc(&E.pt, 0, S2_MEM_TEXT), TEXT_PAGE);
	assert_int_equal(s2_page_desc(&E.pt, 0, (enum s2_mem_type)9), 0);
	/* A store through the table is what the walker then sees. */
	tables[0][1] = s2_page_desc(&E.pt, 0x40201000, S2_MEM_NORMAL);
	{
		struct s2_leaf leaf;

		assert_int_equal(s2_lookup(&E.pt, 0x40201000, &leaf), S2_OK);
		assert_true(leaf.valid);
		assert_int_equal(leaf.level, 3);
		assert_int_equal(s2_leaf_pa(&leaf, 0x40201000), 0x40201000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_init_is_48bit_level0_one_root, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_leaf_descriptors_per_kind,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_no_kind_is_writable_and_executable, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_stage2_format_refuses_text_and_rodata, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_unmap_range_invalidates_once, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_block_split_is_break_before_make, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_text_block_split_keeps_read_only_exec, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_prebuild_then_pages_never_allocate, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_map_page_without_table_fails_cleanly, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(test_exhaustion_changes_nothing,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_host_view_of_4gib_is_bounded, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_leaf_tables_and_page_desc,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
