/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport and the virtio-blk request format, from the
 * virtio 1.1 specification (section 4.2.2, "MMIO Device Register Layout",
 * the modern "Version 2" layout; 2.1 device status; 2.6 split
 * virtqueues; 5.2 block device; 6 reserved feature bits).  One
 * definition each, read by vhyp's device models (hyp/devices/, through a
 * relative include: they have no include path), by the trusted driver of
 * QEMU's disks (hyp/devices/qemu_disk.c) and by the test guests'
 * virtio driver (guest/rt/virtio.c).  Plain constants only: no types, no
 * code, so that a device model may read it (scripts/check-device-models.sh).
 */
#ifndef VHYP_VIRTIO_MMIO_H
#define VHYP_VIRTIO_MMIO_H

/* Register offsets from the transport's base (4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000U
#define VIRTIO_MMIO_VERSION             0x004U
#define VIRTIO_MMIO_DEVICE_ID           0x008U
#define VIRTIO_MMIO_VENDOR_ID           0x00cU
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010U
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014U
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020U
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024U
#define VIRTIO_MMIO_QUEUE_SEL           0x030U
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034U
#define VIRTIO_MMIO_QUEUE_NUM           0x038U
#define VIRTIO_MMIO_QUEUE_READY         0x044U
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050U
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060U
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064U
#define VIRTIO_MMIO_STATUS              0x070U
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080U
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084U
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090U /* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094U
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0U /* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4U
#define VIRTIO_MMIO_SHM_SEL             0x0acU
#define VIRTIO_MMIO_SHM_LEN_LOW         0x0b0U
#define VIRTIO_MMIO_SHM_LEN_HIGH        0x0b4U
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fcU
#define VIRTIO_MMIO_CONFIG              0x100U /* device-specific config */

#define VIRTIO_MMIO_MAGIC          0x74726976U /* "virt", little-endian */
#define VIRTIO_MMIO_VERSION_MODERN 2U

/* InterruptStatus / InterruptACK bits (4.2.2). */
#define VIRTIO_MMIO_INT_USED_BUFFER   1U
#define VIRTIO_MMIO_INT_CONFIG_CHANGE 2U

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE        1U
#define VIRTIO_STATUS_DRIVER             2U
#define VIRTIO_STATUS_DRIVER_OK          4U
#define VIRTIO_STATUS_FEATURES_OK        8U
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64U
#define VIRTIO_STATUS_FAILED             128U

/* Device IDs (5). */
#define VIRTIO_ID_BLOCK   2U
#define VIRTIO_ID_CONSOLE 3U

/* Feature bit numbers: transport (6) and virtio-blk (5.2.3). */
#define VIRTIO_F_VERSION_1          32U
#define VIRTIO_F_ACCESS_PLATFORM    33U
#define VIRTIO_RING_F_INDIRECT_DESC 28U
#define VIRTIO_BLK_F_SEG_MAX        2U
#define VIRTIO_BLK_F_RO             5U
#define VIRTIO_BLK_F_FLUSH          9U

/* Split virtqueue (2.6): a descriptor is 16 bytes (addr u64, len u32,
 * flags u16, next u16); the available ring is flags u16, idx u16, then
 * ring[num] u16; the used ring is flags u16, idx u16, then ring[num] of
 * {id u32, len u32}. */
#define VIRTQ_DESC_F_NEXT          1U
#define VIRTQ_DESC_F_WRITE         2U
#define VIRTQ_DESC_F_INDIRECT      4U
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1U
#define VIRTQ_USED_F_NO_NOTIFY     1U
#define VIRTQ_DESC_SIZE            16U
#define VIRTQ_RING_FLAGS_OFF       0U /* avail and used rings alike */
#define VIRTQ_RING_IDX_OFF         2U
#define VIRTQ_RING_ENTRIES_OFF     4U
#define VIRTQ_AVAIL_ENTRY_SIZE     2U
#define VIRTQ_USED_ENTRY_SIZE      8U

/* virtio-blk requests (5.2.6): a 16-byte header (type u32, reserved u32,
 * sector u64), the data, one status byte the device writes.  The
 * capacity in 512-byte sectors is the first u64 of the config space. */
#define VIRTIO_BLK_T_IN         0U
#define VIRTIO_BLK_T_OUT        1U
#define VIRTIO_BLK_T_FLUSH      4U
#define VIRTIO_BLK_T_GET_ID     8U
#define VIRTIO_BLK_S_OK         0U
#define VIRTIO_BLK_S_IOERR      1U
#define VIRTIO_BLK_S_UNSUPP     2U
#define VIRTIO_BLK_HDR_SIZE     16U
#define VIRTIO_BLK_SECTOR_SIZE  512U
#define VIRTIO_BLK_CFG_CAPACITY 0x00U

#endif /* VHYP_VIRTIO_MMIO_H */
