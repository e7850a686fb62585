// SPDX-License-Identifier: MIT
/*
 * Boot of the primary CPU: read the board DTB and the command line, carve
 * out the hypervisor window, read the guest DTB's memory, turn on the EL2
 * MMU, anchor the wall clock, build the VM through the core and enter the
 * guest.  See docs/hypervisor.md for the flow and the memory map.
 */
#include <vhyp/board.h>
#include <vhyp/boot.h>

#include <core/check.h>
#include <core/dispatch.h>

#include "arch.h"
#include "devices/devices.h"
#include "hyp.h"
#include "vgic/vgic.h"

#define MiB                 (1024ULL * 1024ULL)
/* Layout of the window (see docs/hypervisor.md). */
#define WINDOW_IMAGE_MAX    (12 * MiB)
/* Rings and request slots of vhyp's disks (hyp/devices/qemu_disk.c): what
 * QEMU's virtio-blk devices read besides the guest buffers EL2 admitted. */
#define WINDOW_DMA_OFF      (12 * MiB)
#define WINDOW_DMA_SIZE     (4 * MiB)
#define WINDOW_S1_POOL_OFF  (16 * MiB)
/* The EL2 stage-1 pool: this much for the identity map and whatever other
 * code maps at EL2, plus the host-side view of protected RAM (sized from
 * the RAM, see s1_pool_size()).  The stage-2 pool takes the rest. */
#define WINDOW_S1_POOL_BASE (4 * MiB)
#define PAGE                4096ULL
#define DTB_MAX_SIZE        (2 * MiB)
_Static_assert(HYP_QDISK_AREA <= WINDOW_DMA_SIZE, "disk DMA area too small");

struct hyp_state g_hyp;
/* Offset of the stage-2 pool in the window (after the stage-1 pool). */
static uint64_t window_s2_pool_off;
uint8_t hyp_boot_stack[HYP_STACK_SIZE] __attribute__((aligned(16)));

/*
 * The host side's view of a protected VM's RAM: a SHARED granule is mapped
 * in the hypervisor's EL2 stage 1, a private one is not.  The tables are
 * pre-built at VM creation (prebuild_host_view), so each change is one
 * store into an existing level-3 table and cannot run out of memory; the
 * engine reports success only once the walk reached that entry and wrote
 * it, and an unmap returns after the TLBI.  No AT: it would clobber the
 * guest's PAR_EL1.
 */
static void host_grant(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (!arch_mmu_map_page(pa))
		hyp_panic("granule 0x%llx not mapped after grant\n",
		          (unsigned long long)pa);
	vlog_trace("host may access 0x%llx\n", (unsigned long long)pa);
}

static void host_revoke(void *ctx, uint64_t pa)
{
	(void)ctx;
	/* A disk request moving data there finishes first. */
	hyp_qdisk_quiesce(pa, PAGE);
	if (!arch_mmu_unmap_page(pa)) /* includes the TLB invalidation */
		hyp_panic("granule 0x%llx still mapped after revoke\n",
		          (unsigned long long)pa);
	vlog_trace("host access to 0x%llx revoked\n", (unsigned long long)pa);
}

/* Wall-clock anchor: see anchor_clock(). */
enum clock_state { CLOCK_NONE, CLOCK_PENDING, CLOCK_FINDING_EDGE, CLOCK_EXACT };
static _Atomic unsigned clock_state = CLOCK_NONE;
static void settle_clock(void);

/* The core reads the counter for PTP only, right before it reads the
 * clock anchor: the place to settle the anchor. */
static uint64_t read_cntpct(void *ctx)
{
	unsigned st = atomic_load_explicit(&clock_state, memory_order_acquire);

	(void)ctx;
	if (__builtin_expect(st == CLOCK_PENDING || st == CLOCK_FINDING_EDGE,
	                     0))
		settle_clock();
	return arch_read_cntpct();
}

static int64_t workaround(void *ctx, uint32_t func_id)
{
	(void)ctx;
	return arch_workaround_answer(func_id);
}

static bool get_entropy(void *ctx, uint64_t *out)
{
	(void)ctx;
	return arch_get_entropy(out);
}

/* get_entropy and pv_time_st are set in create_vm when available. */
static struct vhyp_ops hyp_ops = {
        .read_cntpct = read_cntpct,
        .host_grant = host_grant,
        .host_revoke = host_revoke,
        .psci = hyp_psci_call,
        .arch_workaround = workaround,
};

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The board RAM range containing [pa, pa+len), or NULL. */
static const struct fdt_range *board_ram(uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < g_hyp.board.nr_mem; i++) {
		const struct fdt_range *r = &g_hyp.board.mem[i];
		if (pa >= r->base && len <= r->size &&
		    pa - r->base <= r->size - len)
			return r;
	}
	return NULL;
}

static void read_board(uint64_t dtb)
{
	const void *blob = (const void *)(uintptr_t)dtb;
	uint32_t size = fdt_total_size(blob);
	int rc;

	if (size == 0 || size > DTB_MAX_SIZE)
		hyp_panic("no board DTB at 0x%llx\n", (unsigned long long)dtb);
	rc = fdt_parse_board(blob, size, &g_hyp.board);
	if (rc)
		hyp_panic("board DTB unreadable (error %d)\n", rc);
	/* No PL011 in the DTB: no console rather than a guessed address. */
	hyp_console_init(g_hyp.board.uart.size ? g_hyp.board.uart.base : 0);
	if (g_hyp.board.nr_cpus > HYP_MAX_CPUS)
		hyp_panic("%u CPUs, at most %u supported\n",
		          g_hyp.board.nr_cpus, HYP_MAX_CPUS);
	if (g_hyp.board.gic_version == 0)
		hyp_panic("no GIC in the board DTB\n");
}

static void setup_window(void)
{
	uint64_t base = (uint64_t)(uintptr_t)__image_start;
	uint64_t image_end = (uint64_t)(uintptr_t)__image_end;
	const struct fdt_range *ram;

	g_hyp.window_base = base;
	g_hyp.window_size = VHYP_WINDOW_SIZE;
	if (base & (PAGE - 1))
		hyp_panic("image at 0x%llx is not page aligned\n",
		          (unsigned long long)base);
	ram = board_ram(base, VHYP_WINDOW_SIZE);
	if (ram == NULL)
		hyp_panic("window 0x%llx+0x%llx is not inside RAM\n",
		          (unsigned long long)base,
		          (unsigned long long)VHYP_WINDOW_SIZE);
	if (ram->base + ram->size != base + VHYP_WINDOW_SIZE)
		vlog("warning: window 0x%llx is not the top of RAM\n",
		     (unsigned long long)base);
	if (image_end - base > WINDOW_IMAGE_MAX)
		hyp_panic("image too large\n");
}

static void read_guest_ram(void)
{
	struct fdt_range mem[VHYP_MAX_RAM_RANGES];
	const struct fdt_range *ram;
	uint64_t dtb = g_hyp.cmd.dtb;
	uint32_t size;
	int n;

	ram = board_ram(dtb, 64);
	if (ram == NULL ||
	    overlaps(dtb, 64, g_hyp.window_base, g_hyp.window_size))
		hyp_panic("guest DTB 0x%llx is not in guest RAM\n",
		          (unsigned long long)dtb);
	size = fdt_total_size((const void *)(uintptr_t)dtb);
	n = fdt_parse_memory((const void *)(uintptr_t)dtb,
	                     ram->base + ram->size - dtb, mem,
	                     VHYP_MAX_RAM_RANGES);
	if (size == 0 || n < 0)
		hyp_panic("guest DTB at 0x%llx unreadable (error %d)\n",
		          (unsigned long long)dtb, n);
	if (n == 0)
		hyp_panic("guest DTB has no memory node\n");
	for (int i = 0; i < n; i++) {
		struct vhyp_mem_range *r = &g_hyp.cfg.ram[i];
		if ((mem[i].base | mem[i].size) & (PAGE - 1))
			hyp_panic("guest memory 0x%llx+0x%llx not page "
			          "aligned\n",
			          (unsigned long long)mem[i].base,
			          (unsigned long long)mem[i].size);
		if (overlaps(mem[i].base, mem[i].size, g_hyp.window_base,
		             g_hyp.window_size))
			hyp_panic("guest memory 0x%llx+0x%llx overlaps the "
			          "hypervisor window 0x%llx+0x%llx\n",
			          (unsigned long long)mem[i].base,
			          (unsigned long long)mem[i].size,
			          (unsigned long long)g_hyp.window_base,
			          (unsigned long long)g_hyp.window_size);
		if (board_ram(mem[i].base, mem[i].size) == NULL)
			hyp_panic("guest memory 0x%llx+0x%llx is not RAM\n",
			          (unsigned long long)mem[i].base,
			          (unsigned long long)mem[i].size);
		r->ipa = mem[i].base; /* identity: devices DMA to PAs */
		r->pa = mem[i].base;
		r->size = mem[i].size;
	}
	g_hyp.cfg.nr_ram = (unsigned)n;
}

static void add_dev(const struct fdt_range *r)
{
	struct vhyp_mem_range *d;
	uint64_t base, end;

	if (r->size == 0 || g_hyp.cfg.nr_dev >= 16)
		return;
	base = r->base & ~(PAGE - 1);
	end = (r->base + r->size + PAGE - 1) & ~(PAGE - 1);
	d = &g_hyp.cfg.dev[g_hyp.cfg.nr_dev++];
	d->ipa = base;
	d->pa = base;
	d->size = end - base;
}

/* Devices passed through: the GICv2 CPU interface (never GICH/GICV), the
 * UART (normal VMs) and the RTC.  The GIC distributor and redistributors
 * are emulated (hyp/vgic): a direct mapping would let the guest point the
 * GIC's LPI tables at any physical memory.  Nothing that can do DMA:
 * QEMU's virtio-mmio transports and the PCIe host bridge act on physical
 * addresses, outside any stage 2, so no VM gets them; its virtio devices
 * are vhyp's own (hyp/devices, through the accessor). */
static void add_devices(void)
{
	const struct fdt_board *b = &g_hyp.board;

	if (b->gic_version == 2)
		add_dev(&b->gicc);
	/* A protected VM's console is emulated (hyp/devices), not the
	 * physical UART. */
	if (!g_hyp.cmd.protected_vm)
		add_dev(&b->uart);
	add_dev(&b->rtc);
}

/*
 * The wall clock.  The PL031 counts whole seconds, so an exact anchor needs
 * its next seconds edge: up to a second of spinning.  Boot does not wait
 * for it.  It reads the RTC once (enough to say whether there is a clock)
 * and the first PTP call, the first reader of the anchor, finds the edge;
 * vCPUs that call PTP meanwhile wait for it.  Nothing reads the clock
 * before that, so the guest never sees it step.
 */

static void find_seconds_edge(void)
{
	struct vhyp_clock *c = &g_hyp.clock;
	uint64_t rtc = g_hyp.board.rtc.base;
	uint64_t freq = c->freq_hz, start, now;
	uint32_t s0, s1;

	(void)plat_rtc_read(rtc, &s0);
	start = arch_read_cntpct();
	do {
		(void)plat_rtc_read(rtc, &s1);
		now = arch_read_cntpct();
	} while (s1 == s0 && now - start < freq + freq / 10);
	c->anchor_ns = (uint64_t)s1 * 1000000000ULL;
	c->anchor_cnt = now;
	vlog_info("clock: RTC %u s at count %llu, %llu Hz%s\n", s1,
	          (unsigned long long)now, (unsigned long long)freq,
	          s1 == s0 ? " (no seconds edge seen)" : "");
}

static __attribute__((noinline, cold)) void settle_clock(void)
{
	unsigned expected = CLOCK_PENDING;

	if (atomic_compare_exchange_strong(&clock_state, &expected,
	                                   CLOCK_FINDING_EDGE)) {
		find_seconds_edge();
		atomic_store_explicit(&clock_state, CLOCK_EXACT,
		                      memory_order_release);
		return;
	}
	while (atomic_load_explicit(&clock_state, memory_order_acquire) !=
	       CLOCK_EXACT)
		;
}

static void anchor_clock(void)
{
	struct vhyp_clock *c = &g_hyp.clock;
	uint32_t s0;

	c->freq_hz = arch_read_cntfrq();
	if (g_hyp.board.rtc.size == 0 || c->freq_hz == 0 ||
	    !plat_rtc_read(g_hyp.board.rtc.base, &s0)) {
		vlog("warning: no RTC or counter frequency: PTP disabled\n");
		c->valid = false;
		return;
	}
	/* Until the first PTP call finds the edge: within a second. */
	c->anchor_ns = (uint64_t)s0 * 1000000000ULL;
	c->anchor_cnt = arch_read_cntpct();
	c->valid = true;
	atomic_store_explicit(&clock_state, CLOCK_PENDING,
	                      memory_order_release);
}

/* The virtio-blk image (vhyp.disk=, vhyp.disk_size=): outside guest RAM
 * and the window, mapped at EL2 for the device model only. */
static void map_disk(void)
{
	uint64_t pa = g_hyp.cmd.disk_pa, size = g_hyp.cmd.disk_size;
	uint64_t end = (pa + size + PAGE - 1) & ~(PAGE - 1);

	if (!g_hyp.cmd.have_disk || size == 0)
		return;
	if ((pa & (PAGE - 1)) || end < pa ||
	    (pa < g_hyp.window_base + g_hyp.window_size &&
	     g_hyp.window_base < end))
		hyp_panic("vhyp.disk=0x%llx size 0x%llx: unaligned or in the "
		          "hypervisor window\n",
		          (unsigned long long)pa, (unsigned long long)size);
	for (unsigned i = 0; i < g_hyp.cfg.nr_ram; i++)
		if (pa < g_hyp.cfg.ram[i].ipa + g_hyp.cfg.ram[i].size &&
		    g_hyp.cfg.ram[i].ipa < end)
			hyp_panic("vhyp.disk=0x%llx overlaps guest RAM\n",
			          (unsigned long long)pa);
	if (!arch_mmu_map(pa, end - pa, false))
		hyp_panic("cannot map the disk image at EL2\n");
}

/*
 * EL2 stage-1 table pages the host-side view of the protected VM's RAM can
 * need (every table down to level 3), so that it is reserved before the
 * guest runs.  0 for a normal VM.
 */
static uint64_t host_view_pages(void)
{
	uint64_t pages = 0;

	if (!g_hyp.cmd.protected_vm)
		return 0;
	for (unsigned i = 0; i < g_hyp.cfg.nr_ram; i++)
		pages += s2_el2_pages_for_range(g_hyp.cfg.ram[i].pa,
		                                g_hyp.cfg.ram[i].size);
	return pages;
}

static uint64_t s1_pool_size(void)
{
	uint64_t view = host_view_pages() * PAGE;
	uint64_t room = g_hyp.window_size - WINDOW_S1_POOL_OFF;

	/* Boot-time: the guest has not run.  The stage-2 pool needs about
	 * as much again for the same RAM (docs/hypervisor.md). */
	if (view > room - WINDOW_S1_POOL_BASE)
		hyp_panic(
		        "VM creation failed: the host-side view of the "
		        "protected RAM needs %llu KiB of EL2 tables, more than "
		        "the %llu MiB window holds\n",
		        (unsigned long long)(view / 1024),
		        (unsigned long long)(g_hyp.window_size / MiB));
	return WINDOW_S1_POOL_BASE + view;
}

/*
 * W^X for the image (vhyp.lds aligns the boundaries to 4 KiB): text
 * read-only and executable, rodata (with the GOT and .data.rel.ro, which
 * head.S relocated with the MMU off) read-only, data, bss, stacks, pools
 * and the rest of the window read-write and never executable.
 */
static void map_window(void)
{
	uint64_t w = g_hyp.window_base;
	uint64_t text_end = (uint64_t)(uintptr_t)__text_end;
	uint64_t ro_end = (uint64_t)(uintptr_t)__rodata_end;

	if (!arch_mmu_map_kind(w, text_end - w, S2_MEM_TEXT) ||
	    !arch_mmu_map_kind(text_end, ro_end - text_end, S2_MEM_RODATA) ||
	    !arch_mmu_map(ro_end, w + g_hyp.window_size - ro_end, false))
		hyp_panic("cannot map the hypervisor window at EL2\n");
}

/* Boot-time: a device the hypervisor cannot map is a configuration
 * error, reported before any guest runs. */
static void map_device(const struct fdt_range *r)
{
	if (r->size != 0 && !arch_mmu_map(r->base, r->size, true))
		hyp_panic("cannot map the device at 0x%llx+0x%llx at EL2\n",
		          (unsigned long long)r->base,
		          (unsigned long long)r->size);
}

static void setup_mmu(void)
{
	uint64_t w = g_hyp.window_base;
	uint64_t s1_size = s1_pool_size();

	window_s2_pool_off = WINDOW_S1_POOL_OFF + s1_size;
	if (!arch_mmu_init(w + WINDOW_S1_POOL_OFF, s1_size))
		hyp_panic("EL2 stage-1 pool unusable\n");
	map_window();
	if (g_hyp.board.uart.size)
		map_device(&g_hyp.board.uart);
	if (g_hyp.board.rtc.size)
		map_device(&g_hyp.board.rtc);
	/* The GIC: vhyp moderates the distributor and redistributors
	 * (hyp/vgic) and raises the device models' SPIs. */
	map_device(&g_hyp.board.gicd);
	for (unsigned i = 0; i < g_hyp.board.nr_gicr; i++)
		map_device(&g_hyp.board.gicr[i]);
	if (g_hyp.board.gicc.size)
		map_device(&g_hyp.board.gicc);
	map_disk();
	hyp_pvpanic_map();
	/* QEMU's virtio-mmio transports: for vhyp's disks, EL2 only. */
	if (g_hyp.cmd.disks && g_hyp.board.virtio.size &&
	    !arch_mmu_map(g_hyp.board.virtio.base, g_hyp.board.virtio.size,
	                  true))
		hyp_panic("cannot map the disk transports at EL2\n");
	arch_mmu_enable();
	hyp_console_set_locking(true);
}

/*
 * Pre-build the EL2 tables of the host-side view of protected RAM (entries
 * invalid until SHARE), so that SHARE/UNSHARE never allocate: the pool was
 * sized for it (s1_pool_size), and a failure here is a boot-time error,
 * never a guest-reachable one.
 */
static void prebuild_host_view(void)
{
	for (unsigned i = 0; i < g_hyp.cfg.nr_ram; i++) {
		const struct vhyp_mem_range *r = &g_hyp.cfg.ram[i];

		if (!arch_mmu_host_view_add(r->pa, r->size))
			hyp_panic(
			        "VM creation failed: cannot reserve the EL2 "
			        "tables of the host-side view of 0x%llx+0x%llx "
			        "(%llu table pages free)\n",
			        (unsigned long long)r->pa,
			        (unsigned long long)r->size,
			        (unsigned long long)arch_mmu_free_pages());
	}
}

/*
 * The host side's view of a normal VM's RAM: all of it, mapped at EL2 once
 * at creation (a normal VM has no private memory; its devices may DMA to
 * any of its RAM, as QEMU's would).  The accessor still admits only guest
 * RAM (pmem_host_may_access), so a device model cannot reach the
 * hypervisor window (with the disks' rings) through it.
 */
static void map_normal_vm_ram(void)
{
	if (g_hyp.cfg.protected_vm)
		return;
	for (unsigned i = 0; i < g_hyp.cfg.nr_ram; i++) {
		const struct vhyp_mem_range *r = &g_hyp.cfg.ram[i];

		if (!arch_mmu_map(r->pa, r->size, false))
			hyp_panic("cannot map guest RAM 0x%llx+0x%llx at EL2\n",
			          (unsigned long long)r->pa,
			          (unsigned long long)r->size);
	}
}

static void create_vm(void)
{
	struct vhyp_vm_config *cfg = &g_hyp.cfg;
	uint64_t pool = g_hyp.window_base + window_s2_pool_off;
	size_t pages =
	        (size_t)((g_hyp.window_size - window_s2_pool_off) / PAGE);
	const char *err = "unknown";
	int rc;

	cfg->protected_vm = g_hyp.cmd.protected_vm;
	cfg->features_set = g_hyp.cmd.features_set;
	cfg->features = g_hyp.cmd.features;
	cfg->ipa_bits = 0;
	cfg->cntvoff = 0;
	cfg->vmid = 1;
	add_devices();
	if (arch_have_rng())
		hyp_ops.get_entropy = get_entropy; /* SMCCC TRNG */
	s2_pool_init(&g_hyp.s2_pool, (void *)(uintptr_t)pool, pool, pages);
	rc = vhyp_vm_create(&g_hyp.vm, cfg, &g_hyp.s2_pool, &arch_s2_mmu_ops,
	                    NULL, &hyp_ops, NULL, &g_hyp.clock, &err);
	if (rc)
		hyp_panic("VM creation failed (%d): %s\n", rc, err);
	if (hyp_pv_time_setup(&g_hyp.vm))
		hyp_ops.pv_time_st = hyp_pv_time_st;
	if (cfg->protected_vm)
		prebuild_host_view();
	if (vhyp_vm_ram_range(&g_hyp.vm, g_hyp.cmd.entry, 4) == NULL)
		hyp_panic("guest entry 0x%llx is not in guest RAM\n",
		          (unsigned long long)g_hyp.cmd.entry);
	if (vhyp_vm_ram_range(&g_hyp.vm, g_hyp.cmd.dtb, 64) == NULL)
		hyp_panic("guest DTB 0x%llx is not in guest RAM\n",
		          (unsigned long long)g_hyp.cmd.dtb);
	map_normal_vm_ram();
	(void)hyp_qdisk_init(g_hyp.board.virtio.base, g_hyp.board.virtio.size,
	                     g_hyp.window_base + WINDOW_DMA_OFF,
	                     WINDOW_DMA_SIZE, g_hyp.cmd.disks);
	hyp_devices_setup(&g_hyp.vm, g_hyp.board.uart.size
	                                     ? g_hyp.board.uart.base
	                                     : VHYP_BOARD_UART_BASE);
	hyp_virtio_setup(&g_hyp.vm, g_hyp.cmd.disk_pa,
	                 g_hyp.cmd.have_disk ? g_hyp.cmd.disk_size : 0);
	hyp_vgic_setup(&g_hyp.vm);
	g_hyp.vm_ready = true;
}

static struct hyp_cpu *setup_cpus(void)
{
	uint64_t self = arch_read_mpidr() & MPIDR_AFF_MASK;
	struct hyp_cpu *boot = NULL;

	g_hyp.nr_cpus = g_hyp.board.nr_cpus;
	for (unsigned i = 0; i < g_hyp.nr_cpus; i++) {
		struct hyp_cpu *c = &g_hyp.cpus[i];
		extern uint8_t hyp_stacks[HYP_MAX_CPUS][HYP_STACK_SIZE];
		c->idx = i;
		c->vcpu.idx = i;
		c->vcpu.vm = &g_hyp.vm;
		c->mpidr = g_hyp.board.cpu_mpidr[i];
		c->stack_top = (uintptr_t)&hyp_stacks[i][HYP_STACK_SIZE];
		atomic_init(&c->state, HYP_CPU_OFF);
		if (c->mpidr == self)
			boot = c;
	}
	if (boot == NULL)
		hyp_panic("boot CPU MPIDR 0x%llx not in the DTB\n",
		          (unsigned long long)self);
	atomic_store(&boot->state, HYP_CPU_ON);
	return boot;
}

static void print_map(void)
{
	if (!log_on(LOG_INFO))
		return;
	vlog("window 0x%llx-0x%llx (image 0x%llx-0x%llx, stage-2 pool %llu "
	     "KiB)\n",
	     (unsigned long long)g_hyp.window_base,
	     (unsigned long long)g_hyp.window_base + g_hyp.window_size,
	     (unsigned long long)(uintptr_t)__image_start,
	     (unsigned long long)(uintptr_t)__image_end,
	     (unsigned long long)((g_hyp.window_size - window_s2_pool_off) /
	                          1024));
	for (unsigned i = 0; i < g_hyp.cfg.nr_ram; i++)
		vlog("guest RAM 0x%llx-0x%llx\n",
		     (unsigned long long)g_hyp.cfg.ram[i].ipa,
		     (unsigned long long)g_hyp.cfg.ram[i].ipa +
		             g_hyp.cfg.ram[i].size);
	vlog("GICv%u, %u CPUs, %s VM, features 0x%llx\n",
	     g_hyp.board.gic_version, g_hyp.nr_cpus,
	     g_hyp.cfg.protected_vm ? "protected" : "normal",
	     (unsigned long long)g_hyp.vm.features);
}

/*
 * vhyp.debug_wx=1|2: the W^X self-check.  A store to the hypervisor's own
 * text (1) or a jump into its data (2) must take the EL2 fault path
 * (register dump, exit status 3); returning means W^X does not hold.
 */
static void debug_wx_check(unsigned how)
{
	static uint32_t data_insn[1] = {0xD65F03C0U}; /* ret */

	if (how == 1) {
		volatile uint32_t *text =
		        (volatile uint32_t *)(uintptr_t)&debug_wx_check;

		vlog("vhyp.debug_wx=1: writing to text at 0x%llx\n",
		     (unsigned long long)(uintptr_t)text);
		// cppcheck-suppress selfAssignment ; a store to text, to fault
		*text = *text;
	} else if (how == 2) {
		vlog("vhyp.debug_wx=2: executing data at 0x%llx\n",
		     (unsigned long long)(uintptr_t)data_insn);
		__asm__ volatile("dsb ish\n\tisb" ::: "memory");
		((void (*)(void))(uintptr_t)data_insn)();
	}
	vlog("W^X broken: debug_wx=%u did not fault\n", how);
}

void hyp_main(uint64_t board_dtb);
void hyp_main(uint64_t board_dtb)
{
	struct hyp_cpu *boot;

	read_board(board_dtb);
	/* The command line first: it has the console token (vhyp.token=). */
	if (g_hyp.board.bootargs == NULL ||
	    hyp_cmdline_parse(g_hyp.board.bootargs, g_hyp.board.bootargs_len,
	                      &g_hyp.cmd) != 0)
		hyp_panic("bad or missing command line\n");
	log_set_threshold(g_hyp.cmd.log);
	vlog("starting at EL2, image at 0x%llx, board DTB at 0x%llx\n",
	     (unsigned long long)(uintptr_t)__image_start,
	     (unsigned long long)board_dtb);
	hyp_pvpanic_probe((const void *)(uintptr_t)board_dtb);
	if (!g_hyp.cmd.have_entry || !g_hyp.cmd.have_dtb)
		hyp_panic("vhyp.entry= and vhyp.dtb= are required\n");
	setup_window();
	/* Everything the DTBs say is read before the window's pools are
	 * written: QEMU puts the board DTB right after the image. */
	read_guest_ram();
	setup_mmu();
	anchor_clock();
	boot = setup_cpus();
	create_vm();
	print_map();
	if (g_hyp.cmd.debug_fault == 1) {
		/* An EL2 load from an address mapped nowhere: exercises the
		 * register dump and the panic channel. */
		vlog("vhyp.debug_fault=1: faulting on purpose\n");
		(void)*(volatile uint64_t *)(uintptr_t)0x10;
	}
	/* A broken invariant: CHECK's hook (hyp/check.c), same ending. */
	CHECK(g_hyp.cmd.debug_fault != 2);
	if (g_hyp.cmd.debug_wx)
		debug_wx_check(g_hyp.cmd.debug_wx);
	vlog_info("entering guest at 0x%llx, DTB 0x%llx\n",
	          (unsigned long long)g_hyp.cmd.entry,
	          (unsigned long long)g_hyp.cmd.dtb);
	hyp_cpu_enter_guest(boot, g_hyp.cmd.entry, g_hyp.cmd.dtb);
}
