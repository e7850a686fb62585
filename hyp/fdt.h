/* SPDX-License-Identifier: MIT */
/*
 * What the hypervisor reads from the board's device tree, on the shared
 * FDT reader (lib/include/lib/fdt.h).
 */
#ifndef HYP_FDT_H
#define HYP_FDT_H

#include <lib/fdt.h>

#define FDT_MAX_MEM  8
#define FDT_MAX_CPUS 8
#define FDT_MAX_GICR 4

/* What the hypervisor needs to know about the board. */
struct fdt_board {
	struct fdt_range mem[FDT_MAX_MEM];
	unsigned nr_mem;
	uint64_t cpu_mpidr[FDT_MAX_CPUS]; /* in DT order: index = vCPU id */
	unsigned nr_cpus;
	unsigned gic_version; /* 2 or 3; 0 when none was found */
	struct fdt_range gicd;
	struct fdt_range gicr[FDT_MAX_GICR]; /* GICv3 redistributor regions */
	unsigned nr_gicr;
	struct fdt_range gicc;   /* GICv2 CPU interface */
	struct fdt_range gich;   /* GICv2 virtual interface control */
	struct fdt_range gicv;   /* GICv2 virtual CPU interface */
	struct fdt_range uart;   /* first arm,pl011 */
	struct fdt_range rtc;    /* first arm,pl031 */
	struct fdt_range virtio; /* span of all virtio,mmio transports */
	const char *bootargs;    /* /chosen/bootargs inside the blob, or NULL */
	uint32_t bootargs_len;   /* including the terminating NUL */
};

/* Board description from the DTB QEMU (or firmware) hands the hypervisor. */
int fdt_parse_board(const void *blob, size_t max_size, struct fdt_board *b);

/*
 * Memory ranges (device_type = "memory" nodes, all reg entries, in order)
 * of a DTB.  Returns the number found (0..max) or a negative FDT_ERR_*;
 * -FDT_ERR_TOOMANY when there are more than max.
 */
int fdt_parse_memory(const void *blob, size_t max_size, struct fdt_range *out,
                     unsigned max);

#endif /* HYP_FDT_H */
