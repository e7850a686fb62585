// SPDX-License-Identifier: MIT
/*
 * SMP guest (run with --smp 4): PSCI through vhyp's proxy.
 *
 *  1. CPU_ON of every secondary -> 0, and each reports in on the right
 *     CPU (its MPIDR, its context = index);
 *  2. AFFINITY_INFO of each running CPU -> ON;
 *  3. UID/FEATURES/SMCCC_VERSION/PTP/AFFINITY_INFO from all CPUs at once
 *     give the right answers, registers preserved;
 *  4. after CPU_OFF, AFFINITY_INFO -> OFF;
 *  5. PSCI errors: CPU_ON of a running CPU -> ALREADY_ON, of an MPIDR that
 *     does not exist -> INVALID_PARAMETERS, with an entry outside guest RAM
 *     (the hypervisor window, 0) -> INVALID_ADDRESS and the CPU stays off;
 *  6. off -> on cycles: each secondary is switched on again after it went
 *     off, several times, and runs each time; also with CPU_ON issued
 *     while the CPU is still on its way off (only ALREADY_ON until it is
 *     off, then SUCCESS);
 *  7. CPU_ON races: three CPUs call CPU_ON on the same off CPU at once:
 *     exactly one SUCCESS, the others ALREADY_ON (vhyp's documented
 *     answer: the target leaves OFF by one compare-and-swap; KVM answers
 *     ALREADY_ON as well), and the target runs once.
 */
#include <guest/rt.h>
#include <vhyp/boot.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#include "../conformance/common/gt.h"

#define MPIDR_AFF_MASK   0xFF00FFFFFFULL
#define WAIT_MS          5000U
#define CONCURRENT_ITERS 1500U
#define OFF_ON_CYCLES    4U
#define RACE_ROUNDS      6U
#define NS               GT_RET_NOT_SUPPORTED

static unsigned ncpus;

static volatile uint64_t arrived_mpidr[RT_MAX_CPUS];
static volatile uint32_t arrived[RT_MAX_CPUS];
static volatile uint32_t runs[RT_MAX_CPUS];
static volatile uint32_t phase;
static volatile uint32_t loop_done[RT_MAX_CPUS];
static volatile uint32_t loop_bad[RT_MAX_CPUS];
static char loop_why[RT_MAX_CPUS][200];

/* Waits until *p == want (at most ms): true if it happened. */
static bool wait_eq(volatile uint32_t *p, uint32_t want, unsigned ms)
{
	uint64_t end = rt_cntpct() + rt_cntfrq() / 1000U * ms;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (rt_cntpct() > end)
			return false;
		gt_relax();
	}
	return true;
}

static uint64_t self_mpidr(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & MPIDR_AFF_MASK;
}

/* One PSCI call through gt_call: X0 as a signed result; false (and why)
 * if X1..X3 are not zero or X4..X28 were not preserved. */
static int64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
                    bool *regs_ok)
{
	struct gt_call c;
	char why[200];

	gt_hvc(&c, fid, a1, a2, a3);
	*regs_ok = gt_call_preserved(&c, why, sizeof(why)) && c.out[1] == 0 &&
	           c.out[2] == 0 && c.out[3] == 0;
	if (!*regs_ok)
		gt_diag("PSCI 0x%x: X1..X3 0x%llx 0x%llx 0x%llx; %s", fid,
		        (unsigned long long)c.out[1],
		        (unsigned long long)c.out[2],
		        (unsigned long long)c.out[3], why);
	return (int64_t)c.out[0];
}

static int64_t affinity_info(unsigned cpu)
{
	bool regs_ok;

	return psci(PSCI_AFFINITY_INFO_64_FUNC_ID, rt_cpu_mpidr(cpu), 0, 0,
	            &regs_ok);
}

/*
 * PTP on this CPU: the counter of PTP(0) (PTP(1)) lies between two reads
 * of this CPU's CNTVCT (CNTPCT), so each vCPU's counter offset is the
 * VM's, also after a CPU_OFF/CPU_ON.
 */
static volatile uint32_t ptp_bad[RT_MAX_CPUS];

static bool ptp_brackets(void)
{
	unsigned arg;

	for (arg = KVM_PTP_VIRT_COUNTER; arg <= KVM_PTP_PHYS_COUNTER; arg++) {
		struct gt_call c;
		uint64_t before, after, counter;
		char why[200];

		gt_call_prepare(&c, KVM_VENDOR_PTP_FUNC_ID, arg, 0, 0);
		before = arg == 0 ? rt_cntvct() : rt_cntpct();
		gt_call_issue(GT_HVC_0, &c);
		after = arg == 0 ? rt_cntvct() : rt_cntpct();
		counter = c.out[2] << 32 | c.out[3];
		if (!gt_call_preserved(&c, why, sizeof(why)) ||
		    (c.out[0] & 0x80000000ULL) != 0 || counter < before ||
		    counter > after)
			return false;
	}
	return true;
}

/* ---- the concurrent calls ---------------------------------------------- */

static bool one_call_ok(unsigned k, char *why, size_t len)
{
	static const uint64_t uid[4] = {KVM_VENDOR_UID_W0, KVM_VENDOR_UID_W1,
	                                KVM_VENDOR_UID_W2, KVM_VENDOR_UID_W3};
	static const uint64_t feat[4] = {KVM_FEATURES_NORMAL_DEFAULT, 0, 0, 0};
	static const uint64_t version[4] = {SMCCC_VERSION_1_1, 0, 0, 0};
	static const uint64_t aff_on[4] = {PSCI_AFF_ON, 0, 0, 0};
	struct gt_call c;
	char got[128];
	const uint64_t *want = NULL;
	bool ok;

	switch (k % 5) {
	case 0:
		gt_hvc(&c, KVM_VENDOR_CALL_UID_FUNC_ID, k, ~k, 0);
		want = uid;
		break;
	case 1:
		gt_hvc(&c, KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0);
		want = feat;
		break;
	case 2:
		gt_hvc(&c, SMCCC_VERSION_FUNC_ID, 0, 0, 0);
		want = version;
		break;
	case 3:
		gt_hvc(&c, PSCI_AFFINITY_INFO_64_FUNC_ID, self_mpidr(), 0, 0);
		want = aff_on;
		break;
	default:
		gt_hvc(&c, KVM_VENDOR_PTP_FUNC_ID, KVM_PTP_VIRT_COUNTER, 0, 0);
		break;
	}
	if (!gt_call_preserved(&c, why, len))
		return false;
	if (want != NULL)
		ok = gt_call_ret_is(&c, want);
	else
		ok = (c.out[0] & 0x80000000ULL) == 0 &&
		     ((c.out[0] | c.out[1] | c.out[2] | c.out[3]) >> 32) == 0;
	if (!ok) {
		gt_call_format_ret(&c, got, sizeof(got));
		fmt_snprintf(why, len, "call 0x%llx: %s",
		             (unsigned long long)c.in[0], got);
	}
	return ok;
}

static void concurrent_calls(unsigned cpu)
{
	unsigned k;

	for (k = 0; k < CONCURRENT_ITERS; k++) {
		char why[200];

		if (one_call_ok(k + cpu, why, sizeof(why)))
			continue;
		if (loop_bad[cpu]++ == 0)
			memcpy(loop_why[cpu], why, sizeof(why));
	}
	__atomic_store_n(&loop_done[cpu], 1, __ATOMIC_RELEASE);
}

/* Secondary of steps 1-4: reports in, waits, calls, waits, goes off. */
static void held_cpu(unsigned cpu, void *arg)
{
	(void)arg;
	arrived_mpidr[cpu] = self_mpidr();
	if (!ptp_brackets())
		__atomic_add_fetch(&ptp_bad[cpu], 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&arrived[cpu], 1, __ATOMIC_RELEASE);
	wait_eq(&phase, 1, 60000);
	concurrent_calls(cpu);
	wait_eq(&phase, 2, 60000);
}

static void count_run(unsigned cpu, void *arg)
{
	(void)arg;
	if (!ptp_brackets())
		__atomic_add_fetch(&ptp_bad[cpu], 1, __ATOMIC_ACQ_REL);
	__atomic_add_fetch(&runs[cpu], 1, __ATOMIC_ACQ_REL);
}

static void bring_up(void)
{
	unsigned i;
	bool regs_ok;
	int64_t ret;

	for (i = 1; i < ncpus; i++) {
		ret = rt_cpu_start(i, held_cpu, NULL);
		gt_report(ret == PSCI_RET_SUCCESS,
		          "CPU %u: CPU_ON(MPIDR 0x%llx) -> %lld", i,
		          (unsigned long long)rt_cpu_mpidr(i), (long long)ret);
	}
	for (i = 1; i < ncpus; i++) {
		bool in = wait_eq(&arrived[i], 1, WAIT_MS);

		gt_report(in && arrived_mpidr[i] == rt_cpu_mpidr(i),
		          "CPU %u reported in: %s (MPIDR 0x%llx, want 0x%llx)",
		          i, in ? "running" : "did not start",
		          (unsigned long long)arrived_mpidr[i],
		          (unsigned long long)rt_cpu_mpidr(i));
	}
	for (i = 0; i < ncpus; i++) {
		ret = psci(PSCI_AFFINITY_INFO_64_FUNC_ID, rt_cpu_mpidr(i), 0, 0,
		           &regs_ok);
		gt_report(
		        ret == PSCI_AFF_ON && regs_ok,
		        "AFFINITY_INFO(CPU %u) while it runs -> ON (got %lld)",
		        i, (long long)ret);
	}
	/* Level 1: the whole cluster of CPU 0, which is running. */
	ret = psci(PSCI_AFFINITY_INFO_64_FUNC_ID, rt_cpu_mpidr(0), 1, 0,
	           &regs_ok);
	gt_report(ret == PSCI_AFF_ON && regs_ok,
	          "AFFINITY_INFO(CPU 0's cluster, level 1) -> ON (got %lld)",
	          (long long)ret);
	ret = psci(PSCI_AFFINITY_INFO_32_FUNC_ID, rt_cpu_mpidr(ncpus - 1), 0, 0,
	           &regs_ok);
	gt_report(ret == PSCI_AFF_ON && regs_ok,
	          "AFFINITY_INFO (SMC32 ID) of CPU %u -> ON (got %lld)",
	          ncpus - 1, (long long)ret);
}

static void concurrent_step(void)
{
	unsigned i, bad = 0, done = 1;

	__atomic_store_n(&phase, 1, __ATOMIC_RELEASE);
	concurrent_calls(0);
	for (i = 1; i < ncpus; i++)
		done += wait_eq(&loop_done[i], 1, 30000) ? 1U : 0U;
	for (i = 0; i < ncpus; i++) {
		bad += loop_bad[i];
		if (loop_bad[i] != 0)
			gt_diag("CPU %u: %u wrong answers, first: %s", i,
			        loop_bad[i], loop_why[i]);
	}
	gt_report(done == ncpus && bad == 0,
	          "UID/FEATURES/SMCCC_VERSION/AFFINITY_INFO/PTP from %u CPUs "
	          "at once: %u calls each, %u wrong",
	          done, CONCURRENT_ITERS, bad);
	__atomic_store_n(&phase, 2, __ATOMIC_RELEASE);
	for (i = 1; i < ncpus; i++) {
		bool off = rt_cpu_wait_off(i, WAIT_MS * 1000000ULL);

		gt_report(off && affinity_info(i) == PSCI_AFF_OFF,
		          "CPU %u: after its CPU_OFF, AFFINITY_INFO -> OFF", i);
	}
}

static void error_step(void)
{
	uint64_t window = rt_ram_base() + rt_ram_size();
	uint64_t entry = (uint64_t)(uintptr_t)count_run; /* any RAM address */
	bool regs_ok;
	int64_t ret;

	ret = psci(PSCI_CPU_ON_64_FUNC_ID, rt_cpu_mpidr(0), entry, 0, &regs_ok);
	gt_report(ret == PSCI_RET_ALREADY_ON && regs_ok,
	          "CPU_ON of the calling CPU -> ALREADY_ON (got %lld)",
	          (long long)ret);
	ret = psci(PSCI_CPU_ON_64_FUNC_ID, 0x100, entry, 0, &regs_ok);
	gt_report(ret == PSCI_RET_INVALID_PARAMS && regs_ok,
	          "CPU_ON of MPIDR 0x100 (no such CPU) -> INVALID_PARAMETERS "
	          "(got %lld)",
	          (long long)ret);
	ret = psci(PSCI_CPU_ON_64_FUNC_ID, rt_cpu_mpidr(1) | (1ULL << 31),
	           entry, 0, &regs_ok);
	gt_report(ret == PSCI_RET_INVALID_PARAMS && regs_ok,
	          "CPU_ON of MPIDR with bit 31 set -> INVALID_PARAMETERS (got "
	          "%lld)",
	          (long long)ret);
	ret = psci(PSCI_AFFINITY_INFO_64_FUNC_ID, 0x100, 0, 0, &regs_ok);
	gt_report(ret == PSCI_RET_INVALID_PARAMS && regs_ok,
	          "AFFINITY_INFO of MPIDR 0x100 -> INVALID_PARAMETERS (got "
	          "%lld)",
	          (long long)ret);
	ret = psci(PSCI_AFFINITY_INFO_64_FUNC_ID, rt_cpu_mpidr(1), 4, 0,
	           &regs_ok);
	gt_report(ret == PSCI_RET_INVALID_PARAMS && regs_ok,
	          "AFFINITY_INFO with level 4 -> INVALID_PARAMETERS (got %lld)",
	          (long long)ret);
	ret = psci(PSCI_CPU_ON_64_FUNC_ID, rt_cpu_mpidr(1), window, 0,
	           &regs_ok);
	gt_report(ret == PSCI_RET_INVALID_ADDRESS && regs_ok,
	          "CPU_ON with the entry in the hypervisor window (0x%llx) -> "
	          "INVALID_ADDRESS (got %lld)",
	          (unsigned long long)window, (long long)ret);
	ret = psci(PSCI_CPU_ON_64_FUNC_ID, rt_cpu_mpidr(1), 0, 0, &regs_ok);
	gt_report(ret == PSCI_RET_INVALID_ADDRESS && regs_ok,
	          "CPU_ON with entry 0 -> INVALID_ADDRESS (got %lld)",
	          (long long)ret);
	/* SMC32 convention: the entry is read as 32 bits (0x1000, not RAM). */
	ret = psci(PSCI_CPU_ON_32_FUNC_ID, rt_cpu_mpidr(1),
	           (1ULL << 32) | 0x1000U, 0, &regs_ok);
	gt_report(ret == PSCI_RET_INVALID_ADDRESS && regs_ok,
	          "CPU_ON (SMC32 ID) with entry 0x1_00001000 -> "
	          "INVALID_ADDRESS (got %lld)",
	          (long long)ret);
	gt_report(affinity_info(1) == PSCI_AFF_OFF,
	          "CPU 1 is still OFF after the refused CPU_ONs");
}

static void off_on_cycles(void)
{
	unsigned i, k;

	for (i = 1; i < ncpus; i++) {
		unsigned ran = 0, refused = 0;
		uint32_t before = runs[i];

		for (k = 0; k < OFF_ON_CYCLES; k++) {
			if (rt_cpu_start(i, count_run, NULL) !=
			    PSCI_RET_SUCCESS)
				refused++;
			if (wait_eq(&runs[i], before + k + 1, WAIT_MS))
				ran++;
			if (!rt_cpu_wait_off(i, WAIT_MS * 1000000ULL))
				break;
		}
		gt_report(ran == OFF_ON_CYCLES && refused == 0,
		          "CPU %u: %u CPU_ON -> CPU_OFF cycles, CPU_ON refused "
		          "%u times, ran %u times",
		          i, OFF_ON_CYCLES, refused, ran);
	}
	/* CPU_ON right after the CPU ran, while it is still on its way
	 * off: ALREADY_ON until vhyp has it OFF, then SUCCESS. */
	for (i = 1; i < ncpus; i++) {
		unsigned ran = 0, busy = 0, other = 0;
		uint32_t before = runs[i];
		int64_t ret = 0;

		if (rt_cpu_start(i, count_run, NULL) != PSCI_RET_SUCCESS)
			other++;
		for (k = 0; k < OFF_ON_CYCLES; k++) {
			uint64_t end = rt_cntpct() + rt_cntfrq() * 5;

			if (!wait_eq(&runs[i], before + k + 1, WAIT_MS))
				break;
			ran++;
			while ((ret = rt_cpu_start(i, count_run, NULL)) ==
			               PSCI_RET_ALREADY_ON &&
			       rt_cntpct() < end)
				busy++;
			if (ret != PSCI_RET_SUCCESS) {
				other++;
				break;
			}
		}
		if (ret == PSCI_RET_SUCCESS &&
		    wait_eq(&runs[i], before + k + 1, WAIT_MS))
			ran++;
		rt_cpu_wait_off(i, WAIT_MS * 1000000ULL);
		gt_report(ran == OFF_ON_CYCLES + 1 && other == 0,
		          "CPU %u: CPU_ON while it goes off: ALREADY_ON %u "
		          "times, then SUCCESS; ran %u of %u times (last %lld)",
		          i, busy, ran, OFF_ON_CYCLES + 1, (long long)ret);
	}
}

/* ---- CPU_ON races ------------------------------------------------------ */

static volatile uint32_t race_ready, race_go, race_done;
static volatile int64_t race_ret[RT_MAX_CPUS];
static unsigned race_target;

/* The target stays on until every racer has its answer, so that a late
 * CPU_ON cannot legitimately start it a second time. */
static void race_target_run(unsigned cpu, void *arg)
{
	count_run(cpu, arg);
	wait_eq(&race_done, 3, WAIT_MS);
}

static void race(unsigned cpu)
{
	race_ret[cpu] = rt_cpu_start(race_target, race_target_run, NULL);
	__atomic_add_fetch(&race_done, 1, __ATOMIC_ACQ_REL);
}

static void racer(unsigned cpu, void *arg)
{
	(void)arg;
	__atomic_add_fetch(&race_ready, 1, __ATOMIC_ACQ_REL);
	wait_eq(&race_go, 1, 60000);
	race(cpu);
}

static void race_step(void)
{
	const unsigned racers[3] = {0, 1, 2};
	unsigned round, i;

	if (ncpus < 4) {
		gt_report(true, "CPU_ON races # SKIP need 4 CPUs, have %u",
		          ncpus);
		return;
	}
	race_target = ncpus - 1;
	for (round = 0; round < RACE_ROUNDS; round++) {
		uint32_t before = runs[race_target];
		unsigned wins = 0, already = 0;
		bool target_ran, all_off = true;

		race_ready = race_done = race_go = 0;
		for (i = 0; i < 3; i++)
			race_ret[racers[i]] = 1;
		for (i = 1; i < 3; i++)
			(void)rt_cpu_start(racers[i], racer, NULL);
		wait_eq(&race_ready, 2, WAIT_MS);
		/* Vary who calls first a little between rounds. */
		rt_udelay(round * 3U);
		__atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
		race(0);
		wait_eq(&race_done, 3, WAIT_MS);
		for (i = 0; i < 3; i++) {
			wins += race_ret[racers[i]] == PSCI_RET_SUCCESS;
			already += race_ret[racers[i]] == PSCI_RET_ALREADY_ON;
		}
		target_ran = wait_eq(&runs[race_target], before + 1, WAIT_MS);
		for (i = 1; i < ncpus; i++)
			all_off &= rt_cpu_wait_off(i, WAIT_MS * 1000000ULL);
		gt_report(wins == 1 && already == 2 && target_ran &&
		                  runs[race_target] == before + 1 && all_off,
		          "CPU_ON race %u: CPUs 0,1,2 -> CPU %u: %lld, %lld, "
		          "%lld (one SUCCESS, two ALREADY_ON); target ran %u "
		          "time(s)",
		          round + 1, race_target, (long long)race_ret[0],
		          (long long)race_ret[1], (long long)race_ret[2],
		          runs[race_target] - before);
	}
}

static void ptp_report(void)
{
	unsigned i, bad = 0, total = 0;

	if (!ptp_brackets())
		ptp_bad[0]++;
	for (i = 0; i < ncpus; i++) {
		bad += ptp_bad[i];
		total += 1U + runs[i];
	}
	gt_report(bad == 0,
	          "PTP(0)/PTP(1) counters between this CPU's CNTVCT/CNTPCT "
	          "reads on every CPU, also after each CPU_ON (%u starts "
	          "checked, %u wrong)",
	          total, bad);
}

int main(const void *dtb)
{
	(void)dtb;
	gt_init();
	ncpus = rt_cpu_count();
	gt_diag("smp: %u CPUs, seed 0x%llx", ncpus,
	        (unsigned long long)gt_run_seed());
	if (!gt_report(ncpus >= 2, "the DT lists %u CPUs (need at least 2)",
	               ncpus)) {
		gt_plan();
		return 0;
	}
	bring_up();
	concurrent_step();
	error_step();
	off_on_cycles();
	race_step();
	ptp_report();
	gt_report(gt_calls_clobbered() == 0,
	          "X4..X28 preserved on all %llu checked calls",
	          (unsigned long long)gt_calls_checked());
	gt_plan();
	return 0;
}
