// SPDX-License-Identifier: MIT
/*
 * The hypercall benchmark guest.  It times back-to-back calls of each KVM
 * vendor-hypervisor service the hypervisor offers (isb; read the virtual
 * counter; N calls; isb; read it again), keeps the fewest ticks of many
 * batches and prints the cost of one call in instructions, one line per
 * call:
 *
 *	bench: features 38
 *
 * Under QEMU -icount shift=0 an instruction takes 1 ns of virtual time and
 * the counter runs at CNTFRQ of that time, so ticks * (1e9 / CNTFRQ) are
 * instructions: the figures include the loop and repeat exactly.  Batches
 * stay well under 4 ms of virtual time, so that a host timer tick (HZ=250
 * under Linux KVM) misses most of them; the minimum drops the ones it hits.
 *
 * It runs with a DTB (under vhyp: conduit from /psci) and without one
 * (x0 = 0 under bench/kvm: HVC, PL011 at 0x09000000).  Under the floor
 * hypervisor (vhyp-floor.bin: every non-PSCI HVC returns at once with X0
 * unchanged) FEATURES answers its own function ID; the guest then times
 * every row with the same loops, which gives each row's floor.
 */
#include <guest/kvm.h>
#include <guest/rt.h>

uint64_t bench_time_calls(uint64_t fid, uint64_t x1, uint64_t n);
uint64_t bench_time_share_rounds(uint64_t ipa, uint64_t granule, uint64_t count,
                                 uint64_t rounds);

/* A vendor-hyp fast call KVM does not define (function number 63). */
#define UNKNOWN_VENDOR_FUNC_ID 0x8600003FU

#define BATCHES         20U
#define CALLS_PER_BATCH 200U
/* MEM_SHARE + MEM_UNSHARE costs ~6500 instructions under pKVM: rounds of
 * one granule and of 64 granules kept well below 4 ms a batch. */
#define SHARE_ROUNDS_1  100U
#define SHARE_RANGE     64U
#define SHARE_ROUNDS_64 2U

#define GRANULE KVM_PROTECTION_GRANULE

static uint8_t share_buf[SHARE_RANGE * GRANULE]
        __attribute__((aligned(GRANULE)));

/* Per-call cost in instructions, rounded: ticks * 1e9 / (CNTFRQ * calls). */
static uint64_t instructions(uint64_t ticks, uint64_t calls)
{
	uint64_t den = rt_cntfrq() * calls;

	return (ticks * 1000000000ULL + den / 2U) / den;
}

static void report(const char *name, uint64_t ticks, uint64_t calls)
{
	rt_printf("bench: %s %llu\n", name,
	          (unsigned long long)instructions(ticks, calls));
}

static void time_calls(const char *name, uint32_t fid, uint64_t x1)
{
	uint64_t best = UINT64_MAX;
	unsigned i;

	for (i = 0; i < BATCHES; i++) {
		uint64_t t = bench_time_calls(fid, x1, CALLS_PER_BATCH);

		if (t < best)
			best = t;
	}
	report(name, best, CALLS_PER_BATCH);
}

static void time_share(const char *name, uint64_t count, uint64_t rounds)
{
	uint64_t ipa = (uint64_t)(uintptr_t)share_buf;
	uint64_t best = UINT64_MAX;
	unsigned i;

	for (i = 0; i < BATCHES; i++) {
		uint64_t t =
		        bench_time_share_rounds(ipa, GRANULE, count, rounds);

		if (t < best)
			best = t;
	}
	/* Per granule: one MEM_SHARE plus one MEM_UNSHARE. */
	report(name, best, count * rounds);
}

/* One call, its X0 printed: shows what the timed loop gets back. */
static int64_t call_once(const char *name, uint32_t fid, uint64_t x1)
{
	struct vg_res r = vg_smccc(&rt_hyp.conduit, fid, x1, 0, 0);

	rt_printf("bench: result %s %lld\n", name, (long long)(int64_t)r.a0);
	return (int64_t)r.a0;
}

/* Without a DTB there is no /psci: KVM's conduit is HVC. */
static bool pick_conduit(const void *dtb)
{
	enum vg_conduit_kind kind = vg_conduit_kind_from_dtb(dtb);
	struct vg_conduit c;

	if (kind == VG_CONDUIT_NONE && dtb == NULL)
		kind = VG_CONDUIT_HVC;
	if (kind != VG_CONDUIT_HVC) {
		rt_printf("bench: error conduit %s (the loops use HVC)\n",
		          vg_conduit_kind_name(kind));
		return false;
	}
	c = vg_conduit_for(kind);
	vg_hyp_init(&rt_hyp, &c);
	return true;
}

/* The protected rows share the first granules of share_buf, which must be
 * the guest's own (touched) memory. */
static bool share_works(void)
{
	uint64_t ipa = (uint64_t)(uintptr_t)share_buf;
	unsigned i;

	for (i = 0; i < SHARE_RANGE; i++)
		((volatile uint8_t *)share_buf)[i * GRANULE] = (uint8_t)i;
	return call_once("mem_share", KVM_VENDOR_MEM_SHARE_FUNC_ID, ipa) == 0 &&
	       call_once("mem_unshare", KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa) ==
	               0;
}

static void time_protected_calls(uint64_t features, bool floor)
{
	uint64_t share = KVM_FEAT_MEM_SHARE | KVM_FEAT_MEM_UNSHARE;
	uint64_t granule = GRANULE;

	if (features & KVM_FEAT_HYP_MEMINFO) {
		if (!floor)
			granule = (uint64_t)call_once(
			        "meminfo", KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0);
		time_calls("meminfo", KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0);
	}
	if ((features & share) == share) {
		if (granule != GRANULE)
			rt_printf("bench: skip share (granule %llu)\n",
			          (unsigned long long)granule);
		else if (floor || share_works()) {
			time_share("share_unshare_1", 1, SHARE_ROUNDS_1);
			time_share("share_unshare_64", SHARE_RANGE,
			           SHARE_ROUNDS_64);
		}
	}
	if (features & KVM_FEAT_MMIO_GUARD) {
		/* The console's granule: guarding it keeps the console
		 * working once the guard is on. */
		uint64_t uart = rt_uart_base() & ~(uint64_t)(GRANULE - 1U);

		if (floor ||
		    call_once("mmio_guard", KVM_VENDOR_MMIO_GUARD_FUNC_ID,
		              uart) == 0)
			time_calls("mmio_guard", KVM_VENDOR_MMIO_GUARD_FUNC_ID,
			           uart);
	}
}

int main(const void *dtb)
{
	uint64_t features;
	bool floor;

	if (!pick_conduit(dtb))
		return 1;
	rt_printf("bench: dtb %s\n", dtb != NULL ? "yes" : "no");
	rt_printf("bench: cntfrq %llu\n", (unsigned long long)rt_cntfrq());

	features =
	        vg_smccc(&rt_hyp.conduit, KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0)
	                .a0;
	floor = features == KVM_VENDOR_FEATURES_FUNC_ID;
	if (floor) {
		features = KVM_FEATURES_IMPLEMENTED;
		rt_printf("bench: floor 1\n");
	} else {
		enum vg_probe_result p = vg_probe(&rt_hyp);

		if (p != VG_PROBE_OK) {
			rt_printf("bench: error probe %s\n",
			          vg_probe_strerror(p));
			return 1;
		}
		features = rt_hyp.features[0];
	}
	rt_printf("bench: features_bitmap 0x%llx\n",
	          (unsigned long long)features);

	time_calls("unknown", UNKNOWN_VENDOR_FUNC_ID, 0);
	time_calls("smccc_version", SMCCC_VERSION_FUNC_ID, 0);
	time_calls("uid", KVM_VENDOR_CALL_UID_FUNC_ID, 0);
	time_calls("features", KVM_VENDOR_FEATURES_FUNC_ID, 0);
	if (features & KVM_FEAT_PTP) {
		time_calls("ptp_virt", KVM_VENDOR_PTP_FUNC_ID,
		           KVM_PTP_VIRT_COUNTER);
		time_calls("ptp_phys", KVM_VENDOR_PTP_FUNC_ID,
		           KVM_PTP_PHYS_COUNTER);
	}
	time_protected_calls(features, floor);
	rt_printf("bench: done\n");
	return 0;
}
