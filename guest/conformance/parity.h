/* SPDX-License-Identifier: MIT */
/* The KVM-parity cases of the conformance guest (parity.c): PSCI 1.3,
 * SMCCC TRNG, PV time, the CPU-workaround answers. */
#ifndef CONFORMANCE_PARITY_H
#define CONFORMANCE_PARITY_H

void parity_cases(void);
/* Ends the run through SYSTEM_OFF2(HIBERNATE_OFF) with poweroff=1 or
 * SYSTEM_RESET2(SYSTEM_WARM_RESET) with poweroff=2 on the command line;
 * returns (after printing a failure) only if the call returned. */
void parity_poweroff(void);

#endif /* CONFORMANCE_PARITY_H */
