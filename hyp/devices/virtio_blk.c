// SPDX-License-Identifier: MIT
/*
 * virtio-blk backend (device ID 2, one request queue) over a disk image
 * the runner loaded into a physical window outside guest RAM (`--disk`,
 * vhyp.disk=/vhyp.disk_size= on the hypervisor command line; the trusted
 * side maps it and hands the model a pointer).  Writes
 * change that copy in memory only; the file is not written back.
 *
 * A request is a header (type, ioprio, sector), data buffers, and a
 * one-byte status the device writes.  Data moves between the image and
 * the guest's buffers only through the accessor: a buffer in a granule
 * the guest did not share fails the request with VIRTIO_BLK_S_IOERR and
 * nothing of it reaches the image.
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
	uint64_t size;  /* bytes */
	uint8_t *chunk; /* the model's copy of the data in flight */
	unsigned disk;
	bool read_only;
};

static struct blk_disk disks[MAX_BLK];
static uint8_t chunks[MAX_BLK][HYP_DISK_IO_MAX];
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

/* Moves [pos, pos+len) of a disk behind hyp_disk_io and the guest
 * buffer at ipa, a chunk at a time through the model's own buffer. */
static bool move_disk(struct hyp_virtio_dev *d, struct blk_disk *k,
                      uint32_t type, uint64_t ipa, uint64_t pos, uint32_t len)
{
	if (pos % SECTOR || len % SECTOR)
		return false;
	while (len > 0) {
		uint32_t n = len < HYP_DISK_IO_MAX ? len : HYP_DISK_IO_MAX;

		if (type == VIRTIO_BLK_T_IN) {
			if (!hyp_disk_io(k->disk, false, pos / SECTOR, k->chunk,
			                 n) ||
			    !hyp_virtio_write(d, ipa, k->chunk, n))
				return false;
		} else if (!hyp_virtio_read(d, ipa, k->chunk, n) ||
		           !hyp_disk_io(k->disk, true, pos / SECTOR, k->chunk,
		                        n)) {
			return false;
		}
		ipa += n;
		pos += n;
		len -= n;
	}
	return true;
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
	if (k->image == NULL)
		return move_disk(d, k, type, b->addr, pos, b->len);
	if (type == VIRTIO_BLK_T_IN)
		return hyp_virtio_write(d, b->addr, k->image + pos, b->len);
	return hyp_virtio_read(d, b->addr, k->image + pos, b->len);
}

/* A position in a request's data segments. */
struct seg_cursor {
	const struct hyp_virtio_buf *b;
	unsigned i;
	uint32_t off;
};

/* Copies len bytes between chunk and the segments at the cursor (their
 * total was checked to hold them), to the guest or from it. */
static bool copy_segments(struct hyp_virtio_dev *d, struct seg_cursor *c,
                          uint8_t *chunk, uint32_t len, bool to_guest)
{
	uint32_t done = 0;

	while (done < len) {
		const struct hyp_virtio_buf *b = &c->b[c->i];
		uint32_t n = b->len - c->off;
		bool ok;

		if (n > len - done)
			n = len - done;
		ok = to_guest ? hyp_virtio_write(d, b->addr + c->off,
		                                 chunk + done, n)
		              : hyp_virtio_read(d, b->addr + c->off,
		                                chunk + done, n);
		if (!ok)
			return false;
		done += n;
		c->off += n;
		if (c->off == b->len) {
			c->i++;
			c->off = 0;
		}
	}
	return true;
}

/*
 * The nseg data segments of a read or write of a disk behind hyp_disk_io,
 * gathered into the model's chunk: one disk request per HYP_DISK_IO_MAX
 * bytes instead of one per segment (each crossing to QEMU costs a
 * notification and a completion poll).  Every segment is checked as
 * move_data checks one, and the whole range against the disk.
 */
static bool move_segments(struct hyp_virtio_dev *d,
                          const struct hyp_virtio_buf *segs, unsigned nseg,
                          uint32_t type, uint64_t pos, uint32_t *written)
{
	struct blk_disk *k = disk_of(d);
	struct seg_cursor c = {.b = segs};
	uint64_t total = 0;

	for (unsigned i = 0; i < nseg; i++) {
		if (segs[i].device_writes != (type == VIRTIO_BLK_T_IN))
			return false;
		total += segs[i].len;
	}
	if ((type == VIRTIO_BLK_T_OUT && k->read_only) || pos % SECTOR ||
	    total % SECTOR || pos > k->size || total > k->size - pos)
		return false;
	while (total > 0) {
		uint32_t n = total < HYP_DISK_IO_MAX ? (uint32_t)total
		                                     : HYP_DISK_IO_MAX;

		if (type == VIRTIO_BLK_T_IN) {
			if (!hyp_disk_io(k->disk, false, pos / SECTOR, k->chunk,
			                 n) ||
			    !copy_segments(d, &c, k->chunk, n, true))
				return false;
			*written += n;
		} else if (!copy_segments(d, &c, k->chunk, n, false) ||
		           !hyp_disk_io(k->disk, true, pos / SECTOR, k->chunk,
		                        n)) {
			return false;
		}
		pos += n;
		total -= n;
	}
	return true;
}

static uint8_t do_request(struct hyp_virtio_dev *d,
                          const struct hyp_virtio_buf *bufs, unsigned n,
                          uint32_t *written)
{
	uint8_t hdr[16];
	uint32_t type;
	uint64_t pos;

	if (bufs[0].device_writes || bufs[0].len < sizeof(hdr) ||
	    !hyp_virtio_read(d, bufs[0].addr, hdr, sizeof(hdr)))
		return VIRTIO_BLK_S_IOERR;
	type = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 |
	       (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
	pos = 0;
	for (unsigned i = 0; i < 8; i++)
		pos |= (uint64_t)hdr[8 + i] << (8 * i);
	if (pos > UINT64_MAX / SECTOR)
		return VIRTIO_BLK_S_IOERR;
	pos *= SECTOR;
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (disk_of(d)->image == NULL)
			return move_segments(d, &bufs[1], n - 2, type, pos,
			                     written)
			               ? VIRTIO_BLK_S_OK
			               : VIRTIO_BLK_S_IOERR;
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

static uint32_t blk_request(struct hyp_virtio_dev *d, unsigned queue,
                            const struct hyp_virtio_buf *bufs, unsigned n)
{
	const struct hyp_virtio_buf *status = &bufs[n - 1];
	uint32_t written = 0;
	uint8_t s;

	(void)queue;
	if (n < 2 || !status->device_writes || status->len < 1)
		return 0; /* nowhere to put a status */
	s = do_request(d, bufs, n, &written);
	if (!hyp_virtio_write(d, status->addr, &s, 1))
		return written;
	return written + 1U;
}

/* Window and SPI of the i-th block device: after the console's. */
static bool register_blk(hyp_guest_t guest, struct blk_disk *k)
{
	unsigned i = nr_blk;

	if (i >= MAX_BLK)
		return false;
	disks[i] = *k;
	disks[i].chunk = chunks[i];
	backends[i] = (struct hyp_virtio_backend){
	        .name = "blk",
	        .device_id = VIRTIO_ID_BLOCK,
	        .features = (k->read_only ? 1ULL << VIRTIO_BLK_F_RO : 0) |
	                    1ULL << VIRTIO_BLK_F_SEG_MAX,
	        .nr_queues = 1,
	        .config_read = blk_config_read,
	        .request = blk_request,
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
