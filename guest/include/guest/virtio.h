/* SPDX-License-Identifier: MIT */
/*
 * The test guests' virtio-mmio driver (guest/rt/virtio.c): just enough to
 * drive vhyp's devices from a bare-metal guest and to misuse them on
 * purpose.  One split virtqueue of RT_VQ_SIZE entries on one page (the
 * ring page): descriptors at 0, available ring at RT_VQ_AVAIL_OFF, used
 * ring at RT_VQ_USED_OFF, a virtio-blk request header at RT_VQ_HDR_OFF
 * and its status byte at RT_VQ_STATUS_OFF.  Requests are synchronous:
 * vhyp completes a chain while the notifying write traps, so the used
 * ring is checked right after the notify, without waiting.
 *
 * Register offsets, status bits and the request format are
 * include/vhyp/virtio_mmio.h's (virtio 1.1).
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include <vhyp/virtio_mmio.h>

#define RT_VQ_PAGE       4096U
#define RT_VQ_SIZE       8U
#define RT_VQ_AVAIL_OFF  0x400U
#define RT_VQ_USED_OFF   0x800U
#define RT_VQ_HDR_OFF    0xc00U
#define RT_VQ_STATUS_OFF 0xc10U
/* What rt_blk_request returns when the device did not complete it. */
#define RT_BLK_NOT_DONE  0xffU
/* Transport features the driver accepts, as the high feature word:
 * VERSION_1 (32) and ACCESS_PLATFORM (33), which vhyp always offers. */
#define RT_VIRTIO_FEATURES_HI                                                  \
	((1U << (VIRTIO_F_VERSION_1 - 32U)) |                                  \
	 (1U << (VIRTIO_F_ACCESS_PLATFORM - 32U)))

struct rt_virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct rt_virtq {
	uint64_t dev;               /* transport base */
	unsigned index;             /* queue number */
	uint64_t desc, avail, used; /* where the device is told they are */
	uint8_t *ring;              /* the guest's own ring page */
	uint16_t avail_idx, used_seen;
};

/* 32-bit register access with plain LDR/STR (ISV = 1, so the hypervisor
 * can emulate it). */
uint32_t rt_mmio_read(uint64_t base, unsigned reg);
void rt_mmio_write(uint64_t base, unsigned reg, uint32_t v);
/* A 64-bit value into a LOW/HIGH register pair. */
void rt_mmio_write64(uint64_t base, unsigned low, uint64_t v);

/* Resets the device at dev and negotiates features up to FEATURES_OK:
 * false unless it is a modern (Version 2) device of device_id offering
 * RT_VIRTIO_FEATURES_HI and accepting them.  The driver takes the low
 * feature bits of want_lo the device offers; *offered_lo (if not NULL)
 * receives all low bits the device offers. */
bool rt_virtio_negotiate(uint64_t dev, uint32_t device_id, uint32_t want_lo,
                         uint32_t *offered_lo);

/* Clears the ring page, negotiates (no device-specific feature) and sets
 * up queue `queue` of RT_VQ_SIZE entries with the given ring addresses
 * (the ring page's own where an address is 0), then DRIVER_OK. */
bool rt_virtq_init(struct rt_virtq *q, uint64_t dev, unsigned queue,
                   uint32_t device_id, uint8_t *ring, uint64_t desc,
                   uint64_t avail, uint64_t used);
/* The same after rt_virtio_negotiate has been done by the caller. */
bool rt_virtq_setup(struct rt_virtq *q, uint64_t dev, unsigned queue,
                    uint8_t *ring, uint64_t desc, uint64_t avail,
                    uint64_t used);

/* The descriptor table in the guest's ring page. */
struct rt_virtq_desc *rt_virtq_descs(struct rt_virtq *q);

/* Publishes the chain at descriptor 0 and notifies; true when the device
 * returned it on the used ring (then acknowledges the interrupt). */
bool rt_virtq_submit(struct rt_virtq *q);

/* One virtio-blk request: header, data [addr, addr + len) unless len is
 * 0 (a flush), status; returns the status byte, or RT_BLK_NOT_DONE. */
uint8_t rt_blk_request(struct rt_virtq *q, uint32_t type, uint64_t sector,
                       uint64_t addr, uint32_t len);

/* The capacity in sectors (config space). */
uint64_t rt_blk_capacity(uint64_t dev);

#endif /* GUEST_VIRTIO_H */
