// SPDX-License-Identifier: MIT
/*
 * Physical CPUs and their vCPUs (1:1).  A CPU's index is its position in
 * the board DTB's /cpus list; PSCI calls name CPUs by MPIDR affinity
 * (Aff3..Aff0), which maps to that index.
 */
#include <core/dispatch.h>

#include "arch.h"
#include "hyp.h"

/* Stack of each CPU, indexed like g_hyp.cpus; head.S finds a secondary's
 * stack from its index alone. */
uint8_t hyp_stacks[HYP_MAX_CPUS][HYP_STACK_SIZE] __attribute__((aligned(16)));

struct hyp_cpu *hyp_cpu_by_mpidr(uint64_t mpidr)
{
	mpidr &= MPIDR_AFF_MASK;
	for (unsigned i = 0; i < g_hyp.nr_cpus; i++) {
		if (g_hyp.cpus[i].mpidr == mpidr)
			return &g_hyp.cpus[i];
	}
	return NULL;
}

_Noreturn void hyp_cpu_enter_guest(struct hyp_cpu *cpu, uint64_t entry,
                                   uint64_t x0)
{
	arch_set_this_cpu(cpu);
	arch_el2_setup_guest(cpu->vcpu.vm, g_hyp.cmd.debug_trap_wfx);
	arch_prepare_eret(entry);
	arch_enter_guest(x0, cpu->stack_top);
}

/*
 * A CPU started by vhyp's forwarded CPU_ON, or woken from a power-down
 * CPU_SUSPEND: its EL2 state is gone, so it is rebuilt in full before the
 * guest's own entry point runs with the guest's context id in x0.
 */
void hyp_secondary_main(uint64_t idx);
void hyp_secondary_main(uint64_t idx)
{
	struct hyp_cpu *cpu;
	uint64_t entry, context;

	if (idx >= g_hyp.nr_cpus || !g_hyp.vm_ready)
		arch_park();
	cpu = &g_hyp.cpus[idx];
	entry = cpu->entry;
	context = cpu->context;
	atomic_store(&cpu->state, HYP_CPU_ON);
	vlog_trace("cpu%u up: entry 0x%llx context 0x%llx\n", cpu->idx,
	           (unsigned long long)entry, (unsigned long long)context);
	hyp_cpu_enter_guest(cpu, entry, context);
}
