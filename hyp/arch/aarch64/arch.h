/* SPDX-License-Identifier: MIT */
/* What hyp/arch/aarch64 provides to the rest of the hypervisor. */
#ifndef HYP_ARCH_H
#define HYP_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include <core/stage2.h>

struct hyp_cpu;
struct vhyp_vm;

/* The primary's EL2 stage-1 configuration, which arch_secondary_entry
 * (head.S) loads with the MMU off; its offsets reach the assembly through
 * asm-offsets.c. */
struct hyp_mmu_cfg {
	uint64_t mair;
	uint64_t tcr;
	uint64_t ttbr;
	uint64_t sctlr;
};
extern struct hyp_mmu_cfg hyp_mmu_cfg;

/* head.S */
extern char __image_start[], __image_end[];
/* W^X boundaries (vhyp.lds, 4 KiB aligned): text ends, rodata ends. */
extern char __text_end[], __rodata_end[];
void arch_secondary_entry(void);
_Noreturn void arch_enter_guest(uint64_t x0, uintptr_t sp);
uint64_t arch_firmware_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/* cpu (sysregs) */
/* MPIDR_EL1's affinity fields Aff3..Aff0 (what the DT's reg and PSCI's
 * target_cpu hold). */
#define MPIDR_AFF_MASK 0xFF00FFFFFFULL
uint64_t arch_read_mpidr(void);
uint64_t arch_read_cntpct(void);
uint64_t arch_read_cntfrq(void);
unsigned arch_pa_range_bits(void);
void arch_set_this_cpu(struct hyp_cpu *cpu);
/* The current CPU's state: TPIDR_EL2 holds it from boot on.  Inline, since
 * the hypercall fast path needs it. */
static inline struct hyp_cpu *arch_this_cpu(void)
{
	uint64_t v;

	__asm__("mrs %0, tpidr_el2" : "=r"(v));
	return (struct hyp_cpu *)(uintptr_t)v;
}
_Noreturn void arch_park(void);
/* EL2 state for running the guest on this CPU (notes' register table). */
void arch_el2_setup_guest(const struct vhyp_vm *vm, bool trap_wfx);
/* Guest EL1 entry state: ELR_EL2/SPSR_EL2. */
void arch_prepare_eret(uint64_t entry);
void arch_log_features(void);
int64_t arch_workaround_answer(uint32_t func_id);
/* FEAT_RNG present; 64 bits from RNDRRS (false: no entropy now). */
bool arch_have_rng(void);
bool arch_get_entropy(uint64_t *out);

/* mmu.c: EL2 stage-1 identity map, built by core/stage2 (S2_FMT_EL2). */
bool arch_mmu_init(uint64_t pool_pa, uint64_t pool_size);
/* Map [pa, pa+size) (rounded out to pages) as Normal RW+XN or Device;
 * replaces what was there.  false: out of table pages or bad range. */
bool arch_mmu_map(uint64_t pa, uint64_t size, bool device);
/* The same with any kind (S2_MEM_TEXT: RX, S2_MEM_RODATA: R+XN). */
bool arch_mmu_map_kind(uint64_t pa, uint64_t size, enum s2_mem_type type);
bool arch_mmu_unmap(uint64_t pa, uint64_t size);
/* The host-side view of [pa, pa+size) (rounded out to 2 MiB): every
 * table down to level 3 built now, entries invalid, so that
 * arch_mmu_map_page/unmap_page there are one store and never allocate.
 * false: out of table pages (nothing changed) or a bad/overlapping range.
 * Range maps and unmaps refuse to touch it afterwards. */
bool arch_mmu_host_view_add(uint64_t pa, uint64_t size);
/* Unreserved free table pages. */
size_t arch_mmu_free_pages(void);
/* One 4 KiB granule of the host view: one store (unmap: and the TLBI
 * before it returns); false if pa is outside every host-view range. */
bool arch_mmu_map_page(uint64_t pa);
bool arch_mmu_unmap_page(uint64_t pa);
void arch_mmu_enable(void);
bool arch_mmu_enabled(void);

/* Stage-2 TLB maintenance for core/stage2. */
extern const struct s2_mmu_ops arch_s2_mmu_ops;

#endif /* HYP_ARCH_H */
