// SPDX-License-Identifier: MIT
/* KVM vendor hypervisor services from a guest (guest/include/guest/kvm.h). */
#include <guest/kvm.h>
#include <vhyp/psci.h>

#define LOW32(v)  ((v)&0xFFFFFFFFULL)
#define HIGH32(v) ((v) >> 32)

void vg_hyp_init(struct vg_hyp *h, const struct vg_conduit *conduit)
{
	struct vg_hyp zero = {0};

	*h = zero;
	if (conduit != NULL)
		h->conduit = *conduit;
}

static struct vg_res call(const struct vg_hyp *h, uint32_t fid, uint64_t a1,
                          uint64_t a2, uint64_t a3)
{
	return vg_smccc(&h->conduit, fid, a1, a2, a3);
}

static bool is_error(uint64_t a0)
{
	return (int64_t)a0 < 0;
}

bool vg_uid_is_kvm(const struct vg_res *r)
{
	return r->a0 == KVM_VENDOR_UID_W0 && r->a1 == KVM_VENDOR_UID_W1 &&
	       r->a2 == KVM_VENDOR_UID_W2 && r->a3 == KVM_VENDOR_UID_W3;
}

/* PSCI >= 1.0, PSCI_FEATURES(SMCCC_VERSION), SMCCC_VERSION >= 1.1. */
static enum vg_probe_result probe_smccc(struct vg_hyp *h)
{
	struct vg_res r;

	h->smccc_version = 0x10000U; /* SMCCC 1.0 until proven otherwise */
	r = call(h, PSCI_VERSION_FUNC_ID, 0, 0, 0);
	if (is_error(r.a0) || HIGH32(r.a0) != 0)
		return VG_PROBE_PSCI_0_2;
	h->psci_version = (uint32_t)r.a0;
	if ((h->psci_version >> 16) < 1)
		return VG_PROBE_PSCI_0_2;
	r = call(h, PSCI_FEATURES_FUNC_ID, SMCCC_VERSION_FUNC_ID, 0, 0);
	if (r.a0 == (uint64_t)PSCI_RET_NOT_SUPPORTED)
		return VG_PROBE_SMCCC_1_0;
	r = call(h, SMCCC_VERSION_FUNC_ID, 0, 0, 0);
	if (is_error(r.a0) || r.a0 < SMCCC_VERSION_1_1)
		return VG_PROBE_SMCCC_OLD;
	h->smccc_version = (uint32_t)r.a0;
	h->smccc_1_1 = true;
	return VG_PROBE_OK;
}

enum vg_probe_result vg_probe(struct vg_hyp *h)
{
	enum vg_probe_result res;
	struct vg_res r;

	h->smccc_1_1 = h->uid_valid = h->is_kvm = h->features_valid = false;
	if (h->conduit.call == NULL || h->conduit.call == vg_conduit_none_call)
		return VG_PROBE_NO_CONDUIT;
	res = probe_smccc(h);
	if (res != VG_PROBE_OK)
		return res;
	r = call(h, KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0);
	if (r.a0 == (uint64_t)SMCCC_RET_NOT_SUPPORTED)
		return VG_PROBE_NO_UID;
	h->uid_valid = true;
	h->uid[0] = (uint32_t)r.a0;
	h->uid[1] = (uint32_t)r.a1;
	h->uid[2] = (uint32_t)r.a2;
	h->uid[3] = (uint32_t)r.a3;
	if (!vg_uid_is_kvm(&r))
		return VG_PROBE_NOT_KVM;
	h->is_kvm = true;
	r = call(h, KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0);
	if (is_error(r.a0))
		return VG_PROBE_NO_FEATURES;
	h->features[0] = (uint32_t)r.a0;
	h->features[1] = (uint32_t)r.a1;
	h->features[2] = (uint32_t)r.a2;
	h->features[3] = (uint32_t)r.a3;
	h->features_valid = true;
	return VG_PROBE_OK;
}

const char *vg_probe_strerror(enum vg_probe_result r)
{
	switch (r) {
	case VG_PROBE_OK:
		return "KVM vendor hypervisor services available";
	case VG_PROBE_NO_CONDUIT:
		return "no PSCI conduit in the device tree";
	case VG_PROBE_PSCI_0_2:
		return "PSCI older than 1.0: SMCCC 1.0 only";
	case VG_PROBE_SMCCC_1_0:
		return "PSCI_FEATURES(SMCCC_VERSION) not supported: SMCCC 1.0";
	case VG_PROBE_SMCCC_OLD:
		return "SMCCC_VERSION older than 1.1";
	case VG_PROBE_NO_UID:
		return "no vendor hypervisor UID";
	case VG_PROBE_NOT_KVM:
		return "vendor hypervisor UID is not KVM's";
	case VG_PROBE_NO_FEATURES:
		return "KVM UID but FEATURES failed";
	}
	return "unknown probe result";
}

bool vg_has_feature(const struct vg_hyp *h, unsigned func)
{
	if (!h->features_valid || func >= 128)
		return false;
	return (h->features[func / 32] >> (func % 32)) & 1U;
}

const char *vg_feature_name(unsigned func)
{
	switch (func) {
	case KVM_FUNC_FEATURES:
		return "FEATURES";
	case KVM_FUNC_PTP:
		return "PTP";
	case KVM_FUNC_HYP_MEMINFO:
		return "HYP_MEMINFO";
	case KVM_FUNC_MEM_SHARE:
		return "MEM_SHARE";
	case KVM_FUNC_MEM_UNSHARE:
		return "MEM_UNSHARE";
	case KVM_FUNC_MMIO_GUARD:
		return "MMIO_GUARD";
	default:
		return NULL;
	}
}

int64_t vg_ptp_decode(const struct vg_res *r, struct vg_ptp *out)
{
	/* Linux's test: (int)X0 < 0, i.e. bit 31 of X0. */
	if ((r->a0 & 0x80000000ULL) != 0 || is_error(r->a0))
		return is_error(r->a0) ? (int64_t)r->a0 : VG_ERR_BAD_RESULT;
	if (HIGH32(r->a0) | HIGH32(r->a1) | HIGH32(r->a2) | HIGH32(r->a3))
		return VG_ERR_BAD_RESULT;
	out->wall_ns = r->a0 << 32 | r->a1;
	out->counter = r->a2 << 32 | r->a3;
	return SMCCC_RET_SUCCESS;
}

int64_t vg_ptp_read(struct vg_hyp *h, uint32_t which, struct vg_ptp *out)
{
	struct vg_res r;

	if (!vg_has_feature(h, KVM_FUNC_PTP))
		return SMCCC_RET_NOT_SUPPORTED;
	r = call(h, KVM_VENDOR_PTP_FUNC_ID, which, 0, 0);
	return vg_ptp_decode(&r, out);
}

static bool granule_ok(uint64_t g)
{
	return g != 0 && g <= 0x10000U && (g & (g - 1)) == 0;
}

int64_t vg_meminfo(struct vg_hyp *h, uint64_t *granule)
{
	struct vg_res r;

	if (!vg_has_feature(h, KVM_FUNC_HYP_MEMINFO))
		return SMCCC_RET_NOT_SUPPORTED;
	r = call(h, KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 0, 0);
	if (is_error(r.a0))
		return (int64_t)r.a0;
	if (!granule_ok(r.a0))
		return VG_ERR_BAD_RESULT;
	h->granule = r.a0;
	if (granule != NULL)
		*granule = r.a0;
	return SMCCC_RET_SUCCESS;
}

static int64_t gated_call(struct vg_hyp *h, unsigned func, uint32_t fid,
                          uint64_t ipa)
{
	struct vg_res r;

	if (!vg_has_feature(h, func))
		return SMCCC_RET_NOT_SUPPORTED;
	r = call(h, fid, ipa, 0, 0);
	return (int64_t)r.a0;
}

int64_t vg_mem_share(struct vg_hyp *h, uint64_t ipa)
{
	return gated_call(h, KVM_FUNC_MEM_SHARE, KVM_VENDOR_MEM_SHARE_FUNC_ID,
	                  ipa);
}

int64_t vg_mem_unshare(struct vg_hyp *h, uint64_t ipa)
{
	return gated_call(h, KVM_FUNC_MEM_UNSHARE,
	                  KVM_VENDOR_MEM_UNSHARE_FUNC_ID, ipa);
}

int64_t vg_mmio_guard(struct vg_hyp *h, uint64_t ipa)
{
	return gated_call(h, KVM_FUNC_MMIO_GUARD, KVM_VENDOR_MMIO_GUARD_FUNC_ID,
	                  ipa);
}

typedef int64_t (*granule_op)(struct vg_hyp *h, uint64_t ipa);

/*
 * The granules [*first, *end) covering [ipa, ipa+len): 0 on success,
 * INVALID_PARAMETER if the range wraps, another error if the granule is
 * unknown and HYP_MEMINFO fails.
 */
static int64_t granule_span(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                            uint64_t *first, uint64_t *end)
{
	uint64_t g, last;

	if (h->granule == 0) {
		int64_t ret = vg_meminfo(h, NULL);
		if (ret != SMCCC_RET_SUCCESS)
			return ret;
	}
	g = h->granule;
	if (len == 0) {
		*first = *end = ipa;
		return SMCCC_RET_SUCCESS;
	}
	if (ipa + (len - 1) < ipa)
		return SMCCC_RET_INVALID_PARAMETER;
	last = (ipa + (len - 1)) & ~(g - 1);
	if (last + g < last) /* the last granule ends at 2^64 */
		return SMCCC_RET_INVALID_PARAMETER;
	*first = ipa & ~(g - 1);
	*end = last + g;
	return SMCCC_RET_SUCCESS;
}

/* Applies op to each granule; on failure applies undo to the ones done. */
static int64_t range_op(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                        uint64_t *failed, granule_op op, granule_op undo)
{
	uint64_t first, end, at, back;
	int64_t ret = granule_span(h, ipa, len, &first, &end);

	if (ret != SMCCC_RET_SUCCESS)
		return ret;
	for (at = first; at != end; at += h->granule) {
		ret = op(h, at);
		if (ret == SMCCC_RET_SUCCESS)
			continue;
		if (failed != NULL)
			*failed = at;
		for (back = first; undo != NULL && back != at;
		     back += h->granule)
			(void)undo(h, back);
		return ret;
	}
	return SMCCC_RET_SUCCESS;
}

int64_t vg_share_range(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                       uint64_t *failed)
{
	return range_op(h, ipa, len, failed, vg_mem_share, vg_mem_unshare);
}

int64_t vg_unshare_range(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                         uint64_t *failed)
{
	return range_op(h, ipa, len, failed, vg_mem_unshare, vg_mem_share);
}

int64_t vg_mmio_guard_range(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                            uint64_t *failed)
{
	return range_op(h, ipa, len, failed, vg_mmio_guard, NULL);
}

int64_t vg_psci_cpu_on(const struct vg_hyp *h, uint64_t mpidr, uint64_t entry,
                       uint64_t context)
{
	return (int64_t)call(h, PSCI_CPU_ON_64_FUNC_ID, mpidr, entry, context)
	        .a0;
}

int64_t vg_psci_affinity_info(const struct vg_hyp *h, uint64_t mpidr)
{
	return (int64_t)call(h, PSCI_AFFINITY_INFO_64_FUNC_ID, mpidr, 0, 0).a0;
}

void vg_psci_cpu_off(const struct vg_hyp *h)
{
	(void)call(h, PSCI_CPU_OFF_FUNC_ID, 0, 0, 0);
}

void vg_psci_system_off(const struct vg_hyp *h)
{
	(void)call(h, PSCI_SYSTEM_OFF_FUNC_ID, 0, 0, 0);
}

void vg_psci_system_reset(const struct vg_hyp *h)
{
	(void)call(h, PSCI_SYSTEM_RESET_FUNC_ID, 0, 0, 0);
}
