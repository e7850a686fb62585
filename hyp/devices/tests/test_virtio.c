// SPDX-License-Identifier: MIT
/*
 * Host test of the host-side virtio devices (hyp/devices/virtio*.c) on a
 * real core VM (tests/unit/support/fake_platform: real stage 2 and
 * page-state machine, real accessor).  The "guest" writes its rings and
 * buffers straight into the RAM that backs its IPAs and drives the
 * devices through the real MMIO dispatcher.
 *
 * Only hardware is faked, as in test_devices.c: the EL2 mapping and its
 * fault fixup (hyp_safe_copy faults unless host_grant mapped the granule),
 * the UART and the panic stop.  g_hyp.board.gicd.base is 0, so no
 * SPI is written; InterruptStatus is checked instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vhyp/kvm_vendor.h>

#include "devices/devices.h"
#include "devices/virtio.h"
#include "fake_hw.h"
#include "fake_platform.h"
#include "hyp.h"

static uint8_t ram0[FP_RAM0_SIZE];
static struct fake_platform *cur_fp;

static uint8_t *fake_el2(uintptr_t a)
{
	uint64_t pa = a;

	if (pa < FP_RAM0_PA || pa >= FP_RAM0_PA + FP_RAM0_SIZE)
		return (uint8_t *)a; /* hypervisor memory (the disk buffer) */
	if (!fp_host_has(cur_fp, pa & ~0xFFFULL))
		return NULL;
	return &ram0[pa - FP_RAM0_PA];
}

static void other_vcpu_reenables_interrupts(uintptr_t dst, uintptr_t src);

int hyp_safe_copy(void *dst, const void *src, size_t len)
{
	other_vcpu_reenables_interrupts((uintptr_t)dst, (uintptr_t)src);
	for (size_t i = 0; i < len; i++) {
		uint8_t *d = fake_el2((uintptr_t)dst + i);
		const uint8_t *s = fake_el2((uintptr_t)src + i);
		if (d == NULL || s == NULL)
			return -1;
		*d = *s;
	}
	return 0;
}

/* ---- the guest's side ---- */

#define G_RING                                                                 \
	(FP_RAM0_IPA + 0x10000ULL) /* desc 0, avail +0x400, used +0x800 */
#define G_DATA   (FP_RAM0_IPA + 0x11000ULL)
#define G_SECRET (FP_RAM0_IPA + 0x12000ULL) /* never shared */
#define QSIZE    8U

#define ESR_DABT_W32                                                           \
	((0x24ULL << 26) | (1ULL << 25) | (1ULL << 24) | (2ULL << 22) |        \
	 (3ULL << 16))
#define WNR (1ULL << 6)

static struct hyp_regs regs;
static uint8_t disk[4096];

static uint8_t *gmem(uint64_t ipa)
{
	return &ram0[ipa - FP_RAM0_IPA];
}

static void put16(uint64_t ipa, uint16_t v)
{
	memcpy(gmem(ipa), &v, 2);
}

static uint16_t get16(uint64_t ipa)
{
	uint16_t v;

	memcpy(&v, gmem(ipa), 2);
	return v;
}

static uint32_t get32(uint64_t ipa)
{
	uint32_t v;

	memcpy(&v, gmem(ipa), 4);
	return v;
}

/* Set by a test: when the device copies the data buffer at G_DATA+0x200,
 * "another vCPU" clears VRING_AVAIL_F_NO_INTERRUPT, as Linux's
 * virtqueue_enable_cb does while a request is in flight. */
static bool reenable_during_copy;

static void other_vcpu_reenables_interrupts(uintptr_t dst, uintptr_t src)
{
	uintptr_t data =
	        (uintptr_t)(FP_RAM0_PA + (G_DATA + 0x200 - FP_RAM0_IPA));

	if (reenable_during_copy && (dst == data || src == data)) {
		put16(G_RING + 0x400, 0);
		reenable_during_copy = false;
	}
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
	uint64_t d = G_RING + 16U * i;

	memcpy(gmem(d), &addr, 8);
	memcpy(gmem(d + 8), &len, 4);
	memcpy(gmem(d + 12), &flags, 2);
	memcpy(gmem(d + 14), &next, 2);
}

static uint32_t rd(uint64_t base, unsigned off)
{
	regs.x[3] = 0;
	assert_true(hyp_mmio_dispatch(&regs, 0, ESR_DABT_W32, base + off));
	return (uint32_t)regs.x[3];
}

static void wr(uint64_t base, unsigned off, uint32_t v)
{
	regs.x[3] = v;
	assert_true(
	        hyp_mmio_dispatch(&regs, 0, ESR_DABT_W32 | WNR, base + off));
}

static void share(struct fake_platform *fp, uint64_t ipa)
{
	fp_expect(fp, KVM_VENDOR_MEM_SHARE_FUNC_ID, ipa, 0, 0, 0, 0, 0, 0);
}

/* Negotiates features lo (bits 0..31) and hi (bits 32..63) and reports
 * whether FEATURES_OK stuck. */
static bool negotiate_all(uint64_t base, uint32_t lo, uint32_t hi)
{
	wr(base, 0x070, 0);
	wr(base, 0x070, 3);
	wr(base, 0x024, 0);
	wr(base, 0x020, lo);
	wr(base, 0x024, 1);
	wr(base, 0x020, hi);
	wr(base, 0x070, 3 | 8);
	return (rd(base, 0x070) & 8) != 0;
}

static bool negotiate(uint64_t base, uint32_t features_hi)
{
	return negotiate_all(base, 0, features_hi);
}

/* Queue q of base with its descriptor table at desc (avail and used rings
 * at G_RING+0x400/+0x800), after negotiating features (low word lo). */
static void setup_queue_at(uint64_t base, unsigned q, uint32_t lo,
                           uint64_t desc)
{
	assert_true(negotiate_all(base, lo, 3));
	wr(base, 0x030, q);
	assert_int_equal(rd(base, 0x034), HYP_VIRTIO_QUEUE_MAX);
	wr(base, 0x038, QSIZE);
	wr(base, 0x080, (uint32_t)desc);
	wr(base, 0x084, 0);
	wr(base, 0x090, (uint32_t)(G_RING + 0x400));
	wr(base, 0x094, 0);
	wr(base, 0x0a0, (uint32_t)(G_RING + 0x800));
	wr(base, 0x0a4, 0);
	wr(base, 0x044, 1);
	wr(base, 0x070, 3 | 8 | 4);
}

static void setup_queue(uint64_t base, unsigned q)
{
	setup_queue_at(base, q, 0, G_RING);
}

/* Publishes the chain at descriptor 0 as avail entry n-1 and notifies. */
static void submit(uint64_t base, unsigned q, uint16_t n)
{
	put16(G_RING + 0x400 + 4 + 2U * ((n - 1U) % QSIZE), 0);
	put16(G_RING + 0x400 + 2, n);
	wr(base, 0x050, q);
}

static int setup(void **state)
{
	int rc = fp_state_protected(state);
	struct fake_platform *fp = *state;

	cur_fp = fp;
	memset(ram0, 0, sizeof(ram0));
	memset(&regs, 0, sizeof(regs));
	memset(disk, 0, sizeof(disk));
	reenable_during_copy = false;
	memcpy(disk, "disk-sector-zero", 16);
	hyp_mmio_reset();
	g_hyp.cmd.log = 1;
	fake_uart_clear();
	assert_true(hyp_virtio_console_register(hyp_guest_of(&fp->vm)));
	assert_true(hyp_virtio_blk_register(hyp_guest_of(&fp->vm), disk,
	                                    sizeof(disk)));
	share(fp, G_RING);
	share(fp, G_DATA);
	return rc;
}

/* ---- tests ---- */

static void test_identity_and_features(void **state)
{
	(void)state;
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x000), 0x74726976);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x004), 2);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x008), 3);
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x008), 2);
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x014, 1);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x010), 3);
	/* Without ACCESS_PLATFORM, or with a bit not offered, FEATURES_OK
	 * does not stick. */
	assert_false(negotiate(HYP_VIRTIO_CONSOLE_BASE, 1));
	assert_false(negotiate(HYP_VIRTIO_CONSOLE_BASE, 2));
	assert_false(negotiate(HYP_VIRTIO_CONSOLE_BASE, 7));
	assert_true(negotiate(HYP_VIRTIO_CONSOLE_BASE, 3));
	/* blk capacity: 4096 bytes = 8 sectors */
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x100), 8);
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x104), 0);
}

static void test_console_shared_buffer_printed(void **state)
{
	struct hyp_host_stats before, after;

	(void)state;
	setup_queue(HYP_VIRTIO_CONSOLE_BASE, 1);
	memcpy(gmem(G_DATA), "hello hvc0\n", 11);
	put_desc(0, G_DATA, 11, 0, 0);
	hyp_host_stats(&before);
	submit(HYP_VIRTIO_CONSOLE_BASE, 1, 1);
	hyp_host_stats(&after);
	assert_non_null(strstr(fake_uart, "hello hvc0"));
	assert_int_equal(get16(G_RING + 0x800 + 2), 1); /* used idx */
	assert_int_equal(get32(G_RING + 0x800 + 4), 0); /* id */
	assert_int_equal(after.refused, before.refused);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x060) & 1, 1);
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x064, 1);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x060), 0);
}

static void test_console_private_buffer_refused(void **state)
{
	struct hyp_host_stats before, after;

	(void)state;
	setup_queue(HYP_VIRTIO_CONSOLE_BASE, 1);
	memcpy(gmem(G_SECRET), "SECRET\n", 7);
	put_desc(0, G_SECRET, 7, 0, 0);
	hyp_host_stats(&before);
	submit(HYP_VIRTIO_CONSOLE_BASE, 1, 1);
	hyp_host_stats(&after);
	assert_null(strstr(fake_uart, "SECRET"));
	assert_non_null(strstr(fake_uart, "refused by the accessor"));
	assert_int_equal(after.refused, before.refused + 1);
	assert_int_equal(after.faulted, before.faulted);
	/* The request still completes, with nothing written. */
	assert_int_equal(get16(G_RING + 0x800 + 2), 1);
	assert_int_equal(get32(G_RING + 0x800 + 8), 0);
}

static void test_console_receive_queue_held(void **state)
{
	(void)state;
	fake_uart_rx = NULL;
	setup_queue(HYP_VIRTIO_CONSOLE_BASE, 0);
	put_desc(0, G_DATA, 64, VIRTQ_DESC_F_WRITE, 0);
	submit(HYP_VIRTIO_CONSOLE_BASE, 0, 1);
	assert_int_equal(get16(G_RING + 0x800 + 2), 0);
	assert_false(hyp_virtio_console_poll()); /* still no input */
	assert_int_equal(get16(G_RING + 0x800 + 2), 0);
}

/* Input (a protected VM): the held buffer is filled when bytes arrive,
 * with as many as there are; not while the emulated PL011 reads them. */
static void test_console_receive_input(void **state)
{
	struct fake_platform *fp = *state;

	setup_queue(HYP_VIRTIO_CONSOLE_BASE, 0);
	put_desc(0, G_DATA, 4, VIRTQ_DESC_F_WRITE, 0);
	submit(HYP_VIRTIO_CONSOLE_BASE, 0, 1);
	fake_uart_rx = "typed";
	hyp_model_console_rx_irq(hyp_guest_of(&fp->vm), true); /* ttyAMA0 */
	assert_false(hyp_virtio_console_poll());
	assert_int_equal(get16(G_RING + 0x800 + 2), 0);
	hyp_model_console_rx_irq(hyp_guest_of(&fp->vm), false);
	assert_true(hyp_virtio_console_poll());
	assert_int_equal(get16(G_RING + 0x800 + 2), 1);
	assert_int_equal(get32(G_RING + 0x800 + 8), 4); /* used len */
	assert_memory_equal(gmem(G_DATA), "type", 4);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x060) & 1, 1);
	/* The rest waits for the next buffer, posted by a notify. */
	put_desc(0, G_DATA + 8, 64, VIRTQ_DESC_F_WRITE, 0);
	submit(HYP_VIRTIO_CONSOLE_BASE, 0, 2);
	assert_int_equal(get16(G_RING + 0x800 + 2), 2);
	assert_int_equal(get32(G_RING + 0x800 + 4 + 8 + 4), 1);
	assert_memory_equal(gmem(G_DATA + 8), "d", 1);
	assert_false(hyp_virtio_console_poll());
	fake_uart_rx = NULL;
}

/* A receive buffer in private memory gets nothing, and the input stays
 * for a buffer the host side may write. */
static void test_console_receive_private_refused(void **state)
{
	(void)state;
	setup_queue(HYP_VIRTIO_CONSOLE_BASE, 0);
	memcpy(gmem(G_SECRET), "SECRET", 6);
	put_desc(0, G_SECRET, 6, VIRTQ_DESC_F_WRITE, 0);
	submit(HYP_VIRTIO_CONSOLE_BASE, 0, 1);
	fake_uart_rx = "xy";
	assert_true(hyp_virtio_console_poll()); /* completed, empty */
	assert_int_equal(get16(G_RING + 0x800 + 2), 1);
	assert_int_equal(get32(G_RING + 0x800 + 8), 0);
	assert_memory_equal(gmem(G_SECRET), "SECRET", 6);
	assert_string_equal(fake_uart_rx, "xy"); /* nothing consumed */
	fake_uart_rx = NULL;
}

static void test_private_ring_needs_reset(void **state)
{
	struct fake_platform *fp = *state;

	(void)fp;
	assert_true(negotiate(HYP_VIRTIO_CONSOLE_BASE, 3));
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x030, 1);
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x038, QSIZE);
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x080, (uint32_t)G_SECRET);
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x090, (uint32_t)(G_SECRET + 0x400));
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x0a0, (uint32_t)(G_SECRET + 0x800));
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x044, 1);
	put16(G_SECRET + 0x400 + 2, 1);
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x050, 1);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x070) & 0x40, 0x40);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x060) & 2, 2);
	/* A reset clears it. */
	wr(HYP_VIRTIO_CONSOLE_BASE, 0x070, 0);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x070), 0);
}

static void test_chain_loop_completed_empty(void **state)
{
	(void)state;
	setup_queue(HYP_VIRTIO_CONSOLE_BASE, 1);
	memcpy(gmem(G_DATA), "loop", 4);
	put_desc(0, G_DATA, 4, VIRTQ_DESC_F_NEXT, 0); /* points at itself */
	submit(HYP_VIRTIO_CONSOLE_BASE, 1, 1);
	assert_int_equal(get16(G_RING + 0x800 + 2), 1);
	assert_null(strstr(fake_uart, "loop"));
	/* An index past the queue size too. */
	put_desc(0, G_DATA, 4, VIRTQ_DESC_F_NEXT, QSIZE);
	submit(HYP_VIRTIO_CONSOLE_BASE, 1, 2);
	assert_int_equal(get16(G_RING + 0x800 + 2), 2);
}

static void test_avail_index_too_far_ahead(void **state)
{
	(void)state;
	setup_queue(HYP_VIRTIO_CONSOLE_BASE, 1);
	put_desc(0, G_DATA, 4, 0, 0);
	submit(HYP_VIRTIO_CONSOLE_BASE, 1, QSIZE + 1);
	assert_int_equal(get16(G_RING + 0x800 + 2), 0);
	assert_int_equal(rd(HYP_VIRTIO_CONSOLE_BASE, 0x070) & 0x40, 0x40);
}

/* Header at G_DATA, data at G_DATA+0x200 (or dst), status at G_DATA+0x100. */
static uint8_t blk(uint32_t type, uint64_t sector, uint64_t data, uint16_t n)
{
	uint8_t hdr[16] = {0};

	hdr[0] = (uint8_t)type;
	memcpy(hdr + 8, &sector, 8);
	memcpy(gmem(G_DATA), hdr, 16);
	gmem(G_DATA + 0x100)[0] = 0xff;
	put_desc(0, G_DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, data, 512,
	         (uint16_t)(VIRTQ_DESC_F_NEXT |
	                    (type == 0 ? VIRTQ_DESC_F_WRITE : 0)),
	         2);
	put_desc(2, G_DATA + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(HYP_VIRTIO_BLK_BASE, 0, n);
	return gmem(G_DATA + 0x100)[0];
}

static void test_blk_read_write_shared(void **state)
{
	(void)state;
	setup_queue(HYP_VIRTIO_BLK_BASE, 0);
	assert_int_equal(blk(0, 0, G_DATA + 0x200, 1), 0);
	assert_memory_equal(gmem(G_DATA + 0x200), "disk-sector-zero", 16);
	assert_int_equal(get32(G_RING + 0x800 + 8), 513); /* data + status */
	memcpy(gmem(G_DATA + 0x200), "written-by-guest", 16);
	assert_int_equal(blk(1, 3, G_DATA + 0x200, 2), 0);
	assert_memory_equal(disk + 3 * 512, "written-by-guest", 16);
	/* Past the end of the disk: IOERR. */
	assert_int_equal(blk(0, 8, G_DATA + 0x200, 3), 1);
}

/* The device decides on the interrupt from the driver's flag as it is
 * after the used index is published: a flag cleared while the chain was
 * processed must not lose the interrupt (a driver that re-enabled
 * interrupts and saw no used entry yet sleeps until one comes). */
static void test_interrupt_flag_read_after_used_index(void **state)
{
	(void)state;
	setup_queue(HYP_VIRTIO_BLK_BASE, 0);
	put16(G_RING + 0x400, 1); /* VRING_AVAIL_F_NO_INTERRUPT */
	assert_int_equal(blk(0, 0, G_DATA + 0x200, 1), 0);
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x060) & 1U, 0); /* held */
	reenable_during_copy = true;
	assert_int_equal(blk(0, 0, G_DATA + 0x200, 2), 0);
	assert_false(reenable_during_copy); /* the hook ran mid-request */
	assert_int_equal(get16(G_RING + 0x800 + 2), 2);
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x060) & 1U, 1U);
}

static void test_blk_private_buffer_ioerr(void **state)
{
	struct hyp_host_stats before, after;

	(void)state;
	setup_queue(HYP_VIRTIO_BLK_BASE, 0);
	memset(gmem(G_SECRET), 0x5a, 4096);
	hyp_host_stats(&before);
	assert_int_equal(blk(0, 0, G_SECRET, 1), 1);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(gmem(G_SECRET)[i], 0x5a);
	assert_int_equal(blk(1, 1, G_SECRET, 2), 1);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(disk[512 + i], 0);
	hyp_host_stats(&after);
	assert_int_equal(after.refused, before.refused + 2);
	assert_int_equal(after.faulted, before.faulted);
}

/* A model that hands the accessor a "buffer" that is guest RAM (by PA) is
 * refused without a copy: the buffer would be guest memory not named by
 * IPA, outside the check. */
static void test_model_buffer_in_guest_ram_refused(void **state)
{
	struct fake_platform *fp = *state;
	hyp_guest_t g = hyp_guest_of(&fp->vm);
	void *in_ram = (void *)(uintptr_t)(FP_RAM0_PA + 0x11000ULL);
	void *straddle = (void *)(uintptr_t)(FP_RAM0_PA - 4ULL);
	struct hyp_host_stats before, after;

	hyp_host_stats(&before);
	assert_int_equal(hyp_guest_read(g, G_DATA, in_ram, 8),
	                 HYP_HOST_REFUSED);
	assert_int_equal(hyp_guest_write(g, G_DATA, in_ram, 8),
	                 HYP_HOST_REFUSED);
	assert_int_equal(hyp_guest_read(g, G_DATA, straddle, 8),
	                 HYP_HOST_REFUSED);
	hyp_host_stats(&after);
	assert_int_equal(after.refused, before.refused + 3);
	assert_int_equal(after.faulted, before.faulted);
	{ /* no disk: the request fails, nothing is looked at */
		struct hyp_disk_seg seg = {G_DATA, 512};
		struct hyp_disk_req r = {.segs = &seg, .nseg = 1};

		hyp_disk_rw(g, 0, &r, 1);
		assert_int_equal(r.status, HYP_DISK_EIO);
	}
}

/* ---- indirect descriptors (virtio-blk offers them) ---- */

#define INDIRECT_F (1U << VIRTIO_RING_F_INDIRECT_DESC)
#define G_TABLE    (G_DATA + 0x400) /* an indirect table, shared */

static void put_desc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                        uint16_t flags, uint16_t next)
{
	uint64_t d = table + 16U * i;

	memcpy(gmem(d), &addr, 8);
	memcpy(gmem(d + 8), &len, 4);
	memcpy(gmem(d + 12), &flags, 2);
	memcpy(gmem(d + 14), &next, 2);
}

/* Lays out a read of sector 0 into G_DATA+0x200 as a 3-entry indirect
 * table at G_TABLE, named by ring descriptor 0 with flags and len given;
 * not submitted. */
static void prepare_indirect(uint16_t ring_flags, uint32_t table_len)
{
	uint8_t hdr[16] = {0};

	memcpy(gmem(G_DATA), hdr, 16);
	gmem(G_DATA + 0x100)[0] = 0xff;
	memset(gmem(G_DATA + 0x200), 0, 512);
	put_desc_at(G_TABLE, 0, G_DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc_at(G_TABLE, 1, G_DATA + 0x200, 512,
	            VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc_at(G_TABLE, 2, G_DATA + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	put_desc(0, G_TABLE, table_len, ring_flags, 0);
}

static void indirect_read(uint16_t ring_flags, uint32_t table_len, uint16_t n)
{
	prepare_indirect(ring_flags, table_len);
	submit(HYP_VIRTIO_BLK_BASE, 0, n);
}

static void test_blk_indirect_table_read(void **state)
{
	(void)state;
	setup_queue_at(HYP_VIRTIO_BLK_BASE, 0, INDIRECT_F, G_RING);
	indirect_read(VIRTQ_DESC_F_INDIRECT, 48, 1);
	assert_int_equal(gmem(G_DATA + 0x100)[0], 0);
	assert_memory_equal(gmem(G_DATA + 0x200), "disk-sector-zero", 16);
	assert_int_equal(get16(G_RING + 0x800 + 2), 1);
	assert_int_equal(get32(G_RING + 0x800 + 8), 513); /* data + status */
}

/* Each malformed indirect chain is used with length 0 and nothing of it
 * is done: the status byte stays 0xff, the data buffer untouched. */
static void expect_bad_chain(uint16_t n)
{
	assert_int_equal(get16(G_RING + 0x800 + 2), n);
	assert_int_equal(
	        get32(G_RING + 0x800 + 4 + 8U * ((n - 1U) % QSIZE) + 4), 0);
	assert_int_equal(gmem(G_DATA + 0x100)[0], 0xff);
	assert_int_equal(gmem(G_DATA + 0x200)[0], 0);
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x070) & 0x40, 0);
}

static void test_blk_indirect_malformed(void **state)
{
	uint16_t n = 0;

	(void)state;
	/* Not negotiated: an indirect descriptor is a bad chain. */
	setup_queue_at(HYP_VIRTIO_BLK_BASE, 0, 0, G_RING);
	indirect_read(VIRTQ_DESC_F_INDIRECT, 48, ++n);
	expect_bad_chain(n);

	n = 0;
	setup_queue_at(HYP_VIRTIO_BLK_BASE, 0, INDIRECT_F, G_RING);
	/* INDIRECT together with NEXT. */
	indirect_read(VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 48, ++n);
	expect_bad_chain(n);
	/* A length that is not whole descriptors, and 0. */
	indirect_read(VIRTQ_DESC_F_INDIRECT, 40, ++n);
	expect_bad_chain(n);
	indirect_read(VIRTQ_DESC_F_INDIRECT, 0, ++n);
	expect_bad_chain(n);
	/* A table longer than a chain may be. */
	indirect_read(VIRTQ_DESC_F_INDIRECT, (HYP_VIRTIO_MAX_CHAIN + 1U) * 16U,
	              ++n);
	expect_bad_chain(n);
	/* An indirect descriptor inside the table (entry 1 names a
	 * second table holding the data descriptor). */
	prepare_indirect(VIRTQ_DESC_F_INDIRECT, 48);
	put_desc_at(G_TABLE + 0x100, 0, G_DATA + 0x200, 512,
	            VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put_desc_at(G_TABLE, 1, G_TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	submit(HYP_VIRTIO_BLK_BASE, 0, ++n);
	expect_bad_chain(n);
	/* A loop inside the table: entry 1 names itself. */
	prepare_indirect(VIRTQ_DESC_F_INDIRECT, 48);
	put_desc_at(G_TABLE, 1, G_DATA + 0x200, 512,
	            VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	submit(HYP_VIRTIO_BLK_BASE, 0, ++n);
	expect_bad_chain(n);
	/* An index past the table's end. */
	prepare_indirect(VIRTQ_DESC_F_INDIRECT, 48);
	put_desc_at(G_TABLE, 1, G_DATA + 0x200, 512,
	            VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	submit(HYP_VIRTIO_BLK_BASE, 0, ++n);
	expect_bad_chain(n);
}

/* A table in a granule the guest did not share is a ring the accessor
 * refuses: the queue stops (DEVICE_NEEDS_RESET), nothing is done. */
static void test_blk_indirect_table_private(void **state)
{
	(void)state;
	setup_queue_at(HYP_VIRTIO_BLK_BASE, 0, INDIRECT_F, G_RING);
	memset(gmem(G_SECRET), 0, 48);
	gmem(G_DATA + 0x100)[0] = 0xff;
	put_desc(0, G_SECRET, 48, VIRTQ_DESC_F_INDIRECT, 0);
	submit(HYP_VIRTIO_BLK_BASE, 0, 1);
	assert_int_equal(get16(G_RING + 0x800 + 2), 0);
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x070) & 0x40, 0x40);
	assert_int_equal(gmem(G_DATA + 0x100)[0], 0xff);
}

/* Descriptors are read 16 at a time; a window that runs into a private
 * granule is read again one descriptor at a time, so a chain that lies
 * wholly in shared memory still works: here the table's last two entries
 * of the shared page are the chain, the rest of the table is private. */
static void test_desc_window_into_private_granule(void **state)
{
	uint64_t table = G_DATA + 0x1000 - 32;
	uint8_t hdr[16] = {0};

	(void)state;
	setup_queue_at(HYP_VIRTIO_BLK_BASE, 0, 0, table);
	memcpy(gmem(G_DATA), hdr, 16);
	gmem(G_DATA + 0x100)[0] = 0xff;
	put_desc_at(table, 0, G_DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc_at(table, 1, G_DATA + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(HYP_VIRTIO_BLK_BASE, 0, 1);
	assert_int_equal(get16(G_RING + 0x800 + 2), 1);
	assert_int_equal(gmem(G_DATA + 0x100)[0], 0); /* a read of nothing */
	assert_int_equal(rd(HYP_VIRTIO_BLK_BASE, 0x070) & 0x40, 0);
}

/* Several chains in one notification (the block device takes them as a
 * batch): each is completed, in ring order, with its own status. */
static void test_blk_batch_of_chains(void **state)
{
	uint8_t hdr[16] = {0};

	(void)state;
	setup_queue_at(HYP_VIRTIO_BLK_BASE, 0, 0, G_RING);
	/* chain 0 (descs 0-2): read sector 0; chain 1 (3-5): read sector
	 * 9, past the end; chain 2 (6-7): a flush. */
	memcpy(gmem(G_DATA), hdr, 16);
	hdr[8] = 9;
	memcpy(gmem(G_DATA + 0x10), hdr, 16);
	hdr[0] = VIRTIO_BLK_T_FLUSH;
	hdr[8] = 0;
	memcpy(gmem(G_DATA + 0x20), hdr, 16);
	memset(gmem(G_DATA + 0x100), 0xff, 3);
	put_desc(0, G_DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, G_DATA + 0x200, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
	         2);
	put_desc(2, G_DATA + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	put_desc(3, G_DATA + 0x10, 16, VIRTQ_DESC_F_NEXT, 4);
	put_desc(4, G_DATA + 0x400, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
	         5);
	put_desc(5, G_DATA + 0x101, 1, VIRTQ_DESC_F_WRITE, 0);
	put_desc(6, G_DATA + 0x20, 16, VIRTQ_DESC_F_NEXT, 7);
	put_desc(7, G_DATA + 0x102, 1, VIRTQ_DESC_F_WRITE, 0);
	put16(G_RING + 0x400 + 4, 0);
	put16(G_RING + 0x400 + 6, 3);
	put16(G_RING + 0x400 + 8, 6);
	put16(G_RING + 0x400 + 2, 3);
	wr(HYP_VIRTIO_BLK_BASE, 0x050, 0);
	assert_int_equal(get16(G_RING + 0x800 + 2), 3);
	assert_int_equal(get32(G_RING + 0x800 + 4), 0); /* ids in order */
	assert_int_equal(get32(G_RING + 0x800 + 12), 3);
	assert_int_equal(get32(G_RING + 0x800 + 20), 6);
	assert_int_equal(gmem(G_DATA + 0x100)[0], VIRTIO_BLK_S_OK);
	assert_int_equal(gmem(G_DATA + 0x101)[0], VIRTIO_BLK_S_IOERR);
	assert_int_equal(gmem(G_DATA + 0x102)[0], VIRTIO_BLK_S_OK);
	assert_memory_equal(gmem(G_DATA + 0x200), "disk-sector-zero", 16);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fp_state_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_identity_and_features),
	        T(test_console_shared_buffer_printed),
	        T(test_console_private_buffer_refused),
	        T(test_console_receive_queue_held),
	        T(test_console_receive_input),
	        T(test_console_receive_private_refused),
	        T(test_private_ring_needs_reset),
	        T(test_chain_loop_completed_empty),
	        T(test_avail_index_too_far_ahead),
	        T(test_blk_read_write_shared),
	        T(test_interrupt_flag_read_after_used_index),
	        T(test_blk_private_buffer_ioerr),
	        T(test_model_buffer_in_guest_ram_refused),
	        T(test_blk_indirect_table_read),
	        T(test_blk_indirect_malformed),
	        T(test_blk_indirect_table_private),
	        T(test_desc_window_into_private_granule),
	        T(test_blk_batch_of_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
