// SPDX-License-Identifier: MIT
/*
 * Negative test of vhyp's host-side virtio devices (run with --protected
 * --disk FILE; tests/pkvm-linux/virtio-neg.sh): a bare-metal protected
 * guest drives virtio-blk and virtio-console itself and puts descriptors
 * on their rings that point at a granule it never shared.
 *
 *   - control: a read of sector 0 into a shared buffer returns the host's
 *     marker with status OK, and a console write from a shared buffer is
 *     printed;
 *   - a read of sector 0 into the private granule completes with
 *     VIRTIO_BLK_S_IOERR, and the granule is unchanged;
 *   - a write of sector 1 from the private granule completes with IOERR,
 *     and reading sector 1 back shows none of the granule's bytes;
 *   - a console write from the private granule prints nothing (the test
 *     script checks the secret never appears on the console);
 *   - the host's refused counter (isolation probe) went up by each of
 *     these, and nothing leaked.
 * Output is TAP; the guest powers off.
 */

#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fmt.h>

#include <guest/isolation_probe.h>

#define GRANULE     4096ULL
#define CONSOLE     VHYP_VIRTIO_CONSOLE_BASE
#define BLK         VHYP_VIRTIO_BLK_BASE
#define QUEUE_SIZE  8U
#define SECTOR      512U
#define SECRET_BYTE 0x5AU

/* virtio-mmio registers and values (virtio 1.x, Version 2). */
#define R_MAGIC       0x000U
#define R_VERSION     0x004U
#define R_DEVICE_ID   0x008U
#define R_DEV_FEAT    0x010U
#define R_DEV_FEAT_S  0x014U
#define R_DRV_FEAT    0x020U
#define R_DRV_FEAT_S  0x024U
#define R_QUEUE_SEL   0x030U
#define R_QUEUE_MAX   0x034U
#define R_QUEUE_NUM   0x038U
#define R_QUEUE_READY 0x044U
#define R_NOTIFY      0x050U
#define R_INT_STATUS  0x060U
#define R_INT_ACK     0x064U
#define R_STATUS      0x070U
#define R_DESC_LO     0x080U
#define R_DESC_HI     0x084U
#define R_AVAIL_LO    0x090U
#define R_AVAIL_HI    0x094U
#define R_USED_LO     0x0a0U
#define R_USED_HI     0x0a4U
#define ST_ACK        1U
#define ST_DRIVER     2U
#define ST_DRIVER_OK  4U
#define ST_FEAT_OK    8U
/* high word: VERSION_1 (32), ACCESS_PLATFORM (33) */
#define FEAT_HI       3U
#define D_NEXT        1U
#define D_WRITE       2U
#define BLK_IN        0U
#define BLK_OUT       1U
#define BLK_S_OK      0U
#define BLK_S_IOERR   1U

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* One shared granule per device for its rings (desc at 0, avail at 0x400,
 * used at 0x800) and request headers (0xc00); one shared data granule;
 * and the private granule the negative cases point at. */
static uint8_t blk_ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t con_ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t shared_data[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t private_page[GRANULE] __attribute__((aligned(GRANULE)));

/* Plain LDR/STR (ISV = 1) for emulated MMIO. */
static uint32_t mmio_read(uint64_t base, unsigned reg)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]"
	                 : "=r"(v)
	                 : "r"(base + reg)
	                 : "memory");
	return v;
}

static void mmio_write(uint64_t base, unsigned reg, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(base + reg) : "memory");
}

struct vq {
	uint64_t dev;
	unsigned index;
	uint8_t *ring;
	uint16_t avail_idx, used_seen;
};

static struct desc *descs(struct vq *q)
{
	return (struct desc *)(void *)q->ring;
}
static volatile uint16_t *avail(struct vq *q)
{
	return (volatile uint16_t *)(void *)(q->ring + 0x400);
}
static volatile uint16_t *used(struct vq *q)
{
	return (volatile uint16_t *)(void *)(q->ring + 0x800);
}

/* Device initialisation up to DRIVER_OK with one queue set up. */
static bool dev_init(struct vq *q, uint64_t dev, unsigned queue,
                     uint32_t device_id, uint8_t *ring)
{
	uint32_t st;

	q->dev = dev;
	q->index = queue;
	q->ring = ring;
	q->avail_idx = 0;
	q->used_seen = 0;
	memset(ring, 0, GRANULE);
	if (mmio_read(dev, R_MAGIC) != 0x74726976U ||
	    mmio_read(dev, R_VERSION) != 2U ||
	    mmio_read(dev, R_DEVICE_ID) != device_id)
		return false;
	mmio_write(dev, R_STATUS, 0);
	mmio_write(dev, R_STATUS, ST_ACK | ST_DRIVER);
	mmio_write(dev, R_DEV_FEAT_S, 1);
	if ((mmio_read(dev, R_DEV_FEAT) & FEAT_HI) != FEAT_HI)
		return false;
	mmio_write(dev, R_DRV_FEAT_S, 0);
	mmio_write(dev, R_DRV_FEAT, 0);
	mmio_write(dev, R_DRV_FEAT_S, 1);
	mmio_write(dev, R_DRV_FEAT, FEAT_HI);
	mmio_write(dev, R_STATUS, ST_ACK | ST_DRIVER | ST_FEAT_OK);
	st = mmio_read(dev, R_STATUS);
	if (!(st & ST_FEAT_OK))
		return false;
	mmio_write(dev, R_QUEUE_SEL, queue);
	if (mmio_read(dev, R_QUEUE_MAX) < QUEUE_SIZE)
		return false;
	mmio_write(dev, R_QUEUE_NUM, QUEUE_SIZE);
	mmio_write(dev, R_DESC_LO, (uint32_t)(uintptr_t)ring);
	mmio_write(dev, R_DESC_HI, (uint32_t)((uintptr_t)ring >> 32));
	mmio_write(dev, R_AVAIL_LO, (uint32_t)(uintptr_t)(ring + 0x400));
	mmio_write(dev, R_AVAIL_HI, (uint32_t)((uintptr_t)ring >> 32));
	mmio_write(dev, R_USED_LO, (uint32_t)(uintptr_t)(ring + 0x800));
	mmio_write(dev, R_USED_HI, (uint32_t)((uintptr_t)ring >> 32));
	mmio_write(dev, R_QUEUE_READY, 1);
	mmio_write(dev, R_STATUS,
	           ST_ACK | ST_DRIVER | ST_FEAT_OK | ST_DRIVER_OK);
	return true;
}

/* Publishes the chain at descriptor 0 and notifies; true when the device
 * returned it on the used ring (synchronously, in vhyp). */
static bool submit(struct vq *q)
{
	volatile uint16_t *a = avail(q);

	a[2 + q->avail_idx % QUEUE_SIZE] = 0;
	__asm__ volatile("dmb ish" ::: "memory");
	a[1] = ++q->avail_idx;
	__asm__ volatile("dmb ish" ::: "memory");
	mmio_write(q->dev, R_NOTIFY, q->index);
	__asm__ volatile("dmb ish" ::: "memory");
	if (used(q)[1] != (uint16_t)(q->used_seen + 1U))
		return false;
	q->used_seen++;
	mmio_write(q->dev, R_INT_ACK, mmio_read(q->dev, R_INT_STATUS));
	return true;
}

/* One block request: header, data buffer, status; returns the status
 * byte, or 0xff when the request was not completed. */
static uint8_t blk_request(struct vq *q, uint32_t type, uint64_t sector,
                           void *data)
{
	uint8_t *hdr = q->ring + 0xc00;
	volatile uint8_t *status = q->ring + 0xc10;
	struct desc *d = descs(q);

	memset(hdr, 0, 16);
	hdr[0] = (uint8_t)type;
	for (unsigned i = 0; i < 8; i++)
		hdr[8 + i] = (uint8_t)(sector >> (8 * i));
	*status = 0xff;
	d[0] = (struct desc){(uintptr_t)hdr, 16, D_NEXT, 1};
	d[1] = (struct desc){
	        (uintptr_t)data, SECTOR,
	        (uint16_t)(D_NEXT | (type == BLK_IN ? D_WRITE : 0)), 2};
	d[2] = (struct desc){(uintptr_t)status, 1, D_WRITE, 0};
	if (!submit(q))
		return 0xff;
	return *status;
}

static bool console_write(struct vq *q, const void *buf, uint32_t len)
{
	descs(q)[0] = (struct desc){(uintptr_t)buf, len, 0, 0};
	return submit(q);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static bool contains_byte(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == v)
			return true;
	return false;
}

static uint64_t refused_count(void)
{
	return probe_read(PROBE_REFUSED);
}

static bool setup(struct vg_hyp *h)
{
	static const uint64_t guard[] = {VHYP_BOARD_UART_BASE, PROBE_BASE,
	                                 CONSOLE, BLK};
	uint64_t granule = 0;
	bool ok = vg_probe(h) == VG_PROBE_OK && vg_meminfo(h, &granule) == 0 &&
	          granule == GRANULE;

	/* MMIO guard in force for everything this guest touches. */
	for (unsigned i = 0; ok && i < sizeof(guard) / sizeof(guard[0]); i++)
		ok = vg_mmio_guard(h, guard[i]) == 0;
	ok = ok && vg_mem_share(h, (uintptr_t)blk_ring) == 0 &&
	     vg_mem_share(h, (uintptr_t)con_ring) == 0 &&
	     vg_mem_share(h, (uintptr_t)shared_data) == 0;
	return ok;
}

static void block_cases(void)
{
	struct vq q;
	uint64_t before;
	uint8_t s;

	if (!dev_init(&q, BLK, 0, 2, blk_ring)) {
		rt_tap(false, "virtio-blk: device initialised (VERSION_1, "
		              "ACCESS_PLATFORM, queue 0)");
		return;
	}
	rt_tap(true, "virtio-blk: device initialised (VERSION_1, "
	             "ACCESS_PLATFORM, queue 0)");

	memset(shared_data, 0, GRANULE);
	s = blk_request(&q, BLK_IN, 0, shared_data);
	rt_tap(s == BLK_S_OK &&
	               memcmp(shared_data, "vhyp-neg-disk-marker", 20) == 0,
	       "control: read of sector 0 into a shared buffer: status %u, "
	       "marker %s",
	       s,
	       memcmp(shared_data, "vhyp-neg-disk-marker", 20) ? "no" : "yes");

	memset(private_page, SECRET_BYTE, GRANULE);
	before = refused_count();
	s = blk_request(&q, BLK_IN, 0, private_page);
	rt_tap(s == BLK_S_IOERR,
	       "read into a private granule fails: status %u "
	       "(IOERR = 1)",
	       s);
	rt_tap(all_bytes(private_page, GRANULE, SECRET_BYTE),
	       "the private granule is unchanged");
	rt_tap(refused_count() > before,
	       "the host counted the refused access "
	       "(%llu -> %llu)",
	       (unsigned long long)before, (unsigned long long)refused_count());

	before = refused_count();
	s = blk_request(&q, BLK_OUT, 1, private_page);
	rt_tap(s == BLK_S_IOERR,
	       "write from a private granule fails: status %u", s);
	rt_tap(refused_count() > before, "the host counted the refused access");
	memset(shared_data, 0, GRANULE);
	s = blk_request(&q, BLK_IN, 1, shared_data);
	rt_tap(s == BLK_S_OK &&
	               !contains_byte(shared_data, SECTOR, SECRET_BYTE),
	       "sector 1 holds none of the private granule's bytes (status %u)",
	       s);
}

static void console_cases(void)
{
	static const char hello[] = "virtio-neg: hello over virtio-console\n";
	static const char secret[] = "virtio-neg: SECRET-PRIVATE-GRANULE\n";
	struct vq q;
	uint64_t before;

	if (!dev_init(&q, CONSOLE, 1, 3, con_ring)) {
		rt_tap(false, "virtio-console: device initialised (queue 1)");
		return;
	}
	rt_tap(true, "virtio-console: device initialised (queue 1)");
	memcpy(shared_data, hello, sizeof(hello) - 1);
	rt_tap(console_write(&q, shared_data, sizeof(hello) - 1),
	       "control: console write from a shared buffer completed");
	memcpy(private_page, secret, sizeof(secret) - 1);
	before = refused_count();
	rt_tap(console_write(&q, private_page, sizeof(secret) - 1) &&
	               refused_count() > before,
	       "console write from a private granule completed, refused by the "
	       "host");
}

int main(const void *dtb)
{
	(void)dtb;
	if (!setup(&rt_hyp)) {
		rt_tap(false, "KVM services, MEMINFO, MMIO guard, MEM_SHARE");
		rt_tap_plan("virtio-neg");
		return 0;
	}
	rt_tap(true, "KVM services, MEMINFO, MMIO guard, MEM_SHARE");
	block_cases();
	console_cases();
	rt_tap(probe_read(PROBE_LEAKED) == 0, "nothing leaked");
	rt_tap_plan("virtio-neg");
	return 0;
}
