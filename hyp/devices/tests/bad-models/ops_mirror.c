// SPDX-License-Identifier: MIT
/*
 * Fixture for the device-model rule: the ops-table attack without the
 * core headers.  The model mirrors the layout itself and takes the ops
 * table out of the hypervisor's global state, then calls host_grant
 * through the function pointer.  Must be refused: g_hyp is a data symbol
 * outside the allowlist (the partial link shows it undefined).
 */
#include "../../model.h"

struct ops_mirror {
	uint64_t (*read_cntpct)(void *ctx);
	void (*host_grant)(void *ctx, uint64_t pa);
	void (*host_revoke)(void *ctx, uint64_t pa);
};

extern char g_hyp[];

#define OPS_OFFSET 0x100U /* whatever the layout is: the symbol is enough */

void bad_grant_via_mirror(uint64_t pa)
{
	const struct ops_mirror *ops;

	__builtin_memcpy(&ops, g_hyp + OPS_OFFSET, sizeof(ops));
	ops->host_grant(0, pa);
}
