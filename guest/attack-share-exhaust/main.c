// SPDX-License-Identifier: MIT
/*
 * Attack class "share exhaust": make the hypervisor build as much of the
 * host-side view of guest RAM as a guest can.  A protected VM shares one
 * granule in each 2 MiB region of all its RAM (each needs its own level-3
 * table in the EL2 view), unshares them all, and shares them again; the
 * hypervisor must answer every call SUCCESS (the view is reserved when the
 * VM is created, so there is no exhaustion to report; a refusal would have
 * to be the documented INVALID_PARAMETER, never a panic).  The suite
 * (tests/qemu/attack/share-exhaust.sh) checks that the run ends with the
 * guest's power-off, not the hypervisor's panic status.  A normal VM is
 * not offered SHARE/UNSHARE: both must be NOT_SUPPORTED.  Output is TAP.
 */
#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fmt.h>
#include <vhyp/smccc.h>

#define GRANULE 4096ULL
#define REGION  (2ULL * 1024 * 1024)

/* The granule of region r the attack uses: the last one (the image sits
 * at the start of RAM; which one does not matter to the tables). */
static uint64_t target(uint64_t region)
{
	return region + REGION - GRANULE;
}

struct tally {
	uint64_t ok, refused, other;
	int64_t first_other;
};

static void count(struct tally *t, int64_t ret)
{
	if (ret == SMCCC_RET_SUCCESS) {
		t->ok++;
	} else if (ret == SMCCC_RET_INVALID_PARAMETER) {
		t->refused++;
	} else {
		if (t->other++ == 0)
			t->first_other = ret;
	}
}

/* One pass over every 2 MiB region: share (or unshare) its target. */
static void pass(bool share, const char *what)
{
	uint64_t base = rt_ram_base(), size = rt_ram_size();
	uint64_t n = size / REGION, t0 = rt_cntvct();
	struct tally t = {0, 0, 0, 0};

	for (uint64_t r = base; r < base + size; r += REGION)
		count(&t, share ? vg_mem_share(&rt_hyp, target(r))
		                : vg_mem_unshare(&rt_hyp, target(r)));
	rt_tap(t.ok == n && t.refused == 0 && t.other == 0,
	       "%s one granule in each of the %llu 2 MiB regions of %llu MiB: "
	       "%llu SUCCESS, %llu INVALID_PARAMETER, %llu other (first %lld) "
	       "in %llu ms",
	       what, (unsigned long long)n, (unsigned long long)(size >> 20),
	       (unsigned long long)t.ok, (unsigned long long)t.refused,
	       (unsigned long long)t.other, (long long)t.first_other,
	       (unsigned long long)((rt_cntvct() - t0) * 1000 / rt_cntfrq()));
}

static void protected_vm(void)
{
	uint64_t base = rt_ram_base();

	pass(true, "SHARE");
	/* Sharing twice is refused (state machine), still no panic. */
	rt_tap(vg_mem_share(&rt_hyp, target(base)) ==
	               SMCCC_RET_INVALID_PARAMETER,
	       "SHARE of an already shared granule: INVALID_PARAMETER");
	pass(false, "UNSHARE");
	pass(true, "SHARE again");
	pass(false, "UNSHARE again");
	/* Unaligned and out-of-RAM IPAs: the documented refusal. */
	rt_tap(vg_mem_share(&rt_hyp, target(base) + 8) ==
	                       SMCCC_RET_INVALID_PARAMETER &&
	               vg_mem_share(&rt_hyp, rt_ram_base() + rt_ram_size()) ==
	                       SMCCC_RET_INVALID_PARAMETER,
	       "SHARE unaligned / beyond RAM: INVALID_PARAMETER");
}

static void normal_vm(void)
{
	uint64_t g = target(rt_ram_base());
	int64_t s = vg_mem_share(&rt_hyp, g), u = vg_mem_unshare(&rt_hyp, g);

	rt_tap(s == SMCCC_RET_NOT_SUPPORTED && u == SMCCC_RET_NOT_SUPPORTED,
	       "normal VM: SHARE %lld, UNSHARE %lld (NOT_SUPPORTED expected)",
	       (long long)s, (long long)u);
}

int main(const void *dtb)
{
	enum vg_probe_result r = vg_probe(&rt_hyp);
	bool share = vg_has_feature(&rt_hyp, KVM_FUNC_MEM_SHARE) &&
	             vg_has_feature(&rt_hyp, KVM_FUNC_MEM_UNSHARE);

	(void)dtb;
	rt_tap(r == VG_PROBE_OK,
	       "KVM vendor services (%s), SHARE %soffered, "
	       "RAM %llu MiB",
	       vg_probe_strerror(r), share ? "" : "not ",
	       (unsigned long long)(rt_ram_size() >> 20));
	if (share)
		protected_vm();
	else
		normal_vm();
	rt_tap_plan("attack-share-exhaust");
	return 0;
}
