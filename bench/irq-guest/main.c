// SPDX-License-Identifier: MIT
/*
 * The interrupt benchmark guest (GICv3): what the GIC costs the
 * guest, in instructions under QEMU -icount shift=0 (one instruction =
 * 1 ns of virtual time).  One line per figure:
 *
 *	bench: gicd_read 312
 *
 *  gicd_read  one load of GICD_TYPER (loop of 200 loads, cntvct, minimum
 *             of 20 batches, loop included)
 *  ram_read   the same loop on a word of guest RAM (the loop's own cost)
 *  ack, eoi   one ICC_IAR1_EL1 read, one ICC_EOIR1_EL1 write of a
 *             self-SGI (PMU cycle counter around the one instruction,
 *             minus an empty measurement; under -icount a cycle is an
 *             instruction).  The guest runs EOImode 0: no ICC_DIR_EL1.
 *  ipi        ICC_SGI1R_EL1 write to the first instruction of the IRQ
 *             hook (an SGI to this vCPU, see time_ipi; PMU cycle counter;
 *             minimum and median of 32).  The hook runs after the
 *             runtime's vector has saved the registers.
 *  ipi_cross  ICC_SGI1R_EL1 write on vCPU 0 to the first instruction of
 *             the IRQ hook on vCPU 1, which waits in WFI with interrupts
 *             unmasked (cntvct, the one clock both vCPUs share; minimum
 *             and median of 32; resolution one counter tick).  Needs
 *             --smp 2; "bench: ipi_cross skipped" otherwise.
 *  vtimer     CNTV_CVAL_EL0 expiry to the hook (cntvct; minimum and
 *             median of 32).  Resolution: one counter tick (16 ns at the
 *             62.5 MHz of QEMU's virt board).
 *
 * The guest programs the GIC itself, as Linux would (distributor enable,
 * redistributor wake, groups, priorities), so it runs the same under the
 * old passthrough hypervisor (d144c1d) and under the moderated GIC.
 */
#include <guest/rt.h>
#include <lib/fdt.h>

#define GICD_CTLR       0x0000U
#define GICD_TYPER      0x0004U
#define GICR_FRAME      0x20000U
#define GICR_TYPER      0x0008U
#define GICR_WAKER      0x0014U
#define GICR_SGI        0x10000U
#define GICR_IGROUPR0   0x0080U
#define GICR_ISENABLER0 0x0100U
#define GICR_IPRIORITYR 0x0400U
#define IPI_SGI         1U
#define VTIMER_PPI      27U
#define SPURIOUS        1023U

#define BATCHES 20U
#define LOADS   200U
#define SAMPLES 32U

#define sysreg_w(enc, v)                                                       \
	__asm__ volatile("msr " enc ", %0" ::"r"((uint64_t)(v)) : "memory")
#define sysreg_r(enc)                                                          \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " enc : "=r"(v_)::"memory");         \
		v_;                                                            \
	})
#define ICC_PMR_EL1     "s3_0_c4_c6_0"
#define ICC_IAR1_EL1    "s3_0_c12_c12_0"
#define ICC_EOIR1_EL1   "s3_0_c12_c12_1"
#define ICC_BPR1_EL1    "s3_0_c12_c12_3"
#define ICC_SGI1R_EL1   "s3_0_c12_c11_5"
#define ICC_IGRPEN1_EL1 "s3_0_c12_c12_7"

static uint64_t gicd, gicr;
static volatile uint32_t ram_word;
static volatile uint64_t hook_time[RT_MAX_CPUS], hook_cycles[RT_MAX_CPUS];
static volatile unsigned hook_intid[RT_MAX_CPUS];

/* MMIO through single plain loads and stores (as Linux's readl/writel):
 * the compiler's write-back addressing forms give ESR ISV=0, which a
 * trapping hypervisor cannot emulate. */
static uint32_t rd32(uint64_t a)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static void wr32(uint64_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}
static uint64_t rd64(uint64_t a)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static void wr8(uint64_t a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static uint64_t ticks_to_insns(uint64_t ticks, uint64_t n)
{
	uint64_t den = rt_cntfrq() * n;

	return (ticks * 1000000000ULL + den / 2U) / den;
}

/* This CPU's redistributor, found by affinity as Linux does. */
static uint64_t my_frame(void)
{
	uint64_t mpidr = sysreg_r("mpidr_el1");
	uint64_t aff = (mpidr & 0xFFFFFFULL) | ((mpidr >> 8) & 0xFF000000ULL);

	for (uint64_t rd = gicr;; rd += GICR_FRAME) {
		uint64_t t = rd64(rd + GICR_TYPER);

		if ((t >> 32) == aff)
			return rd;
		if (t & (1ULL << 4))
			return 0;
	}
}

static bool cpu_gic_init(void)
{
	uint64_t rd = my_frame();

	if (rd == 0)
		return false;
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~2U);
	while (rd32(rd + GICR_WAKER) & 4U)
		;
	wr32(rd + GICR_SGI + GICR_IGROUPR0, 0xFFFFFFFFU);
	wr8(rd + GICR_SGI + GICR_IPRIORITYR + IPI_SGI, 0x80);
	wr8(rd + GICR_SGI + GICR_IPRIORITYR + VTIMER_PPI, 0x80);
	wr32(rd + GICR_SGI + GICR_ISENABLER0,
	     (1U << IPI_SGI) | (1U << VTIMER_PPI));
	sysreg_w(ICC_PMR_EL1, 0xFF);
	sysreg_w(ICC_BPR1_EL1, 0);
	sysreg_w(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
	return true;
}

static bool gic_init(void)
{
	struct fdt fdt;
	uint64_t size;
	int node;

	if (fdt_open(&fdt, rt_dtb, FDT_MAX_SIZE) != 0)
		return false;
	node = fdt_find_compatible(&fdt, -1, "arm,gic-v3");
	if (node < 0 || !fdt_reg(&fdt, node, 0, &gicd, &size) ||
	    !fdt_reg(&fdt, node, 1, &gicr, &size))
		return false;
	wr32(gicd + GICD_CTLR, rd32(gicd + GICD_CTLR) | 0x10U);
	while (rd32(gicd + GICD_CTLR) & (1U << 31))
		;
	wr32(gicd + GICD_CTLR, rd32(gicd + GICD_CTLR) | 0x3U);
	while (rd32(gicd + GICD_CTLR) & (1U << 31))
		;
	return cpu_gic_init();
}

/* The IRQ hook: the time first, then acknowledge and EOI. */
static bool irq_hook(struct rt_frame *f, enum rt_vector v)
{
	uint64_t c = sysreg_r("pmccntr_el0");
	uint64_t t = rt_cntvct();
	unsigned cpu = rt_cpu_id(), id;

	(void)f;
	if (v != RT_VEC_IRQ)
		return false;
	id = (unsigned)(sysreg_r(ICC_IAR1_EL1) & 0xFFFFFFU);
	if (id == VTIMER_PPI)
		sysreg_w("cntv_ctl_el0", 2); /* masked: the line drops */
	if (id != SPURIOUS)
		sysreg_w(ICC_EOIR1_EL1, id);
	hook_time[cpu] = t;
	hook_cycles[cpu] = c;
	hook_intid[cpu] = id;
	return true;
}

static uint64_t time_loads(uint64_t addr)
{
	uint64_t best = UINT64_MAX;

	for (unsigned b = 0; b < BATCHES; b++) {
		uint64_t t0, t1;

		__asm__ volatile("isb");
		t0 = rt_cntvct();
		for (unsigned i = 0; i < LOADS; i++)
			(void)rd32(addr);
		__asm__ volatile("isb");
		t1 = rt_cntvct();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return ticks_to_insns(best, LOADS);
}

static void pmu_on(void)
{
	sysreg_w("pmcr_el0", sysreg_r("pmcr_el0") | 1U | 4U);
	sysreg_w("pmcntenset_el0", 1ULL << 31);
	__asm__ volatile("isb");
}

static uint64_t sgi1r_for(uint64_t mpidr, unsigned intid)
{
	return (1ULL << (mpidr & 0xFU)) | (((mpidr >> 8) & 0xFFU) << 16) |
	       ((uint64_t)intid << 24) | (((mpidr >> 16) & 0xFFU) << 32) |
	       (((mpidr >> 4) & 0xFU) << 44) | (((mpidr >> 32) & 0xFFU) << 48);
}

/* ack and eoi of a self-SGI, with interrupts masked in PSTATE. */
static void time_ack_eoi(void)
{
	uint64_t self = sysreg_r("mpidr_el1");
	uint64_t empty = UINT64_MAX, ack = UINT64_MAX, eoi = UINT64_MAX;

	pmu_on();
	for (unsigned k = 0; k < SAMPLES; k++) {
		uint64_t c0, c1, c2, c3, c4, c5, id;

		sysreg_w(ICC_SGI1R_EL1, sgi1r_for(self, IPI_SGI));
		__asm__ volatile("isb");
		c0 = sysreg_r("pmccntr_el0");
		c1 = sysreg_r("pmccntr_el0");
		c2 = sysreg_r("pmccntr_el0");
		id = sysreg_r(ICC_IAR1_EL1);
		c3 = sysreg_r("pmccntr_el0");
		c4 = sysreg_r("pmccntr_el0");
		sysreg_w(ICC_EOIR1_EL1, id);
		c5 = sysreg_r("pmccntr_el0");
		if ((id & 0xFFFFFFU) != IPI_SGI) {
			rt_printf("bench: error self-SGI read IAR %llu\n",
			          (unsigned long long)id);
			return;
		}
		if (c1 - c0 < empty)
			empty = c1 - c0;
		if (c3 - c2 < ack)
			ack = c3 - c2;
		if (c5 - c4 < eoi)
			eoi = c5 - c4;
	}
	/* Each delta covers the instruction and one counter read. */
	rt_printf("bench: ack %llu\n", (unsigned long long)(ack - empty));
	rt_printf("bench: eoi %llu\n", (unsigned long long)(eoi - empty));
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void report_samples(const char *name, uint64_t *ticks, unsigned n)
{
	sort(ticks, n);
	rt_printf("bench: %s %llu\n", name,
	          (unsigned long long)ticks_to_insns(ticks[0], 1));
	rt_printf("bench: %s_median %llu\n", name,
	          (unsigned long long)ticks_to_insns(ticks[n / 2], 1));
}

/*
 * An SGI sent with ICC_SGI1R_EL1 to this vCPU, interrupts unmasked: the
 * write to the first instruction of the hook.  The path through the GIC
 * (redistributor, CPU interface, EL1 vector) is the one an IPI to another
 * vCPU takes; under -icount QEMU runs the vCPUs round-robin in one thread,
 * so a cross-vCPU latency there would measure QEMU's scheduling slice.
 */
static void time_ipi(void)
{
	uint64_t self = sysreg_r("mpidr_el1"), s[SAMPLES];
	unsigned got = 0;

	__asm__ volatile("msr daifclr, #2" ::: "memory");
	for (unsigned k = 0; k < SAMPLES; k++) {
		uint64_t t0;

		uint64_t c0, sgi = sgi1r_for(self, IPI_SGI);

		hook_intid[0] = SPURIOUS;
		__asm__ volatile("isb");
		t0 = rt_cntvct();
		c0 = sysreg_r("pmccntr_el0");
		sysreg_w(ICC_SGI1R_EL1, sgi);
		__asm__ volatile("isb");
		while (hook_intid[0] != IPI_SGI &&
		       rt_cntvct() - t0 < rt_cntfrq())
			;
		if (hook_intid[0] == IPI_SGI)
			s[got++] = hook_cycles[0] - c0;
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	if (got == SAMPLES) {
		/* Cycles are instructions under -icount: report as is. */
		sort(s, got);
		rt_printf("bench: ipi %llu\n", (unsigned long long)s[0]);
		rt_printf("bench: ipi_median %llu\n",
		          (unsigned long long)s[got / 2]);
	} else
		rt_printf("bench: error ipi %u of %u arrived\n", got, SAMPLES);
}

/* vCPU 1 of the cross-vCPU IPI: its GIC set up, interrupts unmasked,
 * asleep in WFI until vCPU 0 says stop. */
static volatile bool receiver_ready, receiver_stop;

static void ipi_receiver(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	if (!cpu_gic_init())
		return;
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	receiver_ready = true;
	while (!receiver_stop)
		__asm__ volatile("wfi");
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

static void time_ipi_cross(void)
{
	uint64_t s[SAMPLES], start, sgi;
	unsigned got = 0;

	if (rt_cpu_count() < 2 || rt_cpu_start(1, ipi_receiver, NULL) != 0) {
		rt_printf("bench: ipi_cross skipped (one vCPU)\n");
		return;
	}
	start = rt_cntvct();
	/* YIELD: under -icount QEMU runs the vCPUs round-robin in one
	 * thread, and a vCPU that spins keeps it until the 100 ms kick
	 * timer; QEMU ends the slice at a YIELD (vhyp does not trap it). */
	while (!receiver_ready && rt_cntvct() - start < 10U * rt_cntfrq())
		__asm__ volatile("yield");
	if (!receiver_ready) {
		rt_printf("bench: error ipi_cross vCPU 1 not ready\n");
		return;
	}
	sgi = sgi1r_for(rt_cpu_mpidr(1), IPI_SGI);
	for (unsigned k = 0; k < SAMPLES; k++) {
		uint64_t t0;

		hook_intid[1] = SPURIOUS;
		__asm__ volatile("dsb sy; isb" ::: "memory");
		t0 = rt_cntvct();
		sysreg_w(ICC_SGI1R_EL1, sgi);
		__asm__ volatile("isb");
		while (hook_intid[1] != IPI_SGI &&
		       rt_cntvct() - t0 < rt_cntfrq())
			__asm__ volatile("yield");
		if (hook_intid[1] == IPI_SGI)
			s[got++] = hook_time[1] - t0;
	}
	receiver_stop = true;
	__asm__ volatile("dsb sy; sev" ::: "memory");
	sysreg_w(ICC_SGI1R_EL1, sgi); /* out of WFI to see the stop */
	(void)rt_cpu_wait_off(1, 1000000000ULL);
	if (got == SAMPLES)
		report_samples("ipi_cross", s, got);
	else
		rt_printf("bench: error ipi_cross %u of %u arrived\n", got,
		          SAMPLES);
}

static void time_vtimer(void)
{
	uint64_t s[SAMPLES];
	unsigned got = 0;

	__asm__ volatile("msr daifclr, #2" ::: "memory");
	for (unsigned k = 0; k < SAMPLES; k++) {
		uint64_t start = rt_cntvct(), cval = start + 200U;

		hook_intid[0] = SPURIOUS;
		sysreg_w("cntv_cval_el0", cval);
		sysreg_w("cntv_ctl_el0", 1);
		__asm__ volatile("isb");
		while (hook_intid[0] != VTIMER_PPI &&
		       rt_cntvct() - start < rt_cntfrq())
			;
		if (hook_intid[0] == VTIMER_PPI)
			s[got++] = hook_time[0] - cval;
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	sysreg_w("cntv_ctl_el0", 0);
	if (got == SAMPLES)
		report_samples("vtimer", s, got);
	else
		rt_printf("bench: error vtimer %u of %u arrived\n", got,
		          SAMPLES);
}

int main(const void *dtb)
{
	(void)dtb;
	rt_printf("bench: cntfrq %llu\n", (unsigned long long)rt_cntfrq());
	if (!gic_init()) {
		rt_printf("bench: error no GICv3 (run with --gic 3)\n");
		return 0;
	}
	rt_set_exception_hook(irq_hook);
	rt_printf("bench: gicd_read %llu\n",
	          (unsigned long long)time_loads(gicd + GICD_TYPER));
	rt_printf(
	        "bench: ram_read %llu\n",
	        (unsigned long long)time_loads((uint64_t)(uintptr_t)&ram_word));
	time_ack_eoi();
	time_vtimer();
	time_ipi();
	time_ipi_cross();
	rt_printf("bench: done\n");
	return 0;
}
