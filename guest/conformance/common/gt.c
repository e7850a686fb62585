// SPDX-License-Identifier: MIT
/* Shared helpers of the integration guests: see gt.h. */
#include <stdarg.h>

#include <lib/fdt.h>
#include <lib/fmt.h>
#include <lib/parse.h>

#include "gt.h"

/* ---- TAP ------------------------------------------------------------- */

static struct spinlock tap_lock = SPINLOCK_INIT;
static unsigned tap_count, tap_failed;

static void put_line(const char *prefix, unsigned n, const char *msg)
{
	if (n != 0)
		rt_printf("%s%u - %s\n", prefix, n, msg);
	else
		rt_printf("%s%s\n", prefix, msg);
}

bool gt_report(bool pass, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	unsigned n;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The number and the line go out together, so lines from different
	 * CPUs stay in order. */
	spin_lock(&tap_lock);
	n = ++tap_count;
	if (!pass)
		tap_failed++;
	put_line(pass ? "ok " : "not ok ", n, msg);
	spin_unlock(&tap_lock);
	return pass;
}

void gt_diag(const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_line("# ", 0, msg);
}

void gt_plan(void)
{
	spin_lock(&tap_lock);
	rt_printf("1..%u\n", tap_count);
	spin_unlock(&tap_lock);
}

unsigned gt_failures(void)
{
	return tap_failed;
}

/* ---- raw calls -------------------------------------------------------- */

typedef void (*raw_fn)(struct gt_call *c);
void gt_raw_hvc_0(struct gt_call *c);
void gt_raw_hvc_1(struct gt_call *c);
void gt_raw_hvc_1234(struct gt_call *c);
void gt_raw_hvc_ffff(struct gt_call *c);
void gt_raw_smc_0(struct gt_call *c);
void gt_raw_smc_1(struct gt_call *c);
void gt_raw_smc_2a(struct gt_call *c);
void gt_raw_smc_1234(struct gt_call *c);
void gt_raw_smc_8000(struct gt_call *c);
void gt_raw_smc_ffff(struct gt_call *c);

static const struct {
	raw_fn fn;
	const char *name;
	unsigned imm;
	bool smc;
} insns[GT_NR_INSNS] = {
        [GT_HVC_0] = {gt_raw_hvc_0, "hvc #0", 0, false},
        [GT_HVC_1] = {gt_raw_hvc_1, "hvc #1", 1, false},
        [GT_HVC_1234] = {gt_raw_hvc_1234, "hvc #0x1234", 0x1234, false},
        [GT_HVC_FFFF] = {gt_raw_hvc_ffff, "hvc #0xffff", 0xffff, false},
        [GT_SMC_0] = {gt_raw_smc_0, "smc #0", 0, true},
        [GT_SMC_1] = {gt_raw_smc_1, "smc #1", 1, true},
        [GT_SMC_2A] = {gt_raw_smc_2a, "smc #0x2a", 0x2a, true},
        [GT_SMC_1234] = {gt_raw_smc_1234, "smc #0x1234", 0x1234, true},
        [GT_SMC_8000] = {gt_raw_smc_8000, "smc #0x8000", 0x8000, true},
        [GT_SMC_FFFF] = {gt_raw_smc_ffff, "smc #0xffff", 0xffff, true},
};

const char *gt_insn_name(enum gt_insn insn)
{
	return insn < GT_NR_INSNS ? insns[insn].name : "?";
}

unsigned gt_insn_imm(enum gt_insn insn)
{
	return insn < GT_NR_INSNS ? insns[insn].imm : 0;
}

bool gt_insn_is_smc(enum gt_insn insn)
{
	return insn < GT_NR_INSNS && insns[insn].smc;
}

static struct gt_rng pattern_rng[RT_MAX_CPUS];
static volatile uint64_t calls_checked, calls_clobbered;

void gt_call_prepare(struct gt_call *c, uint64_t x0, uint64_t x1, uint64_t x2,
                     uint64_t x3)
{
	struct gt_rng *r = &pattern_rng[rt_cpu_id() % RT_MAX_CPUS];
	unsigned i;

	if (r->s == 0)
		gt_rng_seed(r, gt_run_seed() + 0x9E37U * (rt_cpu_id() + 1U));
	c->in[0] = x0;
	c->in[1] = x1;
	c->in[2] = x2;
	c->in[3] = x3;
	/* Distinct, non-zero patterns: a register the hypervisor zeroes or
	 * swaps with another shows up. */
	for (i = 4; i < GT_NR_REGS; i++)
		c->in[i] = (gt_rand(r) & ~0xFFULL) | i;
	for (i = 0; i < GT_NR_REGS; i++)
		c->out[i] = 0;
	c->marker = 0;
}

void gt_call_issue(enum gt_insn insn, struct gt_call *c)
{
	if (insn < GT_NR_INSNS)
		insns[insn].fn(c);
}

void gt_hvc(struct gt_call *c, uint64_t x0, uint64_t x1, uint64_t x2,
            uint64_t x3)
{
	gt_call_prepare(c, x0, x1, x2, x3);
	gt_call_issue(GT_HVC_0, c);
}

bool gt_call_preserved(const struct gt_call *c, char *why, size_t len)
{
	size_t used = 0;
	unsigned i;
	bool ok = true;

	if (len > 0)
		why[0] = 0;
	for (i = 4; i < GT_NR_REGS; i++) {
		if (c->out[i] == c->in[i])
			continue;
		if (ok && used < len)
			used += fmt_snprintf(why + used, len - used,
			                     "clobbered:");
		ok = false;
		if (used < len)
			used += fmt_snprintf(why + used, len - used,
			                     " X%u=0x%llx (was 0x%llx)", i,
			                     (unsigned long long)c->out[i],
			                     (unsigned long long)c->in[i]);
	}
	if (c->marker != 1) {
		ok = false;
		if (used < len)
			fmt_snprintf(why + used, len - used,
			             " the instruction after the call was "
			             "skipped");
	}
	__atomic_add_fetch(&calls_checked, 1, __ATOMIC_RELAXED);
	if (!ok)
		__atomic_add_fetch(&calls_clobbered, 1, __ATOMIC_RELAXED);
	return ok;
}

bool gt_call_ret_is(const struct gt_call *c, const uint64_t want[4])
{
	return c->out[0] == want[0] && c->out[1] == want[1] &&
	       c->out[2] == want[2] && c->out[3] == want[3];
}

void gt_call_format_ret(const struct gt_call *c, char *buf, size_t len)
{
	fmt_snprintf(
	        buf, len, "X0=0x%llx X1=0x%llx X2=0x%llx X3=0x%llx",
	        (unsigned long long)c->out[0], (unsigned long long)c->out[1],
	        (unsigned long long)c->out[2], (unsigned long long)c->out[3]);
}

uint64_t gt_calls_checked(void)
{
	return calls_checked;
}

uint64_t gt_calls_clobbered(void)
{
	return calls_clobbered;
}

/* ---- expected exceptions ----------------------------------------------- */

struct expect_slot {
	volatile bool armed;
	volatile bool to_lr; /* resume at X30: a failed instruction fetch */
	struct gt_fault f;
};
static struct expect_slot expects[RT_MAX_CPUS];

static bool expect_hook(struct rt_frame *frame, enum rt_vector v)
{
	unsigned cpu = rt_cpu_id();
	struct expect_slot *e;

	if (cpu >= RT_MAX_CPUS || v != RT_VEC_SYNC)
		return false;
	e = &expects[cpu];
	if (!e->armed)
		return false;
	e->armed = false;
	e->f.taken = true;
	e->f.esr = frame->esr;
	e->f.far = frame->far;
	e->f.elr = frame->elr;
	e->f.spsr = frame->spsr;
	if (e->to_lr)
		frame->elr = frame->x[30];
	else
		frame->elr += 4;
	return true;
}

void gt_init(void)
{
	rt_set_exception_hook(expect_hook);
}

void gt_expect_fault(void)
{
	struct expect_slot *e = &expects[rt_cpu_id() % RT_MAX_CPUS];

	e->f.taken = false;
	e->to_lr = false;
	e->armed = true;
	__asm__ volatile("" ::: "memory");
}

void gt_expect_fault_return(void)
{
	struct expect_slot *e = &expects[rt_cpu_id() % RT_MAX_CPUS];

	e->f.taken = false;
	e->to_lr = true;
	e->armed = true;
	__asm__ volatile("" ::: "memory");
}

struct gt_fault gt_fault_result(void)
{
	struct expect_slot *e = &expects[rt_cpu_id() % RT_MAX_CPUS];

	__asm__ volatile("" ::: "memory");
	e->armed = false;
	return e->f;
}

uint64_t gt_acc_ldrb(uint64_t addr, uint64_t val);
uint64_t gt_acc_ldr32(uint64_t addr, uint64_t val);
uint64_t gt_acc_ldr64(uint64_t addr, uint64_t val);
uint64_t gt_acc_ldp64(uint64_t addr, uint64_t val);
uint64_t gt_acc_strb(uint64_t addr, uint64_t val);
uint64_t gt_acc_str32(uint64_t addr, uint64_t val);
uint64_t gt_acc_str64(uint64_t addr, uint64_t val);
uint64_t gt_acc_stp64(uint64_t addr, uint64_t val);

typedef uint64_t (*access_fn)(uint64_t addr, uint64_t val);
static const struct {
	access_fn fn;
	const char *name;
	bool store;
} accesses[GT_NR_ACCESSES] = {
        [GT_LDRB] = {gt_acc_ldrb, "ldrb", false},
        [GT_LDR32] = {gt_acc_ldr32, "ldr w", false},
        [GT_LDR64] = {gt_acc_ldr64, "ldr x", false},
        [GT_LDP64] = {gt_acc_ldp64, "ldp x", false},
        [GT_STRB] = {gt_acc_strb, "strb", true},
        [GT_STR32] = {gt_acc_str32, "str w", true},
        [GT_STR64] = {gt_acc_str64, "str x", true},
        [GT_STP64] = {gt_acc_stp64, "stp x", true},
};

uint64_t gt_access(enum gt_access kind, uint64_t addr, uint64_t val)
{
	return accesses[kind].fn(addr, val);
}

uint64_t gt_access_insn(enum gt_access kind)
{
	return (uint64_t)(uintptr_t)accesses[kind].fn;
}

bool gt_access_is_store(enum gt_access kind)
{
	return accesses[kind].store;
}

const char *gt_access_name(enum gt_access kind)
{
	return accesses[kind].name;
}

bool gt_access_expect_sea(enum gt_access kind, uint64_t addr, char *why,
                          size_t len)
{
	struct gt_fault f;
	uint64_t ec, dfsc;
	bool wnr;

	gt_expect_fault();
	(void)gt_access(kind, addr, 0x5A5A5A5A5A5A5A5AULL);
	f = gt_fault_result();
	if (!f.taken) {
		fmt_snprintf(why, len, "%s 0x%llx: no exception",
		             gt_access_name(kind), (unsigned long long)addr);
		return false;
	}
	ec = ESR_EC(f.esr);
	dfsc = ESR_FSC(f.esr);
	wnr = (f.esr & ESR_ISS_WNR) != 0;
	if (ec != ESR_EC_DABT_CUR || dfsc != ESR_FSC_SEA || !(f.esr & ESR_IL) ||
	    wnr != gt_access_is_store(kind) || f.far != addr ||
	    f.elr != gt_access_insn(kind)) {
		fmt_snprintf(why, len,
		             "%s 0x%llx: ESR 0x%llx (EC 0x%llx DFSC 0x%llx "
		             "WnR %d) FAR 0x%llx ELR 0x%llx (insn at 0x%llx)",
		             gt_access_name(kind), (unsigned long long)addr,
		             (unsigned long long)f.esr, (unsigned long long)ec,
		             (unsigned long long)dfsc, wnr ? 1 : 0,
		             (unsigned long long)f.far,
		             (unsigned long long)f.elr,
		             (unsigned long long)gt_access_insn(kind));
		return false;
	}
	return true;
}

/* ---- command line ----------------------------------------------------- */

bool gt_arg_u64(const char *key, uint64_t *val)
{
	struct fdt fdt;
	const uint8_t *p;
	uint32_t len, i = 0;
	size_t klen = strlen(key);

	if (fdt_open(&fdt, rt_dtb, FDT_MAX_SIZE) != 0)
		return false;
	p = fdt_getprop(&fdt, fdt_path(&fdt, "/chosen"), "bootargs", &len);
	if (p == NULL)
		return false;
	while (i < len && p[i] != 0) {
		uint32_t start, end;

		while (i < len && p[i] == ' ')
			i++;
		start = i;
		while (i < len && p[i] != 0 && p[i] != ' ')
			i++;
		end = i;
		if (end - start > klen && p[start + klen] == '=' &&
		    memcmp(p + start, key, klen) == 0)
			return parse_u64((const char *)p + start + klen + 1,
			                 end - start - klen - 1, val);
	}
	return false;
}

uint64_t gt_arg_u64_or(const char *key, uint64_t dflt)
{
	uint64_t v;

	return gt_arg_u64(key, &v) ? v : dflt;
}

/* ---- randomness ------------------------------------------------------- */

void gt_rng_seed(struct gt_rng *r, uint64_t seed)
{
	r->s = seed != 0 ? seed : 0x2545F4914F6CDD1DULL;
}

uint64_t gt_rand(struct gt_rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

uint64_t gt_rand_below(struct gt_rng *r, uint64_t n)
{
	return n == 0 ? 0 : gt_rand(r) % n;
}

uint64_t gt_run_seed(void)
{
	static volatile uint64_t seed;

	if (seed == 0) {
		uint64_t s;

		if (!gt_arg_u64("seed", &s) || s == 0)
			s = rt_cntpct() * 0x9E3779B97F4A7C15ULL + 1;
		seed = s;
	}
	return seed;
}

uint64_t gt_ticks_to_ns(uint64_t ticks)
{
	uint64_t f = rt_cntfrq();

	/* Split to avoid overflow for long uptimes. */
	return ticks / f * 1000000000ULL + ticks % f * 1000000000ULL / f;
}

uint64_t gt_uptime_ns(void)
{
	return gt_ticks_to_ns(rt_cntpct());
}
