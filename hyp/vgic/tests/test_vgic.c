// SPDX-License-Identifier: MIT
/*
 * Host test of the moderated GIC (hyp/vgic): the decoders run through the
 * real MMIO dispatcher (hyp/devices/mmio.c) against a fake GIC, plain
 * memory standing for the physical registers.  Each test checks what a
 * guest access leaves in that memory (what was forwarded) and what the
 * guest reads back: the LPI registers never reach the hardware, the
 * reserved PPIs' bits and bytes are never written, IROUTER and ITARGETSR
 * only name the VM's CPUs, ISV=0 is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devices/devices.h"
#include "fake_hw.h"
#include "hyp.h"
#include "vgic/vgic.h"

/* hyp_mmio_reset (devices/mmio.c) also forgets the device models' guest
 * handles (devices/model_glue.c); this test registers no device model, so
 * there is nothing to forget and the accessor stays out of the link. */
void hyp_guest_reset(void)
{
}

#define FRAME     0x20000U
#define NR_FRAMES 4U /* the board has 4, the VM 2 vCPUs */
#define GICD_SIZE 0x10000U
#define ESR_DABT  ((0x24ULL << 26) | (1ULL << 25) | (1ULL << 24))
#define WNR       (1ULL << 6)
#define SF        (1ULL << 15)
#define LOG2(sz)  ((sz) == 8 ? 3U : (sz) == 4 ? 2U : (sz) == 2 ? 1U : 0U)

static uint8_t *gicd, *gicr;
static struct vhyp_vm vm;
static struct hyp_regs regs;

static uint32_t *r32(uint8_t *base, uint64_t off)
{
	return (uint32_t *)(void *)(base + off);
}
static uint64_t *r64(uint8_t *base, uint64_t off)
{
	return (uint64_t *)(void *)(base + off);
}

static bool access(uint8_t *base, uint64_t off, unsigned size, bool write,
                   uint64_t *v)
{
	uint64_t esr = ESR_DABT | ((uint64_t)LOG2(size) << 22) | (3ULL << 16) |
	               (size == 8 ? SF : 0) | (write ? WNR : 0);
	bool ok;

	regs.x[3] = write ? *v : 0;
	ok = hyp_mmio_dispatch(&regs, 0, esr, (uintptr_t)base + off);
	if (!write)
		*v = regs.x[3];
	return ok;
}

static uint64_t gread(uint8_t *base, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	assert_true(access(base, off, size, false, &v));
	return v;
}

static void gwrite(uint8_t *base, uint64_t off, unsigned size, uint64_t v)
{
	assert_true(access(base, off, size, true, &v));
}

static void board(unsigned version)
{
	memset(&g_hyp, 0, sizeof(g_hyp));
	memset(&vm, 0, sizeof(vm));
	memset(gicd, 0, GICD_SIZE);
	memset(gicr, 0, NR_FRAMES * FRAME);
	hyp_mmio_reset();
	fake_uart_clear();
	g_hyp.board.gic_version = version;
	g_hyp.board.gicd.base = (uintptr_t)gicd;
	g_hyp.board.gicd.size = GICD_SIZE;
	g_hyp.nr_cpus = 2;
	g_hyp.cpus[0].mpidr = 0x0;
	g_hyp.cpus[1].mpidr = 0x100; /* Aff1 = 1 */
	if (version == 3) {
		g_hyp.board.gicr[0].base = (uintptr_t)gicr;
		g_hyp.board.gicr[0].size = NR_FRAMES * FRAME;
		g_hyp.board.nr_gicr = 1;
		/* QEMU's values, with LPIs offered. */
		*r32(gicd, 0x4) = 0x037a0007U | (1U << 16) | (1U << 18);
		*r32(gicd, 0x0) = 0x50;
		for (unsigned f = 0; f < NR_FRAMES; f++) {
			uint64_t aff = f == 1 ? 0x100 : f == 0 ? 0 : 0x200 + f;
			*r64(gicr, f * FRAME + 8) =
			        (aff << 32) | 0x1ULL | 0x8ULL |
			        (f + 1U == NR_FRAMES ? 0x10ULL : 0);
			/* Asleep; memory cannot clear ChildrenAsleep. */
			*r32(gicr, f * FRAME + 0x14) = 0x2;
			*r32(gicr, f * FRAME + 0xFFE8) = 0x4B; /* GICv4 */
		}
	}
	hyp_vgic_setup(&vm);
}

static int setup(void **state)
{
	(void)state;
	gicd = aligned_alloc(0x10000, GICD_SIZE);
	gicr = aligned_alloc(0x10000, NR_FRAMES * FRAME);
	return gicd == NULL || gicr == NULL;
}

static int teardown(void **state)
{
	(void)state;
	free(gicd);
	free(gicr);
	return 0;
}

static void test_v3_boot(void **state)
{
	(void)state;
	board(3);
	/* Affinity routing and both groups on; every redistributor awake;
	 * SPIs and SGIs/PPIs in Group 1. */
	assert_int_equal(*r32(gicd, 0x0), 0x53);
	for (unsigned f = 0; f < 2; f++) {
		assert_int_equal(*r32(gicr, f * FRAME + 0x14) & 2U, 0);
		assert_int_equal(*r32(gicr, f * FRAME + 0x10080), 0xFFFFFFFFU);
	}
	assert_int_equal(*r32(gicd, 0x84), 0xFFFFFFFFU);
}

static void test_v3_ids(void **state)
{
	uint64_t t0, t1;

	(void)state;
	board(3);
	assert_int_equal(gread(gicd, 0x4, 4) & 0x70000U, 0);
	assert_int_equal((gread(gicd, 0xFFE8, 4) >> 4) & 0xF, 3);
	t0 = gread(gicr, 0x8, 8);
	t1 = gread(gicr, FRAME + 0x8, 8);
	assert_int_equal(t0 & 0xBFU, 0);     /* no LPI bits, no Last */
	assert_int_equal(t1 & 0xBFU, 0x10U); /* Last on the last vCPU */
	assert_int_equal(t1 >> 32, 0x100);   /* CPU 1's affinity */
	assert_int_equal(gread(gicr, FRAME + 0xC, 4), 0x100);
	assert_int_equal((gread(gicr, 0xFFE8, 4) >> 4) & 0xF, 3);
}

static void test_v3_lpi_registers_never_forwarded(void **state)
{
	static const unsigned offs[] = {0x0,  0x40, 0x48, 0x70,
	                                0x78, 0xA0, 0xB0, 0xC0};
	(void)state;
	board(3);
	for (unsigned f = 0; f < 2; f++)
		for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			uint64_t off = f * FRAME + offs[i];

			gwrite(gicr, off, 8, 0x60000000ULL | 0xF);
			gwrite(gicr, off, 4, 0xFFFFFFFFU);
			assert_int_equal(*r64(gicr, off), 0);
			assert_int_equal(gread(gicr, off, 8), 0);
		}
}

static void test_v3_reserved_ppis(void **state)
{
	(void)state;
	board(3);
	gwrite(gicr, FRAME + 0x10100, 4, 0xFFFFFFFFU); /* ISENABLER0 */
	assert_int_equal(*r32(gicr, FRAME + 0x10100), 0xF9FFFFFFU);
	*r32(gicr, FRAME + 0x10200) = 0xFFFFFFFFU; /* physical pending */
	assert_int_equal(gread(gicr, FRAME + 0x10200, 4), 0xF9FFFFFFU);
	/* Priorities 24..27: bytes of 25 and 26 never written. */
	*r32(gicr, 0x10418) = 0xAAAAAAAAU;
	gwrite(gicr, 0x10418, 4, 0x11223344U);
	assert_int_equal(*r32(gicr, 0x10418), 0x11AAAA44U);
	gwrite(gicr, 0x10419, 1, 0x00);
	assert_int_equal(*r32(gicr, 0x10418), 0x11AAAA44U);
	assert_int_equal(gread(gicr, 0x10418, 4), 0x11000044U);
	/* ICFGR1: the fields of 25 and 26 (bits 18..21) kept. */
	*r32(gicr, 0x10C04) = 0;
	gwrite(gicr, 0x10C04, 4, 0xFFFFFFFFU);
	assert_int_equal(*r32(gicr, 0x10C04), 0xFFC3FFFFU);
	/* A byte access to a 32-bit register is ignored. */
	*r32(gicr, 0x10180) = 0;
	gwrite(gicr, 0x10180, 1, 0xFF);
	assert_int_equal(*r32(gicr, 0x10180), 0);
}

static void test_v3_ctlr_waker(void **state)
{
	(void)state;
	board(3);
	gwrite(gicd, 0x0, 4, 0);
	assert_int_equal(*r32(gicd, 0x0), 0x53);
	*r32(gicd, 0x0) = 0x80000053U; /* RWP never shown */
	assert_int_equal(gread(gicd, 0x0, 4), 0x53);
	/* WAKER: the guest's view changes, the hardware stays awake. */
	assert_int_equal(gread(gicr, FRAME + 0x14, 4), 0x6);
	gwrite(gicr, FRAME + 0x14, 4, 0);
	assert_int_equal(gread(gicr, FRAME + 0x14, 4), 0);
	gwrite(gicr, FRAME + 0x14, 4, 2);
	assert_int_equal(gread(gicr, FRAME + 0x14, 4), 0x6);
	assert_int_equal(*r32(gicr, FRAME + 0x14), 0);
}

static void test_v3_irouter(void **state)
{
	uint64_t a = 0x6000 + 8 * 100;

	(void)state;
	board(3);
	gwrite(gicd, a, 8, 0x100); /* CPU 1 */
	assert_int_equal(*r64(gicd, a), 0x100);
	gwrite(gicd, a, 8, 1ULL << 31); /* IRM */
	gwrite(gicd, a, 8, 0x203);      /* a board CPU not in the VM */
	gwrite(gicd, a + 4, 4, 0x7F);   /* Aff3 forged through a half */
	assert_int_equal(*r64(gicd, a), 0x100);
	gwrite(gicd, a, 4, 0x0); /* the low half alone: CPU 0 */
	assert_int_equal(*r64(gicd, a), 0);
	gwrite(gicd, 0x6000 + 8 * 5, 8, 0x100); /* IROUTER5: reserved */
	assert_int_equal(*r64(gicd, 0x6000 + 8 * 5), 0);
}

static void test_v3_frames_beyond(void **state)
{
	(void)state;
	board(3);
	gwrite(gicr, 2 * FRAME + 0x70, 8, 0x60000000ULL);
	gwrite(gicr, 2 * FRAME + 0x10100, 4, 0xFFFFFFFFU);
	assert_int_equal(*r64(gicr, 2 * FRAME + 0x70), 0);
	assert_int_equal(*r32(gicr, 2 * FRAME + 0x10100), 0);
	assert_int_equal(gread(gicr, 2 * FRAME + 0x8, 8), 0);
	assert_int_equal(gread(gicr, 3 * FRAME + 0xFFE8, 4), 0);
}

static void test_isv0_refused(void **state)
{
	(void)state;
	board(3);
	regs.x[3] = 0;
	assert_false(hyp_mmio_dispatch(&regs, 0, (0x24ULL << 26) | WNR,
	                               (uintptr_t)gicd + 0x100));
}

static void test_v3_counters_and_verdict(void **state)
{
	(void)state;
	board(3);
	gwrite(gicr, 0x70, 8, 0x1234000);
	(void)gread(gicd, 0x4, 4);
	hyp_vgic_print_stats();
	assert_non_null(strstr(fake_uart, "gic: physical LPIs off, tables "
	                                  "untouched"));
	assert_null(strstr(fake_uart, "VIOLATION"));
	/* A change behind the guest's back is reported. */
	fake_uart_clear();
	*r64(gicr, FRAME + 0x78) = 0x60000000ULL;
	*r32(gicr, 0x10100) |= 1U << 26;
	hyp_vgic_print_stats();
	assert_non_null(strstr(fake_uart, "VIOLATION"));
	assert_null(strstr(fake_uart, "physical LPIs off"));
}

static void test_v2(void **state)
{
	(void)state;
	board(2);
	assert_int_equal(*r32(gicd, 0x0), 0x3);
	gwrite(gicd, 0x0, 4, 0);
	assert_int_equal(*r32(gicd, 0x0), 0x3);
	/* ITARGETSR of SPI 100: only the VM's two CPU interfaces. */
	gwrite(gicd, 0x800 + 100, 1, 0xFF);
	assert_int_equal(gicd[0x800 + 100], 0x3);
	gwrite(gicd, 0x800 + 4, 1, 0xFF); /* SGI/PPI targets: read-only */
	assert_int_equal(gicd[0x804], 0);
	/* GICD_SGIR: reserved filter and missing CPUs only are dropped. */
	gwrite(gicd, 0xF00, 4, (3U << 24) | (0xFFU << 16) | 5);
	assert_int_equal(*r32(gicd, 0xF00), 0);
	gwrite(gicd, 0xF00, 4, (0xFCU << 16) | 5);
	assert_int_equal(*r32(gicd, 0xF00), 0);
	gwrite(gicd, 0xF00, 4, (1U << 15) | (0xFFU << 16) | 5);
	assert_int_equal(*r32(gicd, 0xF00), (0x3U << 16) | 5);
	/* Reserved PPIs. */
	gwrite(gicd, 0x100, 4, 0xFFFFFFFFU);
	assert_int_equal(*r32(gicd, 0x100), 0xF9FFFFFFU);
	gwrite(gicd, 0x400 + 25, 1, 0x10);
	assert_int_equal(gicd[0x400 + 25], 0);
	/* IGROUPR writes are ignored (Linux keeps Group 0). */
	gwrite(gicd, 0x84, 4, 0xFFFFFFFFU);
	assert_int_equal(*r32(gicd, 0x84), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_v3_boot),
	        cmocka_unit_test(test_v3_ids),
	        cmocka_unit_test(test_v3_lpi_registers_never_forwarded),
	        cmocka_unit_test(test_v3_reserved_ppis),
	        cmocka_unit_test(test_v3_ctlr_waker),
	        cmocka_unit_test(test_v3_irouter),
	        cmocka_unit_test(test_v3_frames_beyond),
	        cmocka_unit_test(test_isv0_refused),
	        cmocka_unit_test(test_v3_counters_and_verdict),
	        cmocka_unit_test(test_v2),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
