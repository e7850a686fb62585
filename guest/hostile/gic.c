// SPDX-License-Identifier: MIT
/*
 * Just enough GIC (v2 or v3, from the DT) to make the virtual timer's PPI
 * pending at this CPU's interface, so that WFI has something to wake it:
 * the hostile guest's WFI check.  Interrupts stay masked in PSTATE; WFI
 * wakes on a pending interrupt regardless.
 */
#include <guest/rt.h>
#include <lib/fdt.h>

#include "hostile.h"

#define VTIMER_INTID 27U
#define SPURIOUS     1023U

#define GICD_CTLR       0x0000U
#define GICD_ISENABLER0 0x0100U
#define GICD_ICENABLER0 0x0180U
#define GICD_IPRIORITYR 0x0400U
#define GICD_CTLR_RWP   (1U << 31)

#define GICR_FRAME     0x20000U
#define GICR_TYPER     0x0008U
#define GICR_WAKER     0x0014U
#define GICR_SGI       0x10000U
#define GICR_IGROUPR0  0x0080U
#define TYPER_LAST     (1ULL << 4)
#define WAKER_SLEEP    (1U << 1)
#define WAKER_CHILDREN (1U << 2)

#define GICC_CTLR  0x00U
#define GICC_PMR   0x04U
#define GICC_HPPIR 0x18U

static int gic_version;
static uint64_t gicd, gicr_or_gicc;

/* Single plain loads and stores, as Linux's readl/writel: vhyp traps the
 * distributor and redistributors, and a write-back or pair form the
 * compiler might pick for a volatile access gives ESR ISV=0, which no
 * trapping hypervisor can emulate (the guest would take an abort). */
static uint32_t rd32(uint64_t base, uint32_t off)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]"
	                 : "=r"(v)
	                 : "r"(base + off)
	                 : "memory");
	return v;
}

static void wr32(uint64_t base, uint32_t off, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(base + off) : "memory");
}

static uint64_t read64(uint64_t base, uint32_t off)
{
	uint64_t v;

	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(base + off) : "memory");
	return v;
}

#define write_sysreg_s(enc, v)                                                 \
	__asm__ volatile("msr " enc ", %0" ::"r"((uint64_t)(v)) : "memory")
#define read_sysreg_s(enc)                                                     \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " enc : "=r"(v_));                   \
		v_;                                                            \
	})
#define ICC_PMR_EL1     "s3_0_c4_c6_0"
#define ICC_HPPIR1_EL1  "s3_0_c12_c12_2"
#define ICC_SRE_EL1     "s3_0_c12_c12_5"
#define ICC_IGRPEN1_EL1 "s3_0_c12_c12_7"

bool hostile_gic_init(void)
{
	struct fdt fdt;
	uint64_t size;
	int node;

	if (fdt_open(&fdt, rt_dtb, FDT_MAX_SIZE) != 0)
		return false;
	node = fdt_find_compatible(&fdt, -1, "arm,gic-v3");
	if (node >= 0)
		gic_version = 3;
	else if ((node = fdt_find_compatible(&fdt, -1, "arm,cortex-a15-gic")) >=
	         0)
		gic_version = 2;
	else
		return false;
	if (!fdt_reg(&fdt, node, 0, &gicd, &size) ||
	    !fdt_reg(&fdt, node, 1, &gicr_or_gicc, &size))
		return false;
	/* Distributor: groups enabled (v3: affinity routing first, as it
	 * must not change while a group is enabled). */
	if (gic_version == 3) {
		wr32(gicd, GICD_CTLR, rd32(gicd, GICD_CTLR) | 0x10U);
		while (rd32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
			;
	}
	wr32(gicd, GICD_CTLR,
	     rd32(gicd, GICD_CTLR) | (gic_version == 3 ? 0x3U : 0x1U));
	while (rd32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
		;
	return true;
}

int hostile_gic_version(void)
{
	return gic_version;
}

/* This CPU's redistributor (v3), or 0. */
static uint64_t my_redistributor(void)
{
	uint64_t mpidr, aff, rd;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	aff = (mpidr & 0xFFFFFFULL) | ((mpidr >> 8) & 0xFF000000ULL);
	for (rd = gicr_or_gicc;; rd += GICR_FRAME) {
		uint64_t typer = read64(rd, GICR_TYPER);

		if ((typer >> 32) == aff)
			return rd;
		if (typer & TYPER_LAST)
			return 0;
	}
}

static void set_priority(uint64_t base)
{
	uint32_t off = GICD_IPRIORITYR + (VTIMER_INTID & ~3U);
	unsigned shift = 8U * (VTIMER_INTID & 3U);

	wr32(base, off,
	     (rd32(base, off) & ~(0xFFU << shift)) | (0x80U << shift));
}

bool hostile_gic_cpu_enable(bool on)
{
	uint32_t bit = 1U << VTIMER_INTID;

	if (gic_version == 3) {
		uint64_t rd = my_redistributor();

		if (rd == 0)
			return false;
		if (on) {
			wr32(rd, GICR_WAKER,
			     rd32(rd, GICR_WAKER) & ~WAKER_SLEEP);
			while (rd32(rd, GICR_WAKER) & WAKER_CHILDREN)
				;
			wr32(rd + GICR_SGI, GICR_IGROUPR0,
			     rd32(rd + GICR_SGI, GICR_IGROUPR0) | bit);
			set_priority(rd + GICR_SGI);
			wr32(rd + GICR_SGI, GICD_ISENABLER0, bit);
			write_sysreg_s(ICC_SRE_EL1, 0x7);
			__asm__ volatile("isb");
			write_sysreg_s(ICC_PMR_EL1, 0xFF);
			write_sysreg_s(ICC_IGRPEN1_EL1, 1);
		} else {
			wr32(rd + GICR_SGI, GICD_ICENABLER0, bit);
			write_sysreg_s(ICC_IGRPEN1_EL1, 0);
		}
		__asm__ volatile("isb");
		return true;
	}
	if (gic_version == 2) {
		if (on) {
			set_priority(gicd);
			wr32(gicd, GICD_ISENABLER0, bit);
			wr32(gicr_or_gicc, GICC_PMR, 0xF0);
			wr32(gicr_or_gicc, GICC_CTLR, 1);
		} else {
			wr32(gicd, GICD_ICENABLER0, bit);
			wr32(gicr_or_gicc, GICC_CTLR, 0);
		}
		return true;
	}
	return false;
}

/* True when the virtual timer's interrupt is the highest pending one. */
bool hostile_gic_timer_pending(void)
{
	uint64_t id = SPURIOUS;

	if (gic_version == 3)
		id = read_sysreg_s(ICC_HPPIR1_EL1) & 0xFFFFFFU;
	else if (gic_version == 2)
		id = rd32(gicr_or_gicc, GICC_HPPIR) & 0x3FFU;
	return id == VTIMER_INTID;
}
