// SPDX-License-Identifier: MIT
/*
 * Hostile guest (run with --smp 4).  From every vCPU at once:
 *
 *  - thousands of random function IDs (biased towards the arch, PSCI,
 *    standard-hyp and vendor-hyp owners and their neighbours, with wrong
 *    convention/fast bits and garbage upper halves) with random X1..X28,
 *    through HVC #0, HVC #imm and SMC #0, each checked against the spec's
 *    rules: unknown IDs -> X0=-1, X1..X3=0; known IDs -> their documented
 *    answer; X4..X28 preserved, PC at the next instruction.  The PSCI calls
 *    that change power state (CPU_ON/OFF/SUSPEND, SYSTEM_OFF/RESET and the
 *    like) are never drawn; their non-fast and wrong-convention variants
 *    are checked deterministically to be unknown IDs;
 *  - SMC with a nonzero immediate and any X0 (power-off IDs included):
 *    X0=-1, X1..X3 untouched, nothing else happens;
 *  - loads and stores of every size to the hypervisor's window (the top
 *    VHYP_WINDOW_SIZE of RAM, after the guest DTB's memory), to IPAs
 *    nothing is mapped at, and to IPAs beyond the 40-bit IPA space: each
 *    must raise a synchronous external abort (data abort from the current
 *    EL, DFSC 0x10, WnR for stores, FAR = the address, ELR = the access),
 *    which the guest catches and skips;
 *  - an IMPLEMENTATION DEFINED system register read and write: UNDEFINED;
 *  - WFI (woken by the virtual timer through the GIC) and WFE;
 *
 * and at the end every CPU checks that UID and FEATURES still answer
 * correctly; the guest then powers off (exit status 0).
 *
 * Command line: calls=N random calls per CPU (default 20000), seed=N.
 */
#include <guest/rt.h>
#include <vhyp/boot.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#include "../conformance/common/gt.h"
#include "hostile.h"

#define NS            GT_RET_NOT_SUPPORTED
#define DEFAULT_CALLS 20000U
#define SMC_IMM_CALLS 200U
#define MAX_DIAGS     3U
#define WAIT_MS       60000U

static unsigned ncpus;
static uint64_t calls_per_cpu = DEFAULT_CALLS;
static volatile uint32_t cpus_done;

/* ---- the model of the answers ------------------------------------------ */

enum rule {
	RULE_EXACT,    /* X0..X3 == want */
	RULE_PTP,      /* a valid PTP answer */
	RULE_X0_ANY,   /* X0 is the firmware's or platform's; X1..X3 = 0 */
	RULE_PSCI_VER, /* PSCI 1.x, X1..X3 = 0 */
	RULE_AFFINITY, /* ON, OFF, ON_PENDING or INVALID_PARAMETERS */
	RULE_TRNG_RND, /* X0 = 0 and no bit above N set (N = want[1]) */
	RULE_PV_TIME,  /* a 64-byte slot of the page at 0x090a0000 */
};

struct expectation {
	enum rule rule;
	uint64_t want[4];
};

static bool is_cpu_workaround(uint32_t id)
{
	return id == SMCCC_ARCH_WORKAROUND_1_FUNC_ID ||
	       id == SMCCC_ARCH_WORKAROUND_2_FUNC_ID ||
	       id == SMCCC_ARCH_WORKAROUND_3_FUNC_ID;
}

/* A PSCI function ID of the range vhyp proxies (owner 4, fast, 0..0x1F). */
static bool is_psci_id(uint32_t id)
{
	return (id & 0xBFFFFFE0U) == 0x84000000U;
}

static void set_exact(struct expectation *e, uint64_t x0)
{
	e->rule = RULE_EXACT;
	e->want[0] = x0;
	e->want[1] = e->want[2] = e->want[3] = 0;
}

/* What vhyp must answer (spec section 1, vhyp's choices 1-6, 9). */
static void expect_for(uint64_t x0, uint64_t x1, struct expectation *e)
{
	uint32_t id = (uint32_t)x0;

	set_exact(e, NS);
	switch (id) {
	case SMCCC_VERSION_FUNC_ID:
		set_exact(e, SMCCC_VERSION_1_1);
		return;
	case SMCCC_ARCH_FEATURES_FUNC_ID:
		if (is_cpu_workaround((uint32_t)x1))
			e->rule = RULE_X0_ANY;
		if ((uint32_t)x1 == 0xC5000020U) /* PV_TIME_FEATURES */
			set_exact(e, 0);
		return;
	case SMCCC_ARCH_WORKAROUND_1_FUNC_ID:
	case SMCCC_ARCH_WORKAROUND_2_FUNC_ID:
	case SMCCC_ARCH_WORKAROUND_3_FUNC_ID:
		set_exact(e, 0); /* as KVM's EL2 vectors */
		return;
	case 0x84000050U: /* TRNG_VERSION: 1.0 */
		set_exact(e, 0x10000);
		return;
	case 0x84000051U: /* TRNG_FEATURES: the whole X1 is the ID */
		if (x1 == 0x84000050U || x1 == 0x84000051U ||
		    x1 == 0x84000052U || x1 == 0x84000053U || x1 == 0xC4000053U)
			set_exact(e, 0);
		return;
	case 0x84000052U: /* TRNG_GET_UUID: vhyp's */
		e->want[0] = 0xb2d30b5bU;
		e->want[1] = 0x6d4c4e8fU;
		e->want[2] = 0xa1763e9aU;
		e->want[3] = 0x17d4c2f0U;
		return;
	case 0x84000053U: /* TRNG_RND32: N in 1..96 */
	case 0xC4000053U: /* TRNG_RND64: N in 1..192 */
		if ((uint32_t)x1 == 0 ||
		    (uint32_t)x1 > (id == 0x84000053U ? 96U : 192U)) {
			set_exact(e, (uint64_t)-2); /* INVALID_PARAMETERS */
			return;
		}
		e->rule = RULE_TRNG_RND;
		e->want[1] = (uint32_t)x1;
		e->want[2] = id == 0x84000053U ? 32 : 64;
		return;
	case 0xC5000020U: /* PV_TIME_FEATURES(X1 as u32) */
		if ((uint32_t)x1 == 0xC5000020U || (uint32_t)x1 == 0xC5000021U)
			set_exact(e, 0);
		return;
	case 0xC5000021U: /* PV_TIME_ST */
		e->rule = RULE_PV_TIME;
		return;
	case KVM_VENDOR_CALL_UID_FUNC_ID:
		e->want[0] = KVM_VENDOR_UID_W0;
		e->want[1] = KVM_VENDOR_UID_W1;
		e->want[2] = KVM_VENDOR_UID_W2;
		e->want[3] = KVM_VENDOR_UID_W3;
		return;
	case KVM_VENDOR_FEATURES_FUNC_ID:
		set_exact(e, KVM_FEATURES_NORMAL_DEFAULT);
		return;
	case KVM_VENDOR_PTP_FUNC_ID:
		if ((uint32_t)x1 <= KVM_PTP_PHYS_COUNTER)
			e->rule = RULE_PTP;
		return;
	case PSCI_VERSION_FUNC_ID:
		e->rule = RULE_PSCI_VER;
		return;
	case PSCI_FEATURES_FUNC_ID:
		if (is_psci_id((uint32_t)x1) ||
		    (uint32_t)x1 == SMCCC_VERSION_FUNC_ID)
			e->rule = RULE_X0_ANY;
		return;
	case PSCI_AFFINITY_INFO_32_FUNC_ID:
	case PSCI_AFFINITY_INFO_64_FUNC_ID:
		e->rule = RULE_AFFINITY;
		return;
	case PSCI_MIGRATE_INFO_TYPE_FUNC_ID:
		set_exact(e, PSCI_TOS_NOT_PRESENT_MP);
		return;
	default:
		return; /* unknown, hidden or not for a normal VM: -1 */
	}
}

static bool rest_zero(const struct gt_call *c)
{
	return c->out[1] == 0 && c->out[2] == 0 && c->out[3] == 0;
}

/* The bits of a TRNG answer above N (X3 holds the lowest word, each
 * register `width` bits wide) are all zero. */
static bool trng_bits_ok(const struct gt_call *c, uint64_t n, uint64_t width)
{
	for (unsigned r = 0; r < 3; r++) {
		uint64_t lo = (2U - r) * width; /* bit number of X(r+1) bit 0 */
		uint64_t v = c->out[1 + r];
		uint64_t keep = n <= lo ? 0 : n - lo;

		if (width == 32 && (v >> 32) != 0)
			return false;
		if (keep < 64 && (v >> keep) != 0)
			return false;
	}
	return c->out[0] == 0;
}

static bool answer_ok(const struct expectation *e, const struct gt_call *c)
{
	int64_t x0 = (int64_t)c->out[0];

	switch (e->rule) {
	case RULE_EXACT:
		return gt_call_ret_is(c, e->want);
	case RULE_PTP:
		return (c->out[0] & 0x80000000ULL) == 0 &&
		       ((c->out[0] | c->out[1] | c->out[2] | c->out[3]) >>
		        32) == 0;
	case RULE_X0_ANY:
		return rest_zero(c);
	case RULE_PSCI_VER:
		return (c->out[0] >> 16) == 1 && rest_zero(c);
	case RULE_AFFINITY:
		return (x0 == PSCI_AFF_ON || x0 == PSCI_AFF_OFF ||
		        x0 == PSCI_AFF_ON_PENDING ||
		        x0 == PSCI_RET_INVALID_PARAMS) &&
		       rest_zero(c);
	case RULE_TRNG_RND:
		return trng_bits_ok(c, e->want[1], e->want[2]);
	case RULE_PV_TIME:
		return c->out[0] >= VHYP_PV_TIME_IPA &&
		       c->out[0] < VHYP_PV_TIME_IPA + 8 * 64 &&
		       (c->out[0] & 63) == 0 && rest_zero(c);
	}
	return false;
}

/* ---- random IDs ---------------------------------------------------------- */

/* PSCI functions that change power state: never drawn at random. */
static bool changes_power_state(uint32_t id)
{
	unsigned fn = id & 0xFFFFU;

	if (((id >> 24) & 0x3FU) != SMCCC_OWNER_STANDARD || fn > 0x1FU)
		return false;
	switch (fn) {
	case 0x01: /* CPU_SUSPEND */
	case 0x02: /* CPU_OFF */
	case 0x03: /* CPU_ON */
	case 0x05: /* MIGRATE */
	case 0x08: /* SYSTEM_OFF */
	case 0x09: /* SYSTEM_RESET */
	case 0x0B: /* CPU_FREEZE */
	case 0x0C: /* CPU_DEFAULT_SUSPEND */
	case 0x0E: /* SYSTEM_SUSPEND */
	case 0x12: /* SYSTEM_RESET2 */
	case 0x15: /* SYSTEM_OFF2 */
		return true;
	default:
		return false;
	}
}

static uint32_t pick(struct gt_rng *r, const uint32_t *v, unsigned n)
{
	return v[gt_rand_below(r, n)];
}

static uint32_t random_id(struct gt_rng *r)
{
	static const uint32_t vendor_fn[] = {
	        0,    1,    2,    3,      4,      5,      7,      8,
	        0x40, 0x41, 0x7F, 0xFF00, 0xFF01, 0xFF02, 0xFF03, 0xFFFF};
	static const uint32_t arch_fn[] = {0,      1,      2,      3,
	                                   0x3FFF, 0x7FFF, 0x8000, 0xFFFF};
	uint32_t id;

	do {
		uint32_t owner, fn;

		switch (gt_rand_below(r, 16)) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4:
			owner = SMCCC_OWNER_VENDOR_HYP;
			fn = gt_rand_below(r, 4) == 0
			             ? (uint32_t)gt_rand_below(r, 0x10000)
			             : pick(r, vendor_fn, 16);
			break;
		case 5:
		case 6:
		case 7:
			owner = SMCCC_OWNER_ARCH;
			fn = pick(r, arch_fn, 8);
			break;
		case 8:
		case 9:
		case 10:
			owner = SMCCC_OWNER_STANDARD;
			fn = gt_rand_below(r, 5) == 0
			             ? 0x50U + (uint32_t)gt_rand_below(r, 4)
			             : (uint32_t)gt_rand_below(r, 0x20);
			break;
		case 11:
			owner = SMCCC_OWNER_STANDARD_HYP;
			fn = 0x20U + (uint32_t)gt_rand_below(r, 2);
			break;
		case 12:
		case 13:
			owner = (uint32_t)gt_rand_below(r, 64);
			fn = (uint32_t)gt_rand_below(r, 0x10000);
			break;
		default:
			id = (uint32_t)gt_rand(r);
			continue;
		}
		id = SMCCC_FAST_CALL_BIT | owner << SMCCC_OWNER_SHIFT | fn;
		/* Mostly the right shape; sometimes a wrong convention bit,
		 * a cleared fast bit or reserved bits set. */
		if (gt_rand_below(r, 4) == 0)
			id ^= SMCCC_CONV64_BIT;
		if (gt_rand_below(r, 8) == 0)
			id &= ~SMCCC_FAST_CALL_BIT;
		if (gt_rand_below(r, 16) == 0)
			id |= (uint32_t)gt_rand(r) & SMCCC_RESERVED_MASK;
	} while (changes_power_state(id));
	return id;
}

static uint64_t random_arg(struct gt_rng *r)
{
	switch (gt_rand_below(r, 8)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return gt_rand(r);
	case 4:
		return gt_rand_below(r, 4);
	case 5:
		return rt_cpu_mpidr((unsigned)gt_rand_below(r, ncpus));
	case 6:
		return (gt_rand(r) << 32) | gt_rand_below(r, 2);
	default:
		return 0xFFFFFFFFULL << (32 * gt_rand_below(r, 2));
	}
}

static enum gt_insn random_conduit(struct gt_rng *r)
{
	static const enum gt_insn conduits[] = {
	        GT_HVC_0,    GT_HVC_0,    GT_HVC_0, GT_HVC_0, GT_HVC_1,
	        GT_HVC_1234, GT_HVC_FFFF, GT_SMC_0, GT_SMC_0,
	};

	return conduits[gt_rand_below(r,
	                              sizeof(conduits) / sizeof(conduits[0]))];
}

static void diag_call(unsigned cpu, const char *what, enum gt_insn insn,
                      const struct gt_call *c, const char *why)
{
	char got[128];

	gt_call_format_ret(c, got, sizeof(got));
	gt_diag("CPU %u: %s: %s X0=0x%llx X1=0x%llx X2=0x%llx X3=0x%llx -> "
	        "%s %s",
	        cpu, what, gt_insn_name(insn), (unsigned long long)c->in[0],
	        (unsigned long long)c->in[1], (unsigned long long)c->in[2],
	        (unsigned long long)c->in[3], got, why);
}

static void random_calls(unsigned cpu, struct gt_rng *r)
{
	unsigned bad = 0, unknown = 0, known = 0;
	uint64_t k;

	for (k = 0; k < calls_per_cpu; k++) {
		struct expectation e;
		struct gt_call c;
		enum gt_insn insn = random_conduit(r);
		uint64_t x0 = random_id(r);
		char why[200];
		bool ok;

		if (gt_rand_below(r, 4) == 0)
			x0 |= gt_rand(r) << 32; /* ignored: ID is 32 bits */
		gt_call_prepare(&c, x0, random_arg(r), random_arg(r),
		                random_arg(r));
		expect_for(c.in[0], c.in[1], &e);
		gt_call_issue(insn, &c);
		ok = gt_call_preserved(&c, why, sizeof(why));
		if (ok && !answer_ok(&e, &c)) {
			ok = false;
			fmt_snprintf(why, sizeof(why),
			             "(rule %d, want X0=0x%llx)", (int)e.rule,
			             (unsigned long long)e.want[0]);
		}
		if (e.rule == RULE_EXACT && e.want[0] == NS)
			unknown++;
		else
			known++;
		if (!ok && bad++ < MAX_DIAGS)
			diag_call(cpu, "random call", insn, &c, why);
	}
	gt_report(bad == 0,
	          "CPU %u: %llu random calls (%u unknown IDs, %u known) "
	          "answered as specified, registers preserved (%u wrong)",
	          cpu, (unsigned long long)calls_per_cpu, unknown, known, bad);
}

/* SMC #imm != 0 is never serviced: X0 = -1, X1..X3 untouched. */
static void smc_imm_calls(unsigned cpu, struct gt_rng *r)
{
	static const enum gt_insn smcs[] = {GT_SMC_1, GT_SMC_2A, GT_SMC_1234,
	                                    GT_SMC_8000, GT_SMC_FFFF};
	static const uint32_t fatal[] = {
	        PSCI_SYSTEM_OFF_FUNC_ID,     PSCI_SYSTEM_RESET_FUNC_ID,
	        PSCI_CPU_OFF_FUNC_ID,        PSCI_CPU_ON_64_FUNC_ID,
	        PSCI_CPU_SUSPEND_64_FUNC_ID, KVM_VENDOR_CALL_UID_FUNC_ID,
	};
	unsigned k, bad = 0;

	for (k = 0; k < SMC_IMM_CALLS; k++) {
		enum gt_insn insn = smcs[k % 5];
		uint64_t x0 = k < 6 ? fatal[k] : gt_rand(r);
		uint64_t want[4];
		struct gt_call c;
		char why[200];
		bool ok;

		gt_call_prepare(&c, x0, gt_rand(r), gt_rand(r), gt_rand(r));
		want[0] = NS;
		want[1] = c.in[1];
		want[2] = c.in[2];
		want[3] = c.in[3];
		gt_call_issue(insn, &c);
		ok = gt_call_preserved(&c, why, sizeof(why));
		if (ok && !gt_call_ret_is(&c, want)) {
			ok = false;
			fmt_snprintf(why, sizeof(why),
			             "(want X0=-1, X1..X3 "
			             "untouched)");
		}
		if (!ok && bad++ < MAX_DIAGS)
			diag_call(cpu, "SMC #imm", insn, &c, why);
	}
	gt_report(bad == 0,
	          "CPU %u: %u SMC #imm!=0 with any X0 (SYSTEM_OFF, CPU_OFF, "
	          "... included) -> X0=-1, X1..X3 untouched (%u wrong)",
	          cpu, SMC_IMM_CALLS, bad);
}

/* ---- memory the guest must not reach --------------------------------------
 */

/*
 * The top of the 40-bit IPA space and beyond it: 1 GiB blocks of the
 * runtime's table, at VAs the runtime does not use, mapped to the last GiB
 * below 2^40 and to PAs past 2^40 (stage 1 output size widened per CPU).
 */
#define NR_EDGE       3U
#define EDGE_L1_INDEX 508U
#define EDGE_VA(i)    ((uint64_t)(EDGE_L1_INDEX + (i)) << 30)
static uint64_t edge_pa[NR_EDGE], edge_offset[NR_EDGE];
/* Instruction fetches: executable aliases of the GiB holding guest RAM
 * and the window, and of an unmapped GiB. */
#define EXEC_UNMAPPED_L1 506U
#define EXEC_UNMAPPED_PA 0x2000000000ULL
#define EXEC_RAM_L1      507U
#define EXEC_ALIAS(pa)                                                         \
	(((uint64_t)EXEC_RAM_L1 << 30) + ((pa)-VHYP_GUEST_RAM_BASE))
static unsigned nr_edge;

static uint64_t pa_bits(void)
{
	static const uint8_t bits[] = {32, 36, 40, 42, 44, 48, 52};
	uint64_t mmfr0;

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	return (mmfr0 & 0xF) < sizeof(bits) ? bits[mmfr0 & 0xF] : 32;
}

/* CPU 0, before the others start. */
static void map_ipa_space_edge(void)
{
	uint64_t *l1, ttbr;
	unsigned i;

	edge_pa[nr_edge] = 0xFFC0000000ULL; /* last GiB below 2^40 */
	edge_offset[nr_edge++] = 0x3FFFF000ULL;
	if (pa_bits() >= 42) {
		edge_pa[nr_edge] = 1ULL << 40;
		edge_offset[nr_edge++] = 0x40;
	}
	if (pa_bits() >= 48) {
		edge_pa[nr_edge] = 1ULL << 47;
		edge_offset[nr_edge++] = 0x1000;
	}
	__asm__ volatile("mrs %0, ttbr0_el1" : "=r"(ttbr));
	l1 = (uint64_t *)(uintptr_t)(ttbr & 0xFFFFFFFFF000ULL);
	/* Executable Normal aliases (attr 1, inner shareable, AF, UXN): the
	 * runtime maps everything but RAM non-executable. */
	l1[EXEC_UNMAPPED_L1] = EXEC_UNMAPPED_PA | 0x1ULL | 1ULL << 2 |
	                       3ULL << 8 | 1ULL << 10 | 1ULL << 54;
	l1[EXEC_RAM_L1] = VHYP_GUEST_RAM_BASE | 0x1ULL | 1ULL << 2 | 3ULL << 8 |
	                  1ULL << 10 | 1ULL << 54;
	for (i = 0; i < nr_edge; i++)
		/* Block, Device-nGnRnE (attr 0), AF, PXN, UXN. */
		l1[EDGE_L1_INDEX + i] = edge_pa[i] | 0x1ULL | 1ULL << 10 |
		                        1ULL << 53 | 1ULL << 54;
	__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::
	                         : "memory");
}

/* Each CPU: let its stage 1 output addresses above 40 bits (TCR.IPS). */
static void widen_output_size(void)
{
	uint64_t tcr, ips = pa_bits() >= 48 ? 5 : 3;

	__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	tcr = (tcr & ~(7ULL << 32)) | ips << 32;
	__asm__ volatile(
	        "msr tcr_el1, %0; isb; tlbi vmalle1; dsb nsh; isb" ::"r"(tcr)
	        : "memory");
}

/*
 * The memory phase runs on all CPUs at once between two barriers and
 * prints nothing: vhyp logs the first guest-caused aborts on the same
 * UART, and its lines must not cut the guests' TAP lines.  Results are
 * kept per CPU and reported after the second barrier.
 */
#define NR_AREAS 4U
#define DIAG_LEN 200U
struct area_result {
	const char *what;
	unsigned total, naddrs, bad;
	char diag[MAX_DIAGS][DIAG_LEN];
};
static struct area_result area_results[RT_MAX_CPUS][NR_AREAS];
static bool alias_runs[RT_MAX_CPUS];

/* Calls addrs[i]: each fetch must take a synchronous external abort
 * (instruction abort from the current EL, IFSC 0x10, FAR = ELR = it). */
static void expect_fetch_seas(struct area_result *res, const char *what,
                              const uint64_t *addrs, unsigned n)
{
	unsigned i;

	res->what = what;
	res->naddrs = n;
	for (i = 0; i < n; i++) {
		void (*fn)(void) = (void (*)(void))(uintptr_t)addrs[i];
		struct gt_fault f;

		res->total++;
		gt_expect_fault_return();
		fn();
		f = gt_fault_result();
		if (f.taken && ESR_EC(f.esr) == ESR_EC_IABT_CUR &&
		    ESR_FSC(f.esr) == ESR_FSC_SEA && (f.esr & (1ULL << 25)) &&
		    f.far == addrs[i] && f.elr == addrs[i])
			continue;
		if (res->bad < MAX_DIAGS)
			fmt_snprintf(
			        res->diag[res->bad], DIAG_LEN,
			        "fetch 0x%llx: %s ESR 0x%llx FAR 0x%llx ELR "
			        "0x%llx",
			        (unsigned long long)addrs[i],
			        f.taken ? "taken" : "no exception",
			        (unsigned long long)f.esr,
			        (unsigned long long)f.far,
			        (unsigned long long)f.elr);
		res->bad++;
	}
}
static bool last_ram_ok[RT_MAX_CPUS];

static volatile uint32_t barrier_count, barrier_gen;
static unsigned barrier_cpus = 1;

static void barrier(void)
{
	uint32_t gen = __atomic_load_n(&barrier_gen, __ATOMIC_ACQUIRE);
	uint64_t end = rt_cntpct() + rt_cntfrq() / 1000U * WAIT_MS;

	if (__atomic_add_fetch(&barrier_count, 1, __ATOMIC_ACQ_REL) ==
	    barrier_cpus) {
		barrier_count = 0;
		__atomic_add_fetch(&barrier_gen, 1, __ATOMIC_ACQ_REL);
		return;
	}
	while (__atomic_load_n(&barrier_gen, __ATOMIC_ACQUIRE) == gen &&
	       rt_cntpct() < end)
		gt_relax();
}

/* Every access kind at each address: all must take an SEA. */
static void expect_seas(struct area_result *res, const char *what,
                        const uint64_t *addrs, unsigned n)
{
	unsigned i, k;

	res->what = what;
	res->naddrs = n;
	for (i = 0; i < n; i++) {
		for (k = 0; k < GT_NR_ACCESSES; k++) {
			char why[DIAG_LEN];

			res->total++;
			if (gt_access_expect_sea((enum gt_access)k, addrs[i],
			                         why, sizeof(why)))
				continue;
			if (res->bad < MAX_DIAGS)
				memcpy(res->diag[res->bad], why, sizeof(why));
			res->bad++;
		}
	}
}

static void memory_checks(unsigned cpu, struct gt_rng *r)
{
	uint64_t ram_end = rt_ram_base() + rt_ram_size();
	uint64_t window[12] = {
	        ram_end,
	        ram_end + 0x1000,
	        ram_end + (16ULL << 20), /* EL2 stage-1 tables */
	        ram_end + (20ULL << 20), /* stage-2 pool */
	        ram_end + VHYP_WINDOW_SIZE - 16,
	};
	const uint64_t unmapped[] = {
	        ram_end + VHYP_WINDOW_SIZE, /* past all RAM */
	        0x0,                        /* flash */
	        0x08030000,                 /* GICv2 GICH / hole */
	        0x08040000,                 /* GICv2 GICV / hole */
	        0x08080000,                 /* GICv3 ITS */
	        0x09020000,                 /* fw-cfg */
	        0x10000000,                 /* PCIe MMIO */
	        0x2000000000ULL,            /* 128 GiB, inside 40 bits */
	        0x7F7FFFF000ULL,            /* top of the guest's 39-bit VA */
	};
	uint64_t edge[NR_EDGE], fetch[4];
	volatile uint64_t *last =
	        (volatile uint64_t *)(uintptr_t)(ram_end - 8 * (cpu + 1));
	unsigned i;

	for (i = 5; i < 12; i++)
		window[i] = ram_end +
		            (gt_rand_below(r, VHYP_WINDOW_SIZE - 16) & ~15ULL);
	for (i = 0; i < nr_edge; i++)
		edge[i] = EDGE_VA(i) + edge_offset[i];
	barrier();
	expect_seas(&area_results[cpu][0], "hypervisor window", window, 12);
	expect_seas(&area_results[cpu][1], "unmapped IPAs", unmapped,
	            sizeof(unmapped) / sizeof(unmapped[0]));
	if (nr_edge > 0)
		expect_seas(
		        &area_results[cpu][2],
		        "IPAs at the top of and beyond the 40-bit IPA space "
		        "(0xFFFFFFFxxx, 2^40, 2^47)",
		        edge, nr_edge);
	fetch[0] = EXEC_ALIAS(ram_end);
	fetch[1] = EXEC_ALIAS(ram_end + 0x1000);
	fetch[2] = EXEC_ALIAS(ram_end + (20ULL << 20));
	fetch[3] = ((uint64_t)EXEC_UNMAPPED_L1 << 30) + 0x1000;
	expect_fetch_seas(&area_results[cpu][3],
	                  "instruction fetches from the hypervisor window and "
	                  "an unmapped IPA",
	                  fetch, 4);
	/* The alias itself works: guest RAM runs through it. */
	((void (*)(void))(uintptr_t)EXEC_ALIAS(
	        (uint64_t)(uintptr_t)hostile_ret))();
	alias_runs[cpu] = true;
	/* The guest's own last bytes are still ordinary RAM. */
	*last = cpu;
	last_ram_ok[cpu] = *last == cpu;
	barrier();
	for (i = 0; i < NR_AREAS; i++) {
		struct area_result *res = &area_results[cpu][i];
		unsigned d;

		if (res->what == NULL)
			continue;
		for (d = 0; d < res->bad && d < MAX_DIAGS; d++)
			gt_diag("CPU %u: %s: %s", cpu, res->what, res->diag[d]);
		gt_report(res->bad == 0,
		          "CPU %u: %s: %u %s at %u addresses, each a "
		          "synchronous external abort (%u not)",
		          cpu, res->what, res->total,
		          i == 3 ? "fetches" : "loads/stores", res->naddrs,
		          res->bad);
	}
	gt_report(alias_runs[cpu],
	          "CPU %u: code in guest RAM runs through the executable alias "
	          "used for the fetches",
	          cpu);
	gt_report(last_ram_ok[cpu],
	          "CPU %u: the last bytes of guest RAM below the window are "
	          "ordinary memory",
	          cpu);
}

/* ---- traps ----------------------------------------------------------------
 */

/*
 * Between barriers and silent, like the memory phase: where the CPU
 * implements HCR_EL2.TIDCP the access traps to vhyp, which logs it.
 */
static void undef_checks(unsigned cpu)
{
	static const struct {
		void (*fn)(void);
		const char *name;
	} insns[] = {{hostile_mrs_impdef, "mrs x0, s3_7_c15_c15_7"},
	             {hostile_msr_impdef, "msr s3_7_c15_c15_7, x0"}};
	struct gt_fault f[2];
	unsigned i;

	barrier();
	for (i = 0; i < 2; i++) {
		gt_expect_fault();
		insns[i].fn();
		f[i] = gt_fault_result();
	}
	barrier();
	for (i = 0; i < 2; i++)
		gt_report(f[i].taken && ESR_EC(f[i].esr) == ESR_EC_UNKNOWN &&
		                  f[i].elr == (uint64_t)(uintptr_t)insns[i].fn,
		          "CPU %u: %s (IMPLEMENTATION DEFINED) -> UNDEFINED "
		          "(%s, ESR 0x%llx)",
		          cpu, insns[i].name,
		          f[i].taken ? "taken" : "no exception",
		          (unsigned long long)f[i].esr);
}

static void timer_arm(uint64_t cval)
{
	__asm__ volatile(
	        "msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb" ::"r"(cval),
	        "r"(1ULL)
	        : "memory");
}

static void timer_off(void)
{
	__asm__ volatile("msr cntv_ctl_el0, xzr; isb" ::: "memory");
}

static bool wait_pending(bool want, unsigned ms)
{
	uint64_t end = rt_cntpct() + rt_cntfrq() / 1000U * ms;

	while (hostile_gic_timer_pending() != want)
		if (rt_cntpct() > end)
			return false;
	return true;
}

static void wfx_checks(unsigned cpu)
{
	struct gt_fault f;
	uint64_t start, cval, wakeups = 0;

	/* WFE with the event register set returns at once. */
	gt_expect_fault();
	__asm__ volatile("sevl; wfe" ::: "memory");
	f = gt_fault_result();
	gt_report(!f.taken, "CPU %u: SEVL; WFE returns (ESR 0x%llx)", cpu,
	          f.taken ? (unsigned long long)f.esr : 0ULL);

	/* The interrupt must reach this CPU's interface before a WFI can
	 * rely on it; otherwise the WFI could sleep forever. */
	if (!hostile_gic_cpu_enable(true)) {
		gt_report(false, "CPU %u: WFI: cannot set up the GIC (v%d)",
		          cpu, hostile_gic_version());
		return;
	}
	timer_arm(rt_cntvct());
	if (!wait_pending(true, 1000)) {
		timer_off();
		hostile_gic_cpu_enable(false);
		gt_report(false,
		          "CPU %u: WFI: the virtual timer interrupt is "
		          "never pending at the GICv%d CPU interface",
		          cpu, hostile_gic_version());
		return;
	}
	timer_off();
	wait_pending(false, 1000);
	/* The real thing: sleep until the timer fires 2 ms from now. */
	start = rt_cntvct();
	cval = start + rt_cntfrq() / 500U;
	gt_expect_fault();
	timer_arm(cval);
	while (rt_cntvct() < cval && wakeups < 1000000) {
		__asm__ volatile("dsb sy; wfi" ::: "memory");
		wakeups++;
	}
	f = gt_fault_result();
	timer_off();
	hostile_gic_cpu_enable(false);
	gt_report(!f.taken && rt_cntvct() >= cval,
	          "CPU %u: WFI with the virtual timer armed 2 ms ahead: slept "
	          "and woke (%llu WFI, %llu us, %s)",
	          cpu, (unsigned long long)wakeups,
	          (unsigned long long)(gt_ticks_to_ns(rt_cntvct() - start) /
	                               1000U),
	          f.taken ? "exception taken" : "no exception");
}

/* ---- the hypervisor survived ----------------------------------------------
 */

static void still_answers(unsigned cpu)
{
	static const uint64_t uid[4] = {KVM_VENDOR_UID_W0, KVM_VENDOR_UID_W1,
	                                KVM_VENDOR_UID_W2, KVM_VENDOR_UID_W3};
	static const uint64_t feat[4] = {KVM_FEATURES_NORMAL_DEFAULT, 0, 0, 0};
	struct gt_call a, b;
	char why[200];
	bool ok;

	gt_hvc(&a, KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0);
	gt_hvc(&b, KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0);
	ok = gt_call_ret_is(&a, feat) && gt_call_ret_is(&b, uid) &&
	     gt_call_preserved(&a, why, sizeof(why)) &&
	     gt_call_preserved(&b, why, sizeof(why));
	gt_report(ok,
	          "CPU %u: afterwards FEATURES -> 0x%llx and UID -> KVM's as "
	          "before",
	          cpu, (unsigned long long)a.out[0]);
}

static void hostile_cpu(unsigned cpu, void *arg)
{
	struct gt_rng r;

	(void)arg;
	gt_rng_seed(&r, gt_run_seed() + 0x51ED270B27422DULL * (cpu + 1U));
	widen_output_size();
	random_calls(cpu, &r);
	smc_imm_calls(cpu, &r);
	memory_checks(cpu, &r);
	undef_checks(cpu);
	wfx_checks(cpu);
	still_answers(cpu);
	__atomic_add_fetch(&cpus_done, 1, __ATOMIC_ACQ_REL);
}

/* Non-fast and wrong-convention variants of power-state IDs are unknown
 * IDs: -1, and the CPU/system stays on. */
static void power_id_variants(void)
{
	static const uint32_t ids[] = {
	        0x04000002U, 0x44000002U, 0xC4000002U, /* CPU_OFF */
	        0x04000008U, 0x44000008U, 0xC4000008U, /* SYSTEM_OFF */
	        0x04000009U, 0x44000009U, 0xC4000009U, /* SYSTEM_RESET */
	        0x04000003U, 0x44000003U,              /* CPU_ON */
	};
	static const uint64_t ret_ns[4] = {NS, 0, 0, 0};
	unsigned i, bad = 0;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct gt_call c;
		char why[200];
		bool ok;

		gt_hvc(&c, ids[i], rt_cpu_mpidr(0), 0, 0);
		ok = gt_call_preserved(&c, why, sizeof(why)) &&
		     gt_call_ret_is(&c, ret_ns);
		if (!ok && bad++ < MAX_DIAGS)
			diag_call(0, "power-state ID variant", GT_HVC_0, &c,
			          why);
	}
	gt_report(bad == 0,
	          "non-fast / wrong-convention variants of CPU_OFF, "
	          "SYSTEM_OFF, SYSTEM_RESET, CPU_ON -> -1 and nothing happens "
	          "(%u wrong)",
	          bad);
}

int main(const void *dtb)
{
	unsigned i, started = 1;
	uint64_t end;

	(void)dtb;
	gt_init();
	ncpus = rt_cpu_count();
	calls_per_cpu = gt_arg_u64_or("calls", DEFAULT_CALLS);
	gt_diag("hostile: %u CPUs, %llu random calls each, seed 0x%llx "
	        "(seed=N to repeat), RAM 0x%llx-0x%llx, GICv%d, %llu PA bits",
	        ncpus, (unsigned long long)calls_per_cpu,
	        (unsigned long long)gt_run_seed(),
	        (unsigned long long)rt_ram_base(),
	        (unsigned long long)(rt_ram_base() + rt_ram_size()),
	        hostile_gic_init() ? hostile_gic_version() : 0,
	        (unsigned long long)pa_bits());
	map_ipa_space_edge();
	power_id_variants();
	barrier_cpus = ncpus;
	for (i = 1; i < ncpus; i++) {
		int64_t ret = rt_cpu_start(i, hostile_cpu, NULL);

		if (ret == PSCI_RET_SUCCESS) {
			started++;
			continue;
		}
		/* One fewer at the barriers. */
		__atomic_sub_fetch(&barrier_cpus, 1, __ATOMIC_ACQ_REL);
		gt_report(false, "CPU %u: CPU_ON -> %lld", i, (long long)ret);
	}
	hostile_cpu(0, NULL);
	end = rt_cntpct() + rt_cntfrq() / 1000U * WAIT_MS;
	while (__atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) < started &&
	       rt_cntpct() < end)
		gt_relax();
	for (i = 1; i < ncpus; i++)
		rt_cpu_wait_off(i, 5000000000ULL);
	gt_report(cpus_done == started && started == ncpus,
	          "all %u CPUs finished (%u done)", ncpus, cpus_done);
	still_answers(0);
	gt_report(gt_calls_clobbered() == 0,
	          "X4..X28 preserved on all %llu checked calls",
	          (unsigned long long)gt_calls_checked());
	gt_plan();
	return 0;
}
