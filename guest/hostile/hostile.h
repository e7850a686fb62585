/* SPDX-License-Identifier: MIT */
/* The hostile guest's internal interfaces. */
#ifndef GUEST_HOSTILE_H
#define GUEST_HOSTILE_H

#include <stdbool.h>

/* gic.c: the virtual timer PPI, pending at this CPU's interface. */
bool hostile_gic_init(void);
int hostile_gic_version(void);
bool hostile_gic_cpu_enable(bool on);
bool hostile_gic_timer_pending(void);

/* insns.S */
void hostile_mrs_impdef(void);
void hostile_msr_impdef(void);
void hostile_ret(void);

#endif /* GUEST_HOSTILE_H */
