// SPDX-License-Identifier: MIT
/*
 * SHARE/UNSHARE race for a protected VM (run with --protected --smp 4).
 *
 * Every vCPU issues max(25 000, 100 000 / vCPUs) random MEM_SHARE / MEM_UNSHARE
 * calls on a window of WINDOW granules out of NR_GRANULES; the windows of
 * neighbouring vCPUs overlap, so each granule is raced by three vCPUs.
 * Interleaved with the calls, each vCPU asks the host side (isolation
 * probe) to read a random granule through the accessor and with a raw
 * EL2 load: a read must return the granule's true contents or be
 * refused/fault, and the raw load must never read a private granule
 * (LEAKED: a stale EL2 mapping or TLB entry) nor fault on a shared one
 * (INCONSISTENT: the host view lags stage 2).
 *
 * Consistency with a serial order: the hypervisor serializes the calls of
 * a granule, and in any serial order its successful SHAREs and UNSHAREs
 * alternate starting from private, so per granule
 *   shares_ok - unshares_ok  is 0 or 1 and equals the final state,
 * and every call answers 0 or INVALID_PARAMETER.  Afterwards the guest's
 * view (those counts), the stage-2 view (probe QUERY) and the host's view
 * (host read allowed, raw EL2 load succeeds) must agree for every granule,
 * and no granule's contents may have changed.  Output is TAP.
 */
#include <stdatomic.h>

#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fmt.h>

#include <guest/isolation_probe.h>

#define GRANULE           4096ULL
#define NR_GRANULES       64U
#define WINDOW            48U /* granules per vCPU, starting at 16 * cpu */
#define MIN_CALLS_PER_CPU 25000U
#define MIN_TOTAL_CALLS   100000U
#define PROBE_EVERY       8U /* a host read after every 8th call */

static uint64_t pool[NR_GRANULES][GRANULE / 8]
        __attribute__((aligned(GRANULE)));

struct granule_log {
	_Atomic uint32_t share_ok, unshare_ok, share_refused, unshare_refused;
};
static struct granule_log glog[NR_GRANULES];

/* Every call, for the real-time check: [t0, t1] brackets the HVC, so the
 * call took effect (under the hypervisor's VM lock) at some p in it. */
#define MAX_CALLS (MIN_CALLS_PER_CPU * RT_MAX_CPUS)
struct call_rec {
	uint64_t t0, t1;
	uint8_t granule;
	bool share;
	bool ok;
};
static struct call_rec calls_log[MAX_CALLS];
/* Scratch for the check: the four sorted time lists of one granule. */
static uint64_t s_t0[MAX_CALLS], s_t1[MAX_CALLS], u_t0[MAX_CALLS],
        u_t1[MAX_CALLS];

struct cpu_result {
	uint64_t calls, probes, bad_result, bad_host_read, bad_raw;
	uint64_t cycles;
};
static struct cpu_result results[RT_MAX_CPUS];

static _Atomic unsigned ready;
static unsigned ncpu;
static unsigned calls_per_cpu; /* at least 25 000, at least 100 000 in all */

static uint64_t ipa_of(unsigned g)
{
	return (uint64_t)(uintptr_t)pool[g];
}

static uint64_t pattern(uint64_t ipa)
{
	return (ipa * 0x9E3779B97F4A7C15ULL) ^ 0x0DDBA11C0FFEE000ULL;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* A host read of granule g (accessor and raw) racing the transitions. */
static void host_probe(struct cpu_result *r, unsigned g, unsigned word)
{
	uint64_t a = ipa_of(g) + word * 8U, d = 0, st;
	bool data_ok;

	st = probe_cmd(PROBE_CMD_READ, a, &d);
	data_ok = d == pattern(a);
	if (!((st == PROBE_ST_OK && data_ok) || st == PROBE_ST_REFUSED))
		r->bad_host_read++;
	d = 0;
	st = probe_cmd(PROBE_CMD_RAW_READ, a, &d);
	data_ok = d == pattern(a);
	if (!((st == PROBE_ST_OK && data_ok) || st == PROBE_ST_FAULTED))
		r->bad_raw++;
	r->probes++;
}

static void one_call(struct cpu_result *r, struct call_rec *rec, unsigned g,
                     bool share)
{
	struct granule_log *l = &glog[g];
	uint64_t t0 = rt_cntvct();
	int64_t ret = share ? vg_mem_share(&rt_hyp, ipa_of(g))
	                    : vg_mem_unshare(&rt_hyp, ipa_of(g));

	rec->t1 = rt_cntvct();
	rec->t0 = t0;
	rec->granule = (uint8_t)g;
	rec->share = share;
	rec->ok = ret == 0;
	r->calls++;
	if (ret == 0)
		atomic_fetch_add_explicit(share ? &l->share_ok : &l->unshare_ok,
		                          1U, memory_order_relaxed);
	else if (ret == SMCCC_RET_INVALID_PARAMETER)
		atomic_fetch_add_explicit(share ? &l->share_refused
		                                : &l->unshare_refused,
		                          1U, memory_order_relaxed);
	else
		r->bad_result++;
}

static void hammer(unsigned cpu, void *arg)
{
	struct cpu_result *r = &results[cpu];
	uint64_t seed = 0x2545F4914F6CDD1DULL * (cpu + 1U), t0;
	unsigned first = (16U * cpu) % NR_GRANULES;

	(void)arg;
	atomic_fetch_add(&ready, 1U);
	while (atomic_load(&ready) < ncpu)
		;
	t0 = rt_cntvct();
	for (unsigned i = 0; i < calls_per_cpu; i++) {
		uint64_t x = xorshift(&seed);
		unsigned g = (first + (unsigned)(x % WINDOW)) % NR_GRANULES;

		one_call(r, &calls_log[cpu * calls_per_cpu + i], g,
		         (x >> 32) & 1U);
		if (i % PROBE_EVERY == 0)
			host_probe(r,
			           (first + (unsigned)((x >> 40) % WINDOW)) %
			                   NR_GRANULES,
			           (unsigned)(x >> 48) % (GRANULE / 8));
	}
	r->cycles = rt_cntvct() - t0;
}

static void fill_pool(void)
{
	for (unsigned g = 0; g < NR_GRANULES; g++)
		for (unsigned w = 0; w < GRANULE / 8; w++)
			pool[g][w] = pattern(ipa_of(g) + w * 8U);
}

static bool run_race(void)
{
	unsigned started = 1;

	for (unsigned c = 1; c < ncpu; c++)
		if (rt_cpu_start(c, hammer, NULL) == 0)
			started++;
	if (started != ncpu) {
		rt_tap(false, "start %u vCPUs (started %u)", ncpu, started);
		return false;
	}
	hammer(0, NULL);
	for (unsigned c = 1; c < ncpu; c++)
		if (!rt_cpu_wait_off(c, 600000000000ULL)) {
			rt_tap(false, "vCPU %u finished", c);
			return false;
		}
	return true;
}

static void report_race(void)
{
	uint64_t calls = 0, probes = 0, bad = 0, bad_read = 0, bad_raw = 0;
	uint64_t max_cycles = 0, ok = 0;

	for (unsigned c = 0; c < ncpu; c++) {
		calls += results[c].calls;
		probes += results[c].probes;
		bad += results[c].bad_result;
		bad_read += results[c].bad_host_read;
		bad_raw += results[c].bad_raw;
		if (results[c].cycles > max_cycles)
			max_cycles = results[c].cycles;
	}
	for (unsigned g = 0; g < NR_GRANULES; g++)
		ok += atomic_load(&glog[g].share_ok) +
		      atomic_load(&glog[g].unshare_ok);
	rt_tap(calls == (uint64_t)calls_per_cpu * ncpu &&
	               calls >= MIN_TOTAL_CALLS && bad == 0,
	       "%u vCPUs made %llu SHARE/UNSHARE calls on %u overlapping "
	       "granules (%llu succeeded), every answer 0 or -3",
	       ncpu, (unsigned long long)calls, NR_GRANULES,
	       (unsigned long long)ok);
	rt_tap(bad_read == 0,
	       "racing host reads: true contents or refused (%llu reads, %llu "
	       "wrong)",
	       (unsigned long long)probes, (unsigned long long)bad_read);
	rt_tap(bad_raw == 0,
	       "racing raw EL2 loads: never a private granule, never a fault "
	       "on "
	       "a shared one (%llu loads, %llu wrong)",
	       (unsigned long long)probes, (unsigned long long)bad_raw);
	if (max_cycles != 0)
		rt_printf(
		        "# race: %llu calls + %llu host probe pairs in %llu "
		        "ms, %llu calls/s\n",
		        (unsigned long long)calls, (unsigned long long)probes,
		        (unsigned long long)(max_cycles * 1000U / rt_cntfrq()),
		        (unsigned long long)(calls * rt_cntfrq() / max_cycles));
}

static void sift_down(uint64_t *a, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		uint64_t t;

		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void heap_sort(uint64_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint64_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

/* How many of the sorted a[0..n) are <= x (or < x when strict). */
static size_t count_upto(const uint64_t *a, size_t n, uint64_t x, bool strict)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strict ? a[mid] < x : a[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Necessary conditions for a serial order of granule g's calls that
 * respects real time, from the successes' intervals (S = SHARE ok,
 * U = UNSHARE ok; the state after a prefix is #S - #U, which is 0 or 1):
 *   at the end of each S:  #S(t1 <= x) - #U(t0 <= x) <= 1
 *   at the end of each U:  #U(t1 <= x) - #S(t0 <= x) <= 0
 *   a refused SHARE [a,b] saw the state 1:   #S(t0 <= b) - #U(t1 < a) >= 1
 *   a refused UNSHARE [a,b] saw the state 0: #S(t1 < a) - #U(t0 <= b) <= 0
 * (every count is the loosest bound, so a correct hypervisor never fails
 * them).  Returns the number of calls that violate one.
 */
static unsigned realtime_violations(unsigned g, uint64_t total)
{
	size_t ns = 0, nu = 0;
	unsigned bad = 0;

	for (uint64_t i = 0; i < total; i++) {
		const struct call_rec *c = &calls_log[i];
		if (c->granule != g || !c->ok)
			continue;
		if (c->share) {
			s_t0[ns] = c->t0;
			s_t1[ns++] = c->t1;
		} else {
			u_t0[nu] = c->t0;
			u_t1[nu++] = c->t1;
		}
	}
	heap_sort(s_t0, ns);
	heap_sort(s_t1, ns);
	heap_sort(u_t0, nu);
	heap_sort(u_t1, nu);
	for (uint64_t i = 0; i < total; i++) {
		const struct call_rec *c = &calls_log[i];
		size_t s_done, u_started, u_done, s_started;

		if (c->granule != g)
			continue;
		if (c->ok && c->share) {
			s_done = count_upto(s_t1, ns, c->t1, false);
			u_started = count_upto(u_t0, nu, c->t1, false);
			bad += s_done > u_started + 1U;
		} else if (c->ok) {
			u_done = count_upto(u_t1, nu, c->t1, false);
			s_started = count_upto(s_t0, ns, c->t1, false);
			bad += u_done > s_started;
		} else if (c->share) {
			s_started = count_upto(s_t0, ns, c->t1, false);
			u_done = count_upto(u_t1, nu, c->t0, true);
			bad += s_started < u_done + 1U;
		} else {
			s_done = count_upto(s_t1, ns, c->t0, true);
			u_started = count_upto(u_t0, nu, c->t1, false);
			bad += s_done > u_started;
		}
	}
	return bad;
}

static void check_realtime_order(void)
{
	uint64_t total = (uint64_t)calls_per_cpu * ncpu, t0 = rt_cntvct();
	unsigned bad = 0, bad_granules = 0;

	for (unsigned g = 0; g < NR_GRANULES; g++) {
		unsigned b = realtime_violations(g, total);
		bad += b;
		bad_granules += b != 0;
	}
	rt_tap(bad == 0,
	       "every call's result fits a serial order that respects real "
	       "time "
	       "(%llu calls checked, %u violations in %u granules, %llu ms)",
	       (unsigned long long)total, bad, bad_granules,
	       (unsigned long long)((rt_cntvct() - t0) * 1000U / rt_cntfrq()));
}

/* The three views of granule g after the race; false on disagreement. */
static bool views_agree(unsigned g, unsigned *state)
{
	const struct granule_log *l = &glog[g];
	uint32_t s = atomic_load(&l->share_ok), u = atomic_load(&l->unshare_ok);
	uint64_t a = ipa_of(g), q = probe_query(a), d = 0, st_read, st_raw;
	bool shared = s == u + 1U;
	uint64_t want_q = PROBE_Q_RAM |
	                  (shared ? PROBE_Q_S2_SHARED | PROBE_Q_HOST_MAY : 0);

	*state = shared;
	if (s != u && !shared)
		return false; /* not serializable: successes do not alternate */
	st_read = probe_cmd(PROBE_CMD_READ, a, &d);
	if (st_read != (shared ? PROBE_ST_OK : PROBE_ST_REFUSED) ||
	    (shared && d != pattern(a)))
		return false;
	d = 0;
	st_raw = probe_cmd(PROBE_CMD_RAW_READ, a, &d);
	if (st_raw != (shared ? PROBE_ST_OK : PROBE_ST_FAULTED))
		return false;
	return q == want_q;
}

static void check_views(void)
{
	unsigned agree = 0, shared = 0, intact = 0, cleaned = 0;

	for (unsigned g = 0; g < NR_GRANULES; g++) {
		unsigned st = 0;
		bool same = true;

		if (views_agree(g, &st))
			agree++;
		else
			rt_printf("# granule %u: %u shares ok, %u unshares ok, "
			          "query 0x%llx\n",
			          g, atomic_load(&glog[g].share_ok),
			          atomic_load(&glog[g].unshare_ok),
			          (unsigned long long)probe_query(ipa_of(g)));
		shared += st;
		for (unsigned w = 0; w < GRANULE / 8; w++)
			same &= pool[g][w] == pattern(ipa_of(g) + w * 8U);
		intact += same;
		/* Leave every granule private again; must succeed exactly
		 * for the shared ones. */
		if ((vg_mem_unshare(&rt_hyp, ipa_of(g)) == 0) == (st == 1) &&
		    probe_query(ipa_of(g)) == PROBE_Q_RAM)
			cleaned++;
	}
	rt_tap(agree == NR_GRANULES,
	       "guest, stage-2 and host views agree for %u of %u granules (%u "
	       "ended shared); shares - unshares is 0 or 1 for each",
	       agree, NR_GRANULES, shared);
	rt_tap(intact == NR_GRANULES,
	       "contents of %u of %u granules survived the race", intact,
	       NR_GRANULES);
	rt_tap(cleaned == NR_GRANULES,
	       "UNSHARE succeeds exactly for the shared granules afterwards "
	       "(%u "
	       "of %u)",
	       cleaned, NR_GRANULES);
}

int main(const void *dtb)
{
	enum vg_probe_result pr = vg_probe(&rt_hyp);

	(void)dtb;
	ncpu = rt_cpu_count() < RT_MAX_CPUS ? rt_cpu_count() : RT_MAX_CPUS;
	calls_per_cpu = (MIN_TOTAL_CALLS + ncpu - 1U) / ncpu;
	if (calls_per_cpu < MIN_CALLS_PER_CPU)
		calls_per_cpu = MIN_CALLS_PER_CPU;
	if ((uint64_t)calls_per_cpu * ncpu > MAX_CALLS)
		calls_per_cpu = MAX_CALLS / ncpu;
	rt_printf("# race: %u vCPUs, %u calls each\n", ncpu, calls_per_cpu);
	rt_tap(pr == VG_PROBE_OK && probe_read(PROBE_ID) == PROBE_ID_VALUE &&
	               vg_has_feature(&rt_hyp, KVM_FUNC_MEM_SHARE),
	       "protected VM services and isolation probe (%s)",
	       vg_probe_strerror(pr));
	if (rt_tap_failures() == 0) {
		fill_pool();
		if (run_race()) {
			report_race();
			check_realtime_order();
			check_views();
		}
	}
	rt_tap(probe_read(PROBE_LEAKED) == 0 &&
	               probe_read(PROBE_INCONSISTENT) == 0,
	       "host side counters: %llu leaked, %llu inconsistent",
	       (unsigned long long)probe_read(PROBE_LEAKED),
	       (unsigned long long)probe_read(PROBE_INCONSISTENT));
	rt_tap_plan("race");
	return 0;
}
