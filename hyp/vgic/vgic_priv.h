/* SPDX-License-Identifier: MIT */
/* Shared by the GICv3 and GICv2 decoders (hyp/vgic). */
#ifndef HYP_VGIC_PRIV_H
#define HYP_VGIC_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vgic.h"

/* Physical register access (EL2's Device mapping of the GIC). */
static inline uint32_t vgic_rd32(uint64_t pa)
{
	return *(volatile uint32_t *)(uintptr_t)pa;
}
static inline void vgic_wr32(uint64_t pa, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)pa = v;
}
static inline uint64_t vgic_rd64(uint64_t pa)
{
	return *(volatile uint64_t *)(uintptr_t)pa;
}
static inline void vgic_wr64(uint64_t pa, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)pa = v;
}
static inline uint8_t vgic_rd8(uint64_t pa)
{
	return *(volatile uint8_t *)(uintptr_t)pa;
}
static inline void vgic_wr8(uint64_t pa, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)pa = v;
}

/* INTIDs the guest owns: all but the reserved PPIs. */
static inline bool vgic_owned(unsigned intid)
{
	return intid != VGIC_PPI_MAINTENANCE && intid != VGIC_PPI_HYP_TIMER;
}

/* The bits of a 32-bit register with `bits` bits per INTID, starting at
 * first_intid, that belong to INTIDs the guest owns. */
uint32_t vgic_owned_mask(unsigned first_intid, unsigned bits);

/* One lock for every read-modify-write of a shared physical register
 * (ICFGR, IROUTER halves): any vCPU may reach any frame. */
void vgic_lock(void);
void vgic_unlock(void);

/* Exit counters. */
void vgic_count_read(void);
void vgic_count_write(bool ignored);

/* The access is a naturally aligned `size`-byte access at off. */
static inline bool vgic_aligned(uint64_t off, unsigned size)
{
	return (off & (size - 1U)) == 0;
}

/* 1 bit per INTID, write-1-to-set/clear (I{S,C}{ENABLE,PEND,ACTIVE}R):
 * a read returns the owned bits, a write forwards only them. */
uint32_t vgic_bitmap_read(uint64_t pa, unsigned first_intid);
bool vgic_bitmap_write(uint64_t pa, unsigned first_intid, uint32_t v);

/* 8 bits per INTID, byte accessible (IPRIORITYR, GICv2 ITARGETSR):
 * reserved INTIDs' bytes read 0 and are never written.  `allowed` masks
 * each written byte (0xFF for priorities). */
uint64_t vgic_bytes_read(uint64_t pa, unsigned first_intid, unsigned size);
bool vgic_bytes_write(uint64_t pa, unsigned first_intid, unsigned size,
                      uint64_t v, uint8_t allowed);

/* 2 bits per INTID, 32-bit only (ICFGR): masked read-modify-write under
 * the lock when the word holds a reserved INTID. */
uint32_t vgic_cfg_read(uint64_t pa, unsigned first_intid);
bool vgic_cfg_write(uint64_t pa, unsigned first_intid, uint32_t v);

/* GICv3 and GICv2 halves (vgic_v3.c, vgic_v2.c). */
void vgic_v3_setup(struct vhyp_vm *vm);
void vgic_v3_verdict(void);
void vgic_v2_setup(struct vhyp_vm *vm);
void vgic_v2_verdict(void);

#endif /* HYP_VGIC_PRIV_H */
