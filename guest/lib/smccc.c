// SPDX-License-Identifier: MIT
/* SMCCC calls through a conduit, and the conduit choice from the DT. */
#include <guest/smccc.h>
#include <lib/fdt.h>

enum vg_conduit_kind vg_conduit_kind_from_dtb(const void *dtb)
{
	struct fdt fdt;
	int psci;

	if (fdt_open(&fdt, dtb, FDT_MAX_SIZE) != 0)
		return VG_CONDUIT_NONE;
	psci = fdt_path(&fdt, "/psci");
	if (psci < 0)
		return VG_CONDUIT_NONE;
	/* "method" is a single string; a list is malformed, take none. */
	if (fdt_prop_has_string(&fdt, psci, "method", "hvc"))
		return VG_CONDUIT_HVC;
	if (fdt_prop_has_string(&fdt, psci, "method", "smc"))
		return VG_CONDUIT_SMC;
	return VG_CONDUIT_NONE;
}

const char *vg_conduit_kind_name(enum vg_conduit_kind kind)
{
	switch (kind) {
	case VG_CONDUIT_HVC:
		return "hvc";
	case VG_CONDUIT_SMC:
		return "smc";
	default:
		return "none";
	}
}

void vg_conduit_none_call(void *opaque, uint64_t x[VG_SMCCC_NR_REGS])
{
	(void)opaque;
	x[0] = (uint64_t)SMCCC_RET_NOT_SUPPORTED;
}

void vg_smccc_regs(const struct vg_conduit *c, uint64_t x[VG_SMCCC_NR_REGS])
{
	if (c == NULL || c->call == NULL) {
		vg_conduit_none_call(NULL, x);
		return;
	}
	c->call(c->opaque, x);
}

struct vg_res vg_smccc(const struct vg_conduit *c, uint32_t fid, uint64_t a1,
                       uint64_t a2, uint64_t a3)
{
	uint64_t x[VG_SMCCC_NR_REGS] = {fid, a1, a2, a3};
	struct vg_res r;

	vg_smccc_regs(c, x);
	r.a0 = x[0];
	r.a1 = x[1];
	r.a2 = x[2];
	r.a3 = x[3];
	return r;
}
