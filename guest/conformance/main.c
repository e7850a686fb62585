// SPDX-License-Identifier: MIT
/*
 * Conformance guest: every case of the spec's section 6 that a normal VM
 * can observe, under vhyp's choices (docs/testing.md lists them).  One TAP
 * line per check, named after the spec case ("case 5 ..."), then the plan
 * line, then power off.
 *
 * Command line (/chosen/bootargs, via ./vhyp run --append):
 *   expect_features=N  the vendor-hyp bitmap the run was given (default
 *                      0x3); with bit 0 clear UID and FEATURES must answer
 *                      -1 (case 12), with bit 1 clear PTP must (cases 14, 34)
 *   host_time_ns=N     the host's CLOCK_REALTIME when the run started, for
 *                      the PTP wall-clock check (case 28); skipped without
 *   seed=N             the register patterns' seed (printed otherwise)
 *   poweroff=1|2       end through SYSTEM_OFF2(HIBERNATE_OFF) (1) or
 *                      SYSTEM_RESET2(SYSTEM_WARM_RESET) (2) (parity.c)
 *   protected=1        the run is a protected VM (./vhyp run --protected):
 *                      the default bitmap is 0x9f and cases 37-56 replace
 *                      case 57 (protected.c)
 *
 * Every call goes through gt_call (guest/conformance/common), which loads
 * X0..X28 itself, so each check also verifies that X4..X28 come back
 * unchanged and that the call returns to the next instruction.
 */
#include <guest/rt.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#include "common/gt.h"
#include "parity.h"
#include "protected.h"

#define NS              GT_RET_NOT_SUPPORTED
#define NSEC_PER_SEC    1000000000ULL
/*
 * Case 28: the PTP wall clock against the host's time taken just before
 * the run.  vhyp's anchor comes from the PL031, whose seconds tick on
 * QEMU's clock (up to 1 s behind), hence 2 s below; above, the runner's own
 * start-up before QEMU (a QEMU -dumpdtb, dtc: about 1.5 s on an idle
 * 2-core machine) comes on top of the 2 s.
 */
#define WALL_SLACK_NS   (2 * NSEC_PER_SEC)
#define LAUNCH_SLACK_NS (4 * NSEC_PER_SEC)
/* Case 29: wall-clock and counter deltas of two calls must agree. */
#define PAIR_SLACK_NS   1000000ULL

static uint64_t features = KVM_FEATURES_NORMAL_DEFAULT;

static bool has_uid(void)
{
	return (features & KVM_FEAT_FEATURES) != 0;
}

static bool has_ptp(void)
{
	return (features & KVM_FEAT_PTP) != 0;
}

static const uint64_t ret_ns[4] = {NS, 0, 0, 0};
static const uint64_t ret_uid[4] = {KVM_VENDOR_UID_W0, KVM_VENDOR_UID_W1,
                                    KVM_VENDOR_UID_W2, KVM_VENDOR_UID_W3};

static const uint64_t *uid_want(void)
{
	return has_uid() ? ret_uid : ret_ns;
}

/*
 * Issues one call and reports it: X0..X3 must equal want, X4..X28 must be
 * preserved and execution must resume at the next instruction.
 */
static bool check_call(const char *label, enum gt_insn insn, uint64_t x0,
                       uint64_t x1, uint64_t x2, uint64_t x3,
                       const uint64_t want[4])
{
	struct gt_call c;
	char why[256], got[128];
	bool preserved, ret_ok;

	gt_call_prepare(&c, x0, x1, x2, x3);
	gt_call_issue(insn, &c);
	preserved = gt_call_preserved(&c, why, sizeof(why));
	ret_ok = gt_call_ret_is(&c, want);
	if (ret_ok && preserved)
		return gt_report(true, "%s", label);
	gt_call_format_ret(&c, got, sizeof(got));
	return gt_report(
	        false,
	        "%s: got %s; want X0=0x%llx X1=0x%llx X2=0x%llx "
	        "X3=0x%llx%s%s",
	        label, got, (unsigned long long)want[0],
	        (unsigned long long)want[1], (unsigned long long)want[2],
	        (unsigned long long)want[3], preserved ? "" : "; ", why);
}

static bool check_hvc(const char *label, uint64_t x0, uint64_t x1, uint64_t x2,
                      uint64_t x3, const uint64_t want[4])
{
	return check_call(label, GT_HVC_0, x0, x1, x2, x3, want);
}

bool conformance_check_hvc(const char *label, uint64_t x0, uint64_t x1,
                           uint64_t x2, uint64_t x3, const uint64_t want[4])
{
	return check_hvc(label, x0, x1, x2, x3, want);
}

static void discovery_cases(void)
{
	static const uint64_t ret_version[4] = {SMCCC_VERSION_1_1, 0, 0, 0};
	struct gt_rng r;

	gt_rng_seed(&r, gt_run_seed() ^ 0xD15C0);
	check_hvc("case 1: SMCCC_VERSION -> 0x10001, X1..X3 = 0",
	          SMCCC_VERSION_FUNC_ID, 0, 0, 0, ret_version);
	check_hvc("case 2: ARCH_FEATURES(0x8600FF01 UID) -> -1",
	          SMCCC_ARCH_FEATURES_FUNC_ID, KVM_VENDOR_CALL_UID_FUNC_ID, 0,
	          0, ret_ns);
	check_hvc("case 3: ARCH_FEATURES(0x86000000 FEATURES) -> -1",
	          SMCCC_ARCH_FEATURES_FUNC_ID, KVM_VENDOR_FEATURES_FUNC_ID, 0,
	          0, ret_ns);
	check_hvc("case 4: ARCH_FEATURES(0x80000001 itself) -> -1",
	          SMCCC_ARCH_FEATURES_FUNC_ID, SMCCC_ARCH_FEATURES_FUNC_ID, 0,
	          0, ret_ns);
	check_hvc("case 4: ARCH_FEATURES(0x86000001 PTP) -> -1",
	          SMCCC_ARCH_FEATURES_FUNC_ID, KVM_VENDOR_PTP_FUNC_ID, 0, 0,
	          ret_ns);
	check_hvc(has_uid() ? "case 5: UID words b66fb428 e911c52e 564bcaa9 "
	                      "743a004d, upper halves 0"
	                    : "case 12: UID with bitmap bit 0 clear -> -1",
	          KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0, uid_want());
	check_hvc(has_uid() ? "case 6: UID with random X1..X17 -> same words"
	                    : "case 12: UID with random X1..X17 -> -1",
	          KVM_VENDOR_CALL_UID_FUNC_ID, gt_rand(&r), gt_rand(&r),
	          gt_rand(&r), uid_want());
	check_hvc(has_uid() ? "case 7: UID with X0=0xFFFFFFFF8600FF01 (ID "
	                      "truncated to 32 bits) -> same words"
	                    : "case 12: UID with X0=0xFFFFFFFF8600FF01 -> -1",
	          0xFFFFFFFF00000000ULL | KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0,
	          uid_want());
	check_hvc(has_uid() ? "case 7: UID with X0=0x123456788600FF01 -> "
	                      "same words"
	                    : "case 12: UID with X0=0x123456788600FF01 -> -1",
	          0x1234567800000000ULL | KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0,
	          uid_want());
	check_hvc("case 8: UID with the SMC64 bit (0xC600FF01) -> -1",
	          0xC600FF01U, 0, 0, 0, ret_ns);
	check_hvc("case 9: UID with the fast bit clear (0x0600FF01) -> -1",
	          0x0600FF01U, 0, 0, 0, ret_ns);
	check_hvc("case 10: call count 0x8600FF00 -> -1", 0x8600FF00U, 0, 0, 0,
	          ret_ns);
	check_hvc("case 11: revision 0x8600FF03 -> -1", 0x8600FF03U, 0, 0, 0,
	          ret_ns);
}

static void features_cases(void)
{
	uint64_t want[4] = {features, 0, 0, 0};
	char label[160];

	if (!has_uid()) {
		check_hvc("case 12: FEATURES with bitmap bit 0 clear -> -1",
		          KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0, ret_ns);
		check_hvc("case 12: FEATURES with random X1..X3 -> -1",
		          KVM_VENDOR_FEATURES_FUNC_ID, 0x1234, ~0ULL, 7,
		          ret_ns);
	} else {
		fmt_snprintf(label, sizeof(label),
		             "case %s: FEATURES -> X0=0x%llx, X1..X3 = 0",
		             features == KVM_FEATURES_NORMAL_DEFAULT ? "13"
		                                                     : "14",
		             (unsigned long long)features);
		check_hvc(label, KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0, want);
		fmt_snprintf(
		        label, sizeof(label),
		        "case %s: FEATURES with random X1..X3 -> X0=0x%llx",
		        features == KVM_FEATURES_NORMAL_DEFAULT ? "13" : "14",
		        (unsigned long long)features);
		check_hvc(label, KVM_VENDOR_FEATURES_FUNC_ID, 0x1234, ~0ULL, 7,
		          want);
	}
	check_hvc("case 16: FEATURES via 0xC6000000 -> -1", 0xC6000000U, 0, 0,
	          0, ret_ns);
	check_hvc("case 17: 0x86000002 (HVC32 flavour of MEMINFO) -> -1",
	          0x86000002U, 0, 0, 0, ret_ns);
	check_hvc("case 18: 0x8600007F (FEATURES_2) -> -1", 0x8600007FU, 0, 0,
	          0, ret_ns);
}

static void conduit_cases(void)
{
	static const uint64_t ret_version[4] = {SMCCC_VERSION_1_1, 0, 0, 0};
	static const enum gt_insn hvcs[] = {GT_HVC_1234, GT_HVC_1, GT_HVC_FFFF};
	static const enum gt_insn smcs[] = {GT_SMC_1, GT_SMC_2A, GT_SMC_1234,
	                                    GT_SMC_8000, GT_SMC_FFFF};
	uint64_t feat_want[4] = {has_uid() ? features : NS, 0, 0, 0};
	char label[160];
	unsigned i;

	for (i = 0; i < sizeof(hvcs) / sizeof(hvcs[0]); i++) {
		fmt_snprintf(label, sizeof(label),
		             "case 19: %s with the UID ID -> as hvc #0",
		             gt_insn_name(hvcs[i]));
		check_call(label, hvcs[i], KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0,
		           uid_want());
	}
	check_call("case 20: smc #0 with the UID ID -> as hvc #0", GT_SMC_0,
	           KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0, uid_want());
	check_call("case 20: smc #0 FEATURES -> as hvc #0", GT_SMC_0,
	           KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0, feat_want);
	check_call("case 20: smc #0 SMCCC_VERSION -> 0x10001", GT_SMC_0,
	           SMCCC_VERSION_FUNC_ID, 0, 0, 0, ret_version);
	check_call("case 20: smc #0 unknown ID 0x86000002 -> -1", GT_SMC_0,
	           0x86000002U, 0, 0, 0, ret_ns);
	for (i = 0; i < sizeof(smcs) / sizeof(smcs[0]); i++) {
		/* X1..X3 untouched: they keep the caller's values. */
		uint64_t want[4] = {NS, 0x1111000011110001ULL,
		                    0x2222000022220002ULL,
		                    0x3333000033330003ULL};

		fmt_snprintf(label, sizeof(label),
		             "case 21: %s with the UID ID -> X0=-1, X1..X3 "
		             "untouched, PC advanced",
		             gt_insn_name(smcs[i]));
		check_call(label, smcs[i], KVM_VENDOR_CALL_UID_FUNC_ID, want[1],
		           want[2], want[3], want);
	}
}

/* The Linux discovery chain before any vendor call (vhyp's choice 4). */
static void psci_chain_cases(void)
{
	static const uint64_t ret_zero[4] = {0, 0, 0, 0};
	struct gt_call c;
	char got[128];
	bool ok;

	gt_hvc(&c, PSCI_VERSION_FUNC_ID, 0, 0, 0);
	ok = c.out[0] >= 0x10000U && c.out[0] <= 0xFFFFFFFFU && c.out[1] == 0 &&
	     c.out[2] == 0 && c.out[3] == 0 &&
	     gt_call_preserved(&c, got, sizeof(got));
	gt_call_format_ret(&c, got, sizeof(got));
	gt_report(ok, "psci: PSCI_VERSION >= 1.0 (%s)", got);
	check_hvc("psci: PSCI_FEATURES(SMCCC_VERSION) -> 0 (SMCCC 1.1 usable)",
	          PSCI_FEATURES_FUNC_ID, SMCCC_VERSION_FUNC_ID, 0, 0, ret_zero);
}

/* ---- PTP ----------------------------------------------------------------
 */

struct ptp_sample {
	struct gt_call c;
	uint64_t before, after; /* the counter read around the call */
	uint64_t wall, counter;
};

static void ptp_sample(struct ptp_sample *s, uint64_t arg, bool phys)
{
	gt_call_prepare(&s->c, KVM_VENDOR_PTP_FUNC_ID, arg, 0, 0);
	s->before = phys ? rt_cntpct() : rt_cntvct();
	gt_call_issue(GT_HVC_0, &s->c);
	s->after = phys ? rt_cntpct() : rt_cntvct();
	s->wall = s->c.out[0] << 32 | s->c.out[1];
	s->counter = s->c.out[2] << 32 | s->c.out[3];
}

/* A valid answer: bit 31 of X0 clear, upper halves zero, registers kept. */
static bool ptp_valid(const struct ptp_sample *s, char *why, size_t len)
{
	if ((s->c.out[0] & 0x80000000ULL) != 0 ||
	    ((s->c.out[0] | s->c.out[1] | s->c.out[2] | s->c.out[3]) >> 32) !=
	            0) {
		fmt_snprintf(why, len, "not a valid PTP answer");
		return false;
	}
	return gt_call_preserved(&s->c, why, len);
}

static void report_bracket(const char *label, uint64_t arg, bool phys)
{
	struct ptp_sample s;
	char why[256] = "", got[128];
	bool ok;

	ptp_sample(&s, arg, phys);
	ok = ptp_valid(&s, why, sizeof(why));
	if (ok && !(s.before <= s.counter && s.counter <= s.after)) {
		ok = false;
		fmt_snprintf(why, sizeof(why),
		             "counter 0x%llx outside [0x%llx, 0x%llx] of %s",
		             (unsigned long long)s.counter,
		             (unsigned long long)s.before,
		             (unsigned long long)s.after,
		             phys ? "CNTPCT" : "CNTVCT");
	}
	if (ok) {
		gt_report(true, "%s", label);
		return;
	}
	gt_call_format_ret(&s.c, got, sizeof(got));
	gt_report(false, "%s: got %s: %s", label, got, why);
}

static void ptp_wall_case(void)
{
	struct ptp_sample s;
	uint64_t host_ns, uptime, low, high;
	char why[256] = "";

	if (!gt_arg_u64("host_time_ns", &host_ns)) {
		gt_report(true,
		          "case 28: PTP wall clock vs host time # SKIP no "
		          "host_time_ns= on the command line");
		return;
	}
	ptp_sample(&s, KVM_PTP_VIRT_COUNTER, false);
	uptime = gt_uptime_ns();
	/* The host time was taken before QEMU started, and the counter
	 * started with QEMU: the wall clock lies in [host, host + uptime]
	 * up to the RTC's resolution and the runner's start-up time. */
	low = host_ns - WALL_SLACK_NS;
	high = host_ns + uptime + WALL_SLACK_NS + LAUNCH_SLACK_NS;
	if (!ptp_valid(&s, why, sizeof(why))) {
		gt_report(false, "case 28: PTP wall clock: %s", why);
		return;
	}
	gt_report(low <= s.wall && s.wall <= high,
	          "case 28: PTP(0) wall clock %llu ns within [host %llu - 2 s, "
	          "host + uptime %llu + 2 s + 4 s launch] (offset %lld ms)",
	          (unsigned long long)s.wall, (unsigned long long)host_ns,
	          (unsigned long long)uptime,
	          (long long)((int64_t)(s.wall - host_ns) / 1000000));
}

static void ptp_pair_case(void)
{
	struct ptp_sample a, b;
	char why[256] = "";
	uint64_t dwall, dcount_ns, diff;
	bool ok;

	ptp_sample(&a, KVM_PTP_VIRT_COUNTER, false);
	ptp_sample(&b, KVM_PTP_VIRT_COUNTER, false);
	ok = ptp_valid(&a, why, sizeof(why)) && ptp_valid(&b, why, sizeof(why));
	if (!ok) {
		gt_report(false, "case 29: two PTP(0) calls: %s", why);
		return;
	}
	dwall = b.wall - a.wall;
	dcount_ns = gt_ticks_to_ns(b.counter - a.counter);
	diff = dwall > dcount_ns ? dwall - dcount_ns : dcount_ns - dwall;
	gt_report(
	        b.counter > a.counter && b.wall >= a.wall &&
	                diff <= PAIR_SLACK_NS,
	        "case 29: two PTP(0) calls: counter +%llu ticks (strictly "
	        "increasing), wall +%llu ns, consistent within 1 ms (%llu ns)",
	        (unsigned long long)(b.counter - a.counter),
	        (unsigned long long)dwall, (unsigned long long)diff);
}

static void ptp_cases(void)
{
	if (!has_ptp()) {
		check_hvc("case 34: PTP(0) with bitmap bit 1 clear -> -1",
		          KVM_VENDOR_PTP_FUNC_ID, KVM_PTP_VIRT_COUNTER, 0, 0,
		          ret_ns);
		check_hvc("case 34: PTP(1) with bitmap bit 1 clear -> -1",
		          KVM_VENDOR_PTP_FUNC_ID, KVM_PTP_PHYS_COUNTER, 0, 0,
		          ret_ns);
		check_hvc("case 33: PTP via 0xC6000001 -> -1", 0xC6000001U, 0,
		          0, 0, ret_ns);
		return;
	}
	report_bracket("case 26: PTP(0): valid, upper halves 0, counter "
	               "between two CNTVCT reads",
	               KVM_PTP_VIRT_COUNTER, false);
	report_bracket("case 27: PTP(1): valid, counter between two CNTPCT "
	               "reads",
	               KVM_PTP_PHYS_COUNTER, true);
	ptp_wall_case();
	ptp_pair_case();
	check_hvc("case 30: PTP(2) -> -1", KVM_VENDOR_PTP_FUNC_ID, 2, 0, 0,
	          ret_ns);
	check_hvc("case 31: PTP(0xFFFFFFFF) -> -1", KVM_VENDOR_PTP_FUNC_ID,
	          0xFFFFFFFFULL, 0, 0, ret_ns);
	check_hvc("case 31: PTP(0xFFFFFFFF00000002) -> -1",
	          KVM_VENDOR_PTP_FUNC_ID, 0xFFFFFFFF00000002ULL, 0, 0, ret_ns);
	report_bracket("case 32: PTP(0x1_00000000) behaves as PTP(0) "
	               "(argument read as u32)",
	               0x100000000ULL, false);
	report_bracket("case 32: PTP(0xFFFFFFFF_00000001) behaves as PTP(1)",
	               0xFFFFFFFF00000001ULL, true);
	check_hvc("case 33: PTP via 0xC6000001 -> -1", 0xC6000001U, 0, 0, 0,
	          ret_ns);
}

/* Case 57: the protected-VM calls from a normal VM. */
static void protected_calls_cases(void)
{
	static uint8_t page[KVM_PROTECTION_GRANULE]
	        __attribute__((aligned(KVM_PROTECTION_GRANULE)));
	uint64_t ipa = (uint64_t)(uintptr_t)page;

	check_hvc("case 57: HYP_MEMINFO(0,0,0) from a normal VM -> -1",
	          KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 0, 0, ret_ns);
	check_hvc("case 57: MEM_SHARE(own page) from a normal VM -> -1",
	          KVM_VENDOR_MEM_SHARE_FUNC_ID, ipa, 0, 0, ret_ns);
	check_hvc("case 57: MEM_UNSHARE(own page) from a normal VM -> -1",
	          KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa, 0, 0, ret_ns);
	check_hvc("case 57: MMIO_GUARD(0x0a000000) from a normal VM -> -1",
	          KVM_VENDOR_MMIO_GUARD_FUNC_ID, VHYP_BOARD_VIRTIO_BASE, 0, 0,
	          ret_ns);
	/* The refusals changed nothing: the page is still ours to write. */
	page[0] = 0xA5;
	gt_report(*(volatile uint8_t *)page == 0xA5,
	          "case 57: the page is still readable and writable");
}

int main(const void *dtb)
{
	bool protected_vm = gt_arg_u64_or("protected", 0) != 0;

	(void)dtb;
	gt_init();
	features = gt_arg_u64_or("expect_features",
	                         protected_vm ? KVM_FEATURES_PROTECTED_DEFAULT
	                                      : KVM_FEATURES_NORMAL_DEFAULT);
	gt_diag("conformance: %s VM, expected FEATURES bitmap 0x%llx, "
	        "conduit %s, seed 0x%llx",
	        protected_vm ? "protected" : "normal",
	        (unsigned long long)features, rt_hyp.conduit.name,
	        (unsigned long long)gt_run_seed());
	psci_chain_cases();
	discovery_cases();
	features_cases();
	conduit_cases();
	ptp_cases();
	parity_cases();
	if (protected_vm)
		protected_vm_cases();
	else
		protected_calls_cases();
	gt_report(gt_calls_clobbered() == 0,
	          "X4..X28 preserved and PC advanced on all %llu calls "
	          "(%llu not)",
	          (unsigned long long)gt_calls_checked(),
	          (unsigned long long)gt_calls_clobbered());
	gt_plan();
	parity_poweroff();
	return 0;
}
