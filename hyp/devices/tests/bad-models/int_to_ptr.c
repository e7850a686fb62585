// SPDX-License-Identifier: MIT
/*
 * Fixture for the device-model rule: a model that dereferences a guest
 * physical address itself (a normal VM's RAM is mapped at EL2), skipping
 * the accessor.  Uses nothing outside the allowlist, so only the
 * integer-to-pointer check (clang-tidy) can refuse it.
 */
#include "../../model.h"

uint64_t bad_peek(uint64_t ipa)
{
	return *(volatile uint64_t *)(uintptr_t)ipa;
}
