// SPDX-License-Identifier: MIT
/*
 * Attack class "DMA" (tests/qemu/attack/dma.sh; docs/security.md): a
 * hostile guest, normal or protected, looks for any device that would read
 * or write memory outside its stage 2 on its behalf.
 *
 *   1. QEMU's DMA-capable devices must be out of reach: every virtio-mmio
 *      transport window of the virt board (32 x 0x200 at 0x0a000000), the
 *      PCIe ECAM (low and high), PIO and MMIO windows, fw-cfg (which has a
 *      DMA interface) and the GICv3 ITS / GICv2m frames.  Each probed
 *      address must take a synchronous external abort; the count of
 *      aborts is reported.
 *   2. vhyp's own virtio-blk and virtio-console are driven with buffers
 *      and rings pointing where the device must not go: the hypervisor
 *      window (top of QEMU RAM, above guest RAM), the hypervisor's disk
 *      request slots (what QEMU's virtio-blk reads), outside RAM, device MMIO
 * (the GIC distributor, the UART, the device's own window), ranges that
 * straddle the end of guest RAM or wrap around 2^64, and (protected VMs) a
 * private granule.  Each buffer request must fail (virtio-blk status IOERR; the
 * console prints nothing of it); each ring must put the device in
 *      DEVICE_NEEDS_RESET.
 *   3. Canaries the guest can observe: the disk's sectors (read back
 *      legitimately) hold no byte of what a refused request pointed at and
 *      are not overwritten; its own RAM next to the straddling ranges and
 *      (protected) its private granule are unchanged.  The hypervisor's
 *      host-access counters, printed at power-off, are checked by the
 *      suite script.
 * Run with --disk FILE (64 KiB, sectors filled by the script: sector s is
 * the byte 0xD0 + s, sector 0 starts with "attack-dma-disk").
 */

#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <guest/virtio.h>
#include <lib/fmt.h>

#define GRANULE 4096ULL
#define MiB     (1024ULL * 1024ULL)
#define CONSOLE VHYP_VIRTIO_CONSOLE_BASE
#define BLK     VHYP_VIRTIO_BLK_BASE
#define SECTOR  VIRTIO_BLK_SECTOR_SIZE

/* The virt board (QEMU 7.2, hw/arm/virt.c memmap). */
#define QEMU_VIRTIO_BASE  VHYP_BOARD_VIRTIO_BASE
#define QEMU_VIRTIO_COUNT VHYP_BOARD_VIRTIO_COUNT
#define QEMU_VIRTIO_SIZE  VHYP_BOARD_VIRTIO_STRIDE
#define GICD_BASE         VHYP_BOARD_GICD_BASE
#define UART_BASE         VHYP_BOARD_UART_BASE

/* Rings (desc at 0, avail at 0x400, used at 0x800, request header at
 * 0xc00) and data, all shared with the host side in a protected VM; the
 * private granule never is. */
static uint8_t blk_ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t con_ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t data[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t private_page[GRANULE] __attribute__((aligned(GRANULE)));

static struct vg_hyp *hyp;
static bool protected_vm;
static uint64_t ram_end, disk_bytes, window_pa, bounce_pa;

/* ---- 1. QEMU's devices ---- */

static bool takes_sea(uint64_t addr)
{
	uint64_t esr = 0;
	uint32_t v;

	if (rt_try_read32(addr, &v, &esr)) {
		rt_printf("# 0x%llx readable: 0x%08x\n",
		          (unsigned long long)addr, v);
		return false;
	}
	return ESR_EC(esr) == ESR_EC_DABT_CUR && ESR_FSC(esr) == ESR_FSC_SEA;
}

static void probe_qemu_devices(void)
{
	static const struct {
		uint64_t addr;
		const char *what;
	} others[] = {
	        {0x3f000000ULL, "PCIe ECAM (low), bus 0 dev 0"},
	        {0x3f008000ULL, "PCIe ECAM (low), bus 0 dev 1"},
	        {0x4010000000ULL, "PCIe ECAM (high), bus 0 dev 0"},
	        {0x4010008000ULL, "PCIe ECAM (high), bus 0 dev 1"},
	        {0x3eff0000ULL, "PCIe PIO window"},
	        {0x10000000ULL, "PCIe MMIO window (start)"},
	        {0x3efe0000ULL, "PCIe MMIO window (end)"},
	        {0x09020000ULL, "fw-cfg (data)"},
	        {0x09020010ULL, "fw-cfg (DMA address register)"},
	        {0x08080000ULL, "GICv3 ITS"},
	        {0x08020000ULL, "GICv2m MSI frame"},
	        {0x0c000000ULL, "platform bus"},
	};
	unsigned aborts = 0, n = 0;

	for (unsigned i = 0; i < QEMU_VIRTIO_COUNT; i++) {
		uint64_t t = QEMU_VIRTIO_BASE + i * QEMU_VIRTIO_SIZE;
		uint64_t esr = 0;

		aborts += takes_sea(t + VIRTIO_MMIO_MAGIC_VALUE);
		aborts += !rt_try_write32(t + VIRTIO_MMIO_STATUS, 0, &esr) &&
		          ESR_FSC(esr) == ESR_FSC_SEA;
	}
	rt_tap(aborts == 2U * QEMU_VIRTIO_COUNT,
	       "QEMU virtio-mmio transports: %u of %u accesses (a read of "
	       "MagicValue and a write of Status in each of the %u windows) "
	       "took a synchronous external abort",
	       aborts, 2U * QEMU_VIRTIO_COUNT, QEMU_VIRTIO_COUNT);
	aborts = 0;
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		bool sea = takes_sea(others[i].addr);

		aborts += sea;
		n++;
		if (!sea)
			rt_printf("# reachable: %s at 0x%llx\n", others[i].what,
			          (unsigned long long)others[i].addr);
	}
	rt_tap(aborts == n,
	       "PCIe ECAM/PIO/MMIO, fw-cfg, ITS/GICv2m, platform bus: %u of "
	       "%u probes took a synchronous external abort",
	       aborts, n);
}

/* ---- 2. vhyp's devices (guest/rt/virtio.c drives them) ---- */

/* Reads sector s legitimately into data[]; true when it is intact (the
 * script's pattern: every byte 0xD0 + s, after sector 0's name). */
static bool sector_intact(struct rt_virtq *q, unsigned s)
{
	unsigned from = s == 0 ? 16U : 0U;

	memset(data, 0, SECTOR);
	if (rt_blk_request(q, VIRTIO_BLK_T_IN, s, (uintptr_t)data, SECTOR) !=
	    VIRTIO_BLK_S_OK)
		return false;
	if (s == 0 && memcmp(data, "attack-dma-disk", 15) != 0)
		return false;
	for (unsigned i = from; i < SECTOR; i++)
		if (data[i] != (uint8_t)(0xD0U + s))
			return false;
	return true;
}

struct target {
	uint64_t addr;
	uint32_t len;
	const char *what;
};

static unsigned make_targets(struct target *t)
{
	unsigned n = 0;

	t[n++] = (struct target){window_pa, SECTOR,
	                         "the hypervisor window (top of QEMU RAM)"};
	t[n++] = (struct target){window_pa + 20 * MiB, SECTOR,
	                         "the hypervisor's stage-2 pool"};
	t[n++] = (struct target){bounce_pa, SECTOR,
	                         "the hypervisor's disk request slots"};
	t[n++] = (struct target){ram_end - 256, SECTOR,
	                         "a range straddling the end of guest RAM"};
	t[n++] = (struct target){rt_ram_base() - 256, SECTOR,
	                         "a range straddling the start of guest RAM"};
	t[n++] = (struct target){0x1000, SECTOR, "flash, below RAM"};
	t[n++] = (struct target){0x100000000000ULL, SECTOR,
	                         "far above RAM (16 TiB)"};
	t[n++] = (struct target){GICD_BASE, SECTOR, "the GIC distributor"};
	t[n++] = (struct target){UART_BASE, SECTOR, "the PL011"};
	t[n++] = (struct target){BLK, SECTOR, "the virtio-blk window itself"};
	t[n++] = (struct target){0xFFFFFFFFFFFFFF00ULL, SECTOR,
	                         "a range wrapping around 2^64"};
	t[n++] = (struct target){(uintptr_t)data, 0xFFFFFF00U,
	                         "a 4 GiB length from guest RAM"};
	if (protected_vm)
		t[n++] = (struct target){(uintptr_t)private_page, SECTOR,
		                         "a private granule"};
	return n;
}

/* The guest's last RAM page, a canary next to the straddling range. */
static volatile uint8_t *last_page(void)
{
	return (volatile uint8_t *)(uintptr_t)(ram_end - GRANULE);
}

static bool canaries_intact(void)
{
	for (unsigned i = 0; i < GRANULE; i++)
		if (last_page()[i] != 0xC5U || private_page[i] != 0x5AU)
			return false;
	return true;
}

static void block_buffer_attacks(void)
{
	struct target t[16];
	unsigned n = make_targets(t), in_refused = 0, out_refused = 0;
	bool disk_ok = true;
	struct rt_virtq q;

	if (!rt_virtq_init(&q, BLK, 0, VIRTIO_ID_BLOCK, blk_ring, 0, 0, 0)) {
		rt_tap(false, "virtio-blk: device initialised");
		return;
	}
	rt_tap(sector_intact(&q, 0) && sector_intact(&q, 1),
	       "control: virtio-blk reads sectors 0 and 1 into guest RAM");
	for (unsigned i = 0; i < n; i++) {
		/* Read sector 1 into the target: the device would write
		 * there. */
		uint8_t s = rt_blk_request(&q, VIRTIO_BLK_T_IN, 1, t[i].addr,
		                           t[i].len);

		in_refused += s == VIRTIO_BLK_S_IOERR;
		if (s != VIRTIO_BLK_S_IOERR)
			rt_printf("# blk IN to %s: status %u\n", t[i].what, s);
		/* Write sector 2 from the target: the device would read
		 * there and put it on the disk. */
		s = rt_blk_request(&q, VIRTIO_BLK_T_OUT, 2, t[i].addr,
		                   t[i].len);
		out_refused += s == VIRTIO_BLK_S_IOERR;
		if (s != VIRTIO_BLK_S_IOERR)
			rt_printf("# blk OUT from %s: status %u\n", t[i].what,
			          s);
	}
	rt_tap(in_refused == n,
	       "virtio-blk: %u of %u reads into forbidden buffers failed "
	       "with IOERR",
	       in_refused, n);
	rt_tap(out_refused == n,
	       "virtio-blk: %u of %u writes from forbidden buffers failed "
	       "with IOERR",
	       out_refused, n);
	for (unsigned s = 0; s < 4; s++)
		disk_ok = sector_intact(&q, s) && disk_ok;
	rt_tap(disk_ok, "canary: disk sectors 0-3 unchanged (nothing from the "
	                "forbidden buffers reached the disk)");
	rt_tap(canaries_intact(),
	       "canary: the guest's last RAM page%s "
	       "unchanged",
	       protected_vm ? " and its private granule" : "");
	rt_tap(!(rt_mmio_read(BLK, VIRTIO_MMIO_STATUS) &
	         VIRTIO_STATUS_DEVICE_NEEDS_RESET),
	       "virtio-blk: refused buffers fail requests, not the device");
}

static void console_buffer_attacks(void)
{
	struct target t[16];
	unsigned n = make_targets(t), done = 0;
	struct rt_virtq q;

	if (!rt_virtq_init(&q, CONSOLE, 1, VIRTIO_ID_CONSOLE, con_ring, 0, 0,
	                   0)) {
		rt_tap(false, "virtio-console: device initialised");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		rt_virtq_descs(&q)[0] =
		        (struct rt_virtq_desc){t[i].addr, t[i].len, 0, 0};
		done += rt_virtq_submit(&q);
	}
	rt_tap(done == n,
	       "virtio-console: %u of %u transmits from forbidden buffers "
	       "completed (the suite checks nothing was printed)",
	       done, n);
}

/* A ring the device must not use: DEVICE_NEEDS_RESET, nothing done. */
static bool ring_attack(uint64_t dev, unsigned queue, uint32_t id,
                        uint8_t *ring, uint64_t desc, uint64_t avail,
                        uint64_t used, const char *what)
{
	struct rt_virtq q;
	uint32_t status;
	bool ok;

	if (!rt_virtq_init(&q, dev, queue, id, ring, desc, avail, used))
		return rt_tap(false, "%s: device initialised", what);
	/* A valid chain in the guest's own ring page, for the rings that
	 * stay there: a console write of data[]. */
	memcpy(data, "attack-dma: RING-ATTACK-PAYLOAD\n", 32);
	rt_virtq_descs(&q)[0] =
	        (struct rt_virtq_desc){(uintptr_t)data, 32, 0, 0};
	if (id == 2)
		(void)rt_blk_request(&q, VIRTIO_BLK_T_IN, 3, (uintptr_t)data,
		                     SECTOR);
	else
		(void)rt_virtq_submit(&q);
	status = rt_mmio_read(dev, VIRTIO_MMIO_STATUS);
	ok = (status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
	rt_tap(ok, "%s: device status 0x%x (DEVICE_NEEDS_RESET)", what, status);
	rt_mmio_write(dev, VIRTIO_MMIO_STATUS, 0);
	return ok;
}

static void ring_attacks(void)
{
	uint8_t *br = blk_ring, *cr = con_ring;

	ring_attack(BLK, 0, VIRTIO_ID_BLOCK, br, window_pa, 0, 0,
	            "virtio-blk descriptor table in the hypervisor window");
	ring_attack(BLK, 0, VIRTIO_ID_BLOCK, br, 0, bounce_pa, 0,
	            "virtio-blk available ring on the disk request slots");
	ring_attack(BLK, 0, VIRTIO_ID_BLOCK, br, 0, 0, GICD_BASE,
	            "virtio-blk used ring on the GIC distributor");
	ring_attack(BLK, 0, VIRTIO_ID_BLOCK, br, 0, 0, 0xFFFFFFFFFFFFFFF8ULL,
	            "virtio-blk used ring wrapping around 2^64");
	ring_attack(CONSOLE, 1, VIRTIO_ID_CONSOLE, cr, ram_end - 8, 0, 0,
	            "virtio-console descriptor table straddling the end of "
	            "RAM");
	ring_attack(CONSOLE, 1, VIRTIO_ID_CONSOLE, cr, 0, 0,
	            window_pa + 4 * MiB,
	            "virtio-console used ring in the hypervisor window");
	if (protected_vm)
		ring_attack(CONSOLE, 1, VIRTIO_ID_CONSOLE, cr,
		            (uintptr_t)private_page, 0, 0,
		            "virtio-console descriptor table in a private "
		            "granule");
}

static bool setup(void)
{
	uint64_t granule = 0;

	hyp = &rt_hyp;
	if (vg_probe(hyp) != VG_PROBE_OK)
		return false;
	protected_vm = vg_has_feature(hyp, KVM_FUNC_MEM_SHARE);
	ram_end = rt_ram_base() + rt_ram_size();
	memset((void *)(uintptr_t)(ram_end - GRANULE), 0xC5, GRANULE);
	memset(private_page, 0x5A, GRANULE);
	if (!protected_vm)
		return true;
	return vg_meminfo(hyp, &granule) == 0 && granule == GRANULE &&
	       vg_mem_share(hyp, (uintptr_t)blk_ring) == 0 &&
	       vg_mem_share(hyp, (uintptr_t)con_ring) == 0 &&
	       vg_mem_share(hyp, (uintptr_t)data) == 0 &&
	       /* the last page is shared, so only the range check can
	        * refuse the straddling buffer */
	       vg_mem_share(hyp, ram_end - GRANULE) == 0;
}

/* The disk's size from virtio-blk's config (capacity in sectors).  The
 * hypervisor window is the top 64 MiB of QEMU's RAM, right above guest
 * RAM; its disk rings and request slots are at +12 MiB. */
static void find_layout(void)
{
	disk_bytes = rt_blk_capacity(BLK) * SECTOR;
	window_pa = ram_end;
	bounce_pa = window_pa + 12 * MiB + GRANULE;
	rt_printf("# %s VM, RAM ends 0x%llx, disk %llu bytes, hypervisor "
	          "window 0x%llx\n",
	          protected_vm ? "protected" : "normal",
	          (unsigned long long)ram_end, (unsigned long long)disk_bytes,
	          (unsigned long long)window_pa);
}

int main(const void *dtb)
{
	uint32_t magic = 0;

	(void)dtb;
	if (!rt_tap(setup(), "KVM services%s",
	            protected_vm ? ", MEMINFO, MEM_SHARE of rings and data"
	                         : "")) {
		rt_tap_plan("attack-dma");
		return 0;
	}
	probe_qemu_devices();
	if (!rt_try_read32(BLK + VIRTIO_MMIO_MAGIC_VALUE, &magic, NULL) ||
	    magic != VIRTIO_MMIO_MAGIC) {
		rt_tap(false, "vhyp's virtio-blk at 0x%llx (run with --disk)",
		       (unsigned long long)BLK);
		rt_tap_plan("attack-dma");
		return 0;
	}
	find_layout();
	block_buffer_attacks();
	console_buffer_attacks();
	ring_attacks();
	rt_tap_plan("attack-dma");
	return 0;
}
