// SPDX-License-Identifier: MIT
/*
 * hyp/fdt.c against real DTBs dumped from QEMU 7.2 virt (tests/unit/data,
 * made with `-M virt,virtualization=on,gic-version=N,dumpdtb=` and
 * `dtc -O dtb`), plus malformed blobs: truncations and byte corruptions of
 * the real ones, each in an exact-size heap buffer so that ASan catches any
 * read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_data.h"

#include "../../hyp/fdt.h"

static void test_board_gicv3_smp2(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv3-smp2.dtb");
	struct fdt_board b;
	(void)state;

	assert_int_equal(fdt_parse_board(d.data, d.size, &b), 0);
	assert_int_equal(b.nr_mem, 1);
	assert_int_equal(b.mem[0].base, 0x40000000);
	assert_int_equal(b.mem[0].size, 0x44000000);
	assert_int_equal(b.nr_cpus, 2);
	assert_int_equal(b.cpu_mpidr[0], 0);
	assert_int_equal(b.cpu_mpidr[1], 1);
	assert_int_equal(b.gic_version, 3);
	assert_int_equal(b.gicd.base, 0x08000000);
	assert_int_equal(b.gicd.size, 0x10000);
	assert_int_equal(b.nr_gicr, 1);
	assert_int_equal(b.gicr[0].base, 0x080a0000);
	assert_int_equal(b.gicr[0].size, 0xf60000);
	assert_int_equal(b.gicc.size, 0); /* QEMU's GICv3 node has no GICC */
	assert_int_equal(b.uart.base, 0x09000000);
	assert_int_equal(b.uart.size, 0x1000);
	assert_int_equal(b.rtc.base, 0x09010000);
	assert_int_equal(b.rtc.size, 0x1000);
	assert_int_equal(b.virtio.base, 0x0a000000);
	assert_int_equal(b.virtio.size, 0x4000);
	assert_non_null(b.bootargs);
	assert_string_equal(b.bootargs, "vhyp.entry=0x40200000 "
	                                "vhyp.dtb=0x48000000 vhyp.protected=1");
	assert_int_equal(b.bootargs_len, strlen(b.bootargs) + 1);
	free(d.data);
}

static void test_board_gicv2_smp1(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv2-smp1.dtb");
	struct fdt_board b;
	(void)state;

	assert_int_equal(fdt_parse_board(d.data, d.size, &b), 0);
	assert_int_equal(b.mem[0].size, 0x20000000);
	assert_int_equal(b.nr_cpus, 1);
	assert_int_equal(b.gic_version, 2);
	assert_int_equal(b.gicd.base, 0x08000000);
	assert_int_equal(b.gicc.base, 0x08010000);
	assert_int_equal(b.gich.base, 0x08030000);
	assert_int_equal(b.gicv.base, 0x08040000);
	assert_int_equal(b.nr_gicr, 0);
	free(d.data);
}

static void test_board_smp8(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv3-smp8.dtb");
	struct fdt_board b;
	(void)state;

	assert_int_equal(fdt_parse_board(d.data, d.size, &b), 0);
	assert_int_equal(b.nr_cpus, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(b.cpu_mpidr[i], i);
	assert_int_equal(b.mem[0].size, 0x84000000);
	free(d.data);
}

static void test_guest_memory_nodes(void **state)
{
	struct blob d = test_data_load("guest-2mem.dtb");
	struct fdt_range r[4];
	(void)state;

	/* Document order; the disabled node is skipped; two reg entries in
	 * one node are both reported. */
	assert_int_equal(fdt_parse_memory(d.data, d.size, r, 4), 3);
	assert_int_equal(r[0].base, 0x100000000ULL);
	assert_int_equal(r[0].size, 0x10000000);
	assert_int_equal(r[1].base, 0x200000000ULL);
	assert_int_equal(r[1].size, 0x1000000);
	assert_int_equal(r[2].base, 0x40000000);
	assert_int_equal(r[2].size, 0x3c000000);
	assert_int_equal(fdt_parse_memory(d.data, d.size, r, 2),
	                 -FDT_ERR_TOOMANY);
	free(d.data);
}

static void test_bad_header(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv3-smp2.dtb");
	struct fdt_board b;
	struct fdt f;
	(void)state;

	assert_int_equal(fdt_open(&f, d.data, 39), -FDT_ERR_TRUNCATED);
	/* Declared size larger than what is readable. */
	assert_int_equal(fdt_open(&f, d.data, d.size - 1), -FDT_ERR_TRUNCATED);
	d.data[0] ^= 0xff;
	assert_int_equal(fdt_parse_board(d.data, d.size, &b),
	                 -FDT_ERR_BADMAGIC);
	assert_int_equal(fdt_total_size(d.data), 0);
	d.data[0] ^= 0xff;
	assert_int_equal(fdt_total_size(d.data), d.size);
	/* Struct block pointing past the end. */
	d.data[8] = 0x7f;
	assert_int_equal(fdt_open(&f, d.data, d.size), -FDT_ERR_TRUNCATED);
	free(d.data);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Shrinks the block whose offset/size header words are at off_pos/size_pos
 * so that it ends within len bytes. */
static void clip_block(uint8_t *h, size_t len, unsigned off_pos,
                       unsigned size_pos)
{
	uint32_t off = rd32(h + off_pos), size = rd32(h + size_pos);

	if (off > len)
		wr32(h + size_pos, 0);
	else if (off + size > len)
		wr32(h + size_pos, (uint32_t)(len - off));
}

/* Every prefix of a real blob, with the header's totalsize and struct and
 * strings sizes clipped to the prefix so the walker really reads the
 * truncated data. */
static void test_truncations_never_overread(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv3-smp2.dtb");
	struct fdt_board b;
	unsigned ok = 0;
	(void)state;

	for (size_t len = 40; len < d.size; len++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, d.data, len);
		copy[4] = (uint8_t)(len >> 24);
		copy[5] = (uint8_t)(len >> 16);
		copy[6] = (uint8_t)(len >> 8);
		copy[7] = (uint8_t)len;
		clip_block(copy, len, 8, 36);  /* struct block */
		clip_block(copy, len, 12, 32); /* strings block */
		if (fdt_parse_board(copy, len, &b) == 0)
			ok++;
		free(copy);
	}
	/* The strings block is last; cutting into the struct or strings
	 * block must fail.  No prefix may parse. */
	assert_int_equal(ok, 0);
	free(d.data);
}

static void test_corruptions_never_overread(void **state)
{
	struct blob d = test_data_load("qemu-virt-gicv3-smp8.dtb");
	uint32_t seed = 12345;
	struct fdt_board b;
	(void)state;

	for (unsigned iter = 0; iter < 20000; iter++) {
		uint8_t *copy = malloc(d.size);
		memcpy(copy, d.data, d.size);
		for (unsigned k = 0; k < 3; k++) {
			seed = seed * 1103515245U + 12345U;
			size_t pos = 8 + (seed >> 8) % (d.size - 8);
			seed = seed * 1103515245U + 12345U;
			copy[pos] = (uint8_t)(seed >> 16);
		}
		(void)fdt_parse_board(copy, d.size, &b);
		if (b.bootargs != NULL)
			assert_true(b.bootargs_len > 0 &&
			            b.bootargs[b.bootargs_len - 1] == '\0');
		assert_true(b.nr_cpus <= FDT_MAX_CPUS);
		assert_true(b.nr_mem <= FDT_MAX_MEM);
		free(copy);
	}
	free(d.data);
}

/* A hand-built tree nested deeper than FDT_MAX_DEPTH. */
static void test_too_deep(void **state)
{
	uint32_t words[256];
	unsigned n = 0, depth = FDT_MAX_DEPTH + 2;
	uint8_t *blob;
	size_t size;
	struct fdt f;
	(void)state;

#define BE(v)                                                                  \
	((((v)&0xffU) << 24) | (((v)&0xff00U) << 8) | (((v) >> 8) & 0xff00U) | \
	 ((v) >> 24))
	for (unsigned i = 0; i < depth; i++) {
		words[n++] = BE(1U); /* BEGIN_NODE, empty name */
		words[n++] = 0;
	}
	for (unsigned i = 0; i < depth; i++)
		words[n++] = BE(2U);
	words[n++] = BE(9U);
	size = 40 + n * 4;
	blob = calloc(1, size);
	uint32_t hdr[10] = {BE(FDT_MAGIC),
	                    BE((uint32_t)size),
	                    BE(40U),
	                    BE((uint32_t)size),
	                    BE(40U),
	                    BE(17U),
	                    BE(16U),
	                    0,
	                    0,
	                    BE(n * 4U)};
	memcpy(blob, hdr, 40);
	memcpy(blob + 40, words, n * 4);
	assert_int_equal(fdt_open(&f, blob, size), 0);
	struct fdt_range r[1];
	assert_int_equal(fdt_parse_memory(blob, size, r, 1), -FDT_ERR_TOODEEP);
	free(blob);
#undef BE
}

static void test_name_match(void **state)
{
	(void)state;
	assert_true(fdt_node_name_is("memory@40000000", "memory"));
	assert_true(fdt_node_name_is("chosen", "chosen"));
	assert_false(fdt_node_name_is("memoryx@0", "memory"));
	assert_false(fdt_node_name_is("mem", "memory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_board_gicv3_smp2),
	        cmocka_unit_test(test_board_gicv2_smp1),
	        cmocka_unit_test(test_board_smp8),
	        cmocka_unit_test(test_guest_memory_nodes),
	        cmocka_unit_test(test_bad_header),
	        cmocka_unit_test(test_truncations_never_overread),
	        cmocka_unit_test(test_corruptions_never_overread),
	        cmocka_unit_test(test_too_deep),
	        cmocka_unit_test(test_name_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
