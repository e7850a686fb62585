// SPDX-License-Identifier: MIT
/*
 * The default guest: shows what the KVM vendor hypercall interface offers
 * to this VM, then powers off.  Works under vhyp (normal or protected VM),
 * and degrades to clear messages elsewhere (e.g. QEMU at EL1 directly:
 * PSCI over HVC to QEMU's firmware, SMCCC 1.0, no KVM UID).
 */
#include <guest/isolation_probe.h>
#include <guest/kvm.h>
#include <guest/rt.h>
#include <lib/fdt.h>
#include <lib/fmt.h>

#define SAY(...) rt_printf("demo: " __VA_ARGS__)

/* A page-aligned buffer of the guest's own RAM to share and unshare. */
static uint8_t share_page[KVM_PROTECTION_GRANULE]
        __attribute__((aligned(KVM_PROTECTION_GRANULE)));

static const char *smccc_error_name(int64_t ret)
{
	switch (ret) {
	case SMCCC_RET_SUCCESS:
		return "SUCCESS";
	case SMCCC_RET_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case SMCCC_RET_NOT_REQUIRED:
		return "NOT_REQUIRED";
	case SMCCC_RET_INVALID_PARAMETER:
		return "INVALID_PARAMETER";
	case VG_ERR_BAD_RESULT:
		return "malformed answer";
	default:
		return "error";
	}
}

static void show_versions(const struct vg_hyp *h)
{
	if (h->psci_version != 0)
		SAY("PSCI version %u.%u\n", h->psci_version >> 16,
		    h->psci_version & 0xFFFFU);
	SAY("SMCCC version %u.%u%s\n", h->smccc_version >> 16,
	    h->smccc_version & 0xFFFFU,
	    h->smccc_1_1 ? "" : " (SMCCC 1.1 calls unavailable)");
}

static void show_uid(const struct vg_hyp *h)
{
	if (!h->uid_valid) {
		SAY("vendor hypervisor UID: none\n");
		return;
	}
	SAY("vendor hypervisor UID: %08x %08x %08x %08x (%s)\n", h->uid[0],
	    h->uid[1], h->uid[2], h->uid[3], h->is_kvm ? "KVM" : "not KVM");
}

static void show_features(const struct vg_hyp *h)
{
	unsigned f;

	SAY("FEATURES: %08x %08x %08x %08x\n", h->features[3], h->features[2],
	    h->features[1], h->features[0]);
	for (f = 0; f < 128; f++) {
		const char *name;

		if (!vg_has_feature(h, f))
			continue;
		name = vg_feature_name(f);
		if (name != NULL)
			SAY("  bit %u: %s\n", f, name);
		else
			SAY("  bit %u: (unknown function %u)\n", f, f);
	}
}

/*
 * The offset between a PTP counter value and the guest's own counter read
 * just before and after the call: PTP's value is taken inside the call, so
 * it should lie in [before, after] (offset from the midpoint within
 * +-half the window).
 */
static void show_counter_offset(const char *name, uint64_t ptp, uint64_t before,
                                uint64_t after)
{
	uint64_t mid = before + (after - before) / 2;
	int64_t offset = (int64_t)(ptp - mid);

	SAY("PTP %s counter: 0x%016llx; guest's read 0x%016llx .. 0x%016llx\n",
	    name, (unsigned long long)ptp, (unsigned long long)before,
	    (unsigned long long)after);
	SAY("  offset PTP - guest counter: %lld ticks (call window +-%llu), "
	    "%s\n",
	    (long long)offset, (unsigned long long)((after - before) / 2),
	    (before <= ptp && ptp <= after) ? "consistent"
	                                    : "OUTSIDE the call's window");
}

/* CNTVOFF as the guest sees it: CNTPCT_EL0 - CNTVCT_EL0, read together. */
static void show_virtual_offset(void)
{
	uint64_t v0 = rt_cntvct();
	uint64_t p = rt_cntpct();
	uint64_t v1 = rt_cntvct();

	SAY("guest CNTPCT_EL0 - CNTVCT_EL0: %lld ticks (+-%llu)\n",
	    (long long)(p - (v0 + (v1 - v0) / 2)),
	    (unsigned long long)((v1 - v0) / 2));
}

static void show_ptp(struct vg_hyp *h)
{
	struct vg_ptp virt, phys;
	char when[FMT_ISO8601_LEN];
	uint64_t before, after, pbefore, pafter;
	int64_t ret;

	if (!vg_has_feature(h, KVM_FUNC_PTP)) {
		SAY("PTP: not offered\n");
		return;
	}
	before = rt_cntvct();
	ret = vg_ptp_read(h, KVM_PTP_VIRT_COUNTER, &virt);
	after = rt_cntvct();
	if (ret != SMCCC_RET_SUCCESS) {
		SAY("PTP (virtual counter): %s (%lld)\n", smccc_error_name(ret),
		    (long long)ret);
		return;
	}
	fmt_iso8601(virt.wall_ns, when);
	SAY("PTP wall clock: %s (%llu ns since the epoch)\n", when,
	    (unsigned long long)virt.wall_ns);
	SAY("counter frequency: %llu Hz\n", (unsigned long long)rt_cntfrq());
	show_counter_offset("virtual", virt.counter, before, after);
	pbefore = rt_cntpct();
	ret = vg_ptp_read(h, KVM_PTP_PHYS_COUNTER, &phys);
	pafter = rt_cntpct();
	if (ret == SMCCC_RET_SUCCESS)
		show_counter_offset("physical", phys.counter, pbefore, pafter);
	else
		SAY("PTP (physical counter): %s\n", smccc_error_name(ret));
	show_virtual_offset();
}

static void show_meminfo(struct vg_hyp *h)
{
	uint64_t granule = 0;
	int64_t ret = vg_meminfo(h, &granule);

	if (ret == SMCCC_RET_SUCCESS)
		SAY("HYP_MEMINFO: protection granule %llu bytes\n",
		    (unsigned long long)granule);
	else
		SAY("HYP_MEMINFO: %s (%lld)\n", smccc_error_name(ret),
		    (long long)ret);
}

static const char *probe_status_name(uint64_t st)
{
	switch (st) {
	case PROBE_ST_OK:
		return "read it";
	case PROBE_ST_REFUSED:
		return "refused";
	case PROBE_ST_FAULTED:
		return "faulted at EL2";
	default:
		return "unexpected status";
	}
}

/* Asks the host side, through vhyp's isolation probe, to read 8 bytes of
 * our RAM at ipa, and says what came of it. */
static void show_host_read(const char *when, uint64_t ipa)
{
	uint64_t data = 0;
	uint64_t st = probe_cmd(PROBE_CMD_READ, ipa, &data);

	if (st == PROBE_ST_OK)
		SAY("  host side reads the page %s: %s, 0x%016llx\n", when,
		    probe_status_name(st), (unsigned long long)data);
	else
		SAY("  host side reads the page %s: %s\n", when,
		    probe_status_name(st));
}

static bool has_isolation_probe(void)
{
	uint64_t esr = 0;
	uint32_t id = 0;

	return rt_try_read32(PROBE_BASE + PROBE_ID, &id, &esr) &&
	       id == (uint32_t)PROBE_ID_VALUE;
}

static void show_share(struct vg_hyp *h)
{
	uint64_t ipa = (uint64_t)(uintptr_t)share_page;
	uint64_t failed = 0;
	bool probe = has_isolation_probe();
	int64_t ret;

	for (unsigned i = 0; i < 8; i++)
		share_page[i] = (uint8_t)(0xA0 + i);
	SAY("page 0x%llx holds 0x%016llx (written by the guest)\n",
	    (unsigned long long)ipa,
	    (unsigned long long)*(volatile uint64_t *)share_page);
	if (probe)
		show_host_read("while private", ipa);
	ret = vg_share_range(h, ipa, sizeof(share_page), &failed);
	SAY("MEM_SHARE of the page: %s\n", smccc_error_name(ret));
	if (ret != SMCCC_RET_SUCCESS)
		return;
	if (probe)
		show_host_read("while shared", ipa);
	ret = vg_mem_share(h, ipa);
	SAY("MEM_SHARE of it again: %s (expected INVALID_PARAMETER)\n",
	    smccc_error_name(ret));
	ret = vg_unshare_range(h, ipa, sizeof(share_page), &failed);
	SAY("MEM_UNSHARE of it: %s; contents kept: %s\n", smccc_error_name(ret),
	    share_page[0] == 0xA0 ? "yes" : "NO");
	if (probe)
		show_host_read("after unsharing", ipa);
}

/* With MMIO guard on, an access to a granule that is neither RAM, nor a
 * passed-through device, nor guarded is refused with an external abort. */
static void show_unguarded_access(uint64_t addr)
{
	uint64_t esr = 0;
	uint32_t val = 0;

	if (rt_try_read32(addr, &val, &esr))
		SAY("read of unguarded MMIO 0x%llx: 0x%x (not refused)\n",
		    (unsigned long long)addr, val);
	else
		SAY("read of unguarded MMIO 0x%llx: %s (ESR 0x%llx)\n",
		    (unsigned long long)addr,
		    ESR_EC(esr) == ESR_EC_DABT_CUR &&
		                    ESR_FSC(esr) == ESR_FSC_SEA
		            ? "refused, synchronous external abort"
		            : "aborted",
		    (unsigned long long)esr);
}

static void show_mmio_guard(struct vg_hyp *h)
{
	uint64_t uart =
	        rt_uart_base() & ~(uint64_t)(KVM_PROTECTION_GRANULE - 1);
	int64_t ret =
	        vg_mmio_guard_range(h, uart, KVM_PROTECTION_GRANULE, NULL);

	/* After a successful guard, only guarded MMIO is emulated: the UART
	 * is, so printing keeps working. */
	SAY("MMIO_GUARD of the UART granule 0x%llx: %s\n",
	    (unsigned long long)uart, smccc_error_name(ret));
	if (ret == SMCCC_RET_SUCCESS)
		show_unguarded_access(uart + KVM_PROTECTION_GRANULE);
	ret = vg_mmio_guard(h, (uint64_t)(uintptr_t)share_page);
	SAY("MMIO_GUARD of a RAM page: %s (expected INVALID_PARAMETER)\n",
	    smccc_error_name(ret));
}

static bool protected_features(const struct vg_hyp *h)
{
	return vg_has_feature(h, KVM_FUNC_HYP_MEMINFO) ||
	       vg_has_feature(h, KVM_FUNC_MEM_SHARE) ||
	       vg_has_feature(h, KVM_FUNC_MMIO_GUARD);
}

int main(const void *dtb)
{
	struct vg_hyp *h = &rt_hyp;
	enum vg_probe_result probe;

	(void)dtb;
	SAY("vhyp demo guest, %u CPU(s), RAM 0x%llx + 0x%llx, conduit %s\n",
	    rt_cpu_count(), (unsigned long long)rt_ram_base(),
	    (unsigned long long)rt_ram_size(), h->conduit.name);
	probe = vg_probe(h);
	show_versions(h);
	show_uid(h);
	if (probe != VG_PROBE_OK) {
		SAY("KVM services unavailable: %s\n", vg_probe_strerror(probe));
		SAY("CNTVCT_EL0: 0x%016llx (%llu Hz)\n",
		    (unsigned long long)rt_cntvct(),
		    (unsigned long long)rt_cntfrq());
		SAY("powering off\n");
		return 0;
	}
	show_features(h);
	show_ptp(h);
	if (protected_features(h)) {
		SAY("protected VM services:\n");
		show_meminfo(h);
		show_share(h);
		show_mmio_guard(h);
	} else {
		SAY("normal VM: no protected-memory services\n");
	}
	SAY("powering off\n");
	return 0;
}
