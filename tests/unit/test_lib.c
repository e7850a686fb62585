// SPDX-License-Identifier: MIT
/*
 * The support library (lib/): the FDT reader's two ways of reading a tree
 * against each other on the QEMU-dumped DTBs of tests/unit/data, the
 * printf engine's formats (those the hypervisor's console and the guests
 * use), the number parser's edges, the rate limiter and the spinlock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include <lib/fdt.h>
#include <lib/fmt.h>
#include <lib/log.h>
#include <lib/parse.h>
#include <lib/spinlock.h>

#include "test_data.h"

/* ---- FDT ---- */

#define MAX_NODES 256

struct walked {
	int offset[MAX_NODES];
	unsigned depth[MAX_NODES];
	struct fdt_range reg0[MAX_NODES];
	int has_reg0[MAX_NODES];
	unsigned n;
};

static int record(const struct fdt *f, const struct fdt_node *n, void *ctx)
{
	struct walked *w = ctx;

	if (w->n >= MAX_NODES)
		return -1;
	w->offset[w->n] = n->offset;
	w->depth[w->n] = n->depth;
	w->has_reg0[w->n] = fdt_node_reg(f, n, 0, &w->reg0[w->n]) == 0;
	w->n++;
	return 0;
}

/* The validating walk and the node-handle navigation see the same nodes
 * in the same order at the same depths, and read the same reg. */
static void walk_matches_navigation(const char *file, unsigned want_nodes)
{
	struct blob d = test_data_load(file);
	struct fdt f;
	struct walked w = {0};
	int node, depth = 0;
	unsigned i = 0;

	assert_int_equal(fdt_open(&f, d.data, d.size), 0);
	assert_int_equal(fdt_walk(&f, record, &w), 0);
	assert_true(w.n >= want_nodes);
	for (node = fdt_root(&f); node >= 0;
	     node = fdt_next_node(&f, node, &depth), i++) {
		uint64_t addr, size;

		assert_true(i < w.n);
		assert_int_equal(node, w.offset[i]);
		assert_int_equal(depth, (int)w.depth[i]);
		if (i == 0)
			continue; /* the root has no parent to read reg with */
		assert_int_equal(fdt_reg(&f, node, 0, &addr, &size),
		                 w.has_reg0[i]);
		if (w.has_reg0[i]) {
			assert_int_equal(addr, w.reg0[i].base);
			assert_int_equal(size, w.reg0[i].size);
		}
	}
	assert_int_equal(i, w.n);
	free(d.data);
}

static void test_fdt_walk_vs_navigation(void **state)
{
	(void)state;
	walk_matches_navigation("qemu-virt-gicv3-smp2.dtb", 20);
	walk_matches_navigation("qemu-virt-gicv2-smp1.dtb", 20);
	walk_matches_navigation("qemu-virt-gicv3-smp8.dtb", 26);
	walk_matches_navigation("guest-2mem.dtb", 5);
}

static void test_fdt_known_nodes(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv3-smp8.dtb");
	struct fdt f;
	uint64_t addr, size;
	int uart, cpus, cpu7, n = 0, node = -1;
	(void)state;

	assert_int_equal(fdt_open(&f, d.data, d.size), 0);
	uart = fdt_find_compatible(&f, -1, "arm,pl011");
	assert_true(uart > 0);
	assert_true(fdt_node_name_is(fdt_name(&f, uart), "pl011"));
	assert_true(fdt_reg(&f, uart, 0, &addr, &size));
	assert_int_equal(addr, 0x09000000);
	assert_int_equal(size, 0x1000);
	assert_true(fdt_node_enabled(&f, uart));
	assert_int_equal(fdt_path(&f, "/pl011@9000000"), uart);
	cpus = fdt_path(&f, "/cpus");
	cpu7 = fdt_path(&f, "/cpus/cpu@7");
	assert_true(cpus > 0 && cpu7 > cpus);
	assert_int_equal(fdt_parent(&f, cpu7), cpus);
	assert_true(fdt_reg(&f, cpu7, 0, &addr, &size));
	assert_int_equal(addr, 7);
	assert_int_equal(size, 0); /* #size-cells = 0 */
	assert_false(fdt_reg(&f, cpu7, 1, &addr, &size));
	while ((node = fdt_find_compatible(&f, node, "virtio,mmio")) >= 0)
		n++;
	assert_int_equal(n, 32);
	assert_int_equal(fdt_u32(&f, cpus, "#address-cells", 9), 1);
	assert_int_equal(fdt_u32(&f, cpus, "no-such-prop", 9), 9);
	assert_int_equal(fdt_path(&f, "/cpus/cpu@8"), -1);
	assert_int_equal(fdt_path(&f, "cpus"), -1);
	free(d.data);
}

/* A declared size beyond the caller's bound, and a NULL blob, are refused
 * and leave the reader unusable rather than half open. */
static void test_fdt_open_bounds(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv3-smp2.dtb");
	struct fdt f;
	(void)state;

	assert_int_equal(fdt_open(&f, NULL, FDT_MAX_SIZE), -FDT_ERR_TRUNCATED);
	assert_int_equal(fdt_root(&f), -1);
	assert_int_equal(fdt_open(&f, d.data, d.size - 4), -FDT_ERR_TRUNCATED);
	assert_int_equal(fdt_root(&f), -1);
	assert_null(fdt_getprop(&f, 0, "compatible", NULL));
	assert_int_equal(fdt_open(&f, d.data, d.size), 0);
	assert_int_equal(fdt_root(&f), 0);
	free(d.data);
}

/* ---- printf ---- */

static void expect(const char *want, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void expect(const char *want, const char *fmt, ...)
{
	char buf[128], ref[128];
	va_list ap, ap2;
	size_t n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	(void)vsnprintf(ref, sizeof(ref), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	assert_string_equal(ref, want); /* the literal agrees with libc */
}

static void test_fmt_formats(void **state)
{
	(void)state;
	expect("vhyp: 42", "vhyp: %d", 42);
	expect("-7|-0007|   -7|-7   ", "%d|%05d|%5d|%-5d", -7, -7, -7, -7);
	expect("18446744073709551615", "%llu", 18446744073709551615ULL);
	expect("-9223372036854775808", "%lld", (long long)INT64_MIN);
	expect("0x00000000deadbeef", "0x%016llx", 0xdeadbeefULL);
	expect("DEADBEEF|deadbeef", "%X|%x", 0xdeadbeefU, 0xdeadbeefU);
	expect("ffffffff", "%x", 0xffffffffU);
	expect("4096 4096", "%zu %lu", (size_t)4096, 4096UL);
	expect("[ab]", "[%.2s]", "abcdef");
	expect("[abc]", "[%.*s]", 3, "abcdef");
	expect("[ab   ]", "[%-5.2s]", "abcdef");
	expect("[   hi]|[hi   ]", "[%5s]|[%-5s]", "hi", "hi");
	expect("[c][  c]", "[%c][%3c]", 'c', 'c');
	expect("100%", "100%%");
	expect("0x1234", "%p", (void *)0x1234);
}

static void test_fmt_truncation(void **state)
{
	char buf[8];
	(void)state;

	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"),
	                 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
	/* An unknown conversion is copied as is; a lone '%' at the end too. */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%q%"), 3);
	assert_string_equal(buf, "%q%");
}

/* ---- number parser ---- */

static int parses(const char *s, uint64_t *v)
{
	*v = 0x5a5a;
	return parse_u64(s, strlen(s), v);
}

static void test_parse_u64(void **state)
{
	uint64_t v;
	(void)state;

	assert_true(parses("0", &v));
	assert_int_equal(v, 0);
	assert_true(parses("1234", &v));
	assert_int_equal(v, 1234);
	assert_true(parses("0x40200000", &v));
	assert_int_equal(v, 0x40200000);
	assert_true(parses("0XABCdef", &v));
	assert_int_equal(v, 0xabcdef);
	assert_true(parses("18446744073709551615", &v));
	assert_int_equal(v, UINT64_MAX);
	assert_true(parses("0xffffffffffffffff", &v));
	assert_int_equal(v, UINT64_MAX);
	assert_true(parses("0x0000000000000000000001", &v));
	assert_int_equal(v, 1);
	/* Refused: *v untouched. */
	static const char *const bad[] = {
	        "",
	        "0x",
	        "0X",
	        "18446744073709551616",
	        "0x10000000000000000",
	        "-1",
	        "+1",
	        " 1",
	        "1 ",
	        "12a",
	        "0xfg",
	        "1x10",
	        "0b101",
	        "abc",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(parses(bad[i], &v));
		assert_int_equal(v, 0x5a5a);
	}
	/* Only len characters are read: "12" out of "123". */
	assert_true(parse_u64("123", 2, &v));
	assert_int_equal(v, 12);
	assert_false(parse_u64("123", 0, &v));
}

/* ---- rate limiter ---- */

static void test_log_limit(void **state)
{
	struct log_limit l = LOG_LIMIT_INIT(3);
	(void)state;

	log_set_threshold(LOG_INFO);
	assert_true(log_on(LOG_ALWAYS) && log_on(LOG_INFO));
	assert_false(log_on(LOG_TRACE));
	for (int i = 0; i < 3; i++)
		assert_int_equal(log_limit(&l, LOG_INFO), LOG_PRINT);
	assert_int_equal(log_limit(&l, LOG_INFO), LOG_PRINT_LAST);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(log_limit(&l, LOG_INFO), LOG_SKIP);
	assert_int_equal(l.count, 4); /* saturated: cannot wrap round */

	/* vhyp.log=2: everything, no limit. */
	log_set_threshold(LOG_TRACE);
	assert_int_equal(log_limit(&l, LOG_INFO), LOG_PRINT);
	assert_int_equal(log_limit(&l, LOG_TRACE), LOG_PRINT);
	/* vhyp.log=0: nothing counted, nothing printed. */
	struct log_limit q = LOG_LIMIT_INIT(3);
	log_set_threshold(LOG_ALWAYS);
	assert_int_equal(log_limit(&q, LOG_INFO), LOG_SKIP);
	assert_int_equal(q.count, 0);
	assert_int_equal(log_limit(&q, LOG_ALWAYS), LOG_PRINT);
	log_set_threshold(LOG_INFO);
}

/* ---- spinlock ---- */

static struct spinlock counter_lock = SPINLOCK_INIT;
static uint64_t counter;

static void *add_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200000; i++) {
		spin_lock(&counter_lock);
		counter++; /* a plain read-modify-write: lost without the lock
		            */
		spin_unlock(&counter_lock);
	}
	return NULL;
}

static void test_spinlock(void **state)
{
	pthread_t t[4];
	struct spinlock l = SPINLOCK_INIT;
	(void)state;

	assert_true(spin_trylock(&l));
	assert_false(spin_trylock(&l));
	spin_unlock(&l);
	assert_true(spin_trylock(&l));
	spin_init(&l);
	assert_true(spin_trylock(&l));

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, add_many, NULL),
		                 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(counter, 4 * 200000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fdt_walk_vs_navigation),
	        cmocka_unit_test(test_fdt_known_nodes),
	        cmocka_unit_test(test_fdt_open_bounds),
	        cmocka_unit_test(test_fmt_formats),
	        cmocka_unit_test(test_fmt_truncation),
	        cmocka_unit_test(test_parse_u64),
	        cmocka_unit_test(test_log_limit),
	        cmocka_unit_test(test_spinlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
