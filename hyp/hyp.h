/* SPDX-License-Identifier: MIT */
/* The hypervisor's internal interfaces (everything outside core/). */
#ifndef HYP_HYP_H
#define HYP_HYP_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <core/vm.h>
#include <lib/log.h>
#include <lib/string.h>

#include "fdt.h"

#define HYP_MAX_CPUS    8U
#define HYP_STACK_SHIFT 14 /* 16 KiB of EL2 stack per CPU */
#define HYP_STACK_SIZE  (1UL << HYP_STACK_SHIFT)

/* Guest GPRs saved on an exit: x[0..30].  HVC/SMC exits save only the
 * caller-saved x0..x18, x29, x30 (the C handler preserves x19..x28); all
 * other exits save all 31. */
struct hyp_regs {
	uint64_t x[31];
	uint64_t pad;
};
/* The vectors (vectors.S) push it on the EL2 stack, whose pointer must
 * stay 16-byte aligned; its size and offsets reach them through
 * asm-offsets.c. */
_Static_assert(sizeof(struct hyp_regs) % 16 == 0,
               "struct hyp_regs keeps SP 16-byte aligned");

/* PSCI power state of a physical CPU as the guest sees it. */
enum hyp_cpu_state {
	HYP_CPU_OFF = 0,
	HYP_CPU_ON_PENDING = 1,
	HYP_CPU_ON = 2,
};

/*
 * A physical CPU and the vCPU it runs (1:1, pinned).  The vCPU is
 * embedded, not aliased: the core gets &cpu->vcpu and the hypervisor's
 * hooks come back with hyp_cpu_of_vcpu (container_of), so no pointer is
 * ever cast between the two types.  container_of rather than "first
 * member plus a static assert": the layout stays free (asm offsets of
 * hyp_cpu do not move the vCPU) at the cost of one subtraction.
 */
struct hyp_cpu {
	struct vhyp_vcpu vcpu;
	uint64_t mpidr; /* affinity fields only, as in the DT */
	unsigned idx;
	uintptr_t stack_top;
	_Atomic unsigned state;
	/* Where the guest asked this CPU to (re)start, and its x0. */
	uint64_t entry;
	uint64_t context;
	uint64_t exits; /* trace counter */
};

static inline struct hyp_cpu *hyp_cpu_of_vcpu(struct vhyp_vcpu *vcpu)
{
	return (struct hyp_cpu *)(void *)((char *)vcpu -
	                                  offsetof(struct hyp_cpu, vcpu));
}

struct hyp_cmdline {
	uint64_t entry;
	uint64_t dtb;
	bool have_entry;
	bool have_dtb;
	bool protected_vm;
	bool features_set;
	uint64_t features;
	unsigned log; /* 0 quiet, 1 normal, 2 trace every exit */
	/* 1: take a fault at EL2 after boot, 2: fail a CHECK() there (both
	 * test the register dump and the panic channel) */
	unsigned debug_fault;
	bool debug_trap_wfx; /* trap WFI/WFE (tests UNDEF injection) */
	/* W^X self-check: 1 store to the hypervisor's text, 2 execute from
	 * its data; either must fault (register dump, exit status 3) */
	unsigned debug_wx;
	/* virtio-blk image the runner loaded outside guest RAM (--disk) */
	bool have_disk;
	uint64_t disk_pa;
	uint64_t disk_size;
	/* vhyp's disks: QEMU virtio-blk devices for EL2 (--disk) */
	unsigned disks;
};

struct hyp_state {
	struct fdt_board board;
	struct hyp_cmdline cmd;
	uint64_t window_base;
	uint64_t window_size;
	unsigned nr_cpus;
	struct hyp_cpu cpus[HYP_MAX_CPUS];
	struct vhyp_vm vm;
	struct vhyp_vm_config cfg;
	struct s2_pool s2_pool;
	struct vhyp_clock clock;
	bool vm_ready;
};

extern struct hyp_state g_hyp;

/* console.c: every line starts with "vhyp: ". */
void hyp_console_init(uint64_t uart_base);
/* Declared again in devices/model.h, the one header the device models
 * may read: the second declaration in a file that reads both is not a
 * mistake. */
// NOLINTNEXTLINE(readability-redundant-declaration)
void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// NOLINTNEXTLINE(readability-redundant-declaration)
void vlog_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* vlog at a level of lib/log.h: vhyp.log=1 (the default) prints INFO,
 * vhyp.log=2 also TRACE; plain vlog() prints at every level. */
#define vlog_info(...)                                                         \
	do {                                                                   \
		if (log_on(LOG_INFO))                                          \
			vlog(__VA_ARGS__);                                     \
	} while (0)
#define vlog_trace(...)                                                        \
	do {                                                                   \
		if (log_on(LOG_TRACE))                                         \
			vlog(__VA_ARGS__);                                     \
	} while (0)
/* One guest-caused event of a rate-limited kind (lib/log.h, at LOG_INFO):
 * true when the caller is to print it; prints `note` (further events of the
 * kind are not logged) once, when the limit is reached. */
bool vlog_limited(struct log_limit *l, const char *note);
void hyp_console_set_locking(bool on);
/* vhyp.token=: from then on every line is marked (vhyp/console_mark.h). */
bool hyp_console_set_token(const char *hex, size_t len);
/* From a panic report on: this CPU owns the console for good (the others
 * wait), after a bounded wait for the lock. */
void hyp_console_enter_panic(void);

/* pvpanic.c: the panic channel.  probe: with the EL2 MMU off; map: while
 * building the EL2 tables; stop: after the panic report, never returns. */
void hyp_pvpanic_probe(const void *board_dtb);
void hyp_pvpanic_map(void);
_Noreturn void hyp_stop_after_panic(void);
/* The attribute rather than _Noreturn: cppcheck 2.10 knows only the
 * former, and its null-pointer checks need to know hyp_panic ends. */
__attribute__((noreturn)) void hyp_panic(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));

/* cmdline.c */
int hyp_cmdline_parse(const char *s, uint32_t len, struct hyp_cmdline *out);

/* cpu.c */
struct hyp_cpu *hyp_cpu_by_mpidr(uint64_t mpidr);
_Noreturn void hyp_cpu_enter_guest(struct hyp_cpu *cpu, uint64_t entry,
                                   uint64_t x0);

/* psci.c: the vhyp_ops psci hook. */
void hyp_psci_call(void *ctx, struct vhyp_vcpu *vcpu, uint64_t x[18]);
void hyp_print_counters(const struct vhyp_vm *vm);
/* hyp/pvtime.c: PV time's stolen-time page (ops->pv_time_st). */
bool hyp_pv_time_setup(struct vhyp_vm *vm);
uint64_t hyp_pv_time_st(void *ctx, struct vhyp_vcpu *vcpu);

/* exits.c (arch): guest exits. */
void hyp_handle_hvc(struct hyp_regs *regs);
void hyp_handle_smc(struct hyp_regs *regs);
void hyp_handle_trap(struct hyp_regs *regs);
/* hyp/arch/aarch64/idregs.c: the guest's ID registers (HCR_EL2.TID3). */
uint64_t hyp_idreg_value(unsigned crm, unsigned op2);
bool hyp_handle_sysreg_trap(struct hyp_regs *regs, uint64_t esr, bool from_el0);

/* platform */
void plat_uart_putc(char c);
void plat_uart_set_base(uint64_t base);
/* The UART's receive side: a byte waits; the next byte (or -1); its
 * receive interrupts on or off (platform/qemu_virt/pl011.c). */
bool plat_uart_rx_ready(void);
int plat_uart_getc(void);
void plat_uart_rx_irq(bool enable);
bool plat_rtc_read(uint64_t base, uint32_t *seconds);

#endif /* HYP_HYP_H */
