// SPDX-License-Identifier: MIT
/* Secondary CPUs (PSCI CPU_ON through the DT's conduit). */
#include <guest/rt.h>
#include <lib/fdt.h>
#include <vhyp/psci.h>

#include "arch.h"

#define MPIDR_AFF_MASK 0xFF00FFFFFFULL

struct cpu_slot {
	uint64_t mpidr;
	rt_cpu_fn fn;
	void *arg;
	volatile uint32_t state; /* enum slot_state */
};

/* A started CPU goes STARTING -> RUNNING -> DONE (then PSCI CPU_OFF).
 * AFFINITY_INFO alone cannot tell "not yet on" from "off again". */
enum slot_state {
	SLOT_IDLE,
	SLOT_STARTING,
	SLOT_RUNNING,
	SLOT_DONE,
};

static struct cpu_slot cpus[RT_MAX_CPUS];
static unsigned nr_cpus = 1;

void rt_secondary_entry(void);
extern char __stacks_start[];

unsigned rt_cpu_count(void)
{
	return nr_cpus;
}

unsigned rt_cpu_id(void)
{
	return (unsigned)read_sysreg(tpidr_el1);
}

uint64_t rt_cpu_mpidr(unsigned cpu)
{
	return cpu < nr_cpus ? cpus[cpu].mpidr : ~0ULL;
}

void rt_smp_init(const void *dtb)
{
	struct fdt fdt;
	int node;
	unsigned n = 0;

	cpus[0].mpidr = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	if (fdt_open(&fdt, dtb, FDT_MAX_SIZE) != 0)
		return;
	for (node = fdt_first_child(&fdt, fdt_path(&fdt, "/cpus"));
	     node >= 0 && n < RT_MAX_CPUS;
	     node = fdt_next_sibling(&fdt, node)) {
		uint64_t mpidr, unused;

		if (!fdt_prop_has_string(&fdt, node, "device_type", "cpu") ||
		    !fdt_reg(&fdt, node, 0, &mpidr, &unused))
			continue;
		cpus[n++].mpidr = mpidr;
	}
	if (n > 0)
		nr_cpus = n;
}

int64_t rt_cpu_start(unsigned cpu, rt_cpu_fn fn, void *arg)
{
	int64_t ret;

	if (cpu >= nr_cpus || cpu == rt_cpu_id())
		return PSCI_RET_INVALID_PARAMS;
	if (cpus[cpu].state == SLOT_STARTING || cpus[cpu].state == SLOT_RUNNING)
		return PSCI_RET_ALREADY_ON;
	cpus[cpu].fn = fn;
	cpus[cpu].arg = arg;
	cpus[cpu].state = SLOT_STARTING;
	dsb(ish);
	ret = vg_psci_cpu_on(&rt_hyp, cpus[cpu].mpidr,
	                     (uint64_t)(uintptr_t)rt_secondary_entry, cpu);
	if (ret != PSCI_RET_SUCCESS)
		cpus[cpu].state = SLOT_IDLE;
	return ret;
}

bool rt_cpu_wait_off(unsigned cpu, uint64_t timeout_ns)
{
	uint64_t freq = rt_cntfrq();
	uint64_t start = rt_cntvct();
	uint64_t ticks = timeout_ns / 1000U * (freq / 1000000U);

	if (cpu >= nr_cpus)
		return false;
	while (rt_cntvct() - start < ticks) {
		uint32_t st =
		        __atomic_load_n(&cpus[cpu].state, __ATOMIC_ACQUIRE);

		if ((st == SLOT_DONE || st == SLOT_IDLE) &&
		    vg_psci_affinity_info(&rt_hyp, cpus[cpu].mpidr) ==
		            PSCI_AFF_OFF) {
			cpus[cpu].state = SLOT_IDLE;
			return true;
		}
		rt_udelay(100);
	}
	return false;
}

void rt_secondary_boot(uint64_t cpu);
__attribute__((noreturn)) void rt_secondary_boot(uint64_t cpu)
{
	struct cpu_slot *slot = &cpus[cpu];
	uint64_t stack =
	        (uint64_t)(uintptr_t)__stacks_start + cpu * RT_STACK_SIZE;

	rt_mmu_enable(stack, stack + RT_STACK_SIZE);
	__atomic_store_n(&slot->state, SLOT_RUNNING, __ATOMIC_RELEASE);
	if (slot->fn != NULL)
		slot->fn((unsigned)cpu, slot->arg);
	__atomic_store_n(&slot->state, SLOT_DONE, __ATOMIC_RELEASE);
	dsb(ish);
	vg_psci_cpu_off(&rt_hyp);
	rt_printf("rt: CPU %u: PSCI CPU_OFF returned\n", (unsigned)cpu);
	for (;;)
		__asm__ volatile("wfi");
}
