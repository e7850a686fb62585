// SPDX-License-Identifier: MIT
/*
 * Host test of the host side (hyp/devices): the data-abort decode and
 * dispatch on saved registers, device registration, the accessor and the
 * raw read on a real core VM (tests/unit/support/fake_platform: real
 * stage 2 and page-state machine), the isolation probe's registers and
 * commands, and the PL011 model's line buffering.
 *
 * Only hardware is faked: the EL2 mapping and its fault fixup
 * (hyp_safe_copy: guest "PAs" are backed by a buffer and fault unless the
 * granule is in the fake platform's host-access set, which host_grant and
 * host_revoke maintain), the UART and the panic stop.
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
#include "fake_hw.h"
#include "fake_platform.h"
#include "hyp.h"

/* ---- fakes of the hardware ---- */

static uint8_t ram0[FP_RAM0_SIZE]; /* backs PA FP_RAM0_PA.. */
static struct fake_platform *cur_fp;
static bool mapping_override; /* the test controls the fake EL2 map */
static bool mapping_present;

/* A fake guest PA: its host address, or NULL when the fake EL2 stage 1
 * does not map it (the copy would fault). */
static uint8_t *fake_el2(uintptr_t a)
{
	uint64_t pa = a;

	if (pa < FP_RAM0_PA || pa >= FP_RAM0_PA + FP_RAM0_SIZE)
		return (uint8_t *)a; /* hypervisor memory (a local buffer) */
	if (mapping_override ? !mapping_present
	                     : !fp_host_has(cur_fp, pa & ~0xFFFULL))
		return NULL;
	return &ram0[pa - FP_RAM0_PA];
}

int hyp_safe_copy(void *dst, const void *src, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t *d = fake_el2((uintptr_t)dst + i);
		const uint8_t *s = fake_el2((uintptr_t)src + i);
		if (d == NULL || s == NULL)
			return -1;
		*d = *s;
	}
	return 0;
}

/* ---- helpers ---- */

#define ESR_DABT      ((0x24ULL << 26) | (1ULL << 25) | (1ULL << 24))
#define SAS(n)        ((uint64_t)(n) << 22)
#define SSE           (1ULL << 21)
#define SRT(r)        ((uint64_t)(r) << 16)
#define SF            (1ULL << 15)
#define WNR           (1ULL << 6)
#define SIZE_LOG2(sz) ((sz) == 8 ? 3U : (sz) == 4 ? 2U : (sz) == 2 ? 1U : 0U)

static struct hyp_regs regs;

/* What the recording device (rec_dev) last saw. */
static uint64_t rec_off, rec_val;
static unsigned rec_size, rec_cpu, rec_writes, rec_reads;
static uint64_t rec_read_value;

static uint64_t esr_for(unsigned size, unsigned reg, bool write, bool sse,
                        bool x)
{
	return ESR_DABT | SAS(SIZE_LOG2(size)) | SRT(reg) | (write ? WNR : 0) |
	       (sse ? SSE : 0) | (x ? SF : 0);
}

/* A 64-bit guest access through the dispatcher on vCPU cpu (x3). */
static bool mmio64(unsigned cpu, uint64_t ipa, bool write, uint64_t *v)
{
	bool ok;

	regs.x[3] = write ? *v : 0;
	ok = hyp_mmio_dispatch(&regs, cpu, esr_for(8, 3, write, false, true),
	                       ipa);
	if (!write)
		*v = regs.x[3];
	return ok;
}

static int setup_protected(void **state)
{
	int rc = fp_state_protected(state);

	cur_fp = *state;
	mapping_override = false;
	memset(ram0, 0, sizeof(ram0));
	memset(&regs, 0, sizeof(regs));
	rec_off = rec_val = rec_read_value = 0;
	rec_size = rec_cpu = rec_writes = rec_reads = 0;
	hyp_mmio_reset();
	g_hyp.cmd.log = 1;
	fake_uart_clear();
	return rc;
}

static void share(struct fake_platform *fp, uint64_t ipa)
{
	fp_expect(fp, KVM_VENDOR_MEM_SHARE_FUNC_ID, ipa, 0, 0, 0, 0, 0, 0);
}

static void unshare(struct fake_platform *fp, uint64_t ipa)
{
	fp_expect(fp, KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa, 0, 0, 0, 0, 0, 0);
}

/* ---- decode ---- */

static void test_decode_fields(void **state)
{
	struct hyp_mmio_access a;

	(void)state;
	/* LDR W0, [x] as QEMU reports it for the isolation guest. */
	assert_true(hyp_mmio_decode(0x93800006ULL, &a));
	assert_int_equal(a.size, 4);
	assert_int_equal(a.reg, 0);
	assert_false(a.write);
	assert_false(a.sign_extend);
	assert_false(a.reg64);
	assert_true(hyp_mmio_decode(esr_for(2, 30, true, true, true), &a));
	assert_int_equal(a.size, 2);
	assert_int_equal(a.reg, 30);
	assert_true(a.write);
	assert_true(a.sign_extend);
	assert_true(a.reg64);
	/* ISV = 0, S1PTW, CM: not emulable. */
	assert_false(hyp_mmio_decode(
	        esr_for(4, 1, false, false, false) & ~(1ULL << 24), &a));
	assert_false(hyp_mmio_decode(
	        esr_for(4, 1, false, false, false) | (1ULL << 7), &a));
	assert_false(hyp_mmio_decode(
	        esr_for(4, 1, true, false, false) | (1ULL << 8), &a));
}

/* ---- registration and dispatch ---- */

static uint64_t rec_read(void *ctx, unsigned cpu, uint64_t off, unsigned size)
{
	(void)ctx;
	rec_cpu = cpu;
	rec_off = off;
	rec_size = size;
	rec_reads++;
	return rec_read_value;
}

static void rec_write(void *ctx, unsigned cpu, uint64_t off, unsigned size,
                      uint64_t val)
{
	(void)ctx;
	rec_cpu = cpu;
	rec_off = off;
	rec_size = size;
	rec_val = val;
	rec_writes++;
}

static struct hyp_mmio_device rec_dev(uint64_t base, uint64_t size)
{
	struct hyp_mmio_device d = {"rec",    base,      size,
	                            rec_read, rec_write, NULL};
	return d;
}

static void test_register_refusals(void **state)
{
	struct fake_platform *fp = *state;
	struct hyp_mmio_device d;

	d = rec_dev(FP_RAM0_IPA + 0x1000, 0x1000);
	assert_false(hyp_mmio_register(&fp->vm, &d)); /* guest RAM */
	d = rec_dev(FP_DEV0_IPA, 0x1000);
	assert_false(hyp_mmio_register(&fp->vm, &d)); /* passthrough */
	d = rec_dev(0x0b000800, 0x1000);
	assert_false(hyp_mmio_register(&fp->vm, &d)); /* unaligned */
	d = rec_dev(0x0b000000, 0);
	assert_false(hyp_mmio_register(&fp->vm, &d)); /* empty */
	d = rec_dev(0x0b000000, 0x2000);
	d.write = NULL;
	assert_false(hyp_mmio_register(&fp->vm, &d)); /* no callback */
	d = rec_dev(0x0b000000, 0x2000);
	assert_true(hyp_mmio_register(&fp->vm, &d));
	d = rec_dev(0x0b001000, 0x1000);
	assert_false(hyp_mmio_register(&fp->vm, &d)); /* overlaps it */
	for (unsigned i = 1; i < HYP_MMIO_MAX_DEVICES; i++) {
		d = rec_dev(0x0c000000 + i * 0x1000ULL, 0x1000);
		assert_true(hyp_mmio_register(&fp->vm, &d));
	}
	d = rec_dev(0x0d000000, 0x1000);
	assert_false(hyp_mmio_register(&fp->vm, &d)); /* table full */
}

static void test_dispatch_stores(void **state)
{
	struct fake_platform *fp = *state;
	struct hyp_mmio_device d = rec_dev(0x0b000000, 0x1000);

	assert_true(hyp_mmio_register(&fp->vm, &d));
	regs.x[5] = 0x1122334455667788ULL;
	assert_true(hyp_mmio_dispatch(
	        &regs, 2, esr_for(2, 5, true, false, false), 0x0b000010));
	assert_int_equal(rec_writes, 1);
	assert_int_equal(rec_cpu, 2);
	assert_int_equal(rec_off, 0x10);
	assert_int_equal(rec_size, 2);
	assert_int_equal(rec_val, 0x7788); /* masked to the access size */
	/* STR XZR: register 31 is zero, not x[31]/pad. */
	regs.pad = 0xFFFFFFFFFFFFFFFFULL;
	assert_true(hyp_mmio_dispatch(
	        &regs, 0, esr_for(8, 31, true, false, true), 0x0b000ff8));
	assert_int_equal(rec_val, 0);
	assert_int_equal(rec_off, 0xff8);
}

static void test_dispatch_loads(void **state)
{
	struct fake_platform *fp = *state;
	struct hyp_mmio_device d = rec_dev(0x0b000000, 0x1000);

	assert_true(hyp_mmio_register(&fp->vm, &d));
	rec_read_value = 0xFFFFFFFFFFFFFF87ULL; /* high garbage: masked */
	regs.x[7] = 0xDEADBEEFDEADBEEFULL;
	assert_true(hyp_mmio_dispatch(
	        &regs, 0, esr_for(1, 7, false, false, false), 0x0b000000));
	assert_int_equal(regs.x[7], 0x87); /* LDRB Wt */
	assert_true(hyp_mmio_dispatch(
	        &regs, 0, esr_for(1, 7, false, true, true), 0x0b000000));
	assert_int_equal(regs.x[7], 0xFFFFFFFFFFFFFF87ULL); /* LDRSB Xt */
	assert_true(hyp_mmio_dispatch(
	        &regs, 0, esr_for(1, 7, false, true, false), 0x0b000000));
	assert_int_equal(regs.x[7], 0xFFFFFF87ULL); /* LDRSB Wt */
	rec_read_value = 0x84858687ULL;
	assert_true(hyp_mmio_dispatch(
	        &regs, 0, esr_for(4, 7, false, true, true), 0x0b000000));
	assert_int_equal(regs.x[7], 0xFFFFFFFF84858687ULL); /* LDRSW */
	rec_read_value = 0x0123456789ABCDEFULL;
	assert_true(hyp_mmio_dispatch(
	        &regs, 0, esr_for(8, 7, false, false, true), 0x0b000000));
	assert_int_equal(regs.x[7], 0x0123456789ABCDEFULL);
	/* LDR XZR: nothing written, not even the padding after x[30]. */
	regs.pad = 0x5555;
	assert_true(hyp_mmio_dispatch(
	        &regs, 0, esr_for(8, 31, false, false, true), 0x0b000000));
	assert_int_equal(regs.pad, 0x5555);
}

static void test_dispatch_misses(void **state)
{
	struct fake_platform *fp = *state;
	struct hyp_mmio_device d = rec_dev(0x0b000000, 0x1000);

	assert_true(hyp_mmio_register(&fp->vm, &d));
	/* Straddles the end, outside, or no valid syndrome: not emulated. */
	assert_false(hyp_mmio_dispatch(
	        &regs, 0, esr_for(8, 1, false, false, true), 0x0b000ffc));
	assert_false(hyp_mmio_dispatch(
	        &regs, 0, esr_for(4, 1, false, false, false), 0x0b001000));
	assert_false(hyp_mmio_dispatch(
	        &regs, 0, esr_for(4, 1, false, false, false) & ~(1ULL << 24),
	        0x0b000000));
	assert_int_equal(rec_reads + rec_writes, 0);
}

/* ---- the accessor ---- */

#define G0 (FP_RAM0_IPA + 0x3000)
#define G1 (FP_RAM0_IPA + 0x4000)

static uint64_t *ram_word(uint64_t ipa)
{
	return (uint64_t *)(void *)&ram0[ipa - FP_RAM0_IPA];
}

static void test_accessor_private_refused(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t v = 0x1111, w = 0x2222;
	struct hyp_host_stats before, after;

	*ram_word(G0) = 0xABCDEF;
	hyp_host_stats(&before);
	assert_int_equal(hyp_host_read(&fp->vm, G0, &v, 8), HYP_HOST_REFUSED);
	assert_int_equal(v, 0x1111);
	assert_int_equal(hyp_host_write(&fp->vm, G0, &w, 8), HYP_HOST_REFUSED);
	assert_int_equal(*ram_word(G0), 0xABCDEF);
	assert_int_equal(hyp_host_read(&fp->vm, 0x0b000000, &v, 8),
	                 HYP_HOST_REFUSED); /* not RAM */
	hyp_host_stats(&after);
	assert_int_equal(after.refused - before.refused, 3);
	assert_int_equal(after.ok, before.ok);
}

static void test_accessor_shared_round_trip(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t v = 0, w = 0x0102030405060708ULL;

	*ram_word(G0 + 8) = 0xFEEDFACE;
	share(fp, G0);
	assert_int_equal(hyp_host_read(&fp->vm, G0 + 8, &v, 8), HYP_HOST_OK);
	assert_int_equal(v, 0xFEEDFACE);
	assert_int_equal(hyp_host_write(&fp->vm, G0 + 16, &w, 8), HYP_HOST_OK);
	assert_int_equal(*ram_word(G0 + 16), w);
	/* A range reaching into the private next granule: refused whole. */
	assert_int_equal(hyp_host_read(&fp->vm, G0 + 0xFFC, &v, 8),
	                 HYP_HOST_REFUSED);
	share(fp, G1);
	assert_int_equal(hyp_host_read(&fp->vm, G0 + 0xFFC, &v, 8),
	                 HYP_HOST_OK);
	unshare(fp, G0);
	assert_int_equal(hyp_host_read(&fp->vm, G0 + 8, &v, 8),
	                 HYP_HOST_REFUSED);
	assert_int_equal(hyp_host_write(&fp->vm, G0 + 16, &v, 8),
	                 HYP_HOST_REFUSED);
	assert_int_equal(*ram_word(G0 + 16), w); /* contents kept */
}

static void test_accessor_missing_mapping_faults(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t v = 7;

	share(fp, G0);
	mapping_override = true; /* admitted, but EL2 has no mapping */
	mapping_present = false;
	assert_int_equal(hyp_host_read(&fp->vm, G0, &v, 8), HYP_HOST_FAULTED);
	assert_int_equal(v, 7);
}

static void test_raw_read_verdicts(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t v = 0x77;

	*ram_word(G0) = 0x5EC2E7;
	assert_int_equal(hyp_host_raw_read(&fp->vm, G0, &v), HYP_HOST_FAULTED);
	assert_int_equal(v, 0x77); /* nothing returned */
	assert_int_equal(hyp_host_raw_read(&fp->vm, 0x0b000000, &v),
	                 HYP_HOST_REFUSED); /* never outside guest RAM */
	share(fp, G0);
	assert_int_equal(hyp_host_raw_read(&fp->vm, G0, &v), HYP_HOST_OK);
	assert_int_equal(v, 0x5EC2E7);
	/* A broken EL2 view: mapped while private, unmapped while shared. */
	mapping_override = true;
	mapping_present = false;
	assert_int_equal(hyp_host_raw_read(&fp->vm, G0, &v),
	                 HYP_HOST_INCONSISTENT);
	unshare(fp, G0);
	mapping_present = true;
	assert_int_equal(hyp_host_raw_read(&fp->vm, G0, &v), HYP_HOST_LEAKED);
}

/* ---- the isolation probe ---- */

static void test_probe_registers(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t v;

	assert_true(hyp_probe_register(&fp->vm, HYP_PROBE_BASE));
	assert_true(mmio64(0, HYP_PROBE_BASE + 0x00, false, &v));
	assert_int_equal(v, 0x0000000176687970ULL);
	/* ADDR is banked per vCPU. */
	v = G0;
	assert_true(mmio64(0, HYP_PROBE_BASE + 0x08, true, &v));
	v = G1;
	assert_true(mmio64(1, HYP_PROBE_BASE + 0x08, true, &v));
	assert_true(mmio64(0, HYP_PROBE_BASE + 0x08, false, &v));
	assert_int_equal(v, G0);
	/* A 32-bit store to the upper half merges. */
	regs.x[4] = 0xAABBCCDDU;
	assert_true(hyp_mmio_dispatch(&regs, 1,
	                              esr_for(4, 4, true, false, false),
	                              HYP_PROBE_BASE + 0x0c));
	assert_true(mmio64(1, HYP_PROBE_BASE + 0x08, false, &v));
	assert_int_equal(v, 0xAABBCCDD00000000ULL | G1);
	/* Unknown command. */
	v = 9;
	assert_true(mmio64(0, HYP_PROBE_BASE + 0x18, true, &v));
	assert_true(mmio64(0, HYP_PROBE_BASE + 0x20, false, &v));
	assert_int_equal(v, 5);
}

static uint64_t probe_cmd(unsigned cpu, unsigned cmd, uint64_t ipa,
                          uint64_t *data)
{
	uint64_t v = ipa, st;

	assert_true(mmio64(cpu, HYP_PROBE_BASE + 0x08, true, &v));
	assert_true(mmio64(cpu, HYP_PROBE_BASE + 0x10, true, data));
	v = cmd;
	assert_true(mmio64(cpu, HYP_PROBE_BASE + 0x18, true, &v));
	assert_true(mmio64(cpu, HYP_PROBE_BASE + 0x10, false, data));
	assert_true(mmio64(cpu, HYP_PROBE_BASE + 0x20, false, &st));
	return st;
}

static void test_probe_commands(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t d;

	assert_true(hyp_probe_register(&fp->vm, HYP_PROBE_BASE));
	*ram_word(G0) = 0xC0DE;
	d = 1;
	assert_int_equal(probe_cmd(0, 1, G0, &d), 1); /* READ refused */
	assert_int_equal(d, 1);
	assert_int_equal(probe_cmd(0, 3, G0, &d), 2); /* RAW faults */
	assert_int_equal(d, 1);
	assert_int_equal(probe_cmd(0, 4, G0, &d), 0); /* QUERY */
	assert_int_equal(d, 1);                       /* RAM, private */
	share(fp, G0);
	assert_int_equal(probe_cmd(1, 4, G0, &d), 0);
	assert_int_equal(d, 7); /* RAM, stage-2 shared, host may */
	assert_int_equal(probe_cmd(1, 1, G0, &d), 0);
	assert_int_equal(d, 0xC0DE);
	d = 0xBEEF;
	assert_int_equal(probe_cmd(2, 2, G0 + 8, &d), 0); /* WRITE */
	assert_int_equal(*ram_word(G0 + 8), 0xBEEF);
	assert_int_equal(probe_cmd(0, 4, 0x0b000000, &d), 0);
	assert_int_equal(d, 0); /* not RAM */
}

/* ---- PL011 ---- */

static void test_pl011_model(void **state)
{
	struct fake_platform *fp = *state;
	static const uint8_t ids[8] = {0x11, 0x10, 0x14, 0x00,
	                               0x0d, 0xf0, 0x05, 0xb1};
	uint64_t base = 0x0b100000, v;

	assert_true(hyp_pl011_emul_register(hyp_guest_of(&fp->vm), base));
	for (unsigned i = 0; i < 8; i++) {
		regs.x[1] = 0;
		assert_true(hyp_mmio_dispatch(
		        &regs, 0, esr_for(4, 1, false, false, false),
		        base + 0xFE0 + 4 * i));
		assert_int_equal(regs.x[1], ids[i]);
	}
	assert_true(mmio64(0, base + 0x18, false, &v));
	assert_int_equal(v, 0x90); /* TXFE | RXFE */
	assert_true(mmio64(0, base + 0x30, false, &v));
	assert_int_equal(v, 0x300); /* CR: TXE | RXE at reset */
	fake_uart_clear();
	for (const char *p = "hi\r"; *p; p++) {
		v = (uint64_t)*p;
		assert_true(mmio64(1, base, true, &v));
	}
	/* Passed on at once; the '\r' waits for the next byte. */
	assert_string_equal(fake_uart, "hi");
	v = '\n';
	assert_true(mmio64(0, base, true, &v));
	assert_string_equal(fake_uart, "hi\r\n"); /* '\r' dropped, then CRLF */
	fake_uart_clear();
	for (const char *p = "\r$ "; *p; p++) {
		v = (uint64_t)*p;
		assert_true(mmio64(0, base, true, &v));
	}
	assert_string_equal(fake_uart, "\r$ "); /* a prompt, redrawn */
}

/* Input: the physical receive side, for a protected VM only. */
static void test_pl011_input(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t base = 0x0b100000, v;
	bool was = fp->vm.cfg.protected_vm;

	assert_true(hyp_pl011_emul_register(hyp_guest_of(&fp->vm), base));
	fake_uart_rx = "ab";
	fake_uart_rx_irq = false;
	fp->vm.cfg.protected_vm = false; /* a normal VM reads the UART */
	assert_true(mmio64(0, base + 0x18, false, &v));
	assert_int_equal(v, 0x90);
	assert_true(mmio64(0, base, false, &v));
	assert_int_equal(v, 0);
	v = 0x50;
	assert_true(mmio64(0, base + 0x38, true, &v));
	assert_false(fake_uart_rx_irq);
	v = 0;
	assert_true(mmio64(0, base + 0x38, true, &v));
	fp->vm.cfg.protected_vm = true;
	assert_true(mmio64(0, base + 0x18, false, &v));
	assert_int_equal(v, 0x80); /* TXFE, a byte waits */
	assert_true(mmio64(0, base + 0x3C, false, &v));
	assert_int_equal(v, 0x70); /* RIS: RT | TX | RX */
	assert_true(mmio64(0, base + 0x40, false, &v));
	assert_int_equal(v, 0); /* MIS: masked */
	v = 0x50;               /* IMSC: RTIM | RXIM */
	assert_true(mmio64(0, base + 0x38, true, &v));
	assert_true(fake_uart_rx_irq);
	assert_true(mmio64(0, base + 0x38, false, &v));
	assert_int_equal(v, 0x50);
	assert_true(mmio64(0, base + 0x40, false, &v));
	assert_int_equal(v, 0x50);
	assert_true(mmio64(1, base, false, &v));
	assert_int_equal(v, 'a');
	assert_true(mmio64(0, base, false, &v));
	assert_int_equal(v, 'b');
	assert_true(mmio64(0, base + 0x18, false, &v));
	assert_int_equal(v, 0x90); /* empty again */
	assert_true(mmio64(0, base + 0x40, false, &v));
	assert_int_equal(v, 0);
	assert_true(mmio64(0, base, false, &v));
	assert_int_equal(v, 0); /* reading an empty FIFO */
	v = 0; /* masked again: the physical interrupt is off */
	assert_true(mmio64(0, base + 0x38, true, &v));
	assert_false(fake_uart_rx_irq);
	fake_uart_rx = NULL;
	fp->vm.cfg.protected_vm = was;
}

static void test_setup_by_vm_kind(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t v;

	hyp_devices_setup(&fp->vm, 0x0b100000);
	assert_true(mmio64(0, HYP_PROBE_BASE, false, &v));
	assert_int_equal(v, 0x0000000176687970ULL);
	assert_true(mmio64(0, 0x0b100018, false, &v));
	assert_int_equal(v, 0x90);
}

static void test_setup_normal_vm_has_none(void **state)
{
	struct fake_platform *fp = *state;
	uint64_t v;

	hyp_devices_setup(&fp->vm, 0x0b100000);
	assert_false(mmio64(0, HYP_PROBE_BASE, false, &v));
	assert_false(mmio64(0, 0x0b100018, false, &v));
}

static int setup_normal(void **state)
{
	int rc = fp_state_normal(state);

	cur_fp = *state;
	hyp_mmio_reset();
	return rc;
}

#define T(fn)                                                                  \
	cmocka_unit_test_setup_teardown(fn, setup_protected, fp_state_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_decode_fields),
	        T(test_register_refusals),
	        T(test_dispatch_stores),
	        T(test_dispatch_loads),
	        T(test_dispatch_misses),
	        T(test_accessor_private_refused),
	        T(test_accessor_shared_round_trip),
	        T(test_accessor_missing_mapping_faults),
	        T(test_raw_read_verdicts),
	        T(test_probe_registers),
	        T(test_probe_commands),
	        T(test_pl011_model),
	        T(test_pl011_input),
	        T(test_setup_by_vm_kind),
	        cmocka_unit_test_setup_teardown(test_setup_normal_vm_has_none,
	                                        setup_normal,
	                                        fp_state_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
