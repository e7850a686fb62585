// SPDX-License-Identifier: MIT
/*
 * core/vendor: UID, FEATURES and PTP_KVM in detail (gating by the feature
 * bitmap, exact ID matching, PTP's counter choice, wall-clock conversion
 * and register packing), the empty slots of the vendor table, counters.
 * Expected values are the spec's or computed by hand, written out.
 */
#include "spec_table.h"

#include <stdlib.h>

#define FP(state) ((struct fake_platform *)*(state))

static uint64_t counter(struct fake_platform *fp, enum vhyp_counter c)
{
	return atomic_load(&fp->vm.counters[c]);
}

/* A VM built in the test with a changed configuration or clock. */
static struct fake_platform *custom_vm(bool protected_vm, bool features_set,
                                       uint64_t features)
{
	struct fake_platform *fp = malloc(sizeof(*fp));
	const char *err = NULL;

	assert_non_null(fp);
	fp_init(fp, protected_vm);
	fp->cfg.features_set = features_set;
	fp->cfg.features = features;
	if (fp_create(fp, &err) != 0)
		fail_msg("create: %s", err);
	return fp;
}

static void drop(struct fake_platform *fp)
{
	fp_fini(fp);
	free(fp);
}

/* ---- UID ------------------------------------------------------------ */

static void uid_hidden_when_bit0_cleared(void **state)
{
	struct fake_platform *fp = custom_vm(false, true, 0x2);

	(void)state;
	fp_expect(fp, 0x8600FF01ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_UID), 0);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 1);
	drop(fp);
}

static void uid_counted(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x8600FF01ULL, 0, 0, 0, 0xb66fb428ULL, 0xe911c52eULL,
	          0x564bcaa9ULL, 0x743a004dULL);
	fp_expect(fp, 0x8600FF01ULL, 0, 0, 0, 0xb66fb428ULL, 0xe911c52eULL,
	          0x564bcaa9ULL, 0x743a004dULL);
	assert_int_equal(counter(fp, VHYP_CNT_UID), 2);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 0);
}

/* ---- FEATURES ---------------------------------------------------------- */

static void features_protected_narrowed_to_upstream(void **state)
{
	struct fake_platform *fp = custom_vm(true, true, 0x1D);

	(void)state;
	fp_expect(fp, 0x86000000ULL, 0, 0, 0, 0x1D, 0, 0, 0);
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000007ULL, 0x20000000ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	drop(fp);
}

static void features_normal_narrowed_hides_ptp(void **state)
{
	struct fake_platform *fp = custom_vm(false, true, 0x1);

	(void)state;
	fp_expect(fp, 0x86000000ULL, 0, 0, 0, 0x1, 0, 0, 0);
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->cnt_reads, 0);
	drop(fp);
}

static void features_hidden_ptp_still_works(void **state)
{
	struct fake_platform *fp = custom_vm(false, true, 0x2);
	uint64_t x[18];

	(void)state;
	fp_expect(fp, 0x86000000ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_regs(x, 0x86000001ULL, 1, 0, 0);
	fp_call(fp, x);
	assert_int_equal(x[2], 0);
	assert_int_equal(x[3], 5000000);
	drop(fp);
}

static void features_zero_bitmap_hides_everything(void **state)
{
	struct fake_platform *fp = custom_vm(true, true, 0);

	(void)state;
	fp_expect(fp, 0x8600FF01ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000000ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000002ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000003ULL, FP_RAM0_IPA, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, FP_RAM0_IPA, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000007ULL, 0x20000000ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	/* SMCCC itself stays. */
	fp_expect(fp, 0x80000000ULL, 0, 0, 0, 0x10001, 0, 0, 0);
	drop(fp);
}

static void features_ignores_arguments(void **state)
{
	fp_expect(FP(state), 0xFFFFFFFF86000000ULL, ~0ULL, ~0ULL, ~0ULL, 0x3, 0,
	          0, 0);
}

static void features_counted(void **state)
{
	struct fake_platform *fp = FP(state);

	for (int i = 0; i < 5; i++)
		fp_expect(fp, 0x86000000ULL, 0, 0, 0, 0x3, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_FEATURES), 5);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 0);
}

/* ---- PTP ----------------------------------------------------------------
 * Default clock: anchor 1700000000000000000 ns at count 1000, 62.5 MHz
 * (16 ns per tick); the fake counter reads 5000000 first.  Wall =
 * 1700000000000000000 + 4999000 * 16 = 1700000000079984000
 * = 0x17979cfe_3aee7580.
 */

static void ptp_physical_exact(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x86000001ULL, 1, 0, 0, 0x17979cfeULL, 0x3aee7580ULL, 0,
	          5000000);
	assert_int_equal(fp->cnt_reads, 1);
}

static void ptp_virtual_subtracts_cntvoff(void **state)
{
	struct fake_platform *fp = malloc(sizeof(*fp));

	(void)state;
	assert_non_null(fp);
	fp_init(fp, false);
	fp->cfg.cntvoff = 0x1234;
	assert_int_equal(fp_create(fp, NULL), 0);
	/* 5000000 - 0x1234 = 4995340 */
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, 0x17979cfeULL, 0x3aee7580ULL, 0,
	          4995340);
	drop(fp);
}

static void ptp_virtual_wraps_like_the_hardware(void **state)
{
	struct fake_platform *fp = malloc(sizeof(*fp));

	(void)state;
	assert_non_null(fp);
	fp_init(fp, false);
	fp->cfg.cntvoff = 5000001; /* one more than the count */
	assert_int_equal(fp_create(fp, NULL), 0);
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, 0x17979cfeULL, 0x3aee7580ULL,
	          0xFFFFFFFFULL, 0xFFFFFFFFULL);
	drop(fp);
}

static void ptp_counter_high_word(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->cnt = 0x123456789ULL;
	fp->clock.anchor_cnt = 0x123456789ULL;
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, 0x17979cfeULL, 0x362a0000ULL, 0x1,
	          0x23456789ULL);
}

static void ptp_one_counter_read_per_call(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t x[18];

	fp_regs(x, 0x86000001ULL, 0, 0, 0);
	fp_call(fp, x);
	fp_regs(x, 0x86000001ULL, 1, 0, 0);
	fp_call(fp, x);
	assert_int_equal(fp->cnt_reads, 2);
}

static void ptp_two_calls_strictly_increase(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t a[18], b[18];

	fp_regs(a, 0x86000001ULL, 0, 0, 0);
	fp_call(fp, a);
	fp_regs(b, 0x86000001ULL, 0, 0, 0);
	fp_call(fp, b);
	assert_true((b[2] << 32 | b[3]) > (a[2] << 32 | a[3]));
	assert_true((b[0] << 32 | b[1]) >= (a[0] << 32 | a[1]));
	/* 7 ticks later: exactly 112 ns later. */
	assert_int_equal((b[0] << 32 | b[1]) - (a[0] << 32 | a[1]), 112);
}

static void ptp_arg_read_as_u32(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x86000001ULL, 0x100000000ULL, 0, 0, 0x17979cfeULL,
	          0x3aee7580ULL, 0, 5000000);
	fp->cnt = 5000000;
	fp_expect(fp, 0x86000001ULL, 0xFFFFFFFF00000001ULL, 0, 0, 0x17979cfeULL,
	          0x3aee7580ULL, 0, 5000000);
}

static void ptp_bad_selectors(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x86000001ULL, 2, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000001ULL, 0xFFFFFFFFULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000001ULL, 0x80000000ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000001ULL, 0x100000002ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->cnt_reads, 0);
	assert_int_equal(counter(fp, VHYP_CNT_PTP), 4);
}

static void ptp_invalid_clock(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->clock.valid = false;
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->cnt_reads, 0);
}

static void ptp_without_clock(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->vm.clock = NULL;
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
}

static void ptp_without_counter_hook(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->ops.read_cntpct = NULL;
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, FP_MINUS1, 0, 0, 0);
}

static void ptp_zero_frequency(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->clock.freq_hz = 0;
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
}

/* floor(2^64 / 1e9) = 18446744073 Hz is the largest usable frequency. */
static void ptp_frequency_limit(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->clock.freq_hz = 18446744074ULL;
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, FP_MINUS1, 0, 0, 0);
	fp->clock.freq_hz = 18446744073ULL;
	fp->cnt = 1000 + 18446744072ULL; /* one tick short of a second */
	/* floor(18446744072e9 / 18446744073) = 999999999 ns */
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, 0x17979cfeULL, 0x71c4c9ffULL, 0x4,
	          0x4b82fdf0ULL);
}

/* 24 MHz, 3e12 + 5 ticks after the anchor: the product with 1e9 would
 * overflow 64 bits; exact = floor((3e12 + 5) * 1e9 / 24e6)
 * = 125000000000208 ns; wall = 0x17980eae_0ac2d0d0. */
static void ptp_exact_conversion_without_overflow(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->clock.freq_hz = 24000000;
	fp->cnt = 1000 + 3000000000005ULL;
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, 0x17980eaeULL, 0x0ac2d0d0ULL,
	          0x2ba, 0x7def33edULL);
}

/* A count before the anchor gives a wall time before it: 500 ticks
 * earlier = 8000 ns earlier = 1699999999999992000 = 0x17979cfe_3629e0c0. */
static void ptp_count_before_anchor(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->cnt = 500;
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, 0x17979cfeULL, 0x3629e0c0ULL, 0,
	          500);
}

static void ptp_1ghz_counter(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->clock.freq_hz = 1000000000;
	fp->clock.anchor_ns = 0;
	fp->clock.anchor_cnt = 0;
	fp->cnt = 0x4000000000000000ULL;
	fp_expect(fp, 0x86000001ULL, 1, 0, 0, 0x40000000ULL, 0, 0x40000000ULL,
	          0);
}

static void ptp_hvc64_flavour_unknown(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000001ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->cnt_reads, 0);
}

/* ---- table slots ---------------------------------------------------- */

/* Android's MMIO_GUARD_INFO/ENROLL/UNMAP, MEM_RELINQUISH, RGUARD: AVF
 * needs exactly -1 to conclude "not Android pKVM". */
static void android_only_ids_are_minus1(void **state)
{
	struct fake_platform *fp = FP(state);

	for (uint64_t f = 5; f <= 0x13; f++) {
		if (f == 7)
			continue;
		fp_expect(fp, 0xC6000000ULL | f, 0, 0, 0, FP_MINUS1, 0, 0, 0);
		fp_expect(fp, 0x86000000ULL | f, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	}
}

static void hvc32_flavours_of_protected_calls_unknown(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x86000002ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000003ULL, FP_RAM0_IPA, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000004ULL, FP_RAM0_IPA, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x86000007ULL, 0x20000000ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0x46000003ULL, FP_RAM0_IPA, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->nr_grant_calls, 0);
}

/* Every function number of owner 6, all four fast/convention flavours:
 * only the seven exact IDs are answered other than -1. */
static void vendor_sweep_only_exact_ids_answer(void **state)
{
	struct fake_platform *fp = FP(state);
	const uint32_t served[] = {0x8600FF01U, 0x86000000U, 0x86000001U,
	                           0xC6000002U, 0xC6000003U, 0xC6000004U,
	                           0xC6000007U};
	unsigned answered = 0;

	for (uint32_t top = 0; top < 4; top++) {
		for (uint32_t f = 0; f <= 0xFFFF; f++) {
			uint32_t id = (top << 30) | 0x06000000U | f;
			bool is_served = false;
			uint64_t x[18];

			for (size_t i = 0; i < 7; i++)
				is_served |= id == served[i];
			fp_regs(x, id, 0, 0, 0);
			fp_call(fp, x);
			if (is_served) {
				answered++;
				continue;
			}
			if (x[0] != FP_MINUS1 || (x[1] | x[2] | x[3]) != 0)
				fail_msg("ID 0x%08x answered", id);
		}
	}
	assert_int_equal(answered, 7);
	assert_int_equal(fp->nr_grant_calls, 0);
}

static void protected_call_counters(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000002ULL, 0, 0, 0, 4096, 0, 0, 0);
	fp_expect(fp, 0xC6000003ULL, FP_RAM0_IPA, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, FP_RAM0_IPA, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, FP_RAM0_IPA, 0, 0, FP_MINUS3, 0, 0, 0);
	fp_expect(fp, 0xC6000007ULL, 0x20000000ULL, 0, 0, 0, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_MEMINFO), 1);
	assert_int_equal(counter(fp, VHYP_CNT_SHARE), 1);
	assert_int_equal(counter(fp, VHYP_CNT_UNSHARE), 2);
	assert_int_equal(counter(fp, VHYP_CNT_MMIO_GUARD), 1);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 0);
}

static void normal_vm_protected_calls_count_as_other(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000002ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(counter(fp, VHYP_CNT_MEMINFO), 0);
	assert_int_equal(counter(fp, VHYP_CNT_OTHER), 1);
}

/* A bitmap forced past validation still cannot open protected calls to
 * a normal VM. */
static void normal_vm_forced_bitmap_still_minus1(void **state)
{
	struct fake_platform *fp = FP(state);

	fp->vm.features = 0x9F;
	fp_expect(fp, 0xC6000002ULL, 0, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000003ULL, FP_RAM0_IPA, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, FP_RAM0_IPA, 0, 0, FP_MINUS1, 0, 0, 0);
	fp_expect(fp, 0xC6000007ULL, 0x20000000ULL, 0, 0, FP_MINUS1, 0, 0, 0);
	assert_int_equal(fp->nr_grant_calls, 0);
}

#define T(fn)                                                                  \
	cmocka_unit_test_setup_teardown(fn, fp_state_normal, fp_state_teardown)
#define TP(fn)                                                                 \
	cmocka_unit_test_setup_teardown(fn, fp_state_protected,                \
	                                fp_state_teardown)

/* ---- single calls as tables (spec_table.h) ---------------------------- */

#define UID_OUT 0xb66fb428ULL, 0xe911c52eULL, 0x564bcaa9ULL, 0x743a004dULL

static const struct spec_row spec_cases[] = {
        ROW(uid_words_normal, NORMAL, 0, 0x8600FF01ULL, 0, 0, 0, UID_OUT),
        ROW(uid_words_protected, PROTECTED, 0, 0x8600FF01ULL, 0, 0, 0, UID_OUT),
        ROW(uid_ignores_arguments, NORMAL, 0, 0x8600FF01ULL, ~0ULL, 0x1234,
            ~1ULL, UID_OUT),
        ROW(features_normal_default, NORMAL, 0, 0x86000000ULL, 0, 0, 0, 0x3, 0,
            0, 0),
        ROW(features_protected_default, PROTECTED, 0, 0x86000000ULL, 0, 0, 0,
            0x9F, 0, 0, 0),
        ROW(ptp_protected_default_answers, PROTECTED, 0, 0x86000001ULL, 1, 0, 0,
            0x17979cfeULL, 0x3aee7580ULL, 0, 5000000),
};

static const struct spec_row spec_negative[] = {
        ROW(uid_neighbour_call_count, NORMAL, 0, 0x8600FF00ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(uid_neighbour_ff02, NORMAL, 0, 0x8600FF02ULL, 0, 0, 0, FP_MINUS1, 0,
            0, 0),
        ROW(uid_neighbour_revision, NORMAL, 0, 0x8600FF03ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(uid_neighbour_owner_bit, NORMAL, 0, 0x8601FF01ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(uid_neighbour_yielding_smc64, NORMAL, 0, 0x4600FF01ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(discover_impl_is_minus1, PROTECTED, 0, 0xC6000040ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(discover_impl_next_is_minus1, PROTECTED, 0, 0xC6000041ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(features_2_smc64_is_minus1, PROTECTED, 0, 0xC600007FULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(features_2_is_minus1, PROTECTED, 0, 0x8600007FULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
};

static const struct CMUnitTest other_tests[] = {
        cmocka_unit_test(uid_hidden_when_bit0_cleared),
        T(uid_counted),
        cmocka_unit_test(features_protected_narrowed_to_upstream),
        cmocka_unit_test(features_normal_narrowed_hides_ptp),
        cmocka_unit_test(features_hidden_ptp_still_works),
        cmocka_unit_test(features_zero_bitmap_hides_everything),
        T(features_ignores_arguments),
        T(features_counted),
        T(ptp_physical_exact),
        cmocka_unit_test(ptp_virtual_subtracts_cntvoff),
        cmocka_unit_test(ptp_virtual_wraps_like_the_hardware),
        T(ptp_counter_high_word),
        T(ptp_one_counter_read_per_call),
        T(ptp_two_calls_strictly_increase),
        T(ptp_arg_read_as_u32),
        T(ptp_bad_selectors),
        T(ptp_invalid_clock),
        T(ptp_without_clock),
        T(ptp_without_counter_hook),
        T(ptp_zero_frequency),
        T(ptp_frequency_limit),
        T(ptp_exact_conversion_without_overflow),
        T(ptp_count_before_anchor),
        T(ptp_1ghz_counter),
        T(ptp_hvc64_flavour_unknown),
        TP(android_only_ids_are_minus1),
        TP(hvc32_flavours_of_protected_calls_unknown),
        TP(vendor_sweep_only_exact_ids_answer),
        TP(protected_call_counters),
        T(normal_vm_protected_calls_count_as_other),
        T(normal_vm_forced_bitmap_still_minus1),
};

int main(void)
{
	return spec_run_group("vendor", spec_cases, NR_ROWS(spec_cases),
	                      spec_negative, NR_ROWS(spec_negative),
	                      other_tests, NR_ROWS(other_tests));
}
