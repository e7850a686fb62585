/* SPDX-License-Identifier: MIT */
/*
 * Spec cases as tables (pKVM selftests' hvc_info / false_hvc_info): one
 * row = one SMCCC call on a fresh VM of the row's kind, X0..X3 in, the
 * literal X0..X3 out, X4..X17 preserved.  spec_run_group() makes each row
 * its own cmocka test case, named after the row, followed by the file's
 * other tests.  Rows of the negative table (an error in X0) also check
 * that the call reached no host_grant or host_revoke: a refused call
 * changes nothing.
 */
#ifndef SPEC_TABLE_H
#define SPEC_TABLE_H

#include "fake_platform.h"

#define NORMAL    false
#define PROTECTED true

struct spec_row {
	const char *name;
	bool protected_vm;
	uint64_t features; /* 0: the kind's default bitmap */
	bool no_clock;     /* no arch-counter time source */
	uint64_t in[4];
	uint64_t out[4];
};

/* ROW(name, kind, features, X0..X3 in, X0..X3 out) */
#define ROW(n, kind, feat, in0, in1, in2, in3, ...)                            \
	{                                                                      \
#n, kind, feat, false, {in0, in1, in2, in3 },                  \
		{                                                              \
			__VA_ARGS__                                            \
		}                                                              \
	}

#define NR_ROWS(t) (sizeof(t) / sizeof((t)[0]))

/* Runs the rows of cases, then those of negative, then other[] as one
 * cmocka group; returns cmocka's result. */
int spec_run_group(const char *group, const struct spec_row *cases,
                   size_t nr_cases, const struct spec_row *negative,
                   size_t nr_negative, const struct CMUnitTest *other,
                   size_t nr_other);

#endif /* SPEC_TABLE_H */
