/* SPDX-License-Identifier: MIT */
/*
 * CHECK() failure on the host (core/check.h): report and abort, unless a
 * test is expecting that very failure (expect_check_failure in
 * check_catch.h), which then gets control back.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <core/check.h>

#include "check_catch.h"

jmp_buf *vhyp_check_catch;
unsigned vhyp_check_failures;

_Noreturn void vhyp_check_failed(const char *file, unsigned line,
                                 const char *expr)
{
	jmp_buf *catch = vhyp_check_catch;

	if (catch != NULL) {
		vhyp_check_catch = NULL;
		vhyp_check_failures++;
		longjmp(*catch, 1);
	}
	fprintf(stderr, "%s:%u: CHECK(%s) failed\n", file, line, expr);
	fflush(stderr);
	abort();
}
