/* SPDX-License-Identifier: MIT */
/*
 * The virtual GIC: trap-and-moderate (docs/vgic.md).
 *
 * The guest's stage 2 holds no mapping of the GICv3 distributor and
 * redistributors or of the GICv2 distributor.  Every access to them is a
 * stage-2 data abort that the MMIO framework (hyp/devices) hands to the
 * decoders here.  Each register is looked up in an allowlist and either
 * forwarded, with the same size, to the physical register (only for the
 * bits of INTIDs the guest owns), answered from a synthesised value, or
 * ignored (RAZ/WI).  LPIs and the ITS are never offered.  The CPU
 * interface stays the guest's (HCR_EL2.IMO/FMO clear): interrupts,
 * acknowledges, EOIs and SGIs take no exit.
 */
#ifndef HYP_VGIC_H
#define HYP_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include <core/vm.h>

/* PPIs vhyp keeps from the guest: the GIC maintenance interrupt and the
 * EL2 physical timer.  Every per-INTID register hides them. */
#define VGIC_PPI_MAINTENANCE 25U
#define VGIC_PPI_HYP_TIMER   26U

/*
 * Boot, on the primary CPU before the first guest entry: finds each CPU's
 * redistributor, refuses to start (panic) when one already has
 * EnableLPIs=1, wakes them all, puts every interrupt in Group 1, enables
 * the distributor with affinity routing, and registers the emulated
 * windows with the MMIO framework.
 */
void hyp_vgic_setup(struct vhyp_vm *vm);

/* At SYSTEM_OFF/RESET: the GIC MMIO exit counters and the verdict on the
 * physical GIC (LPIs off, tables untouched, reserved PPIs unchanged). */
void hyp_vgic_print_stats(void);

/* Host tests: the decoders on fake register memory. */
struct hyp_vgic_stats {
	uint64_t reads, writes, ignored;
};
void hyp_vgic_stats(struct hyp_vgic_stats *out);

#endif /* HYP_VGIC_H */
