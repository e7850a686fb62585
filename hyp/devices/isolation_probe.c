// SPDX-License-Identifier: MIT
/*
 * The vhyp isolation probe: an emulated MMIO device through which a
 * protected guest asks the host side to read or write one of its IPAs and
 * learns whether the host could.  Register map in docs/protected-vms.md.
 *
 * ADDR, DATA and STATUS are banked per vCPU, so vCPUs probing at the same
 * time do not see each other's commands; the counters are shared.  Every
 * access to guest memory goes through the accessor (host_access.c); the
 * RAW command deliberately does not, to show that the EL2 mapping of a
 * private granule is absent (its fault is caught, reported and counted).
 */
#include <core/pmem.h>

#include "devices.h"

#include "hyp.h"

#define REG_ID           0x00U
#define REG_ADDR         0x08U
#define REG_DATA         0x10U
#define REG_CMD          0x18U
#define REG_STATUS       0x20U
#define REG_OK           0x28U
#define REG_REFUSED      0x30U
#define REG_FAULTED      0x38U
#define REG_LEAKED       0x40U
#define REG_INCONSISTENT 0x48U

#define PROBE_ID 0x0000000176687970ULL /* "vhyp" (LE bytes "pyhv"), v1 */

enum probe_cmd {
	CMD_READ = 1,
	CMD_WRITE = 2,
	CMD_RAW_READ = 3,
	CMD_QUERY = 4,
};
#define STATUS_BAD_COMMAND 5U

/* CMD_QUERY result bits in DATA. */
#define QUERY_RAM       (1ULL << 0)
#define QUERY_S2_SHARED (1ULL << 1)
#define QUERY_HOST_MAY  (1ULL << 2)

struct probe_bank {
	uint64_t addr, data, status;
};

static struct probe_bank banks[HYP_MAX_CPUS];
static struct vhyp_vm *probe_vm;

static uint64_t query(uint64_t ipa)
{
	struct s2_leaf leaf;
	uint64_t q = 0;
	uint64_t g = ipa & ~(uint64_t)(S2_GRANULE_SIZE - 1);
	struct vhyp_vm_locked locked = vhyp_vm_lock(probe_vm);

	if (vhyp_vm_ram_range(probe_vm, g, S2_GRANULE_SIZE) != NULL)
		q |= QUERY_RAM;
	if ((q & QUERY_RAM) && s2_lookup(&probe_vm->s2, g, &leaf) == S2_OK &&
	    leaf.valid && s2_pte_state(leaf.pte) == S2_STATE_SHARED_OWNED)
		q |= QUERY_S2_SHARED;
	if (pmem_host_may_access(locked, g, S2_GRANULE_SIZE))
		q |= QUERY_HOST_MAY;
	vhyp_vm_unlock(&locked);
	return q;
}

static void run_command(struct probe_bank *b, uint64_t cmd)
{
	uint64_t v;

	switch (cmd) {
	case CMD_READ:
		b->status = hyp_host_read(probe_vm, b->addr, &v, sizeof(v));
		if (b->status == HYP_HOST_OK)
			b->data = v;
		break;
	case CMD_WRITE:
		v = b->data;
		b->status = hyp_host_write(probe_vm, b->addr, &v, sizeof(v));
		break;
	case CMD_RAW_READ:
		b->status = hyp_host_raw_read(probe_vm, b->addr, &v);
		if (b->status == HYP_HOST_OK || b->status == HYP_HOST_LEAKED)
			b->data = v; /* a leak is shown, never hidden */
		break;
	case CMD_QUERY:
		b->data = query(b->addr);
		b->status = HYP_HOST_OK;
		break;
	default:
		b->status = STATUS_BAD_COMMAND;
		break;
	}
}

static uint64_t reg_value(const struct probe_bank *b, uint64_t reg)
{
	struct hyp_host_stats st;

	hyp_host_stats(&st);
	switch (reg) {
	case REG_ID:
		return PROBE_ID;
	case REG_ADDR:
		return b->addr;
	case REG_DATA:
		return b->data;
	case REG_STATUS:
		return b->status;
	case REG_OK:
		return st.ok;
	case REG_REFUSED:
		return st.refused;
	case REG_FAULTED:
		return st.faulted;
	case REG_LEAKED:
		return st.leaked;
	case REG_INCONSISTENT:
		return st.inconsistent;
	default:
		return 0;
	}
}

static struct probe_bank *bank_of(unsigned cpu)
{
	return &banks[cpu < HYP_MAX_CPUS ? cpu : 0];
}

/* A 1/2/4-byte access reads or writes part of the 64-bit register. */
static unsigned shift_of(uint64_t off)
{
	return (unsigned)(off & 7U) * 8U;
}

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8U)) - 1U;
}

static uint64_t probe_read(void *ctx, unsigned cpu, uint64_t off, unsigned size)
{
	(void)ctx;
	if ((off & 7U) + size > 8U)
		return 0;
	return reg_value(bank_of(cpu), off & ~7ULL) >> shift_of(off);
}

static void merge(uint64_t *reg, uint64_t off, unsigned size, uint64_t val)
{
	uint64_t m = mask_of(size) << shift_of(off);

	*reg = (*reg & ~m) | ((val << shift_of(off)) & m);
}

static void probe_write(void *ctx, unsigned cpu, uint64_t off, unsigned size,
                        uint64_t val)
{
	struct probe_bank *b = bank_of(cpu);

	(void)ctx;
	if ((off & 7U) + size > 8U)
		return;
	switch (off & ~7ULL) {
	case REG_ADDR:
		merge(&b->addr, off, size, val);
		break;
	case REG_DATA:
		merge(&b->data, off, size, val);
		break;
	case REG_CMD:
		if ((off & 7U) == 0)
			run_command(b, val);
		break;
	default:
		break; /* read-only or reserved */
	}
}

bool hyp_probe_register(struct vhyp_vm *vm, uint64_t base)
{
	struct hyp_mmio_device dev = {
	        .name = "vhyp isolation probe",
	        .base = base,
	        .size = HYP_PROBE_SIZE,
	        .read = probe_read,
	        .write = probe_write,
	};

	probe_vm = vm;
	return hyp_mmio_register(vm, &dev);
}
