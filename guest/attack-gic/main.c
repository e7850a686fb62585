// SPDX-License-Identifier: MIT
/*
 * attack-gic: a hostile guest against the interrupt controller
 * (docs/vgic.md, docs/security.md).  It tries every GIC register that can
 * make the GIC touch memory or affect interrupts vhyp keeps, and checks
 * what it reads back; the suite (tests/qemu/attack/gic.sh) also requires
 * the hypervisor's own verdict on the physical GIC at SYSTEM_OFF.
 *
 * GICv3: LPI tables (PROPBASER/PENDBASER at the hypervisor window,
 * EnableLPIs), the DirectLPI registers, the ITS frame, the ID registers
 * and TYPERs, GICD_CTLR, GICR_WAKER, IROUTER, the reserved PPIs 25/26,
 * redistributor frames beyond the vCPUs, LDP/STP on the distributor.
 * GICv2: GICH/GICV/v2m, GICD_CTLR, GICD_SGIR, ITARGETSR, reserved PPIs,
 * LDP/STP.  Each case prints TAP; on a passthrough GIC several fail
 * (EnableLPIs reads back 1, GICD_TYPER.LPIS=1, the distributor can be
 * disabled, LDP works).
 */
#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fdt.h>

#define GRANULE 4096ULL
#define SPI     100U /* no device uses it */

#define GICD_CTLR       0x0000U
#define GICD_TYPER      0x0004U
#define GICD_ISENABLER  0x0100U
#define GICD_ICENABLER  0x0180U
#define GICD_ISPENDR    0x0200U
#define GICD_ICPENDR    0x0280U
#define GICD_ISACTIVER  0x0300U
#define GICD_IPRIORITYR 0x0400U
#define GICD_ITARGETSR  0x0800U
#define GICD_ICFGR      0x0C00U
#define GICD_SGIR       0x0F00U
#define GICD_IROUTER    0x6000U
#define GICD_PIDR2_V3   0xFFE8U

#define GICR_FRAME     0x20000U
#define GICR_CTLR      0x0000U
#define GICR_TYPER     0x0008U
#define GICR_WAKER     0x0014U
#define GICR_PROPBASER 0x0070U
#define GICR_PENDBASER 0x0078U
#define GICR_PIDR2     0xFFE8U
#define GICR_SGI       0x10000U

#define GITS_BASE     0x08080000ULL
#define GICV2M_BASE   0x08020000ULL
#define GICH_BASE     0x08030000ULL
#define GICV_BASE     0x08040000ULL
#define GICC_CTLR     0x00U
#define GICC_PMR      0x04U
#define GICC_IAR      0x0CU
#define GICC_EOIR     0x10U
#define GICC_HPPIR    0x18U
#define RESERVED_PPIS ((1U << 25) | (1U << 26))
#define SPURIOUS      1023U

#define write_sysreg_s(enc, v)                                                 \
	__asm__ volatile("msr " enc ", %0\n\tisb" ::"r"((uint64_t)(v))         \
	                 : "memory")
#define read_sysreg_s(enc)                                                     \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " enc : "=r"(v_)::"memory");         \
		v_;                                                            \
	})
#define ICC_PMR_EL1     "s3_0_c4_c6_0"
#define ICC_IAR1_EL1    "s3_0_c12_c12_0"
#define ICC_EOIR1_EL1   "s3_0_c12_c12_1"
#define ICC_HPPIR1_EL1  "s3_0_c12_c12_2"
#define ICC_IGRPEN1_EL1 "s3_0_c12_c12_7"

static int version;
static uint64_t gicd, gicr, gicr_size, gicc;
static unsigned nr_cpus;

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
static void wr64(uint64_t a, uint64_t v)
{
	__asm__ volatile("str %x0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}
static uint8_t rd8(uint64_t a)
{
	uint32_t v;
	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return (uint8_t)v;
}
static void wr8(uint64_t a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static bool is_sea(uint64_t esr)
{
	return ESR_EC(esr) == ESR_EC_DABT_CUR && ESR_FSC(esr) == ESR_FSC_SEA;
}

/* ---- LDP/STP and a write-back store: ISV=0 syndromes ----------------- */

extern char attack_ldp_insn[], attack_stp_insn[], attack_strpost_insn[];
static volatile uint64_t forms_esr;
static volatile bool forms_faulted;

static bool forms_hook(struct rt_frame *f, enum rt_vector v)
{
	if (v != RT_VEC_SYNC ||
	    (f->elr != (uint64_t)(uintptr_t)attack_ldp_insn &&
	     f->elr != (uint64_t)(uintptr_t)attack_stp_insn &&
	     f->elr != (uint64_t)(uintptr_t)attack_strpost_insn))
		return false;
	forms_esr = f->esr;
	forms_faulted = true;
	f->elr += 4;
	return true;
}

static bool try_ldp(uint64_t a)
{
	register uint64_t x0 __asm__("x0") = a;
	forms_faulted = false;
	__asm__ volatile(".globl attack_ldp_insn\n"
	                 "attack_ldp_insn: ldp w1, w2, [x0]"
	                 : "+r"(x0)
	                 :
	                 : "x1", "x2", "memory");
	return forms_faulted && is_sea(forms_esr);
}

static bool try_stp(uint64_t a)
{
	register uint64_t x0 __asm__("x0") = a;
	forms_faulted = false;
	__asm__ volatile(".globl attack_stp_insn\n"
	                 "mov w1, #0\n mov w2, #0\n"
	                 "attack_stp_insn: stp w1, w2, [x0]"
	                 : "+r"(x0)
	                 :
	                 : "x1", "x2", "memory");
	return forms_faulted && is_sea(forms_esr);
}

static bool try_str_post(uint64_t a)
{
	register uint64_t x0 __asm__("x0") = a;
	forms_faulted = false;
	__asm__ volatile(".globl attack_strpost_insn\n"
	                 "mov w1, #0\n"
	                 "attack_strpost_insn: str w1, [x0], #4"
	                 : "+r"(x0)
	                 :
	                 : "x1", "memory");
	return forms_faulted && is_sea(forms_esr);
}

static void check_access_forms(void)
{
	rt_exception_hook old = rt_set_exception_hook(forms_hook);
	/* GICD_ICENABLER1/2: a write there would only disable SPIs. */
	bool ldp = try_ldp(gicd + GICD_TYPER);
	bool stp = try_stp(gicd + GICD_ICENABLER + 4);
	bool post = try_str_post(gicd + GICD_ICENABLER + 8);

	rt_set_exception_hook(old);
	rt_tap(ldp,
	       "LDP on GICD_TYPER: synchronous external abort (ESR "
	       "0x%llx)",
	       (unsigned long long)forms_esr);
	rt_tap(stp && post, "STP and a post-indexed STR on GICD_ICENABLER: "
	                    "synchronous external abort");
}

/* ---- helpers --------------------------------------------------------- */

static uint64_t my_affinity(void)
{
	uint64_t mpidr = read_sysreg_s("mpidr_el1");

	return mpidr & 0xFF00FFFFFFULL;
}

static uint64_t frame(unsigned f)
{
	return gicr + (uint64_t)f * GICR_FRAME;
}

/* One access at a GIC address that must be unreachable: aborts, or reads 0
 * after the write (RAZ/WI). */
static bool raz_wi_or_abort(uint64_t a, uint32_t v)
{
	uint64_t esr = 0;
	uint32_t r = 0;

	if (!rt_try_write32(a, v, &esr))
		return is_sea(esr) && !rt_try_read32(a, &r, &esr) &&
		       is_sea(esr);
	return rt_try_read32(a, &r, &esr) ? r == 0 : is_sea(esr);
}

static bool both_abort(uint64_t a)
{
	uint64_t esr1 = 0, esr2 = 0;
	uint32_t r;

	return !rt_try_read32(a, &r, &esr1) && is_sea(esr1) &&
	       !rt_try_write32(a, 0xFFFFFFFFU, &esr2) && is_sea(esr2);
}

/* The SPI, pended through the distributor, reaches this CPU's interface. */
static bool spi_arrives(void)
{
	unsigned reg = 4U * (SPI / 32U);
	uint32_t bit = 1U << (SPI % 32U);
	uint64_t id = SPURIOUS, ack = SPURIOUS;

	wr8(gicd + GICD_IPRIORITYR + SPI, 0x80);
	if (version == 3) {
		wr64(gicd + GICD_IROUTER + 8U * SPI, my_affinity());
		write_sysreg_s(ICC_PMR_EL1, 0xFF);
		write_sysreg_s(ICC_IGRPEN1_EL1, 1);
	} else {
		wr8(gicd + GICD_ITARGETSR + SPI, 1);
		wr32(gicc + GICC_PMR, 0xF0);
		wr32(gicc + GICC_CTLR, 1);
	}
	wr32(gicd + GICD_ISENABLER + reg, bit);
	wr32(gicd + GICD_ISPENDR + reg, bit);
	for (unsigned i = 0; i < 100000U && id != SPI; i++)
		id = version == 3 ? read_sysreg_s(ICC_HPPIR1_EL1) & 0xFFFFFFU
		                  : rd32(gicc + GICC_HPPIR) & 0x3FFU;
	if (id == SPI) {
		/* Interrupts are masked in PSTATE: acknowledge by hand. */
		if (version == 3) {
			ack = read_sysreg_s(ICC_IAR1_EL1) & 0xFFFFFFU;
			write_sysreg_s(ICC_EOIR1_EL1, ack);
		} else {
			ack = rd32(gicc + GICC_IAR);
			wr32(gicc + GICC_EOIR, (uint32_t)ack);
			ack &= 0x3FFU;
		}
	}
	wr32(gicd + GICD_ICENABLER + reg, bit);
	wr32(gicd + GICD_ICPENDR + reg, bit);
	return id == SPI && ack == SPI;
}

static void check_gicd_ctlr(void)
{
	uint32_t before = rd32(gicd + GICD_CTLR), after;

	wr32(gicd + GICD_CTLR, 0);                        /* everything off */
	wr32(gicd + GICD_CTLR, 0x40);                     /* DS only */
	wr32(gicd + GICD_CTLR, version == 3 ? 0x3U : 0U); /* ARE_NS=0 */
	after = rd32(gicd + GICD_CTLR);
	rt_tap(after == before && (after & 1U),
	       "GICD_CTLR writes (0, DS, ARE=0) have no effect: 0x%x before, "
	       "0x%x after",
	       before, after);
}

/* Enable, pending, active and priority of PPIs 25/26 through every path
 * the guest has; each must read back as untouched (0). */
static bool attack_reserved_ppis(uint64_t sgi_base)
{
	uint32_t seen = 0;

	wr32(sgi_base + GICD_ISENABLER, RESERVED_PPIS);
	wr32(sgi_base + GICD_ISPENDR, RESERVED_PPIS);
	wr32(sgi_base + GICD_ISACTIVER, RESERVED_PPIS);
	wr8(sgi_base + GICD_IPRIORITYR + 25, 0x10);
	wr8(sgi_base + GICD_IPRIORITYR + 26, 0x10);
	wr32(sgi_base + GICD_IPRIORITYR + 24, 0x10101010U);
	seen |= rd32(sgi_base + GICD_ISENABLER) & RESERVED_PPIS;
	seen |= rd32(sgi_base + GICD_ISPENDR) & RESERVED_PPIS;
	seen |= rd32(sgi_base + GICD_ISACTIVER) & RESERVED_PPIS;
	seen |= rd8(sgi_base + GICD_IPRIORITYR + 25);
	seen |= rd8(sgi_base + GICD_IPRIORITYR + 26);
	seen |= rd32(sgi_base + GICD_IPRIORITYR + 24) & 0x00FFFF00U;
	/* Restore the owned PPIs' priority (27, the vtimer: 24 is unused). */
	wr8(sgi_base + GICD_IPRIORITYR + 27, 0xA0);
	return seen == 0;
}

/* ---- GICv3 ------------------------------------------------------------ */

static void check_v3_ids(void)
{
	uint32_t typer = rd32(gicd + GICD_TYPER);
	uint32_t pidr2 = rd32(gicd + GICD_PIDR2_V3);

	rt_tap((typer & ((1U << 16) | (1U << 17) | (1U << 18))) == 0,
	       "GICD_TYPER 0x%x: LPIS, MBIS and DVIS clear", typer);
	rt_tap(((pidr2 >> 4) & 0xFU) == 3U, "GICD_PIDR2 0x%x: ArchRev 3",
	       pidr2);
	for (unsigned f = 0; f < nr_cpus; f++) {
		uint64_t t = rd64(frame(f) + GICR_TYPER);
		uint64_t aff = rt_cpu_mpidr(f) & 0xFF00FFFFFFULL;
		uint64_t want = (aff & 0xFFFFFFULL) | ((aff >> 8) & 0xFF000000);
		bool last = (t >> 4) & 1U;
		uint32_t p2 = rd32(frame(f) + GICR_PIDR2);

		rt_tap((t >> 32) == want && (t & 0x8BU) == 0 &&
		               last == (f + 1U == nr_cpus) &&
		               ((p2 >> 4) & 0xFU) == 3U,
		       "GICR frame %u: TYPER 0x%llx (affinity 0x%llx, no "
		       "PLPIS/VLPIS/DirectLPI, Last %s), PIDR2 ArchRev %u",
		       f, (unsigned long long)t, (unsigned long long)want,
		       last ? "set" : "clear", (p2 >> 4) & 0xFU);
	}
}

/* PROPBASER/PENDBASER at the hypervisor window, then EnableLPIs: the
 * redistributor would read (and write) the hypervisor's memory. */
static void check_lpi_tables(void)
{
	uint64_t window = rt_ram_base() + rt_ram_size();

	for (unsigned f = 0; f < nr_cpus; f++) {
		uint64_t rd = frame(f);
		uint64_t prop, pend;
		uint32_t ctlr;

		wr64(rd + GICR_PROPBASER, window | 0xFU);
		wr64(rd + GICR_PENDBASER, window + 0x10000U);
		wr32(rd + GICR_CTLR, rd32(rd + GICR_CTLR) | 1U);
		ctlr = rd32(rd + GICR_CTLR);
		prop = rd64(rd + GICR_PROPBASER);
		pend = rd64(rd + GICR_PENDBASER);
		rt_tap((ctlr & 1U) == 0 && prop == 0 && pend == 0,
		       "GICR frame %u: PROPBASER/PENDBASER at the hypervisor "
		       "window 0x%llx + EnableLPIs: CTLR 0x%x, PROPBASER "
		       "0x%llx, PENDBASER 0x%llx (want 0, 0, 0)",
		       f, (unsigned long long)window, ctlr,
		       (unsigned long long)prop, (unsigned long long)pend);
		/* On a passthrough GIC, switch them off again. */
		wr32(rd + GICR_CTLR, 0);
	}
}

static void check_direct_lpi(void)
{
	static const uint32_t offs[] = {0x40, 0x48, 0xA0, 0xB0, 0xC0};
	unsigned bad = 0;

	for (unsigned f = 0; f < nr_cpus; f++)
		for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			uint64_t a = frame(f) + offs[i];

			wr64(a, 8192);
			wr32(a, 8192);
			if (rd64(a) != 0 || rd32(a) != 0)
				bad++;
		}
	rt_tap(bad == 0,
	       "SETLPIR, CLRLPIR, INVLPIR, INVALLR, SYNCR of every frame: "
	       "RAZ/WI (%u not)",
	       bad);
}

/* The ITS, in the order that would make it write a device-table entry
 * into the hypervisor window: BASER0, CBASER, CTLR.Enabled, CWRITER. */
static void check_its(void)
{
	uint64_t window = rt_ram_base() + rt_ram_size();
	bool ok = raz_wi_or_abort(GITS_BASE + 0x100, (uint32_t)window) &&
	          raz_wi_or_abort(GITS_BASE + 0x104, 0x80000000U) &&
	          raz_wi_or_abort(GITS_BASE + 0x80, (uint32_t)rt_ram_base()) &&
	          raz_wi_or_abort(GITS_BASE + 0x84, 0x80000000U) &&
	          raz_wi_or_abort(GITS_BASE + 0x0, 1U) &&
	          raz_wi_or_abort(GITS_BASE + 0x88, 32U) &&
	          raz_wi_or_abort(GITS_BASE + 0x10040, 0U);

	rt_tap(ok,
	       "ITS frame 0x%llx: BASER0 (hypervisor window), CBASER, "
	       "CTLR.Enabled, CWRITER, TRANSLATER each abort or are "
	       "RAZ/WI",
	       (unsigned long long)GITS_BASE);
}

static void set_all_asleep(uint32_t sleep)
{
	for (unsigned f = 0; f < nr_cpus; f++)
		wr32(frame(f) + GICR_WAKER, sleep ? 2U : 0U);
}

static void check_waker(void)
{
	unsigned bad = 0;

	set_all_asleep(1);
	for (unsigned f = 0; f < nr_cpus; f++)
		if ((rd32(frame(f) + GICR_WAKER) & 6U) != 6U)
			bad++;
	/* The hardware stays awake: an SPI still arrives here while the
	 * guest's view of this redistributor says asleep. */
	rt_tap(bad == 0 && spi_arrives(),
	       "GICR_WAKER.ProcessorSleep on every frame: reads asleep (%u "
	       "not), interrupts still delivered",
	       bad);
	set_all_asleep(0);
	bad = 0;
	for (unsigned f = 0; f < nr_cpus; f++)
		if (rd32(frame(f) + GICR_WAKER) & 6U)
			bad++;
	rt_tap(bad == 0, "GICR_WAKER wakes again (%u not)", bad);
}

static void check_irouter(void)
{
	uint64_t a = gicd + GICD_IROUTER + 8U * SPI;
	/* The last vCPU: a route that differs from the reset value 0. */
	uint64_t own = rt_cpu_mpidr(nr_cpus - 1U) & 0xFF00FFFFFFULL;
	uint64_t r1, r2, r3;

	wr64(a, own);
	wr64(a, 1ULL << 31); /* IRM=1: any CPU */
	r1 = rd64(a);
	wr64(a, own | 0xEEULL); /* Aff0 0xEE: no such CPU */
	r2 = rd64(a);
	wr32(a + 4, 0x7FU); /* Aff3 0x7F through the high half */
	r3 = rd64(a);
	rt_tap(r1 == own && r2 == own && r3 == own,
	       "IROUTER of SPI %u: routed to the last vCPU; then IRM=1, a "
	       "missing CPU, a forged Aff3 are ignored (0x%llx, 0x%llx, "
	       "0x%llx; want 0x%llx)",
	       SPI, (unsigned long long)r1, (unsigned long long)r2,
	       (unsigned long long)r3, (unsigned long long)own);
	wr64(a, my_affinity());
}

static void check_beyond(void)
{
	uint64_t f = frame(nr_cpus), esr = 0;
	uint64_t window = rt_ram_base() + rt_ram_size();
	uint64_t t = 0;
	bool ok;

	if (gicr_size > (uint64_t)nr_cpus * GICR_FRAME ||
	    nr_cpus * GICR_FRAME + GICR_FRAME > 0xF60000U) {
		rt_tap(true, "# SKIP no frame beyond the vCPUs to try");
		return;
	}
	ok = rt_try_read64(f + GICR_TYPER, &t, &esr) ? t == 0 : is_sea(esr);
	ok = ok && raz_wi_or_abort(f + GICR_PROPBASER, (uint32_t)window) &&
	     raz_wi_or_abort(f + GICR_CTLR, 1U) &&
	     raz_wi_or_abort(f + GICR_SGI + GICD_ISENABLER, RESERVED_PPIS);
	rt_tap(ok,
	       "redistributor frame %u (beyond the vCPUs): aborts or "
	       "RAZ/WI (TYPER 0x%llx)",
	       nr_cpus, (unsigned long long)t);
}

/* Both vCPUs at once on each other's redistributor and on the shared
 * distributor registers vhyp read-modify-writes (ICFGR, IROUTER halves,
 * priority words that hold a reserved PPI). */
#define RACE_ROUNDS 3000U
static volatile unsigned race_done;

static void race_body(unsigned cpu)
{
	uint64_t other = frame(cpu == 0 ? 1U : 0U) + GICR_SGI;
	uint64_t irouter = gicd + GICD_IROUTER + 8U * SPI;

	for (unsigned i = 0; i < RACE_ROUNDS; i++) {
		wr32(other + GICD_ICFGR + 4, i & 1U ? 0xFFFFFFFFU : 0);
		wr32(other + GICD_IPRIORITYR + 24, 0x01010101U * (i & 0xF0U));
		wr32(other + GICD_ISENABLER, RESERVED_PPIS);
		wr32(gicd + GICD_ICFGR + 4U * (SPI / 16U),
		     cpu ? 0x55555555U : 0xAAAAAAAAU);
		wr32(irouter + (cpu ? 4U : 0U), cpu ? 0x7FU : 0xEEU);
	}
	__atomic_fetch_add(&race_done, 1U, __ATOMIC_SEQ_CST);
}

static void race_cpu(unsigned cpu, void *arg)
{
	(void)arg;
	race_body(cpu);
}

static void check_race(void)
{
	uint64_t irouter = gicd + GICD_IROUTER + 8U * SPI, r;
	unsigned seen = 0;

	if (nr_cpus < 2) {
		rt_tap(true, "# SKIP one vCPU: no race");
		return;
	}
	wr64(irouter, my_affinity());
	race_done = 0;
	if (rt_cpu_start(1, race_cpu, NULL) != 0) {
		rt_tap(false, "race: CPU_ON of vCPU 1");
		return;
	}
	race_body(0);
	while (race_done < 2U)
		;
	(void)rt_cpu_wait_off(1, 1000000000ULL);
	for (unsigned f = 0; f < 2; f++) {
		uint64_t sgi = frame(f) + GICR_SGI;

		seen |= rd32(sgi + GICD_ISENABLER) & RESERVED_PPIS;
		seen |= rd32(sgi + GICD_IPRIORITYR + 24) & 0x00FFFF00U;
		seen |= rd32(sgi + GICD_ICFGR + 4) & 0x003C0000U;
	}
	r = rd64(irouter);
	rt_tap(seen == 0 && r == my_affinity(),
	       "%u rounds of racing writes from 2 vCPUs (ICFGR, priority "
	       "words, reserved enables, IROUTER halves): reserved PPIs read "
	       "untouched, IROUTER 0x%llx kept",
	       RACE_ROUNDS, (unsigned long long)r);
	/* Leave the PPIs' configuration as it was (all level/edge bits 0
	 * for PPIs is the reset value on QEMU). */
	for (unsigned f = 0; f < 2; f++)
		wr32(frame(f) + GICR_SGI + GICD_ICFGR + 4, 0);
}

static void run_v3(void)
{
	unsigned bad = 0;

	check_v3_ids();
	check_lpi_tables();
	check_direct_lpi();
	check_its();
	check_gicd_ctlr();
	rt_tap(spi_arrives(),
	       "SPI %u still arrives after the GICD_CTLR "
	       "writes",
	       SPI);
	for (unsigned f = 0; f < nr_cpus; f++)
		if (!attack_reserved_ppis(frame(f) + GICR_SGI))
			bad++;
	/* The distributor's banked copies (RAZ/WI under affinity routing). */
	if (!attack_reserved_ppis(gicd))
		bad++;
	rt_tap(bad == 0,
	       "PPIs 25/26 (vhyp's): enable, pending, active, priority "
	       "writes read back as untouched on every frame (%u not)",
	       bad);
	check_waker();
	check_irouter();
	check_beyond();
	check_race();
	check_access_forms();
}

/* ---- GICv2 ------------------------------------------------------------ */

static void check_sgir(void)
{
	uint32_t self_cpus = (1U << nr_cpus) - 1U;
	uint64_t id;

	/* Reserved TargetListFilter, and SGI 5 to CPU interfaces that do
	 * not exist only. */
	wr32(gicd + GICD_SGIR, (3U << 24) | (0xFFU << 16) | 5U);
	wr32(gicd + GICD_SGIR, (0U << 24) | ((0xFFU & ~self_cpus) << 16) | 5U);
	wr32(gicc + GICC_PMR, 0xF0);
	wr32(gicc + GICC_CTLR, 1);
	wr32(gicd + GICD_ISENABLER, 0xFFFFU); /* SGIs enabled */
	rt_udelay(1000);
	id = rd32(gicc + GICC_HPPIR) & 0x3FFU;
	rt_tap(id == SPURIOUS,
	       "GICD_SGIR with filter 0b11 and to missing CPUs: nothing "
	       "pending here (HPPIR %llu)",
	       (unsigned long long)id);
	/* Control: to this CPU only (filter 0b10). */
	wr32(gicd + GICD_SGIR, (2U << 24) | 5U);
	for (unsigned i = 0; i < 100000U && id != 5U; i++)
		id = rd32(gicc + GICC_HPPIR) & 0x3FFU;
	if (id == 5U) {
		uint32_t ack = rd32(gicc + GICC_IAR);
		wr32(gicc + GICC_EOIR, ack);
	}
	rt_tap(id == 5U, "GICD_SGIR to this CPU still works (SGI 5)");
}

static void run_v2(void)
{
	uint32_t typer = rd32(gicd + GICD_TYPER), t;

	rt_tap(((typer >> 5) & 7U) + 1U == nr_cpus,
	       "GICD_TYPER 0x%x: CPUNumber says %u CPUs", typer,
	       ((typer >> 5) & 7U) + 1U);
	rt_tap(both_abort(GICH_BASE) && both_abort(GICH_BASE + 0x100) &&
	               both_abort(GICV_BASE) &&
	               both_abort(GICV_BASE + 0x1000) &&
	               both_abort(GICV2M_BASE) &&
	               both_abort(GICV2M_BASE + 0x40),
	       "GICH, GICV and the v2m MSI frame: every access aborts");
	check_gicd_ctlr();
	rt_tap(spi_arrives(),
	       "SPI %u still arrives after the GICD_CTLR "
	       "writes",
	       SPI);
	rt_tap(attack_reserved_ppis(gicd),
	       "PPIs 25/26 (vhyp's): enable, pending, active, priority "
	       "writes read back as untouched");
	wr8(gicd + GICD_ITARGETSR + SPI, 0xFF);
	t = rd8(gicd + GICD_ITARGETSR + SPI);
	rt_tap(t == (1U << nr_cpus) - 1U,
	       "ITARGETSR of SPI %u: 0xFF reads back 0x%x (the VM's CPUs)", SPI,
	       t);
	check_sgir();
	check_access_forms();
}

/* ---- main ------------------------------------------------------------- */

static bool find_gic(void)
{
	struct fdt fdt;
	uint64_t size;
	int node;

	if (fdt_open(&fdt, rt_dtb, FDT_MAX_SIZE) != 0)
		return false;
	node = fdt_find_compatible(&fdt, -1, "arm,gic-v3");
	if (node >= 0)
		version = 3;
	else if ((node = fdt_find_compatible(&fdt, -1, "arm,cortex-a15-gic")) >=
	         0)
		version = 2;
	else
		return false;
	if (!fdt_reg(&fdt, node, 0, &gicd, &size))
		return false;
	if (version == 3)
		return fdt_reg(&fdt, node, 1, &gicr, &gicr_size);
	return fdt_reg(&fdt, node, 1, &gicc, &size);
}

/* A protected VM with MMIO guard: guard the console and the GIC frames
 * first, as Linux's ioremap hook does, so every access reaches vhyp. */
static void guard_gic(void)
{
	uint64_t uart = rt_uart_base() & ~(GRANULE - 1);
	unsigned bad = 0;

	if (vg_probe(&rt_hyp) != VG_PROBE_OK ||
	    !vg_has_feature(&rt_hyp, KVM_FUNC_MMIO_GUARD))
		return;
	if (vg_mmio_guard(&rt_hyp, uart) != 0)
		bad++;
	for (uint64_t p = 0; p < 0x10000U; p += GRANULE)
		if (vg_mmio_guard(&rt_hyp, gicd + p) != 0)
			bad++;
	if (version == 3) {
		for (uint64_t p = 0; p < (uint64_t)nr_cpus * GICR_FRAME;
		     p += GRANULE)
			if (vg_mmio_guard(&rt_hyp, gicr + p) != 0)
				bad++;
	} else {
		for (uint64_t p = 0; p < 0x2000U; p += GRANULE)
			if (vg_mmio_guard(&rt_hyp, gicc + p) != 0)
				bad++;
	}
	rt_tap(bad == 0,
	       "MMIO_GUARD of the UART and every GIC page (%u "
	       "refused)",
	       bad);
}

int main(const void *dtb)
{
	(void)dtb;
	nr_cpus = rt_cpu_count();
	if (!find_gic()) {
		rt_tap(false, "a GICv2 or GICv3 in the DT");
		rt_tap_plan("attack-gic");
		return 0;
	}
	rt_printf("# attack-gic: GICv%d, %u vCPUs, GICD 0x%llx, RAM 0x%llx + "
	          "0x%llx\n",
	          version, nr_cpus, (unsigned long long)gicd,
	          (unsigned long long)rt_ram_base(),
	          (unsigned long long)rt_ram_size());
	guard_gic();
	if (version == 3)
		run_v3();
	else
		run_v2();
	rt_tap_plan("attack-gic");
	return 0;
}
