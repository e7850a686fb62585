// SPDX-License-Identifier: MIT
/*
 * Fixture for the device-model rule (hyp/devices/tests/model-rule.sh): a
 * model that reaches host_grant through the VM's ops table, the way the
 * old grep test let pass (it names neither hyp_safe_copy nor arch_mmu_*).
 * Must be refused: core/vm.h is not on a model's include path.
 */
#include <core/vm.h>

#include "../../model.h"

extern struct vhyp_vm *bad_vm;

void bad_grant_via_ops(uint64_t pa)
{
	bad_vm->ops->host_grant(bad_vm->ops_ctx, pa);
}
