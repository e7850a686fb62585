// SPDX-License-Identifier: MIT
/*
 * Fixture for the device-model rule: a model that includes the trusted
 * side's header by a relative path (a quoted include finds it next to the
 * model without any -I) to call the unchecked accessor on a VM pointer.
 * Must be refused: the model reads a header outside model.h/virtio.h (and
 * devices.h itself needs core/vm.h, not on the model's include path).
 */
#include "../../devices.h"

uint64_t bad_raw_read(struct vhyp_vm *vm, uint64_t ipa)
{
	uint64_t v = 0;

	(void)hyp_host_raw_read(vm, ipa, &v);
	return v;
}
