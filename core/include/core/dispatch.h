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

/*
 * What the exit handler does with a data abort at a non-RAM IPA.  Until the
 * VM's first successful MMIO_GUARD: always EMULATE.  After: EMULATE only if
 * the granules of the first and the last byte (len 0 counts as 1) are both
 * guarded (or inside a mapped device window); otherwise INJECT_SEA, counted
 * in VHYP_CNT_MMIO_REFUSED.  Takes the VM lock.
 */
enum vhyp_mmio_verdict {
	VHYP_MMIO_EMULATE,    /* hand it to the device model */
	VHYP_MMIO_INJECT_SEA, /* refused by MMIO guard: synchronous abort */
};
enum vhyp_mmio_verdict vhyp_mmio_check(struct vhyp_vm *vm, uint64_t ipa,
                                       unsigned len);

/*
 * The host side's one gate to guest memory: true when every granule of
 * [ipa, ipa+len) is guest RAM the host may touch (any RAM of a normal VM,
 * SHARED granules of a protected VM).  Races with UNSHARE are the caller's
 * to prevent (vhyp_vm_lock) when it then copies; this function does not
 * take the lock.  len 0: false.
 */
bool vhyp_host_may_access(struct vhyp_vm *vm, uint64_t ipa, uint64_t len);

/* The VM's spinlock (not recursive): SHARE/UNSHARE/MMIO_GUARD and
 * vhyp_mmio_check take it; UID/FEATURES/PTP never do. */
void vhyp_vm_lock(struct vhyp_vm *vm);
void vhyp_vm_unlock(struct vhyp_vm *vm);

#endif /* CORE_DISPATCH_H */
