// SPDX-License-Identifier: MIT
/*
 * Host test of the PSCI proxy (hyp/psci.c, with hyp/cpu.c and
 * hyp/console.c): the per-CPU state machine, CPU_ON's entry substitution,
 * racing CPU_ONs (real threads, real atomics), AFFINITY_INFO, FEATURES,
 * argument truncation of the SMC32 convention.  Only the hardware is faked:
 * the firmware SMC (a recorder), the counter, the UART (a buffer) and the
 * EL2 entry/exit routines, which never run here.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#include "arch.h"
#include "hyp.h"

struct hyp_state g_hyp;

/* ---- fakes of the hardware ---- */

struct fw_call {
	uint64_t fid, a1, a2, a3;
};
static struct fw_call fw_log[64];
static _Atomic unsigned fw_calls;
static _Atomic int fw_cpu_on_already_on; /* ALREADY_ON answers left */
static int64_t fw_cpu_on_result;
static int64_t fw_cpu_off_result;
static char uart[4096];
static size_t uart_len;
static uint64_t fake_count;

uint64_t arch_firmware_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	unsigned n = atomic_fetch_add(&fw_calls, 1U);

	if (n < 64)
		fw_log[n] = (struct fw_call){fid, a1, a2, a3};
	switch ((uint32_t)fid) {
	case PSCI_CPU_ON_64_FUNC_ID:
		if (atomic_load(&fw_cpu_on_already_on) > 0) {
			atomic_fetch_sub(&fw_cpu_on_already_on, 1);
			return (uint64_t)PSCI_RET_ALREADY_ON;
		}
		return (uint64_t)fw_cpu_on_result;
	case PSCI_CPU_OFF_FUNC_ID:
		return (uint64_t)fw_cpu_off_result;
	case PSCI_VERSION_FUNC_ID:
		return 0x10001;
	case PSCI_FEATURES_FUNC_ID:
		return 0x2; /* e.g. CPU_SUSPEND's extended power_state flag */
	default:
		return 0;
	}
}

void arch_secondary_entry(void)
{
}

uint64_t arch_read_cntpct(void)
{
	return __atomic_add_fetch(&fake_count, 1000, __ATOMIC_RELAXED);
}

void plat_uart_putc(char c)
{
	if (uart_len + 1 < sizeof(uart))
		uart[uart_len++] = c;
	uart[uart_len] = '\0';
}

void plat_uart_set_base(uint64_t base)
{
	(void)base;
}

uint64_t arch_read_mpidr(void)
{
	return 0;
}

bool arch_mmu_enabled(void)
{
	return true;
}

void arch_set_this_cpu(struct hyp_cpu *cpu)
{
	(void)cpu;
}

void arch_el2_setup_guest(const struct vhyp_vm *vm, bool trap_wfx)
{
	(void)vm;
	(void)trap_wfx;
}

void arch_prepare_eret(uint64_t entry)
{
	(void)entry;
}

_Noreturn void arch_enter_guest(uint64_t x0, uintptr_t sp)
{
	(void)x0;
	(void)sp;
	abort();
}

_Noreturn void arch_park(void)
{
	abort();
}

_Noreturn void hyp_stop_after_panic(void)
{
	abort();
}

/* ---- helpers ---- */

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x40000000ULL
#define ENTRY    (RAM_BASE + 0x200000ULL)

static int setup(void **state)
{
	(void)state;
	memset(&g_hyp, 0, sizeof(g_hyp));
	g_hyp.nr_cpus = 4;
	for (unsigned i = 0; i < 4; i++) {
		g_hyp.cpus[i].idx = i;
		g_hyp.cpus[i].vcpu.idx = i;
		g_hyp.cpus[i].vcpu.vm = &g_hyp.vm;
		/* Two clusters: Aff1 matters as much as Aff0. */
		g_hyp.cpus[i].mpidr = ((uint64_t)(i / 2) << 8) | (i % 2);
		atomic_init(&g_hyp.cpus[i].state, HYP_CPU_OFF);
	}
	atomic_store(&g_hyp.cpus[0].state, HYP_CPU_ON);
	g_hyp.vm.cfg.ram[0] =
	        (struct vhyp_mem_range){RAM_BASE, RAM_BASE, RAM_SIZE};
	g_hyp.vm.cfg.nr_ram = 1;
	g_hyp.clock.freq_hz = 62500000;
	g_hyp.cmd.log = 1;
	atomic_store(&fw_calls, 0U);
	atomic_store(&fw_cpu_on_already_on, 0);
	fw_cpu_on_result = PSCI_RET_SUCCESS;
	fw_cpu_off_result = PSCI_RET_DENIED;
	uart_len = 0;
	uart[0] = '\0';
	return 0;
}

static uint64_t call(unsigned cpu, uint64_t fid, uint64_t a1, uint64_t a2,
                     uint64_t a3)
{
	uint64_t x[18] = {fid, a1, a2, a3};

	for (unsigned i = 4; i < 18; i++)
		x[i] = 0xa0 + i;
	hyp_psci_call(NULL, &g_hyp.cpus[cpu].vcpu, x);
	assert_int_equal(x[1], 0);
	assert_int_equal(x[2], 0);
	assert_int_equal(x[3], 0);
	for (unsigned i = 4; i < 18; i++)
		assert_int_equal(x[i], 0xa0 + i);
	return x[0];
}

/* ---- tests ---- */

static void test_cpu_on_substitutes_entry(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x101, ENTRY, 0x77),
	                 PSCI_RET_SUCCESS);
	assert_int_equal(atomic_load(&fw_calls), 1);
	assert_int_equal(fw_log[0].fid, PSCI_CPU_ON_64_FUNC_ID);
	assert_int_equal(fw_log[0].a1, 0x101);
	/* The firmware starts vhyp's entry with the CPU index, never the
	 * guest's entry. */
	assert_int_equal(fw_log[0].a2,
	                 (uint64_t)(uintptr_t)arch_secondary_entry);
	assert_int_equal(fw_log[0].a3, 3);
	assert_int_equal(g_hyp.cpus[3].entry, ENTRY);
	assert_int_equal(g_hyp.cpus[3].context, 0x77);
	assert_int_equal(atomic_load(&g_hyp.cpus[3].state), HYP_CPU_ON_PENDING);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x101, 0, 0),
	                 PSCI_AFF_ON_PENDING);
	/* Again while pending, and on a CPU that is on. */
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x101, ENTRY, 0),
	                 PSCI_RET_ALREADY_ON);
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x0, ENTRY, 0),
	                 PSCI_RET_ALREADY_ON);
	assert_int_equal(atomic_load(&fw_calls), 1);
	assert_int_equal(g_hyp.cpus[3].context, 0x77); /* not overwritten */
}

static void test_cpu_on_errors(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x2, ENTRY, 0),
	                 PSCI_RET_INVALID_PARAMS); /* no such CPU */
	assert_int_equal(
	        call(0, PSCI_CPU_ON_64_FUNC_ID, 0x80000001ULL, ENTRY, 0),
	        PSCI_RET_INVALID_PARAMS); /* non-affinity bits */
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x1, 0x1000, 0),
	                 PSCI_RET_INVALID_ADDRESS);
	assert_int_equal(
	        call(0, PSCI_CPU_ON_64_FUNC_ID, 0x1, RAM_BASE + RAM_SIZE, 0),
	        PSCI_RET_INVALID_ADDRESS);
	assert_int_equal(atomic_load(&fw_calls), 0);
	assert_int_equal(atomic_load(&g_hyp.cpus[1].state), HYP_CPU_OFF);
}

static void test_cpu_on_firmware_failure_reverts(void **state)
{
	(void)state;
	fw_cpu_on_result = PSCI_RET_INTERNAL_FAILURE;
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x1, ENTRY, 0),
	                 PSCI_RET_INTERNAL_FAILURE);
	assert_int_equal(atomic_load(&g_hyp.cpus[1].state), HYP_CPU_OFF);
	fw_cpu_on_result = PSCI_RET_SUCCESS;
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x1, ENTRY, 0),
	                 PSCI_RET_SUCCESS);
}

/* The target marked itself OFF but has not reached the firmware yet. */
static void test_cpu_on_retries_while_firmware_says_on(void **state)
{
	(void)state;
	atomic_store(&fw_cpu_on_already_on, 3);
	assert_int_equal(call(0, PSCI_CPU_ON_64_FUNC_ID, 0x1, ENTRY, 0),
	                 PSCI_RET_SUCCESS);
	assert_int_equal(atomic_load(&fw_calls), 4);
}

static void test_cpu_on_32_truncates(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_CPU_ON_32_FUNC_ID, 0xdead000000000100ULL,
	                      0xffffffff00000000ULL | ENTRY,
	                      0x1234567800000005ULL),
	                 PSCI_RET_SUCCESS);
	assert_int_equal(g_hyp.cpus[2].entry, ENTRY);
	assert_int_equal(g_hyp.cpus[2].context, 5);
}

struct racer {
	pthread_barrier_t *barrier;
	unsigned cpu;
	uint64_t result;
};

static void *race_cpu_on(void *arg)
{
	struct racer *r = arg;
	uint64_t x[18] = {PSCI_CPU_ON_64_FUNC_ID, 0x100, ENTRY, r->cpu};

	pthread_barrier_wait(r->barrier);
	hyp_psci_call(NULL, &g_hyp.cpus[r->cpu].vcpu, x);
	r->result = x[0];
	return NULL;
}

/* Many CPUs start the same target at once: exactly one wins. */
static void test_racing_cpu_on(void **state)
{
	enum { THREADS = 8, ROUNDS = 200 };
	(void)state;

	for (unsigned round = 0; round < ROUNDS; round++) {
		pthread_t t[THREADS];
		struct racer r[THREADS];
		pthread_barrier_t barrier;
		unsigned wins = 0, already = 0;

		atomic_store(&g_hyp.cpus[2].state, HYP_CPU_OFF);
		atomic_store(&fw_calls, 0U);
		pthread_barrier_init(&barrier, NULL, THREADS);
		for (unsigned i = 0; i < THREADS; i++) {
			r[i] = (struct racer){&barrier, i % 2, 0};
			pthread_create(&t[i], NULL, race_cpu_on, &r[i]);
		}
		for (unsigned i = 0; i < THREADS; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&barrier);
		for (unsigned i = 0; i < THREADS; i++) {
			if (r[i].result == (uint64_t)PSCI_RET_SUCCESS)
				wins++;
			else if (r[i].result == (uint64_t)PSCI_RET_ALREADY_ON)
				already++;
		}
		assert_int_equal(wins, 1);
		assert_int_equal(already, THREADS - 1);
		assert_int_equal(atomic_load(&fw_calls), 1);
	}
}

static void test_cpu_off_refused_keeps_cpu_on(void **state)
{
	(void)state;
	atomic_store(&g_hyp.cpus[1].state, HYP_CPU_ON);
	assert_int_equal(call(1, PSCI_CPU_OFF_FUNC_ID, 0, 0, 0),
	                 PSCI_RET_DENIED);
	assert_int_equal(fw_log[0].fid, PSCI_CPU_OFF_FUNC_ID);
	assert_int_equal(atomic_load(&g_hyp.cpus[1].state), HYP_CPU_ON);
}

static void test_affinity_info(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x0, 0, 0),
	                 PSCI_AFF_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x1, 0, 0),
	                 PSCI_AFF_OFF);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x100, 0, 0),
	                 PSCI_AFF_OFF);
	/* Level 1: the whole cluster of 0x1 (CPU 0 is on). */
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x1, 1, 0),
	                 PSCI_AFF_ON);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x101, 1, 0),
	                 PSCI_AFF_OFF);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x7, 0, 0),
	                 PSCI_RET_INVALID_PARAMS);
	assert_int_equal(call(0, PSCI_AFFINITY_INFO_64_FUNC_ID, 0x0, 4, 0),
	                 PSCI_RET_INVALID_PARAMS);
	assert_int_equal(atomic_load(&fw_calls), 0);
}

static void test_features_and_misc(void **state)
{
	(void)state;
	assert_int_equal(
	        call(0, PSCI_FEATURES_FUNC_ID, SMCCC_VERSION_FUNC_ID, 0, 0), 0);
	assert_int_equal(
	        call(0, PSCI_FEATURES_FUNC_ID, PSCI_CPU_ON_64_FUNC_ID, 0, 0),
	        0);
	assert_int_equal(call(0, PSCI_FEATURES_FUNC_ID,
	                      PSCI_SYSTEM_SUSPEND_64_FUNC_ID, 0, 0),
	                 PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(atomic_load(&fw_calls), 0);
	/* CPU_SUSPEND's flags are the firmware's. */
	assert_int_equal(call(0, PSCI_FEATURES_FUNC_ID,
	                      PSCI_CPU_SUSPEND_64_FUNC_ID, 0, 0),
	                 2);
	assert_int_equal(call(0, PSCI_MIGRATE_INFO_TYPE_FUNC_ID, 0, 0, 0), 2);
	/* vhyp's own version, not the firmware's 1.1. */
	assert_int_equal(call(0, PSCI_VERSION_FUNC_ID, 0, 0, 0), 0x10003);
	/* Not implemented, and never forwarded. */
	atomic_store(&fw_calls, 0U);
	assert_int_equal(call(0, 0x84000010U, 1, 2, 3), PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(call(0, PSCI_SYSTEM_SUSPEND_64_FUNC_ID, ENTRY, 0, 0),
	                 PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(atomic_load(&fw_calls), 0);
}

/* PSCI 1.3 as KVM presents it (arch/arm64/kvm/psci.c, psci_test.c). */
static void test_psci_1_3_features(void **state)
{
	(void)state;
	assert_int_equal(call(0, 0x84000000U, 0, 0, 0), 0x10003);
	/* SYSTEM_RESET2, both conventions: 0. */
	assert_int_equal(call(0, 0x8400000AU, 0x84000012U, 0, 0), 0);
	assert_int_equal(call(0, 0x8400000AU, 0xC4000012U, 0, 0), 0);
	/* SYSTEM_OFF2: the bitmap of off types, HIBERNATE_OFF = bit 0. */
	assert_int_equal(call(0, 0x8400000AU, 0x84000015U, 0, 0), 1);
	assert_int_equal(call(0, 0x8400000AU, 0xC4000015U, 0, 0), 1);
	/* The queried ID is read as u32. */
	assert_int_equal(call(0, 0x8400000AU, 0xFFFFFFFFC4000015ULL, 0, 0), 1);
	/* Neither offered: SYSTEM_SUSPEND, MEM_PROTECT, CPU_FREEZE, the
	 * 0x13/0x14 neighbours. */
	assert_int_equal(call(0, 0x8400000AU, 0x8400000EU, 0, 0), -1);
	assert_int_equal(call(0, 0x8400000AU, 0x84000013U, 0, 0), -1);
	assert_int_equal(call(0, 0x8400000AU, 0x84000014U, 0, 0), -1);
	assert_int_equal(call(0, 0x8400000AU, 0x8400000BU, 0, 0), -1);
	assert_int_equal(call(0, 0x8400000AU, 0x84000016U, 0, 0), -1);
	assert_int_equal(atomic_load(&fw_calls), 0);
}

static void test_system_reset2(void **state)
{
	(void)state;
	/* Reserved architectural types and vendor types: -2, nothing sent. */
	assert_int_equal(call(0, 0x84000012U, 1, 0, 0), -2);
	assert_int_equal(call(0, 0xC4000012U, 0x7FFFFFFFU, 0, 0), -2);
	assert_int_equal(call(0, 0x84000012U, 0x80000000U, 0, 0), -2);
	assert_int_equal(call(0, 0xC4000012U, 0xFFFFFFFFU, 0, 0), -2);
	assert_int_equal(atomic_load(&fw_calls), 0);
	/* SYSTEM_WARM_RESET: the firmware's SYSTEM_RESET (the fake returns
	 * 0 where the real one does not return), cookie ignored. */
	assert_int_equal(call(0, 0x84000012U, 0, 0x1234, 0), 0);
	assert_int_equal(atomic_load(&fw_calls), 1);
	assert_int_equal(fw_log[0].fid, PSCI_SYSTEM_RESET_FUNC_ID);
	assert_non_null(strstr(uart, "vhyp: guest called "
	                             "SYSTEM_RESET2(SYSTEM_WARM_RESET)\r\n"));
	/* reset_type is 32 bits wide: upper bits of X1 are not looked at,
	 * in SMC64 either (KVM reads it as u32). */
	assert_int_equal(call(0, 0xC4000012U, 0x100000000ULL, 0, 0), 0);
	assert_int_equal(call(0, 0x84000012U, 0xFFFFFFFF00000000ULL, 0, 0), 0);
	assert_int_equal(atomic_load(&fw_calls), 3);
}

static void test_system_off2(void **state)
{
	(void)state;
	/* psci_test.c: a non-zero cookie -> INVALID_PARAMETERS. */
	assert_int_equal(call(0, 0xC4000015U, 1, 1, 0), -2);
	assert_int_equal(call(0, 0xC4000015U, 2, 0, 0), -2);
	assert_int_equal(call(0, 0x84000015U, 0x80000000U, 0, 0), -2);
	assert_int_equal(call(0, 0xC4000015U, 0, 0x100000000ULL, 0), -2);
	assert_int_equal(atomic_load(&fw_calls), 0);
	/* HIBERNATE_OFF (1) and its alias 0: the firmware's SYSTEM_OFF. */
	assert_int_equal(call(0, 0xC4000015U, 1, 0, 0), 0);
	assert_int_equal(call(0, 0xC4000015U, 0, 0, 0), 0);
	/* SMC32: X2 is 32 bits wide, its upper half ignored. */
	assert_int_equal(call(0, 0x84000015U, 1, 0x100000000ULL, 0), 0);
	assert_int_equal(atomic_load(&fw_calls), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(fw_log[i].fid, PSCI_SYSTEM_OFF_FUNC_ID);
	assert_non_null(
	        strstr(uart, "vhyp: guest called SYSTEM_OFF2(HIBERNATE_OFF)"));
}

static void test_cpu_suspend_substitutes_entry(void **state)
{
	(void)state;
	assert_int_equal(
	        call(0, PSCI_CPU_SUSPEND_32_FUNC_ID, 0x10000, ENTRY + 8, 0x99),
	        0);
	assert_int_equal(fw_log[0].fid, PSCI_CPU_SUSPEND_64_FUNC_ID);
	assert_int_equal(fw_log[0].a1, 0x10000);
	assert_int_equal(fw_log[0].a2,
	                 (uint64_t)(uintptr_t)arch_secondary_entry);
	assert_int_equal(fw_log[0].a3, 0);
	assert_int_equal(g_hyp.cpus[0].entry, ENTRY + 8);
	assert_int_equal(g_hyp.cpus[0].context, 0x99);
	assert_int_equal(atomic_load(&g_hyp.cpus[0].state), HYP_CPU_ON);
}

static void test_system_off_prints_counters(void **state)
{
	(void)state;
	atomic_store(&g_hyp.vm.counters[VHYP_CNT_PTP], 42);
	assert_int_equal(call(0, PSCI_SYSTEM_OFF_FUNC_ID, 0, 0, 0), 0);
	assert_int_equal(fw_log[0].fid, PSCI_SYSTEM_OFF_FUNC_ID);
	assert_non_null(strstr(uart, "vhyp: guest called SYSTEM_OFF\r\n"));
	assert_non_null(strstr(uart, "vhyp: calls: uid=0 features=0 ptp=42 "));
}

static void test_cpu_by_mpidr(void **state)
{
	(void)state;
	assert_ptr_equal(hyp_cpu_by_mpidr(0x101), &g_hyp.cpus[3]);
	/* Bits outside Aff3..Aff0 (U, MT, bit 31) are ignored. */
	assert_ptr_equal(hyp_cpu_by_mpidr(0xC0000100ULL), &g_hyp.cpus[2]);
	assert_null(hyp_cpu_by_mpidr(0x10000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_cpu_on_substitutes_entry, setup),
	        cmocka_unit_test_setup(test_cpu_on_errors, setup),
	        cmocka_unit_test_setup(test_cpu_on_firmware_failure_reverts,
	                               setup),
	        cmocka_unit_test_setup(
	                test_cpu_on_retries_while_firmware_says_on, setup),
	        cmocka_unit_test_setup(test_cpu_on_32_truncates, setup),
	        cmocka_unit_test_setup(test_racing_cpu_on, setup),
	        cmocka_unit_test_setup(test_cpu_off_refused_keeps_cpu_on,
	                               setup),
	        cmocka_unit_test_setup(test_affinity_info, setup),
	        cmocka_unit_test_setup(test_features_and_misc, setup),
	        cmocka_unit_test_setup(test_psci_1_3_features, setup),
	        cmocka_unit_test_setup(test_system_reset2, setup),
	        cmocka_unit_test_setup(test_system_off2, setup),
	        cmocka_unit_test_setup(test_cpu_suspend_substitutes_entry,
	                               setup),
	        cmocka_unit_test_setup(test_system_off_prints_counters, setup),
	        cmocka_unit_test_setup(test_cpu_by_mpidr, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
