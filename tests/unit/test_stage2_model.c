// SPDX-License-Identifier: MIT
/*
 * core/stage2 against a shadow model: seeded random sequences of map,
 * unmap, set_page_state and annotate over a window that crosses 1 GiB and
 * 2 MiB boundaries, with every result and every granule's translation
 * compared with a per-granule model, and the tables' own invariants
 * checked (no leaked or empty table, pool count = reachable tables).
 *
 * A second scenario runs the same kind of sequence with a pool far too
 * small: every -S2_ENOMEM must leave table memory, the pool and the model
 * exactly as they were.
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

/* [1 GiB - 2 MiB, 2 GiB + 2 MiB): a 1 GiB block and partial neighbours. */
#define WIN_BASE     0x3FE00000ULL
#define WIN_SIZE     (GiB + 4 * MiB)
#define WIN_GRANULES (WIN_SIZE / (4 * KiB))

/* Attribute bits of a leaf other than address, type and software bits. */
#define ATTR_MASK    0xFE7F000000000FFCULL
#define NORMAL_ATTRS 0x7FCULL
#define DEVICE_ATTRS 0x00400000000007C4ULL

enum kind { EMPTY, MAPPED, ANNOTATED };

struct granule {
	uint8_t kind;
	uint8_t type;
	uint8_t state;
	uint64_t val; /* PA if mapped, annotation if annotated */
};

struct model {
	uint8_t *mem;
	size_t nr_pages;
	struct s2_pool pool;
	struct s2_pgtable pt;
	struct fake_mmu mmu;
	struct granule *g;
	uint64_t rng;
	size_t root_pages;
};

static uint64_t rnd(struct model *m)
{
	/* xorshift64: deterministic, so a failure replays exactly. */
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static uint64_t rnd_below(struct model *m, uint64_t n)
{
	return rnd(m) % n;
}

static void model_make(struct model *m, size_t extra_pages, uint64_t seed)
{
	size_t size;

	memset(m, 0, sizeof(*m));
	m->root_pages = s2_root_pages(40);
	m->nr_pages = m->root_pages + extra_pages;
	size = (m->nr_pages * 4 * KiB + 64 * KiB - 1) & ~(64 * KiB - 1);
	m->mem = aligned_alloc(64 * KiB, size);
	assert_non_null(m->mem);
	memset(m->mem, 0x5A, size);
	s2_pool_init(&m->pool, m->mem, (uint64_t)(uintptr_t)m->mem,
	             m->nr_pages);
	fake_mmu_reset(&m->mmu);
	assert_int_equal(
	        s2_init(&m->pt, &m->pool, 40, 3, &fake_mmu_ops, &m->mmu), 0);
	m->g = calloc(WIN_GRANULES, sizeof(*m->g));
	assert_non_null(m->g);
	m->rng = seed;
}

static void model_free(struct model *m)
{
	s2_destroy(&m->pt);
	assert_int_equal(s2_pool_free_pages(&m->pool), m->nr_pages);
	free(m->mem);
	free(m->g);
}

static struct granule *gr(struct model *m, uint64_t ipa)
{
	return &m->g[(ipa - WIN_BASE) / (4 * KiB)];
}

/* ---- checks -------------------------------------------------------------- */

static void check_granule(struct model *m, uint64_t ipa)
{
	const struct granule *want = gr(m, ipa);
	struct s2_leaf leaf;

	assert_int_equal(s2_lookup(&m->pt, ipa, &leaf), 0);
	switch (want->kind) {
	case MAPPED:
		assert_true(leaf.valid);
		assert_int_equal(s2_leaf_pa(&leaf, ipa), want->val);
		assert_int_equal(leaf.pte & ATTR_MASK,
		                 want->type == S2_MEM_NORMAL ? NORMAL_ATTRS
		                                             : DEVICE_ATTRS);
		assert_int_equal((leaf.pte >> 55) & 3, want->state);
		assert_int_equal(leaf.pte & 3, leaf.level == 3 ? 3 : 1);
		break;
	case ANNOTATED:
		assert_false(leaf.valid);
		assert_int_equal(leaf.level, 3);
		assert_int_equal(leaf.pte, want->val);
		break;
	default:
		assert_false(leaf.valid);
		assert_int_equal(leaf.pte, 0);
		break;
	}
}

/* Both ends of the range and random granules inside it. */
static void check_range(struct model *m, uint64_t ipa, uint64_t size)
{
	uint64_t n = size / (4 * KiB);

	for (uint64_t i = 0; i < n && i < 16; i++) {
		check_granule(m, ipa + i * 4 * KiB);
		check_granule(m, ipa + (n - 1 - i) * 4 * KiB);
	}
	for (int i = 0; i < 64; i++)
		check_granule(m, ipa + rnd_below(m, n) * 4 * KiB);
}

static void check_all(struct model *m)
{
	for (uint64_t i = 0; i < WIN_GRANULES; i++)
		check_granule(m, WIN_BASE + i * 4 * KiB);
}

static size_t count_tables(const uint64_t *table, unsigned level, size_t n)
{
	size_t tables = 0;

	for (size_t i = 0; i < n; i++) {
		const uint64_t *child;
		size_t used = 0;

		if (level == 3 || (table[i] & 3) != 3)
			continue;
		child = (const uint64_t *)(uintptr_t)(table[i] & ADDR_BITS);
		for (size_t j = 0; j < 512; j++)
			used += child[j] != 0;
		/* Tables that became empty are given back. */
		assert_true(used > 0);
		tables += 1 + count_tables(child, level + 1, 512);
	}
	return tables;
}

static void check_pool_accounting(struct model *m)
{
	size_t tables = count_tables(m->pt.root, 1, m->pt.root_entries);

	assert_int_equal(m->pool.nr_reserved, 0);
	assert_int_equal(s2_pool_free_pages(&m->pool) + tables + m->root_pages,
	                 m->nr_pages);
}

/* ---- random operations ------------------------------------------------- */

/*
 * Anywhere in the window, but mostly in a few 4 MiB hot spots around the
 * block boundaries, so that operations meet each other's leftovers.
 */
static uint64_t pick_granule(struct model *m)
{
	static const uint64_t hot[] = {WIN_BASE, 0x40000000, 0x5FE00000,
	                               0x7FE00000};

	if (rnd_below(m, 4) == 0)
		return WIN_BASE + rnd_below(m, WIN_GRANULES) * 4 * KiB;
	return hot[rnd_below(m, 4)] + rnd_below(m, 1024) * 4 * KiB;
}

/* A granule-aligned range inside the window, often block-aligned. */
static void pick_range(struct model *m, uint64_t *ipa, uint64_t *size)
{
	static const uint64_t grains[] = {4 * KiB, 2 * MiB, GiB};
	uint64_t grain = grains[rnd_below(m, 3)];
	uint64_t start, end;

	start = pick_granule(m) & ~(grain - 1);
	if (start < WIN_BASE)
		start = WIN_BASE;
	if (rnd_below(m, 4) == 0) /* knock it off alignment */
		start += rnd_below(m, 512) * 4 * KiB;
	end = start + grain * (1 + rnd_below(m, 3));
	if (rnd_below(m, 4) == 0) /* and the end too, keeping it non-empty */
		end -= rnd_below(m, (end - start) / (4 * KiB)) * 4 * KiB;
	if (end > WIN_BASE + WIN_SIZE)
		end = WIN_BASE + WIN_SIZE;
	if (start >= end)
		start = end - 4 * KiB;
	*ipa = start;
	*size = end - start;
}

static bool any_mapped(struct model *m, uint64_t ipa, uint64_t size)
{
	for (uint64_t a = ipa; a < ipa + size; a += 4 * KiB)
		if (gr(m, a)->kind == MAPPED)
			return true;
	return false;
}

static bool op_map(struct model *m, bool enomem_allowed)
{
	static const uint64_t deltas[] = {0, 4 * KiB, GiB, 2 * MiB};
	uint64_t ipa, size, delta = deltas[rnd_below(m, 4)];
	enum s2_mem_type type = rnd_below(m, 4) ? S2_MEM_NORMAL : S2_MEM_DEVICE;
	enum s2_page_state st = (enum s2_page_state)rnd_below(m, 2);
	int rc;

	pick_range(m, &ipa, &size);
	rc = s2_map(&m->pt, ipa, ipa + delta, size, type, st);
	if (any_mapped(m, ipa, size)) {
		assert_int_equal(rc, -S2_EEXIST);
	} else if (rc == -S2_ENOMEM && enomem_allowed) {
		return true;
	} else {
		assert_int_equal(rc, 0);
		for (uint64_t a = ipa; a < ipa + size; a += 4 * KiB) {
			struct granule *g = gr(m, a);

			g->kind = MAPPED;
			g->type = (uint8_t)type;
			g->state = (uint8_t)st;
			g->val = a + delta;
		}
	}
	check_range(m, ipa, size);
	return false;
}

static bool op_unmap(struct model *m, bool enomem_allowed)
{
	uint64_t ipa, size;
	int rc;

	pick_range(m, &ipa, &size);
	rc = s2_unmap(&m->pt, ipa, size);
	if (rc == -S2_ENOMEM && enomem_allowed)
		return true;
	assert_int_equal(rc, 0);
	for (uint64_t a = ipa; a < ipa + size; a += 4 * KiB)
		memset(gr(m, a), 0, sizeof(struct granule));
	check_range(m, ipa, size);
	return false;
}

static bool op_state(struct model *m, bool enomem_allowed)
{
	uint64_t ipa = pick_granule(m);
	enum s2_page_state st = (enum s2_page_state)rnd_below(m, 2);
	struct granule *g = gr(m, ipa);
	uint64_t pa = 0;
	int rc = s2_set_page_state(&m->pt, ipa, st, &pa);

	if (g->kind != MAPPED) {
		assert_int_equal(rc, -S2_ENOENT);
	} else if (rc == -S2_ENOMEM && enomem_allowed) {
		return true;
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(pa, g->val);
		g->state = (uint8_t)st;
	}
	/* The neighbours in the same 2 MiB kept their translation. */
	check_range(m, ipa & ~(2 * MiB - 1), 2 * MiB);
	return false;
}

static bool annotate_one(struct model *m, uint64_t ipa, bool enomem_allowed)
{
	uint64_t val = (rnd(m) | 2) & ~1ULL;
	struct granule *g = gr(m, ipa);
	int rc = s2_annotate(&m->pt, ipa, val);

	if (g->kind == MAPPED) {
		assert_int_equal(rc, -S2_EEXIST);
	} else if (rc == -S2_ENOMEM && enomem_allowed) {
		return true;
	} else {
		assert_int_equal(rc, 0);
		g->kind = ANNOTATED;
		g->val = val;
	}
	check_granule(m, ipa);
	return false;
}

/* A run of up to 32 granules (MMIO guards come in device-sized runs). */
static bool op_annotate(struct model *m, bool enomem_allowed)
{
	uint64_t ipa = pick_granule(m);
	uint64_t n = 1 + rnd_below(m, 32);

	for (uint64_t i = 0; i < n && ipa < WIN_BASE + WIN_SIZE; i++) {
		if (annotate_one(m, ipa, enomem_allowed))
			return i == 0; /* a failure after changes is no no-op */
		ipa += 4 * KiB;
	}
	return false;
}

/* One random operation; true if it failed with an allowed -S2_ENOMEM. */
static bool random_op(struct model *m, bool enomem_allowed)
{
	switch (rnd_below(m, 8)) {
	case 0:
	case 1:
		return op_map(m, enomem_allowed);
	case 2:
	case 3:
		return op_unmap(m, enomem_allowed);
	case 4:
	case 5:
	case 6:
		return op_state(m, enomem_allowed);
	default:
		return op_annotate(m, enomem_allowed);
	}
}

/* ---- scenarios --------------------------------------------------------- */

static void run_model(uint64_t seed)
{
	struct model m;
	size_t need;

	/* Pool = root + the documented worst case for the window. */
	model_make(&m, 0, seed);
	need = s2_pages_for_range(&m.pt, WIN_BASE, WIN_SIZE);
	/* 3 GiB entries touched (3 L2 tables), 514 2 MiB entries (L3). */
	assert_int_equal(need, 3 + 514);
	model_free(&m);
	model_make(&m, need, seed);

	for (int i = 0; i < 1500; i++) {
		random_op(&m, false);
		if (i % 100 == 99) {
			check_all(&m);
			check_pool_accounting(&m);
		}
	}
	check_all(&m);
	check_pool_accounting(&m);
	model_free(&m);
}

static void test_model_seed1(void **state)
{
	(void)state;
	run_model(0x9E3779B97F4A7C15ULL);
}

static void test_model_seed2(void **state)
{
	(void)state;
	run_model(0xD1B54A32D192ED03ULL);
}

static void test_model_seed3(void **state)
{
	(void)state;
	run_model(12345);
}

/* Tiny pool: ENOMEM is frequent and must never leave a trace. */
static void test_model_enomem_never_changes_anything(void **state)
{
	struct model m;
	size_t bytes;
	uint8_t *before;
	size_t enomem = 0;
	(void)state;

	model_make(&m, 4, 0xABCDEF);
	bytes = m.nr_pages * 4 * KiB;
	before = malloc(bytes);
	assert_non_null(before);
	for (int i = 0; i < 3000; i++) {
		struct s2_pool pool_before = m.pool;

		memcpy(before, m.mem, bytes);
		fake_mmu_reset(&m.mmu);
		if (random_op(&m, true)) {
			enomem++;
			assert_memory_equal(before, m.mem, bytes);
			assert_memory_equal(&pool_before, &m.pool,
			                    sizeof(m.pool));
			assert_int_equal(m.mmu.nr_events, 0);
		}
		if (i % 250 == 249) {
			check_all(&m);
			check_pool_accounting(&m);
		}
	}
	check_all(&m);
	check_pool_accounting(&m);
	/* The scenario really exercised the failure path. */
	assert_true(enomem > 100);
	free(before);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_model_seed1),
	        cmocka_unit_test(test_model_seed2),
	        cmocka_unit_test(test_model_seed3),
	        cmocka_unit_test(test_model_enomem_never_changes_anything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
