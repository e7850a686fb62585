/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 stage-2 translation tables, 4 KiB granule.
 *
 * Levels 0..3 resolve IPA bits 47:39, 38:30, 29:21, 20:12.  The start
 * level is the one KVM picks: the deepest level whose root fits in at most
 * 16 concatenated tables (32..34 bits: level 2; 35..43: level 1; 44..48:
 * level 0).  Blocks exist at levels 1 (1 GiB) and 2 (2 MiB), pages at 3.
 *
 * Every update checks its arguments and the existing tables first, then
 * reserves its worst-case number of table pages, and only then writes.
 * Writes that replace a valid entry by another valid entry go through
 * break-before-make (invalid, sync, TLBI, new entry, sync).
 *
 * The same code builds the hypervisor's EL2 stage-1 tables (s2_init_el2):
 * the geometry and table descriptors are the same, only the leaf
 * attributes differ (leaf_attrs).
 */
#include <core/check.h>
#include <core/stage2.h>

#define LEVEL_BITS     9U
#define LAST_LEVEL     3U
#define PTE_TYPE_MASK  3ULL
#define PTE_TYPE_BLOCK 1ULL
#define PTE_TYPE_TABLE 3ULL /* also "page" at level 3 */
#define MAX_PA_BITS    48U

/* ---- geometry ---------------------------------------------------------- */

static unsigned level_shift(unsigned level)
{
	return S2_GRANULE_SHIFT + LEVEL_BITS * (LAST_LEVEL - level);
}

static uint64_t level_size(unsigned level)
{
	return 1ULL << level_shift(level);
}

static uint64_t align_down(uint64_t x, uint64_t size)
{
	return x & ~(size - 1);
}

/* Deepest start level whose root is at most 16 concatenated tables. */
static unsigned start_level_for(unsigned ipa_bits)
{
	if (ipa_bits <= level_shift(2) + LEVEL_BITS + 4U)
		return 2;
	if (ipa_bits <= level_shift(1) + LEVEL_BITS + 4U)
		return 1;
	return 0;
}

static bool ipa_bits_valid(unsigned ipa_bits)
{
	return ipa_bits >= S2_MIN_IPA_BITS && ipa_bits <= S2_MAX_IPA_BITS;
}

unsigned s2_root_pages(unsigned ipa_bits)
{
	uint64_t entries;

	if (!ipa_bits_valid(ipa_bits))
		return 0;
	entries = 1ULL << (ipa_bits - level_shift(start_level_for(ipa_bits)));
	return entries <= S2_ENTRIES_PER_TABLE
	               ? 1U
	               : (unsigned)(entries / S2_ENTRIES_PER_TABLE);
}

static size_t entry_index(const struct s2_pgtable *pt, unsigned level,
                          uint64_t ipa)
{
	uint64_t idx = ipa >> level_shift(level);

	/* The root spans all concatenated tables; ipa < 2^ipa_bits bounds it.
	 */
	if (level != pt->start_level)
		idx &= S2_ENTRIES_PER_TABLE - 1;
	return (size_t)idx;
}

static uint64_t ipa_limit(const struct s2_pgtable *pt)
{
	return 1ULL << pt->ipa_bits;
}

static bool pt_usable(const struct s2_pgtable *pt)
{
	return pt && pt->root && pt->pool;
}

/* [ipa, ipa+size) non-empty, granule-aligned, inside the IPA space. */
static bool range_valid(const struct s2_pgtable *pt, uint64_t ipa,
                        uint64_t size)
{
	uint64_t limit = ipa_limit(pt);

	if (size == 0 || ((ipa | size) & (S2_GRANULE_SIZE - 1)))
		return false;
	return ipa < limit && size <= limit - ipa;
}

/* Number of level-`level` entries that [ipa, end) touches. */
static uint64_t entries_touched(unsigned level, uint64_t ipa, uint64_t end)
{
	unsigned shift = level_shift(level);

	return ((end - 1) >> shift) - (ipa >> shift) + 1;
}

/* Number of level-`level` entries that [ipa, end) covers entirely. */
static uint64_t entries_covered(unsigned level, uint64_t ipa, uint64_t end)
{
	uint64_t size = level_size(level);
	uint64_t first = align_down(ipa + size - 1, size);
	uint64_t last = align_down(end, size);

	return last > first ? (last - first) >> level_shift(level) : 0;
}

/* ---- descriptors --------------------------------------------------------- */

static bool pte_is_table(unsigned level, uint64_t pte)
{
	return level < LAST_LEVEL && (pte & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

/* A valid block (levels 1-2) or page (level 3). */
static bool pte_is_leaf(unsigned level, uint64_t pte)
{
	uint64_t type = level == LAST_LEVEL ? PTE_TYPE_TABLE : PTE_TYPE_BLOCK;

	return (pte & PTE_TYPE_MASK) == type;
}

static uint64_t pte_addr(uint64_t pte)
{
	return pte & S2_PTE_ADDR_MASK;
}

/* Attributes and software bits of a leaf: everything but address and type. */
static uint64_t pte_leaf_attrs(uint64_t pte)
{
	return pte & ~(S2_PTE_ADDR_MASK | PTE_TYPE_MASK);
}

static uint64_t make_leaf(unsigned level, uint64_t pa, uint64_t attrs)
{
	uint64_t type = level == LAST_LEVEL ? PTE_TYPE_TABLE : PTE_TYPE_BLOCK;

	return pa | attrs | type;
}

static uint64_t make_table(const struct s2_pgtable *pt, const uint64_t *table)
{
	return s2_pool_pa(pt->pool, table) | PTE_TYPE_TABLE;
}

static uint64_t *table_of(const struct s2_pgtable *pt, uint64_t pte)
{
	return s2_pool_va(pt->pool, pte_addr(pte));
}

static uint64_t state_bits(enum s2_page_state state)
{
	return ((uint64_t)state << S2_PTE_SW_STATE_SHIFT) &
	       S2_PTE_SW_STATE_MASK;
}

/*
 * Leaf attributes (bits other than address and type) of each kind of
 * mapping in each format; 0: not available in that format.
 */
static const uint64_t leaf_attr_table[2][5] = {
        [S2_FMT_STAGE2] =
                {
                        [S2_MEM_NORMAL] = S2_PTE_ATTRS_NORMAL,
                        [S2_MEM_DEVICE] = S2_PTE_ATTRS_DEVICE,
                        [S2_MEM_NORMAL_RO] = S2_PTE_ATTRS_NORMAL_RO,
                },
        [S2_FMT_EL2] =
                {
                        [S2_MEM_NORMAL] = S2_EL2_PTE_ATTRIDX_NORMAL |
                                          S2_EL2_PTE_AP_RES1 | S2_PTE_SH_INNER |
                                          S2_PTE_AF | S2_EL2_PTE_XN,
                        [S2_MEM_DEVICE] = S2_EL2_PTE_ATTRIDX_DEVICE |
                                          S2_EL2_PTE_AP_RES1 | S2_PTE_SH_INNER |
                                          S2_PTE_AF | S2_EL2_PTE_XN,
                        [S2_MEM_TEXT] = S2_EL2_PTE_ATTRIDX_NORMAL |
                                        S2_EL2_PTE_AP_RES1 | S2_EL2_PTE_AP_RO |
                                        S2_PTE_SH_INNER | S2_PTE_AF,
                        [S2_MEM_RODATA] = S2_EL2_PTE_ATTRIDX_NORMAL |
                                          S2_EL2_PTE_AP_RES1 |
                                          S2_EL2_PTE_AP_RO | S2_PTE_SH_INNER |
                                          S2_PTE_AF | S2_EL2_PTE_XN,
                },
};

static uint64_t leaf_attrs(const struct s2_pgtable *pt, enum s2_mem_type type)
{
	if ((unsigned)pt->fmt > S2_FMT_EL2 || (unsigned)type > S2_MEM_NORMAL_RO)
		return 0;
	return leaf_attr_table[pt->fmt][type];
}

static bool state_valid(enum s2_page_state state)
{
	return state == S2_STATE_OWNED || state == S2_STATE_SHARED_OWNED;
}

/* The walker may read an entry at any time: one 64-bit store, not torn. */
static void pte_write(uint64_t *ptep, uint64_t val)
{
	*(volatile uint64_t *)ptep = val;
}

/* ---- hardware operations ----------------------------------------------- */

static void sync_tables(const struct s2_pgtable *pt)
{
	if (pt->ops && pt->ops->sync_tables)
		pt->ops->sync_tables(pt->ops_ctx);
}

static void tlbi_range(const struct s2_pgtable *pt, uint64_t ipa, uint64_t size)
{
	if (pt->ops && pt->ops->tlbi_range)
		pt->ops->tlbi_range(pt->ops_ctx, pt->vmid, ipa, size);
}

/*
 * Replace a valid entry covering [ipa, ipa+size) by another: the walker
 * must never see both (TLB conflict), so invalidate in between.  Whatever
 * the new entry points to must be written before the call.
 */
static void break_before_make(const struct s2_pgtable *pt, uint64_t *ptep,
                              uint64_t new_pte, uint64_t ipa, uint64_t size)
{
	pte_write(ptep, 0);
	sync_tables(pt);
	tlbi_range(pt, ipa, size);
	pte_write(ptep, new_pte);
	sync_tables(pt);
}

/* ---- walks -----------------------------------------------------------------
 */

/*
 * Entry where the walk for ipa stops (first non-table entry).  The hot
 * path of lookups and page-state changes: no call, one load per level.
 */
static uint64_t *walk(const struct s2_pgtable *pt, uint64_t ipa,
                      unsigned *level_out)
{
	/* VA - PA of table memory, loaded once: a table entry's store could
	 * alias the pool's fields as far as the compiler knows. */
	uintptr_t va_off =
	        (uintptr_t)pt->pool->va_base - (uintptr_t)pt->pool->pa_base;
	unsigned level = pt->start_level;
	unsigned shift = level_shift(level);
	/* The root spans all concatenated tables; ipa < 2^ipa_bits bounds it.
	 */
	uint64_t *ptep = &pt->root[ipa >> shift];
	uint64_t pte = *ptep;

	while (level < LAST_LEVEL && (pte & PTE_TYPE_MASK) == PTE_TYPE_TABLE) {
		uint64_t *table =
		        (uint64_t *)(uintptr_t)((uintptr_t)pte_addr(pte) +
		                                va_off);

		level++;
		shift -= LEVEL_BITS;
		ptep = &table[(ipa >> shift) & (S2_ENTRIES_PER_TABLE - 1)];
		pte = *ptep;
	}
	*level_out = level;
	return ptep;
}

/* Calls to walk ranges: end of the chunk of [addr, end) in addr's entry. */
static uint64_t chunk_end(unsigned level, uint64_t addr, uint64_t end)
{
	uint64_t next = align_down(addr, level_size(level)) + level_size(level);

	return next < end ? next : end;
}

/* ---- init, destroy, VTCR ---------------------------------------------- */

int s2_init(struct s2_pgtable *pt, struct s2_pool *pool, unsigned ipa_bits,
            uint16_t vmid, const struct s2_mmu_ops *ops, void *ops_ctx)
{
	unsigned pages = s2_root_pages(ipa_bits);
	unsigned start;
	uint64_t *root;

	if (!pt || !pool || pages == 0)
		return -S2_EINVAL;
	root = s2_pool_alloc_contig(pool, pages);
	if (!root)
		return -S2_ENOMEM;
	start = start_level_for(ipa_bits);
	pt->fmt = S2_FMT_STAGE2;
	pt->root = root;
	pt->root_pa = s2_pool_pa(pool, root);
	pt->ipa_bits = ipa_bits;
	pt->start_level = start;
	pt->root_entries = 1U << (ipa_bits - level_shift(start));
	pt->vmid = vmid;
	pt->pool = pool;
	pt->ops = ops;
	pt->ops_ctx = ops_ctx;
	return S2_OK;
}

int s2_init_el2(struct s2_pgtable *pt, struct s2_pool *pool,
                const struct s2_mmu_ops *ops, void *ops_ctx)
{
	/* 48 bits: start level 0 with one 512-entry root, which is also
	 * what stage 1 (no concatenation, T0SZ 16) walks from. */
	int rc = s2_init(pt, pool, S2_EL2_VA_BITS, 0, ops, ops_ctx);

	if (rc == S2_OK)
		pt->fmt = S2_FMT_EL2;
	return rc;
}

static void free_subtables(struct s2_pgtable *pt, uint64_t *table,
                           unsigned level, size_t nr_entries)
{
	for (size_t i = 0; i < nr_entries; i++) {
		uint64_t *child;

		if (!pte_is_table(level, table[i]))
			continue;
		child = table_of(pt, table[i]);
		free_subtables(pt, child, level + 1, S2_ENTRIES_PER_TABLE);
		table[i] = 0;
		s2_pool_put(pt->pool, child);
	}
}

void s2_destroy(struct s2_pgtable *pt)
{
	unsigned pages;

	if (!pt_usable(pt))
		return;
	/* No walker may keep a cached pointer into pages we hand back. */
	tlbi_range(pt, 0, ipa_limit(pt));
	free_subtables(pt, pt->root, pt->start_level, pt->root_entries);
	pages = s2_root_pages(pt->ipa_bits);
	for (unsigned i = pages; i > 0; i--)
		s2_pool_put(pt->pool,
		            pt->root + (size_t)(i - 1) * S2_ENTRIES_PER_TABLE);
	pt->root = NULL;
	pt->root_pa = 0;
}

/* VTCR_EL2.PS encoding: the largest PA size not above pa_range_bits. */
static uint64_t vtcr_ps(unsigned pa_range_bits)
{
	static const unsigned ps_bits[] = {32, 36, 40, 42, 44, 48, 52};
	uint64_t ps = 0;

	for (unsigned i = 0; i < sizeof(ps_bits) / sizeof(ps_bits[0]); i++)
		if (pa_range_bits >= ps_bits[i])
			ps = i;
	return ps;
}

uint64_t s2_vtcr(const struct s2_pgtable *pt, unsigned pa_range_bits)
{
	/* SL0 with a 4 KiB granule: 0 = level 2, 1 = level 1, 2 = level 0. */
	uint64_t sl0 = 2U - pt->start_level;

	return S2_VTCR_RES1 | (vtcr_ps(pa_range_bits) << S2_VTCR_PS_SHIFT) |
	       S2_VTCR_TG0_4K | S2_VTCR_SH0_INNER | S2_VTCR_ORGN0_WBWA |
	       S2_VTCR_IRGN0_WBWA | (sl0 << S2_VTCR_SL0_SHIFT) |
	       ((64U - pt->ipa_bits) & S2_VTCR_T0SZ_MASK);
}

/* ---- worst-case page counts -------------------------------------------- */

size_t s2_pages_for_range(const struct s2_pgtable *pt, uint64_t ipa,
                          uint64_t size)
{
	uint64_t end;
	uint64_t pages = 0;

	if (!pt_usable(pt) || !range_valid(pt, ipa, size))
		return 0;
	end = ipa + size;
	/* Every table below the root that covers part of the range. */
	for (unsigned parent = pt->start_level; parent < LAST_LEVEL; parent++)
		pages += entries_touched(parent, ipa, end);
	return (size_t)pages;
}

size_t s2_el2_pages_for_range(uint64_t va, uint64_t size)
{
	uint64_t pages = 0;

	if (size == 0 || ((va | size) & (S2_GRANULE_SIZE - 1)) ||
	    va >= (1ULL << S2_EL2_VA_BITS) ||
	    size > (1ULL << S2_EL2_VA_BITS) - va)
		return 0;
	/* Start level 0 (s2_init_el2): tables at levels 1, 2 and 3. */
	for (unsigned parent = 0; parent < LAST_LEVEL; parent++)
		pages += entries_touched(parent, va, va + size);
	return (size_t)pages;
}

size_t s2_pages_for_split(const struct s2_pgtable *pt)
{
	/* A granule in an empty root entry needs one table per level below. */
	return pt ? LAST_LEVEL - pt->start_level : 0;
}

/*
 * Can the entry at `level` holding [addr, next) be one leaf mapping
 * addr + delta?  Always at level 3; at levels 1-2 if the chunk fills the
 * entry and the PA is aligned to it; never at level 0 (no such blocks).
 */
static bool fits_leaf(unsigned level, uint64_t addr, uint64_t next,
                      uint64_t delta)
{
	uint64_t size = level_size(level);

	if (level == LAST_LEVEL)
		return true;
	return level >= 1 && next - addr == size &&
	       ((addr + delta) & (size - 1)) == 0;
}

/*
 * Tables that mapping [addr, end) creates inside a new, empty table at
 * `level`: an entry of a level becomes a table unless one leaf fills it.
 * Leaves can fill only the entries the range covers whole (and only if
 * the PA offset is aligned), so all other touched entries count.
 */
static uint64_t tables_below_new(unsigned level, uint64_t addr, uint64_t end,
                                 uint64_t delta)
{
	uint64_t pages = 0;

	for (unsigned l = level; l < LAST_LEVEL; l++) {
		uint64_t touched = entries_touched(l, addr, end);

		if (l == 0 || (delta & (level_size(l) - 1)))
			pages += touched;
		else
			pages += touched - entries_covered(l, addr, end);
	}
	return pages;
}

/*
 * The checks of a map, before anything is written: false if a valid leaf
 * lies in [addr, end); otherwise adds to *pages exactly the number of
 * tables map_range() will create (existing tables are reused).
 */
static bool map_check(const struct s2_pgtable *pt, const uint64_t *table,
                      unsigned level, uint64_t addr, uint64_t end,
                      uint64_t delta, uint64_t *pages)
{
	while (addr < end) {
		uint64_t next = chunk_end(level, addr, end);
		uint64_t pte = table[entry_index(pt, level, addr)];

		if (pte_is_table(level, pte)) {
			if (!map_check(pt, table_of(pt, pte), level + 1, addr,
			               next, delta, pages))
				return false;
		} else if (pte_is_leaf(level, pte)) {
			return false;
		} else if (!fits_leaf(level, addr, next, delta)) {
			*pages += 1 + tables_below_new(level + 1, addr, next,
			                               delta);
		}
		addr = next;
	}
	return true;
}

/*
 * Tables an unmap of [addr, end) creates: each partially covered block is
 * split into a table of smaller blocks, whose partially covered blocks are
 * split in turn.
 */
static uint64_t unmap_splits(const struct s2_pgtable *pt, const uint64_t *table,
                             unsigned level, uint64_t addr, uint64_t end)
{
	uint64_t pages = 0;

	while (addr < end) {
		uint64_t next = chunk_end(level, addr, end);
		uint64_t pte = table[entry_index(pt, level, addr)];

		if (pte_is_table(level, pte)) {
			pages += unmap_splits(pt, table_of(pt, pte), level + 1,
			                      addr, next);
		} else if (pte_is_leaf(level, pte) &&
		           next - addr != level_size(level)) {
			pages++;
			for (unsigned l = level + 1; l < LAST_LEVEL; l++)
				pages += entries_touched(l, addr, next) -
				         entries_covered(l, addr, next);
		}
		addr = next;
	}
	return pages;
}

/*
 * Reserve the worst case of an update; *mark remembers the reservations
 * held before, so that release() gives back exactly what the update did
 * not use.
 */
static bool reserve(const struct s2_pgtable *pt, uint64_t pages, size_t *mark)
{
	*mark = pt->pool->nr_reserved;
	return pages <= SIZE_MAX && s2_pool_reserve(pt->pool, (size_t)pages);
}

static void release(const struct s2_pgtable *pt, size_t mark)
{
	s2_pool_unreserve(pt->pool, pt->pool->nr_reserved - mark);
}

/* ---- map --------------------------------------------------------------- */

struct map_args {
	uint64_t delta; /* pa - ipa, modulo 2^64 */
	uint64_t attrs; /* leaf attributes and software bits */
};

static void map_range(struct s2_pgtable *pt, uint64_t *table, unsigned level,
                      uint64_t addr, uint64_t end, const struct map_args *args);

/* A new table for [addr, next) at level+1, filled before it is linked. */
static void map_new_table(struct s2_pgtable *pt, uint64_t *ptep, unsigned level,
                          uint64_t addr, uint64_t next,
                          const struct map_args *args)
{
	uint64_t *child = s2_pool_take_reserved(pt->pool);

	map_range(pt, child, level + 1, addr, next, args);
	sync_tables(pt);
	pte_write(ptep, make_table(pt, child));
}

static void map_range(struct s2_pgtable *pt, uint64_t *table, unsigned level,
                      uint64_t addr, uint64_t end, const struct map_args *args)
{
	while (addr < end) {
		uint64_t next = chunk_end(level, addr, end);
		uint64_t *ptep = &table[entry_index(pt, level, addr)];

		/* map_check() left no valid leaf here: empty or annotated. */
		if (pte_is_table(level, *ptep))
			map_range(pt, table_of(pt, *ptep), level + 1, addr,
			          next, args);
		else if (fits_leaf(level, addr, next, args->delta))
			pte_write(ptep, make_leaf(level, addr + args->delta,
			                          args->attrs));
		else
			map_new_table(pt, ptep, level, addr, next, args);
		addr = next;
	}
}

int s2_map(struct s2_pgtable *pt, uint64_t ipa, uint64_t pa, uint64_t size,
           enum s2_mem_type type, enum s2_page_state state)
{
	struct map_args args;
	uint64_t pages;
	size_t mark;

	if (!pt_usable(pt) || !range_valid(pt, ipa, size) ||
	    !state_valid(state) || leaf_attrs(pt, type) == 0)
		return -S2_EINVAL;
	if ((pa & (S2_GRANULE_SIZE - 1)) || pa >= (1ULL << MAX_PA_BITS) ||
	    size > (1ULL << MAX_PA_BITS) - pa)
		return -S2_EINVAL;
	args.delta = pa - ipa;
	pages = 0;
	if (!map_check(pt, pt->root, pt->start_level, ipa, ipa + size,
	               args.delta, &pages))
		return -S2_EEXIST;
	args.attrs = leaf_attrs(pt, type) | state_bits(state);
	if (!reserve(pt, pages, &mark))
		return -S2_ENOMEM;

	map_range(pt, pt->root, pt->start_level, ipa, ipa + size, &args);
	sync_tables(pt);
	release(pt, mark);
	return S2_OK;
}

/* ---- unmap ------------------------------------------------------------- */

struct unmap_ctx {
	uint64_t *to_free; /* unlinked tables, freed after the final TLBI */
	bool need_tlbi;
};

static bool table_is_empty(const uint64_t *table)
{
	for (size_t i = 0; i < S2_ENTRIES_PER_TABLE; i++)
		if (table[i])
			return false;
	return true;
}

/*
 * Table at level+1 mapping what the block `pte` at `level` maps, with the
 * same attributes and software bits in every entry.
 */
static uint64_t *split_block(struct s2_pgtable *pt, uint64_t pte,
                             unsigned level)
{
	uint64_t *table = s2_pool_take_reserved(pt->pool);
	uint64_t child_size = level_size(level + 1);
	uint64_t attrs = pte_leaf_attrs(pte);
	uint64_t pa = pte_addr(pte);

	for (size_t i = 0; i < S2_ENTRIES_PER_TABLE; i++)
		table[i] = make_leaf(level + 1, pa + i * child_size, attrs);
	return table;
}

static void unmap_range(struct s2_pgtable *pt, uint64_t *table, unsigned level,
                        uint64_t addr, uint64_t end, struct unmap_ctx *ctx)
{
	uint64_t size = level_size(level);

	while (addr < end) {
		uint64_t next = chunk_end(level, addr, end);
		uint64_t *ptep = &table[entry_index(pt, level, addr)];
		bool full = next - addr == size;
		uint64_t *child;

		if (pte_is_leaf(level, *ptep) && full) {
			pte_write(ptep, 0);
			ctx->need_tlbi = true;
		} else if (pte_is_leaf(level, *ptep)) {
			uint64_t base = align_down(addr, size);

			child = split_block(pt, *ptep, level);
			break_before_make(pt, ptep, make_table(pt, child), base,
			                  size);
		} else if (!pte_is_table(level, *ptep)) {
			/* Empty or annotated: unmapping clears annotations. */
			if (*ptep && full)
				pte_write(ptep, 0);
		}
		if (pte_is_table(level, *ptep)) {
			child = table_of(pt, *ptep);
			unmap_range(pt, child, level + 1, addr, next, ctx);
			if (full || table_is_empty(child)) {
				pte_write(ptep, 0);
				ctx->need_tlbi = true;
				child[0] = (uint64_t)(uintptr_t)ctx->to_free;
				ctx->to_free = child;
			}
		}
		addr = next;
	}
}

int s2_unmap(struct s2_pgtable *pt, uint64_t ipa, uint64_t size)
{
	struct unmap_ctx ctx = {NULL, false};
	size_t mark;

	if (!pt_usable(pt) || !range_valid(pt, ipa, size))
		return -S2_EINVAL;
	if (!reserve(pt,
	             unmap_splits(pt, pt->root, pt->start_level, ipa,
	                          ipa + size),
	             &mark))
		return -S2_ENOMEM;

	unmap_range(pt, pt->root, pt->start_level, ipa, ipa + size, &ctx);
	if (ctx.need_tlbi) {
		sync_tables(pt);
		tlbi_range(pt, ipa, size);
	}
	while (ctx.to_free) {
		uint64_t *page = ctx.to_free;

		ctx.to_free = (uint64_t *)(uintptr_t)page[0];
		s2_pool_put(pt->pool, page);
	}
	release(pt, mark);
	return S2_OK;
}

/* ---- lookup, page state, annotations ---------------------------------- */

int s2_lookup(const struct s2_pgtable *pt, uint64_t ipa, struct s2_leaf *out)
{
	unsigned level;
	const uint64_t *ptep;

	if (!pt_usable(pt) || !out || ipa >= ipa_limit(pt))
		return -S2_EINVAL;
	ptep = walk(pt, ipa, &level);
	out->pte = *ptep;
	out->level = level;
	out->size = level_size(level);
	out->valid = pte_is_leaf(level, *ptep);
	return S2_OK;
}

/*
 * Tables from level+1 down to level 3 replacing the block `pte` at `level`
 * around ipa: same translation everywhere.  Returns the top table; *leafp
 * is the level-3 entry of ipa, for the caller to change before linking.
 */
static uint64_t *split_down_to_page(struct s2_pgtable *pt, uint64_t pte,
                                    unsigned level, uint64_t ipa,
                                    uint64_t **leafp)
{
	uint64_t *top = split_block(pt, pte, level);
	uint64_t *link = &top[entry_index(pt, level + 1, ipa)];

	for (level++; level < LAST_LEVEL; level++) {
		uint64_t *table = split_block(pt, *link, level);

		*link = make_table(pt, table);
		link = &table[entry_index(pt, level + 1, ipa)];
	}
	*leafp = link;
	return top;
}

/* The same change as a prepare/commit pair, from whatever state the
 * granule is in: one code path for both interfaces. */
int s2_set_page_state(struct s2_pgtable *pt, uint64_t ipa,
                      enum s2_page_state state, uint64_t *pa)
{
	struct s2_page_change chg;
	struct s2_leaf leaf;
	int rc;

	if (!pt_usable(pt) || !state_valid(state) || ipa >= ipa_limit(pt) ||
	    (ipa & (S2_GRANULE_SIZE - 1)))
		return -S2_EINVAL;
	(void)s2_lookup(pt, ipa, &leaf);
	if (!leaf.valid)
		return -S2_ENOENT;
	rc = s2_prepare_page_state(pt, ipa, s2_pte_state(leaf.pte), state,
	                           &chg);
	if (rc != S2_OK)
		return rc;
	if (pa)
		*pa = chg.pa;
	s2_commit_page_state(pt, &chg);
	return S2_OK;
}

/* Table pages a prepared change reserved: split_down_to_page takes one
 * per level below a block that changes state, nothing else does. */
static size_t split_pages(const struct s2_page_change *chg)
{
	if (chg->level == LAST_LEVEL || s2_pte_state(chg->pte) == chg->to)
		return 0;
	return LAST_LEVEL - chg->level;
}

/* Out of line, like s2_commit_in_block: pages never need it. */
static __attribute__((noinline)) bool
reserve_split(struct s2_pgtable *pt, const struct s2_page_change *chg)
{
	return s2_pool_reserve(pt->pool, split_pages(chg));
}

int s2_prepare_page_state(struct s2_pgtable *pt, uint64_t ipa,
                          enum s2_page_state from, enum s2_page_state to,
                          struct s2_page_change *chg)
{
	unsigned level;
	uint64_t *ptep;
	uint64_t pte;

	if (!pt_usable(pt) || !state_valid(from) || !state_valid(to) ||
	    ipa >= ipa_limit(pt) || (ipa & (S2_GRANULE_SIZE - 1)))
		return -S2_EINVAL;
	ptep = walk(pt, ipa, &level);
	pte = *ptep;
	if (!pte_is_leaf(level, pte))
		return -S2_ENOENT;
	if (s2_pte_state(pte) != from)
		return -S2_ESTATE;
	chg->ptep = ptep;
	chg->pte = pte;
	chg->ipa = ipa;
	chg->pa = pte_addr(pte) + (ipa & (level_size(level) - 1));
	chg->level = level;
	chg->to = to;
	if (level != LAST_LEVEL && from != to && !reserve_split(pt, chg))
		return -S2_ENOMEM;
	return S2_OK;
}

/* The commit of a change inside a block: split it down to the granule
 * (break-before-make).  Out of line: the hypercalls' pages never get here,
 * and its frame would otherwise slow their path down. */
void s2_commit_in_block(struct s2_pgtable *pt, const struct s2_page_change *chg)
{
	uint64_t *leaf;
	uint64_t *top;

	CHECK(*chg->ptep == chg->pte);
	if (split_pages(chg) == 0)
		return; /* a block already in that state stays whole */
	/* Takes exactly the split_pages(chg) pages the prepare reserved. */
	top = split_down_to_page(pt, chg->pte, chg->level, chg->ipa, &leaf);
	*leaf = (*leaf & ~S2_PTE_SW_STATE_MASK) | state_bits(chg->to);
	break_before_make(pt, chg->ptep, make_table(pt, top),
	                  align_down(chg->ipa, level_size(chg->level)),
	                  level_size(chg->level));
}

void s2_cancel_page_state(struct s2_pgtable *pt,
                          const struct s2_page_change *chg)
{
	s2_pool_unreserve(pt->pool, split_pages(chg));
}

int s2_annotate(struct s2_pgtable *pt, uint64_t ipa, uint64_t annotation)
{
	unsigned level;
	uint64_t *ptep;
	uint64_t *top;
	uint64_t *link;
	size_t mark;

	if (!pt_usable(pt) || ipa >= ipa_limit(pt) ||
	    (ipa & (S2_GRANULE_SIZE - 1)) || annotation == 0 ||
	    (annotation & S2_PTE_VALID))
		return -S2_EINVAL;
	ptep = walk(pt, ipa, &level);
	if (pte_is_leaf(level, *ptep))
		return -S2_EEXIST;
	if (level == LAST_LEVEL) {
		pte_write(ptep, annotation);
		return S2_OK;
	}
	if (!reserve(pt, LAST_LEVEL - level, &mark))
		return -S2_ENOMEM;
	/* Empty tables down to level 3, built before they become visible. */
	top = s2_pool_take_reserved(pt->pool);
	link = &top[entry_index(pt, level + 1, ipa)];
	for (unsigned l = level + 2; l <= LAST_LEVEL; l++) {
		uint64_t *table = s2_pool_take_reserved(pt->pool);

		*link = make_table(pt, table);
		link = &table[entry_index(pt, l, ipa)];
	}
	*link = annotation;
	sync_tables(pt);
	pte_write(ptep, make_table(pt, top));
	sync_tables(pt);
	release(pt, mark);
	return S2_OK;
}

/* ---- pre-built tables and single-granule leaves ------------------------ */

/*
 * Tables a pre-build of [addr, end) creates below the table at `level`:
 * false if a valid block lies in the range.
 */
static bool prebuild_check(const struct s2_pgtable *pt, const uint64_t *table,
                           unsigned level, uint64_t addr, uint64_t end,
                           uint64_t *pages)
{
	while (addr < end) {
		uint64_t next = chunk_end(level, addr, end);
		uint64_t pte = table[entry_index(pt, level, addr)];

		if (pte_is_table(level, pte)) {
			if (level + 1 < LAST_LEVEL &&
			    !prebuild_check(pt, table_of(pt, pte), level + 1,
			                    addr, next, pages))
				return false;
		} else if (pte_is_leaf(level, pte)) {
			return false;
		} else {
			/* A new table here, and every table below it. */
			*pages += 1;
			for (unsigned l = level + 1; l < LAST_LEVEL; l++)
				*pages += entries_touched(l, addr, next);
		}
		addr = next;
	}
	return true;
}

static void prebuild_range(struct s2_pgtable *pt, uint64_t *table,
                           unsigned level, uint64_t addr, uint64_t end)
{
	while (addr < end) {
		uint64_t next = chunk_end(level, addr, end);
		uint64_t *ptep = &table[entry_index(pt, level, addr)];

		if (!pte_is_table(level, *ptep)) {
			/* Empty (prebuild_check): fill, then link. */
			uint64_t *child = s2_pool_take_reserved(pt->pool);

			if (level + 1 < LAST_LEVEL)
				prebuild_range(pt, child, level + 1, addr,
				               next);
			sync_tables(pt);
			pte_write(ptep, make_table(pt, child));
		} else if (level + 1 < LAST_LEVEL) {
			prebuild_range(pt, table_of(pt, *ptep), level + 1, addr,
			               next);
		}
		addr = next;
	}
}

int s2_prebuild(struct s2_pgtable *pt, uint64_t addr, uint64_t size)
{
	uint64_t pages = 0;
	size_t mark;

	if (!pt_usable(pt) || !range_valid(pt, addr, size))
		return -S2_EINVAL;
	if (!prebuild_check(pt, pt->root, pt->start_level, addr, addr + size,
	                    &pages))
		return -S2_EEXIST;
	if (!reserve(pt, pages, &mark))
		return -S2_ENOMEM;
	prebuild_range(pt, pt->root, pt->start_level, addr, addr + size);
	sync_tables(pt);
	release(pt, mark);
	return S2_OK;
}

static bool granule_args_valid(const struct s2_pgtable *pt, uint64_t addr)
{
	return pt_usable(pt) && addr < ipa_limit(pt) &&
	       (addr & (S2_GRANULE_SIZE - 1)) == 0;
}

int s2_map_page(struct s2_pgtable *pt, uint64_t addr, uint64_t pa,
                enum s2_mem_type type)
{
	uint64_t attrs = leaf_attrs(pt, type);
	unsigned level;
	uint64_t *ptep;
	uint64_t pte;

	if (!granule_args_valid(pt, addr) || attrs == 0 ||
	    (pa & (S2_GRANULE_SIZE - 1)) || pa >= (1ULL << MAX_PA_BITS))
		return -S2_EINVAL;
	ptep = walk(pt, addr, &level);
	if (level != LAST_LEVEL)
		return pte_is_leaf(level, *ptep) ? -S2_EEXIST : -S2_ENOENT;
	pte = make_leaf(LAST_LEVEL, pa, attrs);
	if (pte_is_leaf(LAST_LEVEL, *ptep))
		return *ptep == pte ? S2_OK : -S2_EEXIST;
	pte_write(ptep, pte);
	sync_tables(pt);
	return S2_OK;
}

int s2_unmap_page(struct s2_pgtable *pt, uint64_t addr)
{
	unsigned level;
	uint64_t *ptep;

	if (!granule_args_valid(pt, addr))
		return -S2_EINVAL;
	ptep = walk(pt, addr, &level);
	if (level != LAST_LEVEL)
		return pte_is_leaf(level, *ptep) ? -S2_EEXIST : S2_OK;
	if (!pte_is_leaf(LAST_LEVEL, *ptep))
		return S2_OK;
	/* tlbi_range orders the store before the invalidation (DSB ISHST
	 * first on hardware): no separate sync. */
	pte_write(ptep, 0);
	tlbi_range(pt, addr, S2_GRANULE_SIZE);
	return S2_OK;
}

int s2_leaf_tables(const struct s2_pgtable *pt, uint64_t addr, uint64_t size,
                   uint64_t **out)
{
	uint64_t end;
	size_t i = 0;

	if (!pt_usable(pt) || !out || !range_valid(pt, addr, size))
		return -S2_EINVAL;
	end = addr + size;
	for (uint64_t r = align_down(addr, level_size(2)); r < end;
	     r += level_size(2)) {
		unsigned level;
		const uint64_t *ptep = walk(pt, r, &level);

		/* walk() stops at level 3 only through a level-2 table entry;
		 * the table holding ptep is that level-3 table. */
		if (level != LAST_LEVEL)
			return -S2_ENOENT;
		out[i++] = (uint64_t *)(uintptr_t)ptep -
		           entry_index(pt, LAST_LEVEL, r);
	}
	return S2_OK;
}

uint64_t s2_page_desc(const struct s2_pgtable *pt, uint64_t pa,
                      enum s2_mem_type type)
{
	uint64_t attrs = pt ? leaf_attrs(pt, type) : 0;

	return attrs ? make_leaf(LAST_LEVEL, pa & S2_PTE_ADDR_MASK, attrs) : 0;
}
