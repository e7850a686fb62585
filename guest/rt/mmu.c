// SPDX-License-Identifier: MIT
/*
 * EL1 stage-1 identity map: 39-bit VA (T0SZ 25, start at level 1, 4 KiB
 * granule).  RAM from the DT's memory nodes is Normal write-back (so
 * exclusives, atomics and unaligned accesses work); everything else is
 * Device-nGnRnE and never executable.  1 GiB blocks where a GiB is all RAM
 * or all device, 2 MiB blocks in a GiB that holds both.
 */
#include <guest/rt.h>
#include <lib/fdt.h>

#include "arch.h"

#define ENTRIES  512U
#define L1_SHIFT 30
#define L2_SHIFT 21
#define NR_L2    4U
#define MAX_RAM  8U

#define PTE_BLOCK    0x1ULL
#define PTE_TABLE    0x3ULL
#define PTE_ATTR(i)  ((uint64_t)(i) << 2)
#define PTE_SH_INNER (3ULL << 8)
#define PTE_AP_EL0   (1ULL << 6) /* AP[1]: EL0 access */
#define PTE_AP_RO    (1ULL << 7) /* AP[2]: read-only */
#define PTE_AF       (1ULL << 10)
#define PTE_PXN      (1ULL << 53)
#define PTE_UXN      (1ULL << 54)

#define ATTR_DEVICE 0U /* MAIR attr0: Device-nGnRnE */
#define ATTR_NORMAL 1U /* MAIR attr1: Normal WB RA WA */
#define MAIR_VALUE  0xFF00ULL

#define PTE_NORMAL                                                             \
	(PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define PTE_DEVICE                                                             \
	(PTE_BLOCK | PTE_ATTR(ATTR_DEVICE) | PTE_AF | PTE_PXN | PTE_UXN)

#define TCR_T0SZ       25ULL
#define TCR_IRGN0_WBWA (1ULL << 8)
#define TCR_ORGN0_WBWA (1ULL << 10)
#define TCR_SH0_INNER  (3ULL << 12)
#define TCR_T1SZ       (25ULL << 16)
#define TCR_EPD1       (1ULL << 23)
#define TCR_IPS_40     (2ULL << 32)
#define TCR_VALUE                                                              \
	(TCR_T0SZ | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |          \
	 TCR_T1SZ | TCR_EPD1 | TCR_IPS_40)

#define SCTLR_RES1 0x30D00800ULL
#define SCTLR_M    (1ULL << 0)
#define SCTLR_C    (1ULL << 2)
#define SCTLR_I    (1ULL << 12)

struct range {
	uint64_t base, end;
};

static uint64_t l1_table[ENTRIES] __attribute__((aligned(4096)));
static uint64_t l2_tables[NR_L2][ENTRIES] __attribute__((aligned(4096)));
static struct range ram[MAX_RAM];
static unsigned nr_ram;
static unsigned nr_l2_used;

uint64_t rt_ram_base(void)
{
	return nr_ram > 0 ? ram[0].base : 0;
}

uint64_t rt_ram_size(void)
{
	return nr_ram > 0 ? ram[0].end - ram[0].base : 0;
}

static void add_ram(uint64_t base, uint64_t size)
{
	if (nr_ram < MAX_RAM && size != 0 && base + size > base) {
		ram[nr_ram].base = base;
		ram[nr_ram].end = base + size;
		nr_ram++;
	}
}

static void read_memory_nodes(const void *dtb)
{
	struct fdt fdt;
	int depth = 0;
	int node;

	if (fdt_open(&fdt, dtb, FDT_MAX_SIZE) != 0)
		return;
	for (node = fdt_root(&fdt); node >= 0;
	     node = fdt_next_node(&fdt, node, &depth)) {
		uint64_t base, size;
		unsigned i;

		if (!fdt_prop_has_string(&fdt, node, "device_type", "memory"))
			continue;
		for (i = 0; fdt_reg(&fdt, node, i, &base, &size); i++)
			add_ram(base, size);
	}
}

/* 1: [base, base+size) is all RAM; 0: no RAM; -1: some. */
static int ram_coverage(uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	unsigned i;

	for (i = 0; i < nr_ram; i++) {
		if (ram[i].base <= base && end <= ram[i].end)
			return 1;
		if (ram[i].base < end && base < ram[i].end)
			return -1;
	}
	return 0;
}

void rt_mmu_init(const void *dtb)
{
	unsigned i, j, used = 0;
	uint64_t image_gib = rt_image_start() >> L1_SHIFT;

	read_memory_nodes(dtb);
	if (nr_ram == 0) /* no usable DT: at least the image's own GiB */
		add_ram(rt_image_start() & ~((1ULL << L1_SHIFT) - 1),
		        1ULL << L1_SHIFT);
	for (i = 0; i < ENTRIES; i++) {
		uint64_t base = (uint64_t)i << L1_SHIFT;
		int cov = ram_coverage(base, 1ULL << L1_SHIFT);

		/* The image's GiB always gets a level-2 table, so that
		 * rt_mmu_map_block() in it changes a 2 MiB entry the running
		 * code does not use, never the block it runs from. */
		if ((cov == 1 && (i != image_gib || used == NR_L2)) ||
		    (cov == -1 && used == NR_L2)) {
			l1_table[i] = base | PTE_NORMAL;
			continue;
		}
		if (cov == 0) {
			l1_table[i] = base | PTE_DEVICE;
			continue;
		}
		for (j = 0; j < ENTRIES; j++) {
			uint64_t b2 = base + ((uint64_t)j << L2_SHIFT);

			l2_tables[used][j] =
			        b2 | (ram_coverage(b2, 1ULL << L2_SHIFT) != 0
			                      ? PTE_NORMAL
			                      : PTE_DEVICE);
		}
		l1_table[i] = (uint64_t)(uintptr_t)l2_tables[used] | PTE_TABLE;
		used++;
	}
	nr_l2_used = used;
}

/* Break-before-make: a live entry is invalidated and its TLB entries gone
 * before the new one is written (Arm ARM D8.14.1). */
static void replace_entry(uint64_t *entry, uint64_t val)
{
	*(volatile uint64_t *)entry = 0;
	dsb(ishst);
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
	*(volatile uint64_t *)entry = val;
	dsb(ishst);
	isb();
}

/* The level-2 table of the GiB holding va, made from its 1 GiB block if
 * needed (same attributes in every 2 MiB entry); NULL when none is left. */
static uint64_t *l2_table_for(uint64_t va)
{
	unsigned i = (unsigned)(va >> L1_SHIFT);
	uint64_t e = l1_table[i], *t;

	if ((e & 3U) == PTE_TABLE)
		return (uint64_t *)(uintptr_t)(e & 0x0000FFFFFFFFF000ULL);
	if (nr_l2_used == NR_L2)
		return NULL;
	t = l2_tables[nr_l2_used++];
	for (unsigned j = 0; j < ENTRIES; j++)
		t[j] = e + ((uint64_t)j << L2_SHIFT);
	replace_entry(&l1_table[i], (uint64_t)(uintptr_t)t | PTE_TABLE);
	return t;
}

bool rt_mmu_map_block(uint64_t va, enum rt_map_kind kind)
{
	static const uint64_t attrs[] = {
	        [RT_MAP_EL1_EXEC] = PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) |
	                            PTE_SH_INNER | PTE_AF | PTE_UXN,
	        [RT_MAP_EL0_DEVICE] = PTE_DEVICE | PTE_AP_EL0,
	        [RT_MAP_EL0_EXEC] = PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) |
	                            PTE_SH_INNER | PTE_AF | PTE_PXN |
	                            PTE_AP_EL0 | PTE_AP_RO,
	};
	uint64_t *t;

	if ((va & ((1ULL << L2_SHIFT) - 1)) != 0 ||
	    va >= (uint64_t)ENTRIES << L1_SHIFT ||
	    (unsigned)kind >= sizeof(attrs) / sizeof(attrs[0]))
		return false;
	t = l2_table_for(va);
	if (t == NULL)
		return false;
	replace_entry(&t[(va >> L2_SHIFT) & (ENTRIES - 1)], va | attrs[kind]);
	return true;
}

void rt_dcache_inval(uint64_t start, uint64_t end)
{
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xFU);
	uint64_t a;

	dsb(sy);
	for (a = start & ~(line - 1); a < end; a += line)
		__asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
	dsb(sy);
}

/*
 * Turns the MMU on for this CPU.  What this CPU wrote in [stale_start,
 * stale_end) went straight to memory (MMU off), so stale cache lines of it
 * are invalidated first: the whole image on the boot CPU, only its own
 * stack on a secondary (other CPUs may hold dirty lines of the rest).
 */
void rt_mmu_enable(uint64_t stale_start, uint64_t stale_end)
{
	if (read_sysreg(sctlr_el1) & SCTLR_M)
		return;
	rt_dcache_inval(stale_start, stale_end);
	write_sysreg(mair_el1, MAIR_VALUE);
	write_sysreg(tcr_el1, TCR_VALUE);
	write_sysreg(ttbr0_el1, (uint64_t)(uintptr_t)l1_table);
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
	write_sysreg(sctlr_el1, SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(nsh);
	isb();
}
