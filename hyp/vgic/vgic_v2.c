// SPDX-License-Identifier: MIT
/*
 * GICv2: the moderated distributor.  The CPU interface (GICC) stays
 * mapped in the guest's stage 2; GICH, GICV and the v2m MSI frame are
 * never mapped.  Per-INTID registers are forwarded for the INTIDs the
 * guest owns; ITARGETSR and GICD_SGIR reach only the VM's CPU
 * interfaces; CTLR and IGROUPR writes are ignored (vhyp enables the
 * distributor at boot and Linux keeps everything in Group 0).  GICv2 has
 * no LPIs.  Banked registers (INTIDs 0..31) are forwarded by the CPU that
 * made the access, so each vCPU reaches its own bank, as on hardware.
 * docs/vgic.md has the register table.
 */
#include "devices/devices.h"
#include "hyp.h"
#include "vgic_priv.h"

#define GICD_CTLR        0x000U
#define GICD_TYPER       0x004U
#define GICD_IIDR        0x008U
#define GICD_IGROUPR     0x080U
#define GICD_BITMAPS     0x100U
#define GICD_BITMAPS_END 0x400U
#define GICD_IPRIORITYR  0x400U
#define GICD_ITARGETSR   0x800U
#define GICD_ICFGR       0xC00U
#define GICD_ICFGR_END   0xD00U
#define GICD_SGIR        0xF00U
#define GICD_CPENDSGIR   0xF10U
#define GICD_SPENDSGIR   0xF20U
#define GICD_SGI_END     0xF30U
#define GICD_IDREGS      0xFD0U
#define GICD_FRAME       0x1000U
#define CTLR_ENABLE      3U /* EnableGrp0 | EnableGrp1 */

#define SGIR_FILTER(v)  (((v) >> 24) & 3U)
#define SGIR_TARGETS(v) (((v) >> 16) & 0xFFU)
#define SGIR_INTID(v)   ((v)&0xFU)

static struct {
	uint64_t gicd;
	uint8_t cpus; /* CPU interfaces of the VM: bit n = interface n */
	uint32_t ctlr;
	uint32_t reserved_enable, reserved_prio; /* boot CPU's bank */
} v2;

static uint32_t cpu_bytes(void)
{
	return 0x01010101U * v2.cpus;
}

static bool sgir_write(uint32_t v)
{
	uint32_t filter = SGIR_FILTER(v), targets = SGIR_TARGETS(v);

	if (filter == 3U)
		return false; /* reserved */
	if (filter == 0U) {
		targets &= v2.cpus;
		if (targets == 0)
			return false;
	}
	/* NSATT (bit 15) dropped: the guest has no Secure view. */
	vgic_wr32(v2.gicd + GICD_SGIR,
	          (filter << 24) | (targets << 16) | SGIR_INTID(v));
	return true;
}

static uint64_t gicd_read(void *ctx, unsigned cpu, uint64_t off, unsigned size)
{
	uint64_t pa = v2.gicd + off;

	(void)ctx;
	(void)cpu;
	vgic_count_read();
	if (!vgic_aligned(off, size) || off >= GICD_FRAME)
		return 0;
	if (off >= GICD_IPRIORITYR && off < GICD_ICFGR &&
	    (size == 1 || size == 4))
		/* IPRIORITYR and ITARGETSR: one byte per INTID. */
		return vgic_bytes_read(pa, (unsigned)(off & 0x3FFU), size);
	if (size != 4)
		return 0;
	if (off == GICD_CTLR || off == GICD_TYPER || off == GICD_IIDR)
		return vgic_rd32(pa);
	if (off >= GICD_IGROUPR && off < GICD_BITMAPS)
		return vgic_bitmap_read(pa, (unsigned)(off & 0x7FU) * 8U);
	if (off >= GICD_BITMAPS && off < GICD_BITMAPS_END)
		return vgic_bitmap_read(pa, (unsigned)(off & 0x7FU) * 8U);
	if (off >= GICD_ICFGR && off < GICD_ICFGR_END)
		return vgic_cfg_read(pa, (unsigned)(off - GICD_ICFGR) * 4U);
	if (off >= GICD_CPENDSGIR && off < GICD_SGI_END)
		return vgic_rd32(pa) & cpu_bytes();
	if (off >= GICD_IDREGS)
		return vgic_rd32(pa);
	return 0;
}

static bool gicd_write_reg(uint64_t off, unsigned size, uint64_t v)
{
	uint64_t pa = v2.gicd + off;

	if (!vgic_aligned(off, size) || off >= GICD_FRAME)
		return false;
	if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR &&
	    (size == 1 || size == 4))
		return vgic_bytes_write(pa, (unsigned)(off - GICD_IPRIORITYR),
		                        size, v, 0xFFU);
	/* ITARGETSR0..7 (SGIs, PPIs) are read-only. */
	if (off >= GICD_ITARGETSR + 32U && off < GICD_ICFGR &&
	    (size == 1 || size == 4))
		return vgic_bytes_write(pa, (unsigned)(off - GICD_ITARGETSR),
		                        size, v, v2.cpus);
	if (size != 4)
		return false;
	if (off >= GICD_BITMAPS && off < GICD_BITMAPS_END)
		return vgic_bitmap_write(pa, (unsigned)(off & 0x7FU) * 8U,
		                         (uint32_t)v);
	/* ICFGR0 (SGIs) is read-only. */
	if (off >= GICD_ICFGR + 4U && off < GICD_ICFGR_END)
		return vgic_cfg_write(pa, (unsigned)(off - GICD_ICFGR) * 4U,
		                      (uint32_t)v);
	if (off == GICD_SGIR)
		return sgir_write((uint32_t)v);
	if (off >= GICD_CPENDSGIR && off < GICD_SGI_END) {
		uint32_t m = (uint32_t)v & cpu_bytes();

		if (m)
			vgic_wr32(pa, m);
		return m != 0;
	}
	return false;
}

static void gicd_write(void *ctx, unsigned cpu, uint64_t off, unsigned size,
                       uint64_t v)
{
	(void)ctx;
	(void)cpu;
	vgic_count_write(!gicd_write_reg(off, size, v));
}

static uint32_t reserved_enables(void)
{
	return vgic_rd32(v2.gicd + GICD_BITMAPS) & ~vgic_owned_mask(0, 1);
}

static uint32_t reserved_priorities(void)
{
	return vgic_rd32(v2.gicd + GICD_IPRIORITYR + 24U) &
	       ~vgic_owned_mask(24, 8);
}

void vgic_v2_setup(struct vhyp_vm *vm)
{
	struct hyp_mmio_device d = {
	        .name = "gicd",
	        .base = g_hyp.board.gicd.base,
	        .size = 0x10000,
	        .read = gicd_read,
	        .write = gicd_write,
	};

	v2.gicd = g_hyp.board.gicd.base;
	/* QEMU numbers the CPU interfaces in CPU order, at most 8. */
	v2.cpus = (uint8_t)((1U << g_hyp.nr_cpus) - 1U);
	vgic_wr32(v2.gicd + GICD_CTLR,
	          vgic_rd32(v2.gicd + GICD_CTLR) | CTLR_ENABLE);
	v2.ctlr = vgic_rd32(v2.gicd + GICD_CTLR);
	v2.reserved_enable = reserved_enables();
	v2.reserved_prio = reserved_priorities();
	if (!hyp_mmio_register(vm, &d))
		hyp_panic("cannot emulate the GICD at 0x%llx\n",
		          (unsigned long long)d.base);
	vlog_info("gic: GICv2 distributor moderated at 0x%llx, CPU "
	          "interface passed through\n",
	          (unsigned long long)v2.gicd);
}

/* GICv2 has no LPIs; the banked registers are the calling CPU's (the one
 * that asked for SYSTEM_OFF), compared with the boot CPU's at boot. */
void vgic_v2_verdict(void)
{
	bool ok = true;

	if (vgic_rd32(v2.gicd + GICD_CTLR) != v2.ctlr) {
		ok = false;
		vlog("gic: VIOLATION: GICD_CTLR 0x%x, set to 0x%x at boot\n",
		     vgic_rd32(v2.gicd + GICD_CTLR), v2.ctlr);
	}
	if (reserved_enables() != v2.reserved_enable ||
	    reserved_priorities() != v2.reserved_prio ||
	    (vgic_rd32(v2.gicd + 0x200U) & ~vgic_owned_mask(0, 1))) {
		ok = false;
		vlog("gic: VIOLATION: reserved PPIs 25/26 changed\n");
	}
	vlog("gic: GICv2: no LPIs, no ITS, GICH/GICV/v2m unmapped\n");
	if (ok)
		vlog("gic: reserved PPIs 25/26 unchanged, distributor "
		     "enabled\n");
}
