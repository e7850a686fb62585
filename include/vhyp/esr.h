/* SPDX-License-Identifier: MIT */
/*
 * ESR_ELx: the exception class and the ISS fields vhyp, its guests and its
 * tests decode or build (Arm ARM D24.2.40, ESR_EL2; the same layout for
 * ESR_EL1).  The one place these numbers are written; usable from C and
 * from assembly (no integer suffixes there).
 */
#ifndef VHYP_ESR_H
#define VHYP_ESR_H

#ifdef __ASSEMBLER__
#define ESR_U(x) x
#else
#define ESR_U(x) x##ULL
#endif

/* ESR_ELx.EC, bits [31:26]. */
#define ESR_EC_SHIFT    26
#define ESR_EC_MASK     ESR_U(0x3F)
#define ESR_EC_UNKNOWN  0x00
#define ESR_EC_WFX      0x01
#define ESR_EC_HVC64    0x16
#define ESR_EC_SMC64    0x17
#define ESR_EC_SYSREG   0x18
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_EC_BRK64    0x3C
/* ESR_ELx.IL, bit [25]: a 32-bit instruction. */
#define ESR_IL          (ESR_U(1) << 25)

#ifndef __ASSEMBLER__
#define ESR_EC(esr)     ((unsigned)((esr) >> ESR_EC_SHIFT) & (unsigned)ESR_EC_MASK)
#define ESR_MAKE_EC(ec) ((unsigned long long)(ec) << ESR_EC_SHIFT)
/* Data and instruction aborts: the fault status code, ISS[5:0]. */
#define ESR_FSC(esr)    ((unsigned)(esr)&0x3FU)
#define ESR_FSC_SEA     0x10U /* synchronous external abort */

/* Data abort ISS (EC 0x24/0x25). */
#define ESR_ISS_ISV      (1ULL << 24) /* the fields below are valid */
#define ESR_ISS_SAS(esr) ((unsigned)((esr) >> 22) & 3U)    /* log2 size */
#define ESR_ISS_SSE      (1ULL << 21)                      /* sign extend */
#define ESR_ISS_SRT(esr) ((unsigned)((esr) >> 16) & 0x1FU) /* register */
#define ESR_ISS_SF       (1ULL << 15)                      /* 64-bit register */
#define ESR_ISS_CM       (1ULL << 8) /* cache maintenance */
#define ESR_ISS_S1PTW    (1ULL << 7) /* on a stage-1 walk */
#define ESR_ISS_WNR      (1ULL << 6) /* write, not read */

/* System register trap ISS (EC 0x18): Direction, 1 = read (MRS). */
#define ESR_ISS_SYS_READ 1ULL
#endif

#endif
