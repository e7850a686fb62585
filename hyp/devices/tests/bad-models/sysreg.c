// SPDX-License-Identifier: MIT
/*
 * Fixture for the device-model rule: a model that changes EL2 translation
 * with inline assembly (a new TTBR0_EL2) instead of calling anything.
 * Must be refused: a system instruction in model code.
 */
#include "../../model.h"

void bad_switch_tables(uint64_t root)
{
	__asm__ volatile("msr ttbr0_el2, %0\n\ttlbi alle2" ::"r"(root)
	                 : "memory");
}
