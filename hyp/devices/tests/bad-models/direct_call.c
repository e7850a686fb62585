// SPDX-License-Identifier: MIT
/*
 * Fixture for the device-model rule: a model that maps guest memory at EL2
 * itself (the functions host_grant uses) and shares a granule through the
 * core's page-state machine.  Must be refused: the partial link leaves
 * arch_mmu_map_page and vhyp_mem_share undefined, outside the allowlist.
 */
#include "../../model.h"

void arch_mmu_map_page(uint64_t pa);
int64_t vhyp_mem_share(void *vm, uint64_t ipa);

uint64_t bad_direct_read(uint64_t pa)
{
	uint64_t v;

	arch_mmu_map_page(pa);
	(void)vhyp_mem_share(0, pa);
	return hyp_guest_read((hyp_guest_t){1}, pa, &v, sizeof(v)) ==
	                       HYP_HOST_OK
	               ? v
	               : 0;
}
