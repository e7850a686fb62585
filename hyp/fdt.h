/* SPDX-License-Identifier: MIT */
/*
 * A small, bounds-checked flattened device tree reader.
 *
 * Freestanding (stdint/stddef/stdbool only) so that the host unit test can
 * compile it unchanged.  Every read is checked against the blob's declared
 * and actual size: a malformed tree gives an error, never a wild read.
 */
#ifndef HYP_FDT_H
#define HYP_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedU
#define FDT_MAX_DEPTH 16
#define FDT_MAX_MEM   8
#define FDT_MAX_CPUS  8
#define FDT_MAX_GICR  4

/* Errors (negative). */
#define FDT_ERR_BADMAGIC  1
#define FDT_ERR_TRUNCATED 2
#define FDT_ERR_BADSTRUCT 3
#define FDT_ERR_TOODEEP   4
#define FDT_ERR_TOOMANY   5
#define FDT_ERR_MISSING   6

struct fdt {
	const uint8_t *blob;
	uint32_t size;
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
};

struct fdt_range {
	uint64_t base;
	uint64_t size;
};

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

/*
 * Checks the header of the blob at `blob` (at most max_size readable bytes)
 * and fills f.  Returns 0 or a negative FDT_ERR_*.
 */
int fdt_open(struct fdt *f, const void *blob, size_t max_size);

/* Total size declared by the header, or 0 if the magic is wrong. */
uint32_t fdt_total_size(const void *blob);

/*
 * Calls visit() for every node in document order.  depth is 0 for the
 * root; addr_cells/size_cells are the parent's #address-cells and
 * #size-cells, which is how this node's reg is to be read.  A non-zero
 * return from visit() stops the walk and is returned.
 */
struct fdt_node {
	uint32_t offset;  /* of the BEGIN_NODE token in the struct block */
	const char *name; /* with unit address; "" for the root */
	unsigned depth;
	unsigned addr_cells;
	unsigned size_cells;
	const char *parent_name;
};
typedef int (*fdt_visit_fn)(const struct fdt *f, const struct fdt_node *n,
                            void *ctx);
int fdt_walk(const struct fdt *f, fdt_visit_fn visit, void *ctx);

/* Property of the node at offset; NULL when absent or malformed. */
const void *fdt_getprop(const struct fdt *f, uint32_t node_offset,
                        const char *name, uint32_t *len);
/* True when the node's compatible string list contains compat. */
bool fdt_node_is_compatible(const struct fdt *f, uint32_t node_offset,
                            const char *compat);
/* True when the node's name (without the unit address) is base. */
bool fdt_node_name_is(const char *name, const char *base);

/* Big-endian cell reads (no alignment assumption). */
uint32_t fdt_be32(const void *p);
/* Reads ncells (1 or 2) cells; 0 for other counts. */
uint64_t fdt_cells(const void *p, unsigned ncells);

/*
 * The index-th (addr, size) pair of a node's reg property using the given
 * cell counts.  Returns 0 or -FDT_ERR_MISSING.
 */
int fdt_reg(const struct fdt *f, const struct fdt_node *n, unsigned index,
            struct fdt_range *out);

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
