// SPDX-License-Identifier: MIT
/*
 * Fixture for the device-model rule: a model that treats its guest handle
 * as the VM pointer it stands for.  Must be refused: the handle is a
 * struct holding a number; it converts to no pointer.
 */
#include "../../model.h"

struct vhyp_vm;

struct vhyp_vm *bad_vm_of(hyp_guest_t guest)
{
	return (struct vhyp_vm *)guest;
}
