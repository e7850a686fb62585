// SPDX-License-Identifier: MIT
/*
 * Guest exits: SMCCC calls (HVC, trapped SMC), stage-2 aborts and every
 * other trap, plus exception injection into the guest's EL1 and the dump
 * of an unexpected exception at EL2.
 *
 * Guest input never stops the hypervisor: what it cannot serve becomes an
 * exception for the guest, as the architecture would have raised it.
 */
#include <stdint.h>

#include <core/dispatch.h>
#include <core/pmem.h>
#include <vhyp/esr.h>

#include "arch.h"
#include "devices/devices.h"
#include "hyp.h"
#include "sysreg.h"

#define PSR_MODE_MASK 0x1FULL
#define PSR_MODE_EL0T 0x0ULL
#define PSR_MODE_EL1T 0x4ULL
#define PSR_MODE_EL1H 0x5ULL
#define PSR_AARCH32   0x10ULL
#define PSR_DAIF      0x3C0ULL
#define PSR_SSBS      (1ULL << 12)
#define PSR_PAN       (1ULL << 22)
#define SCTLR_SPAN    (1ULL << 23)
#define SCTLR_DSSBS   (1ULL << 44)

/* Guest-caused events are logged, but a guest that provokes them in a loop
 * must not turn the console into its bottleneck. */
static struct log_limit event_limit = LOG_LIMIT_INIT(32);

static bool log_event(void)
{
	return vlog_limited(&event_limit,
	                    "further aborts and traps are not logged\n");
}

/* Trace of every SMCCC exit (vhyp.log=2); kept out of line so the fast
 * path below needs no stack frame. */
static __attribute__((noinline, cold)) void
trace_smccc(const char *conduit, const struct hyp_regs *regs)
{
	vlog("cpu%u exit %s x0=0x%llx\n", arch_this_cpu()->idx, conduit,
	     (unsigned long long)regs->x[0]);
}

/* One SMCCC call from this CPU's vCPU, to the VM the vCPU belongs to. */
static inline void serve_smccc(struct hyp_regs *regs)
{
	struct vhyp_vcpu *vcpu = &arch_this_cpu()->vcpu;

	vhyp_smccc_call(vcpu->vm, vcpu, regs->x);
}

static __attribute__((noinline, cold)) void
serve_traced_hvc(struct hyp_regs *regs)
{
	trace_smccc("hvc", regs);
	serve_smccc(regs);
}

/*
 * HVC64: the hypercall fast path.  The vector has saved x0..x18, x29, x30
 * and checked the EC; this only hands the registers to the core.  Both
 * branches are tail calls, so the path needs no stack frame of its own.
 */
void hyp_handle_hvc(struct hyp_regs *regs)
{
	if (__builtin_expect(log_on(LOG_TRACE), 0)) {
		serve_traced_hvc(regs);
		return;
	}
	serve_smccc(regs);
}

/* SMC64 trapped by HCR_EL2.TSC: served like HVC when imm16 is 0. */
void hyp_handle_smc(struct hyp_regs *regs)
{
	uint64_t esr = read_sysreg(esr_el2);

	if (log_on(LOG_TRACE))
		trace_smccc("smc", regs);
	/* A trapped SMC's ELR points at the SMC itself. */
	write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
	if ((esr & 0xFFFFU) != 0) {
		/* SMC #imm != 0: not an SMCCC call; X0 = -1, X1..X3 kept, as
		 * KVM does. */
		regs->x[0] = ~0ULL;
		return;
	}
	serve_smccc(regs);
}

/* Vector offset in VBAR_EL1 for an exception taken from `spsr` to EL1. */
static uint64_t vector_offset(uint64_t spsr)
{
	if (spsr & PSR_AARCH32)
		return 0x600; /* lower EL, AArch32 */
	switch (spsr & PSR_MODE_MASK) {
	case PSR_MODE_EL0T:
		return 0x400; /* lower EL, AArch64 */
	case PSR_MODE_EL1T:
		return 0x000; /* current EL, SP_EL0 */
	default:
		return 0x200; /* current EL, SP_EL1 */
	}
}

static bool from_el0(uint64_t spsr)
{
	return (spsr & PSR_AARCH32) || (spsr & PSR_MODE_MASK) == PSR_MODE_EL0T;
}

/* PSTATE on taking an exception to AArch64 EL1. */
static uint64_t exception_pstate(void)
{
	uint64_t sctlr = read_sysreg(sctlr_el1);
	uint64_t pstate = PSR_MODE_EL1H | PSR_DAIF;

	if (id_field(read_sysreg(id_aa64mmfr1_el1), 20) != 0 &&
	    !(sctlr & SCTLR_SPAN))
		pstate |= PSR_PAN;
	if (id_field(read_sysreg(id_aa64pfr1_el1), 4) != 0 &&
	    (sctlr & SCTLR_DSSBS))
		pstate |= PSR_SSBS;
	return pstate;
}

/* Takes a synchronous exception with syndrome esr1 to the guest's EL1. */
static void inject_sync(uint64_t esr1, bool set_far, uint64_t far)
{
	uint64_t spsr = read_sysreg(spsr_el2);
	uint64_t elr = read_sysreg(elr_el2);

	write_sysreg(elr, elr_el1);
	write_sysreg(spsr, spsr_el1);
	write_sysreg(esr1, esr_el1);
	if (set_far)
		write_sysreg(far, far_el1);
	write_sysreg(read_sysreg(vbar_el1) + vector_offset(spsr), elr_el2);
	write_sysreg(exception_pstate(), spsr_el2);
}

static void inject_undef(uint64_t esr2)
{
	inject_sync(ESR_MAKE_EC(ESR_EC_UNKNOWN) + (esr2 & ESR_IL), false, 0);
}

/* Synchronous external abort for an access outside every mapping. */
static void inject_sea(uint64_t esr2, bool instr)
{
	uint64_t spsr = read_sysreg(spsr_el2);
	unsigned ec;
	uint64_t iss = ESR_FSC_SEA;

	if (instr)
		ec = from_el0(spsr) ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR;
	else
		ec = from_el0(spsr) ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
	if (!instr)
		iss |= esr2 & ESR_ISS_WNR;
	inject_sync(ESR_MAKE_EC(ec) | (esr2 & ESR_IL) | iss, true,
	            read_sysreg(far_el2));
}

static void handle_stage2_abort(struct hyp_regs *regs, uint64_t esr, bool instr)
{
	uint64_t hpfar = read_sysreg(hpfar_el2);
	uint64_t far = read_sysreg(far_el2);
	uint64_t ipa = ((hpfar & 0xFFFFFFFFFF0ULL) << 8) | (far & 0xFFFULL);
	struct hyp_cpu *cpu = arch_this_cpu();
	unsigned len = 4;

	if (!instr && (esr & ESR_ISS_ISV))
		len = 1U << ESR_ISS_SAS(esr);
	/* A data access the MMIO guard lets through goes to the device
	 * models (hyp/devices); anything else cannot complete. */
	if (pmem_mmio_check(cpu->vcpu.vm, ipa, len) == PMEM_MMIO_EMULATE &&
	    !instr && hyp_mmio_dispatch(regs, cpu->idx, esr, ipa)) {
		write_sysreg(read_sysreg(elr_el2) + ((esr & ESR_IL) ? 4 : 2),
		             elr_el2);
		return;
	}
	if (log_event())
		vlog("cpu%u: %s abort at IPA 0x%llx (ESR 0x%llx, ELR 0x%llx): "
		     "external abort injected\n",
		     cpu->idx, instr ? "instruction" : "data",
		     (unsigned long long)ipa, (unsigned long long)esr,
		     (unsigned long long)read_sysreg(elr_el2));
	inject_sea(esr, instr);
}

#define ESR_WFX_TI(esr) ((unsigned)(esr)&3U)
#define WFX_TI_WFI      0U
#define WFX_TI_WFIT     2U

/*
 * A protected VM's WFI (HCR_EL2.TWI; docs/protected-vms.md, "Console
 * input"): the guest has nothing to do, so this is when console input for
 * hvc0 is moved into its receive buffers (the SPI then wakes it).  With
 * nothing delivered, EL2 waits in WFI itself, which ends on any interrupt
 * pending for this CPU (the guest's timer, an IPI, a device), as the
 * guest's own WFI would have; so input waits at most until the guest's
 * next interrupt.  A WFIT only polls (its timeout is the guest's).  The
 * hypercall path does not poll.
 */
static bool handle_wfi(uint64_t esr)
{
	unsigned ti = ESR_WFX_TI(esr);

	if (g_hyp.cmd.debug_trap_wfx || (ti != WFX_TI_WFI && ti != WFX_TI_WFIT))
		return false; /* the test aid's UNDEFINED; WFE is not trapped */
	if (!hyp_virtio_console_poll() && ti == WFX_TI_WFI) {
		dsb(sy);
		__asm__ volatile("wfi" ::: "memory");
		hyp_virtio_console_poll();
	}
	write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
	return true;
}

void hyp_handle_trap(struct hyp_regs *regs)
{
	uint64_t esr = read_sysreg(esr_el2);
	unsigned ec = ESR_EC(esr);

	switch (ec) {
	case ESR_EC_DABT_LOW:
		handle_stage2_abort(regs, esr, false);
		return;
	case ESR_EC_IABT_LOW:
		handle_stage2_abort(regs, esr, true);
		return;
	case ESR_EC_SYSREG: /* ID registers (TID3); anything else: UNDEFINED */
		if (hyp_handle_sysreg_trap(regs, esr,
		                           from_el0(read_sysreg(spsr_el2))))
			return;
		/* fall through */
	case ESR_EC_WFX: /* a protected VM's WFI; anything else: UNDEFINED */
		if (ec == ESR_EC_WFX && handle_wfi(esr))
			return;
		/* fall through */
	default:
		if (log_event())
			vlog("cpu%u: trap EC 0x%x (ESR 0x%llx, ELR 0x%llx): "
			     "UNDEFINED injected\n",
			     arch_this_cpu()->idx, ec, (unsigned long long)esr,
			     (unsigned long long)read_sysreg(elr_el2));
		inject_undef(esr);
		return;
	}
}

static const char *const vector_names[16] = {
        "EL2t sync",    "EL2t irq",    "EL2t fiq",    "EL2t serror",
        "EL2h sync",    "EL2h irq",    "EL2h fiq",    "EL2h serror",
        "lower64 sync", "lower64 irq", "lower64 fiq", "lower64 serror",
        "lower32 sync", "lower32 irq", "lower32 fiq", "lower32 serror",
};

static volatile int in_panic;

void hyp_unexpected_exception(uint64_t vector, struct hyp_regs *regs);
void hyp_unexpected_exception(uint64_t vector, struct hyp_regs *regs)
{
	if (in_panic++)
		hyp_stop_after_panic(); /* a fault while dumping: just stop */
	hyp_console_enter_panic();
	vlog("unexpected exception: %s\n", vector_names[vector & 15]);
	vlog("ESR 0x%016llx ELR 0x%016llx FAR 0x%016llx\n",
	     (unsigned long long)read_sysreg(esr_el2),
	     (unsigned long long)read_sysreg(elr_el2),
	     (unsigned long long)read_sysreg(far_el2));
	vlog("HPFAR 0x%016llx SPSR 0x%016llx MPIDR 0x%llx\n",
	     (unsigned long long)read_sysreg(hpfar_el2),
	     (unsigned long long)read_sysreg(spsr_el2),
	     (unsigned long long)read_sysreg(mpidr_el1));
	for (unsigned i = 0; i < 31; i += 2) {
		if (i + 1 < 31)
			vlog("x%-2u 0x%016llx x%-2u 0x%016llx\n", i,
			     (unsigned long long)regs->x[i], i + 1,
			     (unsigned long long)regs->x[i + 1]);
		else
			vlog("x%-2u 0x%016llx\n", i,
			     (unsigned long long)regs->x[i]);
	}
	vlog("image at 0x%llx\n", (unsigned long long)(uintptr_t)__image_start);
	hyp_stop_after_panic();
}

/* Stage-2 TLB maintenance for core/stage2. */
static void s2_tlbi_range(void *ctx, uint16_t vmid, uint64_t ipa, uint64_t size)
{
	uint64_t cur_vmid = (read_sysreg(vttbr_el2) >> 48) & 0xFFFFU;

	(void)ctx;
	dsb(ishst);
	if (cur_vmid != vmid) {
		/* Not this CPU's current VM (e.g. the VM is being built):
		 * every EL1&0 entry, all VMIDs. */
		__asm__ volatile("tlbi alle1is" ::: "memory");
	} else if (size <= 64 * 4096ULL) {
		for (uint64_t off = 0; off < size; off += 4096)
			__asm__ volatile("tlbi ipas2e1is, %0"
			                 :
			                 : "r"((ipa + off) >> 12)
			                 : "memory");
		dsb(ish);
		/* Combined stage-1+2 entries are not tagged by IPA. */
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	} else {
		__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	}
	dsb(ish);
	isb();
}

static void s2_sync_tables(void *ctx)
{
	(void)ctx;
	dsb(ishst);
}

const struct s2_mmu_ops arch_s2_mmu_ops = {
        .tlbi_range = s2_tlbi_range,
        .sync_tables = s2_sync_tables,
};
