// SPDX-License-Identifier: MIT
/*
 * Guest-side FDT reader (see guest/include/guest/fdt.h).  Byte-wise reads
 * only: the DTB may sit in Device memory while the guest's MMU is off.
 */
#include <guest/fdt.h>

#define FDT_MAGIC       0xd00dfeedU
#define FDT_BEGIN_NODE  1U
#define FDT_END_NODE    2U
#define FDT_PROP        3U
#define FDT_NOP         4U
#define FDT_END         9U
#define FDT_HEADER_SIZE 40U
#define FDT_MAX_DEPTH   32

uint32_t vg_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

uint64_t vg_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)vg_be32(b) << 32 | vg_be32(b + 4);
}

static bool range_ok(uint32_t off, uint32_t len, uint32_t limit)
{
	return off <= limit && len <= limit - off;
}

bool vg_fdt_open(struct vg_fdt *fdt, const void *blob)
{
	const uint8_t *b = blob;
	uint32_t size;

	fdt->blob = NULL;
	if (b == NULL || vg_be32(b) != FDT_MAGIC)
		return false;
	size = vg_be32(b + 4);
	if (size < FDT_HEADER_SIZE || size > VG_FDT_MAX_SIZE)
		return false;
	/* last_comp_version (offset 24) must be <= 17. */
	if (vg_be32(b + 20) < 16 || vg_be32(b + 24) > 17)
		return false;
	fdt->off_struct = vg_be32(b + 8);
	fdt->off_strings = vg_be32(b + 12);
	fdt->size_strings = vg_be32(b + 32);
	fdt->size_struct = vg_be32(b + 36);
	if ((fdt->off_struct & 3U) != 0 || (fdt->size_struct & 3U) != 0 ||
	    !range_ok(fdt->off_struct, fdt->size_struct, size) ||
	    !range_ok(fdt->off_strings, fdt->size_strings, size))
		return false;
	fdt->blob = b;
	fdt->size = size;
	return true;
}

/* Token at structure offset off, or FDT_END when out of bounds. */
static uint32_t token_at(const struct vg_fdt *fdt, uint32_t off)
{
	if (fdt->blob == NULL || !range_ok(off, 4, fdt->size_struct))
		return FDT_END;
	return vg_be32(fdt->blob + fdt->off_struct + off);
}

/* Length of a NUL-terminated string at blob offset `at` that must end
 * before `limit`, or -1. */
static int32_t bounded_strlen(const struct vg_fdt *fdt, uint32_t at,
                              uint32_t limit)
{
	uint32_t i;

	for (i = at; i < limit; i++)
		if (fdt->blob[i] == 0)
			return (int32_t)(i - at);
	return -1;
}

/*
 * Offset just past the token at off (and its payload), or 0 on a
 * malformed structure.  *tok receives the token.
 */
static uint32_t skip_token(const struct vg_fdt *fdt, uint32_t off,
                           uint32_t *tok)
{
	uint32_t base = fdt->off_struct;
	uint32_t end = fdt->size_struct;
	int32_t n;
	uint32_t len;

	*tok = token_at(fdt, off);
	switch (*tok) {
	case FDT_BEGIN_NODE:
		n = bounded_strlen(fdt, base + off + 4, base + end);
		if (n < 0)
			return 0;
		return (off + 4 + (uint32_t)n + 1 + 3) & ~3U;
	case FDT_PROP:
		if (!range_ok(off, 12, end))
			return 0;
		len = vg_be32(fdt->blob + base + off + 4);
		if (!range_ok(off + 12, len, end))
			return 0;
		return (off + 12 + len + 3) & ~3U;
	case FDT_END_NODE:
	case FDT_NOP:
		return off + 4;
	default:
		return 0;
	}
}

int vg_fdt_root(const struct vg_fdt *fdt)
{
	uint32_t off = 0;
	uint32_t tok;

	while (token_at(fdt, off) == FDT_NOP)
		off += 4;
	tok = token_at(fdt, off);
	return tok == FDT_BEGIN_NODE ? (int)off : -1;
}

int vg_fdt_next_node(const struct vg_fdt *fdt, int node, int *depth)
{
	uint32_t off, tok;

	if (node < 0 || token_at(fdt, (uint32_t)node) != FDT_BEGIN_NODE)
		return -1;
	off = skip_token(fdt, (uint32_t)node, &tok);
	while (off != 0) {
		uint32_t next = skip_token(fdt, off, &tok);

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

int vg_fdt_first_child(const struct vg_fdt *fdt, int node)
{
	int depth = 0;
	int next = vg_fdt_next_node(fdt, node, &depth);

	return (next >= 0 && depth == 1) ? next : -1;
}

int vg_fdt_next_sibling(const struct vg_fdt *fdt, int node)
{
	int depth = 0;
	int next = node;

	for (;;) {
		next = vg_fdt_next_node(fdt, next, &depth);
		if (next < 0 || depth < 0)
			return -1;
		if (depth == 0)
			return next;
	}
}

int vg_fdt_parent(const struct vg_fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0;
	int cur = vg_fdt_root(fdt);

	if (cur < 0 || node == cur)
		return -1;
	stack[0] = cur;
	while (cur >= 0) {
		cur = vg_fdt_next_node(fdt, cur, &depth);
		if (cur < 0 || depth <= 0 || depth >= FDT_MAX_DEPTH)
			return -1;
		stack[depth] = cur;
		if (cur == node)
			return stack[depth - 1];
	}
	return -1;
}

const char *vg_fdt_name(const struct vg_fdt *fdt, int node)
{
	if (node < 0 || token_at(fdt, (uint32_t)node) != FDT_BEGIN_NODE)
		return NULL;
	if (bounded_strlen(fdt, fdt->off_struct + (uint32_t)node + 4,
	                   fdt->off_struct + fdt->size_struct) < 0)
		return NULL;
	return (const char *)fdt->blob + fdt->off_struct + node + 4;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a != 0 && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Does node name `name` match path component [comp, comp+len)? */
static bool name_matches(const char *name, const char *comp, uint32_t len)
{
	uint32_t i;
	bool comp_has_unit = false;

	for (i = 0; i < len; i++) {
		if (comp[i] == '@')
			comp_has_unit = true;
		if (name[i] != comp[i])
			return false;
	}
	return name[len] == 0 || (!comp_has_unit && name[len] == '@');
}

int vg_fdt_path(const struct vg_fdt *fdt, const char *path)
{
	int node = vg_fdt_root(fdt);

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
		for (child = vg_fdt_first_child(fdt, node); child >= 0;
		     child = vg_fdt_next_sibling(fdt, child)) {
			const char *name = vg_fdt_name(fdt, child);

			if (name != NULL && name_matches(name, path, len))
				break;
		}
		node = child;
		path += len;
	}
	return -1;
}

const uint8_t *vg_fdt_prop(const struct vg_fdt *fdt, int node, const char *name,
                           uint32_t *len)
{
	uint32_t off, tok;

	if (node < 0 || token_at(fdt, (uint32_t)node) != FDT_BEGIN_NODE)
		return NULL;
	off = skip_token(fdt, (uint32_t)node, &tok);
	while (off != 0) {
		uint32_t next = skip_token(fdt, off, &tok);
		const uint8_t *p;
		uint32_t nameoff, plen;

		if (next == 0 || tok == FDT_BEGIN_NODE || tok == FDT_END_NODE)
			return NULL;
		if (tok == FDT_PROP) {
			p = fdt->blob + fdt->off_struct + off;
			plen = vg_be32(p + 4);
			nameoff = vg_be32(p + 8);
			if (nameoff < fdt->size_strings &&
			    bounded_strlen(fdt, fdt->off_strings + nameoff,
			                   fdt->off_strings +
			                           fdt->size_strings) >= 0 &&
			    str_eq((const char *)fdt->blob + fdt->off_strings +
			                   nameoff,
			           name)) {
				if (len != NULL)
					*len = plen;
				return p + 12;
			}
		}
		off = next;
	}
	return NULL;
}

bool vg_fdt_prop_has_string(const struct vg_fdt *fdt, int node,
                            const char *name, const char *s)
{
	uint32_t len, i = 0;
	const uint8_t *p = vg_fdt_prop(fdt, node, name, &len);

	if (p == NULL)
		return false;
	while (i < len) {
		uint32_t j = i;

		while (j < len && p[j] != 0)
			j++;
		if (j == len)
			return false; /* not NUL-terminated */
		if (str_eq((const char *)p + i, s))
			return true;
		i = j + 1;
	}
	return false;
}

bool vg_fdt_node_enabled(const struct vg_fdt *fdt, int node)
{
	if (vg_fdt_prop(fdt, node, "status", NULL) == NULL)
		return true;
	return vg_fdt_prop_has_string(fdt, node, "status", "okay") ||
	       vg_fdt_prop_has_string(fdt, node, "status", "ok");
}

int vg_fdt_find_compatible(const struct vg_fdt *fdt, int after,
                           const char *compat)
{
	int depth = 0;
	int node = after < 0 ? vg_fdt_root(fdt) : after;

	if (after < 0 && node >= 0 &&
	    vg_fdt_prop_has_string(fdt, node, "compatible", compat))
		return node;
	while (node >= 0) {
		node = vg_fdt_next_node(fdt, node, &depth);
		if (node >= 0 &&
		    vg_fdt_prop_has_string(fdt, node, "compatible", compat))
			return node;
	}
	return -1;
}

uint32_t vg_fdt_u32(const struct vg_fdt *fdt, int node, const char *name,
                    uint32_t dflt)
{
	uint32_t len;
	const uint8_t *p = vg_fdt_prop(fdt, node, name, &len);

	return (p != NULL && len == 4) ? vg_be32(p) : dflt;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	return cells == 2 ? vg_be64(p) : cells == 1 ? vg_be32(p) : 0;
}

bool vg_fdt_reg(const struct vg_fdt *fdt, int node, unsigned idx,
                uint64_t *addr, uint64_t *size)
{
	int parent = vg_fdt_parent(fdt, node);
	uint32_t ac, sc, len, entry;
	const uint8_t *p;

	if (parent < 0)
		return false;
	ac = vg_fdt_u32(fdt, parent, "#address-cells", 2);
	sc = vg_fdt_u32(fdt, parent, "#size-cells", 1);
	if (ac < 1 || ac > 2 || sc > 2)
		return false;
	p = vg_fdt_prop(fdt, node, "reg", &len);
	entry = (ac + sc) * 4;
	if (p == NULL || idx >= len / entry)
		return false;
	p += idx * entry;
	*addr = read_cells(p, ac);
	*size = read_cells(p + ac * 4, sc);
	return true;
}
