/* SPDX-License-Identifier: MIT */
/*
 * Marked hypervisor console lines (docs/runner.md, "Console").  The runner
 * passes a fresh random 128-bit token on the hypervisor's command line
 * (vhyp.token=<32 hex digits>).  Each hypervisor line is then written as
 *
 *     RS "vhyp" <token, 32 lowercase hex> ":" <text> US <tag, 16 hex> CR LF
 *
 * (RS = 0x1e, US = 0x1f) where tag is SipHash-2-4, keyed by the token, of
 * <text>.  The token tells the runner's console filter that a line is the
 * hypervisor's; the tag shows that no guest byte was written into the
 * middle of it (a guest that owns the UART can interleave its output with
 * the hypervisor's, but cannot compute a tag without the token).  Shared by
 * the hypervisor (hyp/console.c) and the filter (tools/vhyp-console.c).
 */
#ifndef VHYP_CONSOLE_MARK_H
#define VHYP_CONSOLE_MARK_H

#include <stddef.h>
#include <stdint.h>

#define VHYP_MARK_START   '\x1e'
#define VHYP_MARK_NAME    "vhyp"
#define VHYP_MARK_TAG_SEP '\x1f'
#define VHYP_TOKEN_BYTES  16U
#define VHYP_TOKEN_HEX    32U /* two digits a byte */
#define VHYP_MARK_TAG_HEX 16U
_Static_assert(VHYP_TOKEN_HEX == 2 * VHYP_TOKEN_BYTES, "two hex digits a byte");
/* RS + "vhyp" + token + ":" */
#define VHYP_MARK_LEN (1U + 4U + VHYP_TOKEN_HEX + 1U)

/* Streaming SipHash-2-4 (Aumasson and Bernstein), 64-bit output. */
struct vhyp_mac {
	uint64_t v0, v1, v2, v3;
	uint64_t buf; /* bytes of the current word, little-endian */
	uint64_t len; /* bytes absorbed */
};

static inline uint64_t vhyp_mac_rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64U - b));
}

static inline void vhyp_mac_round(struct vhyp_mac *m)
{
	m->v0 += m->v1;
	m->v1 = vhyp_mac_rotl(m->v1, 13);
	m->v1 ^= m->v0;
	m->v0 = vhyp_mac_rotl(m->v0, 32);
	m->v2 += m->v3;
	m->v3 = vhyp_mac_rotl(m->v3, 16);
	m->v3 ^= m->v2;
	m->v0 += m->v3;
	m->v3 = vhyp_mac_rotl(m->v3, 21);
	m->v3 ^= m->v0;
	m->v2 += m->v1;
	m->v1 = vhyp_mac_rotl(m->v1, 17);
	m->v1 ^= m->v2;
	m->v2 = vhyp_mac_rotl(m->v2, 32);
}

static inline void vhyp_mac_init(struct vhyp_mac *m,
                                 const uint8_t key[VHYP_TOKEN_BYTES])
{
	uint64_t k0 = 0, k1 = 0;

	for (unsigned i = 0; i < 8; i++) {
		k0 |= (uint64_t)key[i] << (8 * i);
		k1 |= (uint64_t)key[8 + i] << (8 * i);
	}
	m->v0 = k0 ^ 0x736f6d6570736575ULL;
	m->v1 = k1 ^ 0x646f72616e646f6dULL;
	m->v2 = k0 ^ 0x6c7967656e657261ULL;
	m->v3 = k1 ^ 0x7465646279746573ULL;
	m->buf = 0;
	m->len = 0;
}

static inline void vhyp_mac_word(struct vhyp_mac *m, uint64_t w)
{
	m->v3 ^= w;
	vhyp_mac_round(m);
	vhyp_mac_round(m);
	m->v0 ^= w;
}

static inline void vhyp_mac_byte(struct vhyp_mac *m, uint8_t b)
{
	m->buf |= (uint64_t)b << (8 * (m->len & 7U));
	m->len++;
	if ((m->len & 7U) == 0) {
		vhyp_mac_word(m, m->buf);
		m->buf = 0;
	}
}

static inline uint64_t vhyp_mac_final(struct vhyp_mac *m)
{
	vhyp_mac_word(m, m->buf | (m->len << 56));
	m->v2 ^= 0xff;
	for (unsigned i = 0; i < 4; i++)
		vhyp_mac_round(m);
	return m->v0 ^ m->v1 ^ m->v2 ^ m->v3;
}

/* Parses 32 hex digits (either case) into key; false if malformed. */
static inline int vhyp_token_parse(const char *s, size_t len,
                                   uint8_t key[VHYP_TOKEN_BYTES])
{
	if (len != VHYP_TOKEN_HEX)
		return 0;
	for (unsigned i = 0; i < VHYP_TOKEN_HEX; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		if (i % 2 == 0)
			key[i / 2] = (uint8_t)(d << 4);
		else
			key[i / 2] |= (uint8_t)d;
	}
	return 1;
}

#endif /* VHYP_CONSOLE_MARK_H */
