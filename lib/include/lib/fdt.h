/* SPDX-License-Identifier: MIT */
/*
 * The one flattened device tree reader of vhyp (devicetree specification
 * v0.4; version 17 blobs, version 16 accepted), shared by the hypervisor,
 * the guest runtime, the guest library and every test guest.
 *
 * Bounds-checked and byte-wise: every read is checked against the blob's
 * declared size (itself bounded by the caller's), so a malformed tree gives
 * an error, never a wild read; and no read assumes alignment, so the DTB may
 * sit in Device memory while a guest's MMU is off.
 *
 * Two ways to read a tree:
 *   - fdt_walk(): one pass over every node in document order, with the
 *     parent's #address-cells/#size-cells at hand (the hypervisor's board
 *     parser, which also validates the whole structure block);
 *   - node handles: offsets (int, >= 0) of FDT_BEGIN_NODE tokens in the
 *     structure block, negative meaning "not found" (fdt_path(),
 *     fdt_find_compatible(), fdt_getprop(), fdt_reg(): the guests).
 */
#ifndef LIB_FDT_H
#define LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedU
#define FDT_MAX_DEPTH 16
/* Largest blob a caller without a better bound should accept (the DTB
 * QEMU hands a guest is well under 1 MiB). */
#define FDT_MAX_SIZE  (2U << 20)

/* Errors (returned negated). */
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

/*
 * Checks the header of the blob at `blob` (at most max_size readable bytes:
 * FDT_MAX_SIZE when the caller knows no better) and fills f.  Returns 0 or
 * a negative FDT_ERR_*.
 */
int fdt_open(struct fdt *f, const void *blob, size_t max_size);

/* Total size declared by the header, or 0 if the magic is wrong. */
uint32_t fdt_total_size(const void *blob);

/* Big-endian reads (no alignment assumption). */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);
/* Reads ncells (1 or 2) cells; 0 for other counts. */
uint64_t fdt_cells(const void *p, unsigned ncells);

/*
 * fdt_walk() calls visit() for every node in document order.  depth is 0
 * for the root; addr_cells/size_cells are the parent's #address-cells and
 * #size-cells, which is how this node's reg is to be read.  A non-zero
 * return from visit() stops the walk and is returned; a malformed structure
 * block gives -FDT_ERR_BADSTRUCT (or -FDT_ERR_TOODEEP).
 */
struct fdt_node {
	int offset;       /* of the BEGIN_NODE token in the struct block */
	const char *name; /* with unit address; "" for the root */
	unsigned depth;
	unsigned addr_cells;
	unsigned size_cells;
	const char *parent_name;
};
typedef int (*fdt_visit_fn)(const struct fdt *f, const struct fdt_node *n,
                            void *ctx);
int fdt_walk(const struct fdt *f, fdt_visit_fn visit, void *ctx);

/*
 * The index-th (addr, size) pair of a walked node's reg property, read with
 * the cell counts the walk found.  Returns 0 or -FDT_ERR_MISSING.
 */
int fdt_node_reg(const struct fdt *f, const struct fdt_node *n, unsigned index,
                 struct fdt_range *out);
/* True when the node's name (without the unit address) is base. */
bool fdt_node_name_is(const char *name, const char *base);

/* Root node, or -1. */
int fdt_root(const struct fdt *f);
/*
 * Node at an absolute path such as "/psci" or "/cpus/cpu@1".  A path
 * component without '@' also matches a node name with a unit address
 * ("/memory" finds "/memory@40000000").
 */
int fdt_path(const struct fdt *f, const char *path);
/* Next node in document order after node (any depth), or -1.  *depth is
 * updated relative to its value on entry (+1 for a child). */
int fdt_next_node(const struct fdt *f, int node, int *depth);
/* First child of node, or -1; next sibling, or -1. */
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
/* Parent of node, or -1 for the root. */
int fdt_parent(const struct fdt *f, int node);
/* Name of a node (NUL-terminated inside the blob), or NULL. */
const char *fdt_name(const struct fdt *f, int node);
/* Value of a property and its length, or NULL when absent or malformed. */
const void *fdt_getprop(const struct fdt *f, int node, const char *name,
                        uint32_t *len);
/* True when the property is a string list containing s. */
bool fdt_prop_has_string(const struct fdt *f, int node, const char *name,
                         const char *s);
/* True when the node's "compatible" list contains compat. */
bool fdt_node_is_compatible(const struct fdt *f, int node, const char *compat);
/* False when the node's "status" says it is not there ("disabled"...). */
bool fdt_node_enabled(const struct fdt *f, int node);
/* First node after `after` (-1: from the start) whose "compatible"
 * contains compat, or -1. */
int fdt_find_compatible(const struct fdt *f, int after, const char *compat);
/* A u32 property (one cell), or dflt when absent or malformed. */
uint32_t fdt_u32(const struct fdt *f, int node, const char *name,
                 uint32_t dflt);
/*
 * Entry idx of a node's "reg", decoded with the parent's #address-cells
 * and #size-cells (1 or 2 each; size-cells may be 0).  False if absent.
 */
bool fdt_reg(const struct fdt *f, int node, unsigned idx, uint64_t *addr,
             uint64_t *size);

#endif /* LIB_FDT_H */
