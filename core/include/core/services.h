/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces between the core's services (not used outside core/
 * and its tests): how a service writes its SMCCC result, the KVM vendor
 * service behind owner 6, and the protected-memory operations behind it.
 */
#ifndef CORE_SERVICES_H
#define CORE_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

#include <core/vm.h>
#include <vhyp/smccc.h>

/* A result of four registers.  The rest of x[] is never written. */
static inline void smccc_set_ret(uint64_t x[18], uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3)
{
	x[0] = a0;
	x[1] = a1;
	x[2] = a2;
	x[3] = a3;
}

/* An SMCCC error: the code sign-extended into X0, X1..X3 zero (as KVM). */
static inline void smccc_set_error(uint64_t x[18], int64_t code)
{
	smccc_set_ret(x, (uint64_t)code, 0, 0, 0);
}

/* Counts one call; relaxed: the counters are statistics, not ordering. */
static inline void vhyp_count(struct vhyp_vm *vm, enum vhyp_counter c)
{
	atomic_fetch_add_explicit(&vm->counters[c], 1, memory_order_relaxed);
}

/* Owner 6, called straight from the owner table (same signature as every
 * owner handler); id is the whole 32-bit function ID. */
void kvm_vendor_call(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu, uint32_t id,
                     uint64_t x[18]);

/* SMCCC TRNG (core/smccc/trng.c): id is one of the five TRNG IDs
 * (vhyp_trng_id); answers -1 for all of them without an entropy source. */
bool vhyp_trng_id(uint32_t id);
void vhyp_trng_call(struct vhyp_vm *vm, uint32_t id, uint64_t x[18]);

/* Converts counter ticks to nanoseconds exactly: floor(ticks * 1e9 / hz).
 * hz must be in 1..VHYP_MAX_COUNTER_HZ. */
#define VHYP_NSEC_PER_SEC   1000000000ULL
/* Largest frequency for which (ticks % hz) * 1e9 cannot overflow 64 bits;
 * the architecture fixes 1 GHz from Armv8.6, QEMU uses 62.5 MHz. */
#define VHYP_MAX_COUNTER_HZ (UINT64_MAX / VHYP_NSEC_PER_SEC)
static inline uint64_t vhyp_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return (ticks / hz) * VHYP_NSEC_PER_SEC +
	       (ticks % hz) * VHYP_NSEC_PER_SEC / hz;
}

#endif /* CORE_SERVICES_H */
