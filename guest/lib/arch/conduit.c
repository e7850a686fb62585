// SPDX-License-Identifier: MIT
/*
 * The SMCCC 1.1 instructions.  X0..X17 go in; X0..X3 come back.  SMCCC 1.1
 * requires the callee to preserve X4..X17, so they are inputs only and the
 * clobbers are just memory (the callee may read or write buffers we pass
 * by address) and the flags.
 */
#include <guest/smccc.h>

#define SMCCC_INSN(insn)                                                       \
	do {                                                                   \
		register uint64_t r0 __asm__("x0") = x[0];                     \
		register uint64_t r1 __asm__("x1") = x[1];                     \
		register uint64_t r2 __asm__("x2") = x[2];                     \
		register uint64_t r3 __asm__("x3") = x[3];                     \
		register uint64_t r4 __asm__("x4") = x[4];                     \
		register uint64_t r5 __asm__("x5") = x[5];                     \
		register uint64_t r6 __asm__("x6") = x[6];                     \
		register uint64_t r7 __asm__("x7") = x[7];                     \
		register uint64_t r8 __asm__("x8") = x[8];                     \
		register uint64_t r9 __asm__("x9") = x[9];                     \
		register uint64_t r10 __asm__("x10") = x[10];                  \
		register uint64_t r11 __asm__("x11") = x[11];                  \
		register uint64_t r12 __asm__("x12") = x[12];                  \
		register uint64_t r13 __asm__("x13") = x[13];                  \
		register uint64_t r14 __asm__("x14") = x[14];                  \
		register uint64_t r15 __asm__("x15") = x[15];                  \
		register uint64_t r16 __asm__("x16") = x[16];                  \
		register uint64_t r17 __asm__("x17") = x[17];                  \
		__asm__ volatile(insn " #0"                                    \
		                 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)      \
		                 : "r"(r4), "r"(r5), "r"(r6), "r"(r7),         \
		                   "r"(r8), "r"(r9), "r"(r10), "r"(r11),       \
		                   "r"(r12), "r"(r13), "r"(r14), "r"(r15),     \
		                   "r"(r16), "r"(r17)                          \
		                 : "memory", "cc");                            \
		x[0] = r0;                                                     \
		x[1] = r1;                                                     \
		x[2] = r2;                                                     \
		x[3] = r3;                                                     \
	} while (0)

void vg_hvc_call(void *opaque, uint64_t x[VG_SMCCC_NR_REGS])
{
	(void)opaque;
	SMCCC_INSN("hvc");
}

void vg_smc_call(void *opaque, uint64_t x[VG_SMCCC_NR_REGS])
{
	(void)opaque;
	SMCCC_INSN("smc");
}

struct vg_conduit vg_conduit_for(enum vg_conduit_kind kind)
{
	struct vg_conduit c = {vg_conduit_none_call, NULL, "none"};

	if (kind == VG_CONDUIT_HVC) {
		c.call = vg_hvc_call;
		c.name = "hvc";
	} else if (kind == VG_CONDUIT_SMC) {
		c.call = vg_smc_call;
		c.name = "smc";
	}
	return c;
}
