/* SPDX-License-Identifier: MIT */
/*
 * SMCCC 1.1 calls from a guest through a "conduit": a function that takes
 * X0..X17 and returns X0..X3.  On aarch64 the conduit is HVC or SMC (as the
 * DT's /psci method says); on the host, unit tests plug in a loopback that
 * calls the real core dispatcher, so the same library code is tested.
 */
#ifndef GUEST_SMCCC_H
#define GUEST_SMCCC_H

#include <stddef.h>
#include <stdint.h>

#include <vhyp/smccc.h>

#define VG_SMCCC_NR_REGS 18

/* x[0..17] in: X0..X17; out: x[0..3] = X0..X3 (x[4..17] as the callee
 * left them: SMCCC 1.1 says preserved). */
typedef void (*vg_conduit_fn)(void *opaque, uint64_t x[VG_SMCCC_NR_REGS]);

enum vg_conduit_kind {
	VG_CONDUIT_NONE, /* no PSCI node or an unknown method */
	VG_CONDUIT_HVC,
	VG_CONDUIT_SMC,
};

struct vg_conduit {
	vg_conduit_fn call;
	void *opaque;
	const char *name; /* "hvc", "smc", "none", "loopback", ... */
};

struct vg_res {
	uint64_t a0, a1, a2, a3;
};

/* The conduit the DT's /psci "method" property names. */
enum vg_conduit_kind vg_conduit_kind_from_dtb(const void *dtb);
const char *vg_conduit_kind_name(enum vg_conduit_kind kind);

/* A conduit that answers every call NOT_SUPPORTED without trapping. */
void vg_conduit_none_call(void *opaque, uint64_t x[VG_SMCCC_NR_REGS]);

/*
 * Calls function fid with X1..X3 = a1..a3 (X4..X17 zero).  A conduit with
 * a NULL call answers NOT_SUPPORTED.
 */
struct vg_res vg_smccc(const struct vg_conduit *c, uint32_t fid, uint64_t a1,
                       uint64_t a2, uint64_t a3);
/* The full form: x[] in and out, for tests that set X4..X17. */
void vg_smccc_regs(const struct vg_conduit *c, uint64_t x[VG_SMCCC_NR_REGS]);

/* aarch64 only (guest/lib/arch): the real instructions. */
void vg_hvc_call(void *opaque, uint64_t x[VG_SMCCC_NR_REGS]);
void vg_smc_call(void *opaque, uint64_t x[VG_SMCCC_NR_REGS]);
/* The conduit for kind on aarch64 (HVC, SMC or none). */
struct vg_conduit vg_conduit_for(enum vg_conduit_kind kind);

#endif /* GUEST_SMCCC_H */
