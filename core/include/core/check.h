/* SPDX-License-Identifier: MIT */
/*
 * CHECK(cond): an invariant of vhyp's own code, never a test of guest
 * input (guest-reachable input gets an error return and an architectural
 * or SMCCC answer, docs/abi.md).  When cond is false the program is wrong:
 * vhyp_check_failed() does not return.  The hypervisor implements it as
 * its panic with the register dump (hyp/check.c); host tests, the fuzzer
 * and the host bench as abort() (tests/unit/support/check_abort.c), so a
 * broken invariant fails the test that reached it.
 */
#ifndef CORE_CHECK_H
#define CORE_CHECK_H

_Noreturn void vhyp_check_failed(const char *file, unsigned line,
                                 const char *expr);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (__builtin_expect(!(cond), 0))                              \
			vhyp_check_failed(__FILE__, __LINE__, #cond);          \
	} while (0)

#endif /* CORE_CHECK_H */
