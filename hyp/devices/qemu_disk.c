// SPDX-License-Identifier: MIT
/*
 * vhyp's disks: QEMU virtio-blk devices on virtio-mmio transports that
 * only EL2 reaches (never in a guest's stage 2 or DT), driven by the
 * hypervisor as a virtio driver.  The guest-facing virtio-blk model
 * (virtio_blk.c) forwards each request here with a buffer of its own;
 * this file copies it through a bounce buffer in the hypervisor window.
 * The device's rings and bounce buffers are in the window too, so QEMU's
 * DMA targets hypervisor memory only, never a guest's.
 *
 * Requests are synchronous: one at a time per disk, under its lock,
 * completion polled on the used ring (the device's interrupt is
 * suppressed: the guest owns the GIC).  A device that does not answer
 * within QDISK_TIMEOUT_S is declared broken and fails every request.
 */
#include "devices.h"

#include <vhyp/virtio_mmio.h>

#include "arch.h"
#include "hyp.h"

#define QNUM             4U
#define SECTOR           ((uint64_t)VIRTIO_BLK_SECTOR_SIZE)
#define QDISK_TIMEOUT_S  30U
#define TRANSPORT_STRIDE VHYP_BOARD_VIRTIO_STRIDE

/* Per disk in the DMA area: one page of rings and request header, then
 * the bounce buffer. */
#define RING_PAGE 4096ULL
#define DESC_OFF  0x000U
#define AVAIL_OFF 0x400U
#define USED_OFF  0x800U
#define HDR_OFF   0xc00U
#define STAT_OFF  0xc10U
#define PER_DISK  (RING_PAGE + HYP_QDISK_BOUNCE)

struct qdisk {
	uint64_t regs;    /* transport base (device-mapped at EL2) */
	uint8_t *ring;    /* ring page (in the window) */
	uint8_t *bounce;  /* HYP_QDISK_BOUNCE bytes (in the window) */
	uint64_t sectors; /* capacity */
	bool read_only, flush, broken;
	uint16_t avail_idx;
	atomic_flag lock;
};

static struct qdisk disks[HYP_QDISK_MAX];
static unsigned nr_disks;

static uint32_t rd(const struct qdisk *q, unsigned r)
{
	return *(volatile uint32_t *)(uintptr_t)(q->regs + r);
}

static void wr(const struct qdisk *q, unsigned r, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(q->regs + r) = v;
}

static void wr64(const struct qdisk *q, unsigned lo, uint64_t v)
{
	wr(q, lo, (uint32_t)v);
	wr(q, lo + 4U, (uint32_t)(v >> 32));
}

static uint64_t dev_features(const struct qdisk *q)
{
	uint64_t f;

	wr(q, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)rd(q, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(q, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | rd(q, VIRTIO_MMIO_DEVICE_FEATURES);
}

/* Brings one transport's virtio-blk device up to DRIVER_OK with queue 0
 * in the DMA area; false when it is not a usable modern virtio-blk. */
static bool bring_up(struct qdisk *q)
{
	uint64_t want = 1ULL << VIRTIO_F_VERSION_1, have,
	         ring = (uintptr_t)q->ring;

	if (rd(q, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    rd(q, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN ||
	    rd(q, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return false;
	wr(q, VIRTIO_MMIO_STATUS, 0);
	wr(q, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	have = dev_features(q);
	if (!(have & want))
		return false;
	want |= have &
	        ((1ULL << VIRTIO_BLK_F_RO) | (1ULL << VIRTIO_BLK_F_FLUSH));
	wr(q, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(q, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(q, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(q, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	wr(q, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	           VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(q, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return false;
	wr(q, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd(q, VIRTIO_MMIO_QUEUE_NUM_MAX) < QNUM)
		return false;
	memset(q->ring, 0, RING_PAGE);
	/* The device's interrupt would go to the guest's GIC: off. */
	*(volatile uint16_t *)(void *)(q->ring + AVAIL_OFF) =
	        VIRTQ_AVAIL_F_NO_INTERRUPT;
	wr(q, VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(q, VIRTIO_MMIO_QUEUE_DESC_LOW, ring + DESC_OFF);
	wr64(q, VIRTIO_MMIO_QUEUE_DRIVER_LOW, ring + AVAIL_OFF);
	wr64(q, VIRTIO_MMIO_QUEUE_DEVICE_LOW, ring + USED_OFF);
	wr(q, VIRTIO_MMIO_QUEUE_READY, 1);
	wr(q, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	           VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	q->sectors = rd(q, VIRTIO_MMIO_CONFIG) |
	             (uint64_t)rd(q, VIRTIO_MMIO_CONFIG + 4U) << 32;
	q->read_only = (want >> VIRTIO_BLK_F_RO) & 1U;
	q->flush = (want >> VIRTIO_BLK_F_FLUSH) & 1U;
	q->avail_idx = 0;
	atomic_flag_clear(&q->lock);
	return true;
}

unsigned hyp_qdisk_init(uint64_t transports, uint64_t size, uint64_t area,
                        uint64_t area_size, unsigned wanted)
{
	uint64_t t;

	nr_disks = 0;
	if (size < TRANSPORT_STRIDE || wanted == 0)
		return 0;
	if (wanted > HYP_QDISK_MAX)
		wanted = HYP_QDISK_MAX;
	/* QEMU gives the first -device the highest transport address. */
	for (t = transports + size - TRANSPORT_STRIDE;
	     nr_disks < wanted &&
	     (uint64_t)nr_disks * PER_DISK + PER_DISK <= area_size;
	     t -= TRANSPORT_STRIDE) {
		struct qdisk *q = &disks[nr_disks];
		uint64_t base = area + (uint64_t)nr_disks * PER_DISK;

		q->regs = t;
		q->ring = (uint8_t *)(uintptr_t)base;
		q->bounce = (uint8_t *)(uintptr_t)(base + RING_PAGE);
		q->broken = false;
		if (bring_up(q)) {
			vlog("disk %u: QEMU virtio-blk at 0x%llx, %llu "
			     "sectors%s\n",
			     nr_disks, (unsigned long long)t,
			     (unsigned long long)q->sectors,
			     q->read_only ? ", read-only" : "");
			nr_disks++;
		}
		if (t == transports)
			break;
	}
	if (nr_disks < wanted)
		vlog("warning: %u disks asked for, %u found\n", wanted,
		     nr_disks);
	return nr_disks;
}

unsigned hyp_qdisk_count(void)
{
	return nr_disks;
}

bool hyp_disk_info(unsigned disk, uint64_t *sectors, bool *read_only)
{
	if (disk >= nr_disks)
		return false;
	*sectors = disks[disk].sectors;
	*read_only = disks[disk].read_only;
	return true;
}

static void qlock(struct qdisk *q)
{
	while (atomic_flag_test_and_set_explicit(&q->lock,
	                                         memory_order_acquire))
		;
}

static void qunlock(struct qdisk *q)
{
	atomic_flag_clear_explicit(&q->lock, memory_order_release);
}

static void put_desc(struct qdisk *q, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
	uint8_t *d = q->ring + DESC_OFF + (size_t)VIRTQ_DESC_SIZE * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* One request of type with len bytes of the bounce buffer (0: none);
 * true when the device completed it with status OK. */
static bool submit(struct qdisk *q, uint32_t type, uint64_t sector,
                   uint32_t len, bool device_writes)
{
	volatile uint16_t *avail =
	        (volatile uint16_t *)(void *)(q->ring + AVAIL_OFF);
	const volatile uint16_t *used =
	        (const volatile uint16_t *)(void *)(q->ring + USED_OFF);
	volatile uint8_t *status = q->ring + STAT_OFF;
	uint64_t ring = (uintptr_t)q->ring, start, limit;
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE] = {0};
	uint16_t target;

	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
	memcpy(q->ring + HDR_OFF, hdr, sizeof(hdr));
	*status = 0xff;
	if (len) {
		put_desc(q, 0, ring + HDR_OFF, VIRTIO_BLK_HDR_SIZE,
		         VIRTQ_DESC_F_NEXT, 1);
		put_desc(q, 1, (uintptr_t)q->bounce, len,
		         (uint16_t)(VIRTQ_DESC_F_NEXT |
		                    (device_writes ? VIRTQ_DESC_F_WRITE : 0)),
		         2);
		put_desc(q, 2, ring + STAT_OFF, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		put_desc(q, 0, ring + HDR_OFF, VIRTIO_BLK_HDR_SIZE,
		         VIRTQ_DESC_F_NEXT, 2);
		put_desc(q, 2, ring + STAT_OFF, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	avail[2 + q->avail_idx % QNUM] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	target = ++q->avail_idx;
	avail[1] = target;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(q, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	start = arch_read_cntpct();
	limit = arch_read_cntfrq() * QDISK_TIMEOUT_S;
	while (used[1] != target) {
		if (arch_read_cntpct() - start > limit) {
			q->broken = true;
			vlog("disk %u: no answer in %u s: failing its "
			     "requests\n",
			     (unsigned)(q - disks), QDISK_TIMEOUT_S);
			return false;
		}
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(q, VIRTIO_MMIO_INTERRUPT_ACK, rd(q, VIRTIO_MMIO_INTERRUPT_STATUS));
	return *status == 0;
}

bool hyp_disk_io(unsigned disk, bool write, uint64_t sector, void *buf,
                 uint32_t len)
{
	struct qdisk *q = &disks[disk < nr_disks ? disk : 0];
	bool ok = true;

	/* buf is the model's own memory, never guest RAM (that goes through
	 * the accessor). */
	if (!hyp_host_buf_ok(&g_hyp.vm, buf, len))
		return false;
	if (disk >= nr_disks || len % SECTOR || len > HYP_QDISK_BOUNCE ||
	    sector > q->sectors || len / SECTOR > q->sectors - sector ||
	    (write && q->read_only))
		return false;
	qlock(q);
	if (q->broken)
		ok = false;
	else if (write) {
		memcpy(q->bounce, buf, len);
		ok = submit(q, VIRTIO_BLK_T_OUT, sector, len, false);
	} else {
		ok = submit(q, VIRTIO_BLK_T_IN, sector, len, true);
		if (ok)
			memcpy(buf, q->bounce, len);
	}
	qunlock(q);
	return ok;
}

bool hyp_disk_flush(unsigned disk)
{
	struct qdisk *q = &disks[disk < nr_disks ? disk : 0];
	bool ok;

	if (disk >= nr_disks)
		return false;
	if (!q->flush)
		return true;
	qlock(q);
	ok = !q->broken && submit(q, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	qunlock(q);
	return ok;
}
