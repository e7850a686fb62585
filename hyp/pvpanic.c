// SPDX-License-Identifier: MIT
/*
 * The panic channel: QEMU's pvpanic-pci device (PCI 1b36:0011), which the
 * runner adds with `-device pvpanic-pci -action panic=exit-failure`.  A
 * write of PANICKED (bit 0) to its BAR0 makes QEMU stop and exit with
 * status 1; the runner reads that, together with the marked "panic:" line,
 * as a hypervisor panic.  See docs/hypervisor.md, "Panic".
 *
 * There is no firmware, so the hypervisor finds the device itself at boot,
 * with the EL2 MMU still off: the board DTB's PCIe host bridge
 * (pci-host-ecam-generic) gives the ECAM and the 32-bit MMIO window; bus 0
 * is scanned for the device, BAR0 placed at the window's start and memory
 * decode enabled.  Only BAR0's page is then mapped at EL2.  No guest sees
 * the ECAM or the PCIe windows: they are in no stage 2 (hyp/main.c
 * add_devices) and in no guest DTB (the runner removes the pcie node).
 *
 * Without the device (a real board, or QEMU started by hand) a panic ends
 * with the CPU parked, interrupts masked, after the register dump.
 */
#include "arch.h"
#include "fdt.h"
#include "hyp.h"
#include "sysreg.h"

#define PCI_VENDOR_REDHAT     0x1b36U
#define PCI_DEVICE_PVPANIC    0x0011U
#define PCI_ID                0x00U
#define PCI_COMMAND           0x04U
#define PCI_COMMAND_MEMORY    0x0002U
#define PCI_BAR0              0x10U
#define PCI_BAR_IO            0x1U
#define PCI_BAR_TYPE_MASK     0x6U
#define PCI_BAR_TYPE_64       0x4U
#define PCI_RANGE_SPACE_MASK  0x03000000U
#define PCI_RANGE_SPACE_MEM32 0x02000000U
#define ECAM_DEV_SHIFT        15U
#define ECAM_BUS0_DEVICES     32U
#define PVPANIC_PANICKED      0x1U
#define PAGE                  4096ULL

struct pcie_host {
	uint64_t ecam;
	uint64_t ecam_size;
	uint64_t mmio;
	uint64_t mmio_size;
};

/* Physical address of the device's BAR0, 0 when there is no device. */
static uint64_t pvpanic_bar;

/* The first 32-bit memory range of a PCI host bridge's ranges property
 * (3 child address cells, 2 parent address cells, 2 size cells). */
static bool read_mmio32_range(const struct fdt *f, const struct fdt_node *n,
                              struct pcie_host *h)
{
	const uint8_t *p;
	uint32_t len;
	const uint32_t entry = 7U * 4U;

	p = fdt_getprop(f, n->offset, "#address-cells", &len);
	if (p == NULL || len != 4 || fdt_be32(p) != 3)
		return false;
	p = fdt_getprop(f, n->offset, "#size-cells", &len);
	if (p == NULL || len != 4 || fdt_be32(p) != 2 || n->addr_cells != 2)
		return false;
	p = fdt_getprop(f, n->offset, "ranges", &len);
	if (p == NULL)
		return false;
	for (uint32_t off = 0; off + entry <= len; off += entry) {
		const uint8_t *e = p + off;
		uint64_t pci = fdt_cells(e + 4, 2);
		uint64_t cpu = fdt_cells(e + 12, 2);
		uint64_t size = fdt_cells(e + 20, 2);

		/* Identity-mapped and below 4 GiB: a 32-bit BAR can hold it. */
		if ((fdt_be32(e) & PCI_RANGE_SPACE_MASK) !=
		            PCI_RANGE_SPACE_MEM32 ||
		    pci != cpu || size < PAGE || cpu + size > (1ULL << 32))
			continue;
		h->mmio = cpu;
		h->mmio_size = size;
		return true;
	}
	return false;
}

static int find_host(const struct fdt *f, const struct fdt_node *n, void *ctx)
{
	struct pcie_host *h = ctx;
	struct fdt_range ecam;

	if (!fdt_node_is_compatible(f, n->offset, "pci-host-ecam-generic") ||
	    fdt_node_reg(f, n, 0, &ecam) != 0 || ecam.size < (1ULL << 20))
		return 0;
	if (!read_mmio32_range(f, n, h))
		return 0;
	h->ecam = ecam.base;
	h->ecam_size = ecam.size;
	return 1;
}

static volatile uint32_t *ecam_reg(const struct pcie_host *h, unsigned dev,
                                   unsigned reg)
{
	return (volatile uint32_t *)(uintptr_t)(h->ecam +
	                                        ((uint64_t)dev
	                                         << ECAM_DEV_SHIFT) +
	                                        reg);
}

/* Bus 0, function 0 of each device: the device number, or -1. */
static int find_device(const struct pcie_host *h)
{
	for (unsigned dev = 0; dev < ECAM_BUS0_DEVICES; dev++) {
		uint32_t id = *ecam_reg(h, dev, PCI_ID);

		if (id == (PCI_VENDOR_REDHAT | PCI_DEVICE_PVPANIC << 16))
			return (int)dev;
	}
	return -1;
}

void hyp_pvpanic_probe(const void *board_dtb)
{
	struct pcie_host h = {0};
	struct fdt f;
	uint32_t bar;
	int dev;

	if (fdt_open(&f, board_dtb, fdt_total_size(board_dtb)) != 0 ||
	    fdt_walk(&f, find_host, &h) != 1) {
		vlog("no PCIe host bridge: a panic parks the CPU\n");
		return;
	}
	dev = find_device(&h);
	if (dev < 0) {
		vlog("no pvpanic-pci device: a panic parks the CPU\n");
		return;
	}
	*ecam_reg(&h, (unsigned)dev, PCI_COMMAND) = 0;
	*ecam_reg(&h, (unsigned)dev, PCI_BAR0) = (uint32_t)h.mmio;
	bar = *ecam_reg(&h, (unsigned)dev, PCI_BAR0);
	if ((bar & PCI_BAR_IO) ||
	    (bar & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64 ||
	    (bar & ~0xFU) != (uint32_t)h.mmio) {
		vlog("pvpanic-pci BAR0 0x%x unusable: a panic parks the CPU\n",
		     bar);
		return;
	}
	*ecam_reg(&h, (unsigned)dev, PCI_COMMAND) = PCI_COMMAND_MEMORY;
	if (!(*(volatile uint8_t *)(uintptr_t)h.mmio & PVPANIC_PANICKED)) {
		vlog("pvpanic-pci does not offer PANICKED: a panic parks the "
		     "CPU\n");
		return;
	}
	pvpanic_bar = h.mmio;
	vlog_info("pvpanic-pci at 00:%02x.0, BAR0 0x%llx: hypervisor panics "
	          "end QEMU\n",
	          (unsigned)dev, (unsigned long long)pvpanic_bar);
}

void hyp_pvpanic_map(void)
{
	if (pvpanic_bar)
		arch_mmu_map(pvpanic_bar, PAGE, true);
}

_Noreturn void hyp_stop_after_panic(void)
{
	if (pvpanic_bar) {
		dsb(sy);
		*(volatile uint8_t *)(uintptr_t)pvpanic_bar = PVPANIC_PANICKED;
		dsb(sy);
	}
	/* No device, or QEMU has not stopped this CPU yet. */
	arch_park();
}
