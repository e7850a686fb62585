// SPDX-License-Identifier: MIT
/*
 * Paravirtualised time (Arm DEN0057A) behind the core's ops->pv_time_st:
 * one 64-byte stolen-time structure per vCPU in one page of hypervisor
 * memory, mapped read-only into the VM's stage 2 at PV_TIME_IPA.
 *
 * Where, as KVM does it: QEMU's virt board puts KVM's stolen-time region
 * at 0x090a0000, outside RAM and absent from the DT; Linux learns the
 * address from PV_TIME_ST alone and maps it with memremap().  vhyp uses
 * the same IPA (unused by the board under TCG).  Being outside guest RAM,
 * the page needs no reservation, is not the guest's memory in either VM
 * kind (so a protected VM's privacy is not touched: the page was never
 * private to it), and the guest cannot write it (stage 2 read-only, a
 * write is an external abort like any other refused access).
 *
 * Kept true: stolen_time counts the time a vCPU was ready to run but its
 * physical CPU ran something else.  vhyp pins each vCPU to its own CPU
 * and runs nothing else there, so it is 0 for the VM's whole life; the
 * page is written once, before the first vCPU starts.
 */
#include <stdatomic.h>

#include <vhyp/board.h>
#include <vhyp/smccc.h>

#include <core/stage2.h>
#include <core/vm.h>

#include "arch.h"
#include "hyp.h"

#define PV_TIME_IPA  VHYP_PV_TIME_IPA
#define PV_TIME_PAGE 4096U

/* DEN0057A table 3: the stolen-time structure, little-endian. */
struct pv_time_st {
	uint32_t revision;    /* 0 */
	uint32_t attributes;  /* 0 */
	uint64_t stolen_time; /* ns */
	uint8_t reserved[PV_TIME_ST_SIZE - 16];
};

_Static_assert(sizeof(struct pv_time_st) == PV_TIME_ST_SIZE,
               "DEN0057A: 64 bytes per vCPU");
_Static_assert(HYP_MAX_CPUS *PV_TIME_ST_SIZE <= PV_TIME_PAGE,
               "every vCPU's structure in one page");

static struct pv_time_st pv_time_page[PV_TIME_PAGE / PV_TIME_ST_SIZE]
        __attribute__((aligned(PV_TIME_PAGE)));
static bool pv_time_mapped;

uint64_t hyp_pv_time_st(void *ctx, struct vhyp_vcpu *vcpu)
{
	(void)ctx;
	if (!pv_time_mapped || vcpu == NULL || vcpu->idx >= HYP_MAX_CPUS)
		return UINT64_MAX;
	return PV_TIME_IPA + (uint64_t)vcpu->idx * PV_TIME_ST_SIZE;
}

/* After the VM is built, before any vCPU runs.  Returns false (and PV
 * time answers -1) if the IPA is already taken by the VM's layout. */
bool hyp_pv_time_setup(struct vhyp_vm *vm)
{
	uint64_t pa = (uint64_t)(uintptr_t)pv_time_page; /* identity map */

	for (unsigned i = 0; i < PV_TIME_PAGE / PV_TIME_ST_SIZE; i++)
		pv_time_page[i] = (struct pv_time_st){0};
	atomic_thread_fence(memory_order_seq_cst);
	if (s2_map(&vm->s2, PV_TIME_IPA, pa, PV_TIME_PAGE, S2_MEM_NORMAL_RO,
	           S2_STATE_OWNED) != S2_OK) {
		vlog("warning: PV time not offered: IPA 0x%llx is taken\n",
		     (unsigned long long)PV_TIME_IPA);
		return false;
	}
	pv_time_mapped = true;
	return true;
}
