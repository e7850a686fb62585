// SPDX-License-Identifier: MIT
/*
 * CHECK() failure in the hypervisor (core/check.h): a bug in vhyp, never
 * something a guest did.  The line names the invariant; the BRK then
 * takes the EL2 synchronous exception whose handler
 * (hyp_unexpected_exception) prints the register dump -- x0..x2 hold
 * file, line and expression -- and stops through the panic channel.
 */
#include <core/check.h>

#include "hyp.h"

_Noreturn void vhyp_check_failed(const char *file, unsigned line,
                                 const char *expr)
{
	vlog("CHECK(%s) failed at %s:%u\n", expr, file, line);
	__asm__ volatile("mov x0, %0\n\tmov x1, %1\n\tmov x2, %2\n\tbrk #0xc4"
	                 :
	                 : "r"(file), "r"((unsigned long)line), "r"(expr)
	                 : "x0", "x1", "x2", "memory");
	__builtin_unreachable();
}
