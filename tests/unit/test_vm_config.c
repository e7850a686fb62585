// SPDX-License-Identifier: MIT
/*
 * core/vm: vhyp_vm_create's validation (every error with its exact
 * one-line message, nothing left allocated), the stage-2 it builds, and
 * vhyp_vm_ram_range.
 */
#include "fake_platform.h"

#include <stdlib.h>
#include <string.h>

static struct fake_platform *fresh(bool protected_vm)
{
	struct fake_platform *fp = malloc(sizeof(*fp));

	assert_non_null(fp);
	fp_init(fp, protected_vm);
	return fp;
}

static void drop(struct fake_platform *fp)
{
	fp_fini(fp);
	free(fp);
}

/* Creation fails with exactly this message and leaves the pool full. */
static void expect_error(struct fake_platform *fp, const char *msg)
{
	const char *err = NULL;

	assert_int_not_equal(fp_create(fp, &err), 0);
	assert_non_null(err);
	assert_string_equal(err, msg);
	assert_null(strchr(err, '\n'));
	assert_int_equal(s2_pool_free_pages(&fp->pool), FP_POOL_PAGES);
	drop(fp);
}

static void expect_ok(struct fake_platform *fp)
{
	const char *err = NULL;

	if (fp_create(fp, &err) != 0)
		fail_msg("unexpected error: %s", err);
	drop(fp);
}

static void default_normal_features(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	assert_int_equal(fp_create(fp, NULL), 0);
	assert_int_equal(fp->vm.features, 0x3);
	drop(fp);
}

static void default_protected_features(void **state)
{
	struct fake_platform *fp = fresh(true);

	(void)state;
	assert_int_equal(fp_create(fp, NULL), 0);
	assert_int_equal(fp->vm.features, 0x9F);
	drop(fp);
}

static void narrowed_features_accepted(void **state)
{
	const uint64_t normal[] = {0x0, 0x1, 0x2, 0x3};
	const uint64_t prot[] = {0x0, 0x1D, 0x9F, 0x80, 0x1C};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct fake_platform *fp = fresh(false);
		fp->cfg.features_set = true;
		fp->cfg.features = normal[i];
		assert_int_equal(fp_create(fp, NULL), 0);
		assert_int_equal(fp->vm.features, normal[i]);
		drop(fp);
	}
	for (size_t i = 0; i < 5; i++) {
		struct fake_platform *fp = fresh(true);
		fp->cfg.features_set = true;
		fp->cfg.features = prot[i];
		assert_int_equal(fp_create(fp, NULL), 0);
		assert_int_equal(fp->vm.features, prot[i]);
		drop(fp);
	}
}

static void features_set_false_ignores_value(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	fp->cfg.features = 0xFFFF;
	assert_int_equal(fp_create(fp, NULL), 0);
	assert_int_equal(fp->vm.features, 0x3);
	drop(fp);
}

static void normal_vm_protected_bit_rejected(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	fp->cfg.features_set = true;
	fp->cfg.features = 0x7;
	expect_error(fp, "feature bit 2 not implemented for this VM kind");
}

static void normal_vm_mmio_guard_bit_rejected(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	fp->cfg.features_set = true;
	fp->cfg.features = 0x83;
	expect_error(fp, "feature bit 7 not implemented for this VM kind");
}

static void protected_vm_unimplemented_bits_rejected(void **state)
{
	struct fake_platform *fp = fresh(true);

	(void)state;
	fp->cfg.features_set = true;
	fp->cfg.features = 0x20 | 0x1;
	expect_error(fp, "feature bit 5 not implemented for this VM kind");
	fp = fresh(true);
	fp->cfg.features_set = true;
	fp->cfg.features = 0x8000000000000000ULL;
	expect_error(fp, "feature bit 63 not implemented for this VM kind");
	fp = fresh(true);
	fp->cfg.features_set = true;
	fp->cfg.features = 0x140; /* bits 6 and 8: the lowest is named */
	expect_error(fp, "feature bit 6 not implemented for this VM kind");
}

static void ipa_bits_range(void **state)
{
	struct fake_platform *fp;

	(void)state;
	fp = fresh(false);
	fp->cfg.ipa_bits = 31;
	expect_error(fp, "IPA size must be 32..48 bits");
	fp = fresh(false);
	fp->cfg.ipa_bits = 49;
	expect_error(fp, "IPA size must be 32..48 bits");
	fp = fresh(false);
	fp->cfg.ipa_bits = 48;
	expect_ok(fp);
	fp = fresh(false);
	fp->cfg.ipa_bits = 33;
	expect_ok(fp);
}

static void ipa_bits_zero_means_40(void **state)
{
	struct fake_platform *fp = fresh(true);

	(void)state;
	fp->cfg.ipa_bits = 0;
	assert_int_equal(fp_create(fp, NULL), 0);
	assert_int_equal(fp->vm.cfg.ipa_bits, 40);
	assert_int_equal(fp->vm.s2.ipa_bits, 40);
	/* MMIO_GUARD at 2^40 is beyond, just below is inside. */
	fp_expect(fp, 0xC6000007ULL, 0x10000000000ULL, 0, 0, FP_MINUS3, 0, 0,
	          0);
	fp_expect(fp, 0xC6000007ULL, 0xFFFFFFF000ULL, 0, 0, 0, 0, 0, 0);
	drop(fp);
}

static void ram_outside_32bit_ipa_space(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	fp->cfg.ipa_bits = 32;
	/* RAM1 at 0x80000000 fits; RAM0 moved to straddle 4 GiB. */
	fp->cfg.ram[0].ipa = 0xFFFFF000ULL;
	fp->cfg.ram[0].size = 0x2000;
	expect_error(fp, "RAM range empty, not 4 KiB aligned or outside the "
	                 "IPA space");
	fp = fresh(false);
	fp->cfg.ipa_bits = 32;
	fp->cfg.ram[0].ipa = 0xFFFFE000ULL;
	fp->cfg.ram[0].size = 0x2000; /* ends exactly at the limit */
	expect_ok(fp);
}

static void no_ram_rejected(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	fp->cfg.nr_ram = 0;
	expect_error(fp, "no RAM range");
}

static void too_many_ram_ranges_rejected(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	fp->cfg.nr_ram = 5;
	expect_error(fp, "too many RAM ranges");
}

static void ram_shape_errors(void **state)
{
	static const char msg[] =
	        "RAM range empty, not 4 KiB aligned or outside the IPA space";
	const struct vhyp_mem_range bad[] = {
	        {0x40000000ULL, 0x100000000ULL, 0},
	        {0x40000800ULL, 0x100000000ULL, 0x1000},
	        {0x40000000ULL, 0x100000800ULL, 0x1000},
	        {0x40000000ULL, 0x100000000ULL, 0x1800},
	        {0xFFFFFFFFFFFFF000ULL, 0x100000000ULL, 0x1000},
	        {0x40000000ULL, 0xFFFFFFFFFFFFF000ULL, 0x2000}, /* PA wraps */
	        {0x10000000000ULL, 0x100000000ULL, 0x1000},
	        {0x40000000ULL, 0x1000000000000ULL, 0x1000}, /* PA >= 2^48 */
	        {0x40000000ULL, 0xFFFFFFFFF000ULL, 0x2000}, /* ends past 2^48 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fake_platform *fp = fresh(i % 2 == 0);
		fp->cfg.ram[0] = bad[i];
		expect_error(fp, msg);
	}
}

static void ram_overlap_rejected_adjacent_ok(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	fp->cfg.ram[1].ipa = FP_RAM0_IPA + FP_RAM0_SIZE - 0x1000;
	expect_error(fp, "RAM ranges overlap");
	fp = fresh(true);
	fp->cfg.ram[1].ipa = FP_RAM0_IPA + FP_RAM0_SIZE;
	expect_ok(fp);
	fp = fresh(false);
	fp->cfg.ram[1].ipa = FP_RAM0_IPA - 0x1000;
	fp->cfg.ram[1].size = 0x2000;
	expect_error(fp, "RAM ranges overlap");
}

static void device_window_errors(void **state)
{
	struct fake_platform *fp;

	(void)state;
	fp = fresh(false);
	fp->cfg.dev[0].ipa = FP_RAM0_IPA + 0x1000;
	expect_error(fp, "device window overlaps RAM");
	fp = fresh(true);
	fp->cfg.dev[1] = fp->cfg.dev[0];
	fp->cfg.nr_dev = 2;
	expect_error(fp, "device windows overlap");
	fp = fresh(false);
	fp->cfg.dev[0].size = 0x800;
	expect_error(fp, "device window empty, not 4 KiB aligned or outside "
	                 "the IPA space");
	fp = fresh(false);
	fp->cfg.dev[0].ipa = 0x10000000000ULL;
	expect_error(fp, "device window empty, not 4 KiB aligned or outside "
	                 "the IPA space");
	fp = fresh(false);
	fp->cfg.nr_dev = 17;
	expect_error(fp, "too many device windows");
}

static void sixteen_device_windows_ok(void **state)
{
	struct fake_platform *fp = fresh(false);

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		fp->cfg.dev[i] = (struct vhyp_mem_range){
		        0x08000000ULL + i * 0x10000ULL,
		        0x08000000ULL + i * 0x10000ULL, 0x1000};
	fp->cfg.nr_dev = 16;
	expect_ok(fp);
}

static void protected_needs_grant_and_revoke(void **state)
{
	struct fake_platform *fp = fresh(true);

	(void)state;
	fp->ops.host_revoke = NULL;
	expect_error(fp, "a protected VM needs host_grant and host_revoke");
	fp = fresh(true);
	fp->ops.host_grant = NULL;
	expect_error(fp, "a protected VM needs host_grant and host_revoke");
	fp = fresh(false);
	fp->ops.host_grant = NULL;
	fp->ops.host_revoke = NULL;
	expect_ok(fp);
}

static void missing_arguments_rejected(void **state)
{
	struct fake_platform *fp = fresh(false);
	const char *err = NULL;

	(void)state;
	assert_int_not_equal(vhyp_vm_create(&fp->vm, NULL, &fp->pool,
	                                    &fake_mmu_ops, &fp->mmu, &fp->ops,
	                                    fp, &fp->clock, &err),
	                     0);
	assert_string_equal(err, "missing VM, configuration, pool or ops");
	assert_int_not_equal(vhyp_vm_create(&fp->vm, &fp->cfg, &fp->pool,
	                                    &fake_mmu_ops, &fp->mmu, NULL, fp,
	                                    &fp->clock, NULL),
	                     0);
	drop(fp);
}

static void pool_too_small_leaves_nothing(void **state)
{
	struct fake_platform *fp = fresh(true);
	const char *err = NULL;

	(void)state;
	s2_pool_init(&fp->pool, fp->pool_mem, 0x7000000000ULL, 4);
	assert_int_equal(fp_create(fp, &err), -2);
	assert_string_equal(err, "stage-2 tables do not fit in the table pool");
	assert_int_equal(s2_pool_free_pages(&fp->pool), 4);
	drop(fp);
}

static void pool_without_root_rejected(void **state)
{
	struct fake_platform *fp = fresh(false);
	const char *err = NULL;

	(void)state;
	s2_pool_init(&fp->pool, fp->pool_mem, 0x7000000000ULL, 0);
	assert_int_not_equal(fp_create(fp, &err), 0);
	assert_string_equal(err, "stage-2 root does not fit in the table pool");
	drop(fp);
}

static void destroy_returns_every_page(void **state)
{
	struct fake_platform *fp = fresh(true);

	(void)state;
	assert_int_equal(fp_create(fp, NULL), 0);
	assert_true(s2_pool_free_pages(&fp->pool) < FP_POOL_PAGES);
	fp_expect(fp, 0xC6000007ULL, 0x20000000ULL, 0, 0, 0, 0, 0, 0);
	vhyp_vm_destroy(&fp->vm);
	fp->created = false;
	assert_int_equal(s2_pool_free_pages(&fp->pool), FP_POOL_PAGES);
	drop(fp);
}

static void ram_and_devices_mapped(void **state)
{
	struct fake_platform *fp = fresh(false);
	struct fp_pte dev, ram;

	(void)state;
	assert_int_equal(fp_create(fp, NULL), 0);
	dev = fp_lookup(fp, 0x09000000ULL);
	assert_true(dev.valid);
	assert_int_equal(dev.pte & 0x3CULL, 0x4ULL); /* MemAttr Device-nGnRE */
	assert_int_equal(dev.pte & 0x0000FFFFFFFFF000ULL, 0x09000000ULL);
	ram = fp_lookup(fp, 0x8000F000ULL);
	assert_true(ram.valid);
	assert_int_equal(ram.pte & 0x3CULL, 0x3CULL); /* Normal WB */
	assert_int_equal(ram.pte & 0x0000FFFFFFFFF000ULL, 0x20001F000ULL);
	assert_int_equal(ram.state, 0);
	assert_false(fp_lookup(fp, 0x60000000ULL).valid);
	drop(fp);
}

static void protected_unaligned_block_ram_all_pages(void **state)
{
	struct fake_platform *fp = fresh(true);

	(void)state;
	fp->cfg.ram[0] = (struct vhyp_mem_range){0x40001000ULL, 0x100001000ULL,
	                                         0x5FF000ULL};
	assert_int_equal(fp_create(fp, NULL), 0);
	for (uint64_t ipa = 0x40001000ULL; ipa < 0x40600000ULL; ipa += 0x1000) {
		struct fp_pte pte = fp_lookup(fp, ipa);
		assert_true(pte.valid);
		assert_int_equal(pte.level, 3);
		assert_int_equal(pte.pte & 0x0000FFFFFFFFF000ULL,
		                 ipa - 0x40000000ULL + 0x100000000ULL);
	}
	assert_false(fp_lookup(fp, 0x40000000ULL).valid);
	assert_false(fp_lookup(fp, 0x40600000ULL).valid);
	drop(fp);
}

static void config_copied_and_resolved(void **state)
{
	struct fake_platform *fp = fresh(true);

	(void)state;
	fp->cfg.ipa_bits = 0;
	fp->cfg.cntvoff = 99;
	assert_int_equal(fp_create(fp, NULL), 0);
	memset(&fp->cfg, 0xEE, sizeof(fp->cfg)); /* the VM keeps its copy */
	assert_int_equal(fp->vm.cfg.ipa_bits, 40);
	assert_int_equal(fp->vm.cfg.cntvoff, 99);
	assert_int_equal(fp->vm.cfg.nr_ram, 2);
	assert_true(fp->vm.cfg.protected_vm);
	assert_int_equal(fp->vm.cfg.features, 0x9F);
	assert_false(atomic_load(&fp->vm.mmio_guard_on));
	for (int i = 0; i < VHYP_CNT_NR; i++)
		assert_int_equal(atomic_load(&fp->vm.counters[i]), 0);
	vhyp_vm_destroy(&fp->vm);
	fp->created = false;
	drop(fp);
}

static void ram_range_lookup(void **state)
{
	struct fake_platform *fp = fresh(false);
	const struct vhyp_mem_range *r;

	(void)state;
	assert_int_equal(fp_create(fp, NULL), 0);
	r = vhyp_vm_ram_range(&fp->vm, 0x40000000ULL, 0x400000ULL);
	assert_non_null(r);
	assert_int_equal(r->pa, 0x100000000ULL);
	r = vhyp_vm_ram_range(&fp->vm, 0x8000FFFFULL, 1);
	assert_non_null(r);
	assert_int_equal(r->pa, 0x200010000ULL);
	assert_non_null(vhyp_vm_ram_range(&fp->vm, 0x40000000ULL, 0));
	assert_null(vhyp_vm_ram_range(&fp->vm, 0x40000000ULL, 0x400001ULL));
	assert_null(vhyp_vm_ram_range(&fp->vm, 0x3FFFFFFFULL, 1));
	assert_null(vhyp_vm_ram_range(&fp->vm, 0x80010000ULL, 1));
	assert_null(vhyp_vm_ram_range(&fp->vm, 0x40000001ULL, ~0ULL));
	assert_null(vhyp_vm_ram_range(&fp->vm, 0x09000000ULL, 4));
	drop(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(default_normal_features),
	        cmocka_unit_test(default_protected_features),
	        cmocka_unit_test(narrowed_features_accepted),
	        cmocka_unit_test(features_set_false_ignores_value),
	        cmocka_unit_test(normal_vm_protected_bit_rejected),
	        cmocka_unit_test(normal_vm_mmio_guard_bit_rejected),
	        cmocka_unit_test(protected_vm_unimplemented_bits_rejected),
	        cmocka_unit_test(ipa_bits_range),
	        cmocka_unit_test(ipa_bits_zero_means_40),
	        cmocka_unit_test(ram_outside_32bit_ipa_space),
	        cmocka_unit_test(no_ram_rejected),
	        cmocka_unit_test(too_many_ram_ranges_rejected),
	        cmocka_unit_test(ram_shape_errors),
	        cmocka_unit_test(ram_overlap_rejected_adjacent_ok),
	        cmocka_unit_test(device_window_errors),
	        cmocka_unit_test(sixteen_device_windows_ok),
	        cmocka_unit_test(protected_needs_grant_and_revoke),
	        cmocka_unit_test(missing_arguments_rejected),
	        cmocka_unit_test(pool_too_small_leaves_nothing),
	        cmocka_unit_test(pool_without_root_rejected),
	        cmocka_unit_test(destroy_returns_every_page),
	        cmocka_unit_test(ram_and_devices_mapped),
	        cmocka_unit_test(protected_unaligned_block_ram_all_pages),
	        cmocka_unit_test(config_copied_and_resolved),
	        cmocka_unit_test(ram_range_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
