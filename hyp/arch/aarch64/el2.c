// SPDX-License-Identifier: MIT
/*
 * Per-CPU EL2 state for running the guest at EL1, following
 * docs/hypervisor.md and the pitfalls in thin-hypervisor-notes.md: every
 * feature-dependent control is read from the ID registers and set on every
 * CPU (primary and secondaries alike).
 */
#include <stdint.h>

#include <core/cpu_workaround.h>
#include <core/vm.h>
#include <lib/aarch64/counter.h>

#include "arch.h"
#include "sysreg.h"

#define HCR_VM     (1ULL << 0)
#define HCR_SWIO   (1ULL << 1)
#define HCR_FB     (1ULL << 9)
#define HCR_BSU_IS (1ULL << 10)
#define HCR_TID3   (1ULL << 18)
#define HCR_TSC    (1ULL << 19)
#define HCR_TIDCP  (1ULL << 20)
#define HCR_TWI    (1ULL << 13)
#define HCR_TWE    (1ULL << 14)
#define HCR_RW     (1ULL << 31)
#define HCR_APK    (1ULL << 40)
#define HCR_API    (1ULL << 41)
#define HCR_ATA    (1ULL << 56)

#define CPTR_EL2_RES1 0x22FFULL /* bits 13, 9, 7:0 */
#define CPTR_TZ       (1ULL << 8)
#define CPTR_TSM      (1ULL << 12)

#define HCRX_MSCEN  (1ULL << 11)
#define HCRX_TCR2EN (1ULL << 14)

#define VTCR_RES1         (1ULL << 31)
#define SPSR_EL1H_DAIF    0x3C5ULL
#define SCTLR_EL1_DEFAULT 0x30D00800ULL

static const unsigned pa_range_bits[] = {32, 36, 40, 42, 44, 48, 52};

unsigned arch_pa_range_bits(void)
{
	unsigned r = id_field(read_sysreg(id_aa64mmfr0_el1), 0);

	return r < 7 ? pa_range_bits[r] : 48;
}

static bool have_pauth(void)
{
	uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
	uint64_t isar2 = read_sysreg(ID_AA64ISAR2_EL1);

	return id_field(isar1, 4) || id_field(isar1, 8) ||
	       id_field(isar1, 24) || id_field(isar1, 28) ||
	       id_field(isar2, 8) || id_field(isar2, 12);
}

/* FEAT_MTE2 (ID_AA64PFR1_EL1.MTE >= 2): tag memory; QEMU reports it
 * only with the board's mte=on. */
static bool have_mte2(void)
{
	return id_field(read_sysreg(id_aa64pfr1_el1), 8) >= 2;
}

static bool have_sve(void)
{
	return id_field(read_sysreg(id_aa64pfr0_el1), 32) != 0;
}

static bool have_sme(void)
{
	return id_field(read_sysreg(id_aa64pfr1_el1), 24) != 0;
}

bool arch_have_gicv3_sysregs(void);
bool arch_have_gicv3_sysregs(void)
{
	/* ID_AA64PFR0_EL1.GIC: 0 means no system-register interface (a
	 * GICv2), and then every ICC_ and ICH_ access is UNDEFINED. */
	return id_field(read_sysreg(id_aa64pfr0_el1), 24) != 0;
}

static void setup_fp_traps(void)
{
	uint64_t cptr = CPTR_EL2_RES1;

	if (!have_sve())
		cptr |= CPTR_TZ;
	if (!have_sme())
		cptr |= CPTR_TSM;
	/* Clear the traps first: ZCR_EL2/SMCR_EL2 writes trap otherwise. */
	write_sysreg(cptr, cptr_el2);
	isb();
	if (have_sve())
		write_sysreg(0xFULL, ZCR_EL2); /* LEN: the largest */
	if (have_sme()) {
		uint64_t smfr = read_sysreg(ID_AA64SMFR0_EL1);
		uint64_t smcr = 0xFULL;
		if (smfr >> 63)
			smcr |= 1ULL << 31; /* FA64 */
		if (id_field(smfr, 56) >= 1)
			smcr |= 1ULL << 30; /* EZT0 (SME2) */
		write_sysreg(smcr, SMCR_EL2);
	}
	isb();
}

static void setup_pmu(void)
{
	unsigned pmuver = id_field(read_sysreg(id_aa64dfr0_el1), 8);

	if (pmuver != 0 && pmuver != 0xF) /* HPMN = N: every counter */
		write_sysreg((read_sysreg(pmcr_el0) >> 11) & 0x1F, mdcr_el2);
	else
		write_sysreg(0ULL, mdcr_el2);
}

static void setup_hcrx(void)
{
	uint64_t hcrx = 0;

	if (id_field(read_sysreg(id_aa64mmfr1_el1), 40) == 0)
		return; /* no FEAT_HCX */
	if (id_field(read_sysreg(ID_AA64ISAR2_EL1), 16) != 0)
		hcrx |= HCRX_MSCEN; /* MOPS usable at EL1/EL0 */
	if (id_field(read_sysreg(ID_AA64MMFR3_EL1), 0) != 0)
		hcrx |= HCRX_TCR2EN;
	write_sysreg(hcrx, HCRX_EL2);
}

/*
 * Fine-grained traps (FEAT_FGT; absent in QEMU 7.2): nothing trapped.  Most
 * bits trap when set; the SME ones (nSMPRI_EL1, nTPIDR2_EL0) trap when
 * clear, so they are set when SME is there (booting.rst, "EL1 entry").
 */
static void setup_fgt(void)
{
	uint64_t rw;

	if (id_field(read_sysreg(id_aa64mmfr0_el1), 56) == 0)
		return;
	rw = have_sme() ? (1ULL << 54) | (1ULL << 55) : 0;
	write_sysreg(rw, HFGRTR_EL2);
	write_sysreg(rw, HFGWTR_EL2);
	write_sysreg(0ULL, HFGITR_EL2);
	write_sysreg(0ULL, HDFGRTR_EL2);
	write_sysreg(0ULL, HDFGWTR_EL2);
}

static void setup_gic(void)
{
	if (!arch_have_gicv3_sysregs())
		return;
	/* SRE, DFB, DIB, Enable: EL1 uses the system-register interface. */
	write_sysreg(0xFULL, ICC_SRE_EL2);
	isb();
	write_sysreg(0ULL, ICH_HCR_EL2);
}

void arch_el2_setup_guest(const struct vhyp_vm *vm, bool trap_wfx)
{
	uint64_t hcr = HCR_VM | HCR_SWIO | HCR_FB | HCR_BSU_IS | HCR_TSC |
	               HCR_TIDCP | HCR_TID3 | /* idregs.c */
	               HCR_RW; /* IMO/FMO/AMO clear: GIC passed through */

	if (have_pauth())
		hcr |= HCR_APK | HCR_API;
	if (have_mte2())
		hcr |= HCR_ATA; /* tag-control registers and tag access */
	if (trap_wfx)
		hcr |= HCR_TWI | HCR_TWE; /* test aid: WFx -> UNDEFINED */
	else if (vm->cfg.protected_vm)
		hcr |= HCR_TWI; /* console input for hvc0 (exits.c, handle_wfi)
		                 */
	setup_fp_traps();
	setup_gic();
	write_sysreg(3ULL, cnthctl_el2); /* EL1PCTEN | EL1PCEN */
	write_sysreg(vm->cfg.cntvoff, cntvoff_el2);
	write_sysreg(0ULL, cnthp_ctl_el2);
	setup_pmu();
	write_sysreg(0ULL, hstr_el2);
	setup_hcrx();
	setup_fgt();
	write_sysreg(read_sysreg(midr_el1), vpidr_el2);
	write_sysreg(read_sysreg(mpidr_el1), vmpidr_el2);
	write_sysreg(SCTLR_EL1_DEFAULT, sctlr_el1);
	write_sysreg(s2_vtcr(&vm->s2, arch_pa_range_bits()) | VTCR_RES1,
	             vtcr_el2);
	write_sysreg(vm->s2.root_pa | ((uint64_t)vm->s2.vmid << 48), vttbr_el2);
	isb();
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	dsb(nsh);
	isb();
	write_sysreg(hcr, hcr_el2);
	isb();
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(nsh);
	isb();
}

void arch_prepare_eret(uint64_t entry)
{
	write_sysreg(entry, elr_el2);
	write_sysreg(SPSR_EL1H_DAIF, spsr_el2);
}

uint64_t arch_read_mpidr(void)
{
	return read_sysreg(mpidr_el1);
}

uint64_t arch_read_cntpct(void)
{
	return counter_read_physical();
}

uint64_t arch_read_cntfrq(void)
{
	return counter_frequency();
}

void arch_set_this_cpu(struct hyp_cpu *cpu)
{
	write_sysreg((uint64_t)(uintptr_t)cpu, tpidr_el2);
}

/*
 * SMCCC_ARCH_FEATURES for the CPU-workaround IDs: KVM's answer on this CPU
 * (core/smccc/cpu_workaround.c), from the same ID registers and MIDR.
 */
int64_t arch_workaround_answer(uint32_t func_id)
{
	const struct cpu_id_regs r = {
	        .midr = read_sysreg(midr_el1),
	        .pfr0 = read_sysreg(id_aa64pfr0_el1),
	        .pfr1 = read_sysreg(id_aa64pfr1_el1),
	        .isar2 = read_sysreg(ID_AA64ISAR2_EL1),
	        .mmfr1 = read_sysreg(id_aa64mmfr1_el1),
	};

	return cpu_workaround_answer(func_id, &r);
}

/* FEAT_RNG: ID_AA64ISAR0_EL1.RNDR, bits 63:60. */
bool arch_have_rng(void)
{
	return id_field(read_sysreg(id_aa64isar0_el1), 60) != 0;
}

/* RNDRRS until it delivers (PSTATE.Z clear), a bounded number of times:
 * a failure is the guest's NO_ENTROPY, never a wait without end. */
#define RNDRRS_TRIES 16U

bool arch_get_entropy(uint64_t *out)
{
	for (unsigned i = 0; i < RNDRRS_TRIES; i++) {
		// cppcheck-suppress variableScope ; v is an output of the asm
		uint64_t v, nzcv;

		__asm__ volatile("mrs %0, " SYSREG_STR(RNDRRS) "\n\t"
		                                               "mrs %1, nzcv"
		                 : "=r"(v), "=r"(nzcv));
		if ((nzcv & NZCV_Z) == 0) {
			*out = v;
			return true;
		}
	}
	return false;
}
