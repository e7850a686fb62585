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
#include <guest/virtio.h>
#include <lib/fmt.h>

#include <guest/isolation_probe.h>

#define GRANULE     4096ULL
#define CONSOLE     VHYP_VIRTIO_CONSOLE_BASE
#define BLK         VHYP_VIRTIO_BLK_BASE
#define SECTOR      VIRTIO_BLK_SECTOR_SIZE
#define SECRET_BYTE 0x5AU

/* One shared granule per device for its rings (desc at 0, avail at 0x400,
 * used at 0x800) and request headers (0xc00); one shared data granule;
 * and the private granule the negative cases point at. */
static uint8_t blk_ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t con_ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t shared_data[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t private_page[GRANULE] __attribute__((aligned(GRANULE)));

static bool console_write(struct rt_virtq *q, const void *buf, uint32_t len)
{
	rt_virtq_descs(q)[0] =
	        (struct rt_virtq_desc){(uintptr_t)buf, len, 0, 0};
	return rt_virtq_submit(q);
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
	struct rt_virtq q;
	uint64_t before;
	uint8_t s;

	if (!rt_virtq_init(&q, BLK, 0, VIRTIO_ID_BLOCK, blk_ring, 0, 0, 0)) {
		rt_tap(false, "virtio-blk: device initialised (VERSION_1, "
		              "ACCESS_PLATFORM, queue 0)");
		return;
	}
	rt_tap(true, "virtio-blk: device initialised (VERSION_1, "
	             "ACCESS_PLATFORM, queue 0)");

	memset(shared_data, 0, GRANULE);
	s = rt_blk_request(&q, VIRTIO_BLK_T_IN, 0, (uintptr_t)shared_data,
	                   SECTOR);
	rt_tap(s == VIRTIO_BLK_S_OK &&
	               memcmp(shared_data, "vhyp-neg-disk-marker", 20) == 0,
	       "control: read of sector 0 into a shared buffer: status %u, "
	       "marker %s",
	       s,
	       memcmp(shared_data, "vhyp-neg-disk-marker", 20) ? "no" : "yes");

	memset(private_page, SECRET_BYTE, GRANULE);
	before = refused_count();
	s = rt_blk_request(&q, VIRTIO_BLK_T_IN, 0, (uintptr_t)private_page,
	                   SECTOR);
	rt_tap(s == VIRTIO_BLK_S_IOERR,
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
	s = rt_blk_request(&q, VIRTIO_BLK_T_OUT, 1, (uintptr_t)private_page,
	                   SECTOR);
	rt_tap(s == VIRTIO_BLK_S_IOERR,
	       "write from a private granule fails: status %u", s);
	rt_tap(refused_count() > before, "the host counted the refused access");
	memset(shared_data, 0, GRANULE);
	s = rt_blk_request(&q, VIRTIO_BLK_T_IN, 1, (uintptr_t)shared_data,
	                   SECTOR);
	rt_tap(s == VIRTIO_BLK_S_OK &&
	               !contains_byte(shared_data, SECTOR, SECRET_BYTE),
	       "sector 1 holds none of the private granule's bytes (status %u)",
	       s);
}

static void console_cases(void)
{
	static const char hello[] = "virtio-neg: hello over virtio-console\n";
	static const char secret[] = "virtio-neg: SECRET-PRIVATE-GRANULE\n";
	struct rt_virtq q;
	uint64_t before;

	if (!rt_virtq_init(&q, CONSOLE, 1, VIRTIO_ID_CONSOLE, con_ring, 0, 0,
	                   0)) {
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
