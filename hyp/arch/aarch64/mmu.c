// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own EL2 stage-1 translation: the system-register and
 * TLB glue around core/stage2, which builds the tables (format S2_FMT_EL2:
 * the same host-tested engine as the guests' stage 2, with its
 * reserve-then-commit pool and break-before-make).  Identity map (VA = PA)
 * of the window, W^X (hyp/main.c maps text RX, rodata R, the rest RW+XN;
 * SCTLR_EL2.WXN backs that up), the few devices the hypervisor touches,
 * and the host-side view of guest RAM.  It is on before any lock or atomic
 * is used, because exclusives need Normal cacheable memory.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <core/stage2.h>
#include <lib/spinlock.h>

#include "arch.h"
#include "sysreg.h"

#define SCTLR_EL2_RES1 0x30C50830ULL
#define SCTLR_M        (1ULL << 0)
#define SCTLR_C        (1ULL << 2)
#define SCTLR_SA       (1ULL << 3)
#define SCTLR_I        (1ULL << 12)
#define SCTLR_WXN      (1ULL << 19)

#define PAGE_SIZE         S2_GRANULE_SIZE
/* Up to this many pages a TLBI goes by VA; beyond, the whole EL2 TLB. */
#define TLBI_VA_MAX_PAGES 64U

struct hyp_mmu_cfg hyp_mmu_cfg;

static struct s2_pool el2_pool;
static struct s2_pgtable el2_pt;
static bool mmu_on;
/* Serialises range updates once other CPUs may run (pool + tables).  The
 * single-granule host-view updates need no lock: they store one leaf in a
 * pre-built table, under the VM lock. */
static struct spinlock el2_lock = SPINLOCK_INIT;

/*
 * The host-side view of protected RAM: its level-3 tables, built by the
 * engine at VM creation (arch_mmu_host_view_add) and never freed, indexed
 * by PA / 2 MiB, so that a grant or revoke is one store (plus the TLBI),
 * with no walk and no allocation.  Range operations refuse to touch these
 * ranges (s2_unmap would free a table left empty under the index).
 */
#define HOST_VIEW_REGION     (2ULL << 20)
#define HOST_VIEW_PA_LIMIT   (16ULL << 30) /* PAs the index covers */
#define HOST_VIEW_MAX_RANGES 4U
static uint64_t *host_view_l3[HOST_VIEW_PA_LIMIT / HOST_VIEW_REGION];
static uint64_t host_view_page_attrs; /* leaf descriptor without the PA */
static struct {
	uint64_t base, end;
} host_view_ranges[HOST_VIEW_MAX_RANGES];
static unsigned nr_host_view_ranges;

static bool overlaps_host_view(uint64_t base, uint64_t end)
{
	for (unsigned i = 0; i < nr_host_view_ranges; i++)
		if (base < host_view_ranges[i].end &&
		    host_view_ranges[i].base < end)
			return true;
	return false;
}

static void lock(void)
{
	if (!mmu_on)
		return; /* boot CPU alone; exclusives need the MMU on */
	spin_lock(&el2_lock);
}

static void unlock(void)
{
	if (mmu_on)
		spin_unlock(&el2_lock);
}

static void el2_tlbi_range(void *ctx, uint16_t vmid, uint64_t va, uint64_t size)
{
	(void)ctx;
	(void)vmid;
	if (!mmu_on)
		return; /* nothing cached yet: tlbi alle2 precedes the enable */
	dsb(ishst);
	if (size <= TLBI_VA_MAX_PAGES * PAGE_SIZE) {
		for (uint64_t off = 0; off < size; off += PAGE_SIZE)
			__asm__ volatile("tlbi vae2is, %0"
			                 :
			                 : "r"((va + off) >> 12)
			                 : "memory");
	} else {
		__asm__ volatile("tlbi alle2is" ::: "memory");
	}
	dsb(ish);
	isb();
}

static void el2_sync_tables(void *ctx)
{
	(void)ctx;
	dsb(ishst);
	isb();
}

static const struct s2_mmu_ops el2_mmu_ops = {
        .tlbi_range = el2_tlbi_range,
        .sync_tables = el2_sync_tables,
};

bool arch_mmu_init(uint64_t pool_pa, uint64_t pool_size)
{
	s2_pool_init(&el2_pool, (void *)(uintptr_t)pool_pa, pool_pa,
	             (size_t)(pool_size / PAGE_SIZE));
	return s2_init_el2(&el2_pt, &el2_pool, &el2_mmu_ops, NULL) == S2_OK;
}

static uint64_t page_down(uint64_t x)
{
	return x & ~(PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

bool arch_mmu_map_kind(uint64_t pa, uint64_t size, enum s2_mem_type type)
{
	uint64_t base = page_down(pa);
	uint64_t len = page_up(pa + size) - base;
	int rc;

	if (overlaps_host_view(base, base + len))
		return false;
	lock();
	rc = s2_map(&el2_pt, base, base, len, type, S2_STATE_OWNED);
	if (rc == -S2_EEXIST) {
		/* Mapped before (e.g. a device window mapped twice): replace
		 * it.  The unmap invalidates the TLBs, so the walker never
		 * sees both mappings. */
		rc = s2_unmap(&el2_pt, base, len);
		if (rc == S2_OK)
			rc = s2_map(&el2_pt, base, base, len, type,
			            S2_STATE_OWNED);
	}
	unlock();
	return rc == S2_OK;
}

bool arch_mmu_map(uint64_t pa, uint64_t size, bool device)
{
	return arch_mmu_map_kind(pa, size,
	                         device ? S2_MEM_DEVICE : S2_MEM_NORMAL);
}

bool arch_mmu_unmap(uint64_t pa, uint64_t size)
{
	uint64_t base = page_down(pa);
	uint64_t end = page_up(pa + size);
	int rc;

	if (overlaps_host_view(base, end))
		return false;
	lock();
	rc = s2_unmap(&el2_pt, base, end - base);
	unlock();
	return rc == S2_OK;
}

bool arch_mmu_host_view_add(uint64_t pa, uint64_t size)
{
	int rc = -S2_EINVAL;
	uint64_t end = pa + size;

	/* Whole 2 MiB regions: one level-3 table each. */
	pa &= ~(HOST_VIEW_REGION - 1);
	end = (end + HOST_VIEW_REGION - 1) & ~(HOST_VIEW_REGION - 1);
	size = end - pa;
	if (size == 0 || end > HOST_VIEW_PA_LIMIT || end < pa ||
	    nr_host_view_ranges == HOST_VIEW_MAX_RANGES)
		return false;
	lock();
	if (!overlaps_host_view(pa, pa + size))
		rc = s2_prebuild(&el2_pt, pa, size);
	if (rc == S2_OK)
		rc = s2_leaf_tables(&el2_pt, pa, size,
		                    &host_view_l3[pa / HOST_VIEW_REGION]);
	if (rc == S2_OK) {
		host_view_page_attrs = s2_page_desc(&el2_pt, 0, S2_MEM_NORMAL);
		host_view_ranges[nr_host_view_ranges].base = pa;
		host_view_ranges[nr_host_view_ranges].end = pa + size;
		nr_host_view_ranges++;
	}
	unlock();
	return rc == S2_OK;
}

size_t arch_mmu_free_pages(void)
{
	return s2_pool_free_pages(&el2_pool) - el2_pool.nr_reserved;
}

/* The level-3 entry of a granule of the host view, or NULL. */
static uint64_t *host_view_entry(uint64_t pa)
{
	uint64_t *l3 = pa < HOST_VIEW_PA_LIMIT
	                       ? host_view_l3[pa / HOST_VIEW_REGION]
	                       : NULL;

	return l3 ? &l3[(pa / PAGE_SIZE) % S2_ENTRIES_PER_TABLE] : NULL;
}

bool arch_mmu_map_page(uint64_t pa)
{
	uint64_t *entry = host_view_entry(pa);

	if (entry == NULL)
		return false;
	/* Invalid -> valid: no TLBI; the barriers make it visible. */
	*(volatile uint64_t *)entry = page_down(pa) | host_view_page_attrs;
	dsb(ishst);
	isb();
	return true;
}

bool arch_mmu_unmap_page(uint64_t pa)
{
	uint64_t *entry = host_view_entry(pa);

	if (entry == NULL)
		return false;
	*(volatile uint64_t *)entry = 0;
	el2_tlbi_range(NULL, 0, page_down(pa), PAGE_SIZE);
	return true;
}

void arch_mmu_enable(void)
{
	unsigned ps = id_field(read_sysreg(id_aa64mmfr0_el1), 0);

	if (ps > 5)
		ps = 5; /* 48-bit output is all a 4 KiB/48-bit VA map needs */
	hyp_mmu_cfg.mair = S2_EL2_MAIR;
	/* T0SZ=16, inner/outer WBWA walks, inner shareable, 4 KiB granule,
	 * PS, RES1 bits 23 and 31. */
	hyp_mmu_cfg.tcr = (64ULL - S2_EL2_VA_BITS) | (1ULL << 8) |
	                  (1ULL << 10) | (3ULL << 12) | ((uint64_t)ps << 16) |
	                  (1ULL << 23) | (1ULL << 31);
	hyp_mmu_cfg.ttbr = el2_pt.root_pa;
	/* WXN: whatever is writable is never executable, whatever the
	 * tables say. */
	hyp_mmu_cfg.sctlr = SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA |
	                    SCTLR_I | SCTLR_WXN;
	dsb(sy);
	write_sysreg(hyp_mmu_cfg.mair, mair_el2);
	write_sysreg(hyp_mmu_cfg.tcr, tcr_el2);
	write_sysreg(hyp_mmu_cfg.ttbr, ttbr0_el2);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(nsh);
	isb();
	write_sysreg(hyp_mmu_cfg.sctlr, sctlr_el2);
	isb();
	mmu_on = true;
}

bool arch_mmu_enabled(void)
{
	return mmu_on;
}
