// SPDX-License-Identifier: MIT
/*
 * Disk persistence guest (tests/qemu/disks/run.sh): drives every vhyp
 * virtio-blk device it finds (0x0b201000 + 0x1000 * i) as a driver would,
 * normal or protected VM:
 *   - reads sector 0 and prints its first 16 bytes (the script's marker);
 *   - writes "written-by-guest-<i>" to sector 1 and to the disk's last
 *     sector, flushes, and reads both back;
 * and reports each step as TAP, with the write status (0 OK, 1 IOERR: a
 * read-only disk offers VIRTIO_BLK_F_RO and fails writes).  The script
 * checks the files after the run.
 */

#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <guest/virtio.h>
#include <lib/fmt.h>

#define GRANULE   4096ULL
#define BLK0      VHYP_VIRTIO_BLK_BASE
#define MAX_DISKS 4U
#define SECTOR    VIRTIO_BLK_SECTOR_SIZE

/* The queue's ring page and the data buffer (guest/rt/virtio.c's layout),
 * shared with the host side in a protected VM. */
static uint8_t ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t data[GRANULE] __attribute__((aligned(GRANULE)));
static struct rt_virtq vq;

/* Negotiates VIRTIO_BLK_F_RO when offered and sets up queue 0;
 * *features: the low feature word the device offers. */
static bool init(uint64_t b, uint32_t *features)
{
	return rt_virtio_negotiate(b, VIRTIO_ID_BLOCK, 1U << VIRTIO_BLK_F_RO,
	                           features) &&
	       rt_virtq_setup(&vq, b, 0, ring, 0, 0, 0);
}

/* One request on data[] (none for a flush); the status byte, 0xff if not
 * completed. */
static uint8_t request(uint32_t type, uint64_t sector)
{
	return rt_blk_request(&vq, type, sector, (uintptr_t)data,
	                      type == VIRTIO_BLK_T_FLUSH ? 0U : SECTOR);
}

static void pattern(unsigned disk)
{
	memset(data, 0, SECTOR);
	memcpy(data, "written-by-guest-", 17);
	data[17] = (uint8_t)('0' + disk);
}

static bool is_pattern(unsigned disk)
{
	return memcmp(data, "written-by-guest-", 17) == 0 &&
	       data[17] == (uint8_t)('0' + disk);
}

static void one_disk(unsigned i)
{
	uint64_t b = BLK0 + i * (uint64_t)VHYP_VIRTIO_WINDOW_SIZE, cap, last;
	uint32_t features = 0;
	uint8_t s0, s1, s2, sf;
	char marker[17];
	bool ro;

	if (!init(b, &features)) {
		rt_tap(false, "disk %u: initialised", i);
		return;
	}
	ro = (features & (1U << VIRTIO_BLK_F_RO)) != 0;
	cap = rt_blk_capacity(b);
	last = cap - 1;
	s0 = request(VIRTIO_BLK_T_IN, 0);
	for (unsigned c = 0; c < 16; c++)
		marker[c] =
		        data[c] >= 0x20 && data[c] < 0x7f ? (char)data[c] : '.';
	marker[16] = '\0';
	rt_printf("disk %u: marker=%s capacity=%llu ro=%u\n", i, marker,
	          (unsigned long long)cap, ro ? 1U : 0U);
	rt_tap(s0 == 0, "disk %u: read sector 0 (status %u)", i, s0);
	pattern(i);
	s1 = request(VIRTIO_BLK_T_OUT, 1);
	pattern(i);
	s2 = request(VIRTIO_BLK_T_OUT, last);
	sf = request(VIRTIO_BLK_T_FLUSH, 0);
	rt_printf("disk %u: write_status=%u last_write_status=%u flush=%u\n", i,
	          s1, s2, sf);
	if (ro) {
		rt_tap(s1 == 1 && s2 == 1,
		       "disk %u (read-only): writes fail with IOERR (%u, %u)",
		       i, s1, s2);
		memset(data, 0, SECTOR);
		rt_tap(request(VIRTIO_BLK_T_IN, 1) == 0 && !is_pattern(i),
		       "disk %u (read-only): sector 1 unchanged", i);
		return;
	}
	rt_tap(s1 == 0 && s2 == 0 && sf == 0,
	       "disk %u: sector 1 and last sector %llu written, flushed", i,
	       (unsigned long long)last);
	memset(data, 0, SECTOR);
	s1 = request(VIRTIO_BLK_T_IN, 1);
	rt_tap(s1 == 0 && is_pattern(i), "disk %u: sector 1 reads back", i);
	memset(data, 0, SECTOR);
	s2 = request(VIRTIO_BLK_T_IN, last);
	rt_tap(s2 == 0 && is_pattern(i), "disk %u: last sector reads back", i);
}

int main(const void *dtb)
{
	unsigned n = 0;
	uint32_t magic;

	(void)dtb;
	if (vg_probe(&rt_hyp) == VG_PROBE_OK &&
	    vg_has_feature(&rt_hyp, KVM_FUNC_MEM_SHARE))
		rt_tap(vg_mem_share(&rt_hyp, (uintptr_t)ring) == 0 &&
		               vg_mem_share(&rt_hyp, (uintptr_t)data) == 0,
		       "protected VM: rings and data shared");
	for (unsigned i = 0; i < MAX_DISKS; i++) {
		if (!rt_try_read32(
		            BLK0 + i * (uint64_t)VHYP_VIRTIO_WINDOW_SIZE +
		                    VIRTIO_MMIO_MAGIC_VALUE,
		            &magic, NULL) ||
		    magic != VIRTIO_MMIO_MAGIC ||
		    rt_mmio_read(BLK0 + i * (uint64_t)VHYP_VIRTIO_WINDOW_SIZE,
		                 VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
			break;
		one_disk(i);
		n++;
	}
	rt_printf("disks=%u\n", n);
	rt_tap_plan("disk-rw");
	return 0;
}
