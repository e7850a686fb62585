/* SPDX-License-Identifier: MIT */
/*
 * The guest side of the vhyp isolation probe (hyp/devices/isolation_probe.c,
 * register map in docs/protected-vms.md): ask the host side to read or
 * write one of our IPAs and learn whether it could.  Shared by the
 * isolation, race and demo guests.
 *
 * Registers are accessed with plain LDR/STR (inline assembly, so the
 * compiler cannot emit a write-back or pair form, which would leave
 * ESR_EL2.ISV = 0 and could not be emulated).
 */
#ifndef GUEST_ISOLATION_PROBE_H
#define GUEST_ISOLATION_PROBE_H

#include <stdint.h>

#include <vhyp/board.h>

#define PROBE_BASE     VHYP_PROBE_BASE
#define PROBE_ID_VALUE 0x0000000176687970ULL

#define PROBE_ID           0x00U
#define PROBE_ADDR         0x08U
#define PROBE_DATA         0x10U
#define PROBE_CMD          0x18U
#define PROBE_STATUS       0x20U
#define PROBE_OK           0x28U
#define PROBE_REFUSED      0x30U
#define PROBE_FAULTED      0x38U
#define PROBE_LEAKED       0x40U
#define PROBE_INCONSISTENT 0x48U

#define PROBE_CMD_READ     1U
#define PROBE_CMD_WRITE    2U
#define PROBE_CMD_RAW_READ 3U
#define PROBE_CMD_QUERY    4U

#define PROBE_ST_OK           0U
#define PROBE_ST_REFUSED      1U
#define PROBE_ST_FAULTED      2U
#define PROBE_ST_LEAKED       3U
#define PROBE_ST_INCONSISTENT 4U
#define PROBE_ST_BAD_COMMAND  5U

#define PROBE_Q_RAM       (1ULL << 0)
#define PROBE_Q_S2_SHARED (1ULL << 1)
#define PROBE_Q_HOST_MAY  (1ULL << 2)

static inline uint64_t probe_read(unsigned reg)
{
	uint64_t v;

	__asm__ volatile("ldr %0, [%1]"
	                 : "=r"(v)
	                 : "r"(PROBE_BASE + reg)
	                 : "memory");
	return v;
}

static inline void probe_write(unsigned reg, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(PROBE_BASE + reg)
	                 : "memory");
}

/* Runs one command on ipa; returns STATUS.  *data is DATA before the
 * command (for WRITE) and after it (for READ, RAW_READ, QUERY). */
static inline uint64_t probe_cmd(unsigned cmd, uint64_t ipa, uint64_t *data)
{
	probe_write(PROBE_ADDR, ipa);
	probe_write(PROBE_DATA, *data);
	probe_write(PROBE_CMD, cmd);
	*data = probe_read(PROBE_DATA);
	return probe_read(PROBE_STATUS);
}

static inline uint64_t probe_query(uint64_t ipa)
{
	uint64_t q = 0;

	(void)probe_cmd(PROBE_CMD_QUERY, ipa, &q);
	return q;
}

#endif /* GUEST_ISOLATION_PROBE_H */
