// SPDX-License-Identifier: MIT
// Instructions the hostile guest executes at known addresses, so that an
// exception's ELR can be checked: the instruction is the first of each
// function.
.macro one name, insn:vararg
	.text
	.global	\name
	.type	\name, %function
	.balign	4
\name:
	\insn
	ret
	.size	\name, . - \name
.endm

// An IMPLEMENTATION DEFINED system register (op0=3, CRn=15): trapped by
// HCR_EL2.TIDCP where implemented, UNDEFINED in any case.
one hostile_mrs_impdef, mrs x0, s3_7_c15_c15_7
one hostile_msr_impdef, msr s3_7_c15_c15_7, x0

// A function in RAM to call through the executable alias (sanity check).
one hostile_ret, nop
