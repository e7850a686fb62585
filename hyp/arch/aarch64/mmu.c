// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own EL2 stage-1 translation: an identity map (VA = PA)
 * of its window as Normal memory and of the few devices it touches (UART,
 * RTC) as Device-nGnRE.  4 KiB granule, 48-bit VA, tables from a pool in
 * the window.  It is on before any lock or atomic is used, because
 * exclusives need Normal cacheable memory.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "sysreg.h"

#define PTE_VALID       (1ULL << 0)
#define PTE_TABLE       (1ULL << 1) /* table at L0-2, page at L3 */
#define PTE_ATTR_DEVICE (0ULL << 2)
#define PTE_ATTR_NORMAL (1ULL << 2)
#define PTE_AP_RW_EL2   (1ULL << 6) /* AP[2:1] = 01 (AP[1] is RES1 at EL2) */
#define PTE_SH_INNER    (3ULL << 8)
#define PTE_AF          (1ULL << 10)
#define PTE_XN          (1ULL << 54)
#define PTE_ADDR_MASK   0x0000FFFFFFFFF000ULL
#define PTE_ATTRS_MASK  (~PTE_ADDR_MASK & ~3ULL)

#define MAIR_DEVICE_nGnRE 0x04ULL
#define MAIR_NORMAL_WB    0xFFULL

#define SCTLR_EL2_RES1 0x30C50830ULL
#define SCTLR_M        (1ULL << 0)
#define SCTLR_C        (1ULL << 2)
#define SCTLR_SA       (1ULL << 3)
#define SCTLR_I        (1ULL << 12)

#define PAGE_SIZE 4096ULL

/* Read by arch_secondary_entry (head.S) with the MMU off: keep the
 * layout. */
struct hyp_mmu_cfg {
	uint64_t mair;
	uint64_t tcr;
	uint64_t ttbr;
	uint64_t sctlr;
};
struct hyp_mmu_cfg hyp_mmu_cfg;

static uint64_t *root;
static uint64_t pool_next, pool_end;
static bool mmu_on;

static uint64_t *alloc_table(void)
{
	uint64_t *t;

	if (pool_next + PAGE_SIZE > pool_end)
		return NULL;
	t = (uint64_t *)(uintptr_t)pool_next;
	pool_next += PAGE_SIZE;
	for (unsigned i = 0; i < 512; i++)
		t[i] = 0;
	return t;
}

static uint64_t level_size(unsigned level)
{
	return 1ULL << (12 + 9 * (3 - level));
}

static unsigned level_index(uint64_t va, unsigned level)
{
	return (unsigned)((va >> (12 + 9 * (3 - level))) & 511);
}

/* The table an entry points to, creating it (or splitting a block into
 * it) when needed.  NULL when the pool is empty. */
static uint64_t *next_table(uint64_t *entry, unsigned level)
{
	uint64_t e = *entry;
	uint64_t *t;

	if ((e & PTE_VALID) && (e & PTE_TABLE))
		return (uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	t = alloc_table();
	if (t == NULL)
		return NULL;
	if (e & PTE_VALID) { /* a block: same attributes, finer grain */
		uint64_t child = level_size(level + 1);
		uint64_t attrs = e & PTE_ATTRS_MASK;
		for (unsigned i = 0; i < 512; i++)
			t[i] = ((e & PTE_ADDR_MASK) + i * child) | attrs |
			       PTE_VALID | (level + 1 == 3 ? PTE_TABLE : 0);
	}
	dsb(ishst);
	*entry = (uint64_t)(uintptr_t)t | PTE_TABLE | PTE_VALID;
	return t;
}

static void tlb_flush_all(void)
{
	if (!mmu_on)
		return;
	dsb(ishst);
	__asm__ volatile("tlbi alle2is" ::: "memory");
	dsb(ish);
	isb();
}

/* Sets [va, va+size) to desc (0 = unmapped), largest blocks possible. */
static void set_range(uint64_t va, uint64_t size, uint64_t attrs, bool map)
{
	while (size > 0) {
		uint64_t *table = root;
		unsigned level = 0;

		for (;;) {
			uint64_t bsize = level_size(level);
			uint64_t *entry = &table[level_index(va, level)];
			bool fits = (va & (bsize - 1)) == 0 && size >= bsize;

			if (level >= 1 && fits) {
				*entry = map ? (va | attrs | PTE_VALID |
				                (level == 3 ? PTE_TABLE : 0))
				             : 0;
				va += bsize;
				size -= bsize;
				break;
			}
			if (!map && !(*entry & PTE_VALID)) {
				/* nothing mapped there: skip to the next
				 * boundary of this level */
				uint64_t next = (va | (bsize - 1)) + 1;
				uint64_t step = next - va;
				if (step >= size)
					return;
				size -= step;
				va = next;
				break;
			}
			table = next_table(entry, level);
			if (table == NULL)
				return; /* pool exhausted: caller checks */
			level++;
		}
	}
}

void arch_mmu_init(uint64_t pool_pa, uint64_t pool_size)
{
	pool_next = pool_pa;
	pool_end = pool_pa + pool_size;
	root = alloc_table();
}

void arch_mmu_map(uint64_t pa, uint64_t size, bool device)
{
	uint64_t attrs = PTE_AF | PTE_AP_RW_EL2 | PTE_SH_INNER;

	pa &= ~(PAGE_SIZE - 1);
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	attrs |= device ? (PTE_ATTR_DEVICE | PTE_XN) : PTE_ATTR_NORMAL;
	set_range(pa, size, attrs, true);
	dsb(ishst);
	isb();
}

void arch_mmu_unmap(uint64_t pa, uint64_t size)
{
	set_range(pa & ~(PAGE_SIZE - 1),
	          (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), 0, false);
	tlb_flush_all();
}

/*
 * The level-3 entry of va when the walk down to it finds tables only (the
 * case for guest RAM the host side maps a granule at a time), else NULL.
 */
static uint64_t *page_entry(uint64_t va)
{
	uint64_t *table = root;

	for (unsigned level = 0; level < 3; level++) {
		uint64_t e = table[level_index(va, level)];

		if ((e & (PTE_VALID | PTE_TABLE)) != (PTE_VALID | PTE_TABLE))
			return NULL;
		table = (uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	}
	return &table[level_index(va, 3)];
}

/*
 * One granule of guest RAM, for the host side: the protected-memory
 * hypercalls' path, so a plain walk and one store when the tables exist
 * (the general set_range otherwise, e.g. the first granule of a 2 MiB
 * region).  Unmapping invalidates that one VA in every CPU's TLB.
 */
void arch_mmu_map_page(uint64_t pa)
{
	uint64_t *entry = page_entry(pa);

	if (entry == NULL) {
		arch_mmu_map(pa, PAGE_SIZE, false);
		return;
	}
	*entry = pa | PTE_AF | PTE_AP_RW_EL2 | PTE_SH_INNER | PTE_ATTR_NORMAL |
	         PTE_VALID | PTE_TABLE;
	dsb(ishst);
	isb();
}

void arch_mmu_unmap_page(uint64_t pa)
{
	uint64_t *entry = page_entry(pa);

	if (entry == NULL) {
		arch_mmu_unmap(pa, PAGE_SIZE);
		return;
	}
	*entry = 0;
	dsb(ishst);
	__asm__ volatile("tlbi vae2is, %0" : : "r"(pa >> 12) : "memory");
	dsb(ish);
	isb();
}

void arch_mmu_enable(void)
{
	unsigned ps = id_field(read_sysreg(id_aa64mmfr0_el1), 0);

	if (ps > 5)
		ps = 5; /* 48-bit output is all a 4 KiB/48-bit VA map needs */
	hyp_mmu_cfg.mair = MAIR_DEVICE_nGnRE | (MAIR_NORMAL_WB << 8);
	/* T0SZ=16, inner/outer WBWA walks, inner shareable, 4 KiB granule,
	 * PS, RES1 bits 23 and 31. */
	hyp_mmu_cfg.tcr = 16ULL | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) |
	                  ((uint64_t)ps << 16) | (1ULL << 23) | (1ULL << 31);
	hyp_mmu_cfg.ttbr = (uint64_t)(uintptr_t)root;
	hyp_mmu_cfg.sctlr =
	        SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I;
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

bool arch_mmu_translates(uint64_t va)
{
	uint64_t par;

	__asm__ volatile("at s1e2r, %0" : : "r"(va) : "memory");
	isb();
	par = read_sysreg(par_el1);
	return (par & 1ULL) == 0;
}
