/* SPDX-License-Identifier: MIT */
/* The protected-VM cases of the conformance guest (protected.c). */
#ifndef CONFORMANCE_PROTECTED_H
#define CONFORMANCE_PROTECTED_H

#include <stdbool.h>
#include <stdint.h>

/* main.c: one HVC #0 checked against want (X4..X28 preserved too). */
bool conformance_check_hvc(const char *label, uint64_t x0, uint64_t x1,
                           uint64_t x2, uint64_t x3, const uint64_t want[4]);

/* Cases 37-56 (36 is the FEATURES check with expect_features=0x9f). */
void protected_vm_cases(void);

#endif /* CONFORMANCE_PROTECTED_H */
