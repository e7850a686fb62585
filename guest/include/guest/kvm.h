/* SPDX-License-Identifier: MIT */
/*
 * The KVM vendor hypervisor services from a guest: discovery (SMCCC
 * version, UID, FEATURES), PTP, and for protected VMs HYP_MEMINFO,
 * MEM_SHARE/MEM_UNSHARE of byte ranges and MMIO_GUARD of ranges.
 *
 * Results are SMCCC return codes (0 or negative) unless said otherwise.
 * Calls gated by a FEATURES bit are not issued when the bit is clear (as
 * Linux does); they return SMCCC_RET_NOT_SUPPORTED.  vg_smccc() issues any
 * call unconditionally.
 */
#ifndef GUEST_KVM_H
#define GUEST_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include <guest/smccc.h>
#include <vhyp/kvm_vendor.h>

/* Library-level results (never returned by a hypervisor: SMCCC codes stop
 * at -3 for the calls used here). */
#define VG_ERR_BAD_RESULT (-100L) /* the hypervisor's answer is malformed */

/* Why vg_probe() stopped; VG_PROBE_OK when the KVM services are usable. */
enum vg_probe_result {
	VG_PROBE_OK = 0,
	VG_PROBE_NO_CONDUIT,  /* no PSCI conduit in the DT */
	VG_PROBE_PSCI_0_2,    /* PSCI < 1.0: no PSCI_FEATURES, SMCCC 1.0 */
	VG_PROBE_SMCCC_1_0,   /* PSCI_FEATURES(SMCCC_VERSION) unsupported */
	VG_PROBE_SMCCC_OLD,   /* SMCCC_VERSION < 1.1 */
	VG_PROBE_NO_UID,      /* vendor-hyp UID call answered -1 */
	VG_PROBE_NOT_KVM,     /* a UID, but not KVM's */
	VG_PROBE_NO_FEATURES, /* KVM UID but FEATURES failed */
};

struct vg_hyp {
	struct vg_conduit conduit;
	uint32_t psci_version;  /* 0 when PSCI_VERSION failed */
	uint32_t smccc_version; /* 0x10000 when only 1.0 is known */
	bool smccc_1_1;
	bool uid_valid; /* the UID call answered (any UID) */
	uint32_t uid[4];
	bool is_kvm; /* uid[] is KVM's */
	bool features_valid;
	uint32_t features[4]; /* FEATURES X0..X3, low 32 bits each */
	uint64_t granule;     /* HYP_MEMINFO, 0 until asked */
};

void vg_hyp_init(struct vg_hyp *h, const struct vg_conduit *conduit);

/*
 * Discovery, in the order Linux does it: PSCI_VERSION >= 1.0,
 * PSCI_FEATURES(SMCCC_VERSION) supported, SMCCC_VERSION >= 1.1, the
 * vendor-hyp UID, then FEATURES (cached in h).  Stops at the first
 * failure; the fields up to that point are filled in.
 */
enum vg_probe_result vg_probe(struct vg_hyp *h);
const char *vg_probe_strerror(enum vg_probe_result r);

/* True when the cached FEATURES bitmap has function number func (0..127). */
bool vg_has_feature(const struct vg_hyp *h, unsigned func);
/* Name of a vendor-hyp function number ("PTP", "MEM_SHARE"...), or NULL. */
const char *vg_feature_name(unsigned func);

/* True when the four words are KVM's UID (low 32 bits compared, upper 32
 * bits must be zero). */
bool vg_uid_is_kvm(const struct vg_res *r);

/* PTP_KVM: wall clock (ns since the epoch, UTC) and a counter value. */
struct vg_ptp {
	uint64_t wall_ns;
	uint64_t counter;
};
/*
 * Decodes a PTP answer: error if bit 31 of X0 is set (X0 returned as is,
 * normally -1), VG_ERR_BAD_RESULT if an upper half of X0..X3 is non-zero.
 */
int64_t vg_ptp_decode(const struct vg_res *r, struct vg_ptp *out);
/* which: KVM_PTP_VIRT_COUNTER or KVM_PTP_PHYS_COUNTER. */
int64_t vg_ptp_read(struct vg_hyp *h, uint32_t which, struct vg_ptp *out);

/*
 * HYP_MEMINFO: the protection granule (stored in h->granule).  Returns 0,
 * an SMCCC error, or VG_ERR_BAD_RESULT when the granule is not a power of
 * two in [1, 65536].
 */
int64_t vg_meminfo(struct vg_hyp *h, uint64_t *granule);

/* One granule: MEM_SHARE / MEM_UNSHARE / MMIO_GUARD of the granule at ipa
 * (gated by FEATURES). */
int64_t vg_mem_share(struct vg_hyp *h, uint64_t ipa);
int64_t vg_mem_unshare(struct vg_hyp *h, uint64_t ipa);
int64_t vg_mmio_guard(struct vg_hyp *h, uint64_t ipa);

/*
 * Share (unshare) every granule that [ipa, ipa+len) touches, in ascending
 * order.  If a granule fails, the granules this call already changed are
 * changed back (unshared, re-shared), so the range is left as it was, and
 * the error is returned with the failing granule in *failed (if not
 * NULL).  len 0: nothing to do.  A range that wraps: INVALID_PARAMETER,
 * no call made.  Asks HYP_MEMINFO first if the granule is not known.
 */
int64_t vg_share_range(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                       uint64_t *failed);
int64_t vg_unshare_range(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                         uint64_t *failed);
/* MMIO_GUARD every granule of [ipa, ipa+len); stops at the first error
 * (there is no unguard call to roll back with). */
int64_t vg_mmio_guard_range(struct vg_hyp *h, uint64_t ipa, uint64_t len,
                            uint64_t *failed);

/* PSCI helpers through the same conduit. */
int64_t vg_psci_cpu_on(const struct vg_hyp *h, uint64_t mpidr, uint64_t entry,
                       uint64_t context);
int64_t vg_psci_affinity_info(const struct vg_hyp *h, uint64_t mpidr);
void vg_psci_cpu_off(const struct vg_hyp *h);
void vg_psci_system_off(const struct vg_hyp *h);
void vg_psci_system_reset(const struct vg_hyp *h);

#endif /* GUEST_KVM_H */
