// SPDX-License-Identifier: MIT
/*
 * The guest's view of the ID registers.  HCR_EL2.TID3 traps every EL1 read
 * of the ID space (op0 3, op1 0, CRn 0, CRm 1..7, any op2) to here, and
 * vhyp answers with the hardware's value minus the features it does not
 * give the guest, the way KVM sanitises them (arch/arm64/kvm/sys_regs.c).
 *
 * Per feature, vhyp either enables it at EL2 for the guest (el2.c: FP,
 * AdvSIMD, SVE and SME with CPTR_EL2/ZCR_EL2/SMCR_EL2, pointer
 * authentication with HCR_EL2.API/APK, MTE with HCR_EL2.ATA, MOPS and
 * TCR2 with HCRX_EL2, the PMU with MDCR_EL2.HPMN, GICv3 system registers
 * with ICC_SRE_EL2) or hides it here.  Hidden: what is EL2's or EL3's own
 * (EL2, Secure EL2, RME, VHE, nested virtualisation, FGT, HCX, ECV, FWB,
 * EVT, TWED, RNDR trapping), what needs an EL2 enable vhyp does not set
 * (AMU, MPAM, SPE, trace, TRBE, BRBE, LS64, TME, NMI, GCS, THE, 128-bit
 * system registers, SCTLR2, permission indirection and overlays, FPMR),
 * and every ID register vhyp does not know field by field (read as 0).
 * docs/abi.md lists the fields.
 */
#include <stdint.h>

#include <vhyp/esr.h>

#include "arch.h"
#include "hyp.h"
#include "sysreg.h"

#define FIELD(shift) (0xFULL << (shift))

/* crm * 8 + op2 of an ID register (op0 3, op1 0, CRn 0). */
#define IDX(crm, op2) ((crm)*8U + (op2))

struct idreg_rule {
	uint8_t idx;
	uint64_t hide; /* fields forced to 0 (unsupported / not visible) */
};

/* AArch64 registers: the fields vhyp hides. */
static const struct idreg_rule rules[] = {
        /* ID_AA64PFR0_EL1: EL2 11:8, SEL2 39:36, MPAM 43:40, AMU 47:44,
         * RME 55:52 */
        {IDX(4, 0), FIELD(8) | FIELD(36) | FIELD(40) | FIELD(44) | FIELD(52)},
        /* ID_AA64PFR1_EL1: MPAM_frac 19:16, RNDR_trap 31:28, NMI 39:36,
         * GCS 47:44, THE 51:48, MTEX 55:52, DF2 59:56, PFAR 63:60 */
        {IDX(4, 1), FIELD(16) | FIELD(28) | FIELD(36) | FIELD(44) | FIELD(48) |
                            FIELD(52) | FIELD(56) | FIELD(60)},
        /* ID_AA64DFR0_EL1: TraceVer 7:4, PMSVer 35:32, TraceFilt 43:40,
         * TraceBuffer 47:44, BRBE 55:52, ExtTrcBuff 59:56, HPMN0 63:60 */
        {IDX(5, 0), FIELD(4) | FIELD(32) | FIELD(40) | FIELD(44) | FIELD(52) |
                            FIELD(56) | FIELD(60)},
        /* ID_AA64ISAR0_EL1: TME 27:24 */
        {IDX(6, 0), FIELD(24)},
        /* ID_AA64ISAR1_EL1: LS64 63:60 */
        {IDX(6, 1), FIELD(60)},
        /* ID_AA64ISAR2_EL1: SYSREG_128 35:32, SYSINSTR_128 39:36,
         * ATS1A 63:60 */
        {IDX(6, 2), FIELD(32) | FIELD(36) | FIELD(60)},
        /* ID_AA64MMFR0_EL1: FGT 59:56, ECV 63:60 */
        {IDX(7, 0), FIELD(56) | FIELD(60)},
        /* ID_AA64MMFR1_EL1: VH 11:8, TWED 35:32, HCX 43:40 */
        {IDX(7, 1), FIELD(8) | FIELD(32) | FIELD(40)},
        /* ID_AA64MMFR2_EL1: NV 27:24, FWB 43:40, EVT 59:56 */
        {IDX(7, 2), FIELD(24) | FIELD(40) | FIELD(56)},
        /* ID_AA64MMFR3_EL1: everything but TCRX 3:0 (kept only with
         * FEAT_HCX, see mmfr3_hide) and Spec_FPACC 63:60 */
        {IDX(7, 3), ~(FIELD(0) | FIELD(60))},
};

/* Registers read from the hardware as they are: the AArch32 ID
 * registers (EL0 may run AArch32) and the AArch64 ones whose every field
 * is either enabled by vhyp or purely descriptive. */
static bool passed_through(unsigned idx)
{
	switch (idx) {
	case IDX(1, 0)... IDX(1, 7): /* ID_PFR0/1, ID_DFR0, ID_AFR0,
	                              * ID_MMFR0..3 */
	case IDX(2, 0)... IDX(2, 7): /* ID_ISAR0..5, ID_MMFR4, ID_ISAR6 */
	case IDX(3, 0):              /* MVFR0 */
	case IDX(3, 1):              /* MVFR1 */
	case IDX(3, 2):              /* MVFR2 */
	case IDX(3, 4):              /* ID_PFR2 */
	case IDX(3, 5):              /* ID_DFR1 */
	case IDX(3, 6):              /* ID_MMFR5 */
	case IDX(4, 4):              /* ID_AA64ZFR0_EL1 (SVE enabled) */
	case IDX(4, 5):              /* ID_AA64SMFR0_EL1 (SME enabled) */
		return true;
	default:
		return false;
	}
}

#define RD(crm, op2)                                                           \
	case IDX(crm, op2):                                                    \
		return read_sysreg(S3_0_C0_C##crm##_##op2)

/* The hardware value of one known register (only those: an encoding a
 * CPU does not implement need not be readable at EL2 either). */
static uint64_t read_hw(unsigned idx)
{
	switch (idx) {
		RD(1, 0);
		RD(1, 1);
		RD(1, 2);
		RD(1, 3);
		RD(1, 4);
		RD(1, 5);
		RD(1, 6);
		RD(1, 7);
		RD(2, 0);
		RD(2, 1);
		RD(2, 2);
		RD(2, 3);
		RD(2, 4);
		RD(2, 5);
		RD(2, 6);
		RD(2, 7);
		RD(3, 0);
		RD(3, 1);
		RD(3, 2);
		RD(3, 4);
		RD(3, 5);
		RD(3, 6);
		RD(4, 0);
		RD(4, 1);
		RD(4, 4);
		RD(4, 5);
		RD(5, 0);
		RD(6, 0);
		RD(6, 1);
		RD(6, 2);
		RD(7, 0);
		RD(7, 1);
		RD(7, 2);
		RD(7, 3);
	default:
		return 0;
	}
}

/* TCR2_EL1 is the guest's only when HCRX_EL2.TCR2En can be set. */
static uint64_t mmfr3_hide(void)
{
	if (id_field(read_sysreg(id_aa64mmfr1_el1), 40) == 0)
		return FIELD(0);
	return 0;
}

uint64_t hyp_idreg_value(unsigned crm, unsigned op2)
{
	unsigned idx = IDX(crm, op2);

	if (crm < 1 || crm > 7 || op2 > 7)
		return 0;
	if (passed_through(idx))
		return read_hw(idx);
	for (unsigned i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].idx != idx)
			continue;
		if (idx == IDX(7, 3))
			return read_hw(idx) & ~(rules[i].hide | mmfr3_hide());
		return read_hw(idx) & ~rules[i].hide;
	}
	/* Unknown or reserved (ID_AA64PFR2, FPFR0, DFR1/2, AFR0/1, ISAR3,
	 * MMFR4, ...): nothing vhyp vouches for. */
	return 0;
}

/*
 * EC 0x18 (trapped MSR/MRS/system instruction).  Handles an EL1 read of
 * the ID space; anything else returns false (the caller injects an
 * UNDEFINED exception, as for every other unexpected trap).
 */
bool hyp_handle_sysreg_trap(struct hyp_regs *regs, uint64_t esr, bool from_el0)
{
	unsigned op0 = (unsigned)(esr >> 20) & 3U;
	unsigned op2 = (unsigned)(esr >> 17) & 7U;
	unsigned op1 = (unsigned)(esr >> 14) & 7U;
	unsigned crn = (unsigned)(esr >> 10) & 0xFU;
	unsigned rt = (unsigned)(esr >> 5) & 0x1FU;
	unsigned crm = (unsigned)(esr >> 1) & 0xFU;

	if (from_el0 || (esr & ESR_ISS_SYS_READ) == 0 || op0 != 3 || op1 != 0 ||
	    crn != 0 || crm < 1 || crm > 7)
		return false;
	if (rt != 31)
		regs->x[rt] = hyp_idreg_value(crm, op2);
	write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
	return true;
}
