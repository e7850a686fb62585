// SPDX-License-Identifier: MIT
/*
 * The board description the hypervisor reads from the DTB QEMU (or
 * firmware) hands it, on the shared FDT reader (lib/fdt.c).
 */
#include <lib/string.h>

#include "fdt.h"

static bool prop_is_string(const struct fdt *f, int node, const char *name,
                           const char *value)
{
	uint32_t len;
	const char *p = fdt_getprop(f, node, name, &len);

	if (p == NULL || len == 0 || p[len - 1] != '\0')
		return false;
	return strcmp(p, value) == 0;
}

static bool is_memory_node(const struct fdt *f, const struct fdt_node *n)
{
	return n->depth == 1 &&
	       prop_is_string(f, n->offset, "device_type", "memory") &&
	       fdt_node_enabled(f, n->offset);
}

struct mem_ctx {
	struct fdt_range *out;
	unsigned max;
	unsigned count;
};

static int add_memory_regs(const struct fdt *f, const struct fdt_node *n,
                           struct fdt_range *out, unsigned max, unsigned *count)
{
	struct fdt_range r;

	for (unsigned i = 0; fdt_node_reg(f, n, i, &r) == 0; i++) {
		if (r.size == 0)
			continue;
		if (*count >= max)
			return -FDT_ERR_TOOMANY;
		out[(*count)++] = r;
	}
	return 0;
}

static int visit_memory(const struct fdt *f, const struct fdt_node *n,
                        void *ctx)
{
	struct mem_ctx *m = ctx;

	if (!is_memory_node(f, n))
		return 0;
	return add_memory_regs(f, n, m->out, m->max, &m->count);
}

int fdt_parse_memory(const void *blob, size_t max_size, struct fdt_range *out,
                     unsigned max)
{
	struct fdt f;
	struct mem_ctx m = {out, max, 0};
	int rc = fdt_open(&f, blob, max_size);

	if (rc)
		return rc;
	rc = fdt_walk(&f, visit_memory, &m);
	if (rc)
		return rc;
	return (int)m.count;
}

static void parse_gic(const struct fdt *f, const struct fdt_node *n,
                      struct fdt_board *b, unsigned version)
{
	unsigned nr_redist = 1, idx = 1;
	struct fdt_range r;

	if (b->gic_version != 0)
		return; /* first GIC wins */
	b->gic_version = version;
	if (fdt_node_reg(f, n, 0, &b->gicd))
		b->gic_version = 0;
	if (version == 2) {
		(void)fdt_node_reg(f, n, 1, &b->gicc);
		(void)fdt_node_reg(f, n, 2, &b->gich);
		(void)fdt_node_reg(f, n, 3, &b->gicv);
		return;
	}
	nr_redist = fdt_u32(f, n->offset, "#redistributor-regions", 1);
	for (unsigned i = 0; i < nr_redist && b->nr_gicr < FDT_MAX_GICR; i++) {
		if (fdt_node_reg(f, n, idx++, &r))
			break;
		b->gicr[b->nr_gicr++] = r;
	}
	/* GICv3 reg continues with GICC, GICH, GICV (optional). */
	(void)fdt_node_reg(f, n, idx, &b->gicc);
	(void)fdt_node_reg(f, n, idx + 1, &b->gich);
	(void)fdt_node_reg(f, n, idx + 2, &b->gicv);
}

static void widen(struct fdt_range *span, const struct fdt_range *r)
{
	uint64_t end;

	if (span->size == 0) {
		*span = *r;
		return;
	}
	end = span->base + span->size;
	if (r->base < span->base)
		span->base = r->base;
	if (r->base + r->size > end)
		end = r->base + r->size;
	span->size = end - span->base;
}

static int visit_cpu(const struct fdt *f, const struct fdt_node *n,
                     struct fdt_board *b)
{
	struct fdt_range r;

	if (!prop_is_string(f, n->offset, "device_type", "cpu"))
		return 0;
	if (fdt_node_reg(f, n, 0, &r))
		return -FDT_ERR_MISSING;
	if (b->nr_cpus >= FDT_MAX_CPUS)
		return -FDT_ERR_TOOMANY;
	/* reg of a cpu node is the MPIDR affinity (1 or 2 address cells,
	 * no size cells). */
	b->cpu_mpidr[b->nr_cpus++] = r.base;
	return 0;
}

static int visit_board(const struct fdt *f, const struct fdt_node *n, void *ctx)
{
	struct fdt_board *b = ctx;
	struct fdt_range r;

	if (is_memory_node(f, n))
		return add_memory_regs(f, n, b->mem, FDT_MAX_MEM, &b->nr_mem);
	if (n->depth == 1 && fdt_node_name_is(n->name, "chosen")) {
		uint32_t len;
		const char *args = fdt_getprop(f, n->offset, "bootargs", &len);
		if (args != NULL && len > 0 && args[len - 1] == '\0') {
			b->bootargs = args;
			b->bootargs_len = len;
		}
		return 0;
	}
	if (n->depth == 2 && fdt_node_name_is(n->parent_name, "cpus"))
		return visit_cpu(f, n, b);
	if (!fdt_node_enabled(f, n->offset))
		return 0;
	if (fdt_node_is_compatible(f, n->offset, "arm,gic-v3")) {
		parse_gic(f, n, b, 3);
	} else if (fdt_node_is_compatible(f, n->offset, "arm,cortex-a15-gic") ||
	           fdt_node_is_compatible(f, n->offset, "arm,gic-400")) {
		parse_gic(f, n, b, 2);
	} else if (fdt_node_is_compatible(f, n->offset, "arm,pl011")) {
		if (b->uart.size == 0 && fdt_node_reg(f, n, 0, &r) == 0)
			b->uart = r;
	} else if (fdt_node_is_compatible(f, n->offset, "arm,pl031")) {
		if (b->rtc.size == 0 && fdt_node_reg(f, n, 0, &r) == 0)
			b->rtc = r;
	} else if (fdt_node_is_compatible(f, n->offset, "virtio,mmio")) {
		if (fdt_node_reg(f, n, 0, &r) == 0 && r.size != 0)
			widen(&b->virtio, &r);
	}
	return 0;
}

int fdt_parse_board(const void *blob, size_t max_size, struct fdt_board *b)
{
	struct fdt f;
	int rc;
	uint8_t *p = (uint8_t *)b;

	for (size_t i = 0; i < sizeof(*b); i++)
		p[i] = 0;
	rc = fdt_open(&f, blob, max_size);
	if (rc)
		return rc;
	rc = fdt_walk(&f, visit_board, b);
	if (rc)
		return rc;
	if (b->nr_mem == 0 || b->nr_cpus == 0)
		return -FDT_ERR_MISSING;
	return 0;
}
