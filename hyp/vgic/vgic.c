// SPDX-License-Identifier: MIT
/*
 * The part of the moderated GIC both versions share: which INTIDs the
 * guest owns, the masked forwarding of per-INTID registers, the lock for
 * read-modify-writes, the exit counters, and the boot/shutdown entry
 * points.  See docs/vgic.md.
 */
#include <lib/spinlock.h>

#include "vgic_priv.h"

#include "hyp.h"

static struct spinlock lock = SPINLOCK_INIT;
static _Atomic uint64_t nr_reads, nr_writes, nr_ignored;

void vgic_lock(void)
{
	spin_lock(&lock);
}

void vgic_unlock(void)
{
	spin_unlock(&lock);
}

void vgic_count_read(void)
{
	atomic_fetch_add_explicit(&nr_reads, 1U, memory_order_relaxed);
}

void vgic_count_write(bool ignored)
{
	atomic_fetch_add_explicit(&nr_writes, 1U, memory_order_relaxed);
	if (ignored)
		atomic_fetch_add_explicit(&nr_ignored, 1U,
		                          memory_order_relaxed);
}

void hyp_vgic_stats(struct hyp_vgic_stats *out)
{
	out->reads = atomic_load(&nr_reads);
	out->writes = atomic_load(&nr_writes);
	out->ignored = atomic_load(&nr_ignored);
}

uint32_t vgic_owned_mask(unsigned first_intid, unsigned bits)
{
	uint32_t field = bits == 32U ? ~0U : (1U << bits) - 1U;
	uint32_t mask = 0;

	for (unsigned i = 0; i < 32U / bits; i++)
		if (vgic_owned(first_intid + i))
			mask |= field << (i * bits);
	return mask;
}

uint32_t vgic_bitmap_read(uint64_t pa, unsigned first_intid)
{
	return vgic_rd32(pa) & vgic_owned_mask(first_intid, 1);
}

bool vgic_bitmap_write(uint64_t pa, unsigned first_intid, uint32_t v)
{
	v &= vgic_owned_mask(first_intid, 1);
	if (v == 0)
		return false; /* writing 0 to a set/clear register is a no-op */
	vgic_wr32(pa, v);
	return true;
}

uint64_t vgic_bytes_read(uint64_t pa, unsigned first_intid, unsigned size)
{
	uint64_t v = size == 1 ? vgic_rd8(pa) : vgic_rd32(pa);

	for (unsigned i = 0; i < size; i++)
		if (!vgic_owned(first_intid + i))
			v &= ~(0xFFULL << (8U * i));
	return v;
}

bool vgic_bytes_write(uint64_t pa, unsigned first_intid, unsigned size,
                      uint64_t v, uint8_t allowed)
{
	bool all = allowed == 0xFFU;

	for (unsigned i = 0; i < size; i++)
		all = all && vgic_owned(first_intid + i);
	if (all) {
		/* The common case: one access of the guest's own size. */
		if (size == 1)
			vgic_wr8(pa, (uint8_t)v);
		else
			vgic_wr32(pa, (uint32_t)v);
		return true;
	}
	/* Byte by byte: the reserved INTIDs' bytes are never written, so
	 * there is nothing to read back and no lock to take. */
	for (unsigned i = 0; i < size; i++)
		if (vgic_owned(first_intid + i))
			vgic_wr8(pa + i, (uint8_t)(v >> (8U * i)) & allowed);
	return true;
}

uint32_t vgic_cfg_read(uint64_t pa, unsigned first_intid)
{
	return vgic_rd32(pa) & vgic_owned_mask(first_intid, 2);
}

bool vgic_cfg_write(uint64_t pa, unsigned first_intid, uint32_t v)
{
	uint32_t mask = vgic_owned_mask(first_intid, 2);

	if (mask == ~0U) {
		vgic_wr32(pa, v);
		return true;
	}
	if (mask == 0)
		return false;
	vgic_lock();
	vgic_wr32(pa, (vgic_rd32(pa) & ~mask) | (v & mask));
	vgic_unlock();
	return true;
}

void hyp_vgic_setup(struct vhyp_vm *vm)
{
	if (g_hyp.board.gic_version == 3)
		vgic_v3_setup(vm);
	else
		vgic_v2_setup(vm);
}

void hyp_vgic_print_stats(void)
{
	struct hyp_vgic_stats s;

	hyp_vgic_stats(&s);
	vlog("gic: mmio exits=%llu (reads=%llu writes=%llu ignored=%llu)\n",
	     (unsigned long long)s.reads + s.writes,
	     (unsigned long long)s.reads, (unsigned long long)s.writes,
	     (unsigned long long)s.ignored);
	if (g_hyp.board.gic_version == 3)
		vgic_v3_verdict();
	else
		vgic_v2_verdict();
}
