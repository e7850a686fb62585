// SPDX-License-Identifier: MIT
/*
 * The MMIO device framework: a table of emulated device windows and the
 * data-abort emulation the stage-2 abort path calls once the MMIO guard
 * has let an access through.
 */
#include "devices.h"

#include <vhyp/esr.h>

#include "hyp.h"

#define PAGE_MASK 0xFFFULL

#define REG_XZR 31U

static struct hyp_mmio_device devices[HYP_MMIO_MAX_DEVICES];
static unsigned nr_devices;

static bool windows_overlap(uint64_t a, uint64_t alen, uint64_t b,
                            uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool hyp_mmio_register(struct vhyp_vm *vm, const struct hyp_mmio_device *dev)
{
	if (nr_devices >= HYP_MMIO_MAX_DEVICES || dev->size == 0 ||
	    ((dev->base | dev->size) & PAGE_MASK) != 0 ||
	    dev->base + dev->size < dev->base || dev->read == NULL ||
	    dev->write == NULL)
		return false;
	for (unsigned i = 0; i < vm->cfg.nr_ram; i++)
		if (windows_overlap(dev->base, dev->size, vm->cfg.ram[i].ipa,
		                    vm->cfg.ram[i].size))
			return false;
	for (unsigned i = 0; i < vm->cfg.nr_dev; i++)
		if (windows_overlap(dev->base, dev->size, vm->cfg.dev[i].ipa,
		                    vm->cfg.dev[i].size))
			return false; /* passed through: it never faults */
	for (unsigned i = 0; i < nr_devices; i++)
		if (windows_overlap(dev->base, dev->size, devices[i].base,
		                    devices[i].size))
			return false;
	devices[nr_devices++] = *dev;
	return true;
}

void hyp_mmio_reset(void)
{
	nr_devices = 0;
	hyp_guest_reset();
}

bool hyp_mmio_decode(uint64_t esr, struct hyp_mmio_access *out)
{
	if (!(esr & ESR_ISS_ISV) || (esr & (ESR_ISS_S1PTW | ESR_ISS_CM)))
		return false;
	out->size = 1U << ESR_ISS_SAS(esr);
	out->reg = ESR_ISS_SRT(esr);
	out->write = (esr & ESR_ISS_WNR) != 0;
	out->sign_extend = (esr & ESR_ISS_SSE) != 0;
	out->reg64 = (esr & ESR_ISS_SF) != 0;
	return true;
}

static const struct hyp_mmio_device *find_device(uint64_t ipa, unsigned size)
{
	for (unsigned i = 0; i < nr_devices; i++) {
		const struct hyp_mmio_device *d = &devices[i];
		if (ipa >= d->base && ipa - d->base <= d->size - size)
			return d;
	}
	return NULL;
}

static uint64_t size_mask(unsigned size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8U)) - 1U;
}

/* The value a load of `size` bytes leaves in the register. */
static uint64_t load_result(const struct hyp_mmio_access *a, uint64_t v)
{
	v &= size_mask(a->size);
	if (a->sign_extend && a->size < 8) {
		uint64_t sign = 1ULL << (a->size * 8U - 1U);
		v = (v ^ sign) - sign;
	}
	if (!a->reg64)
		v &= 0xFFFFFFFFULL; /* a W register write zeroes bits 63:32 */
	return v;
}

bool hyp_mmio_dispatch(struct hyp_regs *regs, unsigned cpu, uint64_t esr,
                       uint64_t ipa)
{
	struct hyp_mmio_access a;
	const struct hyp_mmio_device *d;
	uint64_t v;

	if (!hyp_mmio_decode(esr, &a))
		return false;
	d = find_device(ipa, a.size);
	if (d == NULL)
		return false;
	if (a.write) {
		v = a.reg == REG_XZR ? 0 : regs->x[a.reg];
		d->write(d->ctx, cpu, ipa - d->base, a.size,
		         v & size_mask(a.size));
	} else {
		v = load_result(&a,
		                d->read(d->ctx, cpu, ipa - d->base, a.size));
		if (a.reg != REG_XZR)
			regs->x[a.reg] = v;
	}
	return true;
}
