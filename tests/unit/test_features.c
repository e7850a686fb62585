// SPDX-License-Identifier: MIT
/*
 * core/vm: vhyp_features_parse, the runner's --features value: a comma
 * list of "features,ptp,meminfo,share,unshare,mmio_guard", or a number
 * (decimal or 0x hex).  Anything else is refused and *out left alone.
 */
#include "fake_platform.h"

#define UNTOUCHED 0x5A5A5A5A5A5A5A5AULL

static uint64_t parse_ok(const char *s)
{
	uint64_t v = UNTOUCHED;

	if (!vhyp_features_parse(s, &v))
		fail_msg("\"%s\" refused", s);
	return v;
}

static void parse_bad(const char *s)
{
	uint64_t v = UNTOUCHED;

	if (vhyp_features_parse(s, &v))
		fail_msg("\"%s\" accepted as 0x%llx", s ? s : "(null)",
		         (unsigned long long)v);
	assert_int_equal(v, UNTOUCHED);
}

static void each_name_is_its_bit(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("features"), 0x1);
	assert_int_equal(parse_ok("ptp"), 0x2);
	assert_int_equal(parse_ok("meminfo"), 0x4);
	assert_int_equal(parse_ok("share"), 0x8);
	assert_int_equal(parse_ok("unshare"), 0x10);
	assert_int_equal(parse_ok("mmio_guard"), 0x80);
}

static void full_list_is_protected_default(void **state)
{
	(void)state;
	assert_int_equal(
	        parse_ok("features,ptp,meminfo,share,unshare,mmio_guard"),
	        0x9F);
}

static void normal_default_list(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("features,ptp"), 0x3);
}

static void order_and_duplicates_do_not_matter(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("unshare,features,share,meminfo"), 0x1D);
	assert_int_equal(parse_ok("ptp,ptp,ptp"), 0x2);
}

static void unknown_names_refused(void **state)
{
	(void)state;
	parse_bad("foo");
	parse_bad("ptp,foo");
	parse_bad("foo,ptp");
	parse_bad("PTP");
	parse_bad("Features");
	parse_bad("uid");
	parse_bad("discover_impl");
}

static void prefixes_and_extensions_refused(void **state)
{
	(void)state;
	parse_bad("pt");
	parse_bad("ptpx");
	parse_bad("mmio");
	parse_bad("mmio_guard_");
	parse_bad("share2");
	parse_bad("featuresptp");
}

static void empty_items_refused(void **state)
{
	(void)state;
	parse_bad("");
	parse_bad(",");
	parse_bad("ptp,");
	parse_bad(",ptp");
	parse_bad("ptp,,share");
}

static void whitespace_refused(void **state)
{
	(void)state;
	parse_bad(" ptp");
	parse_bad("ptp ");
	parse_bad("ptp, share");
}

static void decimal_numbers(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("3"), 3);
	assert_int_equal(parse_ok("159"), 0x9F);
	assert_int_equal(parse_ok("18446744073709551615"),
	                 0xFFFFFFFFFFFFFFFFULL);
}

static void hex_numbers(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0x9f"), 0x9F);
	assert_int_equal(parse_ok("0X1D"), 0x1D);
	assert_int_equal(parse_ok("0x0"), 0);
	assert_int_equal(parse_ok("0xFFFFFFFFFFFFFFFF"), 0xFFFFFFFFFFFFFFFFULL);
}

static void bad_numbers_refused(void **state)
{
	(void)state;
	parse_bad("0x");
	parse_bad("12a");
	parse_bad("0xg");
	parse_bad("3,ptp");
	parse_bad("18446744073709551616");
	parse_bad("0x10000000000000000");
	parse_bad("99999999999999999999999");
	parse_bad("-1");
}

static void null_arguments_refused(void **state)
{
	uint64_t v = UNTOUCHED;

	(void)state;
	parse_bad(NULL);
	assert_false(vhyp_features_parse("ptp", NULL));
	assert_int_equal(v, UNTOUCHED);
}

/* A parsed list that widens the kind's default is refused at creation. */
static void parsed_protected_list_rejected_for_normal_vm(void **state)
{
	struct fake_platform fp;
	const char *err = NULL;

	(void)state;
	fp_init(&fp, false);
	fp.cfg.features_set = true;
	assert_true(
	        vhyp_features_parse("features,ptp,meminfo", &fp.cfg.features));
	assert_int_not_equal(fp_create(&fp, &err), 0);
	assert_string_equal(err,
	                    "feature bit 2 not implemented for this VM kind");
	fp_fini(&fp);
}

static void parsed_list_narrows_protected_vm(void **state)
{
	struct fake_platform fp;

	(void)state;
	fp_init(&fp, true);
	fp.cfg.features_set = true;
	assert_true(vhyp_features_parse("features,meminfo,share,unshare",
	                                &fp.cfg.features));
	assert_int_equal(fp_create(&fp, NULL), 0);
	fp_expect(&fp, 0x86000000ULL, 0, 0, 0, 0x1D, 0, 0, 0);
	fp_fini(&fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(each_name_is_its_bit),
	        cmocka_unit_test(full_list_is_protected_default),
	        cmocka_unit_test(normal_default_list),
	        cmocka_unit_test(order_and_duplicates_do_not_matter),
	        cmocka_unit_test(unknown_names_refused),
	        cmocka_unit_test(prefixes_and_extensions_refused),
	        cmocka_unit_test(empty_items_refused),
	        cmocka_unit_test(whitespace_refused),
	        cmocka_unit_test(decimal_numbers),
	        cmocka_unit_test(hex_numbers),
	        cmocka_unit_test(bad_numbers_refused),
	        cmocka_unit_test(null_arguments_refused),
	        cmocka_unit_test(parsed_protected_list_rejected_for_normal_vm),
	        cmocka_unit_test(parsed_list_narrows_protected_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
