// SPDX-License-Identifier: MIT
/*
 * KVM parity cases: what a guest written for KVM finds around the vendor
 * service, with the values KVM gives (arch/arm64/kvm/{psci,trng,pvtime,
 * hypercalls}.c, tools/testing/selftests/kvm/arm64/psci_test.c) and the
 * specifications (PSCI DEN0022 1.3, TRNG DEN0098, PV time DEN0057A), every
 * expected value written out.  Runs in normal and protected VMs.
 */
#include <guest/rt.h>

#include "common/gt.h"
#include "parity.h"
#include "protected.h"

#define NS      0xFFFFFFFFFFFFFFFFULL /* -1 */
#define INVALID 0xFFFFFFFFFFFFFFFEULL /* PSCI -2, TRNG -2 */

static const uint64_t ret_zero[4] = {0, 0, 0, 0};
static const uint64_t ret_ns[4] = {NS, 0, 0, 0};
static const uint64_t ret_invalid[4] = {INVALID, 0, 0, 0};

static bool check(const char *label, uint64_t x0, uint64_t x1, uint64_t x2,
                  uint64_t x3, const uint64_t want[4])
{
	return conformance_check_hvc(label, x0, x1, x2, x3, want);
}

static uint64_t read_isar0(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(v));
	return v;
}

/* ---- PSCI 1.3 ------------------------------------------------------------ */

static void psci_cases(void)
{
	static const uint64_t ret_v13[4] = {0x10003, 0, 0, 0};
	static const uint64_t ret_one[4] = {1, 0, 0, 0};
	static const uint32_t offered[] = {
	        0x84000000U, 0x84000001U, 0xC4000001U, 0x84000002U,
	        0x84000003U, 0xC4000003U, 0x84000004U, 0xC4000004U,
	        0x84000006U, 0x84000008U, 0x84000009U, 0x8400000AU,
	        0x80000000U, 0x84000012U, 0xC4000012U};
	static const uint32_t not_offered[] = {
	        0x84000005U, 0x84000007U, 0x8400000BU, 0x8400000CU,
	        0x8400000EU, 0xC400000EU, 0x84000013U, 0x84000014U,
	        0x84000016U, 0x84000050U, 0x86000000U};
	char label[128];

	check("parity: PSCI_VERSION -> 0x10003 (1.3, as KVM)", 0x84000000U, 0,
	      0, 0, ret_v13);
	for (unsigned i = 0; i < sizeof(offered) / sizeof(offered[0]); i++) {
		fmt_snprintf(label, sizeof(label),
		             "parity: PSCI_FEATURES(0x%08x) -> 0",
		             (unsigned)offered[i]);
		check(label, 0x8400000AU, offered[i], 0, 0, ret_zero);
	}
	check("parity: PSCI_FEATURES(SYSTEM_OFF2 0x84000015) -> 1 "
	      "(HIBERNATE_OFF)",
	      0x8400000AU, 0x84000015U, 0, 0, ret_one);
	check("parity: PSCI_FEATURES(SYSTEM_OFF2 0xC4000015) -> 1", 0x8400000AU,
	      0xC4000015U, 0, 0, ret_one);
	for (unsigned i = 0; i < sizeof(not_offered) / sizeof(not_offered[0]);
	     i++) {
		fmt_snprintf(label, sizeof(label),
		             "parity: PSCI_FEATURES(0x%08x) -> -1",
		             (unsigned)not_offered[i]);
		check(label, 0x8400000AU, not_offered[i], 0, 0, ret_ns);
	}
	check("parity: SYSTEM_RESET2(1, reserved architectural type) -> -2",
	      0x84000012U, 1, 0, 0, ret_invalid);
	check("parity: SYSTEM_RESET2_64(0x7FFFFFFF) -> -2", 0xC4000012U,
	      0x7FFFFFFFU, 0, 0, ret_invalid);
	check("parity: SYSTEM_RESET2(0x80000000, vendor type) -> -2",
	      0x84000012U, 0x80000000U, 0, 0, ret_invalid);
	check("parity: SYSTEM_OFF2(HIBERNATE_OFF, cookie 1) -> -2 "
	      "(psci_test.c)",
	      0xC4000015U, 1, 1, 0, ret_invalid);
	check("parity: SYSTEM_OFF2(type 2, 0) -> -2", 0xC4000015U, 2, 0, 0,
	      ret_invalid);
	check("parity: SYSTEM_OFF2_32(0x80000000, 0) -> -2", 0x84000015U,
	      0x80000000U, 0, 0, ret_invalid);
	check("parity: SYSTEM_SUSPEND -> -1 (not enabled, as KVM by default)",
	      0xC400000EU, rt_ram_base(), 0, 0, ret_ns);
}

/* ---- TRNG ---------------------------------------------------------------- */

static bool bits_above_zero(const struct gt_call *c, unsigned n, unsigned width)
{
	for (unsigned r = 0; r < 3; r++) {
		unsigned lo = (2U - r) * width;
		unsigned keep = n <= lo ? 0 : n - lo;
		uint64_t v = c->out[1 + r];

		if (width == 32 && (v >> 32) != 0)
			return false;
		if (keep < 64 && (v >> keep) != 0)
			return false;
	}
	return true;
}

static void trng_rnd_case(const char *what, uint32_t fid, unsigned n,
                          unsigned width)
{
	struct gt_call c;
	char why[160] = "", got[128];
	bool ok;

	gt_hvc(&c, fid, n, 0, 0);
	ok = c.out[0] == 0 && bits_above_zero(&c, n, width) &&
	     gt_call_preserved(&c, why, sizeof(why));
	gt_call_format_ret(&c, got, sizeof(got));
	gt_report(ok, "parity: %s(%u) -> X0 = 0, no bit above %u set (%s)",
	          what, n, n, got);
}

static void trng_cases(void)
{
	static const uint64_t ret_v10[4] = {0x10000, 0, 0, 0};
	static const uint64_t ret_uuid[4] = {0xb2d30b5bU, 0x6d4c4e8fU,
	                                     0xa1763e9aU, 0x17d4c2f0U};
	static const uint32_t ids[] = {0x84000050U, 0x84000051U, 0x84000052U,
	                               0x84000053U, 0xC4000053U};
	struct gt_call a, b;
	char label[128];

	if (((read_isar0() >> 60) & 0xF) == 0) {
		/* No FEAT_RNG: the service is not offered at all. */
		check("parity: no FEAT_RNG: TRNG_VERSION -> -1", 0x84000050U, 0,
		      0, 0, ret_ns);
		check("parity: no FEAT_RNG: TRNG_RND64(64) -> -1", 0xC4000053U,
		      64, 0, 0, ret_ns);
		return;
	}
	check("parity: TRNG_VERSION -> 0x10000 (1.0)", 0x84000050U, 0, 0, 0,
	      ret_v10);
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		fmt_snprintf(label, sizeof(label),
		             "parity: TRNG_FEATURES(0x%08x) -> 0",
		             (unsigned)ids[i]);
		check(label, 0x84000051U, ids[i], 0, 0, ret_zero);
	}
	check("parity: TRNG_FEATURES(0xC4000050) -> -1", 0x84000051U,
	      0xC4000050U, 0, 0, ret_ns);
	check("parity: TRNG_FEATURES(0xFFFFFFFF84000050, whole X1) -> -1",
	      0x84000051U, 0xFFFFFFFF84000050ULL, 0, 0, ret_ns);
	check("parity: TRNG_GET_UUID -> vhyp's UUID "
	      "5b0bd3b2-8f4e-4c6d-9a3e-76a1f0c2d417",
	      0x84000052U, 0, 0, 0, ret_uuid);
	trng_rnd_case("TRNG_RND64", 0xC4000053U, 192, 64);
	trng_rnd_case("TRNG_RND64", 0xC4000053U, 65, 64);
	trng_rnd_case("TRNG_RND64", 0xC4000053U, 1, 64);
	trng_rnd_case("TRNG_RND32", 0x84000053U, 96, 32);
	trng_rnd_case("TRNG_RND32", 0x84000053U, 33, 32);
	gt_hvc(&a, 0xC4000053U, 192, 0, 0);
	gt_hvc(&b, 0xC4000053U, 192, 0, 0);
	gt_report(a.out[0] == 0 && b.out[0] == 0 &&
	                  (a.out[1] != b.out[1] || a.out[2] != b.out[2] ||
	                   a.out[3] != b.out[3]) &&
	                  (a.out[1] | a.out[2] | a.out[3]) != 0,
	          "parity: two TRNG_RND64(192) give different, non-zero bits");
	check("parity: TRNG_RND64(0) -> -2 (DEN0098)", 0xC4000053U, 0, 0, 0,
	      ret_invalid);
	check("parity: TRNG_RND64(193) -> -2", 0xC4000053U, 193, 0, 0,
	      ret_invalid);
	check("parity: TRNG_RND32(97) -> -2", 0x84000053U, 97, 0, 0,
	      ret_invalid);
	check("parity: TRNG_RND32(0) -> -2", 0x84000053U, 0, 0, 0, ret_invalid);
	check("parity: TRNG_VERSION via 0xC4000050 -> -1", 0xC4000050U, 0, 0, 0,
	      ret_ns);
}

/* ---- CPU workarounds ----------------------------------------------------- */

static void workaround_cases(void)
{
	static const uint64_t ret_one[4] = {1, 0, 0, 0};
	uint64_t midr, pfr0, isar2, mmfr1;
	unsigned csv2;

	__asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
	__asm__ volatile("mrs %0, s3_0_c0_c6_2" : "=r"(isar2));
	__asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(mmfr1));
	csv2 = (unsigned)(pfr0 >> 56) & 0xF;
	/* The calls themselves: X0 = 0, as KVM's EL2 vectors answer. */
	check("parity: ARCH_WORKAROUND_1 call -> 0", 0x80008000U, 0, 0, 0,
	      ret_zero);
	check("parity: ARCH_WORKAROUND_2 call -> 0", 0x80007FFFU, 1, 0, 0,
	      ret_zero);
	check("parity: ARCH_WORKAROUND_3 call -> 0", 0x80003FFFU, 0, 0, 0,
	      ret_zero);
	/*
	 * QEMU 7.2 -cpu max: implementer 0 (on none of Linux's MIDR lists),
	 * CSV2 = 2, no CLRBHB, no ECBHB.  KVM on that host: Spectre-v2
	 * UNAFFECTED (CSV2) -> 1; Spectre-v4 MITIGATED by SSBS, which the
	 * guest sees -> -1; Spectre-BHB affected (not on Linux's safe list,
	 * no CSV2_3) and not mitigated at EL2 -> -1.
	 */
	if ((midr >> 24) != 0 || csv2 == 0 || csv2 >= 3 ||
	    ((isar2 >> 28) & 0xF) != 0 || (mmfr1 >> 60) != 0) {
		gt_report(true,
		          "parity: ARCH_FEATURES(WORKAROUND_n) # SKIP not "
		          "QEMU -cpu max (MIDR 0x%llx CSV2 %u)",
		          (unsigned long long)midr, csv2);
		return;
	}
	check("parity: ARCH_FEATURES(WORKAROUND_1) -> 1 (CSV2: not affected)",
	      0x80000001U, 0x80008000U, 0, 0, ret_one);
	check("parity: ARCH_FEATURES(WORKAROUND_2) -> -1 (SSBS is the guest's)",
	      0x80000001U, 0x80007FFFU, 0, 0, ret_ns);
	check("parity: ARCH_FEATURES(WORKAROUND_3) -> -1 (BHB: affected, "
	      "no EL2 mitigation)",
	      0x80000001U, 0x80003FFFU, 0, 0, ret_ns);
}

/* ---- PV time ------------------------------------------------------------- */

#define PV_TIME_IPA VHYP_PV_TIME_IPA

static void pv_time_cases(void)
{
	uint64_t want_st[4] = {PV_TIME_IPA + 64U * rt_cpu_id(), 0, 0, 0};
	uint64_t word0 = ~0ULL, stolen = ~0ULL, esr = 0;
	bool r0, r1, w;

	check("parity: ARCH_FEATURES(PV_TIME_FEATURES) -> 0", 0x80000001U,
	      0xC5000020U, 0, 0, ret_zero);
	check("parity: PV_TIME_FEATURES(PV_TIME_FEATURES) -> 0", 0xC5000020U,
	      0xC5000020U, 0, 0, ret_zero);
	check("parity: PV_TIME_FEATURES(PV_TIME_ST) -> 0", 0xC5000020U,
	      0xC5000021U, 0, 0, ret_zero);
	check("parity: PV_TIME_FEATURES(0xC5000022) -> -1", 0xC5000020U,
	      0xC5000022U, 0, 0, ret_ns);
	check("parity: PV_TIME_ST -> 0x090a0000 + 64 * vCPU", 0xC5000021U, 0, 0,
	      0, want_st);
	check("parity: PV_TIME_ST via 0x85000021 -> -1", 0x85000021U, 0, 0, 0,
	      ret_ns);
	r0 = rt_try_read64(want_st[0], &word0, &esr);
	r1 = rt_try_read64(want_st[0] + 8, &stolen, &esr);
	gt_report(r0 && r1 && word0 == 0 && stolen == 0,
	          "parity: stolen-time structure: revision 0, attributes 0, "
	          "stolen_time 0 (word0 0x%llx, stolen 0x%llx)",
	          (unsigned long long)word0, (unsigned long long)stolen);
	if (gt_arg_u64_or("protected", 0) != 0) {
		/* MMIO_GUARD of the page: -3 (neither an empty granule nor a
		 * device window), and the page stays mapped and readable. */
		static const uint64_t ret_minus3[4] = {0xFFFFFFFFFFFFFFFDULL, 0,
		                                       0, 0};
		check("parity: MMIO_GUARD(0x090a0000, the PV-time page) -> -3",
		      0xC6000007U, PV_TIME_IPA, 0, 0, ret_minus3);
		gt_report(rt_try_read64(want_st[0], &word0, NULL) && word0 == 0,
		          "parity: the PV-time page is still readable after "
		          "MMIO_GUARD");
	}
	esr = 0;
	w = rt_try_write32(want_st[0] + 8, 0x1234, &esr);
	r1 = rt_try_read64(want_st[0] + 8, &stolen, NULL);
	gt_report(!w && ESR_FSC(esr) == ESR_FSC_SEA && r1 && stolen == 0,
	          "parity: a write to the stolen-time structure takes an "
	          "external abort and changes nothing (ESR 0x%llx)",
	          (unsigned long long)esr);
}

void parity_cases(void)
{
	psci_cases();
	trng_cases();
	workaround_cases();
	pv_time_cases();
}

void parity_poweroff(void)
{
	uint64_t how = gt_arg_u64_or("poweroff", 0);
	struct gt_call c;

	if (how == 1) /* SYSTEM_OFF2(HIBERNATE_OFF, cookie 0) */
		gt_hvc(&c, 0xC4000015U, 1, 0, 0);
	else if (how == 2) /* SYSTEM_RESET2(SYSTEM_WARM_RESET) */
		gt_hvc(&c, 0x84000012U, 0, 0, 0);
	else
		return;
	rt_printf("not ok 0 - poweroff=%llu returned X0=0x%llx\n",
	          (unsigned long long)how, (unsigned long long)c.out[0]);
}
