// SPDX-License-Identifier: MIT
/*
 * GICv3: the moderated distributor (GICD) and redistributors (GICR).
 * The register table as implemented is in docs/vgic.md; in short:
 *
 *  - forwarded, same size, owned INTIDs' bits only: I{S,C}ENABLER,
 *    I{S,C}PENDR, I{S,C}ACTIVER, IPRIORITYR, ICFGR (GICD and SGI_base),
 *    IROUTER (only to one of the VM's MPIDRs, IRM=0);
 *  - synthesised: GICD_CTLR (RWP 0), GICD_TYPER (no LPIS/MBIS/DVIS/ESPI),
 *    GICR_TYPER (no PLPIS/VLPIS/DirectLPI/..., Last on the last vCPU's
 *    frame), PIDR2 (ArchRev 3), IGROUPR (all Group 1), GICR_WAKER (a
 *    per-frame copy; the hardware stays awake);
 *  - RAZ/WI: everything else, among it GICR_CTLR, PROPBASER, PENDBASER,
 *    SETLPIR..SYNCR, SETSPI/CLRSPI, GICD_SGIR, every write to GICD_CTLR,
 *    frames beyond the VM's vCPUs, and any access of a size or alignment
 *    the register does not have.
 */
#include "devices/devices.h"
#include "hyp.h"
#include "vgic_priv.h"

#define GICD_CTLR        0x0000U
#define GICD_TYPER       0x0004U
#define GICD_IIDR        0x0008U
#define GICD_IGROUPR     0x0080U
#define GICD_BITMAPS     0x0100U /* I{S,C}ENABLER .. ICACTIVER */
#define GICD_BITMAPS_END 0x0400U
#define GICD_IPRIORITYR  0x0400U
#define GICD_IPRIO_END   0x0800U
#define GICD_ICFGR       0x0C00U
#define GICD_ICFGR_END   0x0D00U
#define GICD_IROUTER     0x6000U
#define GICD_IROUTER_END 0x7FE0U
#define GIC_IDREGS       0xFFD0U
#define GIC_PIDR2        0xFFE8U

#define CTLR_RWP      (1U << 31)
#define CTLR_ARE      (1U << 4)
#define CTLR_ENABLE_G (3U) /* EnableGrp1(NS)/Grp0 and EnableGrp1A/Grp1 */
#define TYPER_HIDDEN  ((1U << 16) | (1U << 17) | (1U << 18) | (1U << 8))

#define IROUTER_IRM (1ULL << 31)
#define IROUTER_AFF 0xFF00FFFFFFULL

#define GICR_FRAME       0x20000U /* the guest's view: RD_base + SGI_base */
#define GICR_SGI         0x10000U
#define GICR_CTLR        0x0000U
#define GICR_IIDR        0x0004U
#define GICR_TYPER       0x0008U
#define GICR_WAKER       0x0014U
#define GICR_PROPBASER   0x0070U
#define GICR_PENDBASER   0x0078U
#define GICR_IGROUPR0    0x0080U
#define GICR_ISENABLER0  0x0100U
#define GICR_ISPENDR0    0x0200U
#define GICR_IPRIORITYR  0x0400U
#define GICR_ICFGR0      0x0C00U
#define GICR_ICFGR1      0x0C04U
#define GICR_IGRPMODR0   0x0D00U
#define GICR_CTLR_LPIS   1U
#define GICR_TYPER_VLPIS (1ULL << 1)
#define GICR_TYPER_LAST  (1ULL << 4)
/* PLPIS, VLPIS, Dirty, DirectLPI, Last, DPGS, RVPEID, CommonLPIAff, VSGI:
 * recomputed for the guest (Last) or hidden (the rest). */
#define GICR_TYPER_HIDDEN                                                      \
	(0x1FULL | (1ULL << 5) | (1ULL << 7) | (3ULL << 24) | (1ULL << 26))
#define WAKER_SLEEP    (1U << 1)
#define WAKER_CHILDREN (1U << 2)

#define SPIN_LIMIT 10000000U

/* One redistributor per vCPU, in the DT's CPU order. */
struct frame {
	uint64_t pa; /* physical RD_base */
	uint64_t typer;
	uint64_t propbaser, pendbaser;           /* at boot, for the verdict */
	uint32_t reserved_enable, reserved_prio; /* at boot, for the verdict */
	_Atomic uint32_t waker;                  /* the guest's view */
};

static struct {
	uint64_t gicd;
	unsigned nr_frames;
	struct frame frames[HYP_MAX_CPUS];
	uint32_t gicd_ctlr; /* after set-up, for the verdict */
} v3;

/* ---- distributor ---------------------------------------------------- */

static uint32_t id_reg(uint64_t pa, uint64_t off)
{
	uint32_t v = vgic_rd32(pa);

	if (off == GIC_PIDR2)
		v = (v & ~0xF0U) | 0x30U; /* ArchRev: GICv3, never v4 */
	return v;
}

/* Whether aff (IROUTER layout: Aff3 at 39:32) names one of the VM's CPUs. */
static bool vm_cpu_affinity(uint64_t aff)
{
	for (unsigned i = 0; i < g_hyp.nr_cpus; i++)
		if ((g_hyp.cpus[i].mpidr & IROUTER_AFF) == aff)
			return true;
	return false;
}

static bool irouter_write(uint64_t off, unsigned size, uint64_t v)
{
	uint64_t pa = v3.gicd + (off & ~7ULL);
	uint64_t cur;
	bool ok;

	if ((off - GICD_IROUTER) / 8U < 32U)
		return false; /* IROUTER0..31 are reserved */
	vgic_lock();
	cur = vgic_rd64(pa);
	if (size == 4)
		v = (off & 4U) ? (cur & 0xFFFFFFFFULL) | (v << 32)
		               : (cur & ~0xFFFFFFFFULL) | (v & 0xFFFFFFFFULL);
	ok = !(v & IROUTER_IRM) && vm_cpu_affinity(v & IROUTER_AFF);
	if (ok)
		vgic_wr64(pa, v & IROUTER_AFF);
	vgic_unlock();
	return ok;
}

static uint64_t gicd_read(void *ctx, unsigned cpu, uint64_t off, unsigned size)
{
	uint64_t pa = v3.gicd + off;

	(void)ctx;
	(void)cpu;
	vgic_count_read();
	if (!vgic_aligned(off, size))
		return 0;
	if (off >= GICD_IROUTER && off < GICD_IROUTER_END &&
	    (size == 8 || size == 4))
		return (off - GICD_IROUTER) / 8U < 32U
		               ? 0
		               : (size == 8 ? vgic_rd64(pa) : vgic_rd32(pa));
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIO_END &&
	    (size == 1 || size == 4))
		return vgic_bytes_read(pa, (unsigned)(off - GICD_IPRIORITYR),
		                       size);
	if (size != 4)
		return 0;
	if (off == GICD_CTLR)
		return vgic_rd32(pa) & ~CTLR_RWP;
	if (off == GICD_TYPER)
		return vgic_rd32(pa) & ~TYPER_HIDDEN;
	if (off == GICD_IIDR)
		return vgic_rd32(pa);
	if (off >= GICD_IGROUPR && off < GICD_BITMAPS)
		return 0xFFFFFFFFU; /* Group 1, set at boot */
	if (off >= GICD_BITMAPS && off < GICD_BITMAPS_END)
		return vgic_bitmap_read(pa, (unsigned)(off & 0x7FU) * 8U);
	if (off >= GICD_ICFGR && off < GICD_ICFGR_END)
		return vgic_cfg_read(pa, (unsigned)(off - GICD_ICFGR) * 4U);
	if (off >= GIC_IDREGS)
		return id_reg(pa, off);
	return 0;
}

static bool gicd_write_reg(uint64_t off, unsigned size, uint64_t v)
{
	uint64_t pa = v3.gicd + off;

	if (!vgic_aligned(off, size))
		return false;
	if (off >= GICD_IROUTER && off < GICD_IROUTER_END &&
	    (size == 8 || size == 4))
		return irouter_write(off, size, v);
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIO_END &&
	    (size == 1 || size == 4))
		return vgic_bytes_write(pa, (unsigned)(off - GICD_IPRIORITYR),
		                        size, v, 0xFFU);
	if (size != 4)
		return false;
	if (off >= GICD_BITMAPS && off < GICD_BITMAPS_END)
		return vgic_bitmap_write(pa, (unsigned)(off & 0x7FU) * 8U,
		                         (uint32_t)v);
	/* ICFGR0/1 (SGIs, PPIs) are the redistributors' under ARE. */
	if (off >= GICD_ICFGR + 8U && off < GICD_ICFGR_END)
		return vgic_cfg_write(pa, (unsigned)(off - GICD_ICFGR) * 4U,
		                      (uint32_t)v);
	return false;
}

static void gicd_write(void *ctx, unsigned cpu, uint64_t off, unsigned size,
                       uint64_t v)
{
	(void)ctx;
	(void)cpu;
	vgic_count_write(!gicd_write_reg(off, size, v));
}

/* ---- redistributors ------------------------------------------------- */

static uint64_t guest_typer(unsigned f)
{
	uint64_t t = v3.frames[f].typer & ~GICR_TYPER_HIDDEN;

	if (f + 1U == v3.nr_frames)
		t |= GICR_TYPER_LAST;
	return t;
}

static uint64_t rd_read(unsigned f, uint64_t off, unsigned size)
{
	const struct frame *fr = &v3.frames[f];

	if (off == GICR_TYPER && size == 8)
		return guest_typer(f);
	if ((off == GICR_TYPER || off == GICR_TYPER + 4U) && size == 4)
		return (uint32_t)(guest_typer(f) >> (8U * (off - GICR_TYPER)));
	if (size != 4)
		return 0;
	if (off == GICR_IIDR)
		return vgic_rd32(fr->pa + off);
	if (off == GICR_WAKER) {
		uint32_t sleep = atomic_load(&fr->waker) & WAKER_SLEEP;
		return sleep ? WAKER_SLEEP | WAKER_CHILDREN : 0;
	}
	if (off >= GIC_IDREGS)
		return id_reg(fr->pa + off, off);
	return 0; /* CTLR (EnableLPIs 0, RWP 0), PROPBASER, PENDBASER, ... */
}

static bool rd_write(unsigned f, uint64_t off, unsigned size, uint64_t v)
{
	if (off == GICR_WAKER && size == 4) {
		/* The guest's own view; the hardware stays awake, or a
		 * sleeping redistributor would stop delivering to EL2 too. */
		atomic_store(&v3.frames[f].waker, (uint32_t)v & WAKER_SLEEP);
		return true;
	}
	return false;
}

static uint64_t sgi_read(unsigned f, uint64_t off, unsigned size)
{
	uint64_t pa = v3.frames[f].pa + GICR_SGI + off;

	if (off >= GICR_IPRIORITYR && off < GICR_IPRIORITYR + 32U &&
	    (size == 1 || size == 4))
		return vgic_bytes_read(pa, (unsigned)(off - GICR_IPRIORITYR),
		                       size);
	if (size != 4)
		return 0;
	if (off == GICR_IGROUPR0)
		return 0xFFFFFFFFU;
	if (off >= GICD_BITMAPS && off < GICD_BITMAPS_END && !(off & 0x7FU))
		return vgic_bitmap_read(pa, 0);
	if (off == GICR_ICFGR0)
		return vgic_rd32(pa); /* SGIs: read-only, all edge */
	if (off == GICR_ICFGR1)
		return vgic_cfg_read(pa, 16);
	return 0;
}

static bool sgi_write(unsigned f, uint64_t off, unsigned size, uint64_t v)
{
	uint64_t pa = v3.frames[f].pa + GICR_SGI + off;

	if (off >= GICR_IPRIORITYR && off < GICR_IPRIORITYR + 32U &&
	    (size == 1 || size == 4))
		return vgic_bytes_write(pa, (unsigned)(off - GICR_IPRIORITYR),
		                        size, v, 0xFFU);
	if (size != 4)
		return false;
	if (off >= GICD_BITMAPS && off < GICD_BITMAPS_END && !(off & 0x7FU))
		return vgic_bitmap_write(pa, 0, (uint32_t)v);
	if (off == GICR_ICFGR1)
		return vgic_cfg_write(pa, 16, (uint32_t)v);
	return false;
}

static uint64_t gicr_read(void *ctx, unsigned cpu, uint64_t off, unsigned size)
{
	unsigned f = (unsigned)(off / GICR_FRAME);
	uint64_t o = off % GICR_FRAME;

	(void)ctx;
	(void)cpu;
	vgic_count_read();
	if (f >= v3.nr_frames || !vgic_aligned(off, size))
		return 0; /* beyond the VM's vCPUs: RAZ */
	return o < GICR_SGI ? rd_read(f, o, size)
	                    : sgi_read(f, o - GICR_SGI, size);
}

static void gicr_write(void *ctx, unsigned cpu, uint64_t off, unsigned size,
                       uint64_t v)
{
	unsigned f = (unsigned)(off / GICR_FRAME);
	uint64_t o = off % GICR_FRAME;
	bool done = false;

	(void)ctx;
	(void)cpu;
	if (f < v3.nr_frames && vgic_aligned(off, size))
		done = o < GICR_SGI ? rd_write(f, o, size, v)
		                    : sgi_write(f, o - GICR_SGI, size, v);
	vgic_count_write(!done);
}

/* ---- boot ----------------------------------------------------------- */

static uint64_t typer_affinity(uint64_t mpidr)
{
	return (mpidr & 0xFFFFFFULL) | ((mpidr >> 8) & 0xFF000000ULL);
}

static void wait_gicd_rwp(void)
{
	unsigned n = 0;

	while (vgic_rd32(v3.gicd + GICD_CTLR) & CTLR_RWP)
		if (++n == SPIN_LIMIT)
			hyp_panic("GICD_CTLR.RWP never clears\n");
}

/* Every physical redistributor up to Last: none may have LPIs on, and
 * each CPU of the VM must have one. */
static void find_frames(void)
{
	const struct fdt_range *r = &g_hyp.board.gicr[0];
	uint64_t stride = GICR_FRAME;

	if (g_hyp.board.nr_gicr == 0 || r->size < GICR_FRAME)
		hyp_panic("no GICv3 redistributor region\n");
	if (vgic_rd64(r->base + GICR_TYPER) & GICR_TYPER_VLPIS)
		stride = 2ULL * GICR_FRAME; /* GICv4: VLPI and reserved pages */
	for (uint64_t pa = r->base; pa - r->base <= r->size - GICR_FRAME;
	     pa += stride) {
		uint64_t typer = vgic_rd64(pa + GICR_TYPER);

		if (vgic_rd32(pa + GICR_CTLR) & GICR_CTLR_LPIS)
			hyp_panic("redistributor at 0x%llx has EnableLPIs=1: "
			          "its LPI tables may point anywhere; refusing "
			          "to start\n",
			          (unsigned long long)pa);
		for (unsigned i = 0; i < g_hyp.nr_cpus; i++)
			if ((typer >> 32) ==
			    typer_affinity(g_hyp.cpus[i].mpidr)) {
				v3.frames[i].pa = pa;
				v3.frames[i].typer = typer;
			}
		if (typer & GICR_TYPER_LAST)
			break;
	}
	v3.nr_frames = g_hyp.nr_cpus;
	for (unsigned i = 0; i < v3.nr_frames; i++)
		if (v3.frames[i].pa == 0)
			hyp_panic(
			        "no redistributor for CPU %u (MPIDR 0x%llx)\n",
			        i, (unsigned long long)g_hyp.cpus[i].mpidr);
}

static uint32_t reserved_enables(uint64_t rd)
{
	return vgic_rd32(rd + GICR_SGI + GICR_ISENABLER0) &
	       ~vgic_owned_mask(0, 1);
}

static uint32_t reserved_priorities(uint64_t rd)
{
	/* IPRIORITYR6 holds INTIDs 24..27. */
	return vgic_rd32(rd + GICR_SGI + GICR_IPRIORITYR + 24U) &
	       ~vgic_owned_mask(24, 8);
}

static void setup_frame(struct frame *fr)
{
	uint64_t rd = fr->pa;
	unsigned n = 0;

	fr->propbaser = vgic_rd64(rd + GICR_PROPBASER);
	fr->pendbaser = vgic_rd64(rd + GICR_PENDBASER);
	vgic_wr32(rd + GICR_WAKER, vgic_rd32(rd + GICR_WAKER) & ~WAKER_SLEEP);
	while (vgic_rd32(rd + GICR_WAKER) & WAKER_CHILDREN)
		if (++n == SPIN_LIMIT)
			hyp_panic("redistributor at 0x%llx does not wake\n",
			          (unsigned long long)rd);
	/* The guest sees a redistributor as reset: asleep. */
	atomic_store(&fr->waker, WAKER_SLEEP);
	vgic_wr32(rd + GICR_SGI + GICR_IGROUPR0, 0xFFFFFFFFU);
	vgic_wr32(rd + GICR_SGI + GICR_IGRPMODR0, 0);
	fr->reserved_enable = reserved_enables(rd);
	fr->reserved_prio = reserved_priorities(rd);
}

static void setup_distributor(void)
{
	unsigned lines = (vgic_rd32(v3.gicd + GICD_TYPER) & 0x1FU) + 1U;
	uint32_t ctlr;

	for (unsigned i = 1; i < lines; i++)
		vgic_wr32(v3.gicd + GICD_IGROUPR + 4ULL * i, 0xFFFFFFFFU);
	/* Affinity routing first: it must not change while a group is
	 * enabled. */
	ctlr = vgic_rd32(v3.gicd + GICD_CTLR) & ~CTLR_RWP;
	if (!(ctlr & CTLR_ARE)) {
		vgic_wr32(v3.gicd + GICD_CTLR, ctlr | CTLR_ARE);
		wait_gicd_rwp();
	}
	vgic_wr32(v3.gicd + GICD_CTLR, ctlr | CTLR_ARE | CTLR_ENABLE_G);
	wait_gicd_rwp();
	v3.gicd_ctlr = vgic_rd32(v3.gicd + GICD_CTLR);
}

void vgic_v3_setup(struct vhyp_vm *vm)
{
	const struct fdt_range *r = &g_hyp.board.gicr[0];
	struct hyp_mmio_device d = {
	        .name = "gicd",
	        .base = g_hyp.board.gicd.base,
	        .size = 0x10000,
	        .read = gicd_read,
	        .write = gicd_write,
	};

	v3.gicd = g_hyp.board.gicd.base;
	find_frames();
	for (unsigned i = 0; i < v3.nr_frames; i++)
		setup_frame(&v3.frames[i]);
	setup_distributor();
	if (!hyp_mmio_register(vm, &d))
		hyp_panic("cannot emulate the GICD at 0x%llx\n",
		          (unsigned long long)d.base);
	d.name = "gicr";
	d.base = r->base;
	d.size = r->size & ~0xFFFULL;
	d.read = gicr_read;
	d.write = gicr_write;
	if (!hyp_mmio_register(vm, &d))
		hyp_panic("cannot emulate the GICR at 0x%llx\n",
		          (unsigned long long)d.base);
	vlog_info("gic: GICv3 moderated: GICD 0x%llx, %u redistributors "
	          "at 0x%llx, LPIs and ITS hidden\n",
	          (unsigned long long)v3.gicd, v3.nr_frames,
	          (unsigned long long)r->base);
}

/* ---- SYSTEM_OFF verdict --------------------------------------------- */

void vgic_v3_verdict(void)
{
	bool lpis_ok = true, rest_ok = true;

	for (unsigned i = 0; i < v3.nr_frames; i++) {
		const struct frame *fr = &v3.frames[i];
		uint64_t rd = fr->pa;
		bool lpis = (vgic_rd32(rd + GICR_CTLR) & GICR_CTLR_LPIS) != 0;
		bool prop = vgic_rd64(rd + GICR_PROPBASER) != fr->propbaser;
		bool pend = vgic_rd64(rd + GICR_PENDBASER) != fr->pendbaser;
		bool en = reserved_enables(rd) != fr->reserved_enable;
		bool prio = reserved_priorities(rd) != fr->reserved_prio;
		bool pending = (vgic_rd32(rd + GICR_SGI + GICR_ISPENDR0) &
		                ~vgic_owned_mask(0, 1)) != 0;
		bool asleep = (vgic_rd32(rd + GICR_WAKER) & WAKER_SLEEP) != 0;

		if (lpis || prop || pend) {
			lpis_ok = false;
			vlog("gic: VIOLATION: CPU %u redistributor: "
			     "EnableLPIs=%d PROPBASER %s PENDBASER %s\n",
			     i, lpis, prop ? "changed" : "unchanged",
			     pend ? "changed" : "unchanged");
		}
		if (en || prio || pending || asleep) {
			rest_ok = false;
			vlog("gic: VIOLATION: CPU %u redistributor: reserved "
			     "PPIs enable %s priority %s pending %d, "
			     "ProcessorSleep %d\n",
			     i, en ? "changed" : "unchanged",
			     prio ? "changed" : "unchanged", pending, asleep);
		}
	}
	if ((vgic_rd32(v3.gicd + GICD_CTLR) & ~CTLR_RWP) !=
	    (v3.gicd_ctlr & ~CTLR_RWP)) {
		rest_ok = false;
		vlog("gic: VIOLATION: GICD_CTLR 0x%x, set to 0x%x at boot\n",
		     vgic_rd32(v3.gicd + GICD_CTLR), v3.gicd_ctlr);
	}
	if (lpis_ok)
		vlog("gic: physical LPIs off, tables untouched\n");
	if (rest_ok)
		vlog("gic: reserved PPIs 25/26 unchanged, distributor enabled, "
		     "%u redistributors awake\n",
		     v3.nr_frames);
}
