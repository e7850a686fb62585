/* SPDX-License-Identifier: MIT */
/*
 * The generic timer's counters, read the same way by the hypervisor and
 * the guest runtime.  The ISB keeps the read from being taken early (the
 * counter is not ordered by the instructions around it, Arm ARM D12.1.2).
 */
#ifndef LIB_AARCH64_COUNTER_H
#define LIB_AARCH64_COUNTER_H

#include <stdint.h>

static inline uint64_t counter_read_physical(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline uint64_t counter_read_virtual(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline uint64_t counter_frequency(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

#endif /* LIB_AARCH64_COUNTER_H */
