/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the QEMU integration guests (guest/conformance,
 * guest/smp, guest/hostile), built into each of them by guest/tests.mk:
 *
 *  - TAP output: one "ok N - ..." / "not ok N - ..." line per case, a plan
 *    line "1..N" at the end (numbering is shared between CPUs);
 *  - raw SMCCC calls that set X0..X28 exactly, issue HVC/SMC with a given
 *    immediate and return X0..X28 plus "did the next instruction run";
 *  - expected synchronous exceptions (aborts, UNDEF) caught per CPU;
 *  - the guest command line (/chosen/bootargs, "key=value" words);
 *  - a small PRNG (xorshift64*), seeded per run and per CPU.
 */
#ifndef GUEST_TESTS_GT_H
#define GUEST_TESTS_GT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <guest/rt.h>
#include <lib/fmt.h>

/* ---- TAP ------------------------------------------------------------- */

/* Prints "ok N - <msg>" or "not ok N - <msg>"; returns pass. */
bool gt_report(bool pass, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* "# <msg>" diagnostic line. */
void gt_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "1..N" with the number of results reported so far. */
void gt_plan(void);
unsigned gt_failures(void);

/* ---- raw SMCCC calls --------------------------------------------------- */

#define GT_NR_REGS 29 /* X0..X28 */

struct gt_call {
	uint64_t in[GT_NR_REGS];
	uint64_t out[GT_NR_REGS];
	/* 1 when the instruction right after the HVC/SMC ran, i.e. the
	 * call returned to exactly the next instruction. */
	uint64_t marker;
};

enum gt_insn {
	GT_HVC_0,
	GT_HVC_1,
	GT_HVC_1234,
	GT_HVC_FFFF,
	GT_SMC_0,
	GT_SMC_1,
	GT_SMC_2A,
	GT_SMC_1234,
	GT_SMC_8000,
	GT_SMC_FFFF,
	GT_NR_INSNS,
};

/* "hvc #0x1234" etc. */
const char *gt_insn_name(enum gt_insn insn);
/* The immediate the instruction carries. */
unsigned gt_insn_imm(enum gt_insn insn);
bool gt_insn_is_smc(enum gt_insn insn);

/* Sets in[0..3] = x0..x3 and in[4..28] to random patterns (never zero). */
void gt_call_prepare(struct gt_call *c, uint64_t x0, uint64_t x1, uint64_t x2,
                     uint64_t x3);
/* Issues the instruction with in[] and fills out[] and marker. */
void gt_call_issue(enum gt_insn insn, struct gt_call *c);
/* prepare + issue with HVC #0. */
void gt_hvc(struct gt_call *c, uint64_t x0, uint64_t x1, uint64_t x2,
            uint64_t x3);
/*
 * True when X4..X28 came back unchanged and the call returned to the next
 * instruction; otherwise writes what differs into why.
 */
bool gt_call_preserved(const struct gt_call *c, char *why, size_t len);
/* True when out[0..3] == want[0..3]. */
bool gt_call_ret_is(const struct gt_call *c, const uint64_t want[4]);
/* "X0=0x... X1=0x... X2=0x... X3=0x..." of out[]. */
void gt_call_format_ret(const struct gt_call *c, char *buf, size_t len);
/* Counters over all calls checked with gt_call_preserved (all CPUs). */
uint64_t gt_calls_checked(void);
uint64_t gt_calls_clobbered(void);

#define GT_RET_NOT_SUPPORTED ((uint64_t)-1LL)

/* ---- expected exceptions ----------------------------------------------- */

struct gt_fault {
	bool taken;
	uint64_t esr, far, elr, spsr;
};

/*
 * Arms this CPU: the next synchronous exception is recorded instead of
 * ending the run, and execution resumes after the faulting instruction.
 */
void gt_expect_fault(void);
/*
 * The same for a call to an address that cannot be fetched: the
 * exception returns to the caller (ELR = X30) instead of skipping.
 */
void gt_expect_fault_return(void);
/* Disarms and returns what was recorded (taken = false if none). */
struct gt_fault gt_fault_result(void);
/* Installs the exception hook (once, before any gt_expect_fault). */
void gt_init(void);

/*
 * Single-instruction accesses (the faulting instruction is the first of
 * each function, at the address gt_access_insn(kind) returns).
 */
enum gt_access {
	GT_LDRB,
	GT_LDR32,
	GT_LDR64,
	GT_LDP64,
	GT_STRB,
	GT_STR32,
	GT_STR64,
	GT_STP64,
	GT_NR_ACCESSES,
};
uint64_t gt_access(enum gt_access kind, uint64_t addr, uint64_t val);
uint64_t gt_access_insn(enum gt_access kind);
bool gt_access_is_store(enum gt_access kind);
const char *gt_access_name(enum gt_access kind);

/*
 * Does one access that must take a synchronous external abort (data
 * abort from the current EL, DFSC 0x10, WnR for stores, FAR = addr, ELR =
 * the access).  Returns true if so; otherwise writes what happened.
 */
bool gt_access_expect_sea(enum gt_access kind, uint64_t addr, char *why,
                          size_t len);

/* ---- command line and randomness ------------------------------------- */

/* Value of key=... in /chosen/bootargs as a number (C syntax, 0x ok). */
bool gt_arg_u64(const char *key, uint64_t *val);
/* A number from the command line, or dflt. */
uint64_t gt_arg_u64_or(const char *key, uint64_t dflt);

struct gt_rng {
	uint64_t s;
};
void gt_rng_seed(struct gt_rng *r, uint64_t seed);
uint64_t gt_rand(struct gt_rng *r);
/* Uniform-ish in [0, n). */
uint64_t gt_rand_below(struct gt_rng *r, uint64_t n);
/* The run's seed: seed= on the command line, else from the counter. */
uint64_t gt_run_seed(void);

/* ---- misc ------------------------------------------------------------- */

/* Spin-wait helper: a hint that lets QEMU run other vCPUs. */
static inline void gt_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

/* Nanoseconds since the counter started (CNTPCT / CNTFRQ). */
uint64_t gt_uptime_ns(void);
/* Counter ticks to ns and back. */
uint64_t gt_ticks_to_ns(uint64_t ticks);

#endif /* GUEST_TESTS_GT_H */
