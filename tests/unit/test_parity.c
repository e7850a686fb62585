// SPDX-License-Identifier: MIT
/*
 * The firmware services around the vendor service, as KVM offers them:
 * SMCCC TRNG 1.0 (DEN0098, KVM's trng.c), PV time (DEN0057A, KVM's
 * pvtime.c and hypercalls.c), ARCH_FEATURES(PV_TIME_FEATURES) and the
 * CPU-workaround answers derived from ID registers and MIDR
 * (proton-pack.c).  Expected values are written out as literals.
 */
#include "fake_platform.h"

#include <core/cpu_workaround.h>

#define FP(state) ((struct fake_platform *)*(state))
#define MINUS2    0xFFFFFFFFFFFFFFFEULL
#define MINUS3    0xFFFFFFFFFFFFFFFDULL
#define UUID_W0   0xb2d30b5bULL
#define UUID_W1   0x6d4c4e8fULL
#define UUID_W2   0xa1763e9aULL
#define UUID_W3   0x17d4c2f0ULL
#define PVT_BASE  0x090a0000ULL

static uint64_t counter(struct fake_platform *fp, enum vhyp_counter c)
{
	return atomic_load(&fp->vm.counters[c]);
}

/* ---- TRNG ---------------------------------------------------------------- */

static void trng_version_1_0(void **state)
{
	fp_enable_trng(FP(state));
	fp_expect(FP(state), 0x84000050ULL, 7, 8, 9, 0x10000, 0, 0, 0);
}

static void trng_features(void **state)
{
	struct fake_platform *fp = FP(state);
	const uint64_t offered[] = {0x84000050ULL, 0x84000051ULL, 0x84000052ULL,
	                            0x84000053ULL, 0xC4000053ULL};
	const uint64_t not_offered[] = {
	        0xC4000050ULL, 0xC4000051ULL, 0xC4000052ULL, 0x84000054ULL,
	        0x8400004FULL, 0x84000000ULL, 0x80000000ULL,
	        /* KVM compares the whole X1 */
	        0xFFFFFFFF84000050ULL, 0x1C4000053ULL};

	fp_enable_trng(fp);
	for (size_t i = 0; i < sizeof(offered) / sizeof(offered[0]); i++)
		fp_expect(fp, 0x84000051ULL, offered[i], 0, 0, 0, 0, 0, 0);
	for (size_t i = 0; i < sizeof(not_offered) / sizeof(not_offered[0]);
	     i++)
		fp_expect(fp, 0x84000051ULL, not_offered[i], 0, 0, FP_MINUS1, 0,
		          0, 0);
}

static void trng_uuid_is_vhyps(void **state)
{
	fp_enable_trng(FP(state));
	fp_expect(FP(state), 0x84000052ULL, 1, 2, 3, UUID_W0, UUID_W1, UUID_W2,
	          UUID_W3);
}

static void trng_rnd64_192_bits(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_trng(fp);
	/* X3 = first word (bits 63:0), X2 = second, X1 = third. */
	fp_expect(fp, 0xC4000053ULL, 192, 0, 0, 0, 0xA5A5A5A55A5A5A5AULL,
	          0xFEDCBA9876543210ULL, 0x0123456789ABCDEFULL);
	assert_int_equal(fp->entropy_calls, 3);
}

static void trng_rnd64_masks_above_n(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_trng(fp);
	fp->entropy_words[0] = ~0ULL;
	fp->entropy_words[1] = ~0ULL;
	fp->entropy_words[2] = ~0ULL;
	fp_expect(fp, 0xC4000053ULL, 1, 0, 0, 0, 0, 0, 1);
	assert_int_equal(fp->entropy_calls, 1);
	fp->entropy_calls = 0;
	fp_expect(fp, 0xC4000053ULL, 64, 0, 0, 0, 0, 0, ~0ULL);
	fp->entropy_calls = 0;
	fp_expect(fp, 0xC4000053ULL, 65, 0, 0, 0, 0, 1, ~0ULL);
	assert_int_equal(fp->entropy_calls, 2);
	fp->entropy_calls = 0;
	fp_expect(fp, 0xC4000053ULL, 130, 0, 0, 0, 3, ~0ULL, ~0ULL);
	/* N read as u32: 0x1_00000040 is 64. */
	fp->entropy_calls = 0;
	fp_expect(fp, 0xC4000053ULL, 0x100000040ULL, 0, 0, 0, 0, 0, ~0ULL);
}

static void trng_rnd32_96_bits(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_trng(fp);
	/* bits 95:64 = low half of word 1, 63:32 and 31:0 = word 0. */
	fp_expect(fp, 0x84000053ULL, 96, 0, 0, 0, 0x76543210ULL, 0x01234567ULL,
	          0x89ABCDEFULL);
	fp->entropy_calls = 0;
	fp_expect(fp, 0x84000053ULL, 33, 0, 0, 0, 0, 1, 0x89ABCDEFULL);
	fp->entropy_calls = 0;
	fp_expect(fp, 0x84000053ULL, 4, 0, 0, 0, 0, 0, 0xFULL);
}

static void trng_bit_counts_out_of_range(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_trng(fp);
	fp_expect(fp, 0xC4000053ULL, 0, 0, 0, MINUS2, 0, 0, 0);
	fp_expect(fp, 0xC4000053ULL, 193, 0, 0, MINUS2, 0, 0, 0);
	fp_expect(fp, 0xC4000053ULL, 0xFFFFFFFFULL, 0, 0, MINUS2, 0, 0, 0);
	fp_expect(fp, 0xC4000053ULL, 0x100000000ULL, 0, 0, MINUS2, 0, 0, 0);
	fp_expect(fp, 0x84000053ULL, 0, 0, 0, MINUS2, 0, 0, 0);
	fp_expect(fp, 0x84000053ULL, 97, 0, 0, MINUS2, 0, 0, 0);
	fp_expect(fp, 0x84000053ULL, 192, 0, 0, MINUS2, 0, 0, 0);
	assert_int_equal(fp->entropy_calls, 0);
}

static void trng_no_entropy(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_trng(fp);
	fp->entropy_fail_from = 0;
	fp_expect(fp, 0xC4000053ULL, 64, 0, 0, MINUS3, 0, 0, 0);
	/* A failure in the second word: nothing partial comes back. */
	fp->entropy_calls = 0;
	fp->entropy_fail_from = 1;
	fp_expect(fp, 0xC4000053ULL, 128, 0, 0, MINUS3, 0, 0, 0);
	fp->entropy_calls = 0;
	fp_expect(fp, 0x84000053ULL, 96, 0, 0, MINUS3, 0, 0, 0);
}

static void trng_wrong_conventions_are_unknown(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_trng(fp);
	fp_expect(fp, 0xC4000050ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC4000052ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x04000053ULL, 64, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x84000054ULL, 64, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->entropy_calls, 0);
	assert_int_equal(fp->psci_calls, 0);
}

static void trng_calls_are_counted(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_trng(fp);
	fp_expect(fp, 0x84000050ULL, 0, 0, 0, 0x10000, 0, 0, 0);
	fp_expect(fp, 0xC4000053ULL, 0, 0, 0, MINUS2, 0, 0, 0);
	fp_expect(fp, 0xC4000050ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_TRNG), 2);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 1);
}

/* ---- PV time ------------------------------------------------------------- */

static void arch_features_pv_time(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x80000001ULL, 0xC5000020ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_enable_pv_time(fp);
	fp_expect(fp, 0x80000001ULL, 0xC5000020ULL, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0x80000001ULL, 0xFFFFFFFFC5000020ULL, 0, 0, 0, 0, 0, 0);
	/* Only PV_TIME_FEATURES is an ARCH_FEATURES answer, not ST. */
	fp_expect(fp, 0x80000001ULL, 0xC5000021ULL, 0, 0, FP_MINUS1, 0, 0, 0);
}

static void pv_time_features(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_pv_time(fp);
	fp_expect(fp, 0xC5000020ULL, 0xC5000020ULL, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC5000020ULL, 0xC5000021ULL, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC5000020ULL, 0x1C5000021ULL, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC5000020ULL, 0xC5000022ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC5000020ULL, 0x85000021ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC5000020ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
}

static void pv_time_st_per_vcpu(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t x[18];

	fp_enable_pv_time(fp);
	fp_regs(x, 0xC5000021ULL, 1, 2, 3);
	fp_call_vcpu(fp, fp->vcpus[0], x);
	fp_assert_regs(x, PVT_BASE, 0, 0, 0);
	fp_regs(x, 0xC5000021ULL, 1, 2, 3);
	fp_call_vcpu(fp, fp->vcpus[1], x);
	fp_assert_regs(x, PVT_BASE + 64, 0, 0, 0);
	/* A vCPU the platform has no structure for. */
	fp_regs(x, 0xC5000021ULL, 0, 0, 0);
	fp_call_vcpu(fp, NULL, x);
	fp_assert_regs(x, FP_MINUS1, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_PV_TIME), 3);
}

static void pv_time_wrong_ids_are_unknown(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_enable_pv_time(fp);
	fp_expect(fp, 0x85000020ULL, 0xC5000020ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x85000021ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC5000022ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC5000000ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->pv_time_calls, 0);
	assert_int_equal(counter(fp, VHYP_CNT_PV_TIME), 0);
}

/* ---- CPU workarounds ----------------------------------------------------- */

#define WA1 0x80008000U
#define WA2 0x80007FFFU
#define WA3 0x80003FFFU

/* QEMU 7.2 -cpu max: MIDR 0x000f0510, CSV2 = 2 (PFR0 59:56), SSBS = 2,
 * no CLRBHB, no ECBHB: Spectre-v2 unaffected (1), SSB mitigated by the
 * guest's own SSBS (-1), Spectre-BHB affected (not on the safe list)
 * with no mitigation at EL2 (-1). */
static const struct cpu_id_regs qemu_max = {
        .midr = 0x000f0510ULL,
        .pfr0 = 0x0200000000000000ULL | 0x1101111111111ULL,
        .pfr1 = 0x20ULL,
        .isar2 = 0,
        .mmfr1 = 0,
};

static void workarounds_qemu_max(void **state)
{
	(void)state;
	assert_int_equal(cpu_workaround_answer(WA1, &qemu_max), 1);
	assert_int_equal(cpu_workaround_answer(WA2, &qemu_max), -1);
	assert_int_equal(cpu_workaround_answer(WA3, &qemu_max), -1);
	assert_int_equal(cpu_workaround_answer(0x80000001U, &qemu_max), -1);
}

static void workarounds_cortex_a57_without_csv2(void **state)
{
	/* r1p3: affected by v2 (no CSV2) and BHB, no SSBS. */
	const struct cpu_id_regs a57 = {.midr = 0x411FD073ULL};

	(void)state;
	assert_int_equal(cpu_workaround_answer(WA1, &a57), -1);
	assert_int_equal(cpu_workaround_answer(WA2, &a57), -1);
	assert_int_equal(cpu_workaround_answer(WA3, &a57), -1);
}

static void workarounds_cortex_a53_safe_lists(void **state)
{
	/* Any variant and revision of the A53 (0x41, 0xD03). */
	const struct cpu_id_regs a53 = {.midr = 0x410FD034ULL};
	const struct cpu_id_regs a53r1 = {.midr = 0x411FD030ULL};

	(void)state;
	assert_int_equal(cpu_workaround_answer(WA1, &a53), 1);
	assert_int_equal(cpu_workaround_answer(WA2, &a53), -2);
	assert_int_equal(cpu_workaround_answer(WA3, &a53), 1);
	assert_int_equal(cpu_workaround_answer(WA2, &a53r1), -2);
}

static void workarounds_neoverse_n1(void **state)
{
	/* CSV2 = 1, BHB-affected: -1 without ECBHB, 0 with (hardware). */
	struct cpu_id_regs n1 = {.midr = 0x413FD0C1ULL,
	                         .pfr0 = 0x0100000000000000ULL};

	(void)state;
	assert_int_equal(cpu_workaround_answer(WA1, &n1), 1);
	assert_int_equal(cpu_workaround_answer(WA3, &n1), -1);
	n1.mmfr1 = 0x1000000000000000ULL;
	assert_int_equal(cpu_workaround_answer(WA3, &n1), 0);
}

static void workarounds_bhb_safe_list(void **state)
{
	/* Cortex-A510 (0xD46) and A520 (0xD80): BHB-safe, no CSV2_3. */
	const struct cpu_id_regs a510 = {.midr = 0x411FD461ULL,
	                                 .pfr0 = 0x0100000000000000ULL};
	const struct cpu_id_regs a520 = {.midr = 0x410FD800ULL,
	                                 .pfr0 = 0x0100000000000000ULL};

	(void)state;
	assert_int_equal(cpu_workaround_answer(WA3, &a510), 1);
	assert_int_equal(cpu_workaround_answer(WA3, &a520), 1);
	assert_int_equal(cpu_workaround_answer(WA2, &a510), -1);
}

/* A v2-vulnerable CPU with ECBHB still gets -1 for BHB. */
static void workarounds_v2_vulnerable_ecbhb(void **state)
{
	const struct cpu_id_regs r = {.midr = 0x000f0510ULL,
	                              .mmfr1 = 0x1000000000000000ULL};

	(void)state;
	assert_int_equal(cpu_workaround_answer(WA1, &r), -1);
	assert_int_equal(cpu_workaround_answer(WA3, &r), -1);
}

static void workarounds_csv2_3_and_clrbhb(void **state)
{
	struct cpu_id_regs r = {.midr = 0x413FD0C1ULL,
	                        .pfr0 = 0x0300000000000000ULL};

	(void)state;
	assert_int_equal(cpu_workaround_answer(WA3, &r), 1); /* CSV2_3 */
	r.midr = 0x000f0510ULL;
	r.pfr0 = 0x0200000000000000ULL;
	r.isar2 = 0x10000000ULL; /* CLRBHB: affected, mitigated by the guest
	                          * itself, nothing in vhyp's vectors */
	assert_int_equal(cpu_workaround_answer(WA3, &r), -1);
}

static void arch_features_passes_the_platform_answer(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->workaround_answer = 1;
	fp_expect(fp, 0x80000001ULL, 0x80008000ULL, 0, 0, 1, 0, 0, 0);
}

#define T(f)                                                                   \
	cmocka_unit_test_setup_teardown(f, fp_state_normal, fp_state_teardown)
#define TP(f)                                                                  \
	cmocka_unit_test_setup_teardown(f, fp_state_protected,                 \
	                                fp_state_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(trng_version_1_0),
	        T(trng_features),
	        T(trng_uuid_is_vhyps),
	        T(trng_rnd64_192_bits),
	        T(trng_rnd64_masks_above_n),
	        T(trng_rnd32_96_bits),
	        T(trng_bit_counts_out_of_range),
	        T(trng_no_entropy),
	        T(trng_wrong_conventions_are_unknown),
	        T(trng_calls_are_counted),
	        TP(trng_rnd64_192_bits),
	        T(arch_features_pv_time),
	        T(pv_time_features),
	        T(pv_time_st_per_vcpu),
	        T(pv_time_wrong_ids_are_unknown),
	        TP(pv_time_st_per_vcpu),
	        T(workarounds_qemu_max),
	        T(workarounds_cortex_a57_without_csv2),
	        T(workarounds_cortex_a53_safe_lists),
	        T(workarounds_neoverse_n1),
	        T(workarounds_csv2_3_and_clrbhb),
	        T(workarounds_bhb_safe_list),
	        T(workarounds_v2_vulnerable_ecbhb),
	        T(arch_features_passes_the_platform_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
