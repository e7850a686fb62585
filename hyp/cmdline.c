// SPDX-License-Identifier: MIT
/*
 * The hypervisor command line (/chosen/bootargs of the board DTB): words
 * `key=value` separated by spaces; see docs/boot-contract.md.
 */
#include <core/vm.h>
#include <lib/parse.h>

#include "hyp.h"

static bool key_is(const char *w, size_t klen, const char *key)
{
	size_t n = strlen(key);

	return klen == n && memcmp(w, key, n) == 0;
}

/* Handles one word; returns false for a malformed value of a known key. */
static bool parse_word(const char *w, size_t len, struct hyp_cmdline *c)
{
	size_t k = 0;
	const char *val;
	size_t vlen;
	uint64_t v;

	while (k < len && w[k] != '=')
		k++;
	if (k == len || !key_is(w, 5, "vhyp.") || k < 5) {
		if (len >= 5 && memcmp(w, "vhyp.", 5) == 0)
			vlog("warning: ignoring '%.*s'\n", (int)len, w);
		return true;
	}
	val = w + k + 1;
	vlen = len - k - 1;
	if (key_is(w, k, "vhyp.token"))
		return hyp_console_set_token(val, vlen);
	if (key_is(w, k, "vhyp.entry")) {
		c->have_entry = parse_u64(val, vlen, &c->entry);
		return c->have_entry;
	}
	if (key_is(w, k, "vhyp.dtb")) {
		c->have_dtb = parse_u64(val, vlen, &c->dtb);
		return c->have_dtb;
	}
	if (key_is(w, k, "vhyp.protected")) {
		if (!parse_u64(val, vlen, &v) || v > 1)
			return false;
		c->protected_vm = v == 1;
		return true;
	}
	if (key_is(w, k, "vhyp.log")) {
		if (!parse_u64(val, vlen, &v) || v > 2)
			return false;
		c->log = (unsigned)v;
		return true;
	}
	if (key_is(w, k, "vhyp.debug_fault")) {
		if (!parse_u64(val, vlen, &v) || v > 2)
			return false;
		c->debug_fault = (unsigned)v;
		return true;
	}
	if (key_is(w, k, "vhyp.debug_wx")) {
		if (!parse_u64(val, vlen, &v) || v > 2)
			return false;
		c->debug_wx = (unsigned)v;
		return true;
	}
	if (key_is(w, k, "vhyp.debug_trap_wfx")) {
		if (!parse_u64(val, vlen, &v) || v > 1)
			return false;
		c->debug_trap_wfx = v == 1;
		return true;
	}
	if (key_is(w, k, "vhyp.disk")) {
		c->have_disk = parse_u64(val, vlen, &c->disk_pa);
		return c->have_disk;
	}
	if (key_is(w, k, "vhyp.disks")) {
		if (!parse_u64(val, vlen, &v) || v > 4)
			return false;
		c->disks = (unsigned)v;
		return true;
	}
	if (key_is(w, k, "vhyp.disk_size"))
		return parse_u64(val, vlen, &c->disk_size);
	if (key_is(w, k, "vhyp.features")) {
		char buf[96];

		if (vlen >= sizeof(buf))
			return false;
		memcpy(buf, val, vlen);
		buf[vlen] = '\0';
		c->features_set = vhyp_features_parse(buf, &c->features);
		return c->features_set;
	}
	vlog("warning: unknown option '%.*s' ignored\n", (int)len, w);
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hyp_cmdline_parse(const char *s, uint32_t len, struct hyp_cmdline *out)
{
	uint32_t i = 0;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	out->log = 1;
	while (i < len && s[i]) {
		uint32_t start;
		while (i < len && is_space(s[i]))
			i++;
		start = i;
		while (i < len && s[i] && !is_space(s[i]))
			i++;
		if (i > start && !parse_word(s + start, i - start, out)) {
			vlog("bad value in '%.*s'\n", (int)(i - start),
			     s + start);
			bad++;
		}
	}
	return bad ? -1 : 0;
}
