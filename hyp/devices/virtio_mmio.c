// SPDX-License-Identifier: MIT
/*
 * The virtio-mmio transport (virtio 1.x, "Version 2" register layout) of
 * vhyp's own virtio devices, and its split-virtqueue engine.  A device
 * model (model.h): it sees guest memory only through the accessor.
 *
 * A queue is processed synchronously when the guest writes QueueNotify, on
 * the notifying vCPU.  Rings and buffers are reached only through the
 * accessor (hyp_guest_read/hyp_guest_write), one field at a time: the guest
 * can UNSHARE a page at any moment, and each access is checked on its own.
 *   - a buffer the accessor refuses fails its request (the backend sees
 *     false from hyp_virtio_read/write) and is counted and reported;
 *   - a ring the accessor refuses stops the queue: the device sets
 *     DEVICE_NEEDS_RESET and raises a configuration-change interrupt.
 * Malformed chains (an index out of range, a loop, an indirect descriptor,
 * which we do not offer) are completed with length 0 and counted.
 *
 * Interrupts: each device has a reserved SPI, edge-triggered in the
 * guest's DTB, which the device asks the trusted side to set pending
 * (hyp_model_raise_spi) after it has updated InterruptStatus and the used
 * ring.
 */
#include "virtio.h"

#define VIRTIO_MMIO_VENDOR 0x70796876U /* "vhyp" */

/* Transport features every device offers: virtio 1.x, and DMA through
 * the platform's DMA API (so a protected guest bounces through the memory
 * it has shared). */
#define TRANSPORT_FEATURES                                                     \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_ACCESS_PLATFORM))

#define MAX_DEVICES 6U
static struct hyp_virtio_dev *registered[MAX_DEVICES];
static unsigned nr_registered;

/* Stray accesses are reported a few times, then only counted. */
#define REPORT_LIMIT 8U
static _Atomic unsigned reports;

static void report(const struct hyp_virtio_dev *d, const char *what,
                   uint64_t ipa)
{
	unsigned n = atomic_fetch_add(&reports, 1U);

	if (n < REPORT_LIMIT)
		vlog("virtio-%s: %s at guest IPA 0x%llx: refused by the "
		     "accessor, not followed\n",
		     d->be->name, what, (unsigned long long)ipa);
	else if (n == REPORT_LIMIT)
		vlog("virtio: further refused accesses are counted, not "
		     "logged\n");
}

static void dev_lock(struct hyp_virtio_dev *d)
{
	while (atomic_flag_test_and_set_explicit(&d->lock,
	                                         memory_order_acquire))
		;
}

static bool dev_trylock(struct hyp_virtio_dev *d)
{
	return !atomic_flag_test_and_set(&d->lock);
}

static void process_kicks(struct hyp_virtio_dev *d);

/*
 * Queue notifications never wait for the lock (notify()): one that finds
 * it taken leaves its queue in kicks for the holder.  So every holder,
 * whatever it took the lock for, looks at kicks after letting go; both
 * sides use sequentially consistent operations (store kicks, then test
 * the lock; clear the lock, then load kicks), so at least one of them
 * sees the other and no notification is lost.
 */
static void dev_unlock(struct hyp_virtio_dev *d)
{
	atomic_flag_clear(&d->lock);
	process_kicks(d);
}

bool hyp_virtio_read(struct hyp_virtio_dev *d, uint64_t ipa, void *buf,
                     uint32_t len)
{
	if (hyp_guest_read(d->guest, ipa, buf, len) != HYP_HOST_OK) {
		d->stats.refused++;
		report(d, "buffer read", ipa);
		return false;
	}
	d->stats.bytes_in += len;
	return true;
}

bool hyp_virtio_write(struct hyp_virtio_dev *d, uint64_t ipa, const void *buf,
                      uint32_t len)
{
	if (hyp_guest_write(d->guest, ipa, buf, len) != HYP_HOST_OK) {
		d->stats.refused++;
		report(d, "buffer write", ipa);
		return false;
	}
	d->stats.bytes_out += len;
	return true;
}

void hyp_virtio_refused(struct hyp_virtio_dev *d, const char *what,
                        uint64_t ipa)
{
	d->stats.refused++;
	report(d, what, ipa);
}

bool hyp_virtio_buffers_ok(struct hyp_virtio_dev *d,
                           const struct hyp_virtio_buf *bufs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!hyp_guest_may_access(d->guest, bufs[i].addr,
		                          bufs[i].len)) {
			d->stats.refused++;
			report(d, "buffer", bufs[i].addr);
			return false;
		}
	return true;
}

/* Ring accesses: a refusal is counted and reported like a buffer's. */
static bool ring_read(struct hyp_virtio_dev *d, uint64_t ipa, void *buf,
                      uint32_t len)
{
	if (hyp_guest_read(d->guest, ipa, buf, len) == HYP_HOST_OK)
		return true;
	d->stats.refused++;
	report(d, "ring read", ipa);
	return false;
}

static bool ring_write(struct hyp_virtio_dev *d, uint64_t ipa, const void *buf,
                       uint32_t len)
{
	if (hyp_guest_write(d->guest, ipa, buf, len) == HYP_HOST_OK)
		return true;
	d->stats.refused++;
	report(d, "ring write", ipa);
	return false;
}

static void raise_interrupt(struct hyp_virtio_dev *d, uint32_t why)
{
	atomic_fetch_or(&d->interrupt_status, why);
	d->stats.interrupts++;
	/* The used ring and InterruptStatus are visible before the SPI. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hyp_model_raise_spi(d->guest, d->spi);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

enum chain_result { CHAIN_OK, CHAIN_BAD, CHAIN_RING_REFUSED };

/*
 * Descriptors are read a window at a time: one accessor call for up to
 * DESC_WINDOW of them (drivers lay chains out in order, and an indirect
 * table always is).  A window the accessor refuses, say one that runs
 * into a granule the guest has not shared, is retried one descriptor
 * at a time, so only the descriptor itself decides.
 */
#define DESC_WINDOW 16U

struct desc_reader {
	uint64_t table;  /* IPA of descriptor 0 */
	uint32_t count;  /* descriptors in the table */
	uint32_t first;  /* index of raw[0] */
	uint32_t cached; /* descriptors in raw */
	uint8_t raw[DESC_WINDOW * VIRTQ_DESC_SIZE];
};

static void reader_init(struct desc_reader *r, uint64_t table, uint32_t count)
{
	r->table = table;
	r->count = count;
	r->first = 0;
	r->cached = 0;
}

/* Descriptor i (< r->count), or NULL when the accessor refused it. */
static const uint8_t *desc_at(struct hyp_virtio_dev *d, struct desc_reader *r,
                              uint32_t i)
{
	uint32_t want = r->count - i < DESC_WINDOW ? r->count - i : DESC_WINDOW;

	if (i - r->first < r->cached && i >= r->first)
		return r->raw + (size_t)VIRTQ_DESC_SIZE * (i - r->first);
	r->first = i;
	if (hyp_guest_read(d->guest, r->table + (uint64_t)VIRTQ_DESC_SIZE * i,
	                   r->raw,
	                   (size_t)VIRTQ_DESC_SIZE * want) == HYP_HOST_OK) {
		r->cached = want;
		return r->raw;
	}
	r->cached = 0;
	if (!ring_read(d, r->table + (uint64_t)VIRTQ_DESC_SIZE * i, r->raw,
	               VIRTQ_DESC_SIZE))
		return NULL;
	r->cached = 1;
	return r->raw;
}

static bool indirect_negotiated(const struct hyp_virtio_dev *d)
{
	return (d->driver_features >> VIRTIO_RING_F_INDIRECT_DESC) & 1U;
}

/*
 * Collects the descriptor chain starting at head into bufs.  With
 * VIRTIO_RING_F_INDIRECT_DESC negotiated, a descriptor may instead name
 * a table of descriptors in guest memory (virtio 1.1, 2.6.5.3): it ends
 * the ring part of the chain (no NEXT), the table holds whole
 * descriptors, none of them indirect again, and the chain goes on at
 * the table's entry 0.
 */
static enum chain_result read_chain(struct hyp_virtio_dev *d,
                                    const struct hyp_virtqueue *q,
                                    uint16_t head, struct hyp_virtio_buf *bufs,
                                    unsigned *n)
{
	struct desc_reader r;
	uint32_t i = head, steps = 0;
	bool in_table = false;

	reader_init(&r, q->desc, q->num);
	*n = 0;
	for (;;) {
		const uint8_t *raw;
		uint16_t flags;
		uint32_t len;

		/* out of range, too long, or a loop */
		if (i >= r.count || *n == HYP_VIRTIO_MAX_CHAIN ||
		    steps++ >= r.count)
			return CHAIN_BAD;
		raw = desc_at(d, &r, i);
		if (raw == NULL)
			return CHAIN_RING_REFUSED;
		flags = le16(raw + 12);
		len = le32(raw + 8);
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			if (!indirect_negotiated(d) || in_table ||
			    (flags & VIRTQ_DESC_F_NEXT) || len == 0 ||
			    len % VIRTQ_DESC_SIZE != 0 ||
			    len / VIRTQ_DESC_SIZE > HYP_VIRTIO_MAX_CHAIN)
				return CHAIN_BAD;
			reader_init(&r, le64(raw), len / VIRTQ_DESC_SIZE);
			in_table = true;
			i = 0;
			steps = 0;
			continue;
		}
		bufs[*n].addr = le64(raw);
		bufs[*n].len = len;
		bufs[*n].device_writes = (flags & VIRTQ_DESC_F_WRITE) != 0;
		(*n)++;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return CHAIN_OK;
		i = le16(raw + 14);
	}
}

static void ring_failed(struct hyp_virtio_dev *d)
{
	d->stats.ring_failures++;
	d->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	raise_interrupt(d, VIRTIO_MMIO_INT_CONFIG_CHANGE);
}

/* Reads avail ring entry pos and the chain it names into c; false when
 * the ring itself was refused (the queue is then stopped). */
static bool take_chain(struct hyp_virtio_dev *d, const struct hyp_virtqueue *q,
                       uint16_t pos, struct hyp_virtio_chain *c)
{
	uint8_t raw[2];
	enum chain_result r;

	if (!ring_read(d, q->avail + 4U + 2ULL * (pos % q->num), raw, 2)) {
		ring_failed(d);
		return false;
	}
	c->head = le16(raw);
	c->written = 0;
	r = read_chain(d, q, c->head, c->bufs, &c->n);
	if (r == CHAIN_RING_REFUSED) {
		ring_failed(d);
		return false;
	}
	c->ok = r == CHAIN_OK;
	if (!c->ok)
		d->stats.bad_chains++;
	return true;
}

/* Writes the used ring element of chain c (not yet published). */
static bool put_used(struct hyp_virtio_dev *d, struct hyp_virtqueue *q,
                     const struct hyp_virtio_chain *c)
{
	uint8_t raw[8];

	/* used element: id (le32), len (le32) */
	for (unsigned b = 0; b < 4; b++) {
		raw[b] = (uint8_t)(c->head >> (8 * b));
		raw[4 + b] = (uint8_t)(c->written >> (8 * b));
	}
	if (!ring_write(d, q->used + 4U + 8ULL * (q->used_idx % q->num), raw,
	                8)) {
		ring_failed(d);
		return false;
	}
	q->used_idx++;
	q->last_avail++;
	d->stats.requests++;
	return true;
}

static bool publish_used(struct hyp_virtio_dev *d, struct hyp_virtqueue *q)
{
	uint8_t raw[2] = {(uint8_t)q->used_idx, (uint8_t)(q->used_idx >> 8)};

	/* The elements are visible before the index that publishes them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (!ring_write(d, q->used + 2U, raw, 2)) {
		ring_failed(d);
		return false;
	}
	return true;
}

/* Hands chains to the backend: one by one through request(), or up to
 * batch_max at once through request_batch(). */
static void handle_chains(struct hyp_virtio_dev *d, unsigned qi,
                          struct hyp_virtio_chain *c, unsigned n)
{
	if (d->be->request_batch != NULL) {
		d->be->request_batch(d, qi, c, n);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (c[i].ok)
			c[i].written = d->be->request(d, qi, c[i].bufs, c[i].n);
}

/* Takes every available chain of queue qi, hands it to the backend and
 * returns it on the used ring.  True when at least one chain was used. */
static bool process_queue(struct hyp_virtio_dev *d, unsigned qi)
{
	struct hyp_virtqueue *q = &d->q[qi];
	struct hyp_virtio_chain *batch = d->be->batch;
	unsigned batch_max =
	        d->be->request_batch != NULL ? d->be->batch_max : 1U;
	bool used_any = false;
	uint8_t raw[4];
	uint16_t avail_idx, avail_flags;

	if (!q->ready || (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
		return false;
	if (!ring_read(d, q->avail, raw, 4)) {
		ring_failed(d);
		return false;
	}
	avail_idx = le16(raw + 2);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* A driver can never have more than num chains outstanding: an
	 * index further ahead is a broken (or hostile) driver. */
	if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
		d->stats.bad_chains++;
		ring_failed(d);
		return false;
	}
	while (q->last_avail != avail_idx) {
		unsigned n = 0;

		/* A held queue: only as many chains as there is input for. */
		if ((d->be->held_queues & (1U << qi)) &&
		    (d->be->ready == NULL || !d->be->ready(d, qi)))
			break;
		while (n < batch_max &&
		       (uint16_t)(q->last_avail + n) != avail_idx) {
			if (!take_chain(d, q, (uint16_t)(q->last_avail + n),
			                &batch[n]))
				return false;
			n++;
		}
		handle_chains(d, qi, batch, n);
		for (unsigned i = 0; i < n; i++)
			if (!put_used(d, q, &batch[i]))
				return false;
		if (!publish_used(d, q))
			return false;
		used_any = true;
	}
	if (!used_any)
		return false;
	/* The driver's flag as it is now, read after the used index is
	 * published (virtio 1.1, 2.7.7.2): a driver on another vCPU may have
	 * re-enabled interrupts while these chains were processed, found no
	 * new used entry yet, and gone to sleep.  With the flag read before
	 * the loop, that completion never raised an interrupt and the
	 * driver waited forever (bench/disk.sh: a protected VM with 2 vCPUs
	 * hung in its first 256 MiB dd about every other run). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!ring_read(d, q->avail, raw, 2)) {
		ring_failed(d);
		return false;
	}
	avail_flags = le16(raw);
	if (!(avail_flags & VIRTQ_AVAIL_F_NO_INTERRUPT))
		raise_interrupt(d, VIRTIO_MMIO_INT_USED_BUFFER);
	return used_any;
}

bool hyp_virtio_process_held(struct hyp_virtio_dev *d, unsigned qi)
{
	bool done;

	if (qi >= d->be->nr_queues || !(d->be->held_queues & (1U << qi)))
		return false;
	dev_lock(d);
	done = process_queue(d, qi);
	dev_unlock(d);
	return done;
}

static void reset_device(struct hyp_virtio_dev *d)
{
	d->status = 0;
	d->dev_features_sel = 0;
	d->drv_features_sel = 0;
	d->driver_features = 0;
	d->queue_sel = 0;
	atomic_store(&d->interrupt_status, 0U);
	atomic_store(&d->kicks, 0U);
	for (unsigned i = 0; i < HYP_VIRTIO_MAX_QUEUES; i++)
		d->q[i] = (struct hyp_virtqueue){0};
}

static uint64_t offered_features(const struct hyp_virtio_dev *d)
{
	return d->be->features | TRANSPORT_FEATURES;
}

static struct hyp_virtqueue *selected_queue(struct hyp_virtio_dev *d)
{
	return d->queue_sel < d->be->nr_queues ? &d->q[d->queue_sel] : NULL;
}

static uint64_t queue_reg_read(struct hyp_virtio_dev *d, uint64_t off)
{
	const struct hyp_virtqueue *q = selected_queue(d);

	if (q == NULL)
		return 0;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return HYP_VIRTIO_QUEUE_MAX;
	case VIRTIO_MMIO_QUEUE_NUM:
		return q->num;
	case VIRTIO_MMIO_QUEUE_READY:
		return q->ready;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return (uint32_t)q->desc;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return q->desc >> 32;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		return (uint32_t)q->avail;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		return q->avail >> 32;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		return (uint32_t)q->used;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		return q->used >> 32;
	default:
		return 0;
	}
}

static uint64_t virtio_mmio_read(void *ctx, unsigned cpu, uint64_t off,
                                 unsigned size)
{
	struct hyp_virtio_dev *d = ctx;
	uint64_t v = 0;

	(void)cpu;
	if (off >= VIRTIO_MMIO_CONFIG)
		return d->be->config_read
		               ? d->be->config_read(d, off - VIRTIO_MMIO_CONFIG,
		                                    size)
		               : 0;
	if (size != 4 || (off & 3U))
		return 0; /* registers are 32-bit */
	/* Without the lock: an interrupt handler on one vCPU does not wait
	 * for a disk batch another vCPU is running under it. */
	if (off == VIRTIO_MMIO_INTERRUPT_STATUS)
		return atomic_load(&d->interrupt_status);
	dev_lock(d);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		v = VIRTIO_MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		v = VIRTIO_MMIO_VERSION_MODERN;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		v = d->be->device_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		v = VIRTIO_MMIO_VENDOR;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		v = d->dev_features_sel == 0
		            ? (uint32_t)offered_features(d)
		            : (d->dev_features_sel == 1
		                       ? (uint32_t)(offered_features(d) >> 32)
		                       : 0);
		break;
	case VIRTIO_MMIO_STATUS:
		v = d->status;
		break;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		v = 0xFFFFFFFFU; /* no shared memory regions */
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		v = d->config_generation;
		break;
	default:
		v = queue_reg_read(d, off);
		break;
	}
	dev_unlock(d);
	return v;
}

static void set_addr(uint64_t *a, bool high, uint32_t v)
{
	*a = high ? (*a & 0xFFFFFFFFULL) | (uint64_t)v << 32
	          : (*a & ~0xFFFFFFFFULL) | v;
}

static void queue_reg_write(struct hyp_virtio_dev *d, uint64_t off, uint32_t v)
{
	struct hyp_virtqueue *q = selected_queue(d);

	if (q == NULL)
		return;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		/* A power of two up to the maximum, else the queue stays
		 * unusable (num 0). */
		q->num = (v != 0 && v <= HYP_VIRTIO_QUEUE_MAX &&
		          (v & (v - 1U)) == 0)
		                 ? v
		                 : 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		q->ready = v == 1U && q->num != 0;
		if (!q->ready) {
			q->last_avail = 0;
			q->used_idx = 0;
		}
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_addr(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		set_addr(&q->avail, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		set_addr(&q->used, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
		break;
	default:
		break;
	}
}

static void write_status(struct hyp_virtio_dev *d, uint32_t v)
{
	uint64_t need = TRANSPORT_FEATURES;

	if (v == 0) {
		reset_device(d);
		return;
	}
	/* FEATURES_OK sticks only for a subset of what we offer that
	 * includes VERSION_1 and ACCESS_PLATFORM: a driver that would put
	 * guest-physical addresses of private memory on the rings is
	 * refused here rather than at every request. */
	if ((v & VIRTIO_STATUS_FEATURES_OK) &&
	    ((d->driver_features & ~offered_features(d)) != 0 ||
	     (d->driver_features & need) != need))
		v &= ~VIRTIO_STATUS_FEATURES_OK;
	d->status = v | (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

/*
 * QueueNotify: the queue is marked kicked, and whoever holds the device
 * lock processes it.  A vCPU that finds the lock taken (another vCPU is
 * running a disk batch, say) returns at once: the holder looks at the
 * kicks again before it lets go.  A held queue completes only chains it
 * has input for.
 */
static void process_kicks(struct hyp_virtio_dev *d)
{
	while (atomic_load(&d->kicks) != 0 && dev_trylock(d)) {
		uint32_t kicked = atomic_exchange(&d->kicks, 0U);

		for (unsigned i = 0; i < d->be->nr_queues; i++)
			if (kicked & (1U << i))
				process_queue(d, i);
		atomic_flag_clear(&d->lock);
	}
}

static void notify(struct hyp_virtio_dev *d, unsigned qi)
{
	atomic_fetch_or(&d->kicks, 1U << qi);
	process_kicks(d);
}

static void virtio_mmio_write(void *ctx, unsigned cpu, uint64_t off,
                              unsigned size, uint64_t val)
{
	struct hyp_virtio_dev *d = ctx;
	uint32_t v = (uint32_t)val;

	(void)cpu;
	if (off >= VIRTIO_MMIO_CONFIG || size != 4 || (off & 3U))
		return; /* config space is read-only here */
	switch (off) {  /* the two registers that need no lock */
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v < d->be->nr_queues)
			notify(d, v);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		atomic_fetch_and(&d->interrupt_status, ~v);
		return;
	default:
		break;
	}
	dev_lock(d);
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		d->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->drv_features_sel < 2)
			set_addr(&d->driver_features, d->drv_features_sel == 1,
			         v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		d->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->queue_sel = v;
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(d, v);
		break;
	default:
		queue_reg_write(d, off, v);
		break;
	}
	dev_unlock(d);
}

bool hyp_virtio_register(hyp_guest_t guest, struct hyp_virtio_dev *dev)
{
	struct hyp_mmio_device mmio = {
	        .name = dev->be->name,
	        .base = dev->base,
	        .size = HYP_VIRTIO_WINDOW_SIZE,
	        .read = virtio_mmio_read,
	        .write = virtio_mmio_write,
	        .ctx = dev,
	};

	if (dev->be->nr_queues > HYP_VIRTIO_MAX_QUEUES)
		return false;
	dev->guest = guest;
	atomic_flag_clear(&dev->lock);
	reset_device(dev);
	dev->stats = (struct hyp_virtio_stats){0};
	if (!hyp_model_mmio_register(guest, &mmio))
		return false;
	for (unsigned i = 0; i < nr_registered; i++)
		if (registered[i] == dev)
			return true; /* registered again (host tests) */
	if (nr_registered < MAX_DEVICES)
		registered[nr_registered++] = dev;
	return true;
}

void hyp_virtio_print_stats(void)
{
	for (unsigned i = 0; i < nr_registered; i++) {
		const struct hyp_virtio_dev *d = registered[i];
		const struct hyp_virtio_stats *s = &d->stats;

		vlog("virtio-%s: requests=%llu bytes_in=%llu bytes_out=%llu "
		     "refused=%llu bad_chains=%llu ring_failures=%llu "
		     "interrupts=%llu\n",
		     d->be->name, (unsigned long long)s->requests,
		     (unsigned long long)s->bytes_in,
		     (unsigned long long)s->bytes_out,
		     (unsigned long long)s->refused,
		     (unsigned long long)s->bad_chains,
		     (unsigned long long)s->ring_failures,
		     (unsigned long long)s->interrupts);
	}
}
