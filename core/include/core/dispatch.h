/* SPDX-License-Identifier: MIT */
/*
 * SMCCC entry point of the core and the checks the exit handlers ask of it.
 */
#ifndef CORE_DISPATCH_H
#define CORE_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <core/vm.h>

/* A decoded function ID (the low 32 bits of X0). */
struct smccc_fid {
	uint32_t id;
	uint16_t func;
	uint8_t owner;
	bool fast;
	bool conv64;
};

static inline struct smccc_fid smccc_decode(uint64_t x0)
{
	uint32_t id = (uint32_t)x0;
	struct smccc_fid f = {
	        .id = id,
	        .func = (uint16_t)(id & 0xFFFFU),
	        .owner = (uint8_t)((id >> 24) & 0x3FU),
	        .fast = (id >> 31) != 0,
	        .conv64 = ((id >> 30) & 1U) != 0,
	};
	return f;
}

/*
 * Serves one SMCCC call from a guest.  x[0..17] are the guest's X0..X17 on
 * entry; on return x[0..3] hold the result (X1..X3 zero on error) and
 * x[4..17] are unchanged.  Never fails, never asserts on guest input.
 */
void vhyp_smccc_call(struct vhyp_vm *vm, struct vhyp_vcpu *vcpu,
                     uint64_t x[18]);

#endif /* CORE_DISPATCH_H */
