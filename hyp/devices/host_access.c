// SPDX-License-Identifier: MIT
/*
 * The host side's only way into guest memory.
 *
 * Every read or write a device model does goes through hyp_host_read /
 * hyp_host_write: they take the VM lock (so no UNSHARE can run between the
 * check and the copy), ask the core whether the host may touch the whole
 * range (pmem_host_may_access: SHARED granules of a protected VM), and
 * copy through the hypervisor's EL2 mapping of those granules.  That
 * mapping exists only for SHARED granules (host_grant/host_revoke in
 * hyp/main.c), so even a bug here that skipped the check would fault at
 * EL2 instead of reading private memory; the copy is fault tolerant
 * (hyp/arch/aarch64/safe_copy.S) so such a fault is reported, not a panic.
 */
#include "devices.h"

#include <core/pmem.h>

#include "hyp.h"

static _Atomic uint64_t count_ok, count_refused, count_faulted, count_leaked,
        count_inconsistent;

/* Stray-access reports are rate limited like the hypervisor's other
 * guest-caused events. */
static struct log_limit report_limit = LOG_LIMIT_INIT(4);

static void report(const char *what, uint64_t ipa)
{
	if (vlog_limited(&report_limit, "further faulting host accesses are "
	                                "counted, not logged\n"))
		vlog("host access to guest IPA 0x%llx %s\n",
		     (unsigned long long)ipa, what);
}

/* Hypervisor bugs the probe exposes: always logged, up to a limit (the
 * counters keep the full count). */
#define BUG_REPORT_LIMIT 16U
static _Atomic unsigned bug_reports;

static void report_bug(const char *what, uint64_t ipa)
{
	unsigned n = atomic_fetch_add(&bug_reports, 1U);

	if (n < BUG_REPORT_LIMIT)
		vlog("%s 0x%llx\n", what, (unsigned long long)ipa);
	else if (n == BUG_REPORT_LIMIT)
		vlog("further host-view bugs are counted, not logged\n");
}

static enum hyp_host_status counted(enum hyp_host_status s)
{
	switch (s) {
	case HYP_HOST_OK:
		atomic_fetch_add(&count_ok, 1U);
		break;
	case HYP_HOST_REFUSED:
		atomic_fetch_add(&count_refused, 1U);
		break;
	case HYP_HOST_FAULTED:
		atomic_fetch_add(&count_faulted, 1U);
		break;
	case HYP_HOST_LEAKED:
		atomic_fetch_add(&count_leaked, 1U);
		break;
	case HYP_HOST_INCONSISTENT:
		atomic_fetch_add(&count_inconsistent, 1U);
		break;
	}
	return s;
}

/* PA of [ipa, ipa+len) when it lies inside one RAM range. */
static bool ram_pa(const struct vhyp_vm *vm, uint64_t ipa, uint64_t len,
                   uint64_t *pa)
{
	const struct vhyp_mem_range *r = vhyp_vm_ram_range(vm, ipa, len);

	if (r == NULL)
		return false;
	*pa = r->pa + (ipa - r->ipa);
	return true;
}

bool hyp_host_buf_ok(const struct vhyp_vm *vm, const void *buf, size_t len)
{
	uint64_t b = (uint64_t)(uintptr_t)buf;

	if (b + len < b)
		return false;
	for (unsigned i = 0; i < vm->cfg.nr_ram; i++) {
		const struct vhyp_mem_range *r = &vm->cfg.ram[i];

		if (b < r->pa + r->size && r->pa < b + len)
			return false;
	}
	return true;
}

static enum hyp_host_status host_copy(struct vhyp_vm *vm, uint64_t ipa,
                                      void *dst, const void *src, size_t len,
                                      bool to_guest)
{
	enum hyp_host_status s = HYP_HOST_REFUSED;
	struct vhyp_vm_locked locked;
	uint64_t pa;

	/* The host side's own buffer is never guest memory: a copy into or
	 * out of guest RAM that did not name it by IPA would bypass the
	 * check below. */
	if (!hyp_host_buf_ok(vm, to_guest ? src : dst, len))
		return counted(HYP_HOST_REFUSED);
	locked = vhyp_vm_lock(vm);
	if (pmem_host_may_access(locked, ipa, len) &&
	    ram_pa(vm, ipa, len, &pa)) {
		void *guest = (void *)(uintptr_t)pa;
		int rc = to_guest ? hyp_safe_copy(guest, src, len)
		                  : hyp_safe_copy(dst, guest, len);
		s = rc == 0 ? HYP_HOST_OK : HYP_HOST_FAULTED;
	}
	vhyp_vm_unlock(&locked);
	if (s == HYP_HOST_FAULTED)
		report_bug("host access admitted but its EL2 mapping faulted: "
		           "IPA",
		           ipa);
	return counted(s);
}

enum hyp_host_status hyp_host_read(struct vhyp_vm *vm, uint64_t ipa, void *buf,
                                   size_t len)
{
	return host_copy(vm, ipa, buf, NULL, len, false);
}

enum hyp_host_status hyp_host_write(struct vhyp_vm *vm, uint64_t ipa,
                                    const void *buf, size_t len)
{
	return host_copy(vm, ipa, NULL, buf, len, true);
}

bool hyp_host_check(struct vhyp_vm *vm, uint64_t ipa, uint64_t len)
{
	struct vhyp_vm_locked locked = vhyp_vm_lock(vm);
	bool ok = pmem_host_may_access(locked, ipa, len);

	vhyp_vm_unlock(&locked);
	if (!ok)
		(void)counted(HYP_HOST_REFUSED);
	return ok;
}

bool hyp_host_dma_range(struct vhyp_vm_locked locked, uint64_t ipa,
                        uint64_t len, uint64_t *pa)
{
	bool ok = pmem_host_may_access(locked, ipa, len) &&
	          ram_pa(locked.vm, ipa, len, pa);

	(void)counted(ok ? HYP_HOST_OK : HYP_HOST_REFUSED);
	return ok;
}

enum hyp_host_status hyp_host_raw_read(struct vhyp_vm *vm, uint64_t ipa,
                                       uint64_t *val)
{
	enum hyp_host_status s;
	struct vhyp_vm_locked locked;
	uint64_t pa, v = 0;

	if (!ram_pa(vm, ipa, sizeof(v), &pa))
		return counted(HYP_HOST_REFUSED); /* never outside guest RAM */
	/* The lock only makes the leak verdict exact (no SHARE/UNSHARE
	 * between the load and the state check); the load itself asks
	 * nobody. */
	locked = vhyp_vm_lock(vm);
	if (hyp_safe_copy(&v, (const void *)(uintptr_t)pa, sizeof(v)) != 0)
		s = pmem_host_may_access(locked, ipa, sizeof(v))
		            ? HYP_HOST_INCONSISTENT
		            : HYP_HOST_FAULTED;
	else if (!pmem_host_may_access(locked, ipa, sizeof(v)))
		s = HYP_HOST_LEAKED;
	else
		s = HYP_HOST_OK;
	vhyp_vm_unlock(&locked);
	if (s == HYP_HOST_FAULTED)
		report("faulted at EL2 (not mapped for the host): reported, "
		       "nothing read",
		       ipa);
	else if (s == HYP_HOST_LEAKED)
		report_bug("LEAK: EL2 read private guest IPA", ipa);
	else if (s == HYP_HOST_INCONSISTENT)
		report_bug("shared guest IPA not mapped for the host: IPA",
		           ipa);
	if (s == HYP_HOST_OK)
		*val = v;
	return counted(s);
}

void hyp_host_stats(struct hyp_host_stats *out)
{
	out->ok = atomic_load(&count_ok);
	out->refused = atomic_load(&count_refused);
	out->faulted = atomic_load(&count_faulted);
	out->leaked = atomic_load(&count_leaked);
	out->inconsistent = atomic_load(&count_inconsistent);
}
