// SPDX-License-Identifier: MIT
/*
 * core/smccc: decoding and routing by owner, the arch service
 * (SMCCC_VERSION, SMCCC_ARCH_FEATURES), the PSCI hook, unknown owners.
 * Expected values are the spec's, written out (never the header macros).
 */
#include "spec_table.h"

#include <string.h>

#define FP(state) ((struct fake_platform *)*(state))

static uint64_t counter(struct fake_platform *fp, enum vhyp_counter c)
{
	return atomic_load(&fp->vm.counters[c]);
}

static void arch_features_workarounds_ask_the_platform(void **state)
{
	struct fake_platform *fp = FP(state);
	const uint32_t ids[] = {0x80008000U, 0x80007FFFU, 0x80003FFFU};
	const int64_t answers[] = {0, 1, -2};

	for (size_t i = 0; i < 3; i++) {
		fp->workaround_answer = answers[i];
		fp_expect(fp, 0x80000001ULL, ids[i], 0, 0, (uint64_t)answers[i],
		          0, 0, 0);
		assert_int_equal(fp->workaround_last, ids[i]);
	}
	assert_int_equal(fp->workaround_calls, 3);
}

static void arch_features_workaround_arg_read_as_u32(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->workaround_answer = 0;
	fp_expect(fp, 0x80000001ULL, 0xFFFFFFFF80008000ULL, 0, 0, 0, 0, 0, 0);
	assert_int_equal(fp->workaround_last, 0x80008000U);
}

static void arch_features_workaround_without_hook_is_minus1(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->ops.arch_workaround = NULL;
	fp_expect(fp, 0x80000001ULL, 0x80008000ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x80000001ULL, 0x80003FFFULL, 0, 0, FP_MINUS1, 0, 0, 0);
}

static void arch_features_workaround_minus1_zeroes_x1_x3(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->workaround_answer = -1;
	fp_expect(fp, 0x80000001ULL, 0x80007FFFULL, 77, 88, FP_MINUS1, 0, 0, 0);
}

/* KVM's EL2 vectors answer the three calls with X0 = 0. */
static void arch_workaround_call_itself_is_answered_0(void **state)
{
	fp_expect(FP(state), 0x80008000ULL, 1, 2, 3, 0, 0, 0, 0);
	fp_expect(FP(state), 0x80007FFFULL, 1, 2, 3, 0, 0, 0, 0);
	fp_expect(FP(state), 0x80003FFFULL, 1, 2, 3, 0, 0, 0, 0);
	/* Exact IDs: the SMC64 flavour is unknown. */
	fp_expect(FP(state), 0xC0008000ULL, 1, 2, 3, FP_MINUS1, 0, 0, 0);
}

static void psci_version_goes_to_the_hook(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->psci_out[0] = 0x10001;
	fp_expect(fp, 0x84000000ULL, 0, 0, 0, 0x10001, 0, 0, 0);
	assert_int_equal(fp->psci_calls, 1);
	assert_int_equal(fp->psci_in[0], 0x84000000ULL);
}

static void psci_cpu_on_64_passes_arguments(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t x[18];

	fp->psci_out[0] = 0;
	fp_regs(x, 0xC4000003ULL, 0x101, 0x40080000ULL, 0x1234);
	vhyp_smccc_call(&fp->vm, fp->vcpus[0], x);
	fp_assert_regs(x, 0, 0, 0, 0);
	assert_int_equal(fp->psci_in[1], 0x101);
	assert_int_equal(fp->psci_in[2], 0x40080000ULL);
	assert_int_equal(fp->psci_in[3], 0x1234);
	assert_ptr_equal(fp->psci_vcpu, fp->vcpus[0]);
}

static void psci_range_ends_at_0x1f(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->psci_out[0] = 0xFFFFFFFFFFFFFFFEULL;
	fp_expect(fp, 0x8400001FULL, 0, 0, 0, 0xFFFFFFFFFFFFFFFEULL, 0, 0, 0);
	assert_int_equal(fp->psci_calls, 1);
	fp_expect(fp, 0x84000020ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->psci_calls, 1);
}

/* Without an entropy source. */
static void trng_is_not_offered(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x84000050ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC4000053ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->psci_calls, 0);
}

static void psci_without_hook_is_minus1(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->ops.psci = NULL;
	fp_expect(fp, 0x84000000ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
}

static void psci_id_truncated_to_32_bits(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->psci_out[0] = 0x10001;
	fp_expect(fp, 0xFFFFFFFF84000000ULL, 0, 0, 0, 0x10001, 0, 0, 0);
	assert_int_equal(fp->psci_calls, 1);
}

static void psci_calls_are_counted(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x84000000ULL, 0, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0x8400000AULL, 0x80000000ULL, 0, 0, 0, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_PSCI), 2);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 0);
}

/* Without a PV-time hook. */
static void pv_time_is_not_offered(void **state)
{
	fp_expect(FP(state), 0xC5000020ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(FP(state), 0xC5000021ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
}

/* Every owner but 0, 4 and 6, both conventions, fast and yielding. */
static void other_owners_are_unknown(void **state)
{
	struct fake_platform *fp = FP(state);

	for (uint64_t owner = 0; owner < 64; owner++) {
		if (owner == 0 || owner == 4 || owner == 6)
			continue;
		for (uint64_t top = 0; top < 4; top++) {
			uint64_t id = (top << 30) | (owner << 24) | 0x0001ULL;
			fp_expect(fp, id, 1, 2, 3, FP_MINUS1, 0, 0, 0);
		}
	}
	assert_int_equal(fp->psci_calls, 0);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 61 * 4);
}

static void yielding_arch_call_is_unknown(void **state)
{
	fp_expect(FP(state), 0x00000000ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
}

static void errors_zero_x1_to_x3(void **state)
{
	fp_expect(FP(state), 0x8600FF00ULL, ~0ULL, ~0ULL, ~0ULL, FP_MINUS1, 0,
	          0, 0);
}

static void all_x_preserved_on_every_owner(void **state)
{
	struct fake_platform *fp = FP(state);

	for (uint64_t owner = 0; owner < 64; owner++) {
		uint64_t x[18];

		fp_regs(x, 0x80000000ULL | (owner << 24), 0, 0, 0);
		fp_call(fp, x);
		for (int i = 4; i < 18; i++)
			assert_int_equal(x[i], FP_PATTERN(i));
	}
}

static void unknown_calls_count_as_other(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x80000002ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x83000000ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x8600FF03ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 3);
	assert_int_equal(counter(fp, VHYP_CNT_UID), 0);
}

static void decode_splits_the_fields(void **state)
{
	struct smccc_fid f = smccc_decode(0xFFFFFFFFC600FF01ULL);

	(void)state;
	assert_int_equal(f.id, 0xC600FF01U);
	assert_int_equal(f.func, 0xFF01);
	assert_int_equal(f.owner, 6);
	assert_true(f.fast);
	assert_true(f.conv64);
	f = smccc_decode(0x04000002ULL);
	assert_int_equal(f.owner, 4);
	assert_false(f.fast);
	assert_false(f.conv64);
}

#define T(fn)                                                                  \
	cmocka_unit_test_setup_teardown(fn, fp_state_normal, fp_state_teardown)
#define TP(fn)                                                                 \
	cmocka_unit_test_setup_teardown(fn, fp_state_protected,                \
	                                fp_state_teardown)

/* ---- single calls as tables (spec_table.h) ---------------------------- */

static const struct spec_row spec_cases[] = {
        ROW(version_is_1_1, NORMAL, 0, 0x80000000ULL, 0, 0, 0, 0x10001, 0, 0,
            0),
        ROW(version_ignores_upper_x0_and_args, PROTECTED, 0,
            0xDEADBEEF80000000ULL, ~0ULL, 5, 6, 0x10001, 0, 0, 0),
};

static const struct spec_row spec_negative[] = {
        ROW(version_smc64_flavour_is_unknown, NORMAL, 0, 0xC0000000ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(arch_features_of_version_is_minus1, NORMAL, 0, 0x80000001ULL,
            0x80000000ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        /* Without a PV-time hook (the platform offers none). */
        ROW(arch_features_of_pv_time_is_minus1, NORMAL, 0, 0x80000001ULL,
            0xC5000020ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(arch_features_of_meminfo_is_minus1, PROTECTED, 0, 0x80000001ULL,
            0xC6000002ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(arch_features_of_share_is_minus1, PROTECTED, 0, 0x80000001ULL,
            0xC6000003ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(arch_features_of_unshare_is_minus1, PROTECTED, 0, 0x80000001ULL,
            0xC6000004ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(arch_features_of_mmio_guard_is_minus1, PROTECTED, 0, 0x80000001ULL,
            0xC6000007ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(arch_features_of_ptp_is_minus1, PROTECTED, 0, 0x80000001ULL,
            0x86000001ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(arch_soc_id_is_unknown, NORMAL, 0, 0x80000002ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
};

static const struct CMUnitTest other_tests[] = {
        T(arch_features_workarounds_ask_the_platform),
        T(arch_features_workaround_arg_read_as_u32),
        T(arch_features_workaround_without_hook_is_minus1),
        T(arch_features_workaround_minus1_zeroes_x1_x3),
        T(arch_workaround_call_itself_is_answered_0),
        T(psci_version_goes_to_the_hook),
        T(psci_cpu_on_64_passes_arguments),
        T(psci_range_ends_at_0x1f),
        T(trng_is_not_offered),
        T(psci_without_hook_is_minus1),
        T(psci_id_truncated_to_32_bits),
        T(psci_calls_are_counted),
        T(pv_time_is_not_offered),
        T(other_owners_are_unknown),
        TP(yielding_arch_call_is_unknown),
        T(errors_zero_x1_to_x3),
        TP(all_x_preserved_on_every_owner),
        T(unknown_calls_count_as_other),
        T(decode_splits_the_fields),
};

int main(void)
{
	return spec_run_group("dispatch", spec_cases, NR_ROWS(spec_cases),
	                      spec_negative, NR_ROWS(spec_negative),
	                      other_tests, NR_ROWS(other_tests));
}
