// SPDX-License-Identifier: MIT
/*
 * virtio-blk backend (device ID 2, one request queue) over one of two
 * kinds of disk:
 *   - vhyp's disks (`--disk`, model.h): reads and writes are handed to the
 *     trusted side a batch at a time (hyp_disk_rw), as lists of guest
 *     buffers by IPA; the device moves the data in place once the trusted
 *     side has admitted every buffer, and a refused buffer fails its
 *     request whole (VIRTIO_BLK_S_IOERR) before anything reaches the disk;
 *   - an image in memory outside guest RAM (vhyp.disk=/vhyp.disk_size= on
 *     the hypervisor command line; the trusted side maps it and hands the
 *     model a pointer): data moves through the accessor, writes change
 *     that copy only.
 *
 * A request is a header (type, ioprio, sector), data buffers, and a
 * one-byte status the device writes.
 */
#include "virtio.h"

/* Data segments a request may have: the chain limit minus the header
 * and the status.  Offered as seg_max: without it Linux sends one
 * segment a request, which for O_DIRECT I/O is one 4 KiB page. */
#define BLK_SEG_MAX (HYP_VIRTIO_MAX_CHAIN - 2U)
#define SECTOR      ((uint64_t)VIRTIO_BLK_SECTOR_SIZE)
#define ID_LEN      20U
#define MAX_BLK     4U

/* A disk: an image in memory (image != NULL) or one of vhyp's disks. */
struct blk_disk {
	uint8_t *image;
	uint64_t size; /* bytes */
	unsigned disk;
	bool read_only;
};

_Static_assert(BLK_SEG_MAX <= HYP_DISK_SEG_MAX, "a chain's data segments "
                                                "must fit one disk request");

/* The chains of a batch, and the disk requests made of them. */
struct blk_batch {
	struct hyp_virtio_chain chains[HYP_DISK_BATCH_MAX];
	struct hyp_disk_seg segs[HYP_DISK_BATCH_MAX][BLK_SEG_MAX];
	struct hyp_disk_req reqs[HYP_DISK_BATCH_MAX];
	unsigned chain_of[HYP_DISK_BATCH_MAX]; /* reqs[i] is chains[...] */
};

static struct blk_disk disks[MAX_BLK];
static struct blk_batch batches[MAX_BLK];
static struct hyp_virtio_backend backends[MAX_BLK];
static struct hyp_virtio_dev devs[MAX_BLK];
static unsigned nr_blk;

static struct blk_disk *disk_of(const struct hyp_virtio_dev *d)
{
	return d->be->ctx;
}

static uint32_t blk_config_read(struct hyp_virtio_dev *d, uint64_t off,
                                unsigned size)
{
	uint64_t capacity = disk_of(d)->size / SECTOR;
	uint64_t v = 0;

	/* capacity (le64) at 0, seg_max (le32) at 12; nothing else */
	if (off + size <= 8)
		v = capacity >> (8 * off);
	else if (off >= 12 && off + size <= 16)
		v = (uint64_t)BLK_SEG_MAX >> (8 * (off - 12));
	return (uint32_t)(size >= 4 ? v : v & ((1ULL << (8 * size)) - 1U));
}

/* Moves one data buffer between the disk at byte pos and the guest. */
static bool move_data(struct hyp_virtio_dev *d, const struct hyp_virtio_buf *b,
                      uint32_t type, uint64_t pos)
{
	struct blk_disk *k = disk_of(d);

	if (pos > k->size || b->len > k->size - pos ||
	    b->device_writes != (type == VIRTIO_BLK_T_IN) ||
	    (type == VIRTIO_BLK_T_OUT && k->read_only))
		return false;
	if (type == VIRTIO_BLK_T_IN)
		return hyp_virtio_write(d, b->addr, k->image + pos, b->len);
	return hyp_virtio_read(d, b->addr, k->image + pos, b->len);
}

/* The request header of a chain: type and first sector; false when the
 * header buffer is not a readable 16 bytes. */
static bool read_header(struct hyp_virtio_dev *d,
                        const struct hyp_virtio_buf *bufs, uint32_t *type,
                        uint64_t *sector)
{
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE];

	if (bufs[0].device_writes || bufs[0].len < sizeof(hdr) ||
	    !hyp_virtio_read(d, bufs[0].addr, hdr, sizeof(hdr)))
		return false;
	*type = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 |
	        (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
	*sector = 0;
	for (unsigned i = 0; i < 8; i++)
		*sector |= (uint64_t)hdr[8 + i] << (8 * i);
	return true;
}

static uint8_t do_request(struct hyp_virtio_dev *d,
                          const struct hyp_virtio_buf *bufs, unsigned n,
                          uint32_t *written)
{
	uint32_t type;
	uint64_t pos;

	if (!read_header(d, bufs, &type, &pos) || pos > UINT64_MAX / SECTOR)
		return VIRTIO_BLK_S_IOERR;
	pos *= SECTOR;
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (disk_of(d)->image == NULL)
			return VIRTIO_BLK_S_IOERR; /* batched: blk_batch */
		for (unsigned i = 1; i + 1 < n; i++) {
			if (!move_data(d, &bufs[i], type, pos))
				return VIRTIO_BLK_S_IOERR;
			if (type == VIRTIO_BLK_T_IN)
				*written += bufs[i].len;
			pos += bufs[i].len;
		}
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		return disk_of(d)->image != NULL ||
		                       hyp_disk_flush(disk_of(d)->disk)
		               ? VIRTIO_BLK_S_OK
		               : VIRTIO_BLK_S_IOERR;
	case VIRTIO_BLK_T_GET_ID: {
		static const char id[ID_LEN] = "vhyp-virtio-blk";
		uint32_t len;

		if (n < 3 || !bufs[1].device_writes)
			return VIRTIO_BLK_S_IOERR;
		len = bufs[1].len < ID_LEN ? bufs[1].len : ID_LEN;
		if (!hyp_virtio_write(d, bufs[1].addr, id, len))
			return VIRTIO_BLK_S_IOERR;
		*written += len;
		return VIRTIO_BLK_S_OK;
	}
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static bool has_status(const struct hyp_virtio_buf *bufs, unsigned n)
{
	return n >= 2 && bufs[n - 1].device_writes && bufs[n - 1].len >= 1;
}

/* Writes status s of a chain; returns the used length: written data
 * bytes, plus the status byte when it could be written. */
static uint32_t complete(struct hyp_virtio_dev *d,
                         const struct hyp_virtio_buf *bufs, unsigned n,
                         uint8_t s, uint32_t written)
{
	if (!hyp_virtio_write(d, bufs[n - 1].addr, &s, 1))
		return written;
	return written + 1U;
}

static uint32_t blk_request(struct hyp_virtio_dev *d, unsigned queue,
                            const struct hyp_virtio_buf *bufs, unsigned n)
{
	uint32_t written = 0;
	uint8_t s;

	(void)queue;
	if (!has_status(bufs, n))
		return 0; /* nowhere to put a status */
	s = do_request(d, bufs, n, &written);
	return complete(d, bufs, n, s, written);
}

/* What blk_batch does with a chain. */
enum chain_kind {
	CHAIN_DISK_IO, /* a read or write for the disk: staged */
	CHAIN_DONE,    /* completed already (a malformed read or write) */
	CHAIN_OTHER,   /* anything else: blk_request, in order */
};

/*
 * A chain of a vhyp disk as a disk request r over segs: a header naming
 * a read or write, data buffers all in that request's direction, a
 * status buffer.  A read or write that is malformed is completed here
 * (IOERR; a read or write without data: OK, as the image path does).
 */
static enum chain_kind as_disk_io(struct hyp_virtio_dev *d,
                                  struct hyp_virtio_chain *c,
                                  struct hyp_disk_seg *segs,
                                  struct hyp_disk_req *r)
{
	uint32_t type;
	uint64_t sector;
	bool in;

	if (!has_status(c->bufs, c->n) ||
	    !read_header(d, c->bufs, &type, &sector) ||
	    (type != VIRTIO_BLK_T_IN && type != VIRTIO_BLK_T_OUT))
		return CHAIN_OTHER;
	in = type == VIRTIO_BLK_T_IN;
	r->sector = sector;
	r->segs = segs;
	r->nseg = c->n - 2U;
	r->write = !in;
	for (unsigned i = 0; i < r->nseg; i++) {
		const struct hyp_virtio_buf *b = &c->bufs[1U + i];

		if (b->device_writes != in) {
			c->written = complete(d, c->bufs, c->n,
			                      VIRTIO_BLK_S_IOERR, 0);
			return CHAIN_DONE;
		}
		segs[i] = (struct hyp_disk_seg){b->addr, b->len};
	}
	if (r->nseg == 0) {
		c->written = complete(d, c->bufs, c->n,
		                      sector <= disk_of(d)->size / SECTOR
		                              ? VIRTIO_BLK_S_OK
		                              : VIRTIO_BLK_S_IOERR,
		                      0);
		return CHAIN_DONE;
	}
	return CHAIN_DISK_IO;
}

static uint64_t data_bytes(const struct hyp_disk_req *r)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < r->nseg; i++)
		total += r->segs[i].len;
	return total;
}

/* Runs the n staged requests of b on the disk at once and completes
 * their chains. */
static void run_staged(struct hyp_virtio_dev *d, struct blk_batch *b,
                       struct hyp_virtio_chain *chains, unsigned n)
{
	if (n == 0)
		return;
	hyp_disk_rw(d->guest, disk_of(d)->disk, b->reqs, n);
	for (unsigned i = 0; i < n; i++) {
		const struct hyp_disk_req *r = &b->reqs[i];
		struct hyp_virtio_chain *c = &chains[b->chain_of[i]];
		uint64_t total = data_bytes(r);
		uint32_t written = 0;
		uint8_t s = VIRTIO_BLK_S_IOERR;

		if (r->status == HYP_DISK_OK) {
			s = VIRTIO_BLK_S_OK;
			if (r->write) {
				d->stats.bytes_in += total;
			} else {
				d->stats.bytes_out += total;
				/* the used ring's len is 32 bits */
				written = total < UINT32_MAX ? (uint32_t)total
				                             : UINT32_MAX - 1U;
			}
		} else if (r->status == HYP_DISK_REFUSED) {
			hyp_virtio_refused(d, "disk buffer", r->segs[0].ipa);
		}
		c->written = complete(d, c->bufs, c->n, s, written);
	}
}

/*
 * A batch of chains: the reads and writes of a vhyp disk go to the disk
 * together (hyp_disk_rw runs them in parallel); any other request is
 * handled on its own after the ones before it have run, so a flush still
 * follows the writes it was issued after.
 */
static void blk_batch(struct hyp_virtio_dev *d, unsigned queue,
                      struct hyp_virtio_chain *chains, unsigned n)
{
	struct blk_disk *k = disk_of(d);
	struct blk_batch *b = &batches[k - disks];
	unsigned staged = 0;

	for (unsigned i = 0; i < n; i++) {
		struct hyp_virtio_chain *c = &chains[i];
		enum chain_kind kind = CHAIN_OTHER;

		if (!c->ok)
			continue;
		if (k->image == NULL)
			kind = as_disk_io(d, c, b->segs[staged],
			                  &b->reqs[staged]);
		if (kind == CHAIN_DISK_IO) {
			b->chain_of[staged++] = i;
			continue;
		}
		if (kind == CHAIN_DONE)
			continue;
		run_staged(d, b, chains, staged);
		staged = 0;
		c->written = blk_request(d, queue, c->bufs, c->n);
	}
	run_staged(d, b, chains, staged);
}

/* Window and SPI of the i-th block device: after the console's. */
static bool register_blk(hyp_guest_t guest, struct blk_disk *k)
{
	unsigned i = nr_blk;

	if (i >= MAX_BLK)
		return false;
	disks[i] = *k;
	backends[i] = (struct hyp_virtio_backend){
	        .name = "blk",
	        .device_id = VIRTIO_ID_BLOCK,
	        .features = (k->read_only ? 1ULL << VIRTIO_BLK_F_RO : 0) |
	                    1ULL << VIRTIO_BLK_F_SEG_MAX |
	                    1ULL << VIRTIO_RING_F_INDIRECT_DESC,
	        .nr_queues = 1,
	        .config_read = blk_config_read,
	        .request = blk_request,
	        .request_batch = blk_batch,
	        .batch = batches[i].chains,
	        .batch_max = HYP_DISK_BATCH_MAX,
	        .ctx = &disks[i],
	};
	devs[i] = (struct hyp_virtio_dev){
	        .be = &backends[i],
	        .base = HYP_VIRTIO_BLK_BASE + i * HYP_VIRTIO_WINDOW_SIZE,
	        .spi = HYP_VIRTIO_BLK_SPI + i,
	};
	if (!hyp_virtio_register(guest, &devs[i]))
		return false;
	nr_blk++;
	return true;
}

bool hyp_virtio_blk_register(hyp_guest_t guest, void *image, uint64_t size)
{
	struct blk_disk k = {.image = image, .size = size};

	nr_blk = 0;
	if (size == 0)
		return true;
	return register_blk(guest, &k);
}

bool hyp_virtio_blk_register_disk(hyp_guest_t guest, unsigned disk)
{
	struct blk_disk k = {.disk = disk};
	uint64_t sectors;

	if (!hyp_disk_info(disk, &sectors, &k.read_only))
		return false;
	k.size = sectors * SECTOR;
	return register_blk(guest, &k);
}
