/* SPDX-License-Identifier: MIT */
/* PSCI (Arm DEN0022) function IDs and return codes used by vhyp. */
#ifndef VHYP_PSCI_H
#define VHYP_PSCI_H

#define PSCI_VERSION_FUNC_ID           0x84000000U
#define PSCI_CPU_SUSPEND_32_FUNC_ID    0x84000001U
#define PSCI_CPU_SUSPEND_64_FUNC_ID    0xC4000001U
#define PSCI_CPU_OFF_FUNC_ID           0x84000002U
#define PSCI_CPU_ON_32_FUNC_ID         0x84000003U
#define PSCI_CPU_ON_64_FUNC_ID         0xC4000003U
#define PSCI_AFFINITY_INFO_32_FUNC_ID  0x84000004U
#define PSCI_AFFINITY_INFO_64_FUNC_ID  0xC4000004U
#define PSCI_MIGRATE_INFO_TYPE_FUNC_ID 0x84000006U
#define PSCI_SYSTEM_OFF_FUNC_ID        0x84000008U
#define PSCI_SYSTEM_RESET_FUNC_ID      0x84000009U
#define PSCI_FEATURES_FUNC_ID          0x8400000AU
#define PSCI_SYSTEM_SUSPEND_32_FUNC_ID 0x8400000EU
#define PSCI_SYSTEM_SUSPEND_64_FUNC_ID 0xC400000EU
/* PSCI 1.1 */
#define PSCI_SYSTEM_RESET2_32_FUNC_ID  0x84000012U
#define PSCI_SYSTEM_RESET2_64_FUNC_ID  0xC4000012U
/* PSCI 1.3 */
#define PSCI_SYSTEM_OFF2_32_FUNC_ID    0x84000015U
#define PSCI_SYSTEM_OFF2_64_FUNC_ID    0xC4000015U

/* SYSTEM_RESET2 reset_type: bit 31 clear = architectural (0 is the only
 * one defined: SYSTEM_WARM_RESET), bit 31 set = vendor-specific. */
#define PSCI_RESET2_TYPE_WARM         0U
#define PSCI_RESET2_TYPE_VENDOR_START 0x80000000U
/* SYSTEM_OFF2 type; also the bit PSCI_FEATURES(SYSTEM_OFF2) returns.
 * Type 0 is accepted as HIBERNATE_OFF (DEN0022 F.b, as KVM). */
#define PSCI_OFF2_TYPE_HIBERNATE_OFF  1U

/* Owner-4 function numbers routed to PSCI (0x00..0x1F); others are not PSCI. */
#define PSCI_FUNC_MAX 0x1FU

#define PSCI_RET_SUCCESS          0L
#define PSCI_RET_NOT_SUPPORTED    (-1L)
#define PSCI_RET_INVALID_PARAMS   (-2L)
#define PSCI_RET_DENIED           (-3L)
#define PSCI_RET_ALREADY_ON       (-4L)
#define PSCI_RET_ON_PENDING       (-5L)
#define PSCI_RET_INTERNAL_FAILURE (-6L)
#define PSCI_RET_NOT_PRESENT      (-7L)
#define PSCI_RET_DISABLED         (-8L)
#define PSCI_RET_INVALID_ADDRESS  (-9L)

/* AFFINITY_INFO results. */
#define PSCI_AFF_ON         0L
#define PSCI_AFF_OFF        1L
#define PSCI_AFF_ON_PENDING 2L

/* MIGRATE_INFO_TYPE: trusted OS not present or does not require migration. */
#define PSCI_TOS_NOT_PRESENT_MP 2L

#define PSCI_VERSION_1_1 0x10001U
/* What vhyp reports (as KVM since Linux 6.13): 1.3. */
#define PSCI_VERSION_1_3 0x10003U

#endif /* VHYP_PSCI_H */
