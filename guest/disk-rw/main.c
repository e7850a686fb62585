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
#include <lib/fmt.h>

#define GRANULE       4096ULL
#define BLK0          VHYP_VIRTIO_BLK_BASE
#define MAX_DISKS     4U
#define QUEUE_SIZE    8U
#define SECTOR        512U
#define R_MAGIC       0x000U
#define R_DEVICE_ID   0x008U
#define R_DEV_FEAT    0x010U
#define R_DEV_FEAT_S  0x014U
#define R_DRV_FEAT    0x020U
#define R_DRV_FEAT_S  0x024U
#define R_QUEUE_SEL   0x030U
#define R_QUEUE_NUM   0x038U
#define R_QUEUE_READY 0x044U
#define R_NOTIFY      0x050U
#define R_INT_STATUS  0x060U
#define R_INT_ACK     0x064U
#define R_STATUS      0x070U
#define R_DESC_LO     0x080U
#define R_AVAIL_LO    0x090U
#define R_USED_LO     0x0a0U
#define R_CONFIG      0x100U
#define F_RO          (1U << 5)
#define FEAT_HI       3U /* VERSION_1, ACCESS_PLATFORM */
#define D_NEXT        1U
#define D_WRITE       2U
#define T_IN          0U
#define T_OUT         1U
#define T_FLUSH       4U

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static uint8_t ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t data[GRANULE] __attribute__((aligned(GRANULE)));
static uint16_t avail_idx;

static uint32_t rd(uint64_t b, unsigned r)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(b + r) : "memory");
	return v;
}

static void wr(uint64_t b, unsigned r, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(b + r) : "memory");
}

static void wr64(uint64_t b, unsigned lo, uint64_t v)
{
	wr(b, lo, (uint32_t)v);
	wr(b, lo + 4, (uint32_t)(v >> 32));
}

static bool init(uint64_t b, uint32_t *features)
{
	wr(b, R_STATUS, 0);
	wr(b, R_STATUS, 3);
	wr(b, R_DEV_FEAT_S, 0);
	*features = rd(b, R_DEV_FEAT);
	wr(b, R_DRV_FEAT_S, 0);
	wr(b, R_DRV_FEAT, *features & F_RO);
	wr(b, R_DRV_FEAT_S, 1);
	wr(b, R_DRV_FEAT, FEAT_HI);
	wr(b, R_STATUS, 3 | 8);
	if (!(rd(b, R_STATUS) & 8))
		return false;
	memset(ring, 0, sizeof(ring));
	avail_idx = 0;
	wr(b, R_QUEUE_SEL, 0);
	wr(b, R_QUEUE_NUM, QUEUE_SIZE);
	wr64(b, R_DESC_LO, (uintptr_t)ring);
	wr64(b, R_AVAIL_LO, (uintptr_t)ring + 0x400);
	wr64(b, R_USED_LO, (uintptr_t)ring + 0x800);
	wr(b, R_QUEUE_READY, 1);
	wr(b, R_STATUS, 3 | 8 | 4);
	return true;
}

/* One request; the status byte, 0xff if not completed. */
static uint8_t request(uint64_t b, uint32_t type, uint64_t sector)
{
	struct desc *d = (struct desc *)(void *)ring;
	volatile uint16_t *a = (volatile uint16_t *)(void *)(ring + 0x400);
	volatile uint16_t *u = (volatile uint16_t *)(void *)(ring + 0x800);
	uint8_t *hdr = ring + 0xc00;
	volatile uint8_t *status = ring + 0xc10;

	memset(hdr, 0, 16);
	hdr[0] = (uint8_t)type;
	for (unsigned i = 0; i < 8; i++)
		hdr[8 + i] = (uint8_t)(sector >> (8 * i));
	*status = 0xff;
	if (type == T_FLUSH) {
		d[0] = (struct desc){(uintptr_t)hdr, 16, D_NEXT, 2};
	} else {
		d[0] = (struct desc){(uintptr_t)hdr, 16, D_NEXT, 1};
		d[1] = (struct desc){
		        (uintptr_t)data, SECTOR,
		        (uint16_t)(D_NEXT | (type == T_IN ? D_WRITE : 0)), 2};
	}
	d[2] = (struct desc){(uintptr_t)status, 1, D_WRITE, 0};
	a[2 + avail_idx % QUEUE_SIZE] = 0;
	__asm__ volatile("dmb ish" ::: "memory");
	a[1] = ++avail_idx;
	__asm__ volatile("dmb ish" ::: "memory");
	wr(b, R_NOTIFY, 0);
	__asm__ volatile("dmb ish" ::: "memory");
	if (u[1] != avail_idx)
		return 0xff;
	wr(b, R_INT_ACK, rd(b, R_INT_STATUS));
	return *status;
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
	uint64_t b = BLK0 + i * 0x1000ULL, cap, last;
	uint32_t features = 0;
	uint8_t s0, s1, s2, sf;
	char marker[17];
	bool ro;

	if (!init(b, &features)) {
		rt_tap(false, "disk %u: initialised", i);
		return;
	}
	ro = (features & F_RO) != 0;
	cap = rd(b, R_CONFIG) | (uint64_t)rd(b, R_CONFIG + 4) << 32;
	last = cap - 1;
	s0 = request(b, T_IN, 0);
	for (unsigned c = 0; c < 16; c++)
		marker[c] =
		        data[c] >= 0x20 && data[c] < 0x7f ? (char)data[c] : '.';
	marker[16] = '\0';
	rt_printf("disk %u: marker=%s capacity=%llu ro=%u\n", i, marker,
	          (unsigned long long)cap, ro ? 1U : 0U);
	rt_tap(s0 == 0, "disk %u: read sector 0 (status %u)", i, s0);
	pattern(i);
	s1 = request(b, T_OUT, 1);
	pattern(i);
	s2 = request(b, T_OUT, last);
	sf = request(b, T_FLUSH, 0);
	rt_printf("disk %u: write_status=%u last_write_status=%u flush=%u\n", i,
	          s1, s2, sf);
	if (ro) {
		rt_tap(s1 == 1 && s2 == 1,
		       "disk %u (read-only): writes fail with IOERR (%u, %u)",
		       i, s1, s2);
		memset(data, 0, SECTOR);
		rt_tap(request(b, T_IN, 1) == 0 && !is_pattern(i),
		       "disk %u (read-only): sector 1 unchanged", i);
		return;
	}
	rt_tap(s1 == 0 && s2 == 0 && sf == 0,
	       "disk %u: sector 1 and last sector %llu written, flushed", i,
	       (unsigned long long)last);
	memset(data, 0, SECTOR);
	s1 = request(b, T_IN, 1);
	rt_tap(s1 == 0 && is_pattern(i), "disk %u: sector 1 reads back", i);
	memset(data, 0, SECTOR);
	s2 = request(b, T_IN, last);
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
		if (!rt_try_read32(BLK0 + i * 0x1000ULL + R_MAGIC, &magic,
		                   NULL) ||
		    magic != 0x74726976U ||
		    rd(BLK0 + i * 0x1000ULL, R_DEVICE_ID) != 2U)
			break;
		one_disk(i);
		n++;
	}
	rt_printf("disks=%u\n", n);
	rt_tap_plan("disk-rw");
	return 0;
}
