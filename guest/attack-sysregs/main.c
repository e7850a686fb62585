// SPDX-License-Identifier: MIT
/*
 * Attack class "EL1 state across calls": a hypervisor that changes the
 * guest's EL1 registers behind its back (e.g. PAR_EL1, which an AT
 * instruction in the hypervisor overwrites) corrupts guest state and leaks
 * hypervisor information (a PA of the hypervisor's own view).  Before and
 * after every vendor call (UID, FEATURES, PTP both counters, MEMINFO,
 * SHARE, UNSHARE, MMIO_GUARD; valid and invalid arguments), a few SMCCC and
 * PSCI calls, this guest puts known values in the writable EL1 registers
 * (PAR_EL1 through an AT of its own), reads every EL1 register it can, and
 * makes the call with x4..x30 holding known values: every register SMCCC
 * 1.1 says is preserved (x4..x17, as none of these calls returns more than
 * x0..x3, x18..x30, SP) and every EL1 system register must be unchanged.
 * Output is TAP (one line per call), then power-off.
 */
#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fmt.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#define GRANULE 4096ULL

void sysregs_hvc(const uint64_t in[31], uint64_t out[33]);

#define RD(reg)                                                                \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));                  \
		v_;                                                            \
	})
#define WR(reg, v) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)))

enum {
	R_SCTLR,
	R_TTBR0,
	R_TTBR1,
	R_TCR,
	R_MAIR,
	R_AMAIR,
	R_VBAR,
	R_CONTEXTIDR,
	R_TPIDR_EL0,
	R_TPIDR_EL1,
	R_TPIDRRO,
	R_PAR,
	R_ESR,
	R_FAR,
	R_AFSR0,
	R_AFSR1,
	R_SPSR,
	R_ELR,
	R_SP_EL0,
	R_CPACR,
	R_MDSCR,
	R_CNTKCTL,
	R_CNTV_CTL,
	R_CNTV_CVAL,
	R_CNTP_CTL,
	R_CNTP_CVAL,
	R_CSSELR,
	R_DAIF,
	NR_REGS
};

static const char *const reg_names[NR_REGS] = {
        "SCTLR_EL1",    "TTBR0_EL1",     "TTBR1_EL1",    "TCR_EL1",
        "MAIR_EL1",     "AMAIR_EL1",     "VBAR_EL1",     "CONTEXTIDR_EL1",
        "TPIDR_EL0",    "TPIDR_EL1",     "TPIDRRO_EL0",  "PAR_EL1",
        "ESR_EL1",      "FAR_EL1",       "AFSR0_EL1",    "AFSR1_EL1",
        "SPSR_EL1",     "ELR_EL1",       "SP_EL0",       "CPACR_EL1",
        "MDSCR_EL1",    "CNTKCTL_EL1",   "CNTV_CTL_EL0", "CNTV_CVAL_EL0",
        "CNTP_CTL_EL0", "CNTP_CVAL_EL0", "CSSELR_EL1",   "DAIF",
};

static void read_regs(uint64_t r[NR_REGS])
{
	r[R_SCTLR] = RD(sctlr_el1);
	r[R_TTBR0] = RD(ttbr0_el1);
	r[R_TTBR1] = RD(ttbr1_el1);
	r[R_TCR] = RD(tcr_el1);
	r[R_MAIR] = RD(mair_el1);
	r[R_AMAIR] = RD(amair_el1);
	r[R_VBAR] = RD(vbar_el1);
	r[R_CONTEXTIDR] = RD(contextidr_el1);
	r[R_TPIDR_EL0] = RD(tpidr_el0);
	r[R_TPIDR_EL1] = RD(tpidr_el1);
	r[R_TPIDRRO] = RD(tpidrro_el0);
	r[R_PAR] = RD(par_el1);
	r[R_ESR] = RD(esr_el1);
	r[R_FAR] = RD(far_el1);
	r[R_AFSR0] = RD(afsr0_el1);
	r[R_AFSR1] = RD(afsr1_el1);
	r[R_SPSR] = RD(spsr_el1);
	r[R_ELR] = RD(elr_el1);
	r[R_SP_EL0] = RD(sp_el0);
	r[R_CPACR] = RD(cpacr_el1);
	r[R_MDSCR] = RD(mdscr_el1);
	r[R_CNTKCTL] = RD(cntkctl_el1);
	/* ISTATUS (bit 2) follows the counter: not state the call owns. */
	r[R_CNTV_CTL] = RD(cntv_ctl_el0) & ~4ULL;
	r[R_CNTV_CVAL] = RD(cntv_cval_el0);
	r[R_CNTP_CTL] = RD(cntp_ctl_el0) & ~4ULL;
	r[R_CNTP_CVAL] = RD(cntp_cval_el0);
	r[R_CSSELR] = RD(csselr_el1);
	r[R_DAIF] = RD(daif);
}

static uint64_t at_target __attribute__((aligned(64)));
static uint64_t saved_tpidr_el0, saved_tpidr_el1, saved_sp_el0;

/* Known values in every writable register the call must leave alone. */
static void set_known_state(unsigned salt)
{
	uint64_t s = (uint64_t)salt << 4;

	saved_tpidr_el0 = RD(tpidr_el0);
	saved_tpidr_el1 = RD(tpidr_el1);
	saved_sp_el0 = RD(sp_el0);
	WR(tpidr_el0, 0x7E51D0E000000000ULL | s);
	WR(tpidr_el1, 0x7E51D1E100000000ULL | s);
	WR(tpidrro_el0, 0x7E51D20000000000ULL | s);
	WR(contextidr_el1, 0x5A5A0000U | s);
	WR(far_el1, 0xFA12345600000000ULL | s);
	WR(esr_el1, 0x5600000000ULL | 0x1234U);
	WR(elr_el1, 0xE1E1E1E100000000ULL | s);
	WR(spsr_el1, 0x3C5U);
	WR(sp_el0, 0x5B0000000000ULL | s);
	WR(afsr0_el1, 0);
	WR(afsr1_el1, 0);
	WR(cntv_cval_el0, 0xFFFFFFFF00000000ULL | s);
	WR(cntp_cval_el0, 0xFFFFFFFE00000000ULL | s);
	WR(cntv_ctl_el0, 2); /* disabled, masked */
	WR(cntp_ctl_el0, 2);
	WR(csselr_el1, 2); /* L2 data/unified */
	/* PAR_EL1 from an AT of our own: a valid translation of our VA. */
	__asm__ volatile("at s1e1r, %0\n\tisb" : : "r"(&at_target) : "memory");
}

/* Back to what the runtime uses (CPU index, no EL0 thread). */
static void restore_runtime_state(void)
{
	WR(tpidr_el0, saved_tpidr_el0);
	WR(tpidr_el1, saved_tpidr_el1);
	WR(sp_el0, saved_sp_el0);
}

struct call {
	const char *what;
	uint64_t x0, x1, x2, x3;
};

static unsigned nr_checked;

static void check_call(const struct call *c, unsigned salt)
{
	uint64_t in[31], out[33], before[NR_REGS], after[NR_REGS];
	char changed[256];
	size_t len = 0;
	unsigned nr_changed = 0;

	in[0] = c->x0;
	in[1] = c->x1;
	in[2] = c->x2;
	in[3] = c->x3;
	for (unsigned i = 4; i < 31; i++)
		in[i] = 0xC0DE000000000000ULL | ((uint64_t)i << 32) | salt;
	/* x29 and x30 are restored by sysregs_hvc, but their values across
	 * the HVC are compared like the others. */
	set_known_state(salt);
	read_regs(before);
	sysregs_hvc(in, out);
	read_regs(after);
	restore_runtime_state();

	changed[0] = '\0';
	for (unsigned i = 0; i < NR_REGS; i++) {
		if (before[i] == after[i])
			continue;
		nr_changed++;
		if (len < sizeof(changed) - 40)
			len += fmt_snprintf(changed + len,
			                    sizeof(changed) - len,
			                    " %s 0x%llx->0x%llx", reg_names[i],
			                    (unsigned long long)before[i],
			                    (unsigned long long)after[i]);
	}
	for (unsigned i = 4; i < 31; i++) {
		if (in[i] == out[i])
			continue;
		nr_changed++;
		if (len < sizeof(changed) - 40)
			len += fmt_snprintf(changed + len,
			                    sizeof(changed) - len,
			                    " x%u 0x%llx->0x%llx", i,
			                    (unsigned long long)in[i],
			                    (unsigned long long)out[i]);
	}
	if (out[31] != out[32]) {
		nr_changed++;
		if (len < sizeof(changed) - 40)
			len += fmt_snprintf(changed + len,
			                    sizeof(changed) - len,
			                    " SP 0x%llx->0x%llx",
			                    (unsigned long long)out[31],
			                    (unsigned long long)out[32]);
	}
	nr_checked++;
	rt_tap(nr_changed == 0,
	       "%s (x0=%lld): %u EL1 registers and x4..x30, SP preserved%s%s",
	       c->what, (long long)out[0], (unsigned)NR_REGS,
	       nr_changed ? "; CHANGED:" : "", changed);
}

static uint8_t share_page[GRANULE] __attribute__((aligned(GRANULE)));

int main(const void *dtb)
{
	uint64_t page = (uint64_t)(uintptr_t)share_page;
	uint64_t beyond = rt_ram_base() + rt_ram_size();
	/* Guarding the console's own granule keeps it working once MMIO
	 * guard is on (a protected VM's PL011 is emulated). */
	uint64_t uart = rt_uart_base();
	const struct call calls[] = {
	        {"CALL_UID", KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0},
	        {"FEATURES", KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0},
	        {"FEATURES(1) invalid", KVM_VENDOR_FEATURES_FUNC_ID, 1, 0, 0},
	        {"PTP virtual", KVM_VENDOR_PTP_FUNC_ID, 0, 0, 0},
	        {"PTP physical", KVM_VENDOR_PTP_FUNC_ID, 1, 0, 0},
	        {"PTP(7) invalid", KVM_VENDOR_PTP_FUNC_ID, 7, 0, 0},
	        {"MEMINFO", KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 0, 0},
	        {"MEMINFO(1) invalid", KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 1, 0, 0},
	        {"SHARE", KVM_VENDOR_MEM_SHARE_FUNC_ID, page, 0, 0},
	        {"SHARE again (refused)", KVM_VENDOR_MEM_SHARE_FUNC_ID, page, 0,
	         0},
	        {"UNSHARE", KVM_VENDOR_MEM_UNSHARE_FUNC_ID, page, 0, 0},
	        {"UNSHARE again (refused)", KVM_VENDOR_MEM_UNSHARE_FUNC_ID,
	         page, 0, 0},
	        {"SHARE unaligned", KVM_VENDOR_MEM_SHARE_FUNC_ID, page + 8, 0,
	         0},
	        {"SHARE beyond RAM", KVM_VENDOR_MEM_SHARE_FUNC_ID, beyond, 0,
	         0},
	        {"SHARE x2!=0", KVM_VENDOR_MEM_SHARE_FUNC_ID, page, 1, 0},
	        {"UNSHARE beyond RAM", KVM_VENDOR_MEM_UNSHARE_FUNC_ID, beyond,
	         0, 0},
	        {"MMIO_GUARD", KVM_VENDOR_MMIO_GUARD_FUNC_ID, uart, 0, 0},
	        {"MMIO_GUARD of RAM (refused)", KVM_VENDOR_MMIO_GUARD_FUNC_ID,
	         page, 0, 0},
	        {"MMIO_GUARD unaligned", KVM_VENDOR_MMIO_GUARD_FUNC_ID,
	         uart + 0x10, 0, 0},
	        {"unknown vendor call", 0x8600003FULL, 0, 0, 0},
	        {"SMCCC_VERSION", SMCCC_VERSION_FUNC_ID, 0, 0, 0},
	        {"SMCCC_ARCH_FEATURES", SMCCC_ARCH_FEATURES_FUNC_ID,
	         KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0},
	        {"PSCI_VERSION", PSCI_VERSION_FUNC_ID, 0, 0, 0},
	        {"PSCI_FEATURES", PSCI_FEATURES_FUNC_ID, PSCI_VERSION_FUNC_ID,
	         0, 0},
	        {"PSCI_FEATURES invalid", PSCI_FEATURES_FUNC_ID, 0x840000FFULL,
	         0, 0},
	};
	unsigned n = sizeof(calls) / sizeof(calls[0]);

	(void)dtb;
	/* The probe itself works: our AT leaves a translation in PAR_EL1. */
	set_known_state(0);
	{
		uint64_t par = RD(par_el1);

		restore_runtime_state();
		rt_tap((par & 1) == 0 &&
		               (par & 0xFFFFFFFFF000ULL) ==
		                       ((uint64_t)(uintptr_t)&at_target &
		                        ~0xFFFULL),
		       "AT S1E1R of our own sets PAR_EL1 = 0x%llx (the value "
		       "every call must leave)",
		       (unsigned long long)par);
	}
	/* The same list twice, the second time with other known values. */
	for (unsigned round = 0; round < 2; round++)
		for (unsigned i = 0; i < n; i++)
			check_call(&calls[i], round * 64 + i + 1);
	rt_tap(nr_checked == 2 * n, "%u calls checked", nr_checked);
	rt_tap_plan("attack-sysregs");
	return 0;
}
