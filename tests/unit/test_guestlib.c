// SPDX-License-Identifier: MIT
/*
 * The guest library (guest/lib) on the host, against the real core: a
 * loopback conduit hands each call to vhyp_smccc_call() on a VM built by
 * vhyp_vm_create() (tests/unit/support/fake_platform.c fakes only the
 * hardware: counter, host mappings, firmware PSCI).  A spy in the conduit
 * records the calls the library makes, so tests check both the results
 * and the exact hypercall sequence (e.g. the rollback of a range share).
 *
 * Also: conduit selection and FDT reading on DTBs dumped from QEMU
 * (tests/unit/data), and the formatting code the guests print with.
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

#include <guest/kvm.h>
#include <guest/smccc.h>
#include <lib/fdt.h>
#include <lib/fmt.h>
#include <vhyp/psci.h>

#include "fake_platform.h"

#define G       4096ULL
#define MAX_SPY 64

/* ---- loopback conduit with a call spy ---------------------------------- */

struct spy_call {
	uint32_t fid;
	uint64_t x1;
};

struct loop {
	struct fake_platform fp;
	struct spy_call calls[MAX_SPY];
	unsigned nr_calls;
	struct vg_hyp h;
};

/* Firmware PSCI as the hypervisor's platform would forward it: a fake of
 * the firmware, not of the logic under test. */
static uint64_t fw_psci_version = PSCI_VERSION_1_1;
static int64_t fw_smccc_feature = PSCI_RET_SUCCESS;

static uint64_t fw_last[4]; /* the last PSCI call the firmware saw */

static void fake_firmware_psci(void *ctx, struct vhyp_vcpu *vcpu,
                               uint64_t x[18])
{
	(void)ctx;
	(void)vcpu;
	memcpy(fw_last, x, sizeof(fw_last));
	switch ((uint32_t)x[0]) {
	case PSCI_CPU_ON_64_FUNC_ID:
		x[0] = x[1] == 1 ? (uint64_t)PSCI_RET_SUCCESS
		                 : (uint64_t)PSCI_RET_INVALID_PARAMS;
		break;
	case PSCI_AFFINITY_INFO_64_FUNC_ID:
		x[0] = PSCI_AFF_OFF;
		break;
	case PSCI_VERSION_FUNC_ID:
		x[0] = fw_psci_version;
		break;
	case PSCI_FEATURES_FUNC_ID:
		x[0] = (uint32_t)x[1] == SMCCC_VERSION_FUNC_ID
		               ? (uint64_t)fw_smccc_feature
		               : (uint64_t)PSCI_RET_NOT_SUPPORTED;
		break;
	default:
		x[0] = (uint64_t)PSCI_RET_NOT_SUPPORTED;
	}
	x[1] = x[2] = x[3] = 0;
}

static void loopback(void *opaque, uint64_t x[VG_SMCCC_NR_REGS])
{
	struct loop *l = opaque;

	if (l->nr_calls < MAX_SPY) {
		l->calls[l->nr_calls].fid = (uint32_t)x[0];
		l->calls[l->nr_calls].x1 = x[1];
	}
	l->nr_calls++;
	vhyp_smccc_call(&l->fp.vm, NULL, x);
}

/* A VM of the kind, optionally with a narrowed FEATURES bitmap. */
static struct loop *loop_new(bool protected_vm, bool narrow, uint64_t features)
{
	struct loop *l = calloc(1, sizeof(*l));
	struct vg_conduit c;
	const char *err = NULL;

	assert_non_null(l);
	fw_psci_version = PSCI_VERSION_1_1;
	fw_smccc_feature = PSCI_RET_SUCCESS;
	fp_init(&l->fp, protected_vm);
	l->fp.ops.psci = fake_firmware_psci;
	l->fp.cfg.features_set = narrow;
	l->fp.cfg.features = features;
	if (fp_create(&l->fp, &err) != 0)
		fail_msg("vhyp_vm_create: %s", err ? err : "?");
	c.call = loopback;
	c.opaque = l;
	c.name = "loopback";
	vg_hyp_init(&l->h, &c);
	return l;
}

static void loop_free(struct loop *l)
{
	fp_fini(&l->fp);
	free(l);
}

static int setup_normal(void **state)
{
	*state = loop_new(false, false, 0);
	return 0;
}

static int setup_protected(void **state)
{
	*state = loop_new(true, false, 0);
	return 0;
}

static int teardown(void **state)
{
	loop_free(*state);
	return 0;
}

static void probe_ok(struct loop *l)
{
	assert_int_equal(vg_probe(&l->h), VG_PROBE_OK);
	l->nr_calls = 0;
}

static void assert_call(const struct loop *l, unsigned i, uint32_t fid,
                        uint64_t x1)
{
	assert_true(i < l->nr_calls);
	assert_int_equal(l->calls[i].fid, fid);
	assert_int_equal(l->calls[i].x1, x1);
}

static unsigned state_of(struct loop *l, uint64_t ipa)
{
	struct fp_pte p = fp_lookup(&l->fp, ipa);

	assert_true(p.valid);
	return p.state;
}

static uint64_t pa_of(uint64_t ipa)
{
	return ipa - FP_RAM0_IPA + FP_RAM0_PA;
}

/* ---- probe ------------------------------------------------------------- */

static void test_probe_normal_vm(void **state)
{
	struct loop *l = *state;

	assert_int_equal(vg_probe(&l->h), VG_PROBE_OK);
	assert_int_equal(l->h.psci_version, 0x10001);
	assert_int_equal(l->h.smccc_version, 0x10001);
	assert_true(l->h.smccc_1_1);
	assert_true(l->h.is_kvm);
	assert_int_equal(l->h.uid[0], 0xb66fb428);
	assert_int_equal(l->h.uid[1], 0xe911c52e);
	assert_int_equal(l->h.uid[2], 0x564bcaa9);
	assert_int_equal(l->h.uid[3], 0x743a004d);
	assert_int_equal(l->h.features[0], 0x3);
	assert_int_equal(l->h.features[1] | l->h.features[2] | l->h.features[3],
	                 0);
	/* Linux's order: PSCI_VERSION, PSCI_FEATURES(SMCCC_VERSION),
	 * SMCCC_VERSION, UID, FEATURES. */
	assert_int_equal(l->nr_calls, 5);
	assert_call(l, 0, PSCI_VERSION_FUNC_ID, 0);
	assert_call(l, 1, PSCI_FEATURES_FUNC_ID, 0x80000000);
	assert_call(l, 2, 0x80000000, 0);
	assert_call(l, 3, 0x8600FF01, 0);
	assert_call(l, 4, 0x86000000, 0);
}

static void test_probe_protected_vm(void **state)
{
	struct loop *l = *state;

	probe_ok(l);
	assert_int_equal(l->h.features[0], 0x9F);
	assert_true(vg_has_feature(&l->h, 2));
	assert_true(vg_has_feature(&l->h, 3));
	assert_true(vg_has_feature(&l->h, 4));
	assert_true(vg_has_feature(&l->h, 7));
	assert_false(vg_has_feature(&l->h, 5));
	assert_false(vg_has_feature(&l->h, 6));
}

static void test_probe_uid_hidden(void **state)
{
	struct loop *l = loop_new(false, true, 0x2); /* PTP without bit 0 */

	(void)state;
	assert_int_equal(vg_probe(&l->h), VG_PROBE_NO_UID);
	assert_false(l->h.is_kvm);
	assert_false(l->h.features_valid);
	assert_false(vg_has_feature(&l->h, KVM_FUNC_PTP));
	loop_free(l);
}

static void test_probe_smccc_1_0_stops_before_uid(void **state)
{
	struct loop *l = loop_new(false, false, 0);

	(void)state;
	fw_smccc_feature = PSCI_RET_NOT_SUPPORTED;
	assert_int_equal(vg_probe(&l->h), VG_PROBE_SMCCC_1_0);
	assert_false(l->h.smccc_1_1);
	assert_int_equal(l->h.smccc_version, 0x10000);
	/* Never asks for the UID: SMCCC 1.0 has no vendor calls. */
	assert_int_equal(l->nr_calls, 2);
	loop_free(l);
}

static void test_probe_psci_0_2(void **state)
{
	struct loop *l = loop_new(false, false, 0);

	(void)state;
	fw_psci_version = 0x2; /* 0.2 */
	assert_int_equal(vg_probe(&l->h), VG_PROBE_PSCI_0_2);
	assert_int_equal(l->nr_calls, 1);
	loop_free(l);
}

static void test_probe_no_conduit(void **state)
{
	struct vg_hyp h;
	struct vg_conduit none = {vg_conduit_none_call, NULL, "none"};

	(void)state;
	vg_hyp_init(&h, &none);
	assert_int_equal(vg_probe(&h), VG_PROBE_NO_CONDUIT);
	vg_hyp_init(&h, NULL);
	assert_int_equal(vg_probe(&h), VG_PROBE_NO_CONDUIT);
	assert_string_equal(vg_probe_strerror(VG_PROBE_NO_CONDUIT),
	                    "no PSCI conduit in the device tree");
}

/* A scripted hypervisor for answers the core never gives. */
struct script {
	uint64_t smccc_version;
	uint64_t uid[4];
	uint64_t meminfo;
	uint64_t ptp[4];
};

static void scripted(void *opaque, uint64_t x[VG_SMCCC_NR_REGS])
{
	const struct script *s = opaque;

	switch ((uint32_t)x[0]) {
	case PSCI_VERSION_FUNC_ID:
		x[0] = PSCI_VERSION_1_1;
		break;
	case PSCI_FEATURES_FUNC_ID:
		x[0] = 0;
		break;
	case SMCCC_VERSION_FUNC_ID:
		x[0] = s->smccc_version;
		break;
	case KVM_VENDOR_CALL_UID_FUNC_ID:
		memcpy(x, s->uid, sizeof(s->uid));
		return;
	case KVM_VENDOR_FEATURES_FUNC_ID:
		x[0] = 0xFFFFFFFFULL; /* everything, so calls are issued */
		x[1] = x[2] = x[3] = 0;
		return;
	case KVM_VENDOR_HYP_MEMINFO_FUNC_ID:
		x[0] = s->meminfo;
		break;
	case KVM_VENDOR_PTP_FUNC_ID:
		memcpy(x, s->ptp, sizeof(s->ptp));
		return;
	default:
		x[0] = (uint64_t)SMCCC_RET_NOT_SUPPORTED;
	}
	x[1] = x[2] = x[3] = 0;
}

static void scripted_hyp(struct vg_hyp *h, struct script *s)
{
	struct vg_conduit c = {scripted, s, "script"};
	const uint64_t kvm[4] = {0xb66fb428, 0xe911c52e, 0x564bcaa9,
	                         0x743a004d};

	if (s->smccc_version == 0)
		s->smccc_version = 0x10001;
	if (s->uid[0] == 0)
		memcpy(s->uid, kvm, sizeof(kvm));
	vg_hyp_init(h, &c);
}

static void test_probe_smccc_version_old(void **state)
{
	struct script s = {.smccc_version = 0x10000};
	struct vg_hyp h;

	(void)state;
	scripted_hyp(&h, &s);
	assert_int_equal(vg_probe(&h), VG_PROBE_SMCCC_OLD);
	assert_false(h.smccc_1_1);
}

static void test_probe_other_uid_is_not_kvm(void **state)
{
	/* The 6.16-rc byte-swapped UID must not pass as KVM's. */
	struct script s = {
	        .uid = {0x28b46fb6, 0x11e92ec5, 0x564bcaa9, 0x743a004d}};
	struct vg_hyp h;

	(void)state;
	scripted_hyp(&h, &s);
	assert_int_equal(vg_probe(&h), VG_PROBE_NOT_KVM);
	assert_true(h.uid_valid);
	assert_false(h.is_kvm);
	assert_int_equal(h.uid[0], 0x28b46fb6);
}

static void test_uid_upper_halves_must_be_zero(void **state)
{
	struct vg_res r = {0xb66fb428, 0xe911c52e, 0x564bcaa9, 0x743a004d};

	(void)state;
	assert_true(vg_uid_is_kvm(&r));
	r.a2 |= 1ULL << 32;
	assert_false(vg_uid_is_kvm(&r));
}

static void test_feature_bits_are_bit_numbers(void **state)
{
	struct vg_hyp h;

	(void)state;
	vg_hyp_init(&h, NULL);
	assert_false(vg_has_feature(&h, 0)); /* not probed */
	h.features_valid = true;
	h.features[0] = 0x3;
	/* Linux once tested `a0 & i` instead of BIT(i): 0x3 & 2 is true. */
	assert_false(vg_has_feature(&h, 2));
	assert_true(vg_has_feature(&h, 1));
	h.features[0] = 0x4;
	assert_true(vg_has_feature(&h, 2));
	assert_false(vg_has_feature(&h, 1));
	h.features[1] = 1U << 1;
	h.features[3] = 1U << 31;
	assert_true(vg_has_feature(&h, 33));
	assert_true(vg_has_feature(&h, 127));
	assert_false(vg_has_feature(&h, 128));
	assert_string_equal(vg_feature_name(7), "MMIO_GUARD");
	assert_string_equal(vg_feature_name(1), "PTP");
	assert_null(vg_feature_name(5));
}

/* ---- PTP --------------------------------------------------------------- */

static void test_ptp_decode(void **state)
{
	struct vg_res r = {0x17e4aa0f, 0x12345678, 0x1, 0x89abcdef};
	struct vg_ptp p;

	(void)state;
	assert_int_equal(vg_ptp_decode(&r, &p), 0);
	assert_int_equal(p.wall_ns, 0x17e4aa0f12345678ULL);
	assert_int_equal(p.counter, 0x189abcdefULL);
}

static void test_ptp_decode_errors(void **state)
{
	struct vg_ptp p = {1, 2};
	struct vg_res minus1 = {~0ULL, 0, 0, 0};
	struct vg_res bit31 = {0x80000000ULL, 0, 0, 0};
	struct vg_res dirty = {0x1, 0x1ULL << 32 | 5, 0, 0};
	struct vg_res dirty3 = {0x1, 0, 0, 0xFFFFFFFF00000000ULL};

	(void)state;
	assert_int_equal(vg_ptp_decode(&minus1, &p), -1);
	/* Bit 31 of X0 is Linux's error test. */
	assert_int_equal(vg_ptp_decode(&bit31, &p), VG_ERR_BAD_RESULT);
	/* Linux ORs the halves unmasked: garbage above bit 31 is an error. */
	assert_int_equal(vg_ptp_decode(&dirty, &p), VG_ERR_BAD_RESULT);
	assert_int_equal(vg_ptp_decode(&dirty3, &p), VG_ERR_BAD_RESULT);
	assert_int_equal(p.wall_ns, 1);
	assert_int_equal(p.counter, 2);
}

static void test_ptp_read_virtual_and_physical(void **state)
{
	struct loop *l = loop_new(false, false, 0);
	struct vg_ptp v, p;

	(void)state;
	l->fp.vm.cfg.cntvoff = 1000;
	probe_ok(l);
	assert_int_equal(vg_ptp_read(&l->h, KVM_PTP_VIRT_COUNTER, &v), 0);
	assert_int_equal(vg_ptp_read(&l->h, KVM_PTP_PHYS_COUNTER, &p), 0);
	assert_call(l, 0, 0x86000001, 0);
	assert_call(l, 1, 0x86000001, 1);
	/* 62.5 MHz: 16 ns per tick from the anchor, exactly; the wall
	 * clock and the counter of one answer are one consistent pair. */
	assert_int_equal(v.wall_ns,
	                 FP_ANCHOR_NS +
	                         (v.counter + 1000 - FP_ANCHOR_CNT) * 16);
	assert_int_equal(p.wall_ns,
	                 FP_ANCHOR_NS + (p.counter - FP_ANCHOR_CNT) * 16);
	assert_true(p.counter > v.counter + 1000 - 1);
	assert_true(p.counter >= 5000000);
	loop_free(l);
}

static void test_ptp_hidden_makes_no_call(void **state)
{
	struct loop *l = loop_new(false, true, 0x1);
	struct vg_ptp p;
	struct vg_res r;

	(void)state;
	probe_ok(l);
	assert_int_equal(l->h.features[0], 0x1);
	assert_int_equal(vg_ptp_read(&l->h, 0, &p), SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(l->nr_calls, 0);
	/* The hypervisor agrees: forced, the call answers -1. */
	r = vg_smccc(&l->h.conduit, KVM_VENDOR_PTP_FUNC_ID, 0, 0, 0);
	assert_int_equal(r.a0, ~0ULL);
	assert_int_equal(r.a1 | r.a2 | r.a3, 0);
	loop_free(l);
}

static void test_ptp_bad_counter_selector(void **state)
{
	struct loop *l = *state;
	struct vg_ptp p = {7, 7};

	probe_ok(l);
	assert_int_equal(vg_ptp_read(&l->h, 2, &p), -1);
	assert_int_equal(p.wall_ns, 7);
}

/* ---- HYP_MEMINFO ------------------------------------------------------- */

static void test_meminfo_protected(void **state)
{
	struct loop *l = *state;
	uint64_t g = 0;

	probe_ok(l);
	assert_int_equal(vg_meminfo(&l->h, &g), 0);
	assert_int_equal(g, 4096);
	assert_int_equal(l->h.granule, 4096);
	assert_call(l, 0, 0xC6000002, 0);
}

static void test_meminfo_normal_vm_not_offered(void **state)
{
	struct loop *l = *state;
	uint64_t g = 0;
	struct vg_res r;

	probe_ok(l);
	assert_int_equal(vg_meminfo(&l->h, &g), SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(l->nr_calls, 0);
	r = vg_smccc(&l->h.conduit, KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 0, 0);
	assert_int_equal(r.a0, ~0ULL);
}

static void test_meminfo_malformed_granule(void **state)
{
	struct script s = {.meminfo = 0};
	struct vg_hyp h;
	uint64_t g = 5;

	(void)state;
	scripted_hyp(&h, &s);
	assert_int_equal(vg_probe(&h), VG_PROBE_OK);
	/* 0 would make Linux's share loops spin; 3 is not a power of 2. */
	assert_int_equal(vg_meminfo(&h, &g), VG_ERR_BAD_RESULT);
	s.meminfo = 3;
	assert_int_equal(vg_meminfo(&h, &g), VG_ERR_BAD_RESULT);
	s.meminfo = (uint64_t)SMCCC_RET_INVALID_PARAMETER;
	assert_int_equal(vg_meminfo(&h, &g), SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(g, 5);
	assert_int_equal(h.granule, 0);
	s.meminfo = 1024;
	assert_int_equal(vg_meminfo(&h, &g), 0);
	assert_int_equal(g, 1024);
}

/* ---- share / unshare --------------------------------------------------- */

static void test_share_range_unaligned_bytes(void **state)
{
	struct loop *l = *state;
	uint64_t base = FP_RAM0_IPA + 0x10000;

	probe_ok(l);
	/* 100 bytes into the first granule, two granules long: 3 granules. */
	assert_int_equal(vg_share_range(&l->h, base + 100, 2 * G, NULL), 0);
	assert_int_equal(l->nr_calls, 4);
	assert_call(l, 0, 0xC6000002, 0); /* granule unknown: MEMINFO first */
	assert_call(l, 1, 0xC6000003, base);
	assert_call(l, 2, 0xC6000003, base + G);
	assert_call(l, 3, 0xC6000003, base + 2 * G);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(state_of(l, base + i * G),
		                 S2_STATE_SHARED_OWNED);
		assert_true(fp_host_has(&l->fp, pa_of(base + i * G)));
	}
	assert_int_equal(state_of(l, base + 3 * G), S2_STATE_OWNED);
	assert_false(fp_host_has(&l->fp, pa_of(base + 3 * G)));
}

static void test_unshare_range_revokes_host(void **state)
{
	struct loop *l = *state;
	uint64_t base = FP_RAM0_IPA + 0x20000;

	probe_ok(l);
	assert_int_equal(vg_share_range(&l->h, base, 3 * G, NULL), 0);
	assert_int_equal(vg_unshare_range(&l->h, base, 3 * G, NULL), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(state_of(l, base + i * G), S2_STATE_OWNED);
		assert_false(fp_host_has(&l->fp, pa_of(base + i * G)));
	}
	assert_int_equal(l->fp.host_errors, 0);
}

static void test_share_rollback_on_failing_granule(void **state)
{
	struct loop *l = *state;
	uint64_t base = FP_RAM0_IPA + 0x30000, failed = 0;

	probe_ok(l);
	assert_int_equal(vg_meminfo(&l->h, NULL), 0);
	/* Granule 2 is already shared: sharing it again is -3. */
	assert_int_equal(vg_mem_share(&l->h, base + 2 * G), 0);
	l->nr_calls = 0;
	assert_int_equal(vg_share_range(&l->h, base, 4 * G, &failed),
	                 SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(failed, base + 2 * G);
	/* share 0, 1, 2 (fails); unshare 0, 1; granule 3 never asked. */
	assert_int_equal(l->nr_calls, 5);
	assert_call(l, 0, 0xC6000003, base);
	assert_call(l, 1, 0xC6000003, base + G);
	assert_call(l, 2, 0xC6000003, base + 2 * G);
	assert_call(l, 3, 0xC6000004, base);
	assert_call(l, 4, 0xC6000004, base + G);
	assert_int_equal(state_of(l, base), S2_STATE_OWNED);
	assert_int_equal(state_of(l, base + G), S2_STATE_OWNED);
	assert_false(fp_host_has(&l->fp, pa_of(base)));
	assert_false(fp_host_has(&l->fp, pa_of(base + G)));
	/* What this call did not share stays as it was. */
	assert_int_equal(state_of(l, base + 2 * G), S2_STATE_SHARED_OWNED);
	assert_true(fp_host_has(&l->fp, pa_of(base + 2 * G)));
	assert_int_equal(state_of(l, base + 3 * G), S2_STATE_OWNED);
}

static void test_share_rollback_past_end_of_ram(void **state)
{
	struct loop *l = *state;
	uint64_t last = FP_RAM0_IPA + FP_RAM0_SIZE - G, failed = 0;

	probe_ok(l);
	assert_int_equal(vg_share_range(&l->h, last, 2 * G, &failed),
	                 SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(failed, last + G);
	assert_int_equal(state_of(l, last), S2_STATE_OWNED);
	assert_false(fp_host_has(&l->fp, pa_of(last)));
	assert_int_equal(l->fp.nr_granted, 0);
}

static void test_unshare_rollback_reshares(void **state)
{
	struct loop *l = *state;
	uint64_t base = FP_RAM0_IPA + 0x40000, failed = 0;

	probe_ok(l);
	assert_int_equal(vg_share_range(&l->h, base, 3 * G, NULL), 0);
	assert_int_equal(vg_mem_unshare(&l->h, base + G), 0);
	l->nr_calls = 0;
	assert_int_equal(vg_unshare_range(&l->h, base, 3 * G, &failed),
	                 SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(failed, base + G);
	assert_int_equal(l->nr_calls, 3);
	assert_call(l, 2, 0xC6000003, base); /* re-shared */
	assert_int_equal(state_of(l, base), S2_STATE_SHARED_OWNED);
	assert_true(fp_host_has(&l->fp, pa_of(base)));
	assert_int_equal(state_of(l, base + G), S2_STATE_OWNED);
	assert_int_equal(state_of(l, base + 2 * G), S2_STATE_SHARED_OWNED);
}

static void test_share_range_edge_lengths(void **state)
{
	struct loop *l = *state;
	uint64_t failed = 77;

	probe_ok(l);
	assert_int_equal(vg_meminfo(&l->h, NULL), 0);
	l->nr_calls = 0;
	assert_int_equal(vg_share_range(&l->h, FP_RAM0_IPA, 0, &failed), 0);
	assert_int_equal(l->nr_calls, 0);
	/* A range that wraps around 2^64: refused, nothing issued. */
	assert_int_equal(vg_share_range(&l->h, ~0ULL - 10, 100, &failed),
	                 SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(vg_share_range(&l->h, ~0ULL - 10, 5, &failed),
	                 SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(l->nr_calls, 0);
	assert_int_equal(failed, 77);
	/* One byte is one granule. */
	assert_int_equal(vg_share_range(&l->h, FP_RAM0_IPA + 5, 1, NULL), 0);
	assert_int_equal(l->nr_calls, 1);
	assert_call(l, 0, 0xC6000003, FP_RAM0_IPA);
}

static void test_share_normal_vm_refused_without_calls(void **state)
{
	struct loop *l = *state;
	uint64_t failed = 0;
	struct vg_res r;

	probe_ok(l);
	assert_int_equal(vg_share_range(&l->h, FP_RAM0_IPA, G, &failed),
	                 SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(l->nr_calls, 0);
	r = vg_smccc(&l->h.conduit, KVM_VENDOR_MEM_SHARE_FUNC_ID, FP_RAM0_IPA,
	             0, 0);
	assert_int_equal(r.a0, ~0ULL);
	assert_int_equal(l->fp.nr_granted, 0);
}

static void test_share_hidden_in_protected_vm(void **state)
{
	/* Protected VM without MEM_SHARE: the library does not try. */
	uint64_t f = KVM_FEATURES_PROTECTED_DEFAULT & ~KVM_FEAT_MEM_SHARE;
	struct loop *l = loop_new(true, true, f);

	(void)state;
	probe_ok(l);
	assert_int_equal(l->h.features[0], (uint32_t)f);
	assert_int_equal(vg_share_range(&l->h, FP_RAM0_IPA, G, NULL),
	                 SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(l->nr_calls, 1); /* MEMINFO only */
	assert_int_equal(state_of(l, FP_RAM0_IPA), S2_STATE_OWNED);
	loop_free(l);
}

static void test_share_second_ram_range(void **state)
{
	struct loop *l = *state;

	probe_ok(l);
	assert_int_equal(vg_share_range(&l->h, FP_RAM1_IPA, FP_RAM1_SIZE, NULL),
	                 0);
	for (uint64_t o = 0; o < FP_RAM1_SIZE; o += G)
		assert_true(fp_host_has(&l->fp, FP_RAM1_PA + o));
	assert_int_equal(
	        vg_unshare_range(&l->h, FP_RAM1_IPA, FP_RAM1_SIZE, NULL), 0);
	assert_int_equal(l->fp.nr_granted, 0);
}

/* ---- MMIO guard -------------------------------------------------------- */

static void test_mmio_guard_device_range(void **state)
{
	struct loop *l = *state;

	probe_ok(l);
	assert_int_equal(pmem_mmio_check(&l->fp.vm, FP_DEV0_IPA, 4),
	                 PMEM_MMIO_EMULATE);
	assert_int_equal(
	        vg_mmio_guard_range(&l->h, FP_DEV0_IPA + 0x18, 4, NULL), 0);
	assert_call(l, 1, 0xC6000007, FP_DEV0_IPA);
	assert_int_equal(pmem_mmio_check(&l->fp.vm, FP_DEV0_IPA + 0x18, 4),
	                 PMEM_MMIO_EMULATE);
	/* Guard on: an unguarded granule now gets an abort. */
	assert_int_equal(pmem_mmio_check(&l->fp.vm, 0x0a000000, 4),
	                 PMEM_MMIO_INJECT_SEA);
	/* Guarding again succeeds. */
	assert_int_equal(vg_mmio_guard(&l->h, FP_DEV0_IPA), 0);
}

static void test_mmio_guard_stops_at_ram(void **state)
{
	struct loop *l = *state;
	uint64_t failed = 0;
	uint64_t before = FP_RAM0_IPA - G;

	probe_ok(l);
	assert_int_equal(vg_meminfo(&l->h, NULL), 0);
	l->nr_calls = 0;
	/* The granule below RAM is guardable, RAM is not: stop there. */
	assert_int_equal(vg_mmio_guard_range(&l->h, before, 3 * G, &failed),
	                 SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(failed, FP_RAM0_IPA);
	assert_int_equal(l->nr_calls, 2);
	assert_int_equal(pmem_mmio_check(&l->fp.vm, before, 4),
	                 PMEM_MMIO_EMULATE);
}

static void test_mmio_guard_normal_vm(void **state)
{
	struct loop *l = *state;

	probe_ok(l);
	assert_int_equal(vg_mmio_guard(&l->h, FP_DEV0_IPA),
	                 SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(l->nr_calls, 0);
}

/* ---- raw calls and conduits -------------------------------------------- */

static void test_smccc_passes_args_and_zeroes_the_rest(void **state)
{
	struct loop *l = *state;
	uint64_t x[VG_SMCCC_NR_REGS];
	struct vg_res r;

	/* vg_smccc issues exactly X0..X3 as given, X4..X17 zero: a share
	 * with X2 != 0 is refused by the core with -3. */
	r = vg_smccc(&l->h.conduit, KVM_VENDOR_MEM_SHARE_FUNC_ID, FP_RAM0_IPA,
	             1, 0);
	assert_int_equal(r.a0, (uint64_t)SMCCC_RET_INVALID_PARAMETER);
	r = vg_smccc(&l->h.conduit, KVM_VENDOR_MEM_SHARE_FUNC_ID, FP_RAM0_IPA,
	             0, 0);
	assert_int_equal(r.a0, 0);
	/* The full form keeps X4..X17 as the callee leaves them. */
	fp_regs(x, KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0);
	vg_smccc_regs(&l->h.conduit, x);
	fp_assert_regs(x, 0xb66fb428, 0xe911c52e, 0x564bcaa9, 0x743a004d);
}

static void test_null_conduit_answers_not_supported(void **state)
{
	struct vg_conduit c = {NULL, NULL, "null"};
	struct vg_res r;

	(void)state;
	r = vg_smccc(&c, SMCCC_VERSION_FUNC_ID, 0, 0, 0);
	assert_int_equal(r.a0, ~0ULL);
	r = vg_smccc(NULL, SMCCC_VERSION_FUNC_ID, 0, 0, 0);
	assert_int_equal(r.a0, ~0ULL);
}

static void test_psci_calls_reach_firmware(void **state)
{
	struct loop *l = *state;

	memset(fw_last, 0, sizeof(fw_last));
	assert_int_equal(vg_psci_cpu_on(&l->h, 1, 0x40201000, 7),
	                 PSCI_RET_SUCCESS);
	assert_int_equal(fw_last[0], PSCI_CPU_ON_64_FUNC_ID);
	assert_int_equal(fw_last[1], 1);
	assert_int_equal(fw_last[2], 0x40201000);
	assert_int_equal(fw_last[3], 7);
	assert_int_equal(vg_psci_cpu_on(&l->h, 9, 0x40201000, 7),
	                 PSCI_RET_INVALID_PARAMS);
	assert_int_equal(vg_psci_affinity_info(&l->h, 1), PSCI_AFF_OFF);
	assert_int_equal(fw_last[0], PSCI_AFFINITY_INFO_64_FUNC_ID);
	vg_psci_system_off(&l->h);
	assert_int_equal(fw_last[0], PSCI_SYSTEM_OFF_FUNC_ID);
	vg_psci_system_reset(&l->h);
	assert_int_equal(fw_last[0], PSCI_SYSTEM_RESET_FUNC_ID);
	vg_psci_cpu_off(&l->h);
	assert_int_equal(fw_last[0], PSCI_CPU_OFF_FUNC_ID);
}

/* ---- DTBs -------------------------------------------------------------- */

/* Replaces the first occurrence of a same-length byte string. */
static void patch(struct blob *b, const char *from, const char *to, size_t n)
{
	for (size_t i = 0; i + n <= b->size; i++)
		if (memcmp(b->data + i, from, n) == 0) {
			memcpy(b->data + i, to, n);
			return;
		}
	fail_msg("pattern not found");
}

static void test_conduit_from_board_dtb_is_smc(void **state)
{
	struct blob b = test_data_load("qemu-virt-gicv3-smp2.dtb");

	(void)state;
	assert_int_equal(vg_conduit_kind_from_dtb(b.data), VG_CONDUIT_SMC);
	assert_string_equal(vg_conduit_kind_name(VG_CONDUIT_SMC), "smc");
	free(b.data);
}

static void test_conduit_from_guest_dtb_is_hvc(void **state)
{
	struct blob b = test_data_load("guest-2mem.dtb");

	(void)state;
	assert_int_equal(vg_conduit_kind_from_dtb(b.data), VG_CONDUIT_HVC);
	free(b.data);
}

static void test_conduit_unknown_method_or_no_psci(void **state)
{
	struct blob b = test_data_load("qemu-virt-gicv2-smp1.dtb");

	(void)state;
	patch(&b, "smc\0", "xyz\0", 4);
	assert_int_equal(vg_conduit_kind_from_dtb(b.data), VG_CONDUIT_NONE);
	patch(&b, "xyz\0", "hvc\0", 4);
	assert_int_equal(vg_conduit_kind_from_dtb(b.data), VG_CONDUIT_HVC);
	patch(&b, "psci\0", "psxi\0", 5); /* the node's name */
	assert_int_equal(vg_conduit_kind_from_dtb(b.data), VG_CONDUIT_NONE);
	free(b.data);
}

static void test_conduit_from_bad_blobs(void **state)
{
	struct blob b = test_data_load("qemu-virt-gicv3-smp2.dtb");
	uint8_t zero[64] = {0};

	(void)state;
	assert_int_equal(vg_conduit_kind_from_dtb(NULL), VG_CONDUIT_NONE);
	assert_int_equal(vg_conduit_kind_from_dtb(zero), VG_CONDUIT_NONE);
	/* Every truncation, in an exact-size buffer with totalsize patched
	 * to match: never a read outside (ASan), never a wrong answer. */
	for (size_t n = 40; n < b.size; n += 7) {
		uint8_t *t = malloc(n);
		enum vg_conduit_kind k;

		memcpy(t, b.data, n);
		t[4] = (uint8_t)(n >> 24);
		t[5] = (uint8_t)(n >> 16);
		t[6] = (uint8_t)(n >> 8);
		t[7] = (uint8_t)n;
		k = vg_conduit_kind_from_dtb(t);
		assert_true(k == VG_CONDUIT_NONE || k == VG_CONDUIT_SMC);
		free(t);
	}
	free(b.data);
}

static void test_fdt_memory_cpus_uart(void **state)
{
	struct blob b = test_data_load("qemu-virt-gicv3-smp8.dtb");
	struct fdt f;
	uint64_t addr, size;
	int node, n = 0;

	(void)state;
	assert_true((fdt_open(&f, b.data, FDT_MAX_SIZE) == 0));
	node = fdt_path(&f, "/memory");
	assert_true(node >= 0);
	assert_string_equal(fdt_name(&f, node), "memory@40000000");
	assert_true(fdt_reg(&f, node, 0, &addr, &size));
	assert_int_equal(addr, 0x40000000);
	assert_false(fdt_reg(&f, node, 1, &addr, &size));
	for (node = fdt_first_child(&f, fdt_path(&f, "/cpus")); node >= 0;
	     node = fdt_next_sibling(&f, node)) {
		if (!fdt_prop_has_string(&f, node, "device_type", "cpu"))
			continue;
		assert_true(fdt_reg(&f, node, 0, &addr, &size));
		assert_int_equal(addr, (uint64_t)n); /* #size-cells 0 */
		n++;
	}
	assert_int_equal(n, 8);
	node = fdt_find_compatible(&f, -1, "arm,pl011");
	assert_true(node >= 0);
	assert_true(fdt_reg(&f, node, 0, &addr, &size));
	assert_int_equal(addr, 0x09000000);
	assert_int_equal(size, 0x1000);
	assert_int_equal(fdt_parent(&f, node), fdt_root(&f));
	assert_int_equal(fdt_path(&f, "/nonexistent"), -1);
	assert_int_equal(fdt_path(&f, "/cpus/cpu@9"), -1);
	assert_true(fdt_path(&f, "/cpus/cpu@7") >= 0);
	/* A unit address must match in full; none matches the first. */
	assert_int_equal(fdt_path(&f, "/memory@4"), -1);
	assert_int_equal(fdt_path(&f, "/memory@40000000"),
	                 fdt_path(&f, "/memory"));
	assert_string_equal(fdt_name(&f, fdt_path(&f, "/cpus/cpu")), "cpu@0");
	assert_int_equal(fdt_path(&f, "memory"), -1); /* not absolute */
	assert_int_equal(fdt_path(&f, "/"), fdt_root(&f));
	assert_int_equal(
	        fdt_u32(&f, fdt_path(&f, "/cpus"), "#address-cells", 99), 1);
	assert_int_equal(fdt_u32(&f, fdt_root(&f), "no-such-prop", 99), 99);
	free(b.data);
}

static void test_fdt_several_memory_nodes(void **state)
{
	struct blob b = test_data_load("guest-2mem.dtb");
	struct fdt f;
	uint64_t addr, size, total = 0;
	int depth = 0, node, n = 0;

	(void)state;
	assert_true((fdt_open(&f, b.data, FDT_MAX_SIZE) == 0));
	for (node = fdt_root(&f); node >= 0;
	     node = fdt_next_node(&f, node, &depth)) {
		if (!fdt_prop_has_string(&f, node, "device_type", "memory"))
			continue;
		if (!fdt_node_enabled(&f, node)) {
			assert_string_equal(fdt_name(&f, node),
			                    "memory@80000000");
			continue;
		}
		for (unsigned i = 0; fdt_reg(&f, node, i, &addr, &size); i++) {
			total += size;
			n++;
		}
	}
	/* memory@100000000 has two ranges; memory@80000000 is disabled. */
	assert_int_equal(n, 3);
	assert_int_equal(total, 0x3c000000ULL + 0x10000000 + 0x1000000);
	free(b.data);
}

/* ---- formatting -------------------------------------------------------- */

static void test_format_conversions(void **state)
{
	char buf[160];

	(void)state;
	fmt_snprintf(buf, sizeof(buf), "%s|%d|%u|%x|%lx|%llx|%016llx|%c|%%",
	             "ab", -42, 42U, 0xbeefU, 0x123456789abUL,
	             0xffffffffffffffffULL, 0x1234ULL, 'Z');
	assert_string_equal(buf, "ab|-42|42|beef|123456789ab|ffffffffffffffff|"
	                         "0000000000001234|Z|%");
	fmt_snprintf(buf, sizeof(buf), "[%5d][%-5d][%05d][%-4s][%3s][%X]", 42,
	             42, -42, "x", "long", 0xabU);
	assert_string_equal(buf, "[   42][42   ][-0042][x   ][long][AB]");
	fmt_snprintf(buf, sizeof(buf), "%lld %llu %s", (long long)INT64_MIN,
	             (unsigned long long)UINT64_MAX, (char *)NULL);
	assert_string_equal(buf,
	                    "-9223372036854775808 18446744073709551615 (null)");
}

static void test_format_truncates(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"),
	                 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], '0');
}

static void test_iso8601(void **state)
{
	char b[FMT_ISO8601_LEN];

	(void)state;
	fmt_iso8601(0, b);
	assert_string_equal(b, "1970-01-01T00:00:00.000000000Z");
	fmt_iso8601(951782400ULL * 1000000000ULL + 1, b);
	assert_string_equal(b, "2000-02-29T00:00:00.000000001Z");
	fmt_iso8601(1795616325101487792ULL, b);
	assert_string_equal(b, "2026-11-25T14:18:45.101487792Z");
	fmt_iso8601(1735689599ULL * 1000000000ULL + 999999999ULL, b);
	assert_string_equal(b, "2024-12-31T23:59:59.999999999Z");
	fmt_iso8601(4107542400ULL * 1000000000ULL, b); /* 2100: no 2-29 */
	assert_string_equal(b, "2100-03-01T00:00:00.000000000Z");
	fmt_iso8601(UINT64_MAX, b);
	assert_string_equal(b, "2554-07-21T23:34:33.709551615Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_probe_normal_vm,
	                                        setup_normal, teardown),
	        cmocka_unit_test_setup_teardown(test_probe_protected_vm,
	                                        setup_protected, teardown),
	        cmocka_unit_test(test_probe_uid_hidden),
	        cmocka_unit_test(test_probe_smccc_1_0_stops_before_uid),
	        cmocka_unit_test(test_probe_psci_0_2),
	        cmocka_unit_test(test_probe_no_conduit),
	        cmocka_unit_test(test_probe_smccc_version_old),
	        cmocka_unit_test(test_probe_other_uid_is_not_kvm),
	        cmocka_unit_test(test_uid_upper_halves_must_be_zero),
	        cmocka_unit_test(test_feature_bits_are_bit_numbers),
	        cmocka_unit_test(test_ptp_decode),
	        cmocka_unit_test(test_ptp_decode_errors),
	        cmocka_unit_test(test_ptp_read_virtual_and_physical),
	        cmocka_unit_test(test_ptp_hidden_makes_no_call),
	        cmocka_unit_test_setup_teardown(test_ptp_bad_counter_selector,
	                                        setup_normal, teardown),
	        cmocka_unit_test_setup_teardown(test_meminfo_protected,
	                                        setup_protected, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_meminfo_normal_vm_not_offered, setup_normal,
	                teardown),
	        cmocka_unit_test(test_meminfo_malformed_granule),
	        cmocka_unit_test_setup_teardown(
	                test_share_range_unaligned_bytes, setup_protected,
	                teardown),
	        cmocka_unit_test_setup_teardown(test_unshare_range_revokes_host,
	                                        setup_protected, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_share_rollback_on_failing_granule, setup_protected,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_share_rollback_past_end_of_ram, setup_protected,
	                teardown),
	        cmocka_unit_test_setup_teardown(test_unshare_rollback_reshares,
	                                        setup_protected, teardown),
	        cmocka_unit_test_setup_teardown(test_share_range_edge_lengths,
	                                        setup_protected, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_share_normal_vm_refused_without_calls,
	                setup_normal, teardown),
	        cmocka_unit_test(test_share_hidden_in_protected_vm),
	        cmocka_unit_test_setup_teardown(test_share_second_ram_range,
	                                        setup_protected, teardown),
	        cmocka_unit_test_setup_teardown(test_mmio_guard_device_range,
	                                        setup_protected, teardown),
	        cmocka_unit_test_setup_teardown(test_mmio_guard_stops_at_ram,
	                                        setup_protected, teardown),
	        cmocka_unit_test_setup_teardown(test_mmio_guard_normal_vm,
	                                        setup_normal, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_smccc_passes_args_and_zeroes_the_rest,
	                setup_protected, teardown),
	        cmocka_unit_test(test_null_conduit_answers_not_supported),
	        cmocka_unit_test_setup_teardown(test_psci_calls_reach_firmware,
	                                        setup_normal, teardown),
	        cmocka_unit_test(test_conduit_from_board_dtb_is_smc),
	        cmocka_unit_test(test_conduit_from_guest_dtb_is_hvc),
	        cmocka_unit_test(test_conduit_unknown_method_or_no_psci),
	        cmocka_unit_test(test_conduit_from_bad_blobs),
	        cmocka_unit_test(test_fdt_memory_cpus_uart),
	        cmocka_unit_test(test_fdt_several_memory_nodes),
	        cmocka_unit_test(test_format_conversions),
	        cmocka_unit_test(test_format_truncates),
	        cmocka_unit_test(test_iso8601),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
