/* SPDX-License-Identifier: MIT */
/*
 * For tests of CHECK() itself: expect_check_failure(stmt) runs stmt and is
 * true if a CHECK failed inside it (control comes back through longjmp;
 * whatever stmt had half done is the test's to ignore).  Anywhere else a
 * failed CHECK aborts the test binary.
 */
#ifndef CHECK_CATCH_H
#define CHECK_CATCH_H

#include <setjmp.h>
#include <stdbool.h>

extern jmp_buf *vhyp_check_catch;
extern unsigned vhyp_check_failures;

#define expect_check_failure(stmt)                                             \
	({                                                                     \
		jmp_buf jb_;                                                   \
		unsigned before_ = vhyp_check_failures;                        \
		if (setjmp(jb_) == 0) {                                        \
			vhyp_check_catch = &jb_;                               \
			stmt;                                                  \
			vhyp_check_catch = NULL;                               \
		}                                                              \
		vhyp_check_failures != before_;                                \
	})

#endif /* CHECK_CATCH_H */
