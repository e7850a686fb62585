// SPDX-License-Identifier: MIT
/*
 * Flattened device tree reader (devicetree specification v0.4, version 17
 * blobs; version 16 accepted).  No libc: the helpers below are local so the
 * same file builds for EL2 and for the host test.
 */
#include "fdt.h"

#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE   2U
#define FDT_PROP       3U
#define FDT_NOP        4U
#define FDT_END        9U

#define FDT_HEADER_SIZE 40U

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

uint64_t fdt_cells(const void *p, unsigned ncells)
{
	const uint8_t *b = p;
	if (ncells == 1)
		return fdt_be32(b);
	if (ncells == 2)
		return ((uint64_t)fdt_be32(b) << 32) | fdt_be32(b + 4);
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

bool fdt_node_name_is(const char *name, const char *base)
{
	while (*base && *name == *base) {
		name++;
		base++;
	}
	return *base == '\0' && (*name == '\0' || *name == '@');
}

uint32_t fdt_total_size(const void *blob)
{
	if (fdt_be32(blob) != FDT_MAGIC)
		return 0;
	return fdt_be32((const uint8_t *)blob + 4);
}

/* [off, off+len) inside [0, limit) without overflow. */
static bool in_bounds(uint32_t off, uint32_t len, uint32_t limit)
{
	return off <= limit && len <= limit - off;
}

int fdt_open(struct fdt *f, const void *blob, size_t max_size)
{
	const uint8_t *h = blob;
	uint32_t total;

	if (max_size < FDT_HEADER_SIZE)
		return -FDT_ERR_TRUNCATED;
	if (fdt_be32(h) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	total = fdt_be32(h + 4);
	if (total < FDT_HEADER_SIZE || total > max_size)
		return -FDT_ERR_TRUNCATED;
	if (fdt_be32(h + 20) > 17 || fdt_be32(h + 24) > 17 ||
	    fdt_be32(h + 20) < 16)
		return -FDT_ERR_BADSTRUCT;
	f->blob = h;
	f->size = total;
	f->struct_off = fdt_be32(h + 8);
	f->strings_off = fdt_be32(h + 12);
	f->strings_size = fdt_be32(h + 32);
	f->struct_size = fdt_be32(h + 36);
	if (!in_bounds(f->struct_off, f->struct_size, total) ||
	    !in_bounds(f->strings_off, f->strings_size, total) ||
	    (f->struct_off & 3U) != 0)
		return -FDT_ERR_TRUNCATED;
	return 0;
}

/* Token at struct offset off, or 0 when off is outside the block. */
static uint32_t token_at(const struct fdt *f, uint32_t off)
{
	if ((off & 3U) || !in_bounds(off, 4, f->struct_size))
		return 0;
	return fdt_be32(f->blob + f->struct_off + off);
}

/* Length of a NUL-terminated string starting at p with at most max bytes
 * available, or -1 when there is no NUL in range. */
static int64_t bounded_strlen(const uint8_t *p, uint32_t max)
{
	for (uint32_t i = 0; i < max; i++) {
		if (p[i] == '\0')
			return i;
	}
	return -1;
}

static uint32_t align4(uint32_t v)
{
	return (v + 3U) & ~3U;
}

/* Name of the node whose BEGIN_NODE token is at off; NULL if malformed.
 * *after receives the offset just past the (padded) name. */
static const char *node_name(const struct fdt *f, uint32_t off, uint32_t *after)
{
	const uint8_t *p;
	int64_t len;

	if (token_at(f, off) != FDT_BEGIN_NODE)
		return NULL;
	off += 4;
	p = f->blob + f->struct_off + off;
	len = bounded_strlen(p, f->struct_size - off);
	if (len < 0)
		return NULL;
	*after = align4(off + (uint32_t)len + 1U);
	return (const char *)p;
}

/* Property at off (an FDT_PROP token): name, value, length; the offset of
 * the next token in *next.  False when malformed. */
static bool prop_at(const struct fdt *f, uint32_t off, const char **name,
                    const uint8_t **val, uint32_t *len, uint32_t *next)
{
	uint32_t plen, nameoff;
	const uint8_t *s;
	int64_t slen;

	if (!in_bounds(off, 12, f->struct_size))
		return false;
	plen = fdt_be32(f->blob + f->struct_off + off + 4);
	nameoff = fdt_be32(f->blob + f->struct_off + off + 8);
	if (!in_bounds(off + 12, plen, f->struct_size))
		return false;
	if (nameoff >= f->strings_size)
		return false;
	s = f->blob + f->strings_off + nameoff;
	slen = bounded_strlen(s, f->strings_size - nameoff);
	if (slen < 0)
		return false;
	*name = (const char *)s;
	*val = f->blob + f->struct_off + off + 12;
	*len = plen;
	*next = align4(off + 12 + plen);
	return true;
}

const void *fdt_getprop(const struct fdt *f, uint32_t node_offset,
                        const char *name, uint32_t *len)
{
	uint32_t off;

	if (node_name(f, node_offset, &off) == NULL)
		return NULL;
	for (;;) {
		uint32_t tok = token_at(f, off);
		const char *pname;
		const uint8_t *val;
		uint32_t plen, next;

		if (tok == FDT_NOP) {
			off += 4;
			continue;
		}
		if (tok != FDT_PROP)
			return NULL; /* properties precede subnodes */
		if (!prop_at(f, off, &pname, &val, &plen, &next))
			return NULL;
		if (str_eq(pname, name)) {
			if (len)
				*len = plen;
			return val;
		}
		off = next;
	}
}

bool fdt_node_is_compatible(const struct fdt *f, uint32_t node_offset,
                            const char *compat)
{
	uint32_t len, i = 0;
	const char *list = fdt_getprop(f, node_offset, "compatible", &len);

	if (list == NULL)
		return false;
	while (i < len) {
		int64_t slen =
		        bounded_strlen((const uint8_t *)list + i, len - i);
		if (slen < 0)
			return false;
		if (str_eq(list + i, compat))
			return true;
		i += (uint32_t)slen + 1U;
	}
	return false;
}

static unsigned cells_prop(const struct fdt *f, uint32_t node, const char *name,
                           unsigned dflt)
{
	uint32_t len;
	const void *p = fdt_getprop(f, node, name, &len);

	if (p == NULL || len != 4)
		return dflt;
	return fdt_be32(p);
}

int fdt_walk(const struct fdt *f, fdt_visit_fn visit, void *ctx)
{
	/* Per depth: this node's own #address-cells/#size-cells and name,
	 * which its children read their reg with. */
	unsigned ac[FDT_MAX_DEPTH + 1], sc[FDT_MAX_DEPTH + 1];
	const char *names[FDT_MAX_DEPTH + 1];
	unsigned depth = 0; /* number of open nodes */
	uint32_t off = 0;
	bool seen_root = false;

	for (;;) {
		uint32_t tok = token_at(f, off);

		switch (tok) {
		case FDT_BEGIN_NODE: {
			struct fdt_node n;
			uint32_t after;
			int rc;

			if (depth == 0 && seen_root)
				return -FDT_ERR_BADSTRUCT; /* second root */
			if (depth >= FDT_MAX_DEPTH)
				return -FDT_ERR_TOODEEP;
			n.name = node_name(f, off, &after);
			if (n.name == NULL)
				return -FDT_ERR_BADSTRUCT;
			n.offset = off;
			n.depth = depth;
			/* Defaults of the spec for a parent without the
			 * properties: 2 address cells, 1 size cell. */
			n.addr_cells = depth ? ac[depth - 1] : 2;
			n.size_cells = depth ? sc[depth - 1] : 1;
			n.parent_name = depth ? names[depth - 1] : NULL;
			ac[depth] = cells_prop(f, off, "#address-cells", 2);
			sc[depth] = cells_prop(f, off, "#size-cells", 1);
			names[depth] = n.name;
			seen_root = true;
			depth++;
			rc = visit(f, &n, ctx);
			if (rc)
				return rc;
			off = after;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return -FDT_ERR_BADSTRUCT;
			depth--;
			off += 4;
			break;
		case FDT_PROP: {
			const char *pname;
			const uint8_t *val;
			uint32_t plen, next;

			if (depth == 0 ||
			    !prop_at(f, off, &pname, &val, &plen, &next))
				return -FDT_ERR_BADSTRUCT;
			off = next;
			break;
		}
		case FDT_NOP:
			off += 4;
			break;
		case FDT_END:
			if (depth != 0 || !seen_root)
				return -FDT_ERR_BADSTRUCT;
			return 0;
		default:
			return -FDT_ERR_BADSTRUCT;
		}
	}
}

int fdt_reg(const struct fdt *f, const struct fdt_node *n, unsigned index,
            struct fdt_range *out)
{
	uint32_t len, entry;
	const uint8_t *reg = fdt_getprop(f, n->offset, "reg", &len);

	if (reg == NULL || n->addr_cells < 1 || n->addr_cells > 2 ||
	    n->size_cells > 2)
		return -FDT_ERR_MISSING;
	entry = (n->addr_cells + n->size_cells) * 4U;
	if ((uint64_t)(index + 1U) * entry > len)
		return -FDT_ERR_MISSING;
	reg += (size_t)index * entry;
	out->base = fdt_cells(reg, n->addr_cells);
	out->size = n->size_cells ? fdt_cells(reg + (size_t)n->addr_cells * 4U,
	                                      n->size_cells)
	                          : 0;
	return 0;
}

static bool prop_is_string(const struct fdt *f, uint32_t node, const char *name,
                           const char *value)
{
	uint32_t len;
	const char *p = fdt_getprop(f, node, name, &len);

	if (p == NULL || len == 0 || p[len - 1] != '\0')
		return false;
	return str_eq(p, value);
}

/* "status" absent or "okay"/"ok". */
static bool node_enabled(const struct fdt *f, uint32_t node)
{
	uint32_t len;
	const char *p = fdt_getprop(f, node, "status", &len);

	if (p == NULL)
		return true;
	if (len == 0 || p[len - 1] != '\0')
		return false;
	return str_eq(p, "okay") || str_eq(p, "ok");
}

static bool is_memory_node(const struct fdt *f, const struct fdt_node *n)
{
	return n->depth == 1 &&
	       prop_is_string(f, n->offset, "device_type", "memory") &&
	       node_enabled(f, n->offset);
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

	for (unsigned i = 0; fdt_reg(f, n, i, &r) == 0; i++) {
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
	if (fdt_reg(f, n, 0, &b->gicd))
		b->gic_version = 0;
	if (version == 2) {
		(void)fdt_reg(f, n, 1, &b->gicc);
		(void)fdt_reg(f, n, 2, &b->gich);
		(void)fdt_reg(f, n, 3, &b->gicv);
		return;
	}
	nr_redist = cells_prop(f, n->offset, "#redistributor-regions", 1);
	for (unsigned i = 0; i < nr_redist && b->nr_gicr < FDT_MAX_GICR; i++) {
		if (fdt_reg(f, n, idx++, &r))
			break;
		b->gicr[b->nr_gicr++] = r;
	}
	/* GICv3 reg continues with GICC, GICH, GICV (optional). */
	(void)fdt_reg(f, n, idx, &b->gicc);
	(void)fdt_reg(f, n, idx + 1, &b->gich);
	(void)fdt_reg(f, n, idx + 2, &b->gicv);
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
	if (fdt_reg(f, n, 0, &r))
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
	if (!node_enabled(f, n->offset))
		return 0;
	if (fdt_node_is_compatible(f, n->offset, "arm,gic-v3")) {
		parse_gic(f, n, b, 3);
	} else if (fdt_node_is_compatible(f, n->offset, "arm,cortex-a15-gic") ||
	           fdt_node_is_compatible(f, n->offset, "arm,gic-400")) {
		parse_gic(f, n, b, 2);
	} else if (fdt_node_is_compatible(f, n->offset, "arm,pl011")) {
		if (b->uart.size == 0 && fdt_reg(f, n, 0, &r) == 0)
			b->uart = r;
	} else if (fdt_node_is_compatible(f, n->offset, "arm,pl031")) {
		if (b->rtc.size == 0 && fdt_reg(f, n, 0, &r) == 0)
			b->rtc = r;
	} else if (fdt_node_is_compatible(f, n->offset, "virtio,mmio")) {
		if (fdt_reg(f, n, 0, &r) == 0 && r.size != 0)
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
