/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal guest runtime (guest/rt): what every guest Image gets.
 *
 * Boot: the Image header and start code run at EL1 with x0 = DTB, set up a
 * stack, clear .bss, install the EL1 vectors, read the DTB (UART, PSCI
 * conduit, RAM, CPUs), turn on the EL1 MMU with an identity map (RAM
 * Normal write-back, everything else Device-nGnRnE) so that exclusives,
 * atomics and unaligned accesses work, then call
 *
 *	int main(const void *dtb);
 *
 * Returning 0 powers off (PSCI SYSTEM_OFF, QEMU exits 0); returning
 * non-zero calls rt_exit() with that status.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <guest/kvm.h>
#include <vhyp/board.h>
#include <vhyp/esr.h>

#define RT_MAX_CPUS   8U
#define RT_STACK_SIZE 16384U

/* Exit status rt_exit() uses for an unexpected exception. */
#define RT_EXIT_EXCEPTION 1

int main(const void *dtb);

/* The PSCI/SMCCC state discovered at boot (conduit from the DT's /psci).
 * vg_probe() has not been run: call it when you want the KVM services. */
extern struct vg_hyp rt_hyp;
/* The DTB the guest was entered with. */
extern const void *rt_dtb;

/* Console (PL011 from /chosen stdout-path, else the first arm,pl011,
 * else 0x09000000).  printf is serialized between CPUs. */
void rt_putc(char c);
void rt_puts(const char *s);
size_t rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t rt_uart_base(void);

/* Guest RAM as the DT describes it (first memory node's first range). */
uint64_t rt_ram_base(void);
uint64_t rt_ram_size(void);
/* Start and end (exclusive) of the loaded image including .bss and stacks. */
uint64_t rt_image_start(void);
uint64_t rt_image_end(void);

/*
 * Ends the run.  0: PSCI SYSTEM_OFF (the runner exits 0).  Otherwise
 * prints "rt: exit status N" and calls PSCI SYSTEM_RESET (the runner
 * exits 32, "guest reset"); a guest cannot choose the runner's status.
 */
__attribute__((noreturn)) void rt_exit(int status);
__attribute__((noreturn)) void rt_system_off(void);
__attribute__((noreturn)) void rt_system_reset(void);

/* Exceptions.  Frame saved by the vector; a hook may change elr (e.g.
 * skip the faulting instruction with elr += 4) and registers. */
struct rt_frame {
	uint64_t x[31];
	uint64_t elr, spsr, esr, far;
	uint64_t vector; /* the entry taken: offset from VBAR_EL1 / 0x80 */
};
enum rt_vector {
	RT_VEC_SYNC = 0,
	RT_VEC_IRQ = 1,
	RT_VEC_FIQ = 2,
	RT_VEC_SERROR = 3,
};
/* Return true when handled (execution resumes at frame->elr). */
typedef bool (*rt_exception_hook)(struct rt_frame *frame, enum rt_vector v);
/* One hook for all CPUs; NULL removes it.  Returns the previous hook. */
rt_exception_hook rt_set_exception_hook(rt_exception_hook hook);

/*
 * Loads 32 (64) bits from addr; if the access takes a synchronous
 * exception, returns false with ESR_EL1 in *esr (if not NULL) instead of
 * failing the run.  For tests that expect an abort (e.g. MMIO guard).
 */
bool rt_try_read32(uint64_t addr, uint32_t *val, uint64_t *esr);
bool rt_try_write32(uint64_t addr, uint32_t val, uint64_t *esr);
bool rt_try_read64(uint64_t addr, uint64_t *val, uint64_t *esr);

/* ESR_EL1 fields: <vhyp/esr.h> (ESR_EC, ESR_FSC, ...). */

/*
 * Test mappings, for guests that check how an abort reaches them: makes the
 * 2 MiB block at va (2 MiB aligned) one of these kinds, splitting a 1 GiB
 * block into a level-2 table where needed (4 such tables in all, shared
 * with the boot-time map; the image's own GiB has one from boot, so a block
 * beside the image never splits the block the code runs from).  Never for
 * the blocks of the image, its stacks or the DTB.  Call on the boot CPU
 * before starting others.  False when va is out of range, unaligned, or
 * no table is left.
 */
enum rt_map_kind {
	/* Normal, EL1 read/write and executable: e.g. an IPA with no RAM
	 * behind it, so that a jump there faults at stage 2. */
	RT_MAP_EL1_EXEC,
	/* Device-nGnRnE, read/write at EL0 and EL1, never executable. */
	RT_MAP_EL0_DEVICE,
	/* Normal, read-only at EL1 and EL0, executable at EL0 only. */
	RT_MAP_EL0_EXEC,
};
bool rt_mmu_map_block(uint64_t va, enum rt_map_kind kind);

/* SMP.  CPUs are numbered in DT order (/cpus/cpu@N); 0 is the boot CPU. */
unsigned rt_cpu_count(void);
unsigned rt_cpu_id(void);
uint64_t rt_cpu_mpidr(unsigned cpu);
typedef void (*rt_cpu_fn)(unsigned cpu, void *arg);
/*
 * Starts CPU cpu (PSCI CPU_ON) on its own stack with the MMU on; it runs
 * fn(cpu, arg), then PSCI CPU_OFF.  Returns the PSCI result.
 */
int64_t rt_cpu_start(unsigned cpu, rt_cpu_fn fn, void *arg);
/* Waits until the function started on cpu has returned and AFFINITY_INFO
 * reports the CPU OFF; true then, false on timeout.  The CPU may then be
 * started again. */
bool rt_cpu_wait_off(unsigned cpu, uint64_t timeout_ns);

/* Spinlocks: struct spinlock, spin_lock()/spin_unlock() of the support
 * library (need the MMU on, which the runtime guarantees). */
#include <lib/spinlock.h>

/* Counters and time. */
uint64_t rt_cntvct(void);
uint64_t rt_cntpct(void);
uint64_t rt_cntfrq(void);
void rt_udelay(uint64_t us);

/* Freestanding string functions (the compiler may call these too): the
 * support library's. */
#include <lib/string.h>

#endif /* GUEST_RT_H */
