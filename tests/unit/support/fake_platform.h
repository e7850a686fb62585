/* SPDX-License-Identifier: MIT */
/*
 * Fake platform for the core's host tests: implements struct vhyp_ops with
 * a fake physical counter, a host-access set (what host_grant/host_revoke
 * leave the host able to touch), a PSCI recorder and a CPU-workaround
 * answer; builds VMs on the REAL core stage-2 code over a malloc'd pool
 * with the fake MMU ops (TLB maintenance only is faked).
 *
 * Layout of the default VM (PAs differ from IPAs on purpose):
 *   RAM0  IPA 0x40000000 size 4 MiB   -> PA 0x100000000
 *   RAM1  IPA 0x80000000 size 64 KiB  -> PA 0x200010000
 *   DEV0  IPA 0x09000000 size 4 KiB   -> PA 0x09000000 (UART-like window)
 *   IPA size 40 bits.
 */
#ifndef FAKE_PLATFORM_H
#define FAKE_PLATFORM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <core/dispatch.h>
#include <core/ops.h>
#include <core/pmem.h>
#include <core/stage2.h>
#include <core/vm.h>

#include "fake_mmu.h"

#define FP_RAM0_IPA   0x40000000ULL
#define FP_RAM0_PA    0x100000000ULL
#define FP_RAM0_SIZE  0x400000ULL
#define FP_RAM1_IPA   0x80000000ULL
#define FP_RAM1_PA    0x200010000ULL
#define FP_RAM1_SIZE  0x10000ULL
#define FP_DEV0_IPA   0x09000000ULL
#define FP_DEV0_SIZE  0x1000ULL
#define FP_IPA_BITS   40U
#define FP_POOL_PAGES 512U
#define FP_MAX_GRANTS 2048U

/* Default clock: 2023-11-14T22:13:20Z at count 1000, 62.5 MHz (QEMU). */
#define FP_ANCHOR_NS  1700000000000000000ULL
#define FP_ANCHOR_CNT 1000ULL
#define FP_FREQ_HZ    62500000ULL

/* Fill pattern of X4..X17 in fp_regs: 0xA5A5A5A5_000000nn. */
#define FP_PATTERN(i) (0xA5A5A5A500000000ULL | (uint64_t)(i))

struct fake_platform {
	struct vhyp_vm vm;
	struct vhyp_vm_config cfg;
	struct vhyp_ops ops;
	struct vhyp_clock clock;
	struct fake_mmu mmu;
	struct s2_pool pool;
	void *pool_mem;
	size_t pool_pages;
	bool created;

	/* Counter: each read returns cnt, then cnt += cnt_step. */
	uint64_t cnt;
	uint64_t cnt_step;
	unsigned cnt_reads;

	/* Host access: the set of PAs granted and not revoked. */
	uint64_t granted[FP_MAX_GRANTS];
	size_t nr_granted;
	unsigned nr_grant_calls;
	unsigned nr_revoke_calls;
	unsigned host_errors; /* double grant, revoke of an ungranted PA */
	uint64_t last_grant_pa;
	uint64_t last_revoke_pa;
	/* Sampled inside grant/revoke: the VM lock held?  The stage-2
	 * software state of the granule (IPA found through fp->cfg.ram)
	 * at that moment (4 if not found). */
	bool lock_held_at_grant;
	bool lock_held_at_revoke;
	unsigned state_at_grant;
	unsigned state_at_revoke;

	/* PSCI recorder. */
	unsigned psci_calls;
	uint64_t psci_in[4];
	struct vhyp_vcpu *psci_vcpu;
	uint64_t psci_out[4]; /* what the fake firmware answers */

	/* SMCCC_ARCH_FEATURES for WORKAROUND_n. */
	unsigned workaround_calls;
	uint32_t workaround_last;
	int64_t workaround_answer;

	/* Entropy source (fp_enable_trng): call n (from 0) returns
	 * entropy_words[n % 4]; calls from entropy_fail_from on fail. */
	uint64_t entropy_words[4];
	unsigned entropy_calls;
	unsigned entropy_fail_from; /* UINT32_MAX: never */

	/* PV time (fp_enable_pv_time): IPA pv_time_base + 64 * index of the
	 * vCPU pointer in fp->vcpus (UINT64_MAX for any other). */
	uint64_t pv_time_base;
	unsigned pv_time_calls;
	/* Two vCPUs of fp->vm (fp_init): vcpus[i] = &vcpu[i], index i. */
	struct vhyp_vcpu vcpu[2];
	struct vhyp_vcpu *vcpus[2];
};

/* Offer the TRNG with the default words 0x0123456789ABCDEF,
 * 0xFEDCBA9876543210, 0xA5A5A5A55A5A5A5A, 0xFFFFFFFFFFFFFFFF. */
void fp_enable_trng(struct fake_platform *fp);
/* Offer PV time at base 0x090a0000 for two vCPUs. */
void fp_enable_pv_time(struct fake_platform *fp);
/* One call with vCPU pointer vcpu. */
void fp_call_vcpu(struct fake_platform *fp, struct vhyp_vcpu *vcpu,
                  uint64_t x[18]);

/* Zeroes fp, allocates the pool, sets the default clock, counter and
 * ops and the default layout in fp->cfg for a VM of the given kind. */
void fp_init(struct fake_platform *fp, bool protected_vm);
/* Creates fp->vm from fp->cfg; returns vhyp_vm_create's result. */
int fp_create(struct fake_platform *fp, const char **err);
/* fp_init + fp_create, asserting success. */
void fp_setup(struct fake_platform *fp, bool protected_vm);
void fp_fini(struct fake_platform *fp);

bool fp_host_has(const struct fake_platform *fp, uint64_t pa);
/* pmem_host_may_access under the VM lock (taken and released here). */
bool fp_host_may(struct vhyp_vm *vm, uint64_t ipa, uint64_t len);

/* Stage-2 view of one IPA. */
struct fp_pte {
	bool valid;
	unsigned level;
	uint64_t pte;
	unsigned state; /* software bits 56:55 */
};
struct fp_pte fp_lookup(struct fake_platform *fp, uint64_t ipa);

/* x[0..3] = a..d, x[4..17] = FP_PATTERN(4..17). */
void fp_regs(uint64_t x[18], uint64_t a, uint64_t b, uint64_t c, uint64_t d);
/* One call through vhyp_smccc_call with a NULL vCPU. */
void fp_call(struct fake_platform *fp, uint64_t x[18]);

/* Asserts x[0..3] and that x[4..17] still hold the fp_regs pattern. */
#define fp_assert_regs(x, a, b, c, d)                                          \
	do {                                                                   \
		assert_int_equal((x)[0], (uint64_t)(a));                       \
		assert_int_equal((x)[1], (uint64_t)(b));                       \
		assert_int_equal((x)[2], (uint64_t)(c));                       \
		assert_int_equal((x)[3], (uint64_t)(d));                       \
		for (int i_ = 4; i_ < 18; i_++)                                \
			assert_int_equal((x)[i_], FP_PATTERN(i_));             \
	} while (0)

/* One call with X0..X3 given, the rest patterned; asserts the four
 * results and the preservation of X4..X17. */
#define fp_expect(fp, x0, x1, x2, x3, r0, r1, r2, r3)                          \
	do {                                                                   \
		uint64_t x_[18];                                               \
		fp_regs(x_, (x0), (x1), (x2), (x3));                           \
		fp_call((fp), x_);                                             \
		fp_assert_regs(x_, (r0), (r1), (r2), (r3));                    \
	} while (0)

/* -1 as SMCCC returns it, written out. */
#define FP_MINUS1 0xFFFFFFFFFFFFFFFFULL
#define FP_MINUS3 0xFFFFFFFFFFFFFFFDULL

/* cmocka setup/teardown: *state becomes a fresh struct fake_platform
 * with a created VM of that kind. */
int fp_state_normal(void **state);
int fp_state_protected(void **state);
int fp_state_teardown(void **state);

#endif /* FAKE_PLATFORM_H */
