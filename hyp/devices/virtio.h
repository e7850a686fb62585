/* SPDX-License-Identifier: MIT */
/*
 * vhyp's own virtio-mmio devices, for every VM (virtio 1.x, split
 * virtqueues): the transport (virtio_mmio.c) and its backends (console,
 * block).  docs/pkvm-linux-guest.md describes them.
 *
 * These are device models (model.h): every access to a queue or a buffer
 * goes through hyp_guest_read / hyp_guest_write (the accessor): a ring or
 * a descriptor that points outside what the host side may touch (outside
 * a normal VM's RAM, at a granule a protected VM has not shared) is
 * refused there, counted and reported, and its request fails; nothing
 * there is read or written.
 */
#ifndef HYP_DEVICES_VIRTIO_H
#define HYP_DEVICES_VIRTIO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"
/* The transport registers, status and feature bits, descriptor flags and
 * virtio-blk request format (virtio 1.1): one definition for the models,
 * the trusted disk driver and the guests.  Relative: models have no
 * include path. */
#include "../../include/vhyp/virtio_mmio.h"

/* Where the runner's DTB puts them: include/vhyp/board.h (through
 * model.h), which the runner reads too. */
#define HYP_VIRTIO_CONSOLE_BASE VHYP_VIRTIO_CONSOLE_BASE
#define HYP_VIRTIO_BLK_BASE     VHYP_VIRTIO_BLK_BASE
#define HYP_VIRTIO_WINDOW_SIZE  VHYP_VIRTIO_WINDOW_SIZE
#define HYP_VIRTIO_CONSOLE_SPI  VHYP_VIRTIO_CONSOLE_SPI
#define HYP_VIRTIO_BLK_SPI      VHYP_VIRTIO_BLK_SPI

#define HYP_VIRTIO_MAX_QUEUES 2U
#define HYP_VIRTIO_QUEUE_MAX  256U

struct hyp_virtqueue {
	uint32_t num;
	bool ready;
	uint64_t desc, avail, used;
	uint16_t last_avail; /* next avail ring entry the device takes */
	uint16_t used_idx;   /* next used ring entry the device writes */
};

/* One buffer of a request's descriptor chain. */
struct hyp_virtio_buf {
	uint64_t addr;
	uint32_t len;
	bool device_writes; /* VIRTQ_DESC_F_WRITE */
};

/* Descriptors a chain may have (an indirect table's included): a
 * virtio-blk request of 256 data segments, 1 MiB of 4 KiB pages, plus its
 * header and status. */
#define HYP_VIRTIO_MAX_CHAIN 258U

/* One available descriptor chain, as the transport read it. */
struct hyp_virtio_chain {
	uint16_t head;
	bool ok; /* well formed; a bad chain is used with length 0 */
	unsigned n;
	uint32_t written; /* set by the backend: the used ring's len */
	struct hyp_virtio_buf bufs[HYP_VIRTIO_MAX_CHAIN];
};

struct hyp_virtio_dev;

struct hyp_virtio_backend {
	const char *name;
	uint64_t features; /* device-specific bits (VERSION_1 and
	                    * ACCESS_PLATFORM are added by the transport) */
	uint32_t device_id;
	unsigned nr_queues;
	/* Queues whose buffers the device only fills when it has input:
	 * a notify leaves them on the ring (a console without input must
	 * not hand receive buffers back empty, or the driver re-posts them
	 * at once, forever). */
	uint32_t held_queues;
	unsigned batch_max; /* chains request_batch takes at once */
	/* For a held queue: whether the device has something for the next
	 * chain now (hyp_virtio_process_held stops when it says no). */
	bool (*ready)(struct hyp_virtio_dev *d, unsigned queue);
	/* Config space read (offset from 0x100, size 1/2/4). */
	uint32_t (*config_read)(struct hyp_virtio_dev *d, uint64_t off,
	                        unsigned size);
	/* Handles one request; returns the number of bytes written into the
	 * device-writable buffers (the used ring's len). */
	uint32_t (*request)(struct hyp_virtio_dev *d, unsigned queue,
	                    const struct hyp_virtio_buf *bufs, unsigned n);
	/* Instead of request (optional): up to batch_max chains at once,
	 * in ring order; sets each well-formed chain's written.  For a
	 * device that can run requests in parallel. */
	void (*request_batch)(struct hyp_virtio_dev *d, unsigned queue,
	                      struct hyp_virtio_chain *chains, unsigned n);
	/* Where the transport reads chains to (the device lock serialises
	 * its use): batch_max chains with request_batch, else one. */
	struct hyp_virtio_chain *batch;
	void *ctx;
};

struct hyp_virtio_stats {
	uint64_t requests;      /* chains completed */
	uint64_t bytes_in;      /* bytes read from the guest's buffers */
	uint64_t bytes_out;     /* bytes written into the guest's buffers */
	uint64_t refused;       /* accessor refusals (private granules) */
	uint64_t bad_chains;    /* malformed chains (loops, bad indices) */
	uint64_t interrupts;    /* SPIs set pending */
	uint64_t ring_failures; /* rings the accessor refused: NEEDS_RESET */
};

struct hyp_virtio_dev {
	const struct hyp_virtio_backend *be;
	hyp_guest_t guest;
	_Atomic uint32_t kicks; /* queues notified, not yet processed */
	uint64_t base;
	uint64_t driver_features;
	unsigned spi;
	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel;
	uint32_t queue_sel;
	_Atomic uint32_t interrupt_status;
	uint32_t config_generation;
	atomic_flag lock;
	struct hyp_virtqueue q[HYP_VIRTIO_MAX_QUEUES];
	struct hyp_virtio_stats stats;
};

/* Registers the transport window for dev (dev->be, base and spi set by
 * the caller). */
bool hyp_virtio_register(hyp_guest_t guest, struct hyp_virtio_dev *dev);

/* Completes chains of held queue qi while the backend's ready() says it
 * has input for them (under the device lock); true when it completed
 * any. */
bool hyp_virtio_process_held(struct hyp_virtio_dev *d, unsigned qi);

/* Backends' buffer access: through the accessor, counted; false when the
 * accessor refused (the backend fails the request). */
bool hyp_virtio_read(struct hyp_virtio_dev *d, uint64_t ipa, void *buf,
                     uint32_t len);
bool hyp_virtio_write(struct hyp_virtio_dev *d, uint64_t ipa, const void *buf,
                      uint32_t len);

/* Counts and reports a buffer the trusted side refused (a backend that
 * hands buffers over by IPA). */
void hyp_virtio_refused(struct hyp_virtio_dev *d, const char *what,
                        uint64_t ipa);

/* True when the accessor admits every buffer of the chain as a whole;
 * else counts and reports the first refused one.  For backends that must
 * do all of a request or nothing of it. */
bool hyp_virtio_buffers_ok(struct hyp_virtio_dev *d,
                           const struct hyp_virtio_buf *bufs, unsigned n);

/* Backends (virtio_console.c, virtio_blk.c). */
bool hyp_virtio_console_register(hyp_guest_t guest);
/* image: a disk image in memory (outside guest RAM, mapped at EL2 by the
 * trusted side), size bytes; size 0 registers nothing.  Starts the list
 * of block devices afresh. */
bool hyp_virtio_blk_register(hyp_guest_t guest, void *image, uint64_t size);
/* A block device for vhyp's disk number disk (model.h), at the next
 * window after the ones registered before (HYP_VIRTIO_BLK_BASE + n
 * windows, SPI HYP_VIRTIO_BLK_SPI + n). */
bool hyp_virtio_blk_register_disk(hyp_guest_t guest, unsigned disk);

/* One "vhyp: virtio-...:" line per device with its counters. */
void hyp_virtio_print_stats(void);

#endif /* HYP_DEVICES_VIRTIO_H */
