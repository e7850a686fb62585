// SPDX-License-Identifier: MIT
/*
 * The FDT reader (lib/include/lib/fdt.h).  No libc: the few helpers are
 * local, so the same file builds for EL2, for the guests and for the host
 * tests.
 */
#include <lib/fdt.h>

#define FDT_BEGIN_NODE  1U
#define FDT_END_NODE    2U
#define FDT_PROP        3U
#define FDT_NOP         4U
#define FDT_END         9U
#define FDT_HEADER_SIZE 40U

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return ((uint64_t)fdt_be32(b) << 32) | fdt_be32(b + 4);
}

uint64_t fdt_cells(const void *p, unsigned ncells)
{
	if (ncells == 1)
		return fdt_be32(p);
	if (ncells == 2)
		return fdt_be64(p);
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

	f->blob = NULL;
	f->size = 0;
	f->struct_size = 0;
	if (h == NULL || max_size < FDT_HEADER_SIZE)
		return -FDT_ERR_TRUNCATED;
	if (fdt_be32(h) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	total = fdt_be32(h + 4);
	if (total < FDT_HEADER_SIZE || total > max_size)
		return -FDT_ERR_TRUNCATED;
	/* version (offset 20) 16 or 17; last_comp_version (24) <= 17. */
	if (fdt_be32(h + 20) > 17 || fdt_be32(h + 24) > 17 ||
	    fdt_be32(h + 20) < 16)
		return -FDT_ERR_BADSTRUCT;
	f->struct_off = fdt_be32(h + 8);
	f->strings_off = fdt_be32(h + 12);
	f->strings_size = fdt_be32(h + 32);
	f->struct_size = fdt_be32(h + 36);
	if (!in_bounds(f->struct_off, f->struct_size, total) ||
	    !in_bounds(f->strings_off, f->strings_size, total) ||
	    (f->struct_off & 3U) != 0 || (f->struct_size & 3U) != 0) {
		f->struct_size = 0;
		return -FDT_ERR_TRUNCATED;
	}
	f->blob = h;
	f->size = total;
	return 0;
}

/* Token at struct offset off, or 0 (no token) when off is unaligned or
 * outside the block, or the blob was not opened. */
static uint32_t token_at(const struct fdt *f, uint32_t off)
{
	if (f->blob == NULL || (off & 3U) || !in_bounds(off, 4, f->struct_size))
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

	if (!in_bounds(off, 12, f->struct_size))
		return false;
	plen = fdt_be32(f->blob + f->struct_off + off + 4);
	nameoff = fdt_be32(f->blob + f->struct_off + off + 8);
	if (!in_bounds(off + 12, plen, f->struct_size))
		return false;
	if (nameoff >= f->strings_size)
		return false;
	s = f->blob + f->strings_off + nameoff;
	if (bounded_strlen(s, f->strings_size - nameoff) < 0)
		return false;
	*name = (const char *)s;
	*val = f->blob + f->struct_off + off + 12;
	*len = plen;
	*next = align4(off + 12 + plen);
	return true;
}

/*
 * Offset just past the token at off (and its payload), or 0 on a
 * malformed structure.  *tok receives the token.
 */
static uint32_t skip_token(const struct fdt *f, uint32_t off, uint32_t *tok)
{
	const char *name;
	const uint8_t *val;
	uint32_t len, next;

	*tok = token_at(f, off);
	switch (*tok) {
	case FDT_BEGIN_NODE:
		return node_name(f, off, &next) != NULL ? next : 0;
	case FDT_PROP:
		return prop_at(f, off, &name, &val, &len, &next) ? next : 0;
	case FDT_END_NODE:
	case FDT_NOP:
		return off + 4;
	default:
		return 0;
	}
}

static bool is_node(const struct fdt *f, int node)
{
	return node >= 0 && token_at(f, (uint32_t)node) == FDT_BEGIN_NODE;
}

const void *fdt_getprop(const struct fdt *f, int node, const char *name,
                        uint32_t *len)
{
	uint32_t off;

	if (node < 0 || node_name(f, (uint32_t)node, &off) == NULL)
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

bool fdt_prop_has_string(const struct fdt *f, int node, const char *name,
                         const char *s)
{
	uint32_t len, i = 0;
	const char *list = fdt_getprop(f, node, name, &len);

	if (list == NULL)
		return false;
	while (i < len) {
		int64_t slen =
		        bounded_strlen((const uint8_t *)list + i, len - i);

		if (slen < 0)
			return false; /* not NUL-terminated */
		if (str_eq(list + i, s))
			return true;
		i += (uint32_t)slen + 1U;
	}
	return false;
}

bool fdt_node_is_compatible(const struct fdt *f, int node, const char *compat)
{
	return fdt_prop_has_string(f, node, "compatible", compat);
}

bool fdt_node_enabled(const struct fdt *f, int node)
{
	uint32_t len;
	const char *p = fdt_getprop(f, node, "status", &len);

	if (p == NULL)
		return true;
	if (len == 0 || p[len - 1] != '\0')
		return false;
	return str_eq(p, "okay") || str_eq(p, "ok");
}

uint32_t fdt_u32(const struct fdt *f, int node, const char *name, uint32_t dflt)
{
	uint32_t len;
	const void *p = fdt_getprop(f, node, name, &len);

	return (p != NULL && len == 4) ? fdt_be32(p) : dflt;
}

/* ---- the validating walk ---- */

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
			n.offset = (int)off;
			n.depth = depth;
			/* Defaults of the spec for a parent without the
			 * properties: 2 address cells, 1 size cell. */
			n.addr_cells = depth ? ac[depth - 1] : 2;
			n.size_cells = depth ? sc[depth - 1] : 1;
			n.parent_name = depth ? names[depth - 1] : NULL;
			ac[depth] = fdt_u32(f, n.offset, "#address-cells", 2);
			sc[depth] = fdt_u32(f, n.offset, "#size-cells", 1);
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

/* One (addr, size) entry of a reg property; false when out of range or
 * the cell counts are unusable. */
static bool reg_entry(const struct fdt *f, int node, unsigned idx, unsigned ac,
                      unsigned sc, struct fdt_range *out)
{
	uint32_t len, entry;
	const uint8_t *reg = fdt_getprop(f, node, "reg", &len);

	if (reg == NULL || ac < 1 || ac > 2 || sc > 2)
		return false;
	entry = (ac + sc) * 4U;
	if ((uint64_t)idx * entry + entry > len)
		return false;
	reg += (size_t)idx * entry; /* < len, checked above */
	out->base = fdt_cells(reg, ac);
	out->size = fdt_cells(reg + (size_t)ac * 4U, sc);
	return true;
}

int fdt_node_reg(const struct fdt *f, const struct fdt_node *n, unsigned index,
                 struct fdt_range *out)
{
	return reg_entry(f, n->offset, index, n->addr_cells, n->size_cells, out)
	               ? 0
	               : -FDT_ERR_MISSING;
}

/* ---- navigation by node handle ---- */

int fdt_root(const struct fdt *f)
{
	uint32_t off = 0;

	while (token_at(f, off) == FDT_NOP)
		off += 4;
	return token_at(f, off) == FDT_BEGIN_NODE ? (int)off : -1;
}

int fdt_next_node(const struct fdt *f, int node, int *depth)
{
	uint32_t off, tok;

	if (!is_node(f, node))
		return -1;
	off = skip_token(f, (uint32_t)node, &tok);
	while (off != 0) {
		uint32_t next = skip_token(f, off, &tok);

		if (tok == FDT_BEGIN_NODE) {
			(*depth)++;
			return (int)off;
		}
		if (tok == FDT_END_NODE)
			(*depth)--;
		else if (tok != FDT_PROP && tok != FDT_NOP)
			return -1;
		off = next;
	}
	return -1;
}

int fdt_first_child(const struct fdt *f, int node)
{
	int depth = 0;
	int next = fdt_next_node(f, node, &depth);

	return (next >= 0 && depth == 1) ? next : -1;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	int depth = 0;
	int next = node;

	for (;;) {
		next = fdt_next_node(f, next, &depth);
		if (next < 0 || depth < 0)
			return -1;
		if (depth == 0)
			return next;
	}
}

int fdt_parent(const struct fdt *f, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0;
	int cur = fdt_root(f);

	if (cur < 0 || node == cur)
		return -1;
	stack[0] = cur;
	while (cur >= 0) {
		cur = fdt_next_node(f, cur, &depth);
		if (cur < 0 || depth <= 0 || depth >= FDT_MAX_DEPTH)
			return -1;
		stack[depth] = cur;
		if (cur == node)
			return stack[depth - 1];
	}
	return -1;
}

const char *fdt_name(const struct fdt *f, int node)
{
	uint32_t after;

	if (node < 0)
		return NULL;
	return node_name(f, (uint32_t)node, &after);
}

/* Does node name `name` match path component [comp, comp+len)? */
static bool name_matches(const char *name, const char *comp, uint32_t len)
{
	bool comp_has_unit = false;

	for (uint32_t i = 0; i < len; i++) {
		if (comp[i] == '@')
			comp_has_unit = true;
		if (name[i] != comp[i])
			return false;
	}
	return name[len] == 0 || (!comp_has_unit && name[len] == '@');
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = fdt_root(f);

	if (path == NULL || path[0] != '/')
		return -1;
	while (node >= 0) {
		uint32_t len = 0;
		int child;

		while (*path == '/')
			path++;
		if (*path == 0)
			return node;
		while (path[len] != 0 && path[len] != '/')
			len++;
		for (child = fdt_first_child(f, node); child >= 0;
		     child = fdt_next_sibling(f, child)) {
			const char *name = fdt_name(f, child);

			if (name != NULL && name_matches(name, path, len))
				break;
		}
		node = child;
		path += len;
	}
	return -1;
}

int fdt_find_compatible(const struct fdt *f, int after, const char *compat)
{
	int depth = 0;
	int node = after < 0 ? fdt_root(f) : after;

	if (after < 0 && node >= 0 && fdt_node_is_compatible(f, node, compat))
		return node;
	while (node >= 0) {
		node = fdt_next_node(f, node, &depth);
		if (node >= 0 && fdt_node_is_compatible(f, node, compat))
			return node;
	}
	return -1;
}

bool fdt_reg(const struct fdt *f, int node, unsigned idx, uint64_t *addr,
             uint64_t *size)
{
	int parent = fdt_parent(f, node);
	struct fdt_range r;

	if (parent < 0 ||
	    !reg_entry(f, node, idx, fdt_u32(f, parent, "#address-cells", 2),
	               fdt_u32(f, parent, "#size-cells", 1), &r))
		return false;
	*addr = r.base;
	*size = r.size;
	return true;
}
