/* SPDX-License-Identifier: MIT */
/*
 * TAP output for test guests: one "ok N - ..." / "not ok N - ..." line per
 * check, then the plan.  tests/qemu and scripts/run-tests.sh count these
 * lines.  Not thread-safe: report from one CPU at a time.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <stdbool.h>

/* Prints one result line; returns ok. */
bool rt_tap(bool ok, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
unsigned rt_tap_count(void);
unsigned rt_tap_failures(void);
/* "1..N" and a "# name: N tests, F failed" summary. */
void rt_tap_plan(const char *name);

#endif /* GUEST_TAP_H */
