// SPDX-License-Identifier: MIT
/* Guest runtime: boot, exit, exceptions and time. */
#include <guest/rt.h>
#include <lib/aarch64/counter.h>
#include <lib/fdt.h>
#include <vhyp/psci.h>

#include "arch.h"

struct vg_hyp rt_hyp;
const void *rt_dtb;

extern char __image_start[], __image_end[];

uint64_t rt_image_start(void)
{
	return (uint64_t)(uintptr_t)__image_start;
}

uint64_t rt_image_end(void)
{
	return (uint64_t)(uintptr_t)__image_end;
}

uint64_t rt_cntvct(void)
{
	return counter_read_virtual();
}

uint64_t rt_cntpct(void)
{
	return counter_read_physical();
}

uint64_t rt_cntfrq(void)
{
	return counter_frequency();
}

void rt_udelay(uint64_t us)
{
	uint64_t freq = rt_cntfrq();
	uint64_t end = rt_cntvct() + us * (freq / 1000000U);

	while (rt_cntvct() < end)
		;
}

__attribute__((noreturn)) void rt_system_off(void)
{
	vg_psci_system_off(&rt_hyp);
	rt_printf_unlocked("rt: PSCI SYSTEM_OFF returned; halting\n");
	for (;;)
		__asm__ volatile("wfi");
}

__attribute__((noreturn)) void rt_system_reset(void)
{
	vg_psci_system_reset(&rt_hyp);
	rt_printf_unlocked("rt: PSCI SYSTEM_RESET returned; halting\n");
	for (;;)
		__asm__ volatile("wfi");
}

/* A failure: the status goes to the console (the test suites judge a
 * guest by its TAP lines and plan), then PSCI SYSTEM_RESET, which the
 * runner reports as a guest reset (docs/runner.md).  No semihosting: the
 * runner does not enable it (docs/security.md). */
__attribute__((noreturn)) void rt_exit(int status)
{
	if (status == 0)
		rt_system_off();
	rt_printf_unlocked("rt: exit status %d\n", status);
	rt_system_reset();
}

/* rt_try_*: the probe instructions in head.S and each CPU's result. */
extern char rt_probe_ldr32_insn[], rt_probe_ldr64_insn[], rt_probe_str32_insn[];
uint64_t rt_probe_ldr32(uint64_t addr);
uint64_t rt_probe_ldr64(uint64_t addr);
void rt_probe_str32(uint64_t addr, uint32_t val);

struct probe_state {
	volatile bool faulted;
	volatile uint64_t esr;
};
static struct probe_state probes[RT_MAX_CPUS];
static rt_exception_hook exception_hook;

rt_exception_hook rt_set_exception_hook(rt_exception_hook hook)
{
	rt_exception_hook old = exception_hook;

	exception_hook = hook;
	dsb(ish);
	return old;
}

static bool is_probe_insn(uint64_t elr)
{
	return elr == (uint64_t)(uintptr_t)rt_probe_ldr32_insn ||
	       elr == (uint64_t)(uintptr_t)rt_probe_ldr64_insn ||
	       elr == (uint64_t)(uintptr_t)rt_probe_str32_insn;
}

static const char *const vector_names[4] = {"synchronous", "IRQ", "FIQ",
                                            "SError"};

/* guest/rt/head.S builds the frame with lib/aarch64/frame.S (x0..x30 at
 * 8 * n: base 0) and stores ELR, SPSR, ESR, FAR after them in a FRAME_SIZE
 * frame. */
_Static_assert(offsetof(struct rt_frame, x) == 0, "frame base 0 in head.S");
_Static_assert(sizeof(struct rt_frame) == 288, "FRAME_SIZE in head.S");
_Static_assert(offsetof(struct rt_frame, elr) == 248, "ELR offset in head.S");
_Static_assert(offsetof(struct rt_frame, spsr) == 256, "SPSR offset in head.S");
_Static_assert(offsetof(struct rt_frame, far) == 272, "FAR offset in head.S");

void rt_exception(uint64_t index, struct rt_frame *f);
void rt_exception(uint64_t index, struct rt_frame *f)
{
	enum rt_vector v = (enum rt_vector)(index & 3U);
	unsigned cpu = rt_cpu_id();
	rt_exception_hook hook = exception_hook;

	f->vector = index;

	if (v == RT_VEC_SYNC && is_probe_insn(f->elr) && cpu < RT_MAX_CPUS) {
		probes[cpu].esr = f->esr;
		probes[cpu].faulted = true;
		f->elr += 4;
		return;
	}
	if (hook != NULL && hook(f, v))
		return;
	rt_printf_unlocked(
	        "rt: unexpected %s exception on CPU %u (vector "
	        "%llu): ESR 0x%016llx ELR 0x%016llx FAR 0x%016llx "
	        "SPSR 0x%llx\n",
	        vector_names[v], cpu, (unsigned long long)index,
	        (unsigned long long)f->esr, (unsigned long long)f->elr,
	        (unsigned long long)f->far, (unsigned long long)f->spsr);
	rt_exit(RT_EXIT_EXCEPTION);
}

static bool probe_done(unsigned cpu, uint64_t *esr)
{
	bool ok = !probes[cpu].faulted;

	if (!ok && esr != NULL)
		*esr = probes[cpu].esr;
	return ok;
}

bool rt_try_read32(uint64_t addr, uint32_t *val, uint64_t *esr)
{
	unsigned cpu = rt_cpu_id();
	uint64_t v;

	probes[cpu].faulted = false;
	v = rt_probe_ldr32(addr);
	if (!probe_done(cpu, esr))
		return false;
	*val = (uint32_t)v;
	return true;
}

bool rt_try_read64(uint64_t addr, uint64_t *val, uint64_t *esr)
{
	unsigned cpu = rt_cpu_id();
	uint64_t v;

	probes[cpu].faulted = false;
	v = rt_probe_ldr64(addr);
	if (!probe_done(cpu, esr))
		return false;
	*val = v;
	return true;
}

bool rt_try_write32(uint64_t addr, uint32_t val, uint64_t *esr)
{
	unsigned cpu = rt_cpu_id();

	probes[cpu].faulted = false;
	rt_probe_str32(addr, val);
	return probe_done(cpu, esr);
}

void rt_boot(const void *dtb);
__attribute__((noreturn)) void rt_boot(const void *dtb)
{
	struct vg_conduit conduit;
	int ret;

	rt_dtb = dtb;
	rt_console_init(dtb);
	conduit = vg_conduit_for(vg_conduit_kind_from_dtb(dtb));
	vg_hyp_init(&rt_hyp, &conduit);
	rt_mmu_init(dtb);
	rt_mmu_enable(rt_image_start(), rt_image_end());
	rt_console_enable_locking();
	rt_smp_init(dtb);
	ret = main(dtb);
	rt_exit(ret);
}
