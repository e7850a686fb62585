// SPDX-License-Identifier: MIT
/*
 * Conformance cases 36-56 of the spec: what a protected VM observes of
 * HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE and MMIO_GUARD under vhyp's choices 7
 * and 8.  Whether the host side can read a granule is asked through vhyp's
 * isolation probe (docs/protected-vms.md), so "the host can now read the
 * guest's data" is a real host-side read, not an assumption.
 *
 * Results are compared with literal values (0, 4096, -3 = INVALID_PARAMETER,
 * -1 = NOT_SUPPORTED), never with the header constants.
 */
#include <guest/isolation_probe.h>
#include <guest/rt.h>
#include <vhyp/kvm_vendor.h>

#include "common/gt.h"
#include "protected.h"

#define PAGE 4096ULL

static const uint64_t ret_ok[4] = {0, 0, 0, 0};
static const uint64_t ret_inval[4] = {(uint64_t)-3LL, 0, 0, 0};
static const uint64_t ret_granule[4] = {4096, 0, 0, 0};

/* Pages of our own RAM for the share cases, one per independent case. */
static uint8_t pages[4][PAGE] __attribute__((aligned(PAGE)));

static uint64_t ipa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static bool hvc(const char *label, uint64_t x0, uint64_t x1, uint64_t x2,
                uint64_t x3, const uint64_t want[4])
{
	return conformance_check_hvc(label, x0, x1, x2, x3, want);
}

/* The host side reads 8 bytes at ipa; true if it could, *val the data. */
static bool host_reads(uint64_t ipa, uint64_t *val)
{
	*val = 0;
	return probe_cmd(PROBE_CMD_READ, ipa, val) == PROBE_ST_OK;
}

static bool host_writes(uint64_t ipa, uint64_t val)
{
	return probe_cmd(PROBE_CMD_WRITE, ipa, &val) == PROBE_ST_OK;
}

static void meminfo_cases(void)
{
	hvc("case 37: HYP_MEMINFO(0,0,0) -> 4096, X1 = 0",
	    KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 0, 0, ret_granule);
	hvc("case 38: HYP_MEMINFO(1,0,0) -> -3", KVM_VENDOR_HYP_MEMINFO_FUNC_ID,
	    1, 0, 0, ret_inval);
	hvc("case 39: HYP_MEMINFO(0,0,1) -> -3", KVM_VENDOR_HYP_MEMINFO_FUNC_ID,
	    0, 0, 1, ret_inval);
	hvc("case 39: HYP_MEMINFO(0,1,0) -> -3", KVM_VENDOR_HYP_MEMINFO_FUNC_ID,
	    0, 1, 0, ret_inval);
	/* gt_call_prepare fills X4..X28 with random patterns on every call:
	 * case 40 is every MEMINFO above; one more, named for it. */
	hvc("case 40: HYP_MEMINFO with garbage in X4..X28 -> 4096",
	    KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 0, 0, ret_granule);
}

static void share_cases(void)
{
	uint64_t ipa = ipa_of(pages[0]), got;

	*(volatile uint64_t *)pages[0] = 0x5348415245443431ULL;
	gt_report(!host_reads(ipa, &got),
	          "case 41: the host side cannot read the page while private");
	hvc("case 41: MEM_SHARE(own page, 0, 0) -> 0",
	    KVM_VENDOR_MEM_SHARE_FUNC_ID, ipa, 0, 0, ret_ok);
	gt_report(host_reads(ipa, &got) && got == 0x5348415245443431ULL,
	          "case 41: the host side reads what the guest wrote (0x%llx)",
	          (unsigned long long)got);
	gt_report(host_writes(ipa + 8, 0x484F5354ULL) &&
	                  *(volatile uint64_t *)(pages[0] + 8) == 0x484F5354ULL,
	          "case 41: the guest reads what the host side wrote");
	hvc("case 42: MEM_SHARE(ipa + 8) -> -3", KVM_VENDOR_MEM_SHARE_FUNC_ID,
	    ipa + 8, 0, 0, ret_inval);
	hvc("case 43: MEM_SHARE of a shared page -> -3",
	    KVM_VENDOR_MEM_SHARE_FUNC_ID, ipa, 0, 0, ret_inval);
	gt_report((probe_query(ipa) & PROBE_Q_S2_SHARED) != 0 &&
	                  host_reads(ipa, &got),
	          "case 43: the page stays shared");
	hvc("case 44: MEM_SHARE(ipa, 1, 0) -> -3 (one granule per call)",
	    KVM_VENDOR_MEM_SHARE_FUNC_ID, ipa_of(pages[1]), 1, 0, ret_inval);
	hvc("case 45: MEM_SHARE(ipa, 0, 1) -> -3", KVM_VENDOR_MEM_SHARE_FUNC_ID,
	    ipa_of(pages[1]), 0, 1, ret_inval);
	gt_report(!host_reads(ipa_of(pages[1]), &got),
	          "cases 44-45: the refused page stayed private");
	hvc("case 47: MEM_SHARE(2^40) -> -3", KVM_VENDOR_MEM_SHARE_FUNC_ID,
	    1ULL << 40, 0, 0, ret_inval);
	hvc("case 47: MEM_SHARE(2^64 - 4096) -> -3",
	    KVM_VENDOR_MEM_SHARE_FUNC_ID, ~0ULL << 12, 0, 0, ret_inval);
	hvc("choice 7: MEM_SHARE of a non-RAM IPA (0x0a000000) -> -3",
	    KVM_VENDOR_MEM_SHARE_FUNC_ID, VHYP_BOARD_VIRTIO_BASE, 0, 0,
	    ret_inval);
}

/* Case 46: a RAM page the guest never touched (the top of its RAM). */
static void untouched_share_case(void)
{
	uint64_t top = rt_ram_base() + rt_ram_size() - PAGE;

	hvc("case 46: MEM_SHARE of RAM never touched -> 0",
	    KVM_VENDOR_MEM_SHARE_FUNC_ID, top, 0, 0, ret_ok);
	hvc("case 46: and MEM_UNSHARE of it -> 0",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, top, 0, 0, ret_ok);
}

static void unshare_cases(void)
{
	uint64_t ipa = ipa_of(pages[0]), got;
	volatile uint64_t *word = (volatile uint64_t *)pages[0];

	*word = 0x554E534841524535ULL;
	hvc("case 48: MEM_UNSHARE of a shared page -> 0",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa, 0, 0, ret_ok);
	gt_report(!host_reads(ipa, &got) && !host_writes(ipa, 1),
	          "cases 48, 55: the host side is refused right after UNSHARE");
	*word += 1;
	gt_report(*word == 0x554E534841524536ULL,
	          "case 48: the guest still reads and writes the page");
	gt_report(*(volatile uint64_t *)(pages[0] + 8) == 0x484F5354ULL,
	          "case 54: contents survive share and unshare (no scrub)");
	hvc("case 49: MEM_UNSHARE of a never-shared page -> -3",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa_of(pages[2]), 0, 0, ret_inval);
	hvc("case 50: MEM_UNSHARE twice -> -3", KVM_VENDOR_MEM_UNSHARE_FUNC_ID,
	    ipa, 0, 0, ret_inval);
	hvc("case 51: MEM_UNSHARE(ipa + 8) -> -3",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa + 8, 0, 0, ret_inval);
	hvc("case 52: MEM_UNSHARE of an unmapped IPA -> -3",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, VHYP_BOARD_VIRTIO_BASE, 0, 0,
	    ret_inval);
	hvc("case 52: MEM_UNSHARE(2^40) -> -3", KVM_VENDOR_MEM_UNSHARE_FUNC_ID,
	    1ULL << 40, 0, 0, ret_inval);
	hvc("case 53 setup: MEM_SHARE -> 0", KVM_VENDOR_MEM_SHARE_FUNC_ID,
	    ipa_of(pages[3]), 0, 0, ret_ok);
	hvc("case 53: MEM_UNSHARE(ipa, 1, 0) -> -3",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa_of(pages[3]), 1, 0, ret_inval);
	hvc("case 53: MEM_UNSHARE(ipa, 0, 1) -> -3",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa_of(pages[3]), 0, 1, ret_inval);
	gt_report(host_reads(ipa_of(pages[3]), &got),
	          "case 53: the refused UNSHARE left the page shared");
	hvc("case 53: MEM_UNSHARE(ipa, 0, 0) -> 0",
	    KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa_of(pages[3]), 0, 0, ret_ok);
}

/*
 * Case 56 under vhyp's choice 8: MMIO_GUARD is implemented.  The first
 * successful guard turns enforcement on, so the console's granule is
 * guarded first (else the next line could not be printed), then the probe.
 */
static void mmio_guard_cases(void)
{
	uint64_t uart = rt_uart_base() & ~(PAGE - 1), got;
	char why[160] = "";

	hvc("case 56: MMIO_GUARD(own RAM page) -> -3",
	    KVM_VENDOR_MMIO_GUARD_FUNC_ID, ipa_of(pages[2]), 0, 0, ret_inval);
	hvc("case 56: MMIO_GUARD(unaligned) -> -3",
	    KVM_VENDOR_MMIO_GUARD_FUNC_ID, uart + 4, 0, 0, ret_inval);
	hvc("case 56: MMIO_GUARD(ipa, 1, 0) -> -3",
	    KVM_VENDOR_MMIO_GUARD_FUNC_ID, uart, 1, 0, ret_inval);
	hvc("case 56: MMIO_GUARD(2^40) -> -3", KVM_VENDOR_MMIO_GUARD_FUNC_ID,
	    1ULL << 40, 0, 0, ret_inval);
	hvc("case 56: MMIO_GUARD(UART granule) -> 0",
	    KVM_VENDOR_MMIO_GUARD_FUNC_ID, uart, 0, 0, ret_ok);
	hvc("case 56: MMIO_GUARD of a guarded granule again -> 0",
	    KVM_VENDOR_MMIO_GUARD_FUNC_ID, uart, 0, 0, ret_ok);
	hvc("case 56: MMIO_GUARD(probe granule) -> 0",
	    KVM_VENDOR_MMIO_GUARD_FUNC_ID, PROBE_BASE, 0, 0, ret_ok);
	gt_report(probe_read(PROBE_ID) == PROBE_ID_VALUE,
	          "choice 8: a guarded granule reaches the device model");
	gt_report(
	        gt_access_expect_sea(GT_LDR32, 0x0c000000ULL, why, sizeof(why)),
	        "choice 8: an unguarded MMIO access takes an external "
	        "abort%s%s",
	        why[0] ? ": " : "", why);
	gt_report(!host_reads(ipa_of(pages[2]), &got),
	          "choice 8: private pages stay private after guarding");
}

void protected_vm_cases(void)
{
	meminfo_cases();
	share_cases();
	untouched_share_case();
	unshare_cases();
	mmio_guard_cases();
}
