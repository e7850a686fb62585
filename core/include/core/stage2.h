/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation tables, portable C -- and, with the same code, the
 * hypervisor's own EL2 stage-1 tables (s2_init_el2: one engine for both).
 *
 * 4 KiB granule, VMSAv8-64 stage-2 descriptor format, IPA sizes 32..48 bits
 * (40 by default, as KVM).  Mappings use the largest block that fits
 * (1 GiB at level 1, 2 MiB at level 2, 4 KiB pages at level 3).  Changing a
 * single granule inside a block splits the block (break-before-make).
 *
 * Software bits 56:55 of a valid leaf carry the pKVM page state of a
 * protected VM's granule; an invalid leaf with bit 0 clear may carry an
 * annotation (bits 63:1 non-zero), used for MMIO-guarded granules.
 *
 * All table memory comes from a struct s2_pool that is filled up-front;
 * every update first reserves the table pages it may need (and fails with
 * -S2_ENOMEM without touching the tables if it cannot), then commits, which
 * cannot fail.
 */
#ifndef CORE_STAGE2_H
#define CORE_STAGE2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <core/check.h>

#define S2_GRANULE_SHIFT     12
#define S2_GRANULE_SIZE      (1ULL << S2_GRANULE_SHIFT)
#define S2_LEVEL2_BLOCK      (1ULL << 21)
#define S2_LEVEL1_BLOCK      (1ULL << 30)
#define S2_ENTRIES_PER_TABLE 512U
#define S2_MIN_IPA_BITS      32U
#define S2_MAX_IPA_BITS      48U
#define S2_DEFAULT_IPA_BITS  40U
/* At most 16 concatenated tables at the start level (VMSAv8-64). */
#define S2_MAX_ROOT_PAGES    16U

/* Error codes (negative). */
#define S2_OK     0
#define S2_EINVAL 1 /* misaligned, out of range, overlapping, bad args */
#define S2_ENOMEM 2 /* the pool cannot cover the worst case of the update */
#define S2_ENOENT 3 /* nothing mapped there */
#define S2_EEXIST 4 /* something already mapped there */
#define S2_ESTATE 5 /* the granule is not in the state the caller expects */

/* Descriptor bits (stage 2). */
#define S2_PTE_VALID                (1ULL << 0)
#define S2_PTE_TABLE                (1ULL << 1) /* at levels 0-2: table; at level 3: page */
#define S2_PTE_MEMATTR_SHIFT        2
#define S2_PTE_MEMATTR_MASK         (0xFULL << 2)
#define S2_PTE_MEMATTR_NORMAL_WB    (0xFULL << 2)
#define S2_PTE_MEMATTR_DEVICE_nGnRE (0x1ULL << 2)
#define S2_PTE_S2AP_R               (1ULL << 6)
#define S2_PTE_S2AP_W               (1ULL << 7)
#define S2_PTE_SH_INNER             (3ULL << 8)
#define S2_PTE_AF                   (1ULL << 10)
#define S2_PTE_XN                   (2ULL << 53) /* XN[1:0] = 0b10: not executable at EL1/EL0 */
#define S2_PTE_SW_STATE_SHIFT       55
#define S2_PTE_SW_STATE_MASK        (3ULL << 55)
#define S2_PTE_ADDR_MASK            0x0000FFFFFFFFF000ULL

/* Lower+upper attributes of the two kinds of leaf (without bits 1:0). */
#define S2_PTE_ATTRS_NORMAL                                                    \
	(S2_PTE_MEMATTR_NORMAL_WB | S2_PTE_S2AP_R | S2_PTE_S2AP_W |            \
	 S2_PTE_SH_INNER | S2_PTE_AF)
#define S2_PTE_ATTRS_DEVICE                                                    \
	(S2_PTE_MEMATTR_DEVICE_nGnRE | S2_PTE_S2AP_R | S2_PTE_S2AP_W |         \
	 S2_PTE_SH_INNER | S2_PTE_AF | S2_PTE_XN)

#define S2_PTE_ATTRS_NORMAL_RO                                                 \
	(S2_PTE_MEMATTR_NORMAL_WB | S2_PTE_S2AP_R | S2_PTE_SH_INNER |          \
	 S2_PTE_AF | S2_PTE_XN)

/* VTCR_EL2 fields written by s2_vtcr(). */
#define S2_VTCR_T0SZ_MASK  0x3FULL
#define S2_VTCR_SL0_SHIFT  6
#define S2_VTCR_IRGN0_WBWA (1ULL << 8)
#define S2_VTCR_ORGN0_WBWA (1ULL << 10)
#define S2_VTCR_SH0_INNER  (3ULL << 12)
#define S2_VTCR_TG0_4K     (0ULL << 14)
#define S2_VTCR_PS_SHIFT   16
#define S2_VTCR_RES1       (1ULL << 31)

/* Page state of a granule, kept in the software bits of its valid leaf. */
enum s2_page_state {
	S2_STATE_OWNED = 0, /* private to the guest (or normal VM RAM) */
	S2_STATE_SHARED_OWNED =
	        1, /* owned by the guest, shared with the host */
};

/*
 * What a mapping is.  Stage 2: NORMAL is RWX, DEVICE RW+XN; TEXT and
 * RODATA do not exist there (-S2_EINVAL).  EL2 stage 1 is W^X: NORMAL is
 * RW+XN (data, stacks, pools, guest RAM seen by the host side), DEVICE
 * RW+XN, TEXT read-only+executable, RODATA read-only+XN.  NORMAL_RO is
 * stage 2 only (read-only, XN).
 */
enum s2_mem_type {
	S2_MEM_NORMAL,
	S2_MEM_DEVICE,
	S2_MEM_TEXT,
	S2_MEM_RODATA,
	S2_MEM_NORMAL_RO, /* stage 2 only: read-only, XN: hypervisor data the
	                   * guest may read (the PV-time page) */
};

/* Descriptor format of a table tree (same geometry, different leaf bits). */
enum s2_format {
	S2_FMT_STAGE2, /* VMSAv8-64 stage 2: MemAttr, S2AP, XN[1:0] */
	S2_FMT_EL2,    /* EL2 stage 1 (E2H=0): AttrIndx, AP[2:1], XN; no nG */
};

/*
 * EL2 stage-1 descriptor bits.  MAIR_EL2 must hold Device-nGnRE at index
 * 0 and Normal WB at index 1 (S2_EL2_MAIR).  AP[1] (bit 6) is RES1 in a
 * one-privilege-level regime; AP[2] (bit 7) set = read-only.  XN is bit
 * 54 (the same bit as stage 2's XN[1]).
 */
#define S2_EL2_PTE_ATTRIDX_DEVICE (0ULL << 2)
#define S2_EL2_PTE_ATTRIDX_NORMAL (1ULL << 2)
#define S2_EL2_PTE_AP_RES1        (1ULL << 6)
#define S2_EL2_PTE_AP_RO          (1ULL << 7)
#define S2_EL2_PTE_XN             (1ULL << 54)
#define S2_EL2_MAIR               (0x04ULL | (0xFFULL << 8))
#define S2_EL2_VA_BITS            48U

/*
 * Table-page pool.  Pages are S2_GRANULE_SIZE and aligned to it.  The pool
 * knows the physical address of its memory so that tables hold PAs while
 * the code writes through VAs (identity in the hypervisor, malloc in tests).
 */
struct s2_pool {
	uint8_t *va_base;
	uint64_t pa_base;
	size_t nr_pages;
	uint64_t *free_list; /* singly linked through the first word */
	size_t nr_free;
	size_t nr_reserved; /* pages promised to an update in progress */
};

/* Hardware operations the table code needs; faked in host tests. */
struct s2_mmu_ops {
	/* Invalidate stage-2 TLB entries of vmid covering [ipa, ipa+size)
	 * (EL2 entries of that VA range for an s2_init_el2 table), after
	 * every table write before the call (DSB ISHST first on hardware),
	 * and complete before returning. */
	void (*tlbi_range)(void *ctx, uint16_t vmid, uint64_t ipa,
	                   uint64_t size);
	/* Make table writes visible to the walker (DSB ISHST on hardware). */
	void (*sync_tables)(void *ctx);
};

struct s2_pgtable {
	enum s2_format fmt;
	uint64_t *root;
	uint64_t root_pa;
	unsigned ipa_bits;
	unsigned start_level;  /* 0..2 */
	unsigned root_entries; /* entries across the concatenated root tables */
	uint16_t vmid;
	struct s2_pool *pool;
	const struct s2_mmu_ops *ops;
	void *ops_ctx;
};

/* Result of a lookup of one IPA. */
struct s2_leaf {
	uint64_t pte; /* the leaf descriptor, or the invalid/annotated entry */
	unsigned level; /* level at which the walk stopped */
	uint64_t size;  /* bytes covered by that entry */
	bool valid;     /* a valid page or block mapping */
};

/*
 * va and pa must be granule-aligned (otherwise the pool is left empty).
 * A pool is not thread-safe: its users serialize (one pool per VM, used
 * under the VM's lock, is the intended arrangement).
 */
void s2_pool_init(struct s2_pool *pool, void *va, uint64_t pa, size_t nr_pages);
/* Pages on the free list (reserved ones included). */
size_t s2_pool_free_pages(const struct s2_pool *pool);

/*
 * The pool's two-phase interface, used by the table code.  reserve() fails
 * (and reserves nothing) unless nr unreserved free pages exist; take() then
 * cannot fail for as many pages as were reserved; unreserve() gives back
 * what an update did not use.  Pages come out zeroed.
 */
bool s2_pool_reserve(struct s2_pool *pool, size_t nr);
void s2_pool_unreserve(struct s2_pool *pool, size_t nr);
uint64_t *s2_pool_take_reserved(struct s2_pool *pool);
/* nr (a power of two) physically contiguous zeroed pages aligned to
 * nr * S2_GRANULE_SIZE, or NULL.  Not part of a reservation. */
uint64_t *s2_pool_alloc_contig(struct s2_pool *pool, size_t nr);
void s2_pool_put(struct s2_pool *pool, uint64_t *page);

/* PA of a pool page from its VA and back (tables hold PAs). */
static inline uint64_t s2_pool_pa(const struct s2_pool *pool, const void *va)
{
	return pool->pa_base +
	       (uint64_t)((uintptr_t)va - (uintptr_t)pool->va_base);
}

static inline uint64_t *s2_pool_va(const struct s2_pool *pool, uint64_t pa)
{
	return (uint64_t *)(void *)(pool->va_base +
	                            (size_t)(pa - pool->pa_base));
}

/*
 * VTCR_EL2 T0SZ/SL0 choice; also how many root pages s2_init takes (0 for
 * an IPA size outside 32..48).  The start level is KVM's: the deepest with
 * at most 16 concatenated root tables (32-34 bits: level 2, 35-43: level 1,
 * 44-48: level 0).  Details: docs/stage2.md.
 */
unsigned s2_root_pages(unsigned ipa_bits);
/*
 * Takes the (contiguous, size-aligned) root from the pool: -S2_EINVAL for a
 * bad IPA size or NULL pt/pool, -S2_ENOMEM if no such run is free; *pt is
 * written only on success.  ops (or either callback) may be NULL, meaning
 * "nothing to maintain" -- for host tests; the hypervisor passes real ones.
 */
int s2_init(struct s2_pgtable *pt, struct s2_pool *pool, unsigned ipa_bits,
            uint16_t vmid, const struct s2_mmu_ops *ops, void *ops_ctx);
/*
 * The hypervisor's EL2 stage-1 table: 48-bit VA (T0SZ 16), start level 0,
 * one root page, format S2_FMT_EL2.  Every function below works on it with
 * "IPA" read as "EL2 VA"; ops->tlbi_range gets vmid 0 and must invalidate
 * EL2 entries (TLBI VAE2IS/ALLE2IS).  Page states and annotations are not
 * used there.  Errors as s2_init.
 */
int s2_init_el2(struct s2_pgtable *pt, struct s2_pool *pool,
                const struct s2_mmu_ops *ops, void *ops_ctx);
/*
 * Invalidates the whole IPA space of the VMID, then returns all table pages
 * (including the root) to the pool; pt->root becomes NULL and every later
 * call on pt returns -S2_EINVAL.
 */
void s2_destroy(struct s2_pgtable *pt);
/* VTCR_EL2 fields (T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS) for this table. */
uint64_t s2_vtcr(const struct s2_pgtable *pt, unsigned pa_range_bits);

/*
 * Table pages an update of [ipa, ipa+size) may need in the worst case:
 * callers that must not fail later reserve this much at VM creation.
 *
 * s2_pages_for_range: every table below the root that can exist for the
 * range (all of it split down to pages).  While the pool has this many
 * pages beyond what other ranges use, no map/unmap/set_page_state/annotate
 * confined to the range fails with -S2_ENOMEM.  0 for an invalid range.
 * s2_pages_for_split: the most one single-granule update may take
 * (set_page_state in a 1 GiB block: 2; annotate under an empty root
 * entry: 3 - start level).
 * Updates themselves reserve exactly what they will create, so a pool
 * with fewer pages still serves every update that fits.
 */
size_t s2_pages_for_range(const struct s2_pgtable *pt, uint64_t ipa,
                          uint64_t size);
size_t s2_pages_for_split(const struct s2_pgtable *pt);
/* s2_pages_for_range for an EL2 table (s2_init_el2), before it exists:
 * what sizes its pool. */
size_t s2_el2_pages_for_range(uint64_t va, uint64_t size);

/*
 * Map [ipa, ipa+size) to [pa, pa+size): all granule-aligned, inside the IPA
 * space, nothing valid there yet (-S2_EEXIST otherwise; annotated invalid
 * entries count as empty).  Largest possible blocks.  Leaves carry `state`.
 */
int s2_map(struct s2_pgtable *pt, uint64_t ipa, uint64_t pa, uint64_t size,
           enum s2_mem_type type, enum s2_page_state state);
/*
 * Unmap [ipa, ipa+size), splitting blocks at the edges; TLBs invalidated
 * (one TLBI of the range at the end) before it returns.  Also clears
 * annotations in the range.  Tables left empty are freed after the TLBI.
 * Unmapping a range with nothing in it succeeds and does nothing.
 * -S2_EINVAL: misaligned/empty/outside; -S2_ENOMEM: a needed split does
 * not fit (nothing changed).
 */
int s2_unmap(struct s2_pgtable *pt, uint64_t ipa, uint64_t size);
/*
 * Look up one IPA; returns S2_OK or -S2_EINVAL if beyond the IPA space.
 * A plain walk: no allocation, no write.
 */
int s2_lookup(const struct s2_pgtable *pt, uint64_t ipa, struct s2_leaf *out);
/*
 * Change the software page state of the granule at ipa (valid mapping
 * required), splitting the enclosing block first if it is one.  Returns the
 * PA of the granule through *pa (may be NULL).  A change of software bits
 * alone needs no TLB maintenance; a split does break-before-make.  A block
 * already in `state` is left whole.  ipa must be granule-aligned
 * (-S2_EINVAL), mapped (-S2_ENOENT); -S2_ENOMEM if a split does not fit.
 * On an already-split page this is one walk and one store.
 */
int s2_set_page_state(struct s2_pgtable *pt, uint64_t ipa,
                      enum s2_page_state state, uint64_t *pa);
/*
 * A page-state change of one granule, in two steps (Hafnium's
 * prepare/commit, pKVM's check-then-commit):
 *
 *   s2_prepare_page_state: walk, check that ipa (aligned, inside the IPA
 *     space: -S2_EINVAL) is validly mapped (-S2_ENOENT) in state `from`
 *     (-S2_ESTATE), and reserve the table pages a block split will take
 *     (-S2_ENOMEM).  Writes nothing to the tables; on error *chg is
 *     undefined and nothing is reserved.  chg->pa is the granule's PA.
 *   s2_commit_page_state: put the granule in state `to`.  Cannot fail:
 *     whatever could fail was checked or reserved, and a leaf changed
 *     since the prepare is a bug of the caller (CHECK).  On a 4 KiB leaf
 *     this is one store and no TLBI (software bits only); a block is split
 *     first (break-before-make).
 *   s2_cancel_page_state: give back what the prepare reserved instead.
 *
 * Between the two the caller may act on the verdict (UNSHARE revokes the
 * host's access there), but nothing else may update pt: the VM lock.
 */
struct s2_page_change {
	uint64_t *ptep; /* the leaf (page or block) holding the granule */
	uint64_t pte;   /* its value at prepare time */
	uint64_t ipa;
	uint64_t pa; /* PA of the granule */
	unsigned level;
	enum s2_page_state to;
};
int s2_prepare_page_state(struct s2_pgtable *pt, uint64_t ipa,
                          enum s2_page_state from, enum s2_page_state to,
                          struct s2_page_change *chg);
/* The block case of s2_commit_page_state (below), out of line. */
void s2_commit_in_block(struct s2_pgtable *pt,
                        const struct s2_page_change *chg);
void s2_cancel_page_state(struct s2_pgtable *pt,
                          const struct s2_page_change *chg);
/*
 * Put an annotation in the invalid level-3 entry of one empty granule
 * (value must have bit 0 clear and be non-zero).  Splits an empty block
 * region as needed.  -S2_EEXIST if the granule is mapped.  Annotating an
 * annotated granule overwrites the value.  Needs up to 3 - start_level
 * table pages when the region has no tables yet (-S2_ENOMEM otherwise).
 */
int s2_annotate(struct s2_pgtable *pt, uint64_t ipa, uint64_t annotation);

/*
 * Pre-build every table down to level 3 for [addr, addr+size) (granule-
 * aligned), leaving the level-3 entries as they are (new ones invalid), so
 * that s2_map_page/s2_unmap_page in the range never need a table page.
 * Reserve-then-commit: -S2_ENOMEM (nothing written) if the pool cannot
 * cover every missing table; -S2_EEXIST if a block maps part of the range.
 * s2_pages_for_range bounds what it takes.
 */
int s2_prebuild(struct s2_pgtable *pt, uint64_t addr, uint64_t size);
/*
 * Map one granule at addr to pa inside an existing level-3 table: one walk
 * and one store, never an allocation.  -S2_ENOENT if the walk does not
 * reach a level-3 table (the range was not pre-built), -S2_EEXIST if a
 * different valid leaf is there (the same one: S2_OK), -S2_EINVAL for bad
 * arguments.  Invalid -> valid needs no TLBI.
 */
int s2_map_page(struct s2_pgtable *pt, uint64_t addr, uint64_t pa,
                enum s2_mem_type type);
/*
 * Unmap one granule inside an existing level-3 table, which stays (no
 * free, so a later s2_map_page cannot fail): store 0, sync, TLBI of the
 * granule before it returns.  S2_OK also when nothing was mapped there;
 * -S2_EEXIST if a block covers addr (it would need a split), -S2_EINVAL
 * for bad arguments.
 */
int s2_unmap_page(struct s2_pgtable *pt, uint64_t addr);

/*
 * The level-3 tables of a pre-built range, for callers that then write
 * leaves directly (the host-side view's hot path: one store, no walk):
 * out[i] = VA of the level-3 table of the i-th 2 MiB region touched by
 * [addr, addr+size).  Read-only.  -S2_ENOENT if a region has no level-3
 * table (not pre-built), -S2_EINVAL for a bad range.  The tables stay
 * valid while nothing unmaps the range with s2_unmap (which frees tables
 * left empty): such a caller must keep s2_unmap away from it.
 */
int s2_leaf_tables(const struct s2_pgtable *pt, uint64_t addr, uint64_t size,
                   uint64_t **out);
/* The level-3 (page) descriptor mapping pa as `type` in pt's format; 0 if
 * the format has no such kind. */
uint64_t s2_page_desc(const struct s2_pgtable *pt, uint64_t pa,
                      enum s2_mem_type type);

/* PA that a valid leaf returned by s2_lookup(ipa) translates ipa to. */
static inline uint64_t s2_leaf_pa(const struct s2_leaf *leaf, uint64_t ipa)
{
	return (leaf->pte & S2_PTE_ADDR_MASK & ~(leaf->size - 1)) |
	       (ipa & (leaf->size - 1));
}

/* Page state of a valid leaf descriptor. */
static inline enum s2_page_state s2_pte_state(uint64_t pte)
{
	return (enum s2_page_state)((pte & S2_PTE_SW_STATE_MASK) >>
	                            S2_PTE_SW_STATE_SHIFT);
}

/*
 * s2_commit_page_state (see s2_prepare_page_state).  Inline: on a 4 KiB
 * leaf -- every SHARE and UNSHARE -- it is one compare and one store on
 * the hypercall fast path, where a call and its frame cost 9 % of a
 * SHARE+UNSHARE pair (docs/benchmarks.md).
 */
static inline void s2_commit_page_state(struct s2_pgtable *pt,
                                        const struct s2_page_change *chg)
{
	if (chg->level != 3U) {
		s2_commit_in_block(pt, chg);
		return;
	}
	/* Under the caller's lock nothing can have touched the leaf. */
	CHECK(*chg->ptep == chg->pte);
	/* Software bits only: the walker ignores them, no TLBI. */
	*(volatile uint64_t *)chg->ptep =
	        (chg->pte & ~S2_PTE_SW_STATE_MASK) |
	        (((uint64_t)chg->to << S2_PTE_SW_STATE_SHIFT) &
	         S2_PTE_SW_STATE_MASK);
}

#endif /* CORE_STAGE2_H */
