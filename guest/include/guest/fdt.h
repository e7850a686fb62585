/* SPDX-License-Identifier: MIT */
/*
 * A tiny, bounds-checked flattened device tree reader for guests.
 *
 * Every read is byte-wise, so it works on a DTB in Device memory (guests
 * that run with the MMU off) and never reads outside the header's
 * totalsize.  Node handles are offsets of FDT_BEGIN_NODE tokens inside the
 * structure block; negative values mean "not found".
 */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vg_fdt {
	const uint8_t *blob;
	uint32_t size;
	uint32_t off_struct;
	uint32_t size_struct;
	uint32_t off_strings;
	uint32_t size_strings;
};

/* Largest blob accepted; guards against a corrupt totalsize. */
#define VG_FDT_MAX_SIZE (2U << 20)

uint32_t vg_be32(const void *p);
uint64_t vg_be64(const void *p);

/* Checks the header (magic, version, block bounds); false if unusable. */
bool vg_fdt_open(struct vg_fdt *fdt, const void *blob);

/* Root node, or -1. */
int vg_fdt_root(const struct vg_fdt *fdt);
/*
 * Node at an absolute path such as "/psci" or "/cpus/cpu@1".  A path
 * component without '@' also matches a node name with a unit address
 * ("/memory" finds "/memory@40000000").
 */
int vg_fdt_path(const struct vg_fdt *fdt, const char *path);
/* Next node in document order after node (any depth), or -1.  *depth is
 * updated relative to its value on entry (+1 for a child). */
int vg_fdt_next_node(const struct vg_fdt *fdt, int node, int *depth);
/* First child of node, or -1; next sibling, or -1. */
int vg_fdt_first_child(const struct vg_fdt *fdt, int node);
int vg_fdt_next_sibling(const struct vg_fdt *fdt, int node);
/* Parent of node, or -1 for the root. */
int vg_fdt_parent(const struct vg_fdt *fdt, int node);
/* Name of a node (NUL-terminated inside the blob), or NULL. */
const char *vg_fdt_name(const struct vg_fdt *fdt, int node);
/* Value of a property and its length, or NULL. */
const uint8_t *vg_fdt_prop(const struct vg_fdt *fdt, int node, const char *name,
                           uint32_t *len);
/* True when the property is a string list containing s. */
bool vg_fdt_prop_has_string(const struct vg_fdt *fdt, int node,
                            const char *name, const char *s);
/* False when the node's "status" says it is not there ("disabled"...). */
bool vg_fdt_node_enabled(const struct vg_fdt *fdt, int node);
/* First node after `after` (-1: from the start) whose "compatible"
 * contains compat, or -1. */
int vg_fdt_find_compatible(const struct vg_fdt *fdt, int after,
                           const char *compat);
/* A u32 property (one cell), or dflt when absent or malformed. */
uint32_t vg_fdt_u32(const struct vg_fdt *fdt, int node, const char *name,
                    uint32_t dflt);
/*
 * Entry idx of a node's "reg", decoded with the parent's #address-cells
 * and #size-cells (1 or 2 each; size-cells may be 0).  False if absent.
 */
bool vg_fdt_reg(const struct vg_fdt *fdt, int node, unsigned idx,
                uint64_t *addr, uint64_t *size);

#endif /* GUEST_FDT_H */
