// SPDX-License-Identifier: MIT
/*
 * vhyp's disks: QEMU virtio-blk devices on virtio-mmio transports that
 * only EL2 reaches (never in a guest's stage 2 or DT), driven by the
 * hypervisor as a virtio driver.  The guest-facing virtio-blk model
 * (virtio_blk.c) hands over a batch of the guest's requests, each a list
 * of guest buffers by IPA; this file checks them and gives the device the
 * guest's own memory to DMA to or from, with no copy:
 *
 *   - every buffer must be memory the host side may touch now (all of a
 *     normal VM's RAM, the SHARED granules of a protected VM:
 *     hyp_host_dma_range, under the VM lock) or its request fails whole,
 *     before anything reaches the device;
 *   - the admitted ranges are held until the device has answered: an
 *     UNSHARE of a held granule waits in host_revoke (hyp_qdisk_quiesce)
 *     for the I/O to end, so no granule turns private under the device's
 *     feet;
 *   - the device's rings, indirect descriptor tables, request headers and
 *     status bytes are in the hypervisor window, which no guest maps: a
 *     guest cannot edit a descriptor after it was checked.
 *
 * A batch is synchronous: up to QSLOTS requests in flight at once on the
 * device (QEMU runs them in parallel), then the notifying vCPU polls the
 * used ring (the device's interrupt is suppressed: the guest owns the
 * GIC).  A device that does not answer within QDISK_TIMEOUT_S is reset,
 * which makes QEMU finish or cancel what it was doing, and then declared
 * broken: every later request fails.
 */
#include "devices.h"

#include <vhyp/virtio_mmio.h>

#include "arch.h"
#include "hyp.h"

#define QSLOTS           HYP_DISK_BATCH_MAX
#define SECTOR           ((uint64_t)VIRTIO_BLK_SECTOR_SIZE)
#define QDISK_TIMEOUT_S  30U
#define TRANSPORT_STRIDE VHYP_BOARD_VIRTIO_STRIDE

/* A request on the device: its header, the data, its status. */
#define SLOT_DESCS (HYP_DISK_SEG_MAX + 2U)

/* Per disk in the DMA area: one page of rings, then a slot per request
 * in flight, each with its indirect descriptor table, header and status
 * byte. */
#define RING_PAGE   4096ULL
#define DESC_OFF    0x000U
#define AVAIL_OFF   0x400U
#define USED_OFF    0x800U
#define SLOT_SIZE   8192U
#define SLOT_HDR    0x1040U
#define SLOT_STATUS 0x1050U
_Static_assert((SLOT_DESCS * VIRTQ_DESC_SIZE) <= SLOT_HDR,
               "indirect table overlaps the header");
_Static_assert(SLOT_STATUS < SLOT_SIZE, "slot too small");
_Static_assert((QSLOTS * VIRTQ_DESC_SIZE) <= AVAIL_OFF, "ring page too small");
#define PER_DISK (RING_PAGE + (uint64_t)QSLOTS * SLOT_SIZE)
_Static_assert((HYP_QDISK_MAX * PER_DISK) <= HYP_QDISK_AREA,
               "HYP_QDISK_AREA too small");

/* A guest range the device may be moving data to or from. */
struct dma_hold {
	uint64_t pa, len;
};

struct qdisk {
	uint64_t regs;    /* transport base (device-mapped at EL2) */
	uint8_t *ring;    /* ring page (in the window) */
	uint8_t *slots;   /* QSLOTS * SLOT_SIZE bytes (in the window) */
	uint64_t sectors; /* capacity */
	bool read_only, flush, broken;
	uint16_t avail_idx;
	atomic_flag lock; /* one batch at a time */
	/* The ranges of the batch in flight.  Written under the VM lock
	 * with holding set before it is dropped; holding is cleared once
	 * the device has answered.  hyp_qdisk_quiesce reads them under the
	 * VM lock, so no new batch can start while it looks. */
	_Atomic bool holding;
	unsigned nr_holds;
	struct dma_hold holds[QSLOTS * HYP_DISK_SEG_MAX];
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

static uint8_t *slot(const struct qdisk *q, unsigned s)
{
	return q->slots + (size_t)s * SLOT_SIZE;
}

/* Brings one transport's virtio-blk device up to DRIVER_OK with queue 0
 * in the DMA area; false when it is not a usable modern virtio-blk with
 * indirect descriptors. */
static bool bring_up(struct qdisk *q)
{
	uint64_t want = 1ULL << VIRTIO_F_VERSION_1 |
	                1ULL << VIRTIO_RING_F_INDIRECT_DESC,
	         have, ring = (uintptr_t)q->ring;

	if (rd(q, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    rd(q, VIRTIO_MMIO_VERSION) != VIRTIO_MMIO_VERSION_MODERN ||
	    rd(q, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return false;
	wr(q, VIRTIO_MMIO_STATUS, 0);
	wr(q, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	have = dev_features(q);
	if ((have & want) != want)
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
	if (rd(q, VIRTIO_MMIO_QUEUE_NUM_MAX) < QSLOTS)
		return false;
	memset(q->ring, 0, RING_PAGE);
	/* The device's interrupt would go to the guest's GIC: off. */
	*(volatile uint16_t *)(void *)(q->ring + AVAIL_OFF) =
	        VIRTQ_AVAIL_F_NO_INTERRUPT;
	wr(q, VIRTIO_MMIO_QUEUE_NUM, QSLOTS);
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
	q->nr_holds = 0;
	atomic_store(&q->holding, false);
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
		q->slots = (uint8_t *)(uintptr_t)(base + RING_PAGE);
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

static void put_desc(uint8_t *table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
	uint8_t *d = table + (size_t)VIRTQ_DESC_SIZE * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/*
 * Builds slot s's request: header (type, sector), the data descriptors
 * already in the slot's table at [1, 1+ndata), the status.  Puts the
 * slot on the available ring (not yet published).
 */
static void slot_submit(struct qdisk *q, unsigned s, uint32_t type,
                        uint64_t sector, unsigned ndata)
{
	uint8_t *sl = slot(q, s), *table = sl;
	uint64_t base = (uintptr_t)sl;
	volatile uint16_t *avail =
	        (volatile uint16_t *)(void *)(q->ring + AVAIL_OFF);
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE] = {0};

	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
	memcpy(sl + SLOT_HDR, hdr, sizeof(hdr));
	sl[SLOT_STATUS] = 0xff;
	put_desc(table, 0, base + SLOT_HDR, VIRTIO_BLK_HDR_SIZE,
	         VIRTQ_DESC_F_NEXT, 1);
	put_desc(table, ndata + 1U, base + SLOT_STATUS, 1, VIRTQ_DESC_F_WRITE,
	         0);
	put_desc(q->ring + DESC_OFF, s, base,
	         (ndata + 2U) * (uint32_t)VIRTQ_DESC_SIZE,
	         VIRTQ_DESC_F_INDIRECT, 0);
	avail[2 + q->avail_idx % QSLOTS] = (uint16_t)s;
	q->avail_idx++;
}

/* The device failed to answer: reset it (QEMU completes or cancels its
 * requests in the reset, so no DMA of theirs is left) and fail the disk. */
static void declare_broken(struct qdisk *q)
{
	q->broken = true;
	wr(q, VIRTIO_MMIO_STATUS, 0);
	vlog("disk %u: no answer in %u s: device reset, its requests "
	     "fail\n",
	     (unsigned)(q - disks), QDISK_TIMEOUT_S);
}

/* Publishes the slots put on the available ring, notifies the device
 * and waits until it has used them all; false on a timeout. */
static bool run_slots(struct qdisk *q)
{
	volatile uint16_t *avail =
	        (volatile uint16_t *)(void *)(q->ring + AVAIL_OFF);
	const volatile uint16_t *used =
	        (const volatile uint16_t *)(void *)(q->ring + USED_OFF);
	uint64_t start, limit;
	uint16_t target = q->avail_idx;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = target;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(q, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	start = arch_read_cntpct();
	limit = arch_read_cntfrq() * QDISK_TIMEOUT_S;
	while (used[1] != target) {
		if (arch_read_cntpct() - start > limit) {
			declare_broken(q);
			return false;
		}
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(q, VIRTIO_MMIO_INTERRUPT_ACK, rd(q, VIRTIO_MMIO_INTERRUPT_STATUS));
	return true;
}

static bool slot_ok(const struct qdisk *q, unsigned s)
{
	return *(volatile uint8_t *)(slot(q, s) + SLOT_STATUS) ==
	       VIRTIO_BLK_S_OK;
}

/* Whether req fits the disk: sector-aligned, in range, not a write to a
 * read-only disk, at most HYP_DISK_SEG_MAX non-empty segments. */
static bool req_fits(const struct qdisk *q, const struct hyp_disk_req *r)
{
	uint64_t total = 0;

	if (r->nseg == 0 || r->nseg > HYP_DISK_SEG_MAX ||
	    (r->write && q->read_only))
		return false;
	for (unsigned i = 0; i < r->nseg; i++) {
		if (r->segs[i].len == 0)
			return false;
		total += r->segs[i].len;
	}
	return total % SECTOR == 0 && r->sector <= q->sectors &&
	       total / SECTOR <= q->sectors - r->sector;
}

/*
 * Under the VM lock: admits each segment of r (hyp_host_dma_range),
 * writes its data descriptors into slot s (merging segments that are
 * contiguous in memory) and records them as held.  False, with nothing
 * held, when one segment is refused.
 */
static bool stage_req(struct qdisk *q, struct vhyp_vm_locked locked, unsigned s,
                      const struct hyp_disk_req *r, unsigned *ndata)
{
	uint8_t *table = slot(q, s);
	uint16_t flags = (uint16_t)(VIRTQ_DESC_F_NEXT |
	                            (r->write ? 0 : VIRTQ_DESC_F_WRITE));
	unsigned first_hold = q->nr_holds, n = 0;
	uint64_t pa, run_pa = 0, run_len = 0;

	for (unsigned i = 0; i < r->nseg; i++) {
		const struct hyp_disk_seg *g = &r->segs[i];

		if (!hyp_host_dma_range(locked, g->ipa, g->len, &pa)) {
			q->nr_holds = first_hold;
			return false;
		}
		if (run_len != 0 && run_pa + run_len == pa &&
		    run_len + g->len <= UINT32_MAX) {
			run_len += g->len;
			continue;
		}
		if (run_len != 0) {
			n++;
			put_desc(table, n, run_pa, (uint32_t)run_len, flags,
			         (uint16_t)(n + 1U));
			q->holds[q->nr_holds++] =
			        (struct dma_hold){run_pa, run_len};
		}
		run_pa = pa;
		run_len = g->len;
	}
	n++;
	put_desc(table, n, run_pa, (uint32_t)run_len, flags,
	         (uint16_t)(n + 1U));
	q->holds[q->nr_holds++] = (struct dma_hold){run_pa, run_len};
	*ndata = n;
	return true;
}

/* Stages every request that fits and is admitted; returns how many
 * slots were filled (slot_of[i]: request i's slot, or QSLOTS for none). */
static unsigned stage_batch(struct qdisk *q, struct vhyp_vm *vm,
                            struct hyp_disk_req *reqs, unsigned n,
                            unsigned *slot_of)
{
	struct vhyp_vm_locked locked = vhyp_vm_lock(vm);
	unsigned used = 0, ndata;

	q->nr_holds = 0;
	for (unsigned i = 0; i < n; i++) {
		slot_of[i] = QSLOTS;
		if (!req_fits(q, &reqs[i]))
			continue; /* HYP_DISK_EIO */
		if (!stage_req(q, locked, used, &reqs[i], &ndata)) {
			reqs[i].status = HYP_DISK_REFUSED;
			continue;
		}
		slot_submit(q, used,
		            reqs[i].write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
		            reqs[i].sector, ndata);
		slot_of[i] = used++;
	}
	/* Seen by any UNSHARE that takes the VM lock after this. */
	if (used != 0)
		atomic_store_explicit(&q->holding, true, memory_order_relaxed);
	vhyp_vm_unlock(&locked);
	return used;
}

void hyp_disk_rw(hyp_guest_t guest, unsigned disk, struct hyp_disk_req *reqs,
                 unsigned n)
{
	struct vhyp_vm *vm = hyp_guest_vm(guest);
	unsigned slot_of[QSLOTS];
	struct qdisk *q;
	bool done;

	for (unsigned i = 0; i < n; i++)
		reqs[i].status = HYP_DISK_EIO;
	if (vm == NULL || disk >= nr_disks || n > QSLOTS)
		return;
	q = &disks[disk];
	qlock(q);
	if (q->broken || stage_batch(q, vm, reqs, n, slot_of) == 0) {
		qunlock(q);
		return;
	}
	done = run_slots(q);
	/* The device has answered (or been reset): the ranges are free. */
	atomic_store_explicit(&q->holding, false, memory_order_release);
	for (unsigned i = 0; i < n; i++)
		if (slot_of[i] < QSLOTS && done && slot_ok(q, slot_of[i]))
			reqs[i].status = HYP_DISK_OK;
	qunlock(q);
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
	ok = false;
	if (!q->broken) {
		slot_submit(q, 0, VIRTIO_BLK_T_FLUSH, 0, 0);
		ok = run_slots(q) && slot_ok(q, 0);
	}
	qunlock(q);
	return ok;
}

static bool overlaps(const struct dma_hold *h, uint64_t pa, uint64_t len)
{
	return h->pa < pa + len && pa < h->pa + h->len;
}

static bool disk_holds(const struct qdisk *q, uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < q->nr_holds; i++)
		if (overlaps(&q->holds[i], pa, len))
			return true;
	return false;
}

/* Under the VM lock, from host_revoke: no batch can start meanwhile (it
 * stages under that lock), and the one in flight ends without it. */
void hyp_qdisk_quiesce(uint64_t pa, uint64_t len)
{
	for (unsigned d = 0; d < nr_disks; d++) {
		struct qdisk *q = &disks[d];

		if (!atomic_load_explicit(&q->holding, memory_order_acquire) ||
		    !disk_holds(q, pa, len))
			continue;
		while (atomic_load_explicit(&q->holding, memory_order_acquire))
			;
	}
}
