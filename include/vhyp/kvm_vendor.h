/* SPDX-License-Identifier: MIT */
/*
 * The KVM/arm64 vendor-specific hypervisor service (SMCCC owner 6) as vhyp
 * implements it.  Values follow Linux's include/linux/arm-smccc.h and
 * Documentation/virt/kvm/arm/hypercalls.rst; see docs/abi.md.
 */
#ifndef VHYP_KVM_VENDOR_H
#define VHYP_KVM_VENDOR_H

#include <vhyp/smccc.h>

/* Function numbers (bits 15:0 of the ID). */
#define KVM_FUNC_FEATURES    0U
#define KVM_FUNC_PTP         1U
#define KVM_FUNC_HYP_MEMINFO 2U
#define KVM_FUNC_MEM_SHARE   3U
#define KVM_FUNC_MEM_UNSHARE 4U
#define KVM_FUNC_MMIO_GUARD  7U
#define KVM_FUNC_FEATURES_2  127U
#define KVM_FUNC_CALL_UID    0xFF01U

/* Full function IDs, exact 32-bit values. */
#define KVM_VENDOR_CALL_UID_FUNC_ID    0x8600FF01U /* HVC32 */
#define KVM_VENDOR_FEATURES_FUNC_ID    0x86000000U /* HVC32 */
#define KVM_VENDOR_PTP_FUNC_ID         0x86000001U /* HVC32 */
#define KVM_VENDOR_HYP_MEMINFO_FUNC_ID 0xC6000002U /* HVC64 */
#define KVM_VENDOR_MEM_SHARE_FUNC_ID   0xC6000003U /* HVC64 */
#define KVM_VENDOR_MEM_UNSHARE_FUNC_ID 0xC6000004U /* HVC64 */
#define KVM_VENDOR_MMIO_GUARD_FUNC_ID  0xC6000007U /* HVC64 */

/*
 * UID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, its bytes packed little-endian
 * into four 32-bit words (SMCCC DEN0028): word k holds bytes 4k..4k+3.
 */
#define KVM_VENDOR_UID_W0 0xb66fb428U
#define KVM_VENDOR_UID_W1 0xe911c52eU
#define KVM_VENDOR_UID_W2 0x564bcaa9U
#define KVM_VENDOR_UID_W3 0x743a004dU

/* FEATURES bitmap (X0 word): one bit per function number. */
#define KVM_FEAT_BIT(func)   (1ULL << (func))
#define KVM_FEAT_FEATURES    KVM_FEAT_BIT(KVM_FUNC_FEATURES) /* also gates UID */
#define KVM_FEAT_PTP         KVM_FEAT_BIT(KVM_FUNC_PTP)
#define KVM_FEAT_HYP_MEMINFO KVM_FEAT_BIT(KVM_FUNC_HYP_MEMINFO)
#define KVM_FEAT_MEM_SHARE   KVM_FEAT_BIT(KVM_FUNC_MEM_SHARE)
#define KVM_FEAT_MEM_UNSHARE KVM_FEAT_BIT(KVM_FUNC_MEM_UNSHARE)
#define KVM_FEAT_MMIO_GUARD  KVM_FEAT_BIT(KVM_FUNC_MMIO_GUARD)

/* vhyp's defaults (spec, "vhyp's choices" 5). */
#define KVM_FEATURES_NORMAL_DEFAULT                                            \
	(KVM_FEAT_FEATURES | KVM_FEAT_PTP) /* 0x3                              \
	                                    */
#define KVM_FEATURES_PROTECTED_DEFAULT                                         \
	(KVM_FEAT_FEATURES | KVM_FEAT_PTP | KVM_FEAT_HYP_MEMINFO |             \
	 KVM_FEAT_MEM_SHARE | KVM_FEAT_MEM_UNSHARE |                           \
	 KVM_FEAT_MMIO_GUARD) /* 0x9F */
/* Bits a VM may carry at all; anything else is a configuration error. */
#define KVM_FEATURES_IMPLEMENTED KVM_FEATURES_PROTECTED_DEFAULT
/* Bits that only make sense for a protected VM. */
#define KVM_FEATURES_PROTECTED_ONLY                                            \
	(KVM_FEAT_HYP_MEMINFO | KVM_FEAT_MEM_SHARE | KVM_FEAT_MEM_UNSHARE |    \
	 KVM_FEAT_MMIO_GUARD)

/* PTP counter selector, X1 read as u32. */
#define KVM_PTP_VIRT_COUNTER 0U
#define KVM_PTP_PHYS_COUNTER 1U

/* Protection granule returned by HYP_MEMINFO: the stage-2 page size. */
#define KVM_PROTECTION_GRANULE 4096U

#endif /* VHYP_KVM_VENDOR_H */
