// SPDX-License-Identifier: MIT
/*
 * The conformance cases of the spec (docs: kvm-vendor-hypercalls.md,
 * section 6), one test each, adapted to "vhyp's choices" where vhyp
 * differs from upstream KVM/pKVM:
 *   15: vhyp has no VENDOR_HYP_BMAP_2 (DISCOVER_IMPL not offered): X2 = 0;
 *   19/20: the HVC immediate and the SMC #0 conduit never reach the core
 *          (the exit handler calls the same entry point): one entry, same
 *          answer;
 *   21: SMC #imm != 0 is answered by the exit handler, not the core
 *       (hyp/arch/aarch64/exits.c), so it has no test here;
 *   22-25: pseudo-firmware registers do not exist in vhyp (the bitmap is
 *          VM configuration, tested in test_vm_config.c);
 *   28: the wall clock is the platform anchor advanced by the counter:
 *       exact to the nanosecond against that anchor;
 *   36: FEATURES = 0x9F for a protected VM (choice 5);
 *   44/53: a page count in X2 is -3 (choice 7, upstream);
 *   46: all guest RAM is mapped at creation (choice 7): SHARE of an IPA the
 *       guest never touched succeeds at once;
 *   56: MMIO_GUARD is implemented (choice 8) and advertised;
 *   57: normal VMs answer -1 to all four protected calls (choice 9).
 * The single-call cases are two tables, spec_cases and spec_negative (one
 * row, one test case); the rest are functions.  Every test asserts all
 * four result registers against literal values and that X4..X17 are
 * preserved.
 */
#include "spec_table.h"

#include <stdlib.h>
#include <string.h>

#define FP(state) ((struct fake_platform *)*(state))

#define UID0 0xb66fb428ULL
#define UID1 0xe911c52eULL
#define UID2 0x564bcaa9ULL
#define UID3 0x743a004dULL

static void drop(struct fake_platform *fp)
{
	fp_fini(fp);
	free(fp);
}

/* ---- The spec cases as tables -----------------------------------------
 *
 * One row = one call on a fresh VM: X0..X3 in, the literal X0..X3 the
 * spec (or vhyp's choice) requires out, and X4..X17 preserved.  Each row
 * is its own test case, named after the spec case.  Negative rows (an
 * error in X0) also check that the call reached no host_grant or
 * host_revoke: a refused call changes nothing.
 */

#define PAGE    0x40010000ULL
#define PAGE_PA 0x100010000ULL

#define UID_OUT UID0, UID1, UID2, UID3
#define WALL    0x17979cfeULL, 0x3aee7580ULL, 0, 5000000

static const struct spec_row spec_cases[] = {
        ROW(case01_smccc_version, NORMAL, 0, 0x80000000ULL, 0, 0, 0, 0x10001, 0,
            0, 0),
        ROW(case05_uid, NORMAL, 0, 0x8600FF01ULL, 0, 0, 0, UID_OUT),
        ROW(case07_uid_upper_x0_ignored, NORMAL, 0, 0xFFFFFFFF8600FF01ULL, 0, 0,
            0, UID_OUT),
        ROW(case13_features_default, NORMAL, 0, 0x86000000ULL, 0, 0, 0, 0x3, 0,
            0, 0),
        ROW(case14_features_bitmap_1, NORMAL, 0x1, 0x86000000ULL, 0, 0, 0, 0x1,
            0, 0, 0),
        ROW(case15_features_x2_zero_normal, NORMAL, 0, 0x86000000ULL, 0, 0, 0,
            0x3, 0, 0, 0),
        ROW(case15_features_x2_zero_protected, PROTECTED, 0x9F, 0x86000000ULL,
            0, 0, 0, 0x9F, 0, 0, 0),
        /* Wall = 1700000000000000000 + (5000000 - 1000) * 16 ns. */
        ROW(case28_ptp_wall_time_exact, NORMAL, 0, 0x86000001ULL, 0, 0, 0,
            WALL),
        ROW(case32_ptp_selector_read_as_u32, NORMAL, 0, 0x86000001ULL,
            0x100000000ULL, 0, 0, WALL),
        ROW(case36_protected_features, PROTECTED, 0, 0x86000000ULL, 0, 0, 0,
            0x9F, 0, 0, 0),
        ROW(case37_meminfo, PROTECTED, 0, 0xC6000002ULL, 0, 0, 0, 4096, 0, 0,
            0),
        ROW(case56_mmio_guard_of_a_hole, PROTECTED, 0, 0xC6000007ULL,
            0x0A000000ULL, 0, 0, 0, 0, 0, 0),
};

/* Feed vhyp what it must refuse (pKVM selftests' false_hvc_info). */
static const struct spec_row spec_negative[] = {
        ROW(case02_arch_features_uid, NORMAL, 0, 0x80000001ULL, 0x8600FF01ULL,
            0, 0, FP_MINUS1, 0, 0, 0),
        ROW(case03_arch_features_features, NORMAL, 0, 0x80000001ULL,
            0x86000000ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(case04_arch_features_itself, NORMAL, 0, 0x80000001ULL,
            0x80000001ULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(case08_uid_smc64_bit, NORMAL, 0, 0xC600FF01ULL, 0, 0, 0, FP_MINUS1,
            0, 0, 0),
        ROW(case09_uid_fast_bit_clear, NORMAL, 0, 0x0600FF01ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(case10_call_count, NORMAL, 0, 0x8600FF00ULL, 0, 0, 0, FP_MINUS1, 0,
            0, 0),
        ROW(case11_revision, NORMAL, 0, 0x8600FF03ULL, 0, 0, 0, FP_MINUS1, 0, 0,
            0),
        ROW(case12_bit0_cleared_uid, NORMAL, 0x2, 0x8600FF01ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(case12_bit0_cleared_features, NORMAL, 0x2, 0x86000000ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(case14_features_bitmap_1_hides_ptp, NORMAL, 0x1, 0x86000001ULL, 0,
            0, 0, FP_MINUS1, 0, 0, 0),
        ROW(case16_features_hvc64, NORMAL, 0, 0xC6000000ULL, 0, 0, 0, FP_MINUS1,
            0, 0, 0),
        ROW(case17_hvc32_meminfo, NORMAL, 0, 0x86000002ULL, 0, 0, 0, FP_MINUS1,
            0, 0, 0),
        ROW(case18_features_2, NORMAL, 0, 0x8600007FULL, 0, 0, 0, FP_MINUS1, 0,
            0, 0),
        ROW(case30_ptp_selector_2, NORMAL, 0, 0x86000001ULL, 2, 0, 0, FP_MINUS1,
            0, 0, 0),
        ROW(case31_ptp_selector_ffffffff, NORMAL, 0, 0x86000001ULL,
            0xFFFFFFFFULL, 0, 0, FP_MINUS1, 0, 0, 0),
        ROW(case33_ptp_hvc64, NORMAL, 0, 0xC6000001ULL, 0, 0, 0, FP_MINUS1, 0,
            0, 0),
        ROW(case34_ptp_bit_cleared_virtual, NORMAL, 0x1, 0x86000001ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(case34_ptp_bit_cleared_physical, NORMAL, 0x1, 0x86000001ULL, 1, 0,
            0, FP_MINUS1, 0, 0, 0),
        {"case35_ptp_no_counter_clock",
         NORMAL,
         0,
         true,
         {0x86000001ULL, 0, 0, 0},
         {FP_MINUS1, 0, 0, 0}},
        ROW(case38_meminfo_x1, PROTECTED, 0, 0xC6000002ULL, 1, 0, 0, FP_MINUS3,
            0, 0, 0),
        ROW(case39_meminfo_x3, PROTECTED, 0, 0xC6000002ULL, 0, 0, 1, FP_MINUS3,
            0, 0, 0),
        ROW(case52_unshare_unmapped, PROTECTED, 0, 0xC6000004ULL, 0x60000000ULL,
            0, 0, FP_MINUS3, 0, 0, 0),
        ROW(case57_meminfo_from_normal_vm, NORMAL, 0, 0xC6000002ULL, 0, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(case57_share_from_normal_vm, NORMAL, 0, 0xC6000003ULL, PAGE, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(case57_unshare_from_normal_vm, NORMAL, 0, 0xC6000004ULL, PAGE, 0, 0,
            FP_MINUS1, 0, 0, 0),
        ROW(case57_mmio_guard_from_normal_vm, NORMAL, 0, 0xC6000007ULL,
            0x0A000000ULL, 0, 0, FP_MINUS1, 0, 0, 0),
};

/* ---- Discovery ------------------------------------------------------ */

static void case06_uid_random_args(void **state)
{
	const uint64_t rnd[8] = {0,
	                         0x0123456789ABCDEFULL,
	                         0xFEDCBA9876543210ULL,
	                         0xFFFFFFFFFFFFFFFFULL,
	                         0x8000000000000001ULL,
	                         0x00000000DEADBEEFULL,
	                         0x5555555555555555ULL,
	                         0xAAAAAAAAAAAAAAAAULL};
	uint64_t x[18];

	fp_regs(x, 0x8600FF01ULL, rnd[1], rnd[2], rnd[3]);
	for (int i = 4; i < 8; i++)
		x[i] = rnd[i];
	fp_call(FP(state), x);
	assert_int_equal(x[0], UID0);
	assert_int_equal(x[1], UID1);
	assert_int_equal(x[2], UID2);
	assert_int_equal(x[3], UID3);
	for (int i = 4; i < 8; i++)
		assert_int_equal(x[i], rnd[i]);
	for (int i = 8; i < 18; i++)
		assert_int_equal(x[i], FP_PATTERN(i));
}

static void case19_hvc_immediate_not_an_input(void **state)
{
	/* hvc #0 and hvc #0x1234 reach the same entry with the same regs. */
	fp_expect(FP(state), 0x8600FF01ULL, 0, 0, 0, UID0, UID1, UID2, UID3);
	fp_expect(FP(state), 0x8600FF01ULL, 0, 0, 0, UID0, UID1, UID2, UID3);
}

static void case20_smc0_same_as_hvc(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t hvc[18], smc[18];

	fp_regs(hvc, 0x8600FF01ULL, 1, 2, 3);
	fp_regs(smc, 0x8600FF01ULL, 1, 2, 3);
	vhyp_smccc_call(&fp->vm, NULL, hvc);
	vhyp_smccc_call(&fp->vm, fp->vcpus[0], smc);
	assert_memory_equal(hvc, smc, sizeof(hvc));
	fp_assert_regs(smc, UID0, UID1, UID2, UID3);
}

/* ---- PTP (fake counter: 5000000 first, +7 per read) ------------------ */

static uint64_t guest_read(struct fake_platform *fp, bool virt)
{
	uint64_t v = fp->cnt - (virt ? fp->vm.cfg.cntvoff : 0);

	fp->cnt += fp->cnt_step;
	return v;
}

static void ptp_bracketed(struct fake_platform *fp, uint64_t sel, bool virt)
{
	uint64_t x[18], before, after, got;

	before = guest_read(fp, virt);
	fp_regs(x, 0x86000001ULL, sel, 0, 0);
	fp_call(fp, x);
	after = guest_read(fp, virt);
	assert_int_equal(x[0] & 0x80000000ULL, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(x[i] >> 32, 0);
	for (int i = 4; i < 18; i++)
		assert_int_equal(x[i], FP_PATTERN(i));
	got = x[2] << 32 | x[3];
	assert_true(got > before && got < after);
}

static void case26_ptp_virtual_bracketed(void **state)
{
	struct fake_platform *fp = malloc(sizeof(*fp));

	(void)state;
	assert_non_null(fp);
	fp_init(fp, false);
	fp->cfg.cntvoff = 0x10000;
	assert_int_equal(fp_create(fp, NULL), 0);
	ptp_bracketed(fp, 0, true);
	/* 5000007 - 0x10000 = 4934471, wall at count 5000007 */
	fp->cnt = 5000007;
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, 0x17979cfeULL, 0x3aee75f0ULL, 0,
	          4934471);
	drop(fp);
}

static void case27_ptp_physical_bracketed(void **state)
{
	ptp_bracketed(FP(state), 1, false);
}

static void case29_ptp_counter_increases(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0x86000001ULL, 0, 0, 0, 0x17979cfeULL, 0x3aee7580ULL, 0,
	          5000000);
	fp_expect(fp, 0x86000001ULL, 0, 0, 0, 0x17979cfeULL, 0x3aee75f0ULL, 0,
	          5000007);
}

/* ---- Protected guest -------------------------------------------------- */

static void case40_meminfo_garbage_x4_x7(void **state)
{
	uint64_t x[18];

	fp_regs(x, 0xC6000002ULL, 0, 0, 0);
	x[4] = ~0ULL;
	x[5] = 1;
	x[6] = 0x8000000000000000ULL;
	x[7] = 42;
	fp_call(FP(state), x);
	assert_int_equal(x[0], 4096);
	assert_int_equal(x[1] | x[2] | x[3], 0);
	assert_int_equal(x[4], ~0ULL);
	assert_int_equal(x[5], 1);
	assert_int_equal(x[6], 0x8000000000000000ULL);
	assert_int_equal(x[7], 42);
}

static void case41_share(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, 0, 0, 0, 0);
	assert_true(fp_host_has(fp, PAGE_PA));
	assert_true(fp_host_may(&fp->vm, PAGE, 4096));
	assert_int_equal(fp_lookup(fp, PAGE).state, 1);
}

static void case42_share_unaligned(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE + 8, 0, 0, FP_MINUS3, 0, 0, 0);
	assert_false(fp_host_has(fp, PAGE_PA));
	assert_int_equal(fp_lookup(fp, PAGE).state, 0);
}

static void case43_share_twice(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, FP_MINUS3, 0, 0, 0);
	assert_true(fp_host_has(fp, PAGE_PA));
	assert_int_equal(fp_lookup(fp, PAGE).state, 1);
}

static void case44_share_page_count(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 1, 0, FP_MINUS3, 0, 0, 0);
	assert_false(fp_host_has(fp, PAGE_PA));
}

static void case45_share_x3(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 1, FP_MINUS3, 0, 0, 0);
	assert_false(fp_host_has(fp, PAGE_PA));
}

static void case46_share_untouched_ram(void **state)
{
	struct fake_platform *fp = FP(state);

	/* The last granule of RAM1: nothing ever accessed it. */
	fp_expect(fp, 0xC6000003ULL, 0x8000F000ULL, 0, 0, 0, 0, 0, 0);
	assert_true(fp_host_has(fp, 0x20001F000ULL));
}

static void case47_share_beyond_ipa_size(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, 0x10000000000ULL, 0, 0, FP_MINUS3, 0, 0,
	          0);
	fp_expect(fp, 0xC6000003ULL, 0x10000000000ULL | PAGE, 0, 0, FP_MINUS3,
	          0, 0, 0);
	assert_int_equal(fp->nr_grant_calls, 0);
}

static void case48_unshare(void **state)
{
	struct fake_platform *fp = FP(state);
	struct fp_pte pte;

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, PAGE, 0, 0, 0, 0, 0, 0);
	assert_false(fp_host_has(fp, PAGE_PA));
	pte = fp_lookup(fp, PAGE);
	assert_true(pte.valid); /* the guest still reads and writes it */
	assert_int_equal(pte.pte & 0xC0ULL, 0xC0ULL); /* S2AP RW */
	assert_int_equal(pte.state, 0);
}

static void case49_unshare_never_shared(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000004ULL, PAGE, 0, 0, FP_MINUS3, 0, 0, 0);
	assert_int_equal(fp->nr_revoke_calls, 0);
}

static void case50_unshare_twice(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, PAGE, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, PAGE, 0, 0, FP_MINUS3, 0, 0, 0);
}

static void case51_unshare_unaligned(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, PAGE + 0x800, 0, 0, FP_MINUS3, 0, 0, 0);
	assert_true(fp_host_has(fp, PAGE_PA));
}

static void case53_unshare_page_count(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, 0, 0, 0, 0);
	fp_expect(fp, 0xC6000004ULL, PAGE, 1, 0, FP_MINUS3, 0, 0, 0);
	assert_true(fp_host_has(fp, PAGE_PA));
	assert_int_equal(fp_lookup(fp, PAGE).state, 1);
}

/* RAM1 backed by real memory: the core must never write through it. */
static void case54_contents_preserved(void **state)
{
	struct fake_platform *fp = malloc(sizeof(*fp));
	uint8_t *mem = aligned_alloc(4096, 0x10000);
	uint64_t pa;

	(void)state;
	assert_non_null(fp);
	assert_non_null(mem);
	pa = (uint64_t)(uintptr_t)mem;
	fp_init(fp, true);
	fp->cfg.ram[1].pa = pa;
	assert_int_equal(fp_create(fp, NULL), 0);
	memset(mem, 0xC3, 0x10000);
	fp_expect(fp, 0xC6000003ULL, 0x80004000ULL, 0, 0, 0, 0, 0, 0);
	memset(mem + 0x4000, 0x5A, 4096); /* "the guest writes a pattern" */
	fp_expect(fp, 0xC6000004ULL, 0x80004000ULL, 0, 0, 0, 0, 0, 0);
	for (size_t i = 0; i < 0x10000; i++)
		assert_int_equal(mem[i],
		                 i >= 0x4000 && i < 0x5000 ? 0x5A : 0xC3);
	assert_int_equal(fp_lookup(fp, 0x80004000ULL).pte &
	                         0x0000FFFFFFFFF000ULL,
	                 pa + 0x4000);
	drop(fp);
	free(mem);
}

static void case55_host_denied_after_unshare(void **state)
{
	struct fake_platform *fp = FP(state);

	fp_expect(fp, 0xC6000003ULL, PAGE, 0, 0, 0, 0, 0, 0);
	assert_true(fp_host_may(&fp->vm, PAGE + 16, 16));
	fp_expect(fp, 0xC6000004ULL, PAGE, 0, 0, 0, 0, 0, 0);
	assert_false(fp_host_may(&fp->vm, PAGE + 16, 16));
	assert_false(fp_host_has(fp, PAGE_PA));
	/* The guest continues: later calls are served normally. */
	fp_expect(fp, 0x86000000ULL, 0, 0, 0, 0x9F, 0, 0, 0);
}

static void case56_mmio_guard_implemented(void **state)
{
	struct fake_platform *fp = FP(state);
	uint64_t x[18];

	fp_regs(x, 0x86000000ULL, 0, 0, 0);
	fp_call(fp, x);
	assert_int_equal(x[0] & 0x80ULL, 0x80ULL);
	fp_expect(fp, 0xC6000007ULL, 0x0A000000ULL, 0, 0, 0, 0, 0, 0);
}

#define TN(fn)                                                                 \
	cmocka_unit_test_setup_teardown(fn, fp_state_normal, fp_state_teardown)
#define TP(fn)                                                                 \
	cmocka_unit_test_setup_teardown(fn, fp_state_protected,                \
	                                fp_state_teardown)

static const struct CMUnitTest other_tests[] = {
        TN(case06_uid_random_args),
        TN(case19_hvc_immediate_not_an_input),
        TN(case20_smc0_same_as_hvc),
        cmocka_unit_test(case26_ptp_virtual_bracketed),
        TN(case27_ptp_physical_bracketed),
        TN(case29_ptp_counter_increases),
        TP(case40_meminfo_garbage_x4_x7),
        TP(case41_share),
        TP(case42_share_unaligned),
        TP(case43_share_twice),
        TP(case44_share_page_count),
        TP(case45_share_x3),
        TP(case46_share_untouched_ram),
        TP(case47_share_beyond_ipa_size),
        TP(case48_unshare),
        TP(case49_unshare_never_shared),
        TP(case50_unshare_twice),
        TP(case51_unshare_unaligned),
        TP(case53_unshare_page_count),
        cmocka_unit_test(case54_contents_preserved),
        TP(case55_host_denied_after_unshare),
        TP(case56_mmio_guard_implemented),
};

int main(void)
{
	return spec_run_group("conformance", spec_cases, NR_ROWS(spec_cases),
	                      spec_negative, NR_ROWS(spec_negative),
	                      other_tests, NR_ROWS(other_tests));
}
